package pipeline

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/parallel"
)

// WriteCSV writes columns as CSV with a header: floats in shortest
// round-trip form (empty for NaN), times as RFC 3339 UTC with milliseconds.
func WriteCSV(w io.Writer, cols []arrowio.Column) error {
	t := NewCSVTable(w)
	if err := t.Write(cols); err != nil {
		return err
	}
	return t.Flush()
}

// CSVTable writes result columns as CSV in successive chunks of rows,
// with the header once (see WriteCSV for the formatting). The output is
// what encoding/csv writes with its defaults (comma, LF line ends, fields
// quoted by the same rule, tested): numbers, booleans and times never need
// quotes, so rows are formatted straight into a buffer (csvFormat) and only
// strings go through the quoting rule.
type CSVTable struct {
	w      *bufio.Writer
	err    error
	header []string
	f      csvFormat
	buf    []byte
}

// NewCSVTable starts a CSV table on w.
func NewCSVTable(w io.Writer) *CSVTable { return &CSVTable{w: bufio.NewWriterSize(w, 1<<16)} }

// CSVTable.Write formats csvLines rows at a time and hands the writer
// about csvBlock bytes at a time.
const (
	csvLines = 256
	csvBlock = 1 << 16
)

// Write appends the rows of cols; the first call fixes the header, and
// later calls must have the same column names.
func (t *CSVTable) Write(cols []arrowio.Column) error {
	if t.err != nil {
		return t.err
	}
	n, err := csvRows(cols)
	if err != nil {
		return err
	}
	if err := t.checkHeader(cols); err != nil {
		return err
	}
	if workers := runtime.GOMAXPROCS(0); workers > 1 && n > csvParallelRows {
		return t.writeParallel(cols, n, workers)
	}
	for r := 0; r < n; {
		buf := t.buf[:0]
		for ; r < n && len(buf) < csvBlock; r = min(n, r+csvLines) {
			buf = t.f.appendRows(buf, cols, r, min(n, r+csvLines))
		}
		t.buf = buf
		if _, t.err = t.w.Write(buf); t.err != nil {
			return t.err
		}
	}
	return nil
}

// csvParallelRows is the most rows Write formats on one goroutine (a
// variable for the tests); a longer table's lines are formatted on every
// core, csvSpanLines rows a piece, and written in order.
var csvParallelRows = 1 << 15

// csvSpanLines is how many rows a worker of writeParallel formats at a
// time: a whole number of csvLines, so that the pieces are formatted with
// the calls (and bytes) of the one-goroutine loop.
const csvSpanLines = 16 * csvLines

// writeParallel is Write's loop for n rows on workers goroutines: rounds
// of 2×workers pieces formatted beside each other into buffers of their
// own, each round's written in order before the next is formatted (a few
// hundred kB held whatever the table's length).
func (t *CSVTable) writeParallel(cols []arrowio.Column, n, workers int) error {
	pieces := 2 * workers
	bufs := make([][]byte, pieces)
	fmts := make([]csvFormat, pieces)
	for r := 0; r < n; r += pieces * csvSpanLines {
		parallel.For(pieces, workers, func(k int) {
			lo := min(n, r+k*csvSpanLines)
			hi := min(n, lo+csvSpanLines)
			buf := bufs[k][:0]
			for q := lo; q < hi; q += csvLines {
				buf = fmts[k].appendRows(buf, cols, q, min(hi, q+csvLines))
			}
			bufs[k] = buf
		})
		for _, b := range bufs {
			if len(b) == 0 {
				continue
			}
			if _, t.err = t.w.Write(b); t.err != nil {
				return t.err
			}
		}
	}
	return nil
}

// checkHeader writes the header on the first call and checks later
// columns against it.
func (t *CSVTable) checkHeader(cols []arrowio.Column) error {
	if t.header != nil {
		if len(cols) != len(t.header) {
			return fmt.Errorf("pipeline: %d columns after a header of %d", len(cols), len(t.header))
		}
		for i, c := range cols {
			if c.Name != t.header[i] {
				return fmt.Errorf("pipeline: column %d is %q after a header naming %q", i, c.Name, t.header[i])
			}
		}
		return nil
	}
	t.header = make([]string, len(cols))
	line := t.buf[:0]
	for i, c := range cols {
		t.header[i] = c.Name
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, c.Name)
	}
	t.buf = append(line, '\n')
	_, t.err = t.w.Write(t.buf)
	return t.err
}

// writeFormatted appends rows that csvFormat.appendRows formatted for
// columns named as cols (the header, on the first call).
func (t *CSVTable) writeFormatted(cols []arrowio.Column, rows []byte) error {
	if t.err != nil {
		return t.err
	}
	if err := t.checkHeader(cols); err != nil {
		return err
	}
	_, t.err = t.w.Write(rows)
	return t.err
}

// Flush writes buffered rows and reports any write error.
func (t *CSVTable) Flush() error {
	if t.err != nil {
		return t.err
	}
	t.err = t.w.Flush()
	return t.err
}

// csvRows returns the number of rows of cols, or an error if the columns
// differ in length.
func csvRows(cols []arrowio.Column) (int, error) {
	n := -1
	for _, c := range cols {
		l := max(len(c.Int64), len(c.Uint64), len(c.TimeUnixMs), len(c.Float64), len(c.String), len(c.Bool))
		if n >= 0 && l != n {
			return 0, fmt.Errorf("pipeline: column %q has %d rows, others %d", c.Name, l, n)
		}
		if c.Null != nil && len(c.Null) != l {
			return 0, fmt.Errorf("pipeline: column %q has %d rows and %d Null entries", c.Name, l, len(c.Null))
		}
		n = l
	}
	return max(n, 0), nil
}

