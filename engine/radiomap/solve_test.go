package radiomap

import (
	"math"
	"testing"
)

// rootOfDecreasing finds known roots: of −x³ − x + 10 (2, where Newton
// converges quadratically: a handful of evaluations), of −atan(x − 1)
// from far away (1: Newton's step overshoots by orders of magnitude
// there, the bracket's midpoint takes over until it holds), and of a
// linear function in one step.
func TestRootOfDecreasing(t *testing.T) {
	for _, c := range []struct {
		name     string
		derivs   func(float64) (float64, float64)
		x0, want float64
		maxEvals int
	}{
		{"cubic", func(x float64) (float64, float64) { return -x*x*x - x + 10, -3*x*x - 1 }, 0, 2, 12},
		{"atan far", func(x float64) (float64, float64) { return -math.Atan(x - 1), -1 / (1 + (x-1)*(x-1)) }, 40, 1, 80},
		{"atan near", func(x float64) (float64, float64) { return -math.Atan(x - 1), -1 / (1 + (x-1)*(x-1)) }, 1.5, 1, 8},
		{"linear", func(x float64) (float64, float64) { return 3 - 0.5*x, -0.5 }, -7, 6, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			evals := 0
			got := rootOfDecreasing(func(x float64) (float64, float64) { evals++; return c.derivs(x) }, c.x0)
			if math.Abs(got-c.want) > 1e-9 {
				t.Errorf("root %v, want %v", got, c.want)
			}
			if evals > c.maxEvals {
				t.Errorf("%d evaluations, want at most %d", evals, c.maxEvals)
			}
		})
	}
}

// maximize finds known maxima: of −(x − 2)² on [0, 5], sin on [0, π]
// (π/2), the log-likelihood of a normal variance σ² = e^x for a sample
// of sum of squares 12 over 4 points (σ² = 3: x = log 3), and of a
// function increasing over the whole bracket (its end); the smooth ones
// in at most 20 evaluations, where golden section needs about 40 to
// narrow these brackets to 10⁻⁸.
func TestMaximize(t *testing.T) {
	for _, c := range []struct {
		name     string
		f        func(float64) float64
		a, b     float64
		want     float64
		maxEvals int
	}{
		{"parabola", func(x float64) float64 { return -(x - 2) * (x - 2) }, 0, 5, 2, 20},
		{"sine", math.Sin, 0, math.Pi, math.Pi / 2, 20},
		{"normal variance", func(x float64) float64 { return -0.5*12/math.Exp(x) - 0.5*4*x }, math.Log(0.25), math.Log(16), math.Log(3), 20},
		{"increasing", func(x float64) float64 { return x }, -1, 1, 1, 80},
	} {
		t.Run(c.name, func(t *testing.T) {
			evals := 0
			got := maximize(func(x float64) float64 { evals++; return c.f(x) }, c.a, c.b, 1e-8)
			if math.Abs(got-c.want) > 1e-6 {
				t.Errorf("maximum at %v, want %v", got, c.want)
			}
			if evals > c.maxEvals {
				t.Errorf("%d evaluations, want at most %d", evals, c.maxEvals)
			}
		})
	}
}
