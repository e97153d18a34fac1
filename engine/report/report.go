package report

import (
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/paulmach/orb"
)

// Report is everything one report shows. The caller fills it; Write
// renders it. Every field is optional except Title: an absent part is
// left out of the page, never shown as zero.
type Report struct {
	Title string
	// GeneratedAt is shown as given (the package reads no clock).
	GeneratedAt string
	// Period is the data period, "YYYY-MM". When it is a month of the
	// scorecard, the scorecard table, tiles and alerts show that month;
	// otherwise they show the scorecard's latest month.
	Period string
	// BoundarySet names the boundary set the areas come from (e.g.
	// "34 provinces, 2025").
	BoundarySet string
	// Carriers are the carriers whose site registers or tests the
	// analysis read, shown under the title in the order given: a place
	// counts without 3G/4G when none of them reaches it, so a carrier
	// missing from the data is a carrier not counted. Nil: not said.
	Carriers []CarrierEvidence
	// Notes are the assumptions and caveats, shown at the end in order.
	Notes []string
	// Areas names area codes; a code without a name is shown as the code.
	Areas []Area
	// Scorecard gives the national scorecard table, the at-a-glance
	// tiles, the trend charts and the alerts.
	Scorecard *scorecard.Card
	// DeadZones are the dead zones of the whole report, in the order
	// given (usually households descending): the page lists the first
	// maxZones and counts the rest.
	DeadZones []DeadZone
	// Provinces get one section each, in the order given.
	Provinces []Province
	// Plan is the households-versus-budget curve of the investment plan;
	// its section is left out when nil.
	Plan *PlanCurve
	// Files link to files beside the report (GIS exports), listed in
	// their own section when not empty.
	Files []File
	// OffAir are the masts the register lists active that the month's
	// tests show off the air (lomsong calibrate's off-air check), in the
	// order given; their section is left out when empty.
	OffAir []OffAirMast
	// OffAirMore counts the masts off the air not listed (the calibration
	// file lists every one).
	OffAirMore int
}

// CarrierEvidence is what an analysis read of one carrier: its active
// site sectors (one row per sector and technology) and its valid outdoor
// and in-vehicle tests.
type CarrierEvidence struct {
	Carrier string
	Sectors int // active site sectors in the register (every area's)
	// Serving are those of them predicted the best server of a place
	// analysed (for its technology): a province's report reads the whole
	// register, of which most sectors serve other provinces.
	Serving int
	Tests   int64
}

// OffAirMast is one mast listed active that the tests show off the air.
type OffAirMast struct {
	Carrier, Mast string // Mast: its first site id
	Sectors       int
	Area          string // the area code holding it ("" when none)
	Lon, Lat      float64
	// Observations are the tested places it should serve best;
	// MedianResidualDB what they read against its prediction; POff the
	// posterior probability that it is off the air.
	Observations           int
	MedianResidualDB, POff float64
}

// File is a link from the report to a file beside it: Href is relative
// to the report, Text says what the file holds.
type File struct {
	Name, Href, Text string
}

// Area names an area code.
type Area struct {
	Code, Name string
}

// Province is one province section: the province's tiles, trends and
// alerts (read from Report.Scorecard by Code), its map and its top dead
// zones.
type Province struct {
	Code string
	// Name overrides Report.Areas for this section when not empty.
	Name      string
	Map       *Map // nil: no map
	DeadZones []DeadZone
	// Villages lists villages without signal and uncertain ones, most
	// likely dead first; the report shows the first maxVillages.
	Villages []VillageRow
	// Communes are the province's communes holding its villages (in
	// any order): the page lists those with a village without 3G/4G or
	// an uncertain one and counts the rest.
	Communes []CommuneRow
	// Expected is what the province's villages' p_dead expect of its list
	// (deadzone.ListExpectation); nil or WithPDead 0: nothing said.
	Expected *Expectation
	Notes    []string
}

// Expectation is a province's list of villages without 3G/4G as its
// villages' p_dead see it: of the WithPDead villages with one, Listed are
// listed without 3G/4G; Dead are expected truly without, DeadListed of
// them among the listed and Missed among those counted served.
type Expectation struct {
	WithPDead, Listed        int
	Dead, DeadListed, Missed float64
}

// VillageRow is one village of a province's villages table: its verdict's
// class (Place.Status), its probability of having no 3G/4G, the carrier
// and technology most likely to serve it with that key's posterior mean
// and σ, and the evidence near it. Unknown numbers are NaN. PDead comes
// rounded as the page shows it (two decimals, on the side of its class's
// bounds and of the cut).
type VillageRow struct {
	ID, Name, Commune string
	Households        float64
	Status            string
	WithoutSignal     bool
	PDead             float64
	Best              string // e.g. "viettel 4G"; empty when none
	BestMeanDBm       float64
	BestSigmaDB       float64
	Tests, NoService  int // tests and no-service rows within 300 m
	// NearestTestM is the distance to the nearest test when one lies
	// within the search's reach (a few hundred metres around the village),
	// else NaN: no test near it, not no test at all.
	NearestTestM float64
}

