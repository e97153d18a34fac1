package arrowio

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

const benchRows = 1 << 18

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// writeFile returns the measurement store file of in written with opts.
func writeFile(b *testing.B, in *engine.MeasurementBatch, opts ...Option) []byte {
	b.Helper()
	var buf bytes.Buffer
	mw, err := NewMeasurementWriter(&buf, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := mw.Write(in); err != nil {
		b.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// readMeasurementFile reads every batch of data with opts and checks it holds rows.
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
	for _, codec := range []Codec{Zstd, Snappy} {
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
	for _, codec := range []Codec{Zstd, Snappy} {
		data := writeFile(b, in, WithCodec(codec))
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
// benchmarks/pipeline: one carrier, mostly 4G, positions clustered around
// settlements, a quarter of the rows with a download speed, device IDs
// drawn from 200 000 devices.
func makeStoreBatch(n int, seed uint64) *engine.MeasurementBatch {
	r := rand.New(rand.NewPCG(seed, 11))
	spots := make([][2]float64, 5000)
	for i := range spots {
		spots[i] = [2]float64{102.2 + 7.2*r.Float64(), 8.6 + 14.7*r.Float64()}
	}
	b := &engine.MeasurementBatch{}
	for i := 0; i < n; i++ {
		sp := spots[r.IntN(len(spots))]
		tech := engine.Tech4G
		switch x := r.IntN(20); {
		case x == 0:
			tech = engine.Tech2G
		case x < 4:
			tech = engine.Tech3G
		}
		m := engine.Measurement{TimeUnixMs: 1790787600000 + r.Int64N(30*86400*1000), Carrier: engine.Viettel, Tech: tech,
			Lon: sp[0] + 0.009*r.NormFloat64(), Lat: sp[1] + 0.009*r.NormFloat64(),
			SignalDBm: math.Round((-120+50*r.Float64())*10) / 10,
			RSRQDB:    math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
			Source: engine.SourceCrowd, DeviceID: "d" + strconv.Itoa(r.IntN(200000)),
			DeviceClass: engine.DeviceSmartphone, Environment: engine.Environment(1 + r.IntN(3))}
		if r.IntN(30) == 0 {
			m.Service, m.SignalDBm = engine.ServiceNone, math.NaN()
		}
		if r.IntN(4) == 0 {
			m.DLMbps = 40 * r.Float64()
		}
		b.Append(m)
	}
	return b
}

// BenchmarkReadStore reads a file laid out as the dataset package writes
// store parts (Snappy, 128 Ki-row row groups) with the pipeline's columns.
// Besides wall time per row it reports the process's CPU time per row
// (garbage collection on other cores included) where it can measure it.
func BenchmarkReadStore(b *testing.B) {
	const rows = 1 << 20
	in := makeStoreBatch(rows, 1)
	data := writeFile(b, in, WithCodec(Snappy), WithRowGroupRows(1<<17))
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
