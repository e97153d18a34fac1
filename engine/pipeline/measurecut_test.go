package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A measure output cut short after the run (not deleted) is said to be
// so, not "missing": the summary read "its saved output was missing"
// over a file still there.
func TestRunSaysAMeasureOutputCutShort(t *testing.T) {
	ctx, s, opt, _ := firstRun(t)
	outs, _ := filepath.Glob(filepath.Join(s.Dir(), "stages", "period=2026-10", "measure", "carrier=viettel", "*", "output.gob"))
	if len(outs) != 1 {
		t.Fatalf("saved outputs: %v", outs)
	}
	if err := os.Truncate(outs[0], 64); err != nil {
		t.Fatal(err)
	}
	why := func(sum *RunSummary) string {
		for _, st := range sum.Stages {
			if st.Stage == StageMeasure && st.Carrier == "viettel" {
				return st.Why
			}
		}
		return ""
	}
	ro := opt
	ro.ReadOnly = true
	seen, err := Run(ctx, s, ro)
	if err != nil {
		t.Fatal(err)
	}
	if w := why(seen); !strings.Contains(w, "missing or not its recorded size") {
		t.Errorf("read-only: %q", w)
	}
	again, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if w := why(again); !strings.Contains(w, "its saved output was missing or not its recorded size") {
		t.Errorf("the month's run: %q", w)
	}
}
