package radiomap

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// Membership is a point's membership of the classes of a clutter
// classification (for lomsong, engine/predict's environments): weight
// 1 − Frac in class Class and Frac in class Class+1 (Frac 0: Class alone).
type Membership struct {
	Class uint8
	Frac  float64
}

// ClassOffset is the fitted offset of one class.
type ClassOffset struct {
	Class    uint8   `json:"class"`
	OffsetDB float64 `json:"offset_db"`
	// Weight is the tests' summed membership of the class (the tests the
	// fit used, sampled as FitClassOffsets says).
	Weight float64 `json:"tests"`
}

// OffsetOf returns Σ membership × offset at a point of membership m
// (offsets indexed by class; a class beyond them has offset 0).
func OffsetOf(offsets []float64, m Membership) float64 {
	at := func(c int) float64 {
		if c < len(offsets) {
			return offsets[c]
		}
		return 0
	}
	o := (1 - m.Frac) * at(int(m.Class))
	if m.Frac > 0 {
		o += m.Frac * at(int(m.Class)+1)
	}
	return o
}

// ClassOffsetSample is the most tests FitClassOffsets reads: beyond it a
// systematic sample of that many stands for all (every n/ClassOffsetSample-th
// in input order; the radio map's observations are sorted by cell, so the
// sample spreads over the area). With a few offsets to fit, 65,536 tests
// put their sampling error at a few hundredths of a dB.
const ClassOffsetSample = 1 << 16

// maxClasses is the most classes (or knots) FitClassOffsets fits: its
// Newton step solves a dense system of that size.
const maxClasses = 64

