package arrowio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/schema"

	"github.com/lomsong/lomsong/engine"
)

// kind is the physical and logical layout of a column this package writes.
type kind uint8

const (
	kindInt64      kind = iota + 1 // required INT64
	kindUint64                     // required INT64 annotated UINT_64
	kindTimeMs                     // required INT64 timestamp(ms, UTC)
	kindFloat64                    // optional DOUBLE; NaN ⇄ null
	kindString                     // required UTF-8 string
	kindStringNull                 // optional UTF-8 string; "" ⇄ null
	kindBool                       // required BOOLEAN
	kindBinary                     // optional BYTE_ARRAY; nil ⇄ null
	kindInt64Null                  // optional INT64; Column.Null ⇄ null
	kindBoolNull                   // optional BOOLEAN; Column.Null ⇄ null
)

type field struct {
	name  string
	kind  kind
	enum  bool // string column written as dictionary indices (pqdict.go)
	plain bool // string column written without a dictionary
}

func (k kind) node(name string) (schema.Node, error) {
	req, opt := parquet.Repetitions.Required, parquet.Repetitions.Optional
	switch k {
	case kindInt64:
		return schema.NewPrimitiveNode(name, req, parquet.Types.Int64, -1, -1)
	case kindUint64:
		return schema.NewPrimitiveNodeLogical(name, req, schema.NewIntLogicalType(64, false), parquet.Types.Int64, -1, -1)
	case kindTimeMs:
		return schema.NewPrimitiveNodeLogical(name, req, schema.NewTimestampLogicalType(true, schema.TimeUnitMillis), parquet.Types.Int64, -1, -1)
	case kindFloat64:
		return schema.NewPrimitiveNode(name, opt, parquet.Types.Double, -1, -1)
	case kindString:
		return schema.NewPrimitiveNodeLogical(name, req, schema.StringLogicalType{}, parquet.Types.ByteArray, -1, -1)
	case kindStringNull:
		return schema.NewPrimitiveNodeLogical(name, opt, schema.StringLogicalType{}, parquet.Types.ByteArray, -1, -1)
	case kindBool:
		return schema.NewPrimitiveNode(name, req, parquet.Types.Boolean, -1, -1)
	case kindBinary:
		return schema.NewPrimitiveNode(name, opt, parquet.Types.ByteArray, -1, -1)
	case kindInt64Null:
		return schema.NewPrimitiveNode(name, opt, parquet.Types.Int64, -1, -1)
	case kindBoolNull:
		return schema.NewPrimitiveNode(name, opt, parquet.Types.Boolean, -1, -1)
	}
	return nil, fmt.Errorf("arrowio: column %q has no type", name)
}

// pqWriter writes columns of a fixed schema into row groups of bounded size.
// Each Write* call appends rows to one column of the current row group;
// commit(n) declares that every column received n more rows.
type pqWriter struct {
	fw      *file.Writer
	sink    *sink
	rg      file.BufferedRowGroupWriter
	rgRows  int
	maxRows int
	fields  []field
	closed  bool

	defs  []int16
	f64   []float64
	ba    []parquet.ByteArray
	idx   []int32
	valid []byte

	// workers, when above 1, encodes the columns of a row group on that
	// many goroutines (eachColumn); views are their pqWriters.
	workers int
	views   []*pqWriter
}

// parallelRows is the least number of rows whose columns eachColumn
// encodes on several goroutines; fewer are not worth the hand-over.
const parallelRows = 4096

