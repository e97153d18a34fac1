package arrowio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/lomsong/lomsong/engine"
)

// Format is a columnar file format told by its first bytes.
type Format uint8

// Formats Sniff tells apart.
const (
	FormatUnknown   Format = iota
	FormatParquet          // starts with "PAR1"
	FormatIPCFile          // Arrow IPC file: starts with "ARROW1"
	FormatIPCStream        // Arrow IPC stream: starts with the 0xFFFFFFFF continuation marker
)

// String returns "parquet", "arrow-file", "arrow-stream" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatParquet:
		return "parquet"
	case FormatIPCFile:
		return "arrow-file"
	case FormatIPCStream:
		return "arrow-stream"
	}
	return "unknown"
}

// SniffLen is the number of leading bytes Sniff needs.
const SniffLen = 6

// Sniff tells the format of a file from its first bytes (SniffLen suffice).
func Sniff(header []byte) Format {
	switch {
	case bytes.HasPrefix(header, []byte("PAR1")):
		return FormatParquet
	case bytes.HasPrefix(header, []byte("ARROW1")):
		return FormatIPCFile
	case bytes.HasPrefix(header, []byte{0xff, 0xff, 0xff, 0xff}):
		return FormatIPCStream
	}
	return FormatUnknown
}

// recordSource is what pqarrow's record reader and ipc.Reader share.
type recordSource interface {
	Next() bool
	Record() arrow.Record
	Err() error
	Release()
}

// TableReader yields the rows of a Parquet or Arrow IPC table of any
// columns as strings, for the ingest layer to validate. Values are rendered
// as the ingest parser accepts them: integers in decimal, floats in the
// shortest form that round-trips (strconv 'g', -1), timestamps as RFC 3339
// UTC with milliseconds (finer units are truncated; timestamps without a
// time zone are taken as UTC), dates as YYYY-MM-DD, booleans as true/false,
// dictionary values by their value, other types as arrow renders them, and
// null as "". It holds one batch of rows and the arrow record they come
// from. It is not safe for concurrent use.
type TableReader struct {
	src       recordSource
	cols      []string
	meta      map[string]string
	batchRows int

	rec    arrow.Record
	recOff int // next row of rec

	rows  [][]string
	cells []string
	ends  []int // end offsets of the rendered cells in arena
	arena []byte
	row   int64 // rows yielded, including the current batch
	// declared is the row count a Parquet footer declares (-1 for Arrow
	// IPC, which has none): reaching the end with fewer rows is an error.
	declared int64
	err      error
	closed   bool
}

