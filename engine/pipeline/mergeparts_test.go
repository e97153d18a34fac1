package pipeline

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestMergeRunsInPartsIsTheWholeMerge: cut into a part per core, the merge
// is the one-part merge element for element — ties across runs (equal
// keys) in the runs' order, runs of very different lengths, empty runs,
// pivots that repeat — for every number of parts.
func TestMergeRunsInPartsIsTheWholeMerge(t *testing.T) {
	type el struct{ key, run, seq int }
	before := func(a, b *el) bool { return a.key < b.key }
	rng := rand.New(rand.NewPCG(3, 11))
	defer func(s int) { mergeSpan = s }(mergeSpan)
	for trial := range 40 {
		keys := 1 + rng.IntN(50)
		if trial%5 == 0 {
			keys = 1 // every element tied
		}
		runs := make([][]el, 1+rng.IntN(5))
		for i := range runs {
			n := rng.IntN(3000)
			if rng.IntN(4) == 0 {
				n = rng.IntN(3)
			}
			for j := range n {
				runs[i] = append(runs[i], el{rng.IntN(keys), i, j})
			}
			slices.SortStableFunc(runs[i], func(a, b el) int { return a.key - b.key })
		}
		mergeSpan = 1 << 30
		want := mergeRuns([]el{{-1, -1, -1}}, runs, before)
		for _, procs := range []int{2, 3, 7} {
			prev := runtime.GOMAXPROCS(procs)
			for _, span := range []int{1, 5, 100} {
				mergeSpan = span
				got := mergeRuns([]el{{-1, -1, -1}}, runs, before)
				if !slices.Equal(got, want) {
					runtime.GOMAXPROCS(prev)
					t.Fatalf("trial %d, %d cores, span %d: the merge in parts differs from the whole merge", trial, procs, span)
				}
			}
			runtime.GOMAXPROCS(prev)
		}
		// The whole merge is the stable sort of the runs laid end to end.
		var all []el
		for _, r := range runs {
			all = append(all, r...)
		}
		slices.SortStableFunc(all, func(a, b el) int { return a.key - b.key })
		if !slices.Equal(want[1:], all) {
			t.Fatalf("trial %d: the merge is not the runs' stable sort", trial)
		}
	}
}
