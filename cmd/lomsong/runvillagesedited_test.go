package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A village renamed in a villages file ingested again changes none of
// the month's measurements, sites, households or positions: the dead-zone
// stage's key held the villages' ids, communes and points alone, so lomsong
// run (and deadzones, scorecard, report) read back the verdicts saved
// under the old name, and villages.csv went on naming Bản A without a
// word. The villages are part of the stage's key; the new name is written.
func TestRunVillageRenamedIsNotReadBack(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	out := filepath.Join(dir, "out")
	if stdout, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--out", out); code != exitOK {
		t.Fatalf("first run: exit %d\n%s\n%s", code, stdout, errs)
	}
	renamed := filepath.Join(dir, "villages_renamed.csv")
	if err := os.WriteFile(renamed, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản Mới,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, renamed); code != exitOK {
		t.Fatalf("ingest of the renamed villages: exit %d\n%s", code, errs)
	}
	again, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK {
		t.Fatalf("run after the rename: exit %d\n%s\n%s", code, again, errs)
	}
	var dzLine string
	for _, line := range strings.Split(again, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "deadzones" {
			dzLine = line
		}
	}
	if !strings.Contains(dzLine, "computed") {
		t.Errorf("the dead-zone stage after a village was renamed: %q\n%s", dzLine, again)
	}
	for _, line := range strings.Split(again, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "measure" && !strings.Contains(line, "current") && !strings.Contains(line, "read back") {
			t.Errorf("a pass over the measurements for a village's new name: %s", line)
		}
	}
	rows := csvRows(t, filepath.Join(out, "deadzones", "villages.csv"))
	var names []string
	for _, r := range rows[1:] {
		if r[0] == "V1" {
			names = append(names, r[1])
		}
	}
	if len(names) != 1 || names[0] != "Bản Mới" {
		t.Errorf("villages.csv names V1 %q after it was renamed Bản Mới\n%s", names, again)
	}
}
