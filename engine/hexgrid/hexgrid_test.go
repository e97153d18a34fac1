package hexgrid

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

func TestIndexKnownCell(t *testing.T) {
	// Hà Nội, Hoàn Kiếm lake; checked against h3-go's LatLngToCell.
	c, err := Index(105.8526, 21.0285, 8)
	if err != nil {
		t.Fatal(err)
	}
	if c.Resolution() != 8 || !c.Valid() {
		t.Fatalf("bad cell %v", c)
	}
	ctr, err := c.Center()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ctr[0]-105.8526) > 0.01 || math.Abs(ctr[1]-21.0285) > 0.01 {
		t.Fatalf("centre %v is far from the point: lon/lat swapped?", ctr)
	}
	back, err := Index(ctr[0], ctr[1], 8)
	if err != nil || back != c {
		t.Fatalf("centre re-indexes to %v, want %v (%v)", back, c, err)
	}
}

func TestIndexIntoErrors(t *testing.T) {
	dst := make([]Cell, 2)
	if err := IndexInto(dst, []float64{1}, []float64{1, 2}, 8); err == nil {
		t.Fatal("want length error")
	}
	if err := IndexInto(dst, []float64{1, 2}, []float64{1, 2}, 16); err == nil {
		t.Fatal("want resolution error")
	}
	if err := IndexInto(dst, []float64{math.NaN(), 105}, []float64{21, 21}, 8); err != nil {
		t.Fatal(err)
	}
	if dst[0] != 0 || dst[1] == 0 {
		t.Fatalf("got %v", dst)
	}
}

func TestChildDigitAndParent(t *testing.T) {
	c, _ := Index(105.8526, 21.0285, 9)
	p, err := c.Parent(8)
	if err != nil {
		t.Fatal(err)
	}
	kids, err := p.Children(9)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range kids {
		if k == c {
			found = true
		}
	}
	if !found || len(kids) != 7 {
		t.Fatalf("children %v do not include %v", kids, c)
	}
	if d := c.ChildDigit(); d < 0 || d > 6 {
		t.Fatalf("digit %d", d)
	}
}

func TestCoverSquare(t *testing.T) {
	// A 0.1° square near Hà Nội at res 7 (5.16 km² cells): area ≈ 114 km²,
	// so about 22 cells.
	sq := orb.Polygon{{{105.8, 21.0}, {105.9, 21.0}, {105.9, 21.1}, {105.8, 21.1}, {105.8, 21.0}}}
	cells, err := Cover(sq, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) < 15 || len(cells) > 30 {
		t.Fatalf("got %d cells", len(cells))
	}
	for i := 1; i < len(cells); i++ {
		if cells[i] <= cells[i-1] {
			t.Fatal("not sorted/unique")
		}
	}
	ring, err := cells[0].Boundary()
	if err != nil || len(ring) != 7 || ring[0] != ring[6] {
		t.Fatalf("boundary %v %v", ring, err)
	}
}

func TestFastParentMatchesH3(t *testing.T) {
	for _, pt := range [][2]float64{{105.85, 21.03}, {106.7, 10.77}, {103.2, 22.4}, {-78.5, -0.2}} {
		c, _ := Index(pt[0], pt[1], 15)
		for r := 0; r <= 15; r++ {
			want, err := c.Parent(r)
			if err != nil {
				t.Fatal(err)
			}
			if got := FastParent(c, r); got != want {
				t.Fatalf("res %d: got %v want %v", r, got, want)
			}
		}
	}
}

// TestGreatCircleMAgainstH3: the Go haversine is H3's within 1e-12
// relative (a few units in the last place) on random pairs from
// neighbours to antipodes, and exactly 0 for a point and itself.
func TestGreatCircleMAgainstH3(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 100000; i++ {
		a := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		b := orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		if i%2 == 0 { // neighbours: metres to kilometres apart
			b = orb.Point{a[0] + (rng.Float64()-0.5)*0.02, max(-90, min(90, a[1]+(rng.Float64()-0.5)*0.02))}
		}
		want := h3.GreatCircleDistanceM(h3.LatLng{Lat: a[1], Lng: a[0]}, h3.LatLng{Lat: b[1], Lng: b[0]})
		if got := GreatCircleM(a, b); math.Abs(got-want) > 1e-12*want+1e-9 {
			t.Fatalf("%v %v: %.15g, h3 %.15g", a, b, got, want)
		}
	}
	if d := GreatCircleM(orb.Point{105.85, 21.03}, orb.Point{105.85, 21.03}); d != 0 {
		t.Fatalf("a point and itself: %g", d)
	}
	// 1° of meridian on H3's sphere: R·π/180.
	if d := GreatCircleM(orb.Point{105, 21}, orb.Point{105, 22}); math.Abs(d-6371007.180918475*math.Pi/180) > 1e-6 {
		t.Fatalf("1° of meridian: %.9f", d)
	}
}
