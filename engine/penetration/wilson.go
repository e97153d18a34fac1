package penetration

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Wilson returns the Wilson score interval for x successes in n trials at
// two-sided confidence conf (e.g. 0.95):
//
//	centre = (p̂ + z²/2n) / (1 + z²/n)
//	half   = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²)
//
// with p̂ = x/n and z the standard normal quantile at (1+conf)/2. It
// assumes x ~ Binomial(n, p) with independent trials. Unlike the Wald
// interval it stays inside [0, 1] and is not degenerate at x = 0 or x = n
// (0/10 at 95% gives [0, 0.2775]). With n = 0 it returns [0, 1].
// x and n may be non-integer (weighted counts). It panics when conf is not
// in (0, 1) or x is outside [0, n]: that is a programmer error.
func Wilson(x, n, conf float64) (lo, hi float64) {
	if !(conf > 0 && conf < 1) || !(x >= 0 && x <= n) {
		panic("penetration: Wilson: need 0 < conf < 1 and 0 <= x <= n")
	}
	if n == 0 {
		return 0, 1
	}
	z := distuv.UnitNormal.Quantile((1 + conf) / 2)
	p := x / n
	z2 := z * z
	den := 1 + z2/n
	c := (p + z2/(2*n)) / den
	h := z / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	lo, hi = c-h, c+h
	// At x = 0 (x = n) the bound is exactly 0 (1); remove rounding noise.
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return max(lo, 0), min(hi, 1)
}

// Proportion returns x/n with its Wilson interval at confidence conf as an
// Estimate. It is unknown (NaN) when n is NaN or 0 or x is NaN; x > n is
// reported as an issue and the value (above 1) is kept, with the interval
// left NaN because no binomial interval exists for it.
func Proportion(x, n, conf float64, method string) Estimate {
	switch {
	case math.IsNaN(x) || math.IsNaN(n):
		return unknown(method, "count missing")
	case n == 0:
		return unknown(method, "denominator is zero")
	case x < 0 || n < 0:
		return unknown(method, "negative count")
	}
	e := Estimate{Value: x / n, Confidence: conf, Interval: IntervalWilson, Method: method,
		Assumptions: []string{"counts are binomial: each unit independently has the property with the same probability"}}
	if x > n {
		e.Lower, e.Upper, e.Confidence, e.Interval = math.NaN(), math.NaN(), 0, IntervalNone
		e.Impossible = true
		e.Issues = append(e.Issues, "share above 100%: numerator exceeds denominator (data problem, not clipped)")
		return e
	}
	e.Lower, e.Upper = Wilson(x, n, conf)
	return e
}
