package plan

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"testing"
)

// randomInstance builds a seeded instance with n options over m ≤ 64
// elements: elements on a line, each option covering a random interval
// plus a few random extras, integer costs and households.
func randomInstance(rng *rand.Rand, n, m int) (Instance, float64) {
	inst := Instance{Households: make([]float64, m)}
	for j := range m {
		inst.Households[j] = float64(rng.IntN(60))
	}
	total := 0.0
	for i := range n {
		lo := rng.IntN(m)
		hi := min(m, lo+1+rng.IntN(m/3+1))
		set := map[int]bool{}
		for j := lo; j < hi; j++ {
			set[j] = true
		}
		for range rng.IntN(3) {
			set[rng.IntN(m)] = true
		}
		var cov []int32
		for j := range m {
			if set[j] {
				cov = append(cov, int32(j))
			}
		}
		c := float64(1+rng.IntN(20)) * 1e8
		total += c
		inst.Options = append(inst.Options, Option{ID: "c" + strconv.Itoa(100+i), CostVND: c, Covers: cov})
	}
	return inst, math.Round(total*(0.1+0.5*rng.Float64())/1e8) * 1e8
}

// bruteForce returns the optimum by enumerating every subset.
func bruteForce(inst Instance, budget float64) float64 {
	n := len(inst.Options)
	masks := make([]uint64, n)
	for i, o := range inst.Options {
		for _, j := range o.Covers {
			masks[i] |= 1 << uint(j)
		}
	}
	cov := make([]uint64, 1<<n)
	cost := make([]float64, 1<<n)
	best := 0.0
	for s := 1; s < 1<<n; s++ {
		i := bits.TrailingZeros(uint(s))
		p := s & (s - 1)
		cov[s] = cov[p] | masks[i]
		cost[s] = cost[p] + inst.Options[i].CostVND
		if cost[s] > budget {
			continue
		}
		v := 0.0
		for c := cov[s]; c != 0; c &= c - 1 {
			v += inst.Households[bits.TrailingZeros64(c)]
		}
		best = math.Max(best, v)
	}
	return best
}

func TestSolveAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, tc := range []struct {
		name string
		cfg  SolveConfig
	}{
		{"greedy+guard", SolveConfig{LPMaxOptions: 40, LPMaxGroups: 120}},
		{"enumeration", DefaultSolveConfig()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			worst, worstBound, worstLP := 1.0, 1.0, math.Inf(1)
			lpSolved := 0
			for k := range 40 {
				n := 6 + rng.IntN(11)
				if k%10 == 0 {
					n = 20
				}
				inst, budget := randomInstance(rng, n, 20+rng.IntN(40))
				opt := bruteForce(inst, budget)
				sol, err := Solve(inst, budget, tc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				if sol.CostVND > budget {
					t.Fatalf("instance %d: cost %g over budget %g", k, sol.CostVND, budget)
				}
				if sol.Value < sol.GuaranteeFactor*opt-1e-9 {
					t.Errorf("instance %d: value %g below %g × OPT %g", k, sol.Value, sol.GuaranteeFactor, opt)
				}
				if sol.UpperBound < opt-1e-9 || sol.OnlineBound < opt-1e-9 || sol.CoverableBound < opt-1e-9 {
					t.Errorf("instance %d: bounds %g/%g/%g below OPT %g", k, sol.UpperBound, sol.OnlineBound, sol.CoverableBound, opt)
				}
				if !math.IsNaN(sol.LPBound) {
					lpSolved++
					if sol.LPBound < opt-1e-9 {
						t.Errorf("instance %d: LP %g below OPT %g", k, sol.LPBound, opt)
					}
					worstLP = math.Min(worstLP, sol.LPBound/math.Max(opt, 1))
				}
				if opt > 0 {
					worst = math.Min(worst, sol.Value/opt)
					worstBound = math.Max(worstBound, sol.UpperBound/opt)
				}
			}
			t.Logf("worst value/OPT %.4f, worst bound/OPT %.4f, LP solved %d/40 (min LP/OPT %.4f)", worst, worstBound, lpSolved, worstLP)
		})
	}
}
