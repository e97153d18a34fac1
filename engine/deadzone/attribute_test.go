package deadzone

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/shareddata"
	"github.com/paulmach/orb"
)

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

func twoSquares(t *testing.T, aMaxLon, bMinLon float64) *geodata.BoundarySet {
	t.Helper()
	set, err := geodata.NewBoundarySet("test", "commune", []geodata.Unit{
		{Code: "A", Name: "A", ParentCode: "P", Geometry: rect(aMaxLon-0.05, 21.0, aMaxLon, 21.05)},
		{Code: "B", Name: "B", ParentCode: "P", Geometry: rect(bMinLon, 21.0, bMinLon+0.05, 21.05)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// testCell is a res-8 hex in the middle of the squares' latitude band.
func testCell(t *testing.T) (hexgrid.Cell, orb.Point) {
	t.Helper()
	c, err := hexgrid.Index(105.05, 21.025, 8)
	if err != nil {
		t.Fatal(err)
	}
	ctr, err := c.Center()
	if err != nil {
		t.Fatal(err)
	}
	return c, ctr
}

func TestAttributeBorderHex(t *testing.T) {
	c, ctr := testCell(t)
	x := ctr[0]
	cases := []struct {
		name         string
		aMax, bMin   float64
		want         string
		wantSampled  bool
		minShare     float64
		maxShare     float64
		wantUnresolv int
	}{
		// A shared straight border just east of the centre: the centre
		// decides, and A also holds the larger share.
		{"shared border, centre in A", x + 0.001, x + 0.001, "A", false, 0, 0, 0},
		{"shared border, centre in B", x - 0.001, x - 0.001, "B", false, 0, 0, 0},
		// A gap at the centre: nobody claims it; the larger share wins.
		{"gap, A closer", x - 0.0005, x + 0.0015, "A", true, 0.3, 0.5, 0},
		{"gap, B closer", x - 0.0015, x + 0.0005, "B", true, 0.3, 0.5, 0},
		// An overlap at the centre: both claim it; the larger share wins.
		{"overlap, A larger", x + 0.0015, x - 0.0005, "A", true, 0.5, 0.8, 0},
		{"overlap, B larger", x + 0.0005, x - 0.0015, "B", true, 0.5, 0.8, 0},
		// Squares far away: unresolved.
		{"outside", x - 0.2, x + 0.2, "", true, 0, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := twoSquares(t, tc.aMax, tc.bMin)
			got, unres, err := Attribute(set, []hexgrid.Cell{c, c})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Cell != c {
				t.Fatalf("got %+v, want one attribution of %v", got, c)
			}
			a := got[0]
			if a.Code != tc.want || a.Sampled() != tc.wantSampled || unres != tc.wantUnresolv {
				t.Fatalf("got %+v (sampled %v, unresolved %d), want %q sampled %v unresolved %d",
					a, a.Sampled(), unres, tc.want, tc.wantSampled, tc.wantUnresolv)
			}
			if tc.wantSampled && tc.want != "" && (a.Share < tc.minShare || a.Share > tc.maxShare) {
				t.Errorf("share %.3f outside [%g, %g]", a.Share, tc.minShare, tc.maxShare)
			}
		})
	}
}

func TestSharesStraddlingHex(t *testing.T) {
	c, ctr := testCell(t)
	set := twoSquares(t, ctr[0]+0.001, ctr[0]+0.001)
	sh, err := Shares(set, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh) != 2 || sh[0].Code != "A" || sh[1].Code != "B" {
		t.Fatalf("shares %+v, want A then B", sh)
	}
	if s := sh[0].Share + sh[1].Share; math.Abs(s-1) > 1e-9 {
		t.Errorf("shares sum to %g, want 1", s)
	}
	if sh[0].Share <= 0.5 {
		t.Errorf("A share %g, want > 0.5", sh[0].Share)
	}
}

func TestCoverUnitsGapAndOverlap(t *testing.T) {
	for _, tc := range []struct {
		name       string
		aMax, bMin float64
	}{
		{"gap", 105.05, 105.052},
		{"overlap", 105.052, 105.05},
		{"shared", 105.05, 105.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := twoSquares(t, tc.aMax, tc.bMin)
			att, err := CoverUnits(set, 8)
			if err != nil {
				t.Fatal(err)
			}
			per := map[string]int{}
			for i, a := range att {
				if i > 0 && att[i-1].Cell >= a.Cell {
					t.Fatal("not sorted by cell or duplicated")
				}
				if a.Code == "" {
					t.Fatalf("hex %v without code", a.Cell)
				}
				per[a.Code]++
			}
			// Each square is about 5.2 × 5.6 km = 29 km², about 40 res-8
			// hexes; the union is covered without holes.
			for _, code := range []string{"A", "B"} {
				if per[code] < 33 || per[code] > 47 {
					t.Errorf("%s has %d hexes, want about 40", code, per[code])
				}
			}
			// No hole: every hex whose centre is inside the union's hull
			// is attributed.
			hull := rect(105.0, 21.0, 105.102, 21.05)
			inside, err := hexgrid.CoverMulti(hull, 8)
			if err != nil {
				t.Fatal(err)
			}
			got := map[hexgrid.Cell]bool{}
			for _, a := range att {
				got[a.Cell] = true
			}
			for _, c := range inside {
				if !got[c] {
					t.Errorf("hex %v inside the union has no unit", c)
				}
			}
		})
	}
}

// TestAttributeCommunesOfOneProvince attributes the res-8 hexes of Điện
// Biên (province 11) to the 3,321 communes of 2025.
func TestAttributeCommunesOfOneProvince(t *testing.T) {
	if testing.Short() {
		t.Skip("real boundaries: skipped in -short")
	}
	communes := loadSet(t, "vn_communes_2025.geojson", "provinceCode")
	provinces := loadSet(t, "vn_provinces_2025.geojson", "")
	p, ok := provinces.ByCode("11")
	if !ok {
		t.Fatal("province 11 missing")
	}
	cells, err := hexgrid.CoverMulti(p.Geometry, 8)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	att, unres, err := Attribute(communes, cells)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	parents := ParentCodes(communes)
	sampled, elsewhere := 0, 0
	for _, a := range att {
		if a.Sampled() {
			sampled++
		}
		if a.Code != "" && parents[a.Code] != "11" {
			elsewhere++
		}
	}
	t.Logf("%d hexes → communes in %v: %d sampled, %d unresolved, %d in another province's commune",
		len(att), elapsed, sampled, unres, elsewhere)
	if len(att) != len(cells) {
		t.Fatalf("%d attributions for %d cells", len(att), len(cells))
	}
	if unres > len(cells)/100 {
		t.Errorf("%d of %d unresolved", unres, len(cells))
	}
	if elsewhere > len(cells)/100 {
		t.Errorf("%d of %d attributed outside province 11", elsewhere, len(cells))
	}
	if sampled == 0 || sampled > len(cells)/10 {
		t.Errorf("%d sampled of %d: want some, and only border hexes", sampled, len(cells))
	}
}

func loadSet(t testing.TB, name, parent string) *geodata.BoundarySet {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := geodata.LoadBoundaries(f, "code", "name", parent)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAttributeSkipMatchesSampling checks that skipping the sampling for
// hexes far from every unit gives the same attribution as sampling them.
func TestAttributeSkipMatchesSampling(t *testing.T) {
	set, err := geodata.Provinces2019()
	if err != nil {
		t.Fatal(err)
	}
	var cells []hexgrid.Cell
	for lon := 100.0; lon <= 112; lon += 0.37 {
		for lat := 6.0; lat <= 25; lat += 0.41 {
			c, err := hexgrid.Index(lon, lat, 7)
			if err != nil {
				t.Fatal(err)
			}
			cells = append(cells, c)
		}
	}
	got, _, err := Attribute(set, cells)
	if err != nil {
		t.Fatal(err)
	}
	idx := newUnitIndex(set.Units())
	skipped := 0
	for _, a := range got {
		ctr, _ := a.Cell.Center()
		inAny := false
		for _, i := range idx.at(nil, ctr) {
			if idx.units[i].Contains(ctr) {
				inAny = true
			}
		}
		if inAny {
			continue
		}
		want, err := idx.byShare(a.Cell, nil)
		if err != nil {
			t.Fatal(err)
		}
		if near, _ := idx.near(a.Cell); !near {
			skipped++
		}
		if a.Code != want.Code || a.Share != want.Share {
			t.Fatalf("%v: got %+v, sampling gives %+v", a.Cell, a, want)
		}
	}
	if skipped == 0 {
		t.Fatal("no hex took the skip path: the test does not exercise it")
	}
}
