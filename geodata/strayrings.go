package geodata

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// withoutStrayRings returns mp without the holes that lie wholly outside
// their polygon's outer ring and without the polygons that lie wholly
// inside another polygon of mp. Neither changes which points the unit
// contains — a point must be inside a polygon's outer ring before its
// holes are asked (planar.PolygonContains, H3's cover), and a polygon
// inside another adds no point to their union — but a GIS reads both as
// invalid ("Hole lies outside shell", "Nested shells"): the GSO's 2025
// communes hold two pairs of them, slivers of a few square metres left
// by simplification (Yên Minh 00820 and Bạch Đích 00832, Cờ Đỏ 31261 and
// Thạnh Phú 31249), and the unit's outline is written out as read (the
// export's communes_summary). A ring that touches or crosses the other
// is kept: only what is certainly outside (or inside) is dropped. mp is
// returned as it is when it has no such ring.
func withoutStrayRings(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	changed := false
	for i, p := range mp {
		out[i] = p
		for j := 1; j < len(p); j++ {
			if ringsApart(p[j], p[0]) {
				changed = true
				q := append(orb.Polygon{}, p[:j]...)
				for _, h := range p[j+1:] {
					if !ringsApart(h, p[0]) {
						q = append(q, h)
					}
				}
				out[i] = q
				break
			}
		}
	}
	dropped := make([]bool, len(out))
	for j := range out {
		for i := range out {
			if i == j || dropped[i] {
				continue
			}
			if polygonWithin(out[j], out[i]) {
				dropped[j] = true
				changed = true
				break
			}
		}
	}
	if !changed {
		return mp
	}
	kept := make(orb.MultiPolygon, 0, len(out))
	for j, p := range out {
		if !dropped[j] {
			kept = append(kept, p)
		}
	}
	return kept
}

// polygonWithin reports whether polygon b lies wholly inside polygon a:
// b's outer ring inside a's and apart from each of a's holes.
func polygonWithin(b, a orb.Polygon) bool {
	if !ringWithin(b[0], a[0]) {
		return false
	}
	for _, h := range a[1:] {
		if !ringsApart(b[0], h) {
			return false
		}
	}
	return true
}

// ringWithin reports whether ring in encloses only points that out
// encloses: each of its points inside out or on it, none of out's points
// strictly inside it, and no edges crossing.
func ringWithin(in, out orb.Ring) bool {
	ob := out.Bound()
	if !ob.Contains(in.Bound().Min) || !ob.Contains(in.Bound().Max) {
		return false
	}
	for _, v := range in {
		if !planar.RingContains(out, v) {
			return false
		}
	}
	for _, v := range out {
		if strictlyInside(in, v) {
			return false
		}
	}
	return !edgesCross(in, out)
}

// ringsApart reports whether rings a and b enclose no point in common:
// no point of either inside the other or on it, and no edges crossing.
func ringsApart(a, b orb.Ring) bool {
	ab, bb := a.Bound(), b.Bound()
	if !ab.Intersects(bb) {
		return true
	}
	for _, v := range a {
		if planar.RingContains(b, v) {
			return false
		}
	}
	for _, v := range b {
		if planar.RingContains(a, v) {
			return false
		}
	}
	return !edgesCross(a, b)
}

// strictlyInside reports whether p lies inside r and not on its edges.
func strictlyInside(r orb.Ring, p orb.Point) bool {
	if !planar.RingContains(r, p) {
		return false
	}
	for i := 0; i+1 < len(r); i++ {
		if onSegment(r[i], r[i+1], p) {
			return false
		}
	}
	return !onSegment(r[len(r)-1], r[0], p)
}

// edgesCross reports whether an edge of a and an edge of b cross or
// touch (any common point).
func edgesCross(a, b orb.Ring) bool {
	na, nb := len(a), len(b)
	for i := 0; i < na; i++ {
		p, q := a[i], a[(i+1)%na]
		sb := orb.Bound{Min: p, Max: p}.Extend(q)
		for j := 0; j < nb; j++ {
			r, s := b[j], b[(j+1)%nb]
			if !sb.Intersects(orb.Bound{Min: r, Max: r}.Extend(s)) {
				continue
			}
			if segmentsMeet(p, q, r, s) {
				return true
			}
		}
	}
	return false
}

// segmentsMeet reports whether segments pq and rs have a point in common.
func segmentsMeet(p, q, r, s orb.Point) bool {
	d1, d2 := orient(r, s, p), orient(r, s, q)
	d3, d4 := orient(p, q, r), orient(p, q, s)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return onSegment(r, s, p) || onSegment(r, s, q) || onSegment(p, q, r) || onSegment(p, q, s)
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment reports whether p lies on the segment ab.
func onSegment(a, b, p orb.Point) bool {
	return orient(a, b, p) == 0 &&
		min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}
