package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Area is a named analysis area, such as one province: the hexes at the
// analysis resolution whose centres lie inside its outline (H3's centre
// containment, as hexgrid.Cover and deadzone.Attribute decide it), and the
// hexes of the places (villages) whose points lie inside it — a village
// by the border can lie in a hex whose centre is across it, and the run
// without an area counts that hex in the province through its village.
//
// A measurement belongs to the area when its analysis hex does. Sites
// outside the area still serve the area's hexes (the prediction uses every
// site), and tests in its border hexes are analysed with them; but only
// evidence of its own (ownEvidence: a site whose point lies inside it, a
// test in one of its inner hexes) makes an area analysed rather than
// refused: a border hex's test may lie across the border.
type Area struct {
	Code, Name string
	Cells      []hexgrid.Cell // sorted, at the analysis resolution

	// contains, when set (UnitArea), says whether a point lies inside the
	// area's outline; without it a site is the area's own when its hex is
	// an inner hex of the area.
	contains func(orb.Point) bool
}

// UnitArea returns the area of a boundary unit at resolution res, with
// the hexes of the places (the villages' points; nil for none) that lie
// inside the unit.
//
// An outline that would hold more than MaxAreaCells hexes at res is
// refused (an error wrapping engine.ErrInvalidConfig that names the finest
// resolution it fits at) before any is listed: Lai Châu at resolution 14
// is over a billion hexes, whose listing alone ran out of memory.
func UnitArea(u geodata.Unit, res int, places []orb.Point) (*Area, error) {
	if err := checkAreaCells(u, res); err != nil {
		return nil, err
	}
	cells, err := hexgrid.CoverMulti(u.Geometry, res)
	if err != nil {
		return nil, fmt.Errorf("pipeline: area %s (%s): %w", u.Name, u.Code, err)
	}
	n := len(cells)
	for _, p := range places {
		if !u.Contains(p) {
			continue
		}
		c, err := hexgrid.Index(p[0], p[1], res)
		if err != nil {
			continue // not a position: the villages' own checks name it
		}
		if _, found := slices.BinarySearch(cells[:n], c); !found {
			cells = append(cells, c)
		}
	}
	if len(cells) > n {
		slices.Sort(cells)
		cells = slices.Compact(cells)
	}
	return &Area{Code: u.Code, Name: u.Name, Cells: cells, contains: u.Contains}, nil
}

// MaxAreaCells is the most hexes an analysis area may hold: every
// province at resolution 10 (the largest, about 24,000 km², is some 1.6
// million), the whole country at 8. Each analysed hex costs kilobytes
// through the stages (Lai Châu's some 400,000 at resolution 10 took 2.5 GB in
// coverage), so a finer resolution is for a smaller area.
const MaxAreaCells = 2_000_000

// checkAreaCells refuses unit u at res when its outline's area holds more
// than MaxAreaCells hexes of the resolution's average area.
func checkAreaCells(u geodata.Unit, res int) error {
	areaKm2 := geo.Area(u.Geometry) / 1e6
	n, err := cellsIn(areaKm2, res)
	if err != nil {
		return fmt.Errorf("pipeline: area %s (%s): %w", u.Name, u.Code, err)
	}
	if n <= MaxAreaCells {
		return nil
	}
	fits := ""
	for r := res - 1; r >= 0; r-- {
		if m, err := cellsIn(areaKm2, r); err == nil && m <= MaxAreaCells {
			fits = fmt.Sprintf(": analyse it at resolution %d or coarser", r)
			break
		}
	}
	return fmt.Errorf("pipeline: %s (%s), %.0f km², holds about %.1f million hexes at resolution %d, more than the %d million an analysis area may hold%s: %w",
		u.Name, u.Code, areaKm2, n/1e6, res, MaxAreaCells/1_000_000, fits, engine.ErrInvalidConfig)
}

// cellsIn is about how many hexes of resolution res an area of areaKm2
// holds.
func cellsIn(areaKm2 float64, res int) (float64, error) {
	a, err := hexgrid.AvgAreaKm2(res)
	if err != nil {
		return 0, err
	}
	return areaKm2 / a, nil
}

// String returns "Name (Code)".
func (a *Area) String() string { return fmt.Sprintf("%s (%s)", a.Name, a.Code) }

// ErrMissingData is wrapped by errors that say the dataset lacks a table a
// stage needs (no villages and no population table for the dead zones):
// the data is refused, not the configuration.
var ErrMissingData = errors.New("missing from the dataset")

// EmptyAreaError is returned when an analysis area holds no evidence of
// its own (Area.ownEvidence): no measurement (of the selected periods) in
// its inner hexes and no site inside it. Analysing it would publish a
// prediction from its neighbours' sites, or nothing at all, as if it were
// a result.
type EmptyAreaError struct {
	Area    string   // "Name (Code)"
	Periods []string // the measurement periods read (nil = all)
	// BorderRows counts the measured rows in the hexes on the area's
	// border, which do not count as its own (they may lie across it).
	BorderRows int64
}

