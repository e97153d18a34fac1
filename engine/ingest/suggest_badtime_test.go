package ingest

import (
	"fmt"
	"strings"
	"testing"
)

// One impossible date among the samples (31/11, a typing slip) does not
// cost the suggestion its timestamp layout: the layout reading most of
// the values is the file's, and the note names the value it does not
// read, which the mapping then quarantines as invalid_time. The whole
// column was left unmapped ("no known layout reads …", naming a value
// it reads) and the suggestion refused every sampled row.
func TestSuggestLayoutDespiteBadDate(t *testing.T) {
	header := []string{"Thoi gian", "Nha mang", "Cong nghe", "Kinh do", "Vi do", "Muc thu (dBm)"}
	// rows: a sampled row for each time, then one for last.
	rows := func(format string, n int, last string) [][]string {
		var samples [][]string
		for d := 1; d <= n; d++ {
			samples = append(samples, []string{fmt.Sprintf(format, d), "MobiFone", "4G", "105.8", "21.0", "-97.5"})
		}
		return append(samples, []string{last, "MobiFone", "4G", "105.8", "21.0", "-97.5"})
	}
	sg := Suggest(KindMeasurements, header, rows("%02[1]d/11/2026 08:00:%02[1]d", 20, "31/11/2026 08:00:00"))
	if got := sg.Mapping.Units["ts"]; got != "layout:02/01/2006 15:04:05" {
		t.Fatalf("units.ts %q, want the day-first layout; notes %q", got, sg.Notes)
	}
	notes := strings.Join(sg.Notes, "\n")
	if !strings.Contains(notes, `reads 20 of the 21 sampled values`) || !strings.Contains(notes, `not "31/11/2026 08:00:00"`) ||
		strings.Contains(notes, "no known layout") {
		t.Errorf("notes %q: want the layout's 20 of 21 and the value it does not read named", notes)
	}

	// RFC 3339 times with one slip: read as they are (no unit), the slip named.
	sg = Suggest(KindMeasurements, header, rows("2026-11-%02dT08:00:00+07:00", 9, "2026-11-31T08:00:00+07:00"))
	if got, ok := sg.Mapping.Units["ts"]; ok {
		t.Errorf("units.ts %q for RFC 3339 times, want none", got)
	}
	if notes := strings.Join(sg.Notes, "\n"); !strings.Contains(notes, `reads 9 of the 10 sampled values`) {
		t.Errorf("notes %q: want the slip named", notes)
	}

	// Most values in no known layout: no layout suggested.
	sg = Suggest(KindMeasurements, header, rows("0%d.11.26 8h", 9, "01/11/2026 08:00:00"))
	if got, ok := sg.Mapping.Units["ts"]; ok {
		t.Errorf("units.ts %q from one value in ten, want none", got)
	}
	if notes := strings.Join(sg.Notes, "\n"); !strings.Contains(notes, "no known layout reads most of") {
		t.Errorf("notes %q", notes)
	}
}

// A time of day without its date (a drive-test tool's export of one day)
// is told to be exported with the date: the advice to give a layout led
// nowhere, since no layout without a date is taken.
func TestTimeOfDayAloneAdvice(t *testing.T) {
	for _, v := range []string{"08:00:01.250", "8:00", "08:00:01", "08:00:01 PM"} {
		_, _, err := parseTime(v, "auto", vietnamZone)
		if err == nil || !strings.Contains(err.Error(), "without its date") || strings.Contains(err.Error(), "layout:…") {
			t.Errorf("%q: %v; want the advice to export the date", v, err)
		}
	}
	if err := checkLayout("15:04:05.000"); err == nil || !strings.Contains(err.Error(), "export it with the date") {
		t.Errorf("a layout without a date: %v", err)
	}
	if _, _, err := parseTime("2026-13-01 08:00", "auto", vietnamZone); err == nil || strings.Contains(err.Error(), "without its date") {
		t.Errorf("a date: %v", err)
	}
}
