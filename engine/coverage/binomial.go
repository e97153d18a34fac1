package coverage

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// UpperTail returns P(X ≥ k) for X ~ Binomial(n, p): the one-sided p-value
// of observing k or more failures in n tests when each fails with
// probability p. It uses gonum's distuv.Binomial survival function,
// P(X ≥ k) = Survival(k − 1) = 1 − CDF(k − 1), where the CDF is the
// regularized incomplete beta function I_{1−p}(n − k + 1, k).
//
// Edge cases: k ≤ 0 gives 1, k > n gives 0. n must be ≥ 0 and p in [0, 1];
// otherwise the result is NaN. The absolute error is that of 1 − CDF, about
// 1e-15, which is far below any significance level used for decisions;
// UpperTailExact computes the same tail independently.
func UpperTail(k, n int64, p float64) float64 {
	if n < 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	if p == 0 {
		return 0
	}
	if p == 1 {
		return 1
	}
	return distuv.Binomial{N: float64(n), P: p}.Survival(float64(k - 1))
}

// UpperTailExact returns P(X ≥ k) for X ~ Binomial(n, p) by summing the
// probability mass function in log space,
//
//	P(X ≥ k) = Σ_{i=k}^{n} C(n, i)·p^i·(1 − p)^(n−i),
//
// with log C(n, i) from math.Lgamma and the sum taken by log-sum-exp, so
// that terms far below the largest do not underflow. It takes O(n − k)
// time and is the independent cross-check of UpperTail (the tests require
// the two to agree to a relative 1e-10); Fuse uses UpperTail. Its relative
// error grows with n: log C(n, i) from Lgamma carries an absolute error
// near machine epsilon times log(n!), about 3e-12 at n = 2000. Edge cases
// as UpperTail.
func UpperTailExact(k, n int64, p float64) float64 {
	if n < 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	if p == 0 {
		return 0
	}
	if p == 1 {
		return 1
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	lgn, _ := math.Lgamma(float64(n) + 1)
	logPMF := func(i int64) float64 {
		a, _ := math.Lgamma(float64(i) + 1)
		b, _ := math.Lgamma(float64(n-i) + 1)
		return lgn - a - b + float64(i)*lp + float64(n-i)*lq
	}
	// The largest term of the tail is at max(k, mode).
	mode := int64(math.Floor(float64(n+1) * p))
	if mode > n {
		mode = n
	}
	top := logPMF(max(k, mode))
	var sum float64
	for i := k; i <= n; i++ {
		sum += math.Exp(logPMF(i) - top)
	}
	return min(1, math.Exp(top+math.Log(sum)))
}

// CriticalFailures returns the smallest number of failures k in n tests
// whose one-sided p-value P(X ≥ k | n, p0) is below alpha: with k or more
// failures a hex is measured-uncovered. It returns n + 1 when no k ≤ n is
// significant (for example n = 1 at p0 = 0.1, alpha = 0.05, since
// P(X ≥ 1) = 0.1). The tail decreases in k, so a binary search suffices.
func CriticalFailures(n int64, p0, alpha float64) int64 {
	lo, hi := int64(0), n+1 // UpperTail(n+1) = 0 < alpha
	for lo < hi {
		mid := lo + (hi-lo)/2
		if UpperTail(mid, n, p0) < alpha {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
