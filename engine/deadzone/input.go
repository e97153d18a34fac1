package deadzone

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// ErrInput is wrapped by errors about unusable input (mixed resolutions,
// invalid cells).
var ErrInput = errors.New("deadzone: invalid input")

// HexCoverage says whether one carrier covers one hex with one technology.
// It is this package's only view of coverage: callers adapt the fused
// coverage states into it (Covered for a covered state; a weak or
// uncovered state, or no row at all, means not covered).
type HexCoverage struct {
	Cell    hexgrid.Cell
	Carrier engine.Carrier
	Tech    engine.Tech
	Covered bool
}

// Village is one village (thôn, bản) of the optional villages table.
type Village struct {
	ID          string
	Name        string
	CommuneCode string
	Lon, Lat    float64 // WGS84 degrees
	Households  float64
}

// Admin names the province and commune a hex belongs to.
type Admin struct {
	Province, Commune string
}

// UnitShare is a unit code with the share (0..1) of something inside it.
type UnitShare struct {
	Code  string
	Share float64
}

// FormatShares writes units and their shares as the outputs carry them:
// "CODE=SHARE" (two decimals) separated by spaces, largest first as
// given ("01=0.60 12=0.40"); "" for none. Not "CODE:SHARE": GDAL (QGIS,
// GeoPandas) types a GeoJSON property whose every value reads as a time
// of day as a Time field, "12:1.00" as 12:01:00.
func FormatShares(us []UnitShare) string {
	parts := make([]string, len(us))
	for i, u := range us {
		parts[i] = fmt.Sprintf("%s=%.2f", u.Code, u.Share)
	}
	return strings.Join(parts, " ")
}

// Input is what the dead-zone analyses read. Every cell (population,
// coverage) must be at one resolution, the analysis resolution.
type Input struct {
	// Population gives population and households per hex. A hex is
	// populated when it has more than zero households.
	Population []population.Cell
	// Coverage lists (hex, carrier, tech) coverage; absent rows are not
	// covered.
	Coverage []HexCoverage
	// Carriers, optional, adds carriers that have no coverage row at all
	// (they still have gaps). Carriers in Coverage are always included.
	Carriers []engine.Carrier
	// Admin, optional, gives each hex's province and commune (see
	// AdminMap).
	Admin map[hexgrid.Cell]Admin
	// CommuneProvince, optional, maps commune codes to province codes for
	// the villages' rollup (see ParentCodes).
	CommuneProvince map[string]string
	// VillageAdmin, optional, gives each village (index-aligned with
	// Villages) its province and commune (see AttributePlaces); it takes
	// precedence over CommuneProvince and Admin for the villages.
	VillageAdmin []PlaceAdmin
	// Villages, optional.
	Villages []Village
	// Sites, optional: the register, for each zone's nearest active site
	// per carrier.
	Sites []engine.Site
	// PDead, optional, gives hexes their verdict: the probability that no
	// carrier's 3G/4G/5G reaches its threshold at the hex centre (Decide).
	// A hex listed here is Covered when its PDead is below Cut, whatever
	// Coverage says, and otherwise Only2G or NoSignal from Coverage's 2G
	// rows; hexes not listed take their level from Coverage alone.
	PDead map[hexgrid.Cell]float64
	// Cut is the probability of being dead from which a hex of PDead is
	// dead. Default 0.5.
	Cut float64
	// Judged, optional, is the report Villages gave for these Villages.
	// With it a zone names which of its villages are served
	// (Zone.Served).
	Judged *VillageReport
	// HouseholdsAtVillages says that the population's households per hex
	// are its villages' (the villages table is the population). A hex
	// holding villages of Judged with households is then dead only as far
	// as its villages are: its households without 3G/4G are those of its
	// villages without signal (VillageStatus.WithoutSignal), plus those of
	// its households beyond its villages' when the hex itself is dead by
	// PDead or Coverage; it is dead when they are more than zero, and a
	// zone counts them, not all of its households. Without Judged it has
	// no effect.
	HouseholdsAtVillages bool
}

