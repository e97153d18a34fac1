package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// With --communes, villages.csv gives each village its own commune code
// (commune_code) and the commune attributed (commune); the GeoPackage's
// villages layer gave the attributed one as commune_code and the village's
// own code nowhere, though docs/exports.md called its columns those of
// villages.csv. The layer keeps it as given_commune_code.
func TestExportVillagesKeepTheirGivenCommuneCode(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir) // V1 of 12001 at 103.30, 22.45; V4 of 12004 at 102.55, 22.55
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"C1","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	gpkg := filepath.Join(dir, "out.gpkg")
	if stdout, errs, code := runBinary(t, "export", "--dataset", ds, "--period", "2026-10", "--province", "lai chau",
		"--communes", communes, "--format", "gpkg", "--out", gpkg); code != exitOK {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, errs)
	}
	db, err := sqlitedb.Open(context.Background(), gpkg, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[string][3]string{
		"V1": {"C1", "12001", "point"},       // in Xã Một by its point; its own code kept beside
		"V4": {"", "12004", "province_only"}, // in no commune of Lai Châu
	} {
		var commune sql.NullString
		var given, attribution string
		if err := db.QueryRow("SELECT commune_code, given_commune_code, attribution FROM villages WHERE village_id = ?", id).
			Scan(&commune, &given, &attribution); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got := [3]string{commune.String, given, attribution}; got != want {
			t.Errorf("%s: commune_code, given_commune_code, attribution = %q, want %q", id, got, want)
		}
	}
}
