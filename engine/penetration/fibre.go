package penetration

import (
	"fmt"
	"math"
)

// Method names of the fibre estimates.
const (
	MethodFibreAdmin     = "fibre households / households (administrative counts)"
	MethodFibreProjected = "fibre households / census-projected households"
	MethodFibreSurvey    = "surveyed households with fibre / surveyed households"
)

// FibreShare returns the share of households with fixed fibre broadband
// in one subscriptions row: FiberHouseholds / Households.
//
// Both counts are administrative (carriers' subscriber registers), so the
// ratio has no sampling error and the interval is exact (Lower = Upper =
// Value). When the row has no Households, proj projects them from the
// census (see Projection); the interval is then the sensitivity range of
// the share over the projection's growth band, not a confidence interval.
// A share above 100% is reported in Issues (fibre subscriptions counted
// per line rather than per household, stale household counts) and kept
// as computed, never clipped, and marked Impossible: not judged.
func FibreShare(s Subscription, proj *Projection) Estimate {
	if math.IsNaN(s.FiberHouseholds) {
		return unknown(MethodFibreAdmin, "fiber_households missing")
	}
	if s.FiberHouseholds < 0 {
		return unknown(MethodFibreAdmin, "fiber_households negative")
	}
	h, lo, hi, projected, issue := households(s, proj)
	if issue != "" {
		return unknown(MethodFibreAdmin, issue)
	}
	e := Estimate{Value: s.FiberHouseholds / h, Lower: s.FiberHouseholds / h, Upper: s.FiberHouseholds / h,
		Interval: IntervalExact, Method: MethodFibreAdmin,
		Assumptions: []string{"fibre subscriptions are counted once per household",
			"administrative counts: no sampling error"}}
	if projected {
		e.HouseholdsProjected = true
		e.Method = MethodFibreProjected
		e.Interval = IntervalSensitivity
		e.Lower, e.Upper = s.FiberHouseholds/hi, s.FiberHouseholds/lo
		g := proj.DefaultGrowth
		if v, ok := proj.Growth[s.AreaCode]; ok {
			g = v
		}
		e.Assumptions = append(e.Assumptions, fmt.Sprintf(
			"households projected from the census of %s at %.2f%%/yr compound to the middle of %s; interval: growth %.2f%%..%.2f%%/yr",
			proj.CensusDate.Format("2006-01-02"), 100*g, s.Period, 100*(g-proj.GrowthBand), 100*(g+proj.GrowthBand)))
	}
	if e.Value > 1 {
		e.Impossible = true
		e.Issues = append(e.Issues, fmt.Sprintf("share above 100%% (%.1f%%): fibre households exceed households (data problem, not clipped)", 100*e.Value))
	}
	return e
}

// FibreShareSurvey returns the share of surveyed households with fibre and
// its Wilson score interval at confidence conf. It assumes a simple random
// sample of households (no design effect; a clustered survey's interval is
// wider than this).
func FibreShareSurvey(withFibre, surveyed, conf float64) Estimate {
	e := Proportion(withFibre, surveyed, conf, MethodFibreSurvey)
	if e.Known() {
		e.Assumptions = append(e.Assumptions, "simple random sample of households (design effect 1)")
	}
	return e
}
