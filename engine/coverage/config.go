package coverage

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"gonum.org/v1/gonum/stat/distuv"
)

// CarrierTech identifies one carrier's network of one technology.
type CarrierTech struct {
	Carrier engine.Carrier
	Tech    engine.Tech
}

// Config sets the coverage rules. Every field is written into the output's
// metadata (Metadata).
type Config struct {
	// Thresholds are the covered and no-service signal levels per
	// technology. Default engine.DefaultThresholds().
	Thresholds engine.Thresholds
	// MinTests is the number of valid outdoor or in-vehicle tests from which
	// a hex × carrier × tech has measured evidence. Default 5.
	MinTests int64
	// Reliability is the target share of locations covered at the cell
	// edge, in (0.5, 1). Default 0.90. It sets the failure share tested
	// against, p0 = 1 − Reliability, and the location-variability margin
	// z·σ with z = Φ⁻¹(Reliability) (1.2816 at 0.90).
	Reliability float64
	// Alpha is the significance level of the one-sided binomial test, in
	// (0, 0.5]. Default 0.05 (95% confidence).
	Alpha float64
	// SigmaDB is the location-variability standard deviation per carrier and
	// technology, in dB, typically the residual σ of a calibration against
	// measurements (SigmaFromCalibration). It takes precedence over a
	// prediction's own σ. May be nil.
	SigmaDB map[CarrierTech]float64
	// DefaultSigmaDB is used when neither SigmaDB nor the prediction gives
	// a σ. Default 8 dB (predict.HataSigmaDB).
	DefaultSigmaDB float64
	// Resolution is the H3 resolution of the analysis cells, 0..15; Fuse
	// rejects cells of another resolution. Default 8.
	Resolution int
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Thresholds:     engine.DefaultThresholds(),
		MinTests:       5,
		Reliability:    0.90,
		Alpha:          0.05,
		DefaultSigmaDB: 8,
		Resolution:     8,
	}
}

// Validate checks every field. Errors wrap engine.ErrInvalidConfig.
func (c Config) Validate() error {
	if err := c.Thresholds.Validate(); err != nil {
		return fmt.Errorf("coverage: %w", err)
	}
	if c.MinTests < 1 {
		return fmt.Errorf("coverage: min tests %d must be at least 1: %w", c.MinTests, engine.ErrInvalidConfig)
	}
	if !(c.Reliability > 0.5 && c.Reliability < 1) {
		return fmt.Errorf("coverage: reliability %g must be in (0.5, 1): %w", c.Reliability, engine.ErrInvalidConfig)
	}
	if !(c.Alpha > 0 && c.Alpha <= 0.5) {
		return fmt.Errorf("coverage: alpha %g must be in (0, 0.5]: %w", c.Alpha, engine.ErrInvalidConfig)
	}
	if !validSigma(c.DefaultSigmaDB) {
		return fmt.Errorf("coverage: default sigma %g dB must be finite and non-negative: %w", c.DefaultSigmaDB, engine.ErrInvalidConfig)
	}
	for _, k := range sortedSigmaKeys(c.SigmaDB) {
		if !k.Tech.Valid() || k.Carrier == "" {
			return fmt.Errorf("coverage: sigma for carrier %q tech %s: unknown network: %w", k.Carrier, k.Tech, engine.ErrInvalidConfig)
		}
		if s := c.SigmaDB[k]; !validSigma(s) {
			return fmt.Errorf("coverage: sigma %g dB for %s %s must be finite and non-negative: %w", s, k.Carrier, k.Tech, engine.ErrInvalidConfig)
		}
	}
	if c.Resolution < 0 || c.Resolution > 15 {
		return fmt.Errorf("coverage: resolution %d must be 0..15: %w", c.Resolution, engine.ErrInvalidConfig)
	}
	return nil
}

func validSigma(s float64) bool { return s >= 0 && !math.IsInf(s, 0) }

// FailureShare returns p0 = 1 − Reliability, the share of failed tests a
// covered hex may have (0.10 by default).
func (c Config) FailureShare() float64 { return 1 - c.Reliability }

// Z returns z = Φ⁻¹(Reliability), the standard normal quantile that makes
// z·σ the location-variability margin: 1.2816 for 90% (standard normal
// table; gonum's distuv.UnitNormal.Quantile).
func (c Config) Z() float64 { return distuv.UnitNormal.Quantile(c.Reliability) }

// Sigma returns the σ in dB used for a prediction of carrier and tech: the
// configured SigmaDB for the network if present, else modelSigmaDB when it
// is finite and positive, else DefaultSigmaDB.
func (c Config) Sigma(carrier engine.Carrier, tech engine.Tech, modelSigmaDB float64) float64 {
	if s, ok := c.SigmaDB[CarrierTech{carrier, tech}]; ok {
		return s
	}
	if modelSigmaDB > 0 && !math.IsInf(modelSigmaDB, 0) {
		return modelSigmaDB
	}
	return c.DefaultSigmaDB
}

// Metadata returns the rules as strings, for the metadata of every output
// that carries coverage states. Keys are prefixed "coverage."; numbers use
// the shortest representation that round-trips (strconv 'g', -1).
func (c Config) Metadata() map[string]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	m := map[string]string{
		"coverage.min_tests":        strconv.FormatInt(c.MinTests, 10),
		"coverage.reliability":      f(c.Reliability),
		"coverage.failure_share":    f(c.FailureShare()),
		"coverage.alpha":            f(c.Alpha),
		"coverage.test":             "one-sided exact binomial, p = P(X >= failures | outdoor tests, failure_share) < alpha",
		"coverage.z":                f(c.Z()),
		"coverage.sigma_db.default": f(c.DefaultSigmaDB),
		"coverage.resolution":       strconv.Itoa(c.Resolution),
		// The hexes' tests are the aggregates' at Resolution.
		"lomsong.cell_rule": aggregate.CellRule(c.Resolution),
	}
	for _, t := range engine.Techs {
		m["coverage.covered_dbm."+t.String()] = f(c.Thresholds.Covered(t))
		m["coverage.no_service_dbm."+t.String()] = f(c.Thresholds.NoService(t))
	}
	for k, s := range c.SigmaDB {
		m["coverage.sigma_db."+string(k.Carrier)+"."+k.Tech.String()] = f(s)
	}
	return m
}

func sortedSigmaKeys(m map[CarrierTech]float64) []CarrierTech {
	keys := make([]CarrierTech, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lessCT(keys[i], keys[j]) })
	return keys
}

func lessCT(a, b CarrierTech) bool {
	if a.Carrier != b.Carrier {
		return a.Carrier < b.Carrier
	}
	return a.Tech < b.Tech
}
