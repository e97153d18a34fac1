package main

import (
	"math"
	"math/rand/v2"
)

const (
	rxHeightM   = 1.5
	maxRangeM   = 25000.0
	effEarthR   = 8.5e6 // 4/3 × 6,371 km: standard refraction
	profileStep = 100.0
)

// hata is the median basic loss of the Okumura–Hata model (150–1500 MHz)
// or its COST-231 extension (1500–2000 MHz, used here up to 2100 MHz) with
// the medium-city mobile-height correction and the suburban correction
// −2·log²(f/28) − 5.4 dB: villages among trees and houses on valley floors.
// d in metres (the formula's 1–20 km, extrapolated to 100 m and 30 km),
// hb the base station's effective height in metres (clamped to 20–300).
func hata(fMHz, d, hb float64) float64 {
	dk := math.Max(d, 100) / 1000
	hb = math.Min(math.Max(hb, 20), 300)
	lf := math.Log10(fMHz)
	ahm := (1.1*lf-0.7)*rxHeightM - (1.56*lf - 0.8)
	var l float64
	if fMHz <= 1500 {
		l = 69.55 + 26.16*lf - 13.82*math.Log10(hb) - ahm + (44.9-6.55*math.Log10(hb))*math.Log10(dk)
	} else {
		l = 46.3 + 33.9*lf - 13.82*math.Log10(hb) - ahm + (44.9-6.55*math.Log10(hb))*math.Log10(dk)
	}
	l += -2*math.Pow(math.Log10(fMHz/28), 2) - 5.4
	fspl := 20*math.Log10(math.Max(d, 10)) + 20*math.Log10(fMHz) - 27.55
	return math.Max(l, fspl)
}

// knifeJ is the diffraction loss of a single knife edge, ITU-R P.526-15
// eq. (31): J(ν) = 6.9 + 20·log10(√((ν−0.1)²+1) + ν − 0.1) for ν > −0.78.
func knifeJ(v float64) float64 {
	if v <= -0.78 {
		return 0
	}
	return 6.9 + 20*math.Log10(math.Sqrt((v-0.1)*(v-0.1)+1)+v-0.1)
}

// edgeGeom returns, for the profile points strictly between i and j, the
// index with the largest ν·√λ (ν without its wavelength factor) and that
// value: g = h·√(2·(1/d1 + 1/d2)), h the point's height above the straight
// line between the ends (terrain with the earth bulge).
func edgeGeom(xs, zs []float64, i, j int) (int, float64) {
	bi, bg := -1, math.Inf(-1)
	x0, z0, x1, z1 := xs[i], zs[i], xs[j], zs[j]
	for k := i + 1; k < j; k++ {
		d1, d2 := xs[k]-x0, x1-xs[k]
		if d1 <= 0 || d2 <= 0 {
			continue
		}
		line := z0 + (z1-z0)*d1/(d1+d2)
		g := (zs[k] - line) * math.Sqrt(2*(1/d1+1/d2))
		if g > bg {
			bi, bg = k, g
		}
	}
	return bi, bg
}

// deygoutEdges finds the Deygout construction's edges (Deygout 1966): the
// principal edge of the whole path, then the principal edge of each side
// of it, as ν·√λ values; losses are added per wavelength by diffLoss. The
// same edges serve every band, since which point has the largest ν does
// not depend on λ.
func deygoutEdges(xs, zs []float64) []float64 {
	n := len(xs) - 1
	k, g := edgeGeom(xs, zs, 0, n)
	if k < 0 {
		return nil
	}
	out := []float64{g}
	if k1, g1 := edgeGeom(xs, zs, 0, k); k1 >= 0 {
		out = append(out, g1)
	}
	if k2, g2 := edgeGeom(xs, zs, k, n); k2 >= 0 {
		out = append(out, g2)
	}
	return out
}

func diffLoss(edges []float64, fMHz float64) float64 {
	lambda := 299.792458 / fMHz
	s := 1 / math.Sqrt(lambda)
	l := 0.0
	for _, g := range edges {
		l += knifeJ(g * s)
	}
	return l
}

// sectorGain is the 3GPP sector antenna attenuation (TR 36.814 Table
// A.2.1.1-2): horizontal −min(12(φ/65°)², 20 dB), vertical
// −min(12((θ−tilt)/10°)², 20 dB), together −min(−(A_H+A_V), 20 dB).
func sectorGain(phiDeg, thetaDeg, tilt float64) float64 {
	ah := -math.Min(12*math.Pow(phiDeg/65, 2), 20)
	av := -math.Min(12*math.Pow((thetaDeg-tilt)/10, 2), 20)
	return -math.Min(-(ah + av), 20)
}

func angleDiff(a, b float64) float64 {
	d := math.Mod(a-b+540, 360) - 180
	return d
}

