package arrowio

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"

	"github.com/lomsong/lomsong/engine"
)

// A block built by hand from the LZ4 block format description
// (lz4/doc/lz4_Block_format.md): sequence 1 is token 0x38 (3 literals,
// match length 4+8), the literals "abc", offset 3 little-endian; sequence 2,
// the last, is token 0x50 (5 literals, no match) and "hello". The match
// copies overlapping bytes, so it repeats "abc" four times.
var lz4Known = struct {
	block []byte
	text  string
}{
	block: append(append([]byte{0x38}, "abc\x03\x00"...), append([]byte{0x50}, "hello"...)...),
	text:  "abc" + "abcabcabcabc" + "hello",
}

func TestLZ4RawKnownBlock(t *testing.T) {
	c, err := compress.GetCodec(lz4Raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Decode(make([]byte, len(lz4Known.text)), lz4Known.block); string(got) != lz4Known.text {
		t.Errorf("decode into a sized buffer: %q, want %q", got, lz4Known.text)
	}
	if got := c.Decode(nil, lz4Known.block); string(got) != lz4Known.text {
		t.Errorf("decode into nil: %q, want %q", got, lz4Known.text)
	}
	// A literal-only block is the token (literal count in the high nibble)
	// and the bytes: what LZ4 writes for input too short to match.
	if got := c.Encode(nil, []byte("hi")); !bytes.Equal(got, []byte{0x20, 'h', 'i'}) {
		t.Errorf("encode %q: % x, want 20 68 69", "hi", got)
	}
	if got := c.Encode(nil, nil); !bytes.Equal(got, []byte{0}) {
		t.Errorf("encode of nothing: % x, want 00", got)
	}
	if got := c.Decode(nil, []byte{0}); len(got) != 0 {
		t.Errorf("decode of the empty block: %q", got)
	}
}

func TestLZ4RawRoundTrip(t *testing.T) {
	c, _ := compress.GetCodec(lz4Raw)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300_000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	inputs := map[string][]byte{
		"empty":          {},
		"one byte":       {7},
		"zeros":          make([]byte, 1<<20),
		"incompressible": random,
		"text":           []byte(strings.Repeat("lõm sóng Lai Châu 4G ", 5000)),
	}
	for name, in := range inputs {
		enc := c.Encode(nil, in)
		if int64(len(enc)) > c.CompressBound(int64(len(in))) {
			t.Errorf("%s: %d bytes encoded, bound %d", name, len(enc), c.CompressBound(int64(len(in))))
		}
		if got := c.Decode(make([]byte, len(in)), enc); !bytes.Equal(got, in) {
			t.Errorf("%s: round trip into a sized buffer differs", name)
		}
		if got := c.Decode(nil, enc); !bytes.Equal(got, in) {
			t.Errorf("%s: round trip into nil differs", name)
		}
		var stream bytes.Buffer
		w := c.NewWriter(&stream)
		if _, err := w.Write(in); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(c.NewReader(&stream))
		if err != nil || !bytes.Equal(got, in) {
			t.Errorf("%s: stream round trip differs (%v)", name, err)
		}
	}
	if len(c.Encode(nil, inputs["zeros"])) > 5000 {
		t.Error("a MiB of zeros did not compress")
	}
	// A buffer too short for the block is not grown: the page header that
	// sized it is wrong.
	if err := guard(func() error { c.Decode(make([]byte, 10), lz4Known.block); return nil }); err == nil {
		t.Error("a block decoded into a buffer shorter than its text")
	}
	// A block that ends inside a match, or whose offset points before the
	// output, is corrupt: Decode panics (callers guard) and the reader errs.
	for _, bad := range [][]byte{lz4Known.block[:5], {0x0f, 0x09, 0x00}, {0xf0}} {
		if err := guard(func() error { c.Decode(make([]byte, 64), bad); return nil }); err == nil {
			t.Errorf("corrupt block % x decoded", bad)
		}
		if _, err := io.ReadAll(c.NewReader(bytes.NewReader(bad))); err == nil {
			t.Errorf("corrupt block % x read", bad)
		}
	}
}

// TestLZ4RawFile writes measurements with LZ4Raw, checks that every column
// chunk says LZ4_RAW (the code other Parquet readers look for), reads them
// back, and checks that a damaged page is an error, not a panic.
func TestLZ4RawFile(t *testing.T) {
	in := makeBatch(2000, 9)
	data := writeMeasurements(t, []*engine.MeasurementBatch{in}, WithCodec(LZ4Raw), WithRowGroupRows(700))
	f, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for g := range f.NumRowGroups() {
		md := f.MetaData().RowGroup(g)
		for c := range md.NumColumns() {
			cc, err := md.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if s := cc.Compression().String(); s != "LZ4_RAW" {
				t.Fatalf("row group %d column %d: codec %s, want LZ4_RAW", g, c, s)
			}
		}
	}
	got, _ := readFile(t, data)
	sameRows(t, got, in)

	snappy := writeMeasurements(t, []*engine.MeasurementBatch{in}, WithCodec(Snappy), WithRowGroupRows(700))
	t.Logf("2000 rows: lz4_raw %d bytes, snappy %d", len(data), len(snappy))

	// Flip bytes in the middle of the file (inside the pages): every read
	// must end, with rows or an error, and never panic.
	for off := len(data) / 4; off < len(data)/2; off += 97 {
		bad := bytes.Clone(data)
		bad[off] ^= 0x5a
		mr, err := NewMeasurementReader(bytes.NewReader(bad), int64(len(bad)))
		if err != nil {
			continue
		}
		for mr.Next() {
		}
	}
}

// The shared zstd encoder writes the same page bytes as the library's
// codec, which builds an encoder per call, at the default and other
// levels, from several goroutines at once.
func TestSharedZstdSameBytes(t *testing.T) {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*sharedZstd); !ok {
		t.Fatalf("the registered zstd codec is %T, want *sharedZstd", c)
	}
	lib := c.(*sharedZstd).Codec
	rng := rand.New(rand.NewPCG(1, 2))
	pages := make([][]byte, 24)
	for i := range pages {
		p := make([]byte, 1+rng.IntN(300_000))
		for j := range p {
			p[j] = byte(rng.IntN(3 + i)) // compressible, differently so per page
		}
		pages[i] = p
	}
	var wg sync.WaitGroup
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
		for i, p := range pages {
			wg.Go(func() {
				got := c.EncodeLevel(nil, p, level)
				want := lib.EncodeLevel(nil, p, level)
				if !bytes.Equal(got, want) {
					t.Errorf("level %d page %d: %d bytes, the library's %d", level, i, len(got), len(want))
				}
				if back := c.Decode(nil, got); !bytes.Equal(back, p) {
					t.Errorf("level %d page %d: does not decode back", level, i)
				}
			})
		}
	}
	wg.Wait()
}
