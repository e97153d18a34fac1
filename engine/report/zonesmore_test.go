package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// A country has hundreds of dead zones: the report's own table lists the
// top 20 and says how many more there are and where every one is listed.
// It listed 20 of 684 and said nothing of the other 664.
func TestTopDeadZonesCountTheRest(t *testing.T) {
	r := &Report{Title: "t", Period: "2024-10"}
	for i := range 684 {
		r.DeadZones = append(r.DeadZones, DeadZone{ID: fmt.Sprintf("DZ-%04d", i), Households: float64(3000 - i), Hexes: 1, AreaKm2: 0.8, Villages: 1})
	}
	html := string(render(t, r))
	checkXML(t, "page", []byte(html))
	sec := regexp.MustCompile(`(?s)<section id="deadzones">.*?</section>`).FindString(html)
	if sec == "" {
		t.Fatal("no dead zones section")
	}
	if n := strings.Count(sec, "<tr><td class=\"num rank\">"); n != 20 {
		t.Errorf("%d zones listed, want 20", n)
	}
	if !strings.Contains(sec, "DZ-0019") || strings.Contains(sec, "DZ-0020") {
		t.Errorf("not the first 20 zones listed")
	}
	if want := "… and 664 more: every dead zone is in deadzones.csv"; !strings.Contains(sec, want) {
		t.Errorf("section lacks %q", want)
	}
	// Twenty or fewer: all listed, nothing counted.
	r.DeadZones = r.DeadZones[:20]
	sec = regexp.MustCompile(`(?s)<section id="deadzones">.*?</section>`).FindString(string(render(t, r)))
	if n := strings.Count(sec, "<tr><td class=\"num rank\">"); n != 20 || strings.Contains(sec, "more:") {
		t.Errorf("20 zones: %d listed, or a count of more: %q", n, sec[len(sec)-300:])
	}
}
