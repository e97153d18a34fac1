package predict

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
)

// Config configures BestServer.
type Config struct {
	// Tech holds the link budget per technology, indexed by engine.Tech
	// (index 0 unused). Default: DefaultTechParams.
	Tech [5]TechParams
	// Models selects and parameterises propagation. Default:
	// DefaultModelConfig with every extension on (Extensions.ShortRange,
	// LongRange, AntennaHeight, COST231To2200MHz), because a national site
	// register has points within 1 km of sites, 2G ranges to 35 km, rooftop
	// sites below 30 m and UMTS at 2100 MHz. Set Models.Ext to the zero
	// value for the published ranges only; pairs outside them are then
	// skipped and counted in Result.OutOfRange.
	Models ModelConfig
	// Pattern is the sector antenna pattern. Default: DefaultPattern.
	Pattern Pattern
	// DefaultHeightM is used when a site has no height. Default 30 m.
	DefaultHeightM float64
	// DefaultTiltDeg is used when a site has no downtilt. Default 3°
	// (assumption: a typical macro downtilt that points the beam's upper
	// half-power edge above the horizon).
	DefaultTiltDeg float64
	// MobileHeightM is the receiver height. Default 1.5 m (a handset).
	MobileHeightM float64
	// IncludePlanned evaluates planned sites too. Default false.
	IncludePlanned bool
	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	// The result does not depend on it.
	Workers int
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	c := Config{
		Models:         DefaultModelConfig(),
		Pattern:        DefaultPattern(),
		DefaultHeightM: 30,
		DefaultTiltDeg: 3,
		MobileHeightM:  1.5,
	}
	c.Models.Ext = Extensions{ShortRange: true, LongRange: true, AntennaHeight: true, COST231To2200MHz: true}
	for _, t := range engine.Techs {
		c.Tech[t] = DefaultTechParams(t)
	}
	return c
}

// Validate checks every field.
func (c Config) Validate() error {
	for _, t := range engine.Techs {
		if err := c.Tech[t].Validate(t); err != nil {
			return err
		}
	}
	if err := c.Models.Validate(); err != nil {
		return err
	}
	if err := c.Pattern.Validate(); err != nil {
		return err
	}
	if !(c.DefaultHeightM > 0) || !finite(c.DefaultHeightM) || !(c.MobileHeightM > 0) || !finite(c.MobileHeightM) {
		return fmt.Errorf("default site height %g m and mobile height %g m must be positive: %w", c.DefaultHeightM, c.MobileHeightM, engine.ErrInvalidConfig)
	}
	if !finite(c.DefaultTiltDeg) || math.Abs(c.DefaultTiltDeg) > 90 {
		return fmt.Errorf("default tilt %g° outside −90…90°: %w", c.DefaultTiltDeg, engine.ErrInvalidConfig)
	}
	if c.Workers < 0 {
		return fmt.Errorf("workers %d: %w", c.Workers, engine.ErrInvalidConfig)
	}
	return nil
}

// Points are the target points of a best-server search, as columns: WGS84
// lon/lat degrees (e.g. hex centres) and each point's environment class.
// EnvFrac, when not nil, holds each point's share of the next class up
// (EnvCutoffs.Position): the path loss at the point is then
// (1−f)·L(Env) + f·L(Env+1), in dB, the loss of each class from its own
// model (the σ blended alike); where one of the two models refuses the
// link (out of its range), the other's loss is used alone. nil is a share
// of 0 everywhere.
type Points struct {
	Lon, Lat []float64
	Env      []Env
	EnvFrac  []float64
}

// frac returns point i's share of the next class up.
func (p *Points) frac(i int) float64 { return shareAt(p.EnvFrac, i) }

// shareAt returns frac[i], a share of the next class up, or 0 when frac
// is nil (no shares given).
func shareAt(frac []float64, i int) float64 {
	if frac == nil {
		return 0
	}
	return frac[i]
}

