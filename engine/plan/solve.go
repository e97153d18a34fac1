package plan

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine"
)

// Instance is a budgeted maximum coverage problem: elements (dead hexes or
// other places) with household weights, and options (sites, sharing
// agreements) that each cost something and cover a set of elements.
type Instance struct {
	Households []float64 // per element, finite and ≥ 0
	Options    []Option
}

// Option is one thing the fund can pay for.
type Option struct {
	ID      string  // unique; ties between equal ratios go to the smaller ID
	CostVND float64 // finite and ≥ 0
	Covers  []int32 // element indices, ascending, without duplicates
}

// SolveConfig configures Solve.
type SolveConfig struct {
	// EnumerateMaxOptions turns on partial enumeration (every subset of
	// up to 3 affordable options, each completed greedily) when the
	// instance has at most this many affordable options, raising the
	// guarantee from (1−1/e)/2 to 1−1/e. It costs O(n³) greedy runs.
	// Default 24; 0 turns it off.
	EnumerateMaxOptions int
	// LPMaxOptions and LPMaxGroups bound the instances whose LP relaxation
	// is solved for an upper bound: at most LPMaxOptions affordable options
	// and LPMaxGroups element groups (elements with the same set of
	// covering options are merged). The dense tableau has about
	// 2·groups + options rows and its work grows with their cube.
	// Defaults 60 and 250; 0 turns the LP off.
	LPMaxOptions int
	LPMaxGroups  int
}

// DefaultSolveConfig returns the documented defaults.
func DefaultSolveConfig() SolveConfig {
	return SolveConfig{EnumerateMaxOptions: 24, LPMaxOptions: 60, LPMaxGroups: 250}
}

// Validate checks the configuration.
func (c SolveConfig) Validate() error {
	if c.EnumerateMaxOptions < 0 || c.LPMaxOptions < 0 || c.LPMaxGroups < 0 {
		return fmt.Errorf("solve config %+v: limits must be ≥ 0: %w", c, engine.ErrInvalidConfig)
	}
	return nil
}

// Guarantees as Solve states them.
const (
	// GuaranteeGreedyGuard is the worst case of the better of the lazy
	// cost-benefit greedy and the best single affordable option completed
	// greedily: at the first option greedy cannot afford, the greedy prefix
	// plus that option reach (1−1/e)·OPT (Khuller, Moss & Naor 1999,
	// Lemma 2), and the option alone is at most the best single, so the
	// better of the two is ≥ (1−1/e)/2·OPT (Krause & Guestrin 2005;
	// Leskovec et al. 2007).
	GuaranteeGreedyGuard = "max(cost-benefit greedy, best single affordable option + greedy completion) ≥ (1−1/e)/2·OPT ≈ 0.316·OPT (Khuller–Moss–Naor 1999; Leskovec et al. 2007)"
	// GuaranteeEnumeration is the worst case with partial enumeration of
	// size 3 (Khuller, Moss & Naor 1999, Theorem 3; Sviridenko 2004).
	GuaranteeEnumeration = "best of every ≤3-option subset completed by cost-benefit greedy ≥ (1−1/e)·OPT ≈ 0.632·OPT (Khuller–Moss–Naor 1999; Sviridenko 2004)"
)

