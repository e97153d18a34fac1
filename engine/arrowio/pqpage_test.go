package arrowio

import (
	"bytes"
	"errors"
	"io"
	"math"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/contract"
)

// withWriterProps adds Parquet writer properties after this package's own,
// to write files of layouts the package does not write itself.
func withWriterProps(p ...parquet.WriterProperty) Option {
	return func(o *config) { o.pqProps = append(o.pqProps, p...) }
}

// rows returns rows lo..hi-1 of b.
func rows(b *engine.MeasurementBatch, lo, hi int) *engine.MeasurementBatch {
	out := &engine.MeasurementBatch{}
	for i := lo; i < hi; i++ {
		out.AppendRow(b, i)
	}
	return out
}

// readFile reads every row of a measurement file, checking batch sizes and
// FirstRow.
func readFile(t *testing.T, data []byte, opts ...Option) (*engine.MeasurementBatch, *MeasurementReader) {
	t.Helper()
	mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	got := &engine.MeasurementBatch{}
	for mr.Next() {
		b := mr.Batch()
		if mr.FirstRow() != int64(got.Len()+1) {
			t.Fatalf("FirstRow = %d, want %d", mr.FirstRow(), got.Len()+1)
		}
		for i := 0; i < b.Len(); i++ {
			got.AppendRow(b, i)
		}
	}
	if err := mr.Err(); err != nil {
		t.Fatal(err)
	}
	return got, mr
}

func sameRows(t *testing.T, got, want *engine.MeasurementBatch) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("read %d rows, want %d", got.Len(), want.Len())
	}
	for i := 0; i < want.Len(); i++ {
		if g, w := got.Row(i), want.Row(i); !sameRow(g, w) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// TestMeasurementLayouts reads files of layouts other than the one this
// package writes: the page decoder must read those with the encodings it
// knows, and hand the others to the library's readers, with the same rows.
func TestMeasurementLayouts(t *testing.T) {
	// Carriers first seen after a row group's first batch turn the rest of
	// its carrier chunk into plain values (see writeCarriers).
	late := makeBatch(300, 4)
	for i := 0; i < 120; i++ {
		late.Carrier[i] = engine.Viettel
	}
	tests := []struct {
		name     string
		batches  []*engine.MeasurementBatch
		props    []parquet.WriterProperty
		codec    Codec
		slow     []int // columns read by the library's readers
		rowGroup int
	}{
		{name: "as written", codec: Snappy},
		{name: "zstd", codec: Zstd},
		{name: "lz4_raw", codec: LZ4Raw},
		{name: "lz4_raw, data page v2", props: []parquet.WriterProperty{parquet.WithDataPageVersion(parquet.DataPageV2)}, codec: LZ4Raw},
		{name: "uncompressed", props: []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Uncompressed)}},
		{name: "tiny pages", props: []parquet.WriterProperty{parquet.WithDataPageSize(64)}, codec: Snappy},
		{name: "data page v2", props: []parquet.WriterProperty{parquet.WithDataPageVersion(parquet.DataPageV2)}, codec: Snappy},
		{name: "data page v2, tiny pages", props: []parquet.WriterProperty{parquet.WithDataPageVersion(parquet.DataPageV2), parquet.WithDataPageSize(100)}},
		{name: "every column a dictionary", props: []parquet.WriterProperty{parquet.WithDictionaryDefault(true)}, codec: Snappy},
		{name: "dictionaries over the size limit", props: []parquet.WriterProperty{parquet.WithDictionaryDefault(true), parquet.WithDictionaryPageSizeLimit(200), parquet.WithDataPageSize(300)}},
		{name: "carrier dictionary then plain", batches: []*engine.MeasurementBatch{rows(late, 0, 120), rows(late, 120, 300)}, codec: Snappy},
		{name: "delta encodings", props: []parquet.WriterProperty{
			parquet.WithEncodingFor("ts", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("device_id", parquet.Encodings.DeltaLengthByteArray),
		}, codec: Snappy, slow: []int{contract.MeasTS, contract.MeasDeviceID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			batches := tc.batches
			if batches == nil {
				batches = []*engine.MeasurementBatch{makeBatch(700, 1), makeBatch(333, 2)}
			}
			want := &engine.MeasurementBatch{}
			for _, b := range batches {
				for i := 0; i < b.Len(); i++ {
					want.AppendRow(b, i)
				}
			}
			rg := tc.rowGroup
			if rg == 0 {
				rg = 500
			}
			data := writeMeasurements(t, batches, WithCodec(tc.codec), WithRowGroupRows(rg), withWriterProps(tc.props...))
			for _, br := range []int{1, 7, 100, 4096} {
				got, mr := readFile(t, data, WithBatchRows(br))
				sameRows(t, got, want)
				for c := range contract.MeasCount {
					if slow := slices.Contains(tc.slow, c); mr.fast[c] == slow {
						t.Errorf("column %s: read by the page decoder = %v, want %v", measurementFields[c].name, mr.fast[c], !slow)
					}
				}
			}
		})
	}
}

