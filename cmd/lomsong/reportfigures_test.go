package main

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/plural"
)

// htmlNode is an element of report.html, which the report package writes
// as well-formed XHTML: enough of a tree to read its tables, lists and
// tiles by their text.
type htmlNode struct {
	tag, class, id string
	kids           []*htmlNode
	text           strings.Builder // every descendant's text, in order
}

func parseReportHTML(t *testing.T, path string) *htmlNode {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	d.Entity = xml.HTMLEntity
	root := &htmlNode{tag: "#root"}
	stack := []*htmlNode{root}
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s is not well-formed: %v", path, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &htmlNode{tag: tok.Name.Local}
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "class":
					n.class = a.Value
				case "id":
					n.id = a.Value
				}
			}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(tok)
			}
		}
	}
	return root
}

// all returns the elements under n (n included) that keep returns true for.
func (n *htmlNode) all(keep func(*htmlNode) bool) []*htmlNode {
	var out []*htmlNode
	if keep(n) {
		out = append(out, n)
	}
	for _, k := range n.kids {
		out = append(out, k.all(keep)...)
	}
	return out
}

func (n *htmlNode) byTag(tag string) []*htmlNode {
	return n.all(func(m *htmlNode) bool { return m.tag == tag })
}

func (n *htmlNode) Text() string { return strings.TrimSpace(n.text.String()) }

// tableRows returns a table's header cells' texts and its body rows'
// cells.
func tableRows(table *htmlNode) (head []string, rows [][]*htmlNode) {
	for _, th := range table.byTag("th") {
		head = append(head, th.Text())
	}
	for _, tb := range table.byTag("tbody") {
		for _, tr := range tb.byTag("tr") {
			rows = append(rows, tr.byTag("td"))
		}
	}
	return head, rows
}

// csvByKey reads a CSV with a header into maps keyed by column key.
func csvByKey(t *testing.T, path, key string) (map[string]map[string]string, []map[string]string) {
	t.Helper()
	recs := csvRows(t, path)
	if len(recs) == 0 {
		t.Fatalf("%s: empty", path)
	}
	byKey := map[string]map[string]string{}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		byKey[m[key]] = m
		rows = append(rows, m)
	}
	return byKey, rows
}

// reportInt reads a figure as the report writes it: "1,273", "27
// villages", "2 (1 served)".
func reportInt(s string) (int, bool) {
	m := regexp.MustCompile(`^[+-]?[\d,]+`).FindString(strings.TrimSpace(s))
	if m == "" {
		return 0, false
	}
	v, err := strconv.Atoi(strings.ReplaceAll(m, ",", ""))
	return v, err == nil
}

func csvFloat(t *testing.T, file, col, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s: %s %q: %v", file, col, s, err)
	}
	return v
}

