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

// Group aggregates rows added concurrently by several Producers into
// partitions of the keys by analysis cell, each applied on a goroutine of
// its own: a producer reduces its rows to records (on the goroutine that
// calls Producer.Add) and hands each partition's records over in blocks
// sorted by hash bucket; partition p keeps the blocks it receives and,
// once they hold enough records, applies them bucket by bucket (see
// consume and flushBlocks). The partitions hold disjoint keys, so no key
// is held twice and nothing is merged: the Aggregator that Close returns
// holds the partitions. The result is the same for any number of
// partitions and producers.
type Group struct {
	out   *Aggregator
	parts []*Aggregator
	in    []chan *block // blocks of records, by partition
	free  chan *block   // empty blocks for reuse
	// blockRecs is the most records of a block (defaultBlockRecs).
	blockRecs int
	wg        sync.WaitGroup

	mu        sync.Mutex
	producers []*Producer
	closed    bool
}

// defaultBlockRecs is the size of the blocks of records producers hand
// over: 2 MiB.
const defaultBlockRecs = 1 << 16

// block is a run of records that a producer hands over, sorted by bucket:
// the records of bucket b are recs[off[b]:off[b+1]].
type block struct {
	recs []rec
	off  [nBuckets + 1]int32
}

// fill sets b to recs sorted by bucket (a counting sort).
func (b *block) fill(recs []rec) {
	clear(b.off[:])
	for i := range recs {
		b.off[recs[i].bucket+1]++
	}
	for i := 1; i <= nBuckets; i++ {
		b.off[i] += b.off[i-1]
	}
	if cap(b.recs) < len(recs) {
		b.recs = make([]rec, len(recs))
	}
	b.recs = b.recs[:len(recs)]
	pos := b.off // a copy: the next free place of each bucket
	for i := range recs {
		k := recs[i].bucket
		b.recs[pos[k]] = recs[i]
		pos[k]++
	}
}

// segments appends to dst the records of bucket k of each block.
func segments(dst [][]rec, blocks []*block, k int) [][]rec {
	for _, b := range blocks {
		if lo, hi := b.off[k], b.off[k+1]; hi > lo {
			dst = append(dst, b.recs[lo:hi])
		}
	}
	return dst
}

// NewGroup starts a Group of partitions partitions (at least 1). Close must
// be called to stop its goroutines.
func NewGroup(cfg Config, partitions int) (*Group, error) {
	return newGroup(cfg, partitions, nil)
}

// newGroup is NewGroup with tune, if not nil, called on each partition
// before its goroutines start.
func newGroup(cfg Config, partitions int, tune func(*Aggregator)) (*Group, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	partitions = max(partitions, 1)
	g := &Group{free: make(chan *block, 1024), blockRecs: defaultBlockRecs}
	if partitions == 1 {
		g.out, _ = New(cfg) // cfg is valid
		g.parts = []*Aggregator{g.out}
	} else {
		g.out, _ = newPartitioned(cfg, partitions)
		g.parts = g.out.parts
	}
	g.in = make([]chan *block, partitions)
	for p, a := range g.parts {
		if tune != nil {
			tune(a)
		}
		g.in[p] = make(chan *block, 2)
		g.wg.Add(1)
		go g.consume(a, g.in[p])
	}
	return g, nil
}

// consume collects the blocks of partition a and, once they hold
// stageLimit records, hands them to a flusher goroutine, collecting the
// next ones meanwhile: the producers never wait for a flush unless it
// takes longer than filling the next blocks. The blocks come sorted by
// bucket, so nothing is copied until the flush reads them bucket by
// bucket.
func (g *Group) consume(a *Aggregator, in <-chan *block) {
	defer g.wg.Done()
	flushq := make(chan []*block)
	done := make(chan []*block, 1)
	done <- nil
	go func() {
		for list := range flushq {
			a.flushBlocks(list)
			done <- list
		}
	}()
	var pending []*block
	total := 0
	limit := a.stageLimit() // a.n is read only while no flush runs
	for b := range in {
		pending = append(pending, b)
		total += len(b.recs)
		if total >= limit {
			for _, f := range <-done { // the previous flush is over
				g.put(f)
			}
			limit = a.stageLimit()
			flushq <- pending
			pending, total = nil, 0
		}
	}
	for _, f := range <-done {
		g.put(f)
	}
	close(flushq)
	a.flushBlocks(pending)
	for _, f := range pending {
		g.put(f)
	}
}