// check reports ragged columns and invalid points.
func (p *Points) check() error {
	n := len(p.Lon)
	if len(p.Lat) != n || len(p.Env) != n || p.EnvFrac != nil && len(p.EnvFrac) != n {
		return fmt.Errorf("points columns differ in length (lon %d, lat %d, env %d, env share %d): %w", n, len(p.Lat), len(p.Env), len(p.EnvFrac), engine.ErrInvalidValue)
	}
	for i := range n {
		f := p.frac(i)
		if !finite(p.Lon[i]) || !finite(p.Lat[i]) || math.Abs(p.Lat[i]) > 90 || !p.Env[i].Valid() ||
			!(f >= 0 && f < 1) || f > 0 && p.Env[i] == EnvDenseUrban {
			return fmt.Errorf("point %d (%g, %g, env %d, share of the next class %g): %w", i, p.Lon[i], p.Lat[i], p.Env[i], f, engine.ErrInvalidValue)
		}
	}
	return nil
}

// SiteError says why a site was not evaluated.
type SiteError struct {
	Site int // index into the sites slice
	Err  error
}

func (e *SiteError) Error() string { return fmt.Sprintf("site %d: %v", e.Site, e.Err) }
func (e *SiteError) Unwrap() error { return e.Err }

// Result is the best server per (point, carrier, tech), as columns sorted by
// point index, then carrier, then tech. Only pairs with at least one site in
// range appear.
type Result struct {
	Point      []int32 // index into the points
	Carrier    []engine.Carrier
	Tech       []engine.Tech
	Site       []int32   // serving site, index into the sites slice
	SignalDBm  []float64 // RSRP (4G/5G), RSCP (3G), RSSI (2G)
	PathLossDB []float64
	SigmaDB    []float64 // shadow-fading σ of the serving site's model
	DistanceM  []float64 // great-circle distance to the serving site
	Model      []Model

	Down     []int32      // sites skipped because their status is down, ascending
	Planned  []int32      // planned sites skipped (IncludePlanned false), ascending
	Rejected []*SiteError // sites that cannot be evaluated, ascending by site
	// HeightClamped lists the sites (ascending) whose base-station height
	// lay outside BaseHeightMinM–BaseHeightMaxM, predicted at the nearer.
	HeightClamped []int32
	// BandClamped lists the sites (ascending) whose band lay outside the
	// models' range (ModelBandMHz), predicted at the nearer bound.
	BandClamped []int32

	// Evaluations counts the (point, site) pairs whose signal was computed.
	// BestServer skips pairs that provably cannot serve the point (see
	// BestServer), so this is at most the number of pairs within range.
	Evaluations int64
	OutOfRange  int64 // pairs within range skipped because a model refused them
}

// Len returns the number of rows.
func (r *Result) Len() int { return len(r.Point) }

// prepSite is a site ready for evaluation.
type prepSite struct {
	idx                 int32
	self                int32 // its own index in prepare's slice
	group               int32
	tech                engine.Tech
	latRad, cosLat      float64
	sinLat, lonRad      float64
	freqMHz, heightM    float64
	signalBaseDBm       float64 // EIRP + share
	azimuthDeg, beamDeg float64
	tiltDeg             float64
	maxRangeM           float64
	model               [numEnv]Model
	coefs               int32 // its Hata/COST-231 coefficients: index into prepare's table
	omni                bool
	cellX, cellY        int32 // bucket of the technology's range-wide grid
}

// siteCoefs are the Hata/COST-231 coefficients (hataCoeffs) of a band and
// height in each environment whose model is one of them (zero elsewhere).
// Sites share them: a register has far fewer bands and heights than
// sites, so prepSite holds an index and stays free of pointers and small.
type siteCoefs struct {
	hataA, hataB [numEnv]float64
}

// grid buckets sites of one technology by cells of cellDeg degrees.
type grid struct {
	cellDeg   float64
	maxRangeM float64
	cells     map[int64][]int32 // into prep
}

func gridKey(ix, iy int) int64 { return int64(ix)<<32 | int64(uint32(int32(iy))) }

