package coverage

import (
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

// TestApplySiteOffsets: a cell gets its serving site's deviation from its
// network's mean (never the whole offset: the mean is the network fit's);
// cells of other sites, of another technology and of an empty serving site
// are unchanged.
func TestApplySiteOffsets(t *testing.T) {
	pred := []PredictedCell{
		{Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -100, ServingSite: "A"},
		{Carrier: engine.MobiFone, Tech: engine.Tech4G, SignalDBm: -100, ServingSite: "B"},
		{Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -100, ServingSite: "C"},
		{Carrier: engine.Viettel, Tech: engine.Tech3G, SignalDBm: -90, ServingSite: "A"},
		{Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -95},
	}
	offs := []predict.SiteOffset{
		{Carrier: engine.Viettel, Tech: engine.Tech4G, SiteID: "A", OffsetDB: 5, DeviationDB: 2},
		{Carrier: engine.MobiFone, Tech: engine.Tech4G, SiteID: "B", OffsetDB: 3, DeviationDB: -1},
		{Carrier: engine.Viettel, Tech: engine.Tech4G, SiteID: "", OffsetDB: 9, DeviationDB: 9},
	}
	got := ApplySiteOffsets(pred, offs)
	want := []float64{-98, -101, -100, -90, -95}
	for i, w := range want {
		if got[i].SignalDBm != w {
			t.Errorf("cell %d: %g dBm, want %g", i, got[i].SignalDBm, w)
		}
	}
	if pred[0].SignalDBm != -100 {
		t.Error("input modified")
	}
}