// checkReportFigures reads the figures report.html shows a planner and
// compares each with the file it summarises, under out (a lomsong demo's
// folder): the dead zones and villages tables with deadzones.csv and
// villages.csv, the map legend's counts, the scorecard's tiles and table
// with scorecard.csv, and the plan's households and cost with plan.csv.
func checkReportFigures(t *testing.T, out, period string) {
	t.Helper()
	doc := parseReportHTML(t, filepath.Join(out, "report.html"))
	zones, zoneRows := csvByKey(t, filepath.Join(out, "deadzones", "deadzones.csv"), "zone_id")
	villages, villageRows := csvByKey(t, filepath.Join(out, "deadzones", "villages.csv"), "village_id")

	var zoneTables, villageTables, cardTables int
	for _, table := range doc.byTag("table") {
		head, rows := tableRows(table)
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		_, isZones := col["Households without 3G/4G"]
		_, isVillages := col["p_dead"]
		isCard := len(head) > 0 && head[0] == "Area" && len(head) >= 7
		switch {
		case isZones:
			zoneTables++
			for _, r := range rows {
				id := r[col["Zone"]].Text()
				z, ok := zones[id]
				if !ok {
					t.Errorf("report: dead zone %s is not in deadzones.csv", id)
					continue
				}
				hh, _ := reportInt(r[col["Households without 3G/4G"]].Text())
				hexes, _ := reportInt(r[col["Hexes"]].Text())
				nv, _ := reportInt(r[col["Villages"]].Text())
				area := r[col["Area (km²)"]].Text()
				wantHH := math.Round(csvFloat(t, "deadzones.csv", "households", z["households"]))
				wantArea := fmt.Sprintf("%.1f", csvFloat(t, "deadzones.csv", "area_km2", z["area_km2"]))
				if float64(hh) != wantHH || strconv.Itoa(hexes) != z["hexes"] || strconv.Itoa(nv) != z["villages"] || area != wantArea {
					t.Errorf("report: zone %s shows %d households, %d hexes, %s km², %d villages; deadzones.csv has %s, %s, %s, %s",
						id, hh, hexes, area, nv, z["households"], z["hexes"], z["area_km2"], z["villages"])
				}
			}
		case isVillages:
			villageTables++
			idRE := regexp.MustCompile(`\(([^()]+)\)$`)
			for _, r := range rows {
				name := r[col["Village"]].Text()
				m := idRE.FindStringSubmatch(name)
				if m == nil {
					t.Errorf("report: village %q without its id", name)
					continue
				}
				v, ok := villages[m[1]]
				if !ok {
					t.Errorf("report: village %s is not in villages.csv", m[1])
					continue
				}
				if v["without_signal"] != "true" && v["status"] != "uncertain" {
					t.Errorf("report lists village %s (%s, without_signal %s): neither without signal nor uncertain", m[1], v["status"], v["without_signal"])
				}
				hh, _ := reportInt(r[col["Households"]].Text())
				p, err := strconv.ParseFloat(r[col["p_dead"]].Text(), 64)
				wantP := csvFloat(t, "villages.csv", "p_dead", v["p_dead"])
				tests, _ := reportInt(r[col["Tests within 300 m"]].Text())
				// p_dead is shown to two decimals, rounded towards its
				// class's side of a bound: within 0.01 of the file's.
				if float64(hh) != math.Round(csvFloat(t, "villages.csv", "households", v["households"])) ||
					err != nil || math.Abs(p-wantP) > 0.01 ||
					r[col["Commune"]].Text() != v["commune"] || strconv.Itoa(tests) != v["tests_300m"] {
					t.Errorf("report: village %s shows %d households, p_dead %s, commune %s, %d tests; villages.csv has %s, %s, %s, %s",
						m[1], hh, r[col["p_dead"]].Text(), r[col["Commune"]].Text(), tests, v["households"], v["p_dead"], v["commune"], v["tests_300m"])
				}
			}
			listed := len(rows)
			// The villages' own note: the zones' table has one of its own
			// ("and 664 more: every dead zone is in deadzones.csv").
			if m := regexp.MustCompile(`and ([\d,]+) more: every village`).FindStringSubmatch(doc.Text()); m != nil {
				n, _ := reportInt(m[1])
				listed += n
			}
			want := 0
			for _, v := range villageRows {
				if v["without_signal"] == "true" || v["status"] == "uncertain" {
					want++
				}
			}
			if listed != want {
				t.Errorf("report: %d villages without signal or uncertain (listed and 'more'); villages.csv has %d", listed, want)
			}
		case isCard:
			cardTables++
		}
	}
	if zoneTables == 0 || villageTables == 0 || cardTables == 0 {
		t.Errorf("report: %d dead zone tables, %d village tables, %d scorecard tables: each should be there", zoneTables, villageTables, cardTables)
	}

	// The map's legend counts what the files list.
	var confirmed, counted, uncertainServed int
	for _, v := range villageRows {
		switch {
		case v["without_signal"] == "true" && v["status"] == "confirmed_dead":
			confirmed++
		case v["without_signal"] == "true":
			counted++
		case v["status"] == "uncertain":
			uncertainServed++
		}
	}
	legend := map[string]int{
		"Dead zone (lõm sóng) outline":                    len(zoneRows),
		"Village confirmed without 3G/4G (p_dead ≥ 0.95)": confirmed,
		"Village counted without 3G/4G, not confirmed":    counted,
		"Village uncertain, counted as served":            uncertainServed,
	}
	seen := map[string]bool{}
	for _, li := range doc.byTag("li") {
		text := li.Text()
		for prefix, want := range legend {
			if !strings.HasPrefix(text, prefix) {
				continue
			}
			seen[prefix] = true
			i := strings.LastIndex(text, ": ")
			got, ok := reportInt(text[i+2:])
			if i < 0 || !ok || got != want {
				t.Errorf("report legend %q: the files give %d", text, want)
			}
		}
	}
	for prefix := range legend {
		if !seen[prefix] {
			t.Errorf("report legend: no %q", prefix)
		}
	}

	checkReportScorecard(t, doc, out, period)
	checkReportPlan(t, doc, out)
}

