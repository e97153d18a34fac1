package pipeline

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
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
func Aggregate(ctx context.Context, s Store, opt AggregateOptions) (*aggregate.Aggregator, int64, error) {
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
	var t aggregateTable
	t.reset(len(rows))
	if err := t.add(rows); err != nil {
		return nil, err
	}
	return t.columns(), nil
}

// aggregateTable holds AggregateTable's columns, so that a writer of
// successive chunks can reuse them. A chunk is shaped by reset, then add
// for each run of its rows, and columns.
type aggregateTable struct {
	cell, carrier, tech []string
	res                 []int64
	lon, lat            []float64
	ints                [16][]int64
	floats              [9][]float64
	exact, noDevices    []bool
	first, last         []int64
	cols                []arrowio.Column

	// The cell of the last row added, its id, resolution and centre.
	prev     hexgrid.Cell
	id       string
	cres     int64
	clon, ca float64
}

// reset empties t's columns (the previous chunk's) for a chunk of n rows.
func (t *aggregateTable) reset(n int) {
	t.cell, t.carrier, t.tech = reuse(t.cell, n), reuse(t.carrier, n), reuse(t.tech, n)
	t.res = reuse(t.res, n)
	t.lon, t.lat = reuse(t.lon, n), reuse(t.lat, n)
	for i := range t.ints {
		t.ints[i] = reuse(t.ints[i], n)
	}
	for i := range t.floats {
		t.floats[i] = reuse(t.floats[i], n)
	}
	t.exact, t.noDevices = reuse(t.exact, n), reuse(t.noDevices, n)
	t.first, t.last = reuse(t.first, n), reuse(t.last, n)
	t.prev = 0 // the zero cell is no cell: the next row computes its own
}

// add appends rows to t's columns. A cell's id, resolution and centre are
// computed once for the run of its keys (rows come sorted by cell).
func (t *aggregateTable) add(rows []aggregate.Row) error {
	cell, carrier, tech := t.cell, t.carrier, t.tech
	res := t.res
	lon, lat := t.lon, t.lat
	ints, floats := &t.ints, &t.floats
	exact, noDevices := t.exact, t.noDevices
	first, last := t.first, t.last
	prev, id, cres, clon, ca := t.prev, t.id, t.cres, t.clon, t.ca
	for _, r := range rows {
		if prev == 0 || r.Cell != prev {
			c, err := r.Cell.Center()
			if err != nil {
				return err
			}
			prev, id, cres, clon, ca = r.Cell, r.Cell.String(), int64(r.Cell.Resolution()), c[0], c[1]
		}
		cell = append(cell, id)
		res = append(res, cres)
		lon, lat = append(lon, clon), append(lat, ca)
		carrier = append(carrier, string(r.Carrier))
		tech = append(tech, r.Tech.String())
		for i, v := range [...]int64{r.All.Rows, r.All.Tests, r.All.Covered, r.All.BelowNoService, r.All.NoServiceRows,
			r.Outdoor.Tests, r.Outdoor.Covered, r.Outdoor.BelowNoService, r.Indoor.Tests, r.Signal.N,
			r.DL.N, r.UL.N, r.Devices, int64(r.Windows), int64(popcount(r.Children)), int64(r.Children)} {
			ints[i] = append(ints[i], v)
		}
		for i, v := range [...]float64{r.Signal.MinDBm, r.Signal.P10DBm, r.Signal.P50DBm, r.Signal.P90DBm, r.Signal.MaxDBm,
			r.Signal.MeanDBm, r.OutdoorSignal.P50DBm, r.DL.MedianMbps, r.UL.MedianMbps} {
			floats[i] = append(floats[i], v)
		}
		exact = append(exact, r.DevicesExact)
		// No device id on any row of the key (or scanners' rows alone):
		// the number of devices is unknown, not 0.
		noDevices = append(noDevices, r.Devices == 0)
		first, last = append(first, r.FirstUnixMs), append(last, r.LastUnixMs)
	}
	t.cell, t.carrier, t.tech, t.res, t.lon, t.lat, t.exact, t.noDevices, t.first, t.last = cell, carrier, tech, res, lon, lat, exact, noDevices, first, last
	t.prev, t.id, t.cres, t.clon, t.ca = prev, id, cres, clon, ca
	return nil
}