// OpenTable opens a Parquet table of size bytes on r. Options:
// WithBatchRows. The error wraps engine.ErrUnsupportedFormat if r does not
// hold a readable Parquet file.
func OpenTable(r io.ReaderAt, size int64, opts ...Option) (*TableReader, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	f, err := openParquet(r, size)
	if err != nil {
		return nil, err
	}
	t := &TableReader{batchRows: cfg.batchRows, meta: map[string]string{}, declared: f.NumRows()}
	err = guard(func() error {
		fr, err := pqarrow.NewFileReader(f, pqarrow.ArrowReadProperties{BatchSize: int64(cfg.batchRows)}, memory.DefaultAllocator)
		if err != nil {
			return err
		}
		sc, err := fr.Schema()
		if err != nil {
			return err
		}
		for _, fd := range sc.Fields() {
			t.cols = append(t.cols, fd.Name)
		}
		for _, kv := range f.MetaData().KeyValueMetadata() {
			if kv.Key == "ARROW:schema" {
				continue
			}
			if kv.Value != nil {
				t.meta[kv.Key] = *kv.Value
			} else {
				t.meta[kv.Key] = ""
			}
		}
		rr, err := fr.GetRecordReader(context.Background(), nil, nil)
		if err != nil {
			return err
		}
		t.src = rr
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("arrowio: parquet table: %w (%w)", err, engine.ErrUnsupportedFormat)
	}
	return t, nil
}

// OpenIPC opens an Arrow IPC table in the file or the stream format, told
// apart by the first bytes, reading r front to back. A file is read through
// the stream it embeds, so r need not be seekable; its footer is not
// consulted. IPC formats older than Arrow 0.15 (no continuation markers)
// are not supported. A reader holds the record batch being rendered, whose
// size the file's writer chose. Options: WithBatchRows.
func OpenIPC(r io.Reader, opts ...Option) (*TableReader, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, maxIPCMetadata+8)
	head, _ := br.Peek(8)
	var mr ipc.MessageReader
	switch Sniff(head) {
	case FormatIPCFile:
		if len(head) < 8 {
			return nil, fmt.Errorf("arrowio: arrow file shorter than its magic: %w", engine.ErrUnsupportedFormat)
		}
		br.Discard(8) // "ARROW1" and two bytes of padding
		mr = &footerStop{MessageReader: ipc.NewMessageReader(br, ipc.WithAllocator(ipcAllocator)), r: br}
	case FormatIPCStream:
		mr = &footerStop{MessageReader: ipc.NewMessageReader(br, ipc.WithAllocator(ipcAllocator)), r: br}
	default:
		return nil, fmt.Errorf("arrowio: not an arrow ipc file or stream: %w", engine.ErrUnsupportedFormat)
	}
	t := &TableReader{batchRows: cfg.batchRows, meta: map[string]string{}, declared: -1}
	err = guard(func() error {
		rd, err := ipc.NewReaderFromMessageReader(mr, ipc.WithAllocator(ipcAllocator))
		if err != nil {
			return err
		}
		sc := rd.Schema()
		for _, fd := range sc.Fields() {
			t.cols = append(t.cols, fd.Name)
		}
		md := sc.Metadata()
		for i, k := range md.Keys() {
			t.meta[k] = md.Values()[i]
		}
		t.src = rd
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("arrowio: arrow ipc: %w (%w)", err, engine.ErrUnsupportedFormat)
	}
	return t, nil
}

// footerStop ends an IPC message stream where the next bytes are not a
// message: the EOS marker, the end of input, or an IPC file's footer (which
// follows the embedded stream without an EOS marker when the file's writer
// omits it). The underlying message reader reads exactly one message per
// call, so peeking at the buffered reader sees the next message's start.
type footerStop struct {
	ipc.MessageReader
	r    *bufio.Reader
	done bool
}

func (f *footerStop) Message() (*ipc.Message, error) {
	if f.done {
		return nil, io.EOF
	}
	b, err := f.r.Peek(8)
	if len(b) < 8 || binary.LittleEndian.Uint32(b) != 0xffffffff {
		f.done = true
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, io.EOF
	}
	n := int32(binary.LittleEndian.Uint32(b[4:]))
	if n < 0 || n > maxIPCMetadata {
		f.done = true
		return nil, fmt.Errorf("arrowio: ipc message metadata of %d bytes: %w", n, engine.ErrUnsupportedFormat)
	}
	if n == 0 {
		return f.MessageReader.Message() // the end-of-stream marker
	}
	meta, err := f.r.Peek(8 + int(n))
	if err != nil {
		f.done = true
		return nil, fmt.Errorf("arrowio: ipc message metadata of %d bytes: %w (%w)", n, err, engine.ErrUnsupportedFormat)
	}
	if err := checkIPCMetadata(meta[8:]); err != nil {
		f.done = true
		return nil, fmt.Errorf("arrowio: %w: %w", err, engine.ErrUnsupportedFormat)
	}
	return f.MessageReader.Message()
}

// MaxIPCAllocation bounds one buffer the Arrow IPC reader may allocate. The
// library allocates a message body of the length its header declares
// before reading it, so a corrupt or hostile header could ask for any
// size (the fuzzer found a 32 GiB request in a 128-byte input). Record
// batches of contract tables stay far below 1 GiB.
const MaxIPCAllocation = 1 << 30

// ipcAllocator is the allocator of every IPC read: the default allocator
// with MaxIPCAllocation enforced.
var ipcAllocator = cappedAllocator{Allocator: memory.DefaultAllocator, max: MaxIPCAllocation}

// cappedAllocator refuses allocations above max by panicking; the calls
// into the library run under guard, which turns the panic into an error.
type cappedAllocator struct {
	memory.Allocator
	max int
}

func (a cappedAllocator) Allocate(n int) []byte {
	if n > a.max {
		panic(fmt.Sprintf("ipc buffer of %d bytes exceeds the %d-byte limit", n, a.max))
	}
	return a.Allocator.Allocate(n)
}

func (a cappedAllocator) Reallocate(n int, b []byte) []byte {
	if n > a.max {
		panic(fmt.Sprintf("ipc buffer of %d bytes exceeds the %d-byte limit", n, a.max))
	}
	return a.Allocator.Reallocate(n, b)
}

// maxIPCMetadata bounds one IPC message header (schemas of thousands of
// columns stay far below it). The whole header is peeked and checked
// (checkIPCMetadata) before the library reads it, so the buffered reader
// holds at least this much.
const maxIPCMetadata = 1 << 20

// Columns returns the column names in file order.
func (t *TableReader) Columns() []string { return t.cols }

// Metadata returns the file's key-value metadata (Parquet) or schema
// metadata (Arrow IPC). The Parquet "ARROW:schema" entry is left out.
func (t *TableReader) Metadata() map[string]string { return t.meta }

// Rows returns the current batch: one slice of len(Columns()) strings per
// row. The slices and strings are reused or replaced by the next call to
// Next; copy what must outlive it.
func (t *TableReader) Rows() [][]string { return t.rows }

// RowNumber returns the 1-based row number in the file of row i of the
// current batch, for quarantine reports.
func (t *TableReader) RowNumber(i int) int64 { return t.row - int64(len(t.rows)) + int64(i) + 1 }

// Err returns the first error met by Next.
func (t *TableReader) Err() error { return t.err }

// Close releases the arrow memory held by the reader.
func (t *TableReader) Close() error {
	if !t.closed {
		t.closed = true
		if t.rec != nil {
			t.rec.Release()
			t.rec = nil
		}
		if t.src != nil {
			t.src.Release()
		}
	}
	return nil
}

// Next renders the next batch of at most the batch size rows. It returns
// false at the end of the table or on error.
func (t *TableReader) Next() bool {
	if t.err != nil || t.closed {
		return false
	}
	t.err = guard(func() error {
		for t.rec == nil || int64(t.recOff) >= t.rec.NumRows() {
			if t.rec != nil {
				t.rec.Release()
				t.rec = nil
			}
			if !t.src.Next() {
				if err := t.src.Err(); err != nil && !errors.Is(err, io.EOF) {
					return err
				}
				if t.declared >= 0 && t.row != t.declared {
					return fmt.Errorf("the footer declares %d rows, the file ended after %d: %w", t.declared, t.row, engine.ErrUnsupportedFormat)
				}
				return nil
			}
			t.rec = t.src.Record()
			t.rec.Retain()
			t.recOff = 0
			if int(t.rec.NumCols()) != len(t.cols) {
				return fmt.Errorf("record of %d columns in a table of %d", t.rec.NumCols(), len(t.cols))
			}
			if n, b := t.rec.NumRows(), recordBytes(t.rec); n > 8*b {
				return fmt.Errorf("record of %d rows whose columns hold %d bytes: rows without values: %w", n, b, engine.ErrUnsupportedFormat)
			}
		}
		n := int(min(int64(t.batchRows), t.rec.NumRows()-int64(t.recOff)))
		n = t.render(t.rec, t.recOff, n)
		t.recOff += n
		t.row += int64(n)
		return nil
	})
	if t.err != nil {
		t.err = fmt.Errorf("arrowio: after row %d: %w", t.row, t.err)
		t.rows = t.rows[:0]
		return false
	}
	return t.rec != nil
}

// recordBytes returns the bytes of every buffer behind rec's columns, their
// children and dictionaries. A record's length is only declared: a record
// with no columns, or with columns of the null type alone, holds no bytes
// whatever length it declares (the fuzzer found 68,719,476,736 rows in a
// 296-byte stream, rendered 7 rows at a time for ever). A row of the types
// tables are written in takes at least one bit of some buffer (a validity
// bit or a value), so a record declaring more than 8 rows a byte is
// refused; the types that can hold rows without bytes (null, a struct of
// no fields, run-end encoding) hold no measurements either.
func recordBytes(rec arrow.Record) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	if d == nil {
		return 0
	}
	if dd, ok := d.(*array.Data); ok && dd == nil { // Dictionary() of an undictionaried array
		return 0
	}
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	if dict := d.Dictionary(); dict != nil {
		n += dataBytes(dict)
	}
	return n
}