// checkReportScorecard compares the tiles of the province's section with
// the month's row of scorecard.csv: value, interval and status, and
// unknown where the file has no value.
func checkReportScorecard(t *testing.T, doc *htmlNode, out, period string) {
	t.Helper()
	_, rows := csvByKey(t, filepath.Join(out, "scorecard", "scorecard.csv"), "area")
	var card map[string]string
	for _, r := range rows {
		if r["period"] == period && r["national"] == "false" {
			if card != nil {
				return // more than one area: the tiles show the nation
			}
			card = r
		}
	}
	if card == nil {
		t.Fatalf("scorecard.csv: no area row for %s", period)
	}
	targets := []struct{ key, name, unit string }{
		{"dead_zones", "No 3G/4G dead zones", "villages"},
		{"smartphone", "Households with a smartphone", "%"},
		{"fibre", "Households with fibre", "%"},
		{"2g_only", "2G-only phones", "%"},
		{"speed_yoy", "Speeds up year on year", "%yoy"},
	}
	format := func(s, unit string) string {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("scorecard.csv: %q", s)
		}
		switch unit {
		case "villages":
			return strconv.Itoa(int(v))
		case "%yoy":
			return fmt.Sprintf("%+.1f", v*100)
		}
		return fmt.Sprintf("%.1f", v*100)
	}
	status := map[string]string{"met": "met ✓", "not_met": "not met ✗", "unknown": "unknown ?"}
	// The province's own section, and the report's first tiles when they
	// are the province's ("At a glance: Lai Châu"), not the nation's.
	isTile := func(n *htmlNode) bool { return n.tag == "div" && n.class == "tile" }
	var tiles []*htmlNode
	for _, sec := range doc.all(func(n *htmlNode) bool { return n.tag == "section" && strings.HasPrefix(n.id, "province-") }) {
		tiles = append(tiles, sec.all(isTile)...)
		h2 := sec.byTag("h2")
		if len(h2) == 0 {
			continue
		}
		name, _, _ := strings.Cut(h2[0].Text(), " (")
		for _, sum := range doc.all(func(n *htmlNode) bool { return n.tag == "section" && n.id == "summary" }) {
			if h := sum.byTag("h2"); len(h) > 0 && strings.HasPrefix(h[0].Text(), "At a glance: "+name+",") {
				tiles = append(tiles, sum.all(isTile)...)
			}
		}
	}
	if len(tiles) == 0 {
		t.Fatal("report: no tiles in a province's section")
	}
	for _, tile := range tiles {
		divs := tile.byTag("div")
		if len(divs) < 3 {
			t.Errorf("report tile %q: too few parts", tile.Text())
			continue
		}
		name, value := divs[1].Text(), divs[2].Text()
		for _, tg := range targets {
			if name != tg.name {
				continue
			}
			text := tile.Text()
			if v := card[tg.key+"_value"]; v == "" {
				if !strings.HasPrefix(value, "unknown") {
					t.Errorf("report tile %s shows %q; scorecard.csv has no value (unknown)", name, value)
				}
			} else if want := format(v, tg.unit); !strings.HasPrefix(value, want) {
				t.Errorf("report tile %s shows %q; scorecard.csv has %s (%s)", name, value, v, want)
			}
			if hh := card["dead_zone_households"]; tg.key == "dead_zones" && hh != "" {
				n, _ := strconv.Atoi(hh)
				if want := plural.Grouped(n) + " households without 3G/4G"; !strings.Contains(text, want) {
					t.Errorf("report tile %s: %q lacks %q (scorecard.csv's dead_zone_households)", name, text, want)
				}
			}
			if want := status[card[tg.key+"_status"]]; want == "" || !strings.Contains(text, want) {
				t.Errorf("report tile %s: %q; scorecard.csv's status is %s", name, text, card[tg.key+"_status"])
			}
			// A speed change's interval is read elsewhere: the tile of
			// the demo's is exact.
			if lo, hi := card[tg.key+"_lower"], card[tg.key+"_upper"]; lo != "" && hi != "" && lo != hi && tg.unit != "%yoy" {
				want := format(lo, tg.unit) + " to " + format(hi, tg.unit)
				if !strings.Contains(text, want) {
					t.Errorf("report tile %s: %q lacks the interval %q of scorecard.csv (%s, %s)", name, text, want, lo, hi)
				}
			}
		}
	}
}

// checkReportPlan compares the plan's households and cost, as the
// report's investment section says them, with plan.csv's last row.
func checkReportPlan(t *testing.T, doc *htmlNode, out string) {
	t.Helper()
	_, rows := csvByKey(t, filepath.Join(out, "plan", "plan.csv"), "rank")
	if len(rows) == 0 {
		return
	}
	last := rows[len(rows)-1]
	m := regexp.MustCompile(`The plan reaches ([\d,]+) households for ([\d.,]+) billion VND`).FindStringSubmatch(doc.Text())
	if m == nil {
		t.Fatal("report: no sentence saying what the plan reaches and costs")
	}
	hh, _ := reportInt(m[1])
	wantCost := fmt.Sprintf("%.1f", csvFloat(t, "plan.csv", "cumulative_cost_vnd", last["cumulative_cost_vnd"])/1e9)
	if strconv.Itoa(hh) != last["cumulative_households"] || m[2] != wantCost {
		t.Errorf("report: the plan reaches %s households for %s billion VND; plan.csv: %s for %s billion", m[1], m[2], last["cumulative_households"], wantCost)
	}
}
