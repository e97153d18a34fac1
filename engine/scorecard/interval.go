package scorecard

import (
	"fmt"
	"strconv"

	"github.com/lomsong/lomsong/engine/penetration"
)

// Interval kinds of the scorecard's own figures, beside those of the
// estimators (penetration.IntervalKind).
const (
	// IntervalCount: target 1's central range of the number of villages
	// truly without 3G/4G, from their p_dead taken as independent (a
	// Poisson-binomial count, CountInterval), widened to hold the count
	// listed.
	IntervalCount penetration.IntervalKind = "poisson-binomial"
	// IntervalWeightedBounds: a national share's bounds, the household-
	// weighted means of the areas' bounds: no confidence interval of its
	// own (Confidence 0). It is as wide as the nation's own interval when
	// the areas' errors move together and wider when they are independent,
	// but its coverage is not bounded by the areas' in general (errors of
	// the areas that rarely but greatly exceed their bounds add up).
	IntervalWeightedBounds penetration.IntervalKind = "weighted-bounds"
	// IntervalLowerBound: target 1 summed over some areas only (the
	// others not assessed): Lower is a lower bound, the value unknown.
	IntervalLowerBound penetration.IntervalKind = "lower-bound"
	// IntervalListed: target 1's count as listed, without the villages'
	// probabilities to give it a range (Lower = Upper = Value).
	IntervalListed penetration.IntervalKind = "listed"
	// IntervalMixed: target 5's two halves have intervals of different
	// kinds, neither exact; the bounds are the smaller of theirs.
	IntervalMixed penetration.IntervalKind = "mixed"
)

// Methods of target 1.
const (
	MethodDeadZoneVillages   = "villages with no 3G/4G from any carrier (p_dead at or above the cut)"
	MethodDeadZoneHouseholds = "households of the hexes with no 3G/4G from any carrier"
)

// IntervalText says in words what a result's [Lower, Upper] is:
// "95% Wilson score interval", "sensitivity range of a model parameter
// (not a confidence interval)"; "" when the result has no interval.
func IntervalText(kind penetration.IntervalKind, conf float64) string {
	pct := ""
	if conf > 0 {
		pct = strconv.FormatFloat(100*conf, 'f', -1, 64) + "% "
	}
	switch kind {
	case penetration.IntervalExact:
		return "exact: administrative counts or reported figures, no sample to give an interval"
	case penetration.IntervalWilson:
		return pct + "Wilson score interval (binomial counts)"
	case penetration.IntervalPosterior:
		return pct + "credible interval of the beta posterior (model shrunk towards the survey)"
	case penetration.IntervalJeffreys:
		return pct + "credible interval of the survey's beta posterior under the Jeffreys prior (no model share to shrink towards)"
	case penetration.IntervalPrior:
		return pct + "range of the empirical-Bayes beta prior (no survey of the area: the household model, with the surveyed areas' spread around it)"
	case penetration.IntervalBootstrap:
		return pct + "percentile bootstrap interval"
	case penetration.IntervalSensitivity:
		return "sensitivity range over a model parameter's plausible values (not a confidence interval)"
	case IntervalCount:
		return pct + "range of the villages truly without 3G/4G from their p_dead (independent), widened to hold the count listed"
	case IntervalListed:
		return "the count listed: no range without the villages' p_dead"
	case IntervalWeightedBounds:
		return "household-weighted mean of the areas' bounds (no confidence level of its own)"
	case IntervalLowerBound:
		return "lower bound: the areas not assessed are not counted"
	case IntervalMixed:
		return "the smaller of the two halves' bounds (intervals of different kinds)"
	case penetration.IntervalNone, "":
		return ""
	}
	return fmt.Sprintf("%s%s interval", pct, kind)
}
