package radiomap

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// Key names one residual field: a carrier's technology.
type Key struct {
	Carrier engine.Carrier
	Tech    engine.Tech
}

// String returns "carrier/tech", e.g. "viettel/4G".
func (k Key) String() string { return string(k.Carrier) + "/" + k.Tech.String() }

// MarshalText writes the key as String does ("viettel/4G") in JSON outputs.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Censor says what an observation's ResidualDB means.
type Censor uint8

const (
	// Exact: the test measured the signal; ResidualDB is measured minus
	// calibrated prediction.
	Exact Censor = iota
	// Upper: the true signal is at or below a bound (a no-service row, a
	// reading at or below a reporting floor, a phone camped on a lower
	// technology); ResidualDB is the bound minus the calibrated
	// prediction.
	Upper
)

// String returns "exact" or "upper".
func (c Censor) String() string {
	switch c {
	case Exact:
		return "exact"
	case Upper:
		return "upper"
	}
	return fmt.Sprintf("Censor(%d)", uint8(c))
}

// Obs is one test's evidence about the residual field of its key.
type Obs struct {
	Lon, Lat   float64 // WGS84 degrees
	Key        Key
	ResidualDB float64 // measured − calibrated prediction; for Upper: bound − prediction
	Censor     Censor
	// NoMean leaves the test out of FitMarginal and FitClassOffsets (the
	// keys' means, the variance level and the class offsets) while the
	// map krigs it: a test whose presence depends on its field's value
	// elsewhere (a phone reading 3G only where 4G failed) is sound beside
	// the tests it depends on, but a biased sample of its key's level.
	NoMean bool
	// NoiseDB is the test's own noise standard deviation in dB
	// (measurement noise; an indoor test with an uncertain indoor loss has
	// a larger one), added in quadrature to Model.NuggetDB2. 0 means the
	// nugget alone.
	NoiseDB float64
}

// Model is the prior of the residual fields. The residual of key k (a
// carrier c's technology) at point x is
//
//	r_k(x) = s(x) + v_c(x) + u_k(x) + ε
//
// where s is shared by every key (terrain and clutter shadow every
// carrier at a place), v_c by the technologies of one carrier (its layers
// are mostly co-sited: their paths to a place cross the same obstacles),
// u_k belongs to key k alone (independent between keys and of s and v),
// and ε is white noise of variance NuggetDB2 (plus the test's NoiseDB²),
// independent between tests even at one place. s, v_c and u_k are
// zero-mean Gaussian fields with exponential covariances
//
//	Cov(s(x), s(y))     = SharedSillDB2 · exp(−d/SharedRangeM)
//	Cov(v_c(x), v_c(y)) = CarrierSillDB2 · exp(−d/CarrierRangeM)
//	Cov(u_k(x), u_k(y)) = OwnSillDB2 · exp(−d/OwnRangeM)
//
// with d the great-circle distance in metres. A range is the exponential's
// scale: correlation e⁻¹ ≈ 0.37 at one range, 0.05 at three (the
// "practical range" is 3·RangeM). Sills are variances in dB². A zero
// CarrierSillDB2 leaves the carrier component out (keys of one carrier
// then correlate through s alone, as keys of two carriers do).
type Model struct {
	SharedSillDB2  float64 `json:"shared_sill_db2"`
	SharedRangeM   float64 `json:"shared_range_m"`
	CarrierSillDB2 float64 `json:"carrier_sill_db2"`
	CarrierRangeM  float64 `json:"carrier_range_m"`
	OwnSillDB2     float64 `json:"own_sill_db2"`
	OwnRangeM      float64 `json:"own_range_m"`
	NuggetDB2      float64 `json:"nugget_db2"`
}

// Relation is how two keys are related, which sets the components their
// residuals share.
type Relation uint8

const (
	// OtherCarrier: keys of two carriers share s only.
	OtherCarrier Relation = iota
	// SameCarrier: two technologies of one carrier share s and v_c.
	SameCarrier
	// SameKey: one key shares s, v_c and u_k.
	SameKey
)

// RelationOf returns the relation of keys a and b.
func RelationOf(a, b Key) Relation {
	switch {
	case a == b:
		return SameKey
	case a.Carrier == b.Carrier:
		return SameCarrier
	}
	return OtherCarrier
}

