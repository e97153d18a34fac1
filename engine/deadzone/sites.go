package deadzone

import (
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
)

// siteStep is the bin size, in degrees, of the active-site grid.
const siteStep = 0.1

// metresPerDegree is one degree of arc on H3's sphere.
const metresPerDegree = 6371007.180918475 * math.Pi / 180

// siteIndex bins the active sites of a register for nearest-site search.
// It keeps of each site what the search reads (position, id, carrier),
// not a copy of the register's rows.
type siteIndex struct {
	lon, lat       []float64
	id             []string
	carrier        []int32 // carrier index of each site
	carriers       []engine.Carrier
	minLon, minLat float64
	nx, ny         int
	bins           [][]int32
	lowerM         float64 // metres per degree, a lower bound for the area
}

func newSiteIndex(all []engine.Site) *siteIndex {
	s := &siteIndex{}
	active := func(st *engine.Site) bool {
		return st.Status == engine.StatusActive && finitePoint(orb.Point{st.Lon, st.Lat}) &&
			math.Abs(st.Lat) <= 90 && math.Abs(st.Lon) <= 180
	}
	n := 0
	var b orb.Bound
	for i := range all {
		st := &all[i]
		if !active(st) {
			continue
		}
		p := orb.Point{st.Lon, st.Lat}
		if n == 0 {
			b = orb.Bound{Min: p, Max: p}
		}
		b = b.Extend(p)
		n++
		if n == 1 || !slices.Contains(s.carriers, st.Carrier) {
			s.carriers = append(s.carriers, st.Carrier)
		}
	}
	if n == 0 {
		return s
	}
	slices.Sort(s.carriers)
	s.lon, s.lat, s.id, s.carrier = make([]float64, 0, n), make([]float64, 0, n), make([]string, 0, n), make([]int32, 0, n)
	s.minLon, s.minLat = b.Min[0], b.Min[1]
	s.nx = int((b.Max[0]-b.Min[0])/siteStep) + 1
	s.ny = int((b.Max[1]-b.Min[1])/siteStep) + 1
	s.bins = make([][]int32, s.nx*s.ny)
	for i := range all {
		st := &all[i]
		if !active(st) {
			continue
		}
		k := int32(len(s.lon))
		x, y := s.bin(orb.Point{st.Lon, st.Lat})
		s.bins[y*s.nx+x] = append(s.bins[y*s.nx+x], k)
		ci, _ := slices.BinarySearch(s.carriers, st.Carrier)
		s.lon, s.lat, s.id = append(s.lon, st.Lon), append(s.lat, st.Lat), append(s.id, st.SiteID)
		s.carrier = append(s.carrier, int32(ci))
	}
	// A bin step in longitude is shortest at the highest latitude; 0.9
	// leaves a margin for great circles shorter than the parallel.
	maxLat := max(math.Abs(b.Min[1]), math.Abs(b.Max[1])) + 1
	s.lowerM = 0.9 * metresPerDegree * math.Cos(min(maxLat, 89)*math.Pi/180)
	return s
}

// bin returns the (unclamped) bin of p.
func (s *siteIndex) bin(p orb.Point) (int, int) {
	return int(math.Floor((p[0] - s.minLon) / siteStep)), int(math.Floor((p[1] - s.minLat) / siteStep))
}

// nearest returns, per carrier of the register, the active site nearest to
// any of pts, by carrier. It searches rings of bins outward from the bins
// of pts and stops when no unseen bin can hold a nearer site.
func (s *siteIndex) nearest(pts []orb.Point) []SiteDistance {
	if len(s.lon) == 0 || len(pts) == 0 {
		return nil
	}
	b := orb.MultiPoint(pts).Bound()
	x0, y0 := s.bin(b.Min)
	x1, y1 := s.bin(b.Max)
	// Keep the search inside the lower bound's latitude band.
	if max(math.Abs(b.Min[1]), math.Abs(b.Max[1])) > 89 {
		return nil
	}
	best := make([]SiteDistance, len(s.carriers))
	for i := range best {
		best[i] = SiteDistance{Carrier: s.carriers[i], DistanceM: math.Inf(1)}
	}
	cosZone := math.Cos(min(max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+1, 89) * math.Pi / 180)
	lower := min(s.lowerM, 0.9*metresPerDegree*cosZone)
	rpts := make([]hexgrid.RadPoint, len(pts))
	for i, p := range pts {
		rpts[i] = hexgrid.Radians(p)
	}
	// The sectors of one mast share its position and follow each other in
	// the register, so in the bins: the last position's distance is kept.
	lastP, lastD := orb.Point{math.NaN(), math.NaN()}, 0.0
	visit := func(x, y int) {
		if x < 0 || y < 0 || x >= s.nx || y >= s.ny {
			return
		}
		for _, i := range s.bins[y*s.nx+x] {
			sp := orb.Point{s.lon[i], s.lat[i]}
			bd := &best[s.carrier[i]]
			// A lower bound of its distance to the points: to their
			// bounding box, along the farther axis, at the bins' lower
			// bound of metres per degree. A site that cannot be nearer
			// than its carrier's best is not measured point by point.
			dx := max(b.Min[0]-sp[0], sp[0]-b.Max[0], 0)
			dy := max(b.Min[1]-sp[1], sp[1]-b.Max[1], 0)
			if max(dx, dy)*lower > bd.DistanceM {
				continue
			}
			d := lastD
			if sp != lastP {
				// hexgrid.GreatCircleM to the nearest point: the least
				// haversine, then its arc (the same arithmetic).
				rs, minA := hexgrid.Radians(sp), math.Inf(1)
				for _, rp := range rpts {
					minA = min(minA, hexgrid.HaversineA(rs, rp))
				}
				d = hexgrid.ArcM(minA)
				lastP, lastD = sp, d
			}
			if d < bd.DistanceM || (d == bd.DistanceM && s.id[i] < bd.SiteID) {
				bd.SiteID, bd.DistanceM = s.id[i], d
			}
		}
	}
	for r := 0; ; r++ {
		if r == 0 {
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					visit(x, y)
				}
			}
		} else {
			for x := x0 - r; x <= x1+r; x++ {
				visit(x, y0-r)
				visit(x, y1+r)
			}
			for y := y0 - r + 1; y <= y1+r-1; y++ {
				visit(x0-r, y)
				visit(x1+r, y)
			}
		}
		// Sites in ring r+1 or beyond are at least r bin steps away.
		bound := float64(r) * siteStep * lower
		done := true
		for _, bd := range best {
			if bd.DistanceM > bound {
				done = false
				break
			}
		}
		if done || (x0-r <= 0 && y0-r <= 0 && x1+r >= s.nx-1 && y1+r >= s.ny-1) {
			break
		}
	}
	return best
}
