package radiomap

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/lomsong/lomsong/engine/internal/nth"
)

// EarthRadiusM is the radius of the sphere on which distances are
// measured: H3's authalic sphere, as everywhere in lomsong.
const EarthRadiusM = 6371007.180918475

// xyz returns the point on the sphere of radius EarthRadiusM at lon, lat
// (degrees), in metres. The chord between two such points is monotone in
// their great-circle distance, so nearest neighbours by chord are nearest
// by great circle.
func xyz(lon, lat float64) [3]float64 {
	lo, la := lon*math.Pi/180, lat*math.Pi/180
	cl := math.Cos(la)
	return [3]float64{EarthRadiusM * cl * math.Cos(lo), EarthRadiusM * cl * math.Sin(lo), EarthRadiusM * math.Sin(la)}
}

// chord2 is the squared straight-line distance in m².
func chord2(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return dx*dx + dy*dy + dz*dz
}

// arcM converts a squared chord (m²) to the great-circle distance in m.
func arcM(c2 float64) float64 {
	h := math.Sqrt(c2) / (2 * EarthRadiusM)
	if h < 1e-3 { // within 12.7 km: asin's series, exact to double precision (next term 5h⁷/112)
		h2 := h * h
		return 2 * EarthRadiusM * h * (1 + h2*(1.0/6+h2*(3.0/40)))
	}
	if h >= 1 {
		return math.Pi * EarthRadiusM
	}
	return 2 * EarthRadiusM * math.Asin(h)
}

// chord2Of converts a great-circle distance in m to a squared chord (m²).
func chord2Of(arc float64) float64 {
	if arc >= math.Pi*EarthRadiusM {
		return 4 * EarthRadiusM * EarthRadiusM
	}
	c := 2 * EarthRadiusM * math.Sin(arc/(2*EarthRadiusM))
	return c * c
}

// DistanceM returns the great-circle distance in metres between two
// lon, lat points (degrees) on the sphere of radius EarthRadiusM, the
// distance every covariance in this package is a function of.
func DistanceM(lon1, lat1, lon2, lat2 float64) float64 {
	return arcM(chord2(xyz(lon1, lat1), xyz(lon2, lat2)))
}

// leafSize is the largest node the tree scans linearly.
const leafSize = 8

// tree is a static 3-d tree over points on the sphere, laid out
// implicitly: the node of the half-open range [lo, hi) is its middle
// element mid = (lo+hi)/2, split on dim[mid]; [lo, mid) lies at or below
// it, (mid, hi) at or above. The build sorts with the point's index as
// tie-break, so the layout, and every search, is deterministic.
type tree struct {
	pts []([3]float64) // permuted points
	idx []int32        // idx[i] = original index of pts[i]
	dim []uint8        // split dimension of the node at a middle position
}

func newTree(p [][3]float64) *tree {
	n := len(p)
	t := &tree{pts: make([][3]float64, n), idx: make([]int32, n), dim: make([]uint8, n)}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	t.build(p, order, 0, n, parallelDepth())
	for i, o := range order {
		t.pts[i] = p[o]
		t.idx[i] = o
	}
	return t
}

// parallelBuild is the smallest node whose two halves build on two
// goroutines.
const parallelBuild = 1 << 16

// parallelDepth is how many levels of the tree split their halves onto
// two goroutines: twice GOMAXPROCS goroutines at the deepest, so that
// uneven halves still keep every core busy.
func parallelDepth() int {
	d := 0
	for 1<<d < 2*runtime.GOMAXPROCS(0) {
		d++
	}
	return d
}

