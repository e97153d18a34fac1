package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// lomsong deadzones --communes FILE names each of the largest zones'
// commune beside its code on stdout, as deadzones.csv (commune_name) and
// the report do: the table gave the code alone, which a province's
// reader had to look up.
func TestDeadzonesLargestZonesNameTheirCommune(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"03478","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.3,21.9],[103.8,21.9],[103.8,22.9],[102.3,22.9],[102.3,21.9]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "dz")
	stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", communes, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	_, table, ok := strings.Cut(stdout, "largest zones by households:\n")
	if !ok {
		t.Fatalf("no zones table:\n%s", stdout)
	}
	rows := regexp.MustCompile(`(?m)^DZ-\S+ .*$`).FindAllString(table, -1)
	if len(rows) == 0 {
		t.Fatalf("no zone in the table:\n%s", stdout)
	}
	csv := csvRows(t, filepath.Join(out, "deadzones.csv"))
	if len(csv)-1 < len(rows) {
		t.Fatalf("deadzones.csv has %d zones, the table %d", len(csv)-1, len(rows))
	}
	for _, r := range rows {
		if !strings.Contains(r, "  03478 Xã Một  ") {
			t.Errorf("zone row without its commune's name: %q\n%s", r, stdout)
		}
	}
	for i, h := range csv[0] {
		if h == "commune_name" && csv[1][i] != "Xã Một" {
			t.Errorf("deadzones.csv commune_name %q, want Xã Một", csv[1][i])
		}
	}
}

// A zone no commune of the --communes file holds reads "(no commune),
// province 12" in the largest zones' table, as the report and the
// GeoPackage's communes_summary name such places, where it read "province
// 12" in the commune column.
func TestDeadzonesLargestZonesWithoutCommune(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	// One commune around V1 (103.30, 22.45) alone.
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"03478","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.25,22.40],[103.35,22.40],[103.35,22.50],[103.25,22.50],[103.25,22.40]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", communes, "--out", filepath.Join(dir, "dz"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	_, table, _ := strings.Cut(stdout, "largest zones by households:\n")
	rows := regexp.MustCompile(`(?m)^DZ-\S+ .*$`).FindAllString(table, -1)
	without := 0
	for _, r := range rows {
		switch {
		case strings.Contains(r, "  (no commune), province 12  "):
			without++
		case !strings.Contains(r, "  03478 Xã Một  "):
			t.Errorf("zone row neither in the commune nor said to be in none: %q", r)
		}
	}
	if without == 0 {
		t.Errorf("no zone outside the one commune in the table:\n%s", stdout)
	}
}