// TestMeasurementRowGroups reads ranges of row groups, reusing one reader.
func TestMeasurementRowGroups(t *testing.T) {
	in := makeBatch(1000, 9)
	data := writeMeasurements(t, []*engine.MeasurementBatch{in}, WithCodec(Snappy), WithRowGroupRows(150))
	mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithBatchRows(64))
	if err != nil {
		t.Fatal(err)
	}
	if mr.NumRowGroups() != 7 {
		t.Fatalf("%d row groups, want 7", mr.NumRowGroups())
	}
	tests := []struct {
		name   string
		lo, hi int
		first  int // rows to read before moving on; -1 = all
	}{
		{"first", 0, 1, -1},
		{"middle", 2, 5, -1},
		{"last, short", 6, 7, -1},
		{"empty range", 3, 3, -1},
		{"all", 0, 7, -1},
		{"moved mid-range", 1, 4, 100},
		{"after a move", 4, 6, -1},
		{"backwards", 0, 2, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := mr.SetRowGroups(tc.lo, tc.hi); err != nil {
				t.Fatal(err)
			}
			if mr.Batch().Len() != 0 {
				t.Errorf("batch of %d rows right after SetRowGroups", mr.Batch().Len())
			}
			row := tc.lo * 150 // file row index of the next row
			end := min(tc.hi*150, 1000)
			for mr.Next() {
				b := mr.Batch()
				if mr.FirstRow() != int64(row+1) {
					t.Fatalf("FirstRow = %d, want %d", mr.FirstRow(), row+1)
				}
				if rg := row / 150; (row+b.Len()-1)/150 != rg {
					t.Fatalf("batch of rows %d..%d spans row groups", row+1, row+b.Len())
				}
				for i := 0; i < b.Len(); i++ {
					if !sameRow(b.Row(i), in.Row(row)) {
						t.Fatalf("file row %d differs", row+1)
					}
					row++
				}
				if tc.first >= 0 && row-tc.lo*150 >= tc.first {
					return
				}
			}
			if err := mr.Err(); err != nil {
				t.Fatal(err)
			}
			if row != end {
				t.Errorf("read up to row %d, want %d", row, end)
			}
		})
	}
	for _, r := range [][2]int{{-1, 2}, {3, 2}, {0, 8}, {8, 8}} {
		if err := mr.SetRowGroups(r[0], r[1]); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("SetRowGroups(%d, %d) = %v, want ErrInvalidConfig", r[0], r[1], err)
		}
	}
}

