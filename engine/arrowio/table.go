package arrowio

import (
	"fmt"
	"io"
	"runtime"

	"github.com/lomsong/lomsong/engine"
)

// Column is one column of a result table. Exactly one of the value slices
// is set; it decides the Parquet type:
//
//	Int64       INT64
//	Uint64      INT64 annotated UINT_64 (H3 cell indexes)
//	TimeUnixMs  INT64 timestamp(ms, UTC)
//	Float64     nullable DOUBLE; NaN is written as null
//	String      UTF-8 string, dictionary encoded; nullable with EmptyIsNull
//	Bool        BOOLEAN
//
// Int64 and Bool columns become nullable with Null: a row whose Null is
// true is written as null (the Parquet column optional) and its value is
// not read.
//
//	Binary      nullable BYTE_ARRAY without a logical type, plain encoded; a
//	            nil value is written as null (WKB geometries of GeoParquet)
type Column struct {
	Name       string
	Int64      []int64
	Uint64     []uint64
	TimeUnixMs []int64
	Float64    []float64
	String     []string
	Bool       []bool
	Binary     [][]byte
	// EmptyIsNull writes empty strings of String as null.
	EmptyIsNull bool
	// Null, when set (Int64 and Bool columns only, one entry a row),
	// marks the rows whose value is unknown: null in Parquet, an empty
	// field in CSV.
	Null []bool
}

// kind returns the column's layout and length, or an error if not exactly
// one slice is set.
func (c Column) kind() (kind, int, error) {
	var k kind
	n, set := 0, 0
	check := func(kk kind, l int, isSet bool) {
		if isSet {
			k, n = kk, l
			set++
		}
	}
	check(kindInt64, len(c.Int64), c.Int64 != nil)
	check(kindUint64, len(c.Uint64), c.Uint64 != nil)
	check(kindTimeMs, len(c.TimeUnixMs), c.TimeUnixMs != nil)
	check(kindFloat64, len(c.Float64), c.Float64 != nil)
	check(kindString, len(c.String), c.String != nil)
	check(kindBool, len(c.Bool), c.Bool != nil)
	check(kindBinary, len(c.Binary), c.Binary != nil)
	if set != 1 {
		return 0, 0, fmt.Errorf("arrowio: column %q must set exactly one value slice, has %d: %w", c.Name, set, engine.ErrInvalidValue)
	}
	if k == kindString && c.EmptyIsNull {
		k = kindStringNull
	}
	if c.Null != nil {
		switch {
		case k != kindInt64 && k != kindBool:
			return 0, 0, fmt.Errorf("arrowio: column %q: Null is for Int64 and Bool columns: %w", c.Name, engine.ErrInvalidValue)
		case len(c.Null) != n:
			return 0, 0, fmt.Errorf("arrowio: column %q has %d values and %d Null entries: %w", c.Name, n, len(c.Null), engine.ErrInvalidValue)
		case k == kindInt64:
			k = kindInt64Null
		default:
			k = kindBoolNull
		}
	}
	return k, n, nil
}

// TableWriter streams a result table to Parquet: every Write appends rows
// with the same column names and types as the first. It holds at most one
// compressed row group in memory and is not safe for concurrent use. The
// columns of a large Write, and the last pages of a row group, are encoded
// on GOMAXPROCS goroutines; the file's bytes are the same as on one.
type TableWriter struct {
	p      *pqWriter
	fields []field
	w      io.Writer
	cfg    config
	rows   int64
	err    error
}

// NewTableWriter starts a Parquet table on w. meta becomes the file's
// key-value metadata (thresholds, model, resolution); options WithCodec,
// WithRowGroupRows and WithMetadata apply. The schema is fixed by the first
// Write (or by Close, as an empty table with no columns, if none). Close does
// not close w.
func NewTableWriter(w io.Writer, meta map[string]string, opts ...Option) (*TableWriter, error) {
	cfg, err := newConfig(append([]Option{WithMetadata(meta)}, opts...))
	if err != nil {
		return nil, err
	}
	return &TableWriter{w: w, cfg: cfg}, nil
}

