package ingest

import (
	"strings"
	"testing"
)

// Windows in Vietnamese writes a 12-hour time with its own designators,
// SA (sáng, morning) and CH (chiều, afternoon), where English writes AM
// and PM: "6/10/2026 2:03:22 CH". No layout read them (Go's PM takes AM
// and PM alone), so such a file could not be read at all; a layout with
// PM reads them now, and --suggest-mapping proposes it.
func TestVietnameseMeridiem(t *testing.T) {
	for _, c := range []struct {
		value, layout string
		want          int64 // Unix ms, Vietnam time
	}{
		{"6/10/2026 2:03:22 CH", "2/1/2006 3:04:05 PM", 1791270202000},
		{"6/10/2026 2:03:22 ch", "2/1/2006 3:04:05 PM", 1791270202000},
		{"6/10/2026 2:03:22 SA", "2/1/2006 3:04:05 PM", 1791227002000},
		{"06/10/2026 12:03 SA", "02/01/2006 3:04 PM", 1791219780000},
		{"6/10/2026 2:03:22 PM", "2/1/2006 3:04:05 PM", 1791270202000},
	} {
		ms, _, err := parseTime(c.value, "layout:"+c.layout, vietnamZone)
		if err != nil || ms != c.want {
			t.Errorf("%q in %q: %d, %v; want %d", c.value, c.layout, ms, err, c.want)
		}
	}
	// Not without PM in the layout, and not a word that merely ends so.
	for _, c := range []struct{ value, layout string }{
		{"6/10/2026 14:03:22 CH", "2/1/2006 15:04:05"},
		{"6/10/2026 2:03:22 XCH", "2/1/2006 3:04:05 PM"},
	} {
		if _, _, err := parseTime(c.value, "layout:"+c.layout, vietnamZone); err == nil {
			t.Errorf("%q in %q: read", c.value, c.layout)
		}
	}
	sg := Suggest(KindMeasurements, []string{"Thời gian", "Kinh độ", "Vĩ độ", "Nhà mạng", "Công nghệ", "RSRP"},
		[][]string{{"6/10/2026 2:03:22 CH", "105.85", "21.03", "Viettel", "LTE", "-95"}, {"23/10/2026 7:46:00 SA", "105.85", "21.03", "Viettel", "LTE", "-95"}})
	if got := sg.Mapping.Units["ts"]; got != "layout:2/1/2006 3:04:05 PM" {
		t.Errorf("suggested units.ts %q; notes %s", got, strings.Join(sg.Notes, "; "))
	}
}
