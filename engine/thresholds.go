package engine

import (
	"fmt"
	"math"
)

// Thresholds are the signal levels that decide coverage, per technology,
// for outdoor tests. Defaults (DESIGN.md): covered at RSRP ≥ −105 dBm for
// 4G/5G, RSCP ≥ −100 dBm for 3G, RSSI ≥ −95 dBm for 2G; no service below
// −120 dBm (4G/5G), −115 dBm (3G) and −110 dBm (2G).
type Thresholds struct {
	CoveredDBm   [5]float64 // indexed by Tech; index 0 unused
	NoServiceDBm [5]float64 // indexed by Tech; index 0 unused
}

// DefaultThresholds returns the documented defaults.
func DefaultThresholds() Thresholds {
	return Thresholds{
		CoveredDBm:   [5]float64{0, -95, -100, -105, -105},
		NoServiceDBm: [5]float64{0, -110, -115, -120, -120},
	}
}

// Covered returns the covered threshold of t.
func (th Thresholds) Covered(t Tech) float64 { return th.CoveredDBm[t] }

// NoService returns the no-service level of t.
func (th Thresholds) NoService(t Tech) float64 { return th.NoServiceDBm[t] }

// Validate checks that every technology has finite thresholds with the
// no-service level strictly below the covered level.
func (th Thresholds) Validate() error {
	for _, t := range Techs {
		c, n := th.CoveredDBm[t], th.NoServiceDBm[t]
		if math.IsNaN(c) || math.IsInf(c, 0) || math.IsNaN(n) || math.IsInf(n, 0) {
			return fmt.Errorf("thresholds for %s must be finite: %w", t, ErrInvalidConfig)
		}
		if n >= c {
			return fmt.Errorf("no-service level %g dBm for %s must be below covered level %g dBm: %w", n, t, c, ErrInvalidConfig)
		}
	}
	return nil
}

// SignalRange is the plausible reported range of SignalDBm per technology,
// as 3GPP measurement reports define it: RSRP −156…−31 dBm (TS 36.133 /
// TS 38.133), RSCP −120…−25 dBm (TS 25.133), RSSI −113…−51 dBm for GSM
// RXLEV reports widened to −120…−20 dBm for phones that report raw RSSI.
func SignalRange(t Tech) (minDBm, maxDBm float64) {
	switch t {
	case Tech2G:
		return -120, -20
	case Tech3G:
		return -120, -25
	case Tech4G, Tech5G:
		return -156, -31
	}
	return math.Inf(-1), math.Inf(1)
}