func (e *EmptyAreaError) Error() string {
	s := "pipeline: no measurements or sites in " + e.Area
	if len(e.Periods) > 0 {
		s += " (period " + strings.Join(e.Periods, ", ") + ")"
	}
	if e.BorderRows > 0 {
		s += fmt.Sprintf(": only %s in hexes on its border, which may lie across it", plural.Count(e.BorderRows, "measurement row", "measurement rows"))
	}
	return s
}

// clip keeps the measured rows and those of the tests that did not choose
// their technology (a subset of them) whose hex lies in the area, and
// returns an *EmptyAreaError when the area holds no evidence of its own
// (ownEvidence).
func (a *Area) clip(measured, notChosen []aggregate.Row, sites []engine.Site, res int, periods []string) ([]aggregate.Row, []aggregate.Row, error) {
	in := a.set()
	keep := func(rows []aggregate.Row) []aggregate.Row {
		return slices.DeleteFunc(slices.Clone(rows), func(r aggregate.Row) bool { return !in[r.Cell] })
	}
	kept := keep(measured)
	own, border, err := a.ownEvidence(in, kept, sites, res)
	if err != nil {
		return nil, nil, err
	}
	if !own {
		return nil, nil, &EmptyAreaError{Area: a.String(), Periods: periods, BorderRows: border}
	}
	return kept, keep(notChosen), nil
}

// ownEvidence reports whether the area (in: its hexes) holds evidence of
// its own: a site whose point lies inside it (its outline when known,
// else an inner hex), or a measured row (of rows, the area's) in one of
// its inner hexes — a hex whose six neighbours are the area's too, so
// that its tests lie inside the area. A test in a hex on the border (one
// hex whose centre falls inside counted a neighbour's 2G test as a
// province's whole evidence) may lie across it: border counts those rows.
func (a *Area) ownEvidence(in map[hexgrid.Cell]bool, rows []aggregate.Row, sites []engine.Site, res int) (own bool, border int64, err error) {
	inner := map[hexgrid.Cell]bool{}
	isInner := func(c hexgrid.Cell) (bool, error) {
		if v, ok := inner[c]; ok {
			return v, nil
		}
		disk, err := c.Disk(1)
		if err != nil {
			return false, err
		}
		v := in[c]
		for _, d := range disk {
			v = v && in[d]
		}
		inner[c] = v
		return v, nil
	}
	for _, r := range rows {
		ok, err := isInner(r.Cell)
		if err != nil {
			return false, 0, err
		}
		if ok {
			return true, 0, nil
		}
		border += r.All.Rows
	}
	for _, s := range sites {
		if a.contains != nil {
			if a.contains(orb.Point{s.Lon, s.Lat}) {
				return true, 0, nil
			}
			continue
		}
		c, err := hexgrid.Index(s.Lon, s.Lat, res)
		if err != nil || !in[c] {
			continue
		}
		if ok, err := isInner(c); err != nil {
			return false, 0, err
		} else if ok {
			return true, 0, nil
		}
	}
	return false, border, nil
}

// NoDataArea is a province of a run over every province (no area) where
// people live (populated hexes or villages) but neither a site of the
// register nor an outdoor test lies: a run limited to it is refused
// (EmptyAreaError, Area.clip), so the run over every province does not
// analyse it either — with no site known there, every place in it would be
// "confirmed dead" on no evidence (a register of one province and a
// national population table reported millions of dead-zone households).
// Its hexes and villages are left out of the zones, the hexes and the
// villages, and counted here.
type NoDataArea struct {
	Code, Name string
	// Why says why it was not analysed (NoDataWhy, NoHouseholdsWhy, OutsideWhy).
	Why string
	// Hexes and Households are its populated hexes and their households;
	// Villages its villages (located by their points).
	Hexes      int
	Households float64
	Villages   int
}

// evidenceCells returns the hexes (at resolution res, sorted, each once)
// holding a site of sites, and those with an outdoor test (a state with
// Tests): where a run has evidence.
func evidenceCells(sites []engine.Site, states []coverage.State, res int) (siteCells, tested []hexgrid.Cell) {
	for _, s := range sites {
		if c, err := hexgrid.Index(s.Lon, s.Lat, res); err == nil {
			siteCells = append(siteCells, c)
		}
	}
	slices.Sort(siteCells)
	for _, st := range states { // sorted by cell
		if st.Tests > 0 && (len(tested) == 0 || tested[len(tested)-1] != st.Cell) {
			tested = append(tested, st.Cell)
		}
	}
	return slices.Compact(siteCells), tested
}

