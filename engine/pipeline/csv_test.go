package pipeline

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// TestCSVTableMatchesEncodingCSV writes a table of every column kind, with
// strings that need quoting by each of encoding/csv's rules and runs of
// equal fields, in two chunks, and compares the bytes with what encoding/csv writes for the
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
		if r%4 == 1 || r%4 == 2 { // runs of equal fields, as a cell's keys have
			for i := range cols {
				switch c := &cols[i]; {
				case c.Float64 != nil:
					c.Float64[r] = c.Float64[r-1]
				case c.TimeUnixMs != nil:
					c.TimeUnixMs[r] = c.TimeUnixMs[r-1]
				case c.String != nil && r%4 == 1:
					c.String[r] = c.String[r-1]
				}
			}
		}
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

// TestAppendFloatMatchesStrconv checks the integer and one-decimal fast
// paths, and the values around them, against strconv.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vals := []float64{0, math.Copysign(0, -1), 0.1, -0.1, 0.05, 0.5, -0.5, 1, -1, 9.9, 99999.9, 999999.9, -999999.9,
		999999, 1e6, -1e6, 1e6 + 0.5, 1e21, 1e-5, 0.0001, 123456.7, -105.25, -84.4, math.MaxInt64, math.Inf(1), math.Inf(-1),
		math.SmallestNonzeroFloat64, math.MaxFloat64}
	for range 200000 {
		k := rng.Int64N(4e7) - 2e7
		for _, v := range []float64{float64(k) / 10, float64(k / 10), float64(k) / 100, float64(k) / 1000} {
			vals = append(vals, v, math.Nextafter(v, math.Inf(1)), math.Nextafter(v, math.Inf(-1)))
		}
		vals = append(vals, math.Float64frombits(rng.Uint64()), rng.NormFloat64()*1e3)
	}
	for _, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		if got, want := string(appendFloat([]byte("x"), v)), "x"+strconv.FormatFloat(v, 'g', -1, 64); got != want {
			t.Fatalf("appendFloat(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestAppendTimeMsMatchesTime checks the civil-date formatting against the
// time package across its range and at its ends.
func TestAppendTimeMsMatchesTime(t *testing.T) {
	if got := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(); got != minTimeMs {
		t.Fatalf("minTimeMs = %d, want %d", int64(minTimeMs), got)
	}
	if got := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(); got != endTimeMs {
		t.Fatalf("endTimeMs = %d, want %d", int64(endTimeMs), got)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	ms := []int64{0, -1, 1, 86399999, 86400000, -86400000, -86400001, minTimeMs, minTimeMs - 1, minTimeMs + 1,
		endTimeMs - 1, endTimeMs, math.MaxInt64 / 2, math.MinInt64 / 2,
		time.Date(2000, 2, 29, 23, 59, 59, 999e6, time.UTC).UnixMilli(), time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli(),
		time.Date(1600, 12, 31, 12, 0, 0, 0, time.UTC).UnixMilli()}
	for range 200000 {
		ms = append(ms, rng.Int64N(endTimeMs-minTimeMs+2000)+minTimeMs-1000, rng.Int64N(4e12)-1e12)
	}
	for _, v := range ms {
		got := string(appendTimeMs(nil, v))
		if want := time.UnixMilli(v).UTC().Format(msLayout); got != want {
			t.Fatalf("appendTimeMs(%d) = %q, want %q", v, got, want)
		}
	}
}

// TestCSVNullFieldsEmpty checks that a row a column's Null marks is an
// empty field, whatever its value, and that a Null of another length is
// refused.
func TestCSVNullFieldsEmpty(t *testing.T) {
	null := []bool{false, true, false}
	cols := []arrowio.Column{
		{Name: "devices", Int64: []int64{4, 0, 0}, Null: null},
		{Name: "devices_exact", Bool: []bool{true, true, false}, Null: null},
		{Name: "rows", Int64: []int64{7, 8, 9}},
	}
	var got bytes.Buffer
	if err := WriteCSV(&got, cols); err != nil {
		t.Fatal(err)
	}
	if want := "devices,devices_exact,rows\n4,true,7\n,,8\n0,false,9\n"; got.String() != want {
		t.Errorf("CSV = %q, want %q", got.String(), want)
	}
	cols[0].Null = null[:2]
	if err := WriteCSV(io.Discard, cols); err == nil {
		t.Error("a Null shorter than its column was taken")
	}
}
