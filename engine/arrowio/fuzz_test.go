package arrowio

import (
	"bytes"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/lomsong/lomsong/engine"
)

// maxFuzzInput caps untrusted input in the fuzz targets.
const maxFuzzInput = 1 << 16

// fuzzSeeds returns small valid files of every format as seeds.
func fuzzSeeds(t *testing.F) [][]byte {
	var pq bytes.Buffer
	if err := WriteTable(&pq, []Column{
		{Name: "lon", Float64: []float64{105.8, nan}},
		{Name: "carrier", String: []string{"viettel", ""}, EmptyIsNull: true},
		{Name: "ts", TimeUnixMs: []int64{1, 2}},
	}, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	store := writeMeasurements(t, []*engine.MeasurementBatch{makeBatch(40, 3)}, WithCodec(Snappy), WithRowGroupRows(16))
	lz4 := writeMeasurements(t, []*engine.MeasurementBatch{makeBatch(40, 4)}, WithCodec(LZ4Raw), WithRowGroupRows(16))
	return [][]byte{pq.Bytes(), writeMeasurements(t, nil), store, lz4, []byte("PAR1"), []byte("ARROW1\x00\x00")}
}

// drain reads a table to its end, touching every value.
func drain(tr *TableReader) {
	defer tr.Close()
	for tr.Next() {
		for _, r := range tr.Rows() {
			for _, v := range r {
				_ = len(v)
			}
		}
	}
}

func FuzzOpenTable(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		if tr, err := OpenTable(bytes.NewReader(data), int64(len(data)), WithBatchRows(7)); err == nil {
			drain(tr)
		}
		if mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithBatchRows(7)); err == nil {
			for mr.Next() {
			}
		}
		_, _ = ReadSites(bytes.NewReader(data), int64(len(data)))
	})
}

func FuzzOpenIPC(f *testing.F) {
	var stream bytes.Buffer
	sc := arrow.NewSchema([]arrow.Field{{Name: "lon", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{105.8, 0}, []bool{true, false})
	rec := array.NewRecord(sc, []arrow.Array{b.NewArray()}, 2)
	w := ipc.NewWriter(&stream, ipc.WithSchema(sc))
	if err := w.Write(rec); err != nil || w.Close() != nil {
		f.Fatal(err)
	}
	f.Add(stream.Bytes())
	f.Add(append([]byte("ARROW1\x00\x00"), stream.Bytes()...))
	f.Add([]byte("ARROW1\x00\x00\xff\xff\xff\xff\x10\x00\x00\x00"))
	f.Add([]byte("\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		if tr, err := OpenIPC(bytes.NewReader(data), WithBatchRows(7)); err == nil {
			drain(tr)
		}
	})
}
