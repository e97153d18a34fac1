package pipeline

import (
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/plan"
)

func TestCandidatesOf(t *testing.T) {
	nan := math.NaN()
	got := CandidatesOf([]ingest.Candidate{
		{ID: "P1", Lon: 103.3, Lat: 22.4, Tech: engine.Tech4G, BandMHz: 900, HeightM: nan, CostVND: 2e9},
		{ID: "P2", Lon: 103.4, Lat: 22.5, BandMHz: nan, HeightM: 45, CostVND: nan},
	})
	if len(got) != 2 || got[0].ID != "P1" || got[0].Tech != engine.Tech4G || got[0].BandMHz != 900 || got[0].HeightM != 0 || got[0].CostVND != 2e9 ||
		got[1].Tech != 0 || got[1].BandMHz != 0 || got[1].HeightM != 45 || got[1].CostVND != 0 || got[1].Source != plan.SourceProposed {
		t.Fatalf("%+v", got)
	}
	// Distances to the grid, fibre and the nearest site stay unknown (NaN)
	// until the plan measures them.
	if !math.IsNaN(got[0].SiteKm) || !math.IsNaN(got[0].FibreKm) || !math.IsNaN(got[0].GridKm) {
		t.Fatalf("distances %+v", got[0])
	}
}
