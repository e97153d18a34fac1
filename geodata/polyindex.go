package geodata

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// PolygonIndex answers point-in-polygon queries on one multipolygon with
// exactly planar.MultiPolygonContains's answers (boundary points inside,
// holes outside), in time proportional to the edges near the point's
// longitude instead of all of them.
//
// planar.RingContains casts a ray along the latitude axis: an edge can
// change its answer only when the point's longitude lies within the
// edge's closed longitude range (any other edge gives "no crossing, not
// on the edge"). The index cuts each large ring's longitude span into
// bands and lists in each band the edges whose closed range overlaps it;
// a query tests only its band's edges, with the same edge test
// (rayIntersect). Crossings are counted modulo 2 and any "on the edge"
// answers true at once, so the order of the edges does not matter and
// the answer is the same. Each ring's bound is stored, not recomputed per
// query as planar.RingContains does.
//
// A PolygonIndex is immutable and safe for concurrent use.
type PolygonIndex struct {
	polys [][]ringIndex // per polygon: outer ring, then holes
}

// ringIndex is one ring with its bound and, for rings of at least
// minIndexedEdges edges, the edges of each longitude band in compressed
// rows: the edges of band b are edges[start[b]:start[b+1]], each the
// index i of the edge r[i]–r[i+1] (i = len(r)−1: the closing edge
// r[0]–r[len−1] that planar.RingContains tests first).
type ringIndex struct {
	r       orb.Ring
	bound   orb.Bound
	minX, w float64 // band b covers [minX + b·w, minX + (b+1)·w)
	bands   int
	start   []int32
	edges   []int32
}

// minIndexedEdges: rings with fewer edges are tested edge by edge.
const minIndexedEdges = 64

// edgesPerBand is the mean number of edges per band the index aims at.
const edgesPerBand = 8

// NewPolygonIndex indexes mp; mp must not be modified afterwards.
func NewPolygonIndex(mp orb.MultiPolygon) *PolygonIndex {
	ix := &PolygonIndex{polys: make([][]ringIndex, len(mp))}
	for i, p := range mp {
		rs := make([]ringIndex, len(p))
		for j, r := range p {
			rs[j] = newRingIndex(r)
		}
		ix.polys[i] = rs
	}
	return ix
}

func newRingIndex(r orb.Ring) ringIndex {
	ri := ringIndex{r: r, bound: r.Bound()}
	n := len(r) // edges: n−1 consecutive plus the closing one
	if n < minIndexedEdges {
		return ri
	}
	bands := n / edgesPerBand
	span := ri.bound.Max[0] - ri.bound.Min[0]
	if !(span > 0) {
		return ri
	}
	ri.minX, ri.w, ri.bands = ri.bound.Min[0], span/float64(bands), bands
	edge := func(i int) (orb.Point, orb.Point) {
		if i == n-1 {
			return r[0], r[n-1]
		}
		return r[i], r[i+1]
	}
	count := make([]int32, bands+1)
	for i := range n {
		lo, hi := ri.bandRange(edge(i))
		for b := lo; b <= hi; b++ {
			count[b+1]++
		}
	}
	for b := 1; b <= bands; b++ {
		count[b] += count[b-1]
	}
	ri.start = count
	ri.edges = make([]int32, count[bands])
	next := append([]int32(nil), count[:bands]...)
	for i := range n {
		lo, hi := ri.bandRange(edge(i))
		for b := lo; b <= hi; b++ {
			ri.edges[next[b]] = int32(i)
			next[b]++
		}
	}
	return ri
}

// band returns the band of longitude x, clamped to the bands.
func (ri *ringIndex) band(x float64) int {
	b := int(math.Floor((x - ri.minX) / ri.w))
	return min(max(b, 0), ri.bands-1)
}

// bandRange returns the bands the closed longitude range of edge s–e
// overlaps. band is monotone in x, so a point whose longitude lies in the
// edge's range falls in one of them.
func (ri *ringIndex) bandRange(s, e orb.Point) (int, int) {
	lo, hi := s[0], e[0]
	if lo > hi {
		lo, hi = hi, lo
	}
	return ri.band(lo), ri.band(hi)
}

// contains is planar.RingContains(ri.r, p).
func (ri *ringIndex) contains(p orb.Point) bool {
	if !ri.bound.Contains(p) {
		return false
	}
	if ri.start == nil {
		return planar.RingContains(ri.r, p)
	}
	r, n := ri.r, len(ri.r)
	b := ri.band(p[0])
	c := false
	for _, i := range ri.edges[ri.start[b]:ri.start[b+1]] {
		s, e := r[0], r[n-1]
		if int(i) < n-1 {
			s, e = r[i], r[i+1]
		}
		inter, on := rayIntersect(p, s, e)
		if on {
			return true
		}
		if inter {
			c = !c
		}
	}
	return c
}

// Contains reports whether p lies in the multipolygon, as
// planar.MultiPolygonContains does.
func (ix *PolygonIndex) Contains(p orb.Point) bool {
	for _, rs := range ix.polys {
		if len(rs) == 0 || !rs[0].contains(p) {
			continue
		}
		inHole := false
		for k := 1; k < len(rs); k++ {
			if rs[k].contains(p) {
				inHole = true
				break
			}
		}
		if !inHole {
			return true
		}
	}
	return false
}

// rayIntersect is orb/planar's edge test (github.com/paulmach/orb,
// planar/contains.go, MIT licence), unexported there: whether the ray
// from p crosses the edge s–e, and whether p lies on it.
func rayIntersect(p, s, e orb.Point) (intersects, on bool) {
	if s[0] > e[0] {
		s, e = e, s
	}
	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			return false, true
		} else if s[0] == e[0] {
			if s[1] > e[1] && s[1] >= p[1] && p[1] >= e[1] {
				return false, true
			}
			if e[1] > s[1] && e[1] >= p[1] && p[1] >= s[1] {
				return false, true
			}
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			return false, true
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	}
	if p[0] < s[0] || p[0] > e[0] {
		return false, false
	}
	if s[1] > e[1] {
		if p[1] > s[1] {
			return false, false
		} else if p[1] < e[1] {
			return true, false
		}
	} else {
		if p[1] > e[1] {
			return false, false
		} else if p[1] < s[1] {
			return true, false
		}
	}
	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])
	if rs == ds {
		return false, true
	}
	return rs <= ds, false
}
