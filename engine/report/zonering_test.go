package report

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// hexAround is a hexagon of radius rDeg degrees around c, about the size of
// an H3 resolution-8 cell for rDeg 0.0045.
func hexAround(c orb.Point, rDeg float64) orb.Polygon {
	ring := orb.Ring{}
	for i := 0; i <= 6; i++ {
		a := float64(i%6) * math.Pi / 3
		ring = append(ring, orb.Point{c[0] + rDeg*math.Cos(a), c[1] + rDeg*math.Sin(a)})
	}
	return orb.Polygon{ring}
}

// A dead zone of one hex on a province's map spans about 7 viewBox units,
// less than a village's mark (radius 5, stroke 1.5) drawn over it at its
// village: the demo's report drew its 22 zones and showed none. A zone that
// small is circled above the marks, wider than a village's mark; a large
// zone keeps its outline alone; the legend says so.
func TestSmallDeadZoneIsSeenOverItsVillage(t *testing.T) {
	small := orb.Point{105.2, 22.8}
	p := Province{Code: "02", Name: "Hà Giang",
		Map: &Map{
			Outline: orb.MultiPolygon{{{{104.9, 22.5}, {105.5, 22.5}, {105.5, 23.1}, {104.9, 23.1}, {104.9, 22.5}}}},
			DeadZones: []ZoneOutline{
				{ID: "DZ-small", Outline: orb.MultiPolygon{hexAround(small, 0.0045)}},
				{ID: "DZ-big", Outline: orb.MultiPolygon{{{{105.0, 22.6}, {105.1, 22.6}, {105.1, 22.7}, {105.0, 22.7}, {105.0, 22.6}}}}},
			},
			Villages: []Place{{Name: "Thôn A", Point: small, Status: "confirmed_dead", PDead: 0.99, WithoutSignal: true}},
		}}
	var buf bytes.Buffer
	if err := Write(&buf, &Report{Title: "t", Provinces: []Province{p}}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	village := strings.Index(html, "<title>Thôn A")
	ring := regexp.MustCompile(`<circle[^>]* r="([\d.]+)"><title>DZ-small</title>`).FindStringSubmatchIndex(html)
	if ring == nil {
		t.Fatalf("the one-hex zone DZ-small is not circled: only its outline, hidden under its village's mark, is drawn")
	}
	if r, _ := strconv.ParseFloat(html[ring[2]:ring[3]], 64); !(r > 5+1.5) {
		t.Errorf("DZ-small's ring has radius %g: no wider than a village's mark (5, stroke 1.5)", r)
	}
	if ring[0] < village {
		t.Error("DZ-small's ring is drawn under the village marks, which hide it")
	}
	if regexp.MustCompile(`<circle[^>]*><title>DZ-big</title>`).MatchString(html) {
		t.Error("DZ-big, wider than a village's mark, is circled as well as outlined")
	}
	if !strings.Contains(html, "Dead zone (lõm sóng) outline: 2; circled where smaller than a village&#39;s mark (1 zone)") {
		i := strings.Index(html, "Dead zone (lõm sóng)")
		t.Errorf("the legend does not say a small zone is circled: %.200s", html[max(i, 0):])
	}
}
