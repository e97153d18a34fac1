package report

import (
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// A month whose dead zones cannot be compared with the month before (no
// measurements that month) raises no alert for them: the alerts say so
// beside "No alerts this month", which alone read as nothing new, for
// the report and for the province's section. A month compared says
// nothing more.
func TestAlertsSayWhatWasNotCompared(t *testing.T) {
	aug, sep := penetration.Period{Year: 2024, Month: time.September}, penetration.Period{Year: 2024, Month: time.October}
	in := []scorecard.AreaInput{
		{Area: "12", Period: aug, Households: 1000, Fibre: est(0.5, 0.5, 0.5)},
		{Area: "12", Period: sep, Households: 1000, Fibre: est(0.52, 0.52, 0.52),
			DeadZones: &scorecard.DeadZones{Villages: 18, Households: 900, Hexes: []string{"88a"}, VillageIDs: []string{"V1"}}},
	}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: []Area{{"12", "Lai Châu"}},
		Provinces: []Province{{Code: "12"}}}))
	checkXML(t, "page", []byte(html))
	for _, want := range []string{
		`<p>No alerts this month.</p><p><span class="status unknown">unknown ?</span> Not compared with 2024-09 (no figure for that month, or figures of another kind), so no alert could be raised for: 1. No 3G/4G dead zones (Lai Châu).</p>`,
		`<p>No alerts this month.</p><p><span class="status unknown">unknown ?</span> Not compared with 2024-09 (no figure for that month, or figures of another kind), so no alert could be raised for: 1. No 3G/4G dead zones.</p>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "3. Households with fibre") && strings.Contains(html, "raised for: 3.") {
		t.Errorf("fibre, compared, is named as not compared")
	}

	in[0].DeadZones = &scorecard.DeadZones{Villages: 18, Households: 900, Hexes: []string{"88a"}, VillageIDs: []string{"V1"}}
	card, err = scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html = string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Provinces: []Province{{Code: "12"}}}))
	if strings.Contains(html, "Not compared") {
		t.Errorf("every target compared, yet the page says one was not")
	}
}
