package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lomsong run computes and saves every stage once; a second run reads them
// all back without a pass over the measurements; deadzones then reads the
// saved outputs; a month without measurements is refused (exit 3); the
// saved outputs pass dataset verify.
func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"), 0o644)
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code)
	}
	stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--budget", "50e9", "--out", filepath.Join(dir, "out"))
	if code != exitOK || !strings.Contains(stdout, "1 pass(es) over 400 measurement rows") || !strings.Contains(stdout, "0 of 5 stages read back") ||
		!strings.Contains(errs, "measure viettel: started (400 rows)") || !strings.Contains(errs, "deadzones: done in") {
		t.Fatalf("first run: %d\n%s\n%s", code, stdout, errs)
	}
	for _, f := range []string{"deadzones/villages.csv", "plan/plan.csv"} {
		if !fileExists(filepath.Join(dir, "out", f)) {
			t.Errorf("missing %s", f)
		}
	}
	stdout, errs, code = runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--budget", "50e9")
	if code != exitOK || !strings.Contains(stdout, "0 pass(es) over 0 measurement rows") || !strings.Contains(stdout, "4 of 4 stages read back") {
		t.Fatalf("second run: %d\n%s\n%s", code, stdout, errs)
	}
	// deadzones with the run's options reads the saved outputs.
	stdout, errs, code = runCmd(t, "deadzones", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "dz"))
	if code != exitOK {
		t.Fatalf("deadzones: %d\n%s\n%s", code, stdout, errs)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "out", "deadzones", "villages.csv"))
	b, _ := os.ReadFile(filepath.Join(dir, "dz", "villages.csv"))
	if len(a) == 0 || string(a) != string(b) {
		t.Fatalf("run's villages.csv and deadzones' differ:\n%s\n%s", a, b)
	}
	stdout, errs, code = runCmd(t, "plan", "--dataset", ds, "--period", "2026-10", "--budget", "50e9", "--out", filepath.Join(dir, "plan"))
	a, _ = os.ReadFile(filepath.Join(dir, "out", "plan", "plan.csv"))
	b, _ = os.ReadFile(filepath.Join(dir, "plan", "plan.csv"))
	if code != exitOK || len(a) == 0 || string(a) != string(b) {
		t.Fatalf("plan: %d %s\nrun's plan.csv and plan's differ:\n%s\n%s", code, errs, a, b)
	}
	stdout, errs, code = runCmd(t, "run", "--dataset", ds, "--period", "2026-11")
	if code != exitDataRefused || !strings.Contains(errs, "no measurements in period 2026-11") || !strings.Contains(errs, "2026-10") {
		t.Fatalf("empty month: %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code = runCmd(t, "dataset", "verify", ds)
	if code != exitOK || !strings.Contains(stdout, "saved stage outputs verified") {
		t.Fatalf("verify: %d\n%s\n%s", code, stdout, errs)
	}
	stdout, _, code = runCmd(t, "run", "--help")
	if code != exitOK || !strings.Contains(stdout, "The monthly run") || !strings.Contains(stdout, "--period") {
		t.Fatalf("help: %d\n%s", code, stdout)
	}
}
