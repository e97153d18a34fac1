package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestFullDiskIsAnError: a part that cannot be written (its file is
// /dev/full, which fails every write with ENOSPC, as a full disk does)
// fails the commit with an error naming the part and the file, not a
// panic, and the dataset is as before.
func TestFullDiskIsAnError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	before := snapshot(t, dir)
	s, _ := Open(dir)
	txn, err := s.Begin(strings.Repeat("ab", 32), "full.csv", "measurements")
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Abort()
	// The transaction's first file.
	if err := os.Symlink("/dev/full", filepath.Join(txn.tmp, "f1.parquet")); err != nil {
		t.Fatal(err)
	}
	var b engine.MeasurementBatch
	b.Append(engine.Measurement{TimeUnixMs: 1790000000000, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 105.8, Lat: 21, SignalDBm: -90})
	if err := txn.WriteMeasurements(&b); err != nil {
		t.Fatal(err)
	}
	_, err = func() (_ Source, err error) {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("commit panicked: %v", r)
			}
		}()
		return txn.Commit(Meta{})
	}()
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "f1.parquet") ||
		!strings.Contains(err.Error(), "measurements/period=2026-09/carrier=viettel/part-abababababababab.parquet") {
		t.Fatalf("commit on a full disk: %v; want ENOSPC naming the part and its file", err)
	}
	if after := snapshot(t, dir); !equalSnap(before, after) {
		t.Fatalf("dataset changed by a failed commit:\nbefore %v\nafter %v", keys(before), keys(after))
	}
}
