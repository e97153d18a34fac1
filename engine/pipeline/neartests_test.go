package pipeline

import (
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A carrier is predicted only when the radio map holds no observation of
// any of its technologies, whatever its tests elsewhere; sites down do not
// count.
func TestPredictedOnly(t *testing.T) {
	sites := []engine.Site{
		{SiteID: "a", Carrier: engine.Viettel, Status: engine.StatusActive},
		{SiteID: "b", Carrier: engine.MobiFone, Status: engine.StatusActive},
		{SiteID: "c", Carrier: engine.VinaPhone, Status: engine.StatusActive},
		{SiteID: "d", Carrier: engine.Vietnamobile, Status: engine.StatusDown},
	}
	r := &DeadZoneResult{Coverage: &CoverageResult{Sites: sites}, RadioMap: RadioMapReport{Keys: []string{"viettel/3G", "vinaphone/4G"}}}
	if got, want := r.PredictedOnly(), []engine.Carrier{engine.MobiFone}; !slices.Equal(got, want) {
		t.Fatalf("predicted only: %v, want %v", got, want)
	}
	r.RadioMap.Keys = nil
	if got, want := r.PredictedOnly(), []engine.Carrier{engine.MobiFone, engine.Viettel, engine.VinaPhone}; !slices.Equal(got, want) {
		t.Fatalf("no observation: %v, want %v", got, want)
	}
	if got := (&DeadZoneResult{}).PredictedOnly(); got != nil {
		t.Fatalf("without the coverage: %v", got)
	}
}
