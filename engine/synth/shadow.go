package synth

import (
	"math"
	"math/rand/v2"

	"github.com/lomsong/lomsong/engine"
)

// Shadowing of the demo world: spatially correlated log-normal shadowing
// with an exponential correlation, a location part that every carrier and
// technology shares (terrain and clutter shadow everyone) and a per-link
// part, plus terrain blocks (deep valleys) that shadow every site outside
// them at once.
//
// The shadowing of carrier c, technology t at point x, in dB, is
//
//	S = σ · ( √ρL · ZL(x) + √(1−ρL) · ( √ρC · ZC_c(x) + √(1−ρC) · ZT_ct(x) ) ) − V(x, site)
//
// with σ the prediction model's location variability (engine/predict),
// ZL, ZC_c, ZT_ct independent zero-mean unit-variance Gaussian fields with
// covariance exp(−d/dcorr) (ZL with sharedDecorrM, the others with
// linkDecorrM), ρL = sharedShare and ρC = carrierShare. So S has standard
// deviation σ; two carriers' shadowing at one point correlate ρL, two
// technologies of one carrier ρL + (1−ρL)·ρC, and one link at two points
// d apart exp(−d/dcorr) (mixed by the shares). V ≥ 0 is the terrain
// blocks' loss (valleys), zero outside them.
const (
	// sharedDecorrM is the decorrelation distance of the shared location
	// part: terrain and clutter features of a few hundred metres.
	// Gudmundson (1991, Electronics Letters 27(23)) measured correlation
	// 0.82 at 100 m at 900 MHz in a suburban macrocell (dcorr ≈ 500 m);
	// 3GPP TR 38.901 Table 7.5-6 gives 120 m for rural macro NLOS.
	sharedDecorrM = 300
	// linkDecorrM is the decorrelation distance of each link's own part:
	// 3GPP TR 38.901 Table 7.5-6 gives shadow-fading correlation distances
	// of 37–120 m for rural and urban macrocells (RMa LOS 37 m, NLOS 120 m;
	// UMa LOS 37 m, NLOS 50 m), and the spatial-consistency distances of
	// its Table 7.6.3.1-2 are of the same order, tens of metres.
	linkDecorrM = 100
	// sharedShare is the share of the shadowing variance every carrier
	// and technology sees at a point: 0.5, the shadowing correlation
	// between sites of 3GPP's radio-frequency system scenarios (TR 36.942,
	// which takes 0.5 between sites and 1 between sectors of one site).
	sharedShare = 0.5
	// carrierShare is the share of the per-link variance a carrier's
	// technologies share (co-sited layers see the same obstacles).
	carrierShare = 0.75
	// fieldFeatures is the number of random Fourier features per field.
	fieldFeatures = 64
)

// Terrain blocks (valleys): on a lattice of valleySpacingM, each lattice
// cell holds with probability valleyProb a valley: a disc of radius
// valleyMinRM…valleyMaxRM at a random place in the cell, whose points lose
// valleyMinDB…valleyMaxDB (scaled by the province's remoteness: none in
// the lowlands) on every link from a site outside the disc, fully inside
// 60 % of the radius and tapering smoothly to nothing at its edge. Links
// from a site inside the valley lose valleyInsideShare of that (the
// valley's own slopes and forest still block part of its paths), so a
// valley village with a site of its own usually keeps service while one
// served over the ridges loses it. Depths of 10–25 dB are the
// diffraction losses of one or two ridges in the knife-edge model (ITU-R
// P.526 §4.1: 6 dB at grazing incidence, about 20 dB at ν = 2.4).
const (
	valleySpacingM = 5000
	valleyProb     = 0.3
	valleyMinRM    = 1200
	valleyMaxRM    = 2800
	valleyMinDB    = 10
	valleyMaxDB    = 25
	// valleyInsideShare is the share of a valley's loss on links from a
	// site inside it.
	valleyInsideShare = 0.5
)

// Projection of the fields: sinusoidal, central meridian 106° E, origin
// 16° N (Viet Nam's middle), in metres. Within the country its scale
// errors are below 2 %, so distances in the fields are true distances to
// that accuracy.
const (
	earthRadiusM = 6371008.8
	projLon0     = 106.0
	projLat0     = 16.0
)

