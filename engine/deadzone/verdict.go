package deadzone

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"gonum.org/v1/gonum/stat/distuv"
)

// Key is one carrier's technology.
type Key struct {
	Carrier engine.Carrier
	Tech    engine.Tech
}

// Posterior is the joint Gaussian belief about the outdoor signal (dBm) of
// several keys at one point: the calibrated prediction plus the radio
// map's residual, or the measurements alone for a key without prediction.
type Posterior struct {
	Keys    []Key
	MeanDBm []float64
	// Cov is the joint covariance, dB², row-major len(Keys)×len(Keys).
	Cov []float64
}

// Validate checks the shapes and that variances are finite and ≥ 0.
func (p Posterior) Validate() error {
	n := len(p.Keys)
	if len(p.MeanDBm) != n || len(p.Cov) != n*n {
		return fmt.Errorf("deadzone: posterior of %d keys with %d means and %d covariances: %w", n, len(p.MeanDBm), len(p.Cov), ErrInput)
	}
	for i := range n {
		v := p.Cov[i*n+i]
		if math.IsNaN(p.MeanDBm[i]) || math.IsInf(p.MeanDBm[i], 0) || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("deadzone: posterior of %v: mean %g dBm, variance %g dB²: %w", p.Keys[i], p.MeanDBm[i], v, ErrInput)
		}
	}
	return nil
}

// SigmaDB returns the posterior standard deviation of key i.
func (p Posterior) SigmaDB(i int) float64 { return math.Sqrt(p.Cov[i*len(p.Keys)+i]) }

// VerdictConfig configures the verdict.
type VerdictConfig struct {
	// Thresholds give each technology's covered level.
	Thresholds engine.Thresholds
	// Cut is the probability of being dead from which a place counts as
	// without signal: dead when PDead ≥ Cut. Default 0.5; CutFromMissCost
	// sets it from the cost of a missed dead place.
	Cut float64
	// Draws is the number of Monte Carlo draws from the joint posterior
	// when the keys are correlated. Default 2000 (standard error ≤ 0.011).
	Draws int
}

// DefaultVerdictConfig returns the documented defaults.
func DefaultVerdictConfig() VerdictConfig {
	return VerdictConfig{Thresholds: engine.DefaultThresholds(), Cut: 0.5, Draws: 2000}
}

// Validate checks the thresholds, the cut (in (0, 1)) and the draws (> 0).
func (c VerdictConfig) Validate() error {
	if err := c.Thresholds.Validate(); err != nil {
		return err
	}
	if !(c.Cut > 0 && c.Cut < 1) {
		return fmt.Errorf("deadzone: cut %g outside (0, 1): %w", c.Cut, engine.ErrInvalidConfig)
	}
	if c.Draws <= 0 {
		return fmt.Errorf("deadzone: %d Monte Carlo draws: %w", c.Draws, engine.ErrInvalidConfig)
	}
	return nil
}

// CutFromMissCost returns the cut that minimises the expected cost when
// missing a dead place costs missCost times a false alarm: calling a
// place dead costs (1 − p)·1, calling it served costs p·missCost, so dead
// is the cheaper call from p = 1/(1 + missCost). missCost 1 gives 0.5.
// A miss cost so small that the cut rounds to 1 (below about 1.1e-16)
// would call nothing dead: refused, as a cut outside (0, 1) is.
func CutFromMissCost(missCost float64) (float64, error) {
	if !(missCost > 0) || math.IsInf(missCost, 0) {
		return 0, fmt.Errorf("deadzone: miss cost %g must be finite and > 0: %w", missCost, engine.ErrInvalidConfig)
	}
	cut := 1 / (1 + missCost)
	if !(cut < 1) {
		return 0, fmt.Errorf("deadzone: miss cost %g is too small: the cut 1/(1+C) rounds to 1 and no place could be called dead (want C ≥ 1e-15): %w", missCost, engine.ErrInvalidConfig)
	}
	return cut, nil
}

// CutFromServedReliability returns the cut 1 − r for a place to count as
// served when some carrier reaches the threshold with probability at
// least r (lomsong deadzones --served-reliability); r must leave the cut
// strictly inside (0, 1).
func CutFromServedReliability(r float64) (float64, error) {
	cut := 1 - r
	if !(r > 0 && r < 1) || !(cut > 0 && cut < 1) {
		return 0, fmt.Errorf("deadzone: served reliability %g: want a probability strictly between 0 and 1 whose complement 1 − r is too (1e-15 ≤ r ≤ 1 − 1e-15): %w", r, engine.ErrInvalidConfig)
	}
	return cut, nil
}

// Status bins the probability of being dead for people to read. The bins
// do not depend on the cut: with the default cut 0.5, Uncertain places
// fall on either side.
type Status uint8

