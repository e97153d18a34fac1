package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A saved stage output damaged after the run (a byte changed in its
// output.gob) is computed again by the single-stage command that reads
// it, as by run; run's summary named the file, but deadzones recomputed
// it without a word, so the damage (a failing disk, a hand edit) went
// unnoticed. The command warns, naming the file, and its tables are the
// run's.
func TestSingleStageCommandNamesADamagedSavedOutput(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	if _, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "run")); code != exitOK {
		t.Fatalf("run: %d\n%s", code, errs)
	}
	outs, _ := filepath.Glob(filepath.Join(ds, "stages", "period=2026-10", "deadzones.*", "*", "output.gob"))
	if len(outs) != 1 {
		t.Fatalf("saved dead-zone outputs: %v", outs)
	}
	b, err := os.ReadFile(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.WriteFile(outs[0], b, 0o644)
	rel, _ := filepath.Rel(ds, outs[0])
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "dz"))
	if code != exitOK || !strings.Contains(errs, "warning: saved output") || !strings.Contains(errs, filepath.ToSlash(rel)) {
		t.Fatalf("deadzones over a damaged saved output: %d\n%s\n%s", code, stdout, errs)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "run", "deadzones", "villages.csv"))
	c, _ := os.ReadFile(filepath.Join(dir, "dz", "villages.csv"))
	if len(a) == 0 || string(a) != string(c) {
		t.Fatalf("villages.csv of the run and of deadzones over the damaged output differ:\n%s\n%s", a, c)
	}
	// Computed again and saved: the next command reads it without a word.
	if _, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "dz2")); code != exitOK || strings.Contains(errs, "warning: saved output") {
		t.Fatalf("deadzones after the output was saved again: %d\n%s", code, errs)
	}
}
