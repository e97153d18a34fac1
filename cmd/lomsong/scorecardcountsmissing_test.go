package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A province whose subscriptions lack a count has the target that needs it
// unknown, the reason naming the column: "count missing" and "denominator
// is zero" did not say which count of the row was missing or zero. A
// province with smartphone subscribers and mobile subscribers of 0 has
// counts that contradict each other: its smartphone share is not judged,
// as it is not when smartphone subscribers exceed any other count of
// mobile subscribers (it was judged NOT MET at 32%).
func TestScorecardCountMissingNamesTheColumn(t *testing.T) {
	dir, ds := subscriptionsDataset(t, `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
01,2025-10,1000,100,1000,500,
04,2025-10,1000,100,,500,10
11,2025-10,1000,100,0,500,0
`)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2025-10", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	card := filepath.Join(out, "scorecard.json")
	for _, c := range []struct{ area, why string }{
		{"01", "only_2g_subscribers missing"},
		{"04", "mobile_subscribers missing"},
		{"11", "mobile_subscribers is 0 (only_2g_subscribers 0): no subscriptions to take the 2G-only share of"},
	} {
		r := scorecardTargets(t, card, c.area, "2025-10")["2g_only"]
		if r["value"] != nil || r["status"] != "unknown" || r["reason"] != c.why {
			t.Errorf("%s's 2G-only share: value %v, status %v, reason %q; want unknown: %q", c.area, r["value"], r["status"], r["reason"], c.why)
		}
		if !strings.Contains(stdout, c.why) {
			t.Errorf("the table's notes do not give %q:\n%s", c.why, stdout)
		}
	}
	sm := scorecardTargets(t, card, "11", "2025-10")["smartphone"]
	if sm["status"] != "unknown" || !strings.Contains(sm["reason"].(string), "smartphone subscribers 500 above mobile subscribers 0") {
		t.Errorf("Điện Biên's smartphone share with 0 mobile subscribers: value %v, status %v, reason %q; want unknown, the counts contradicting each other", sm["value"], sm["status"], sm["reason"])
	}
}