// eachColumn calls f(w, i) for every column i: in column order on p, or,
// when p.workers > 1 and rows ≥ parallelRows, on up to p.workers
// goroutines, each with a view w of p (the current row group, scratch
// buffers of its own). A buffered row group's column writers share no
// state while values are written and pages built (each has its own
// encoder, statistics and in-memory page sink; the codecs are safe for
// concurrent use), and the file's bytes are laid out when the row group
// closes, column after column, so they are the same either way. It
// returns the error of the first column that failed.
func (p *pqWriter) eachColumn(rows int, f func(w *pqWriter, i int) error) error {
	n := len(p.fields)
	if p.workers <= 1 || rows < parallelRows || n < 2 {
		for i := range n {
			if err := f(p, i); err != nil {
				return err
			}
		}
		return nil
	}
	workers := min(p.workers, n)
	if len(p.views) < workers {
		p.views = append(p.views, p)
		for len(p.views) < workers {
			p.views = append(p.views, &pqWriter{fields: p.fields})
		}
	}
	errs := make([]error, n)
	var next atomic.Int32
	var wg sync.WaitGroup
	for _, v := range p.views[:workers] {
		v.rg = p.rg
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				errs[i] = f(v, i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// pageFlusher is the part of the library's column writers that builds the
// page of the values written so far.
type pageFlusher interface {
	EstimatedBufferedValueBytes() int64
	FlushCurrentPage() error
}

// flushPages builds (encodes, compresses) the last page of every column
// not dictionary encoded on eachColumn's goroutines, so that closing the
// row group, column after column, only lays out finished pages: the same
// pages Close would build, as Close builds the page of the values still
// buffered. A column with no value buffered, or dictionary encoded (its
// encoder's estimate is not zero when empty, and an empty page must not
// be built), is left to Close.
func (p *pqWriter) flushPages() error {
	return p.eachColumn(p.rgRows, func(_ *pqWriter, i int) error {
		cw, err := p.column(i)
		if err != nil {
			return err
		}
		fl, ok := cw.(pageFlusher)
		if !ok || cw.CurrentEncoder().Encoding() != parquet.Encodings.Plain || fl.EstimatedBufferedValueBytes() == 0 {
			return nil
		}
		return p.wrap(i, fl.FlushCurrentPage())
	})
}

// maxDictPageBytes bounds a chunk's dictionary page (see newPQWriter):
// 1 GiB, half the format's int32 page size. A row group of
// DefaultRowGroupRows distinct strings reaches it only past 1 KiB a value.
const maxDictPageBytes = 1 << 30

func newPQWriter(w io.Writer, fields []field, cfg config) (*pqWriter, error) {
	nodes := make(schema.FieldList, len(fields))
	seen := make(map[string]bool, len(fields))
	codec := compress.Codecs.Zstd
	switch cfg.codec {
	case Snappy:
		codec = compress.Codecs.Snappy
	case LZ4Raw:
		codec = lz4Raw
	}
	props := []parquet.WriterProperty{
		parquet.WithCompression(codec),
		parquet.WithDictionaryDefault(false),
		parquet.WithDataPageSize(int64(cfg.pageBytes)),
		// A dictionary column never falls back to plain pages within a
		// chunk: the library writes the chunk's page-encoding counts of a
		// fallback (dictionary and plain pages) in a map's order, so the
		// same table gave different footers from run to run. A row group
		// holds at most rowGroupRows values, so its dictionary is bounded
		// by the chunk's own data; maxDictPageBytes keeps the page under
		// the format's 2 GiB page header limit.
		parquet.WithDictionaryPageSizeLimit(maxDictPageBytes),
		parquet.WithCreatedBy("lomsong"),
		parquet.WithAllocator(memory.DefaultAllocator),
	}
	for i, f := range fields {
		if f.name == "" || seen[f.name] {
			return nil, fmt.Errorf("arrowio: column name %q empty or repeated: %w", f.name, engine.ErrInvalidValue)
		}
		seen[f.name] = true
		n, err := f.kind.node(f.name)
		if err != nil {
			return nil, err
		}
		nodes[i] = n
		switch {
		case f.enum:
			props = append(props, parquet.WithDictionaryFor(f.name, true), parquet.WithStatsFor(f.name, false))
		case f.plain:
		case f.kind == kindString || f.kind == kindStringNull:
			props = append(props, parquet.WithDictionaryFor(f.name, true))
		}
	}
	props = append(props, cfg.pqProps...)
	root, err := schema.NewGroupNode("schema", parquet.Repetitions.Required, nodes, -1)
	if err != nil {
		return nil, fmt.Errorf("arrowio: schema: %w", err)
	}
	sk := &sink{w: w}
	fw, err := newFileWriter(sk, root, parquet.NewWriterProperties(props...))
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(cfg.meta))
	for k := range cfg.meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fw.AppendKeyValueMetadata(k, cfg.meta[k]); err != nil {
			return nil, fmt.Errorf("arrowio: metadata %q: %w", k, err)
		}
	}
	return &pqWriter{fw: fw, sink: sk, maxRows: cfg.rowGroupRows, fields: fields}, nil
}

// newFileWriter starts a Parquet file on sk: the library writes its magic
// number at once, and panics when that write fails.
func newFileWriter(sk *sink, root *schema.GroupNode, props *parquet.WriterProperties) (fw *file.Writer, err error) {
	defer sk.recovered(&err)
	return file.NewParquetWriter(sk, root, file.WithWriterProps(props)), nil
}

// sink is the destination of a pqWriter's file. It keeps the first error
// the destination returns (a short write is io.ErrShortWrite) and returns
// it for every later write, so that a file is never continued past a gap.
//
// arrow/go v17 panics on some failed writes (the magic number of a new
// file): the calls into the library that write defer recovered, which
// turns a panic into the destination's error when a write has failed.
// A panic with no failed write is a programming error and goes on.
type sink struct {
	w   io.Writer
	err error
}

func (s *sink) Write(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.err = err
	}
	return n, err
}

