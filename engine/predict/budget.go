package predict

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// TechParams are one technology's link-budget parameters and defaults for
// sites whose register leaves a value empty.
//
// The predicted signal is the quantity the input contract's signal_dbm
// column carries for the technology:
//
//	signal = EIRP + share − PL + A(φ, θ)
//
// where EIRP is the site's total effective isotropic radiated power (dBm,
// boresight gain and feeder losses included), PL the median path loss and
// A the relative antenna pattern gain (≤ 0 dB). share converts total power
// to the measured quantity:
//   - 4G RSRP (TS 36.214): power per resource element, share =
//     −10·log10(12·N_RB), e.g. 20 MHz → 100 RB → 1200 RE → −30.79 dB.
//     Assumption: reference signals are sent at the average EPRE (no
//     power boosting).
//   - 5G SS-RSRP (TS 38.215): likewise over the carrier's N_RB at its
//     numerology, e.g. 100 MHz at 30 kHz → 273 RB → 3276 RE → −35.15 dB
//     (TS 38.101-1 Table 5.3.2-1). Assumption: SSB EPRE equals the average.
//   - 3G RSCP (TS 25.215): the CPICH's share of total power, share =
//     10·log10(fraction), e.g. 10 % → −10 dB.
//   - 2G RSSI: the BCCH carrier is sent at full power on every timeslot,
//     share = 0 dB; EIRP is the BCCH carrier's EIRP.
type TechParams struct {
	BandMHz       float64 `json:"band_mhz"`       // default carrier frequency, MHz
	EIRPDBm       float64 `json:"eirp_dbm"`       // default total EIRP, dBm
	NRB           int     `json:"n_rb"`           // 4G/5G: resource blocks the EIRP is spread over
	CPICHFraction float64 `json:"cpich_fraction"` // 3G: CPICH share of total power, (0, 1]
	MaxRangeM     float64 `json:"max_range_m"`    // sites farther than this from a point are not evaluated
}

// DefaultTechParams returns lomsong's documented defaults (assumptions for
// typical Vietnamese macro sites, to be overridden by register values):
//   - 2G: 900 MHz; EIRP 57 dBm = 43 dBm (20 W) BCCH TRX + 17 dBi − 3 dB
//     combiner and feeder; max range 35 km (the GSM timing-advance limit).
//   - 3G: 2100 MHz; EIRP 58 dBm = 43 dBm (20 W) + 17 dBi − 2 dB feeder;
//     CPICH 10 % (−10 dB); 15 km.
//   - 4G: 1800 MHz; EIRP 58 dBm = 43 dBm (20 W) + 17 dBi − 2 dB; 100 RB
//     (20 MHz); 15 km.
//   - 5G: 3500 MHz; EIRP 72 dBm = 53 dBm (200 W) + 21 dBi SSB beam gain
//     of a 64T64R array − 2 dB; 273 RB (100 MHz at 30 kHz); 15 km.
//
// Unknown technologies get the zero value.
func DefaultTechParams(t engine.Tech) TechParams {
	switch t {
	case engine.Tech2G:
		return TechParams{BandMHz: 900, EIRPDBm: 57, MaxRangeM: 35000}
	case engine.Tech3G:
		return TechParams{BandMHz: 2100, EIRPDBm: 58, CPICHFraction: 0.1, MaxRangeM: 15000}
	case engine.Tech4G:
		return TechParams{BandMHz: 1800, EIRPDBm: 58, NRB: 100, MaxRangeM: 15000}
	case engine.Tech5G:
		return TechParams{BandMHz: 3500, EIRPDBm: 72, NRB: 273, MaxRangeM: 15000}
	}
	return TechParams{}
}

// Validate checks the parameters a technology needs.
func (p TechParams) Validate(t engine.Tech) error {
	if !(p.BandMHz > 0) || !finite(p.BandMHz) || !finite(p.EIRPDBm) || !(p.MaxRangeM > 0) || !finite(p.MaxRangeM) {
		return fmt.Errorf("%s link budget %+v: band, EIRP and max range must be finite, band and range positive: %w", t, p, engine.ErrInvalidConfig)
	}
	switch t {
	case engine.Tech4G, engine.Tech5G:
		if p.NRB < 1 {
			return fmt.Errorf("%s link budget: %d resource blocks: %w", t, p.NRB, engine.ErrInvalidConfig)
		}
	case engine.Tech3G:
		if !(p.CPICHFraction > 0 && p.CPICHFraction <= 1) {
			return fmt.Errorf("3G link budget: CPICH fraction %g outside (0, 1]: %w", p.CPICHFraction, engine.ErrInvalidConfig)
		}
	}
	return nil
}

// ShareDB returns the conversion from total EIRP to the technology's
// measured quantity (see TechParams).
func (p TechParams) ShareDB(t engine.Tech) float64 {
	switch t {
	case engine.Tech4G, engine.Tech5G:
		return REShareDB(p.NRB)
	case engine.Tech3G:
		return 10 * math.Log10(p.CPICHFraction)
	}
	return 0
}

// REShareDB returns −10·log10(12·nRB), the share of total power in one
// resource element when it is spread evenly over nRB resource blocks of 12
// subcarriers.
func REShareDB(nRB int) float64 { return -10 * math.Log10(12*float64(nRB)) }

// SignalDBm returns eirpDBm + shareDB − pathLossDB + patternDB.
func SignalDBm(eirpDBm, shareDB, pathLossDB, patternDB float64) float64 {
	return eirpDBm + shareDB - pathLossDB + patternDB
}
