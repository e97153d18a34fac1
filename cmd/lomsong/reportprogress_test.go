package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// lomsong report says the month's stages as it computes or reads them, as
// lomsong run does: a province's report was silent for a minute and more
// at national scale while it computed its coverage, dead zones and plan.
func TestReportShowsStageProgress(t *testing.T) {
	ds := exampleDataset(t)
	store, err := dataset.Open(ds)
	if err != nil {
		t.Fatal(err)
	}
	periods := store.Periods()
	_, errs, code := runBinary(t, "report", "--dataset", ds, "--period", periods[len(periods)-1], "--province", "12", "--out", filepath.Join(t.TempDir(), "r"))
	if code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"coverage: started", "deadzones: started", "deadzones: done in", "plan: done in"} {
		if !strings.Contains(errs, want) {
			t.Errorf("no %q on stderr:\n%s", want, errs)
		}
	}
}
