package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/paulmach/orb"

	"github.com/lomsong/lomsong/geodata"
)

// The region: Lai Châu-like mountains. The full box is lon 102.3–103.9,
// lat 21.7–22.8; a world of fewer villages keeps the village density and
// shrinks the box around its centre.
const (
	fullLon0, fullLon1 = 102.3, 103.9
	fullLat0, fullLat1 = 21.7, 22.8
	fullVillages       = 420
	demCellM           = 100.0
)

var carriers = []string{"viettel", "vinaphone", "mobifone", "vietnamobile"}

// Technologies simulated: index 0 = 2G (900 MHz), 1 = 3G (2100 MHz),
// 2 = 4G (1800 MHz).
var (
	techNames = []string{"2G", "3G", "4G"}
	techMHz   = []float64{900, 2100, 1800}
	// Share of the EIRP the reported level measures: RSSI all of it,
	// RSCP the CPICH (10 %), RSRP one resource element of 1200.
	techShareDB = []float64{0, -10, -10 * math.Log10(1200)}
	// Covered thresholds (engine/thresholds.go): 3G RSCP −100, 4G RSRP −105.
	techCovered = []float64{-95, -100, -105}
	// Reporting floors (engine/thresholds.go): 2G/3G −120, 4G −156.
	techFloor = []float64{-120, -120, -156}
	// Idle-mode camping levels (qRxLevMin as networks commonly set them):
	// a phone camps on the highest technology whose level is at least this.
	techCamp = []float64{-108, -115, -124}
)

// Params are a world's knobs, drawn from the seed within the ranges the
// README gives.
type Params struct {
	Villages int
	Lon0     float64
	Lon1     float64
	Lat0     float64
	Lat1     float64

	SigmaTotalDB float64 // total shadowing σ
	LocShare     float64 // share of the shadowing variance common to all carriers
	DecorrLocM   float64 // decorrelation distance of the common component
	DecorrCarM   float64 // of the per-carrier components

	DownShare      float64 // masts registered active but off the air
	DisplacedShare float64 // masts whose register position is off
}

type XY struct{ X, Y float64 }

type Grid struct {
	NX, NY int
	Cell   float64
	Z      []float32
}

func (g *Grid) at(ix, iy int) float64 {
	if ix < 0 {
		ix = 0
	}
	if iy < 0 {
		iy = 0
	}
	if ix >= g.NX {
		ix = g.NX - 1
	}
	if iy >= g.NY {
		iy = g.NY - 1
	}
	return float64(g.Z[iy*g.NX+ix])
}

// Height is the bilinear terrain height at (x, y) metres.
func (g *Grid) Height(x, y float64) float64 {
	fx, fy := x/g.Cell, y/g.Cell
	ix, iy := int(math.Floor(fx)), int(math.Floor(fy))
	tx, ty := fx-float64(ix), fy-float64(iy)
	a := g.at(ix, iy)*(1-tx) + g.at(ix+1, iy)*tx
	b := g.at(ix, iy+1)*(1-tx) + g.at(ix+1, iy+1)*tx
	return a*(1-ty) + b*ty
}

type Village struct {
	ID         string
	Name       string
	P          XY
	Households float64
	Cluster    int
}

type Sector struct {
	Azimuth float64
	Tilt    float64
}

type Mast struct {
	ID      string
	Carrier int
	P       XY // where it stands
	Reg     XY // where the register says it stands
	Ground  float64
	Height  float64
	Has     [3]bool
	EIRP    [3]float64
	Sectors []Sector
	Down    bool // off the air, registered active
	Added   bool // added by the coverage tuning (a fill-in site)
	// CalledOff: the engine's off-air check set it down (scoring only).
	CalledOff bool
	Displace  float64
}

type World struct {
	Seed     int64
	P        Params
	lonM     float64 // metres per degree of longitude
	latM     float64
	DEM      *Grid
	Rel      []float32 // height minus its 2.5 km neighbourhood mean
	Villages []Village
	Clusters []XY
	Roads    [][]XY
	Masts    []*Mast
	Shadow   *Shadow
	prov     interface {
		Locate(orb.Point) (geodata.Unit, bool)
	}
}

