package predict

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/lomsong/lomsong/engine"
)

// Fit is a calibration of predictions against measurements: the corrected
// prediction is
//
//	predicted + OffsetDB + SlopeDB·(log10(d) − RefLog10D)
//
// where d is the distance in whatever unit the caller's log10 distances use
// and RefLog10D their mean, so OffsetDB is the mean correction and does not
// depend on the distance unit.
type Fit struct {
	N           int     // number of pairs
	OffsetDB    float64 // correction at the mean log-distance, dB
	SlopeDB     float64 // correction per decade of distance, dB; 0 when not fitted
	RefLog10D   float64 // mean log10 distance of the pairs
	SlopeFitted bool    // false when not asked, or when the distances do not vary
	// SigmaDB is the standard deviation of the residuals after correction,
	// with N − p degrees of freedom (p = 1 or 2 fitted parameters); NaN
	// when N ≤ p.
	SigmaDB      float64
	RMSEBeforeDB float64 // root mean square of measured − predicted
	RMSEAfterDB  float64 // root mean square of measured − corrected
}

// Apply returns the corrected prediction at a log10 distance.
func (f Fit) Apply(predictedDB, log10D float64) float64 {
	return predictedDB + f.OffsetDB + f.SlopeDB*(log10D-f.RefLog10D)
}

// Calibrate fits measured − predicted by least squares: a constant offset,
// and with withSlope also a slope against log10 distance (gonum's
// stat.LinearRegression on the centred log-distances). This corrects a
// model's intercept and its distance exponent, the two terms that absorb
// most local clutter bias.
//
// Degenerate inputs: no pairs is an error wrapping engine.ErrInvalidValue;
// one pair, or distances that are all equal, fit the offset only
// (SlopeFitted false). Slices of different lengths or non-finite values are
// errors wrapping engine.ErrInvalidValue.
func Calibrate(predictedDB, measuredDB, log10D []float64, withSlope bool) (Fit, error) {
	n := len(predictedDB)
	if len(measuredDB) != n || len(log10D) != n {
		return Fit{}, fmt.Errorf("calibrate: %d predictions, %d measurements, %d distances: %w", n, len(measuredDB), len(log10D), engine.ErrInvalidValue)
	}
	if n == 0 {
		return Fit{}, fmt.Errorf("calibrate: no pairs: %w", engine.ErrInvalidValue)
	}
	r := make([]float64, n)
	x := make([]float64, n)
	var ss, sx float64
	for i := range n {
		if !finite(predictedDB[i]) || !finite(measuredDB[i]) || !finite(log10D[i]) {
			return Fit{}, fmt.Errorf("calibrate: pair %d (%g, %g, %g) is not finite: %w", i, predictedDB[i], measuredDB[i], log10D[i], engine.ErrInvalidValue)
		}
		r[i] = measuredDB[i] - predictedDB[i]
		ss += r[i] * r[i]
		sx += log10D[i]
	}
	f := Fit{N: n, RefLog10D: sx / float64(n), RMSEBeforeDB: math.Sqrt(ss / float64(n))}
	varies := false
	for i := range n {
		x[i] = log10D[i] - f.RefLog10D
		if log10D[i] != log10D[0] {
			varies = true
		}
	}
	p := 1
	if withSlope && n >= 2 && varies {
		f.OffsetDB, f.SlopeDB = stat.LinearRegression(x, r, nil, false)
		f.SlopeFitted = true
		p = 2
	} else {
		f.OffsetDB = stat.Mean(r, nil)
	}
	var sse float64
	for i := range n {
		e := r[i] - f.OffsetDB - f.SlopeDB*x[i]
		sse += e * e
	}
	f.RMSEAfterDB = math.Sqrt(sse / float64(n))
	f.SigmaDB = math.NaN()
	if n > p {
		f.SigmaDB = math.Sqrt(sse / float64(n-p))
	}
	return f, nil
}
