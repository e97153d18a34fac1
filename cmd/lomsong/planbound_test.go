package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanBoundRoundsUp: with households in fractions (80.4 at Bản D),
// the plan covering 80.4 households said "no plan within the budget
// covers more than 80 households", and plan.json's upper_bound_households
// was 80 beside an exact households_newly_covered of 80.4: the bound,
// 80.4003, was rounded to the nearest whole household, below what the plan
// itself reaches. A bound is now rounded up (plan.WholeBound): 81.
func TestPlanBoundRoundsUp(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n"+
		"V4,Bản D,,102.85,22.40,80.4\nV6,Bản F,,103.00,22.25,30.3\n")
	out := filepath.Join(t.TempDir(), "plan")
	// Bản D's site costs 3,575,566,687 đồng: the budget leaves 33,313,
	// a hundred-thousandth of Bản F's site, to the bound.
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "3.5756e9", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	var pj struct {
		Bound float64            `json:"upper_bound_households"`
		Exact map[string]float64 `json:"exact_totals"`
	}
	readJSON(t, filepath.Join(out, "plan.json"), &pj)
	if got := pj.Exact["households_newly_covered"]; math.Abs(got-80.4) > 1e-9 || pj.Exact["upper_bound_households"] < got {
		t.Fatalf("plan.json exact totals %v, want 80.4 households newly covered and a bound at least that", pj.Exact)
	}
	if pj.Bound != 81 || !strings.Contains(stdout, "no plan within the budget covers more than 81 households") {
		t.Errorf("plan.json upper_bound_households %g, want 81 (exact %g)\n%s", pj.Bound, pj.Exact["upper_bound_households"], stdout)
	}
}
