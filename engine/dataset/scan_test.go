package dataset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
)

// scanStore writes n rows over two periods and three carriers (six parts)
// in row groups of rowGroup rows, so that parts have several row groups of
// uneven counts.
func scanStore(t testing.TB, n, rowGroup int) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	s.rowGroupRows = rowGroup
	txn, err := s.Begin(strings.Repeat("ab", 32), "scan.csv", "measurements")
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Abort()
	r := rand.New(rand.NewPCG(3, 5))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone}
	weights := []int{6, 3, 1} // uneven parts
	t0 := time.Date(2026, 9, 20, 0, 0, 0, 0, ReportTime).UnixMilli()
	b := &engine.MeasurementBatch{}
	for i := 0; i < n; i++ {
		c := carriers[0]
		switch x := r.IntN(10); {
		case x >= weights[0]+weights[1]:
			c = carriers[2]
		case x >= weights[0]:
			c = carriers[1]
		}
		dl := math.NaN()
		if r.IntN(3) == 0 {
			dl = 50 * r.Float64()
		}
		b.Append(engine.Measurement{
			TimeUnixMs: t0 + r.Int64N(20*86400*1000), Carrier: c, Tech: engine.Tech(1 + r.IntN(4)),
			Lon: 102.2 + 7*r.Float64(), Lat: 8.6 + 14*r.Float64(), SignalDBm: -120 + 60*r.Float64(),
			Service: engine.ServiceOK, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: dl, ULMbps: math.NaN(),
			LatencyMs: math.NaN(), DeviceID: fmt.Sprintf("d%d", r.IntN(50)), Environment: engine.Environment(r.IntN(4)),
		})
	}
	if err := txn.WriteMeasurements(b); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Commit(Meta{Format: "csv", IngestedAt: now}); err != nil {
		t.Fatal(err)
	}
	if got := len(s.Parts("measurements", nil, nil)); got != 6 {
		t.Fatalf("%d parts, want 6", got)
	}
	return s
}

