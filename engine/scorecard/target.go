package scorecard

// Target is one of the five provincial targets of 2022.
type Target uint8

// The targets, in the ministry's order.
const (
	TargetDeadZones  Target = iota // (1) no 3G/4G dead zones
	TargetSmartphone               // (2) 100% of households with a smartphone or tablet
	TargetFibre                    // (3) 80% of households with fibre
	TargetTwoGOnly                 // (4) 2G-only phones below 5%
	TargetSpeed                    // (5) fixed and mobile speeds up at least 30% year on year
	NumTargets       = 5
)

// Targets lists the targets in order.
var Targets = [NumTargets]Target{TargetDeadZones, TargetSmartphone, TargetFibre, TargetTwoGOnly, TargetSpeed}

// String returns the target's field name ("dead_zones", "smartphone",
// "fibre", "2g_only", "speed_yoy").
func (t Target) String() string {
	switch t {
	case TargetDeadZones:
		return "dead_zones"
	case TargetSmartphone:
		return "smartphone"
	case TargetFibre:
		return "fibre"
	case TargetTwoGOnly:
		return "2g_only"
	case TargetSpeed:
		return "speed_yoy"
	}
	return "unknown"
}

// higherBetter reports the direction in which the target improves.
func (t Target) higherBetter() bool {
	return t == TargetSmartphone || t == TargetFibre || t == TargetSpeed
}

// Status is a target's state for one area and month.
type Status uint8

// Status values. The zero value is StatusUnknown: data is missing, and a
// missing figure is never read as zero.
const (
	StatusUnknown Status = iota
	StatusMet
	StatusNotMet
)

// String returns "unknown", "met" or "not_met".
func (s Status) String() string {
	switch s {
	case StatusMet:
		return "met"
	case StatusNotMet:
		return "not_met"
	}
	return "unknown"
}

// and is three-valued conjunction: not met wins, then unknown.
func and(a, b Status) Status {
	switch {
	case a == StatusNotMet || b == StatusNotMet:
		return StatusNotMet
	case a == StatusUnknown || b == StatusUnknown:
		return StatusUnknown
	}
	return StatusMet
}

// Rule decides which figure a status is judged on.
type Rule uint8

// Rules. Every Result carries both statuses; Config.Rule picks Status.
const (
	// RulePoint judges the point estimate (as the ministry reports).
	RulePoint Rule = iota
	// RuleBound judges the conservative end of the interval: the lower
	// bound of a higher-is-better target, the upper bound of 2G-only; met
	// only when the data show the target is met.
	RuleBound
)

// pick returns the status of the two the rule judges on.
func (r Rule) pick(point, bound Status) Status {
	if r == RuleBound {
		return bound
	}
	return point
}

// Basis is the measure of target 1.
type Basis uint8

// Bases of target 1.
const (
	// BasisVillages: villages (thôn/bản) with no 3G/4G from any carrier,
	// the ministry's own statistic (2,418 on 1 January 2021).
	BasisVillages Basis = iota
	// BasisHouseholds: households living in dead-zone hexes.
	BasisHouseholds
)

func (b Basis) String() string {
	if b == BasisHouseholds {
		return "households"
	}
	return "villages"
}
