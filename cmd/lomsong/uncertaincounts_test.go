package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// The villages counted as served on an uncertain verdict are one count
// wherever a demo's files give them: a zone's villages_uncertain is the
// same in deadzones.csv, deadzones.geojson, the GeoPackage's deadzones
// layer and the report's zone tables ("(n uncertain)"); the
// communes_summary layer's rows are villages.csv's villages of each
// commune (level "uncertain", without_signal, their households); and the
// report's map counts the province's uncertain villages as villages.csv
// and communes_summary do. The export, the report and the tables each
// counted them with a copy of the rule.
func TestUncertainVillagesCountedAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes several seconds")
	}
	out := filepath.Join(t.TempDir(), "demo")
	if _, errs, code := runBinary(t, "demo", "--seed", "1", "--out", out); code != exitOK {
		t.Fatalf("demo --seed 1: exit %d\n%s", code, errs)
	}

	// deadzones.csv, the reference.
	zones, zoneRows := csvByKey(t, filepath.Join(out, "deadzones", "deadzones.csv"), "zone_id")
	want := map[string]int{}
	zonesUncertain := 0
	for _, z := range zoneRows {
		n, err := strconv.Atoi(z["villages_uncertain"])
		if err != nil {
			t.Fatalf("deadzones.csv: zone %s: villages_uncertain %q: %v", z["zone_id"], z["villages_uncertain"], err)
		}
		want[z["zone_id"]] = n
		zonesUncertain += n
	}
	if len(want) == 0 || zonesUncertain == 0 {
		t.Fatalf("demo --seed 1: %d zones, %d villages uncertain in them: the world does not test villages_uncertain", len(want), zonesUncertain)
	}

	// deadzones.geojson.
	features := featureProps(t, filepath.Join(out, "deadzones", "deadzones.geojson"))
	if len(features) != len(want) {
		t.Errorf("%d zones in deadzones.geojson, %d in deadzones.csv", len(features), len(want))
	}
	for _, props := range features {
		id := fmt.Sprint(props["zone_id"])
		if got, ok := props["villages_uncertain"].(float64); !ok || got != float64(want[id]) {
			t.Errorf("zone %s: villages_uncertain %v in deadzones.geojson, %d in deadzones.csv", id, props["villages_uncertain"], want[id])
		}
	}

	// The GeoPackage's deadzones and communes_summary layers.
	db, err := sqlitedb.Open(context.Background(), filepath.Join(out, "export", "lomsong-2024-10.gpkg"), sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT zone_id, villages_uncertain FROM deadzones`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id string
		var u int64
		if err := rows.Scan(&id, &u); err != nil {
			t.Fatal(err)
		}
		n++
		if w, ok := want[id]; !ok || int64(w) != u {
			t.Errorf("zone %s: villages_uncertain %d in the GeoPackage, %s in deadzones.csv", id, u, zones[id]["villages_uncertain"])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if n != len(want) {
		t.Errorf("%d zones in the GeoPackage, %d in deadzones.csv", n, len(want))
	}

	// communes_summary against villages.csv, commune by commune (the
	// commune attributed; "" for a province's "(no commune)" row). The
	// demo's households are whole, so their sums are exact.
	type counts struct{ villages, without, uncertain, hhWithout, hhUncertain int64 }
	fromCSV := map[[2]string]*counts{}
	_, villageRows := csvByKey(t, filepath.Join(out, "deadzones", "villages.csv"), "village_id")
	uncertainIn := map[string]int64{} // by province
	for _, v := range villageRows {
		k := [2]string{v["province"], v["commune"]}
		c := fromCSV[k]
		if c == nil {
			c = &counts{}
			fromCSV[k] = c
		}
		hh, err := strconv.ParseInt(v["households"], 10, 64)
		if err != nil {
			t.Fatalf("villages.csv: village %s: households %q: %v", v["village_id"], v["households"], err)
		}
		c.villages++
		if v["without_signal"] == "true" {
			c.without++
			c.hhWithout += hh
		}
		if v["level"] == "uncertain" {
			c.uncertain++
			c.hhUncertain += hh
			uncertainIn[v["province"]]++
		}
	}
	rows, err = db.Query(`SELECT province_code, commune_code, villages, villages_without_signal, villages_uncertain,
		households_without_signal, households_uncertain FROM communes_summary`)
	if err != nil {
		t.Fatal(err)
	}
	summaryUncertain := map[string]int64{} // by province
	byCommune := map[string]counts{}       // the summary's rows of a commune, for the report's communes tables
	seen := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		var got counts
		if err := rows.Scan(&k[0], &k[1], &got.villages, &got.without, &got.uncertain, &got.hhWithout, &got.hhUncertain); err != nil {
			t.Fatal(err)
		}
		seen[k] = true
		summaryUncertain[k[0]] += got.uncertain
		if k[1] != "" {
			byCommune[k[1]] = got
		}
		w := fromCSV[k]
		if w == nil {
			w = &counts{}
		}
		if got != *w {
			t.Errorf("communes_summary %s/%s: %d villages, %d without signal, %d uncertain, %d and %d households; villages.csv gives %d, %d, %d, %d and %d",
				k[0], k[1], got.villages, got.without, got.uncertain, got.hhWithout, got.hhUncertain, w.villages, w.without, w.uncertain, w.hhWithout, w.hhUncertain)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for k, c := range fromCSV {
		if !seen[k] {
			t.Errorf("villages.csv: %d villages of %s/%s, which communes_summary has no row for", c.villages, k[0], k[1])
		}
	}
	if len(uncertainIn) == 0 {
		t.Fatal("demo --seed 1: no village uncertain in villages.csv: the world does not test the communes' counts")
	}
	for pr, n := range uncertainIn {
		if summaryUncertain[pr] != n {
			t.Errorf("province %s: communes_summary's villages_uncertain add up to %d, villages.csv has %d uncertain", pr, summaryUncertain[pr], n)
		}
	}

	// report.html: every zone table's "(n uncertain)", and the province
	// map's count of uncertain villages counted as served.
	doc := parseReportHTML(t, filepath.Join(out, "report.html"))
	uncertainRE := regexp.MustCompile(`([\d,]+) uncertain\)`)
	zoneCells := 0
	for _, table := range doc.byTag("table") {
		head, trs := tableRows(table)
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		if _, ok := col["Households without 3G/4G"]; !ok {
			continue
		}
		for _, r := range trs {
			id, cell := r[col["Zone"]].Text(), r[col["Villages"]].Text()
			w, ok := want[id]
			if !ok {
				t.Errorf("report: zone %s is not in deadzones.csv", id)
				continue
			}
			got := 0
			if m := uncertainRE.FindStringSubmatch(cell); m != nil {
				got, _ = reportInt(m[1])
			}
			zoneCells++
			if got != w {
				t.Errorf("report: zone %s's villages %q: %d uncertain, deadzones.csv %d", id, cell, got, w)
			}
		}
	}
	if zoneCells == 0 {
		t.Fatal("report.html: no dead zone table")
	}
	// The province sections' communes tables: each row as
	// communes_summary counts the commune, and every commune with a
	// village without 3G/4G or an uncertain one listed.
	listed := map[string]bool{}
	for _, table := range doc.byTag("table") {
		head, trs := tableRows(table)
		if len(head) == 0 || head[0] != "Commune" {
			continue
		}
		for _, r := range trs {
			code := r[0].Text()
			if code == "(no commune)" {
				continue
			}
			listed[code] = true
			w, ok := byCommune[code]
			if !ok {
				t.Errorf("report: commune %s has no row in communes_summary", code)
				continue
			}
			var got [5]int
			for i := range got {
				got[i], _ = reportInt(r[i+1].Text())
			}
			if want := [5]int{int(w.villages), int(w.without), int(w.hhWithout), int(w.uncertain), int(w.hhUncertain)}; got != want {
				t.Errorf("report: commune %s: villages, without 3G/4G, their households, uncertain, theirs %v; communes_summary %v", code, got, want)
			}
		}
	}
	if len(listed) == 0 {
		t.Error("report.html: no communes table")
	}
	for code, c := range byCommune {
		if (c.without > 0 || c.uncertain > 0) && !listed[code] {
			t.Errorf("report: commune %s (%d villages without 3G/4G, %d uncertain in communes_summary) is in no communes table", code, c.without, c.uncertain)
		}
	}
	const legend = "Village uncertain, counted as served"
	maps := 0
	for _, h2 := range doc.byTag("h2") {
		// A province's section: "Lai Châu (12)".
		m := regexp.MustCompile(`\((\d+)\)$`).FindStringSubmatch(h2.Text())
		if m == nil || uncertainIn[m[1]] == 0 {
			continue
		}
		pr := m[1]
		var section *htmlNode
		for _, s := range doc.all(func(n *htmlNode) bool { return n.tag == "section" || n.tag == "div" }) {
			for _, k := range s.kids {
				if k == h2 {
					section = s
				}
			}
		}
		if section == nil {
			t.Fatalf("report.html: no section holds %q", h2.Text())
		}
		for _, li := range section.byTag("li") {
			text := li.Text()
			if !strings.HasPrefix(text, legend) {
				continue
			}
			maps++
			got, ok := reportInt(text[strings.LastIndex(text, ": ")+2:])
			if !ok || int64(got) != uncertainIn[pr] {
				t.Errorf("report: province %s's map %q; villages.csv and communes_summary have %d", pr, text, uncertainIn[pr])
			}
		}
	}
	if maps == 0 {
		t.Errorf("report.html: no province map counts its %q", legend)
	}
}
