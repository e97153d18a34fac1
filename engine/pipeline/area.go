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
	"github.com/paulmach/orb"
)

// Area is a named analysis area, such as one province: the hexes at the
// analysis resolution whose centres lie inside its outline (H3's centre
// containment, as hexgrid.Cover and deadzone.Attribute decide it), and the
// hexes of the places (villages) whose points lie inside it — a village
// by the border can lie in a hex whose centre is across it, and the run
// without an area counts that hex in the province through its village.
//
// A measurement belongs to the area when its analysis hex does; a site
// when the hex holding its point does. Sites outside the area still serve
// the area's hexes (the prediction uses every site); they only do not make
// an area without data look analysed.
type Area struct {
	Code, Name string
	Cells      []hexgrid.Cell // sorted, at the analysis resolution
}

// UnitArea returns the area of a boundary unit at resolution res, with
// the hexes of the places (the villages' points; nil for none) that lie
// inside the unit.
func UnitArea(u geodata.Unit, res int, places []orb.Point) (*Area, error) {
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
	return &Area{Code: u.Code, Name: u.Name, Cells: cells}, nil
}

// String returns "Name (Code)".
func (a *Area) String() string { return fmt.Sprintf("%s (%s)", a.Name, a.Code) }

// EmptyAreaError is returned when an analysis area holds neither
// measurements (of the selected periods) nor sites: analysing it would
// publish a prediction with no evidence behind it, or nothing at all, as
// if it were a result.
// ErrMissingData is wrapped by errors that say the dataset lacks a table a
// stage needs (no villages and no population table for the dead zones):
// the data is refused, not the configuration.
var ErrMissingData = errors.New("missing from the dataset")

type EmptyAreaError struct {
	Area    string   // "Name (Code)"
	Periods []string // the measurement periods read (nil = all)
}

func (e *EmptyAreaError) Error() string {
	s := "pipeline: no measurements or sites in " + e.Area
	if len(e.Periods) > 0 {
		s += " (period " + strings.Join(e.Periods, ", ") + ")"
	}
	return s
}

// clip keeps the measured rows and those of the tests that did not choose
// their technology (a subset of them) whose hex lies in the area, and
// returns an *EmptyAreaError when neither a measured row nor a site lies
// in it.
func (a *Area) clip(measured, notChosen []aggregate.Row, sites []engine.Site, res int, periods []string) ([]aggregate.Row, []aggregate.Row, error) {
	in := a.set()
	keep := func(rows []aggregate.Row) []aggregate.Row {
		return slices.DeleteFunc(slices.Clone(rows), func(r aggregate.Row) bool { return !in[r.Cell] })
	}
	kept := keep(measured)
	if len(kept) > 0 {
		return kept, keep(notChosen), nil
	}
	for _, s := range sites {
		c, err := hexgrid.Index(s.Lon, s.Lat, res)
		if err == nil && in[c] {
			return kept, nil, nil
		}
	}
	return nil, nil, &EmptyAreaError{Area: a.String(), Periods: periods}
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

// provincesWithoutData returns, of the provinces in need, those holding
// none of the hexes with a site (siteCells) or an outdoor test (tested,
// as evidenceCells gives them): a hex belongs to the province its centre
// lies in, as Area.clip places it in an area. (Clip also counts a hex with
// indoor tests alone; the states count outdoor and in-vehicle tests.)
func provincesWithoutData(provinces *geodata.BoundarySet, need map[string]bool, siteCells, tested []hexgrid.Cell) (map[string]bool, error) {
	left := map[string]bool{}
	for code := range need {
		if code != "" {
			left[code] = true
		}
	}
	for _, cells := range [][]hexgrid.Cell{siteCells, tested} {
		if len(left) == 0 {
			break
		}
		_, codes, err := cellProvinces(provinces, cells)
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
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
