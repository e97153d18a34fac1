package aggregate

import (
	"context"
	"fmt"
	"iter"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// IndexFunc writes into dst[i] the cell at Config.Resolution+1 that holds
// (lon[i], lat[i]), or the zero Cell when the point cannot be indexed. dst,
// lon and lat have the same length. It must be safe for concurrent use.
type IndexFunc func(dst []hexgrid.Cell, lon, lat []float64) error

// Parallel aggregates every batch of batches on workers goroutines
// (workers < 1 means 1): each worker indexes a batch with index (nil means
// hexgrid.IndexInto at cfg.Resolution+1) and adds it to its own
// Aggregator; the workers' aggregators are merged at the end. The result
// is the same for any number of workers.
//
// batches is consumed on the calling goroutine. A yielded batch is only
// read until the next one is requested: Parallel copies the columns it
// uses (time, carrier, tech, lon, lat, signal, service, environment,
// speeds, device id) into one of 2·workers reusable buffers, so memory is
// bounded by the batch size and the number of keys. A non-nil error from
// batches, an error from index or Add, or the cancellation of ctx stops
// the work and is returned.
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

	free := make(chan *engine.MeasurementBatch, 2*workers)
	for range 2 * workers {
		free <- &engine.MeasurementBatch{}
	}
	work := make(chan *engine.MeasurementBatch, workers)
	aggs := make([]*Aggregator, workers)
	var wg sync.WaitGroup
	for w := range aggs {
		a, _ := New(cfg) // cfg is valid
		aggs[w] = a
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cells []hexgrid.Cell
			for b := range work {
				if ctx.Err() != nil { // drain without work once stopped
					free <- b
					continue
				}
				n := b.Len()
				if cap(cells) < n {
					cells = make([]hexgrid.Cell, n)
				}
				cells = cells[:n]
				err := index(cells, b.Lon, b.Lat)
				if err != nil {
					err = fmt.Errorf("aggregate: index: %w", err)
				} else {
					err = a.Add(b, cells)
				}
				free <- b
				if err != nil {
					cancel(err)
					return
				}
			}
		}()
	}

	err := produce(ctx, batches, free, work)
	close(work)
	wg.Wait()
	if err == nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, err
	}
	for _, a := range aggs[1:] {
		if err := aggs[0].Merge(a); err != nil {
			return nil, err
		}
	}
	return aggs[0], nil
}

// produce copies each batch into a free buffer and hands it to the
// workers until batches ends, fails or ctx is cancelled.
func produce(ctx context.Context, batches iter.Seq2[*engine.MeasurementBatch, error], free, work chan *engine.MeasurementBatch) error {
	for b, err := range batches {
		if err != nil {
			return err
		}
		var buf *engine.MeasurementBatch
		select {
		case buf = <-free:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		copyBatch(buf, b)
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