// Close closes the destination when it is an io.Closer, as the library
// does with the writer it is given (the file writer's Close calls it).
func (s *sink) Close() error {
	if c, ok := s.w.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// recovered, deferred (itself, so that its recover applies) around a call
// into the library that writes, sets *err to the destination's error when
// the call panicked after a write failed. It recovers nothing otherwise:
// recover is called only then.
func (s *sink) recovered(err *error) {
	if s.err == nil {
		return
	}
	if recover() != nil {
		// The panic is the library giving up after the failed write.
		*err = fmt.Errorf("arrowio: writing parquet: %w", s.err)
	}
}

// room opens a row group if none is open and returns how many more rows it
// takes.
func (p *pqWriter) room() int {
	if p.rg == nil {
		p.rg = p.fw.AppendBufferedRowGroup()
		p.rgRows = 0
	}
	return p.maxRows - p.rgRows
}

// commit records n rows written to every column and closes the row group
// when it is full.
func (p *pqWriter) commit(n int) error {
	p.rgRows += n
	if p.rgRows >= p.maxRows {
		return p.closeRowGroup()
	}
	return nil
}

func (p *pqWriter) closeRowGroup() (err error) {
	if p.rg == nil {
		return nil
	}
	if p.workers > 1 {
		if err := p.flushPages(); err != nil {
			return err
		}
	}
	rg := p.rg
	p.rg = nil
	defer p.sink.recovered(&err)
	err = rg.Close()
	if err != nil {
		return fmt.Errorf("arrowio: closing row group: %w", err)
	}
	return nil
}

func (p *pqWriter) close() (err error) {
	if p.closed {
		return nil
	}
	p.closed = true
	err = p.closeRowGroup()
	defer p.sink.recovered(&err)
	if cerr := p.fw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("arrowio: closing parquet file: %w", cerr)
	}
	if err == nil && p.sink.err != nil {
		// arrow/go v17's Writer.Close drops the error of writing the
		// footer (its deferred cleanup sees the nil of "return nil").
		err = fmt.Errorf("arrowio: closing parquet file: %w", p.sink.err)
	}
	return err
}

func (p *pqWriter) column(i int) (file.ColumnChunkWriter, error) {
	cw, err := p.rg.Column(i)
	if err != nil {
		return nil, fmt.Errorf("arrowio: column %q: %w", p.fields[i].name, err)
	}
	return cw, nil
}

func (p *pqWriter) wrap(i int, err error) error {
	if err != nil {
		return fmt.Errorf("arrowio: writing column %q: %w", p.fields[i].name, err)
	}
	return nil
}

func (p *pqWriter) int64s(i int, v []int64) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(v, nil, nil)
	return p.wrap(i, err)
}

