package predict

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// Env is a propagation environment class, derived from population density.
// The zero value is EnvRural.
type Env uint8

// Environment classes, from least to most built-up.
const (
	EnvRural Env = iota
	EnvSuburban
	EnvUrban
	EnvDenseUrban
	numEnv
)

var envNames = [...]string{"rural", "suburban", "urban", "dense-urban"}

// String returns "rural", "suburban", "urban" or "dense-urban".
func (e Env) String() string {
	if e < numEnv {
		return envNames[e]
	}
	return fmt.Sprintf("invalid(%d)", uint8(e))
}

// Valid reports whether e is one of the four classes.
func (e Env) Valid() bool { return e < numEnv }

// EnvCutoffs are the population densities (people per km²) at which a hex
// becomes suburban, urban and dense urban; below SuburbanPerKm2 it is rural.
//
// Defaults (DefaultEnvCutoffs) and their sources:
//   - SuburbanPerKm2 = 300 and UrbanPerKm2 = 1,500 are the grid-cell density
//     thresholds of the Degree of Urbanisation (DEGURBA), the method endorsed
//     by the UN Statistical Commission in 2020 (urban cluster ≥ 300/km²,
//     urban centre ≥ 1,500/km² on 1 km² cells). An H3 resolution-8 hex
//     (0.74 km²) is close to that cell size. Assumption: lomsong applies the
//     thresholds cell by cell, without DEGURBA's contiguity and cluster-size
//     rules.
//   - DenseUrbanPerKm2 = 10,000 is lomsong's assumption: it selects the inner
//     wards of Hanoi and Ho Chi Minh City (typically 20,000–40,000/km²),
//     where tall, dense buildings justify Hata's large-city and COST-231's
//     metropolitan corrections, and leaves provincial towns as urban.
//
// Population density is a proxy for clutter (building height and density),
// which is what propagation actually depends on; calibration against
// measurements absorbs the remaining bias per class.
type EnvCutoffs struct {
	SuburbanPerKm2   float64
	UrbanPerKm2      float64
	DenseUrbanPerKm2 float64
}

// DefaultEnvCutoffs returns 300, 1,500 and 10,000 people per km².
func DefaultEnvCutoffs() EnvCutoffs {
	return EnvCutoffs{SuburbanPerKm2: 300, UrbanPerKm2: 1500, DenseUrbanPerKm2: 10000}
}

// Validate checks that the cut-offs are finite, positive and strictly
// increasing.
func (c EnvCutoffs) Validate() error {
	v := [...]float64{c.SuburbanPerKm2, c.UrbanPerKm2, c.DenseUrbanPerKm2}
	for i, x := range v {
		if !finite(x) || x <= 0 {
			return fmt.Errorf("environment cut-off %g per km² must be finite and positive: %w", x, engine.ErrInvalidConfig)
		}
		if i > 0 && x <= v[i-1] {
			return fmt.Errorf("environment cut-offs must increase (%g then %g per km²): %w", v[i-1], x, engine.ErrInvalidConfig)
		}
	}
	return nil
}

// Classify returns the class of a hex with the given population density in
// people per km². A density that is NaN, infinite or negative is an error
// wrapping engine.ErrInvalidValue.
func (c EnvCutoffs) Classify(densityPerKm2 float64) (Env, error) {
	if !finite(densityPerKm2) || densityPerKm2 < 0 {
		return EnvRural, fmt.Errorf("population density %g per km²: %w", densityPerKm2, engine.ErrInvalidValue)
	}
	switch {
	case densityPerKm2 >= c.DenseUrbanPerKm2:
		return EnvDenseUrban, nil
	case densityPerKm2 >= c.UrbanPerKm2:
		return EnvUrban, nil
	case densityPerKm2 >= c.SuburbanPerKm2:
		return EnvSuburban, nil
	}
	return EnvRural, nil
}

// ClassifyInto writes the class of densityPerKm2[i] into dst[i]. It panics
// if the slices differ in length (programmer error) and returns the first
// invalid density's error, naming its index.
func (c EnvCutoffs) ClassifyInto(dst []Env, densityPerKm2 []float64) error {
	if len(dst) != len(densityPerKm2) {
		panic("predict: ClassifyInto: dst and densityPerKm2 differ in length")
	}
	for i, d := range densityPerKm2 {
		e, err := c.Classify(d)
		if err != nil {
			return fmt.Errorf("index %d: %w", i, err)
		}
		dst[i] = e
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// EnvBlendFactor is the factor of population density either side of each
// cut-off over which Position blends a class into the next one up.
//
// Clutter does not jump at a density threshold, and the density a point
// is given (a smoothed estimate from a population table) is itself
// uncertain, while the path-loss models' classes differ by 10–30 dB
// (Hata's open-area correction against its suburban one is 18.6 dB at
// 900 MHz). A class taken as is would put a step of that size wherever
// the density crosses a cut-off: two tests a few metres apart would be
// predicted 20 dB apart, and the residual field built from them would
// carry the step to every point nearby. Blending over
// [cut/1.5, cut·1.5], linearly in log density, keeps the predicted loss
// continuous in the density. Assumption (lomsong's), measured on the demo
// worlds (seeds 1–5, whose clutter changes abruptly at a village's edge):
// a band of 1.5 gave the mean Brier score 0.0253 and F1 0.485, a band of 2
// 0.0260 and 0.468, no band 0.0258 and 0.462 — the wider the band, the
// further a hamlet just below a cut-off is predicted from its own class.
const EnvBlendFactor = 1.5

// Position returns the class of a point with the given population
// density (people per km²) and the share, in [0, 1), of the next class up
// that its path loss blends in: within a factor EnvBlendFactor of a
// cut-off (less when two cut-offs are closer than EnvBlendFactor² apart:
// then the band is the square root of their ratio, so bands never
// overlap), the share rises linearly in log density from 0 at the band's
// foot to 1 at its top, ½ at the cut-off itself. Outside every band the
// share is 0 and the class is Classify's. A density that is NaN, infinite
// or negative is an error wrapping engine.ErrInvalidValue.
func (c EnvCutoffs) Position(densityPerKm2 float64) (Env, float64, error) {
	e, err := c.Classify(densityPerKm2)
	if err != nil {
		return e, 0, err
	}
	cuts := [...]float64{c.SuburbanPerKm2, c.UrbanPerKm2, c.DenseUrbanPerKm2}
	for i, cut := range cuts {
		band := float64(EnvBlendFactor)
		if i > 0 {
			band = min(band, math.Sqrt(cut/cuts[i-1]))
		}
		if i+1 < len(cuts) {
			band = min(band, math.Sqrt(cuts[i+1]/cut))
		}
		lo, hi := cut/band, cut*band
		if densityPerKm2 <= lo || densityPerKm2 >= hi {
			continue
		}
		// Class i (below the cut) blending into class i+1.
		return Env(i), math.Log(densityPerKm2/lo) / math.Log(hi/lo), nil
	}
	return e, 0, nil
}
