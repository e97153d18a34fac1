package predict

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// speedOfLightMPerS is c in vacuum (exact, SI).
const speedOfLightMPerS = 299792458.0

// fsplConstDB is 20·log10(4π·10⁹/c) = 32.4478 dB, the free-space constant for
// distance in km and frequency in MHz (commonly rounded to 32.45 or 32.4).
var fsplConstDB = 20 * math.Log10(4*math.Pi*1e9/speedOfLightMPerS)

// Link is the geometry of one base-station-to-mobile path.
type Link struct {
	FreqMHz   float64 // carrier frequency, MHz
	HBaseM    float64 // base-station antenna height above ground, m
	HMobileM  float64 // mobile antenna height above ground, m
	DistanceM float64 // horizontal (2D) distance, m
}

// distance3DM is the straight-line distance between the two antennas.
func (l Link) distance3DM() float64 {
	dh := l.HBaseM - l.HMobileM
	return math.Sqrt(l.DistanceM*l.DistanceM + dh*dh)
}

func (l Link) finite() error {
	if !finite(l.FreqMHz) || !finite(l.HBaseM) || !finite(l.HMobileM) || !finite(l.DistanceM) {
		return fmt.Errorf("link %+v has a non-finite value: %w", l, engine.ErrInvalidValue)
	}
	if l.DistanceM < 0 {
		return fmt.Errorf("negative distance %g m: %w", l.DistanceM, engine.ErrInvalidValue)
	}
	if l.distance3DM() == 0 {
		return fmt.Errorf("antennas coincide (distance 0 m, equal heights): %w", engine.ErrOutOfRange)
	}
	return nil
}

// Extensions opts a model into documented behaviour outside its published
// validity range. The zero value is strict: every out-of-range input is an
// error wrapping engine.ErrOutOfRange.
type Extensions struct {
	// ShortRange evaluates the formula below the model's minimum distance
	// (Hata and COST-231: 1 km; TR 38.901: 10 m) and floors the result at
	// the free-space loss over the 3D distance, so the loss stays physical
	// and continuous at the range limit.
	ShortRange bool `json:"short_range"`
	// LongRange extrapolates the formula beyond the model's maximum distance
	// (Hata and COST-231: 20 km; RMa: 10 km LOS, 5 km NLOS; UMa: 5 km). The
	// log-distance slope is kept; earth curvature and diffraction beyond the
	// radio horizon are not modelled.
	LongRange bool `json:"long_range"`
	// AntennaHeight evaluates the formula for base-station heights between
	// 10 m and 300 m and mobile heights between 1 m and 22.5 m when they
	// fall outside the model's own range (Hata/COST-231: 30–200 m and
	// 1–10 m). The height terms are extrapolated analytically; below 30 m
	// Hata's height gain is increasingly approximate.
	AntennaHeight bool `json:"antenna_height"`
	// COST231To2200MHz applies COST-231 Hata up to 2200 MHz instead of its
	// published 2000 MHz limit, so UMTS band 1 (2110–2170 MHz downlink) can
	// use it, as is common practice in 3G planning.
	COST231To2200MHz bool `json:"cost231_to_2200mhz"`
}

// BaseHeightMinM and BaseHeightMaxM bound the base-station heights, in
// metres, the models take with the AntennaHeight extension (the default
// configuration's). BestServer predicts a site of a register height
// outside them at the nearer bound (Result.HeightClamped); ingest says how
// many rows of a register lie outside.
const (
	BaseHeightMinM float64 = extBaseMinM
	BaseHeightMaxM float64 = extBaseMaxM
)

// ModelHeightM returns the base-station height BestServer predicts a
// register height h at: h within BaseHeightMinM–BaseHeightMaxM, else the
// nearer bound.
func ModelHeightM(h float64) float64 { return min(max(h, BaseHeightMinM), BaseHeightMaxM) }

// BandMinMHz5G and BandMaxMHz bound the bands, in MHz, the models take:
// TR 38.901, which predicts every 5G site and every band above the
// COST-231 limit, is published for 0.5–30 GHz in rural hexes (RMa; UMa
// goes to 100 GHz); 2G–4G bands down to 150 MHz use Okumura–Hata.
// BestServer predicts a site of a register band outside them at the
// nearer bound (Result.BandClamped); ingest says how many rows of a
// register lie outside (bands_outside_model).
const (
	BandMinMHz5G float64 = 500
	BandMaxMHz   float64 = 30000
)

// ModelBandMHz returns the band BestServer predicts a site of technology
// tech and register band f at: f within the models' range (BandMinMHz5G–
// BandMaxMHz for 5G, up to BandMaxMHz for the others), else the nearer
// bound. A 450 MHz 5G site or a 40 GHz one is a real site that radiates:
// predicted at the nearest band the models take, not dropped.
func ModelBandMHz(tech engine.Tech, f float64) float64 {
	if tech == engine.Tech5G {
		f = max(f, BandMinMHz5G)
	}
	return min(f, BandMaxMHz)
}

