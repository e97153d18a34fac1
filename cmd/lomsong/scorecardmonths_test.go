package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestScorecardSaysHowManyMonthsItWrote: the card of a dataset with one
// month says it wrote 1 month, not "all 1 periods".
func TestScorecardSaysHowManyMonthsItWrote(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "villages.csv"), filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	out, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "sc"))
	if code != exitOK {
		t.Fatalf("scorecard: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "scorecard.json (1 month)\n") || strings.Contains(out, "periods") {
		t.Errorf("scorecard of one month: want its last line to end \"scorecard.json (1 month)\"; stdout:\n%s", out)
	}
}
