package main

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/scorecard"
)

// scorecard --help says what every column of scorecard.csv holds: its
// 60 columns (dead_zones_status_bound, 2g_only_change, ...) were
// explained nowhere a department reading the file would look.
func TestScorecardHelpNamesEveryColumn(t *testing.T) {
	stdout, errs, code := runCmd(t, "scorecard", "--help")
	if code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	help := stdout + errs
	// The dataset the card reads is above all its subscriptions.
	if !strings.Contains(help, "dataset directory (subscriptions;") {
		t.Errorf("--dataset does not say the subscriptions are read:\n%s", help)
	}
	for _, col := range scorecard.CSVHeader() {
		name := col
		for _, tg := range scorecard.Targets {
			if rest, ok := strings.CutPrefix(col, tg.String()+"_"); ok {
				name = "TARGET_" + rest
				if !strings.Contains(help, tg.String()+",") && !strings.Contains(help, tg.String()+")") {
					t.Errorf("--help does not name target %s", tg)
				}
			}
		}
		if !strings.Contains(help, name) {
			t.Errorf("--help does not explain column %s (as %s)", col, name)
		}
	}
}
