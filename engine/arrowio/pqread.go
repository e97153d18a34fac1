package arrowio

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/schema"

	"github.com/lomsong/lomsong/engine"
)

type (
	fileReader      = *file.Reader
	int64Reader     = *file.Int64ColumnChunkReader
	float64Reader   = *file.Float64ColumnChunkReader
	byteArrayReader = *file.ByteArrayColumnChunkReader
)

var nan = math.NaN()

// pageBufferBytes is the read buffer of each column chunk stream. With a
// buffered stream a reader holds one page per column, not a whole chunk.
const pageBufferBytes = 1 << 20

// openParquet opens a Parquet file on r. Column chunks are streamed through a
// bounded buffer instead of being read whole.
func openParquet(r io.ReaderAt, size int64) (f *file.Reader, err error) {
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	props.BufferedStreamEnabled = true
	props.BufferSize = pageBufferBytes
	err = guard(func() error {
		var e error
		f, e = file.NewParquetReader(io.NewSectionReader(r, 0, size), file.WithReadProps(props))
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("arrowio: not a readable parquet file: %w (%w)", err, engine.ErrUnsupportedFormat)
	}
	if err := checkRowCounts(f); err != nil {
		return nil, err
	}
	if err := checkColumnChunks(f); err != nil {
		return nil, err
	}
	return f, nil
}

// checkColumnChunks reads every row group's column chunk metadata once,
// under guard. pqarrow opens the columns' page readers in goroutines of
// its own (an errgroup), where a panic of the library cannot be
// recovered: a chunk without its metadata (the fuzzer found one) crashed
// the process there. Read here, such a file is an error instead.
func checkColumnChunks(f *file.Reader) error {
	md := f.MetaData()
	leaves := md.Schema.NumColumns()
	for i := 0; i < f.NumRowGroups(); i++ {
		rg := md.RowGroup(i)
		if n := rg.NumColumns(); n != leaves {
			return fmt.Errorf("arrowio: row group %d has %d column chunks, the schema %d columns: %w", i, n, leaves, engine.ErrUnsupportedFormat)
		}
		for j := 0; j < leaves; j++ {
			err := guard(func() error {
				_, err := rg.ColumnChunk(j)
				return err
			})
			if err != nil {
				return fmt.Errorf("arrowio: row group %d, column %d: %w (%w)", i, j, err, engine.ErrUnsupportedFormat)
			}
		}
	}
	return nil
}

// checkRowCounts checks that the footer's row count is the sum of its row
// groups' counts, none negative. Readers read row groups, so a file whose
// total claims more rows than its row groups hold would otherwise end early
// without an error.
func checkRowCounts(f *file.Reader) error {
	md := f.MetaData()
	var sum int64
	for i := 0; i < f.NumRowGroups(); i++ {
		n := md.RowGroup(i).NumRows()
		if n < 0 {
			return fmt.Errorf("arrowio: row group %d claims %d rows: %w", i, n, engine.ErrUnsupportedFormat)
		}
		sum += n
	}
	if total := f.NumRows(); total != sum {
		return fmt.Errorf("arrowio: footer declares %d rows, its row groups hold %d: %w", total, sum, engine.ErrUnsupportedFormat)
	}
	return nil
}

// ParquetFooter returns the row count and the key-value metadata (without
// the embedded arrow schema) that a Parquet file's footer declares, without
// reading its pages.
func ParquetFooter(r io.ReaderAt, size int64) (rows int64, meta map[string]string, err error) {
	f, err := openParquet(r, size)
	if err != nil {
		return 0, nil, err
	}
	meta = map[string]string{}
	for _, kv := range f.MetaData().KeyValueMetadata() {
		if kv.Key == "ARROW:schema" {
			continue
		}
		if kv.Value != nil {
			meta[kv.Key] = *kv.Value
		} else {
			meta[kv.Key] = ""
		}
	}
	return f.NumRows(), meta, nil
}

// guard runs fn and turns a panic into an error. The parquet and arrow
// decoders panic on some corrupt inputs (out-of-range slices in thrift and
// flatbuffer decoding, found by FuzzOpenTable); untrusted bytes must yield
// errors, so every call into them on input data goes through guard.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt input: %v", r)
		}
	}()
	return fn()
}

