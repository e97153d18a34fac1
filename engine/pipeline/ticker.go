package pipeline

import (
	"sync"
	"sync/atomic"
	"time"
)

// tickEvery is the shortest interval between two progress reports of a
// ticker.
const tickEvery = 250 * time.Millisecond

// ticker counts the items of a stage done by parallel workers and reports
// the count to a Progress func, one call at a time and at most one per
// tickEvery (the last item always). A ticker without func only counts.
type ticker struct {
	f           func(Progress)
	stage, unit string
	total       atomic.Int64
	done        atomic.Int64
	mu          sync.Mutex
	next        time.Time
}

func newTicker(f func(Progress), stage, unit string, total int64) *ticker {
	t := &ticker{f: f, stage: stage, unit: unit}
	t.total.Store(total)
	return t
}

// grow adds n items to the total, for work counted as it is known.
func (t *ticker) grow(n int64) { t.total.Add(n) }

// add counts one item done; safe for concurrent use.
func (t *ticker) add() {
	d := t.done.Add(1)
	if t.f == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	total := t.total.Load()
	if d != total && now.Before(t.next) {
		return
	}
	t.next = now.Add(tickEvery)
	t.f(Progress{Stage: t.stage, Done: d, Total: total, Unit: t.unit})
}