// Solution is Solve's answer.
type Solution struct {
	Chosen  []int     // option indices in plan order (best marginal households per VND first); every one adds households
	Gains   []float64 // marginal households of each chosen option in that order
	Value   float64   // households covered
	CostVND float64

	// UpperBound is the tightest proven bound on the optimum: the minimum
	// of CoverableBound, OnlineBound and LPBound (NaN bounds are skipped).
	UpperBound float64
	// BoundMethod names the bound that gave UpperBound: "coverable",
	// "online" or "lp".
	BoundMethod string
	// CoverableBound: the households in elements some affordable option
	// covers.
	CoverableBound float64
	// OnlineBound: min over greedy prefixes S of f(S) + the fractional
	// knapsack (budget B, affordable options, ranked by marginal gain per
	// VND) of the marginal gains δ_i(S) (Leskovec et al. 2007, Theorem 4):
	// valid because OPT ≤ f(S ∪ OPT) ≤ f(S) + Σ_{i∈OPT} δ_i(S).
	OnlineBound float64
	// LPBound: the optimum of the LP relaxation
	//   max Σ h_g y_g  s.t.  y_g ≤ Σ_{i covers g} x_i,  Σ c_i x_i ≤ B,
	//   0 ≤ x, y ≤ 1
	// certified by the dual solution of the final simplex tableau (weak
	// duality, so it is an upper bound even under rounding), plus 1e-9 of
	// the coverable households; NaN when the instance exceeds the LP
	// limits.
	LPBound float64
	// Gap is (UpperBound − Value)/UpperBound, 0 when UpperBound is 0: the
	// plan is within this fraction of the optimum.
	Gap float64

	Guarantee       string  // GuaranteeGreedyGuard or GuaranteeEnumeration
	GuaranteeFactor float64 // (1−1/e)/2 or 1−1/e
}

// Solve plans a budget: it chooses options of total cost ≤ budgetVND that
// cover as many households as it can, with a worst-case guarantee and a
// data-dependent upper bound on the optimum (see Solution).
//
// The greedy is lazy (Minoux's accelerated greedy): options sit in a
// priority queue keyed by their last known marginal households per VND;
// the top is re-evaluated until a freshly evaluated option stays on top.
// Options that no longer fit the remaining budget are skipped and greedy
// continues with cheaper ones. Ratios compare exactly; equal ratios go to
// the smaller ID, then the smaller index, so the result is deterministic
// and equal to the plain (non-lazy) greedy. An option of zero cost has
// infinite ratio while it adds households.
func Solve(inst Instance, budgetVND float64, cfg SolveConfig) (Solution, error) {
	if err := cfg.Validate(); err != nil {
		return Solution{}, err
	}
	if err := inst.validate(); err != nil {
		return Solution{}, err
	}
	if !(budgetVND >= 0) || math.IsInf(budgetVND, 0) {
		return Solution{}, fmt.Errorf("budget %g VND must be finite and ≥ 0: %w", budgetVND, engine.ErrInvalidValue)
	}
	s := newSolver(&inst, budgetVND)
	sol := Solution{LPBound: math.NaN()}

	// Plain greedy, with online bounds at geometrically spaced prefixes.
	g := s.greedy(nil, true)
	sol.OnlineBound = s.onlineBest
	best := g
	// Guard: best single affordable option, completed greedily. The
	// guard, the enumeration and the swaps meet the options in ID order
	// (s.byID), so that of equal sets the one of the smaller IDs is kept
	// whatever order the options came in.
	bestSingle, bestGain := -1, -1.0
	for _, i := range s.byID {
		if v := s.sum(inst.Options[i].Covers); v > bestGain {
			bestSingle, bestGain = i, v
		}
	}
	if bestSingle >= 0 {
		if r := s.greedy([]int{bestSingle}, false); r.value > best.value {
			best = r
		}
	}
	sol.Guarantee, sol.GuaranteeFactor = GuaranteeGreedyGuard, (1-1/math.E)/2
	if n := len(s.byID); n > 0 && n <= cfg.EnumerateMaxOptions {
		a := s.byID
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if s.cost[a[i]]+s.cost[a[j]] > budgetVND {
					continue
				}
				if r := s.greedy([]int{a[i], a[j]}, false); r.value > best.value {
					best = r
				}
				for k := j + 1; k < n; k++ {
					if s.cost[a[i]]+s.cost[a[j]]+s.cost[a[k]] > budgetVND {
						continue
					}
					if r := s.greedy([]int{a[i], a[j], a[k]}, false); r.value > best.value {
						best = r
					}
				}
			}
		}
		sol.Guarantee, sol.GuaranteeFactor = GuaranteeEnumeration, 1-1/math.E
	}
	// Swaps that cover more, or as much for less (greedy can fund a
	// site another, cheaper one would replace once later picks cover the
	// rest of its hexes).
	best = s.improve(best)
	// Present the chosen set in cost-benefit order.
	ord := s.order(best.chosen)
	sol.Chosen, sol.Gains, sol.Value, sol.CostVND = ord.chosen, ord.gains, ord.value, ord.cost
	// Online bound at the chosen set too.
	s.reset()
	for _, i := range sol.Chosen {
		s.take(i)
	}
	sol.OnlineBound = min(sol.OnlineBound, s.online())

	sol.CoverableBound = s.coverable()
	sol.UpperBound, sol.BoundMethod = sol.CoverableBound, "coverable"
	if sol.OnlineBound < sol.UpperBound {
		sol.UpperBound, sol.BoundMethod = sol.OnlineBound, "online"
	}
	if cfg.LPMaxOptions > 0 && cfg.LPMaxGroups > 0 && len(s.affordable) <= cfg.LPMaxOptions {
		if v, ok := s.lpBound(cfg.LPMaxGroups); ok {
			sol.LPBound = v + 1e-9*sol.CoverableBound
			if sol.LPBound < sol.UpperBound {
				sol.UpperBound, sol.BoundMethod = sol.LPBound, "lp"
			}
		}
	}
	// Rounding can put a bound a hair under the plan's own value.
	if sol.UpperBound < sol.Value {
		sol.UpperBound = sol.Value
	}
	if sol.UpperBound > 0 {
		sol.Gap = (sol.UpperBound - sol.Value) / sol.UpperBound
	}
	return sol, nil
}

