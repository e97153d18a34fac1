package aggregate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// randomData returns n seeded random rows over a few res-8 cells in Hanoi
// (their res-9 children), three carriers and three technologies, with
// every kind of row the aggregator distinguishes.
func randomData(t testing.TB, seed uint64, n int) (*engine.MeasurementBatch, []hexgrid.Cell) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	var fineCells []hexgrid.Cell
	for i := 0; i < 4; i++ {
		c, err := hexgrid.Index(105.80+0.01*float64(i), 21.02, 8)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := c.Children(9)
		if err != nil {
			t.Fatal(err)
		}
		fineCells = append(fineCells, ch...)
	}
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, ""}
	techs := []engine.Tech{engine.Tech3G, engine.Tech4G, engine.Tech5G, engine.TechUnknown}
	t0 := int64(1740787200000) // 2025-03-01T00:00Z
	b := &engine.MeasurementBatch{}
	fine := make([]hexgrid.Cell, n)
	for i := range n {
		r := m(carriers[rng.IntN(len(carriers)-1)], techs[rng.IntN(len(techs)-1)], -130+rng.Float64()*70)
		r.TimeUnixMs = t0 + rng.Int64N(10*24*3600*1000)
		r.Environment = engine.Environment(rng.IntN(4))
		switch rng.IntN(20) {
		case 0:
			r.Service, r.SignalDBm = engine.ServiceNone, math.NaN()
		case 1:
			r.Service = engine.ServiceEmergency
		case 2:
			r.SignalDBm = math.NaN()
		case 3:
			r.Carrier = carriers[3]
		case 4:
			r.Tech = techs[3]
		}
		if rng.IntN(5) == 0 {
			r.DLMbps, r.ULMbps = rng.ExpFloat64()*40, rng.ExpFloat64()*8
		}
		if rng.IntN(10) > 0 {
			r.DeviceID = fmt.Sprintf("dev-%d", rng.IntN(400))
		}
		hot := rng.IntN(4) == 0 // one busy key, so its devices go beyond the exact set
		if hot {
			r.Carrier, r.Tech, r.DeviceID = engine.Viettel, engine.Tech4G, fmt.Sprintf("hot-%d", rng.IntN(2000))
		}
		b.Append(r)
		switch {
		case hot:
			fine[i] = fineCells[0]
		case rng.IntN(50) > 0:
			fine[i] = fineCells[rng.IntN(len(fineCells))]
		}
	}
	return b, fine
}

// slice returns rows [lo, hi) of b and fine.
func slice(b *engine.MeasurementBatch, fine []hexgrid.Cell, lo, hi int) (*engine.MeasurementBatch, []hexgrid.Cell) {
	out := &engine.MeasurementBatch{}
	for i := lo; i < hi; i++ {
		out.AppendRow(b, i)
	}
	return out, fine[lo:hi]
}

func aggOf(t testing.TB, parts ...[2]any) *Aggregator {
	t.Helper()
	a := mustNew(t, DefaultConfig())
	for _, p := range parts {
		if err := a.Add(p[0].(*engine.MeasurementBatch), p[1].([]hexgrid.Cell)); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func merged(t testing.TB, aggs ...*Aggregator) *Aggregator {
	t.Helper()
	out := mustNew(t, DefaultConfig())
	for _, a := range aggs {
		if err := out.Merge(a); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// dump renders rows and skipped counts in full: %v prints floats in their
// shortest exact form and NaN as NaN, so equal dumps mean equal results.
func dump(a *Aggregator) string { return fmt.Sprintf("%+v\n%+v", a.Rows(), a.Skipped()) }

func TestMergeProperties(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			b, fine := randomData(t, seed, 3000)
			pb1, pf1 := slice(b, fine, 0, 700)
			pb2, pf2 := slice(b, fine, 700, 1900)
			pb3, pf3 := slice(b, fine, 1900, 3000)
			p1, p2, p3 := [2]any{pb1, pf1}, [2]any{pb2, pf2}, [2]any{pb3, pf3}
			whole := dump(aggOf(t, [2]any{b, fine}))

			A, B, C := aggOf(t, p1), aggOf(t, p2), aggOf(t, p3)
			ab, ba := merged(t, A, B), merged(t, B, A)
			if dump(ab) != dump(ba) {
				t.Error("merge(a,b) != merge(b,a)")
			}
			left := merged(t, merged(t, A, B), C)
			right := merged(t, A, merged(t, B, C))
			if dump(left) != dump(right) {
				t.Error("merge(merge(a,b),c) != merge(a,merge(b,c))")
			}
			if dump(left) != whole {
				t.Error("partitioned then merged != unpartitioned")
			}
			// Merging into a non-empty aggregator, in another order.
			cb := aggOf(t, p3)
			if err := cb.Merge(A); err != nil {
				t.Fatal(err)
			}
			if err := cb.Merge(B); err != nil {
				t.Fatal(err)
			}
			if dump(cb) != whole {
				t.Error("c.Merge(a).Merge(b) != unpartitioned")
			}
			// Adding the parts in another order into one aggregator.
			if dump(aggOf(t, p2, p3, p1)) != whole {
				t.Error("Add in another order != unpartitioned")
			}
		})
	}
}

func TestMergeProducesSketchesAboveLimits(t *testing.T) {
	// Guard that the property test exercises HyperLogLog and several
	// windows, not only the exact paths.
	b, fine := randomData(t, 1, 3000)
	a := aggOf(t, [2]any{b, fine})
	hll, win := false, false
	for _, r := range a.Rows() {
		hll = hll || !r.DevicesExact
		win = win || r.Windows > 1
	}
	if !hll || !win {
		t.Errorf("random data has HLL keys %v, multi-window keys %v: want both", hll, win)
	}
	if a.Skipped().Total() == 0 {
		t.Error("random data has no skipped rows")
	}
}

func TestMergeRejects(t *testing.T) {
	a := mustNew(t, DefaultConfig())
	if err := a.Merge(a); err == nil {
		t.Error("self-merge accepted")
	}
	cfg := DefaultConfig()
	cfg.Resolution = 7
	if err := a.Merge(mustNew(t, cfg)); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("merge of different configs: %v, want ErrInvalidConfig", err)
	}
}

