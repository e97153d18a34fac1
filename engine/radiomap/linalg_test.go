package radiomap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// plainCholesky and plainForwardCols are the textbook loops, one row and
// one column at a time: the reference the blocked ones must equal.
func plainCholesky(a []float64, n int) bool {
	for j := 0; j < n; j++ {
		s := a[j*n+j]
		for k := 0; k < j; k++ {
			s -= a[j*n+k] * a[j*n+k]
		}
		if !(s > 0) {
			return false
		}
		d := math.Sqrt(s)
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			t := a[i*n+j]
			for k := 0; k < j; k++ {
				t -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = t / d
		}
	}
	return true
}

func plainForwardCols(l []float64, n int, b []float64, m int) {
	for i := 0; i < n; i++ {
		for k := 0; k < i; k++ {
			if v := l[i*n+k]; v != 0 {
				for c := 0; c < m; c++ {
					b[i*m+c] -= v * b[k*m+c]
				}
			}
		}
		inv := 1 / l[i*n+i]
		for c := 0; c < m; c++ {
			b[i*m+c] *= inv
		}
	}
}

// TestCholeskyForwardMatchPlainLoops: the blocked factorisation and
// solve give the textbook loops' results to the bit, at sizes around
// their blocks and with zeros in the factor (which forwardCols skips).
func TestCholeskyForwardMatchPlainLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 4, 5, 8, 9, 31, 49, 64} {
		for _, m := range []int{1, 3, 4, 5, 15} {
			a := make([]float64, n*n)
			for i := range n {
				for j := 0; j <= i; j++ {
					v := rng.NormFloat64()
					if i == j {
						v = float64(n) + rng.Float64()
					}
					a[i*n+j], a[j*n+i] = v, v
				}
			}
			got, want := append([]float64(nil), a...), append([]float64(nil), a...)
			if cholesky(got, n) != plainCholesky(want, n) {
				t.Fatalf("n=%d: the two factorisations disagree on success", n)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("n=%d: factor entry %d = %v, want %v", n, i, got[i], want[i])
				}
			}
			for i := 1; i < n; i += 3 {
				got[i*n+i/2] = 0 // zeros forwardCols skips
			}
			b := make([]float64, n*m)
			for i := range b {
				b[i] = rng.NormFloat64() * 10
			}
			x, y := append([]float64(nil), b...), append([]float64(nil), b...)
			forwardCols(got, n, x, m)
			plainForwardCols(got, n, y, m)
			for i := range x {
				if x[i] != y[i] {
					t.Fatalf("n=%d m=%d: solution entry %d = %v, want %v", n, m, i, x[i], y[i])
				}
			}
		}
	}
	// A matrix that is not positive definite is refused by both.
	bad := []float64{1, 2, 2, 1}
	if cholesky(append([]float64(nil), bad...), 2) || plainCholesky(append([]float64(nil), bad...), 2) {
		t.Error("an indefinite matrix factored")
	}
}

func BenchmarkCholesky(b *testing.B) {
	const n = 49
	rng := rand.New(rand.NewPCG(1, 2))
	a := make([]float64, n*n)
	for i := range n {
		for j := 0; j <= i; j++ {
			v := rng.Float64()
			if i == j {
				v += n
			}
			a[i*n+j], a[j*n+i] = v, v
		}
	}
	c := make([]float64, len(a))
	for b.Loop() {
		copy(c, a)
		cholesky(c, n)
	}
}

func BenchmarkForwardCols(b *testing.B) {
	const n, m = 49, 15
	rng := rand.New(rand.NewPCG(1, 2))
	l := make([]float64, n*n)
	for i := range n {
		for j := 0; j < i; j++ {
			l[i*n+j] = rng.Float64()
		}
		l[i*n+i] = n
	}
	x := make([]float64, n*m)
	y := make([]float64, n*m)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for b.Loop() {
		copy(y, x)
		forwardCols(l, n, y, m)
	}
}
