package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"testing"
)

type stdParseError = csv.ParseError

// newStdCSV sets up encoding/csv as the reader before the bounded one.
func newStdCSV(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	return cr
}

// benchCSV is 100,000 measurement rows, some fields quoted.
func benchCSV() []byte {
	var b []byte
	b = append(b, "ts,carrier,tech,lon,lat,signal_dbm,service,dl_mbps,environment,device_class,source\n"...)
	for i := range 100000 {
		b = fmt.Appendf(b, "2026-10-01T08:%02d:%02dZ,\"Viettel\",4G,105.%04d,21.%04d,-%d,ok,%d.5,outdoor,smartphone,drive\n",
			i/60%60, i%60, i%10000, i%9999, 70+i%50, i%300)
	}
	return b
}

// BenchmarkCSV compares the bounded reader with encoding/csv set up as
// before it (ReuseRecord, 64 KiB buffer) on the same rows.
func BenchmarkCSV(b *testing.B) {
	data := benchCSV()
	b.Run("bounded", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			rec, err := NewCSV(bytes.NewReader(data), CSVOptions{})
			if err != nil {
				b.Fatal(err)
			}
			for rec.Next() {
			}
		}
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			cr := newStdCSV(bufio.NewReaderSize(bytes.NewReader(data), 1<<16), ',')
			cr.ReuseRecord = true
			for {
				if _, err := cr.Read(); err != nil {
					break
				}
			}
		}
	})
}
