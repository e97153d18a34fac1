package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// A province without a subscriptions row in the month scored, whose speed
// tests show its mobile download speed down by a third on the same month a
// year before, has that change on the card: below the goal it decides
// target 5 (not met) without the fixed half, as for every other province.
// Before, the row every province gets said "no data for the area" for
// target 5 too and left it unknown, 80 speed tests in Lai Châu unused.
func TestScorecardSpeedOfAProvinceWithoutSubscriptions(t *testing.T) {
	dir, ds := speedWithoutSubscriptionsDataset(t)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2025-10", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	sp := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2025-10")["speed_yoy"]
	v, ok := sp["value"].(float64)
	if want := 22.0/32 - 1; !ok || math.Abs(v-want) > 1e-9 || sp["status"] != "not_met" {
		t.Errorf("Lai Châu's speed change: value %v, status %v, reason %v; want %v, not met (mobile alone, below the goal)", sp["value"], sp["status"], sp["reason"], want)
	}
	if fx := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2025-10")["fibre"]; fx["status"] != "unknown" ||
		!strings.Contains(fmt.Sprint(fx["reason"]), "no subscription row") {
		t.Errorf("Lai Châu's fibre share: %v %v, want unknown, no subscription row", fx["status"], fx["reason"])
	}
	if !strings.Contains(stdout, "12 Lai Châu") || !strings.Contains(stdout, "-31.3% [") {
		t.Errorf("the table does not show Lai Châu's speed change -31.3%% (−31.25%%, rounded half away from zero):\n%s", stdout)
	}
}

// speedWithoutSubscriptionsDataset is a dataset of 40 Viettel 4G speed tests
// in Lai Châu in each of 2024-10 and 2025-10 (speeds base..base+4, 8 tests
// each: medians 32 and 22 Mbit/s) and one subscriptions row, Hà Nội's of
// 2025-10; it returns its folder and the dataset.
func speedWithoutSubscriptionsDataset(t *testing.T) (dir, ds string) {
	t.Helper()
	var m strings.Builder
	m.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,dl_mbps\n")
	for _, month := range []struct {
		period string
		base   int
	}{{"2024-10", 30}, {"2025-10", 20}} {
		for i := range 40 {
			fmt.Fprintf(&m, "%s-%02dT10:00:00+07:00,viettel,4G,%.4f,22.4000,-90,ok,%d\n", month.period, 1+i%9, 103.17+0.001*float64(i), month.base+i%5)
		}
	}
	return subscriptionsDataset(t, `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
01,2025-10,1000,500,3000,2000,20
`, [2]string{"measurements.csv", m.String()})
}
