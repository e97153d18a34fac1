package report

import (
	"math"
	"regexp"
	"strings"
	"testing"
)

// The villages table's "Most likely service" is never an empty cell: a
// village the radio map gives no carrier's 3G/4G/5G at reads "none
// predicted", one without a verdict "unknown".
func TestVillagesMostLikelyServiceNeverBlank(t *testing.T) {
	r := &Report{Title: "t", Provinces: []Province{{Code: "12", Name: "Lai Châu", Villages: []VillageRow{
		{ID: "V1", Name: "Bản Sà Sin", Commune: "12006", Households: 31, Status: "confirmed_dead", WithoutSignal: true, PDead: 1,
			BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN()},
		{ID: "V2", Name: "Bản Lùng Pa", Commune: "12006", Households: 72, Status: "confirmed_dead", WithoutSignal: true, PDead: 0.99,
			Best: "viettel 3G", BestMeanDBm: -122, BestSigmaDB: 9, NearestTestM: math.NaN()},
		{ID: "V3", Name: "Bản Ba", Commune: "12006", Households: 10, WithoutSignal: true, PDead: math.NaN(),
			BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN(), NearestTestM: math.NaN()},
	}}}}
	page := string(render(t, r))
	checkXML(t, "page", []byte(page))
	want := map[string]string{"V1": "none predicted", "V2": "viettel 3G", "V3": "unknown"}
	for id, best := range want {
		row := regexp.MustCompile(`<tr><td class="head">[^<]*\(` + id + `\)</td>.*?</tr>`).FindString(page)
		cells := regexp.MustCompile(`<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(row, -1)
		if len(cells) != 9 {
			t.Fatalf("village %s: row %q", id, row)
		}
		if got := cells[5][1]; got != best {
			t.Errorf("village %s: most likely service %q, want %q", id, got, best)
		}
		for i, c := range cells {
			if strings.TrimSpace(c[1]) == "" {
				t.Errorf("village %s: cell %d is empty: %q", id, i, row)
			}
		}
	}
}
