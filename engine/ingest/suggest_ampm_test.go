package ingest

import (
	"strings"
	"testing"
)

// Excel writes a date cell of a Vietnamese file day first, without
// leading zeros, and with the seconds and AM/PM under a 12-hour format
// ("6/10/2026 2:03:22 PM"). The suggestion had only the month-first
// spelling of that layout: it found no layout for a file with a day
// above 12, and proposed the month first, without a word, for one whose
// days were all up to 12, so that 6 October was ingested as 10 June.
func TestSuggestDayFirstTwelveHourWithSeconds(t *testing.T) {
	header := []string{"Thời gian", "Kinh độ", "Vĩ độ", "Nhà mạng", "Công nghệ", "RSRP"}
	row := func(ts string) []string { return []string{ts, "105.85", "21.03", "Viettel", "LTE", "-95"} }
	for _, c := range []struct {
		name      string
		samples   [][]string
		ambiguous bool
	}{
		{"a day above 12", [][]string{row("6/10/2026 2:03:22 PM"), row("23/10/2026 7:46:00 AM")}, false},
		{"days up to 12", [][]string{row("6/10/2026 2:03:22 PM"), row("12/10/2026 9:15:07 AM")}, true},
	} {
		sg := Suggest(KindMeasurements, header, c.samples)
		if got := sg.Mapping.Units["ts"]; got != "layout:2/1/2006 3:04:05 PM" {
			t.Errorf("%s: units.ts %q; want the day first (notes %v)", c.name, got, sg.Notes)
			continue
		}
		said := strings.Contains(strings.Join(sg.Notes, "\n"), "takes the day first")
		if said != c.ambiguous {
			t.Errorf("%s: ambiguity said %v, want %v: %v", c.name, said, c.ambiguous, sg.Notes)
		}
		ms, _, err := parseTime("6/10/2026 2:03:22 PM", sg.Mapping.Units["ts"], vietnamZone)
		if want := int64(1791270202000); err != nil || ms != want {
			t.Errorf("%s: 6/10/2026 2:03:22 PM read as %d, %v; want %d (6 October 2026, 14:03:22 Vietnam time)", c.name, ms, err, want)
		}
	}
}
