// Package parallel runs independent pieces of work on a bounded number of
// goroutines.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For runs f(0) … f(n−1) on up to workers goroutines (0 or less:
// GOMAXPROCS), each taking the next index as it finishes one, and returns
// when every call has returned. f must write only to its own index's
// results; which goroutine runs an index is not fixed, so results that
// must not depend on it are stored by index and combined after.
func For(n, workers int, f func(i int)) {
	if n <= 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// Ranges runs f over [0, n) in consecutive ranges [lo, hi) of at most
// size elements, on up to workers goroutines as For does; each range is
// one call.
func Ranges(n, size, workers int, f func(lo, hi int)) {
	if n <= 0 {
		return
	}
	size = max(1, size)
	For((n+size-1)/size, workers, func(c int) { f(c*size, min(n, (c+1)*size)) })
}

// Chunks is Ranges with f's errors: it returns the error of the first
// range, in index order, whose call failed (nil when none did): a later
// range's error never hides an earlier one's, whatever order the ranges
// ran in. Every range runs, failed or not.
func Chunks(n, size, workers int, f func(lo, hi int) error) error {
	if n <= 0 {
		return nil
	}
	size = max(1, size)
	errs := make([]error, (n+size-1)/size)
	Ranges(n, size, workers, func(lo, hi int) { errs[lo/size] = f(lo, hi) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
