package ingest

import "sync"

// Reading a CSV file ahead of its validation.
//
// Splitting a CSV file into fields (reading lines, quotes, decompressing a
// gzip file) is about a third of the cost of validating it, and needs
// nothing the validation decides. aheadCSV runs it on another goroutine, a
// chunk of rows ahead of the rows being validated, so that on two cores
// the two overlap. The rows, their row errors and their line numbers are
// the CSV reader's own, in its order: what is validated, accepted,
// rejected and reported is the same as reading the file directly.
//
// Only *CSV is read ahead: each of its records is a string of its own
// (Record's slice is reused, the strings are not), so a row stays intact
// after the reader has moved on. The columnar readers' rows may share the
// buffers of their record batch, which the next batch reuses.

// aheadRows is the number of rows in a chunk handed from the splitting
// goroutine to the validating one, and aheadChunks how many chunks may be
// in flight: about 4,000 rows, a few hundred KiB of fields at most.
const (
	aheadRows   = 512
	aheadChunks = 8
)

type aheadRow struct {
	lo, hi int // its fields in the chunk's fields
	line   int64
	rowErr error // a row that could not be split: no fields
}

type aheadChunk struct {
	rows   []aheadRow
	fields []string
}

// aheadCSV is a Records reading src on its own goroutine, from the first
// call to Next until the end of src or stop.
type aheadCSV struct {
	src     *CSV
	full    chan *aheadChunk // chunks read, in order; closed at the end of src
	free    chan *aheadChunk // chunks the reader may fill again
	quit    chan struct{}    // closed by stop: the reader ends
	wg      sync.WaitGroup
	started bool
	stopped bool

	cur  *aheadChunk
	i    int   // the current row in cur
	end  bool  // the end of src reached (full closed)
	line int64 // src.Line() when the reader ended
	err  error // src.Err() when the reader ended
}

// readAhead returns rec read ahead (aheadCSV) when it is a *CSV, and a
// function to call when the rows are no longer wanted: it stops the
// reading goroutine and waits for it, so that the source can be closed
// after it returns. For any other Records it returns rec itself.
func readAhead(rec Records) (Records, func()) {
	c, ok := rec.(*CSV)
	if !ok {
		return rec, func() {}
	}
	a := &aheadCSV{src: c, full: make(chan *aheadChunk, aheadChunks), free: make(chan *aheadChunk, aheadChunks+1), quit: make(chan struct{})}
	return a, a.stop
}

func (a *aheadCSV) read() {
	defer a.wg.Done()
	defer close(a.full)
	for {
		var ch *aheadChunk
		select {
		case ch = <-a.free:
			ch.rows, ch.fields = ch.rows[:0], ch.fields[:0]
		default:
			ch = &aheadChunk{rows: make([]aheadRow, 0, aheadRows)}
		}
		more := true
		for len(ch.rows) < aheadRows {
			if more = a.src.Next(); !more {
				break
			}
			lo := len(ch.fields)
			ch.fields = append(ch.fields, a.src.Record()...)
			ch.rows = append(ch.rows, aheadRow{lo: lo, hi: len(ch.fields), line: a.src.Line(), rowErr: a.src.RowErr()})
		}
		if !more {
			// Set before the chunk and the close that publish them.
			a.line, a.err = a.src.Line(), a.src.Err()
		}
		if len(ch.rows) > 0 {
			select {
			case a.full <- ch:
			case <-a.quit:
				return
			}
		}
		if !more {
			return
		}
		select {
		case <-a.quit:
			return
		default:
		}
	}
}

// stop ends the reading goroutine and waits for it.
func (a *aheadCSV) stop() {
	if a.stopped {
		return
	}
	a.stopped = true
	close(a.quit)
	a.wg.Wait()
}

// Header implements Records.
func (a *aheadCSV) Header() []string { return a.src.Header() }

// Next implements Records.
func (a *aheadCSV) Next() bool {
	if a.end {
		return false
	}
	if !a.started {
		if a.stopped {
			a.end = true
			return false
		}
		a.started = true
		a.wg.Add(1)
		go a.read()
	}
	if a.cur != nil {
		if a.i+1 < len(a.cur.rows) {
			a.i++
			return true
		}
		select {
		case a.free <- a.cur:
		default: // never full (see read); else left to the collector
		}
		a.cur = nil
	}
	ch, ok := <-a.full
	if !ok {
		a.end = true
		return false
	}
	a.cur, a.i = ch, 0
	return true
}

func (a *aheadCSV) row() *aheadRow {
	if a.cur == nil {
		return nil
	}
	return &a.cur.rows[a.i]
}

// Record implements Records.
func (a *aheadCSV) Record() []string {
	r := a.row()
	if r == nil || r.rowErr != nil {
		return nil
	}
	return a.cur.fields[r.lo:r.hi:r.hi]
}

// RowErr implements Records.
func (a *aheadCSV) RowErr() error {
	if r := a.row(); r != nil {
		return r.rowErr
	}
	return nil
}

// Line implements Records: the current row's line, or after the end the
// line the reader ended on (where a fatal error stopped it).
func (a *aheadCSV) Line() int64 {
	if a.end {
		return a.line
	}
	if r := a.row(); r != nil {
		return r.line
	}
	return 0
}

// Err implements Records.
func (a *aheadCSV) Err() error {
	if a.end {
		return a.err
	}
	return nil
}