func (w *World) LonLat(p XY) (float64, float64) {
	return w.P.Lon0 + p.X/w.lonM, w.P.Lat0 + p.Y/w.latM
}

func (w *World) width() float64  { return (w.P.Lon1 - w.P.Lon0) * w.lonM }
func (w *World) height() float64 { return (w.P.Lat1 - w.P.Lat0) * w.latM }

// inVietNam reports whether p lies in one of the 34 provinces: villages
// and masts outside every province would be left out of the analysis.
func (w *World) inVietNam(p XY) bool {
	lon, lat := w.LonLat(p)
	_, ok := w.prov.Locate(orb.Point{lon, lat})
	return ok
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// lattice is a value in [-1, 1] at integer lattice point (ix, iy) of an
// octave, from a hash of the seed.
func lattice(seed uint64, oct, ix, iy int) float64 {
	h := splitmix(seed ^ splitmix(uint64(oct)*0x100000001b3^splitmix(uint64(int64(ix))*0x9e3779b1^uint64(int64(iy))<<32)))
	return float64(h>>11)/float64(1<<53)*2 - 1
}

func smooth(t float64) float64 { return t * t * t * (t*(t*6-15) + 10) }

func valueNoise(seed uint64, oct int, x, y float64) float64 {
	ix, iy := int(math.Floor(x)), int(math.Floor(y))
	tx, ty := smooth(x-float64(ix)), smooth(y-float64(iy))
	a := lattice(seed, oct, ix, iy)*(1-tx) + lattice(seed, oct, ix+1, iy)*tx
	b := lattice(seed, oct, ix, iy+1)*(1-tx) + lattice(seed, oct, ix+1, iy+1)*tx
	return a*(1-ty) + b*ty
}

// genDEM builds a ridge-and-valley terrain: octaves of ridged value noise
// (1 − |n|, sharp crests and wide valley floors) from 48 km down to
// 300 m wavelength with amplitude ∝ wavelength^0.9 (a fractal surface of
// Hurst exponent 0.9), rescaled to 250–2,700 m between its 1st and 99.5th
// percentiles.
func (w *World) genDEM() {
	nx := int(w.width()/demCellM) + 2
	ny := int(w.height()/demCellM) + 2
	g := &Grid{NX: nx, NY: ny, Cell: demCellM, Z: make([]float32, nx*ny)}
	seed := uint64(w.Seed) * 7919
	wl := []float64{48000, 24000, 12000, 6000, 3000, 1500, 750, 300}
	for iy := 0; iy < ny; iy++ {
		for ix := 0; ix < nx; ix++ {
			// Absolute coordinates (from the full box's corner), so that a
			// smaller world is a window on the same kind of terrain.
			x := float64(ix)*demCellM + (w.P.Lon0-fullLon0)*w.lonM
			y := float64(iy)*demCellM + (w.P.Lat0-fullLat0)*w.latM
			z := 0.0
			for k, L := range wl {
				amp := math.Pow(L/48000, 0.9)
				n := valueNoise(seed, k, x/L, y/L)
				if k < 5 {
					r := 1 - math.Abs(n)
					z += amp * (r*r - 0.3)
				} else {
					z += amp * n * 0.5
				}
			}
			g.Z[iy*nx+ix] = float32(z)
		}
	}
	s := append([]float32(nil), g.Z...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	lo, hi := float64(s[len(s)/100]), float64(s[len(s)*995/1000])
	for i, v := range g.Z {
		z := 250 + 2450*(float64(v)-lo)/(hi-lo)
		if z < 150 {
			z = 150 + (z-150)*0.2
		}
		g.Z[i] = float32(z)
	}
	w.DEM = g
	// Relative height: minus the mean over a 2.5 km square (summed-area
	// table), negative in valleys.
	r := 12
	sat := make([]float64, (nx+1)*(ny+1))
	for iy := 0; iy < ny; iy++ {
		for ix := 0; ix < nx; ix++ {
			sat[(iy+1)*(nx+1)+ix+1] = float64(g.Z[iy*nx+ix]) + sat[iy*(nx+1)+ix+1] + sat[(iy+1)*(nx+1)+ix] - sat[iy*(nx+1)+ix]
		}
	}
	w.Rel = make([]float32, nx*ny)
	for iy := 0; iy < ny; iy++ {
		y0, y1 := max(0, iy-r), min(ny, iy+r+1)
		for ix := 0; ix < nx; ix++ {
			x0, x1 := max(0, ix-r), min(nx, ix+r+1)
			sum := sat[y1*(nx+1)+x1] - sat[y0*(nx+1)+x1] - sat[y1*(nx+1)+x0] + sat[y0*(nx+1)+x0]
			w.Rel[iy*nx+ix] = g.Z[iy*nx+ix] - float32(sum/float64((x1-x0)*(y1-y0)))
		}
	}
}

func (w *World) rel(p XY) float64 {
	ix, iy := int(p.X/demCellM+0.5), int(p.Y/demCellM+0.5)
	ix = min(max(ix, 0), w.DEM.NX-1)
	iy = min(max(iy, 0), w.DEM.NY-1)
	return float64(w.Rel[iy*w.DEM.NX+ix])
}

func (w *World) slope(p XY) float64 {
	d := demCellM
	gx := (w.DEM.Height(p.X+d, p.Y) - w.DEM.Height(p.X-d, p.Y)) / (2 * d)
	gy := (w.DEM.Height(p.X, p.Y+d) - w.DEM.Height(p.X, p.Y-d)) / (2 * d)
	return math.Hypot(gx, gy)
}

// habitability in [0, 1]: villages sit on valley floors and lower
// slopes, below 1,800 m, on gentle ground.
func (w *World) habitability(p XY) float64 {
	if p.X < 500 || p.Y < 500 || p.X > w.width()-500 || p.Y > w.height()-500 {
		return 0
	}
	z := w.DEM.Height(p.X, p.Y)
	if z > 1800 {
		return 0
	}
	v := 1 / (1 + math.Exp(w.rel(p)/120))
	return v * math.Exp(-w.slope(p)/0.3) * (1 - z/2200)
}

func (w *World) randPoint(rng *rand.Rand) XY {
	return XY{rng.Float64() * w.width(), rng.Float64() * w.height()}
}

// genVillages places clusters of villages: cluster centres drawn by
// rejection on habitability, villages scattered around them (σ 900 m),
// each again accepted on habitability.
func (w *World) genVillages(rng *rand.Rand) error {
	nc := max(3, w.P.Villages/6)
	for len(w.Clusters) < nc {
		p := w.randPoint(rng)
		if rng.Float64() < w.habitability(p) && w.inVietNam(p) {
			w.Clusters = append(w.Clusters, p)
		}
	}
	weights := make([]float64, nc)
	tot := 0.0
	for i := range weights {
		weights[i] = rng.ExpFloat64() + rng.ExpFloat64()
		tot += weights[i]
	}
	for i := 0; i < w.P.Villages; i++ {
		u, c := rng.Float64()*tot, 0
		for c = 0; c < nc-1 && u > weights[c]; c++ {
			u -= weights[c]
		}
		var p XY
		for try := 0; ; try++ {
			p = XY{w.Clusters[c].X + rng.NormFloat64()*900, w.Clusters[c].Y + rng.NormFloat64()*900}
			h := w.habitability(p)
			if (rng.Float64() < math.Sqrt(h) || try > 200) && w.inVietNam(p) {
				break
			}
		}
		hh := math.Round(math.Exp(math.Log(60) + 0.7*rng.NormFloat64()))
		w.Villages = append(w.Villages, Village{
			ID:         fmt.Sprintf("W%d-V%04d", w.Seed, i+1),
			Name:       fmt.Sprintf("Bản %s %d", villageNames[rng.IntN(len(villageNames))], i+1),
			P:          p,
			Households: max(hh, 8),
			Cluster:    c,
		})
	}
	return nil
}

var villageNames = []string{"Nà", "Pá", "Huổi", "Nậm", "Phiêng", "Lả", "Hua", "Co", "Mường", "Sì", "Tả", "Pa"}

// genRoads joins the cluster centres by a minimum spanning tree plus a few
// loops, each edge routed along the terrain (A* on a 300 m grid, a step
// costing its length times 1 + 40·grade² plus a penalty above 900 m), so
// that roads follow valleys and cross passes.
func (w *World) genRoads(rng *rand.Rand) {
	n := len(w.Clusters)
	in := make([]bool, n)
	best := make([]float64, n)
	from := make([]int, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	in[0] = true
	for j := 1; j < n; j++ {
		best[j], from[j] = dist(w.Clusters[0], w.Clusters[j]), 0
	}
	type edge struct{ a, b int }
	var edges []edge
	for k := 1; k < n; k++ {
		j := -1
		for i := 0; i < n; i++ {
			if !in[i] && (j < 0 || best[i] < best[j]) {
				j = i
			}
		}
		in[j] = true
		edges = append(edges, edge{from[j], j})
		for i := 0; i < n; i++ {
			if !in[i] {
				if d := dist(w.Clusters[j], w.Clusters[i]); d < best[i] {
					best[i], from[i] = d, j
				}
			}
		}
	}
	// A few loops: a cluster joined to its nearest other cluster not yet
	// its neighbour, with probability 0.25.
	for i := 0; i < n; i++ {
		if rng.Float64() > 0.25 {
			continue
		}
		bj := -1
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			linked := false
			for _, e := range edges {
				if (e.a == i && e.b == j) || (e.a == j && e.b == i) {
					linked = true
				}
			}
			if !linked && (bj < 0 || dist(w.Clusters[i], w.Clusters[j]) < dist(w.Clusters[i], w.Clusters[bj])) {
				bj = j
			}
		}
		if bj >= 0 && dist(w.Clusters[i], w.Clusters[bj]) < 25000 {
			edges = append(edges, edge{i, bj})
		}
	}
	for _, e := range edges {
		w.Roads = append(w.Roads, w.route(w.Clusters[e.a], w.Clusters[e.b]))
	}
}

func dist(a, b XY) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

func (w *World) route(a, b XY) []XY {
	const step = 300.0
	nx, ny := int(w.width()/step)+1, int(w.height()/step)+1
	idx := func(p XY) int {
		ix := min(max(int(p.X/step+0.5), 0), nx-1)
		iy := min(max(int(p.Y/step+0.5), 0), ny-1)
		return iy*nx + ix
	}
	pt := func(i int) XY { return XY{float64(i%nx) * step, float64(i/nx) * step} }
	src, dst := idx(a), idx(b)
	g := map[int]float64{src: 0}
	prev := map[int]int{}
	done := map[int]bool{}
	h := &pq{}
	h.push(src, dist(pt(src), pt(dst)))
	for h.len() > 0 {
		cur := h.pop()
		if done[cur] {
			continue
		}
		done[cur] = true
		if cur == dst {
			break
		}
		cx, cy := cur%nx, cur/nx
		zc := w.DEM.Height(pt(cur).X, pt(cur).Y)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if dx == 0 && dy == 0 {
					continue
				}
				x, y := cx+dx, cy+dy
				if x < 0 || y < 0 || x >= nx || y >= ny {
					continue
				}
				nb := y*nx + x
				if done[nb] {
					continue
				}
				l := step * math.Hypot(float64(dx), float64(dy))
				zn := w.DEM.Height(pt(nb).X, pt(nb).Y)
				gr := (zn - zc) / l
				c := l * (1 + 40*gr*gr + math.Max(0, zn-900)/400)
				if ng := g[cur] + c; !(g[nb] > 0 || nb == src) || ng < g[nb] {
					g[nb] = ng
					prev[nb] = cur
					h.push(nb, ng+dist(pt(nb), pt(dst)))
				}
			}
		}
	}
	var path []XY
	for c := dst; ; c = prev[c] {
		path = append(path, pt(c))
		if c == src {
			break
		}
		if _, ok := prev[c]; !ok {
			break
		}
	}
	path[0] = b
	path = append(path, a)
	return path
}

