package penetration

import (
	"math"
	"time"

	"github.com/lomsong/lomsong/geodata"
)

// CensusDate2019 is the reference date of the 2019 census (1 April 2019,
// 00:00 UTC).
var CensusDate2019 = time.Date(2019, time.April, 1, 0, 0, 0, 0, time.UTC)

// Defaults of the household projection.
const (
	// DefaultGrowthPerYear is the compound annual household growth used
	// for an area without its own rate: 1.5% a year, a national figure
	// (households grew faster than population between the 2009 and 2019
	// censuses, as household size fell).
	DefaultGrowthPerYear = 0.015
	// DefaultGrowthBand is the ± range (per year) over which the growth
	// rate is varied to give a projection's sensitivity interval.
	DefaultGrowthBand = 0.01
)

// AreaBase is an area's households and persons per household on the
// census date.
type AreaBase struct {
	Households          float64
	PersonsPerHousehold float64
}

// Projection projects households from a census forward in time:
//
//	H(t) = H₀ · (1 + g)^years,  years = (t − CensusDate) / 365.2425 days
//
// with t the middle of the period and g the area's annual growth
// (Growth[area], else DefaultGrowth). The band [g − GrowthBand,
// g + GrowthBand] gives the sensitivity range of H(t). The projection
// assumes steady compound growth since the census and no boundary change
// of the area (use the 2025 province set for 2025 codes).
type Projection struct {
	CensusDate    time.Time
	Base          map[string]AreaBase
	Growth        map[string]float64
	DefaultGrowth float64
	GrowthBand    float64
	// Reported are the areas whose subscriptions give their own household
	// counts in some month: a month of theirs without one is not
	// projected (the census projection is another count — Hà Nội's is
	// 2.4 M households — and would not compare with their own months:
	// a fibre share of 3.5% and a regression alert from a blank cell).
	Reported map[string]bool
}

// Validate checks the projection's parameters.
func (p Projection) Validate() error {
	if p.CensusDate.IsZero() {
		return configErr("projection census date is zero")
	}
	if !(p.DefaultGrowth > -0.5 && p.DefaultGrowth < 0.5) {
		return configErr("default growth %v outside (-0.5, 0.5)", p.DefaultGrowth)
	}
	if !(p.GrowthBand >= 0 && p.GrowthBand < 0.5) {
		return configErr("growth band %v outside [0, 0.5)", p.GrowthBand)
	}
	for a, g := range p.Growth {
		if !(g > -0.5 && g < 0.5) {
			return configErr("growth of %s %v outside (-0.5, 0.5)", a, g)
		}
	}
	return nil
}

func projectionFrom(cs []geodata.ProvinceCensus) Projection {
	p := Projection{CensusDate: CensusDate2019, Base: make(map[string]AreaBase, len(cs)),
		DefaultGrowth: DefaultGrowthPerYear, GrowthBand: DefaultGrowthBand}
	for _, c := range cs {
		p.Base[c.Code] = AreaBase{Households: float64(c.Households), PersonsPerHousehold: c.AvgHouseholdSize()}
	}
	return p
}

// Census2019Projection projects the 63 provinces of 2019 (GSO 2-digit
// codes) from the 2019 census with the default growth and band.
func Census2019Projection() Projection { return projectionFrom(geodata.Census2019()) }

// Census2025Projection projects the 34 provinces in force since July 2025
// (their 2019 census figures summed through the official crosswalk).
func Census2025Projection() Projection { return projectionFrom(geodata.Census2025()) }

// Years returns the time in years (of 365.2425 days) from the census date
// to the middle of period.
func (p Projection) Years(period Period) float64 {
	return period.Mid().Sub(p.CensusDate).Hours() / 24 / 365.2425
}

// Households returns the projected households of area in period, and the
// projections at the low and high ends of the growth band. ok is false
// when the area has no census base.
func (p Projection) Households(area string, period Period) (mid, lo, hi float64, ok bool) {
	b, ok := p.Base[area]
	if !ok || !(b.Households > 0) {
		return math.NaN(), math.NaN(), math.NaN(), false
	}
	g, has := p.Growth[area]
	if !has {
		g = p.DefaultGrowth
	}
	y := p.Years(period)
	f := func(g float64) float64 { return b.Households * math.Pow(1+g, y) }
	a, c := f(g-p.GrowthBand), f(g+p.GrowthBand)
	return f(g), min(a, c), max(a, c), true
}

// PersonsPerHousehold returns the census persons per household of area
// (NaN, false when unknown).
func (p Projection) PersonsPerHousehold(area string) (float64, bool) {
	b, ok := p.Base[area]
	if !ok || !(b.PersonsPerHousehold > 0) {
		return math.NaN(), false
	}
	return b.PersonsPerHousehold, true
}
