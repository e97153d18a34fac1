package arrowio

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/parquet"

	"github.com/lomsong/lomsong/engine"
)

// makeBatch returns n deterministic rows that use every enum value, NaN in
// every optional float column, empty and repeated device IDs and unknown
// enums.
func makeBatch(n int, seed uint64) *engine.MeasurementBatch {
	rng := rand.New(rand.NewPCG(seed, 7))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, "plmn-452-09"}
	opt := func(p float64, v float64) float64 {
		if rng.Float64() < p {
			return math.NaN()
		}
		return v
	}
	b := &engine.MeasurementBatch{}
	for i := 0; i < n; i++ {
		svc := engine.Service(i % 3)
		sig := opt(0.05, -140+rng.Float64()*100)
		if svc == engine.ServiceNone {
			sig = math.NaN()
		}
		dev := ""
		if i%5 != 0 {
			dev = []string{"d-1", "device-22", "đ-ü-3"}[(i/3)%3]
		}
		b.Append(engine.Measurement{
			TimeUnixMs:  1735689600000 + int64(i)*997 - int64(rng.IntN(5)),
			Carrier:     carriers[rng.IntN(len(carriers))],
			Tech:        engine.Tech(i % 5),
			Lon:         opt(0.01, 102+rng.Float64()*8),
			Lat:         opt(0.01, 8.5+rng.Float64()*15),
			SignalDBm:   sig,
			Service:     svc,
			RSRQDB:      opt(0.3, -20+rng.Float64()*17),
			SINRDB:      opt(0.3, -5+rng.Float64()*30),
			DLMbps:      opt(0.5, rng.Float64()*300),
			ULMbps:      opt(0.5, rng.Float64()*60),
			LatencyMs:   opt(0.5, 5+rng.Float64()*200),
			Source:      engine.Source(i % 5),
			DeviceID:    dev,
			DeviceClass: engine.DeviceClass((i / 2) % 5),
			Environment: engine.Environment((i / 3) % 4),
			Speed:       engine.SpeedKind(b2i(i%7 == 0)),
			Serving:     serving(i),
		})
	}
	return b
}

// sameFloat reports a == b, treating NaN as equal to NaN.
func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func sameRow(a, b engine.Measurement) bool {
	return a.TimeUnixMs == b.TimeUnixMs && a.Carrier == b.Carrier && a.Tech == b.Tech &&
		sameFloat(a.Lon, b.Lon) && sameFloat(a.Lat, b.Lat) && sameFloat(a.SignalDBm, b.SignalDBm) &&
		a.Service == b.Service && sameFloat(a.RSRQDB, b.RSRQDB) && sameFloat(a.SINRDB, b.SINRDB) &&
		sameFloat(a.DLMbps, b.DLMbps) && sameFloat(a.ULMbps, b.ULMbps) && sameFloat(a.LatencyMs, b.LatencyMs) &&
		a.Source == b.Source && a.DeviceID == b.DeviceID && a.DeviceClass == b.DeviceClass &&
		a.Environment == b.Environment && a.Speed == b.Speed && sameServing(a.Serving, b.Serving)
}

// serving gives every third row a serving cell, some with parts absent.
func serving(i int) *engine.ServingCell {
	if i%3 != 0 {
		return nil
	}
	s := &engine.ServingCell{CellID: strconv.Itoa(12345000 + i%97), NodeID: strconv.Itoa(48000 + i%13), PCI: int32(i % 504), ARFCN: int32(1650 + i%5), Band: "B3"}
	if i%9 == 0 {
		s.NodeID, s.PCI, s.Band = "", -1, ""
	}
	return s
}

