package predict

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestCalibrateExact(t *testing.T) {
	// Noise-free synthetic data: measured = predicted + 4 − 7·(log d − 0.5).
	pred := []float64{-80, -90, -100, -110, -95}
	logd := []float64{0, 0.25, 0.5, 0.75, 1}
	meas := make([]float64, len(pred))
	for i := range pred {
		meas[i] = pred[i] + 4 - 7*(logd[i]-0.5)
	}
	f, err := Calibrate(pred, meas, logd, true)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "offset", f.OffsetDB, 4, 1e-12)
	near(t, "slope", f.SlopeDB, -7, 1e-12)
	near(t, "ref", f.RefLog10D, 0.5, 1e-15)
	near(t, "rmse after", f.RMSEAfterDB, 0, 1e-12)
	// Before: residuals 4 + {3.5, 1.75, 0, −1.75, −3.5}; mean square
	// 16 + (2·12.25 + 2·3.0625)/5 = 22.125.
	near(t, "rmse before", f.RMSEBeforeDB, math.Sqrt(22.125), 1e-12)
	if !f.SlopeFitted {
		t.Error("slope not fitted")
	}
	near(t, "apply", f.Apply(-100, 1), -100+4-3.5, 1e-12)
	// Offset only: the mean residual, 4 dB; σ is the residuals' sample sd.
	f, _ = Calibrate(pred, meas, logd, false)
	near(t, "offset-only", f.OffsetDB, 4, 1e-12)
	near(t, "offset-only sigma", f.SigmaDB, math.Sqrt((2*12.25+2*3.0625)/4), 1e-12)
}

func TestCalibrateNoisy(t *testing.T) {
	// 2,000 pairs with offset −6 dB, slope 10 dB/decade and σ = 8 dB
	// Gaussian noise from a seeded generator; the estimates must land
	// within about four standard errors (offset se = 8/√2000 = 0.18 dB,
	// slope se ≈ 8/(√2000·0.577) = 0.31 dB/decade for log d uniform on 0–2).
	rng := rand.New(rand.NewPCG(42, 0))
	n := 2000
	pred, meas, logd := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		logd[i] = 2 * rng.Float64()
		pred[i] = -70 - 35*logd[i]
		meas[i] = pred[i] - 6 + 10*(logd[i]-1) + 8*rng.NormFloat64()
	}
	f, err := Calibrate(pred, meas, logd, true)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "offset", f.OffsetDB+f.SlopeDB*(1-f.RefLog10D), -6, 0.8)
	near(t, "slope", f.SlopeDB, 10, 1.3)
	near(t, "sigma", f.SigmaDB, 8, 0.5)
	if !(f.RMSEAfterDB < f.RMSEBeforeDB) {
		t.Errorf("rmse after %g not below before %g", f.RMSEAfterDB, f.RMSEBeforeDB)
	}
}

func TestCalibrateDegenerate(t *testing.T) {
	if _, err := Calibrate(nil, nil, nil, true); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("no pairs: %v", err)
	}
	if _, err := Calibrate([]float64{1}, []float64{1, 2}, []float64{1}, true); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("ragged: %v", err)
	}
	if _, err := Calibrate([]float64{1}, []float64{math.NaN()}, []float64{1}, true); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("NaN: %v", err)
	}
	f, err := Calibrate([]float64{-100}, []float64{-97}, []float64{0.3}, true)
	if err != nil {
		t.Fatal(err)
	}
	if f.SlopeFitted || f.OffsetDB != 3 || !math.IsNaN(f.SigmaDB) || f.RMSEAfterDB != 0 || f.RMSEBeforeDB != 3 {
		t.Errorf("one pair: %+v", f)
	}
	// Constant distance: offset only, even when a slope is asked for.
	f, err = Calibrate([]float64{-100, -100, -100}, []float64{-98, -96, -100}, []float64{0.7, 0.7, 0.7}, true)
	if err != nil {
		t.Fatal(err)
	}
	if f.SlopeFitted || f.SlopeDB != 0 {
		t.Errorf("constant distance fitted a slope: %+v", f)
	}
	near(t, "constant-distance offset", f.OffsetDB, 2, 1e-12)
	near(t, "constant-distance sigma", f.SigmaDB, 2, 1e-12)
}
