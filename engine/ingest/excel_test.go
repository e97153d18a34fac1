package ingest

import (
	"strings"
	"testing"
	"time"
)

// Excel writes a date cell formatted as a number, "General" or saved as
// values as its serial day number; "auto" read none of them and named no
// unit that would.
func TestExcelSerialDays(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	for _, c := range []struct {
		name, in string
		loc      *time.Location
		want     string // RFC 3339 in UTC, or the error's start
	}{
		{"time of day", "45572.626214", vietnamZone, "2024-10-07T08:01:44.89Z"},
		{"decimal comma", "45572,5", vietnamZone, "2024-10-07T05:00:00Z"},
		{"a whole day", "36526", vietnamZone, "1999-12-31T17:00:00Z"},
		{"in UTC", "45572.25", time.UTC, "2024-10-07T06:00:00Z"},
		{"in the clocks' gap", "45361.104166667", ny, "no such date or time"},
		{"not a number", "45572.6.1", vietnamZone, "not an Excel serial day number"},
		{"negative", "-1", vietnamZone, "not an Excel serial day number"},
		{"grouped", "45.572,5", vietnamZone, "not an Excel serial day number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, naive, err := parseTime(c.in, "excel_days", c.loc)
			if err != nil {
				if !strings.HasPrefix(err.Error(), c.want) {
					t.Fatalf("%q: %v, want %s", c.in, err, c.want)
				}
				return
			}
			if got := time.UnixMilli(ms).UTC().Format(time.RFC3339Nano); got != c.want || !naive {
				t.Fatalf("%q: %s (naive %v), want %s", c.in, got, naive, c.want)
			}
		})
	}
	if _, err := ParseMapping([]byte(`{"kind": "measurements", "units": {"ts": "excel_days"}}`)); err != nil {
		t.Fatal(err)
	}
	_, _, err = parseTime("45572.626214", "auto", vietnamZone)
	if err == nil || !strings.Contains(err.Error(), `looks like an Excel serial day number (2024-10-07 15:01:44 as one): set the mapping's "units": {"ts": "excel_days"}`) {
		t.Fatalf("auto: %v", err)
	}
	if _, _, err = parseTime("12345.5", "auto", vietnamZone); err == nil || strings.Contains(err.Error(), "Excel") {
		t.Fatalf("a number before 2000 named as an Excel day: %v", err)
	}
}

// Suggest reads the layouts Excel writes a date cell in when it saves a
// CSV (day and month without a leading zero, the time to the minute;
// dd-mmm-yyyy) and its serial day numbers: it found no layout for any.
func TestSuggestExcelTimes(t *testing.T) {
	for _, c := range []struct {
		name, a, b, unit string
	}{
		{"d/m/yyyy h:mm", "7/10/2024 8:36", "13/10/2024 18:01", "layout:2/1/2006 15:04"},
		{"m/d/yyyy h:mm AM", "10/7/2024 8:36 AM", "10/13/2024 6:01 PM", "layout:1/2/2006 3:04 PM"},
		{"dd-mmm-yyyy", "07-Oct-2024 08:36:00", "13-Oct-2024 18:01:00", "layout:02-Jan-2006 15:04:05"},
		{"serial days", "45572.626214", "45578.75", "excel_days"},
	} {
		t.Run(c.name, func(t *testing.T) {
			header := []string{"Time", "Lat", "Lon", "Operator", "RAT", "RSCP"}
			samples := [][]string{{c.a, "21.03", "105.85", "Viettel", "WCDMA", "-85"}, {c.b, "21.04", "105.86", "Viettel", "WCDMA", "-95"}}
			sg := Suggest(KindMeasurements, header, samples)
			if got := sg.Mapping.Units["ts"]; got != c.unit {
				t.Fatalf("units.ts %q, want %q; notes %v", got, c.unit, sg.Notes)
			}
		})
	}
}

// A Unix time that Excel's General format wrote in scientific notation
// ("1.72827E+12": six significant digits, milliseconds known to within
// 10⁷, hours) was read by the unix units as the time it rounds to; it is
// refused. A decimal one (pandas' floats, "1728265000000.0") is refused by
// "auto" naming the unit that reads it, and the suggestion sets it.
func TestUnixTimesAsExcelAndPandasWriteThem(t *testing.T) {
	for _, unit := range []string{"unix_s", "unix_ms", "unix_us"} {
		if _, _, err := parseTime("1.72827E+12", unit, vietnamZone); err == nil || !strings.Contains(err.Error(), "scientific notation has lost its last digits") {
			t.Errorf("%s: %v", unit, err)
		}
	}
	if ms, _, err := parseTime("1728265000000.0", "unix_ms", vietnamZone); err != nil || ms != 1728265000000 {
		t.Fatalf("%d %v", ms, err)
	}
	for in, want := range map[string]string{
		"1728265000000.0":    `1728265000000.0 reads as Unix milliseconds (2024-10-07T01:36:40Z): set the mapping's "units": {"ts": "unix_ms"}`,
		"1728265000.25":      `1728265000.25 reads as Unix seconds (2024-10-07T01:36:40Z): set the mapping's "units": {"ts": "unix_s"}`,
		"1728265000000000.5": `reads as Unix microseconds (2024-10-07T01:36:40Z): set the mapping's "units": {"ts": "unix_us"}`,
		"1.72827E+12":        "1.72827E+12: a Unix time in scientific notation has lost its last digits",
	} {
		if _, _, err := parseTime(in, "auto", vietnamZone); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %s", in, err, want)
		}
	}
	sg := Suggest(KindMeasurements, []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm"},
		[][]string{{"1728265000000.0", "viettel", "4G", "105.85", "21.03", "-90"}, {"1728265001000.0", "viettel", "4G", "105.85", "21.03", "-91"}})
	if got := sg.Mapping.Units["ts"]; got != "unix_ms" {
		t.Fatalf("units.ts %q; notes %v", got, sg.Notes)
	}
}