func sameServing(a, b *engine.ServingCell) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func writeMeasurements(t testing.TB, batches []*engine.MeasurementBatch, opts ...Option) []byte {
	t.Helper()
	var buf bytes.Buffer
	mw, err := NewMeasurementWriter(&buf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := mw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMeasurementRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		batches   []int // rows per written batch
		rowGroup  int
		batchRows int
		codec     Codec
	}{
		{"empty file", nil, 100, 10, Zstd},
		{"empty batch", []int{0}, 100, 10, Zstd},
		{"one row", []int{1}, 100, 10, Snappy},
		{"one row group, batches smaller", []int{250}, 1000, 64, Zstd},
		{"many row groups, batch straddles", []int{333, 1, 900}, 256, 100, Snappy},
		{"batch larger than row group", []int{1000}, 300, 4096, Zstd},
		{"row group exactly full", []int{200, 200}, 200, 200, Zstd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in []*engine.MeasurementBatch
			want := &engine.MeasurementBatch{}
			for i, n := range tc.batches {
				b := makeBatch(n, uint64(i))
				in = append(in, b)
				for r := 0; r < n; r++ {
					want.AppendRow(b, r)
				}
			}
			data := writeMeasurements(t, in, WithRowGroupRows(tc.rowGroup), WithCodec(tc.codec))
			mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithBatchRows(tc.batchRows))
			if err != nil {
				t.Fatal(err)
			}
			if g, w := mr.f.NumRowGroups(), (want.Len()+tc.rowGroup-1)/tc.rowGroup; g != w {
				t.Errorf("%d row groups, want %d", g, w)
			}
			if mr.NumRows() != int64(want.Len()) {
				t.Errorf("NumRows = %d, want %d", mr.NumRows(), want.Len())
			}
			got := 0
			for mr.Next() {
				b := mr.Batch()
				if b.Len() == 0 || b.Len() > tc.batchRows {
					t.Fatalf("batch of %d rows, want 1..%d", b.Len(), tc.batchRows)
				}
				if mr.FirstRow() != int64(got+1) {
					t.Errorf("FirstRow = %d, want %d", mr.FirstRow(), got+1)
				}
				if err := checkBatch(b); err != nil {
					t.Fatal(err)
				}
				for i := 0; i < b.Len(); i++ {
					if g, w := b.Row(i), want.Row(got); !sameRow(g, w) {
						t.Fatalf("row %d:\n got %+v\nwant %+v", got, g, w)
					}
					got++
				}
			}
			if err := mr.Err(); err != nil {
				t.Fatal(err)
			}
			if got != want.Len() {
				t.Errorf("read %d rows, want %d", got, want.Len())
			}
		})
	}
}

func TestMeasurementProjection(t *testing.T) {
	in := makeBatch(500, 3)
	data := writeMeasurements(t, []*engine.MeasurementBatch{in}, WithRowGroupRows(128))
	mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)),
		WithBatchRows(50), WithColumns("signal_dbm", "tech", "carrier"))
	if err != nil {
		t.Fatal(err)
	}
	row := 0
	for mr.Next() {
		b := mr.Batch()
		if err := checkBatch(b); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < b.Len(); i++ {
			g, w := b.Row(i), in.Row(row)
			if !sameFloat(g.Lon, w.Lon) || !sameFloat(g.Lat, w.Lat) || !sameFloat(g.SignalDBm, w.SignalDBm) ||
				g.Tech != w.Tech || g.Carrier != w.Carrier {
				t.Fatalf("row %d: projected columns differ: got %+v want %+v", row, g, w)
			}
			if g.TimeUnixMs != 0 || g.DeviceID != "" || !math.IsNaN(g.DLMbps) || g.Source != 0 || g.Service != 0 {
				t.Fatalf("row %d: unread columns not absent: %+v", row, g)
			}
			row++
		}
	}
	if err := mr.Err(); err != nil || row != 500 {
		t.Fatalf("read %d rows, err %v", row, err)
	}
	if _, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithColumns("rsrp")); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("unknown projected column: err = %v, want ErrInvalidConfig", err)
	}
}

func TestMeasurementWriteRejects(t *testing.T) {
	ragged := makeBatch(3, 1)
	ragged.Lat = ragged.Lat[:2]
	badEnum := makeBatch(3, 1)
	badEnum.Service[1] = 9
	badTech := makeBatch(3, 1)
	badTech.Tech[2] = 5
	for name, b := range map[string]*engine.MeasurementBatch{"ragged": ragged, "service": badEnum, "tech": badTech} {
		var buf bytes.Buffer
		mw, err := NewMeasurementWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := mw.Write(b); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: err = %v, want ErrInvalidValue", name, err)
		}
		if err := mw.Close(); err != nil {
			t.Errorf("%s: close after rejected batch: %v", name, err)
		}
	}
	if _, err := NewMeasurementWriter(&bytes.Buffer{}, WithRowGroupRows(0)); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("row group 0: err = %v", err)
	}
}

