package scorecard

import "math"

// The number of villages truly without 3G/4G in an area, given each
// village's probability of being so (its p_dead), is a sum of independent
// Bernoulli variables: a Poisson-binomial variable. Its distribution gives
// target 1 its interval (CountInterval), as the survey and the binomial
// counts give the others theirs.
//
// Assumption, stated where it is used: the villages' outcomes are taken as
// independent given their probabilities. Neighbouring villages share
// terrain and sites, so their outcomes correlate positively, which widens
// the true spread: the interval is then a lower estimate of the
// uncertainty, not an upper one.

// CountConfidence is the coverage of target 1's interval: the central 90%
// of the distribution of the villages truly without 3G/4G.
const CountConfidence = 0.90

// pmfTail is the probability mass below which the distribution's upper
// tail is dropped while it is built: the count's support stays near its
// mean plus a few standard deviations (most villages' p_dead are near 0)
// instead of growing to the number of villages.
const pmfTail = 1e-12

// CountPMF returns the distribution of the number of successes among
// independent trials of probabilities ps (each clamped to [0, 1]; NaN
// counts as 0): out[k] = P(K = k), by the exact recursion
// P_i(k) = P_{i−1}(k)·(1 − p_i) + P_{i−1}(k − 1)·p_i, its upper tail
// beyond pmfTail trimmed as it goes (the mass trimmed is below
// len(ps)·pmfTail). With every p equal it is the binomial distribution.
func CountPMF(ps []float64) []float64 {
	pmf := make([]float64, 1, 64)
	pmf[0] = 1
	for _, p := range ps {
		if math.IsNaN(p) || p <= 0 {
			continue
		}
		p = math.Min(p, 1)
		pmf = append(pmf, 0)
		for k := len(pmf) - 1; k > 0; k-- {
			pmf[k] = pmf[k]*(1-p) + pmf[k-1]*p
		}
		pmf[0] *= 1 - p
		pmf = trimTail(pmf)
	}
	return pmf
}

// trimTail drops a distribution's upper tail below pmfTail (keeping
// P(K = 0)).
func trimTail(pmf []float64) []float64 {
	for len(pmf) > 1 && pmf[len(pmf)-1] < pmfTail {
		pmf = pmf[:len(pmf)-1]
	}
	return pmf
}

// Convolve returns the distribution of the sum of two independent counts
// of distributions a and b.
func Convolve(a, b []float64) []float64 {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	out := make([]float64, len(a)+len(b)-1)
	for i, x := range a {
		if x == 0 {
			continue
		}
		for j, y := range b {
			out[i+j] += x * y
		}
	}
	return trimTail(out)
}

// CountInterval returns the central interval of a count's distribution at
// confidence conf: the smallest k with P(K ≤ k) ≥ (1 − conf)/2 and the
// smallest with P(K ≤ k) ≥ (1 + conf)/2 (NaN, NaN for no distribution).
func CountInterval(pmf []float64, conf float64) (lower, upper float64) {
	if len(pmf) == 0 {
		return math.NaN(), math.NaN()
	}
	lo, hi := (1-conf)/2, (1+conf)/2
	lower, upper = math.NaN(), float64(len(pmf)-1)
	var cdf float64
	for k, x := range pmf {
		cdf += x
		if math.IsNaN(lower) && cdf >= lo-1e-12 {
			lower = float64(k)
		}
		if cdf >= hi-1e-12 {
			return lower, float64(k)
		}
	}
	return lower, upper
}

// CountMean returns the mean of a count's distribution.
func CountMean(pmf []float64) float64 {
	var m float64
	for k, x := range pmf {
		m += float64(k) * x
	}
	return m
}
