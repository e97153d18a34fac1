package pipeline

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

func TestAreaClip(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	laichau, _ := set.ByCode("12")
	hanoi, _ := set.ByCode("01")
	area, err := UnitArea(hanoi, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if area.String() != "Hà Nội (01)" || len(area.Cells) == 0 {
		t.Fatalf("area %s with %d cells", area, len(area.Cells))
	}
	// A point of Lai Châu (Lai Châu town) and one of Hà Nội (Hoàn Kiếm).
	lcLon, lcLat, hnLon, hnLat := 103.46, 22.39, 105.85, 21.03
	if !laichau.Contains([2]float64{lcLon, lcLat}) || !hanoi.Contains([2]float64{hnLon, hnLat}) {
		t.Fatal("test points are not where they should be")
	}
	row := func(lon, lat float64) aggregate.Row {
		c, err := hexgrid.Index(lon, lat, 7)
		if err != nil {
			t.Fatal(err)
		}
		return aggregate.Row{Key: aggregate.Key{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech4G}}
	}
	site := func(lon, lat float64) engine.Site {
		return engine.Site{SiteID: "S", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: lon, Lat: lat}
	}
	cases := []struct {
		name     string
		measured []aggregate.Row
		sites    []engine.Site
		kept     int
		empty    bool
	}{
		{"data elsewhere only", []aggregate.Row{row(lcLon, lcLat)}, []engine.Site{site(lcLon, lcLat)}, 0, true},
		{"nothing at all", nil, nil, 0, true},
		{"a site inside, tests elsewhere", []aggregate.Row{row(lcLon, lcLat)}, []engine.Site{site(hnLon, hnLat)}, 0, false},
		{"tests inside and elsewhere", []aggregate.Row{row(lcLon, lcLat), row(hnLon, hnLat)}, nil, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The tests that did not choose their technology, here every
			// measured row, are clipped alike.
			kept, nc, err := area.clip(c.measured, c.measured, c.sites, 7, []string{"2026-10"})
			var ee *EmptyAreaError
			if c.empty {
				if !errors.As(err, &ee) || !strings.Contains(err.Error(), "no measurements or sites in Hà Nội (01)") ||
					!strings.Contains(err.Error(), "2026-10") {
					t.Fatalf("want an EmptyAreaError naming Hà Nội and the period, got %v", err)
				}
				return
			}
			if err != nil || len(kept) != c.kept || len(nc) != c.kept {
				t.Fatalf("kept %d rows and %d not-chosen (want %d), err %v", len(kept), len(nc), c.kept, err)
			}
			for _, r := range kept {
				if !area.set()[r.Cell] {
					t.Fatalf("kept a row outside the area: %v", r.Cell)
				}
			}
		})
	}
	lc, _ := hexgrid.Index(lcLon, lcLat, 7)
	hn, _ := hexgrid.Index(hnLon, hnLat, 7)
	if got := area.keep([]hexgrid.Cell{lc, hn}); len(got) != 1 || got[0] != hn {
		t.Fatalf("keep: %v", got)
	}
}

