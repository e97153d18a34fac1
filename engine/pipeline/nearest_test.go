package pipeline

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// The index answers what a scan of every position answers, bit for bit:
// clustered sites with duplicates (sectors of one site), queries on top of
// sites, between two equidistant sites, and far away.
func TestNearestIndexEqualsScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var pos [][2]float64
	for range 3000 {
		p := [2]float64{102 + 7*rng.Float64(), 8.5 + 15*rng.Float64()}
		for range 1 + rng.IntN(3) { // one to three sectors at one place
			pos = append(pos, p)
		}
	}
	ix := newNearestIndex(pos)
	scan := func(q [2]float64) float64 {
		best := math.Inf(1)
		for _, p := range pos {
			best = min(best, hexgrid.GreatCircleM(q, p))
		}
		return best
	}
	var queries [][2]float64
	for range 2000 {
		queries = append(queries, [2]float64{101 + 9*rng.Float64(), 8 + 16*rng.Float64()})
	}
	for i := 0; i+1 < len(pos); i += 97 {
		queries = append(queries, pos[i], [2]float64{(pos[i][0] + pos[i+1][0]) / 2, (pos[i][1] + pos[i+1][1]) / 2})
	}
	queries = append(queries, [2]float64{-70, -30}, [2]float64{179.9, 0})
	for _, q := range queries {
		if got, want := ix.nearestM(q), scan(q); got != want {
			t.Fatalf("nearest to %v: index %v m, scan %v m", q, got, want)
		}
	}
	if d := ix.nearestM(pos[0]); d != 0 {
		t.Errorf("a query on a site: %v m, want 0", d)
	}
	if d := newNearestIndex(nil).nearestM([2]float64{105, 21}); !math.IsInf(d, 1) {
		t.Errorf("empty index: %v, want +Inf", d)
	}
}
