package plan

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchWorld returns ~50,000 dead hexes in 700 seeded zones over northern
// Vietnam and 10,000 candidates: the generated ones plus proposed sites
// scattered within ~3 km of random dead hexes.
func benchWorld(b *testing.B, nCands int) ([]Candidate, []Hex) {
	zones := syntheticZones(42, 700, 200)
	var dead []Hex
	for _, z := range zones {
		dead = append(dead, z.Hexes...)
	}
	cands, err := GenerateCandidates(zones, DefaultCandidateConfig())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 7))
	for len(cands) < nCands {
		h := dead[rng.IntN(len(dead))]
		c := NewCandidate("p"+strconv.Itoa(len(cands)), h.Lon+(rng.Float64()-0.5)*0.06, h.Lat+(rng.Float64()-0.5)*0.06, SourceProposed)
		c.GridKm, c.FibreKm, c.SiteKm = 20*rng.Float64(), 40*rng.Float64(), 40*rng.Float64()
		cands = append(cands, c)
	}
	return cands[:nCands], dead
}

func BenchmarkFootprints10k(b *testing.B) {
	cands, dead := benchWorld(b, 10000)
	cfg := DefaultFootprintConfig()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Footprints(cands, dead, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(dead)), "hexes")
}

func BenchmarkSolve10k(b *testing.B) {
	cands, dead := benchWorld(b, 10000)
	fps, err := Footprints(cands, dead, DefaultFootprintConfig())
	if err != nil {
		b.Fatal(err)
	}
	costs := DefaultCosts()
	inst := Instance{Households: make([]float64, len(dead))}
	for j, h := range dead {
		inst.Households[j] = h.Households
	}
	total := 0
	for i, c := range cands {
		inst.Options = append(inst.Options, Option{ID: c.ID, CostVND: costs.SiteCost(c).NPVVND, Covers: fps[i]})
		total += len(fps[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sol Solution
	for b.Loop() {
		if sol, err = Solve(inst, 500e9, DefaultSolveConfig()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(sol.Chosen)), "sites")
	b.ReportMetric(sol.Gap, "gap")
	b.ReportMetric(float64(total)/float64(len(cands)), "hexes/cand")
}

func BenchmarkBuild10k(b *testing.B) {
	cands, dead := benchWorld(b, 10000)
	cfg := DefaultConfig()
	b.ReportAllocs()
	b.ResetTimer()
	var p Plan
	for b.Loop() {
		var err error
		if p, err = Build(cands, nil, dead, 500e9, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(p.Steps)), "sites")
	b.ReportMetric(p.TotalHouseholds, "households")
	b.ReportMetric(p.Gap, "gap")
	b.ReportMetric(float64(len(dead)), "hexes")
}

func BenchmarkSolveSmallWithLP(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	inst, budget := randomInstance(rng, 50, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Solve(inst, budget, DefaultSolveConfig()); err != nil {
			b.Fatal(err)
		}
	}
}
