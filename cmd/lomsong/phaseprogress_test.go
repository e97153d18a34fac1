package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// calibrate says each carrier's turn in the off-air check, and coverage
// says when its states are decided and its tables are being written: on
// the country's month each was silent for 10–15 s on a quiet machine
// (the off-air check's carriers; the million rows of the coverage tables).
func TestCalibrateAndCoverageSayTheirPhases(t *testing.T) {
	dir := t.TempDir()
	ds := exampleDataset(t)
	_, errs, code := runCmd(t, "calibrate", "--dataset", ds)
	if code != exitOK || !strings.Contains(errs, "calibrate: off-air check: viettel's masts (1 of 1 carrier, ") {
		t.Fatalf("calibrate: %d\n%s", code, errs)
	}
	out := filepath.Join(dir, "cov")
	_, errs, code = runCmd(t, "coverage", "--dataset", ds, "--out", out)
	if code != exitOK || !strings.Contains(errs, "(hex, carrier, technology) decided in ") || !strings.Contains(errs, "writing the tables to "+out) {
		t.Fatalf("coverage: %d\n%s", code, errs)
	}
}
