package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanVillagesWithoutSignalUncounted: villages without 3G/4G whose
// hexes hold no households (0 in the villages table) make no dead zone,
// and the plan said "no dead zone in 2 populated hexes: nothing to plan",
// an all-clear for the two villages lomsong deadzones lists without
// signal. It says they are without 3G/4G and why the plan has nothing to
// fund there, as the report's plan section does.
func TestPlanVillagesWithoutSignalUncounted(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n"+
		"V4,Bản D,,102.85,22.40,0\nV6,Bản F,,103.00,22.25,0\n")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--out", filepath.Join(dir, "plan"))
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, errs)
	}
	want := "no dead zone holds households in the population counted, yet 2 villages are without 3G/4G"
	if !strings.Contains(stdout, want) || strings.Contains(stdout, "nothing to plan") {
		t.Errorf("plan's stdout:\n%s\nwant %q, not an all-clear", stdout, want)
	}
}
