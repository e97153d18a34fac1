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

// MinSignalDBm is the lowest signal_dbm accepted for any technology:
// 4 dB below the lowest level any 3GPP measurement report defines (NR
// SS-RSRP_0 "< −156 dBm", TS 38.133 §10.1.6; LTE RSRP_00 of the extended
// range, TS 36.133 §9.1.4). A value below it cannot come from a receiver
// (the thermal noise of one 15 kHz subcarrier is −132 dBm) and is
// rejected as out of range; a value between it and the reporting floor is
// a censored reading.
const MinSignalDBm = -160

// ReportingFloorDBm is the lowest level a phone reports for technology t:
// the lower end of SignalRange (RSRP −156 dBm for 4G/5G, RSCP −120 dBm for
// 3G, RSSI −120 dBm for 2G). The lowest report of a 3GPP range means "at or
// below" (RSCP_LEV_00 is "RSCP < −120 dBm", TS 25.133 §9.1.1.3), so a
// reading at or below the floor says only that the signal is that weak or
// weaker: it is censored (see Censored). NaN for an invalid technology.
func ReportingFloorDBm(t Tech) float64 {
	if !t.Valid() {
		return math.NaN()
	}
	lo, _ := SignalRange(t)
	return lo
}

// Censored reports whether a reading of dbm on technology t is censored:
// at or below the technology's reporting floor, down to MinSignalDBm (a
// measuring instrument records such values; a phone reports the floor).
// Such a reading is evidence that the true signal is at most the floor,
// not a measurement of it; it is below every technology's no-service
// level (DefaultThresholds), so it counts as a test without service. It
// is false for NaN, for values below MinSignalDBm (rejected at ingest) and
// for invalid technologies.
func Censored(t Tech, dbm float64) bool {
	return t.Valid() && dbm >= MinSignalDBm && dbm <= ReportingFloorDBm(t)
}

// AcceptedSignal reports whether dbm is an acceptable signal_dbm for
// technology t: within SignalRange, or censored (MinSignalDBm … floor).
// This is the one rule ingest validates and the aggregation counts by.
func AcceptedSignal(t Tech, dbm float64) bool {
	_, hi := SignalRange(t)
	return t.Valid() && dbm >= MinSignalDBm && dbm <= hi
}
