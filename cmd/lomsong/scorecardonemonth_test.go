package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Mobile speed tests in one of the two months compared leave target 5
// unknown (never a change of 0 or a pass), and the reason names the month
// without them: the card said "no mobile download speeds for 2026-10 and a
// year before" whichever month it was, and with neither month measured it
// left out that the fixed half was missing too. A note on a figure shown
// (the fixed half alone below the goal) says the mobile half's reason once.
func TestScorecardSpeedsOfOneMonth(t *testing.T) {
	measurements := func(month string) []byte {
		var b strings.Builder
		b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,dl_mbps\n")
		for i := range 20 {
			fmt.Fprintf(&b, "%s-%02dT08:00:00+07:00,viettel,4G,%.4f,22.40,-80,%d\n", month, 1+i, 103.31+0.0005*float64(i), 20+i)
		}
		return []byte(b.String())
	}
	for _, c := range []struct {
		name      string
		fixedNow  string // fixed_median_dl_mbps of 2026-10 (100 in 2025-10)
		fixedYear string // fixed_median_dl_mbps of 2025-10
		month     string // the month with speed tests, "" for none
		status    string
		want      string
		wantOnce  string // said exactly once in stdout ("" for no check)
	}{
		{"tests this month only", "150", "100", "2026-10", "unknown",
			"no mobile speed tests in 2025-10, the same month a year before (20 tests in 2026-10)", ""},
		{"tests a year before only", "150", "100", "2025-10", "unknown",
			"no mobile speed tests in 2026-10 (20 tests in 2025-10, the same month a year before)", ""},
		{"neither month, fixed of one month", "150", "", "", "unknown",
			"no mobile speed tests in 2026-10 nor in 2025-10, the same month a year before; no fixed download speed reported for 2025-10, the same month a year before", ""},
		{"fixed of the year before only", "", "100", "", "unknown",
			"no mobile speed tests in 2026-10 nor in 2025-10, the same month a year before; no fixed download speed reported for 2026-10 (100 Mbit/s reported for 2025-10, the same month a year before", ""},
		{"fixed below the goal decides", "110", "100", "2025-10", "not_met",
			"mobile speeds unknown (no mobile speed tests in 2026-10 (20 tests in 2025-10, the same month a year before)): the other half alone is below the goal",
			"no mobile speed tests in 2026-10"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var files [][2]string
			if c.month != "" {
				files = append(files, [2]string{"measurements.csv", string(measurements(c.month))})
			}
			dir, ds := subscriptionsDataset(t,
				"area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers,fixed_median_dl_mbps\n"+
					"12,2025-10,120000,70000,400000,300000,20000,"+c.fixedYear+"\n"+
					"12,2026-10,120000,72000,400000,310000,19000,"+c.fixedNow+"\n",
				files...)
			out := filepath.Join(dir, "card")
			stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "12", "--out", out)
			if code != exitOK {
				t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
			}
			sp := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-10")["speed_yoy"]
			if sp["status"] != c.status {
				t.Errorf("status %v, want %s: %v", sp["status"], c.status, sp)
			}
			if c.status == "unknown" && (sp["value"] != nil || !strings.Contains(fmt.Sprint(sp["reason"]), c.want)) {
				t.Errorf("value %v, reason %q; want no value and a reason with %q", sp["value"], sp["reason"], c.want)
			}
			if !strings.Contains(stdout, c.want) {
				t.Errorf("stdout lacks %q:\n%s", c.want, stdout)
			}
			if c.status == "not_met" && !strings.Contains(stdout, "5 speed_yoy: "+"exact: administrative counts or reported figures, no sample to give an interval") {
				t.Errorf("stdout does not say the fixed change is exact as reported:\n%s", stdout)
			}
			if c.wantOnce != "" && strings.Count(stdout, c.wantOnce) != 1 {
				t.Errorf("stdout says %q %d times, want once:\n%s", c.wantOnce, strings.Count(stdout, c.wantOnce), stdout)
			}
			if _, err := os.Stat(filepath.Join(out, "scorecard.csv")); err != nil {
				t.Error(err)
			}
		})
	}
}