func (inst *Instance) validate() error {
	for j, h := range inst.Households {
		if !(h >= 0) || math.IsInf(h, 0) {
			return fmt.Errorf("element %d: households %g must be finite and ≥ 0: %w", j, h, engine.ErrInvalidValue)
		}
	}
	ids := make(map[string]struct{}, len(inst.Options))
	for i := range inst.Options {
		o := &inst.Options[i]
		if _, dup := ids[o.ID]; dup {
			return fmt.Errorf("option %d: duplicate ID %q: %w", i, o.ID, engine.ErrInvalidValue)
		}
		ids[o.ID] = struct{}{}
		if !(o.CostVND >= 0) || math.IsInf(o.CostVND, 0) {
			return fmt.Errorf("option %q: cost %g VND must be finite and ≥ 0: %w", o.ID, o.CostVND, engine.ErrInvalidValue)
		}
		for k, j := range o.Covers {
			if j < 0 || int(j) >= len(inst.Households) || (k > 0 && j <= o.Covers[k-1]) {
				return fmt.Errorf("option %q: covers must be ascending element indices below %d, got %d at %d: %w", o.ID, len(inst.Households), j, k, engine.ErrInvalidValue)
			}
		}
	}
	return nil
}

// solver holds the working state of greedy runs over one instance.
type solver struct {
	inst       *Instance
	budget     float64
	cost       []float64
	affordable []int // options with cost ≤ budget, ascending
	byID       []int // affordable in ascending ID order
	covered    []bool
	touched    []int32
	value      float64
	heap       []entry
	onlineBest float64
	// scratch for the online bound
	ks []ksItem
}

type entry struct {
	ratio float64
	gain  float64
	idx   int
	stamp int // number of picks when gain was computed
}

type ksItem struct{ gain, cost float64 }

func newSolver(inst *Instance, budget float64) *solver {
	s := &solver{inst: inst, budget: budget, covered: make([]bool, len(inst.Households)), onlineBest: math.Inf(1)}
	s.cost = make([]float64, len(inst.Options))
	for i := range inst.Options {
		s.cost[i] = inst.Options[i].CostVND
		if s.cost[i] <= budget {
			s.affordable = append(s.affordable, i)
		}
	}
	s.byID = slices.Clone(s.affordable)
	slices.SortFunc(s.byID, func(a, b int) int { return cmp.Compare(inst.Options[a].ID, inst.Options[b].ID) })
	return s
}

