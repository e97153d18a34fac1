package pipeline

import (
	"math"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/penetration"
)

// TestDefaultScorecardOptionsProjection: the census projection follows the
// boundaries, the 63 provinces of 2019 or the 34 of 2025 (also when the
// boundaries are not named), and other areas get none.
func TestDefaultScorecardOptionsProjection(t *testing.T) {
	for _, tc := range []struct {
		boundaries string
		areas      int
	}{{"provinces2019", 63}, {"provinces2025", 34}, {"", 34}, {"communes.geojson", 0}} {
		opt := DefaultScorecardOptions(nil, tc.boundaries, 7)
		if opt.Projection == nil || len(opt.Projection.Base) != tc.areas {
			t.Errorf("%q: projection of %d areas, want %d", tc.boundaries, len(opt.Projection.Base), tc.areas)
		}
		if opt.Seed != 7 || opt.DeadZones == nil || opt.DeadZonesMissing == nil || opt.Model != penetration.DefaultSmartphoneModel() {
			t.Errorf("%q: %+v", tc.boundaries, opt)
		}
	}
}

// Target 5's fixed half: the year-on-year change of the subscriptions'
// reported median fixed speed, where the month and the same month a year
// before both report one (it was never given, so the target was unknown
// everywhere, whatever the data).
func TestFixedSpeedChanges(t *testing.T) {
	p := func(y int, m time.Month) penetration.Period { return penetration.Period{Year: y, Month: m} }
	nan := math.NaN()
	by := map[penetration.Period][]penetration.Subscription{
		p(2023, 10): {{AreaCode: "12", FixedMedianDLMbps: 100}, {AreaCode: "14", FixedMedianDLMbps: nan}},
		p(2024, 10): {{AreaCode: "12", FixedMedianDLMbps: 135}, {AreaCode: "14", FixedMedianDLMbps: 90}, {AreaCode: "15", FixedMedianDLMbps: nan}},
	}
	got := fixedSpeedChanges(by)
	if e := got[p(2024, 10)]["12"]; e == nil || math.Abs(e.Value-0.35) > 1e-12 {
		t.Fatalf("12: %+v", e)
	}
	if e := got[p(2024, 10)]["14"]; e == nil || e.Known() || len(e.Issues) == 0 {
		t.Fatalf("14 (no median a year before): %+v", e)
	}
	if e := got[p(2024, 10)]["15"]; e != nil {
		t.Fatalf("15 (no median reported): %+v", e)
	}
	if e := got[p(2023, 10)]["12"]; e == nil || e.Known() {
		t.Fatalf("12 in 2023-10 (no 2022-10): %+v", e)
	}
}
