package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Records is a stream of rows from one input table, each row as the
// strings of its fields. Implementations: CSV (this package) and Parquet
// or Arrow IPC through package arrowio.
type Records interface {
	// Header returns the column names (for a headerless format, the names
	// the format defines).
	Header() []string
	// Next advances to the next row; false at the end or on a fatal error.
	Next() bool
	// Record returns the fields of the current row. The slice is reused by
	// the next call to Next. A row that could not be split into fields has
	// a nil record and a non-nil RowErr.
	Record() []string
	// RowErr is the per-row problem (a malformed CSV line), or nil.
	RowErr() error
	// Line returns the 1-based position of the current row in the source:
	// the line number for CSV (counting the header), the row number for
	// columnar files.
	Line() int64
	// Err returns the error that stopped the stream, if any.
	Err() error
}

// Format is an input file format.
type Format int

// Formats recognised by Sniff.
const (
	FormatUnknown Format = iota
	FormatCSV
	FormatParquet
	FormatArrowFile
	FormatArrowStream
)

func (f Format) String() string {
	return [...]string{"unknown", "csv", "parquet", "arrow-file", "arrow-stream"}[f]
}

// MaybeGunzip returns a reader that transparently decompresses r when it
// starts with the gzip magic bytes, and reports whether it did.
func MaybeGunzip(r io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, true, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(true)
		return zr, true, nil
	}
	return br, false, nil
}

// Sniff tells the format from the first bytes of a (decompressed) file.
func Sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return FormatParquet
	case bytes.HasPrefix(head, []byte("ARROW1")):
		return FormatArrowFile
	case len(head) >= 4 && head[0] == 0xff && head[1] == 0xff && head[2] == 0xff && head[3] == 0xff:
		return FormatArrowStream
	}
	return FormatCSV
}

// CSVOptions configure NewCSV.
type CSVOptions struct {
	// Comma is the field delimiter; 0 sniffs ',' or ';' from the header line.
	Comma rune
	// Header, when non-nil, names the columns of a headerless file; the
	// first line is then a data row.
	Header []string
}

// CSV reads a delimited text table. It strips a UTF-8 byte-order mark,
// sniffs ',' versus ';' from the header line, accepts quoted fields and
// CRLF line ends, and reports a malformed line as a row error rather than
// stopping.
type CSV struct {
	cr     *csv.Reader
	header []string
	rec    []string
	rowErr error
	line   int64
	err    error
	done   bool
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// ErrEmptyInput is returned for a table with no header line.
var ErrEmptyInput = errors.New("empty input: no header line")

// NewCSV starts reading a CSV table from r.
func NewCSV(r io.Reader, opt CSVOptions) (*CSV, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3)
	}
	comma := opt.Comma
	if comma == 0 {
		comma = sniffDelimiter(br)
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	c := &CSV{cr: cr}
	if opt.Header != nil {
		c.header = append([]string(nil), opt.Header...)
		return c, nil
	}
	h, err := cr.Read()
	if err == io.EOF {
		return nil, ErrEmptyInput
	}
	if err != nil {
		return nil, fmt.Errorf("header line: %w", err)
	}
	c.line = 1
	c.header = make([]string, len(h))
	for i, s := range h {
		c.header[i] = strings.TrimSpace(s)
	}
	return c, nil
}

// sniffDelimiter counts commas and semicolons outside quotes on the first
// line and picks the more frequent (comma on a tie).
func sniffDelimiter(br *bufio.Reader) rune {
	buf, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i]
	}
	inQ := false
	commas, semis := 0, 0
	for _, b := range buf {
		switch b {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				commas++
			}
		case ';':
			if !inQ {
				semis++
			}
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// Header implements Records.
func (c *CSV) Header() []string { return c.header }

// Next implements Records.
func (c *CSV) Next() bool {
	if c.done {
		return false
	}
	rec, err := c.cr.Read()
	c.rowErr = nil
	switch {
	case err == io.EOF:
		c.done = true
		return false
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			c.rec = nil
			c.rowErr = pe.Err
			c.line = int64(pe.StartLine)
			return true
		}
		c.err = err
		c.done = true
		return false
	}
	line, _ := c.cr.FieldPos(0)
	c.line = int64(line)
	c.rec = rec
	return true
}

// Record implements Records.
func (c *CSV) Record() []string { return c.rec }

// RowErr implements Records.
func (c *CSV) RowErr() error { return c.rowErr }

// Line implements Records.
func (c *CSV) Line() int64 { return c.line }

// Err implements Records.
func (c *CSV) Err() error { return c.err }
