package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// Every index runs exactly once, for any worker count, and none for n ≤ 0.
func TestForEachIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7, 1000} {
		for _, n := range []int{0, 1, 5, 1000} {
			counts := make([]int32, n)
			var calls atomic.Int64
			For(n, workers, func(i int) {
				atomic.AddInt32(&counts[i], 1)
				calls.Add(1)
			})
			if calls.Load() != int64(n) {
				t.Errorf("n=%d workers=%d: %d calls", n, workers, calls.Load())
			}
			for i, c := range counts {
				if c != 1 {
					t.Errorf("n=%d workers=%d: index %d ran %d times", n, workers, i, c)
				}
			}
		}
	}
	For(-3, 2, func(int) { t.Error("called for n < 0") })
}

// Chunks covers [0, n) once in ranges of at most size, and reports the
// first failing range's error in index order, whichever ran first.
func TestChunksRangesAndFirstError(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		for _, n := range []int{0, 1, 9, 10, 11, 1000} {
			for _, size := range []int{0, 1, 3, 10, 5000} {
				counts := make([]int32, n)
				err := Chunks(n, size, workers, func(lo, hi int) error {
					if lo >= hi || hi-lo > max(1, size) {
						return fmt.Errorf("range [%d, %d)", lo, hi)
					}
					for i := lo; i < hi; i++ {
						atomic.AddInt32(&counts[i], 1)
					}
					return nil
				})
				if err != nil {
					t.Fatalf("n=%d size=%d workers=%d: %v", n, size, workers, err)
				}
				for i, c := range counts {
					if c != 1 {
						t.Fatalf("n=%d size=%d workers=%d: index %d covered %d times", n, size, workers, i, c)
					}
				}
			}
		}
	}
	var ran atomic.Int64
	err := Chunks(100, 10, 4, func(lo, hi int) error {
		ran.Add(1)
		if lo >= 30 {
			return fmt.Errorf("range at %d", lo)
		}
		return nil
	})
	if err == nil || err.Error() != "range at 30" {
		t.Fatalf("error %v, want the range at 30's", err)
	}
	if ran.Load() != 10 {
		t.Fatalf("%d ranges ran, want all 10", ran.Load())
	}
	if !errors.Is(Chunks(5, 1, 2, func(lo, hi int) error { return errSentinel }), errSentinel) {
		t.Fatal("the error not returned as it was")
	}
}

var errSentinel = errors.New("sentinel")
