package aggregate

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// IndexFunc writes into dst[i] the cell at Config.Resolution+1 that holds
// (lon[i], lat[i]), or the zero Cell when the point cannot be indexed. dst,
// lon and lat have the same length. It must be safe for concurrent use.
type IndexFunc func(dst []hexgrid.Cell, lon, lat []float64) error

// Parallel aggregates every batch of batches on workers goroutines
// (workers < 1 means 1), partitioned by key: workers index batches with
// index (nil means hexgrid.IndexInto at cfg.Resolution+1) and sort each
// batch's rows by the partition of their analysis cell; then worker p adds
// the rows of partition p of every batch to its own Aggregator. The
// partitions hold disjoint keys, so no key is held twice and nothing is
// merged: the returned Aggregator holds the partitions. The result is the
// same for any number of workers.
//
// batches is consumed on the calling goroutine. A yielded batch is only
// read until the next one is requested: Parallel copies the columns it
// uses (time, carrier, tech, lon, lat, signal, service, environment,
// speeds, device id) into one of 2·workers+2 reusable buffers, so memory
// is bounded by the batch size and the number of keys. A non-nil error
// from batches, an error from index or Add, or the cancellation of ctx
// stops the work and is returned.
func Parallel(ctx context.Context, cfg Config, workers int, batches iter.Seq2[*engine.MeasurementBatch, error], index IndexFunc) (*Aggregator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	workers = max(workers, 1)
	if index == nil {
		res := cfg.Resolution + 1
		index = func(dst []hexgrid.Cell, lon, lat []float64) error { return hexgrid.IndexInto(dst, lon, lat, res) }
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var out *Aggregator
	var parts []*Aggregator
	if workers == 1 {
		out, _ = New(cfg) // cfg is valid
		parts = []*Aggregator{out}
	} else {
		out, _ = newPartitioned(cfg, workers)
		parts = out.parts
	}

	nbuf := 2*workers + 2
	free := make(chan *job, nbuf)
	for range nbuf {
		free <- &job{b: &engine.MeasurementBatch{}, rows: make([][]int32, workers)}
	}
	work := make(chan *job, nbuf)
	indexed := make([]chan *job, workers)
	for p := range indexed {
		indexed[p] = make(chan *job, nbuf) // never full: at most nbuf jobs exist
	}

	// Stage 1: index and partition.
	var iwg sync.WaitGroup
	for range workers {
		iwg.Add(1)
		go func() {
			defer iwg.Done()
			for j := range work {
				if ctx.Err() != nil { // drain without work once stopped
					free <- j
					continue
				}
				n := j.b.Len()
				if cap(j.cells) < n {
					j.cells = make([]hexgrid.Cell, n)
				}
				j.cells = j.cells[:n]
				if err := index(j.cells, j.b.Lon, j.b.Lat); err != nil {
					cancel(fmt.Errorf("aggregate: index: %w", err))
					free <- j
					continue
				}
				for p := range j.rows {
					j.rows[p] = j.rows[p][:0]
				}
				partitionRows(j.rows, j.cells, cfg.Resolution)
				j.pending.Store(int32(workers))
				for _, c := range indexed {
					c <- j
				}
			}
		}()
	}
	// Stage 2: aggregate each partition.
	var awg sync.WaitGroup
	for p, a := range parts {
		awg.Add(1)
		go func() {
			defer awg.Done()
			for j := range indexed[p] {
				if ctx.Err() == nil {
					if err := a.addRows(j.b, j.cells, j.rows[p], false); err != nil {
						cancel(err)
					}
				}
				if j.pending.Add(-1) == 0 {
					free <- j
				}
			}
		}()
	}

	err := produce(ctx, batches, free, work)
	close(work)
	iwg.Wait()
	for _, c := range indexed {
		close(c)
	}
	awg.Wait()
	if err == nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// job is a batch on its way through Parallel: its columns, cells and the
// rows of each partition. pending counts the partitions still to add it.
type job struct {
	b       *engine.MeasurementBatch
	cells   []hexgrid.Cell
	rows    [][]int32
	pending atomic.Int32
}

// produce copies each batch into a free buffer and hands it to the
// workers until batches ends, fails or ctx is cancelled.
func produce(ctx context.Context, batches iter.Seq2[*engine.MeasurementBatch, error], free, work chan *job) error {
	for b, err := range batches {
		if err != nil {
			return err
		}
		var buf *job
		select {
		case buf = <-free:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		copyBatch(buf.b, b)
		select {
		case work <- buf:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// copyBatch copies the columns Add and indexing read from src into dst,
// reusing dst's capacity.
func copyBatch(dst, src *engine.MeasurementBatch) {
	dst.Reset()
	dst.TimeUnixMs = append(dst.TimeUnixMs, src.TimeUnixMs...)
	dst.Carrier = append(dst.Carrier, src.Carrier...)
	dst.Tech = append(dst.Tech, src.Tech...)
	dst.Lon = append(dst.Lon, src.Lon...)
	dst.Lat = append(dst.Lat, src.Lat...)
	dst.SignalDBm = append(dst.SignalDBm, src.SignalDBm...)
	dst.Service = append(dst.Service, src.Service...)
	dst.Environment = append(dst.Environment, src.Environment...)
	dst.DLMbps = append(dst.DLMbps, src.DLMbps...)
	dst.ULMbps = append(dst.ULMbps, src.ULMbps...)
	dst.DeviceID = append(dst.DeviceID, src.DeviceID...)
}
