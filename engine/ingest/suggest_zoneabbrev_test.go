package ingest

import (
	"strings"
	"testing"
)

// Times written with Vietnam's zone abbreviation after them ("2026-10-06
// 14:03:22 ICT", as some loggers write the zone) are read by a layout with
// MST, and ICT's offset is fixed; the suggestion found no layout for them
// and the mapping had to be written by hand.
func TestSuggestZoneAbbreviation(t *testing.T) {
	header := []string{"Time", "Longitude", "Latitude", "Operator", "RAT", "RSRP"}
	for _, c := range []struct{ value, want string }{
		{"2026-10-06 14:03:22 ICT", "layout:2006-01-02 15:04:05 MST"},
		{"06/10/2026 14:03:22 ICT", "layout:02/01/2006 15:04:05 MST"},
	} {
		sg := Suggest(KindMeasurements, header, [][]string{{c.value, "105.85", "21.03", "Viettel", "LTE", "-95"}, {strings.Replace(c.value, "14:03", "15:03", 1), "105.85", "21.03", "Viettel", "LTE", "-95"}})
		if got := sg.Mapping.Units["ts"]; got != c.want {
			t.Errorf("%q: units.ts %q, want %q; notes %v", c.value, got, c.want, sg.Notes)
			continue
		}
		if ms, naive, err := parseTime(c.value, c.want, vietnamZone); err != nil || naive || ms != 1791270202000 {
			t.Errorf("%q: %d naive %v %v", c.value, ms, naive, err)
		}
		if strings.Contains(strings.Join(sg.Notes, "\n"), "has no offset") {
			t.Errorf("%q: said to have no offset: %v", c.value, sg.Notes)
		}
	}
	// An abbreviation whose offset is not fixed is no layout's.
	sg := Suggest(KindMeasurements, header, [][]string{{"2026-10-06 14:03:22 EST", "105.85", "21.03", "Viettel", "LTE", "-95"}})
	if got := sg.Mapping.Units["ts"]; got != "" {
		t.Errorf("EST: units.ts %q", got)
	}
}
