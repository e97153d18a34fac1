package ingest

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lomsong/lomsong/engine"
)

// Limits bound the resources one input may take, whatever its bytes. A
// zero field takes its default (DefaultLimits); negative fields are
// invalid. Validate and ingest read the same Limits from Config, so they
// refuse the same inputs.
type Limits struct {
	// MaxLineBytes is the longest CSV record, line end excluded (default
	// 1 MiB). A longer line is quarantined as line_too_long and reading
	// goes on at the next line; a line with no line end within
	// SkipFactor·MaxLineBytes stops the file with an error naming the line.
	// A Parquet or Arrow row whose values, joined by commas, are longer is
	// quarantined as line_too_long too.
	MaxLineBytes int `json:"max_line_bytes,omitempty"`
	// MaxDecompressedBytes caps what a gzip-compressed input may
	// decompress to (default 256 GiB: a national month of measurements as
	// CSV is about 100 GB).
	MaxDecompressedBytes int64 `json:"max_decompressed_bytes,omitempty"`
	// MaxGzipRatio caps decompressed/compressed bytes once RatioGraceBytes
	// have been decompressed (default 1000; deflate's own maximum is about
	// 1032, real CSV compresses 5–20 times).
	MaxGzipRatio float64 `json:"max_gzip_ratio,omitempty"`
	// MaxSpillBytes caps the temporary file a gzip-compressed Parquet file
	// is decompressed into (Parquet needs random access; default 4 GiB).
	MaxSpillBytes int64 `json:"max_spill_bytes,omitempty"`
	// MaxSpillRatio caps decompressed/compressed bytes of that spill once
	// RatioGraceBytes have been written (default 100: Parquet is already
	// compressed inside, so gzip gains little on a real file).
	MaxSpillRatio float64 `json:"max_spill_ratio,omitempty"`
}

// Defaults of Limits; RatioGraceBytes is how much any gzip input may
// decompress before the ratio caps apply; SkipFactor bounds the search for
// the end of an overlong line.
const (
	DefaultMaxLineBytes         = 1 << 20
	DefaultMaxDecompressedBytes = 256 << 30
	DefaultMaxGzipRatio         = 1000
	DefaultMaxSpillBytes        = 4 << 30
	DefaultMaxSpillRatio        = 100
	RatioGraceBytes             = 8 << 20
	SkipFactor                  = 64
	// MaxLineBytesCap is the largest MaxLineBytes CheckRange accepts: a
	// CSV record is held whole in memory.
	MaxLineBytesCap = 1 << 30
)

// ErrTooLarge is wrapped by every error about an input over one of its
// Limits.
var ErrTooLarge = errors.New("input over a size limit")

// DefaultLimits returns the documented defaults.
func DefaultLimits() Limits {
	return Limits{
		MaxLineBytes:         DefaultMaxLineBytes,
		MaxDecompressedBytes: DefaultMaxDecompressedBytes,
		MaxGzipRatio:         DefaultMaxGzipRatio,
		MaxSpillBytes:        DefaultMaxSpillBytes,
		MaxSpillRatio:        DefaultMaxSpillRatio,
	}
}

// Validate checks that no limit is negative (or NaN).
func (l Limits) Validate() error {
	switch {
	case l.MaxLineBytes < 0:
		return fmt.Errorf("limits: MaxLineBytes %d must not be negative: %w", l.MaxLineBytes, engine.ErrInvalidConfig)
	case l.MaxDecompressedBytes < 0:
		return fmt.Errorf("limits: MaxDecompressedBytes %d must not be negative: %w", l.MaxDecompressedBytes, engine.ErrInvalidConfig)
	case !(l.MaxGzipRatio >= 0):
		return fmt.Errorf("limits: MaxGzipRatio %g must not be negative: %w", l.MaxGzipRatio, engine.ErrInvalidConfig)
	case l.MaxSpillBytes < 0:
		return fmt.Errorf("limits: MaxSpillBytes %d must not be negative: %w", l.MaxSpillBytes, engine.ErrInvalidConfig)
	case !(l.MaxSpillRatio >= 0):
		return fmt.Errorf("limits: MaxSpillRatio %g must not be negative: %w", l.MaxSpillRatio, engine.ErrInvalidConfig)
	}
	return nil
}

// A LimitError is a limit outside the range CheckRange accepts. Field is
// the Limits field; callers that expose the limits as flags or settings
// name them by it (every command and the service share one rule).
type LimitError struct {
	Field string // e.g. "MaxLineBytes"
	Value string // the value given, formatted
	Want  string // the accepted range in words
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("limits: %s %s: want %s", e.Field, e.Value, e.Want)
}

// Unwrap makes a LimitError an engine.ErrInvalidConfig.
func (e *LimitError) Unwrap() error { return engine.ErrInvalidConfig }

// CheckRange checks limits a user chose: MaxLineBytes 1 byte to MaxLineBytesCap, MaxDecompressedBytes
// and MaxSpillBytes at least 1 byte, MaxGzipRatio and MaxSpillRatio at
// least 1 (no gzip stream decompresses to less than about its own size
// for long). A zero field is out of range: settings where zero means the
// default check WithDefaults' result. It returns the first field out of
// range as a *LimitError, or nil. Validate is the looser check the
// readers make (not negative); CheckRange is the one for flags and
// service settings.
func (l Limits) CheckRange() error {
	switch {
	case l.MaxLineBytes < 1 || l.MaxLineBytes > MaxLineBytesCap:
		return &LimitError{"MaxLineBytes", fmt.Sprint(l.MaxLineBytes), "1 byte to 1GiB"}
	case l.MaxDecompressedBytes < 1:
		return &LimitError{"MaxDecompressedBytes", fmt.Sprint(l.MaxDecompressedBytes), "a positive size"}
	case !(l.MaxGzipRatio >= 1):
		return &LimitError{"MaxGzipRatio", fmt.Sprint(l.MaxGzipRatio), "a ratio of at least 1"}
	case l.MaxSpillBytes < 1:
		return &LimitError{"MaxSpillBytes", fmt.Sprint(l.MaxSpillBytes), "a positive size"}
	case !(l.MaxSpillRatio >= 1):
		return &LimitError{"MaxSpillRatio", fmt.Sprint(l.MaxSpillRatio), "a ratio of at least 1"}
	}
	return nil
}

