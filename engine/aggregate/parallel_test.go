package aggregate

import (
	"context"
	"errors"
	"iter"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
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

// boxData returns n randomData rows at uniform random points of the box
// box = {lon, lat, width, height} in degrees, and their cells at res.
func boxData(t testing.TB, seed uint64, n int, box [4]float64, res int) (*engine.MeasurementBatch, []hexgrid.Cell) {
	t.Helper()
	b, _ := randomData(t, seed, n)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range b.Lon {
		b.Lon[i], b.Lat[i] = box[0]+box[2]*rng.Float64(), box[1]+box[3]*rng.Float64()
	}
	fine := make([]hexgrid.Cell, n)
	if err := hexgrid.IndexInto(fine, b.Lon, b.Lat, res); err != nil {
		t.Fatal(err)
	}
	return b, fine
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
	for _, w := range []int{1, 2, 3, 4} {
		got, err := Parallel(context.Background(), cfg, w, chunks(b, 250), nil)
		if err != nil {
			t.Fatal(err)
		}
		if dump(got) != want {
			t.Errorf("%d workers: rows differ from a single sequential Aggregator", w)
		}
		if got.Len() != seq.Len() {
			t.Errorf("%d workers: %d keys, want %d", w, got.Len(), seq.Len())
		}
	}
}

// TestParallelEmptyPartitions feeds batches of one row to more workers than
// rows: most partitions of most batches are empty.
func TestParallelEmptyPartitions(t *testing.T) {
	b := pointData(t, 15, 40)
	cfg := DefaultConfig()
	fine := make([]hexgrid.Cell, b.Len())
	if err := hexgrid.IndexInto(fine, b.Lon, b.Lat, cfg.Resolution+1); err != nil {
		t.Fatal(err)
	}
	want := dump(aggOf(t, [2]any{b, fine}))
	for _, w := range []int{2, 4} {
		got, err := Parallel(context.Background(), cfg, w, chunks(b, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		if dump(got) != want {
			t.Errorf("%d workers, one-row batches: rows differ from one Aggregator", w)
		}
	}
	one, _ := slice(b, fine, 0, 1)
	p, _ := newPartitioned(cfg, 4)
	if err := p.Add(one, fine[:1]); err != nil {
		t.Fatal(err)
	}
	if got := p.Rows(); len(got) > 1 || (len(got) == 1 && got[0].All.Rows != 1) {
		t.Errorf("one row into 4 partitions gives %+v", got)
	}
}

// TestPartitionedAggregator checks that an Aggregator of partitions (as
// Parallel returns) adds, merges and is merged like a plain one, and that
// its partitions hold disjoint keys.
func TestPartitionedAggregator(t *testing.T) {
	b := pointData(t, 13, 5000)
	cfg := DefaultConfig()
	fine := make([]hexgrid.Cell, b.Len())
	if err := hexgrid.IndexInto(fine, b.Lon, b.Lat, cfg.Resolution+1); err != nil {
		t.Fatal(err)
	}
	b1, f1 := slice(b, fine, 0, 2000)
	b2, f2 := slice(b, fine, 2000, 5000)
	want := dump(aggOf(t, [2]any{b, fine}))

	part := func(n int, bb *engine.MeasurementBatch, ff []hexgrid.Cell) *Aggregator {
		a, err := newPartitioned(cfg, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Add(bb, ff); err != nil {
			t.Fatal(err)
		}
		return a
	}
	p3 := part(3, b, fine)
	if dump(p3) != want {
		t.Error("Add into 3 partitions != one Aggregator")
	}
	seen := map[uint64]bool{}
	for i, p := range p3.parts {
		if p.Len() == 0 {
			t.Errorf("partition %d is empty", i)
		}
		for s := range int32(p.n) {
			k := p.stat(s).key >> cellShift
			if seen[k] && partOf(k, 3) != i {
				t.Errorf("cell of key %x in two partitions", k)
			}
			seen[k] = true
		}
	}
	tests := []struct {
		name string
		dst  *Aggregator
		src  *Aggregator
	}{
		{"partitioned into plain", aggOf(t, [2]any{b1, f1}), part(2, b2, f2)},
		{"plain into partitioned", part(2, b1, f1), aggOf(t, [2]any{b2, f2})},
		{"partitioned into differently partitioned", part(3, b1, f1), part(2, b2, f2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.dst.Merge(tc.src); err != nil {
				t.Fatal(err)
			}
			if dump(tc.dst) != want {
				t.Error("merged != one Aggregator")
			}
		})
	}
	if err := p3.Merge(p3); err == nil {
		t.Error("self-merge of a partitioned aggregator accepted")
	}
	bad := slices.Clone(fine)
	for _, c := range fine {
		if c != 0 {
			bad[len(bad)-1] = hexgrid.FastParent(c, cfg.Resolution)
			break
		}
	}
	before := dump(p3)
	if err := p3.Add(b, bad); !errors.Is(err, engine.ErrInvalidValue) || dump(p3) != before {
		t.Errorf("Add of a wrong-resolution cell: %v, or statistics changed", err)
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

// TestManyKeys goes beyond a hash table and arena on the heap (to arrays
// mapped outside it) and beyond the stage that flush applies in hash
// order, once in one flush and once in many, and checks that adding,
// merging and partitioning still agree.
func TestManyKeys(t *testing.T) {
	const n = 100000
	cfg := DefaultConfig()
	b, fine := boxData(t, 14, n, [4]float64{104, 10, 3, 10}, cfg.Resolution+1)
	whole := aggOf(t, [2]any{b, fine})
	if whole.Len() <= pageSize {
		t.Fatalf("%d keys: want more than a page (%d)", whole.Len(), pageSize)
	}
	want := dump(whole)
	for _, stageCap := range []int{5000, 40000} { // flushes with many keys and many recs per key
		small := mustNew(t, cfg)
		small.stageCap, small.stagePerKey = stageCap, 0
		for lo := 0; lo < n; lo += 3000 {
			bb, ff := slice(b, fine, lo, min(lo+3000, n))
			if err := small.Add(bb, ff); err != nil {
				t.Fatal(err)
			}
		}
		if dump(small) != want {
			t.Errorf("stage flushed every %d recs != one flush", stageCap)
		}
	}
	// Producers adding at once into a Group of three partitions, each
	// flushing often and grouping every flush by bucket.
	g, err := newGroup(cfg, 3, func(p *Aggregator) { p.stageCap, p.stagePerKey = 7000, 0 })
	if err != nil {
		t.Fatal(err)
	}
	g.blockRecs = 1000 // blocks handed over, and flushed, many times
	var wg sync.WaitGroup
	for w := range 4 {
		p := g.NewProducer()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := w * 2500; lo < n; lo += 4 * 2500 {
				bb, ff := slice(b, fine, lo, min(lo+2500, n))
				if err := p.Add(bb, ff); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	grouped, err := g.Close()
	if err != nil {
		t.Fatal(err)
	}
	if dump(grouped) != want {
		t.Error("4 producers into a 3-partition Group != one Aggregator")
	}
	b1, f1 := slice(b, fine, 0, n/3)
	b2, f2 := slice(b, fine, n/3, n)
	if got := dump(merged(t, aggOf(t, [2]any{b2, f2}), aggOf(t, [2]any{b1, f1}))); got != want {
		t.Error("merged halves != one Aggregator")
	}
	got, err := Parallel(context.Background(), cfg, 2, chunks(b, 4096), nil)
	if err != nil {
		t.Fatal(err)
	}
	if dump(got) != want {
		t.Error("2 workers != one Aggregator")
	}
	if whole.SizeBytes() <= 0 {
		t.Error("SizeBytes is not positive")
	}
	whole, got = nil, nil
	runtime.GC() // runs the cleanups that unmap pages
	runtime.GC()
}

// TestSortedBuckets feeds a flush whose buckets span several pages of a
// table larger than the buckets, so that each bucket is sorted by home
// position before it is applied (applyBucket), and checks it against the
// same rows applied in flushes too small to be sorted.
func TestSortedBuckets(t *testing.T) {
	const n = 200000
	cfg := DefaultConfig()
	b, fine := boxData(t, 21, n, [4]float64{105.0, 20.7, 0.3, 0.3}, cfg.Resolution+1)
	sorted := mustNew(t, cfg)
	sorted.stageCap, sorted.stagePerKey = n+1, 0 // one flush (by dump), of two blocks
	for lo := 0; lo < n; lo += n / 4 {
		bb, ff := slice(b, fine, lo, lo+n/4)
		if err := sorted.Add(bb, ff); err != nil {
			t.Fatal(err)
		}
	}
	if len(sorted.blocks) != 2 || len(sorted.tmp) != 0 {
		t.Fatalf("%d blocks and %d unsealed records before the flush, want 2 and 0", len(sorted.blocks), len(sorted.tmp))
	}
	multi := 0 // buckets with more records than applySeg takes at once, in two segments
	for bk := range nBuckets {
		m := 0
		for _, sg := range segments(nil, sorted.blocks, bk) {
			m += len(sg)
		}
		if m > applyRecs {
			multi++
		}
	}
	got := dump(sorted)
	if multi == 0 || 64-sorted.shift <= bucketBits {
		t.Fatalf("%d buckets beyond %d records, table of 2^%d: the sorted path was not taken", multi, applyRecs, 64-sorted.shift)
	}
	plain := mustNew(t, cfg)
	plain.stageCap, plain.stagePerKey = 3000, 0 // a few records per bucket: never sorted
	for lo := 0; lo < n; lo += 1000 {
		bb, ff := slice(b, fine, lo, min(lo+1000, n))
		if err := plain.Add(bb, ff); err != nil {
			t.Fatal(err)
		}
	}
	if got != dump(plain) {
		t.Fatal("buckets applied sorted != applied as staged")
	}
	t.Logf("%d keys, %d buckets beyond %d records", sorted.Len(), multi, applyRecs)
}

// TestSummaries checks that Summaries yields All's rows without their
// signal histograms, through the parallel path (more than 2×allChunk
// keys) and the sequential one.
func TestSummaries(t *testing.T) {
	cfg := DefaultConfig()
	b, fine := boxData(t, 21, 60000, [4]float64{104, 10, 3, 10}, cfg.Resolution+1)
	a := aggOf(t, [2]any{b, fine})
	if a.Len() <= 2*allChunk {
		t.Fatalf("%d keys: want more than %d for the parallel path", a.Len(), 2*allChunk)
	}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		var want, got []Row
		for r := range a.All() {
			want = append(want, r)
		}
		for r := range a.Summaries() {
			got = append(got, r)
		}
		runtime.GOMAXPROCS(old)
		if len(got) != len(want) {
			t.Fatalf("GOMAXPROCS %d: %d rows, want %d", procs, len(got), len(want))
		}
		hists := 0
		for i := range want {
			if want[i].Signal.Hist != nil {
				hists++
			}
			if got[i].Signal.Hist != nil || got[i].OutdoorSignal.Hist != nil {
				t.Fatalf("GOMAXPROCS %d: row %d has a histogram", procs, i)
			}
			w := want[i]
			w.Signal.Hist, w.OutdoorSignal.Hist = nil, nil
			if !sameRow(w, got[i]) {
				t.Fatalf("GOMAXPROCS %d: row %d = %+v, want %+v", procs, i, got[i], w)
			}
		}
		if hists == 0 {
			t.Fatal("All gave no histogram")
		}
	}
	// An Order's builders, on two goroutines taking alternate ranges that
	// cut touch blocks, build Summaries' rows.
	var want []Row
	for r := range a.Summaries() {
		want = append(want, r)
	}
	o := a.Order()
	if o.Len() != len(want) {
		t.Fatalf("Order has %d keys, Summaries %d", o.Len(), len(want))
	}
	const span = touchBlock + 44
	var got [2][]Row
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() {
			b := o.Summaries()
			for lo := g * span; lo < o.Len(); lo += 2 * span {
				got[g] = b.Append(got[g], lo, min(lo+span, o.Len()))
			}
		})
	}
	wg.Wait()
	if n := len(got[0]) + len(got[1]); n != len(want) {
		t.Fatalf("builders gave %d rows, want %d", n, len(want))
	}
	for i, w := range want {
		r := got[i/span%2][i/(2*span)*span+i%span]
		if !sameRow(w, r) {
			t.Fatalf("Order row %d = %+v, want %+v", i, r, w)
		}
	}
}

// sameRow compares rows field by field, NaN equal to NaN.
func sameRow(x, y Row) bool {
	feq := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	sig := func(a, b SignalStats) bool {
		return a.N == b.N && a.LoDBm == b.LoDBm && slices.Equal(a.Hist, b.Hist) && feq(a.MinDBm, b.MinDBm) && feq(a.MaxDBm, b.MaxDBm) &&
			feq(a.MeanDBm, b.MeanDBm) && feq(a.P10DBm, b.P10DBm) && feq(a.P50DBm, b.P50DBm) && feq(a.P90DBm, b.P90DBm)
	}
	rate := func(a, b RateStats) bool {
		return a.N == b.N && feq(a.P10Mbps, b.P10Mbps) && feq(a.MedianMbps, b.MedianMbps) && feq(a.P90Mbps, b.P90Mbps)
	}
	return x.Key == y.Key && x.All == y.All && x.Outdoor == y.Outdoor && x.Indoor == y.Indoor &&
		sig(x.Signal, y.Signal) && sig(x.OutdoorSignal, y.OutdoorSignal) && rate(x.DL, y.DL) && rate(x.UL, y.UL) &&
		x.Devices == y.Devices && x.DevicesExact == y.DevicesExact && x.FirstUnixMs == y.FirstUnixMs &&
		x.LastUnixMs == y.LastUnixMs && x.Windows == y.Windows && x.Children == y.Children
}
