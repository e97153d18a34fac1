package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// A month before the merger of 1 July 2025 written on the 63 provinces of
// 2019 is summed onto the 34 of 2025: Hà Giang (02) and the old Tuyên
// Quang (08) make the new Tuyên Quang (08). Before, 02's rows were left
// out as "its rows are Tuyên Quang's since then" and 08's May figures were
// the old Tuyên Quang's alone, a year-on-year comparison across the merger
// comparing half a province with the whole.
func TestScorecardSumsPreMergerMonthsOntoTheProvinces(t *testing.T) {
	dir, ds := subscriptionsDataset(t, `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
02,2025-05,200000,100000,600000,400000,40000
08,2025-05,220000,150000,700000,500000,30000
08,2026-05,430000,300000,1400000,1000000,50000
`)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-05", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	if !strings.Contains(errs, "note: 2025-05: the subscriptions name provinces before the merger of 1 July 2025") ||
		!strings.Contains(errs, "2 rows of 2 areas summed onto 1 area of") || strings.Contains(errs, "left out") {
		t.Errorf("stderr does not say the month was summed onto the 2025 provinces:\n%s", errs)
	}
	may := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "08", "2025-05")["fibre"]
	v, ok := may["value"].(float64)
	if want := 250000.0 / 420000; !ok || math.Abs(v-want) > 1e-9 {
		t.Errorf("Tuyên Quang's fibre share of 2025-05 = %v, want %v (Hà Giang's and the old Tuyên Quang's households together)", may["value"], want)
	}
}
