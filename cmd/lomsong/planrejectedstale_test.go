package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPlanClearsStaleRejected: a refused lomsong plan (its candidates
// table over the share of rejected rows) lists the rejected rows in
// OUT/rejected/; a later plan into the same --out that succeeds removes
// them, so the folder holds only the outputs of the run that wrote it
// (the refused run's rejected/ stayed beside the new plan).
func TestPlanClearsStaleRejected(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV4,Bản D,,102.85,22.40,80\n")
	bad := writeFile(t, dir, "bad.csv", []byte("candidate_id,lon,lat\nNEAR-1,102.86,22.40\nBAD-1,abc,22.40\n"))
	good := writeFile(t, dir, "good.csv", []byte("candidate_id,lon,lat\nNEAR-1,102.86,22.40\n"))
	out := filepath.Join(dir, "out")
	rejected := filepath.Join(out, "rejected")
	if _, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--candidates", bad, "--out", out); code != exitDataRefused {
		t.Fatalf("plan with a refused candidates table: exit %d, want %d\n%s", code, exitDataRefused, errs)
	}
	if _, err := os.Stat(filepath.Join(rejected, "candidates.quarantine.csv")); err != nil {
		t.Fatalf("the refused table's rejected rows: %v", err)
	}
	for _, cands := range []string{good, ""} {
		args := []string{"plan", "--dataset", ds, "--budget", "500e9", "--out", out}
		if cands != "" {
			args = append(args, "--candidates", cands)
		}
		if _, errs, code := runBinary(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, errs)
		}
		if _, err := os.Lstat(rejected); !os.IsNotExist(err) {
			entries, _ := os.ReadDir(rejected)
			t.Errorf("%v: %s still there after a successful run (%v): %v", args, rejected, err, entries)
		}
		if _, err := os.Stat(filepath.Join(out, "plan.json")); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		// Refused again before the run without --candidates.
		if _, _, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--candidates", bad, "--out", out); code != exitDataRefused {
			t.Fatalf("plan with a refused candidates table again: exit %d", code)
		}
	}
	// A user's own file in rejected/ keeps the folder; the rejected rows
	// of the refused run go.
	own := writeFile(t, rejected, "notes.txt", []byte("mine\n"))
	if _, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--out", out); code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("a file lomsong did not write in rejected/: %v", err)
	}
	if _, err := os.Stat(filepath.Join(rejected, "candidates.quarantine.csv")); !os.IsNotExist(err) {
		t.Errorf("the refused run's rejected rows still there: %v", err)
	}
}

// TestDeadzonesClearsStaleRejected: as plan's candidates, a refused claims
// table's rejected rows in OUT/rejected/ go when a later lomsong
// deadzones into the same --out succeeds.
func TestDeadzonesClearsStaleRejected(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV4,Bản D,,102.85,22.40,80\n")
	claims := writeFile(t, dir, "claims.csv", []byte("cell,carrier,tech\nnot-a-cell,viettel,4G\n"))
	out := filepath.Join(dir, "out")
	rejected := filepath.Join(out, "rejected")
	if _, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--claims", claims, "--out", out); code != exitDataRefused {
		t.Fatalf("deadzones with a refused claims table: exit %d, want %d\n%s", code, exitDataRefused, errs)
	}
	if _, err := os.Stat(filepath.Join(rejected, "claims.quarantine.csv")); err != nil {
		t.Fatalf("the refused table's rejected rows: %v", err)
	}
	if _, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", out); code != exitOK {
		t.Fatalf("deadzones: exit %d\n%s", code, errs)
	}
	if _, err := os.Lstat(rejected); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(rejected)
		t.Errorf("%s still there after a successful run (%v): %v", rejected, err, entries)
	}
}
