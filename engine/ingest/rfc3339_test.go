package ingest

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkParseTime measures the "auto" timestamp parse of each layout
// the contract reads without a mapping; the T form with an offset is the
// one most files write.
func BenchmarkParseTime(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"T-offset", "2026-10-01T08:00:04+07:00"},
		{"T-Z", "2026-10-01T08:00:04Z"},
		{"T-fraction", "2026-10-01T08:00:04.123456+07:00"},
		{"space-offset", "2026-10-01 08:00:04+07:00"},
		{"naive-space", "2026-10-01 08:00:04"},
		{"unix-ms", "1790816404000"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = parseTime(c.s, "", vietnamZone)
			}
		})
	}
}

// RFC 3339 allows a space for the "T" (section 5.6, NOTE) and lower-case
// "t" and "z": Python's str(datetime) and pandas write
// "2026-10-01 08:00:04+07:00", PostgreSQL "2026-10-01 08:00:04+07" (its
// offset in hours alone; it was refused), Java and strftime's %z
// "+0700". They are read as the T form; a time
// without an offset keeps its own rules (naive in loc, or refused).
func TestParseTimeRFC3339Spellings(t *testing.T) {
	want := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	for _, c := range []struct {
		name, s string
		ms      int64
	}{
		{"space and offset", "2026-10-01 08:00:04+07:00", want("2026-10-01T08:00:04+07:00")},
		{"space, fraction and offset", "2026-10-13 08:00:05.123456+07:00", want("2026-10-13T08:00:05.123456+07:00")},
		{"space and negative offset", "2026-10-13 08:00:05-05:00", want("2026-10-13T08:00:05-05:00")},
		{"space and Z", "2026-10-13 08:00:06Z", want("2026-10-13T08:00:06Z")},
		{"lower-case t and z", "2026-10-13t08:00:06z", want("2026-10-13T08:00:06Z")},
		{"T and lower-case z", "2026-10-13T08:00:06z", want("2026-10-13T08:00:06Z")},
		{"lower-case t and offset", "2026-10-13t08:00:06+07:00", want("2026-10-13T08:00:06+07:00")},
		{"space, UTC", "2026-10-13 01:00:06+00:00", want("2026-10-13T08:00:06+07:00")},
		// PostgreSQL writes a timestamptz's offset in hours alone when it
		// has no minutes; Java's and strftime's %z write it without colon.
		{"PostgreSQL's timestamptz", "2026-10-01 08:00:04+07", want("2026-10-01T08:00:04+07:00")},
		{"PostgreSQL's, fraction and negative", "2026-10-01 08:00:04.123456-05", want("2026-10-01T08:00:04.123456-05:00")},
		{"offset without colon", "2026-10-01 08:00:04+0700", want("2026-10-01T08:00:04+07:00")},
		{"T and offset without colon", "2026-10-01T08:00:04.5+0530", want("2026-10-01T08:00:04.5+05:30")},
	} {
		t.Run(c.name, func(t *testing.T) {
			ms, naive, err := parseTime(c.s, "", vietnamZone)
			if err != nil || naive || ms != c.ms {
				t.Errorf("parseTime(%q) = %d, naive %v, %v; want %d with its offset", c.s, ms, naive, err, c.ms)
			}
		})
	}
	// What was true stays so.
	if _, naive, err := parseTime("2026-10-01 08:00:04", "", vietnamZone); err != nil || !naive {
		t.Errorf("a time without offset: naive %v, %v; want it read in Vietnam time", naive, err)
	}
	for _, s := range []string{
		"2026-10-13t08:00:06",        // no offset, and not a layout without one
		"2026-10-01 08:00:04 +07:00", // a space before the offset
		"2026-10-01_08:00:04+07:00",
		"2026-10-01 08:00:04+7",
		"2026-10-01 08:00:04+07:0",
		"2026-10-01 08:00+0700",  // no seconds
		"2026-10-01 08:00:04+24", // beyond the world's offsets
	} {
		if _, _, err := parseTime(s, "", vietnamZone); err == nil {
			t.Errorf("parseTime(%q) read; want invalid_time", s)
		}
	}
	_, _, err := parseTime("2026-02-30 08:00:04+07:00", "", vietnamZone)
	if err == nil || !strings.Contains(err.Error(), "no such date or time: day out of range") {
		t.Errorf("30 February with a space: %v; want no such date", err)
	}
	// The spellings cost no allocation on the T form.
	if n := testing.AllocsPerRun(100, func() { _, _, _ = parseTime("2026-10-01T08:00:04+07:00", "", vietnamZone) }); n != 0 {
		t.Errorf("T form: %v allocations; want 0", n)
	}
}

