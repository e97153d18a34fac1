package coverage

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Fill colours per level, from ColorBrewer's 3-class RdYlGn scheme
// (colorbrewer2.org): diverging, print- and photocopy-safe.
const (
	FillCovered   = "#91cf60"
	FillWeak      = "#ffffbf"
	FillUncovered = "#fc8d59"
)

// Fill returns the suggested fill colour of a level (FillCovered,
// FillWeak, FillUncovered; grey "#bdbdbd" for an invalid level).
func (l Level) Fill() string {
	switch l {
	case Covered:
		return FillCovered
	case Weak:
		return FillWeak
	case Uncovered:
		return FillUncovered
	}
	return "#bdbdbd"
}

// FeatureCollection returns one GeoJSON Feature per state for which keep
// returns true (every state when keep is nil), in the order of states.
// Each feature's geometry is the hex outline (hexgrid Cell.Boundary: a
// closed lon/lat ring, counter-clockwise) and its id is
// "cell/carrier/tech". Properties, ready for styling:
//
//	cell, carrier, tech, state, source, serving_site  strings
//	tests, failures                                   integers
//	share_below, p_value, median_dbm, predicted_dbm,
//	sigma_db, margin_db, distance_m                   numbers, null when absent (NaN)
//	fill, fill-opacity                                simplestyle-spec 1.1.0: the level's
//	                                                  colour (Level.Fill); opacity 0.7 for
//	                                                  measured, 0.4 for predicted states
//
// Encoding the collection with encoding/json is deterministic (object keys
// are sorted). A cell whose boundary cannot be computed is an error.
func FeatureCollection(states []State, keep func(State) bool) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for i := range states {
		s := &states[i]
		if keep != nil && !keep(*s) {
			continue
		}
		ring, err := s.Cell.Boundary()
		if err != nil {
			return nil, fmt.Errorf("coverage: state %d: boundary of cell %s: %w", i, s.Cell, err)
		}
		f := geojson.NewFeature(orb.Polygon{ring})
		f.ID = s.Cell.String() + "/" + string(s.Carrier) + "/" + s.Tech.String()
		opacity := 0.4
		if s.Source == Measured {
			opacity = 0.7
		}
		f.Properties = geojson.Properties{
			"cell":          s.Cell.String(),
			"carrier":       string(s.Carrier),
			"tech":          s.Tech.String(),
			"state":         s.State.String(),
			"source":        s.Source.String(),
			"serving_site":  s.ServingSite,
			"tests":         s.Tests,
			"failures":      s.Failures,
			"share_below":   jsonFloat(s.ShareBelow),
			"p_value":       jsonFloat(s.PValue),
			"median_dbm":    jsonFloat(s.MedianDBm),
			"predicted_dbm": jsonFloat(s.PredictedDBm),
			"sigma_db":      jsonFloat(s.SigmaDB),
			"margin_db":     jsonFloat(s.MarginDB),
			"distance_m":    jsonFloat(s.DistanceM),
			"fill":          s.State.Fill(),
			"fill-opacity":  opacity,
		}
		fc.Append(f)
	}
	return fc, nil
}

// jsonFloat maps NaN and ±Inf, which JSON cannot carry, to null.
func jsonFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