// BestServer predicts, for every point and every (carrier, tech) with a
// site within range, the strongest signal and the site that provides it.
//
// For each point it evaluates only sites whose great-circle distance is at
// most cfg.Tech[tech].MaxRangeM, found through a per-technology grid of
// buckets one range wide. Sites with Status down are skipped and listed in
// Result.Down; planned sites are skipped (Result.Planned) unless
// cfg.IncludePlanned. A site with an invalid technology or position, or
// whose band or height no model accepts, is listed in Result.Rejected (a
// height outside BaseHeightMinM–BaseHeightMaxM is first taken at the nearer
// bound and the site listed in Result.HeightClamped; a band outside the
// models' range likewise, in Result.BandClamped). Empty
// optional site values take the technology's defaults (TechParams) and the
// config's height and tilt. Ties are broken by the lower site index.
//
// The search is pruned: for each point and (carrier, tech) it visits sites
// nearest first through a k-d tree and stops once an upper bound on the
// signal of every site not yet visited is below the best signal found. The
// bound is exact arithmetic on a lower bound of each model's path loss that
// is non-decreasing in distance (see lossLowerBoundDB), so the result is the
// same as evaluating every site in range; only Result.Evaluations falls. With
// Models.Ext.ShortRange or LongRange off (so Result.OutOfRange must count
// every refused pair), or when a site's azimuth is infinite, every site in
// range is evaluated.
//
// Points must have equal-length columns of finite coordinates and valid
// environments; otherwise the error wraps engine.ErrInvalidValue. Longitude
// is not wrapped at the antimeridian.
func BestServer(sites []engine.Site, pts Points, cfg Config) (*Result, error) {
	return bestServer(context.Background(), sites, pts, cfg, true, nil, nil)
}

// BestServerContext is BestServer that stops, with ctx's error, once ctx
// is done (checked between blocks of 256 points).
func BestServerContext(ctx context.Context, sites []engine.Site, pts Points, cfg Config) (*Result, error) {
	return bestServer(ctx, sites, pts, cfg, true, nil, nil)
}

// BestServerWithout is BestServer with, at point i, the sites s whose
// group[s] equals without[i] left out (none when without[i] is
// negative): the best server each point would have were that group's
// sites off the air. group has one entry per site (a mast's sectors share
// one); without one per point. Errors as BestServer's, and
// engine.ErrInvalidValue for columns of the wrong length.
func BestServerWithout(sites []engine.Site, group []int32, pts Points, without []int32, cfg Config) (*Result, error) {
	if len(group) != len(sites) || len(without) != len(pts.Lon) {
		return nil, fmt.Errorf("%d site groups for %d sites, %d exclusions for %d points: %w", len(group), len(sites), len(without), len(pts.Lon), engine.ErrInvalidValue)
	}
	return bestServer(context.Background(), sites, pts, cfg, true, group, without)
}

