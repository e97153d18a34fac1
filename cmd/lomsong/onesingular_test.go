package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunReportValidateSayOneInTheSingular: lomsong run said "1 zones"
// and "1 sites funded", report "1 province maps" and validate "1 rejected
// rows written" where plan says "1 dead zone" and "1 site funded".
func TestRunReportValidateSayOneInTheSingular(t *testing.T) {
	// Bản D is the one dead zone, closed by one site.
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV4,Bản D,,102.85,22.40,80\n")
	stdout, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--budget", "500e9")
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, errs)
	}
	for _, want := range []string{"dead zones: 1 zone, 1 hex, 80 households;", "plan: 1 site funded, 80 households"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run's stdout lacks %q:\n%s", want, stdout)
		}
	}
	stdout, errs, code = runBinary(t, "report", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--out", filepath.Join(dir, "report"))
	if code != exitOK || !strings.Contains(stdout, ", 1 province map); open it") {
		t.Errorf("report: exit %d, stdout lacks \", 1 province map); open it\":\n%s\n%s", code, stdout, errs)
	}
	q := filepath.Join(dir, "q.csv")
	stdout, errs, code = runBinary(t, "validate", "--quarantine", q, filepath.Join(examples, "measurements_mobifone_own_layout.csv"),
		"--mapping", filepath.Join(examples, "mapping_mobifone.json"))
	if code != exitOK || !strings.Contains(stdout, "quarantine: 1 rejected row written to "+q+"\n") {
		t.Errorf("validate: exit %d, stdout lacks \"quarantine: 1 rejected row written to\":\n%s\n%s", code, stdout, errs)
	}
}