// Validate reports whether m is a usable model: every field finite and
// non-negative, a positive range for every positive sill, and a positive
// total variance. The error wraps engine.ErrInvalidConfig.
func (m Model) Validate() error {
	fields := [...]struct {
		name string
		v    float64
	}{
		{"SharedSillDB2", m.SharedSillDB2}, {"SharedRangeM", m.SharedRangeM},
		{"CarrierSillDB2", m.CarrierSillDB2}, {"CarrierRangeM", m.CarrierRangeM},
		{"OwnSillDB2", m.OwnSillDB2}, {"OwnRangeM", m.OwnRangeM},
		{"NuggetDB2", m.NuggetDB2},
	}
	for _, f := range fields {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("radiomap: model %s = %v, want finite and ≥ 0: %w", f.name, f.v, engine.ErrInvalidConfig)
		}
	}
	if m.SharedSillDB2 > 0 && m.SharedRangeM == 0 {
		return fmt.Errorf("radiomap: model SharedRangeM = 0 with SharedSillDB2 = %v: %w", m.SharedSillDB2, engine.ErrInvalidConfig)
	}
	if m.CarrierSillDB2 > 0 && m.CarrierRangeM == 0 {
		return fmt.Errorf("radiomap: model CarrierRangeM = 0 with CarrierSillDB2 = %v: %w", m.CarrierSillDB2, engine.ErrInvalidConfig)
	}
	if m.OwnSillDB2 > 0 && m.OwnRangeM == 0 {
		return fmt.Errorf("radiomap: model OwnRangeM = 0 with OwnSillDB2 = %v: %w", m.OwnSillDB2, engine.ErrInvalidConfig)
	}
	if m.SharedSillDB2+m.CarrierSillDB2+m.OwnSillDB2+m.NuggetDB2 <= 0 {
		return fmt.Errorf("radiomap: model has zero total variance: %w", engine.ErrInvalidConfig)
	}
	return nil
}

// CovRel returns the prior covariance in dB² of the noise-free residuals
// s + v_c + u_k of two points distM metres apart (distM ≥ 0) whose keys
// are related by r. The nugget is not part of it: it is the variance of
// each test's own error, added by the map to every observation's
// variance, never between two tests or to a posterior. CovRel(0, SameKey)
// is the prior variance of the noise-free residual at a point.
func (m Model) CovRel(distM float64, r Relation) float64 {
	c := 0.0
	if m.SharedSillDB2 > 0 {
		c += m.SharedSillDB2 * expNeg(distM/m.SharedRangeM)
	}
	if r >= SameCarrier && m.CarrierSillDB2 > 0 {
		c += m.CarrierSillDB2 * expNeg(distM/m.CarrierRangeM)
	}
	if r == SameKey && m.OwnSillDB2 > 0 {
		c += m.OwnSillDB2 * expNeg(distM/m.OwnRangeM)
	}
	return c
}

// covTerms are the exponentials of CovRel at one distance, one per
// component (0 where its sill is not positive), so that several relations
// at that distance cost one exp per component: covFrom(termsAt(d), r)
// equals CovRel(d, r) bit for bit (the same products summed in the same
// order).
type covTerms struct{ shared, carrier, own float64 }

func (m Model) termsAt(distM float64) covTerms {
	var t covTerms
	if m.SharedSillDB2 > 0 {
		t.shared = expNeg(distM / m.SharedRangeM)
	}
	if m.CarrierSillDB2 > 0 {
		t.carrier = expNeg(distM / m.CarrierRangeM)
	}
	if m.OwnSillDB2 > 0 {
		t.own = expNeg(distM / m.OwnRangeM)
	}
	return t
}

func (m Model) covFrom(t covTerms, r Relation) float64 {
	c := 0.0
	if m.SharedSillDB2 > 0 {
		c += m.SharedSillDB2 * t.shared
	}
	if r >= SameCarrier && m.CarrierSillDB2 > 0 {
		c += m.CarrierSillDB2 * t.carrier
	}
	if r == SameKey && m.OwnSillDB2 > 0 {
		c += m.OwnSillDB2 * t.own
	}
	return c
}

// Cov is CovRel for one key (sameKey) or for keys of two carriers.
func (m Model) Cov(distM float64, sameKey bool) float64 {
	if sameKey {
		return m.CovRel(distM, SameKey)
	}
	return m.CovRel(distM, OtherCarrier)
}

// SemivariogramRel returns the model's semivariance in dB² between two
// tests distM > 0 metres apart, each with noise variance NuggetDB2 only,
// whose keys are related by r: NuggetDB2 + the total sill − CovRel(distM,
// r) (for two keys, the pseudo cross-variogram ½E[(r_k(x) − r_l(y))²] of
// zero-mean residuals). Fit matches it to the empirical semivariograms.
func (m Model) SemivariogramRel(distM float64, r Relation) float64 {
	return m.NuggetDB2 + m.SharedSillDB2 + m.CarrierSillDB2 + m.OwnSillDB2 - m.CovRel(distM, r)
}

// Semivariogram is SemivariogramRel for one key (sameKey) or for keys of
// two carriers.
func (m Model) Semivariogram(distM float64, sameKey bool) float64 {
	if sameKey {
		return m.SemivariogramRel(distM, SameKey)
	}
	return m.SemivariogramRel(distM, OtherCarrier)
}