// DeadZone is one row of a top dead zones table.
type DeadZone struct {
	ID string
	// Households are the zone's households without 3G/4G (not those of
	// its villages judged served).
	Households float64
	Hexes      int
	AreaKm2    float64
	// Communes touched, largest share first (names or codes).
	Communes []string
	// Villages is the number of villages in the zone; negative when not
	// known. VillagesServed are those of them counted as served (below
	// the cut), shown beside it ("4 (2 served)"); VillagesUncertain are
	// those of VillagesServed whose verdict is uncertain (0.2 < p_dead,
	// below the cut), shown as uncertain, not as served ("4 (1 served, 1
	// uncertain)"), as the villages table and the map show them.
	Villages          int
	VillagesServed    int
	VillagesUncertain int
	Nearest           []NearestSite
	// AlsoIn names, in a province's table, the other provinces the zone
	// extends into, with their share of its hexes ("Lai Châu, 60% of its
	// hexes").
	AlsoIn []string
}

// NearestSite is a carrier's nearest site to a dead zone.
type NearestSite struct {
	Carrier   string
	SiteID    string
	DistanceM float64
}

// State is the best 3G/4G coverage of a hex, from any carrier.
type State uint8

// States. The zero value is StateNoData: no evidence, drawn grey.
// A hex with 2G only is StateUncovered (it has no 3G/4G).
const (
	StateNoData State = iota
	StateCovered
	StateWeak
	StateUncovered
	numStates
)

// String returns "no data", "covered", "weak" or "uncovered".
func (s State) String() string {
	switch s {
	case StateCovered:
		return "covered"
	case StateWeak:
		return "weak"
	case StateUncovered:
		return "uncovered"
	}
	return "no data"
}

// Hex is one hexagon of a map: its lon/lat boundary ring (open or closed,
// either orientation; hexgrid.Cell.Boundary gives one) and its state.
type Hex struct {
	Boundary orb.Ring
	State    State
}

// Map is a province map. Coordinates are lon, lat degrees (WGS84).
type Map struct {
	// Outline is the province boundary.
	Outline orb.MultiPolygon
	Hexes   []Hex
	// DeadZones are zone outlines (hexgrid.Outline of a zone's cells),
	// drawn as thick outlines over the hexes.
	DeadZones []ZoneOutline
	// Villages without signal and villages whose verdict is uncertain,
	// drawn as points with their names, each marked by its Status.
	Villages []Place
	// Sites, drawn as small marks (optional).
	Sites []orb.Point
	// PopulatedOnly says Hexes are the province's populated hexes only
	// (a report of every province), not every hex analysed (a report of
	// one province): the legend says what the ground between them is.
	PopulatedOnly bool
}

// ZoneOutline is a dead zone's outline.
type ZoneOutline struct {
	ID      string
	Outline orb.MultiPolygon
}

// Place is a named point. For a village, Status is its verdict's band
// (deadzone.Status: "confirmed_dead", "likely_dead", "uncertain",
// "likely_served", "confirmed_served"; empty for a village without signal
// decided without a probability) and PDead its probability of having no
// 3G/4G, read only when Status is set.
type Place struct {
	Name   string
	Point  orb.Point
	Status string
	PDead  float64
	// WithoutSignal: the village is counted without 3G/4G (p_dead at or
	// above the run's cut), whatever its status band — an uncertain
	// village can be.
	WithoutSignal bool
}

// PlanCurve is the investment plan's households-versus-budget curve.
type PlanCurve struct {
	// BudgetVND is drawn as a vertical line when positive.
	BudgetVND float64
	// UpperBound on the households any plan within the budget reaches,
	// drawn as a horizontal line when positive.
	UpperBound float64
	// Points, in plan order, starting at (0, 0).
	Points []CurvePoint
	// Reachable are the households the plan's options could reach (dead
	// zones, and with sharing the gaps it serves), and Options the
	// options (candidate sites and agreements) it chose from: when
	// nothing is funded, they say whether there was nothing to fund or
	// the budget was too small.
	Reachable float64
	Options   int
	// CostModel says, as a sentence, what the plan's sites were priced
	// with (the default cost model, or the figures a cost file changed);
	// written after the plan's figures when there were options to price.
	CostModel string
}

// CurvePoint is a point of the curve: spending CostVND on the plan's first
// steps reaches Households.
type CurvePoint struct {
	CostVND    float64
	Households float64
}
