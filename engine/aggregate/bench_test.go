package aggregate

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// benchData returns a batch of n rows spread at random (no locality, the
// worst case) over the res-9 descendants of a coarse cell in Hanoi, three
// carriers and two technologies.
func benchData(b *testing.B, coarseRes, n int) (*engine.MeasurementBatch, []hexgrid.Cell, int) {
	b.Helper()
	c, err := hexgrid.Index(105.85, 21.03, coarseRes)
	if err != nil {
		b.Fatal(err)
	}
	cells, err := c.Children(9)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone}
	techs := []engine.Tech{engine.Tech4G, engine.Tech3G}
	batch := &engine.MeasurementBatch{}
	fine := make([]hexgrid.Cell, n)
	for i := range n {
		r := m(carriers[rng.IntN(3)], techs[rng.IntN(2)], -130+rng.Float64()*70)
		r.TimeUnixMs = 1740787200000 + rng.Int64N(30*24*3600*1000)
		r.Environment = engine.Environment(rng.IntN(4))
		if rng.IntN(30) == 0 {
			r.Service = engine.ServiceNone
		}
		if rng.IntN(10) == 0 {
			r.DLMbps, r.ULMbps = rng.ExpFloat64()*40, rng.ExpFloat64()*8
		}
		r.DeviceID = fmt.Sprintf("dev-%d", rng.IntN(5000))
		batch.Append(r)
		fine[i] = cells[rng.IntN(len(cells))]
	}
	return batch, fine, len(cells) / 7 * 6
}

func BenchmarkAdd(b *testing.B) {
	for _, sz := range []struct {
		name      string
		coarseRes int
		rows      int
		sorted    bool // rows in cell order, as a drive test's consecutive rows
	}{
		{"keys=2k/random", 5, 8192, false}, {"keys=2k/runs", 5, 8192, true}, {"keys=100k/random", 3, 8192, false},
		// State far beyond the caches: most rows miss.
		{"keys=700k/random", 2, 1 << 20, false},
	} {
		b.Run(sz.name, func(b *testing.B) {
			rows := sz.rows
			batch, fine, _ := benchData(b, sz.coarseRes, rows)
			if sz.sorted {
				batch, fine = sortedByCell(batch, fine)
			}
			a := mustNew(b, DefaultConfig())
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuSeconds()
			for b.Loop() {
				if err := a.Add(batch, fine); err != nil {
					b.Fatal(err)
				}
				a.flush() // the rows' statistics, not only their staging
			}
			b.ReportMetric(float64(b.N)*float64(rows)/b.Elapsed().Seconds(), "rows/s")
			if c := cpuSeconds() - cpu; c > 0 {
				b.ReportMetric(float64(b.N)*float64(rows)/c, "rows/cpu-s")
			}
			b.ReportMetric(float64(a.SizeBytes())/float64(max(a.Len(), 1)), "B/key")
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	batch, fine, _ := benchData(b, 5, 1<<16)
	src := mustNew(b, DefaultConfig())
	if err := src.Add(batch, fine); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		dst := mustNew(b, DefaultConfig())
		if err := dst.Merge(src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*float64(src.Len())/b.Elapsed().Seconds(), "keys/s")
}

func sortedByCell(b *engine.MeasurementBatch, fine []hexgrid.Cell) (*engine.MeasurementBatch, []hexgrid.Cell) {
	idx := make([]int, len(fine))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		return cmp.Or(cmp.Compare(fine[x], fine[y]), cmp.Compare(b.Carrier[x], b.Carrier[y]), cmp.Compare(b.Tech[x], b.Tech[y]))
	})
	out := &engine.MeasurementBatch{}
	f := make([]hexgrid.Cell, len(fine))
	for j, i := range idx {
		out.AppendRow(b, i)
		f[j] = fine[i]
	}
	return out, f
}

// BenchmarkParallel measures indexing (hexgrid.IndexInto) plus
// aggregation end to end, batches copied from a reader's reused buffer.
func BenchmarkParallel(b *testing.B) {
	const rows = 1 << 15
	data := pointData(b, 21, rows)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parallel(context.Background(), DefaultConfig(), w, chunks(data, 8192), nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*rows/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkRateCode compares the table-driven speed code with the
// logarithm that defines it, on the same log-uniform speeds.
func BenchmarkRateCode(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 4096)
	for i := range xs {
		xs[i] = math.Exp(math.Log(minRateMbps) + rng.Float64()*(math.Log(maxRateMbps)-math.Log(minRateMbps)))
	}
	var sink uint32
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			for _, x := range xs {
				c, _ := rateCode(x)
				sink += c
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/value")
	})
	b.Run("log", func(b *testing.B) {
		for b.Loop() {
			for _, x := range xs {
				sink += rateCodeLog(x)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/value")
	})
	_ = sink
}