// pq is a binary min-heap of (node, priority), ties broken by node, so the
// routes are deterministic.
type pq struct {
	n []int
	p []float64
}

func (h *pq) len() int { return len(h.n) }
func (h *pq) less(i, j int) bool {
	return h.p[i] < h.p[j] || (h.p[i] == h.p[j] && h.n[i] < h.n[j])
}
func (h *pq) swap(i, j int) {
	h.n[i], h.n[j] = h.n[j], h.n[i]
	h.p[i], h.p[j] = h.p[j], h.p[i]
}
func (h *pq) push(n int, p float64) {
	h.n = append(h.n, n)
	h.p = append(h.p, p)
	for i := len(h.n) - 1; i > 0; {
		par := (i - 1) / 2
		if !h.less(i, par) {
			break
		}
		h.swap(i, par)
		i = par
	}
}
func (h *pq) pop() int {
	top := h.n[0]
	last := len(h.n) - 1
	h.swap(0, last)
	h.n, h.p = h.n[:last], h.p[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.n) && h.less(l, m) {
			m = l
		}
		if r < len(h.n) && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h.swap(i, m)
		i = m
	}
	return top
}

// Carrier build-out: the chance a carrier has a mast at a village cluster,
// the technologies a mast carries, and the crowd's market share.
var (
	clusterMastP = []float64{0.80, 0.45, 0.45, 0.18}
	tech3GP      = []float64{0.97, 0.85, 0.85, 0.75}
	tech4GP      = []float64{0.97, 0.85, 0.85, 0.60}
	marketShare  = []float64{0.52, 0.22, 0.18, 0.08}
)

