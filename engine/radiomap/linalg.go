package radiomap

import "math"

// cholesky factors the n×n symmetric positive-definite row-major matrix a
// in place into its lower triangle L (a = L·Lᵀ); the strict upper triangle
// is left as it was. It reports false when a pivot is not positive.
func cholesky(a []float64, n int) bool {
	for j := 0; j < n; j++ {
		rj := a[j*n : j*n+n]
		s := rj[j]
		for k := 0; k < j; k++ {
			s -= rj[k] * rj[k]
		}
		if !(s > 0) {
			return false
		}
		d := math.Sqrt(s)
		rj[j] = d
		for i := j + 1; i < n; i++ {
			ri := a[i*n : i*n+n]
			t := ri[j]
			for k := 0; k < j; k++ {
				t -= ri[k] * rj[k]
			}
			ri[j] = t / d
		}
	}
	return true
}

// forward solves L·x = b in place (b becomes x) for the lower triangle of
// the n×n row-major l.
func forward(l []float64, n int, b []float64) {
	for i := 0; i < n; i++ {
		ri := l[i*n : i*n+i]
		s := b[i]
		for k, v := range ri {
			s -= v * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// forwardCols solves L·X = B in place for the n×m row-major B.
func forwardCols(l []float64, n int, b []float64, m int) {
	for i := 0; i < n; i++ {
		bi := b[i*m : i*m+m]
		for k := 0; k < i; k++ {
			v := l[i*n+k]
			if v == 0 {
				continue
			}
			bk := b[k*m : k*m+m]
			for c := range bi {
				bi[c] -= v * bk[c]
			}
		}
		inv := 1 / l[i*n+i]
		for c := range bi {
			bi[c] *= inv
		}
	}
}

// normPDF is the standard normal density.
func normPDF(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// normCDF is the standard normal distribution function.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// truncUpper returns the moments of a standard normal Z truncated to
// Z ≤ α: E[Z | Z ≤ α] = −λ and Var[Z | Z ≤ α] = δ, with the inverse Mills
// ratio λ = φ(α)/Φ(α) and δ = 1 − αλ − λ². Below α = −30 (where the direct
// ratio loses precision) λ uses the asymptotic series
// −α/(1 − α⁻² + 3α⁻⁴ − 15α⁻⁶ + 105α⁻⁸) (Abramowitz & Stegun 26.2.12) and δ
// its series 1/α² − 6/α⁴ + ...; δ is kept in (0, 1].
func truncUpper(alpha float64) (lambda, delta float64) {
	switch {
	case alpha > 40:
		return 0, 1 // Φ(α) = 1 to double precision: no truncation
	case alpha >= -30:
		lambda = normPDF(alpha) / normCDF(alpha)
		delta = 1 - alpha*lambda - lambda*lambda
	default:
		a2 := 1 / (alpha * alpha)
		lambda = -alpha / (1 - a2 + 3*a2*a2 - 15*a2*a2*a2 + 105*a2*a2*a2*a2)
		// Var of Z | Z ≤ α for α → −∞: α⁻² − 6α⁻⁴ + 50α⁻⁶ (from the same series).
		delta = a2 - 6*a2*a2 + 50*a2*a2*a2
	}
	if delta > 1 {
		delta = 1
	}
	if !(delta > 0) {
		delta = math.SmallestNonzeroFloat64
	}
	return lambda, delta
}
