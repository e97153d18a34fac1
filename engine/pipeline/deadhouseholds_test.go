package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// With the villages as the population, the dead-zone households are the
// households of the villages without signal, hex by hex: no zone counts
// a village the run judges served, and none leaves out one without
// signal in a populated hex. The zones name their served villages, and
// the plan's dead hexes carry the same households.
func TestDeadHouseholdsAreVillagesWithoutSignal(t *testing.T) {
	// The small world with villages at the res-9 centres of V5's hex,
	// whose verdicts differ a little; the cut is put between two of them
	// so that the hex holds villages on both sides of it.
	vs := slices.Clone(worldVillages)
	c5, err := hexgrid.Index(vs[4].Lon, vs[4].Lat, 8)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c5.Children(9)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range ch {
		p, err := k.Center()
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, engine.Village{ID: fmt.Sprintf("X%d", i), Name: "Thôn", CommuneCode: "C2", Lon: p[0], Lat: p[1], Households: 10})
	}
	s := storeOf(t, vs, worldTests(true))
	opt := worldOptions()
	r, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	var ps []float64
	for _, v := range r.Villages.Villages {
		if v.Cell == c5 {
			ps = append(ps, v.Verdict.PDead)
		}
	}
	slices.Sort(ps)
	if len(ps) < 2 || ps[len(ps)-1] == ps[len(ps)-2] {
		t.Fatalf("villages of %v: p_dead %v, no two distinct highest", c5, ps)
	}
	opt.Cut = (ps[len(ps)-1] + ps[len(ps)-2]) / 2
	if r, err = DeadZones(context.Background(), s, opt); err != nil {
		t.Fatal(err)
	}
	if !r.PopulationFromVillages {
		t.Fatal("world's population is not its villages'")
	}
	populated := map[hexgrid.Cell]bool{}
	for _, p := range r.Population {
		populated[p.Cell] = p.Households > 0
	}
	want := map[hexgrid.Cell]float64{}
	served := map[string]bool{}
	mixed := 0
	perHex := map[hexgrid.Cell][2]int{}
	for _, v := range r.Villages.Villages {
		if !populated[v.Cell] || !(v.Households > 0) {
			continue
		}
		n := perHex[v.Cell]
		if v.WithoutSignal() {
			want[v.Cell] += v.Households
			n[0]++
		} else {
			served[v.ID] = true
			n[1]++
		}
		perHex[v.Cell] = n
	}
	for _, n := range perHex {
		if n[0] > 0 && n[1] > 0 {
			mixed++
		}
	}
	if mixed == 0 {
		t.Fatal("no hex holds both a village without signal and a served one: the test proves nothing")
	}
	got := r.DeadHouseholds()
	var zoneHH, wantHH float64
	for c, hh := range want {
		wantHH += hh
		if math.Abs(got[c]-hh) > 1e-9 {
			t.Errorf("hex %v: %v dead-zone households, want its villages' without signal %v", c, got[c], hh)
		}
	}
	for c, hh := range got {
		if want[c] == 0 && hh != 0 {
			t.Errorf("hex %v: %v dead-zone households, none of its villages without signal", c, hh)
		}
	}
	for _, z := range r.Zones {
		zoneHH += z.Households
		for _, id := range z.Served {
			if !served[id] {
				t.Errorf("zone %s lists %s as served", z.ID, id)
			}
		}
		for _, id := range z.Villages {
			if served[id] && !slices.Contains(z.Served, id) {
				t.Errorf("zone %s: served village %s not listed served", z.ID, id)
			}
		}
	}
	if math.Abs(zoneHH-wantHH) > 1e-6 {
		t.Errorf("zones' households %v, villages without signal %v", zoneHH, wantHH)
	}
	pr, err := Plan(r, nil, DefaultPlanOptions(1e12))
	if err != nil {
		t.Fatal(err)
	}
	var planHH float64
	for _, h := range pr.Dead {
		planHH += h.Households
	}
	if math.Abs(planHH-wantHH) > 1e-6 {
		t.Errorf("plan's dead households %v, villages without signal %v", planHH, wantHH)
	}
}
