package radiomap

import (
	"math"
	"testing"
)

// expNeg against math.Exp: relative error at most 10⁻¹⁵ over the range
// the covariances use (distance over range from 0 to well beyond the
// table) and at the table's knots, exact at 0, and math.Exp's answer for
// arguments outside the table (negative, huge, NaN).
func TestExpNeg(t *testing.T) {
	worst := 0.0
	check := func(x float64) {
		got, want := expNeg(x), math.Exp(-x)
		if want == 0 {
			if got != 0 {
				t.Fatalf("expNeg(%g) = %g, want 0", x, got)
			}
			return
		}
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	for i := 0; i <= 2_000_000; i++ {
		check(float64(i) * 1e-4 * math.Pi / 3) // 0 … ≈ 209
	}
	for i := 0; i <= expNegMax*expNegSteps; i++ {
		k := float64(i) / expNegSteps
		check(k)
		check(math.Nextafter(k, 0))
		check(math.Nextafter(k, math.Inf(1)))
	}
	if worst > 1e-15 {
		t.Errorf("relative error up to %g, want ≤ 1e-15", worst)
	}
	if expNeg(0) != 1 {
		t.Errorf("expNeg(0) = %v, want 1", expNeg(0))
	}
	for _, x := range []float64{-1, -0.25, 700, 800, math.Inf(1)} {
		if got, want := expNeg(x), math.Exp(-x); got != want {
			t.Errorf("expNeg(%g) = %g, want math.Exp's %g", x, got, want)
		}
	}
	if !math.IsNaN(expNeg(math.NaN())) {
		t.Error("expNeg(NaN) is not NaN")
	}
	t.Logf("largest relative error %.3g", worst)
}

func BenchmarkExpNeg(b *testing.B) {
	s := 0.0
	for i := 0; b.Loop(); i++ {
		s += expNeg(float64(i&4095) / 97)
	}
	_ = s
}

func BenchmarkMathExp(b *testing.B) {
	s := 0.0
	for i := 0; b.Loop(); i++ {
		s += math.Exp(-float64(i&4095) / 97)
	}
	_ = s
}