// sequentialRows counts the rows of a sequential scan by key.
func sequentialRows(t *testing.T, s *Store, opts ...arrowio.Option) (map[string]int, int) {
	t.Helper()
	rows := map[string]int{}
	n := 0
	err := s.ScanMeasurements(context.Background(), nil, nil, func(b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			rows[rowKey(b.Row(i))]++
			n++
		}
		return nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return rows, n
}

func TestScanMeasurementsParallel(t *testing.T) {
	s := scanStore(t, 5000, 300)
	opts := []arrowio.Option{arrowio.WithBatchRows(128)}
	want, total := sequentialRows(t, s, opts...)
	if total != 5000 {
		t.Fatalf("sequential scan read %d rows, want 5000", total)
	}
	groups := 0
	for _, p := range s.Parts("measurements", nil, nil) {
		f, r, err := s.openPart(p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		groups += r.NumRowGroups()
		f.Close()
	}
	if groups < 12 {
		t.Fatalf("%d row groups in 6 parts, want several per part", groups)
	}
	for _, workers := range []int{0, 1, 2, 3, 4, 9} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			nw := max(workers, 1)
			var (
				mu      sync.Mutex
				got     = map[string]int{}
				n       int
				busy    = make([]atomic.Bool, nw)
				batches = make([]int, nw)
			)
			err := s.ScanMeasurementsParallel(context.Background(), nil, nil, workers, func(w int, b *engine.MeasurementBatch) error {
				if w < 0 || w >= nw {
					return fmt.Errorf("worker %d of %d", w, nw)
				}
				if busy[w].Swap(true) {
					return fmt.Errorf("fn called concurrently for worker %d", w)
				}
				defer busy[w].Store(false)
				batches[w]++
				keys := make([]string, b.Len())
				for i := range keys {
					keys[i] = rowKey(b.Row(i))
				}
				mu.Lock()
				defer mu.Unlock()
				for _, k := range keys {
					got[k]++
					n++
				}
				return nil
			}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if n != total {
				t.Fatalf("read %d rows, sequential scan %d", n, total)
			}
			for k, c := range want {
				if got[k] != c {
					t.Fatalf("row read %d times, sequentially %d: %s", got[k], c, k)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d distinct rows, sequentially %d", len(got), len(want))
			}
		})
	}
	// A filter applies as in ScanMeasurements.
	periods, carriers := []string{"2026-10"}, []string{"viettel"}
	wantN := 0
	if err := s.ScanMeasurements(context.Background(), periods, carriers, func(b *engine.MeasurementBatch) error {
		wantN += b.Len()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	err := s.ScanMeasurementsParallel(context.Background(), periods, carriers, 3, func(_ int, b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			if b.Carrier[i] != engine.Viettel || PeriodOf(b.TimeUnixMs[i]) != "2026-10" {
				return fmt.Errorf("row outside the filter: %+v", b.Row(i))
			}
		}
		n.Add(int64(b.Len()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != int64(wantN) || wantN == 0 {
		t.Errorf("filtered scan read %d rows, sequentially %d", n.Load(), wantN)
	}
}

func TestScanMeasurementsParallelErrors(t *testing.T) {
	s := scanStore(t, 3000, 200)
	batches := 0
	if err := s.ScanMeasurements(context.Background(), nil, nil, func(*engine.MeasurementBatch) error {
		batches++
		return nil
	}, arrowio.WithBatchRows(64)); err != nil {
		t.Fatal(err)
	}
	errStop := errors.New("stop")
	tests := []struct {
		name   string
		damage func(t *testing.T, s *Store) string // returns the damaged part's path
		ctx    func() (context.Context, context.CancelFunc)
		fnErr  int // fn fails at this call (1-based); 0 = never
		cancel int // fn cancels ctx at this call; 0 = never
		want   error
	}{
		{name: "fn fails", fnErr: 5, want: errStop},
		{name: "fn fails at once", fnErr: 1, want: errStop},
		{name: "ctx cancelled during the scan", cancel: 3, want: context.Canceled},
		{name: "ctx cancelled before", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, want: context.Canceled},
		{name: "part truncated", damage: func(t *testing.T, s *Store) string {
			p := s.Parts("measurements", nil, nil)[3]
			if err := os.Truncate(s.Path(p), p.Bytes/2); err != nil {
				t.Fatal(err)
			}
			return p.Path
		}, want: ErrCorruptPart}, // its size no longer matches the manifest's
		{name: "page damaged", damage: func(t *testing.T, s *Store) string {
			p := s.Parts("measurements", nil, nil)[1]
			b, err := os.ReadFile(s.Path(p))
			if err != nil {
				t.Fatal(err)
			}
			for i := 4; i < 600; i++ { // the first page header and values
				b[i] = 0xff
			}
			if err := os.WriteFile(s.Path(p), b, 0o644); err != nil {
				t.Fatal(err)
			}
			return p.Path
		}},
	}
	for _, tc := range tests {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s, %d workers", tc.name, workers), func(t *testing.T) {
				s := s
				part := ""
				if tc.damage != nil {
					s = scanStore(t, 3000, 200)
					part = tc.damage(t, s)
				}
				ctx, cancel := context.WithCancel(context.Background())
				if tc.ctx != nil {
					ctx, cancel = tc.ctx()
				}
				defer cancel()
				var calls, late atomic.Int64
				var returned atomic.Bool
				before := runtime.NumGoroutine()
				err := s.ScanMeasurementsParallel(ctx, nil, nil, workers, func(w int, b *engine.MeasurementBatch) error {
					if returned.Load() {
						late.Add(1)
					}
					c := calls.Add(1)
					if c == int64(tc.cancel) {
						cancel()
					}
					if c == int64(tc.fnErr) {
						return errStop
					}
					return nil
				}, arrowio.WithBatchRows(64))
				returned.Store(true)
				switch {
				case err == nil:
					t.Fatal("no error")
				case tc.want != nil && !errors.Is(err, tc.want):
					t.Fatalf("err = %v, want %v", err, tc.want)
				case part != "" && !strings.Contains(err.Error(), part):
					t.Fatalf("err = %v, want it to name %s", err, part)
				}
				if tc.ctx != nil && calls.Load() != 0 {
					t.Errorf("fn called %d times with a cancelled ctx", calls.Load())
				}
				// Once fn failed, each other worker finishes at most the
				// call it is in; 10 leaves room for a slow cancellation,
				// far below the batches left.
				if limit := tc.fnErr + 10*(workers-1); tc.fnErr > 0 && calls.Load() > int64(limit) {
					t.Errorf("fn called %d times of %d batches, though it failed at call %d", calls.Load(), batches, tc.fnErr)
				}
				time.Sleep(10 * time.Millisecond)
				if late.Load() > 0 {
					t.Errorf("fn called %d times after the scan returned", late.Load())
				}
				if g := runtime.NumGoroutine(); g > before {
					t.Errorf("%d goroutines after the scan, %d before", g, before)
				}
			})
		}
	}
}

// BenchmarkScanMeasurementsParallel scans 1 Mi rows in six parts of 32 Ki-row
// row groups with the columns of the analysis pipeline.
func BenchmarkScanMeasurementsParallel(b *testing.B) {
	const rows = 1 << 20
	s := scanStore(b, rows, 1<<15)
	cols := arrowio.WithColumns("ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service", "dl_mbps", "ul_mbps", "device_id", "environment")
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var n atomic.Int64
				err := s.ScanMeasurementsParallel(context.Background(), nil, nil, workers, func(_ int, mb *engine.MeasurementBatch) error {
					n.Add(int64(mb.Len()))
					return nil
				}, cols)
				if err != nil || n.Load() != rows {
					b.Fatal(n.Load(), err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
