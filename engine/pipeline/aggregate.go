package pipeline

import (
	"context"
	"fmt"
	"io"
	"iter"
	"runtime"
	"sync/atomic"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// AggregateOptions control Aggregate.
type AggregateOptions struct {
	Config aggregate.Config
	// Workers indexing and aggregating in parallel (0 = GOMAXPROCS).
	Workers int
	// Periods and Carriers restrict the partitions read (nil = all).
	Periods, Carriers []string
	// Progress, if set, is called with the number of rows read so far,
	// from the reading goroutines (one at a time per goroutine, so it must
	// be safe for concurrent use).
	Progress func(rows int64)
}

// aggregateColumns are the measurement columns the aggregation reads.
var aggregateColumns = []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service",
	"dl_mbps", "ul_mbps", "device_id", "device_class", "environment", "speed_test"}

// Aggregate streams every selected measurement partition of the dataset
// through H3 indexing (at Config.Resolution+1, for the child-cell spread)
// and the per (cell, carrier, tech) statistics on Workers goroutines: each
// reads row groups of its own (dataset.Store.ScanMeasurementsParallel),
// indexes them and hands the rows to an aggregate.Group of Workers key
// partitions. It returns the aggregator and the number of rows read.
func Aggregate(ctx context.Context, s *dataset.Store, opt AggregateOptions) (*aggregate.Aggregator, int64, error) {
	if err := opt.Config.Validate(); err != nil {
		return nil, 0, err
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, err := aggregate.NewGroup(opt.Config, workers)
	if err != nil {
		return nil, 0, err
	}
	type worker struct {
		p     *aggregate.Producer
		cells []hexgrid.Cell
	}
	ws := make([]worker, workers)
	for i := range ws {
		ws[i].p = g.NewProducer()
	}
	res := opt.Config.Resolution + 1
	var rows atomic.Int64
	err = s.ScanMeasurementsParallel(ctx, opt.Periods, opt.Carriers, workers, func(i int, b *engine.MeasurementBatch) error {
		w := &ws[i]
		n := b.Len()
		if cap(w.cells) < n {
			w.cells = make([]hexgrid.Cell, n)
		}
		w.cells = w.cells[:n]
		if err := hexgrid.IndexInto(w.cells, b.Lon, b.Lat, res); err != nil {
			return fmt.Errorf("pipeline: index: %w", err)
		}
		if err := w.p.Add(b, w.cells); err != nil {
			return err
		}
		if r := rows.Add(int64(n)); opt.Progress != nil {
			opt.Progress(r)
		}
		return nil
	}, arrowio.WithColumns(aggregateColumns...))
	a, cerr := g.Close()
	if err == nil {
		err = cerr
	}
	if err != nil {
		return nil, 0, err
	}
	return a, rows.Load(), nil
}

// AggregateColumnNames is the layout of the per-cell table.
var AggregateColumnNames = []string{
	"cell", "res", "lon", "lat", "carrier", "tech",
	"rows", "tests", "covered", "below_no_service", "no_service_rows",
	"outdoor_tests", "outdoor_covered", "outdoor_below_no_service", "indoor_tests",
	"signal_n", "signal_min_dbm", "signal_p10_dbm", "signal_median_dbm", "signal_p90_dbm", "signal_max_dbm", "signal_mean_dbm",
	"outdoor_signal_median_dbm",
	"dl_n", "dl_median_mbps", "ul_n", "ul_median_mbps",
	"devices", "devices_exact", "first_ts", "last_ts", "windows_4h", "children_hit", "children_mask",
}

// AggregateTable shapes aggregate rows into columns (AggregateColumnNames
// order) for arrowio.WriteTable. lon/lat are the cell centres.
func AggregateTable(rows []aggregate.Row) ([]arrowio.Column, error) {
	n := len(rows)
	str := func() []string { return make([]string, 0, n) }
	i64 := func() []int64 { return make([]int64, 0, n) }
	f64 := func() []float64 { return make([]float64, 0, n) }
	cell, carrier, tech := str(), str(), str()
	res := i64()
	lon, lat := f64(), f64()
	var ints [16][]int64
	for i := range ints {
		ints[i] = i64()
	}
	var floats [10][]float64
	for i := range floats {
		floats[i] = f64()
	}
	exact := make([]bool, 0, n)
	first, last := i64(), i64()
	for _, r := range rows {
		c, err := r.Cell.Center()
		if err != nil {
			return nil, err
		}
		cell = append(cell, r.Cell.String())
		res = append(res, int64(r.Cell.Resolution()))
		lon, lat = append(lon, c[0]), append(lat, c[1])
		carrier = append(carrier, string(r.Carrier))
		tech = append(tech, r.Tech.String())
		for i, v := range []int64{r.All.Rows, r.All.Tests, r.All.Covered, r.All.BelowNoService, r.All.NoServiceRows,
			r.Outdoor.Tests, r.Outdoor.Covered, r.Outdoor.BelowNoService, r.Indoor.Tests, r.Signal.N,
			r.DL.N, r.UL.N, r.Devices, int64(r.Windows), int64(popcount(r.Children)), int64(r.Children)} {
			ints[i] = append(ints[i], v)
		}
		for i, v := range []float64{r.Signal.MinDBm, r.Signal.P10DBm, r.Signal.P50DBm, r.Signal.P90DBm, r.Signal.MaxDBm,
			r.Signal.MeanDBm, r.OutdoorSignal.P50DBm, r.DL.MedianMbps, r.UL.MedianMbps, 0} {
			floats[i] = append(floats[i], v)
		}
		exact = append(exact, r.DevicesExact)
		first, last = append(first, r.FirstUnixMs), append(last, r.LastUnixMs)
	}
	return []arrowio.Column{
		{Name: "cell", String: cell}, {Name: "res", Int64: res}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "carrier", String: carrier}, {Name: "tech", String: tech},
		{Name: "rows", Int64: ints[0]}, {Name: "tests", Int64: ints[1]}, {Name: "covered", Int64: ints[2]},
		{Name: "below_no_service", Int64: ints[3]}, {Name: "no_service_rows", Int64: ints[4]},
		{Name: "outdoor_tests", Int64: ints[5]}, {Name: "outdoor_covered", Int64: ints[6]},
		{Name: "outdoor_below_no_service", Int64: ints[7]}, {Name: "indoor_tests", Int64: ints[8]},
		{Name: "signal_n", Int64: ints[9]},
		{Name: "signal_min_dbm", Float64: floats[0]}, {Name: "signal_p10_dbm", Float64: floats[1]},
		{Name: "signal_median_dbm", Float64: floats[2]}, {Name: "signal_p90_dbm", Float64: floats[3]},
		{Name: "signal_max_dbm", Float64: floats[4]}, {Name: "signal_mean_dbm", Float64: floats[5]},
		{Name: "outdoor_signal_median_dbm", Float64: floats[6]},
		{Name: "dl_n", Int64: ints[10]}, {Name: "dl_median_mbps", Float64: floats[7]},
		{Name: "ul_n", Int64: ints[11]}, {Name: "ul_median_mbps", Float64: floats[8]},
		{Name: "devices", Int64: ints[12]}, {Name: "devices_exact", Bool: exact},
		{Name: "first_ts", TimeUnixMs: first}, {Name: "last_ts", TimeUnixMs: last},
		{Name: "windows_4h", Int64: ints[13]}, {Name: "children_hit", Int64: ints[14]}, {Name: "children_mask", Int64: ints[15]},
	}, nil
}

