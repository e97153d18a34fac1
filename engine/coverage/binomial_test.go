package coverage

import (
	"math"
	"testing"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			t.Errorf("%s = %v, want NaN", name, got)
		}
		return
	}
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (±%g)", name, got, want, tol)
	}
}

// Known upper tails P(X ≥ k | n, p = 0.1). The first two are in standard
// binomial tables (e.g. 1 − 0.99144 = 0.00856 for n = 5, and 1 − 0.73610 =
// 0.26390 for n = 10, from the cumulative tables of any statistics text);
// all equal R's 1 − pbinom(k − 1, n, 0.1) and were checked against exact
// rational sums Σ C(n,i)·(1/10)^i·(9/10)^(n−i) to the digits given.
var upperTails = []struct {
	k, n int64
	want float64
}{
	{3, 5, 0.00856},
	{2, 10, 0.2639010709},
	{1, 5, 0.40951},
	{2, 5, 0.08146},
	{3, 10, 0.0701908264},
	{4, 10, 0.0127951984},
	{4, 20, 0.1329533234},
	{5, 20, 0.04317449528},
	{9, 50, 0.05786720572},
	{10, 50, 0.0245379357},
	{15, 100, 0.07257296526},
	{16, 100, 0.03989052711},
	{8, 30, 0.007783619238},
	{0, 5, 1},
	{6, 5, 0},
	{5, 5, 1e-5},
}

func TestUpperTailKnownAnswers(t *testing.T) {
	for _, c := range upperTails {
		near(t, "UpperTail", UpperTail(c.k, c.n, 0.1), c.want, 1e-10)
		near(t, "UpperTailExact", UpperTailExact(c.k, c.n, 0.1), c.want, 1e-10)
	}
}

// The two implementations agree everywhere, including far tails where
// 1 − CDF has only absolute accuracy. The tolerance is relative 1e-10:
// log C(n, i) from Lgamma carries an absolute error near eps·lgamma(n+1)
// (about 3e-12 at n = 2000), which the exponent turns into a relative one.
func TestUpperTailCrossCheck(t *testing.T) {
	for _, n := range []int64{1, 5, 7, 20, 99, 500, 2000} {
		for _, p := range []float64{0.01, 0.1, 0.3, 0.5} {
			for k := int64(0); k <= n+1; k += 1 + n/40 {
				a, b := UpperTail(k, n, p), UpperTailExact(k, n, p)
				if math.Abs(a-b) > 1e-10*b+1e-15 {
					t.Errorf("n=%d p=%g k=%d: gonum %.15g, exact %.15g", n, p, k, a, b)
				}
			}
		}
	}
	for _, f := range []func(int64, int64, float64) float64{UpperTail, UpperTailExact} {
		near(t, "p=0", f(1, 5, 0), 0, 0)
		near(t, "p=1", f(5, 5, 1), 1, 0)
		near(t, "bad p", f(1, 5, 1.5), math.NaN(), 0)
		near(t, "bad n", f(1, -1, 0.1), math.NaN(), 0)
	}
}

// Critical failure counts at p0 = 0.1, α = 0.05: the smallest k with
// 1 − pbinom(k − 1, n, 0.1) < 0.05 (values above; e.g. n = 20: P(X ≥ 4) =
// 0.1330, P(X ≥ 5) = 0.0432).
func TestCriticalFailures(t *testing.T) {
	for _, c := range []struct{ n, k int64 }{
		{1, 2}, {5, 3}, {10, 4}, {20, 5}, {50, 10}, {100, 16},
	} {
		if got := CriticalFailures(c.n, 0.1, 0.05); got != c.k {
			t.Errorf("CriticalFailures(%d) = %d, want %d", c.n, got, c.k)
		}
	}
}