// extHeightMinBaseM etc. bound the AntennaHeight extension.
const (
	extBaseMinM   = 10
	extBaseMaxM   = 300
	extMobileMinM = 1
	extMobileMaxM = 22.5
)

func outOfRange(model, what string, v, lo, hi float64, unit string) error {
	return fmt.Errorf("%s: %s %g %s outside %g–%g %s: %w", model, what, v, unit, lo, hi, unit, engine.ErrOutOfRange)
}

// checkHeights enforces [bLo,bHi] × [mLo,mHi] or, with the extension, the
// extended ranges.
func checkHeights(model string, l Link, bLo, bHi, mLo, mHi float64, ext Extensions) error {
	if ext.AntennaHeight {
		bLo, bHi = min(bLo, extBaseMinM), max(bHi, extBaseMaxM)
		mLo, mHi = min(mLo, extMobileMinM), max(mHi, extMobileMaxM)
	}
	if l.HBaseM < bLo || l.HBaseM > bHi {
		return outOfRange(model, "base-station height", l.HBaseM, bLo, bHi, "m")
	}
	if l.HMobileM < mLo || l.HMobileM > mHi {
		return outOfRange(model, "mobile height", l.HMobileM, mLo, mHi, "m")
	}
	return nil
}

// checkDistance enforces [lo,hi] metres unless an extension covers the side.
func checkDistance(model string, dM, lo, hi float64, ext Extensions) error {
	if (dM < lo && !ext.ShortRange) || (dM > hi && !ext.LongRange) {
		return outOfRange(model, "distance", dM, lo, hi, "m")
	}
	return nil
}

// FreeSpaceDB returns the free-space basic transmission loss over a
// straight-line distance in metres at a frequency in MHz (ITU-R P.525-4,
// eq. 5, with the exact constant):
//
//	L = 20·log10(d_km) + 20·log10(f_MHz) + 32.4478 dB
//
// Valid for any distance > 0 in the far field and any frequency > 0;
// assumption: isotropic antennas, no ground reflection. A non-positive or
// non-finite input is an error wrapping engine.ErrOutOfRange.
func FreeSpaceDB(distanceM, freqMHz float64) (float64, error) {
	if !(distanceM > 0) || !(freqMHz > 0) || math.IsInf(distanceM, 0) || math.IsInf(freqMHz, 0) {
		return 0, fmt.Errorf("free space: distance %g m and frequency %g MHz must be positive and finite: %w", distanceM, freqMHz, engine.ErrOutOfRange)
	}
	return freeSpaceDB(distanceM, freqMHz), nil
}

func freeSpaceDB(distanceM, freqMHz float64) float64 {
	return 20*math.Log10(distanceM/1000) + 20*math.Log10(freqMHz) + fsplConstDB
}

// Area is the land-use class of the Okumura–Hata and COST-231 Hata models.
type Area uint8

// Hata areas. AreaUrban is the small/medium city; AreaLargeCity is Hata's
// large city and COST-231's metropolitan centre.
const (
	AreaUrban Area = iota
	AreaLargeCity
	AreaSuburban
	AreaOpen
)

var areaNames = [...]string{"urban", "large-city", "suburban", "open"}

// String names the area.
func (a Area) String() string {
	if int(a) < len(areaNames) {
		return areaNames[a]
	}
	return fmt.Sprintf("invalid(%d)", uint8(a))
}

// mobileCorrectionDB is Hata's a(hm) (Hata 1980, eqs. 4–5):
//
//	small/medium city: a(hm) = (1.1·log10 f − 0.7)·hm − (1.56·log10 f − 0.8)
//	large city, f ≤ 200 MHz: a(hm) = 8.29·(log10(1.54·hm))² − 1.1
//	large city, f ≥ 400 MHz: a(hm) = 3.2·(log10(11.75·hm))² − 4.97
//
// Hata gives no large-city formula between 200 and 400 MHz; lomsong's
// assumption is the low-band formula below 300 MHz and the high-band one
// from 300 MHz (the two differ by under 1 dB at hm = 1.5 m there).
func mobileCorrectionDB(freqMHz, hMobileM float64, large bool) float64 {
	if large {
		if freqMHz < 300 {
			x := math.Log10(1.54 * hMobileM)
			return 8.29*x*x - 1.1
		}
		x := math.Log10(11.75 * hMobileM)
		return 3.2*x*x - 4.97
	}
	lf := math.Log10(freqMHz)
	return (1.1*lf-0.7)*hMobileM - (1.56*lf - 0.8)
}

// areaCorrectionDB is the loss to subtract from the urban loss for suburban
// and open areas (Hata 1980, eqs. 6–7):
//
//	suburban: 2·(log10(f/28))² + 5.4
//	open:     4.78·(log10 f)² − 18.33·log10 f + 40.94
func areaCorrectionDB(freqMHz float64, a Area) float64 {
	switch a {
	case AreaSuburban:
		x := math.Log10(freqMHz / 28)
		return 2*x*x + 5.4
	case AreaOpen:
		lf := math.Log10(freqMHz)
		return 4.78*lf*lf - 18.33*lf + 40.94
	}
	return 0
}

