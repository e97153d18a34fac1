package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestExportEmptyPlanSaysWhatWasLeftOut: an export over every province
// whose dead-zone run found no dead zone but left a village out (in Điện
// Biên, no site or test near it) says the plan is empty for the places
// analysed and names what was left out; it said "no dead zone, nothing to
// plan", an all-clear for households no evidence reached.
func TestExportEmptyPlanSaysWhatWasLeftOut(t *testing.T) {
	ds := exampleDataset(t) // V3 (60 households) lies in Điện Biên
	stdout, errs, code := runCmd(t, "export", "--dataset", ds, "--period", "2026-10", "--budget", "500e9",
		"--format", "gpkg", "--out", filepath.Join(t.TempDir(), "m.gpkg"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	want := "plan: no site funded: no dead zone in the places analysed, nothing to plan there; 1 populated hex (60 households) left out, with no site or test near, is not known to be served"
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
}