func (g *Group) get() *block {
	select {
	case b := <-g.free:
		return b
	default:
		return new(block) // fill sizes it
	}
}

func (g *Group) put(b *block) {
	select {
	case g.free <- b:
	default:
	}
}

// Producer adds rows to a Group. A Producer is used by one goroutine at a
// time; several Producers of one Group may add at once.
type Producer struct {
	g   *Group
	enc *encoder
	blk [][]rec // the records of the next block, by partition (growing to blockRecs)
	sk  Skipped
	err error
}

// NewProducer returns a new Producer of g.
func (g *Group) NewProducer() *Producer {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := &Producer{g: g, enc: newEncoder(g.out.cfg, g.out.car), blk: make([][]rec, len(g.parts))}
	g.producers = append(g.producers, p)
	return p
}

// Add adds the rows of b as Aggregator.Add does; the batch may be reused
// once Add returns. After an error, the Group's result is void: Add
// refuses further rows and Close returns the error.
func (p *Producer) Add(b *engine.MeasurementBatch, fine []hexgrid.Cell) error {
	if p.err != nil {
		return p.err
	}
	if err := checkBatch(b, len(fine)); err != nil {
		p.err = err
		return err
	}
	for lo := 0; lo < len(fine); lo += p.g.blockRecs {
		hi := min(lo+p.g.blockRecs, len(fine))
		for q, blk := range p.blk {
			if len(blk)+hi-lo > p.g.blockRecs {
				p.send(q)
			}
		}
		if err := p.enc.encode(p.blk, b, fine, lo, hi, &p.sk); err != nil {
			p.err = err
			return err
		}
	}
	return nil
}

// send hands partition q's records over as a block sorted by bucket.
func (p *Producer) send(q int) {
	if len(p.blk[q]) > 0 {
		b := p.g.get()
		b.fill(p.blk[q])
		p.g.in[q] <- b
		p.blk[q] = p.blk[q][:0]
	}
}

// Close hands over the producers' last blocks, waits until every
// partition has applied its records and returns the aggregated keys, or
// the first error a Producer met. No Producer may add during or after
// Close.
func (g *Group) Close() (*Aggregator, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, fmt.Errorf("aggregate: group closed twice: %w", engine.ErrInvalidValue)
	}
	g.closed = true
	var err error
	for _, p := range g.producers {
		if p.err != nil && err == nil {
			err = p.err
		}
		if err == nil {
			for q := range p.blk {
				p.send(q)
			}
		}
		g.out.skipped.add(p.sk)
	}
	for _, c := range g.in {
		close(c)
	}
	g.wg.Wait()
	if err != nil {
		return nil, err
	}
	return g.out, nil
}

// Parallel aggregates every batch of batches on workers goroutines
// (workers < 1 means 1) through a Group of workers partitions: workers
// index batches with index (nil means hexgrid.IndexInto at
// cfg.Resolution+1) and add them through their own Producer. The result is
// the same for any number of workers.
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
	g, err := NewGroup(cfg, workers)
	if err != nil {
		return nil, err
	}

	nbuf := 2*workers + 2
	free := make(chan *job, nbuf)
	for range nbuf {
		free <- &job{b: &engine.MeasurementBatch{}}
	}
	work := make(chan *job, nbuf)
	var wg sync.WaitGroup
	for range workers {
		p := g.NewProducer()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if ctx.Err() == nil { // drain without work once stopped
					n := j.b.Len()
					if cap(j.cells) < n {
						j.cells = make([]hexgrid.Cell, n)
					}
					j.cells = j.cells[:n]
					if err := index(j.cells, j.b.Lon, j.b.Lat); err != nil {
						cancel(fmt.Errorf("aggregate: index: %w", err))
					} else if err := p.Add(j.b, j.cells); err != nil {
						cancel(err)
					}
				}
				free <- j
			}
		}()
	}
	err = produce(ctx, batches, free, work)
	close(work)
	wg.Wait()
	out, cerr := g.Close()
	if err == nil {
		err = context.Cause(ctx)
	}
	if err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// job is a batch on its way through Parallel: its columns and cells.
type job struct {
	b     *engine.MeasurementBatch
	cells []hexgrid.Cell
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
	dst.DeviceClass = append(dst.DeviceClass, src.DeviceClass...)
	dst.Speed = append(dst.Speed, src.Speed...)
}
