package radiomap

import "math"

// cholesky factors the n×n symmetric positive-definite row-major matrix a
// in place into its lower triangle L (a = L·Lᵀ); the strict upper triangle
// is left as it was. It reports false when a pivot is not positive.
//
// Column j's entries below the pivot are taken four rows at a time (four
// independent dot products over the same pivot row, so the additions'
// latencies overlap), then two, then one; every entry's sum runs in the
// same order as one row at a time, so the factor is the same to the bit
// (TestCholeskyForwardMatchPlainLoops).
func cholesky(a []float64, n int) bool {
	for j := 0; j < n; j++ {
		rj := a[j*n : j*n+n]
		pj := rj[:j]
		s := rj[j]
		for _, v := range pj {
			s -= v * v
		}
		if !(s > 0) {
			return false
		}
		d := math.Sqrt(s)
		rj[j] = d
		i := j + 1
		for ; i+4 <= n; i += 4 {
			r0, r1 := a[i*n:i*n+n], a[(i+1)*n:(i+1)*n+n]
			r2, r3 := a[(i+2)*n:(i+2)*n+n], a[(i+3)*n:(i+3)*n+n]
			p0, p1, p2, p3 := r0[:len(pj)], r1[:len(pj)], r2[:len(pj)], r3[:len(pj)]
			t0, t1, t2, t3 := r0[j], r1[j], r2[j], r3[j]
			for k, v := range pj {
				t0 -= p0[k] * v
				t1 -= p1[k] * v
				t2 -= p2[k] * v
				t3 -= p3[k] * v
			}
			r0[j], r1[j], r2[j], r3[j] = t0/d, t1/d, t2/d, t3/d
		}
		for ; i+2 <= n; i += 2 {
			r0, r1 := a[i*n:i*n+n], a[(i+1)*n:(i+1)*n+n]
			p0, p1 := r0[:len(pj)], r1[:len(pj)]
			t0, t1 := r0[j], r1[j]
			for k, v := range pj {
				t0 -= p0[k] * v
				t1 -= p1[k] * v
			}
			r0[j], r1[j] = t0/d, t1/d
		}
		for ; i < n; i++ {
			ri := a[i*n : i*n+n]
			pi := ri[:len(pj)]
			t := ri[j]
			for k, v := range pj {
				t -= pi[k] * v
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

// forwardCols solves L·X = B in place for the n×m row-major B. Row i of X
// subtracts the rows k < i with a nonzero L[i,k], in increasing k, four
// rows per pass over its entries: each entry sees the same operations in
// the same order as one row per pass.
func forwardCols(l []float64, n int, b []float64, m int) {
	for i := 0; i < n; i++ {
		bi := b[i*m : i*m+m]
		li := l[i*n : i*n+i]
		var grp [4]int
		g := 0
		for k, v := range li {
			if v == 0 {
				continue
			}
			grp[g] = k
			if g++; g < len(grp) {
				continue
			}
			g = 0
			v0, v1, v2, v3 := li[grp[0]], li[grp[1]], li[grp[2]], li[grp[3]]
			b0 := b[grp[0]*m : grp[0]*m+m][:len(bi)]
			b1 := b[grp[1]*m : grp[1]*m+m][:len(bi)]
			b2 := b[grp[2]*m : grp[2]*m+m][:len(bi)]
			b3 := b[grp[3]*m : grp[3]*m+m][:len(bi)]
			for c, x := range bi {
				x -= v0 * b0[c]
				x -= v1 * b1[c]
				x -= v2 * b2[c]
				x -= v3 * b3[c]
				bi[c] = x
			}
		}
		for _, k := range grp[:g] {
			v := li[k]
			bk := b[k*m : k*m+m][:len(bi)]
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