// project maps lon/lat (degrees) to the fields' plane (metres).
func project(lon, lat float64) (x, y float64) {
	phi := lat * math.Pi / 180
	return earthRadiusM * (lon - projLon0) * math.Pi / 180 * math.Cos(phi), earthRadiusM * (phi - projLat0*math.Pi/180)
}

// gaussField is a stationary Gaussian random field on the plane with
// covariance exp(−d/dcorr), as a sum of random Fourier features (Rahimi &
// Recht 2007): f(x) = √(2/M) Σ cos(ω_m·x + b_m). By Bochner's theorem the
// frequencies ω are drawn from the covariance's spectral density, for the
// exponential covariance in two dimensions the bivariate Cauchy
// distribution (characteristic function exp(−|h|/dcorr)): |ω|·dcorr has
// density ρ(1+ρ²)^(−3/2), drawn by inversion, ρ = √((1−u)^(−2) − 1), from
// M stratified u (one per 1/M), with directions spread by the golden angle
// and uniform phases. Over seeds, E[f(x)f(x+h)] = exp(−|h|/dcorr) exactly
// (ρ capped at 1000, which removes 0.1 % of the spectrum, structure below
// a metre); one field's marginal is a sum of M cosines, close to normal.
//
// Frequencies and phases are stored in cycles (per metre, and of a turn),
// for cosTurns.
type gaussField struct {
	kx, ky, b [fieldFeatures]float64
}

const fieldAmp = 0.1767766952966369 // √(2/64)

func newGaussField(rng *rand.Rand, dcorrM float64) *gaussField {
	f := &gaussField{}
	const golden = 0.6180339887498949
	off := rng.Float64()
	for m := range fieldFeatures {
		u := (float64(m) + rng.Float64()) / fieldFeatures
		rho := min(1000, math.Sqrt(1/((1-u)*(1-u))-1))
		th := 2 * math.Pi * math.Mod(off+float64(m)*golden, 1)
		k := rho / dcorrM / (2 * math.Pi)
		f.kx[m], f.ky[m] = k*math.Cos(th), k*math.Sin(th)
		f.b[m] = rng.Float64()
	}
	return f
}

// at returns the field's value at plane point (x, y).
func (f *gaussField) at(x, y float64) float64 {
	var s float64
	for m := range fieldFeatures {
		s += cosTurns(f.kx[m]*x + f.ky[m]*y + f.b[m])
	}
	return fieldAmp * s
}

// cosTurns returns cos(2π·t) without branches: with u = |t − round(t)|
// in [0, ½] and x = 2πu − π/2 in [−π/2, π/2], cos(2πu) = −sin x, and
// sin x is its Taylor series to the 15th power (remainder below 1e-11).
// It is within 1e-8 of math.Cos(2πt) for |t| ≤ 10^7 turns (the fields'
// arguments stay below 2·10^6 turns within Viet Nam), and faster.
func cosTurns(t float64) float64 {
	x := 2*math.Pi*math.Abs(t-math.Round(t)) - math.Pi/2
	z := x * x
	const (
		s3  = -1.0 / 6
		s5  = 1.0 / 120
		s7  = -1.0 / 5040
		s9  = 1.0 / 362880
		s11 = -1.0 / 39916800
		s13 = 1.0 / 6227020800
		s15 = -1.0 / 1307674368000
	)
	return -x * (1 + z*(s3+z*(s5+z*(s7+z*(s9+z*(s11+z*(s13+z*s15)))))))
}

// shadowing is the shadowing of one world (one seed): its fields are
// drawn once and read concurrently.
type shadowing struct {
	seed    uint64
	shared  *gaussField
	carrier map[engine.Carrier]*gaussField
	link    map[linkKey]*gaussField
}

type linkKey struct {
	c engine.Carrier
	t engine.Tech
}

