package pipeline

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lomsong/lomsong/engine"
)

// A province map's site marks are the places of the active sites inside
// its bound, each once, sorted: the same as scanning the register for
// each map, for registers with sectors sharing a place, inactive sites
// and bounds that cut through them.
func TestSiteMarksAsEachMapsScan(t *testing.T) {
	scan := func(sites []engine.Site, b orb.Bound) []orb.Point {
		seen := map[orb.Point]bool{}
		var out []orb.Point
		for _, s := range sites {
			pt := orb.Point{s.Lon, s.Lat}
			if s.Status != engine.StatusActive || seen[pt] || !b.Contains(pt) {
				continue
			}
			seen[pt] = true
			out = append(out, pt)
		}
		slices.SortFunc(out, func(a, b orb.Point) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
		return out
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var sites []engine.Site
	for range 3000 {
		lon, lat := 102+rng.Float64()*8, 8+rng.Float64()*15
		if rng.IntN(3) == 0 {
			lon, lat = 105+float64(rng.IntN(20))*0.1, 20+float64(rng.IntN(20))*0.1 // on a grid: bounds' edges and shared places
		}
		for range 1 + rng.IntN(3) { // sectors of one mast
			st := engine.StatusActive
			if rng.IntN(5) == 0 {
				st = engine.StatusPlanned
			}
			sites = append(sites, engine.Site{Lon: lon, Lat: lat, Status: st})
		}
	}
	marks := activeSitePoints(sites)
	for k := range 200 {
		x, y := 102+rng.Float64()*8, 8+rng.Float64()*15
		b := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + rng.Float64()*3, y + rng.Float64()*3}}
		if k%10 == 0 {
			b = orb.Bound{Min: orb.Point{105.5, 20.5}, Max: orb.Point{106.2, 21.3}} // edges on the grid
		}
		got, want := siteMarks(marks, b), scan(sites, b)
		if !slices.Equal(got, want) {
			t.Fatalf("bound %v: %d marks, want %d (%v… against %v…)", b, len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
		}
	}
	if got := siteMarks(activeSitePoints(nil), orb.Bound{Max: orb.Point{1, 1}}); got != nil {
		t.Fatalf("marks of an empty register: %v", got)
	}
}
