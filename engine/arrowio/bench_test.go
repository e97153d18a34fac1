package arrowio

import (
	"bytes"
	"io"
	"testing"
)

const benchRows = 1 << 18

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
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
		var buf bytes.Buffer
		mw, _ := NewMeasurementWriter(&buf, WithCodec(codec))
		if err := mw.Write(in); err != nil {
			b.Fatal(err)
		}
		if err := mw.Close(); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
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
					mr, err := NewMeasurementReader(bytes.NewReader(data), int64(len(data)), opts...)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for mr.Next() {
						n += mr.Batch().Len()
					}
					if mr.Err() != nil || n != benchRows {
						b.Fatal(n, mr.Err())
					}
				}
				reportRows(b, benchRows)
			})
		}
	}
}