// newShadowing draws the fields of seed for the given carriers; each
// field has its own stream, so adding a carrier changes no other field.
func newShadowing(seed uint64, carriers []engine.Carrier) *shadowing {
	s := &shadowing{seed: seed, shared: newGaussField(newRand(seed, "shadow/shared"), sharedDecorrM),
		carrier: map[engine.Carrier]*gaussField{}, link: map[linkKey]*gaussField{}}
	for _, c := range carriers {
		if s.carrier[c] != nil {
			continue
		}
		s.carrier[c] = newGaussField(newRand(seed, "shadow/carrier/"+string(c)), linkDecorrM)
		for _, t := range engine.Techs {
			s.link[linkKey{c, t}] = newGaussField(newRand(seed, "shadow/link/"+string(c)+"/"+t.String()), linkDecorrM)
		}
	}
	return s
}

// z returns the standard-normal shadowing of (c, t) at plane point (x, y)
// given the shared part zl there; zc caches the carrier part per point
// (NaN when not yet computed). A carrier without fields (not in the
// register) has only the shared part, scaled to unit variance.
func (s *shadowing) z(x, y, zl float64, c engine.Carrier, t engine.Tech, zc *float64) float64 {
	fc, ok := s.carrier[c]
	if !ok {
		return zl
	}
	if math.IsNaN(*zc) {
		*zc = fc.at(x, y)
	}
	zt := s.link[linkKey{c, t}].at(x, y)
	return math.Sqrt(sharedShare)*zl + math.Sqrt(1-sharedShare)*(math.Sqrt(carrierShare)**zc+math.Sqrt(1-carrierShare)*zt)
}

// valley is one terrain block.
type valley struct {
	cx, cy, r, depthDB float64
}

// valleyAt returns the valley of lattice cell (i, j), if it has one.
func (s *shadowing) valleyAt(i, j int64) (valley, bool) {
	h := splitmix(s.seed ^ splitmix(uint64(i)*0x9e3779b97f4a7c15^uint64(j)*0xc2b2ae3d27d4eb4f) ^ 0x5eed7a11e7)
	unit := func() float64 { h = splitmix(h); return float64(h>>11) / (1 << 53) }
	if unit() >= valleyProb {
		return valley{}, false
	}
	v := valley{
		cx:      (float64(i) + unit()) * valleySpacingM,
		cy:      (float64(j) + unit()) * valleySpacingM,
		r:       valleyMinRM + (valleyMaxRM-valleyMinRM)*unit(),
		depthDB: valleyMinDB + (valleyMaxDB-valleyMinDB)*unit(),
	}
	return v, true
}

// valleysHolding appends to dst the valleys that hold plane point (x, y),
// each with its loss there (before scaling by remoteness) in depthDB.
func (s *shadowing) valleysHolding(dst []valley, x, y float64) []valley {
	i0, j0 := int64(math.Floor(x/valleySpacingM)), int64(math.Floor(y/valleySpacingM))
	for j := j0 - 1; j <= j0+1; j++ {
		for i := i0 - 1; i <= i0+1; i++ {
			v, ok := s.valleyAt(i, j)
			if !ok {
				continue
			}
			if d := math.Hypot(x-v.cx, y-v.cy); d < v.r {
				v.depthDB *= valleyProfile(d / v.r)
				dst = append(dst, v)
			}
		}
	}
	return dst
}

// valleyLossDB is the terrain-block loss on the link from a site at plane
// point (sx, sy) to a receiver held by the valleys vs (valleysHolding):
// the largest of their losses, each scaled by valleyInsideShare when the
// valley also holds the site.
func valleyLossDB(vs []valley, sx, sy float64) float64 {
	var loss float64
	for _, v := range vs {
		d := v.depthDB
		if math.Hypot(sx-v.cx, sy-v.cy) < v.r {
			d *= valleyInsideShare
		}
		loss = max(loss, d)
	}
	return loss
}

// valleyProfile is 1 up to 0.6 of the radius and falls smoothly
// (smoothstep) to 0 at the edge.
func valleyProfile(q float64) float64 {
	switch {
	case q <= 0.6:
		return 1
	case q >= 1:
		return 0
	}
	u := (1 - q) / 0.4
	return u * u * (3 - 2*u)
}
