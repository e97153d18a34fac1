package parallel

import (
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
