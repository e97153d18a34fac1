package predict

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// LOSMode says which 3GPP TR 38.901 path-loss branch to use.
type LOSMode uint8

// LOS modes. The zero value, LOSModeNLOS, is the conservative choice for
// coverage: predicted loss is never below the NLOS loss, so dead zones are
// not hidden by optimistic line-of-sight assumptions.
const (
	// LOSModeNLOS uses the NLOS formula (which includes max(PL_LOS, PL'_NLOS)).
	LOSModeNLOS LOSMode = iota
	// LOSModeLOS uses the LOS formula.
	LOSModeLOS
	// LOSModeExpected blends the two by the LOS probability of Table
	// 7.4.2-1, averaging received power (not dB):
	//   PL = −10·log10(P·10^(−PL_LOS/10) + (1−P)·10^(−PL_NLOS/10)),
	// with shadow-fading σ = P·σ_LOS + (1−P)·σ_NLOS (lomsong's
	// approximation; the true mixture is not log-normal).
	LOSModeExpected
)

var losNames = [...]string{"nlos", "los", "expected"}

// String names the mode.
func (m LOSMode) String() string {
	if int(m) < len(losNames) {
		return losNames[m]
	}
	return fmt.Sprintf("invalid(%d)", uint8(m))
}

// MarshalText writes the mode by name in JSON outputs.
func (m LOSMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Loss is a median path loss with its log-normal shadow-fading standard
// deviation.
type Loss struct {
	DB      float64 // median path loss, dB
	SigmaDB float64 // shadow-fading standard deviation, dB
}

// RMaParams are the rural-macro scenario parameters of TR 38.901 Table
// 7.4.1-1: average building height h (5–50 m, default 5 m) and average
// street width W (5–50 m, default 20 m).
type RMaParams struct {
	BuildingHeightM float64 `json:"building_height_m"`
	StreetWidthM    float64 `json:"street_width_m"`
}

// DefaultRMaParams returns the table's defaults h = 5 m, W = 20 m.
func DefaultRMaParams() RMaParams { return RMaParams{BuildingHeightM: 5, StreetWidthM: 20} }

// Validate checks 5 ≤ h ≤ 50 m and 5 ≤ W ≤ 50 m.
func (p RMaParams) Validate() error {
	if !(p.BuildingHeightM >= 5 && p.BuildingHeightM <= 50) {
		return fmt.Errorf("rma: building height %g m outside 5–50 m: %w", p.BuildingHeightM, engine.ErrInvalidConfig)
	}
	if !(p.StreetWidthM >= 5 && p.StreetWidthM <= 50) {
		return fmt.Errorf("rma: street width %g m outside 5–50 m: %w", p.StreetWidthM, engine.ErrInvalidConfig)
	}
	return nil
}

func check38901(model string, l Link, fHiGHz, bLo, bHi, mLo, mHi, dHi float64, ext Extensions) error {
	if err := l.finite(); err != nil {
		return err
	}
	if l.FreqMHz < 500 || l.FreqMHz > fHiGHz*1000 {
		return outOfRange(model, "frequency", l.FreqMHz, 500, fHiGHz*1000, "MHz")
	}
	if err := checkHeights(model, l, bLo, bHi, mLo, mHi, ext); err != nil {
		return err
	}
	return checkDistance(model, l.DistanceM, 10, dHi, ext)
}

// floorFreeSpace applies the ShortRange extension's free-space floor below
// the 10 m minimum distance.
func floorFreeSpace(lossDB float64, l Link) float64 {
	if l.DistanceM < 10 {
		return max(lossDB, freeSpaceDB(l.distance3DM(), l.FreqMHz))
	}
	return lossDB
}

// RMaLOSProbability is the rural-macro LOS probability of TR 38.901 Table
// 7.4.2-1: 1 for d2D ≤ 10 m, exp(−(d2D − 10)/1000) beyond.
func RMaLOSProbability(d2DM float64) float64 {
	if d2DM <= 10 {
		return 1
	}
	return math.Exp(-(d2DM - 10) / 1000)
}

// UMaLOSProbability is the urban-macro LOS probability of TR 38.901 Table
// 7.4.2-1: 1 for d2D ≤ 18 m, otherwise
//
//	[18/d2D + exp(−d2D/63)·(1 − 18/d2D)]·[1 + C'(hUT)·(5/4)·(d2D/100)³·exp(−d2D/150)]
//
// with C'(hUT) = 0 for hUT ≤ 13 m and ((hUT − 13)/10)^1.5 for 13 < hUT ≤ 23 m.
func UMaLOSProbability(d2DM, hUTM float64) float64 {
	if d2DM <= 18 {
		return 1
	}
	p := 18/d2DM + math.Exp(-d2DM/63)*(1-18/d2DM)
	if hUTM > 13 {
		c := math.Pow((min(hUTM, 23)-13)/10, 1.5)
		p *= 1 + c*1.25*math.Pow(d2DM/100, 3)*math.Exp(-d2DM/150)
	}
	return p
}

func blend(pLOS float64, los, nlos Loss) Loss {
	if pLOS >= 1 {
		return los
	}
	if pLOS <= 0 {
		return nlos
	}
	// Factor out the LOS term to keep the sum well scaled.
	r := pLOS + (1-pLOS)*math.Pow(10, -(nlos.DB-los.DB)/10)
	return Loss{DB: los.DB - 10*math.Log10(r), SigmaDB: pLOS*los.SigmaDB + (1-pLOS)*nlos.SigmaDB}
}

// RMaDB returns the 3GPP TR 38.901 (v16/v17) Table 7.4.1-1 rural-macro
// path loss. With fc in GHz, d in m, h the building height, W the street
// width:
//
//	PL1 = 20·log10(40π·d3D·fc/3) + min(0.03·h^1.72, 10)·log10(d3D)
//	      − min(0.044·h^1.72, 14.77) + 0.002·log10(h)·d3D
//	PL2 = PL1(dBP) + 40·log10(d3D/dBP),  dBP = 2π·hBS·hUT·fc/c (fc in Hz)
//	LOS:  PL1 for 10 m ≤ d2D ≤ dBP (σ 4 dB), PL2 for dBP ≤ d2D ≤ 10 km (σ 6 dB)
//	PL'NLOS = 161.04 − 7.1·log10 W + 7.5·log10 h − (24.37 − 3.7·(h/hBS)²)·log10 hBS
//	      + (43.42 − 3.1·log10 hBS)·(log10 d3D − 3) + 20·log10 fc
//	      − (3.2·(log10(11.75·hUT))² − 4.97)
//	NLOS: max(PL_LOS, PL'NLOS) for 10 m ≤ d2D ≤ 5 km (σ 8 dB)
//
// Validity: 0.5 ≤ fc ≤ 30 GHz, 10 ≤ hBS ≤ 150 m, 1 ≤ hUT ≤ 10 m, d2D from
// 10 m to 10 km (LOS) or 5 km (NLOS, and LOSModeExpected, which needs both).
// PL1 is evaluated at dBP as a 3D distance, as the table writes it.
// Assumption: the actual antenna heights are used in dBP (the table's RMa
// breakpoint uses hBS and hUT, not effective heights).
func RMaDB(l Link, p RMaParams, mode LOSMode, ext Extensions) (Loss, error) {
	if err := p.Validate(); err != nil {
		return Loss{}, err
	}
	dHi := 5000.0
	if mode == LOSModeLOS {
		dHi = 10000
	}
	if err := check38901("38.901-rma", l, 30, 10, 150, 1, 10, dHi, ext); err != nil {
		return Loss{}, err
	}
	switch mode {
	case LOSModeLOS:
		return rmaLOS(l, p), nil
	case LOSModeNLOS:
		return rmaNLOS(l, p), nil
	case LOSModeExpected:
		return blend(RMaLOSProbability(l.DistanceM), rmaLOS(l, p), rmaNLOS(l, p)), nil
	}
	return Loss{}, fmt.Errorf("38.901-rma: invalid LOS mode %d: %w", mode, engine.ErrInvalidValue)
}

func rmaLOS(l Link, p RMaParams) Loss {
	fc := l.FreqMHz / 1000
	h := p.BuildingHeightM
	hp := math.Pow(h, 1.72)
	pl1 := func(d3 float64) float64 {
		return 20*math.Log10(40*math.Pi*d3*fc/3) + min(0.03*hp, 10)*math.Log10(d3) -
			min(0.044*hp, 14.77) + 0.002*math.Log10(h)*d3
	}
	dBP := 2 * math.Pi * l.HBaseM * l.HMobileM * l.FreqMHz * 1e6 / speedOfLightMPerS
	d3 := l.distance3DM()
	if l.DistanceM <= dBP {
		return Loss{DB: floorFreeSpace(pl1(d3), l), SigmaDB: 4}
	}
	return Loss{DB: pl1(dBP) + 40*math.Log10(d3/dBP), SigmaDB: 6}
}

func rmaNLOS(l Link, p RMaParams) Loss {
	fc := l.FreqMHz / 1000
	h, w, hbs, hut := p.BuildingHeightM, p.StreetWidthM, l.HBaseM, l.HMobileM
	x := math.Log10(11.75 * hut)
	nlos := 161.04 - 7.1*math.Log10(w) + 7.5*math.Log10(h) -
		(24.37-3.7*(h/hbs)*(h/hbs))*math.Log10(hbs) +
		(43.42-3.1*math.Log10(hbs))*(math.Log10(l.distance3DM())-3) +
		20*math.Log10(fc) - (3.2*x*x - 4.97)
	los := rmaLOS(l, p)
	return Loss{DB: max(los.DB, nlos), SigmaDB: 8}
}

// UMaDB returns the 3GPP TR 38.901 (v16/v17) Table 7.4.1-1 urban-macro
// path loss. With fc in GHz and d in m:
//
//	PL1 = 28.0 + 22·log10(d3D) + 20·log10(fc)
//	PL2 = 28.0 + 40·log10(d3D) + 20·log10(fc) − 9·log10(d'BP² + (hBS − hUT)²)
//	d'BP = 4·h'BS·h'UT·fc/c (fc in Hz), h'BS = hBS − hE, h'UT = hUT − hE
//	LOS:  PL1 for 10 m ≤ d2D ≤ d'BP, PL2 for d'BP ≤ d2D ≤ 5 km (σ 4 dB)
//	PL'NLOS = 13.54 + 39.08·log10(d3D) + 20·log10(fc) − 0.6·(hUT − 1.5)
//	NLOS: max(PL_LOS, PL'NLOS) for 10 m ≤ d2D ≤ 5 km (σ 6 dB)
//
// Validity: 0.5 ≤ fc ≤ 100 GHz, 1.5 ≤ hUT ≤ 22.5 m, 10 m ≤ d2D ≤ 5 km.
// The table's scenario has hBS = 25 m; lomsong's assumption is to accept
// 10 ≤ hBS ≤ 150 m (RMa's range), since hBS enters only through d'BP and
// PL2. The effective environment height hE is 1 m: the table draws it at
// random only for hUT ≥ 13 m (C(d2D, hUT) = 0 below), and lomsong uses its
// hE = 1 m branch for every height so results stay deterministic.
func UMaDB(l Link, mode LOSMode, ext Extensions) (Loss, error) {
	if err := check38901("38.901-uma", l, 100, 10, 150, 1.5, 22.5, 5000, ext); err != nil {
		return Loss{}, err
	}
	switch mode {
	case LOSModeLOS:
		return umaLOS(l), nil
	case LOSModeNLOS:
		return umaNLOS(l), nil
	case LOSModeExpected:
		return blend(UMaLOSProbability(l.DistanceM, l.HMobileM), umaLOS(l), umaNLOS(l)), nil
	}
	return Loss{}, fmt.Errorf("38.901-uma: invalid LOS mode %d: %w", mode, engine.ErrInvalidValue)
}

func umaLOS(l Link) Loss {
	const hE = 1.0
	fc := l.FreqMHz / 1000
	d3 := l.distance3DM()
	dBP := 4 * (l.HBaseM - hE) * (l.HMobileM - hE) * l.FreqMHz * 1e6 / speedOfLightMPerS
	if l.DistanceM <= dBP {
		return Loss{DB: floorFreeSpace(28+22*math.Log10(d3)+20*math.Log10(fc), l), SigmaDB: 4}
	}
	dh := l.HBaseM - l.HMobileM
	return Loss{DB: 28 + 40*math.Log10(d3) + 20*math.Log10(fc) - 9*math.Log10(dBP*dBP+dh*dh), SigmaDB: 4}
}

func umaNLOS(l Link) Loss {
	fc := l.FreqMHz / 1000
	nlos := 13.54 + 39.08*math.Log10(l.distance3DM()) + 20*math.Log10(fc) - 0.6*(l.HMobileM-1.5)
	return Loss{DB: max(umaLOS(l).DB, nlos), SigmaDB: 6}
}
