// Package sigfig rounds values to significant digits, for statistics kept
// or written no finer than they are known.
package sigfig

import "math"

// Round rounds v to digits significant digits (v ≤ 0, NaN and ±Inf are
// returned as they are): within half a unit of the last digit kept,
// 5·10^-digits of v at most. Below 10^(digits-1) it multiplies by the exact
// power of ten instead of dividing by an inexact one, so 10.04 to four
// digits stays 10.04, not 10.040000000000001.
func Round(v float64, digits int) float64 {
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	e := math.Floor(math.Log10(v)) - float64(digits-1)
	if e < 0 {
		p := math.Pow(10, -e)
		return math.Round(v*p) / p
	}
	s := math.Pow(10, e)
	return math.Round(v/s) * s
}