// Statuses, most served first:
//
//	ConfirmedServed  p ≤ 0.05
//	LikelyServed     0.05 < p ≤ 0.2
//	Uncertain        0.2 < p < 0.8
//	LikelyDead       0.8 ≤ p < 0.95
//	ConfirmedDead    p ≥ 0.95
const (
	ConfirmedServed Status = iota
	LikelyServed
	Uncertain
	LikelyDead
	ConfirmedDead
)

// StatusOf returns the bin of pDead.
func StatusOf(pDead float64) Status {
	switch {
	case pDead >= 0.95:
		return ConfirmedDead
	case pDead >= 0.8:
		return LikelyDead
	case pDead > 0.2:
		return Uncertain
	case pDead > 0.05:
		return LikelyServed
	}
	return ConfirmedServed
}

// RoundPDead rounds p to decimals places for display without moving it
// across a status bound (StatusOf) or, when cut is above 0, the cut: a
// p_dead of 0.94996 (likely_dead) is written 0.9499, not 0.95, so that a
// figure and its class (or its count in target 1) agree.
func RoundPDead(p float64, decimals int, cut float64) float64 {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return p
	}
	scale := math.Pow(10, float64(decimals))
	k := math.Round(p * scale)
	crosses := func(r float64) bool {
		return StatusOf(r) != StatusOf(p) || (cut > 0 && (r >= cut) != (p >= cut))
	}
	if r := k / scale; crosses(r) {
		if r > p {
			k--
		} else {
			k++
		}
	}
	return k / scale
}

func (s Status) String() string {
	switch s {
	case ConfirmedServed:
		return "confirmed_served"
	case LikelyServed:
		return "likely_served"
	case Uncertain:
		return "uncertain"
	case LikelyDead:
		return "likely_dead"
	case ConfirmedDead:
		return "confirmed_dead"
	}
	return fmt.Sprintf("invalid(%d)", uint8(s))
}

// Verdict is the decision at one point and what it rests on.
type Verdict struct {
	// PDead is P(no carrier's 3G, 4G or 5G reaches its covered threshold
	// at the point) under the posterior.
	PDead float64
	// Best is the 3G/4G/5G key most likely to reach its threshold, with its
	// posterior mean and σ; Best.Tech is TechUnknown and the values NaN
	// when the posterior has no such key.
	Best                     Key
	BestMeanDBm, BestSigmaDB float64
	// Has2G is set when some carrier's 2G more likely than not reaches
	// its covered threshold.
	Has2G bool
}

// Level turns the verdict into a service level at cut: Covered when PDead
// < cut, else Only2G when Has2G, else NoSignal.
func (v Verdict) Level(cut float64) Level {
	switch {
	case v.PDead < cut:
		return Covered
	case v.Has2G:
		return Only2G
	}
	return NoSignal
}

// Seed returns the Monte Carlo seed of a place: FNV-1a (64 bit) of its
// id, so a village's draws depend on nothing but its id and posterior.
func Seed(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	return h
}