// FitClassOffsets estimates one offset δ_c per clutter class, common to
// every key, by maximum a posteriori under
//
//	r_i − m_k = Σ_c w_ic·δ_c + f_i,   f_i ~ N(0, v_i),   v_i = Cov(0, same key) + NuggetDB2 + NoiseDB_i²,
//
// from the tests obs (exact and censored), their memberships (one per
// test), the keys' constant means and the (scaled) model of mg
// (FitMarginal's), with a Gaussian prior N(0, priorSigmaDB²) on each δ_c
// (0 takes DefaultMeanPriorDB) and, when stepSigmaDB > 0 (ordered
// classes: the knots of a curve), a Gaussian random-walk prior
// N(0, stepSigmaDB²) on each step δ_{c+1} − δ_c, so that a class with few
// tests follows its neighbours rather than 0. An exact test contributes its Gaussian
// density, a censored one Φ((bound − m_k − Σ w δ)/√v_i), as in
// FitMarginal: the log-posterior is concave in δ, and Newton's method
// (with step halving) finds its maximum. nClasses sets the length of the
// result; a class no test belongs to keeps 0. Tests marked NoMean are
// left out, as FitMarginal leaves them.
//
// Why: the propagation models' classes (open, suburban, urban) carry
// fixed corrections of 10–30 dB, and a network's calibration fits one
// offset over all its tests, most of them where people live: where the
// tests say a class's clutter differs from the model's, every point of
// that class is predicted off by the same amount, and the field kriged
// around the predictions cannot correct places far from tests. The
// offsets are a clutter calibration from the tests themselves.
//
// Assumptions: as FitMarginal's (tests independent, a composite
// likelihood); offsets add in dB by membership, as the path losses blend.
func FitClassOffsets(obs []Obs, member []Membership, nClasses int, mg Marginal, priorSigmaDB, stepSigmaDB float64) ([]ClassOffset, error) {
	if len(member) != len(obs) {
		return nil, fmt.Errorf("radiomap: %d memberships for %d tests: %w", len(member), len(obs), engine.ErrInvalidValue)
	}
	if nClasses < 1 || nClasses > maxClasses {
		return nil, fmt.Errorf("radiomap: %d classes: %w", nClasses, engine.ErrInvalidValue)
	}
	if !(priorSigmaDB >= 0) || math.IsInf(priorSigmaDB, 1) {
		return nil, fmt.Errorf("radiomap: offset prior σ %v dB, want finite and ≥ 0: %w", priorSigmaDB, engine.ErrInvalidConfig)
	}
	if priorSigmaDB == 0 {
		priorSigmaDB = DefaultMeanPriorDB
	}
	if !(stepSigmaDB >= 0) || math.IsInf(stepSigmaDB, 1) {
		return nil, fmt.Errorf("radiomap: offset step prior σ %v dB, want finite and ≥ 0: %w", stepSigmaDB, engine.ErrInvalidConfig)
	}
	stepPrec := 0.0 // precision of a step's prior
	if stepSigmaDB > 0 {
		stepPrec = 1 / (stepSigmaDB * stepSigmaDB)
	}
	if err := checkObs(obs); err != nil {
		return nil, err
	}
	for i, m := range member {
		if int(m.Class) >= nClasses || !(m.Frac >= 0 && m.Frac < 1) || m.Frac > 0 && int(m.Class)+1 >= nClasses {
			return nil, fmt.Errorf("radiomap: test %d: membership %+v of %d classes: %w", i, m, nClasses, engine.ErrInvalidValue)
		}
	}
	mean := map[Key]float64{}
	for _, km := range mg.Means {
		mean[km.Key] = km.MeanDB
	}
	base := mg.Model.Cov(0, true) + mg.Model.NuggetDB2
	// The tests read: all, or a systematic sample.
	every := max(1, (len(obs)+ClassOffsetSample-1)/ClassOffsetSample)
	type test struct {
		e, sd float64 // residual less the key's mean; √v
		upper bool
		c     int
		f     float64
	}
	var ts []test
	weight := make([]float64, nClasses)
	for i := 0; i < len(obs); i += every {
		o, m := obs[i], member[i]
		if o.NoMean {
			continue
		}
		sd := math.Sqrt(base + o.NoiseDB*o.NoiseDB)
		if !(sd > 0) {
			continue
		}
		ts = append(ts, test{o.ResidualDB - mean[o.Key], sd, o.Censor == Upper, int(m.Class), m.Frac})
		weight[m.Class] += 1 - m.Frac
		if m.Frac > 0 {
			weight[m.Class+1] += m.Frac
		}
	}
	delta := make([]float64, nClasses)
	prior := 1 / (priorSigmaDB * priorSigmaDB)
	// logPost, gradient and Hessian (negated: positive definite) at d.
	eval := func(d []float64, withDerivs bool) (lp float64, g, h []float64) {
		if withDerivs {
			g, h = make([]float64, nClasses), make([]float64, nClasses*nClasses)
		}
		for c := range nClasses {
			lp -= 0.5 * d[c] * d[c] * prior
			if withDerivs {
				g[c] -= d[c] * prior
				h[c*nClasses+c] += prior
			}
			if stepPrec > 0 && c+1 < nClasses {
				s := d[c+1] - d[c]
				lp -= 0.5 * s * s * stepPrec
				if withDerivs {
					g[c] += s * stepPrec
					g[c+1] -= s * stepPrec
					h[c*nClasses+c] += stepPrec
					h[(c+1)*nClasses+c+1] += stepPrec
					h[c*nClasses+c+1] -= stepPrec
					h[(c+1)*nClasses+c] -= stepPrec
				}
			}
		}
		for _, t := range ts {
			w0, w1 := 1-t.f, t.f
			mu := w0 * d[t.c]
			if w1 > 0 {
				mu += w1 * d[t.c+1]
			}
			z := (t.e - mu) / t.sd
			var dz, hz float64 // d(log-lik)/dμ and −d²(log-lik)/dμ²
			if t.upper {
				lp += logNormCDF(z)
				lam := MillsRatio(z)
				dz, hz = -lam/t.sd, lam*(z+lam)/(t.sd*t.sd)
			} else {
				lp -= 0.5 * z * z
				dz, hz = z/t.sd, 1/(t.sd*t.sd)
			}
			if !withDerivs {
				continue
			}
			g[t.c] += w0 * dz
			h[t.c*nClasses+t.c] += w0 * w0 * hz
			if w1 > 0 {
				g[t.c+1] += w1 * dz
				h[(t.c+1)*nClasses+t.c+1] += w1 * w1 * hz
				h[t.c*nClasses+t.c+1] += w0 * w1 * hz
				h[(t.c+1)*nClasses+t.c] += w0 * w1 * hz
			}
		}
		return lp, g, h
	}
	cur, _, _ := eval(delta, false)
	for range 50 {
		_, g, h := eval(delta, true)
		step := append([]float64(nil), g...)
		if !cholesky(h, nClasses) {
			break
		}
		forward(h, nClasses, step)
		backward(h, nClasses, step)
		var moved float64
		for t := 1.0; t > 1e-6; t /= 2 {
			next := make([]float64, nClasses)
			for c := range next {
				next[c] = delta[c] + t*step[c]
			}
			if lp, _, _ := eval(next, false); lp >= cur {
				for c := range next {
					moved = max(moved, math.Abs(next[c]-delta[c]))
				}
				delta, cur = next, lp
				break
			}
		}
		if moved < 1e-6 {
			break
		}
	}
	out := make([]ClassOffset, nClasses)
	for c := range out {
		out[c] = ClassOffset{Class: uint8(c), OffsetDB: delta[c], Weight: weight[c]}
	}
	return out, nil
}

// backward solves Lᵀ·x = b in place (b becomes x) for the lower triangle
// of the n×n row-major l (after forward, this completes L·Lᵀ·x = b).
func backward(l []float64, n int, b []float64) {
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}
