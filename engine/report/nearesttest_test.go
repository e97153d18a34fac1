package report

import (
	"math"
	"regexp"
	"testing"
)

// A village without a test within the nearest-test search (NearestTestM
// NaN) reads "none within 300 m" in the villages table, beside its 0 tests
// within 300 m: the search reaches a few hundred metres, so "none" said
// there was no test anywhere, of a village whose nearest test may lie 400
// m away. A village with a nearest test gives its distance.
func TestVillagesNearestTestNotNone(t *testing.T) {
	r := &Report{Title: "t", Provinces: []Province{{Code: "12", Name: "Lai Châu", Villages: []VillageRow{
		{ID: "V1", Name: "Bản Pa Lếch", Commune: "Mường Tè", Households: 43, Status: "likely_dead", WithoutSignal: true, PDead: 0.92,
			Best: "viettel 3G", BestMeanDBm: -113, BestSigmaDB: 10, NearestTestM: math.NaN()},
		{ID: "V2", Name: "Bản Thẳm Nậm", Commune: "Pa Ủ", Households: 89, Status: "uncertain", WithoutSignal: true, PDead: 0.76,
			Best: "vinaphone 3G", BestMeanDBm: -108, BestSigmaDB: 8, Tests: 9, NoService: 2, NearestTestM: 62.4},
	}}}}
	page := string(render(t, r))
	checkXML(t, "page", []byte(page))
	for id, want := range map[string]string{"V1": "none within 300 m", "V2": "62 m"} {
		row := regexp.MustCompile(`<tr><td class="head">[^<]*\(` + id + `\)</td>.*?</tr>`).FindString(page)
		cells := regexp.MustCompile(`<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(row, -1)
		if len(cells) != 9 {
			t.Fatalf("village %s: row %q", id, row)
		}
		if got := cells[8][1]; got != want {
			t.Errorf("village %s: nearest test %q, want %q", id, got, want)
		}
	}
}