func (p *pqWriter) uint64s(i int, v []uint64) error {
	return p.int64s(i, unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(v))), len(v)))
}

func (p *pqWriter) bools(i int, v []bool) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	_, err = cw.(*file.BooleanColumnChunkWriter).WriteBatch(v, nil, nil)
	return p.wrap(i, err)
}

// nullDefs fills p.defs with the definition levels of a nullable column's
// rows (0 where null) and returns them with the number of values.
func (p *pqWriter) nullDefs(null []bool) ([]int16, int) {
	p.defs = grow(p.defs, len(null))
	defs, n := p.defs, 0
	for j, isNull := range null {
		defs[j] = 1
		if isNull {
			defs[j] = 0
			continue
		}
		n++
	}
	return defs, n
}

// int64sNull writes an optional INT64 column: the values of v whose null
// is false, the others as null.
func (p *pqWriter) int64sNull(i int, v []int64, null []bool) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	defs, n := p.nullDefs(null)
	vals := make([]int64, 0, n)
	for j, x := range v {
		if !null[j] {
			vals = append(vals, x)
		}
	}
	_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(vals, defs, nil)
	return p.wrap(i, err)
}

// boolsNull writes an optional BOOLEAN column as int64sNull does.
func (p *pqWriter) boolsNull(i int, v []bool, null []bool) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	defs, n := p.nullDefs(null)
	vals := make([]bool, 0, n)
	for j, x := range v {
		if !null[j] {
			vals = append(vals, x)
		}
	}
	_, err = cw.(*file.BooleanColumnChunkWriter).WriteBatch(vals, defs, nil)
	return p.wrap(i, err)
}

// float64s writes an optional double column; NaN becomes null.
func (p *pqWriter) float64s(i int, v []float64) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	p.defs = grow(p.defs, len(v))
	p.f64 = grow(p.f64, len(v))
	defs, vals := p.defs, p.f64[:0]
	for j, x := range v {
		if math.IsNaN(x) {
			defs[j] = 0
			continue
		}
		defs[j] = 1
		vals = append(vals, x)
	}
	_, err = cw.(*file.Float64ColumnChunkWriter).WriteBatch(vals, defs, nil)
	return p.wrap(i, err)
}

// byteArrays writes a string column from p.ba[:n]. For an optional column an
// empty value is written as null.
func (p *pqWriter) byteArrays(i int, n int) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	vals := p.ba[:n]
	var defs []int16
	if p.fields[i].kind == kindStringNull {
		p.defs = grow(p.defs, n)
		defs = p.defs
		k := 0
		for j, b := range vals {
			if len(b) == 0 {
				defs[j] = 0
				continue
			}
			defs[j] = 1
			vals[k] = b
			k++
		}
		vals = vals[:k]
	}
	_, err = cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(vals, defs, nil)
	return p.wrap(i, err)
}

// binaries writes an optional binary column; a nil value becomes null (an
// empty non-nil value stays an empty value).
func (p *pqWriter) binaries(i int, v [][]byte) error {
	cw, err := p.column(i)
	if err != nil {
		return err
	}
	p.defs = grow(p.defs, len(v))
	p.ba = grow(p.ba, len(v))
	defs, vals := p.defs, p.ba[:0]
	for j, b := range v {
		if b == nil {
			defs[j] = 0
			continue
		}
		defs[j] = 1
		vals = append(vals, b)
	}
	_, err = cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(vals, defs, nil)
	return p.wrap(i, err)
}

// strings writes a string column without copying the strings.
func stringsTo[S ~string](p *pqWriter, i int, v []S) error {
	p.ba = grow(p.ba, len(v))
	for j, s := range v {
		p.ba[j] = strBytes(string(s))
	}
	return p.byteArrays(i, len(v))
}

// strBytes views s as bytes. The writers only read the bytes (dictionary
// memo tables and encoders copy them), so the string stays immutable.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// grow returns s resliced to length n, reallocating only if its capacity is
// too small.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// errShort reports a column chunk that holds fewer values than its row group.
var errShort = errors.New("column chunk shorter than its row group")