// hataCoeffs returns intercept and slope so that L = a + b·log10(d_km).
func hataCoeffs(freqMHz, hBaseM, hMobileM float64, area Area, cost231 bool) (a, b float64) {
	lf, lh := math.Log10(freqMHz), math.Log10(hBaseM)
	large := area == AreaLargeCity
	b = 44.9 - 6.55*lh
	if cost231 {
		a = 46.3 + 33.9*lf - 13.82*lh - mobileCorrectionDB(freqMHz, hMobileM, large)
		if large {
			a += 3 // Cm, metropolitan centres
		}
	} else {
		a = 69.55 + 26.16*lf - 13.82*lh - mobileCorrectionDB(freqMHz, hMobileM, large)
	}
	return a - areaCorrectionDB(freqMHz, area), b
}

// hataEval evaluates a + b·log10(d_km), floored at free space when the
// short-range extension applies.
func hataEval(a, b float64, l Link) float64 {
	loss := a + b*math.Log10(l.DistanceM/1000)
	if l.DistanceM < 1000 {
		if d3 := l.distance3DM(); d3 > 0 {
			loss = max(loss, freeSpaceDB(d3, l.FreqMHz))
		}
	}
	return loss
}

func checkHata(model string, l Link, fLo, fHi float64, area Area, ext Extensions) error {
	if err := l.finite(); err != nil {
		return err
	}
	if int(area) >= len(areaNames) {
		return fmt.Errorf("%s: invalid area %d: %w", model, area, engine.ErrInvalidValue)
	}
	if l.FreqMHz < fLo || l.FreqMHz > fHi {
		return outOfRange(model, "frequency", l.FreqMHz, fLo, fHi, "MHz")
	}
	if err := checkHeights(model, l, 30, 200, 1, 10, ext); err != nil {
		return err
	}
	return checkDistance(model, l.DistanceM, 1000, 20000, ext)
}

// HataDB returns the Okumura–Hata median path loss in dB (M. Hata,
// "Empirical formula for propagation loss in land mobile radio services",
// IEEE Trans. Veh. Technol. VT-29(3), 1980, eqs. 3–7):
//
//	Lu = 69.55 + 26.16·log10 f − 13.82·log10 hb − a(hm) + (44.9 − 6.55·log10 hb)·log10 d
//
// with f in MHz, hb and hm in m, d in km; a(hm) and the suburban and open
// corrections are given at mobileCorrectionDB and areaCorrectionDB.
// Validity: 150 ≤ f ≤ 1500 MHz, 30 ≤ hb ≤ 200 m, 1 ≤ hm ≤ 10 m,
// 1 ≤ d ≤ 20 km. Outside it the error wraps engine.ErrOutOfRange unless
// ext opts in (see Extensions). Assumptions: quasi-smooth terrain, hb is the
// effective height above average terrain (lomsong uses height above ground).
func HataDB(l Link, area Area, ext Extensions) (float64, error) {
	if err := checkHata("okumura-hata", l, 150, 1500, area, ext); err != nil {
		return 0, err
	}
	a, b := hataCoeffs(l.FreqMHz, l.HBaseM, l.HMobileM, area, false)
	return hataEval(a, b, l), nil
}

// COST231DB returns the COST-231 Hata median path loss in dB (COST Action
// 231 final report, "Digital mobile radio towards future generation
// systems", EUR 18957, 1999, §4.4.1):
//
//	L = 46.3 + 33.9·log10 f − 13.82·log10 hb − a(hm) + (44.9 − 6.55·log10 hb)·log10 d + Cm
//
// with Cm = 0 dB for medium-sized cities and suburban centres (AreaUrban)
// and 3 dB for metropolitan centres (AreaLargeCity, which also uses Hata's
// large-city a(hm)). Validity: 1500 ≤ f ≤ 2000 MHz (2200 MHz with
// ext.COST231To2200MHz), 30 ≤ hb ≤ 200 m, 1 ≤ hm ≤ 10 m, 1 ≤ d ≤ 20 km.
//
// COST-231 defines no suburban or open-area loss. lomsong's assumption for
// AreaSuburban and AreaOpen: the Cm = 0 loss minus Hata's suburban or open
// correction evaluated at f, the extension most planning tools apply.
func COST231DB(l Link, area Area, ext Extensions) (float64, error) {
	fHi := 2000.0
	if ext.COST231To2200MHz {
		fHi = 2200
	}
	if err := checkHata("cost231-hata", l, 1500, fHi, area, ext); err != nil {
		return 0, err
	}
	a, b := hataCoeffs(l.FreqMHz, l.HBaseM, l.HMobileM, area, true)
	return hataEval(a, b, l), nil
}