// Decide returns the verdict of one point.
//
// PDead is P(X_k < t_k for every 3G/4G/5G key k) with X ~ N(MeanDBm, Cov)
// and t_k the covered threshold of k's technology; 2G keys only set Has2G.
// Without a 3G/4G/5G key PDead is 1. When some key's P(X_k < t_k) is at
// most 10⁻⁶ (surelyServed), PDead is the least such probability, an upper
// bound of the joint one, and no draws are made. When the keys' covariances are all
// zero (independent keys) it is the closed form Π Φ((t_k − μ_k)/σ_k);
// otherwise it is the share of cfg.Draws draws from the joint Gaussian
// (Cholesky factor, draws from a PCG generator seeded with seed) below
// every threshold. A draw takes the keys in order of decreasing marginal
// P(X_k ≥ t_k) and stops at the first above its threshold, drawing each
// key's normal only when it gets there. While the share is within two
// standard errors of cfg.Cut, cfg.Draws more are drawn, up to eight times
// cfg.Draws, so that the draws' own error rarely decides which side of
// the cut a place falls. A key with σ = 0 is a step at its threshold. A
// covariance that is not positive semi-definite is an error.
func Decide(p Posterior, cfg VerdictConfig, seed uint64) (Verdict, error) {
	if err := p.Validate(); err != nil {
		return Verdict{}, err
	}
	th := cfg.Thresholds
	n := len(p.Keys)
	v := Verdict{PDead: 1, BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN()}
	var idx []int
	above := make([]float64, n) // each key's marginal P(X_k ≥ t_k)
	bestP := -1.0
	for i, k := range p.Keys {
		sd := p.SigmaDB(i)
		q := pAbove(p.MeanDBm[i], sd, th.Covered(k.Tech))
		above[i] = q
		if k.Tech == engine.Tech2G {
			v.Has2G = v.Has2G || q > 0.5
			continue
		}
		if !k.Tech.Valid() {
			continue
		}
		idx = append(idx, i)
		if q > bestP || (q == bestP && p.MeanDBm[i]-th.Covered(k.Tech) > v.BestMeanDBm-th.Covered(v.Best.Tech)) {
			bestP, v.Best, v.BestMeanDBm, v.BestSigmaDB = q, k, p.MeanDBm[i], sd
		}
	}
	if len(idx) == 0 {
		return v, nil
	}
	// P(every key below) ≤ P(the key likeliest to serve is below): when
	// that bound is at most surelyServed, it is PDead (the draws would
	// almost surely all find the key above its threshold).
	if below := 1 - bestP; below <= surelyServed {
		v.PDead = below
		return v, nil
	}
	independent := true
	for _, i := range idx {
		for _, j := range idx {
			if i != j && p.Cov[i*n+j] != 0 {
				independent = false
			}
		}
	}
	if independent {
		dead := 1.0
		for _, i := range idx {
			dead *= 1 - above[i]
		}
		v.PDead = dead
		return v, nil
	}
	// The keys likeliest to serve first: a draw stops at the first key
	// above its threshold, and each key's normal is drawn only when the
	// draw reaches it, so a draw at a place some key almost surely serves
	// costs about one normal instead of one per key.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(above[b], above[a]) })
	m := len(idx)
	cov := make([]float64, m*m)
	for a, i := range idx {
		for b, j := range idx {
			cov[a*m+b] = p.Cov[i*n+j]
		}
	}
	l, err := cholesky(cov, m)
	if err != nil {
		return Verdict{}, err
	}
	t := make([]float64, m)
	for a, i := range idx {
		t[a] = th.Covered(p.Keys[i].Tech)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	z := make([]float64, m)
	dead, n := 0, 0
	draw := func(k int) {
		for range k {
			below := true
			for a, i := range idx {
				z[a] = rng.NormFloat64()
				x := p.MeanDBm[i]
				row := l[a*m : a*m+a+1]
				for b, lb := range row {
					x += lb * z[b]
				}
				if x >= t[a] {
					below = false
					break
				}
			}
			if below {
				dead++
			}
		}
		n += k
	}
	draw(cfg.Draws)
	// Near the cut the draws' error decides the verdict: while the
	// estimate is within nearCutSE standard errors of the cut, draw
	// cfg.Draws more, up to maxDrawsFactor·cfg.Draws in all.
	for n < maxDrawsFactor*cfg.Draws {
		ph := float64(dead) / float64(n)
		if math.Abs(ph-cfg.Cut) >= nearCutSE*math.Sqrt(ph*(1-ph)/float64(n)) {
			break
		}
		draw(cfg.Draws)
	}
	v.PDead = float64(dead) / float64(n)
	return v, nil
}

// Extra draws near the cut (Decide): while P(dead)'s estimate is within
// nearCutSE standard errors of the cut, up to maxDrawsFactor times
// VerdictConfig.Draws in all (16,000 at the default 2000: standard error
// ≤ 0.004).
const (
	nearCutSE      = 2
	maxDrawsFactor = 8
)

// surelyServed is the P(dead) bound under which Decide skips the Monte
// Carlo: 10⁻⁶, a five-hundredth of the resolution of its 2000 default
// draws; villages.csv rounds p_dead to 10⁻⁴.
const surelyServed = 1e-6

// pAbove is P(X ≥ t) for X ~ N(mean, sd²); a step at t when sd is 0.
func pAbove(mean, sd, t float64) float64 {
	if sd == 0 {
		if mean >= t {
			return 1
		}
		return 0
	}
	return distuv.UnitNormal.Survival((t - mean) / sd)
}

// cholesky returns the lower-triangular L with L·Lᵀ = a (m×m, row-major).
// Rounding may leave a semi-definite matrix with tiny negative pivots:
// pivots down to −1e-9 of the largest diagonal are taken as zero (the
// column is then zero); anything more negative is an error.
func cholesky(a []float64, m int) ([]float64, error) {
	var scale float64
	for i := range m {
		scale = max(scale, a[i*m+i])
	}
	tol := 1e-9 * max(scale, 1e-300)
	l := make([]float64, m*m)
	for j := range m {
		d := a[j*m+j]
		for k := range j {
			d -= l[j*m+k] * l[j*m+k]
		}
		if d < -tol {
			return nil, fmt.Errorf("deadzone: posterior covariance is not positive semi-definite (pivot %g dB² at key %d): %w", d, j, ErrInput)
		}
		if d <= tol {
			continue // l[j][j] and the column below stay 0
		}
		ljj := math.Sqrt(d)
		l[j*m+j] = ljj
		for i := j + 1; i < m; i++ {
			s := a[i*m+j]
			for k := range j {
				s -= l[i*m+k] * l[j*m+k]
			}
			l[i*m+j] = s / ljj
		}
	}
	return l, nil
}
