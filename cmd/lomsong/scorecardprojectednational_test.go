package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/geodata"
)

// Subscriptions of every province without household counts score each
// province against the census projection, and the national shares weigh
// them by those same projected households: the national fibre and
// smartphone shares were unknown ("area 01 has no household count to
// weigh its share by"), though every province's share was known.
func TestScorecardNationalFromProjectedHouseholds(t *testing.T) {
	var b strings.Builder
	b.WriteString("area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers\n")
	proj := penetration.Census2025Projection()
	p := penetration.Period{Year: 2024, Month: 10}
	var fibre, households float64
	for _, c := range geodata.Census2025() {
		f := math.Round(0.6 * float64(c.Households))
		fmt.Fprintf(&b, "%s,2024-10,,%.0f,%d,%d,%d\n", c.Code, f, 4*c.Households, 3*c.Households, c.Households/5)
		h, _, _, ok := proj.Households(c.Code, p)
		if !ok {
			t.Fatalf("no census base for %s", c.Code)
		}
		fibre += f
		households += h
	}
	dir, ds := subscriptionsDataset(t, b.String())
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2024-10", "--out", out)
	if code != exitOK {
		t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
	}
	tg := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "VN", "2024-10")
	f := tg["fibre"]
	v, _ := f["value"].(float64)
	if f["status"] != "not_met" || math.Abs(v-fibre/households) > 1e-9 || f["households_projected"] != true {
		t.Errorf("national fibre %v, want not_met at %.6f (fibre households / projected households), projected", f, fibre/households)
	}
	if s := tg["smartphone"]; s["status"] == "unknown" || s["value"] == nil {
		t.Errorf("national smartphone %v, want a figure", s)
	}
	if strings.Contains(stdout, "no household count to weigh its share by") {
		t.Errorf("stdout:\n%s", stdout)
	}
}
