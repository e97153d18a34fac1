package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A GeoParquet --out folder whose layer files the export may not replace
// is refused (exit 2) before the month is computed, as the other
// commands' outputs are (outputsFree): a villages.parquet of the user's,
// a layer changed since the export wrote it. Both were refused only once
// the month was computed and its stages saved.
func TestExportGeoParquetFolderRefusedFirst(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	computed := func(t *testing.T, errs string) {
		t.Helper()
		if strings.Contains(errs, "export 2026-10: read back") || strings.Contains(errs, "coverage: started") {
			t.Errorf("the month was computed or read before the refusal:\n%s", errs)
		}
	}
	export := func(out string) (string, int) {
		_, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
			"--format", "geoparquet", "--out", out)
		return errs, code
	}

	mine := filepath.Join(dir, "mine")
	os.Mkdir(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "villages.parquet"), []byte("my villages"), 0o644)
	errs, code := export(mine)
	if code != exitUsage || !strings.Contains(errs, "villages.parquet already there and not written by an earlier lomsong geoparquet here") {
		t.Errorf("a folder with the user's villages.parquet: exit %d\n%s", code, errs)
	}
	computed(t, errs)
	if _, err := os.Stat(filepath.Join(ds, "stages")); !os.IsNotExist(err) {
		t.Errorf("the month was computed and saved for a refused export: %v", err)
	}

	// An export, then one of its layers changed in place.
	gp := filepath.Join(dir, "gp")
	if errs, code := export(gp); code != exitOK {
		t.Fatalf("export: %d\n%s", code, errs)
	} else if !strings.Contains(errs, "export: writing coverage_hex (") || !strings.Contains(errs, "export: writing communes_summary (") {
		// Each layer is named as its writing starts, as in a GeoPackage.
		t.Errorf("the layers were not named as they were written:\n%s", errs)
	}
	f, err := os.OpenFile(filepath.Join(gp, "hexes.parquet"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("an edit")
	f.Close()
	errs, code = export(gp)
	if code != exitUsage || !strings.Contains(errs, "hexes.parquet was changed after the export wrote it") {
		t.Errorf("a layer changed in place: exit %d\n%s", code, errs)
	}
	computed(t, errs)
}
