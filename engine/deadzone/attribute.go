package deadzone

import (
	"fmt"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// SampleDepth is how many resolutions finer than a hex its share samples
// are: the centres of its descendants at res+2, 49 points for a hexagon.
const SampleDepth = 2

// Attribution assigns one hex to one unit of a boundary set.
type Attribution struct {
	Cell hexgrid.Cell
	// Code is the unit's code; empty when the hex lies in no unit
	// (unresolved: at sea, abroad, or in a gap wider than the hex).
	Code string
	// Share is the estimated fraction (0..1) of the hex inside the unit
	// when the hex was resolved by sampling; NaN when its centre fell in
	// exactly one unit and decided alone.
	Share float64
}

// Sampled reports whether the attribution was decided by area share.
func (a Attribution) Sampled() bool { return !math.IsNaN(a.Share) }

// Attribute assigns each of cells (any one resolution, duplicates
// allowed) to the unit of set that holds it, and returns one Attribution
// per distinct cell, sorted by cell, with the number left unresolved.
//
// Method: a hex whose centre lies in exactly one unit belongs to it (H3's
// centre containment, the rule of hexgrid.Cover). A hex whose centre lies
// in no unit (a gap between simplified borders, a coastline) or in several
// (overlapping slivers) is resolved by area share: the centres of its 49
// descendants SampleDepth resolutions finer are tested for
// point-in-polygon against every unit whose bounding box meets them, and
// the unit holding most samples wins; ties go to the lowest code. A hex
// with no sample in any unit stays unresolved (Code ""). Units are found
// through a bounding-box grid, so the cost per hex is a few polygon tests.
// An invalid cell is an error.
func Attribute(set *geodata.BoundarySet, cells []hexgrid.Cell) ([]Attribution, int, error) {
	uniq := slices.Clone(cells)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	idx := newUnitIndex(set.Units())
	out := make([]Attribution, 0, len(uniq))
	unresolved := 0
	var cand []int32
	for _, c := range uniq {
		ctr, err := c.Center()
		if err != nil {
			return nil, 0, err
		}
		cand = idx.at(cand[:0], ctr)
		hit, n := int32(-1), 0
		for _, i := range cand {
			if idx.units[i].Contains(ctr) {
				hit = i
				n++
			}
		}
		if n == 1 {
			out = append(out, Attribution{Cell: c, Code: idx.units[hit].Code, Share: math.NaN()})
			continue
		}
		if n == 0 {
			// No unit holds the centre. If no unit's box even comes near the
			// hex, no sample can fall in a unit either: skip the sampling
			// (49 descendant centres), which dominated attributing points
			// spread over sea and neighbouring countries.
			near, err := idx.near(c)
			if err != nil {
				return nil, 0, err
			}
			if !near {
				unresolved++
				out = append(out, Attribution{Cell: c, Share: 0}) // as byShare reports a hex no sample placed
				continue
			}
		}
		a, err := idx.byShare(c, nil)
		if err != nil {
			return nil, 0, err
		}
		if a.Code == "" {
			unresolved++
		}
		out = append(out, a)
	}
	return out, unresolved, nil
}

// CoverUnits covers every unit of set with hexes at res and returns each
// hex attributed to exactly one unit, sorted by cell. Each unit's polygons
// are covered by centre containment (hexgrid.CoverMulti); a hex claimed by
// several units, and every unclaimed neighbour of a claimed hex (a hex
// straddling a border or coast whose centre falls outside every unit), is
// resolved by area share as in Attribute. Unclaimed neighbours with no
// sample inside any unit are outside the set and are left out, so every
// returned Attribution has a Code. A unit smaller than a hex may receive
// none.
func CoverUnits(set *geodata.BoundarySet, res int) ([]Attribution, error) {
	units := set.Units()
	claims := make(map[hexgrid.Cell][]int32)
	for i := range units {
		cs, err := hexgrid.CoverMulti(units[i].Geometry, res)
		if err != nil {
			return nil, fmt.Errorf("deadzone: cover unit %s: %w", units[i].Code, err)
		}
		for _, c := range cs {
			claims[c] = append(claims[c], int32(i))
		}
	}
	claimed := make([]hexgrid.Cell, 0, len(claims))
	for c := range claims {
		claimed = append(claimed, c)
	}
	slices.Sort(claimed)
	// Unclaimed neighbours of claimed hexes.
	var ring []hexgrid.Cell
	for _, c := range claimed {
		d, err := c.Disk(1)
		if err != nil {
			return nil, err
		}
		for _, n := range d {
			if _, ok := claims[n]; !ok {
				ring = append(ring, n)
			}
		}
	}
	slices.Sort(ring)
	ring = slices.Compact(ring)

	idx := newUnitIndex(units)
	out := make([]Attribution, 0, len(claimed)+len(ring))
	for _, c := range claimed {
		cl := claims[c]
		if len(cl) == 1 {
			out = append(out, Attribution{Cell: c, Code: units[cl[0]].Code, Share: math.NaN()})
			continue
		}
		a, err := idx.byShare(c, nil)
		if err != nil {
			return nil, err
		}
		if a.Code == "" { // samples all missed: keep the lowest-code claimant
			a.Code, a.Share = units[slices.Min(cl)].Code, 0
		}
		out = append(out, a)
	}
	for _, c := range ring {
		a, err := idx.byShare(c, nil)
		if err != nil {
			return nil, err
		}
		if a.Code != "" {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Attribution) int {
		switch {
		case a.Cell < b.Cell:
			return -1
		case a.Cell > b.Cell:
			return 1
		}
		return 0
	})
	return out, nil
}

// Shares estimates, by the same sampling as Attribute, the fraction of
// cell inside each unit of set it meets, largest first (ties by code).
func Shares(set *geodata.BoundarySet, cell hexgrid.Cell) ([]UnitShare, error) {
	idx := newUnitIndex(set.Units())
	var shares []UnitShare
	_, err := idx.byShare(cell, &shares)
	return shares, err
}

// unitIndex finds the units whose bounding box may hold a point: a grid
// of bins over the set's extent, each listing the units whose box meets it.
type unitIndex struct {
	units          []geodata.Unit
	minLon, minLat float64
	step           float64
	nx, ny         int
	bins           [][]int32
}

// maxBins caps the grid size.
const maxBins = 1 << 18

func newUnitIndex(units []geodata.Unit) *unitIndex {
	ix := &unitIndex{units: units}
	if len(units) == 0 {
		return ix
	}
	b := units[0].Bound
	area := 0.0
	for _, u := range units {
		b = b.Union(u.Bound)
		area += (u.Bound.Max[0] - u.Bound.Min[0]) * (u.Bound.Max[1] - u.Bound.Min[1])
	}
	// Bins about half a typical unit box wide, but never too many.
	step := math.Sqrt(area/float64(len(units))) / 2
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	if step <= 0 || math.IsNaN(step) {
		step = max(w, h) + 1e-9
	}
	for (w/step+1)*(h/step+1) > maxBins {
		step *= 2
	}
	ix.minLon, ix.minLat, ix.step = b.Min[0], b.Min[1], step
	ix.nx, ix.ny = int(w/step)+1, int(h/step)+1
	ix.bins = make([][]int32, ix.nx*ix.ny)
	for i, u := range units {
		x0, y0 := ix.bin(u.Bound.Min)
		x1, y1 := ix.bin(u.Bound.Max)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				ix.bins[y*ix.nx+x] = append(ix.bins[y*ix.nx+x], int32(i))
			}
		}
	}
	return ix
}

