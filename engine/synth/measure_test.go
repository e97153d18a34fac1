package synth

import (
	"math"
	"testing"
)

// Known answers of where crowd tests fall: the village disc of 100
// households (100 000 m²) has radius 178.4 m, so σ 89.2 m; tiny and huge
// villages are held at minHomeSigmaKm and at half the spread. The
// truncated Rayleigh inverse CDF is 0 at u = 0, the truncation radius at
// u → 1, and σ·√(2 ln 2) at the median when the truncation is far.
func TestCrowdTestPlacement(t *testing.T) {
	if got, want := homeSigmaKm(100, 0.3), 0.5*math.Sqrt(100*1000/math.Pi)/1000; math.Abs(got-want) > 1e-12 || math.Abs(got-0.0892) > 1e-4 {
		t.Errorf("homeSigmaKm(100) = %v, want %v", got, want)
	}
	if got := homeSigmaKm(1, 0.3); got != minHomeSigmaKm {
		t.Errorf("homeSigmaKm(1) = %v, want %v", got, minHomeSigmaKm)
	}
	if got := homeSigmaKm(5000, 0.3); got != 0.15 {
		t.Errorf("homeSigmaKm(5000) = %v, want 0.15", got)
	}
	if got := truncRayleighKm(0.1, 0.3, 0); got != 0 {
		t.Errorf("u = 0: %v", got)
	}
	if got := truncRayleighKm(0.1, 0.3, 1-1e-15); math.Abs(got-0.3) > 1e-6 {
		t.Errorf("u → 1: %v, want 0.3", got)
	}
	if got, want := truncRayleighKm(0.1, 100, 0.5), 0.1*math.Sqrt(2*math.Ln2); math.Abs(got-want) > 1e-12 {
		t.Errorf("median: %v, want %v", got, want)
	}
	// Truncated at 0.3 km with σ 0.1: P(r ≤ 0.1) = (1 − e^(−½))/(1 − e^(−4.5)).
	p := -math.Expm1(-0.5) / -math.Expm1(-4.5)
	if got := truncRayleighKm(0.1, 0.3, p); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("at P(r ≤ σ): %v, want 0.1", got)
	}
}
