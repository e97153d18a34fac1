package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

// TestTableRowOverLineCap: a Parquet row whose values exceed the line
// cap is quarantined as line_too_long, as a CSV line over it is, and the
// rows around it are read; it was accepted, its 2 KiB carrier name kept
// as a carrier of its own (validate and ingest apply one rule to every
// format: a Parquet file of repeated 1 MiB values peaked at gigabytes).
func TestTableRowOverLineCap(t *testing.T) {
	long := strings.Repeat("x", 2048)
	var buf bytes.Buffer
	ms := int64(1790000000000)
	if err := arrowio.WriteTable(&buf, []arrowio.Column{
		{Name: "ts", TimeUnixMs: []int64{ms, ms + 1, ms + 2}},
		{Name: "carrier", String: []string{"viettel", long, "viettel"}},
		{Name: "tech", String: []string{"4G", "4G", "4G"}},
		{Name: "lon", Float64: []float64{105.85, 105.86, 105.87}},
		{Name: "lat", Float64: []float64{21.03, 21.03, 21.03}},
		{Name: "signal_dbm", Float64: []float64{-98, -97, -96}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "m.parquet")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	o := opts()
	o.MaxRejectShare = 1
	o.Config.Limits.MaxLineBytes = 1024
	res, err := s.IngestFile(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if r.RowsRead != 3 || r.Accepted != 2 || r.ByReason[ingest.ReasonLineTooLong] != 1 {
		t.Fatalf("read %d, accepted %d, by reason %v", r.RowsRead, r.Accepted, r.ByReason)
	}
	for _, p := range res.Source.Parts {
		if p.Carrier != "viettel" {
			t.Fatalf("part of carrier %.40q…", p.Carrier)
		}
	}
	q, err := os.ReadFile(filepath.Join(s.Dir(), filepath.FromSlash(res.Source.Quarantine)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(q), "m.parquet,2,,") || !strings.Contains(string(q), "line_too_long") {
		t.Fatalf("quarantine:\n%.600s", q)
	}
}