// A village by the border whose hex's centre lies across it brings its
// hex into the province's area; a place outside the province does not.
func TestUnitAreaHoldsItsVillagesHexes(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	laichau, _ := set.ByCode("12")
	const res = 8
	area, err := UnitArea(laichau, res, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := map[hexgrid.Cell]bool{}
	for _, c := range area.Cells {
		in[c] = true
	}
	// Walk the outline's first ring for a point inside the province whose
	// hex is not in the centre-based area.
	var border orb.Point
	found := false
	for _, q := range laichau.Geometry[0][0] {
		for _, d := range [][2]float64{{1e-4, 0}, {-1e-4, 0}, {0, 1e-4}, {0, -1e-4}} {
			p := orb.Point{q[0] + d[0], q[1] + d[1]}
			c, err := hexgrid.Index(p[0], p[1], res)
			if err == nil && laichau.Contains(p) && !in[c] {
				border, found = p, true
				break
			}
		}
		if found {
			break
		}
	}
	if !found {
		t.Fatal("no point inside Lai Châu in a hex whose centre lies outside")
	}
	outside := orb.Point{105.85, 21.03} // Hà Nội
	with, err := UnitArea(laichau, res, []orb.Point{border, outside, border})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := hexgrid.Index(border[0], border[1], res)
	o, _ := hexgrid.Index(outside[0], outside[1], res)
	if len(with.Cells) != len(area.Cells)+1 || !slices.Contains(with.Cells, c) || slices.Contains(with.Cells, o) || !slices.IsSorted(with.Cells) {
		t.Errorf("%d cells (centres alone %d); the border village's hex in: %v; Hà Nội's: %v", len(with.Cells), len(area.Cells),
			slices.Contains(with.Cells, c), slices.Contains(with.Cells, o))
	}
}

// borderCell returns a hex of area that is not an inner hex: one of its
// neighbours is not the area's.
func borderCell(t *testing.T, area *Area) hexgrid.Cell {
	t.Helper()
	in := area.set()
	for _, c := range area.Cells {
		disk, err := c.Disk(1)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range disk {
			if !in[d] {
				return c
			}
		}
	}
	t.Fatal("no border hex")
	return 0
}

// A province's own evidence is a site inside it or a test in one of its
// inner hexes: a province with neither, whose only "evidence" was a test
// in a hex on its border (its centre inside, the test maybe across), was
// scored "met, no dead zones" (Điện Biên with one 2G test by Lai Châu).
func TestAreaClipOwnEvidence(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	hanoi, _ := set.ByCode("01")
	const res = 7
	area, err := UnitArea(hanoi, res, nil)
	if err != nil {
		t.Fatal(err)
	}
	border := borderCell(t, area)
	inner, err := hexgrid.Index(105.85, 21.03, res) // Hoàn Kiếm
	if err != nil {
		t.Fatal(err)
	}
	bctr, err := border.Center()
	if err != nil {
		t.Fatal(err)
	}
	row := func(c hexgrid.Cell, n int64) aggregate.Row {
		r := aggregate.Row{Key: aggregate.Key{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech2G}}
		r.All.Rows = n
		return r
	}
	site := func(p orb.Point) engine.Site {
		return engine.Site{SiteID: "S", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: p[0], Lat: p[1]}
	}
	// Without an outline (an area of hexes alone) a site is the area's
	// own in an inner hex.
	hexesOnly := &Area{Code: area.Code, Name: area.Name, Cells: area.Cells}
	cases := []struct {
		name       string
		area       *Area
		measured   []aggregate.Row
		sites      []engine.Site
		empty      bool
		borderRows int64
	}{
		{"one test in a border hex", area, []aggregate.Row{row(border, 1)}, nil, true, 1},
		{"tests in a border hex, a site in another province", area, []aggregate.Row{row(border, 3)}, []engine.Site{site(orb.Point{103.46, 22.39})}, true, 3},
		{"a test in an inner hex", area, []aggregate.Row{row(border, 1), row(inner, 1)}, nil, false, 0},
		{"a site inside its outline", area, nil, []engine.Site{site(orb.Point{105.85, 21.03})}, false, 0},
		{"hexes alone: a site in a border hex", hexesOnly, nil, []engine.Site{site(bctr)}, true, 0},
		{"hexes alone: a site in an inner hex", hexesOnly, nil, []engine.Site{site(orb.Point{105.85, 21.03})}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := c.area.clip(c.measured, nil, c.sites, res, []string{"2024-10"})
			var ee *EmptyAreaError
			if !c.empty {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.As(err, &ee) || ee.BorderRows != c.borderRows {
				t.Fatalf("got %v (%+v), want an EmptyAreaError with %d border rows", err, ee, c.borderRows)
			}
			if c.borderRows > 0 && !strings.Contains(err.Error(), "hexes on its border") {
				t.Fatalf("the message does not say the tests lie on the border: %v", err)
			}
		})
	}
}

// A run over every province judges a province's own evidence as a run
// limited to it does: a tested hex on its border is not, an inner one or a
// site inside is.
func TestProvincesWithoutDataOwnEvidence(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	hanoi, _ := set.ByCode("01")
	const res = 7
	area, err := UnitArea(hanoi, res, nil)
	if err != nil {
		t.Fatal(err)
	}
	border := borderCell(t, area)
	inner, err := hexgrid.Index(105.85, 21.03, res)
	if err != nil {
		t.Fatal(err)
	}
	need := map[string]bool{"01": true}
	for _, c := range []struct {
		name   string
		sites  []engine.Site
		tested []hexgrid.Cell
		empty  bool
	}{
		{"a tested border hex", nil, []hexgrid.Cell{border}, true},
		{"a tested inner hex", nil, []hexgrid.Cell{border, inner}, false},
		{"a site inside", []engine.Site{{SiteID: "S", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 105.85, Lat: 21.03}}, nil, false},
		{"a site elsewhere", []engine.Site{{SiteID: "S", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 103.46, Lat: 22.39}}, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := provincesWithoutData(set, need, c.sites, c.tested)
			if err != nil {
				t.Fatal(err)
			}
			if got["01"] != c.empty {
				t.Fatalf("without data: %v, want 01 %v", got, c.empty)
			}
		})
	}
}