// maxBatchBytes bounds the text of one batch of rendered rows: a batch
// ends at the row that reaches it (a row larger than it is a batch of its
// own), so that values of megabytes, which Parquet stores in a few bytes
// when they repeat (a dictionary of one value, or compressed), do not cost
// the batch size times their size: 8,192 rows of a 1 MiB value are 8 GiB
// of text, twice over, from a file of kilobytes.
const maxBatchBytes = 16 << 20

// render formats rows off.. of rec, at most n of them and fewer when their
// text reaches maxBatchBytes, into t.rows, row by row, into one arena that
// becomes one string. It returns the rows rendered (at least one).
func (t *TableReader) render(rec arrow.Record, off, n int) int {
	nc := len(t.cols)
	t.arena = t.arena[:0]
	t.ends = grow(t.ends, n*nc)
	cols := rec.Columns()
	rows := 0
	for i := 0; i < n; i++ {
		for j := 0; j < nc; j++ {
			t.arena = appendValue(t.arena, cols[j], off+i)
			t.ends[i*nc+j] = len(t.arena)
		}
		rows++
		if len(t.arena) >= maxBatchBytes {
			break
		}
	}
	n = rows
	s := string(t.arena)
	if cap(t.arena) > 2*maxBatchBytes {
		t.arena = nil // a batch of one huge row keeps no arena of its size
	}
	t.cells = grow(t.cells, n*nc)
	if cap(t.rows) < n {
		t.rows = make([][]string, n)
	}
	t.rows = t.rows[:n]
	start := 0
	for k := range n * nc {
		t.cells[k] = s[start:t.ends[k]]
		start = t.ends[k]
	}
	for i := range t.rows {
		t.rows[i] = t.cells[i*nc : (i+1)*nc : (i+1)*nc]
	}
	return n
}

