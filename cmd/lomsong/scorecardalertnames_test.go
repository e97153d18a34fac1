package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The alerts under the scorecard's table name the area beside its code,
// as the table's rows do: a country card's alerts read "2024-10 22
// regression: speed_yoy: …", and a department had to look 22 up to know
// the alert was Quảng Ninh's.
func TestScorecardAlertsNameTheArea(t *testing.T) {
	// Lai Châu's fibre falls from 58.3% to 50.0%: a regression.
	subs := `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
12,2026-09,120000,70000,400000,300000,20000
12,2026-10,120000,60000,400000,310000,19000
01,2026-09,2500000,2100000,9000000,8000000,200000
01,2026-10,2500000,2110000,9000000,8100000,190000
`
	dir, ds := subscriptionsDataset(t, subs)
	stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "card"))
	if code != exitOK {
		t.Fatalf("scorecard: exit %d\n%s\n%s", code, stdout, errs)
	}
	_, alerts, ok := strings.Cut(stdout, "\nalerts\n")
	if !ok {
		t.Fatalf("no alerts under the table:\n%s", stdout)
	}
	if !strings.Contains(alerts, "2026-10 12 Lai Châu regression: fibre: worse by 8.3 pp") {
		t.Errorf("Lai Châu's fibre regression is not named:\n%s", alerts)
	}
}