// AdminMap turns commune attributions into the Admin map of Input, taking
// each commune's province from its ParentCode in communes.
func AdminMap(att []Attribution, communes *geodata.BoundarySet) map[hexgrid.Cell]Admin {
	parents := ParentCodes(communes)
	m := make(map[hexgrid.Cell]Admin, len(att))
	for _, a := range att {
		if a.Code == "" {
			continue
		}
		m[a.Cell] = Admin{Province: parents[a.Code], Commune: a.Code}
	}
	return m
}

// ParentCodes maps every unit code of set to its ParentCode.
func ParentCodes(set *geodata.BoundarySet) map[string]string {
	us := set.Units()
	m := make(map[string]string, len(us))
	for _, u := range us {
		m[u.Code] = u.ParentCode
	}
	return m
}

// Level is the best service some carrier gives a hex.
type Level uint8

// Levels, worst first.
const (
	NoSignal Level = iota // no carrier covers it with any technology
	Only2G                // some carrier covers it with 2G, none with 3G/4G/5G
	Covered               // some carrier covers it with 3G, 4G or 5G
)

func (l Level) String() string {
	switch l {
	case NoSignal:
		return "no-signal"
	case Only2G:
		return "2g-only"
	case Covered:
		return "covered"
	}
	return fmt.Sprintf("invalid(%d)", uint8(l))
}

// Tech bits of a carrier's mask in a hex.
const (
	bit2G   = 1 << engine.Tech2G
	bitData = 1<<engine.Tech3G | 1<<engine.Tech4G | 1<<engine.Tech5G
)

// world is the indexed input shared by the analyses.
type world struct {
	res      int
	carriers []engine.Carrier
	cover    map[hexgrid.Cell][]uint8 // per carrier index: tech bit mask
	pop      []population.Cell        // sorted by cell, merged duplicates
	popAt    map[hexgrid.Cell]int
	pDead    map[hexgrid.Cell]float64
	cut      float64
	// deadHH are the households without 3G/4G of the hexes judged at
	// their villages (Input.HouseholdsAtVillages); other hexes have none.
	deadHH map[hexgrid.Cell]float64
}

