package deadzone

import (
	"math"

	"github.com/lomsong/lomsong/engine"
)

// Reading is what one test says about the signal of one technology of its
// carrier at its point: the signal itself (Upper false) or an upper bound
// on it (Upper true: the true signal is at most SignalDBm).
type Reading struct {
	Tech      engine.Tech
	SignalDBm float64 // the reading, or the bound when Upper
	Upper     bool
	// Indoor marks a test taken indoors: its signal is below the outdoor
	// signal by the building's penetration loss (IndoorLossPaired).
	Indoor bool
	// Fallback marks what a smartphone or tablet says of a technology
	// below 4G: a phone reads 3G only when 4G failed, and 2G only when
	// 3G failed too, so these readings (and bounds) exist where the
	// carrier's signal is weak — a sample of places chosen by the
	// signal's correlated other technologies. Kriged with the 4G bound
	// beside them they are sound; averaged alone over an area (a key's
	// mean level) they read the area weaker than it is.
	Fallback bool
}

// Test is the part of a measurement row that Evidence reads.
type Test struct {
	Tech        engine.Tech
	SignalDBm   float64 // NaN when the row has none
	Service     engine.Service
	Source      engine.Source
	DeviceClass engine.DeviceClass
	Environment engine.Environment
}

// Evidence appends to dst the readings of one test and returns the
// extended slice. The rules:
//
//   - A test with a signal above the technology's reporting floor
//     (engine.SignalRange) is an exact reading of its technology.
//   - A signal at or below the floor says only that the true signal is at
//     most the floor: an upper bound at the floor.
//   - A no-service (or emergency-only) test says the device found no
//     network of its carrier: an upper bound at the no-service level
//     (th.NoService) of every technology the device could have camped on —
//     2G for a feature phone, 2G–5G for smartphones, tablets, routers and
//     devices of unknown class. A drive test (source drive) or a scanner
//     measures each technology on its own, so its no-service row bounds
//     only its own technology: the same point usually has rows of the
//     other technologies, some with service.
//   - A smartphone or tablet (not a drive test) camps on the highest
//     technology whose signal clears the technology's camping level, taken
//     as its no-service level (3GPP cell selection: Qrxlevmin is typically
//     −124…−120 dBm RSRP for LTE and −115 dBm RSCP for UMTS). On 2G with
//     service it says 3G and 4G were below their no-service levels; on 3G,
//     that 4G was. 5G is left out (non-standalone 5G rides on 4G and is
//     not selected on its own).
//   - Indoor tests carry Indoor; the caller adds the building loss.
//   - What a smartphone or tablet says of 2G and 3G carries Fallback
//     (phoneFallback): it exists only because 4G failed there.
//
// Rows with a technology outside 2G–5G, or with service and no finite
// signal (speed-only rows), give nothing.
func Evidence(dst []Reading, t Test, th engine.Thresholds) []Reading {
	if !t.Tech.Valid() {
		return dst
	}
	indoor := t.Environment == engine.EnvIndoor
	if t.Service == engine.ServiceNone || t.Service == engine.ServiceEmergency {
		if t.Source == engine.SourceDrive || t.DeviceClass == engine.DeviceScanner {
			return append(dst, Reading{Tech: t.Tech, SignalDBm: th.NoService(t.Tech), Upper: true, Indoor: indoor})
		}
		techs := []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G, engine.Tech5G}
		if t.DeviceClass == engine.DeviceFeature {
			techs = techs[:1]
			if t.Tech != engine.Tech2G {
				techs = []engine.Tech{engine.Tech2G, t.Tech}
			}
		}
		for _, x := range techs {
			dst = append(dst, Reading{Tech: x, SignalDBm: th.NoService(x), Upper: true, Indoor: indoor, Fallback: phoneFallback(t, x)})
		}
		return dst
	}
	s := t.SignalDBm
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return dst
	}
	fb := phoneFallback(t, t.Tech)
	if lo, _ := engine.SignalRange(t.Tech); s <= lo {
		dst = append(dst, Reading{Tech: t.Tech, SignalDBm: lo, Upper: true, Indoor: indoor, Fallback: fb})
	} else {
		dst = append(dst, Reading{Tech: t.Tech, SignalDBm: s, Indoor: indoor, Fallback: fb})
	}
	if t.Source == engine.SourceDrive || (t.DeviceClass != engine.DeviceSmartphone && t.DeviceClass != engine.DeviceTablet) {
		return dst
	}
	var above []engine.Tech
	switch t.Tech {
	case engine.Tech2G:
		above = []engine.Tech{engine.Tech3G, engine.Tech4G}
	case engine.Tech3G:
		above = []engine.Tech{engine.Tech4G}
	}
	for _, x := range above {
		dst = append(dst, Reading{Tech: x, SignalDBm: th.NoService(x), Upper: true, Indoor: indoor, Fallback: phoneFallback(t, x)})
	}
	return dst
}

// phoneFallback reports whether what test t says of technology x is a
// fallback (Reading.Fallback): t is a smartphone's or tablet's (not a
// drive test's) and x is below 4G.
func phoneFallback(t Test, x engine.Tech) bool {
	return t.Source != engine.SourceDrive && (t.DeviceClass == engine.DeviceSmartphone || t.DeviceClass == engine.DeviceTablet) &&
		(x == engine.Tech2G || x == engine.Tech3G)
}

// DefaultIndoorLossDB is the building penetration loss assumed for indoor
// tests when the data cannot fit one: about 12 dB, the middle of the
// 10–15 dB that ITU-R P.2109 gives at its median for traditional
// buildings between 0.7 and 2.6 GHz.
const DefaultIndoorLossDB = 12

// MinIndoorPairs is the number of indoor readings at places with outdoor
// ones that IndoorLossPaired needs to fit the loss.
const MinIndoorPairs = 30
