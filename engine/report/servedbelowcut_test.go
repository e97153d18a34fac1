package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// With a cut above 0.8 a village of the likely_dead or confirmed_dead band
// below the cut is counted as served, uncertain (villages.csv's level
// "uncertain"): the map draws and counts it as uncertain and counted as
// served, and its title and row say so. A confirmed_dead one was drawn
// and counted as "confirmed without 3G/4G", and both were titled as
// without 3G/4G with no word that they are counted as served.
func TestVillageCountedServedInADeadBand(t *testing.T) {
	p := Province{Code: "02", Name: "Hà Giang",
		Map: &Map{Outline: orb.MultiPolygon{{{{104.9, 22.7}, {105.1, 22.7}, {105.1, 22.9}, {104.9, 22.9}, {104.9, 22.7}}}},
			Villages: []Place{
				{Name: "Thôn G", Point: orb.Point{105.0, 22.85}, Status: "likely_dead", PDead: 0.85},
				{Name: "Thôn H", Point: orb.Point{105.05, 22.85}, Status: "confirmed_dead", PDead: 0.96},
				{Name: "Thôn K", Point: orb.Point{105.05, 22.8}, Status: "confirmed_dead", PDead: 0.99, WithoutSignal: true},
			}},
		Villages: []VillageRow{{ID: "VH", Name: "Thôn H", Households: 10, Status: "confirmed_dead", PDead: 0.96}}}
	var buf bytes.Buffer
	if err := Write(&buf, &Report{Title: "t", Provinces: []Province{p}}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"<title>Thôn G: likely without 3G/4G, counted as served, p_dead 0.85</title>",
		"<title>Thôn H: confirmed without 3G/4G, counted as served, p_dead 0.96</title>",
		"<title>Thôn K: confirmed without 3G/4G, p_dead 0.99</title>",
		"Village confirmed without 3G/4G (p_dead ≥ 0.95): 1<",
		"Village uncertain, counted as served (0.2 &lt; p_dead, below the cut): 2<",
		`<td class="village-uncertain" data-label="Verdict">confirmed without 3G/4G, counted as served</td>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
