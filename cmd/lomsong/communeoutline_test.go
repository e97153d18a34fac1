package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/sqlitedb"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The GSO's 2025 commune file holds pieces that enclose nothing: outer
// rings and holes of four copies of one point, or of two points (24 rings,
// e.g. Sin Suối Hồ's second polygon, 03394, and a hole of Hua Bum, 03460).
// A GIS reads a polygon with such a ring as invalid ("Too few points in
// geometry component"), so the communes_summary outlines an export copied
// from the file failed ST_IsValid in GDAL and PostGIS. They are dropped
// when the file is read: every ring written encloses an area, and the
// communes keep their real polygons and holes.
func TestExportCommuneOutlinesWithoutFlatPieces(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	// C1 holds V1 and V2 (a real hole, a hole of one point repeated, an
	// outer ring of two points); C2 holds V4 (a polygon of one point
	// before its real one).
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"C1","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"MultiPolygon","coordinates":[
 [[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]],
  [[103.40,22.60],[103.40,22.62],[103.42,22.62],[103.42,22.60],[103.40,22.60]],
  [[103.45,22.35],[103.45,22.35],[103.45,22.35],[103.45,22.35]]],
 [[[103.61,22.5],[103.62,22.5],[103.62,22.5],[103.61,22.5]]]]}},
{"type":"Feature","properties":{"code":"C2","name":"Xã Hai","provinceCode":"12"},"geometry":{"type":"MultiPolygon","coordinates":[
 [[[102.3,22.9],[102.3,22.9],[102.3,22.9],[102.3,22.9]]],
 [[[102.4,22.4],[102.7,22.4],[102.7,22.7],[102.4,22.7],[102.4,22.4]]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, outlines := exportCommuneOutlines(t, dir, ds, communes)
	// Per commune: its polygons' ring counts.
	want := map[string][]int{"C1": {2}, "C2": {1}}
	got := map[string][]int{}
	for code, mp := range outlines {
		for _, p := range mp {
			got[code] = append(got[code], len(p))
			for i, r := range p {
				if len(r) < 4 || planar.Area(r) == 0 {
					t.Errorf("%s: ring %d of %d points enclosing %g deg²: %v", code, i, len(r), planar.Area(r), r)
				}
			}
		}
	}
	for code, w := range want {
		if g := got[code]; len(g) != len(w) || g[0] != w[0] {
			t.Errorf("%s: polygons with %v rings, want %v", code, g, w)
		}
	}
}

// exportCommuneOutlines exports the dataset ds (exportDataset's, in dir)
// with the boundary file communes as --communes, and returns the
// GeoPackage's path and its communes_summary outlines by commune code.
// With ogrinfo on the machine, GDAL must find every outline valid.
func exportCommuneOutlines(t *testing.T, dir, ds, communes string) (string, map[string]orb.MultiPolygon) {
	t.Helper()
	gpkg := filepath.Join(dir, "m.gpkg")
	stdout, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
		"--communes", communes, "--format", "gpkg", "--out", gpkg)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	db, err := sqlitedb.Open(context.Background(), gpkg, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT commune_code, geom FROM communes_summary WHERE geom IS NOT NULL ORDER BY fid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	outlines := map[string]orb.MultiPolygon{}
	for rows.Next() {
		var code string
		var blob []byte
		if err := rows.Scan(&code, &blob); err != nil {
			t.Fatal(err)
		}
		g, err := export.DecodeGeoPackageBinary(blob)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		mp, ok := g.Geometry.(orb.MultiPolygon)
		if !ok {
			t.Fatalf("%s: %T, want a MultiPolygon", code, g.Geometry)
		}
		outlines[code] = mp
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("ogrinfo"); err == nil {
		out, err := exec.Command("ogrinfo", "-ro", "-q", gpkg, "-dialect", "sqlite", "-sql",
			"SELECT count(*) AS n, sum(ST_IsValid(geom)) AS valid FROM communes_summary WHERE geom IS NOT NULL").CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		n := len(outlines)
		if !strings.Contains(string(out), fmt.Sprintf("n (Integer) = %d", n)) || !strings.Contains(string(out), fmt.Sprintf("valid (Integer) = %d", n)) {
			t.Errorf("GDAL: communes_summary outlines not all valid:\n%s", out)
		}
	}
	return gpkg, outlines
}
