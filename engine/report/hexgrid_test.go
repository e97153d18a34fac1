package report

import (
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
)

// TestH3Map draws a province of about 10,000 real resolution-8 H3 cells
// (hexgrid.Cell.Boundary rings) with a dead zone outlined by
// hexgrid.Outline, and checks the page size and markup.
func TestH3Map(t *testing.T) {
	province := square(104.6, 22.4, 105.5, 23.2)
	cells, err := hexgrid.Cover(province, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) < 9_000 || len(cells) > 13_000 {
		t.Fatalf("%d cells, want about 10,000", len(cells))
	}
	m := &Map{Outline: orb.MultiPolygon{province}}
	var dead []hexgrid.Cell
	for i, c := range cells {
		ring, err := c.Boundary()
		if err != nil {
			t.Fatal(err)
		}
		s := StateCovered
		switch {
		case i%97 < 6:
			s, dead = StateUncovered, append(dead, c)
		case i%13 == 0:
			s = StateWeak
		}
		m.Hexes = append(m.Hexes, Hex{Boundary: ring, State: s})
	}
	outline, err := hexgrid.Outline(dead)
	if err != nil {
		t.Fatal(err)
	}
	m.DeadZones = []ZoneOutline{{ID: "DZ-all", Outline: outline}}
	html := render(t, &Report{Title: "H3", Provinces: []Province{{Code: "02", Name: "Hà Giang", Map: m}}})
	t.Logf("%d H3 cells: page %d bytes (%.0f bytes per cell)", len(cells), len(html), float64(len(html))/float64(len(cells)))
	if len(html) > 1<<20 {
		t.Errorf("page %d bytes for %d cells, want at most 1 MiB", len(html), len(cells))
	}
	checkXML(t, "page", html)
	checkOffline(t, html)
}
