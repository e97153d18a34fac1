package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// Target 1's tile and cell give the households without 3G/4G beside the
// villages counted (or the villages beside the households, on that
// basis): the report said "27 villages" and nowhere the 1,273 households
// of scorecard.csv's dead_zone_households that a planner weighs them by.
// Households not known (none, or none located) are not written, never
// as zero.
func TestDeadZoneTileGivesTheOtherMeasure(t *testing.T) {
	p := penetration.Period{Year: 2024, Month: 10}
	in := []scorecard.AreaInput{
		{Area: "12", Period: p, Households: 110_000, DeadZones: &scorecard.DeadZones{Villages: 27, Households: 1273}},
		{Area: "02", Period: p, Households: 90_000, DeadZones: &scorecard.DeadZones{Villages: 1, Households: math.NaN()}},
		// No populated hex located: its zero households are not known.
		{Area: "04", Period: p, Households: 80_000, DeadZones: &scorecard.DeadZones{Villages: 3, Households: 0, NoHouseholds: true}},
	}
	render := func(cfg scorecard.Config) string {
		card, err := scorecard.Build(in, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		err = Write(&buf, &Report{Title: "t", Period: "2024-10", Scorecard: card,
			Areas:     []Area{{Code: "12", Name: "Lai Châu"}, {Code: "02", Name: "Tuyên Quang"}, {Code: "04", Name: "Cao Bằng"}},
			Provinces: []Province{{Code: "12"}, {Code: "02"}, {Code: "04"}}})
		if err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	html := render(scorecard.DefaultConfig())
	if !strings.Contains(html, `<div class="value">27 villages</div>`) || !strings.Contains(html, "<div class=\"small\">1,273 households without 3G/4G</div>") {
		i := strings.Index(html, `<div class="value">27 villages`)
		t.Errorf("Lai Châu's target 1 tile lacks its 1,273 households:\n%.500s", html[max(i, 0):])
	}
	if strings.Contains(html, "NaN households") || strings.Contains(html, "unknown households") || strings.Contains(html, ">0 households without") {
		t.Error("Tuyên Quang's or Cao Bằng's unknown households are written as a figure")
	}
	cfg := scorecard.DefaultConfig()
	cfg.DeadZoneBasis = scorecard.BasisHouseholds
	html = render(cfg)
	if !strings.Contains(html, `<div class="value">1,273 households</div>`) || !strings.Contains(html, "<div class=\"small\">27 villages without 3G/4G</div>") {
		i := strings.Index(html, `<div class="value">1,273 households`)
		t.Errorf("on the households basis, Lai Châu's tile lacks its 27 villages:\n%.500s", html[max(i, 0):])
	}
}
