package penetration

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// SpeedHistogram is one key's download speeds as their distinct values
// and how many tests had each: what a pass over the measurements keeps per
// area and month instead of the tests themselves (its memory grows with
// the distinct values, not the tests). Its bootstrap (YoYHistogram) equals
// YoY on the tests it counts, draw for draw.
type SpeedHistogram struct {
	Key    SpeedKey
	Values []float64 // ascending, distinct, finite and ≥ 0
	Counts []int64   // tests per value, > 0
}

// SpeedHistogramOf builds a histogram from value counts; values that are
// NaN, infinite or negative are left out (as YoY leaves them out) and
// counted in dropped.
func SpeedHistogramOf(k SpeedKey, counts map[float64]int64) (h SpeedHistogram, dropped int64) {
	h.Key = k
	for v := range counts {
		if v >= 0 && !math.IsInf(v, 1) && counts[v] > 0 {
			h.Values = append(h.Values, v)
		} else {
			dropped += counts[v]
		}
	}
	slices.Sort(h.Values)
	h.Counts = make([]int64, len(h.Values))
	for i, v := range h.Values {
		h.Counts[i] = counts[v]
	}
	return h, dropped
}

// N returns the number of tests.
func (h SpeedHistogram) N() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// at returns the value of the test of rank r (0-based, ascending).
func (h SpeedHistogram) at(r int64) float64 {
	for i, c := range h.Counts {
		if r < c {
			return h.Values[i]
		}
		r -= c
	}
	return math.NaN()
}

// Median returns the median of the tests (the mean of the two middle ones
// when their number is even); NaN without tests.
func (h SpeedHistogram) Median() float64 {
	n := h.N()
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return h.at(n / 2)
	}
	return (h.at(n/2-1) + h.at(n/2)) / 2
}

// Resampler draws tests from a histogram as YoY draws from the sorted
// tests (index rng.IntN(n)), and takes the median of a resample from its
// counts per value: the bootstrap of a speed histogram's median, here and
// in the scorecard's per-stratum change (scorecard.SpeedChange).
type Resampler struct {
	h    SpeedHistogram
	n    int64
	cum  []int64 // cum[i] = tests with values < Values[i+1]
	hits []int64 // draws per value in the current resample
}

// NewResampler returns a Resampler of h's tests.
func NewResampler(h SpeedHistogram) *Resampler {
	r := &Resampler{h: h, cum: make([]int64, len(h.Counts)), hits: make([]int64, len(h.Counts))}
	for i, c := range h.Counts {
		r.n += c
		r.cum[i] = r.n
	}
	return r
}

// Median draws one resample of the histogram's n tests and returns its
// median.
func (r *Resampler) Median(rng *rand.Rand) float64 {
	clear(r.hits)
	for range r.n {
		j := rng.Int64N(r.n)
		i, _ := slices.BinarySearch(r.cum, j+1) // first i with cum[i] > j
		r.hits[i]++
	}
	return SpeedHistogram{Values: r.h.Values, Counts: r.hits}.Median()
}

// YoYHistogram is YoY on the tests the histograms count: the same
// estimate, interval and issues, with the same rng state, as YoY on the
// expanded tests (each value repeated by its count) — the draws are the
// same indices into the sorted tests — while holding one count per
// distinct value instead of every test.
func (bs Bootstrap) YoYHistogram(cur, prev SpeedHistogram, rng *rand.Rand) (Estimate, error) {
	if err := bs.Validate(); err != nil {
		return Estimate{}, err
	}
	if rng == nil {
		return Estimate{}, fmt.Errorf("penetration: YoY: nil rng: %w", errInvalid)
	}
	nc, np := cur.N(), prev.N()
	if nc < int64(bs.MinSamples) || np < int64(bs.MinSamples) {
		return unknown(MethodSpeedYoY, fmt.Sprintf("too few tests: %d now, %d a year before (need %d each)", nc, np, bs.MinSamples)), nil
	}
	mc, mp := cur.Median(), prev.Median()
	if !(mp > 0) {
		return unknown(MethodSpeedYoY, "median a year before is zero"), nil
	}
	rc, rp := NewResampler(cur), NewResampler(prev)
	r := make([]float64, 0, bs.B)
	for range bs.B {
		a := rc.Median(rng)
		if d := rp.Median(rng); d > 0 {
			r = append(r, a/d-1)
		}
	}
	e := Estimate{Value: mc/mp - 1, Confidence: bs.Confidence, Interval: IntervalBootstrap, Method: MethodSpeedYoY,
		Assumptions: []string{
			"tests within a month are independent draws of the area's speed distribution",
			fmt.Sprintf("%d bootstrap resamples, %d and %d tests", bs.B, nc, np),
		}}
	bs.SetInterval(&e, r)
	return e, nil
}

// ChangesHistogram is Changes on histograms: every histogram paired with
// the one of the same area, carrier and kind twelve months earlier,
// visited in key order, so one seeded rng gives the same output every
// time (and the output of Changes on the expanded tests).
func (bs Bootstrap) ChangesHistogram(hists []SpeedHistogram, rng *rand.Rand) ([]SpeedChange, error) {
	idx := make(map[SpeedKey]int, len(hists))
	for i, h := range hists {
		idx[h.Key] = i
	}
	order := make([]int, len(hists))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return hists[a].Key.compare(hists[b].Key) })
	var out []SpeedChange
	for _, i := range order {
		h := hists[i]
		k := h.Key
		k.Period = k.Period.AddMonths(-12)
		j, ok := idx[k]
		if !ok {
			continue
		}
		e, err := bs.YoYHistogram(h, hists[j], rng)
		if err != nil {
			return nil, err
		}
		out = append(out, SpeedChange{Key: h.Key, Median: h.Median(), MedianYearAgo: hists[j].Median(),
			Tests: int(h.N()), TestsYearAgo: int(hists[j].N()), Change: e})
	}
	return out, nil
}
