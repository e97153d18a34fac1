package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Each target's interval says what it is, in scorecard.json
// (interval, confidence, method), scorecard.csv (t_interval,
// t_confidence) and under the table: the card showed [lower, upper] for
// a 95% Wilson interval, a 90% beta posterior, a bootstrap and a
// sensitivity range over SIMs per user (no confidence interval at all)
// alike, and neither file said which.
func TestScorecardSaysWhatItsIntervalsAre(t *testing.T) {
	dir, ds := subscriptionsDataset(t, testSubscriptions)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "12", "--out", out)
	if code != exitOK {
		t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
	}
	tg := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-10")
	for _, c := range []struct {
		target, interval string
		confidence       any
		method           string
	}{
		{"smartphone", "sensitivity", nil, "household model"},
		{"fibre", "exact", nil, "administrative counts"},
		{"2g_only", "wilson", 0.95, "only-2G subscribers / mobile subscribers"},
		{"dead_zones", "none", nil, ""},
		{"speed_yoy", "none", nil, ""},
	} {
		x := tg[c.target]
		m, _ := x["method"].(string)
		if x["interval"] != c.interval || x["confidence"] != c.confidence || !strings.Contains(m, c.method) {
			t.Errorf("%s: interval %v, confidence %v, method %q; want %s, %v, %q", c.target, x["interval"], x["confidence"], m, c.interval, c.confidence, c.method)
		}
	}
	rows := csvRows(t, filepath.Join(out, "scorecard.csv"))
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("scorecard.csv has no column %s: %v", name, rows[0])
		}
		return i
	}
	for _, r := range rows[1:] {
		if r[0] == "12" && r[1] == "2026-10" {
			if r[col("2g_only_interval")] != "wilson" || r[col("2g_only_confidence")] != "0.95" ||
				r[col("smartphone_interval")] != "sensitivity" || r[col("smartphone_confidence")] != "" {
				t.Errorf("scorecard.csv row: %v", r)
			}
		}
	}
	// The legend names what the cells show (no ✓ or ✗ is drawn).
	if legend, _, _ := strings.Cut(stdout, "\n"); strings.ContainsAny(legend, "✓✗") || !strings.Contains(legend, "NOT MET") {
		t.Errorf("legend %q: the cells read met, NOT MET, ? unknown", legend)
	}
	for _, want := range []string{"intervals [lower, upper] shown",
		"2 smartphone: sensitivity range over a model parameter's plausible values (not a confidence interval) (1 row)",
		"3 fibre: exact: administrative counts or reported figures, no sample to give an interval (1 row)",
		"4 2g_only: 95% Wilson score interval (binomial counts) (1 row)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "scorecard.json")); err != nil {
		t.Fatal(err)
	}
}
