package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// measurementsCSV is a valid measurements file of n rows, each at its own
// second of 2025-06-01 and longitude.
func measurementsCSV(n int) string {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,source\n")
	for i := range n {
		fmt.Fprintf(&b, "2025-06-01T%02d:%02d:%02dZ,viettel,4G,%.5f,21.0,-95,ok,crowd\n", i/3600, (i/60)%60, i%60, 105+float64(i)*1e-5)
	}
	return b.String()
}

// The batches are written on another goroutine, in order: every row
// reaches the writer once, in the file's order, and the batches it is
// given are the ones it wrote (not refilled while it wrote them).
func TestReadMeasurementsWritesBatchesInOrder(t *testing.T) {
	const n = 10_000
	c, err := NewCSV(strings.NewReader(measurementsCSV(n)), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults("m.csv", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	cfg.BatchSize = 700
	var lons []float64
	batches := 0
	rep, err := ReadMeasurements(t.Context(), c, nil, cfg, func(b *engine.MeasurementBatch) error {
		batches++
		first := b.Lon[0]
		time.Sleep(time.Millisecond) // the next batch fills meanwhile
		if b.Lon[0] != first {
			return fmt.Errorf("batch %d changed while it was written", batches)
		}
		lons = append(lons, b.Lon...)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != n || len(lons) != n || batches != (n+699)/700 {
		t.Fatalf("accepted %d, %d rows written in %d batches, want %d in %d", rep.Accepted, len(lons), batches, n, (n+699)/700)
	}
	for i, v := range lons {
		if want, _ := strconv.ParseFloat(fmt.Sprintf("%.5f", 105+float64(i)*1e-5), 64); v != want {
			t.Fatalf("row %d written with lon %v, want %v (rows out of order)", i, v, want)
		}
	}
}

// A write that fails stops the reading: its error is returned, and no
// batch is written after it.
func TestReadMeasurementsStopsAtAWriteError(t *testing.T) {
	c, err := NewCSV(strings.NewReader(measurementsCSV(20_000)), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults("m.csv", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	cfg.BatchSize = 500
	full := errors.New("disk full")
	writes := 0
	rep, err := ReadMeasurements(t.Context(), c, nil, cfg, func(b *engine.MeasurementBatch) error {
		writes++
		if writes == 3 {
			return full
		}
		return nil
	}, nil)
	if !errors.Is(err, full) {
		t.Fatalf("error %v, want the write's", err)
	}
	if writes != 3 {
		t.Fatalf("%d writes, want 3: none after the one that failed", writes)
	}
	if rep == nil || rep.RowsRead >= 20_000 {
		t.Fatalf("the reading went on to the end after the write failed (report %+v)", rep)
	}
}