// bestServer is BestServerContext; prune false evaluates every site in
// range (the reference the pruned search is tested against); group and
// without, when not nil, are BestServerWithout's.
func bestServer(ctx context.Context, sites []engine.Site, pts Points, cfg Config, prune bool, group, without []int32) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := len(pts.Lon)
	if err := pts.check(); err != nil {
		return nil, err
	}
	res := &Result{}
	prep, carriers, coefs := prepare(sites, cfg, res)
	workers := cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The technologies' grids are built beside each other and beside the
	// pruning index: each grid writes its own sites' buckets (cellX,
	// cellY), which the index does not read.
	var grids [5]*grid
	var wg sync.WaitGroup
	for _, t := range engine.Techs {
		wg.Go(func() { grids[t] = buildGrid(prep, t, cfg.Tech[t].MaxRangeM) })
	}
	var idx *pruneIndex
	if prune && canPrune(prep, &cfg) {
		idx = buildPruneIndex(prep, len(carriers)*4, &cfg, workers)
	}
	wg.Wait()

	const chunk = 256
	nChunks := (n + chunk - 1) / chunk
	parts := make([]Result, nChunks)
	workers = max(1, min(workers, nChunks))
	var next, evals, oor atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(len(carriers)*4, cfg, coefs)
			w.group = group
			for {
				c := int(next.Add(1) - 1)
				if c >= nChunks || ctx.Err() != nil {
					break
				}
				lo, hi := c*chunk, min(n, (c+1)*chunk)
				// Each chunk starts unseeded: which chunk a worker did
				// before is the scheduler's choice, and the search's
				// evaluations (Result.Evaluations) must not depend on it.
				for g := range w.seed {
					w.seed[g] = -1
				}
				for i := lo; i < hi; i++ {
					if without != nil {
						w.except = without[i]
					}
					if idx != nil && math.Abs(pts.Lon[i]) <= 180 {
						w.pointPruned(pts.Lon[i], pts.Lat[i], pts.Env[i], pts.frac(i), prep, &grids, idx)
					} else {
						w.point(pts.Lon[i], pts.Lat[i], pts.Env[i], pts.frac(i), prep, &grids)
					}
					w.emit(i, &w.rows, carriers)
				}
				parts[c] = w.rows.cloneRows()
				w.rows.truncateRows()
			}
			evals.Add(w.evals)
			oor.Add(w.oor)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Evaluations, res.OutOfRange = evals.Load(), oor.Load()
	total := 0
	for i := range parts {
		total += parts[i].Len()
	}
	// One column at a time, each part's column dropped once copied: the
	// parts and the result are never held whole at once (for a national
	// month's search, hundreds of MB each, the coverage stage's peak).
	res.Point = joinColumn(res.Point, parts, total, func(r *Result) *[]int32 { return &r.Point })
	res.Carrier = joinColumn(res.Carrier, parts, total, func(r *Result) *[]engine.Carrier { return &r.Carrier })
	res.Tech = joinColumn(res.Tech, parts, total, func(r *Result) *[]engine.Tech { return &r.Tech })
	res.Site = joinColumn(res.Site, parts, total, func(r *Result) *[]int32 { return &r.Site })
	res.SignalDBm = joinColumn(res.SignalDBm, parts, total, func(r *Result) *[]float64 { return &r.SignalDBm })
	res.PathLossDB = joinColumn(res.PathLossDB, parts, total, func(r *Result) *[]float64 { return &r.PathLossDB })
	res.SigmaDB = joinColumn(res.SigmaDB, parts, total, func(r *Result) *[]float64 { return &r.SigmaDB })
	res.DistanceM = joinColumn(res.DistanceM, parts, total, func(r *Result) *[]float64 { return &r.DistanceM })
	res.Model = joinColumn(res.Model, parts, total, func(r *Result) *[]Model { return &r.Model })
	return res, nil
}

// cloneRows returns r's rows in columns of their own, each sized to
// them.
func (r *Result) cloneRows() Result {
	return Result{Point: slices.Clone(r.Point), Carrier: slices.Clone(r.Carrier), Tech: slices.Clone(r.Tech),
		Site: slices.Clone(r.Site), SignalDBm: slices.Clone(r.SignalDBm), PathLossDB: slices.Clone(r.PathLossDB),
		SigmaDB: slices.Clone(r.SigmaDB), DistanceM: slices.Clone(r.DistanceM), Model: slices.Clone(r.Model)}
}

// truncateRows empties r's columns, keeping their room.
func (r *Result) truncateRows() {
	r.Point, r.Carrier, r.Tech, r.Site = r.Point[:0], r.Carrier[:0], r.Tech[:0], r.Site[:0]
	r.SignalDBm, r.PathLossDB, r.SigmaDB, r.DistanceM, r.Model = r.SignalDBm[:0], r.PathLossDB[:0], r.SigmaDB[:0], r.DistanceM[:0], r.Model[:0]
}

// joinColumn appends column col of every part to dst, grown once to hold
// n more, in the parts' order, and drops the column from each part.
func joinColumn[T any](dst []T, parts []Result, n int, col func(*Result) *[]T) []T {
	dst = slices.Grow(dst, n)
	for i := range parts {
		c := col(&parts[i])
		dst = append(dst, *c...)
		*c = nil
	}
	return dst
}

