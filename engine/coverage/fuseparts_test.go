package coverage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/predict"
)

// manyCells returns n distinct resolution-8 cells.
func manyCells(t *testing.T, n int) []hexgrid.Cell {
	t.Helper()
	seen := map[hexgrid.Cell]bool{}
	var out []hexgrid.Cell
	for i := 0; len(out) < n; i++ {
		c, err := hexgrid.Index(103+6*float64(i%997)/997, 9+14*float64(i/997)/float64(n/997+1), 8)
		if err != nil {
			t.Fatal(err)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// TestFuseAtScaleIsEachKeyDecided: states decided on every core are, key
// by key in key order, what decide gives the key's measured row and
// prediction — keys measured only, predicted only and both, the inputs
// handed over in no order, more keys than a worker's chunk.
func TestFuseAtScaleIsEachKeyDecided(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 55))
	cells := manyCells(t, 3*fuseChunk/4+100)
	type pair struct {
		m *aggregate.Row
		p *PredictedCell
	}
	byKey := map[aggregate.Key]*pair{}
	var measured []aggregate.Row
	var predicted []PredictedCell
	for _, c := range cells {
		for _, carrier := range []engine.Carrier{engine.Viettel, engine.MobiFone} {
			for _, tech := range []engine.Tech{engine.Tech3G, engine.Tech4G} {
				k := aggregate.Key{Cell: c, Carrier: carrier, Tech: tech}
				switch rng.IntN(3) {
				case 0:
					measured = append(measured, measuredRow(rng, c, carrier, tech))
				case 1:
					predicted = append(predicted, PredictedCell{Cell: c, Carrier: carrier, Tech: tech, SignalDBm: -70 - 50*rng.Float64(), SigmaDB: 8, ServingSite: "s", DistanceM: 900})
				default:
					measured = append(measured, measuredRow(rng, c, carrier, tech))
					predicted = append(predicted, PredictedCell{Cell: c, Carrier: carrier, Tech: tech, SignalDBm: -70 - 50*rng.Float64(), SigmaDB: 6, ServingSite: "t", DistanceM: 400})
				}
				byKey[k] = &pair{}
			}
		}
	}
	rng.Shuffle(len(measured), func(i, j int) { measured[i], measured[j] = measured[j], measured[i] })
	rng.Shuffle(len(predicted), func(i, j int) { predicted[i], predicted[j] = predicted[j], predicted[i] })
	for i := range measured {
		byKey[measured[i].Key].m = &measured[i]
	}
	for i := range predicted {
		byKey[predicted[i].key()].p = &predicted[i]
	}
	cfg := DefaultConfig()
	got, err := Fuse(measured, predicted, cfg)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]aggregate.Key, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKey)
	if len(got) != len(keys) || len(keys) <= fuseChunk {
		t.Fatalf("%d states for %d keys (more than %d wanted)", len(got), len(keys), fuseChunk)
	}
	for i, k := range keys {
		want := decide(byKey[k].m, byKey[k].p, cfg, cfg.Z())
		// Printed: unknown figures are NaN, never equal to themselves.
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want) {
			t.Fatalf("state %d: %+v, want %+v", i, got[i], want)
		}
	}
}

// measuredRow is a key's measured row of 0–29 tests, at most 3 failing.
func measuredRow(rng *rand.Rand, c hexgrid.Cell, carrier engine.Carrier, tech engine.Tech) aggregate.Row {
	tests := int64(rng.IntN(30))
	return row(c, carrier, tech, tests, min(tests, int64(rng.IntN(4))), 0)
}

// TestFromBestServerAtScale: the predicted cells made on every core are,
// key by key in key order, the strongest row of the key (the lowest row
// on a tie), over more keys than a worker's chunk.
func TestFromBestServerAtScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 66))
	cells := manyCells(t, 2*fuseChunk)
	sites := []engine.Site{{SiteID: "A"}, {SiteID: "B"}, {SiteID: "C"}}
	r := &predict.Result{}
	for range 4 * fuseChunk {
		r.Point = append(r.Point, int32(rng.IntN(len(cells))))
		r.Carrier = append(r.Carrier, []engine.Carrier{engine.Viettel, engine.VinaPhone}[rng.IntN(2)])
		r.Tech = append(r.Tech, engine.Tech4G)
		r.Site = append(r.Site, int32(rng.IntN(len(sites))))
		r.SignalDBm = append(r.SignalDBm, -80-float64(rng.IntN(8))) // ties
		r.SigmaDB = append(r.SigmaDB, float64(rng.IntN(9)))
		r.DistanceM = append(r.DistanceM, float64(rng.IntN(5000)))
	}
	best := map[aggregate.Key]int{}
	for i := range r.Point {
		k := aggregate.Key{Cell: cells[r.Point[i]], Carrier: r.Carrier[i], Tech: r.Tech[i]}
		if b, ok := best[k]; !ok || r.SignalDBm[i] > r.SignalDBm[b] {
			best[k] = i
		}
	}
	keys := make([]aggregate.Key, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKey)
	got, err := FromBestServer(r, cells, sites)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(keys) || len(keys) <= fuseChunk {
		t.Fatalf("%d cells for %d keys (more than %d wanted)", len(got), len(keys), fuseChunk)
	}
	for j, k := range keys {
		if want := predictedRow(r, int32(best[k]), cells, sites); got[j] != want {
			t.Fatalf("cell %d: %+v, want %+v", j, got[j], want)
		}
	}
}
