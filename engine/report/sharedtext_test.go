package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// A scorecard table of many provinces says once, in a column's head, the
// text most of its cells repeat (the kind of interval, a change line),
// and keeps each cell's figures; a cell whose text differs keeps it, and
// the at-a-glance tiles still say everything. At 34 provinces each cell
// repeated "95% Wilson score interval (binomial counts)" and "no data for
// 2024-09: no change shown": the table was 5,000 px high on a desktop and
// 16,000 on a phone.
func TestScorecardTableSaysSharedTextsOnce(t *testing.T) {
	oct := penetration.Period{Year: 2024, Month: 10}
	var ins []scorecard.AreaInput
	var areas []Area
	for i := 1; i <= 5; i++ {
		code := fmt.Sprintf("%02d", i)
		twoG := penetration.TwoGOnlyShare(penetration.Subscription{MobileSubscribers: 5000, Only2GSubscribers: 150 + 10*float64(i)}, 0.95)
		smart := penetration.Estimate{Value: 0.9, Lower: 0.85, Upper: 0.95, Interval: penetration.IntervalSensitivity, Method: penetration.MethodSmartphoneModel}
		if i == 5 {
			// One province's smartphone share comes with another kind
			// of interval: its cell says which.
			smart = penetration.Estimate{Value: 0.9, Lower: 0.88, Upper: 0.92, Interval: penetration.IntervalWilson, Confidence: 0.95}
		}
		ins = append(ins, scorecard.AreaInput{Area: code, Period: oct, Households: 1000, TwoGOnly: &twoG, Smartphone: &smart,
			Only2GSubscribers: 150 + 10*float64(i), MobileSubscribers: 5000})
		areas = append(areas, Area{code, "Tỉnh " + code})
	}
	card, err := scorecard.Build(ins, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card, Areas: areas}))
	section := func(id string) string {
		i := strings.Index(html, `<section id="`+id+`">`)
		if i < 0 {
			t.Fatalf("no section %s", id)
		}
		return html[i : i+strings.Index(html[i:], "</section>")]
	}
	table, glance := section("scorecard"), section("summary")
	head := table[:strings.Index(table, "</thead>")]
	wilson := "95% Wilson score interval (binomial counts)"
	sens := "sensitivity range over a model parameter&#39;s plausible values (not a confidence interval)"
	noData := "no data for 2024-09: no change shown"
	for _, c := range []struct {
		text       string
		inHead     int // times in the table's head
		inTable    int // times in the table, head included
		inGlance   bool
		headPrefix string
	}{
		// 2G-only: every row's interval is Wilson's, the nation's too.
		// Smartphone: five rows of six are a sensitivity range (the
		// nation's is the areas' bounds): said once, the odd row's
		// Wilson interval in its cell.
		{wilson, 1, 2, true, "Interval in every row: "},
		{sens, 1, 1, false, "Interval where a cell names no other: "},
		{noData, 2, 2, true, "Every row: "},
	} {
		if n := strings.Count(head, c.text); n != c.inHead {
			t.Errorf("%q %d times in the table's head, want %d", c.text, n, c.inHead)
		}
		if n := strings.Count(table, c.text); n != c.inTable {
			t.Errorf("%q %d times in the table, want %d", c.text, n, c.inTable)
		}
		if !strings.Contains(head, c.headPrefix+c.text) {
			t.Errorf("the table's head lacks %q", c.headPrefix+c.text)
		}
		if c.inGlance && !strings.Contains(glance, c.text) {
			t.Errorf("the at-a-glance tiles lost %q", c.text)
		}
	}
	// Each cell keeps its figures: the 2G-only ranges of every province,
	// and the odd smartphone cell its kind with its range.
	for i := 1; i <= 5; i++ {
		e := penetration.TwoGOnlyShare(penetration.Subscription{MobileSubscribers: 5000, Only2GSubscribers: 150 + 10*float64(i)}, 0.95)
		want := fmt.Sprintf(`<span class="small">%.1f to %.1f%%</span>`, 100*e.Lower, 100*e.Upper)
		if !strings.Contains(table, want) {
			t.Errorf("province %02d: the table lacks its 2G-only range %s", i, want)
		}
	}
	if !strings.Contains(table, "95% Wilson score interval (binomial counts): 88.0 to 92.0%") {
		t.Errorf("the odd smartphone cell lost its own kind of interval")
	}
	if strings.Count(table, `<span class="small">85.0 to 95.0%</span>`) != 4 {
		t.Errorf("want the four sensitivity ranges without their kind:\n%s", table)
	}
}
