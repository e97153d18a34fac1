package ingest

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A rejected row's text in the quarantine reads back, with the file's own
// delimiter, into the fields the file held: a semicolon file's decimal
// commas, a quoted field holding the delimiter, a quote or a line end,
// and the rows after a header line in another order, whose text is in
// the file's order, not the header's.
func TestRejectedRowTextReadsBack(t *testing.T) {
	rows := []string{
		`2026-10-05 08:30:18;MobiFone;3G;105,8515;21,0288;-88;"dev;A";"x;y"`,
		`2026-10-05 08:31:18;MobiFone;3G;105,8515;21,0288;-89;dev B;"a ""quoted"" note"`,
		"2026-10-05 08:32:18;MobiFone;3G;105,8515;21,0288;-90;dev C;\"two\nlines\"",
	}
	text := "ts;carrier;tech;lon;lat;signal_dbm;device_id;note\n"
	for _, r := range rows {
		text += r + "\n" + r + "\n" // each row twice: the second a duplicate
	}
	// A repeat of the header, then a row in its order and its repeat.
	moved := `carrier;ts;tech;lon;lat;signal_dbm;device_id;note`
	movedRow := `MobiFone;2026-10-05 08:33:18;3G;105,8515;21,0288;-91;"dev;D";"p;q"`
	text += moved + "\n" + movedRow + "\n" + movedRow + "\n"
	rec, err := NewCSV(strings.NewReader(text), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rejects, rep := readRejects(t, rec, &Mapping{Decimal: ","})
	if rep.Accepted != 4 || len(rejects) != 5 {
		t.Fatalf("accepted %d, rejected %+v: want 4 accepted and 5 rejected", rep.Accepted, rejects)
	}
	want := append(slices.Clone(rows), moved, movedRow)
	for i, r := range rejects {
		got := readBack(t, r.Value, ';')
		w := readBack(t, want[i], ';')
		if !slices.Equal(got, w) {
			t.Errorf("reject %d (line %d, %s): %q reads back as %q, want the file's fields %q", i, r.Line, r.Reason, r.Value, got, w)
		}
	}
}

// readRejects reads measurements from rec and returns the rejected rows.
func readRejects(t *testing.T, rec Records, m *Mapping) ([]Reject, *Report) {
	t.Helper()
	var rejects []Reject
	rep, err := ReadMeasurements(t.Context(), rec, m, Defaults("test.csv", testNow),
		func(*engine.MeasurementBatch) error { return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return rejects, rep
}

func readBack(t *testing.T, line string, sep rune) []string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(line))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = sep, -1, false
	f, err := r.Read()
	if err != nil {
		t.Fatalf("%q does not read back as a record: %v", line, err)
	}
	return f
}

// A row over the line cap is quarantined with the start of its text, so
// that the quarantine says which row it was: as read whole in the
// reader's buffer and as read in pieces past it.
func TestLineTooLongKeepsItsStart(t *testing.T) {
	for _, size := range []int{3000, 70000} {
		long := "2026-10-05 08:30:18,MobiFone,3G,105.85,21.03,-88," + strings.Repeat("x", size)
		text := "ts,carrier,tech,lon,lat,signal_dbm,note\n" +
			"2026-10-05 08:29:18,MobiFone,3G,105.85,21.03,-87,a\n" + long + "\n" +
			"2026-10-05 08:31:18,MobiFone,3G,105.85,21.03,-89,b\n"
		rec, err := NewCSV(strings.NewReader(text), CSVOptions{MaxLineBytes: 2048})
		if err != nil {
			t.Fatal(err)
		}
		rejects, rep := readRejects(t, rec, nil)
		if rep.Accepted != 2 || len(rejects) != 1 || rejects[0].Reason != ReasonLineTooLong || rejects[0].Line != 3 {
			t.Fatalf("size %d: accepted %d, rejects %+v: want 2 and line 3 line_too_long", size, rep.Accepted, rejects)
		}
		if v := rejects[0].Value; !strings.HasPrefix(v, "2026-10-05 08:30:18,MobiFone,3G,") || len(v) > 210 {
			t.Errorf("size %d: the quarantine keeps %q (%d bytes), want the line's start, at most about 200 bytes", size, v, len(v))
		}
	}
}
