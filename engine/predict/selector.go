package predict

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
)

// Model identifies a propagation model.
type Model uint8

// Models. ModelNone is the zero value.
const (
	ModelNone Model = iota
	ModelFreeSpace
	ModelHata
	ModelCOST231
	ModelRMa
	ModelUMa
)

var modelNames = [...]string{"none", "free-space", "okumura-hata", "cost231-hata", "38.901-rma", "38.901-uma"}

// String names the model.
func (m Model) String() string {
	if int(m) < len(modelNames) {
		return modelNames[m]
	}
	return fmt.Sprintf("invalid(%d)", uint8(m))
}

// HataSigmaDB is the shadow-fading standard deviation lomsong attaches to
// Okumura–Hata and COST-231 predictions. Hata's paper gives medians only;
// 8 dB is lomsong's assumption: the value TR 38.901 gives for rural-macro
// NLOS and within the 6–10 dB measured for macro cells. Calibration against
// measurements (Calibrate) replaces it with the residual σ.
const HataSigmaDB = 8

// ModelConfig selects and parameterises the propagation model per band,
// technology and environment.
//
// Selection (Select):
//   - 5G, or a band above the COST-231 limit (2000 MHz, or 2200 MHz with
//     Ext.COST231To2200MHz): TR 38.901 — UMa in urban and dense urban hexes,
//     RMa in suburban (with SuburbanRMa) and rural (with RuralRMa) hexes;
//   - above 1500 MHz: COST-231 Hata — Cm 3 dB in dense urban, Cm 0 in urban,
//     with Hata's suburban and open corrections in suburban and rural;
//   - 150–1500 MHz: Okumura–Hata — large city in dense urban, small/medium
//     city in urban, suburban, open area in rural;
//   - anything else is an error wrapping engine.ErrOutOfRange.
//
// So 2G/3G/4G at 700–900 MHz use Hata, 1800 MHz (and 2100 MHz with the
// COST-231 extension) COST-231, and 2600/3500 MHz and all 5G use 38.901.
type ModelConfig struct {
	Ext         Extensions `json:"extensions"`
	LOS         LOSMode    `json:"los"`          // 38.901 branch; default LOSModeNLOS
	RuralRMa    RMaParams  `json:"rural_rma"`    // default h 5 m, W 20 m (Table 7.4.1-1 defaults)
	SuburbanRMa RMaParams  `json:"suburban_rma"` // default h 10 m, W 20 m (assumption: taller clutter)
}

// DefaultModelConfig returns strict ranges, NLOS and the RMa defaults above.
func DefaultModelConfig() ModelConfig {
	return ModelConfig{
		LOS:         LOSModeNLOS,
		RuralRMa:    DefaultRMaParams(),
		SuburbanRMa: RMaParams{BuildingHeightM: 10, StreetWidthM: 20},
	}
}

// Validate checks the LOS mode and the RMa parameters.
func (c ModelConfig) Validate() error {
	if c.LOS > LOSModeExpected {
		return fmt.Errorf("invalid LOS mode %d: %w", c.LOS, engine.ErrInvalidConfig)
	}
	if err := c.RuralRMa.Validate(); err != nil {
		return fmt.Errorf("rural %w", err)
	}
	if err := c.SuburbanRMa.Validate(); err != nil {
		return fmt.Errorf("suburban %w", err)
	}
	return nil
}

// Select returns the model for a technology, band and environment (see
// ModelConfig).
func (c ModelConfig) Select(tech engine.Tech, freqMHz float64, env Env) (Model, error) {
	if !env.Valid() {
		return ModelNone, fmt.Errorf("invalid environment %d: %w", env, engine.ErrInvalidValue)
	}
	costHi := 2000.0
	if c.Ext.COST231To2200MHz {
		costHi = 2200
	}
	switch {
	case !finite(freqMHz):
		return ModelNone, fmt.Errorf("frequency %g MHz: %w", freqMHz, engine.ErrInvalidValue)
	case tech == engine.Tech5G || freqMHz > costHi:
		if env >= EnvUrban {
			return ModelUMa, nil
		}
		return ModelRMa, nil
	case freqMHz > 1500:
		return ModelCOST231, nil
	case freqMHz >= 150:
		return ModelHata, nil
	}
	return ModelNone, fmt.Errorf("no propagation model for %s at %g MHz (lowest is 150 MHz): %w", tech, freqMHz, engine.ErrOutOfRange)
}

var envArea = [numEnv]Area{EnvRural: AreaOpen, EnvSuburban: AreaSuburban, EnvUrban: AreaUrban, EnvDenseUrban: AreaLargeCity}

// PathLoss selects the model for tech, l.FreqMHz and env and evaluates it.
func (c ModelConfig) PathLoss(tech engine.Tech, env Env, l Link) (Loss, Model, error) {
	m, err := c.Select(tech, l.FreqMHz, env)
	if err != nil {
		return Loss{}, m, err
	}
	var loss Loss
	switch m {
	case ModelHata:
		loss.DB, err = HataDB(l, envArea[env], c.Ext)
		loss.SigmaDB = HataSigmaDB
	case ModelCOST231:
		loss.DB, err = COST231DB(l, envArea[env], c.Ext)
		loss.SigmaDB = HataSigmaDB
	case ModelUMa:
		loss, err = UMaDB(l, c.LOS, c.Ext)
	case ModelRMa:
		p := c.RuralRMa
		if env == EnvSuburban {
			p = c.SuburbanRMa
		}
		loss, err = RMaDB(l, p, c.LOS, c.Ext)
	}
	return loss, m, err
}
