package export

import (
	"testing"

	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/population"
)

// A dead zone's villages counted as served on an uncertain verdict are
// counted apart in the deadzones layer (villages_uncertain), as
// communes_summary and the villages layer tell them: villages_served alone
// called a village of p_dead 0.45 served beside the villages layer's
// "uncertain".
func TestZoneVillagesUncertain(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	v := func(id string, l deadzone.Level, p float64) deadzone.VillageStatus {
		return deadzone.VillageStatus{Village: deadzone.Village{ID: id, Households: 10}, Cell: a, Province: "12", Commune: "12001",
			Level: l, HasVerdict: true, Verdict: deadzone.Verdict{PDead: p}}
	}
	dz := &pipeline.DeadZoneResult{
		Coverage:   &pipeline.CoverageResult{},
		Population: []population.Cell{{Cell: a, Households: 40}},
		Admin:      map[hexgrid.Cell]deadzone.Admin{a: {Province: "12", Commune: "12001"}},
		Zones: []deadzone.Zone{{ID: "DZ-" + a.String(), Cells: []hexgrid.Cell{a}, Households: 10, CellHouseholds: []float64{10},
			Villages: []string{"V1", "V2", "V3", "V4"}, Served: []string{"V2", "V3", "V4"}}},
		PDead: map[hexgrid.Cell]float64{a: 0.5},
		Villages: deadzone.VillageReport{Villages: []deadzone.VillageStatus{
			v("V1", deadzone.NoSignal, 0.9), v("V2", deadzone.Covered, 0.45), v("V3", deadzone.Covered, 0.01), v("V4", deadzone.Covered, 0.25)}},
	}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if z := m.Zones[0]; z.VillagesServed != 3 || z.VillagesUncertain != 2 {
		t.Errorf("zone: %d served, %d of them uncertain; want 3, 2", z.VillagesServed, z.VillagesUncertain)
	}
	layers, err := Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, l := range layers {
		if l.Name != "deadzones" {
			continue
		}
		for _, f := range l.Fields {
			if f.Name == "villages_served" || f.Name == "villages_uncertain" {
				got[f.Name] = f.Ints[0]
			}
		}
	}
	if got["villages_served"] != 3 || got["villages_uncertain"] != 2 {
		t.Errorf("deadzones layer: %v, want villages_served 3, villages_uncertain 2", got)
	}
}
