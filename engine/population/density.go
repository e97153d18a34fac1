package population

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Density estimates population density (people per km²) at any point from
// a population table, continuously in space, for the propagation
// environment of a point (engine/predict's EnvCutoffs.Position).
//
// The estimate is a kernel density: people of cells at DensityRes or finer
// are summed onto their resolution-DensityRes ancestor, placed at the
// people-weighted mean of their cells' centres, and spread by the kernel
//
//	K(d) = (exp(−d²/2h²) − exp(−R²/2h²)) / Z   for d < R, 0 beyond,
//
// with h = √(A/2π), A the mean area of a resolution-DensityRes cell
// (0.737 km², so h = 342.5 m: a lone cell's people read at its centre at
// about the cell's own mean density, 6 % above), R = DensityRadiusM and Z
// the kernel's integral over the disc, so the people are conserved. The
// Gaussian is shifted to reach zero at R, so the estimate is continuous
// everywhere: the density of a cell-by-cell class jumped at every cell
// border, and with it the predicted path loss by up to 20 dB.
//
// Places, when given, say where inside a cell its people live (the
// villages, weighted by households): the people of a resolution-DensityRes
// cell of the table that holds places are spread from those places in
// proportion to their weights, not from the cell's centre — a village by
// a cell's edge is 400 m from the centre, where the kernel is half its
// peak. A cell without places keeps its own position, and so do the
// people of a finer table (resolution 9 and finer place them better than
// a list of villages does).
//
// Cells coarser than DensityRes give every point inside them their mean
// density (people over the cell's area), added to the kernel estimate: a
// coarse table holds no finer information, and its cell borders stay
// steps (a table at resolution 8 or finer avoids them).
type Density struct {
	h2, cut, norm float64
	bucket        map[[2]int32][]int32
	lon, lat, ppl []float64
	coarse        map[hexgrid.Cell]float64 // coarse cell → people per km²
	coarseRes     []int                    // resolutions present in coarse, ascending
}

// DensityRes is the resolution of the cells the kernel spreads (and the
// resolution whose mean area sets the bandwidth).
const DensityRes = 8

// DensityRadiusM is the kernel's radius R: 2.9 bandwidths, where the
// Gaussian has fallen to 1.4 % of its peak.
const DensityRadiusM = 1000

// densityBucketDeg is the side of the buckets the spread cells are found
// by, in degrees (about 1.1 km of latitude).
const densityBucketDeg = 0.01

// metresPerDeg is the length of a degree of latitude on H3's authalic
// sphere.
const metresPerDeg = earthRadiusKm * 1000 * math.Pi / 180

// Place is a point where people live, with a weight (for a village, its
// households) that shares out its cell's people among the cell's places.
type Place struct {
	Lon, Lat, Weight float64
}

