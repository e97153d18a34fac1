package radiomap

import (
	"math"
	"slices"
)

// epTol is the convergence threshold of expectation propagation: a sweep
// whose largest site change, relative to the marginal it acts on, is below
// it is the last.
const epTol = 1e-7

// censoredUpdate conditions the Gaussian N(mu, S) of nz latent variables
// (the q targets, then one per censored test) on the censored tests
// y_j = f_{q+j} + ε_j ≤ bound_j, ε_j ~ N(0, noise2_j), by expectation
// propagation with Gaussian sites on the censored coordinates (Minka 2001;
// Rasmussen & Williams 2006, algorithm 3.5, with the probit likelihood
// Φ((b − f)/τ)). Sites start at zero, so the first sweep is assumed density
// filtering in order j = 0, 1, …; later sweeps, up to sweeps in all,
// revisit each site with its cavity until the sites settle. After each
// sweep S is recomputed from the prior through a Cholesky factor of
// I + S̃½·K·S̃½ (R&W eq. 3.68) so rank-one updates do not accumulate
// rounding. mu and S are overwritten with the result.
//
// A sweep reads only the censored tests' block of S and their means, and
// the rank-one updates of that block involve nothing else, so sweeps
// update that block alone, each site's mean is computed when the site is
// visited, and only the last recomputation covers the targets: every
// entry the result reads sees the operations of updating the whole
// matrix, in the same order. Should a recomputation fail (it cannot for
// S̃ ≥ 0), the sweeps are redone over the whole matrix, which keeps the
// rank-one result of the failed sweep as the whole-matrix computation
// always did.
func censoredUpdate(ws *workspace, mu, S []float64, nz, q int, bounds, noise2 []float64, sweeps int) {
	nc := len(bounds)
	if nc == 0 {
		return
	}
	ws.s0 = grow(ws.s0, nz*nz)
	copy(ws.s0, S)
	ws.mu0 = grow(ws.mu0, nz)
	copy(ws.mu0, mu)
	if epSweeps(ws, mu, S, nz, q, bounds, noise2, sweeps, q) {
		return
	}
	copy(S, ws.s0)
	copy(mu, ws.mu0)
	epSweeps(ws, mu, S, nz, q, bounds, noise2, sweeps, 0)
}

// epSweeps runs the sweeps of censoredUpdate from mu = ws.mu0 and S = ws.s0
// with the rank-one updates on the rows and columns lo… of S: q, the
// censored block, or 0, the whole matrix. With lo > 0 it reports false,
// leaving mu and S undefined, when a recomputation of S fails; with lo = 0
// it keeps the rank-one result of the sweep instead.
func epSweeps(ws *workspace, mu, S []float64, nz, q int, bounds, noise2 []float64, sweeps, lo int) bool {
	nc := len(bounds)
	S0, mu0 := ws.s0, ws.mu0
	// Shift to a zero prior mean: bounds relative to the prior mean.
	ws.bp = grow(ws.bp, nc)
	bp := ws.bp
	for j := range nc {
		bp[j] = bounds[j] - mu0[q+j]
	}
	clear(mu) // now the shifted mean Σ·ν̃
	ws.tt, ws.nt = growZero(ws.tt, nc), growZero(ws.nt, nc)
	tt, nt := ws.tt, ws.nt
	ws.c = grow(ws.c, nz)
	c := ws.c[lo:]
	// stale: mu is not Σ·ν̃ of the current Σ and sites (it is while no
	// site has moved: all zero).
	stale := false
	for sweep := 0; sweep < sweeps; sweep++ {
		change := 0.0
		for j := range nc {
			p := q + j
			if stale {
				mu[p] = siteMeanRow(S[p*nz+q:p*nz+nz], nt)
			}
			s2, mj := S[p*nz+p], mu[p]
			if !(s2 > 0) {
				continue // the latent value is known exactly
			}
			tauCav := 1/s2 - tt[j]
			nuCav := mj/s2 - nt[j]
			if !(tauCav > 0) {
				continue // rounding: no proper cavity, leave the site
			}
			vC := 1 / tauCav
			mC := nuCav * vC
			sy2 := vC + noise2[j]
			sy := math.Sqrt(sy2)
			lambda, delta := truncUpper((bp[j] - mC) / sy)
			vHat := vC - vC*vC*(1-delta)/sy2
			mHat := mC - vC*lambda/sy
			newT := max(1/vHat-tauCav, 0) // ≥ 0: the likelihood is log-concave
			newN := mHat/vHat - nuCav
			dT, dN := newT-tt[j], newN-nt[j]
			change = max(change, max(math.Abs(dT)*s2, math.Abs(dN)*math.Sqrt(s2)))
			tt[j], nt[j] = newT, newN
			// Σ ← Σ − dT/(1 + dT·Σ_pp)·s·sᵀ, s = Σ[:, p]
			copy(c, S[p*nz+lo:p*nz+nz])
			g := dT / (1 + dT*s2)
			for a := range c {
				ga := g * c[a]
				if ga == 0 {
					continue
				}
				row := S[(lo+a)*nz+lo : (lo+a)*nz+nz]
				cb := c[:len(row)]
				for b := range row {
					row[b] -= ga * cb[b]
				}
			}
			stale = true
		}
		last := change < epTol || sweep == sweeps-1
		from := lo
		if last {
			from = 0
		}
		if !recomputeSigma(ws, S, S0, nz, q, tt, from) && lo > 0 {
			return false
		}
		if last {
			siteMean(mu, S, nz, q, nt)
			break
		}
	}
	for a := range mu {
		mu[a] += mu0[a]
	}
	return true
}

