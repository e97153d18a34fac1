package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"golang.org/x/text/encoding/unicode"
)

// Tests of bounded resources on hostile input (the reliability suite that
// .ci/run runs by the name prefix TestHostile). Each checks the outcome
// (reason or error) and that the bytes allocated while reading stay far
// below the input's size: allocation, unlike peak RSS, does not depend on
// when the garbage collector runs.

// allocBudget is the most a hostile input may allocate while it is read.
const allocBudget = 64 << 20

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// readAll validates a measurements table from r with cfg and returns the
// rejects and the report (or the error that stopped it).
func readAll(t *testing.T, r io.Reader, cfg Config) ([]Reject, *Report, error) {
	t.Helper()
	rec, err := NewCSV(r, CSVOptions{MaxLineBytes: cfg.Limits.MaxLineBytes})
	if err != nil {
		return nil, nil, err
	}
	var rejects []Reject
	var accepted int64
	rep, err := ReadMeasurements(context.Background(), rec, nil, cfg,
		func(b *engine.MeasurementBatch) error { accepted += int64(b.Len()); return nil },
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err == nil && (rep.RowsRead != rep.Accepted+rep.Rejected || rep.Accepted != accepted || rep.Rejected != int64(len(rejects))) {
		t.Fatalf("counts do not add up: read %d accepted %d (%d) rejected %d (%d)", rep.RowsRead, rep.Accepted, accepted, rep.Rejected, len(rejects))
	}
	return rejects, rep, err
}

// repeatReader yields n bytes of a repeated pattern without holding them.
type repeatReader struct {
	pat []byte
	off int
	n   int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	k := 0
	for k < len(p) {
		c := copy(p[k:], r.pat[r.off:])
		k += c
		r.off = (r.off + c) % len(r.pat)
	}
	r.n -= int64(k)
	return k, nil
}

const goodRow = "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,,,\n"

// skipShort skips a test that streams megabytes through the reader: the
// race detector's short run has nothing to find there, and .ci/run runs
// it in full in its reliability step.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("streams megabytes; run without -short")
	}
}

// readAllocated reads a measurements table from r with the defaults and
// returns its rejects, its report and the bytes reading allocated.
func readAllocated(t *testing.T, r io.Reader) ([]Reject, *Report, uint64) {
	t.Helper()
	var rejects []Reject
	var rep *Report
	var err error
	n := allocated(func() { rejects, rep, err = readAll(t, r, Defaults("long.csv", testNow)) })
	if err != nil {
		t.Fatal(err)
	}
	return rejects, rep, n
}

func TestHostileLongLine(t *testing.T) {
	skipShort(t)
	for _, c := range []struct {
		name string
		long io.Reader
	}{
		{"5 MB of digits", &repeatReader{pat: []byte("0"), n: 5 << 20}},
		{"5 MB of commas", &repeatReader{pat: []byte(","), n: 5 << 20}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := io.MultiReader(strings.NewReader(mHeader+goodRow), c.long,
				strings.NewReader("\n"+strings.Replace(goodRow, "-98", "-97", 1)))
			rejects, rep, n := readAllocated(t, in)
			if rep.Accepted != 2 || rep.Rejected != 1 || rejects[0].Line != 3 || rejects[0].Reason != ReasonLineTooLong {
				t.Fatalf("read %d, accepted %d, rejected %v; first reject %+v", rep.RowsRead, rep.Accepted, rep.ByReason, rejects[0])
			}
			if n > allocBudget {
				t.Fatalf("allocated %d MiB reading a 5 MB line", n>>20)
			}
		})
	}
	// 5 MB of lines inside a quote that opens on line 3 and is not
	// closed within the line cap: line 3 is quarantined, every line after
	// it is read again as a row of its own (each malformed: 1 field), the
	// lone quote before the last row opens a field the end of the file
	// leaves open, and the last row is kept. Reading holds at most the
	// cap's worth of lines.
	t.Run("5 MB in quotes over lines", func(t *testing.T) {
		pat := []byte(strings.Repeat("abc", 33) + "\n")
		in := io.MultiReader(strings.NewReader(mHeader+goodRow+`"`), &repeatReader{pat: pat, n: 5 << 20},
			strings.NewReader("\"\n"+strings.Replace(goodRow, "-98", "-97", 1)))
		rejects, rep, n := readAllocated(t, in)
		lines := int64(5<<20) / int64(len(pat))
		if rep.Accepted != 2 || rep.Rejected != lines+1 || rejects[0].Line != 3 || rejects[0].Reason != ReasonMalformedRow ||
			!strings.Contains(rejects[0].Detail, "not closed within") || rejects[1].Line != 4 || rejects[len(rejects)-1].Line != lines+3 {
			t.Fatalf("read %d, accepted %d, rejected %d (want %d); first rejects %+v; last %+v", rep.RowsRead, rep.Accepted,
				rep.Rejected, lines+1, rejects[:2], rejects[len(rejects)-1])
		}
		if n > allocBudget {
			t.Fatalf("allocated %d MiB reading 5 MB in quotes", n>>20)
		}
	})
	// The line after an overlong one keeps its number.
	long := strings.Repeat("x", 2000)
	rejects, rep, err := readAll(t, strings.NewReader(mHeader+long+"\n"+goodRow+"\"a\n"+long+"\n"+strings.Replace(goodRow, "-98", "-97", 1)+"bad"),
		func() Config { c := Defaults("t.csv", testNow); c.Limits.MaxLineBytes = 1000; return c }())
	if err != nil || rep.Accepted != 2 || len(rejects) != 4 {
		t.Fatalf("%v %+v %+v", err, rep, rejects)
	}
	for i, want := range []struct {
		line   int64
		reason Reason
	}{{2, ReasonLineTooLong}, {4, ReasonMalformedRow}, {5, ReasonLineTooLong}, {7, ReasonMalformedRow}} {
		if rejects[i].Line != want.line || rejects[i].Reason != want.reason {
			t.Errorf("reject %d: %+v, want line %d %s", i, rejects[i], want.line, want.reason)
		}
	}
}

