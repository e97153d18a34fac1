package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An export's --out inside the dataset is a usage error naming both, as
// for every other command's --out, before anything is computed or
// written: export --format geoparquet --out DATASET/villages wrote its
// .parquet files among the villages table's parts, and dataset verify
// then failed (exit 1) on data files missing from the manifest, which
// dataset repair moves to orphans/; under stages/ they were strays.
func TestExportOutInsideTheDatasetRefused(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	for _, c := range []struct{ format, out string }{
		{"geoparquet", filepath.Join(ds, "villages")},
		{"geoparquet", filepath.Join(ds, "stages", "gp")},
		{"gpkg", filepath.Join(ds, "export.gpkg")},
		{"gpkg", filepath.Join(ds, "measurements", "m.gpkg")},
	} {
		_, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
			"--format", c.format, "--out", c.out)
		if code != exitUsage || !strings.Contains(errs, "--out "+c.out+" is inside the dataset") {
			t.Errorf("export --format %s --out %s: exit %d\n%s", c.format, c.out, code, errs)
		}
		if strings.Contains(errs, "computed and saved") {
			t.Errorf("export --format %s --out %s: the month was computed before the refusal:\n%s", c.format, c.out, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(ds, "stages")); !os.IsNotExist(err) {
		t.Errorf("the refused exports wrote into the dataset: %v", err)
	}
	if _, err := os.Stat(filepath.Join(ds, "export.gpkg")); !os.IsNotExist(err) {
		t.Errorf("the refused export wrote its GeoPackage: %v", err)
	}
	if _, errs, code := runCmd(t, "dataset", "verify", ds); code != exitOK {
		t.Errorf("dataset verify after the refused exports: %d\n%s", code, errs)
	}
	// Beside the dataset is fine.
	if _, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
		"--format", "gpkg", "--out", filepath.Join(dir, "m.gpkg")); code != exitOK {
		t.Fatalf("export beside the dataset: %d\n%s", code, errs)
	}
}
