package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A saved output that no later run reads — the month's predictions, once
// the coverage after them is saved — damaged after the run stays damaged:
// run after run was current and did not compute it, and dataset verify
// failed on it with no way out (repair did not touch it). verify says
// what it is and that repair removes it; repair removes it; verify then
// passes, and the run still reads the month back.
func TestDamagedSavedOutputNoRunReadsIsRepaired(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	if _, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK {
		t.Fatalf("run: %d\n%s", code, errs)
	}
	outs, _ := filepath.Glob(filepath.Join(ds, "stages", "period=2026-10", "predictions", "*", "output.gob"))
	if len(outs) != 1 {
		t.Fatalf("saved predictions: %v", outs)
	}
	if err := os.Truncate(outs[0], 100); err != nil {
		t.Fatal(err)
	}
	if stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK || !strings.Contains(stdout, "0 computed") {
		t.Fatalf("run after the damage: %d\n%s\n%s", code, stdout, errs)
	}
	rel, _ := filepath.Rel(ds, filepath.Dir(outs[0]))
	rel = filepath.ToSlash(rel)
	stdout, errs, code := runCmd(t, "dataset", "verify", ds)
	if code != exitFailure || !strings.Contains(stdout, "BAD "+rel+"/output.gob") ||
		!strings.Contains(errs, "1 of them saved stage outputs: derived data, which lomsong dataset repair") {
		t.Fatalf("verify: %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code = runCmd(t, "dataset", "repair", ds)
	if code != exitOK || !strings.Contains(stdout, "removed 1 damaged saved stage output ") || !strings.Contains(stdout, rel) {
		t.Fatalf("repair: %d\n%s\n%s", code, stdout, errs)
	}
	if stdout, errs, code := runCmd(t, "dataset", "verify", ds); code != exitOK {
		t.Fatalf("verify after repair: %d\n%s\n%s", code, stdout, errs)
	}
	if stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK || !strings.Contains(stdout, "0 computed") {
		t.Fatalf("run after repair: %d\n%s\n%s", code, stdout, errs)
	}
}
