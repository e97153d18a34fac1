package penetration

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/internal/plural"
	"gonum.org/v1/gonum/stat/distuv"
)

// SurveyArea is one area's model share and survey counts for empirical-
// Bayes shrinkage. Surveyed = 0 means no survey; counts are whole numbers.
type SurveyArea struct {
	Model          float64 // μ, the model share (NaN when unknown)
	Surveyed       float64 // n
	WithSmartphone float64 // x, 0 ≤ x ≤ n
}

// Shrinkage configures the empirical-Bayes beta-binomial combination of a
// model share μ with survey counts (x of n households):
//
//	prior      p ~ Beta(m·μ, m·(1−μ))
//	posterior  p | x ~ Beta(m·μ + x, m·(1−μ) + n − x)
//
// reported as the posterior mean and an equal-tailed credible interval at
// Confidence. The prior strength m (in households) says how far areas'
// true shares stray from the model; it is estimated across the areas
// given (one period at a time) by the method of moments (PriorStrengthMoM)
// unless PriorStrength fixes it. As n → 0 the estimate tends to μ with the
// prior's width; as n → ∞ it tends to x/n.
type Shrinkage struct {
	Confidence float64 // 0.90 by default
	// PriorStrength > 0 fixes m; 0 estimates it.
	PriorStrength float64
	// Estimated m is clamped to [MinPriorStrength, MaxPriorStrength]
	// (defaults 2 and 2000): below 2 the prior is nearly flat, above 2000
	// the surveys no longer move the model in practice.
	MinPriorStrength, MaxPriorStrength float64
	// FallbackPriorStrength (default 50) is used when fewer than MinAreas
	// (default 3) surveyed areas are available to estimate m.
	FallbackPriorStrength float64
	MinAreas              int
}

// DefaultShrinkage returns the documented defaults.
func DefaultShrinkage() Shrinkage {
	return Shrinkage{Confidence: 0.90, MinPriorStrength: 2, MaxPriorStrength: 2000,
		FallbackPriorStrength: 50, MinAreas: 3}
}

// Validate checks the configuration.
func (s Shrinkage) Validate() error {
	switch {
	case !(s.Confidence > 0 && s.Confidence < 1):
		return configErr("confidence %v outside (0, 1)", s.Confidence)
	case s.PriorStrength < 0 || math.IsNaN(s.PriorStrength):
		return configErr("prior strength %v negative", s.PriorStrength)
	case !(s.MinPriorStrength > 0 && s.MinPriorStrength <= s.MaxPriorStrength):
		return configErr("prior strength bounds %v..%v", s.MinPriorStrength, s.MaxPriorStrength)
	case !(s.FallbackPriorStrength > 0):
		return configErr("fallback prior strength %v not positive", s.FallbackPriorStrength)
	case s.MinAreas < 2:
		return configErr("min areas %d below 2", s.MinAreas)
	}
	return nil
}

// PriorStrengthMoM estimates the beta-binomial prior strength m by the
// method of moments, with each area's mean μᵢ known (the model share).
// Under the beta-binomial, Var(xᵢ) = vᵢ·(1 + (nᵢ−1)ρ) with vᵢ = nᵢμᵢ(1−μᵢ)
// and intra-area correlation ρ = 1/(m+1), so
//
//	ρ̂ = (Σ (xᵢ − nᵢμᵢ)² − Σ vᵢ) / Σ (nᵢ−1)·vᵢ,   m̂ = 1/ρ̂ − 1.
//
// Areas without a survey or with μ outside (0, 1) are skipped; used is
// the number of areas that entered. ρ̂ ≤ 0 (no more spread than binomial
// noise) gives m̂ = +Inf; ρ̂ ≥ 1 gives m̂ = 0. ok is false when no area
// has n ≥ 2.
func PriorStrengthMoM(areas []SurveyArea) (m float64, used int, ok bool) {
	var r, v, w float64
	for _, a := range areas {
		if !(a.Surveyed >= 1) || !(a.Model > 0 && a.Model < 1) || !(a.WithSmartphone >= 0 && a.WithSmartphone <= a.Surveyed) {
			continue
		}
		vi := a.Surveyed * a.Model * (1 - a.Model)
		d := a.WithSmartphone - a.Surveyed*a.Model
		r += d * d
		v += vi
		w += (a.Surveyed - 1) * vi
		used++
	}
	if w <= 0 {
		return math.NaN(), used, false
	}
	rho := (r - v) / w
	switch {
	case rho <= 0:
		return math.Inf(1), used, true
	case rho >= 1:
		return 0, used, true
	}
	return 1/rho - 1, used, true
}

// MethodSmartphoneEB names the empirical-Bayes estimate of an area with a
// survey; MethodSmartphoneEBPrior that of an area without one (the prior
// alone: the model share, with the spread of the surveyed areas around
// the model as its interval); MethodSmartphoneSurvey that of an area with
// a survey but no model share (the survey under the Jeffreys prior). They
// are different kinds of figure: a month with a survey and one without
// are not compared like with like.
const (
	MethodSmartphoneEB      = "empirical-Bayes beta-binomial: survey shrunk toward the household model"
	MethodSmartphoneEBPrior = "empirical-Bayes prior: the household model, no survey of the area"
	MethodSmartphoneSurvey  = "the survey alone: beta-binomial posterior under the Jeffreys prior, no household model share"
)

// muClamp keeps prior parameters positive when the model share is 0 or 1.
const muClamp = 1e-6

