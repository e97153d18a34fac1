package radiomap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchMap is 100,000 tests over about 100 km × 100 km of northern
// Vietnam, three keys, one in ten censored.
func benchMap(b *testing.B, n int) *Map {
	b.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []Key{kV4, kM4, kN3}
	obs := make([]Obs, n)
	for i := range obs {
		obs[i] = Obs{Lon: 103 + rng.Float64(), Lat: 21.5 + rng.Float64(), Key: keys[i%3], ResidualDB: rng.NormFloat64() * 6}
		if i%10 == 0 {
			obs[i].Censor = Upper
		}
	}
	mp, err := New(obs, Model{SharedSillDB2: 25, SharedRangeM: 1500, OwnSillDB2: 9, OwnRangeM: 500, NuggetDB2: 9}, Options{MaxNeighbours: 32})
	if err != nil {
		b.Fatal(err)
	}
	return mp
}

func BenchmarkAt(b *testing.B) {
	mp := benchMap(b, 100_000)
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name string
		keys []Key
	}{{"keys=1", []Key{kV4}}, {"keys=3", []Key{kV4, kM4, kN3}}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mp.At(103+rng.Float64(), 21.5+rng.Float64(), tc.keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAtInto reuses one Posterior: no allocation per query.
func BenchmarkAtInto(b *testing.B) {
	mp := benchMap(b, 100_000)
	rng := rand.New(rand.NewPCG(7, 8))
	keys := []Key{kV4, kM4, kN3}
	var p Posterior
	b.ReportAllocs()
	for b.Loop() {
		if err := mp.AtInto(&p, 103+rng.Float64(), 21.5+rng.Float64(), keys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchMap(b, 100_000)
	}
}

// BenchmarkFit fits 100,000 tests with the default options (200,000
// pairs).
func BenchmarkFit(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []Key{kV4, kM4, kN3}
	obs := make([]Obs, 100_000)
	for i := range obs {
		obs[i] = Obs{Lon: 103 + rng.Float64(), Lat: 21.5 + rng.Float64(), Key: keys[i%3], ResidualDB: rng.NormFloat64() * 6}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Fit(obs, FitOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitMarginal fits the means and scale of 1,000,000 tests (one
// in six censored, noises of readings collapsed from 1–8 tests): "grouped"
// is FitMarginal, "reference" the one-test-at-a-time reference of
// means_ref_test.go on the same tests, the baseline of the ratio.
func BenchmarkFitMarginal(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	keys := []Key{kV4, kM4, kN3}
	obs := make([]Obs, 1_000_000)
	for i := range obs {
		obs[i] = Obs{Lon: 103 + rng.Float64(), Lat: 21.5 + rng.Float64(), Key: keys[i%3], ResidualDB: rng.NormFloat64()*7 - 2,
			NoiseDB: 4 / math.Sqrt(float64(1+rng.IntN(8)))}
		if i%6 == 0 {
			obs[i].Censor = Upper
		}
	}
	m := Model{SharedSillDB2: 25, SharedRangeM: 1500, OwnSillDB2: 9, OwnRangeM: 500, NuggetDB2: 9}
	for _, c := range []struct {
		name string
		fit  func([]Obs, Model, float64) (Marginal, error)
	}{{"grouped", FitMarginal}, {"reference", fitMarginalReference}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.fit(obs, m, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAtVillages queries the twelve keys of a village's verdict at
// 2,000 places of a map of 40,000 cells' tests (one to six a cell, one
// in eight censored) over about 100 km × 100 km, with the carrier
// component: the dead-zone stage's query (the demo's villages have about
// 60 exact and 7 censored neighbours). "reference" is the query of
// atref_test.go, the baseline of the ratio.
func BenchmarkAtVillages(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 12))
	m := Model{SharedSillDB2: 30, SharedRangeM: 900, CarrierSillDB2: 12, CarrierRangeM: 250, OwnSillDB2: 9, OwnRangeM: 120, NuggetDB2: 3}
	mp, err := New(cellObs(rng, 40_000, 1), m, Options{})
	if err != nil {
		b.Fatal(err)
	}
	places := make([][2]float64, 2000)
	for i := range places {
		places[i] = [2]float64{105 + rng.Float64(), 21 + rng.Float64()}
	}
	b.Run("at", func(b *testing.B) {
		var p Posterior
		exact, censored := 0, 0
		b.ReportAllocs()
		for b.Loop() {
			exact, censored = 0, 0
			for _, x := range places {
				if err := mp.AtInto(&p, x[0], x[1], twelveKeys); err != nil {
					b.Fatal(err)
				}
				exact, censored = exact+p.Exact, censored+p.Censored
			}
		}
		b.ReportMetric(float64(exact)/float64(len(places)), "exact/query")
		b.ReportMetric(float64(censored)/float64(len(places)), "censored/query")
	})
	// The query before its savings (atref_test.go), the baseline.
	b.Run("reference", func(b *testing.B) {
		ws := &refWorkspace{}
		for b.Loop() {
			for _, x := range places {
				if _, err := mp.refAt(ws, x[0], x[1], twelveKeys); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
