package penetration

import "math"

// Subscription is one row of the subscriptions table: counts for one
// administrative area and month. Counts are float64 so that an absent
// count is NaN (never zero); present counts must be non-negative.
type Subscription struct {
	AreaCode              string
	Period                Period
	Households            float64 // NaN: project from the census
	FiberHouseholds       float64
	MobileSubscribers     float64
	SmartphoneSubscribers float64 // SIMs in smartphones and tablets
	Only2GSubscribers     float64
	// Survey counts (optional, NaN when absent): households surveyed and
	// how many of them have at least one smartphone or tablet.
	SurveyedHouseholds     float64
	SurveyedWithSmartphone float64
	// FixedMedianDLMbps is the reported median fixed-broadband download
	// speed of the area-month (NaN when absent).
	FixedMedianDLMbps float64
}

// HasSurvey reports whether the row carries usable survey counts.
func (s Subscription) HasSurvey() bool {
	return s.SurveyedHouseholds > 0 && s.SurveyedWithSmartphone >= 0 &&
		s.SurveyedWithSmartphone <= s.SurveyedHouseholds &&
		s.SurveyedHouseholds == math.Trunc(s.SurveyedHouseholds) &&
		s.SurveyedWithSmartphone == math.Trunc(s.SurveyedWithSmartphone)
}

// households returns the row's households or, when absent, the
// projection's, with the band and an assumption line.
func households(s Subscription, proj *Projection) (mid, lo, hi float64, projected bool, issue string) {
	if !math.IsNaN(s.Households) {
		if s.Households <= 0 {
			return math.NaN(), math.NaN(), math.NaN(), false, "households is zero or negative"
		}
		return s.Households, s.Households, s.Households, false, ""
	}
	if proj == nil {
		return math.NaN(), math.NaN(), math.NaN(), false, "households missing and no projection given"
	}
	if proj.Reported[s.AreaCode] {
		return math.NaN(), math.NaN(), math.NaN(), false, "households missing for " + s.Period.String() +
			" (area " + s.AreaCode + " reports its own in other months: a census projection would not compare with them)"
	}
	m, l, h, ok := proj.Households(s.AreaCode, s.Period)
	if !ok {
		return math.NaN(), math.NaN(), math.NaN(), false, "households missing and area " + s.AreaCode + " has no census base"
	}
	return m, l, h, true, ""
}
