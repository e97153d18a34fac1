package geodata

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// probePoints returns points to test mp with: random points in its bound,
// every vertex, the midpoint of every edge, and points a hair off each
// vertex in longitude (the band edges and the nudge of rayIntersect).
func probePoints(mp orb.MultiPolygon, rng *rand.Rand, random int) []orb.Point {
	b := mp.Bound()
	var pts []orb.Point
	for range random {
		pts = append(pts, orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])})
	}
	for _, p := range mp {
		for _, r := range p {
			for i, v := range r {
				pts = append(pts, v, orb.Point{v[0] + 1e-9, v[1]}, orb.Point{v[0] - 1e-9, v[1] + 1e-9})
				if i+1 < len(r) {
					w := r[i+1]
					pts = append(pts, orb.Point{(v[0] + w[0]) / 2, (v[1] + w[1]) / 2})
				}
			}
		}
	}
	return pts
}

func checkIndexAgrees(t *testing.T, name string, mp orb.MultiPolygon, pts []orb.Point) {
	t.Helper()
	ix := NewPolygonIndex(mp)
	in, bad := 0, 0
	for _, p := range pts {
		want := planar.MultiPolygonContains(mp, p)
		if want {
			in++
		}
		if got := ix.Contains(p); got != want {
			if bad++; bad <= 5 {
				t.Errorf("%s: Contains(%v) = %v, planar.MultiPolygonContains = %v", name, p, got, want)
			}
		}
	}
	if in == 0 || in == len(pts) {
		t.Errorf("%s: %d of %d probes inside: the probes do not test both answers", name, in, len(pts))
	}
}

// TestPolygonIndexAgreesWithPlanar checks the index against
// planar.MultiPolygonContains on every 2025 province (random points,
// vertices, edge midpoints, points a hair off the vertices) and on a
// synthetic polygon with holes, vertical and horizontal edges and
// collinear vertices, large enough to be banded.
func TestPolygonIndexAgreesWithPlanar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	set, err := Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	banded := 0
	for _, u := range set.Units() {
		for _, rs := range NewPolygonIndex(u.Geometry).polys {
			for _, r := range rs {
				if r.start != nil {
					banded++
				}
			}
		}
		checkIndexAgrees(t, u.Code, u.Geometry, probePoints(u.Geometry, rng, 2000))
	}
	if banded == 0 {
		t.Fatal("no province ring was banded: the test does not exercise the index")
	}

	// A 200-step staircase ring (vertical and horizontal edges, shared
	// longitudes at band edges) with two square holes, one touching
	// another's edge line.
	var outer orb.Ring
	for i := range 200 {
		x := float64(i) / 10
		outer = append(outer, orb.Point{x, float64(i % 7)}, orb.Point{x + 0.1, float64(i % 7)})
	}
	outer = append(outer, orb.Point{20, 10}, orb.Point{10, 10}, orb.Point{0, 10}, orb.Point{0, 0})
	hole1 := orb.Ring{{2, 7}, {3, 7}, {3, 8}, {2, 8}, {2, 7}}
	hole2 := orb.Ring{{3, 8}, {4, 8}, {4, 9}, {3, 9}, {3, 8}}
	mp := orb.MultiPolygon{{outer, hole1, hole2}, {{{30, 0}, {31, 0}, {31, 1}, {30, 0}}}}
	if NewPolygonIndex(mp).polys[0][0].start == nil {
		t.Fatal("the staircase ring was not banded")
	}
	pts := probePoints(mp, rng, 20000)
	for x := 0.0; x <= 31; x += 0.05 {
		for y := -0.5; y <= 10.5; y += 0.5 {
			pts = append(pts, orb.Point{x, y})
		}
	}
	checkIndexAgrees(t, "staircase", mp, pts)
}

// TestUnitContainsUsesIndex: a set's units answer through the index, and
// a Unit built outside a set still answers (through planar).
func TestUnitContainsUsesIndex(t *testing.T) {
	sq := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	set, err := NewBoundarySet("t", "t", []Unit{{Code: "1", Name: "a", Geometry: sq}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := set.ByCode("1")
	if u.index == nil {
		t.Fatal("NewBoundarySet built no index")
	}
	bare := Unit{Geometry: sq, Bound: sq.Bound()}
	for _, p := range []orb.Point{{0.5, 0.5}, {1, 1}, {1.5, 0.5}} {
		want := planar.MultiPolygonContains(sq, p)
		if u.Contains(p) != want || bare.Contains(p) != want {
			t.Errorf("Contains(%v): set unit %v, bare unit %v, want %v", p, u.Contains(p), bare.Contains(p), want)
		}
	}
}

func BenchmarkLocate(b *testing.B) {
	set, err := Provinces2025()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{102.2 + rng.Float64()*7.2, 8.6 + rng.Float64()*14.8}
	}
	units := set.Units()
	b.Run("planar", func(b *testing.B) {
		for i := range b.N {
			p := pts[i%len(pts)]
			for j := range units {
				if units[j].Bound.Contains(p) && planar.MultiPolygonContains(units[j].Geometry, p) {
					break
				}
			}
		}
	})
	b.Run("index", func(b *testing.B) {
		for i := range b.N {
			set.Locate(pts[i%len(pts)])
		}
	})
}
