package dataset

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

// FuzzOpenSource opens arbitrary bytes as an input file (plain or
// gzip-compressed, CSV, OpenCelliD, Parquet, Arrow) under small limits and
// reads every row: it must end in rows or a clean error, never a panic,
// and leave no temporary file behind.
func FuzzOpenSource(f *testing.F) {
	var pq bytes.Buffer
	if err := arrowio.WriteTable(&pq, []arrowio.Column{{Name: "lon", Float64: []float64{105.8}}, {Name: "carrier", String: []string{"viettel"}}}, nil); err != nil {
		f.Fatal(err)
	}
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(b)
		zw.Close()
		return out.Bytes()
	}
	csv := []byte("ts,carrier,tech,lon,lat\n2026-10-01T08:00:00Z,viettel,4G,105.8,21\n")
	for _, seed := range [][]byte{csv, gz(csv), pq.Bytes(), gz(pq.Bytes()), gz(append([]byte("PAR1"), make([]byte, 4096)...)),
		[]byte("LTE,452,4,1,2,0,105.8,21,1000,1,1,0,0,0\n"), []byte("\x7fELF\x02\x01\x01\x00"), []byte("ARROW1\x00\x00")} {
		f.Add(seed)
	}
	lim := ingest.Limits{MaxLineBytes: 512, MaxDecompressedBytes: 1 << 20, MaxSpillBytes: 1 << 20}
	// One input file and one temporary directory for all inputs: the
	// inputs run one at a time in each process.
	tmp := f.TempDir()
	f.Setenv("TMPDIR", tmp)
	path := filepath.Join(f.TempDir(), "in")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := OpenSource(path, "", nil, lim)
		if err == nil {
			for src.Records.Next() {
				_ = src.Records.Record()
			}
			_ = src.Records.Err()
			src.Close()
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("temporary files left behind: %v", left)
		}
	})
}