// columns returns t's columns as they are (the rows added since reset).
// The slice is t's own, rewritten by the next call.
func (t *aggregateTable) columns() []arrowio.Column {
	ints, floats := &t.ints, &t.floats
	t.cols = append(t.cols[:0],
		arrowio.Column{Name: "cell", String: t.cell}, arrowio.Column{Name: "res", Int64: t.res},
		arrowio.Column{Name: "lon", Float64: t.lon}, arrowio.Column{Name: "lat", Float64: t.lat},
		arrowio.Column{Name: "carrier", String: t.carrier}, arrowio.Column{Name: "tech", String: t.tech},
		arrowio.Column{Name: "rows", Int64: ints[0]}, arrowio.Column{Name: "tests", Int64: ints[1]}, arrowio.Column{Name: "covered", Int64: ints[2]},
		arrowio.Column{Name: "below_no_service", Int64: ints[3]}, arrowio.Column{Name: "no_service_rows", Int64: ints[4]},
		arrowio.Column{Name: "outdoor_tests", Int64: ints[5]}, arrowio.Column{Name: "outdoor_covered", Int64: ints[6]},
		arrowio.Column{Name: "outdoor_below_no_service", Int64: ints[7]}, arrowio.Column{Name: "indoor_tests", Int64: ints[8]},
		arrowio.Column{Name: "signal_n", Int64: ints[9]},
		arrowio.Column{Name: "signal_min_dbm", Float64: floats[0]}, arrowio.Column{Name: "signal_p10_dbm", Float64: floats[1]},
		arrowio.Column{Name: "signal_median_dbm", Float64: floats[2]}, arrowio.Column{Name: "signal_p90_dbm", Float64: floats[3]},
		arrowio.Column{Name: "signal_max_dbm", Float64: floats[4]}, arrowio.Column{Name: "signal_mean_dbm", Float64: floats[5]},
		arrowio.Column{Name: "outdoor_signal_median_dbm", Float64: floats[6]},
		arrowio.Column{Name: "dl_n", Int64: ints[10]}, arrowio.Column{Name: "dl_median_mbps", Float64: floats[7]},
		arrowio.Column{Name: "ul_n", Int64: ints[11]}, arrowio.Column{Name: "ul_median_mbps", Float64: floats[8]},
		arrowio.Column{Name: "devices", Int64: ints[12], Null: t.noDevices}, arrowio.Column{Name: "devices_exact", Bool: t.exact, Null: t.noDevices},
		arrowio.Column{Name: "first_ts", TimeUnixMs: t.first}, arrowio.Column{Name: "last_ts", TimeUnixMs: t.last},
		arrowio.Column{Name: "windows_4h", Int64: ints[13]}, arrowio.Column{Name: "children_hit", Int64: ints[14]}, arrowio.Column{Name: "children_mask", Int64: ints[15]},
	)
	return t.cols
}

// reuse returns s emptied, with room for n values. It is never nil, so
// that an empty column still names its type.
func reuse[T any](s []T, n int) []T {
	if cap(s) < n || s == nil {
		return make([]T, 0, n)
	}
	return s[:0]
}

func popcount(b uint8) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}

// aggregateChunk is how many keys WriteAggregates builds, shapes into
// columns and formats as CSV at a time on one goroutine, aggregateRun how
// many of them at a time (a run's Rows, columns and lines stay in the
// core's cache from one step to the next); aggregateRowGroup is the
// Parquet row group size, aggregatePageBytes its data pages'.
const (
	aggregateChunk     = 1 << 14
	aggregateRun       = 256
	aggregateRowGroup  = 1 << 17
	aggregatePageBytes = 1 << 17
)

// WriteAggregates writes the per-key table (AggregateColumnNames) of the
// keys of o (aggregate.Aggregator.Order) to Parquet (with meta) and CSV in
// chunks, so memory stays with the aggregator's key state rather than a
// table of every key. Each chunk is built (its keys' summaries), shaped
// into columns and formatted as CSV on one of GOMAXPROCS goroutines, a run
// of keys at a time, while one goroutine writes the Parquet file and
// another the CSV file, each taking the chunks in order. It returns the
// number of keys written.
func WriteAggregates(pq, csvOut io.Writer, o *aggregate.Order, meta map[string]string) (int, error) {
	return writeAggregates(pq, csvOut, o, meta, aggregateChunk)
}

