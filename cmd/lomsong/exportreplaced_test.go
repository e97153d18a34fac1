package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An export that replaces one of another month, province or resolution,
// or of another dataset, says what it held on its summary line, as a
// PostGIS release's replacement does: a GeoPackage of the whole dataset
// replaced by one province's said only "replacing the GeoPackage that was
// there", and a GeoParquet folder nothing at all.
func TestExportSaysWhatItReplaced(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	export := func(format, out string, extra ...string) string {
		t.Helper()
		args := append([]string{"export", "--dataset", ds, "--period", "2026-10", "--format", format, "--out", out}, extra...)
		stdout, errs, code := runCmd(t, args...)
		if code != exitOK {
			t.Fatalf("%v: %d\n%s", args, code, errs)
		}
		return stdout
	}
	for _, c := range []struct{ format, out, replaced string }{
		{"gpkg", filepath.Join(dir, "m.gpkg"), "replacing the GeoPackage that was there"},
		{"geoparquet", filepath.Join(dir, "gp"), "replacing the layers that were there"},
	} {
		export(c.format, c.out)
		if got := export(c.format, c.out, "--province", "lai chau"); !strings.Contains(got, c.replaced+" (an export of the whole dataset)") {
			t.Errorf("%s: the whole dataset's export replaced by Lai Châu's:\n%s", c.format, got)
		}
		if got := export(c.format, c.out, "--province", "lai chau", "--res", "7"); !strings.Contains(got, c.replaced+" (an export of H3 resolution 8)") {
			t.Errorf("%s: a resolution 8 export replaced by one of resolution 7:\n%s", c.format, got)
		}
		if got := export(c.format, c.out, "--province", "lai chau", "--res", "7"); strings.Contains(got, "(an export of") {
			t.Errorf("%s: the same month exported again said it held another:\n%s", c.format, got)
		}
	}
}
