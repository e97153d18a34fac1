package campaign

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/paulmach/orb"
)

// A day from a start between a near village west (A), a farther one west
// of it (B) and one east (C): the short way goes east first, C, A, B
// (77.1 km with the detour); A, B, C drives west and then back east past
// the start (89.2 km). 2-opt, reversing a stretch in place, cannot turn
// one into the other; or-opt moves C to the front.
var (
	westEastStart = orb.Point{103.449174, 22.223777}
	westEast      = []orb.Point{{103.334013, 22.204135}, {103.225441, 22.138111}, {103.592207, 22.19469}} // A, B, C
)

func westEastDist(i, j int) float64 {
	pt := func(k int) orb.Point {
		if k == len(westEast) {
			return westEastStart
		}
		return westEast[k]
	}
	return GreatCircleKm(pt(i), pt(j))
}

func TestOrOptMovesTheFarVillageFirst(t *testing.T) {
	start := len(westEast)
	route := []int{start, 0, 1, 2} // start, A, B, C
	if got := TwoOpt(slices.Clone(route), westEastDist, false); !slices.Equal(got, route) {
		t.Fatalf("2-opt changed %v to %v: the case no longer shows what or-opt adds", route, got)
	}
	got := OrOpt(slices.Clone(route), westEastDist, false)
	if want := []int{start, 2, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("or-opt: route %v, want %v (C, A, B)", got, want)
	}
	if l := PathLength(got, westEastDist, false) * 1.4; !near(l, 77.07, 0.01) {
		t.Errorf("length %.2f km with the detour, want 77.07", l)
	}
}

// TestBuildRoutesTheFarVillageFirst: a day whose villages are chosen C
// (the most households), then A, then B is driven C, A, B, not in the
// order chosen nor the nearest neighbour's (A, B, C).
func TestBuildRoutesTheFarVillageFirst(t *testing.T) {
	households := []float64{200, 100, 300}
	var vs []Village
	for k, p := range westEast {
		vs = append(vs, Village{Village: engine.Village{ID: string(rune('A' + k)), Lon: p[0], Lat: p[1], Households: households[k]}, PDead: 0.5})
	}
	plan, err := Build(vs, Config{Days: 1, Start: westEastStart})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Routes) != 1 {
		t.Fatalf("%d routes, want 1", len(plan.Routes))
	}
	r := plan.Routes[0]
	if want := []int{2, 0, 1}; !slices.Equal(r.Rows, want) {
		t.Errorf("route rows %v, want %v (C, A, B)", r.Rows, want)
	}
	if !near(r.LengthKm, 77.07, 0.01) {
		t.Errorf("route %.2f km, want 77.07", r.LengthKm)
	}
}

func TestOrOptNeverLengthens(t *testing.T) {
	neverLengthens(t, "or-opt", rand.New(rand.NewPCG(5, 13)), 300, func(route []int, d func(i, j int) float64, closed bool) []int {
		got := OrOpt(route, d, closed)
		// No single or-opt move is left that shortens it.
		if again := OrOpt(slices.Clone(got), d, closed); PathLength(again, d, closed) < PathLength(got, d, closed)-1e-9 {
			t.Fatalf("or-opt stopped at %v with a move left", got)
		}
		return got
	})
}
