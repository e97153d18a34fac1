package pipeline

import (
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/geodata"
)

// A dead zone across a province border is listed and drawn in both
// provinces' sections, each naming the other (it was only in the one
// with the largest share, so the other's map had no dead zone although
// the scorecard gave it the zone's households there).
func TestReportZoneInEveryProvince(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	a, err := hexgrid.Index(103.30, 22.40, 8) // Lai Châu
	if err != nil {
		t.Fatal(err)
	}
	b, err := hexgrid.Index(103.95, 22.40, 8) // Lào Cai
	if err != nil {
		t.Fatal(err)
	}
	dz := &DeadZoneResult{
		Coverage:   &CoverageResult{},
		Population: []population.Cell{{Cell: a, Households: 60}, {Cell: b, Households: 40}},
		Admin:      map[hexgrid.Cell]deadzone.Admin{a: {Province: "12"}, b: {Province: "15"}},
		Zones: []deadzone.Zone{{ID: "DZ-1", Cells: []hexgrid.Cell{a, b}, Households: 100,
			Provinces: []deadzone.UnitShare{{Code: "12", Share: 0.5}, {Code: "15", Share: 0.5}}}},
	}
	r, err := BuildReport(dz, nil, &PlanResult{}, provinces, penetration.Period{Year: 2024, Month: 10}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, p := range r.Provinces {
		if len(p.DeadZones) != 1 || p.DeadZones[0].ID != "DZ-1" || len(p.DeadZones[0].AlsoIn) != 1 {
			t.Fatalf("province %s: zones %+v", p.Code, p.DeadZones)
		}
		if p.Map == nil || len(p.Map.DeadZones) != 1 {
			t.Fatalf("province %s: the zone is not on its map", p.Code)
		}
		seen = append(seen, p.Code+": "+p.DeadZones[0].AlsoIn[0])
	}
	slices.Sort(seen)
	if want := []string{"12: Lào Cai, 50% of its hexes", "15: Lai Châu, 50% of its hexes"}; !slices.Equal(seen, want) {
		t.Fatalf("sections %q, want %q", seen, want)
	}
}

// Province sections (and their maps, the first --maps of them) come in the
// order of their own dead-zone households, as the scorecard counts them: a
// zone's hexes split 3 to 1 between Lào Cai (10 households) and Lai Châu
// (90) put Lào Cai first when a zone's households were shared by hexes.
func TestReportProvincesByDeadHouseholds(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	var cells []hexgrid.Cell
	for _, ll := range [][2]float64{{103.30, 22.40}, {103.95, 22.40}, {103.96, 22.41}, {103.97, 22.42}} {
		c, err := hexgrid.Index(ll[0], ll[1], 8)
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, c)
	}
	dz := &DeadZoneResult{
		Coverage: &CoverageResult{},
		Population: []population.Cell{{Cell: cells[0], Households: 90}, {Cell: cells[1], Households: 4},
			{Cell: cells[2], Households: 3}, {Cell: cells[3], Households: 3}},
		Admin: map[hexgrid.Cell]deadzone.Admin{cells[0]: {Province: "12"}, cells[1]: {Province: "15"}, cells[2]: {Province: "15"}, cells[3]: {Province: "15"}},
		Zones: []deadzone.Zone{{ID: "DZ-1", Cells: cells, Households: 100,
			Provinces: []deadzone.UnitShare{{Code: "15", Share: 0.75}, {Code: "12", Share: 0.25}}}},
	}
	r, err := BuildReport(dz, nil, &PlanResult{}, provinces, penetration.Period{Year: 2024, Month: 10}, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Provinces) != 2 || r.Provinces[0].Code != "12" || r.Provinces[0].Map == nil || !r.Provinces[0].Map.PopulatedOnly || r.Provinces[1].Map != nil {
		t.Fatalf("sections: %+v", r.Provinces)
	}
}

// A zone's villages counted as served on an uncertain verdict reach the
// report as uncertain (report.DeadZone.VillagesUncertain), in the top
// zones and in the province's own table, so that it does not call them
// served.
func TestReportZoneUncertainVillages(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	a, err := hexgrid.Index(103.30, 22.40, 8) // Lai Châu
	if err != nil {
		t.Fatal(err)
	}
	village := func(id string, level deadzone.Level, p float64) deadzone.VillageStatus {
		v := deadzone.VillageStatus{Level: level, HasVerdict: true, Verdict: deadzone.Verdict{PDead: p}}
		v.ID, v.Province, v.Households, v.Lon, v.Lat = id, "12", 10, 103.30, 22.40
		return v
	}
	dz := &DeadZoneResult{
		Coverage:   &CoverageResult{},
		Population: []population.Cell{{Cell: a, Households: 30}},
		Admin:      map[hexgrid.Cell]deadzone.Admin{a: {Province: "12"}},
		Zones: []deadzone.Zone{{ID: "DZ-1", Cells: []hexgrid.Cell{a}, Households: 10,
			Villages: []string{"V1", "V2", "V3"}, Served: []string{"V2", "V3"},
			Provinces: []deadzone.UnitShare{{Code: "12", Share: 1}}}},
		Villages: deadzone.VillageReport{Cut: 0.5, Villages: []deadzone.VillageStatus{
			village("V1", deadzone.Only2G, 0.9), village("V2", deadzone.Covered, 0.3), village("V3", deadzone.Covered, 0.01)}},
	}
	r, err := BuildReport(dz, nil, &PlanResult{}, provinces, penetration.Period{Year: 2024, Month: 10}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.DeadZones) != 1 || len(r.Provinces) != 1 || len(r.Provinces[0].DeadZones) != 1 {
		t.Fatalf("zones %+v, provinces %+v", r.DeadZones, r.Provinces)
	}
	for _, z := range []struct {
		where string
		n, u  int
	}{{"top zones", r.DeadZones[0].VillagesServed, r.DeadZones[0].VillagesUncertain},
		{"province", r.Provinces[0].DeadZones[0].VillagesServed, r.Provinces[0].DeadZones[0].VillagesUncertain}} {
		if z.n != 2 || z.u != 1 {
			t.Errorf("%s: %d served of which %d uncertain, want 2 of which 1", z.where, z.n, z.u)
		}
	}
}