// build lays out the node [lo, hi) and those below it; the top par levels
// of nodes larger than parallelBuild build their halves concurrently (the
// halves are disjoint ranges, and each is laid out as it would be
// serially).
func (t *tree) build(p [][3]float64, order []int32, lo, hi, par int) {
	if hi-lo <= leafSize {
		return
	}
	// Split on the dimension of widest spread.
	var mn, mx [3]float64
	for d := range 3 {
		mn[d], mx[d] = math.Inf(1), math.Inf(-1)
	}
	for _, o := range order[lo:hi] {
		for d := range 3 {
			mn[d] = math.Min(mn[d], p[o][d])
			mx[d] = math.Max(mx[d], p[o][d])
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
	t.dim[mid] = uint8(d)
	if par > 0 && hi-lo > parallelBuild {
		var wg sync.WaitGroup
		wg.Go(func() { t.build(p, order, lo, mid, par-1) })
		t.build(p, order, mid+1, hi, par-1)
		wg.Wait()
		return
	}
	t.build(p, order, lo, mid, 0)
	t.build(p, order, mid+1, hi, 0)
}

// neighbour is a candidate: squared chord and original index.
type neighbour struct {
	c2  float64
	idx int32
}

// less orders neighbours by distance, then index.
func (a neighbour) less(b neighbour) bool {
	return a.c2 < b.c2 || (a.c2 == b.c2 && a.idx < b.idx)
}

// knn is a bounded max-heap of the k best neighbours within a radius.
type knn struct {
	k     int
	maxC2 float64
	h     []neighbour
}

func (q *knn) worst() float64 {
	if len(q.h) < q.k {
		return q.maxC2
	}
	return q.h[0].c2
}

func (q *knn) offer(nb neighbour) {
	if nb.c2 > q.maxC2 {
		return
	}
	if len(q.h) < q.k {
		q.h = append(q.h, nb)
		// sift up
		i := len(q.h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !q.h[p].less(q.h[i]) {
				break
			}
			q.h[p], q.h[i] = q.h[i], q.h[p]
			i = p
		}
		return
	}
	if !nb.less(q.h[0]) {
		return
	}
	q.h[0] = nb
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q.h) && q.h[m].less(q.h[l]) {
			m = l
		}
		if r < len(q.h) && q.h[m].less(q.h[r]) {
			m = r
		}
		if m == i {
			return
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
}

// nearest appends to q the k nearest points to x within the radius (by
// distance, then index) and leaves q.h sorted in that order.
func (t *tree) nearest(x [3]float64, q *knn) {
	if q.k > 0 {
		t.search(x, q, 0, len(t.pts))
	}
	sortNeighbours(q.h)
}

func (t *tree) search(x [3]float64, q *knn, lo, hi int) {
	if hi-lo <= leafSize {
		for i := lo; i < hi; i++ {
			q.offer(neighbour{chord2(x, t.pts[i]), t.idx[i]})
		}
		return
	}
	mid := (lo + hi) / 2
	d := t.dim[mid]
	q.offer(neighbour{chord2(x, t.pts[mid]), t.idx[mid]})
	diff := x[d] - t.pts[mid][d]
	if diff <= 0 {
		t.search(x, q, lo, mid)
		if diff*diff <= q.worst() {
			t.search(x, q, mid+1, hi)
		}
		return
	}
	t.search(x, q, mid+1, hi)
	if diff*diff <= q.worst() {
		t.search(x, q, lo, mid)
	}
}

// within calls fn for every point within squared chord maxC2 of x, in
// tree order (deterministic).
func (t *tree) within(x [3]float64, maxC2 float64, fn func(idx int32, c2 float64)) {
	t.withinRange(x, maxC2, fn, 0, len(t.pts))
}

func (t *tree) withinRange(x [3]float64, maxC2 float64, fn func(int32, float64), lo, hi int) {
	if hi-lo <= leafSize {
		for i := lo; i < hi; i++ {
			if c2 := chord2(x, t.pts[i]); c2 <= maxC2 {
				fn(t.idx[i], c2)
			}
		}
		return
	}
	mid := (lo + hi) / 2
	d := t.dim[mid]
	if c2 := chord2(x, t.pts[mid]); c2 <= maxC2 {
		fn(t.idx[mid], c2)
	}
	diff := x[d] - t.pts[mid][d]
	if diff <= 0 || diff*diff <= maxC2 {
		t.withinRange(x, maxC2, fn, lo, mid)
	}
	if diff >= 0 || diff*diff <= maxC2 {
		t.withinRange(x, maxC2, fn, mid+1, hi)
	}
}

func sortNeighbours(h []neighbour) {
	slices.SortFunc(h, func(a, b neighbour) int {
		if a.less(b) {
			return -1
		}
		if b.less(a) {
			return 1
		}
		return 0
	})
}
