package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// An export whose plan funds no site wrote an empty plan layer and
// listed it as "plan 0 point", exit 0, without a word of why, where
// lomsong plan says that no option fits within the budget. The export
// says why the layer is empty, and what to change.
func TestExportSaysWhyThePlanIsEmpty(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	stdout, errs, code := runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
		"--budget", "1000", "--format", "gpkg", "--out", filepath.Join(dir, "m.gpkg"))
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	if !strings.Contains(stdout, "plan                     0 point") {
		t.Fatalf("the plan funds a site for 1,000 VND?\n%s", stdout)
	}
	if !strings.Contains(stdout, "plan: no site funded: the one candidate site does not fit within the budget of 1000 VND") ||
		!strings.Contains(stdout, "raise --budget") {
		t.Errorf("the empty plan layer is not explained:\n%s", stdout)
	}
	// A plan that funds sites needs no such line.
	stdout, errs, code = runCmd(t, "export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10",
		"--budget", "20e9", "--format", "gpkg", "--out", filepath.Join(dir, "m.gpkg"))
	if code != exitOK || strings.Contains(stdout, "no site funded") {
		t.Errorf("%d\n%s\n%s", code, stdout, errs)
	}
}