const rfc3339Milli = "2006-01-02T15:04:05.000Z07:00"

// wallClockMilli renders a timestamp without a time zone: its wall clock,
// no offset.
const wallClockMilli = "2006-01-02T15:04:05.000"

// appendFloat appends v as the shortest decimal that reads back as it,
// without an exponent from 10⁻⁵ to 10²¹ ("1729000123", not
// "1.729000123e+09": a Unix time, a cell id or an ARFCN stored as a float
// reads as the number a CSV file would hold); beyond, with one.
func appendFloat(dst []byte, v float64, bits int) []byte {
	if a := math.Abs(v); v == 0 || (a >= 1e-5 && a < 1e21) {
		return strconv.AppendFloat(dst, v, 'f', -1, bits)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, bits)
}

// appendValue appends the ingest rendering of a[i] to dst.
func appendValue(dst []byte, a arrow.Array, i int) []byte {
	// A column of the null type (pandas' and pyarrow's type for a column
	// None on every row) has no validity bitmap, so IsNull says false and
	// ValueStr "(null)": every value is missing.
	if a.IsNull(i) || a.DataType().ID() == arrow.NULL {
		return dst
	}
	switch a := a.(type) {
	case *array.Int8:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Uint8:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Uint32:
		return strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(dst, a.Value(i), 10)
	case *array.Float16:
		return appendFloat(dst, float64(a.Value(i).Float32()), 32)
	case *array.Float32:
		return appendFloat(dst, float64(a.Value(i)), 32)
	case *array.Float64:
		return appendFloat(dst, a.Value(i), 64)
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	case *array.String:
		return append(dst, a.Value(i)...)
	case *array.LargeString:
		return append(dst, a.Value(i)...)
	case *array.StringView:
		return append(dst, a.Value(i)...)
	case *array.Binary:
		return append(dst, a.Value(i)...)
	case *array.LargeBinary:
		return append(dst, a.Value(i)...)
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		if tt.TimeZone == "" {
			// A timestamp "not adjusted to UTC" (Parquet's
			// isAdjustedToUTC=false; pandas' naive datetimes) is a wall
			// clock in no zone: written without an offset, so that it is
			// read in the mapping's time zone (Vietnam time by default)
			// and counted as a time without offset, as in a CSV file.
			return a.Value(i).ToTime(tt.Unit).UTC().AppendFormat(dst, wallClockMilli)
		}
		return a.Value(i).ToTime(tt.Unit).UTC().AppendFormat(dst, rfc3339Milli)
	case *array.Date32:
		return a.Value(i).ToTime().UTC().AppendFormat(dst, time.DateOnly)
	case *array.Date64:
		return a.Value(i).ToTime().UTC().AppendFormat(dst, time.DateOnly)
	case *array.Dictionary:
		return appendValue(dst, a.Dictionary(), a.GetValueIndex(i))
	}
	return append(dst, a.ValueStr(i)...)
}