// NewDensity builds the estimator of cells (any resolutions), placing the
// people of each cell that holds places (any order; nil for none) at
// them. A cell that is not valid is an error wrapping
// hexgrid.ErrInvalidCell; population that is negative or not finite, or a
// place whose position or weight is not finite (or a negative weight),
// one wrapping ErrInvalidInput.
func NewDensity(cells []Cell, places []Place) (*Density, error) {
	a, err := hexgrid.AvgAreaKm2(DensityRes)
	if err != nil {
		return nil, err
	}
	h := math.Sqrt(a * 1e6 / (2 * math.Pi)) // metres
	d := &Density{h2: h * h, bucket: map[[2]int32][]int32{}, coarse: map[hexgrid.Cell]float64{}}
	d.cut = math.Exp(-DensityRadiusM * DensityRadiusM / (2 * d.h2))
	// ∫₀^R (e^{−r²/2h²} − c)·2πr dr = 2π(h²(1 − c) − c·R²/2), in km².
	d.norm = 1 / (2 * math.Pi * (d.h2*(1-d.cut) - d.cut*DensityRadiusM*DensityRadiusM/2) / 1e6)

	type mass struct {
		ppl, lonW, latW float64
		finer           bool // some of its people come from a finer cell
	}
	fine := map[hexgrid.Cell]*mass{}
	var order []hexgrid.Cell
	for _, c := range cells {
		if !c.Cell.Valid() {
			return nil, fmt.Errorf("%w: cell %x", hexgrid.ErrInvalidCell, uint64(c.Cell))
		}
		p := c.Population
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			return nil, fmt.Errorf("%w: cell %v has population %g", ErrInvalidInput, c.Cell, p)
		}
		if p == 0 {
			continue
		}
		r := c.Cell.Resolution()
		if r < DensityRes {
			ar, err := c.Cell.AreaKm2()
			if err != nil {
				return nil, err
			}
			d.coarse[c.Cell] += p / ar
			continue
		}
		ctr, err := c.Cell.Center()
		if err != nil {
			return nil, err
		}
		k := hexgrid.FastParent(c.Cell, DensityRes)
		m := fine[k]
		if m == nil {
			m = &mass{}
			fine[k] = m
			order = append(order, k)
		}
		m.ppl += p
		m.lonW += p * ctr[0]
		m.latW += p * ctr[1]
		m.finer = m.finer || r > DensityRes
	}
	for c := range d.coarse {
		d.coarseRes = appendRes(d.coarseRes, c.Resolution())
	}
	// The places of each populated cell, and their total weight.
	type placed struct {
		idx    []int32
		weight float64
	}
	at := map[hexgrid.Cell]*placed{}
	for i, p := range places {
		if math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0) || math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0) || math.IsNaN(p.Weight) || math.IsInf(p.Weight, 0) || p.Weight < 0 {
			return nil, fmt.Errorf("%w: place %d at (%g, %g) weighs %g", ErrInvalidInput, i, p.Lon, p.Lat, p.Weight)
		}
		if p.Weight == 0 {
			continue
		}
		k, err := hexgrid.Index(p.Lon, p.Lat, DensityRes)
		if err != nil {
			return nil, err
		}
		if fine[k] == nil || fine[k].finer {
			continue
		}
		q := at[k]
		if q == nil {
			q = &placed{}
			at[k] = q
		}
		q.idx = append(q.idx, int32(i))
		q.weight += p.Weight
	}
	add := func(lon, lat, ppl float64) {
		i := int32(len(d.lon))
		d.lon, d.lat, d.ppl = append(d.lon, lon), append(d.lat, lat), append(d.ppl, ppl)
		b := bucketOf(lon, lat)
		d.bucket[b] = append(d.bucket[b], i)
	}
	for _, k := range order {
		m := fine[k]
		if q := at[k]; q != nil {
			for _, i := range q.idx {
				add(places[i].Lon, places[i].Lat, m.ppl*places[i].Weight/q.weight)
			}
			continue
		}
		add(m.lonW/m.ppl, m.latW/m.ppl, m.ppl)
	}
	return d, nil
}

// appendRes adds r to the ascending set rs.
func appendRes(rs []int, r int) []int {
	for i, x := range rs {
		switch {
		case x == r:
			return rs
		case x > r:
			return append(rs[:i], append([]int{r}, rs[i:]...)...)
		}
	}
	return append(rs, r)
}

func bucketOf(lon, lat float64) [2]int32 {
	return [2]int32{int32(math.Floor(lon / densityBucketDeg)), int32(math.Floor(lat / densityBucketDeg))}
}

// At returns the estimated people per km² at (lon, lat), WGS84 degrees.
func (d *Density) At(lon, lat float64) (float64, error) {
	var s float64
	if len(d.lon) > 0 {
		mx := metresPerDeg * math.Cos(lat*math.Pi/180) // metres per degree of longitude
		ky := int32(math.Ceil(DensityRadiusM / (densityBucketDeg * metresPerDeg)))
		kx := int32(math.Ceil(DensityRadiusM / (densityBucketDeg * max(mx, 1))))
		b := bucketOf(lon, lat)
		for by := b[1] - ky; by <= b[1]+ky; by++ {
			for bx := b[0] - kx; bx <= b[0]+kx; bx++ {
				for _, i := range d.bucket[[2]int32{bx, by}] {
					dx, dy := (d.lon[i]-lon)*mx, (d.lat[i]-lat)*metresPerDeg
					if d2 := dx*dx + dy*dy; d2 < DensityRadiusM*DensityRadiusM {
						s += d.ppl[i] * (math.Exp(-d2/(2*d.h2)) - d.cut)
					}
				}
			}
		}
		s *= d.norm
	}
	for _, r := range d.coarseRes {
		c, err := hexgrid.Index(lon, lat, r)
		if err != nil {
			return 0, err
		}
		s += d.coarse[c]
	}
	return s, nil
}