// WithDefaults returns l with each zero field replaced by its default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxLineBytes == 0 {
		l.MaxLineBytes = d.MaxLineBytes
	}
	if l.MaxDecompressedBytes == 0 {
		l.MaxDecompressedBytes = d.MaxDecompressedBytes
	}
	if l.MaxGzipRatio == 0 {
		l.MaxGzipRatio = d.MaxGzipRatio
	}
	if l.MaxSpillBytes == 0 {
		l.MaxSpillBytes = d.MaxSpillBytes
	}
	if l.MaxSpillRatio == 0 {
		l.MaxSpillRatio = d.MaxSpillRatio
	}
	return l
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// GzipReader decompresses a gzip stream (all its members) under a cap on
// the decompressed bytes and on the ratio of decompressed to compressed
// bytes. Over either it fails with an error wrapping ErrTooLarge.
type GzipReader struct {
	zr        *gzip.Reader
	in        *countingReader
	br        *bufio.Reader // between in and zr
	out       int64
	maxOut    int64
	maxRatio  float64
	spill     bool
	err       error
	outHint   string
	ratioHint string
}

// MaybeGunzip is MaybeGunzipWith under DefaultLimits.
func MaybeGunzip(r io.Reader) (io.Reader, bool, error) {
	return MaybeGunzipWith(r, Limits{})
}

// MaybeGunzipWith returns a reader that transparently decompresses r when
// it starts with the gzip magic bytes (a *GzipReader bounded by lim), and
// reports whether it did.
func MaybeGunzipWith(r io.Reader, lim Limits) (io.Reader, bool, error) {
	if err := lim.Validate(); err != nil {
		return nil, false, err
	}
	lim = lim.WithDefaults()
	in := &countingReader{r: r}
	br := bufio.NewReaderSize(in, 1<<16)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, true, gzipError(err)
		}
		zr.Multistream(true)
		return &GzipReader{zr: zr, in: in, br: br, maxOut: lim.MaxDecompressedBytes, maxRatio: lim.MaxGzipRatio,
			outHint: "raise --max-decompressed-bytes if the file is genuine", ratioHint: "raise --max-gzip-ratio if the file is genuine"}, true, nil
	}
	return br, false, nil
}

// LimitSpill switches the reader to the caps of a spill to a temporary
// file (Limits.MaxSpillBytes and MaxSpillRatio, counted from the start of
// the stream), for input that must be decompressed to disk before it can
// be read.
func (g *GzipReader) LimitSpill(lim Limits) {
	lim = lim.WithDefaults()
	g.maxOut, g.maxRatio, g.spill = lim.MaxSpillBytes, lim.MaxSpillRatio, true
	g.outHint = "raise --max-spill-bytes, or decompress the file first, if it is genuine"
	g.ratioHint = "decompress the file first if it is genuine"
}

// Read implements io.Reader.
func (g *GzipReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if room := g.maxOut - g.out + 1; room > 0 && int64(len(p)) > room {
		p = p[:room] // read one byte past the cap to tell "at" from "over"
	}
	n, err := g.zr.Read(p)
	g.out += int64(n)
	what := "decompresses"
	if g.spill {
		what = "a gzip-compressed Parquet file is decompressed to a temporary file before it is read, and this one decompresses"
	}
	switch {
	case g.out > g.maxOut:
		g.err = fmt.Errorf("%s to more than %d bytes (%s): %w", what, g.maxOut, g.outHint, ErrTooLarge)
	case g.out > RatioGraceBytes && float64(g.out) > g.maxRatio*float64(g.CompressedBytes()):
		g.err = fmt.Errorf("%s to more than %g times its compressed size (%d bytes from %d): a decompression bomb? (%s): %w",
			what, g.maxRatio, g.out, g.CompressedBytes(), g.ratioHint, ErrTooLarge)
	}
	if g.err != nil {
		return 0, g.err
	}
	if err != nil && err != io.EOF {
		err = gzipError(err)
	}
	return n, err
}

// gzipError names gzip at the start of a decompression error once:
// compress/gzip's own errors (ErrChecksum, ErrHeader) already begin with
// "gzip: ", flate's and io's (a corrupt block, a truncated stream) do not.
// A stream that ends before its end (io.ErrUnexpectedEOF: a copy or a
// download stopped part-way) is said to be cut short, the words a user
// acts on; it still wraps io.ErrUnexpectedEOF.
func gzipError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("gzip: the file is cut short, its compressed data ending before the end of the stream (a copy or download that stopped part-way?): %w", err)
	}
	if strings.HasPrefix(err.Error(), "gzip: ") {
		return err
	}
	return fmt.Errorf("gzip: %w", err)
}

// CompressedBytes returns the compressed bytes consumed so far.
func (g *GzipReader) CompressedBytes() int64 { return g.in.n - int64(g.br.Buffered()) }

// DecompressedBytes returns the bytes decompressed so far.
func (g *GzipReader) DecompressedBytes() int64 { return g.out }

// Close releases the decompressor (not the underlying reader).
func (g *GzipReader) Close() error { return g.zr.Close() }