func prepare(sites []engine.Site, cfg Config, res *Result) ([]prepSite, []engine.Carrier, []siteCoefs) {
	var carriers []engine.Carrier // distinct, sorted below
	seen := map[engine.Carrier]bool{}
	keep := make([]bool, len(sites))
	var last engine.Carrier
	for i := range sites {
		s := &sites[i]
		switch {
		case s.Status == engine.StatusDown:
			res.Down = append(res.Down, int32(i))
			continue
		case s.Status == engine.StatusPlanned && !cfg.IncludePlanned:
			res.Planned = append(res.Planned, int32(i))
			continue
		case !s.Tech.Valid():
			res.Rejected = append(res.Rejected, &SiteError{i, fmt.Errorf("technology %q: %w", s.Tech, engine.ErrInvalidValue)})
			continue
		case !finite(s.Lon) || !finite(s.Lat) || math.Abs(s.Lat) > 90 || math.Abs(s.Lon) > 180:
			res.Rejected = append(res.Rejected, &SiteError{i, fmt.Errorf("position (%g, %g): %w", s.Lon, s.Lat, engine.ErrInvalidValue)})
			continue
		}
		keep[i] = true
		// Each carrier once, not once a site (then sorted and
		// compacted: hundreds of thousands of strings for a handful);
		// a register lists a carrier's sectors together, so the map is
		// asked only where the carrier changes.
		if s.Carrier != last || len(carriers) == 0 {
			last = s.Carrier
			if !seen[s.Carrier] {
				seen[s.Carrier] = true
				carriers = append(carriers, s.Carrier)
			}
		}
	}
	slices.Sort(carriers)

	// The models and coefficients of a technology, band and height,
	// probed once for the sites that share them: band[i] is site i's
	// entry in models, or -1 when none applies (not kept, or a band
	// no model takes).
	type bandKey struct {
		tech            engine.Tech
		freqMHz, height float64
	}
	type bandModels struct {
		model [numEnv]Model
		coefs int32
		err   error
	}
	bands := map[bandKey]int32{}
	var models []bandModels
	var coefs []siteCoefs
	band := make([]int32, len(sites))
	// The sites are prepared in workers' spans of the register (below);
	// start[w] is how many sites are prepared before span w.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(sites)/prepareSpan))
	span := func(w int) int { return w * len(sites) / workers }
	start := make([]int, workers+1)
	kept, w := 0, 0
	var lastKey bandKey
	lastBand := int32(-1)
	for i := range sites {
		for w < workers && i == span(w) {
			start[w] = kept
			w++
		}
		band[i] = -1
		if !keep[i] {
			continue
		}
		s := &sites[i]
		v := cfg.siteValues(s)
		freq, height := v.modelBand(s.Tech)
		if height != v.heightM {
			// A 6 m pole or a 400 m tower is a real mast: predicted at the
			// nearest height the models take, and listed, not dropped.
			res.HeightClamped = append(res.HeightClamped, int32(i))
		}
		if freq != v.freqMHz {
			// A 450 MHz 5G site or a 40 GHz one radiates: predicted at the
			// nearest band the models take, and listed, not dropped.
			res.BandClamped = append(res.BandClamped, int32(i))
		}
		k := bandKey{s.Tech, freq, height}
		// Sectors of a mast follow each other and share their band and
		// height: the map is asked where they change.
		b := lastBand
		if b < 0 || k != lastKey {
			var ok bool
			if b, ok = bands[k]; !ok {
				var bm bandModels
				var c siteCoefs
				for e := range numEnv {
					// Probe at 1 km, inside every model's distance range, so
					// only band and height problems surface here.
					l := Link{FreqMHz: freq, HBaseM: height, HMobileM: cfg.MobileHeightM, DistanceM: 1000}
					if _, bm.model[e], bm.err = cfg.Models.PathLoss(s.Tech, e, l); bm.err != nil {
						break
					}
					if m := bm.model[e]; m == ModelHata || m == ModelCOST231 {
						c.hataA[e], c.hataB[e] = hataCoeffs(freq, height, cfg.MobileHeightM, envArea[e], m == ModelCOST231)
					}
				}
				if bm.err == nil {
					bm.coefs = int32(len(coefs))
					coefs = append(coefs, c)
				}
				b = int32(len(models))
				models = append(models, bm)
				bands[k] = b
			}
			lastKey, lastBand = k, b
		}
		if err := models[b].err; err != nil {
			res.Rejected = append(res.Rejected, &SiteError{i, err})
			continue
		}
		band[i] = b
		kept++
	}
	for ; w <= workers; w++ {
		start[w] = kept
	}
	slices.SortFunc(res.Rejected, func(a, b *SiteError) int { return a.Site - b.Site })

	var share [5]float64
	for _, t := range engine.Techs {
		share[t] = cfg.Tech[t].ShareDB(t)
	}
	// Each span's sites written by a worker of its own into their places:
	// hundreds of megabytes for a national register, most of the time
	// here the first touch of fresh pages, shared between the cores.
	prep := make([]prepSite, kept)
	parallel.For(workers, workers, func(w int) {
		j := start[w]
		for i := span(w); i < span(w+1); i++ {
			b := band[i]
			if b < 0 {
				continue
			}
			s := &sites[i]
			tp := &cfg.Tech[s.Tech]
			v := cfg.siteValues(s) // the register's values, or the defaults (SiteDefaults reports them)
			freq, height := v.modelBand(s.Tech)
			ci, _ := slices.BinarySearch(carriers, s.Carrier)
			p := &prep[j]
			*p = prepSite{
				idx: int32(i), self: int32(j), tech: s.Tech,
				group:   int32(ci*4 + int(s.Tech) - 1),
				freqMHz: freq, heightM: height,
				signalBaseDBm: v.eirpDBm + share[s.Tech],
				azimuthDeg:    s.AzimuthDeg, beamDeg: v.beamDeg,
				tiltDeg: v.tiltDeg, maxRangeM: tp.MaxRangeM,
				omni:  math.IsNaN(s.AzimuthDeg),
				model: models[b].model, coefs: models[b].coefs,
			}
			p.latRad, p.lonRad = s.Lat*deg2rad, s.Lon*deg2rad
			p.sinLat, p.cosLat = math.Sin(p.latRad), math.Cos(p.latRad)
			j++
		}
	})
	return prep, carriers, coefs
}

