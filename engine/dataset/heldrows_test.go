package dataset

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
)

// The rows an ingest keeps to look for in the dataset are those of the
// partitions (month, carrier) the dataset has parts of: none for a new
// dataset, none for the first dump of a month, a late dump's alone.
func TestRowKeysOnlyOfHeldPartitions(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "ds"))
	if err != nil {
		t.Fatal(err)
	}
	if k := s.newRowKeys(100); k != nil {
		t.Fatalf("a dataset without measurements keeps row keys: %+v", k)
	}
	if _, err := s.IngestFile(context.Background(), writeFile(t, dir, "a.csv", mCSV), IngestOptions{Config: ingest.Defaults("", now), MaxRejectShare: 0.5}); err != nil {
		t.Fatal(err)
	}
	k := s.newRowKeys(100)
	if k == nil {
		t.Fatal("no collector for a dataset holding measurements")
	}
	var b engine.MeasurementBatch
	add := func(ts string, carrier engine.Carrier) {
		tm, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			t.Fatal(err)
		}
		b.Append(engine.Measurement{TimeUnixMs: tm.UnixMilli(), Carrier: carrier, Tech: engine.Tech4G, Lon: 105.9, Lat: 21.0, SignalDBm: -90})
	}
	add("2026-10-05T08:00:00+07:00", "viettel")   // October's viettel: held
	add("2026-10-05T08:00:00+07:00", "vinaphone") // no vinaphone part
	add("2026-11-05T08:00:00+07:00", "viettel")   // no November part
	add("2026-10-01T00:00:00+07:00", "mobifone")  // October's mobifone: held
	add("2026-09-30T23:59:59+07:00", "mobifone")  // September's mobifone: none
	k.add(&b)
	if len(k.keys) != 2 {
		t.Fatalf("kept %d row keys, want 2 (October's viettel and mobifone rows)", len(k.keys))
	}
	k2 := s.newRowKeys(1)
	k2.add(&b)
	if len(k2.keys) != 1 {
		t.Errorf("kept %d row keys under a bound of 1", len(k2.keys))
	}
}