// siteMean sets mu = Σ[:, censored]·ν̃.
func siteMean(mu, S []float64, nz, q int, nt []float64) {
	for a := 0; a < nz; a++ {
		mu[a] = siteMeanRow(S[a*nz+q:a*nz+nz], nt)
	}
}

// siteMeanRow returns row·nt, row a row of Σ[:, censored].
func siteMeanRow(row, nt []float64) float64 {
	row = row[:len(nt)]
	s := 0.0
	for j, v := range nt {
		s += row[j] * v
	}
	return s
}

// recomputeSigma sets S = S0 − Vᵀ·V with V = L⁻¹·S̃½·S0[C, :] and
// L·Lᵀ = I + S̃½·S0[C, C]·S̃½ (positive definite for site precisions
// S̃ ≥ 0) on the rows and columns lo… of S, and reports whether the
// factorisation succeeded (S is left as it was when not). The columns of
// V are independent, so those below lo are not computed. Each entry is
// S0's less the products V[i,a]·V[i,b] for which V[i,a] ≠ 0, in
// increasing i; when S0 is symmetric to the bit the entry above the
// diagonal is that below it (the same products in the same order) unless
// one of its columns of V has a zero in a row that is not all zero, and is
// then computed on its own.
func recomputeSigma(ws *workspace, S, S0 []float64, nz, q int, tt []float64, lo int) bool {
	nc := len(tt)
	w := nz - lo
	ws.bb = grow(ws.bb, nc*nc)
	ws.v = grow(ws.v, nc*w)
	ws.st = grow(ws.st, nc)
	B, V, st := ws.bb, ws.v, ws.st
	for j := range nc {
		st[j] = math.Sqrt(tt[j])
	}
	for i := range nc {
		// cholesky reads the lower triangle only.
		s0 := S0[(q+i)*nz : (q+i)*nz+nz]
		for j := 0; j <= i; j++ {
			B[i*nc+j] = st[i] * s0[q+j] * st[j]
		}
		B[i*nc+i]++
		vi := V[i*w : i*w+w]
		for a := range vi {
			vi[a] = st[i] * s0[lo+a]
		}
	}
	if !cholesky(B, nc) {
		return false // cannot happen for S̃ ≥ 0
	}
	forwardCols(B, nc, V, w)
	// The rows of V that are all zero subtract nothing; zero[a]: column a
	// has a zero in another row.
	ws.vz = grow(ws.vz, nc)
	ws.cz = grow(ws.cz, w)
	nonzero, zero := ws.vz[:0], ws.cz
	clear(zero)
	for i := range nc {
		vi := V[i*w : i*w+w]
		if !slices.ContainsFunc(vi, func(v float64) bool { return v != 0 }) {
			continue
		}
		nonzero = append(nonzero, int32(i))
		for a, v := range vi {
			if v == 0 {
				zero[a] = true
			}
		}
	}
	symmetric := true
	for a := lo; a < nz && symmetric; a++ {
		for b := lo; b < a; b++ {
			if math.Float64bits(S0[a*nz+b]) != math.Float64bits(S0[b*nz+a]) {
				symmetric = false
				break
			}
		}
	}
	for a := lo; a < nz; a++ {
		copy(S[a*nz+lo:a*nz+a+1], S0[a*nz+lo:a*nz+a+1])
	}
	// The lower triangle and the diagonal.
	for _, i := range nonzero {
		vi := V[int(i)*w : int(i)*w+w]
		for a, va := range vi {
			if va == 0 {
				continue
			}
			row := S[(lo+a)*nz+lo : (lo+a)*nz+lo+a+1]
			vb := vi[:len(row)]
			for b := range row {
				row[b] -= va * vb[b]
			}
		}
	}
	// The upper triangle.
	for a := 0; a < w; a++ {
		for b := a + 1; b < w; b++ {
			at := (lo+a)*nz + lo + b
			if symmetric && !zero[a] && !zero[b] {
				S[at] = S[(lo+b)*nz+lo+a]
				continue
			}
			s := S0[at]
			for _, i := range nonzero {
				if va := V[int(i)*w+a]; va != 0 {
					s -= va * V[int(i)*w+b]
				}
			}
			S[at] = s
		}
	}
	return true
}
