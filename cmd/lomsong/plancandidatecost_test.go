package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCandidateCostInDong: a proposed site's cost_vnd written with the
// dot separating thousands (2.500) or in billions (2.5) was read as 2.5
// đồng, and the plan funded it first, for 3 đồng (exit 0). Such a row is
// rejected, saying how to write the cost, and the file refused (exit 3)
// with its rows in OUT/rejected/.
func TestPlanCandidateCostInDong(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV4,Bản D,,102.85,22.40,80\n")
	dir := t.TempDir()
	cands := writeFile(t, dir, "proposals.csv", []byte("candidate_id,lon,lat,cost_vnd\nQUOTE-D,102.851,22.401,2.500\n"))
	out := filepath.Join(dir, "plan")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--candidates", cands, "--out", out)
	want := "2.5 đồng is no site's cost (at least 1 million): write the cost in đồng"
	if code != exitDataRefused || !strings.Contains(errs, want) || fileExists(filepath.Join(out, "plan.csv")) ||
		!fileExists(filepath.Join(out, "rejected", "candidates.quarantine.csv")) {
		t.Errorf("exit %d (want %d, %q, no plan.csv)\nstdout: %s\nstderr: %s", code, exitDataRefused, want, stdout, errs)
	}
}
