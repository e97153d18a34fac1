package plan

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
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
		best = max(best, v)
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
					worstLP = min(worstLP, sol.LPBound/max(opt, 1))
				}
				if opt > 0 {
					worst = min(worst, sol.Value/opt)
					worstBound = max(worstBound, sol.UpperBound/opt)
				}
			}
			t.Logf("worst value/OPT %.4f, worst bound/OPT %.4f, LP solved %d/40 (min LP/OPT %.4f)", worst, worstBound, lpSolved, worstLP)
		})
	}
}

func TestSolveGuardBeatsGreedy(t *testing.T) {
	// Greedy takes the cheap option (2 households per VND) and then cannot
	// afford the big one; the best single option reaches 10.
	inst := Instance{Households: []float64{2, 10}, Options: []Option{
		{ID: "cheap", CostVND: 1, Covers: []int32{0}},
		{ID: "big", CostVND: 10, Covers: []int32{1}},
	}}
	sol, err := Solve(inst, 10, SolveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Value != 10 || len(sol.Chosen) != 1 || sol.Chosen[0] != 1 {
		t.Errorf("value %g chosen %v, want the big option alone", sol.Value, sol.Chosen)
	}
	if sol.Guarantee != GuaranteeGreedyGuard || sol.UpperBound < 10 {
		t.Errorf("guarantee %q bound %g", sol.Guarantee, sol.UpperBound)
	}
}

func TestSolveTiesByID(t *testing.T) {
	// Three identical options; budget for one. Input order must not matter.
	mk := func(ids ...string) Instance {
		inst := Instance{Households: []float64{5, 5}}
		for _, id := range ids {
			inst.Options = append(inst.Options, Option{ID: id, CostVND: 3, Covers: []int32{0, 1}})
		}
		return inst
	}
	for _, ids := range [][]string{{"b", "a", "c"}, {"c", "b", "a"}, {"a", "c", "b"}} {
		for _, cfg := range []SolveConfig{{}, DefaultSolveConfig()} {
			inst := mk(ids...)
			sol, err := Solve(inst, 4, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(sol.Chosen) != 1 || inst.Options[sol.Chosen[0]].ID != "a" {
				t.Errorf("order %v: chose %v, want a", ids, sol.Chosen)
			}
		}
	}
}

func TestSolveLazyEqualsPlainGreedy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for k := range 20 {
		inst, budget := randomInstance(rng, 30, 60)
		sol, err := Solve(inst, budget, SolveConfig{})
		if err != nil {
			t.Fatal(err)
		}
		plain := plainGreedy(inst, budget)
		// The plan is plain greedy or the guard, improved by swaps: never
		// fewer households, never more cost for as many; when nothing
		// improved greedy, the order must be the same.
		if sol.Value == plain.value && sol.CostVND == plain.cost && !slices.Equal(sol.Chosen, plain.chosen) {
			t.Errorf("instance %d: lazy %v, plain %v", k, sol.Chosen, plain.chosen)
		}
		if sol.Value < plain.value || (sol.Value == plain.value && sol.CostVND > plain.cost) {
			t.Errorf("instance %d: %g households for %g VND against plain greedy's %g for %g", k, sol.Value, sol.CostVND, plain.value, plain.cost)
		}
	}
}

// plainGreedy recomputes every marginal gain at every step.
func plainGreedy(inst Instance, budget float64) run {
	covered := make([]bool, len(inst.Households))
	used := make([]bool, len(inst.Options))
	var r run
	for {
		best, bestR := -1, 0.0
		for i, o := range inst.Options {
			if used[i] || r.cost+o.CostVND > budget {
				continue
			}
			g := 0.0
			for _, j := range o.Covers {
				if !covered[j] {
					g += inst.Households[j]
				}
			}
			rt := ratio(g, o.CostVND)
			if g > 0 && (best < 0 || rt > bestR || rt == bestR && o.ID < inst.Options[best].ID) {
				best, bestR = i, rt
			}
		}
		if best < 0 {
			return r
		}
		used[best] = true
		r.chosen = append(r.chosen, best)
		r.cost += inst.Options[best].CostVND
		for _, j := range inst.Options[best].Covers {
			if !covered[j] {
				covered[j] = true
				r.value += inst.Households[j]
			}
		}
	}
}

func TestSolveRejects(t *testing.T) {
	for name, inst := range map[string]Instance{
		"duplicate id":   {Households: []float64{1}, Options: []Option{{ID: "a", Covers: []int32{0}}, {ID: "a"}}},
		"unsorted":       {Households: []float64{1, 1}, Options: []Option{{ID: "a", Covers: []int32{1, 0}}}},
		"out of range":   {Households: []float64{1}, Options: []Option{{ID: "a", Covers: []int32{1}}}},
		"negative cost":  {Households: []float64{1}, Options: []Option{{ID: "a", CostVND: -1}}},
		"NaN households": {Households: []float64{math.NaN()}},
	} {
		if _, err := Solve(inst, 1, DefaultSolveConfig()); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := Solve(Instance{}, math.Inf(1), DefaultSolveConfig()); err == nil {
		t.Error("infinite budget accepted")
	}
}

// Greedy funds A (25 households for 48) before D covers A's third hex;
// B covers A's other two for 46: the swap keeps the households for 2
// less.
func TestSolveSwaps(t *testing.T) {
	inst := Instance{Households: []float64{10, 10, 5, 0.1}, Options: []Option{
		{ID: "A", CostVND: 48, Covers: []int32{0, 1, 2}},
		{ID: "B", CostVND: 46, Covers: []int32{0, 1}},
		{ID: "D", CostVND: 10, Covers: []int32{2, 3}},
	}}
	sol, err := Solve(inst, 60, SolveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(sol Solution) []string {
		var out []string
		for _, i := range sol.Chosen {
			out = append(out, inst.Options[i].ID)
		}
		return out
	}
	if got := ids(sol); sol.Value != 25.1 || sol.CostVND != 56 || !slices.Equal(got, []string{"D", "B"}) {
		t.Fatalf("chose %v: %g households for %g VND, want D, B: 25.1 for 56", got, sol.Value, sol.CostVND)
	}
	if g := plainGreedy(inst, 60); g.value != 25.1 || g.cost != 58 {
		t.Fatalf("plain greedy: %g for %g, want 25.1 for 58", g.value, g.cost)
	}
}

// The guard and the enumeration decide between equal options by ID, as
// greedy does: greedy funds the cheap option (2 households per VND) and
// cannot then afford a big one; the best single option is any of three
// equal big ones, and the plan funded the first in the options' order, so
// the order of a proposals file chose the site.
func TestSolveGuardTiesByID(t *testing.T) {
	options := map[string]Option{
		"cheap": {ID: "cheap", CostVND: 1, Covers: []int32{0}},
		"big-1": {ID: "big-1", CostVND: 10, Covers: []int32{1}},
		"big-2": {ID: "big-2", CostVND: 10, Covers: []int32{2}},
		"big-3": {ID: "big-3", CostVND: 10, Covers: []int32{3}},
	}
	for _, ids := range [][]string{{"cheap", "big-1", "big-2", "big-3"}, {"big-3", "big-2", "cheap", "big-1"}, {"big-2", "cheap", "big-3", "big-1"}} {
		for _, cfg := range []SolveConfig{{}, DefaultSolveConfig()} {
			inst := Instance{Households: []float64{2, 10, 10, 10}}
			for _, id := range ids {
				inst.Options = append(inst.Options, options[id])
			}
			sol, err := Solve(inst, 10, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(sol.Chosen) != 1 || inst.Options[sol.Chosen[0]].ID != "big-1" || sol.Value != 10 {
				t.Errorf("options in order %v, enumeration up to %d: chose %v (%g households), want big-1", ids, cfg.EnumerateMaxOptions, sol.Chosen, sol.Value)
			}
		}
	}
}

// Known answers, worked by hand, of the three bounds (Solution) and the
// gap on small instances.
func TestSolveBoundsKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		inst                      Instance
		budget                    float64
		value                     float64 // the optimum, which the plan reaches
		coverable, online, lp, ub float64
		method                    string
	}{
		{
			// Budget 1.5 buys one of two 1-đồng options of 1 household:
			// the online bound at S = ∅ takes one whole and half the
			// other (1.5), as the LP does (x = 1, ½).
			name: "half an option",
			inst: Instance{Households: []float64{1, 1}, Options: []Option{
				{ID: "a", CostVND: 1, Covers: []int32{0}}, {ID: "b", CostVND: 1, Covers: []int32{1}}}},
			budget: 1.5, value: 1, coverable: 2, online: 1.5, lp: 1.5, ub: 1.5, method: "online",
		},
		{
			// Greedy takes cheap (2 per đồng) and cannot afford big; the
			// guard takes big (10). Online at S = ∅: cheap whole (2) and
			// 9/10 of big (9) = 11; at {cheap} 2 + 10 and at {big}
			// 10 + 2 are looser. LP: x_cheap = 1, x_big = 0.9: 11.
			name: "guard",
			inst: Instance{Households: []float64{2, 10}, Options: []Option{
				{ID: "cheap", CostVND: 1, Covers: []int32{0}}, {ID: "big", CostVND: 10, Covers: []int32{1}}}},
			budget: 10, value: 10, coverable: 12, online: 11, lp: 11, ub: 11, method: "online",
		},
		{
			// The option of 7 households costs more than the budget:
			// only the 5 are coverable, and every bound says 5.
			name: "unaffordable",
			inst: Instance{Households: []float64{5, 7}, Options: []Option{
				{ID: "a", CostVND: 1, Covers: []int32{0}}, {ID: "b", CostVND: 10, Covers: []int32{1}}}},
			budget: 2, value: 5, coverable: 5, online: 5, lp: 5, ub: 5, method: "coverable",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sol, err := Solve(tc.inst, tc.budget, DefaultSolveConfig())
			if err != nil {
				t.Fatal(err)
			}
			if opt := bruteForce(tc.inst, tc.budget); opt != tc.value || sol.Value != tc.value {
				t.Errorf("value %g, brute force %g, want %g", sol.Value, opt, tc.value)
			}
			const tol = 1e-7
			if !near(sol.CoverableBound, tc.coverable, tol) || !near(sol.OnlineBound, tc.online, tol) || !near(sol.LPBound, tc.lp, tol) {
				t.Errorf("bounds coverable %g online %g lp %g, want %g %g %g", sol.CoverableBound, sol.OnlineBound, sol.LPBound, tc.coverable, tc.online, tc.lp)
			}
			if !near(sol.UpperBound, tc.ub, tol) || sol.BoundMethod != tc.method || !near(sol.Gap, (tc.ub-tc.value)/tc.ub, tol) {
				t.Errorf("upper bound %g (%s), gap %g; want %g (%s), gap %g", sol.UpperBound, sol.BoundMethod, sol.Gap, tc.ub, tc.method, (tc.ub-tc.value)/tc.ub)
			}
		})
	}
}