// leaf finds a flat (non-repeated, non-nested) column by name and checks its
// physical type. It returns -1 if the column is absent.
func leaf(sc *schema.Schema, name string, want parquet.Type) (int, error) {
	i := sc.ColumnIndexByName(name)
	if i < 0 {
		return -1, nil
	}
	c := sc.Column(i)
	if c.MaxRepetitionLevel() != 0 || c.MaxDefinitionLevel() > 1 {
		return -1, fmt.Errorf("arrowio: column %q is nested or repeated: %w", name, engine.ErrUnsupportedFormat)
	}
	if c.PhysicalType() != want {
		return -1, fmt.Errorf("arrowio: column %q is %s, want %s: %w", name, c.PhysicalType(), want, engine.ErrUnsupportedFormat)
	}
	return i, nil
}

// colBuf holds the scratch buffers shared by the typed column reads.
type colBuf struct {
	defs []int16
	ba   []parquet.ByteArray
}

// readF64 reads n values of a double column into dst[:n]; nulls become NaN.
func (c *colBuf) readF64(cr *file.Float64ColumnChunkReader, dst []float64) error {
	n := len(dst)
	var defs []int16
	if cr.Descriptor().MaxDefinitionLevel() > 0 {
		c.defs = grow(c.defs, n)
		defs = c.defs
	}
	total, nv, err := cr.ReadBatch(int64(n), dst, defs, nil)
	if err != nil {
		return err
	}
	if int(total) != n {
		return errShort
	}
	if nv < n {
		spread(dst, defs, nv, math.NaN())
	}
	return nil
}

// readI64 reads n values of a required int64 column into dst[:n].
func (c *colBuf) readI64(cr *file.Int64ColumnChunkReader, dst []int64) error {
	n := len(dst)
	var defs []int16
	if cr.Descriptor().MaxDefinitionLevel() > 0 {
		c.defs = grow(c.defs, n)
		defs = c.defs
	}
	total, nv, err := cr.ReadBatch(int64(n), dst, defs, nil)
	if err != nil {
		return err
	}
	if int(total) != n {
		return errShort
	}
	if nv < n {
		return fmt.Errorf("null in a required integer column: %w", engine.ErrInvalidValue)
	}
	return nil
}

// readBA reads n values of a byte-array column into c.ba[:n]; nulls become
// empty. The values alias decoder pages and are valid until the next read.
func (c *colBuf) readBA(cr *file.ByteArrayColumnChunkReader, n int) ([]parquet.ByteArray, error) {
	c.ba = grow(c.ba, n)
	vals := c.ba
	var defs []int16
	if cr.Descriptor().MaxDefinitionLevel() > 0 {
		c.defs = grow(c.defs, n)
		defs = c.defs
	}
	total, nv, err := cr.ReadBatch(int64(n), vals, defs, nil)
	if err != nil {
		return nil, err
	}
	if int(total) != n {
		return nil, errShort
	}
	if nv < n {
		spread(vals, defs, nv, nil)
	}
	return vals, nil
}

// spread moves the nv dense values at the front of vals to the positions
// whose definition level is 1 and writes null at the others, in place.
func spread[T any](vals []T, defs []int16, nv int, null T) {
	j := nv - 1
	for i := len(vals) - 1; i >= 0 && j < i; i-- {
		if defs[i] == 1 {
			vals[i] = vals[j]
			j--
		} else {
			vals[i] = null
		}
	}
}

// lookup maps the few distinct byte strings of an enum-like column onto
// values, comparing bytes against the previous row first. It holds copies of
// at most maxLookup keys, so a column of unexpected cardinality costs a
// parse per row but never unbounded memory.
type lookup[T any] struct {
	parse func(string) (T, error)
	keys  [][]byte
	vals  []T
	last  int // index of the previous hit in keys, or -1
}

const maxLookup = 256

func newLookup[T any](parse func(string) (T, error)) *lookup[T] {
	return &lookup[T]{parse: parse, last: -1}
}

func (l *lookup[T]) get(b []byte) (T, error) {
	if l.last >= 0 && bytes.Equal(l.keys[l.last], b) {
		return l.vals[l.last], nil
	}
	for i, k := range l.keys {
		if bytes.Equal(k, b) {
			l.last = i
			return l.vals[i], nil
		}
	}
	v, err := l.parse(string(b))
	if err != nil {
		return v, err
	}
	if len(l.keys) < maxLookup {
		l.keys = append(l.keys, bytes.Clone(b))
		l.vals = append(l.vals, v)
		l.last = len(l.keys) - 1
	}
	return v, nil
}
