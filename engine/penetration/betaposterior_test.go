package penetration

import (
	"math"
	"testing"
)

// The smartphone share's credible interval against posteriors whose
// quantiles have a closed form, not against the Beta quantile the function
// itself uses: Beta(½, ½) (the arcsine law, Q(p) = sin²(πp/2)), Beta(1, 2)
// (F(x) = 1 − (1 − x)², Q(p) = 1 − √(1 − p)) and Beta(4, 1) (F(x) = x⁴,
// Q(p) = p^¼), with their means ½, ⅓ and ⅘.
func TestBetaPosteriorKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		name              string
		mu, m, x, n, conf float64
		mean, lo, hi      float64
	}{
		{"Beta(1/2,1/2): the prior of m = 1 at 1/2, no survey", 0.5, 1, 0, 0, 0.9, 0.5,
			math.Pow(math.Sin(math.Pi*0.05/2), 2), math.Pow(math.Sin(math.Pi*0.95/2), 2)},
		{"Beta(1,2): uniform prior, 0 of 1", 0.5, 2, 0, 1, 0.9, 1.0 / 3, 1 - math.Sqrt(0.95), 1 - math.Sqrt(0.05)},
		{"Beta(4,1): uniform prior, 3 of 3", 0.5, 2, 3, 3, 0.8, 0.8, math.Pow(0.1, 0.25), math.Pow(0.9, 0.25)},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := BetaPosterior(c.mu, c.m, c.x, c.n, c.conf)
			near(t, "mean", e.Value, c.mean, 1e-12)
			near(t, "lower", e.Lower, c.lo, 1e-9)
			near(t, "upper", e.Upper, c.hi, 1e-9)
			if e.Confidence != c.conf || e.Interval != IntervalPosterior {
				t.Errorf("%v %s", e.Confidence, e.Interval)
			}
		})
	}
}
