package penetration

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/geodata"
)

// HouseholdDist is the model of the number of adults K in a household.
type HouseholdDist uint8

// Household models. Both have K ≥ 1 and mean A = persons per household ×
// adult share (K = 1 for every household when A ≤ 1).
const (
	// ShiftedPoisson: K = 1 + Poisson(A − 1). E[s^K] = s·exp(−(A−1)(1−s)).
	ShiftedPoisson HouseholdDist = iota
	// ZeroTruncatedPoisson: K ~ Poisson(θ) conditioned on K ≥ 1, θ solving
	// θ/(1 − e^−θ) = A. E[s^K] = (e^{θs} − 1)/(e^θ − 1).
	ZeroTruncatedPoisson
)

func (d HouseholdDist) String() string {
	switch d {
	case ShiftedPoisson:
		return "1+Poisson"
	case ZeroTruncatedPoisson:
		return "zero-truncated Poisson"
	}
	return "unknown"
}

// SmartphoneModel turns smartphone subscriptions into the share of
// households with at least one smartphone or tablet.
//
//	adults = households × persons per household × AdultShare
//	p      = smartphone subscribers / SIMsPerUser / adults
//	share  = 1 − E[(1 − p)^K]
//
// p is the chance that an adult uses a smartphone; the model assumes
// adults own smartphones independently of each other (within a household
// ownership is in fact correlated, so the model overstates the share a
// little where ownership is low) and that K follows Dist. The share is not
// the subscriber ratio: one smartphone serves the whole household.
type SmartphoneModel struct {
	// AdultShare is the share of the population old enough to hold a
	// phone: 0.75 by default (about three quarters of Viet Nam's people
	// were 15 or older in the 2019 census).
	AdultShare float64
	// SIMsPerUser de-duplicates subscriptions into people (multi-SIM
	// users, data SIMs in tablets): 1.3 by default, an assumption rather
	// than a published figure. SIMsPerUserLow/High (1.1, 1.6) bound the
	// sensitivity interval.
	SIMsPerUser, SIMsPerUserLow, SIMsPerUserHigh float64
	// PersonsPerHousehold is used for areas the projection does not know
	// (communes): the national 2019 census figure by default (3.58).
	PersonsPerHousehold float64
	Dist                HouseholdDist
}

// DefaultSmartphoneModel returns the documented defaults.
func DefaultSmartphoneModel() SmartphoneModel {
	return SmartphoneModel{AdultShare: 0.75, SIMsPerUser: 1.3, SIMsPerUserLow: 1.1, SIMsPerUserHigh: 1.6,
		PersonsPerHousehold: geodata.NationalHouseholdSize2019, Dist: ShiftedPoisson}
}

// Validate checks the model's parameters.
func (m SmartphoneModel) Validate() error {
	switch {
	case !(m.AdultShare > 0 && m.AdultShare <= 1):
		return configErr("adult share %v outside (0, 1]", m.AdultShare)
	case !(m.SIMsPerUserLow > 0 && m.SIMsPerUserLow <= m.SIMsPerUser && m.SIMsPerUser <= m.SIMsPerUserHigh):
		return configErr("SIMs per user need 0 < low %v <= %v <= high %v", m.SIMsPerUserLow, m.SIMsPerUser, m.SIMsPerUserHigh)
	case !(m.PersonsPerHousehold >= 1):
		return configErr("persons per household %v below 1", m.PersonsPerHousehold)
	case m.Dist > ZeroTruncatedPoisson:
		return configErr("unknown household distribution %d", m.Dist)
	}
	return nil
}

// NoSmartphone returns (1 − p)^k: the chance that none of k adults who
// each use a smartphone with probability p (independently) has one.
func NoSmartphone(p float64, k int) float64 { return math.Pow(1-p, float64(k)) }

// HouseholdNoSmartphone returns E[(1 − p)^K] for K adults per household
// with mean meanAdults under d.
func HouseholdNoSmartphone(p, meanAdults float64, d HouseholdDist) float64 {
	s := 1 - p
	if meanAdults <= 1 {
		return s
	}
	switch d {
	case ZeroTruncatedPoisson:
		th := ztpTheta(meanAdults)
		return math.Expm1(th*s) / math.Expm1(th)
	default:
		return s * math.Exp(-(meanAdults-1)*p)
	}
}

