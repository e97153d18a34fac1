package radiomap

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine/internal/nth"
)

// gridPoints draws n points on a coarse grid, so that many coordinates
// tie and the index tie-break decides.
func gridPoints(seed uint64, n int) [][3]float64 {
	rng := rand.New(rand.NewPCG(seed, 4))
	p := make([][3]float64, n)
	for i := range p {
		p[i] = xyz(103+float64(rng.IntN(400))/1000, 21+float64(rng.IntN(400))/1000)
	}
	return p
}

// refLayout is the tree's layout as the build made it when it selected
// indices into the points (the comparator reading each point through the
// permutation): the original indices in layout order and the split
// dimensions. The item build must lay the tree out exactly so.
func refLayout(p [][3]float64) ([]int32, []uint8) {
	n := len(p)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	dim := make([]uint8, n)
	var build func(lo, hi int)
	build = func(lo, hi int) {
		if hi-lo <= leafSize {
			return
		}
		var mn, mx [3]float64
		for d := range 3 {
			mn[d], mx[d] = math.Inf(1), math.Inf(-1)
		}
		for _, o := range order[lo:hi] {
			for d := range 3 {
				mn[d] = min(mn[d], p[o][d])
				mx[d] = max(mx[d], p[o][d])
			}
		}
		d := 0
		for k := 1; k < 3; k++ {
			if mx[k]-mn[k] > mx[d]-mn[d] {
				d = k
			}
		}
		mid := (lo + hi) / 2
		nth.Select(order[lo:hi], mid-lo, func(a, b int32) bool {
			return p[a][d] < p[b][d] || (p[a][d] == p[b][d] && a < b)
		})
		dim[mid] = uint8(d)
		build(lo, mid)
		build(mid+1, hi)
	}
	build(0, n)
	return order, dim
}

func layoutOf(t *tree) []int32 {
	idx := make([]int32, len(t.pt))
	for i, it := range t.pt {
		idx[i] = it.idx
	}
	return idx
}

// A tree built with its top levels on several goroutines is laid out
// exactly as one built on one (the halves are disjoint and each is built
// as it would be serially), and exactly as the index-permutation build
// laid it out.
func TestTreeParallelBuildLayout(t *testing.T) {
	n := 5*parallelBuild + 123
	p := gridPoints(3, n)
	wantIdx, wantDim := refLayout(p)
	for _, par := range []int{0, 1, 3} {
		got := &tree{pt: make([]item, n), dim: make([]uint8, n)}
		for i := range p {
			got.pt[i] = item{p[i], int32(i)}
		}
		got.build(0, n, par)
		if !slices.Equal(layoutOf(got), wantIdx) || !slices.Equal(got.dim, wantDim) {
			t.Fatalf("par %d: the layout differs from the reference build", par)
		}
		for i, it := range got.pt {
			if it.p != p[it.idx] {
				t.Fatalf("par %d: point %d carries the coordinates of another", par, i)
			}
		}
	}
	if nt := newTree(p); !slices.Equal(layoutOf(nt), wantIdx) || !slices.Equal(nt.dim, wantDim) {
		t.Fatal("newTree's layout differs from the reference build")
	}
}

// A tree of runs (each distinct consecutive position once) finds the
// same neighbours, in the same order, as a tree over every observation
// and as brute force, ties by index included; within reports the same
// observations.
func TestRunTreeMatchesEveryObservation(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cells := gridPoints(5, 3000)
	// Runs of 1–4 observations per position; a position may come back
	// later as a run of its own.
	var p [][3]float64
	for len(p) < 8000 {
		c := cells[rng.IntN(len(cells))]
		for range 1 + rng.IntN(4) {
			p = append(p, c)
		}
	}
	// The run tree as New makes it.
	var q [][3]float64
	var first []int32
	for i := range p {
		if i == 0 || p[i] != p[i-1] {
			q = append(q, p[i])
			first = append(first, int32(i))
		}
	}
	every, runs := newTree(p), newTree(q)
	runs.runs = append(first, int32(len(p)))
	if len(runs.pt) >= len(every.pt) {
		t.Fatalf("the run tree holds %d points for %d observations", len(runs.pt), len(p))
	}
	maxC2 := chord2Of(900)
	for trial := range 300 {
		x := xyz(103+rng.Float64()*0.4, 21+rng.Float64()*0.4)
		if trial%3 == 0 {
			x = cells[rng.IntN(len(cells))] // on a position: distance ties
		}
		k := 1 + rng.IntN(40)
		a := knn{k: k, maxC2: maxC2}
		every.nearest(x, &a)
		b := knn{k: k, maxC2: maxC2}
		runs.nearest(x, &b)
		var all []neighbour
		for i := range p {
			if c2 := chord2(x, p[i]); c2 <= maxC2 {
				all = append(all, neighbour{c2, int32(i)})
			}
		}
		sortNeighbours(all)
		want := all[:min(k, len(all))]
		if !slices.Equal(a.h, want) || !slices.Equal(b.h, want) {
			t.Fatalf("trial %d, k %d: every %v, runs %v, brute force %v", trial, k, a.h, b.h, want)
		}
		var wa, wb []int32
		every.within(x, maxC2, func(i int32, _ float64) { wa = append(wa, i) })
		runs.within(x, maxC2, func(i int32, _ float64) { wb = append(wb, i) })
		slices.Sort(wa)
		slices.Sort(wb)
		if !slices.Equal(wa, wb) || len(wa) != len(all) {
			t.Fatalf("trial %d: within found %d and %d observations, brute force %d", trial, len(wa), len(wb), len(all))
		}
	}
}