// link is the path to one mast: the median received level per technology
// before shadowing (−Inf where the mast lacks it).
func (w *World) link(m *Mast, pos XY, p XY) [3]float64 {
	var out [3]float64
	d := dist(pos, p)
	if d > maxRangeM {
		for t := range out {
			out[t] = math.Inf(-1)
		}
		return out
	}
	d = math.Max(d, 20)
	n := max(2, int(math.Ceil(d/profileStep)))
	xs := make([]float64, n+1)
	zs := make([]float64, n+1)
	for i := 0; i <= n; i++ {
		f := float64(i) / float64(n)
		x := f * d
		z := w.DEM.Height(pos.X+(p.X-pos.X)*f, pos.Y+(p.Y-pos.Y)*f)
		xs[i] = x
		zs[i] = z + x*(d-x)/(2*effEarthR)
	}
	ground := w.DEM.Height(pos.X, pos.Y)
	tx := ground + m.Height
	rx := zs[n] + rxHeightM
	zs[0], zs[n] = tx, rx
	// Effective antenna height (Okumura): above the mean terrain from
	// 3 km (or 30 % of a shorter path) to 15 km along the path.
	lo, hi := math.Min(3000, 0.3*d), 15000.0
	sum, cnt := 0.0, 0
	for i := 1; i < n; i++ {
		if xs[i] >= lo && xs[i] <= hi {
			sum += zs[i] - xs[i]*(d-xs[i])/(2*effEarthR)
			cnt++
		}
	}
	hb := m.Height
	if cnt > 0 {
		hb = tx - sum/float64(cnt)
	}
	edges := deygoutEdges(xs, zs)
	bearing := math.Atan2(p.X-pos.X, p.Y-pos.Y) * 180 / math.Pi
	theta := math.Atan2(tx-rx, d) * 180 / math.Pi
	for t := range out {
		if !m.Has[t] {
			out[t] = math.Inf(-1)
			continue
		}
		g := math.Inf(-1)
		for _, s := range m.Sectors {
			g = math.Max(g, sectorGain(angleDiff(bearing, s.Azimuth), theta, s.Tilt))
		}
		out[t] = m.EIRP[t] + techShareDB[t] + g - hata(techMHz[t], d, hb) - diffLoss(edges, techMHz[t])
	}
	return out
}

// Shadow is spatially correlated log-normal shadowing: a location
// component shared by every carrier and technology plus one per carrier,
// each a Gaussian field with exponential correlation exp(−r/d) (Gudmundson
// 1991), drawn as random Fourier features: the spectral density of
// exp(−r/d) in the plane is the bivariate Cauchy density scaled by 1/d, so
// a frequency is z/(d·|g|) with z ~ N(0, I₂), g ~ N(0, 1).
type Shadow struct {
	fields []rff // 0: location; 1..: per carrier
	sigma  []float64
}

type rff struct {
	wx, wy, ph []float64
}

const rffFeatures = 400

func newRFF(rng *rand.Rand, decorr float64) rff {
	var f rff
	for k := 0; k < rffFeatures; k++ {
		g := math.Abs(rng.NormFloat64())
		for g < 1e-6 {
			g = math.Abs(rng.NormFloat64())
		}
		f.wx = append(f.wx, rng.NormFloat64()/(decorr*g))
		f.wy = append(f.wy, rng.NormFloat64()/(decorr*g))
		f.ph = append(f.ph, rng.Float64()*2*math.Pi)
	}
	return f
}

func (f rff) at(p XY) float64 {
	s := 0.0
	for k := range f.wx {
		s += math.Cos(f.wx[k]*p.X + f.wy[k]*p.Y + f.ph[k])
	}
	return s * math.Sqrt(2.0/float64(len(f.wx)))
}

func newShadow(rng *rand.Rand, p Params) *Shadow {
	s := &Shadow{}
	s.fields = append(s.fields, newRFF(rng, p.DecorrLocM))
	s.sigma = append(s.sigma, p.SigmaTotalDB*math.Sqrt(p.LocShare))
	for range carriers {
		s.fields = append(s.fields, newRFF(rng, p.DecorrCarM))
		s.sigma = append(s.sigma, p.SigmaTotalDB*math.Sqrt(1-p.LocShare))
	}
	return s
}

// Of returns the shadowing of carrier c at p, in dB.
func (s *Shadow) Of(c int, p XY) float64 {
	return s.sigma[0]*s.fields[0].at(p) + s.sigma[1+c]*s.fields[1+c].at(p)
}

// Levels are the true outdoor levels at a point per carrier and
// technology (dBm; −Inf where nothing of it reaches), with the mast that
// serves each.
type Levels struct {
	L    [4][3]float64
	Best [4][3]*Mast
}

// truth computes the levels from the masts on the air at their true
// positions, with shadowing.
func (w *World) truth(p XY) Levels {
	lv := w.best(p, func(m *Mast) (XY, bool) { return m.P, !m.Down })
	for c := range lv.L {
		sh := w.Shadow.Of(c, p)
		for t := range lv.L[c] {
			lv.L[c][t] += sh
		}
	}
	return lv
}

// register computes the median levels the register implies: every mast
// listed active (down ones too) at its registered position, without
// shadowing. It is not what the engine predicts (its models are its own);
// it says whether the register alone points the right way.
func (w *World) register(p XY) Levels {
	return w.best(p, func(m *Mast) (XY, bool) { return m.Reg, true })
}

// best returns, per carrier and technology, the strongest median level
// at p (−Inf where none reaches) and the mast giving it, over the masts
// at returns as taken, each at the position it gives.
func (w *World) best(p XY, at func(m *Mast) (XY, bool)) Levels {
	var lv Levels
	for c := range lv.L {
		for t := range lv.L[c] {
			lv.L[c][t] = math.Inf(-1)
		}
	}
	for _, m := range w.Masts {
		pos, ok := at(m)
		if !ok || dist(pos, p) > maxRangeM {
			continue
		}
		l := w.link(m, pos, p)
		for t := range l {
			if l[t] > lv.L[m.Carrier][t] {
				lv.L[m.Carrier][t], lv.Best[m.Carrier][t] = l[t], m
			}
		}
	}
	return lv
}

// Margin is the best 3G/4G level above its covered threshold over all
// carriers, with the carrier and technology that gives it.
func (lv Levels) Margin() (float64, int, int) {
	best, bc, bt := math.Inf(-1), -1, -1
	for c := range lv.L {
		for t := 1; t <= 2; t++ {
			if m := lv.L[c][t] - techCovered[t]; m > best {
				best, bc, bt = m, c, t
			}
		}
	}
	return best, bc, bt
}