// csvFormat formats rows of result columns as CSV lines. A float, time or
// string field equal to the one above it in the same call is copied from
// that line's bytes instead of formatted again: per-key tables repeat a
// cell's id and centre on each of its keys' rows. The zero value is ready;
// a csvFormat is not safe for concurrent use.
type csvFormat struct {
	prev []csvSpan
}

// csvSpan is where a column's field of the previous line lies in dst.
type csvSpan struct{ lo, hi int }

// appendRows appends rows [lo, hi) of cols to dst, each line ending in LF.
func (f *csvFormat) appendRows(dst []byte, cols []arrowio.Column, lo, hi int) []byte {
	if cap(f.prev) < len(cols) {
		f.prev = make([]csvSpan, len(cols))
	}
	prev := f.prev[:len(cols)]
	for r := lo; r < hi; r++ {
		for i := range cols {
			c := &cols[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			start := len(dst)
			same := false
			switch {
			case c.Null != nil && c.Null[r]: // unknown: an empty field
			case c.Int64 != nil:
				dst = strconv.AppendInt(dst, c.Int64[r], 10)
			case c.Uint64 != nil:
				dst = strconv.AppendUint(dst, c.Uint64[r], 10)
			case c.TimeUnixMs != nil:
				if same = r > lo && c.TimeUnixMs[r] == c.TimeUnixMs[r-1]; !same {
					dst = appendTimeMs(dst, c.TimeUnixMs[r])
				}
			case c.Float64 != nil:
				v := c.Float64[r]
				if same = r > lo && math.Float64bits(v) == math.Float64bits(c.Float64[r-1]); !same && !math.IsNaN(v) {
					dst = appendFloat(dst, v)
				}
			case c.String != nil:
				if same = r > lo && c.String[r] == c.String[r-1]; !same {
					dst = appendCSVField(dst, c.String[r])
				}
			case c.Bool != nil:
				dst = strconv.AppendBool(dst, c.Bool[r])
			}
			if same {
				// dst[p.lo:p.hi] stays valid if append moves dst: it is
				// read from the old array.
				p := prev[i]
				dst = append(dst, dst[p.lo:p.hi]...)
			}
			prev[i] = csvSpan{start, len(dst)}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// appendFloat appends v as strconv.AppendFloat(dst, v, 'g', -1, 64) does,
// with fast paths for the values per-key tables are full of: integers and
// one-decimal values (signal levels in 0.1 dB) under 10⁶ in magnitude.
//
// Why they are exact: 'g' with the shortest precision writes %e only for
// decimal exponents below -4 or from 6 up, so under 10⁶ an integral v is
// its integer digits, and -0 is left to strconv. If v is not integral but
// x/10 == v for the integer x nearest 10v, the decimal x/10 reads back as v
// (the quotient is correctly rounded), and no shorter decimal does, since
// with fewer digits it would be an integer: so x/10 is the shortest form.
func appendFloat(dst []byte, v float64) []byte {
	if a := math.Abs(v); a < 1e6 {
		if i := int64(v); float64(i) == v {
			if i != 0 || !math.Signbit(v) {
				return strconv.AppendInt(dst, i, 10)
			}
		} else if x := math.Round(v * 10); x/10 == v {
			xi := int64(x)
			if xi < 0 {
				dst = append(dst, '-')
				xi = -xi
			}
			dst = strconv.AppendInt(dst, xi/10, 10)
			return append(dst, '.', byte('0'+xi%10))
		}
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

// Milliseconds since 1970 of 0001-01-01T00:00:00Z and of 10000-01-01:
// appendTimeMs formats the years between itself.
const (
	minTimeMs = -62135596800000
	endTimeMs = 253402300800000
)

// appendTimeMs appends the UTC time ms (milliseconds since 1970) in the
// layout msLayout, as time.UnixMilli(ms).UTC().AppendFormat does; years
// 1..9999 are formatted here (civil date from days, H. Hinnant's
// algorithm), others by the time package.
func appendTimeMs(dst []byte, ms int64) []byte {
	if ms < minTimeMs || ms >= endTimeMs {
		return time.UnixMilli(ms).UTC().AppendFormat(dst, msLayout)
	}
	const msPerDay = 86400000
	days := ms / msPerDay
	rem := ms - days*msPerDay
	if rem < 0 {
		days--
		rem += msPerDay
	}
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11], March first
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
		y++
	}
	sec := rem / 1000
	dst = append(dst,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+sec/36000), byte('0'+sec/3600%10), ':', byte('0'+sec/60%60/10), byte('0'+sec/60%10), ':',
		byte('0'+sec%60/10), byte('0'+sec%10), '.',
		byte('0'+rem%1000/100), byte('0'+rem%100/10), byte('0'+rem%10), 'Z')
	return dst
}

// appendCSVField appends s as encoding/csv writes a field: quoted when it
// holds a comma, quote, CR or LF, begins with a Unicode space, or is \.
// (an end-of-data marker to some readers); quotes are doubled inside.
func appendCSVField(dst []byte, s string) []byte {
	needs := s == `\.`
	for i := 0; i < len(s) && !needs; i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			needs = true
		}
	}
	if !needs && s != "" {
		r, _ := utf8.DecodeRuneInString(s)
		needs = unicode.IsSpace(r)
	}
	if !needs {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// msLayout is the CSV form of times: RFC 3339 UTC with milliseconds.
const msLayout = "2006-01-02T15:04:05.000Z"
