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

// The report lists and maps the villages without signal and those counted
// as served on an uncertain verdict by deadzone's rule
// (VillageStatus.WithoutSignal, VillageStatus.Uncertain), the one
// villages.csv's level "uncertain", communes_summary and the zones'
// villages_uncertain count with. It kept a rule of its own, the status
// band "uncertain" (0.2 < p_dead < 0.8): with a cut above 0.8 a village of
// p_dead 0.85 or 0.96 counted as served, "uncertain" everywhere else, was
// in neither its table nor its map.
func TestReportVillagesUncertainByDeadzonesRule(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	a, err := hexgrid.Index(103.30, 22.40, 8) // Lai Châu
	if err != nil {
		t.Fatal(err)
	}
	const cut = 0.97
	village := func(id string, p float64) deadzone.VillageStatus {
		v := deadzone.VillageStatus{HasVerdict: true, Verdict: deadzone.Verdict{PDead: p}}
		v.Level = v.Verdict.Level(cut)
		v.ID, v.Name, v.Province, v.Households, v.Lon, v.Lat, v.Cell = id, id, "12", 10, 103.30, 22.40, a
		return v
	}
	vs := []deadzone.VillageStatus{
		village("V1", 0.99), // without signal
		village("V2", 0.96), // confirmed_dead band, below the cut: uncertain
		village("V3", 0.85), // likely_dead band, below the cut: uncertain
		village("V4", 0.30), // uncertain
		village("V5", 0.10), // likely served
		village("V6", 0.01), // confirmed served
	}
	var want []string
	for _, v := range vs {
		if v.WithoutSignal() || v.Uncertain() {
			want = append(want, v.ID)
		}
	}
	if !slices.Equal(want, []string{"V1", "V2", "V3", "V4"}) {
		t.Fatalf("deadzone's rule at cut %g: %v without signal or uncertain, want V1 to V4", cut, want)
	}
	dz := &DeadZoneResult{
		Coverage:   &CoverageResult{},
		Population: []population.Cell{{Cell: a, Households: 60}},
		Admin:      map[hexgrid.Cell]deadzone.Admin{a: {Province: "12"}},
		Villages:   deadzone.VillageReport{Cut: cut, Villages: vs},
	}
	r, err := BuildReport(dz, nil, &PlanResult{}, provinces, penetration.Period{Year: 2024, Month: 10}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Provinces) != 1 || r.Provinces[0].Map == nil {
		t.Fatalf("provinces %+v: want Lai Châu's section with its map", r.Provinces)
	}
	p := r.Provinces[0]
	var listed, drawn []string
	for _, v := range p.Villages {
		listed = append(listed, v.ID)
	}
	for _, v := range p.Map.Villages {
		drawn = append(drawn, v.Name)
	}
	slices.Sort(listed)
	slices.Sort(drawn)
	if !slices.Equal(listed, want) {
		t.Errorf("report's villages table: %v, want %v (without signal or uncertain)", listed, want)
	}
	if !slices.Equal(drawn, want) {
		t.Errorf("report's map: %v drawn, want %v (without signal or uncertain)", drawn, want)
	}
}
