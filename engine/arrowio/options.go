package arrowio

import (
	"fmt"

	"github.com/apache/arrow/go/v17/parquet"

	"github.com/lomsong/lomsong/engine"
)

// Codec is the compression of written Parquet column chunks.
type Codec uint8

// Codecs. Zstd is the default: smaller files, about half the decode speed of
// Snappy. LZ4Raw (Parquet's LZ4_RAW) decodes about 2.8× faster than Snappy
// for a few per cent more bytes (codecs.go). Uncompressed output is
// deliberately not offered (see doc.go).
const (
	Zstd Codec = iota
	Snappy
	LZ4Raw
)

// String returns "zstd", "snappy" or "lz4_raw".
func (c Codec) String() string {
	switch c {
	case Zstd:
		return "zstd"
	case Snappy:
		return "snappy"
	case LZ4Raw:
		return "lz4_raw"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// Defaults of the options.
const (
	DefaultRowGroupRows = 1 << 20 // rows per Parquet row group
	DefaultBatchRows    = 8192    // rows per batch yielded by readers
	DefaultPageBytes    = 1 << 20 // target size of a written data page
	maxBatchRows        = 1 << 22
)

// Option configures a writer or reader of this package. Options that do not
// apply to a constructor are ignored by it.
type Option func(*config)

type config struct {
	codec        Codec
	rowGroupRows int
	batchRows    int
	pageBytes    int
	columns      []string
	meta         map[string]string
	// pqProps are more Parquet writer properties, applied after this
	// package's own; tests use them to write files of other layouts.
	pqProps []parquet.WriterProperty
}

func newConfig(opts []Option) (config, error) {
	c := config{codec: Zstd, rowGroupRows: DefaultRowGroupRows, batchRows: DefaultBatchRows, pageBytes: DefaultPageBytes}
	for _, o := range opts {
		o(&c)
	}
	if c.codec > LZ4Raw {
		return c, fmt.Errorf("arrowio: unknown codec %d: %w", c.codec, engine.ErrInvalidConfig)
	}
	if c.rowGroupRows < 1 {
		return c, fmt.Errorf("arrowio: row group size %d must be positive: %w", c.rowGroupRows, engine.ErrInvalidConfig)
	}
	if c.pageBytes < 1 {
		return c, fmt.Errorf("arrowio: page size %d must be positive: %w", c.pageBytes, engine.ErrInvalidConfig)
	}
	if c.batchRows < 1 || c.batchRows > maxBatchRows {
		return c, fmt.Errorf("arrowio: batch size %d must be in 1..%d: %w", c.batchRows, maxBatchRows, engine.ErrInvalidConfig)
	}
	return c, nil
}

// WithCodec sets the compression of written files (default Zstd).
func WithCodec(c Codec) Option { return func(o *config) { o.codec = c } }

// WithRowGroupRows bounds the rows per written row group (default
// DefaultRowGroupRows). A writer holds one compressed row group in memory.
func WithRowGroupRows(n int) Option { return func(o *config) { o.rowGroupRows = n } }

// WithPageBytes sets the size at which a written column's data page is
// closed (default DefaultPageBytes: a page is encoded and compressed as
// one block). The library encodes each page into buffers its column
// writer reuses for the next page of the column chunk, and a row group's
// column writers are new: pages as large as a chunk take fresh memory for
// every column of every row group. The values read back are the same
// whatever the size.
func WithPageBytes(n int) Option { return func(o *config) { o.pageBytes = n } }

// WithBatchRows sets the rows per batch that readers yield (default
// DefaultBatchRows). A reader's memory grows with this, never with the file.
func WithBatchRows(n int) Option { return func(o *config) { o.batchRows = n } }

// WithColumns restricts a MeasurementReader to the named columns (contract
// names such as "lon", "signal_dbm"). lon and lat are always read.
func WithColumns(names ...string) Option {
	return func(o *config) { o.columns = append([]string(nil), names...) }
}

// WithMetadata adds key-value metadata to a written Parquet file, e.g. the
// thresholds, model and resolution a result was computed with. Keys are
// written in sorted order.
func WithMetadata(m map[string]string) Option {
	return func(o *config) {
		if o.meta == nil {
			o.meta = make(map[string]string, len(m))
		}
		for k, v := range m {
			o.meta[k] = v
		}
	}
}