// aggregateJob is one chunk of WriteAggregates on its way through the
// stages: keys from to to-1 of the Order. Its buffers are reused once both
// writers are done with it.
type aggregateJob struct {
	from, to int
	table    aggregateTable
	csv      csvFormat
	cols     []arrowio.Column
	lines    []byte
	err      error
	ready    chan struct{} // closed when cols and lines are done
	users    atomic.Int32  // writers yet to take the chunk
}

// build builds the job's keys' summaries with b, run by run, into its
// columns and CSV lines.
func (j *aggregateJob) build(b *aggregate.Builder, rows []aggregate.Row) []aggregate.Row {
	j.table.reset(j.to - j.from)
	j.lines = j.lines[:0]
	j.cols = j.table.columns() // an empty chunk still has its columns
	for lo := j.from; lo < j.to; lo += aggregateRun {
		rows = b.Append(rows[:0], lo, min(lo+aggregateRun, j.to))
		if j.err = j.table.add(rows); j.err != nil {
			return rows
		}
		j.cols = j.table.columns()
		n := len(j.table.cell)
		j.lines = j.csv.appendRows(j.lines, j.cols, n-len(rows), n)
	}
	return rows
}

func writeAggregates(pq, csvOut io.Writer, o *aggregate.Order, meta map[string]string, chunkRows int) (int, error) {
	// Bounded row groups: the writer holds its open group in memory.
	// Snappy: arrow/go v17's zstd builds an encoder per page. Pages of
	// 128 KiB, eight to a column chunk, reuse their column writer's
	// buffers, where one page per chunk took fresh memory for each
	// (about 15% of a write's CPU, zeroing it and collecting it).
	tw, err := arrowio.NewTableWriter(pq, meta, arrowio.WithRowGroupRows(aggregateRowGroup), arrowio.WithCodec(arrowio.Snappy),
		arrowio.WithPageBytes(aggregatePageBytes))
	if err != nil {
		return 0, err
	}
	ct := NewCSVTable(csvOut)
	workers := runtime.GOMAXPROCS(0)
	// At most ring chunks exist: the free list bounds the memory.
	ring := workers + 3
	free := make(chan *aggregateJob, ring)
	for range ring {
		free <- &aggregateJob{}
	}
	release := func(j *aggregateJob) {
		if j.users.Add(-1) == 0 {
			free <- j
		}
	}
	work := make(chan *aggregateJob, ring)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			b := o.Summaries()
			var rows []aggregate.Row
			for j := range work {
				rows = j.build(b, rows)
				close(j.ready)
			}
		})
	}
	var failed atomic.Bool // a stage failed: stop building chunks
	type sink struct {
		in    chan *aggregateJob
		err   error
		write func(*aggregateJob) error
	}
	sinks := []*sink{
		{write: func(j *aggregateJob) error { return tw.Write(j.cols) }},
		{write: func(j *aggregateJob) error { return ct.writeFormatted(j.cols, j.lines) }},
	}
	var sinkWG sync.WaitGroup
	for _, s := range sinks {
		s.in = make(chan *aggregateJob, ring)
		sinkWG.Go(func() {
			for j := range s.in {
				<-j.ready
				if s.err == nil {
					if s.err = j.err; s.err == nil {
						s.err = s.write(j)
					}
					if s.err != nil {
						failed.Store(true)
					}
				}
				release(j)
			}
		})
	}
	n := 0
	// The chunks in order; one empty chunk gives an empty table its header.
	for from := 0; from < o.Len() || from == 0; from += chunkRows {
		if failed.Load() {
			break
		}
		j := <-free
		j.from, j.to = from, min(from+chunkRows, o.Len())
		n += j.to - j.from
		j.ready = make(chan struct{})
		j.users.Store(int32(len(sinks)))
		work <- j
		for _, s := range sinks {
			s.in <- j
		}
	}
	close(work)
	for _, s := range sinks {
		close(s.in)
	}
	wg.Wait()
	sinkWG.Wait()
	for _, s := range sinks {
		if s.err != nil {
			return n, s.err
		}
	}
	if err := tw.Close(); err != nil {
		return n, err
	}
	return n, ct.Flush()
}
