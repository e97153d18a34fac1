package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCandidateOutsideModels: the contract takes a proposed site's
// height_m from 1 to 600 m and band_mhz to 100,000 MHz, the propagation
// models 10–300 m and up to 30,000 MHz. One 5 m rooftop proposal stopped
// the whole plan ("okumura-hata: base-station height 5 m outside 10–300
// m", exit 1, nothing written). It is planned at the nearer bound, as a
// registered site is, and said; validate counts it.
func TestPlanCandidateOutsideModels(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV4,Bản D,,102.85,22.40,80\n")
	dir := t.TempDir()
	cands := writeFile(t, dir, "proposals.csv", []byte("candidate_id,lon,lat,tech,band_mhz,height_m\nROOF-D,102.851,22.401,4G,900,5\nTALL-D,102.852,22.402,5G,100000,600\n"))
	out := filepath.Join(dir, "plan")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--candidates", cands, "--out", out)
	want := "of 2 accepted rows, 2 with height_m outside the propagation models' 10–300 m and 1 with band_mhz outside their range"
	if code != exitOK || !strings.Contains(errs, want) || !fileExists(filepath.Join(out, "plan.csv")) {
		t.Fatalf("exit %d (want 0, %q, plan.csv)\nstdout: %s\nstderr: %s", code, want, stdout, errs)
	}
	rows := csvRows(t, filepath.Join(out, "candidates.csv"))
	found := 0
	for _, r := range rows[1:] {
		if r[0] == "ROOF-D" || r[0] == "TALL-D" {
			found++
		}
	}
	if found != 2 {
		t.Errorf("candidates.csv lists %d of the 2 proposals:\n%v", found, rows)
	}
	stdout, errs, code = runBinary(t, "validate", "--kind", "candidates", cands)
	for _, w := range []string{"2 candidate rows with height_m outside the propagation models' 10–300 m: kept", "1 candidate row with band_mhz outside"} {
		if code != exitOK || !strings.Contains(stdout, w) {
			t.Errorf("validate: exit %d, want %q in\n%s%s", code, w, stdout, errs)
		}
	}
}
