package deadzone

import (
	"cmp"
	"math"
	"slices"
)

// ListExpectation is what the villages' own P(dead) say about the list of
// villages without 3G/4G drawn from them: how many of those listed are
// expected to be truly without, how many truly without are expected among
// the villages counted as served, and the precision, recall and F1 the
// list is expected to score. A planner reads it as the list's own error
// bar: a province with 12 villages listed and 9 more expected among its
// served ones has a list to complete (campaign says where to test), not
// to act on as it stands.
//
// Only the villages decided by their own verdict (VillageStatus.HasVerdict)
// have a P(dead); the others, decided by their hexes' level, are counted
// (Villages, ListedByHexes) but enter no expectation.
//
// Assumptions. The P(dead) are taken as calibrated: a village with P(dead)
// p is truly without 3G/4G with probability p. Under that assumption
// ExpectedDead = Σ p and ExpectedDeadListed = Σ p over the listed villages
// are exact expectations (linearity; the villages' outcomes may be
// correlated, as neighbouring villages share their shadowing), and so is
// Precision (the number listed is fixed). Recall and F1 are ratios of
// expectations (E[TP]/E[dead], 2·E[TP]/(listed + E[dead])), not
// expectations of ratios: they differ by the ratios' curvature, which is
// small when tens of villages are expected dead and grows for a handful
// (the tests check both against simulated outcomes). Where the P(dead)
// are not calibrated the figures inherit the error: the demo's
// evaluation.json sets them beside the truth (expected).
type ListExpectation struct {
	// Villages counts every village; WithPDead those with a P(dead).
	Villages, WithPDead int
	// Listed are the villages with a P(dead) that are without signal (at
	// or above the cut); ListedByHexes the villages without signal that
	// have no P(dead) (decided by their hexes).
	Listed, ListedByHexes int
	// ExpectedDead is Σ P(dead) over the villages with one: the number
	// expected truly without 3G/4G. ExpectedDeadListed is the same sum
	// over the Listed villages (the expected true positives).
	ExpectedDead, ExpectedDeadListed float64
	// HouseholdsListed are the Listed villages' households;
	// ExpectedHouseholdsDead is Σ P(dead)·households over the villages
	// with a P(dead), ExpectedHouseholdsDeadListed the same over the
	// Listed.
	HouseholdsListed, ExpectedHouseholdsDead, ExpectedHouseholdsDeadListed float64
}

// Add counts v.
func (e *ListExpectation) Add(v VillageStatus) {
	e.Villages++
	if !v.HasVerdict {
		if v.WithoutSignal() {
			e.ListedByHexes++
		}
		return
	}
	p, hh := v.Verdict.PDead, v.Households
	e.WithPDead++
	e.ExpectedDead += p
	e.ExpectedHouseholdsDead += p * hh
	if v.WithoutSignal() {
		e.Listed++
		e.ExpectedDeadListed += p
		e.HouseholdsListed += hh
		e.ExpectedHouseholdsDeadListed += p * hh
	}
}

// ExpectedMissed is the number of villages truly without 3G/4G expected
// among those with a P(dead) counted as served: ExpectedDead −
// ExpectedDeadListed.
func (e ListExpectation) ExpectedMissed() float64 {
	return max(0, e.ExpectedDead-e.ExpectedDeadListed)
}

// ExpectedHouseholdsMissed are the households of the villages truly
// without 3G/4G expected among those counted as served.
func (e ListExpectation) ExpectedHouseholdsMissed() float64 {
	return max(0, e.ExpectedHouseholdsDead-e.ExpectedHouseholdsDeadListed)
}

// Precision is the expected share of the Listed villages truly without
// 3G/4G; NaN when none is listed (nothing to be right or wrong about).
func (e ListExpectation) Precision() float64 {
	if e.Listed == 0 {
		return math.NaN()
	}
	return e.ExpectedDeadListed / float64(e.Listed)
}

// Recall is the expected share of the villages truly without 3G/4G that
// the list holds (a ratio of expectations); NaN when none is expected.
func (e ListExpectation) Recall() float64 {
	if !(e.ExpectedDead > 0) {
		return math.NaN()
	}
	return e.ExpectedDeadListed / e.ExpectedDead
}

// F1 is the list's expected F1 as the ratio of expectations
// 2·E[TP]/(Listed + E[dead]); NaN when nothing is listed and nothing
// expected.
func (e ListExpectation) F1() float64 {
	d := float64(e.Listed) + e.ExpectedDead
	if !(d > 0) {
		return math.NaN()
	}
	return 2 * e.ExpectedDeadListed / d
}

// ExpectList returns the expectation of the whole list of villages.
func ExpectList(villages []VillageStatus) ListExpectation {
	var e ListExpectation
	for _, v := range villages {
		e.Add(v)
	}
	return e
}

// UnitExpectation is the expectation of one unit's villages.
type UnitExpectation struct {
	Code string
	ListExpectation
}

// ExpectByProvince returns the expectation of each province's villages
// (VillageStatus.Province), by code; the villages without a province form
// the unit of code "".
func ExpectByProvince(villages []VillageStatus) []UnitExpectation {
	by := map[string]*UnitExpectation{}
	for _, v := range villages {
		u := by[v.Province]
		if u == nil {
			u = &UnitExpectation{Code: v.Province}
			by[v.Province] = u
		}
		u.Add(v)
	}
	out := make([]UnitExpectation, 0, len(by))
	for _, u := range by {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b UnitExpectation) int { return cmp.Compare(a.Code, b.Code) })
	return out
}
