package arrowio

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/internal/benchrows"
)

const benchRows = 1 << 18

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// readMeasurementFile reads every batch of data with opts and checks that
// it holds rows.
func readMeasurementFile(b *testing.B, data []byte, rows int, opts ...Option) {
	b.Helper()
	mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), opts...)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for mr.Next() {
		n += mr.Batch().Len()
	}
	if mr.Err() != nil || n != rows {
		b.Fatal(n, mr.Err())
	}
}

func BenchmarkWriteMeasurements(b *testing.B) {
	in := makeBatch(benchRows, 1)
	for _, codec := range []Codec{Zstd, Snappy, LZ4Raw} {
		b.Run(codec.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				mw, err := NewMeasurementWriter(io.Discard, WithCodec(codec))
				if err != nil {
					b.Fatal(err)
				}
				if err := mw.Write(in); err != nil {
					b.Fatal(err)
				}
				if err := mw.Close(); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b, benchRows)
		})
	}
}

func BenchmarkReadMeasurements(b *testing.B) {
	in := makeBatch(benchRows, 1)
	for _, codec := range []Codec{Zstd, Snappy, LZ4Raw} {
		data := writeMeasurements(b, []*engine.MeasurementBatch{in}, WithCodec(codec))
		for _, proj := range []struct {
			name string
			cols []string
		}{
			{"all", nil},
			{"aggregate", []string{"ts", "carrier", "tech", "signal_dbm", "service", "environment"}},
			{"lonlat", []string{"lon", "lat"}},
		} {
			b.Run(codec.String()+"/"+proj.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					opts := []Option{}
					if proj.cols != nil {
						opts = append(opts, WithColumns(proj.cols...))
					}
					readMeasurementFile(b, data, benchRows, opts...)
				}
				reportRows(b, benchRows)
			})
		}
	}
}

// storeColumns are the columns the analysis pipeline reads from a store
// part.
var storeColumns = []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service", "dl_mbps", "ul_mbps", "device_id", "environment"}

// makeStoreBatch returns n rows shaped like a store part of
// benchmarks/pipeline (benchrows): one carrier, a 1 km spread around
// 5000 settlements.
func makeStoreBatch(n int, seed uint64) *engine.MeasurementBatch {
	r := rand.New(rand.NewPCG(seed, 11))
	b := &engine.MeasurementBatch{}
	benchrows.Append(b, r, n, benchrows.Spots(r, 5000), 1, []engine.Carrier{engine.Viettel}, 1790787600000)
	return b
}

// BenchmarkReadStore reads a file laid out as the dataset package writes
// store parts (LZ4_RAW, 128 Ki-row row groups) with the pipeline's columns.
// Besides wall time per row it reports the process's CPU time per row
// (garbage collection on other cores included) where it can measure it.
func BenchmarkReadStore(b *testing.B) {
	const rows = 1 << 20
	in := makeStoreBatch(rows, 1)
	data := writeMeasurements(b, []*engine.MeasurementBatch{in}, WithCodec(LZ4Raw), WithRowGroupRows(1<<17))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu0, cpuOK := cpuTime()
	for i := 0; i < b.N; i++ {
		readMeasurementFile(b, data, rows, WithColumns(storeColumns...))
	}
	b.StopTimer()
	total := float64(rows) * float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/row")
	if cpu1, ok := cpuTime(); ok && cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/total, "cpu-ns/row")
	}
	reportRows(b, rows)
}