// prepareSpan is the fewest sites prepare gives a worker of its own.
var prepareSpan = 1 << 14 // a variable for the tests

// modelBand returns the band and height a site of technology tech and
// these values is predicted at: the nearest the models take.
func (v siteValues) modelBand(tech engine.Tech) (freqMHz, heightM float64) {
	freqMHz, heightM = ModelBandMHz(tech, v.freqMHz), v.heightM
	if heightM < BaseHeightMinM || heightM > BaseHeightMaxM {
		heightM = ModelHeightM(heightM)
	}
	return freqMHz, heightM
}

// orDefault returns v unless it is NaN, infinite or not positive.
func orDefault(v, def float64) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return def
	}
	return v
}

// orDefaultAny returns v unless it is NaN or infinite.
func orDefaultAny(v, def float64) float64 {
	if !finite(v) {
		return def
	}
	return v
}

func metresToLatDeg(m float64) float64 { return m / earthRadiusM * rad2deg }

func buildGrid(prep []prepSite, t engine.Tech, maxRangeM float64) *grid {
	g := &grid{cellDeg: metresToLatDeg(maxRangeM), maxRangeM: maxRangeM, cells: map[int64][]int32{}}
	for i := range prep {
		if prep[i].tech != t {
			continue
		}
		lon, lat := prep[i].lonRad*rad2deg, prep[i].latRad*rad2deg
		ix, iy := int(math.Floor(lon/g.cellDeg)), int(math.Floor(lat/g.cellDeg))
		g.cells[gridKey(ix, iy)] = append(g.cells[gridKey(ix, iy)], int32(i))
		// Pruning compares these only when canPrune has checked they fit.
		prep[i].cellX, prep[i].cellY = int32(ix), int32(iy)
	}
	if len(g.cells) == 0 {
		return nil
	}
	return g
}

type best struct {
	site, prep                  int32 // the site's index in the register and in prepare's slice
	signal, pl, sigma, distance float64
	model                       Model
}

