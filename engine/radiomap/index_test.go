package radiomap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A tree built with its top levels on several goroutines is laid out
// exactly as one built on one: the halves are disjoint and each is built
// as it would be serially. Points are drawn on a coarse grid so that many
// coordinates tie and the index tie-break decides.
func TestTreeParallelBuildLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 5*parallelBuild + 123
	p := make([][3]float64, n)
	for i := range p {
		p[i] = xyz(103+float64(rng.IntN(400))/1000, 21+float64(rng.IntN(400))/1000)
	}
	serial := &tree{pts: make([][3]float64, n), idx: make([]int32, n), dim: make([]uint8, n)}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	serial.build(p, order, 0, n, 0)
	for i, o := range order {
		serial.pts[i], serial.idx[i] = p[o], o
	}
	for _, par := range []int{1, 3} {
		got := &tree{pts: make([][3]float64, n), idx: make([]int32, n), dim: make([]uint8, n)}
		ord := make([]int32, n)
		for i := range ord {
			ord[i] = int32(i)
		}
		got.build(p, ord, 0, n, par)
		for i, o := range ord {
			got.pts[i], got.idx[i] = p[o], o
		}
		if !slices.Equal(got.idx, serial.idx) || !slices.Equal(got.dim, serial.dim) || !slices.Equal(got.pts, serial.pts) {
			t.Fatalf("par %d: the layout differs from the serial build", par)
		}
	}
	if nt := newTree(p); !slices.Equal(nt.idx, serial.idx) || !slices.Equal(nt.dim, serial.dim) {
		t.Fatal("newTree's layout differs from the serial build")
	}
}
