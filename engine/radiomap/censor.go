package radiomap

import "math"

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
func censoredUpdate(ws *workspace, mu, S []float64, nz, q int, bounds, noise2 []float64, sweeps int) {
	nc := len(bounds)
	if nc == 0 {
		return
	}
	ws.s0 = grow(ws.s0, nz*nz)
	S0 := ws.s0
	copy(S0, S)
	// Shift to a zero prior mean: bounds relative to the prior mean.
	ws.bp = grow(ws.bp, nc)
	bp := ws.bp
	for j := range nc {
		bp[j] = bounds[j] - mu[q+j]
	}
	ws.mu0 = grow(ws.mu0, nz)
	mu0 := ws.mu0
	copy(mu0, mu)
	clear(mu) // now the shifted mean Σ·ν̃
	ws.tt, ws.nt = growZero(ws.tt, nc), growZero(ws.nt, nc)
	tt, nt := ws.tt, ws.nt
	ws.c = grow(ws.c, nz)
	c := ws.c

	for sweep := 0; sweep < sweeps; sweep++ {
		change := 0.0
		for j := range nc {
			p := q + j
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
			copy(c, S[p*nz:p*nz+nz])
			g := dT / (1 + dT*s2)
			for a := 0; a < nz; a++ {
				ga := g * c[a]
				if ga == 0 {
					continue
				}
				row := S[a*nz : a*nz+nz]
				cb := c[:len(row)]
				for b := range row {
					row[b] -= ga * cb[b]
				}
			}
			siteMean(mu, S, nz, q, nt)
		}
		recomputeSigma(ws, S, S0, nz, q, tt)
		siteMean(mu, S, nz, q, nt)
		if change < epTol {
			break
		}
	}
	for a := range mu {
		mu[a] += mu0[a]
	}
}

// siteMean sets mu = Σ[:, censored]·ν̃.
func siteMean(mu, S []float64, nz, q int, nt []float64) {
	for a := 0; a < nz; a++ {
		row := S[a*nz+q : a*nz+nz][:len(nt)]
		s := 0.0
		for j, v := range nt {
			s += row[j] * v
		}
		mu[a] = s
	}
}

// recomputeSigma sets S = S0 − Vᵀ·V with V = L⁻¹·S̃½·S0[C, :] and
// L·Lᵀ = I + S̃½·S0[C, C]·S̃½ (positive definite for site precisions
// S̃ ≥ 0).
func recomputeSigma(ws *workspace, S, S0 []float64, nz, q int, tt []float64) {
	nc := len(tt)
	ws.bb = grow(ws.bb, nc*nc)
	ws.v = grow(ws.v, nc*nz)
	ws.st = grow(ws.st, nc)
	B, V, st := ws.bb, ws.v, ws.st
	for j := range nc {
		st[j] = math.Sqrt(tt[j])
	}
	for i := range nc {
		for j := range nc {
			B[i*nc+j] = st[i] * S0[(q+i)*nz+q+j] * st[j]
		}
		B[i*nc+i]++
		for a := 0; a < nz; a++ {
			V[i*nz+a] = st[i] * S0[(q+i)*nz+a]
		}
	}
	if !cholesky(B, nc) {
		return // cannot happen for S̃ ≥ 0; keep the rank-one result
	}
	forwardCols(B, nc, V, nz)
	copy(S, S0)
	for i := range nc {
		vi := V[i*nz : i*nz+nz]
		for a := 0; a < nz; a++ {
			va := vi[a]
			if va == 0 {
				continue
			}
			row := S[a*nz : a*nz+nz]
			vb := vi[:len(row)]
			for b := range row {
				row[b] -= va * vb[b]
			}
		}
	}
}
