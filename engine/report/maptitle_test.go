package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// A village's point on the map says its verdict as its row of the villages
// table does: an uncertain village over the cut, drawn as counted without
// 3G/4G, was titled "uncertain" alone, which the legend gives to villages
// counted as served.
func TestMapTitleSaysCountedWithoutSignal(t *testing.T) {
	p := Province{Code: "02", Name: "Hà Giang",
		Map: &Map{Outline: orb.MultiPolygon{{{{104.9, 22.7}, {105.1, 22.7}, {105.1, 22.9}, {104.9, 22.9}, {104.9, 22.7}}}},
			Villages: []Place{
				{Name: "Thôn C", Point: orb.Point{105.0, 22.85}, Status: "uncertain", PDead: 0.41},
				{Name: "Thôn E", Point: orb.Point{105.05, 22.85}, Status: "uncertain", PDead: 0.62, WithoutSignal: true},
				{Name: "Thôn F", Point: orb.Point{105.05, 22.8}, WithoutSignal: true, PDead: 0.9},
			}}}
	var buf bytes.Buffer
	if err := Write(&buf, &Report{Title: "t", Provinces: []Province{p}}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"<title>Thôn E: uncertain, counted without 3G/4G, p_dead 0.62</title>",
		"<title>Thôn C: uncertain, p_dead 0.41</title>",
		"<title>Thôn F: without 3G/4G</title>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("map lacks %q", want)
		}
	}
}
