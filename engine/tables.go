package engine

// Village is a thôn/bản (hamlet) of the villages table: the unit in which
// the ministry counts places without mobile signal. Households is a count
// (non-negative); Name and CommuneCode may be empty.
type Village struct {
	ID          string
	Name        string
	CommuneCode string
	Lon, Lat    float64 // WGS84 degrees
	Households  float64
}

// Subscription is one row of the subscriptions table: counts for an
// administrative area (AreaCode, e.g. a GSO province or commune code) in a
// period (YYYY-MM). Absent counts are NaN. Counts are not required to be
// consistent with each other (a fibre count above the household count is a
// data problem for the estimators to flag, not a reason to drop the row),
// except the survey pair: SurveyedWithSmartphone ≤ SurveyedHouseholds.
type Subscription struct {
	AreaCode               string
	Period                 string
	Households             float64
	FiberHouseholds        float64
	MobileSubscribers      float64
	SmartphoneSubscribers  float64
	Only2GSubscribers      float64
	SurveyedHouseholds     float64
	SurveyedWithSmartphone float64
	// FixedMedianDLMbps is the median download speed of the fixed-broadband
	// speed tests of the area-month (Mbit/s, as published by the measuring
	// body); NaN when not given.
	FixedMedianDLMbps float64
}