// siteNear picks the highest of 12 candidate points 300–1,800 m from p
// inside Viet Nam (masts stand on spurs above the villages they serve).
func (w *World) siteNear(rng *rand.Rand, p XY) (XY, bool) {
	var best XY
	bz := math.Inf(-1)
	for k := 0; k < 12; k++ {
		a := rng.Float64() * 2 * math.Pi
		r := 300 + rng.Float64()*1500
		q := XY{p.X + r*math.Sin(a), p.Y + r*math.Cos(a)}
		if q.X < 0 || q.Y < 0 || q.X > w.width() || q.Y > w.height() || !w.inVietNam(q) {
			continue
		}
		// Prefer height, but not far up a mountain: a road must reach it.
		z := w.DEM.Height(q.X, q.Y) - 0.15*r
		if z > bz {
			bz, best = z, q
		}
	}
	return best, !math.IsInf(bz, -1)
}

func (w *World) newMast(rng *rand.Rand, c int, p XY) *Mast {
	m := &Mast{
		ID:      fmt.Sprintf("%s-%d-%04d", carriers[c][:3], w.Seed, len(w.Masts)+1),
		Carrier: c,
		P:       p,
		Reg:     p,
		Ground:  w.DEM.Height(p.X, p.Y),
		Height:  20 + math.Round(rng.Float64()*25),
	}
	m.Has[0] = true
	m.Has[1] = rng.Float64() < tech3GP[c]
	m.Has[2] = rng.Float64() < tech4GP[c]
	m.EIRP[0] = 55 + math.Round(rng.Float64()*3)
	m.EIRP[1] = 56 + math.Round(rng.Float64()*3)
	m.EIRP[2] = 56 + math.Round(rng.Float64()*4)
	az := math.Round(rng.Float64() * 120)
	for s := 0; s < 3; s++ {
		m.Sectors = append(m.Sectors, Sector{Azimuth: az + 120*float64(s), Tilt: 2 + math.Round(rng.Float64()*4)})
	}
	w.Masts = append(w.Masts, m)
	return m
}

func (w *World) genMasts(rng *rand.Rand) {
	for ci := range w.Clusters {
		for c := range carriers {
			if rng.Float64() < clusterMastP[c] {
				if p, ok := w.siteNear(rng, w.Clusters[ci]); ok {
					w.newMast(rng, c, p)
				}
			}
		}
	}
	// Masts along the roads too (one per ~15 km of road for Viettel,
	// fewer for the others).
	for _, road := range w.Roads {
		l := 0.0
		for i := 1; i < len(road); i++ {
			l += dist(road[i-1], road[i])
		}
		for c := range carriers {
			n := l / 15000 * clusterMastP[c]
			for k := 0; k < int(n)+boolInt(rng.Float64() < n-math.Floor(n)); k++ {
				q := road[rng.IntN(len(road))]
				if p, ok := w.siteNear(rng, q); ok {
					w.newMast(rng, c, p)
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