func TestMeasurementReaderMissingColumn(t *testing.T) {
	var buf bytes.Buffer
	err := WriteTable(&buf, []Column{{Name: "lon", Float64: []float64{1}}, {Name: "lat", Float64: []float64{2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewMeasurementReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if !errors.Is(err, engine.ErrMissingColumn) {
		t.Errorf("err = %v, want ErrMissingColumn", err)
	}
	// With a projection that does not need ts, carrier or tech it reads.
	mr, err := NewMeasurementReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()), WithColumns("signal_dbm"))
	if err != nil {
		t.Fatal(err)
	}
	if !mr.Next() || mr.Batch().Lon[0] != 1 || !math.IsNaN(mr.Batch().SignalDBm[0]) {
		t.Errorf("projected read of a partial file failed: %v", mr.Err())
	}
}

func TestMeasurementReadAllocs(t *testing.T) {
	tests := []struct {
		name    string
		devices bool
		budget  float64
	}{
		// Rows of a batch lie in one page of each column: nothing to
		// allocate but the batch's strings, one allocation per string
		// column with values: device IDs, and the serving cell's
		// cell_id, node_id and band.
		{"no device IDs or serving cells", false, 0},
		{"device IDs and serving cells", true, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := makeBatch(4096, 5)
			if !tc.devices {
				for i := range in.DeviceID {
					in.DeviceID[i] = ""
				}
				in.CellID, in.NodeID, in.PCI, in.ARFCN, in.Band = nil, nil, nil, nil, nil
			}
			data := writeMeasurements(t, []*engine.MeasurementBatch{in}, WithRowGroupRows(1<<20))
			mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithBatchRows(256))
			if err != nil {
				t.Fatal(err)
			}
			mr.Next() // the first batch allocates the buffers
			mr.Next() // and the first string arena
			if raceEnabled {
				t.Skip("allocation budgets do not hold under the race detector")
			}
			allocs := testing.AllocsPerRun(10, func() {
				if !mr.Next() {
					t.Fatal("file ended early", mr.Err())
				}
			})
			if allocs > tc.budget {
				t.Errorf("%.1f allocations per batch, want ≤ %.0f", allocs, tc.budget)
			}
		})
	}
}

// TestMeasurementPagesRecycled reads a file of small pages: the bytes
// allocated per batch are the library's page headers (without statistics,
// which it decodes into fresh buffers of 512 bytes or more) and the
// batch's device IDs, not the pages, whose buffers each column recycles.
func TestMeasurementPagesRecycled(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation budgets do not hold under the race detector")
	}
	const pageBytes = 1600 // 200 doubles
	in := makeBatch(8192, 5)
	data := writeMeasurements(t, []*engine.MeasurementBatch{in}, WithCodec(Snappy), WithRowGroupRows(1<<20),
		withWriterProps(parquet.WithDataPageSize(pageBytes), parquet.WithStats(false)))
	mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), WithBatchRows(256))
	if err != nil {
		t.Fatal(err)
	}
	mr.Next()
	mr.Next()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const batches = 20
	for range batches {
		if !mr.Next() {
			t.Fatal("file ended early", mr.Err())
		}
	}
	runtime.ReadMemStats(&after)
	// 256 rows cross a page boundary in about 12 of the 16 columns: fresh
	// page buffers would cost about 20 kB per batch; the device IDs (256
	// of at most 13 bytes with their lengths) and page headers cost less
	// than half of that.
	const budget = 10000
	perBatch := float64(after.TotalAlloc-before.TotalAlloc) / batches
	if perBatch > budget {
		t.Errorf("%.0f bytes allocated per batch of 256 rows, want ≤ %d: are page buffers recycled?", perBatch, budget)
	}
}
