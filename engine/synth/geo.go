package synth

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

const kmPerDegLat = 111.32

// offsetKm returns the point dxKm east and dyKm north of p (local
// equirectangular approximation, adequate within a province).
func offsetKm(p orb.Point, dxKm, dyKm float64) orb.Point {
	return orb.Point{p[0] + dxKm/(kmPerDegLat*math.Cos(p[1]*math.Pi/180)), p[1] + dyKm/kmPerDegLat}
}

// distKm is the equirectangular distance between two nearby points.
func distKm(a, b orb.Point) float64 {
	c := math.Cos((a[1] + b[1]) / 2 * math.Pi / 180)
	dx := (a[0] - b[0]) * c * kmPerDegLat
	dy := (a[1] - b[1]) * kmPerDegLat
	return math.Hypot(dx, dy)
}

// headingDeg is the direction from a to b, clockwise from north.
func headingDeg(a, b orb.Point) float64 {
	c := math.Cos((a[1] + b[1]) / 2 * math.Pi / 180)
	return math.Mod(math.Atan2((b[0]-a[0])*c, b[1]-a[1])*180/math.Pi+360, 360)
}

// moveKm returns the point dKm from p in direction headingDeg.
func moveKm(p orb.Point, heading, dKm float64) orb.Point {
	r := heading * math.Pi / 180
	return offsetKm(p, dKm*math.Sin(r), dKm*math.Cos(r))
}

// newRand returns the generator of one stream of the world: the seed and a
// stream name, so that each province and stage draws independently of the
// others and of which provinces are generated.
func newRand(seed uint64, stream string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// samplePoint draws a point uniformly inside u by rejection from its bound.
func samplePoint(rng *rand.Rand, u *geodata.Unit) orb.Point {
	b := u.Bound
	for range 100000 {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		if u.Contains(p) {
			return p
		}
	}
	return b.Center()
}

// pointGrid is a coarse bucket index of points for "is anything within r
// km" queries, r at most the cell size (about 5.5 km).
type pointGrid struct {
	cellDeg float64
	cells   map[[2]int32][]int32
	pts     []orb.Point
}

// newPointGrid returns a grid whose nearest answers reliably up to
// cellDeg·100 km (5.5 km for 0.05°).
func newPointGrid(cellDeg float64) *pointGrid {
	return &pointGrid{cellDeg: cellDeg, cells: map[[2]int32][]int32{}}
}

func (g *pointGrid) key(p orb.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p[0] / g.cellDeg)), int32(math.Floor(p[1] / g.cellDeg))}
}

func (g *pointGrid) add(p orb.Point) {
	k := g.key(p)
	g.cells[k] = append(g.cells[k], int32(len(g.pts)))
	g.pts = append(g.pts, p)
}

// nearest returns the distance in km to the nearest point within the 3×3
// neighbourhood of p's cell, or +Inf.
func (g *pointGrid) nearest(p orb.Point) float64 {
	k := g.key(p)
	best := math.Inf(1)
	for dx := int32(-1); dx <= 1; dx++ {
		for dy := int32(-1); dy <= 1; dy++ {
			for _, i := range g.cells[[2]int32{k[0] + dx, k[1] + dy}] {
				if d := distKm(p, g.pts[i]); d < best {
					best = d
				}
			}
		}
	}
	return best
}

// apportion splits total into len(w) non-negative integers proportional to
// the weights w, each at least min, by the largest-remainder method (ties
// to the lower index). It requires total ≥ min·len(w) and positive weights.
func apportion(total int64, w []float64, min int64) []int64 {
	out := make([]int64, len(w))
	if len(w) == 0 {
		return out
	}
	rest := total - min*int64(len(w))
	if rest < 0 {
		min, rest = 0, total
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(w))
	var given int64
	for i, x := range w {
		q := float64(rest) * x / sum
		f := math.Floor(q)
		out[i] = min + int64(f)
		given += int64(f)
		rems[i] = rem{i, q - f}
	}
	left := rest - given
	// stable selection of the largest remainders
	idx := make([]int, len(w))
	for i := range idx {
		idx[i] = i
	}
	sortByRemainder(idx, func(i int) float64 { return rems[i].r })
	for k := int64(0); k < left; k++ {
		out[idx[int(k)%len(idx)]]++
	}
	return out
}