func popcount(b uint8) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}

// aggregateChunk is how many keys WriteAggregates shapes into columns at a
// time.
const aggregateChunk = 1 << 16

// WriteAggregates streams the per-key table (AggregateColumnNames) to
// Parquet (with meta) and CSV in chunks, so memory stays with the
// aggregator's key state rather than a table of every key. It returns the
// number of keys written.
func WriteAggregates(pq, csvOut io.Writer, rows iter.Seq[aggregate.Row], meta map[string]string) (int, error) {
	return writeAggregates(pq, csvOut, rows, meta, aggregateChunk)
}

func writeAggregates(pq, csvOut io.Writer, rows iter.Seq[aggregate.Row], meta map[string]string, chunkRows int) (int, error) {
	// Bounded row groups: the writer holds its open group in memory.
	// Snappy: arrow/go v17's zstd builds an encoder per page.
	tw, err := arrowio.NewTableWriter(pq, meta, arrowio.WithRowGroupRows(2*chunkRows), arrowio.WithCodec(arrowio.Snappy))
	if err != nil {
		return 0, err
	}
	ct := NewCSVTable(csvOut)
	// Three stages on their own goroutines: rows are built and shaped into
	// columns here, while one goroutine writes Parquet and another CSV,
	// each taking every chunk in order. Chunks are read-only once sent.
	type sink struct {
		in   chan []arrowio.Column
		err  error
		done chan struct{}
	}
	sinks := []*sink{{}, {}}
	writers := []func([]arrowio.Column) error{tw.Write, ct.Write}
	var failed atomic.Bool // a sink failed: stop building chunks
	for i, s := range sinks {
		s.in, s.done = make(chan []arrowio.Column, 2), make(chan struct{})
		go func() {
			defer close(s.done)
			for cols := range s.in {
				if s.err == nil {
					if s.err = writers[i](cols); s.err != nil {
						failed.Store(true)
					}
				}
			}
		}()
	}
	stop := func() error {
		for _, s := range sinks {
			close(s.in)
		}
		var err error
		for _, s := range sinks {
			<-s.done
			if err == nil {
				err = s.err
			}
		}
		return err
	}
	chunk := make([]aggregate.Row, 0, chunkRows)
	n := 0
	send := func() error {
		cols, err := AggregateTable(chunk)
		if err != nil {
			return err
		}
		for _, s := range sinks {
			s.in <- cols
		}
		n += len(chunk)
		chunk = chunk[:0]
		return nil
	}
	for r := range rows {
		chunk = append(chunk, r)
		if len(chunk) == chunkRows {
			if err := send(); err != nil {
				stop()
				return n, err
			}
			if failed.Load() {
				break
			}
		}
	}
	if !failed.Load() && (len(chunk) > 0 || n == 0) {
		if err := send(); err != nil {
			stop()
			return n, err
		}
	}
	if err := stop(); err != nil {
		return n, err
	}
	if err := tw.Close(); err != nil {
		return n, err
	}
	return n, ct.Flush()
}
