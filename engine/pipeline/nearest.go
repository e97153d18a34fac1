package pipeline

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/spatial/kdtree"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// nearestIndex answers "how far, in metres, is the nearest of a set of
// positions" with exactly the distance a scan of every position gives
// (hexgrid.GreatCircleM's minimum), in O(log n) per query instead of O(n):
// the plan asks it for each candidate against every active site of the
// register (hundreds of thousands of sectors nationally).
//
// Positions are points on the unit sphere in a 3-d tree; the chord between
// two points is monotone in their great-circle distance, so the nearest by
// chord is the nearest on the sphere. Rounding may reorder positions whose
// distances agree to ~1e-12, so the query takes every position within the
// nearest chord plus a margin far above that rounding and returns the least
// GreatCircleM among them: the scan's minimum, bit for bit.
type nearestIndex struct {
	tree *kdtree.Tree
}

// newNearestIndex indexes the positions (lon, lat in degrees); duplicates
// (the sectors of one site) are kept once. An empty set gives an index
// whose queries answer +Inf.
func newNearestIndex(pos [][2]float64) *nearestIndex {
	ps := make(spherePoints, 0, len(pos))
	for _, p := range pos {
		ps = append(ps, newSpherePoint(p))
	}
	slices.SortFunc(ps, func(a, b spherePoint) int {
		return cmp.Or(cmp.Compare(a.ll[0], b.ll[0]), cmp.Compare(a.ll[1], b.ll[1]))
	})
	ps = slices.CompactFunc(ps, func(a, b spherePoint) bool { return a.ll == b.ll })
	if len(ps) == 0 {
		return &nearestIndex{}
	}
	return &nearestIndex{tree: kdtree.New(ps, false)}
}

// nearestM is the great-circle distance in metres from p to the nearest
// indexed position (+Inf when there is none).
func (ix *nearestIndex) nearestM(p [2]float64) float64 {
	if ix.tree == nil {
		return math.Inf(1)
	}
	q := newSpherePoint(p)
	_, d2 := ix.tree.Nearest(q)
	// Every position whose squared chord is within 1e-9 (relative) of the
	// nearest's, plus 1e-18 (a chord of 1e-9: 6 mm on Earth): its ties and
	// near-ties, whichever rounding ordered them.
	keep := kdtree.NewDistKeeper(d2*(1+1e-9) + 1e-18)
	ix.tree.NearestSet(keep, q)
	best := math.Inf(1)
	for _, c := range keep.Heap {
		if c.Comparable == nil {
			continue // the keeper's sentinel
		}
		best = min(best, hexgrid.GreatCircleM(p, c.Comparable.(spherePoint).ll))
	}
	return best
}

// spherePoint is a position on the unit sphere with its lon/lat.
type spherePoint struct {
	xyz [3]float64
	ll  [2]float64
}

func newSpherePoint(ll [2]float64) spherePoint {
	lon, lat := ll[0]*math.Pi/180, ll[1]*math.Pi/180
	return spherePoint{xyz: [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}, ll: ll}
}

func (p spherePoint) Compare(c kdtree.Comparable, d kdtree.Dim) float64 {
	return p.xyz[d] - c.(spherePoint).xyz[d]
}

func (p spherePoint) Dims() int { return 3 }

// Distance is the squared chord, as kdtree's searches expect.
func (p spherePoint) Distance(c kdtree.Comparable) float64 {
	q := c.(spherePoint)
	dx, dy, dz := p.xyz[0]-q.xyz[0], p.xyz[1]-q.xyz[1], p.xyz[2]-q.xyz[2]
	return dx*dx + dy*dy + dz*dz
}

// spherePoints is a kdtree.Interface over spherePoint.
type spherePoints []spherePoint

func (ps spherePoints) Index(i int) kdtree.Comparable         { return ps[i] }
func (ps spherePoints) Len() int                              { return len(ps) }
func (ps spherePoints) Slice(start, end int) kdtree.Interface { return ps[start:end] }
func (ps spherePoints) Pivot(d kdtree.Dim) int {
	return kdtree.Partition(spherePlane{ps, d}, kdtree.MedianOfRandoms(spherePlane{ps, d}, 100))
}

// spherePlane orders spherePoints along one dimension, for the pivot.
type spherePlane struct {
	ps spherePoints
	d  kdtree.Dim
}

func (p spherePlane) Len() int           { return len(p.ps) }
func (p spherePlane) Less(i, j int) bool { return p.ps[i].xyz[p.d] < p.ps[j].xyz[p.d] }
func (p spherePlane) Swap(i, j int)      { p.ps[i], p.ps[j] = p.ps[j], p.ps[i] }
func (p spherePlane) Slice(start, end int) kdtree.SortSlicer {
	return spherePlane{p.ps[start:end], p.d}
}