func TestAddAllocs(t *testing.T) {
	b, fine := randomData(t, 7, 2000)
	a := aggOf(t, [2]any{b, fine})      // keys, sketches and scratch now exist
	a.stageCap, a.stagePerKey = 3000, 0 // every other Add flushes
	for range 4 {
		if err := a.Add(b, fine); err != nil { // the stage reaches its size
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		if err := a.Add(b, fine); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Add of a seen batch allocates %v times, want 0", allocs)
	}
}

// TestAllMatchesRows checks that All yields the rows of Rows in the same
// order, for a plain and a partitioned aggregator, and stops when asked.
func TestAllMatchesRows(t *testing.T) {
	b, fine := randomData(t, 11, 5000)
	plain, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.Add(b, fine); err != nil {
		t.Fatal(err)
	}
	batches := func(yield func(*engine.MeasurementBatch, error) bool) { yield(b, nil) }
	par, err := Parallel(context.Background(), DefaultConfig(), 3, batches, func(dst []hexgrid.Cell, lon, lat []float64) error {
		copy(dst, fine)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*Aggregator{"plain": plain, "partitioned": par} {
		var got []Row
		for r := range a.All() {
			got = append(got, r)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", a.Rows()) || len(got) != a.Len() {
			t.Fatalf("%s: All and Rows differ (%d vs %d rows)", name, len(got), a.Len())
		}
		n := 0
		for range a.All() {
			n++
			if n == 3 {
				break
			}
		}
		if n != 3 {
			t.Fatalf("%s: early stop yielded %d", name, n)
		}
	}
	if fmt.Sprintf("%+v", plain.Rows()) != fmt.Sprintf("%+v", par.Rows()) {
		t.Fatal("partitioned and plain aggregators differ")
	}
}

// TestAllInParallel checks that All builds the same rows in the same order
// on several goroutines as on one, and that stopping early, at chunk
// boundaries and inside chunks, leaves no goroutine behind.
func TestAllInParallel(t *testing.T) {
	b, fine := boxData(t, 21, 40_000, [4]float64{104, 20, 1, 1}, 9)
	a := mustNew(t, DefaultConfig())
	if err := a.Add(b, fine); err != nil {
		t.Fatal(err)
	}
	if a.Len() <= 3*allChunk {
		t.Fatalf("%d keys: too few for the parallel path", a.Len())
	}
	collect := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var rows []Row
		for r := range a.All() {
			rows = append(rows, r)
		}
		return fmt.Sprintf("%+v", rows)
	}
	one := collect(1)
	for _, procs := range []int{2, 3, 8} {
		if collect(procs) != one {
			t.Fatalf("GOMAXPROCS %d: rows differ from one goroutine's", procs)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	before := runtime.NumGoroutine()
	for _, stopAt := range []int{1, allChunk - 1, allChunk, 3*allChunk + 5, a.Len()} {
		n := 0
		for range a.All() {
			if n++; n == stopAt {
				break
			}
		}
		if n != stopAt {
			t.Errorf("stop after %d: yielded %d", stopAt, n)
		}
		// All waits for its goroutines' functions to return; the
		// goroutines themselves may take a moment more to exit.
		g := runtime.NumGoroutine()
		for deadline := time.Now().Add(5 * time.Second); g > before && time.Now().Before(deadline); g = runtime.NumGoroutine() {
			time.Sleep(time.Millisecond)
		}
		if g > before {
			t.Errorf("stop after %d: %d goroutines, %d before", stopAt, g, before)
		}
	}
}

func TestSortRefs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		n    int
		mask uint64 // bits the keys vary in
	}{
		{0, 0}, {1, ^uint64(0)}, {2, 1}, {100, ^uint64(0)}, {5000, 0xff << 40}, {5000, 1<<15 | 7}, {70_000, 1<<50 - 1},
	} {
		refs := make([]ref, tc.n)
		for i := range refs {
			refs[i] = ref{key: 0x1234_5678_9abc_def0&^tc.mask | rng.Uint64()&tc.mask, part: int32(i % 3), j: int32(i)}
		}
		want := slices.Clone(refs)
		slices.SortStableFunc(want, func(x, y ref) int { return cmp.Compare(x.key, y.key) })
		sortRefs(refs)
		if !slices.Equal(refs, want) {
			t.Errorf("%d keys varying in %x: not sorted as a stable sort would", tc.n, tc.mask)
		}
	}
}