// BetaPosterior returns the posterior mean and equal-tailed interval at
// conf of p given prior Beta(m·μ, m·(1−μ)) and x of n. μ is clamped to
// [1e−6, 1 − 1e−6]. It panics on m ≤ 0 or x outside [0, n] (programmer
// error).
func BetaPosterior(mu, m, x, n, conf float64) Estimate {
	if !(m > 0) || !(x >= 0 && x <= n) {
		panic("penetration: BetaPosterior: need m > 0 and 0 <= x <= n")
	}
	mu = min(max(mu, muClamp), 1-muClamp)
	b := distuv.Beta{Alpha: m*mu + x, Beta: m*(1-mu) + n - x}
	t := (1 - conf) / 2
	return Estimate{Value: b.Mean(), Lower: b.Quantile(t), Upper: b.Quantile(1 - t),
		Confidence: conf, Interval: IntervalPosterior}
}

// Apply combines each area's model share with its survey counts. It
// returns one estimate per area (in order) and the prior strength used.
// Areas with no survey get the prior itself (mean μ, the prior's
// interval); an area with a survey but no model share gets the posterior
// under the Jeffreys prior Beta(½, ½); an area with neither is unknown.
func (s Shrinkage) Apply(areas []SurveyArea) ([]Estimate, float64, error) {
	if err := s.Validate(); err != nil {
		return nil, 0, err
	}
	for i, a := range areas {
		if a.Surveyed != 0 && !(a.Surveyed > 0 && a.WithSmartphone >= 0 && a.WithSmartphone <= a.Surveyed) {
			return nil, 0, fmt.Errorf("penetration: area %d: survey %v of %v: %w", i, a.WithSmartphone, a.Surveyed, errInvalid)
		}
	}
	m, how := s.PriorStrength, "fixed"
	if m == 0 {
		est, used, ok := PriorStrengthMoM(areas)
		switch {
		case !ok || used < s.MinAreas:
			m, how = s.FallbackPriorStrength, fmt.Sprintf("fallback (%s, need %d)", plural.Count(used, "surveyed area", "surveyed areas"), s.MinAreas)
		default:
			m, how = min(max(est, s.MinPriorStrength), s.MaxPriorStrength),
				fmt.Sprintf("method of moments over %s (raw %.3g)", plural.Count(used, "area", "areas"), est)
		}
	}
	assume := []string{
		fmt.Sprintf("prior Beta(m*mu, m*(1-mu)) around the model share, m = %.4g households, %s", m, how),
		"surveyed households are a simple random sample of the area's households",
	}
	out := make([]Estimate, len(areas))
	for i, a := range areas {
		var e Estimate
		switch {
		case !math.IsNaN(a.Model):
			e = BetaPosterior(a.Model, m, a.WithSmartphone, a.Surveyed, s.Confidence)
		case a.Surveyed > 0:
			e = BetaPosterior(0.5, 1, a.WithSmartphone, a.Surveyed, s.Confidence)
			e.Issues = []string{"no model share: Jeffreys prior Beta(1/2, 1/2)"}
			// The survey alone: the empirical-Bayes prior is not its
			// prior, so neither its interval's name nor its assumption
			// ("around the model share") is this estimate's.
			e.Method, e.Interval = MethodSmartphoneSurvey, IntervalJeffreys
			e.Assumptions = []string{"prior Beta(1/2, 1/2) (Jeffreys): the area has no model share", assume[1]}
			out[i] = e
			continue
		default:
			out[i] = unknown(MethodSmartphoneEB, "no model share and no survey")
			continue
		}
		e.Method = MethodSmartphoneEB
		e.Assumptions = append([]string(nil), assume...)
		if a.Surveyed == 0 {
			// The prior alone: no posterior of a survey (its interval was
			// labelled the survey's, "model shrunk towards the survey").
			e.Method, e.Interval = MethodSmartphoneEBPrior, IntervalPrior
			e.Assumptions = append(e.Assumptions, "no survey: prior only")
		}
		out[i] = e
	}
	return out, m, nil
}

// SmartphoneHouseholds estimates, for rows of one period, the share of
// households with at least one smartphone or tablet: the model share of
// each row, combined with its survey by sh when any row of the slice has
// survey counts. Without any survey the model estimates (sensitivity
// intervals) are returned and m is NaN. Issues of the model estimate are
// carried into the combined one.
func SmartphoneHouseholds(rows []Subscription, proj *Projection, model SmartphoneModel, sh Shrinkage) ([]Estimate, float64, error) {
	if err := model.Validate(); err != nil {
		return nil, 0, err
	}
	models := make([]Estimate, len(rows))
	areas := make([]SurveyArea, len(rows))
	surveyed := false
	for i, r := range rows {
		models[i] = model.Share(r, proj)
		areas[i].Model = models[i].Value
		if models[i].Impossible {
			areas[i].Model = math.NaN() // counts that contradict themselves are no prior
		}
		if r.HasSurvey() {
			areas[i].Surveyed, areas[i].WithSmartphone = r.SurveyedHouseholds, r.SurveyedWithSmartphone
			surveyed = true
		} else if !math.IsNaN(r.SurveyedHouseholds) || !math.IsNaN(r.SurveyedWithSmartphone) {
			models[i].Issues = append(models[i].Issues, fmt.Sprintf("survey counts %v of %v unusable (need whole numbers, 0 <= x <= n, n > 0): ignored", r.SurveyedWithSmartphone, r.SurveyedHouseholds))
		}
	}
	if !surveyed {
		return models, math.NaN(), nil
	}
	out, m, err := sh.Apply(areas)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Issues = append(append([]string(nil), models[i].Issues...), out[i].Issues...)
		if models[i].Known() {
			out[i].Assumptions = append(out[i].Assumptions, models[i].Assumptions...)
		}
	}
	return out, m, nil
}
