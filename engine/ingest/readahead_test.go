package ingest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// csvStream is every row of rec as text: its line, its fields or its row
// error, then the end's line and error.
func csvStream(t *testing.T, rec Records) []string {
	t.Helper()
	var out []string
	for rec.Next() {
		row := fmt.Sprintf("line %d: ", rec.Line())
		if err := rec.RowErr(); err != nil {
			row += "row error: " + err.Error()
			if rec.Record() != nil {
				t.Fatalf("%s: a record beside the row error", row)
			}
		} else {
			row += fmt.Sprintf("%q", rec.Record())
		}
		out = append(out, row)
	}
	return append(out, fmt.Sprintf("end at line %d: %v", rec.Line(), rec.Err()))
}

// awkwardCSV has rows over several lines, a row too long, a quote never
// closed within the cap, empty lines, CRLF ends and a malformed row, in
// more rows than a chunk of the read-ahead.
func awkwardCSV(rows int) string {
	var b strings.Builder
	b.WriteString("a,b,c\r\n")
	for i := range rows {
		switch i % 97 {
		case 3:
			fmt.Fprintf(&b, "%d,\"two\nlines\",x\n", i)
		case 10:
			fmt.Fprintf(&b, "%d,%s,x\n", i, strings.Repeat("y", 300))
		case 20:
			fmt.Fprintf(&b, "%d,\"open,x\n%d,after,x\n", i, i)
		case 30:
			b.WriteString("\n\n")
		case 40:
			fmt.Fprintf(&b, "%d,bad\"quote,x\n", i)
		default:
			fmt.Fprintf(&b, "%d,v%d,\"q,%d\"\r\n", i, i, i)
		}
	}
	return b.String()
}

func TestReadAheadSameRowsAsCSV(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
	}{
		{"awkward rows over several chunks", awkwardCSV(3*aheadRows + 17)},
		{"fewer rows than a chunk", awkwardCSV(50)},
		{"header only", "a,b,c\n"},
		{"a line with no end within the skip limit", "a,b,c\n1,2,3\n" + strings.Repeat("z", 200*SkipFactor+10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := func() *CSV {
				c, err := NewCSV(strings.NewReader(tc.text), CSVOptions{MaxLineBytes: 200})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			want := csvStream(t, open())
			rec, stop := readAhead(open())
			if _, ok := rec.(*aheadCSV); !ok {
				t.Fatalf("a *CSV is read as %T, want it read ahead", rec)
			}
			got := csvStream(t, rec)
			stop()
			if len(got) != len(want) {
				t.Fatalf("read ahead: %d rows and end, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("row %d read ahead:\n  %s\nwant\n  %s", i, got[i], want[i])
				}
			}
		})
	}
}

// A reading stopped before the end (a refused file, an interrupt) leaves
// no goroutine behind, and stop may be called twice.
func TestReadAheadStopEarly(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		c, err := NewCSV(strings.NewReader(awkwardCSV(20*aheadRows)), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rec, stop := readAhead(c)
		for i := 0; i < 3 && rec.Next(); i++ {
		}
		stop()
		stop()
		if rec.Next() && rec.Line() == 0 {
			t.Fatal("a row without a line after stop")
		}
	}
	// Stopped before the first row: nothing was started.
	c, _ := NewCSV(strings.NewReader(awkwardCSV(10)), CSVOptions{})
	rec, stop := readAhead(c)
	stop()
	if rec.Next() {
		t.Fatal("a row after stop with nothing read")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after the stopped readings, %d before", n, before)
	}
}

// Only the CSV reader is read ahead: other readers' rows may share buffers
// their next batch reuses.
func TestReadAheadOnlyCSV(t *testing.T) {
	c, _ := NewCSV(strings.NewReader("a\n1\n"), CSVOptions{})
	o := NewOpenCellID(c)
	rec, stop := readAhead(o)
	defer stop()
	if rec != Records(o) {
		t.Fatalf("an OpenCellID reader is read as %T, want itself", rec)
	}
}

// The validation reads the same rows with the read-ahead as without: the
// report of a file with rejected rows of every kind is the same.
func TestReadAheadValidationUnchanged(t *testing.T) {
	var b strings.Builder
	b.WriteString(strings.Join(MeasurementColumns, ",") + "\n")
	row := func(ts, carrier, tech, lon, lat, sig string) {
		f := make([]string, len(MeasurementColumns))
		for j, c := range MeasurementColumns {
			switch c {
			case "ts":
				f[j] = ts
			case "carrier":
				f[j] = carrier
			case "tech":
				f[j] = tech
			case "lon":
				f[j] = lon
			case "lat":
				f[j] = lat
			case "signal_dbm":
				f[j] = sig
			case "service":
				f[j] = "ok"
			case "source":
				f[j] = "crowd"
			}
		}
		b.WriteString(strings.Join(f, ",") + "\n")
	}
	for i := range 2000 {
		switch i % 7 {
		case 1:
			row("2025-06-01T10:00:00Z", "viettel", "4G", "105.8", "21.0", "-95") // a repeat
		case 2:
			row("yesterday", "viettel", "4G", "105.8", "21.0", "-95")
		case 3:
			b.WriteString("1,2\n")
		default:
			row(fmt.Sprintf("2025-06-01T10:%02d:%02dZ", (i/60)%60, i%60), "viettel", "4G", fmt.Sprintf("105.%04d", i), "21.0", "-95")
		}
	}
	read := func(ahead bool) string {
		c, err := NewCSV(strings.NewReader(b.String()), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var rec Records = c
		if !ahead {
			rec = plainRecords{c} // not a *CSV: read directly
		}
		cfg := Defaults("m.csv", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		cfg.Dedup = true
		var rejects []string
		accepted := 0
		rep, err := ReadMeasurements(t.Context(), rec, nil, cfg, func(mb *engine.MeasurementBatch) error { accepted += mb.Len(); return nil },
			func(r Reject) error {
				rejects = append(rejects, fmt.Sprintf("%d %s %s", r.Line, r.Column, r.Reason))
				return nil
			})
		if err != nil && !errors.Is(err, ErrTooLarge) {
			t.Fatal(err)
		}
		return fmt.Sprintf("read %d accepted %d/%d rejected %d %v\n%s", rep.RowsRead, rep.Accepted, accepted, rep.Rejected, rep.ByReason, strings.Join(rejects, "\n"))
	}
	direct, ahead := read(false), read(true)
	if direct != ahead {
		t.Fatalf("read ahead:\n%.2000s\nread directly:\n%.2000s", ahead, direct)
	}
	if !strings.Contains(direct, "duplicate") || !strings.Contains(direct, "invalid_time") {
		t.Fatalf("the file's rejections are not of the kinds made: %.500s", direct)
	}
}

// plainRecords hides the *CSV, so that it is read directly.
type plainRecords struct{ *CSV }