// TestHybrid decodes RLE / bit-packed hybrid runs, with the bit-packing
// example of the Parquet encodings specification (0..7 in 3 bits).
func TestHybrid(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		width uint
		limit int
		want  []int32
		err   bool
	}{
		{name: "spec bit-packed 0..7", data: []byte{0x03, 0x88, 0xc6, 0xfa}, width: 3, limit: 8, want: []int32{0, 1, 2, 3, 4, 5, 6, 7}},
		{name: "rle run", data: []byte{0x0a, 0x04}, width: 3, limit: 8, want: []int32{4, 4, 4, 4, 4}},
		{name: "rle then bit-packed", data: []byte{0x04, 0x01, 0x03, 0x88, 0xc6, 0xfa}, width: 3, limit: 8, want: []int32{1, 1, 0, 1, 2, 3, 4, 5, 6, 7}},
		{name: "two-byte rle value", data: []byte{0x06, 0x34, 0x12}, width: 13, limit: 1 << 13, want: []int32{0x1234, 0x1234, 0x1234}},
		{name: "bit width 0", data: []byte{0x08}, width: 0, limit: 1, want: []int32{0, 0, 0, 0}},
		{name: "partial last group", data: []byte{0x03, 0x88, 0xc6}, width: 3, limit: 8, want: []int32{0, 1, 2, 3, 4}},
		{name: "16 values of 2 bits", data: []byte{0x05, 0xe4, 0xe4, 0x1b, 0x1b}, width: 2, limit: 4, want: []int32{0, 1, 2, 3, 0, 1, 2, 3, 3, 2, 1, 0, 3, 2, 1, 0}},
		{name: "index over the dictionary", data: []byte{0x03, 0x88, 0xc6, 0xfa}, width: 3, limit: 7, want: make([]int32, 8), err: true},
		{name: "rle value over the dictionary", data: []byte{0x02, 0x05}, width: 3, limit: 5, want: make([]int32, 1), err: true},
		{name: "rle value wider than the bit width", data: []byte{0x02, 0x09}, width: 3, limit: 100, want: make([]int32, 1), err: true},
		{name: "ends early", data: []byte{0x04, 0x01}, width: 3, limit: 8, want: make([]int32, 3), err: true},
		{name: "empty", data: nil, width: 1, limit: 2, want: make([]int32, 1), err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h hybrid
			h.reset(tc.data, tc.width)
			got := make([]int32, len(tc.want))
			err := h.indices(got, tc.limit)
			if tc.err {
				if !errors.Is(err, engine.ErrUnsupportedFormat) {
					t.Fatalf("err = %v, want a corrupt page", err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
			if tc.width <= 8 {
				h.reset(tc.data, tc.width)
				lv := make([]uint8, len(tc.want))
				if err := h.levels(lv); err != nil {
					t.Fatal(err)
				}
				for i, v := range lv {
					if int32(v) != tc.want[i] {
						t.Fatalf("levels %v, want %v", lv, tc.want)
					}
				}
			}
		})
	}
}

// TestChunkStream reads a chunk through peeks, discards and reads of every
// size around the buffer's.
func TestChunkStream(t *testing.T) {
	file := make([]byte, 3*streamBufferBytes+123)
	for i := range file {
		file[i] = byte(i * 7)
	}
	const off = 1000
	chunk := file[off : off+2*streamBufferBytes+77]
	var s chunkStream
	for _, step := range []int{1, 100, streamBufferBytes - 1, streamBufferBytes, streamBufferBytes + 5} {
		s.reset(bytes.NewReader(file), off, int64(len(chunk)))
		var got []byte
		for i := 0; ; i++ {
			switch i % 3 {
			case 0:
				p, err := s.Peek(min(step, 16<<10))
				if len(p) > 0 && !bytes.Equal(p, chunk[len(got):len(got)+len(p)]) {
					t.Fatalf("step %d: peek at %d differs", step, len(got))
				}
				if err != nil && err != io.EOF {
					t.Fatal(err)
				}
			case 1:
				n, err := s.Discard(min(step/3, len(chunk)-len(got)))
				got = append(got, chunk[len(got):len(got)+n]...)
				if err != nil {
					t.Fatal(err)
				}
			case 2:
				p := make([]byte, step)
				n, err := s.Read(p)
				got = append(got, p[:n]...)
				if err == io.EOF {
					if !bytes.Equal(got, chunk) {
						t.Fatalf("step %d: read %d bytes unlike the chunk", step, len(got))
					}
					goto next
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	next:
	}
	// A chunk reaching past the end of the file is an error, not a short
	// read.
	s.reset(bytes.NewReader(file), int64(len(file)-10), 20)
	if _, err := io.ReadAll(&s); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("chunk past the end of the file: err = %v", err)
	}
}

// TestMeasurementCorruptBytes damages files byte by byte (every fifth
// byte, every 211th with -short): reading must end (with or without an
// error), never hang or panic, and never allocate what a damaged length
// claims.
func TestMeasurementCorruptBytes(t *testing.T) {
	for _, codec := range []Codec{Snappy, LZ4Raw} {
		t.Run(codec.String(), func(t *testing.T) {
			data := writeMeasurements(t, []*engine.MeasurementBatch{makeBatch(300, 2)}, WithCodec(codec), WithRowGroupRows(128),
				withWriterProps(parquet.WithDataPageSize(512)))
			step := 5
			if testing.Short() {
				step = 211
			}
			errs := 0
			var most uint64 // bytes allocated by the worst damaged read
			worst := 0
			allocated := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
			heapAllocs := func() uint64 { metrics.Read(allocated); return allocated[0].Value.Uint64() }
			for i := 4; i < len(data)-8; i += step {
				for _, x := range []byte{0xff, 0x01} {
					bad := bytes.Clone(data)
					bad[i] ^= x
					before := heapAllocs()
					mr, err := NewMeasurementReader(bytes.NewReader(bad), int64(len(bad)), WithBatchRows(50))
					n := 0
					if err == nil {
						for mr.Next() {
							n += mr.Batch().Len()
						}
					}
					if a := heapAllocs() - before; a > most {
						most, worst = a, i
					}
					if err != nil {
						continue
					}
					if mr.Err() != nil {
						errs++
					} else if n != 300 {
						t.Fatalf("byte %d ^ %#x: %d rows and no error", i, x, n)
					}
				}
			}
			// The pages of this file are 512 bytes: no read may allocate
			// what a damaged length claims (a Snappy block's decoded
			// length reaches 4 GiB).
			if most > 64<<20 {
				t.Errorf("a damaged read allocated %d bytes (byte %d)", most, worst)
			}
			if errs == 0 {
				t.Error("no damaged file failed to read")
			}
		})
	}
}

// TestMeasurementReset reads files of different layouts, a bad one among
// them, with one reader.
func TestMeasurementReset(t *testing.T) {
	a := makeBatch(900, 11)
	b := makeBatch(250, 12)
	fileA := writeMeasurements(t, []*engine.MeasurementBatch{a}, WithCodec(Snappy), WithRowGroupRows(200))
	fileB := writeMeasurements(t, []*engine.MeasurementBatch{b}, WithRowGroupRows(100),
		withWriterProps(parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV2)))
	var partial bytes.Buffer // lon and lat only: every other column absent
	if err := WriteTable(&partial, []Column{{Name: "lon", Float64: []float64{105.5, 106}}, {Name: "lat", Float64: []float64{21, nan}}}, nil); err != nil {
		t.Fatal(err)
	}
	mr, err := NewMeasurementReader(bytes.NewReader(fileA), int64(len(fileA)), WithBatchRows(64),
		WithColumns("ts", "carrier", "tech", "signal_dbm", "device_id"))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string, data []byte, want *engine.MeasurementBatch, stopAfter int) {
		t.Helper()
		if err := mr.Reset(bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		row := 0
		for mr.Next() {
			if mr.FirstRow() != int64(row+1) {
				t.Fatalf("%s: FirstRow %d, want %d", name, mr.FirstRow(), row+1)
			}
			bt := mr.Batch()
			for i := 0; i < bt.Len(); i++ {
				g, w := bt.Row(i), want.Row(row)
				if g.TimeUnixMs != w.TimeUnixMs || g.Carrier != w.Carrier || g.Tech != w.Tech || !sameFloat(g.Lon, w.Lon) ||
					!sameFloat(g.SignalDBm, w.SignalDBm) || g.DeviceID != w.DeviceID || !math.IsNaN(g.DLMbps) || g.Service != 0 {
					t.Fatalf("%s: row %d: got %+v want %+v", name, row+1, g, w)
				}
				row++
			}
			if row >= stopAfter {
				return
			}
		}
		if err := mr.Err(); err != nil || row != want.Len() {
			t.Fatalf("%s: read %d rows of %d: %v", name, row, want.Len(), err)
		}
	}
	read("A", fileA, a, a.Len())
	read("B", fileB, b, b.Len())
	read("A, stopped early", fileA, a, 130)
	read("B again", fileB, b, b.Len())
	if err := mr.Reset(bytes.NewReader(partial.Bytes()), int64(partial.Len())); !errors.Is(err, engine.ErrMissingColumn) {
		t.Fatalf("file without ts: err = %v, want ErrMissingColumn", err)
	}
	if mr.Next() || mr.Err() == nil || mr.NumRowGroups() != 0 {
		t.Fatal("a reader whose Reset failed still reads")
	}
	if err := mr.Reset(bytes.NewReader([]byte("PAR1 not parquet")), 16); !errors.Is(err, engine.ErrUnsupportedFormat) {
		t.Fatalf("not parquet: err = %v", err)
	}
	read("A after errors", fileA, a, a.Len())
}

// TestMeasurementBadEnum reads a file whose service dictionary holds a
// spelling the contract lacks: the rows before the first one using it
// read, and the batch holding it fails naming the rows.
func TestMeasurementBadEnum(t *testing.T) {
	service := []string{"ok", "none", "ok", "5G-only", "ok"}
	n := len(service)
	var buf bytes.Buffer
	err := WriteTable(&buf, []Column{
		{Name: "ts", TimeUnixMs: []int64{1, 2, 3, 4, 5}},
		{Name: "carrier", String: []string{"viettel", "viettel", "vnpt", "vnpt", "vnpt"}},
		{Name: "tech", String: []string{"4G", "", "3G", "4G", "5G"}, EmptyIsNull: true},
		{Name: "lon", Float64: make([]float64, n)},
		{Name: "lat", Float64: make([]float64, n)},
		{Name: "service", String: service},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithBatchRows(1))
	if err != nil {
		t.Fatal(err)
	}
	var got []engine.Service
	var tech []engine.Tech
	for mr.Next() {
		if !mr.fast[contract.MeasService] || !mr.fast[contract.MeasTech] || !mr.pages[contract.MeasService].hasDict {
			t.Fatal("enum columns not read from a dictionary by the page decoder")
		}
		got = append(got, mr.Batch().Service[0])
		tech = append(tech, mr.Batch().Tech[0])
	}
	want := []engine.Service{engine.ServiceOK, engine.ServiceNone, engine.ServiceOK}
	if !slices.Equal(got, want) || !slices.Equal(tech, []engine.Tech{engine.Tech4G, engine.TechUnknown, engine.Tech3G}) {
		t.Errorf("read services %v, techs %v before the error", got, tech)
	}
	if err := mr.Err(); err == nil || !strings.Contains(err.Error(), "rows 4..4") || !strings.Contains(err.Error(), "service") {
		t.Errorf("err = %v, want one naming row 4 and the service column", err)
	}
}
