package synth

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/predict"
)

// envModel classifies points by the population density around them: a
// Gaussian kernel estimate over the village points (each village's
// households at its province's census household size), with bandwidth
// envBandwidthM, classified by predict.DefaultEnvCutoffs. So a point's
// clutter follows where people live, and the class changes where the
// density crosses a cut-off — at the edge of a village, not at the border
// of an H3 cell. The engine works from a population table and cannot see
// those edges exactly: its own estimate (engine/population's Density,
// blended between classes) differs from this one as an estimate from a
// gridded table differs from the buildings on the ground.
type envModel struct {
	x, y, people []float64
	bucket       map[[2]int64][]int32
	cutoffs      predict.EnvCutoffs
}

// envBandwidthM is the kernel's bandwidth: √(A/2π) for A the mean area
// of an H3 resolution-8 cell (0.737 km²), so a village alone reads at its
// centre at about its cell's mean density. The kernel is cut at
// envCutM (3 bandwidths: 1.1 % of the peak).
const (
	envBandwidthM = 342.6
	envCutM       = 3 * envBandwidthM
)

func newEnvModel(villages []Village, hhSize map[string]float64) (*envModel, error) {
	m := &envModel{bucket: map[[2]int64][]int32{}, cutoffs: predict.DefaultEnvCutoffs()}
	for i, v := range villages {
		if !(v.Households >= 0) {
			return nil, fmt.Errorf("synth: village %s has %d households", v.ID, v.Households)
		}
		x, y := project(v.Lon, v.Lat)
		m.x, m.y = append(m.x, x), append(m.y, y)
		m.people = append(m.people, float64(v.Households)*hhSize[v.Province])
		k := envBucket(x, y)
		m.bucket[k] = append(m.bucket[k], int32(i))
	}
	return m, nil
}

func envBucket(x, y float64) [2]int64 {
	return [2]int64{int64(math.Floor(x / envCutM)), int64(math.Floor(y / envCutM))}
}

// densityAt returns the people per km² around plane point (x, y).
func (m *envModel) densityAt(x, y float64) float64 {
	b := envBucket(x, y)
	var s float64
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, k := range m.bucket[[2]int64{b[0] + dx, b[1] + dy}] {
				ex, ey := m.x[k]-x, m.y[k]-y
				if d2 := ex*ex + ey*ey; d2 < envCutM*envCutM {
					s += m.people[k] * math.Exp(-d2/(2*envBandwidthM*envBandwidthM))
				}
			}
		}
	}
	return s / (2 * math.Pi * envBandwidthM * envBandwidthM) * 1e6
}

