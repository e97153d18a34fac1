package report

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a phone the scorecard table's rows are cards: each cell carries its
// column's name as data-label, and below 700 px a style rule shows it
// beside the value. The seven columns were squeezed into a box scrolling
// sideways, three of them in view at 375 px.
func TestScorecardCellsCarryTheirColumn(t *testing.T) {
	html := string(render(t, testReport(t)))
	for _, rule := range []string{
		"@media (max-width:700px){",
		"table.scorecard td[data-label]::before{content:attr(data-label);",
	} {
		if !strings.Contains(html, rule) {
			t.Errorf("the page's style lacks %q", rule)
		}
	}
	i := strings.Index(html, `<section id="scorecard">`)
	if i < 0 {
		t.Fatal("no scorecard section")
	}
	sec := html[i : i+strings.Index(html[i:], "</section>")]
	if !strings.Contains(sec, `<table class="scorecard">`) {
		t.Errorf("the scorecard table is not marked as such")
	}
	var heads []string
	for _, m := range regexp.MustCompile(`<th>([^<]*)<br/>`).FindAllStringSubmatch(sec[:strings.Index(sec, "</thead>")], -1) {
		heads = append(heads, m[1])
	}
	if len(heads) != 5 {
		t.Fatalf("target columns %q", heads)
	}
	want := append(append([]string{"Area"}, heads...), "Met")
	rows := regexp.MustCompile(`(?s)<tr(?: class="national")?><td.*?</tr>`).FindAllString(sec, -1)
	if len(rows) != 3 { // the nation, Hà Giang and Lai Châu
		t.Fatalf("%d rows in the scorecard table, want 3", len(rows))
	}
	cell := regexp.MustCompile(`<td[^>]*>`)
	label := regexp.MustCompile(`data-label="([^"]*)"`)
	for _, row := range rows {
		tds := cell.FindAllString(row, -1)
		if len(tds) != len(want) {
			t.Errorf("%d cells, want %d: %.200s", len(tds), len(want), row)
			continue
		}
		for j, td := range tds {
			if m := label.FindStringSubmatch(td); m == nil || m[1] != want[j] {
				t.Errorf("cell %d %s, want data-label %q: %.120s", j, td, want[j], row)
			}
		}
	}
}

// Headless Chromium lays the scorecard out at a phone's 375 px and a
// desktop's 1300 px: on the phone no row is wider than its box (nothing
// scrolls sideways) and every target cell shows its column's name; on the
// desktop the table is a table, its head shown.
func TestScorecardReadableOnAPhone(t *testing.T) {
	ctx, page := reportInChromium(t, 90*time.Second)
	type layout struct {
		Box          [2]float64 // the scroll box's client and scroll widths
		Display      string     // a body row's display
		HeadShown    bool
		Labels       []string // the target cells' labels as drawn (::before)
		NarrowestVal float64  // the narrowest target cell's width
	}
	measure := func(width int64) (l layout) {
		t.Helper()
		layoutAt(t, ctx, page, width, `(() => {
			const table = document.querySelector("#scorecard table"), box = table.parentElement;
			const row = table.querySelector("tbody tr");
			const cells = [...row.querySelectorAll("td")].slice(1, 6);
			return JSON.stringify({
				box: [box.clientWidth, box.scrollWidth],
				display: getComputedStyle(row).display,
				headShown: getComputedStyle(table.querySelector("thead th:nth-child(2)")).display !== "none",
				labels: cells.map((c) => getComputedStyle(c, "::before").content),
				narrowestVal: Math.min(...cells.map((c) => c.getBoundingClientRect().width)),
			});
		})()`, &l)
		return l
	}
	phone := measure(375)
	if phone.Box[1] > phone.Box[0] {
		t.Errorf("at 375 px the scorecard scrolls sideways: %v px of content in a %v px box", phone.Box[1], phone.Box[0])
	}
	if phone.Display != "block" {
		t.Errorf("at 375 px a scorecard row is laid out as %q, want a card (block)", phone.Display)
	}
	for i, l := range phone.Labels {
		if !strings.HasPrefix(l, `"`+string(rune('1'+i))+". ") {
			t.Errorf("at 375 px target cell %d is labelled %s", i+1, l)
		}
	}
	if phone.NarrowestVal < 300 {
		t.Errorf("at 375 px a target cell is %v px wide: still a column", phone.NarrowestVal)
	}
	desk := measure(1300)
	if desk.Display != "table-row" || !desk.HeadShown {
		t.Errorf("at 1300 px the scorecard is not a table: rows %q, head shown %v", desk.Display, desk.HeadShown)
	}
	for i, l := range desk.Labels {
		if l != "none" && l != "normal" {
			t.Errorf("at 1300 px target cell %d shows a label %s", i+1, l)
		}
	}
}

// The dead zones table is cards on a phone too: at 390 px four of its
// eight columns were in view, the communes and nearest sites behind a
// sideways scroll, each row 100 px tall. At 375 px nothing scrolls
// sideways and each value carries its column's name; at 1300 px it is a
// table with its head.
func TestDeadZonesReadableOnAPhone(t *testing.T) {
	ctx, page := reportInChromium(t, 90*time.Second)
	type layout struct {
		Box     [2]float64
		Display string
		Head    string
		Label   string
		Rank    string
	}
	measure := func(width int64) (l layout) {
		t.Helper()
		layoutAt(t, ctx, page, width, `(() => {
			const table = document.querySelector("#deadzones table"), box = table.parentElement;
			const row = table.querySelector("tbody tr");
			return JSON.stringify({
				box: [box.clientWidth, box.scrollWidth],
				display: getComputedStyle(row).display,
				head: getComputedStyle(table.querySelector("thead")).display,
				label: getComputedStyle(row.querySelector("td[data-label='Communes']"), "::before").content,
				rank: getComputedStyle(row.querySelector("td.head"), "::before").content,
			});
		})()`, &l)
		return l
	}
	phone := measure(375)
	if phone.Box[1] > phone.Box[0] || phone.Display != "block" || phone.Head != "none" || phone.Label != `"Communes"` || phone.Rank != `"1. "` {
		t.Errorf("at 375 px: %+v, want a card (block) in its box, no head, labelled values and the rank before the zone", phone)
	}
	desk := measure(1300)
	if desk.Display != "table-row" || desk.Head == "none" || (desk.Label != "none" && desk.Label != "normal") {
		t.Errorf("at 1300 px: %+v, want a table", desk)
	}
}

// layoutAt lays page out in Chromium at width × 844 px and unmarshals into
// dst the JSON the script js returns (an expression of the page).
func layoutAt(t *testing.T, ctx context.Context, page string, width int64, js string, dst any) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844), chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(got), dst); err != nil {
		t.Fatal(err)
	}
}