// cellProvinces returns the centres of cells and the code of the unit of
// set each lies in ("" for none).
func cellProvinces(set *geodata.BoundarySet, cells []hexgrid.Cell) ([]orb.Point, []string, error) {
	places := make([]deadzone.Place, len(cells))
	for i, c := range cells {
		ctr, err := c.Center()
		if err != nil {
			return nil, nil, err
		}
		places[i].Point = ctr
	}
	admin, err := deadzone.AttributePlaces(set, nil, places)
	if err != nil {
		return nil, nil, err
	}
	codes := make([]string, len(admin))
	centres := make([]orb.Point, len(places))
	for i, a := range admin {
		codes[i], centres[i] = a.Province, places[i].Point
	}
	return centres, codes, nil
}

// provincesWithoutData returns, of the provinces in need, those without
// evidence of their own, as Area.ownEvidence judges a run limited to one:
// no site whose point lies in the province, and no hex with an outdoor
// test (tested, as evidenceCells gives them) that is an inner hex of the
// province — its centre and its six neighbours' centres in it. A tested
// hex on a border, its centre in one province, may hold a test across it.
// (Clip also counts a hex with indoor tests alone; the states count
// outdoor and in-vehicle tests.)
func provincesWithoutData(provinces *geodata.BoundarySet, need map[string]bool, sites []engine.Site, tested []hexgrid.Cell) (map[string]bool, error) {
	left := map[string]bool{}
	for code := range need {
		if code != "" {
			left[code] = true
		}
	}
	if len(left) > 0 && len(sites) > 0 {
		places := make([]deadzone.Place, len(sites))
		for i, s := range sites {
			places[i].Point = orb.Point{s.Lon, s.Lat}
		}
		admin, err := deadzone.AttributePlaces(provinces, nil, places)
		if err != nil {
			return nil, err
		}
		for _, a := range admin {
			delete(left, a.Province)
		}
	}
	if len(left) == 0 || len(tested) == 0 {
		return left, nil
	}
	_, codes, err := cellProvinces(provinces, tested)
	if err != nil {
		return nil, err
	}
	// Only the tested hexes of a province still without evidence are
	// checked for their neighbours, in one attribution.
	var rings []hexgrid.Cell
	var ringCode []string // the code of the tested hex of each ring
	for i, code := range codes {
		if !left[code] {
			continue
		}
		ring, err := tested[i].Disk(1)
		if err != nil {
			return nil, err
		}
		rings = append(rings, ring...)
		ringCode = append(ringCode, code)
		if len(ring) != 7 {
			// A pentagon's ring: pad with its centre's hex, inside.
			for range 7 - len(ring) {
				rings = append(rings, tested[i])
			}
		}
	}
	if len(rings) == 0 {
		return left, nil
	}
	_, rcodes, err := cellProvinces(provinces, rings)
	if err != nil {
		return nil, err
	}
	for i, code := range ringCode {
		inner := true
		for _, rc := range rcodes[7*i : 7*i+7] {
			inner = inner && rc == code
		}
		if inner {
			delete(left, code)
		}
	}
	return left, nil
}

// nearEvidenceRes is the resolution of the cells nearEvidence dilates: a
// resolution-5 cell is about 253 km² (edge about 8.5 km), so a place whose
// cell or a neighbour of it holds a site or a tested hex has one within
// about 8–25 km, the reach of a rural macro site; a place 40 km from the
// nearest known site (in a neighbour province whose register is not in
// the dataset) is not near.
const nearEvidenceRes = 5

// nearEvidence reports whether a hex lies near one of the evidence hexes
// (evidenceCells): its resolution-5 parent is one of theirs or a neighbour
// of one.
func nearEvidence(evidence ...[]hexgrid.Cell) (func(hexgrid.Cell) bool, error) {
	// dilated are the parents whose disk is in region: a parent already in
	// region as another's neighbour still adds its own neighbours (it did
	// not, so what was near depended on the order of the sites).
	region, dilated := map[hexgrid.Cell]bool{}, map[hexgrid.Cell]bool{}
	for _, cells := range evidence {
		for _, c := range cells {
			p, err := c.Parent(nearEvidenceRes)
			if err != nil {
				return nil, err
			}
			if dilated[p] {
				continue
			}
			dilated[p] = true
			disk, err := p.Disk(1)
			if err != nil {
				return nil, err
			}
			for _, d := range disk {
				region[d] = true
			}
		}
	}
	return func(c hexgrid.Cell) bool {
		p, err := c.Parent(nearEvidenceRes)
		return err == nil && region[p]
	}, nil
}

// keep returns the cells that lie in the area, in place.
func (a *Area) keep(cells []hexgrid.Cell) []hexgrid.Cell {
	in := a.set()
	return slices.DeleteFunc(cells, func(c hexgrid.Cell) bool { return !in[c] })
}

func (a *Area) set() map[hexgrid.Cell]bool {
	in := make(map[hexgrid.Cell]bool, len(a.Cells))
	for _, c := range a.Cells {
		in[c] = true
	}
	return in
}
