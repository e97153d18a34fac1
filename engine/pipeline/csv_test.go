package pipeline

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// TestCSVTableMatchesEncodingCSV writes a table of every column kind, with
// strings that need quoting by each of encoding/csv's rules, in two
// chunks, and compares the bytes with what encoding/csv writes for the
// same fields.
func TestCSVTableMatchesEncodingCSV(t *testing.T) {
	tricky := []string{"", "plain", "Lai Châu", "a,b", `say "hi"`, "line\nbreak", "cr\rhere", `\.`, `\.x`,
		" lead", "\tlead", "\u00a0nbsp", "\u3000wide", "trail ", "x\u00a0", `"`, ",", "viettel"}
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 400
	cols := []arrowio.Column{
		{Name: "name,with comma"}, {Name: "i"}, {Name: "u"}, {Name: "f"}, {Name: "ts"}, {Name: "ok"},
	}
	for r := range n {
		cols[0].String = append(cols[0].String, tricky[r%len(tricky)])
		cols[1].Int64 = append(cols[1].Int64, rng.Int64()-math.MaxInt64/2)
		cols[2].Uint64 = append(cols[2].Uint64, rng.Uint64())
		f := math.Float64frombits(rng.Uint64())
		switch r % 7 {
		case 0:
			f = math.NaN()
		case 1:
			f = math.Inf(1 - 2*(r%2))
		case 2:
			f = -105.25
		case 3:
			f = 1e-310
		}
		cols[3].Float64 = append(cols[3].Float64, f)
		cols[4].TimeUnixMs = append(cols[4].TimeUnixMs, rng.Int64N(4e12)-1e12)
		cols[5].Bool = append(cols[5].Bool, r%3 == 0)
	}
	slice := func(lo, hi int) []arrowio.Column {
		out := make([]arrowio.Column, len(cols))
		for i, c := range cols {
			out[i] = arrowio.Column{Name: c.Name}
			switch {
			case c.String != nil:
				out[i].String = c.String[lo:hi]
			case c.Int64 != nil:
				out[i].Int64 = c.Int64[lo:hi]
			case c.Uint64 != nil:
				out[i].Uint64 = c.Uint64[lo:hi]
			case c.Float64 != nil:
				out[i].Float64 = c.Float64[lo:hi]
			case c.TimeUnixMs != nil:
				out[i].TimeUnixMs = c.TimeUnixMs[lo:hi]
			case c.Bool != nil:
				out[i].Bool = c.Bool[lo:hi]
			}
		}
		return out
	}
	var got bytes.Buffer
	ct := NewCSVTable(&got)
	if err := ct.Write(slice(0, 150)); err != nil {
		t.Fatal(err)
	}
	if err := ct.Write(slice(150, n)); err != nil {
		t.Fatal(err)
	}
	if err := ct.Flush(); err != nil {
		t.Fatal(err)
	}

	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	cw.Write(header)
	for r := range n {
		f := ""
		if v := cols[3].Float64[r]; !math.IsNaN(v) {
			f = strconv.FormatFloat(v, 'g', -1, 64)
		}
		cw.Write([]string{cols[0].String[r], strconv.FormatInt(cols[1].Int64[r], 10), strconv.FormatUint(cols[2].Uint64[r], 10), f,
			time.UnixMilli(cols[4].TimeUnixMs[r]).UTC().Format("2006-01-02T15:04:05.000Z"), strconv.FormatBool(cols[5].Bool[r])})
	}
	cw.Flush()
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		gl, wl := bytes.Split(got.Bytes(), []byte("\n")), bytes.Split(want.Bytes(), []byte("\n"))
		for i := range min(len(gl), len(wl)) {
			if !bytes.Equal(gl[i], wl[i]) {
				t.Fatalf("line %d:\n got %q\nwant %q", i, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
	// Parsed back, the strings are the same.
	recs, err := csv.NewReader(bytes.NewReader(got.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for r := range n {
		if s, w := recs[r+1][0], cols[0].String[r]; s != w && !(w == "cr\rhere" && s == "cr\nhere") {
			t.Errorf("row %d: string %q read back as %q", r, w, s)
		}
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestCSVTableWriteError(t *testing.T) {
	ct := NewCSVTable(&failWriter{after: 100})
	col := []arrowio.Column{{Name: "x", Int64: make([]int64, 100_000)}}
	err := ct.Write(col)
	if err == nil {
		err = ct.Flush()
	}
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v, want disk full", err)
	}
	if ct.Write(col) == nil || ct.Flush() == nil {
		t.Error("a table that failed to write accepts more")
	}
}