func TestHostileLineWithoutEnd(t *testing.T) {
	cfg := Defaults("noeol.csv", testNow)
	cfg.Limits.MaxLineBytes = 4096
	in := io.MultiReader(strings.NewReader(mHeader+goodRow), &repeatReader{pat: []byte("0,"), n: 1 << 30})
	var err error
	n := allocated(func() { _, _, err = readAll(t, in, cfg) })
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "noeol.csv: line 3: no line end within 262144 bytes") {
		t.Fatalf("got %v", err)
	}
	if n > allocBudget {
		t.Fatalf("allocated %d MiB", n>>20)
	}
}

// gzipMembers returns a gzip stream of count identical members, each the
// compression of size bytes of pattern: a bomb of count·size bytes made
// from one small compression.
func gzipMembers(t *testing.T, head string, pattern byte, size, count int) io.Reader {
	t.Helper()
	var first, member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&first, gzip.BestCompression)
	zw.Write([]byte(head))
	zw.Close()
	zw, _ = gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(bytes.Repeat([]byte{pattern}, size))
	zw.Close()
	rs := []io.Reader{bytes.NewReader(first.Bytes())}
	for range count {
		rs = append(rs, bytes.NewReader(member.Bytes()))
	}
	return io.MultiReader(rs...)
}

