package export

import (
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/population"
)

// A hex of a dead zone is never "covered" in coverage_best, whatever the
// coverage stage predicted: the verdict from the tests wins (state
// uncovered, no carrier serving). A hex outside every zone keeps the
// coverage stage's state.
func TestBestHexFollowsDeadZones(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	b, _ := hexgrid.Index(103.40, 22.40, 8)
	st := func(c hexgrid.Cell, carrier engine.Carrier, tech engine.Tech, l coverage.Level) coverage.State {
		return coverage.State{Cell: c, Carrier: carrier, Tech: tech, State: l, Source: coverage.Predicted}
	}
	dz := &pipeline.DeadZoneResult{
		Coverage: &pipeline.CoverageResult{States: []coverage.State{
			st(a, engine.Viettel, engine.Tech4G, coverage.Covered), st(a, engine.MobiFone, engine.Tech2G, coverage.Covered),
			st(b, engine.Viettel, engine.Tech4G, coverage.Covered),
		}},
		Population: []population.Cell{{Cell: a, Households: 70}, {Cell: b, Households: 30}},
		Zones:      []deadzone.Zone{{ID: "DZ-" + a.String(), Cells: []hexgrid.Cell{a}, Households: 70, CellHouseholds: []float64{70}}},
		PDead:      map[hexgrid.Cell]float64{a: 0.91, b: 0.02},
	}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Best) != 2 {
		t.Fatalf("%d best rows", len(m.Best))
	}
	for _, h := range m.Best {
		switch h.Cell {
		case a:
			if h.State != "uncovered" || h.Carriers != "" || h.Carrier != "" || h.Tech != "" || !h.Dead || !h.Has2G {
				t.Errorf("dead hex: %+v, want uncovered, no carrier, dead, 2G kept", h)
			}
		case b:
			if h.State != "covered" || h.Carriers != "viettel" || h.Dead {
				t.Errorf("served hex: %+v, want covered by viettel", h)
			}
		}
	}
}

// The zones, the hexes layer and communes_summary count a zone's
// households without 3G/4G (Zone.CellHouseholds), not every household of
// its hexes; communes_summary counts the villages counted as served on an
// uncertain verdict apart, and the villages layer calls them uncertain.
func TestCommuneSummaryDeadAndUncertain(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	vs := []deadzone.VillageStatus{
		{Village: deadzone.Village{ID: "V1", Households: 40}, Cell: a, Province: "12", Commune: "12001", Level: deadzone.NoSignal,
			HasVerdict: true, Verdict: deadzone.Verdict{PDead: 0.9}},
		{Village: deadzone.Village{ID: "V2", Households: 30}, Cell: a, Province: "12", Commune: "12001", Level: deadzone.Covered,
			HasVerdict: true, Verdict: deadzone.Verdict{PDead: 0.45}},
		{Village: deadzone.Village{ID: "V3", Households: 20}, Cell: a, Province: "12", Commune: "12001", Level: deadzone.Covered,
			HasVerdict: true, Verdict: deadzone.Verdict{PDead: 0.01}},
		{Village: deadzone.Village{ID: "V4", Households: 10}, Province: "12", Level: deadzone.Covered,
			HasVerdict: true, Verdict: deadzone.Verdict{PDead: 0.3}},
	}
	dz := &pipeline.DeadZoneResult{
		Coverage:   &pipeline.CoverageResult{},
		Population: []population.Cell{{Cell: a, Households: 90}},
		Admin:      map[hexgrid.Cell]deadzone.Admin{a: {Province: "12", Commune: "12001"}},
		Zones: []deadzone.Zone{{ID: "DZ-" + a.String(), Cells: []hexgrid.Cell{a}, Households: 40, CellHouseholds: []float64{40},
			Villages: []string{"V1", "V2", "V3"}, Served: []string{"V2", "V3"}}},
		PDead: map[hexgrid.Cell]float64{a: 0.57},
		Villages: deadzone.VillageReport{Villages: vs, ByCommune: []deadzone.VillageCount{
			{Code: "", Villages: 1, Uncertain: 1, HouseholdsUncertain: 10},
			{Code: "12001", Villages: 3, WithoutSignal: 1, HouseholdsWithoutSignal: 40, Uncertain: 1, HouseholdsUncertain: 30}}},
	}
	m, err := Build(Input{DeadZones: dz, Meta: Meta{Resolution: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if z := m.Zones[0]; z.Households != 40 || z.Villages != 3 || z.VillagesServed != 2 {
		t.Errorf("zone %+v, want 40 households, 3 villages, 2 served", z)
	}
	if h := m.Hexes[0]; h.Households != 90 || h.DeadZoneHouseholds != 40 {
		t.Errorf("hex %+v, want 90 households, 40 in the dead zone", h)
	}
	levels := map[string]string{}
	for _, v := range m.Villages {
		levels[v.ID] = v.Level
	}
	if want := map[string]string{"V1": "no-signal", "V2": "uncertain", "V3": "covered", "V4": "uncertain"}; !equalMaps(levels, want) {
		t.Errorf("village levels %v, want %v", levels, want)
	}
	for _, c := range m.Communes {
		switch c.Code {
		case "12001":
			if c.DeadZoneHouseholds != 40 || c.HouseholdsWithoutSignal != 40 || c.Uncertain != 1 || c.HouseholdsUncertain != 30 {
				t.Errorf("commune %+v, want 40 dead-zone households = 40 without signal, 1 uncertain (30)", c)
			}
		case "":
			if c.Uncertain != 1 || c.HouseholdsUncertain != 10 {
				t.Errorf("no-commune row %+v, want 1 uncertain (10)", c)
			}
		}
	}
	if got := m.Meta.Totals["dead_zone_households"]; got != 40 {
		t.Errorf("total dead-zone households %v, want 40", got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