func (ix *unitIndex) bin(p orb.Point) (int, int) {
	x := int(math.Floor((p[0] - ix.minLon) / ix.step))
	y := int(math.Floor((p[1] - ix.minLat) / ix.step))
	return min(max(x, 0), ix.nx-1), min(max(y, 0), ix.ny-1)
}

// near reports whether some unit's bounding box meets the hex's bound
// padded by half its size on every side. The samples byShare tests are
// descendant centres, which lie inside that padded bound, so when near is
// false byShare could only find nothing.
func (ix *unitIndex) near(c hexgrid.Cell) (bool, error) {
	ring, err := c.Boundary()
	if err != nil {
		return false, err
	}
	b := ring.Bound()
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	b = orb.Bound{Min: orb.Point{b.Min[0] - w/2, b.Min[1] - h/2}, Max: orb.Point{b.Max[0] + w/2, b.Max[1] + h/2}}
	return len(ix.within(nil, b)) > 0, nil
}

// at appends to dst the units whose bounding box contains p.
func (ix *unitIndex) at(dst []int32, p orb.Point) []int32 {
	if ix.nx == 0 || !finitePoint(p) {
		return dst
	}
	x := (p[0] - ix.minLon) / ix.step
	y := (p[1] - ix.minLat) / ix.step
	if x < 0 || y < 0 || x >= float64(ix.nx) || y >= float64(ix.ny) {
		return dst
	}
	for _, i := range ix.bins[int(y)*ix.nx+int(x)] {
		if ix.units[i].Bound.Contains(p) {
			dst = append(dst, i)
		}
	}
	return dst
}

// within appends the units whose bounding box meets b, ascending, once.
func (ix *unitIndex) within(dst []int32, b orb.Bound) []int32 {
	if ix.nx == 0 {
		return dst
	}
	x0, y0 := ix.bin(b.Min)
	x1, y1 := ix.bin(b.Max)
	start := len(dst)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			for _, i := range ix.bins[y*ix.nx+x] {
				if ix.units[i].Bound.Intersects(b) {
					dst = append(dst, i)
				}
			}
		}
	}
	s := dst[start:]
	slices.Sort(s)
	return append(dst[:start], slices.Compact(s)...)
}

// samplePoints returns the centres of c's descendants SampleDepth
// resolutions finer (or c's centre at the finest resolutions).
func samplePoints(c hexgrid.Cell) ([]orb.Point, error) {
	r := min(c.Resolution()+SampleDepth, hexgrid.MaxRes)
	ch, err := c.Children(r)
	if err != nil {
		return nil, err
	}
	pts := make([]orb.Point, len(ch))
	for i, k := range ch {
		if pts[i], err = k.Center(); err != nil {
			return nil, err
		}
	}
	return pts, nil
}

// byShare samples c and returns the unit with most samples; if shares is
// not nil it receives every unit met, largest first.
func (ix *unitIndex) byShare(c hexgrid.Cell, shares *[]UnitShare) (Attribution, error) {
	pts, err := samplePoints(c)
	if err != nil {
		return Attribution{}, err
	}
	b := orb.MultiPoint(pts).Bound()
	cand := ix.within(nil, b)
	best, bestN := int32(-1), 0
	for _, i := range cand {
		n := 0
		for _, p := range pts {
			if ix.units[i].Contains(p) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		if shares != nil {
			*shares = append(*shares, UnitShare{Code: ix.units[i].Code, Share: float64(n) / float64(len(pts))})
		}
		// cand is ascending by index and units are sorted by code, so the
		// first maximum has the lowest code.
		if n > bestN {
			best, bestN = i, n
		}
	}
	if shares != nil {
		sortShares(*shares)
	}
	if best < 0 {
		return Attribution{Cell: c, Share: 0}, nil
	}
	return Attribution{Cell: c, Code: ix.units[best].Code, Share: float64(bestN) / float64(len(pts))}, nil
}

func finitePoint(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}