// ztpTheta solves θ/(1 − e^−θ) = a for a > 1 by bisection; the root lies
// in [a − 1, a].
func ztpTheta(a float64) float64 {
	lo, hi := max(a-1, 1e-12), a
	for range 200 {
		mid := (lo + hi) / 2
		if mid/(-math.Expm1(-mid)) < a {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// MethodSmartphoneModel names the model estimate.
const MethodSmartphoneModel = "household model: 1 - E[(1-p)^K], p = smartphone subscribers per adult"

// Share returns the model share of households with at least one smartphone
// for a subscriptions row. Households come from the row or, when absent,
// from proj; persons per household from proj's census base, else the
// model default. The interval is the sensitivity range over SIMsPerUser
// in [Low, High] (and the household projection band when households were
// projected); it is not a confidence interval. When subscribers per adult
// exceed 1 after de-duplication, p is capped at 1 for the model, the
// problem is reported in Issues and the estimate is Impossible (shown, not
// judged), as when smartphone subscribers exceed mobile subscribers.
func (m SmartphoneModel) Share(s Subscription, proj *Projection) Estimate {
	if math.IsNaN(s.SmartphoneSubscribers) || s.SmartphoneSubscribers < 0 {
		return unknown(MethodSmartphoneModel, "smartphone_subscribers missing or negative")
	}
	h, hlo, hhi, projected, issue := households(s, proj)
	if issue != "" {
		return unknown(MethodSmartphoneModel, issue)
	}
	pph, src := m.PersonsPerHousehold, "national default"
	if proj != nil {
		if v, ok := proj.PersonsPerHousehold(s.AreaCode); ok {
			pph, src = v, "census of the area"
		}
	}
	a := pph * m.AdultShare
	var issues []string
	share := func(sims, hh float64) float64 {
		p := s.SmartphoneSubscribers / sims / (hh * a)
		if p > 1 {
			p = 1
		}
		return 1 - HouseholdNoSmartphone(p, a, m.Dist)
	}
	impossible := false
	if p := s.SmartphoneSubscribers / m.SIMsPerUser / (h * a); p > 1 {
		// More smartphone users than adults: the counts (subscribers or
		// households) are wrong, and the capped share would read as
		// "every household": shown, not judged.
		issues = append(issues, fmt.Sprintf("smartphone users per adult %.2f above 1 (capped at 1 in the model): subscriber or household count problem (the model is not used: the survey alone, if any, decides)", p))
		impossible = true
	}
	if s.SmartphoneSubscribers > s.MobileSubscribers { // false when mobile subscribers are missing (NaN)
		issues = append(issues, fmt.Sprintf("smartphone subscribers %.0f above mobile subscribers %.0f: the counts contradict each other (the model is not used: the survey alone, if any, decides)",
			s.SmartphoneSubscribers, s.MobileSubscribers))
		impossible = true
	}
	v := share(m.SIMsPerUser, h)
	e := Estimate{Value: v, Lower: min(v, share(m.SIMsPerUserHigh, hhi)), Upper: max(v, share(m.SIMsPerUserLow, hlo)),
		Interval: IntervalSensitivity, Method: MethodSmartphoneModel, Issues: issues, Impossible: impossible,
		Assumptions: []string{
			fmt.Sprintf("adults = households x %.2f persons (%s) x adult share %.2f", pph, src, m.AdultShare),
			fmt.Sprintf("%.2f SIMs per smartphone user (interval: %.2f..%.2f)", m.SIMsPerUser, m.SIMsPerUserLow, m.SIMsPerUserHigh),
			fmt.Sprintf("adults per household K ~ %s with mean %.2f; adults own smartphones independently", m.Dist, max(a, 1)),
		}}
	if projected {
		e.HouseholdsProjected = true
		e.Assumptions = append(e.Assumptions, "households projected from the census (interval includes the growth band)")
	}
	return e
}