// A file written by pandas is read without a mapping, and the suggestion
// needs no layout for it.
func TestRFC3339SpaceFormFile(t *testing.T) {
	csv := "ts,carrier,tech,lon,lat,signal_dbm\n" +
		"2026-10-01 08:00:04+07:00,Viettel,4G,103.3,22.4,-90\n" +
		"2026-10-13 08:00:05.123456+07:00,Viettel,4G,103.3,22.4,-91\n" +
		"2026-10-13t08:00:06z,Viettel,4G,103.3,22.4,-92\n"
	rec, err := NewCSV(strings.NewReader(csv), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults("pandas.csv", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	rep, err := Check(t.Context(), KindMeasurements, rec, nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 3 || rep.NaiveTimes != 0 {
		t.Errorf("accepted %d (rejected %v), %d naive; want 3 accepted with their offsets", rep.Accepted, rep.ByReason, rep.NaiveTimes)
	}
	sg := Suggest(KindMeasurements, []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm"},
		[][]string{{"2026-10-01 08:00:04+07:00", "Viettel", "4G", "103.3", "22.4", "-90"}, {"2026-10-13t08:00:06z", "Viettel", "4G", "103.3", "22.4", "-92"}})
	if u := sg.Mapping.Units["ts"]; u != "" {
		t.Errorf("suggested units.ts %q; want none (RFC 3339)", u)
	}
	for _, n := range sg.Notes {
		if strings.Contains(n, "ts:") {
			t.Errorf("note %q; want none about ts", n)
		}
	}
}

// TestParseTimeOffsetRange: an offset beyond ±14:00, the world's zones,
// names no instant lomsong takes (Go reads "+24:00" as a day earlier): the
// row is invalid_time, whatever the spelling or layout; ±14:00 is read.
func TestParseTimeOffsetRange(t *testing.T) {
	for _, c := range []struct{ s, unit string }{
		{"2024-10-18T07:25:38+24:00", ""},
		{"2024-10-18T07:25:38-24:00", ""},
		{"2024-10-18T07:25:38+14:01", ""},
		{"2024-10-18 07:25:38+23:59", ""},
		{"2024-10-18t07:25:38-15:00", ""},
		{"18/10/2024 07:25:38 +2400", "layout:02/01/2006 15:04:05 -0700"},
		{"18/10/2024 07:25:38 -1430", "layout:02/01/2006 15:04:05 -0700"},
	} {
		if ms, _, err := parseTime(c.s, c.unit, vietnamZone); err == nil || !strings.Contains(err.Error(), "no such date or time: offset") {
			t.Errorf("parseTime(%q, %q) = %v, %v; want an offset error", c.s, c.unit, time.UnixMilli(ms).UTC(), err)
		}
	}
	for _, s := range []string{"2024-10-18T07:25:38+14:00", "2024-10-18T07:25:38-12:00", "2024-10-18T07:25:38-14:00"} {
		if _, _, err := parseTime(s, "", vietnamZone); err != nil {
			t.Errorf("parseTime(%q): %v", s, err)
		}
	}
	rows, rejects, _ := readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n2024-10-18T07:25:38+24:00,viettel,4G,103.19,22.39,-90\n", nil, nil)
	if len(rows) != 0 || len(rejects) != 1 || rejects[0].Reason != ReasonInvalidTime {
		t.Fatalf("rows %+v rejects %+v", rows, rejects)
	}
	if _, err := LoadZone("UTC+14:30"); err == nil {
		t.Error("timezone UTC+14:30 accepted")
	}
}
