package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A command that needs its --boundaries in several steps (export: the
// communes' parents, then the analysis) reads the file once: its warning
// of codes given as numbers was printed once a read, and a country's
// communes file (16 MB) was parsed again for each.
func TestBoundariesFileReadOnce(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	provinces := filepath.Join(dir, "provinces.geojson")
	if err := os.WriteFile(provinces, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":12,"name":"Lai Châu"},"geometry":{"type":"Polygon","coordinates":[[[102.0,21.5],[104.5,21.5],[104.5,23.0],[102.0,23.0],[102.0,21.5]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"12001","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.0,21.5],[104.5,21.5],[104.5,23.0],[102.0,23.0],[102.0,21.5]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runBinary(t, "export", "--dataset", ds, "--boundaries", provinces, "--period", "2026-10",
		"--communes", communes, "--format", "gpkg", "--out", filepath.Join(dir, "m.gpkg"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	warning := "warning: " + provinces + " gives 1 unit codes as numbers"
	if n := strings.Count(errs, warning); n != 1 {
		t.Errorf("the numeric codes' warning said %d times, want once:\n%s", n, errs)
	}
}
