package report_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/paulmach/orb"
)

func Example() {
	sep := penetration.Period{Year: 2025, Month: 9}
	card, err := scorecard.Build([]scorecard.AreaInput{{Area: "02", Period: sep, Households: 230_000,
		DeadZones: &scorecard.DeadZones{Villages: 11, Households: 1300},
		Fibre:     &penetration.Estimate{Value: 0.76, Lower: 0.75, Upper: 0.77}}}, scorecard.DefaultConfig())
	if err != nil {
		panic(err)
	}
	hex := orb.Ring{{105.00, 22.80}, {105.01, 22.805}, {105.01, 22.815}, {105.00, 22.82}, {104.99, 22.815}, {104.99, 22.805}, {105.00, 22.80}}
	r := &report.Report{
		Title:       "Hà Giang: coverage and dead zones",
		GeneratedAt: "2025-10-05",
		Period:      "2025-09",
		Areas:       []report.Area{{Code: "02", Name: "Hà Giang"}},
		Scorecard:   card,
		Provinces: []report.Province{{Code: "02", Map: &report.Map{
			Hexes:    []report.Hex{{Boundary: hex, State: report.StateUncovered}},
			Villages: []report.Place{{Name: "Lô Lô Chải", Point: orb.Point{105.0, 22.81}}},
		}}},
	}
	var b bytes.Buffer
	if err := report.Write(&b, r); err != nil {
		panic(err)
	}
	html := b.String()
	fmt.Println(strings.Contains(html, "<title>Hà Giang: coverage and dead zones</title>"))
	fmt.Println(strings.Count(html, "<svg"), "SVG elements")
	fmt.Println(strings.Contains(html, "Uncovered (no 3G/4G): 1 hex"))
	// Output:
	// true
	// 11 SVG elements
	// true
}