func TestHostileGzipBomb(t *testing.T) {
	skipShort(t)
	t.Run("ratio", func(t *testing.T) {
		// 200 MB of empty lines (skipped by the CSV reader, so only the
		// decompression ratio can stop them) from about 200 KB.
		bomb := gzipMembers(t, mHeader+goodRow, '\n', 8<<20, 25)
		var err error
		n := allocated(func() {
			r, gz, gerr := MaybeGunzipWith(bomb, Limits{})
			if gerr != nil || !gz {
				t.Fatal(gerr, gz)
			}
			_, _, err = readAll(t, r, Defaults("bomb.csv.gz", testNow))
		})
		if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "bomb.csv.gz: line ") ||
			!strings.Contains(err.Error(), ": decompresses to more than 1000 times its compressed size") {
			t.Fatalf("got %v", err)
		}
		if n > allocBudget {
			t.Fatalf("allocated %d MiB", n>>20)
		}
	})
	t.Run("absolute", func(t *testing.T) {
		r, _, err := MaybeGunzipWith(gzipMembers(t, mHeader, '\n', 1<<20, 3), Limits{MaxDecompressedBytes: 2 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err = readAll(t, r, Defaults("big.csv.gz", testNow)); !errors.Is(err, ErrTooLarge) ||
			!strings.Contains(err.Error(), "decompresses to more than 2097152 bytes (raise --max-decompressed-bytes") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("within limits", func(t *testing.T) {
		r, _, err := MaybeGunzipWith(gzipMembers(t, mHeader+goodRow, '\n', 1<<20, 2), Limits{MaxDecompressedBytes: 3 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if _, rep, err := readAll(t, r, Defaults("ok.csv.gz", testNow)); err != nil || rep.Accepted != 1 {
			t.Fatalf("%v %+v", err, rep)
		}
	})
}

func TestHostileNumbersAndText(t *testing.T) {
	for _, c := range []struct {
		name, row string
		reason    Reason
		column    string
	}{
		{"hex float lon", "2026-10-01T08:00:00Z,viettel,4G,0x1.a7p6,21.03,-98,,,,,", ReasonInvalidNumber, "lon"},
		{"hex float lat", "2026-10-01T08:00:00Z,viettel,4G,105.85,0x1p-2,-98,,,,,", ReasonInvalidNumber, "lat"},
		{"digit separators", "2026-10-01T08:00:00Z,viettel,4G,1_05.8,21.03,-98,,,,,", ReasonInvalidNumber, "lon"},
		{"Inf signal", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-Inf,,,,,", ReasonInvalidNumber, "signal_dbm"},
		{"two points", "2026-10-01T08:00:00Z,viettel,4G,105.8.5,21.03,-98,,,,,", ReasonInvalidNumber, "lon"},
		{"bare exponent", "2026-10-01T08:00:00Z,viettel,4G,105e,21.03,-98,,,,,", ReasonInvalidNumber, "lon"},
		{"exponent and sign", "2026-10-01T08:00:00Z,viettel,4G,+1.0585e2,2103E-2,-98,,,,,", "", ""},
		{"leading point", "2026-10-01T08:00:00Z,viettel,4G,105.,21.03,-98,,.5,,,", "", ""},
		{"Latin-1 carrier", "2026-10-01T08:00:00Z,Vi\xe9ttel,4G,105.85,21.03,-98,,,,,", ReasonInvalidUTF8, "carrier"},
		{"invalid UTF-8 enum", "2026-10-01T08:00:00Z,viettel,4G,105.85,21.03,-98,,,outdoor\xc3,,", ReasonInvalidUTF8, "environment"},
		{"UTF-8 carrier", "2026-10-01T08:00:00Z,Viễn thông X,4G,105.85,21.03,-98,,,,,", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, rejects, rep := readM(t, mHeader+c.row+"\n", nil, nil)
			if c.reason == "" {
				if rep.Accepted != 1 {
					t.Fatalf("rejected: %+v", rejects)
				}
				return
			}
			if len(rejects) != 1 || rejects[0].Reason != c.reason || rejects[0].Column != c.column {
				t.Fatalf("got %+v, want %s in %s", rejects, c.reason, c.column)
			}
		})
	}
	_, rejects, _ := readM(t, mHeader+"2026-10-01T08:00:00Z,Vi\xe9ttel,4G,105.85,21.03,-98,,,,,\n", nil, nil)
	if r := rejects[0]; r.Value != `Vi\xe9ttel` || !strings.Contains(r.Detail, "byte 0xe9 at offset 2") {
		t.Fatalf("%+v", r)
	}
	// Every byte kept, each escaped: a run of them is not one U+FFFD
	// (two invalid bytes side by side).
	_, rejects, _ = readM(t, mHeader+"2026-10-01T08:00:00Z,B\x61\xe0\xadn M\xadng,4G,105.85,21.03,-98,,,,,\n", nil, nil)
	if r := rejects[0]; r.Value != `Ba\xe0\xadn M\xadng` {
		t.Fatalf("%+v", r)
	}
	// The unix_s timestamp unit is numeric too.
	_, rejects, _ = readM(t, "ts,carrier,tech,lon,lat,signal_dbm\n0x1p30,viettel,4G,105.85,21.03,-98\n",
		&Mapping{Units: map[string]string{"ts": "unix_s"}}, nil)
	if len(rejects) != 1 || rejects[0].Reason != ReasonInvalidTime {
		t.Fatalf("%+v", rejects)
	}
}

func TestHostileBinary(t *testing.T) {
	elf := []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00")
	_, err := NewCSV(bytes.NewReader(elf), CSVOptions{})
	var nt *NotTableError
	if !errors.As(err, &nt) || err.Error() != "not a CSV/Parquet/Arrow file (starts with bytes 7f 45 4c 46 02 01 01 00 00 00 00 00 00 00 00 00 …)" {
		t.Fatalf("got %v", err)
	}
	if _, err := NewCSV(strings.NewReader("PK\x03\x04\x14\x00\x06\x00"), CSVOptions{}); err == nil || !strings.Contains(err.Error(), "Excel") {
		t.Fatalf("zip: %v", err)
	}
	// Text with a Latin-1 byte in the header is text, not a binary file:
	// refused for its header's encoding (TestHeaderNotUTF8).
	if _, err := NewCSV(strings.NewReader("ts,v\xe9\n1,2\n"), CSVOptions{}); errors.As(err, &nt) || !errors.Is(err, ErrHeaderNotUTF8) {
		t.Fatal(err)
	}
}

// TestCSVMatchesEncodingCSV checks that the bounded reader splits records
// as encoding/csv does (fields and row errors) on tricky input.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	for _, in := range []string{
		"a,b\n1,2\n",
		"a,b\r\n1,2\r\n\r\n\n3,4",
		"a,b\n\"x,\"\"y\"\"\",2\n\"multi\nline\",3\n",
		"a,b\n1,2\r",
		"a,b\nx\"y,2\n3,4\n",
		"a,b\n\"x\"y,2\n3,4\n",
		"a,b\n\"unterminated,2\n3,4\n",
		"a,b\n\"open,2\n3,4\n5,6\n",                         // never closed: only its line is lost
		"a,b,c\nx,\"name, missing its quote,1\ny,\"z\",2\n", // closed by the next line's quote into junk
		"a,b,c\n\"x\n\n,y\",1\n2,3,4\n",                     // closed into three fields: a record over lines
		"a,b\n\"x\ny\",1,9\n2,3\n",                          // closed into three fields, the header has two
		"a,b\n\"x\"\n,\n,,,\n",
		"a;b\n1;2\n",
		"a,b\n\"\"\n\"a\"\"\",\"\"\n",
	} {
		want := encodingCSV(in)
		rec, err := NewCSV(strings.NewReader(in), CSVOptions{})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		var got []string
		for rec.Next() {
			if rec.RowErr() != nil {
				got = append(got, "ERR "+rowErrText(rec.RowErr()))
				continue
			}
			got = append(got, strings.Join(rec.Record(), "|"))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%q:\ngot  %q\nwant %q", in, got, want)
		}
	}
}

func encodingCSV(in string) []string { return encodingCSVSep(in, "|") }

// encodingCSVSep reads in as encoding/csv does, with the bounded
// reader's recovery from a broken quoted field: a record over several
// physical lines that is an error, or whose field count is not the
// header's, is an error of its first line alone, and reading starts again
// at the line after that one. Errors are compared by their csv error
// (rowErrText).
func encodingCSVSep(in, sep string) []string {
	br := bufio.NewReaderSize(strings.NewReader(in), 1<<16)
	comma := SniffDelimiter(br)
	cr := newStdCSV(strings.NewReader(in), comma)
	header, err := cr.Read()
	if err != nil {
		return []string{"header error"}
	}
	off := int(cr.InputOffset())
	var out []string
	for {
		cr := newStdCSV(strings.NewReader(in[off:]), comma)
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		// The record's first line: encoding/csv skips empty lines before it.
		start := off
		for {
			switch {
			case strings.HasPrefix(in[start:], "\n"):
				start++
				continue
			case strings.HasPrefix(in[start:], "\r\n"):
				start += 2
				continue
			}
			break
		}
		firstEnd := len(in)
		if i := strings.IndexByte(in[start:], '\n'); i >= 0 {
			firstEnd = start + i + 1
		}
		end := off + int(cr.InputOffset())
		multi := end > firstEnd && strings.TrimRight(in[firstEnd:end], "\r\n") != ""
		pe := (*stdParseError)(nil)
		isErr := errors.As(err, &pe)
		switch {
		case multi && (isErr || len(rec) != len(header)):
			if isErr {
				out = append(out, "ERR "+pe.Err.Error())
			} else {
				out = append(out, "ERR "+csv.ErrQuote.Error())
			}
			off = firstEnd
			continue
		case isErr:
			out = append(out, "ERR "+pe.Err.Error())
		default:
			out = append(out, strings.Join(rec, sep))
		}
		if multi {
			off = end
		} else {
			off = firstEnd
		}
	}
}

// rowErrText is the csv error a row error of the bounded reader wraps
// (the text encodingCSVSep gives), or its own text.
func rowErrText(err error) string {
	for _, e := range []error{csv.ErrQuote, csv.ErrBareQuote, csv.ErrFieldCount} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return err.Error()
}

func TestHostileWideHeader(t *testing.T) {
	header := make([]string, 100000)
	for i := range header {
		header[i] = "c" + strconv.Itoa(i)
	}
	header[3], header[7], header[MaxSuggestColumns-1], header[MaxSuggestColumns] = "Longitude", "RSRP", "Latitude", "timestamp"
	m, missing := SuggestMapping(KindMeasurements, header)
	if m.Columns["Longitude"] != "lon" || m.Columns["RSRP"] != "signal_dbm" || m.Columns["Latitude"] != "lat" {
		t.Fatalf("columns %v", m.Columns)
	}
	// "timestamp" is past the columns considered.
	if strings.Join(missing, ",") != "ts,carrier,tech" {
		t.Fatalf("missing %v", missing)
	}
	// Binding a wide header names a bounded part of it.
	_, _, err := bind(KindMeasurements, header, nil)
	if err == nil || len(err.Error()) > 3000 || !strings.Contains(err.Error(), "… 99960 more") {
		t.Fatalf("error of %d bytes", len(err.Error()))
	}
}

// FuzzCSVMatchesEncodingCSV checks that the bounded reader splits any
// input into the same records and row errors as encoding/csv (with a line
// cap above the input's size).
func FuzzCSVMatchesEncodingCSV(f *testing.F) {
	f.Add("a,b\n\"x\n\"\"y\",2\r\n\n3,4")
	f.Add("a;b\n1;\"2;3\"\n")
	f.Add("a,b\nx\"y,2\n\"z\"w,3\n\"open\n")
	f.Add("\xff\xfe\n0") // a UTF-16 byte-order mark: the rest is read as UTF-16
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1<<16 {
			return
		}
		rec, err := NewCSV(strings.NewReader(in), CSVOptions{})
		if err != nil {
			return // not text, or no header
		}
		var got []string
		for rec.Next() {
			if rec.RowErr() != nil {
				got = append(got, "ERR "+rowErrText(rec.RowErr()))
				continue
			}
			got = append(got, strings.Join(rec.Record(), "\x00"))
		}
		if rec.Err() != nil {
			t.Fatal(rec.Err())
		}
		// A file that opens with a UTF-16 byte-order mark is read as UTF-16
		// (as Excel saves "Unicode text"): encoding/csv is given the same
		// text in UTF-8, as NewCSV decodes it.
		text := in
		if strings.HasPrefix(in, "\xff\xfe") || strings.HasPrefix(in, "\xfe\xff") {
			if text, err = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().String(in); err != nil {
				t.Fatalf("%q: UTF-16: %v", in, err)
			}
		}
		want := encodingCSVSep(strings.TrimPrefix(text, "\ufeff"), "\x00")
		if len(want) > 0 && want[0] == "header error" {
			return
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%q:\ngot  %q\nwant %q", in, got, want)
		}
	})
}

// A line with its end beyond SkipFactor times the cap stops the file
// whatever the reader's buffer held of it: a 100 KB line under a 200-byte
// cap (limit 12,800) was skipped as line_too_long when it fitted the
// buffer, or when its end came in the read after the buffer's. A line
// over the cap within the limit is skipped, the file read on.
func TestHostileLineEndBeyondLimit(t *testing.T) {
	for _, n := range []int{200*SkipFactor + 1, 100_000, 3 << 20} {
		cfg := Defaults("long.csv", testNow)
		cfg.Limits.MaxLineBytes = 200
		_, _, err := readAll(t, strings.NewReader(mHeader+goodRow+strings.Repeat("x", n)+"\n"+strings.Replace(goodRow, "-98", "-97", 1)), cfg)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "long.csv: line 3: no line end within 12800 bytes") {
			t.Errorf("a line of %d bytes: %v", n, err)
		}
	}
	cfg := Defaults("long.csv", testNow)
	cfg.Limits.MaxLineBytes = 200
	rejects, rep, err := readAll(t, strings.NewReader(mHeader+goodRow+strings.Repeat("x", 200*SkipFactor-100)+"\n"+strings.Replace(goodRow, "-98", "-97", 1)), cfg)
	if err != nil || rep.Accepted != 2 || len(rejects) != 1 || rejects[0].Reason != ReasonLineTooLong {
		t.Errorf("a line within the limit: %v %+v %+v", err, rep, rejects)
	}
}