// classify returns the environment of each point.
func (m *envModel) classify(lon, lat []float64) ([]predict.Env, error) {
	out := make([]predict.Env, len(lon))
	for i := range lon {
		e, err := m.cutoffs.Classify(m.densityAt(project(lon[i], lat[i])))
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// field is the true signal at a set of points: per point, the best server
// of each (carrier, tech) over active sites, plus the point's shadowing.
type field struct {
	res   *predict.Result
	start []int32 // rows of point i are res rows start[i] … start[i+1]
	true_ []float64
	// sd_ is each row's shadowing standard deviation (the prediction
	// model's σ there) and shadow_ its shadowing sd·z (valleys not
	// included): true_ − shadow_ is the row's deterministic part, what an
	// observer who knew the sites, the terrain and the clutter exactly
	// would predict (the oracle, oracle.go).
	sd_, shadow_ []float64
}

// rangesM are the prediction ranges per environment class and technology
// (2G, 3G, 4G/5G), in metres. Beyond them a site of the demo register is
// more than 10 dB below the no-service level in that environment (median,
// at boresight), so truncating there changes no best server that matters
// and keeps dense cities fast: the cost is the number of (point, sector)
// pairs within range.
var rangesM = [4][3]float64{
	predict.EnvRural:      {35000, 15000, 15000},
	predict.EnvSuburban:   {20000, 10000, 8000},
	predict.EnvUrban:      {12000, 5000, 4000},
	predict.EnvDenseUrban: {10000, 4000, 3000},
}

// predictField predicts the true signal at points: engine/predict's best
// server over sites (the true register: true positions, active sites
// only), one pass per environment class with its ranges, plus the
// shadowing (shadow.go) of each row's carrier and technology at the point
// and, scaled by the point's terrain factor (its province's remoteness),
// the loss of the valleys that hold the point (valleyLossDB).
//
// want, if not nil, holds per point the carriers (carrierMask) whose
// signal is needed there; other carriers are not predicted there.
func predictField(sh *shadowing, sites []engine.Site, lon, lat []float64, env []predict.Env, terrain []float64, want []uint8, workers int) (*field, error) {
	n := len(lon)
	f := &field{res: &predict.Result{}, start: make([]int32, n+1)}
	type row struct {
		c   engine.Carrier
		t   engine.Tech
		s   int32
		sig float64
		sd  float64
		shd float64
	}
	rows := make([][]row, n)
	// With want, each carrier's sites are predicted at the points that
	// want that carrier only (most tests are one phone's, of one carrier):
	// a carrier's best server depends on its own sites alone, and taking
	// the carriers in their sorted order keeps each point's rows in
	// predict.Result's order (carrier, then technology), so the field is
	// the same as one pass over every site, filtered.
	type group struct {
		mask  uint8
		sites []engine.Site
		index []int32 // into sites of predictField
	}
	groups := []group{{sites: sites}}
	if want != nil {
		byCarrier := map[engine.Carrier]*group{}
		var cs []engine.Carrier
		for i, st := range sites {
			g := byCarrier[st.Carrier]
			if g == nil {
				g = &group{mask: carrierMask(st.Carrier)}
				byCarrier[st.Carrier] = g
				cs = append(cs, st.Carrier)
			}
			g.sites = append(g.sites, st)
			g.index = append(g.index, int32(i))
		}
		slices.Sort(cs)
		groups = groups[:0]
		for _, c := range cs {
			groups = append(groups, *byCarrier[c])
		}
	}
	// Two environment classes at a time: a class's points are its own
	// (each point's rows are appended by its class alone, its carriers
	// in order), and one class's search fills the core another's
	// preparation leaves idle. The first class's error, in class order.
	classes := int(predict.EnvDenseUrban-predict.EnvRural) + 1
	err := parallel.Chunks(classes, 1, min(2, runtime.GOMAXPROCS(0)), func(k, _ int) error {
		e := predict.EnvRural + predict.Env(k)
		cfg := predict.DefaultConfig()
		cfg.Workers = workers
		cfg.Tech[engine.Tech2G].MaxRangeM = rangesM[e][0]
		cfg.Tech[engine.Tech3G].MaxRangeM = rangesM[e][1]
		cfg.Tech[engine.Tech4G].MaxRangeM = rangesM[e][2]
		cfg.Tech[engine.Tech5G].MaxRangeM = rangesM[e][2]
		for _, g := range groups {
			var idx []int
			var pts predict.Points
			for i := range n {
				if env[i] == e && (want == nil || want[i]&g.mask != 0) {
					idx = append(idx, i)
					pts.Lon = append(pts.Lon, lon[i])
					pts.Lat = append(pts.Lat, lat[i])
					pts.Env = append(pts.Env, e)
				}
			}
			if len(idx) == 0 {
				continue
			}
			res, err := predict.BestServer(g.sites, pts, cfg)
			if err != nil {
				return err
			}
			if len(res.Rejected) > 0 {
				return fmt.Errorf("synth: site %s cannot be predicted: %w", g.sites[res.Rejected[0].Site].SiteID, res.Rejected[0].Err)
			}
			for r := range res.Len() {
				i := idx[res.Point[r]]
				site := res.Site[r]
				if g.index != nil {
					site = g.index[site]
				}
				rows[i] = append(rows[i], row{res.Carrier[r], res.Tech[r], site, res.SignalDBm[r], res.SigmaDB[r], 0})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Shadowing, point by point in parallel blocks (each point's rows are
	// its own, so the result does not depend on workers).
	sx, sy := make([]float64, len(sites)), make([]float64, len(sites))
	for i, s := range sites {
		sx[i], sy[i] = project(s.Lon, s.Lat)
	}
	const block = 1024
	parallel.Ranges(n, block, workers, func(lo, hi int) {
		var vbuf [9]valley
		for i := lo; i < hi; i++ {
			if len(rows[i]) == 0 {
				continue
			}
			x, y := project(lon[i], lat[i])
			zl := sh.shared.at(x, y)
			var vs []valley
			if terrain[i] > 0 {
				vs = sh.valleysHolding(vbuf[:0], x, y)
			}
			var cars [8]engine.Carrier
			var zcs [8]float64
			nc := 0
			for j := range rows[i] {
				r := &rows[i][j]
				ci := 0
				for ci < nc && cars[ci] != r.c {
					ci++
				}
				if ci == nc {
					if nc == len(cars) {
						ci = len(cars) - 1 // more carriers than the cache holds: recompute
					} else {
						nc++
					}
					cars[ci], zcs[ci] = r.c, math.NaN()
				}
				r.shd = r.sd * sh.z(x, y, zl, r.c, r.t, &zcs[ci])
				r.sig += r.shd
				if len(vs) > 0 {
					r.sig -= terrain[i] * valleyLossDB(vs, sx[r.s], sy[r.s])
				}
			}
		}
	})
	for i, rs := range rows {
		f.start[i+1] = f.start[i] + int32(len(rs))
	}
	total := int(f.start[n])
	f.res.Point, f.res.Carrier = make([]int32, total), make([]engine.Carrier, total)
	f.res.Tech, f.res.Site, f.true_ = make([]engine.Tech, total), make([]int32, total), make([]float64, total)
	f.sd_, f.shadow_ = make([]float64, total), make([]float64, total)
	// Each point's rows at their place (start), in parallel blocks.
	parallel.Ranges(n, block, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j, r := range rows[i] {
				at := int(f.start[i]) + j
				f.res.Point[at], f.res.Carrier[at], f.res.Tech[at], f.res.Site[at] = int32(i), r.c, r.t, r.s
				f.true_[at], f.sd_[at], f.shadow_[at] = r.sig, r.sd, r.shd
			}
			rows[i] = nil
		}
	})
	return f, nil
}

// carrierMask is the bit of carrier c in a set of the demo's carriers
// (profiles); every other carrier is the top bit.
func carrierMask(c engine.Carrier) uint8 {
	for i, p := range profiles {
		if p.carrier == c {
			return 1 << i
		}
	}
	return 1 << 7
}

// servingAt returns the index (into the sites the field was predicted
// from) of the best server of carrier c and technology t at point i, or −1.
func (f *field) servingAt(i int, c engine.Carrier, t engine.Tech) int32 {
	if r := f.row(i, c, t); r >= 0 {
		return f.res.Site[r]
	}
	return -1
}

// ServingCellOf is the identity Config.ServingCells gives the sector
// siteID: a cell_id derived from the id (a decimal number below 2^28, as an
// LTE ECI is), the same in the register and in the measurements it serves.
func ServingCellOf(siteID string) *engine.ServingCell {
	return &engine.ServingCell{CellID: strconv.FormatUint(fnvString(siteID)%(1<<28), 10), PCI: -1, ARFCN: -1}
}

// row returns the row of (carrier, tech) at point i, or −1 when no site
// of theirs is in range.
func (f *field) row(i int, c engine.Carrier, t engine.Tech) int32 {
	for r := f.start[i]; r < f.start[i+1]; r++ {
		if f.res.Carrier[r] == c && f.res.Tech[r] == t {
			return r
		}
	}
	return -1
}

// at returns the true signal of (carrier, tech) at point i, or NaN when no
// site of theirs is in range.
func (f *field) at(i int, c engine.Carrier, t engine.Tech) float64 {
	if r := f.row(i, c, t); r >= 0 {
		return f.true_[r]
	}
	return math.NaN()
}
