package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A goal at the top of the plot (100% of households with a smartphone)
// with the values just under it has its label above the line, between the
// title and the plot, drawn over everything and clear of the data and the
// title: the label was drawn under the data line, which ran through
// "goal 100%" (the demo's seed 2, shares of 86% to 95%).
func TestGoalLabelAtTheTopIsClear(t *testing.T) {
	var tr trend
	tr.title, tr.goal, tr.goalTxt, tr.zero = "2. Households with a smartphone", 1, "goal 100%", true
	tr.tick = func(v float64) string { return label(100*v) + "%" }
	for i, v := range []float64{0.88, 0.86, 0.89, 0.88, 0.84, 0.90, 0.90, 0.91, 0.89, 0.91, 0.92, 0.92, 0.91, 0.93, 0.95, 0.92, 0.915} {
		tr.labels = append(tr.labels, fmt.Sprintf("2024-%02d", i))
		tr.points = append(tr.points, trendPoint{v: v, lo: v - 0.02, hi: min(v+0.02, 1)})
	}
	svg := string(trendSVG(tr))
	m := regexp.MustCompile(`<text x="([0-9.]+)" y="([0-9.]+)" text-anchor="(start|end)" fill="#a33f00"[^>]*>goal 100%</text>`).FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no goal label in %s", svg)
	}
	if strings.Index(svg, m[0]) < strings.LastIndex(svg, "<circle") {
		t.Errorf("the goal label is drawn under the data: %s", m[0])
	}
	x, _ := strconv.ParseFloat(m[1], 64)
	y, _ := strconv.ParseFloat(m[2], 64)
	w := 6.5 * float64(len("goal 100%"))
	x0, x1 := x-w, x
	if m[3] == "start" {
		x0, x1 = x, x+w
	}
	// The title: bold 12 px from x 52 on the baseline y 14, about 7 px a
	// character.
	tx := regexp.MustCompile(`<text x="([0-9.]+)" y="([0-9.]+)" font-size="12" font-weight="bold">`).FindStringSubmatch(svg)
	if tx == nil {
		t.Fatalf("no title in %s", svg)
	}
	tx0, _ := strconv.ParseFloat(tx[1], 64)
	ty, _ := strconv.ParseFloat(tx[2], 64)
	if y-9 < ty+3 && x0 < tx0+7*float64(len([]rune(tr.title))) {
		t.Errorf("goal label at (%s, %s, %s) overlaps the title", m[1], m[2], m[3])
	}
	// The plot's top: the goal's dashed line.
	line := regexp.MustCompile(`<line x1="[0-9.]+" y1="([0-9.]+)" x2="[0-9.]+" y2="[0-9.]+" stroke="#d55e00"`).FindStringSubmatch(svg)
	if line == nil {
		t.Fatalf("no goal line in %s", svg)
	}
	if gy, _ := strconv.ParseFloat(line[1], 64); y > gy {
		t.Errorf("goal label at y %g is below its line at %g, among the data", y, gy)
	}
	for _, c := range regexp.MustCompile(`<circle cx="([0-9.]+)" cy="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		cx, _ := strconv.ParseFloat(c[1], 64)
		cy, _ := strconv.ParseFloat(c[2], 64)
		if cx >= x0-3 && cx <= x1+3 && cy >= y-12 && cy <= y+5 {
			t.Errorf("goal label at (%s, %s, %s) covers the point at (%.1f, %.1f)", m[1], m[2], m[3], cx, cy)
		}
	}
}
