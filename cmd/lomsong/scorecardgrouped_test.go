package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A month of mobile speed tests without its twin a year before names how
// many it has with grouped digits, as the report around the reason writes
// numbers: the demo's report said "(5549 tests in 2024-10)".
func TestScorecardSpeedTestsCountGrouped(t *testing.T) {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,dl_mbps\n")
	for i := range 1200 {
		fmt.Fprintf(&b, "2026-10-%02dT08:00:00+07:00,viettel,4G,%.4f,22.40,-80,%d\n", 1+i%28, 103.31+0.00001*float64(i), 20+i%30)
	}
	dir, ds := subscriptionsDataset(t,
		"area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers,fixed_median_dl_mbps\n"+
			"12,2025-10,120000,70000,400000,300000,20000,100\n"+
			"12,2026-10,120000,72000,400000,310000,19000,150\n",
		[2]string{"measurements.csv", b.String()})
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "12", "--out", out)
	if code != exitOK {
		t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
	}
	want := "no mobile speed tests in 2025-10, the same month a year before (1,200 tests in 2026-10)"
	sp := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-10")["speed_yoy"]
	if !strings.Contains(fmt.Sprint(sp["reason"]), want) {
		t.Errorf("reason %q, want %q", sp["reason"], want)
	}
	if !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
}