func (s *solver) reset() {
	for _, j := range s.touched {
		s.covered[j] = false
	}
	s.touched = s.touched[:0]
	s.value = 0
}

// sum returns the households of the uncovered elements in covers.
func (s *solver) sum(covers []int32) float64 {
	v := 0.0
	for _, j := range covers {
		if !s.covered[j] {
			v += s.inst.Households[j]
		}
	}
	return v
}

func (s *solver) take(i int) float64 {
	g := 0.0
	for _, j := range s.inst.Options[i].Covers {
		if !s.covered[j] {
			s.covered[j] = true
			s.touched = append(s.touched, j)
			g += s.inst.Households[j]
		}
	}
	s.value += g
	return g
}

func ratio(gain, cost float64) float64 {
	switch {
	case gain <= 0:
		return 0
	case cost <= 0:
		return math.Inf(1)
	}
	return gain / cost
}

// before orders heap entries: higher ratio, then smaller ID, then index.
func (s *solver) before(a, b *entry) bool {
	if a.ratio != b.ratio {
		return a.ratio > b.ratio
	}
	if c := cmp.Compare(s.inst.Options[a.idx].ID, s.inst.Options[b.idx].ID); c != 0 {
		return c < 0
	}
	return a.idx < b.idx
}

func (s *solver) up(i int) {
	h := s.heap
	for i > 0 {
		p := (i - 1) / 2
		if !s.before(&h[i], &h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (s *solver) down(i int) {
	h := s.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && s.before(&h[r], &h[l]) {
			m = r
		}
		if !s.before(&h[m], &h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

type run struct {
	chosen []int
	gains  []float64
	value  float64
	cost   float64
}

// greedy runs the lazy cost-benefit greedy after taking seed; with online
// it records the online bound at prefixes of 0, 1, 2, 4, 8, … picks and at
// the end.
func (s *solver) greedy(seed []int, online bool) run {
	return s.greedyOver(s.affordable, seed, s.budget, online)
}

func (s *solver) greedyOver(pool, seed []int, budget float64, online bool) run {
	s.reset()
	var r run
	inSeed := func(i int) bool { return slices.Contains(seed, i) }
	for _, i := range seed {
		r.chosen = append(r.chosen, i)
		r.gains = append(r.gains, s.take(i))
		r.cost += s.cost[i]
	}
	s.heap = s.heap[:0]
	for _, i := range pool {
		if inSeed(i) || r.cost+s.cost[i] > budget {
			continue
		}
		g := s.sum(s.inst.Options[i].Covers)
		s.heap = append(s.heap, entry{ratio: ratio(g, s.cost[i]), gain: g, idx: i, stamp: len(r.chosen)})
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	next := 1
	if online {
		s.onlineBest = min(s.onlineBest, s.online())
	}
	for len(s.heap) > 0 {
		top := &s.heap[0]
		if r.cost+s.cost[top.idx] > budget {
			s.pop()
			continue
		}
		if top.stamp != len(r.chosen) {
			top.gain = s.sum(s.inst.Options[top.idx].Covers)
			top.ratio = ratio(top.gain, s.cost[top.idx])
			top.stamp = len(r.chosen)
			s.down(0)
			continue
		}
		if top.gain <= 0 {
			break
		}
		i := top.idx
		s.pop()
		r.chosen = append(r.chosen, i)
		r.gains = append(r.gains, s.take(i))
		r.cost += s.cost[i]
		if online && len(r.chosen) == next {
			s.onlineBest = min(s.onlineBest, s.online())
			next *= 2
		}
	}
	if online {
		s.onlineBest = min(s.onlineBest, s.online())
	}
	r.value = s.value
	return r
}

// maxSwaps bounds improve's swaps; each one raises the households or
// lowers the cost, so it stops well before on real instances.
const maxSwaps = 100

// improve is a 1-swap local search on r: it replaces one chosen option by
// one unchosen affordable option when the set still fits the budget and
// then covers more households, or as many for less cost (the best such
// swap each round, the first of equals in ID order), and
// fills the budget greedily after each swap. The households never
// decrease, so Solve's guarantees hold.
func (s *solver) improve(r run) run {
	h := s.inst.Households
	cnt := make([]int32, len(h))
	for range maxSwaps {
		clear(cnt)
		in := make(map[int]bool, len(r.chosen))
		for _, i := range r.chosen {
			in[i] = true
			for _, e := range s.inst.Options[i].Covers {
				cnt[e]++
			}
		}
		eps := 1e-9 * max(1, r.value)
		out, with := -1, -1
		var bestDelta, bestSave float64
		for _, i := range r.chosen {
			loss := 0.0
			for _, e := range s.inst.Options[i].Covers {
				if cnt[e] == 1 {
					loss += h[e]
				}
				cnt[e]--
			}
			for _, j := range s.byID {
				if in[j] || r.cost-s.cost[i]+s.cost[j] > s.budget {
					continue
				}
				gain := 0.0
				for _, e := range s.inst.Options[j].Covers {
					if cnt[e] == 0 {
						gain += h[e]
					}
				}
				delta, save := gain-loss, s.cost[i]-s.cost[j]
				if !(delta > eps || (delta > -eps && save > 0)) {
					continue
				}
				if out < 0 || delta > bestDelta+eps || (delta > bestDelta-eps && save > bestSave) {
					out, with, bestDelta, bestSave = i, j, delta, save
				}
			}
			for _, e := range s.inst.Options[i].Covers {
				cnt[e]++
			}
		}
		if out < 0 {
			break
		}
		seed := make([]int, 0, len(r.chosen))
		for _, i := range r.chosen {
			if i != out {
				seed = append(seed, i)
			}
		}
		next := s.greedy(append(seed, with), false)
		if next.value < r.value-eps || (next.value < r.value+eps && next.cost >= r.cost) {
			break // cannot happen: the swap itself improves
		}
		r = next
	}
	return r
}

func (s *solver) pop() {
	n := len(s.heap) - 1
	s.heap[0] = s.heap[n]
	s.heap = s.heap[:n]
	if n > 0 {
		s.down(0)
	}
}

// order re-runs greedy within a chosen set (all of it fits the budget) so
// the plan lists options by marginal households per VND; it keeps the
// covered households and drops options that add none.
func (s *solver) order(set []int) run {
	pool := slices.Clone(set)
	slices.Sort(pool)
	r := s.greedyOver(pool, nil, math.Inf(1), false)
	// Options that add nothing to the others are dropped: paying for them
	// would only raise the cost.
	r.cost = 0
	for _, i := range r.chosen {
		r.cost += s.cost[i]
	}
	return r
}

// online returns f(S) + the fractional knapsack of marginal gains over the
// affordable options with the full budget, for the current covered set S.
func (s *solver) online() float64 {
	s.ks = s.ks[:0]
	extra := 0.0
	for _, i := range s.affordable {
		g := s.sum(s.inst.Options[i].Covers)
		if g <= 0 {
			continue
		}
		if s.cost[i] <= 0 {
			extra += g
			continue
		}
		s.ks = append(s.ks, ksItem{g, s.cost[i]})
	}
	slices.SortFunc(s.ks, func(a, b ksItem) int { return cmp.Compare(b.gain/b.cost, a.gain/a.cost) })
	left := s.budget
	for _, it := range s.ks {
		if it.cost <= left {
			extra += it.gain
			left -= it.cost
			continue
		}
		extra += it.gain * left / it.cost
		break
	}
	return s.value + extra
}

// coverable returns the households of elements some affordable option
// covers.
func (s *solver) coverable() float64 {
	s.reset()
	for _, i := range s.affordable {
		s.take(i)
	}
	v := s.value
	s.reset()
	return v
}
