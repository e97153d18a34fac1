package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanSaysOneInTheSingular: a plan of one dead zone and one funded
// site said "1 dead zones", "1 candidates" and "1 sites funded" (and "1
// proposed candidates reach", "1 of 3 … lie", "the 1 populated hexes …
// are"). Counts of one are now said in the singular, as the other
// commands say them.
func TestPlanSaysOneInTheSingular(t *testing.T) {
	// Bản D is the one dead zone.
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV4,Bản D,,102.85,22.40,80\n")
	out := filepath.Join(t.TempDir(), "plan")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	for _, want := range []string{": 1 dead zone, 80 dead-zone households, 1 candidate (0 proposed)", "budget 500.00bn VND: 1 site funded, 80 households"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, bad := range []string{" 1 dead zones", " 1 sites", " 1 candidates"} {
		if strings.Contains(stdout, bad) {
			t.Errorf("stdout says %q:\n%s", bad, stdout)
		}
	}
}
