package campaign

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// EarthRadiusKm is the IUGG mean Earth radius used for travel distances.
const EarthRadiusKm = 6371.0088

// GreatCircleKm is the haversine distance between two lon/lat points on a
// sphere of radius EarthRadiusKm.
func GreatCircleKm(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	dLat := (b[1] - a[1]) * rad
	dLon := (b[0] - a[0]) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKm * math.Asin(min(1, math.Sqrt(s)))
}

// PathLength is the length of the path through nodes in order, closed
// back to its first node when closed is set.
func PathLength(nodes []int, dist func(i, j int) float64, closed bool) float64 {
	var l float64
	for k := 1; k < len(nodes); k++ {
		l += dist(nodes[k-1], nodes[k])
	}
	if closed && len(nodes) > 1 {
		l += dist(nodes[len(nodes)-1], nodes[0])
	}
	return l
}

// NearestNeighbour orders nodes into a path that starts at start and
// always goes on to the closest node not yet visited; ties go to the node
// that comes first in nodes. start need not be in nodes; the result is
// start followed by every node of nodes once (start itself is not
// repeated if nodes holds it).
func NearestNeighbour(start int, nodes []int, dist func(i, j int) float64) []int {
	left := make([]int, 0, len(nodes))
	for _, n := range nodes {
		if n != start {
			left = append(left, n)
		}
	}
	out := append(make([]int, 0, len(left)+1), start)
	cur := start
	for len(left) > 0 {
		best := 0
		bd := dist(cur, left[0])
		for k := 1; k < len(left); k++ {
			if d := dist(cur, left[k]); d < bd {
				best, bd = k, d
			}
		}
		cur = left[best]
		out = append(out, cur)
		left = append(left[:best], left[best+1:]...)
	}
	return out
}

// twoOptEps is the least shortening, in the distance's unit, that a 2-opt
// move must bring to be taken; it keeps rounding from looping.
const twoOptEps = 1e-9

// TwoOpt improves a path in place by 2-opt moves and returns it. The first
// node stays first. When closed is set the path returns to its first node
// at the end and that edge counts; otherwise the last node is free. Moves
// reverse route[i..j] for 1 ≤ i < j; the first move (smallest i, then j)
// that shortens the path by more than 1e-9 is taken, and the scan starts
// again until no move improves. The result never is longer than the input.
func TwoOpt(route []int, dist func(i, j int) float64, closed bool) []int {
	n := len(route)
	if n < 3 {
		return route
	}
	next := func(k int) int { return nodeAfter(route, k, closed) }
	for improved := true; improved; {
		improved = false
		for i := 1; i < n-1 && !improved; i++ {
			for j := i + 1; j < n; j++ {
				a, b, c, d := route[i-1], route[i], route[j], next(j)
				delta := dist(a, c) - dist(a, b)
				if d >= 0 {
					delta += dist(b, d) - dist(c, d)
				}
				if delta < -twoOptEps {
					for l, r := i, j; l < r; l, r = l+1, r-1 {
						route[l], route[r] = route[r], route[l]
					}
					improved = true
					break
				}
			}
		}
	}
	return route
}

// OrOpt improves a path in place by or-opt moves and returns it: a
// segment of one to three consecutive nodes is moved, as it is or
// reversed, to another place in the path. The first node stays first;
// closed is as for TwoOpt. Moves are scanned by the segment's start, its
// length (1 to 3), the place it goes to (from the path's start) and its
// orientation (as it is first); the first that shortens the path by more
// than 1e-9 is taken, and the scan starts again until no move improves.
// It finds what 2-opt cannot: a far village visited last after a detour
// the other way, which belongs first (2-opt only reverses a stretch in
// place, so it cannot move the last village to the front of an open
// path). The result never is longer than the input.
func OrOpt(route []int, dist func(i, j int) float64, closed bool) []int {
	for orOptMove(route, dist, closed) {
	}
	return route
}

// orOptMove makes the first or-opt move that shortens route (OrOpt) and
// reports whether it made one.
func orOptMove(route []int, dist func(i, j int) float64, closed bool) bool {
	n := len(route)
	if n < 3 {
		return false
	}
	next := func(k int) int { return nodeAfter(route, k, closed) }
	for i := 1; i < n; i++ {
		for seg := 1; seg <= 3 && i+seg <= n; seg++ {
			j := i + seg - 1 // the segment is route[i..j]
			first, last := route[i], route[j]
			prev, after := route[i-1], next(j)
			// What taking the segment out saves.
			saved := dist(prev, first)
			if after >= 0 {
				saved += dist(last, after) - dist(prev, after)
			}
			// The places it can go: between route[k] and the node after
			// it, for k outside i-1..j (those leave it where it is).
			for k := 0; k < n; k++ {
				if k >= i-1 && k <= j {
					continue
				}
				a, b := route[k], next(k)
				for _, reversed := range []bool{false, true} {
					x, y := first, last
					if reversed {
						x, y = last, first
					}
					added := dist(a, x)
					if b >= 0 {
						added += dist(y, b) - dist(a, b)
					}
					if added-saved >= -twoOptEps {
						continue
					}
					moved := slices.Clone(route[i : j+1])
					if reversed {
						slices.Reverse(moved)
					}
					rest := slices.Delete(slices.Clone(route), i, j+1)
					at := k + 1 // in rest, after route[k]
					if k > j {
						at -= seg
					}
					copy(route, slices.Insert(rest, at, moved...))
					return true
				}
			}
		}
	}
	return false
}

// improve shortens a path by 2-opt and or-opt moves (TwoOpt, OrOpt) until
// neither finds one; the first node stays first.
func improve(route []int, dist func(i, j int) float64, closed bool) []int {
	for {
		route = TwoOpt(route, dist, closed)
		if !orOptMove(route, dist, closed) {
			return route
		}
	}
}

// nodeAfter returns the node after position k of route: the first one
// after the last when closed is set, else -1 at the free end.
func nodeAfter(route []int, k int, closed bool) int {
	switch {
	case k+1 < len(route):
		return route[k+1]
	case closed:
		return route[0]
	}
	return -1
}
