package report

import (
	"strings"
	"testing"
)

// A province's section lists its communes with a village without 3G/4G
// or an uncertain one, most households without 3G/4G first, by name
// beside the code, the villages no commune was attributed to as "(no
// commune)", and counts the communes whose villages are all served: at
// country scale the page named communes only as codes in the dead-zone
// and village tables, and a planner looking for a commune had nowhere to
// find it.
func TestProvinceListsItsCommunes(t *testing.T) {
	r := &Report{Title: "t", Provinces: []Province{{Code: "01", Name: "Hà Nội", Communes: []CommuneRow{
		{Code: "01002", Villages: 7},
		{Code: "01001", Villages: 4, Uncertain: 1, HouseholdsUncertain: 80},
		{Code: "", Villages: 1, WithoutSignal: 1, HouseholdsWithoutSignal: 20},
		{Code: "01003", Name: "Xã Ba Vì", Villages: 5, WithoutSignal: 2, Only2G: 1, HouseholdsWithoutSignal: 300.4},
		{Code: "01004", Villages: 2},
	}}}}
	html := string(render(t, r))
	i := strings.Index(html, "<h3>Communes</h3>")
	if i < 0 {
		t.Fatal("no communes table in the province's section")
	}
	sec := html[i:]
	sec = sec[:strings.Index(sec, "</section>")]
	var rows []string
	for _, tr := range strings.Split(sec, "<tr>")[2:] {
		rows = append(rows, tr[:strings.Index(tr, "</tr>")])
	}
	want := []string{
		`<td class="village-dead">Xã Ba Vì (01003)</td><td class="num">5</td><td class="num">2 (1 2G only)</td><td class="num">300</td><td class="num">0</td><td class="num">0</td>`,
		`<td class="village-dead">(no commune)</td><td class="num">1</td><td class="num">1</td><td class="num">20</td><td class="num">0</td><td class="num">0</td>`,
		`<td>01001</td><td class="num">4</td><td class="num">0</td><td class="num">0</td><td class="num">1</td><td class="num">80</td>`,
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), strings.Join(rows, "\n"))
	}
	for k := range want {
		if rows[k] != want[k] {
			t.Errorf("row %d:\n got %s\nwant %s", k+1, rows[k], want[k])
		}
	}
	if !strings.Contains(sec, "2 other communes, with 9 villages: none without 3G/4G or uncertain.") {
		t.Errorf("the communes all served are not counted:\n%s", sec)
	}
	// A province whose communes are all served says so, without a table.
	r.Provinces[0].Communes = []CommuneRow{{Code: "01002", Villages: 1}}
	html = string(render(t, r))
	if !strings.Contains(html, "1 commune, with 1 village: none without 3G/4G or uncertain.") || strings.Contains(html, "<th>Commune</th>") {
		t.Errorf("a province with every commune served:\n%s", html[strings.Index(html, "<h3>Communes</h3>"):])
	}
}

// A commune with no village in the data is not judged: it is named as
// such, not counted among the communes "none without 3G/4G", and the
// villages in no commune are not counted as a commune. "10 other
// communes, with 110 villages: none without 3G/4G or uncertain" held 9
// communes and the villages of none, and 8 communes without a village
// were on the page nowhere.
func TestCommunesWithoutVillagesNamed(t *testing.T) {
	r := &Report{Title: "t", Provinces: []Province{{Code: "12", Name: "Lai Châu", Communes: []CommuneRow{
		{Code: "", Villages: 3},
		{Code: "03517", Name: "Sìn Hồ", Villages: 6, WithoutSignal: 1, HouseholdsWithoutSignal: 40},
		{Code: "03520", Name: "Nậm Tăm", Villages: 4},
		{Code: "03530", Name: "Than Uyên"},
		{Code: "03531", Name: "Tân Uyên"},
	}}}}
	html := string(render(t, r))
	sec := html[strings.Index(html, "<h3>Communes</h3>"):]
	sec = sec[:strings.Index(sec, "</section>")]
	for _, want := range []string{
		"1 other commune, with 4 villages: none without 3G/4G or uncertain.",
		"3 villages in no commune: none without 3G/4G or uncertain.",
		"2 communes have no village in the data, so none judged (unknown, not served): Than Uyên (03530), Tân Uyên (03531).",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("missing %q in\n%s", want, sec)
		}
	}
}