func newWorld(in Input) (*world, error) {
	w := &world{res: -1, pDead: in.PDead, cut: in.Cut}
	if w.cut == 0 {
		w.cut = 0.5
	}
	if !(w.cut > 0 && w.cut < 1) {
		return nil, fmt.Errorf("%w: cut %g outside (0, 1)", ErrInput, w.cut)
	}
	check := func(c hexgrid.Cell, what string) error {
		if !c.Valid() {
			return fmt.Errorf("%w: %s cell %d is not a valid H3 cell", ErrInput, what, uint64(c))
		}
		r := c.Resolution()
		if w.res < 0 {
			w.res = r
		} else if r != w.res {
			return fmt.Errorf("%w: %s cell %v at resolution %d, others at %d", ErrInput, what, c, r, w.res)
		}
		return nil
	}
	vcells := make([]hexgrid.Cell, 0, len(in.PDead))
	for c := range in.PDead {
		vcells = append(vcells, c)
	}
	slices.Sort(vcells)
	for _, c := range vcells {
		if err := check(c, "verdict"); err != nil {
			return nil, err
		}
		if p := in.PDead[c]; !(p >= 0 && p <= 1) {
			return nil, fmt.Errorf("%w: hex %v has P(dead) %g outside [0, 1]", ErrInput, c, p)
		}
	}
	// The carriers: a handful, named by up to millions of coverage rows.
	cs := slices.Clone(in.Carriers)
	for i, hc := range in.Coverage {
		if (i == 0 || hc.Carrier != in.Coverage[i-1].Carrier) && !slices.Contains(cs, hc.Carrier) {
			cs = append(cs, hc.Carrier)
		}
	}
	slices.Sort(cs)
	w.carriers = slices.Compact(cs)
	ci := make(map[engine.Carrier]int, len(w.carriers))
	for i, c := range w.carriers {
		ci[c] = i
	}
	w.cover = make(map[hexgrid.Cell][]uint8)
	for i, hc := range in.Coverage {
		// A hex's rows follow one another (a key each): its cell is
		// checked once.
		if i == 0 || hc.Cell != in.Coverage[i-1].Cell {
			if err := check(hc.Cell, "coverage"); err != nil {
				return nil, err
			}
		}
		if !hc.Covered || !hc.Tech.Valid() {
			continue
		}
		m := w.cover[hc.Cell]
		if m == nil {
			m = make([]uint8, len(w.carriers))
			w.cover[hc.Cell] = m
		}
		m[ci[hc.Carrier]] |= 1 << hc.Tech
	}
	w.pop = slices.Clone(in.Population)
	for _, p := range w.pop {
		if err := check(p.Cell, "population"); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(w.pop, func(a, b population.Cell) int { return cmpCell(a.Cell, b.Cell) })
	merged := w.pop[:0]
	for _, p := range w.pop {
		if n := len(merged); n > 0 && merged[n-1].Cell == p.Cell {
			merged[n-1].Population += p.Population
			merged[n-1].Households += p.Households
			continue
		}
		merged = append(merged, p)
	}
	w.pop = merged
	w.popAt = make(map[hexgrid.Cell]int, len(w.pop))
	for i, p := range w.pop {
		w.popAt[p.Cell] = i
	}
	if w.res < 0 {
		w.res = 8
	}
	if in.HouseholdsAtVillages && in.Judged != nil {
		w.judgeAtVillages(in.Judged.Villages)
	}
	return w, nil
}

// judgeAtVillages sets deadHH for every populated hex holding villages
// with households: the households of its villages without signal, plus
// its households beyond its villages' when the hex's own level (PDead or
// Coverage) is dead; at most the hex's households.
func (w *world) judgeAtVillages(vs []VillageStatus) {
	type acc struct{ all, dead float64 }
	sums := map[hexgrid.Cell]*acc{}
	for _, v := range vs {
		if v.Cell == 0 || !(v.Households > 0) {
			continue
		}
		if _, ok := w.popAt[v.Cell]; !ok {
			continue
		}
		a := sums[v.Cell]
		if a == nil {
			a = &acc{}
			sums[v.Cell] = a
		}
		a.all += v.Households
		if v.WithoutSignal() {
			a.dead += v.Households
		}
	}
	w.deadHH = make(map[hexgrid.Cell]float64, len(sums))
	for c, a := range sums {
		hh := w.pop[w.popAt[c]].Households
		dead := a.dead
		// Households beyond the villages' (none when the population is
		// exactly the villages': a rounding's worth is ignored).
		if rest := hh - a.all; rest > 1e-9*max(hh, 1) && w.level(c) != Covered {
			dead += rest
		}
		w.deadHH[c] = max(0, min(dead, hh))
	}
}

// level returns the best service in c: from its verdict when it has
// one (Input.PDead), else from the coverage rows.
//
// A hex judged at its villages (deadHH) is Covered when none of its
// households is without 3G/4G, else Only2G or NoSignal by its 2G rows.
func (w *world) level(c hexgrid.Cell) Level {
	if d, ok := w.deadHH[c]; ok {
		if !(d > 0) {
			return Covered
		}
		l := NoSignal
		for _, m := range w.cover[c] {
			if m&bit2G != 0 {
				l = Only2G
			}
		}
		return l
	}
	p, verdict := w.pDead[c]
	if verdict && p < w.cut {
		return Covered
	}
	l := NoSignal
	for _, m := range w.cover[c] {
		if m&bitData != 0 && !verdict {
			return Covered
		}
		if m&bit2G != 0 {
			l = Only2G
		}
	}
	return l
}

func cmpCell(a, b hexgrid.Cell) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortShares sorts largest share first, then by code.
func sortShares(s []UnitShare) {
	slices.SortFunc(s, func(a, b UnitShare) int {
		switch {
		case a.Share > b.Share:
			return -1
		case a.Share < b.Share:
			return 1
		}
		return strings.Compare(a.Code, b.Code)
	})
}

// pointCell indexes one lon/lat point at res; ok is false when it cannot.
func pointCell(p orb.Point, res int) (hexgrid.Cell, bool) {
	c, err := hexgrid.Index(p[0], p[1], res)
	return c, err == nil
}
