package radiomap

import (
	"math"
	"runtime"
	"sync"
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
//
// With runs, point r stands for the observations runs[r] … runs[r+1]−1,
// all at that position (tests gathered at one cell's centre): a search
// measures the distance once and offers each of them, so the tree holds
// the distinct positions and finds the same neighbours as a tree over
// every observation.
type tree struct {
	pt   []item  // points in layout order, each with its original index
	dim  []uint8 // split dimension of the node at a middle position
	runs []int32 // nil, or the observations of each point (see above)
}

// item is a point of a tree and its index among the points given to
// newTree. The build selects items themselves rather than indices into
// the points, so that its comparisons read memory in order.
type item struct {
	p   [3]float64
	idx int32
}

func newTree(p [][3]float64) *tree {
	pt := make([]item, len(p))
	for i := range p {
		pt[i] = item{p[i], int32(i)}
	}
	return newTreeOf(pt)
}

// newTreeOf builds the tree of the items pt, which it keeps and reorders.
func newTreeOf(pt []item) *tree {
	t := &tree{pt: pt, dim: make([]uint8, len(pt))}
	t.build(0, len(pt), parallelDepth())
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
func (t *tree) build(lo, hi, par int) {
	if hi-lo <= leafSize {
		return
	}
	// Split on the dimension of widest spread.
	var mn, mx [3]float64
	for d := range 3 {
		mn[d], mx[d] = math.Inf(1), math.Inf(-1)
	}
	// Plain comparisons: the coordinates are finite (math.Min's NaN and
	// signed-zero cases cannot change a spread).
	for i := range t.pt[lo:hi] {
		p := &t.pt[lo+i].p
		for d := range 3 {
			if p[d] < mn[d] {
				mn[d] = p[d]
			}
			if p[d] > mx[d] {
				mx[d] = p[d]
			}
		}
	}
	d := 0
	for k := 1; k < 3; k++ {
		if mx[k]-mn[k] > mx[d]-mn[d] {
			d = k
		}
	}
	mid := (lo + hi) / 2
	selectItems(t.pt[lo:hi], mid-lo, d)
	t.dim[mid] = uint8(d)
	if par > 0 && hi-lo > parallelBuild {
		var wg sync.WaitGroup
		wg.Go(func() { t.build(lo, mid, par-1) })
		t.build(mid+1, hi, par-1)
		wg.Wait()
		return
	}
	t.build(lo, mid, 0)
	t.build(mid+1, hi, 0)
}

// selectItems is nth.Select of s by coordinate d, ties by index, with
// the comparison written out (a call per comparison was most of the
// build's time): the same algorithm making the same comparisons, so the
// same layout (TestTreeParallelBuildLayout builds the reference with
// nth.Select).
func selectItems(s []item, k, d int) {
	less := func(a, b *item) bool {
		return a.p[d] < b.p[d] || (a.p[d] == b.p[d] && a.idx < b.idx)
	}
	lo, hi := 0, len(s)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// median of three to s[mid]
		if less(&s[mid], &s[lo]) {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if less(&s[hi], &s[lo]) {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if less(&s[hi], &s[mid]) {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for less(&s[i], &pivot) {
				i++
			}
			for less(&pivot, &s[j]) {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
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
		t.search(x, q, 0, len(t.pt))
	}
	q.sort()
}

// sort orders the heap q.h by distance, then index: a heapsort, which
// takes the heap as it is (the order is total, so any sort gives the same
// result).
func (q *knn) sort() {
	h := q.h
	for n := len(h) - 1; n > 0; n-- {
		h[0], h[n] = h[n], h[0]
		i := 0
		for {
			l, r, m := 2*i+1, 2*i+2, i
			if l < n && h[m].less(h[l]) {
				m = l
			}
			if r < n && h[m].less(h[r]) {
				m = r
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
}

// mergeNeighbours appends to dst the union of a and b, each ordered by
// distance, then index, without repeats: in that order, an observation in
// both once (it is at one distance in both).
func mergeNeighbours(dst, a, b []neighbour) []neighbour {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].idx == b[j].idx:
			dst = append(dst, a[i])
			i++
			j++
		case a[i].less(b[j]):
			dst = append(dst, a[i])
			i++
		default:
			dst = append(dst, b[j])
			j++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}

func (t *tree) search(x [3]float64, q *knn, lo, hi int) {
	if hi-lo <= leafSize {
		for i := lo; i < hi; i++ {
			t.offer(q, chord2(x, t.pt[i].p), t.pt[i].idx)
		}
		return
	}
	mid := (lo + hi) / 2
	d := t.dim[mid]
	t.offer(q, chord2(x, t.pt[mid].p), t.pt[mid].idx)
	diff := x[d] - t.pt[mid].p[d]
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

// obs returns the observations point idx stands for, [lo, hi): the point
// itself, or its run.
func (t *tree) obs(idx int32) (lo, hi int32) {
	if t.runs == nil {
		return idx, idx + 1
	}
	return t.runs[idx], t.runs[idx+1]
}

// offer offers q the observations of point idx at squared chord c2.
func (t *tree) offer(q *knn, c2 float64, idx int32) {
	lo, hi := t.obs(idx)
	for o := lo; o < hi; o++ {
		q.offer(neighbour{c2, o})
	}
}

// within calls fn for every point (with runs, every observation) within
// squared chord maxC2 of x, in tree order (deterministic).
func (t *tree) within(x [3]float64, maxC2 float64, fn func(idx int32, c2 float64)) {
	t.withinRange(x, maxC2, fn, 0, len(t.pt))
}

// emit calls fn for the observations of point idx at squared chord c2.
func (t *tree) emit(fn func(int32, float64), c2 float64, idx int32) {
	lo, hi := t.obs(idx)
	for o := lo; o < hi; o++ {
		fn(o, c2)
	}
}

func (t *tree) withinRange(x [3]float64, maxC2 float64, fn func(int32, float64), lo, hi int) {
	if hi-lo <= leafSize {
		for i := lo; i < hi; i++ {
			if c2 := chord2(x, t.pt[i].p); c2 <= maxC2 {
				t.emit(fn, c2, t.pt[i].idx)
			}
		}
		return
	}
	mid := (lo + hi) / 2
	d := t.dim[mid]
	if c2 := chord2(x, t.pt[mid].p); c2 <= maxC2 {
		t.emit(fn, c2, t.pt[mid].idx)
	}
	diff := x[d] - t.pt[mid].p[d]
	if diff <= 0 || diff*diff <= maxC2 {
		t.withinRange(x, maxC2, fn, lo, mid)
	}
	if diff >= 0 || diff*diff <= maxC2 {
		t.withinRange(x, maxC2, fn, mid+1, hi)
	}
}
