package hexgrid

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
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