// Write appends the rows of cols. All columns must have the same length and
// match the names and types of the first Write; otherwise nothing is written
// and the error wraps engine.ErrInvalidValue.
func (tw *TableWriter) Write(cols []Column) error {
	if tw.err != nil {
		return tw.err
	}
	n, err := tw.check(cols)
	if err != nil {
		return err
	}
	if tw.p == nil {
		if tw.p, err = newPQWriter(tw.w, tw.fields, tw.cfg); err != nil {
			tw.err = err
			return err
		}
		tw.p.workers = runtime.GOMAXPROCS(0)
	}
	for off := 0; off < n; {
		k := min(tw.p.room(), n-off)
		if err := tw.p.eachColumn(k, func(w *pqWriter, i int) error { return writeColumn(w, i, cols[i], off, off+k) }); err != nil {
			tw.err = err
			return err
		}
		off += k
		tw.rows += int64(k)
		if err := tw.p.commit(k); err != nil {
			tw.err = err
			return err
		}
	}
	return nil
}

func (tw *TableWriter) check(cols []Column) (int, error) {
	n := -1
	fields := make([]field, len(cols))
	for i, c := range cols {
		k, l, err := c.kind()
		if err != nil {
			return 0, err
		}
		if n >= 0 && l != n {
			return 0, fmt.Errorf("arrowio: column %q has %d rows, column %q %d: %w", c.Name, l, cols[0].Name, n, engine.ErrInvalidValue)
		}
		n = l
		fields[i] = field{name: c.Name, kind: k, plain: k == kindBinary}
	}
	if tw.fields == nil {
		if len(cols) == 0 {
			return 0, fmt.Errorf("arrowio: table has no columns: %w", engine.ErrInvalidValue)
		}
		tw.fields = fields
		return n, nil
	}
	if len(fields) != len(tw.fields) {
		return 0, fmt.Errorf("arrowio: %d columns, table has %d: %w", len(fields), len(tw.fields), engine.ErrInvalidValue)
	}
	for i, f := range fields {
		if f != tw.fields[i] {
			return 0, fmt.Errorf("arrowio: column %d is %q (type %d), table has %q (type %d): %w", i, f.name, f.kind, tw.fields[i].name, tw.fields[i].kind, engine.ErrInvalidValue)
		}
	}
	return n, nil
}

// writeColumn writes rows lo..hi of c as column i through p.
func writeColumn(p *pqWriter, i int, c Column, lo, hi int) error {
	switch {
	case c.Null != nil && c.Int64 != nil:
		return p.int64sNull(i, c.Int64[lo:hi], c.Null[lo:hi])
	case c.Null != nil:
		return p.boolsNull(i, c.Bool[lo:hi], c.Null[lo:hi])
	case c.Int64 != nil:
		return p.int64s(i, c.Int64[lo:hi])
	case c.Uint64 != nil:
		return p.uint64s(i, c.Uint64[lo:hi])
	case c.TimeUnixMs != nil:
		return p.int64s(i, c.TimeUnixMs[lo:hi])
	case c.Float64 != nil:
		return p.float64s(i, c.Float64[lo:hi])
	case c.String != nil:
		return stringsTo(p, i, c.String[lo:hi])
	case c.Binary != nil:
		return p.binaries(i, c.Binary[lo:hi])
	default:
		return p.bools(i, c.Bool[lo:hi])
	}
}

// Rows returns the number of rows written so far.
func (tw *TableWriter) Rows() int64 { return tw.rows }

// Close writes the last row group and the footer.
func (tw *TableWriter) Close() error {
	if tw.p == nil {
		if tw.err != nil {
			return tw.err
		}
		return fmt.Errorf("arrowio: table closed before its first Write: %w", engine.ErrInvalidValue)
	}
	err := tw.p.close()
	if tw.err != nil {
		return tw.err
	}
	return err
}

// WriteTable writes cols as one Parquet table with meta as its key-value
// metadata. Options as for NewTableWriter.
func WriteTable(w io.Writer, cols []Column, meta map[string]string, opts ...Option) error {
	tw, err := NewTableWriter(w, meta, opts...)
	if err != nil {
		return err
	}
	if err := tw.Write(cols); err != nil {
		return err
	}
	return tw.Close()
}