// A province is untested when no hex of it holds a test of the month: a
// tested hex of the analysed ones counts by its attribution, a tested hex
// beyond them (a road) by where its centre lies; a province left out
// already (empty) and the places outside every province ("") are not
// listed.
func TestProvincesUntested(t *testing.T) {
	set, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	const res = 7
	hanoiHex, err := hexgrid.Index(105.85, 21.03, res) // in Hà Nội (01)
	if err != nil {
		t.Fatal(err)
	}
	laiChauHex, err := hexgrid.Index(103.46, 22.39, res) // in Lai Châu (12)
	if err != nil {
		t.Fatal(err)
	}
	admin := map[hexgrid.Cell]deadzone.Admin{hanoiHex: {Province: "01"}}
	need := map[string]bool{"01": true, "12": true, "": true}
	for _, c := range []struct {
		name   string
		tested []hexgrid.Cell
		empty  map[string]bool
		want   []string
	}{
		{"no test anywhere", nil, nil, []string{"01", "12"}},
		{"a test in an analysed hex of 01", []hexgrid.Cell{hanoiHex}, nil, []string{"12"}},
		{"a test beyond the analysed hexes, in 12", []hexgrid.Cell{laiChauHex}, nil, []string{"01"}},
		{"both tested", []hexgrid.Cell{hanoiHex, laiChauHex}, nil, nil},
		{"12 left out already", nil, map[string]bool{"12": true}, []string{"01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := provincesUntested(set, need, c.empty, admin, c.tested)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("untested %v, want %v", got, c.want)
			}
		})
	}
}

// An untested province's target 1 is unknown with UntestedWhy, its
// counts kept; a tested one's is not touched.
func TestDeadZoneFiguresUntested(t *testing.T) {
	dz := &DeadZoneResult{Untested: []string{"12"}}
	dz.Villages.ByProvince = []deadzone.VillageCount{{Code: "01", Villages: 3}, {Code: "12", Villages: 2}}
	got := DeadZoneFigures(dz)
	if d := got["12"]; d == nil || d.NoData != UntestedWhy {
		t.Fatalf("untested province's figures %+v, want NoData %q", d, UntestedWhy)
	}
	if d := got["01"]; d == nil || d.NoData != "" {
		t.Fatalf("tested province's figures %+v, want no NoData", d)
	}
}
