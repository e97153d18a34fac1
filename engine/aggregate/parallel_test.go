package aggregate

import (
	"context"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// pointData returns randomData rows placed at random points around Hanoi,
// with a few unindexable (NaN) coordinates.
func pointData(t testing.TB, seed uint64, n int) *engine.MeasurementBatch {
	b, _ := randomData(t, seed, n)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range b.Lon {
		b.Lon[i], b.Lat[i] = 105.80+rng.Float64()*0.04, 21.00+rng.Float64()*0.04
		if rng.IntN(100) == 0 {
			b.Lon[i] = math.NaN()
		}
	}
	return b
}

// chunks yields b in batches of size rows through one reused buffer, as a
// reader does.
func chunks(b *engine.MeasurementBatch, size int) iter.Seq2[*engine.MeasurementBatch, error] {
	return func(yield func(*engine.MeasurementBatch, error) bool) {
		buf := &engine.MeasurementBatch{}
		for lo := 0; lo < b.Len(); lo += size {
			buf.Reset()
			for i := lo; i < min(lo+size, b.Len()); i++ {
				buf.AppendRow(b, i)
			}
			if !yield(buf, nil) {
				return
			}
		}
	}
}

func TestParallelSameForAnyWorkers(t *testing.T) {
	b := pointData(t, 11, 6000)
	cfg := DefaultConfig()
	fine := make([]hexgrid.Cell, b.Len())
	if err := hexgrid.IndexInto(fine, b.Lon, b.Lat, cfg.Resolution+1); err != nil {
		t.Fatal(err)
	}
	seq := mustNew(t, cfg)
	if err := seq.Add(b, fine); err != nil {
		t.Fatal(err)
	}
	want := dump(seq)
	if seq.Skipped().NoCell == 0 {
		t.Fatal("test data has no unindexable rows")
	}
	for _, w := range []int{1, 4} {
		got, err := Parallel(context.Background(), cfg, w, chunks(b, 250), nil)
		if err != nil {
			t.Fatal(err)
		}
		if dump(got) != want {
			t.Errorf("%d workers: rows differ from a single sequential Aggregator", w)
		}
	}
}

func TestParallelStops(t *testing.T) {
	b := pointData(t, 12, 2000)
	errRead := errors.New("read failed")
	errIndex := errors.New("index failed")
	failing := func(yield func(*engine.MeasurementBatch, error) bool) {
		for bb, err := range chunks(b, 100) {
			if !yield(bb, err) {
				return
			}
		}
		yield(nil, errRead)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		batches iter.Seq2[*engine.MeasurementBatch, error]
		index   IndexFunc
		want    error
	}{
		{"reader error", context.Background(), failing, nil, errRead},
		{"index error", context.Background(), chunks(b, 100), func([]hexgrid.Cell, []float64, []float64) error { return errIndex }, errIndex},
		{"cancelled context", cancelled, chunks(b, 100), nil, context.Canceled},
		{"cells at the wrong resolution", context.Background(), chunks(b, 100), func(dst []hexgrid.Cell, lon, lat []float64) error {
			return hexgrid.IndexInto(dst, lon, lat, 8)
		}, engine.ErrInvalidValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parallel(tc.ctx, DefaultConfig(), 3, tc.batches, tc.index)
			if !errors.Is(err, tc.want) || a != nil {
				t.Errorf("Parallel = %v, %v; want nil, %v", a, err, tc.want)
			}
		})
	}
}
