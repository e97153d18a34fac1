package report

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// A province map of a country's register holds thousands of sites (7,219
// in Hà Nội's frame): their marks cover little of the map and lie under
// the dead-zone outlines. Black squares of 6 units with a white border
// covered a quarter of a 1000-unit map and hid the hexes' colours and the
// zones' outlines among them.
func TestSiteMarksLeaveTheMapReadable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := &Map{Outline: orb.MultiPolygon{square(105, 21, 106, 22)}}
	for range 7000 {
		m.Sites = append(m.Sites, orb.Point{105 + rng.Float64(), 21 + rng.Float64()})
	}
	m.DeadZones = []ZoneOutline{{ID: "DZ-1", Outline: orb.MultiPolygon{square(105.4, 21.4, 105.5, 21.5)}}}
	svg, drawn, ok := mapSVG(m, "t")
	if !ok || drawn.sites != 7000 {
		t.Fatalf("drawn %d sites (ok %v)", drawn.sites, ok)
	}
	s := string(svg)
	vb := regexp.MustCompile(`viewBox="0 0 ([\d.]+) ([\d.]+)"`).FindStringSubmatch(s)
	w, _ := strconv.ParseFloat(vb[1], 64)
	h, _ := strconv.ParseFloat(vb[2], 64)
	site := regexp.MustCompile(`<path fill="([^"]+)" stroke="([^"]+)"(?: stroke-width="([\d.]+)")? d="[Mm][-\d.]+[ ,]?[-\d.]+h([\d.]+)`).FindStringSubmatch(s[strings.LastIndex(s[:strings.Index(s, "<title>sites</title>")], "<path"):])
	if site == nil {
		t.Fatalf("no site marks' path in\n%.2000s", s)
	}
	side, _ := strconv.ParseFloat(site[4], 64)
	if site[2] != "none" {
		sw, _ := strconv.ParseFloat(site[3], 64)
		side += sw // a border widens the mark by half its width each side
	}
	if share := float64(drawn.sites) * side * side / (w * h); share > 0.1 {
		t.Errorf("7,000 site marks of %g units cover %.0f%% of the map, want at most 10%%", side, 100*share)
	}
	if site[1] == "#000" || site[1] == "#000000" {
		t.Errorf("site marks are black (%s), as the dead-zone outlines and villages without 3G/4G are", site[1])
	}
	if strings.Index(s, "<title>sites</title>") > strings.Index(s, "<title>DZ-1</title>") {
		t.Error("the site marks are drawn over the dead-zone outlines")
	}
}
