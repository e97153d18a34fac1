package geodata

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// withoutStrayRings drops only holes wholly outside their outer ring and
// polygons wholly inside another; whatever touches, crosses or covers a
// hole is kept, and no point changes side.
func TestWithoutStrayRings(t *testing.T) {
	big := square(0, 0, 10, 10)
	tests := []struct {
		name  string
		in    orb.MultiPolygon
		rings []int // rings per polygon kept
	}{
		{"valid hole kept", orb.MultiPolygon{{big, square(2, 2, 3, 3)}}, []int{2}},
		{"hole outside dropped", orb.MultiPolygon{{big, square(12, 2, 13, 3)}}, []int{1}},
		{"hole outside among holes", orb.MultiPolygon{{big, square(2, 2, 3, 3), square(12, 2, 13, 3), square(5, 5, 6, 6)}}, []int{3}},
		{"hole crossing the shell kept", orb.MultiPolygon{{big, square(9, 2, 11, 3)}}, []int{2}},
		{"hole touching the shell from outside kept", orb.MultiPolygon{{big, square(10, 2, 11, 3)}}, []int{2}},
		{"nested polygon dropped", orb.MultiPolygon{{square(4, 4, 5, 5)}, {big}}, []int{1}},
		{"nested polygon with its hole dropped", orb.MultiPolygon{{big}, {square(4, 4, 6, 6), square(4.5, 4.5, 5, 5)}}, []int{1}},
		{"island in a lake kept", orb.MultiPolygon{{big, square(2, 2, 8, 8)}, {square(4, 4, 6, 6)}}, []int{2, 1}},
		{"polygon over a hole kept", orb.MultiPolygon{{big, square(4, 4, 5, 5)}, {square(3, 3, 6, 6)}}, []int{2, 1}},
		{"overlapping polygons kept", orb.MultiPolygon{{big}, {square(8, 8, 12, 12)}}, []int{1, 1}},
		{"touching polygon kept", orb.MultiPolygon{{big}, {square(0, 0, 2, 2)}}, []int{1, 1}},
		{"apart polygons kept", orb.MultiPolygon{{big}, {square(20, 0, 21, 1)}}, []int{1, 1}},
		{"identical polygons kept (their edges meet)", orb.MultiPolygon{{big}, {square(0, 0, 10, 10)}}, []int{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := withoutStrayRings(tc.in)
			var rings []int
			for _, p := range out {
				rings = append(rings, len(p))
			}
			if len(rings) != len(tc.rings) {
				t.Fatalf("rings per polygon %v, want %v", rings, tc.rings)
			}
			for i := range rings {
				if rings[i] != tc.rings[i] {
					t.Fatalf("rings per polygon %v, want %v", rings, tc.rings)
				}
			}
			// No point changes side.
			for x := -1.25; x <= 13; x += 0.5 {
				for y := -1.25; y <= 13; y += 0.5 {
					p := orb.Point{x, y}
					if a, b := planar.MultiPolygonContains(tc.in, p), planar.MultiPolygonContains(out, p); a != b {
						t.Errorf("%v: contained %v before, %v after", p, a, b)
					}
				}
			}
		})
	}
}
