package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanSaysWhatTheCheapestOptionCosts: a budget below every option's
// cost said "no option fits within the budget: raise --budget", and
// "0 households newly covered for 0 VND (- VND per household)": by how
// much to raise it was left to a search of the files. It names the
// cheapest option and its cost, and says no cost per household of none.
func TestPlanSaysWhatTheCheapestOptionCosts(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n"+
		"V4,Bản D,,102.85,22.40,80\nV6,Bản F,,103.00,22.25,30\n")
	dir := t.TempDir()
	cands := writeFile(t, dir, "proposals.csv", []byte("candidate_id,lon,lat,cost_vnd\nQUOTE-D,102.851,22.401,2500000000\n"))
	out := filepath.Join(dir, "plan")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "1e9", "--candidates", cands, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	want := "no option fits within the budget of 1.00bn VND: the cheapest, QUOTE-D, costs 2.50bn VND; raise --budget"
	if !strings.Contains(stdout, want) || !strings.Contains(stdout, "budget 1.00bn VND: 0 sites funded, 0 households newly covered for 0 VND\n") {
		t.Errorf("stdout lacks %q or says a cost per household of none:\n%s", want, stdout)
	}
}

// A budget one đồng short of the cheapest option was said as "the budget
// of 2.50bn VND: the cheapest ... costs 2.50bn VND": the two in whole đồng
// when they round to one figure.
func TestPlanCheapestOptionOneDongShort(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV4,Bản D,,102.85,22.40,80\n")
	dir := t.TempDir()
	cands := writeFile(t, dir, "proposals.csv", []byte("candidate_id,lon,lat,cost_vnd\nQUOTE-D,102.851,22.401,2500000000\n"))
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "2499999999", "--candidates", cands, "--out", filepath.Join(dir, "plan"))
	want := "no option fits within the budget of 2499999999 VND: the cheapest, QUOTE-D, costs 2500000000 VND"
	if code != exitOK || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, want %q in\n%s%s", code, want, stdout, errs)
	}
}