type worker struct {
	cfg     *Config
	coefs   []siteCoefs // prepare's
	best    []best
	touched []int32
	heap    []heapEntry // pruned search frontier, reused across points
	near    []bool      // per class of a group, kdNode.lonNear of its root at the point
	// seed is each group's best server at the worker's previous point
	// (its index in prepare's slice, -1 for none): the pruned search
	// evaluates it first, so that its bound prunes from the start
	// (neighbouring points, as hexes in cell order are, mostly share
	// their best server).
	seed []int32
	// rows holds the current chunk's rows, its columns' room reused from
	// chunk to chunk: each chunk's part is then copied out once at its
	// size, instead of grown by doubling from nothing.
	rows  Result
	evals int64
	oor   int64
	// group and except leave out, at the current point, the sites whose
	// group is except (BestServerWithout); group nil leaves out none.
	group  []int32
	except int32
}

func newWorker(groups int, cfg Config, coefs []siteCoefs) *worker {
	w := &worker{cfg: &cfg, coefs: coefs, best: make([]best, groups), seed: make([]int32, groups)}
	for i := range w.best {
		w.best[i].site = -1
		w.seed[i] = -1
	}
	return w
}

// cellRange returns the buckets of g a point's search covers: every site
// within range lies in them (away from the poles and the antimeridian).
func (g *grid) cellRange(lon, lat float64) (ix0, ix1, iy0, iy1 int) {
	dLat := g.cellDeg
	iy0, iy1 = int(math.Floor((lat-dLat)/g.cellDeg)), int(math.Floor((lat+dLat)/g.cellDeg))
	maxLat := min(89.9, math.Abs(lat)+dLat)
	dLon := min(180, dLat/math.Cos(maxLat*deg2rad))
	ix0, ix1 = int(math.Floor((lon-dLon)/g.cellDeg)), int(math.Floor((lon+dLon)/g.cellDeg))
	return ix0, ix1, iy0, iy1
}

// point evaluates every site of the point's buckets.
func (w *worker) point(lon, lat float64, env Env, frac float64, prep []prepSite, grids *[5]*grid) {
	latRad := lat * deg2rad
	sinLat, cosLat := math.Sin(latRad), math.Cos(latRad)
	for _, t := range engine.Techs {
		g := grids[t]
		if g == nil {
			continue
		}
		ix0, ix1, iy0, iy1 := g.cellRange(lon, lat)
		for iy := iy0; iy <= iy1; iy++ {
			for ix := ix0; ix <= ix1; ix++ {
				for _, si := range g.cells[gridKey(ix, iy)] {
					w.eval(&prep[si], latRad, sinLat, cosLat, lon*deg2rad, env, frac)
				}
			}
		}
	}
}

// emit appends the point's best servers to out and resets them.
func (w *worker) emit(i int, out *Result, carriers []engine.Carrier) {
	slices.Sort(w.touched)
	for _, gi := range w.touched {
		b := &w.best[gi]
		out.Point = append(out.Point, int32(i))
		out.Carrier = append(out.Carrier, carriers[gi/4])
		out.Tech = append(out.Tech, engine.Tech(gi%4+1))
		out.Site = append(out.Site, b.site)
		out.SignalDBm = append(out.SignalDBm, b.signal)
		out.PathLossDB = append(out.PathLossDB, b.pl)
		out.SigmaDB = append(out.SigmaDB, b.sigma)
		out.DistanceM = append(out.DistanceM, b.distance)
		out.Model = append(out.Model, b.model)
		w.seed[gi] = b.prep
		b.site = -1
	}
	w.touched = w.touched[:0]
}

func (w *worker) eval(p *prepSite, latRad, sinLat, cosLat, lonRad float64, env Env, frac float64) {
	dl := lonRad - p.lonRad
	d := haversineM(p.latRad, latRad, p.cosLat, cosLat, dl)
	if d > p.maxRangeM {
		return
	}
	w.evalAt(p, d, dl, sinLat, cosLat, env, frac)
}

// lossAt returns the path loss of site p over link l in class env, and
// false when its model refuses the link (an out-of-range one counted in
// w.oor).
func (w *worker) lossAt(p *prepSite, l Link, env Env) (Loss, bool) {
	cfg := w.cfg
	switch m := p.model[env]; m {
	case ModelHata, ModelCOST231:
		if (l.DistanceM < 1000 && !cfg.Models.Ext.ShortRange) || (l.DistanceM > 20000 && !cfg.Models.Ext.LongRange) {
			w.oor++
			return Loss{}, false
		}
		c := &w.coefs[p.coefs]
		return Loss{DB: hataEval(c.hataA[env], c.hataB[env], l), SigmaDB: HataSigmaDB}, true
	}
	loss, _, err := cfg.Models.PathLoss(p.tech, env, l)
	if err != nil {
		if errors.Is(err, engine.ErrOutOfRange) {
			w.oor++
		}
		return Loss{}, false
	}
	return loss, true
}

