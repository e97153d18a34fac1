package pipeline

import (
	"context"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
)

// A hex judged at its villages: each key serves by its households-weighted
// P(serve) against 1 − cut (2G: 0.5); a served hex that no key serves
// marks its likeliest 3G/4G key; a measured-covered row does not stand
// beside the villages.
func TestVillageHexesServed(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	b, _ := hexgrid.Index(103.40, 22.40, 8)
	rowsOf := func(c hexgrid.Cell) []deadzone.HexCoverage {
		return []deadzone.HexCoverage{
			{Cell: c, Carrier: engine.MobiFone, Tech: engine.Tech2G},
			{Cell: c, Carrier: engine.MobiFone, Tech: engine.Tech3G, Covered: true}, // measured covered
			{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech4G},
		}
	}
	hc := append(rowsOf(a), rowsOf(b)...)
	dv := []deadzone.Village{{ID: "1", Households: 100}, {ID: "2", Households: 300}, {ID: "3", Households: 50}, {ID: "4", Households: 0}}
	cells := []hexgrid.Cell{a, a, b, b}
	vh := newVillageHexes(hc, map[hexgrid.Cell]bool{a: true, b: true}, cells)
	if len(vh.rows) != 2 || vh.rows[a] != [2]int{0, 3} || vh.rows[b] != [2]int{3, 6} {
		t.Fatalf("rows %v", vh.rows)
	}
	// Hex a: 2G 0.9·100+0.4·300 → 0.525 serves; 3G 0.9, 0.2 → 0.375
	// (not above 0.5, so not served though measured covered); 4G 0.7, 0.6
	// → 0.625 serves.
	vh.serve[0] = []float32{0.9, 0.9, 0.7}
	vh.serve[1] = []float32{0.4, 0.2, 0.6}
	// Hex b: nothing above its bar, P(dead) 0.3 < 0.5: the likeliest
	// 3G/4G key (3G, 0.45) serves. Village 4 has no households: ignored.
	vh.serve[2] = []float32{0.1, 0.45, 0.4}
	vh.serve[3] = []float32{1, 1, 1}
	vh.served(hc, dv, map[hexgrid.Cell]float64{a: 0.1, b: 0.3}, 0.5)
	want := []bool{true, false, true, false, true, false}
	for i := range hc {
		if hc[i].Covered != want[i] {
			t.Errorf("row %d (%v %v): covered %v, want %v", i, hc[i].Carrier, hc[i].Tech, hc[i].Covered, want[i])
		}
	}
	// P(dead) at the cut: dead, so no key is marked.
	for i := range hc {
		hc[i].Covered = false
	}
	vh.served(hc, dv, map[hexgrid.Cell]float64{a: 0.1, b: 0.5}, 0.5)
	if hc[4].Covered {
		t.Error("a dead hex's likeliest key marked serving")
	}
}

// A populated hex no site of any carrier reaches and no test touches has
// no coverage state: it is decided dead (P(dead) 1, no 3G/4G key), not
// left without a verdict and put in a zone from the coverage alone.
func TestHexOutOfEveryReachIsDead(t *testing.T) {
	s := worldStore(t, false)
	opt := worldOptions()
	res := opt.Coverage.Aggregate.Config.Resolution
	opt.Coverage.Population = villagesPopulation(t, s, res)
	// Twice the households (another population than the villages'), and
	// a hex 150 km from every site.
	for i := range opt.Coverage.Population {
		opt.Coverage.Population[i].Households *= 2
	}
	far, _ := hexgrid.Index(104.70, 22.40, res)
	opt.Coverage.Population = append(opt.Coverage.Population, population.Cell{Cell: far, Households: 40, Population: 160})
	r, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := r.PDead[far]; !ok || p != 1 {
		t.Fatalf("the out-of-reach hex: P(dead) %v (decided %v), want 1", p, ok)
	}
	in := 0
	for _, z := range r.Zones {
		if slices.Contains(z.Cells, far) {
			in++
		}
	}
	if in != 1 {
		t.Fatalf("the out-of-reach hex is in %d zones", in)
	}
}

// Villages decided by their hexes (--villages-by-hex) keep the tests near
// their points, as the default run publishes them (they were 0).
func TestVillagesByHexKeepTheirEvidence(t *testing.T) {
	s := worldStore(t, true)
	opt := worldOptions()
	base, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.VillagesByHex = true
	byHex, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	tests := 0
	for _, v := range base.Villages.Villages {
		h := villageByID(t, byHex, v.ID)
		if h.HasVerdict || !h.HasNearby || h.Nearby != v.Nearby {
			t.Errorf("village %s by its hexes: verdict %v, evidence %v %+v; at its point %+v", v.ID, h.HasVerdict, h.HasNearby, h.Nearby, v.Nearby)
		}
		tests += v.Nearby.Tests
	}
	if tests == 0 {
		t.Fatal("no test near any village")
	}
}

// villagesPopulation is the population table the commands make of the
// store's villages (VillagePopulation).
func villagesPopulation(t *testing.T, s Store, res int) []population.Cell {
	t.Helper()
	villages, err := s.Villages()
	if err != nil {
		t.Fatal(err)
	}
	pop, err := VillagePopulation(villages, res)
	if err != nil {
		t.Fatal(err)
	}
	return pop
}
