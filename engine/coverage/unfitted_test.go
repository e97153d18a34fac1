package coverage

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
)

// TestUnfit: every network of the register on the air or of the tests
// that Calibrate gave no calibration is named with its reason; fitted
// networks, and those with only down or planned sites and no tests, are
// not.
func TestUnfit(t *testing.T) {
	cfg := DefaultConfig()
	cells := testCells(t, 3)
	five := []int{-90, -91, -92, -93, -94}
	measured := []aggregate.Row{
		histRow(cells[0], engine.Viettel, engine.Tech4G, five, 0),             // fitted
		histRow(cells[0], engine.MobiFone, engine.Tech4G, []int{-90, -91}, 0), // too few tests
		histRow(cells[1], engine.MobiFone, engine.Tech4G, []int{-95}, 1),
		histRow(cells[0], engine.VinaPhone, engine.Tech3G, five, 0),    // enough tests, no prediction
		histRow(cells[2], engine.Vietnamobile, engine.Tech2G, five, 0), // no site
	}
	sites := []engine.Site{
		{SiteID: "a", Carrier: engine.Viettel, Tech: engine.Tech4G},
		{SiteID: "b", Carrier: engine.Viettel, Tech: engine.Tech3G}, // on the air, untested
		{SiteID: "c", Carrier: engine.MobiFone, Tech: engine.Tech4G},
		{SiteID: "d", Carrier: engine.VinaPhone, Tech: engine.Tech3G},
		{SiteID: "e", Carrier: engine.VinaPhone, Tech: engine.Tech2G, Status: engine.StatusDown},
		{SiteID: "f", Carrier: engine.Vietnamobile, Tech: engine.Tech2G, Status: engine.StatusPlanned},
	}
	cals := []Calibration{{Carrier: engine.Viettel, Tech: engine.Tech4G, N: 12}}
	got := Unfit(sites, measured, cals, cfg)
	want := []Unfitted{
		{Carrier: engine.MobiFone, Tech: engine.Tech4G, Reason: UnfittedFewTests, Hexes: 2, Tests: 4, MinTests: cfg.MinTests},
		{Carrier: engine.Vietnamobile, Tech: engine.Tech2G, Reason: UnfittedNoSites, Hexes: 1, Tests: 5, Enough: 1, MinTests: cfg.MinTests},
		{Carrier: engine.Viettel, Tech: engine.Tech3G, Reason: UnfittedNoTests, MinTests: cfg.MinTests},
		{Carrier: engine.VinaPhone, Tech: engine.Tech3G, Reason: UnfittedNoPrediction, Hexes: 1, Tests: 5, Enough: 1, MinTests: cfg.MinTests},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d networks, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
		if got[i].Why() == "" || got[i].Why() == got[i].Reason {
			t.Errorf("[%d] %s says no reason in words: %q", i, got[i].Reason, got[i].Why())
		}
	}
	if got := Unfit(sites[:1], measured[:1], cals, cfg); len(got) != 0 {
		t.Errorf("every network fitted: %+v", got)
	}
}

// TestUnfittedWhyCounts checks that the reasons say a count of one in the
// singular and any other count in the plural.
func TestUnfittedWhyCounts(t *testing.T) {
	for _, c := range []struct {
		u    Unfitted
		want string
	}{
		{Unfitted{Reason: UnfittedNoSites, Hexes: 1}, "tests in 1 hex but no site"},
		{Unfitted{Reason: UnfittedNoSites, Hexes: 3}, "tests in 3 hexes but no site"},
		{Unfitted{Reason: UnfittedFewTests, Tests: 1, Hexes: 1, MinTests: 5}, "1 outdoor test in 1 hex, none with the 5"},
		{Unfitted{Reason: UnfittedFewTests, Tests: 4, Hexes: 2, MinTests: 5}, "4 outdoor tests in 2 hexes, none with the 5"},
		{Unfitted{Reason: UnfittedNoPrediction, Enough: 1}, "1 hex with enough tests"},
	} {
		if got := c.u.Why(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: Why() = %q, want it to start %q", c.u, got, c.want)
		}
	}
}