// blendedLoss returns the loss of site p over link l at a point of class
// env blending in frac of the next class up (Points), the model of the
// class weighing more, and false when both classes' models refuse the
// link.
func (w *worker) blendedLoss(p *prepSite, l Link, env Env, frac float64) (Loss, Model, bool) {
	model := p.model[env]
	if frac == 0 {
		loss, ok := w.lossAt(p, l, env)
		return loss, model, ok
	}
	up := p.model[env+1]
	if frac >= 0.5 {
		model = up
	}
	if ext := w.cfg.Models.Ext; (model == ModelHata || model == ModelCOST231) && up == p.model[env] && ext.ShortRange && ext.LongRange {
		// Both classes on one Hata line (the slope does not depend on
		// the class): one logarithm, the same bits as lossAt's.
		c := &w.coefs[p.coefs]
		line := c.hataB[env] * math.Log10(l.DistanceM/1000)
		lo, hi := c.hataA[env]+line, c.hataA[env+1]+line
		if l.DistanceM < 1000 {
			if d3 := l.distance3DM(); d3 > 0 {
				fs := freeSpaceDB(d3, l.FreqMHz)
				lo, hi = max(lo, fs), max(hi, fs)
			}
		}
		return Loss{DB: (1-frac)*lo + frac*hi, SigmaDB: HataSigmaDB}, model, true
	}
	lo, okLo := w.lossAt(p, l, env)
	hi, okHi := w.lossAt(p, l, env+1)
	switch {
	case okLo && okHi:
		return Loss{DB: (1-frac)*lo.DB + frac*hi.DB, SigmaDB: (1-frac)*lo.SigmaDB + frac*hi.SigmaDB}, model, true
	case okLo:
		return lo, p.model[env], true
	case okHi:
		return hi, up, true
	}
	return Loss{}, model, false
}

// evalAt evaluates a site at great-circle distance d (longitude difference
// dl) from the point, of class env blending in frac of the next class up
// (Points).
func (w *worker) evalAt(p *prepSite, d, dl, sinLat, cosLat float64, env Env, frac float64) {
	if w.group != nil && w.group[p.idx] == w.except {
		return
	}
	cfg := w.cfg
	l := Link{FreqMHz: p.freqMHz, HBaseM: p.heightM, HMobileM: cfg.MobileHeightM, DistanceM: d}
	loss, model, ok := w.blendedLoss(p, l, env, frac)
	if !ok {
		return
	}
	w.evals++
	b := &w.best[p.group]
	dep := DepressionDeg(p.heightM, cfg.MobileHeightM, d)
	var bearing float64
	if !p.omni {
		// A sector's horizontal term only lowers its gain
		// (verticalGainDB): one below the best server with the vertical
		// term alone cannot serve, and is left without its bearing.
		// The rounded sum base − loss + gain is non-decreasing in the
		// gain, and ties are not left out, so the best is the same.
		if v := cfg.Pattern.VerticalDB(dep, p.tiltDeg); b.site >= 0 && !math.IsInf(p.azimuthDeg, 0) &&
			p.signalBaseDBm-loss.DB+cfg.Pattern.verticalGainDB(v) < b.signal {
			return
		}
		bearing = bearingRad(p.sinLat, p.cosLat, sinLat, cosLat, dl)
	}
	gain := cfg.Pattern.GainDB(p.azimuthDeg, p.beamDeg, bearing, dep, p.tiltDeg)
	sig := p.signalBaseDBm - loss.DB + gain
	if b.site < 0 {
		w.touched = append(w.touched, p.group)
	} else if sig < b.signal || sig == b.signal && p.idx > b.site {
		return
	}
	*b = best{site: p.idx, prep: p.self, signal: sig, pl: loss.DB, sigma: loss.SigmaDB, distance: d, model: model}
}
