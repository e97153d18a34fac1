package radiomap

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
)

// Options tune the local kriging of a Map. The zero value gives the
// defaults.
type Options struct {
	// MaxNeighbours is how many nearest tests (any key, exact or
	// censored) condition a query. 0 means 32.
	MaxNeighbours int
	// MaxDistM is the radius in metres beyond which tests are ignored.
	// 0 means 5000.
	MaxDistM float64
	// MeanPriorSigmaDB is the prior standard deviation in dB of an unknown
	// constant mean per key, shared by a query's whole neighbourhood: 0 is
	// simple kriging (residuals have mean zero, as calibration intends); a
	// large value (≥ 100 × the field's σ) reproduces ordinary kriging. The
	// posterior then concerns m_k + s(x) + u_k(x) and the prior variance of a
	// key without nearby tests includes MeanPriorSigmaDB².
	MeanPriorSigmaDB float64
	// PerKeyNeighbours is how many nearest tests of each queried key
	// (within MaxDistM) join the neighbourhood besides the MaxNeighbours
	// nearest of any key, so a key's own tests, and its no-service rows,
	// are not crowded out by a denser key's. 0 means
	// DefaultPerKeyNeighbours; negative means none.
	PerKeyNeighbours int
	// CensoredSweeps is how many sweeps of expectation propagation
	// incorporate the censored tests: 1 is one-pass assumed density
	// filtering, more revisit each test until the result settles. 0
	// means DefaultCensoredSweeps.
	CensoredSweeps int
	// KeyMeans are known constant means m_k of keys' residuals (FitMeans
	// estimates them with censoring taken into account): the map kriges
	// r − m_k and adds m_k back, so a key's posterior far from its tests
	// tends to m_k instead of 0. Keys not listed have mean 0; a key may
	// be listed once.
	KeyMeans []KeyMean
}

// Defaults of Options.
const (
	DefaultMaxNeighbours    = 32
	DefaultMaxDistM         = 5000.0
	DefaultPerKeyNeighbours = 8
	// DefaultCensoredSweeps bounds the sweeps of expectation propagation;
	// they stop earlier once no site moves by more than 10⁻⁷ of its
	// marginal's scale.
	DefaultCensoredSweeps = 20
)

// Validate reports whether o is usable (zero fields take defaults). The
// error wraps engine.ErrInvalidConfig.
func (o Options) Validate() error {
	if o.MaxNeighbours < 0 {
		return fmt.Errorf("radiomap: MaxNeighbours = %d, want ≥ 0: %w", o.MaxNeighbours, engine.ErrInvalidConfig)
	}
	if !(o.MaxDistM >= 0) || math.IsInf(o.MaxDistM, 1) {
		return fmt.Errorf("radiomap: MaxDistM = %v, want finite and ≥ 0: %w", o.MaxDistM, engine.ErrInvalidConfig)
	}
	if o.CensoredSweeps < 0 {
		return fmt.Errorf("radiomap: CensoredSweeps = %d, want ≥ 0: %w", o.CensoredSweeps, engine.ErrInvalidConfig)
	}
	if !(o.MeanPriorSigmaDB >= 0) || math.IsInf(o.MeanPriorSigmaDB, 1) {
		return fmt.Errorf("radiomap: MeanPriorSigmaDB = %v, want finite and ≥ 0: %w", o.MeanPriorSigmaDB, engine.ErrInvalidConfig)
	}
	seen := map[Key]bool{}
	for _, km := range o.KeyMeans {
		if math.IsNaN(km.MeanDB) || math.IsInf(km.MeanDB, 0) {
			return fmt.Errorf("radiomap: key mean of %v = %v dB, want finite: %w", km.Key, km.MeanDB, engine.ErrInvalidConfig)
		}
		if seen[km.Key] {
			return fmt.Errorf("radiomap: key mean of %v given twice: %w", km.Key, engine.ErrInvalidConfig)
		}
		seen[km.Key] = true
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.MaxNeighbours == 0 {
		o.MaxNeighbours = DefaultMaxNeighbours
	}
	if o.MaxDistM == 0 {
		o.MaxDistM = DefaultMaxDistM
	}
	if o.PerKeyNeighbours == 0 {
		o.PerKeyNeighbours = DefaultPerKeyNeighbours
	}
	if o.CensoredSweeps == 0 {
		o.CensoredSweeps = DefaultCensoredSweeps
	}
	return o
}

// Map is a residual field conditioned on tests. It is immutable after New
// and safe for concurrent use by any number of goroutines.
type Map struct {
	model Model
	opt   Options
	// Per observation, what queries read of it: the residual, the noise
	// and the kind (its key is keyID's). Columns rather than a copy of
	// the Obs: 17 bytes an observation instead of 64, and a national
	// month has tens of millions.
	resid  []float64
	noise  []float64
	censor []Censor
	keys   []Key   // per key id
	keyID  []int32 // small-int id of each obs' key
	// posID is, per obs, the index of the run of consecutive obs at its
	// position (tests gathered at one cell's centre share it), and pos
	// each run's position on the sphere, in metres: a query computes the
	// distances and covariance terms of its neighbourhood once per pair
	// of runs, and the main tree holds each run once.
	posID []int32
	pos   [][3]float64
	// keyCarrier is the small-int id of each key id's carrier (carrierID
	// its inverse): the relation of two tests from their ids (relationOf)
	// rather than from their keys' strings, thousands of times per query.
	keyCarrier []int32
	carrierID  map[engine.Carrier]int32
	mean       []float64 // per key id: Options.KeyMeans (0 when not given)
	ids        map[Key]int32
	tree       *tree
	// keyTree[id] indexes the tests of one key (indices into obs).
	keyTree []*tree
	maxC2   float64 // squared chord of MaxDistM
	pool    sync.Pool
}

// New validates the model, options and observations and indexes the
// observations (a static 3-d tree on the sphere: O(n log n) build, O(n)
// memory). The map keeps what queries read of obs, not obs itself, and
// reads obs no more once it has copied that, before it builds its trees. An
// observation with a longitude outside [−180, 180], a latitude outside
// [−90, 90], a non-finite residual, a negative or non-finite NoiseDB or an
// unknown Censor is an error wrapping engine.ErrInvalidValue that names
// its index.
func New(obs []Obs, m Model, opt Options) (*Map, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	if err := checkObs(obs); err != nil {
		return nil, err
	}
	mp := &Map{
		model: m, opt: opt,
		resid:  make([]float64, len(obs)),
		noise:  make([]float64, len(obs)),
		censor: make([]Censor, len(obs)),
		keyID:  make([]int32, len(obs)),
		ids:    make(map[Key]int32),
		maxC2:  chord2Of(opt.MaxDistM),
	}
	mp.posID = make([]int32, len(obs))
	// A cell's tests come one after another (a map of every position
	// would cost more memory than it saves time). Runs of equal lon, lat
	// bound the runs of equal positions (two coordinates may map to one
	// point: a pole, ±180°), so they size pos and runs.
	sameLonLat := func(i int) bool { return i > 0 && obs[i].Lon == obs[i-1].Lon && obs[i].Lat == obs[i-1].Lat }
	n := 0
	for i := range obs {
		if !sameLonLat(i) {
			n++
		}
	}
	mp.pos = make([][3]float64, 0, n)
	runs := make([]int32, 0, n+1) // each run's first obs
	var x [3]float64
	for i, o := range obs {
		mp.resid[i], mp.noise[i], mp.censor[i] = o.ResidualDB, o.NoiseDB, o.Censor
		if !sameLonLat(i) {
			x = xyz(o.Lon, o.Lat)
		}
		if len(mp.pos) == 0 || x != mp.pos[len(mp.pos)-1] {
			mp.pos = append(mp.pos, x)
			runs = append(runs, int32(i))
		}
		mp.posID[i] = int32(len(mp.pos) - 1)
		id, ok := mp.ids[o.Key]
		if !ok {
			id = int32(len(mp.ids))
			mp.ids[o.Key] = id
			mp.keys = append(mp.keys, o.Key)
		}
		mp.keyID[i] = id
	}
	mp.keyCarrier = make([]int32, len(mp.ids))
	carriers := map[engine.Carrier]int32{}
	mp.carrierID = carriers
	for k, id := range mp.ids {
		c, ok := carriers[k.Carrier]
		if !ok {
			c = int32(len(carriers))
			carriers[k.Carrier] = c
		}
		mp.keyCarrier[id] = c
	}
	mp.mean = make([]float64, len(mp.ids))
	for _, km := range opt.KeyMeans {
		if id, ok := mp.ids[km.Key]; ok {
			mp.mean[id] = km.MeanDB
		}
	}
	mp.opt.KeyMeans = slices.Clone(opt.KeyMeans)
	// What queries read of obs is copied: obs is not read again, so that a
	// caller dropping its own reference lets the collector free it while
	// the trees are built (a national month's is over a gigabyte).
	nObs := len(obs)
	obs = nil
	mp.tree = newTree(mp.pos)
	mp.tree.runs = append(runs, int32(nObs))
	if mp.opt.PerKeyNeighbours > 0 {
		// Each key's tests, in input order: one array cut per key (counted
		// first), not a slice grown per key.
		start := make([]int, len(mp.ids)+1)
		for _, id := range mp.keyID {
			start[id+1]++
		}
		for id := range len(mp.ids) {
			start[id+1] += start[id]
		}
		all, next := make([]int32, len(mp.keyID)), slices.Clone(start[:len(mp.ids)])
		for i, id := range mp.keyID {
			all[next[id]] = int32(i)
			next[id]++
		}
		mp.keyTree = make([]*tree, len(mp.ids))
		parallel.For(len(mp.ids), runtime.GOMAXPROCS(0), func(id int) {
			mem := all[start[id]:start[id+1]]
			pt := make([]item, len(mem))
			for j, i := range mem {
				pt[j] = item{mp.pos[mp.posID[i]], i}
			}
			mp.keyTree[id] = newTreeOf(pt)
		})
	}
	return mp, nil
}

func checkObs(obs []Obs) error {
	for i, o := range obs {
		switch {
		case !(o.Lon >= -180 && o.Lon <= 180) || !(o.Lat >= -90 && o.Lat <= 90):
			return fmt.Errorf("radiomap: obs %d at lon %v, lat %v: %w", i, o.Lon, o.Lat, engine.ErrInvalidValue)
		case math.IsNaN(o.ResidualDB) || math.IsInf(o.ResidualDB, 0):
			return fmt.Errorf("radiomap: obs %d residual %v: %w", i, o.ResidualDB, engine.ErrInvalidValue)
		case !(o.NoiseDB >= 0) || math.IsInf(o.NoiseDB, 1):
			return fmt.Errorf("radiomap: obs %d NoiseDB %v, want finite and ≥ 0: %w", i, o.NoiseDB, engine.ErrInvalidValue)
		case o.Censor != Exact && o.Censor != Upper:
			return fmt.Errorf("radiomap: obs %d censor %v: %w", i, o.Censor, engine.ErrInvalidValue)
		}
	}
	return nil
}

// Model returns the model the map was built with.
func (m *Map) Model() Model { return m.model }

// Options returns the options the map was built with, defaults filled in.
func (m *Map) Options() Options { return m.opt }

// Len returns the number of observations.
func (m *Map) Len() int { return len(m.resid) }

// Posterior is the joint posterior of the noise-free residuals s + u_k
// (plus the key's mean when Options.MeanPriorSigmaDB > 0) of some keys at
// one point. The residual a single new test would read there has the same
// mean and variance Cov[i*n+i] + Model.NuggetDB2 (+ its own noise²).
type Posterior struct {
	Keys   []Key
	MeanDB []float64 // posterior mean residual per key, dB
	// Cov is the len(Keys)² row-major joint posterior covariance in dB²
	// (keys are correlated through the shared component).
	Cov             []float64
	Exact, Censored int     // neighbours used
	NearestM        float64 // metres to the nearest test (any key) within Options.MaxDistM, +Inf when none
}

// SigmaDB returns the posterior standard deviation of key i, in dB.
func (p Posterior) SigmaDB(i int) float64 { return math.Sqrt(p.Cov[i*len(p.Keys)+i]) }

// workspace holds one query's scratch buffers.
type workspace struct {
	nb, nk      knn
	mg          []neighbour // the merge's other buffer
	ex, ce, tid []int32
	// The neighbourhood's distinct positions (posIDs), each exact and
	// censored neighbour's index among them, the covariance values
	// between every two of them (pv, row-major) and from each to the
	// query point (qv), and the key and carrier ids of the latent
	// variables (zk, zc) and of the exact tests (ek, ec).
	up, pe, pc  []int32
	pv, qv      []covValues
	zk, zc      []int32
	ek, ec      []int32 // the exact tests' key and carrier ids
	k, b, w, mu []float64
	s, c, diag  []float64
	// censored updates
	s0, bp, mu0, tt, nt, bb, v, st, bounds, noise2 []float64
	vz                                             []int32
	cz                                             []bool
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// At returns the joint posterior of the residuals of keys at lon, lat
// (degrees). It conditions on the Options.MaxNeighbours nearest tests
// within Options.MaxDistM (any key) together with the
// Options.PerKeyNeighbours nearest of each key in keys (ties by distance
// broken by input order), first exactly on the Exact ones (Gaussian conditioning), then on
// the Upper ones, nearest first, by truncated-Gaussian moment matching:
// one pass of assumed density filtering, then expectation-propagation
// passes up to Options.CensoredSweeps (the package documentation gives
// the method and its accuracy). With no neighbours At returns the prior:
// mean 0 and the prior covariance. A key absent from the map is allowed:
// it learns only through the shared component. Keys may repeat. At is
// safe for concurrent use; its cost is O(k³ + k²·len(keys)) for k
// neighbours (times the sweeps for the censored ones), independent of
// the map's size but for the O(log n) search.
func (m *Map) At(lon, lat float64, keys []Key) (Posterior, error) {
	var p Posterior
	err := m.AtInto(&p, lon, lat, keys)
	return p, err
}

// AtInto is At writing into dst, reusing its slices' capacity: with a
// dst reused across calls it does not allocate. On error dst is reset to
// zero neighbours and empty slices.
func (m *Map) AtInto(dst *Posterior, lon, lat float64, keys []Key) error {
	q := len(keys)
	dst.Keys = append(dst.Keys[:0], keys...)
	dst.MeanDB = growZero(dst.MeanDB, q)
	dst.Cov = growZero(dst.Cov, q*q)
	dst.Exact, dst.Censored, dst.NearestM = 0, 0, math.Inf(1)
	if !(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90) {
		dst.Keys, dst.MeanDB, dst.Cov = dst.Keys[:0], dst.MeanDB[:0], dst.Cov[:0]
		return fmt.Errorf("radiomap: query at lon %v, lat %v: %w", lon, lat, engine.ErrInvalidValue)
	}
	ws, _ := m.pool.Get().(*workspace)
	if ws == nil {
		ws = &workspace{}
	}
	err := m.at(ws, xyz(lon, lat), keys, dst, -1)
	m.pool.Put(ws)
	if err != nil {
		dst.Keys, dst.MeanDB, dst.Cov = dst.Keys[:0], dst.MeanDB[:0], dst.Cov[:0]
		dst.Exact, dst.Censored = 0, 0
	}
	return err
}

func growZero(s []float64, n int) []float64 {
	s = grow(s, n)
	clear(s)
	return s
}

// at computes the posterior into post; the test of index exclude (if
// ≥ 0) is left out of the neighbourhood.
func (m *Map) at(ws *workspace, x [3]float64, keys []Key, post *Posterior, exclude int32) error {
	md := m.model
	q := len(keys)

	// Query key ids (-1: absent from the map).
	ws.tid = ws.tid[:0]
	for _, k := range keys {
		id, ok := m.ids[k]
		if !ok {
			id = -1
		}
		ws.tid = append(ws.tid, id)
	}
	tid := ws.tid

	ws.nb = knn{k: m.opt.MaxNeighbours, maxC2: m.maxC2, h: ws.nb.h[:0]}
	m.tree.nearest(x, &ws.nb)
	if m.keyTree != nil {
		// The nearest tests of each queried key join the neighbourhood:
		// each list, ordered by distance then index, merged into it.
		for i, id := range tid {
			if id < 0 || slices.Contains(tid[:i], id) {
				continue
			}
			ws.nk = knn{k: m.opt.PerKeyNeighbours, maxC2: m.maxC2, h: ws.nk.h[:0]}
			m.keyTree[id].nearest(x, &ws.nk)
			if len(ws.nk.h) > 0 {
				ws.mg = mergeNeighbours(ws.mg[:0], ws.nb.h, ws.nk.h)
				ws.nb.h, ws.mg = ws.mg, ws.nb.h
			}
		}
	}
	if exclude >= 0 {
		ws.nb.h = slices.DeleteFunc(ws.nb.h, func(nb neighbour) bool { return nb.idx == exclude })
	}
	ws.ex, ws.ce = ws.ex[:0], ws.ce[:0]
	for _, nb := range ws.nb.h {
		if m.censor[nb.idx] == Exact {
			ws.ex = append(ws.ex, nb.idx)
		} else {
			ws.ce = append(ws.ce, nb.idx)
		}
	}
	if len(ws.nb.h) > 0 {
		post.NearestM = arcM(ws.nb.h[0].c2)
	}
	ne, nc := len(ws.ex), len(ws.ce)
	post.Exact, post.Censored = ne, nc
	nz := q + nc // latent variables: targets, then censored tests

	m.priors(ws, x, keys)
	S, mu := ws.s, ws.mu
	if ne > 0 {
		// Exact conditioning.
		K, B, w := ws.k, ws.b, ws.w
		ws.diag = grow(ws.diag, ne)
		if err := choleskyJitter(K, ne, ws.diag); err != nil {
			return err
		}
		forward(K, ne, w)
		forwardCols(K, ne, B, nz)
		// μ_Z = Bᵀw, S -= BᵀB: the lower triangle, then its mirror (the
		// same products in the same order, so S stays exactly symmetric).
		for i := 0; i < ne; i++ {
			bi := B[i*nz : i*nz+nz]
			wi := w[i]
			for a := 0; a < nz; a++ {
				mu[a] += bi[a] * wi
				ba := bi[a]
				if ba == 0 {
					continue
				}
				row := S[a*nz : a*nz+a+1]
				bb := bi[:len(row)]
				for b := range row {
					row[b] -= ba * bb[b]
				}
			}
		}
		for a := 0; a < nz; a++ {
			for b := 0; b < a; b++ {
				S[b*nz+a] = S[a*nz+b]
			}
		}
	}

	// Censored tests, nearest first.
	ws.bounds, ws.noise2 = grow(ws.bounds, nc), grow(ws.noise2, nc)
	for j, i := range ws.ce {
		ws.bounds[j] = m.resid[i] - m.mean[m.keyID[i]]
		ws.noise2[j] = md.NuggetDB2 + m.noise[i]*m.noise[i]
	}
	censoredUpdate(ws, mu, S, nz, q, ws.bounds, ws.noise2, m.opt.CensoredSweeps)

	for a := 0; a < q; a++ {
		post.MeanDB[a] = mu[a]
		if tid[a] >= 0 {
			post.MeanDB[a] += m.mean[tid[a]]
		}
		for b := 0; b < q; b++ {
			post.Cov[a*q+b] = 0.5 * (S[a*nz+b] + S[b*nz+a])
		}
		if post.Cov[a*q+a] < 0 {
			post.Cov[a*q+a] = 0
		}
	}
	return nil
}

// priors fills ws with the prior moments of a query at x for keys, its
// neighbourhood ws.ex (exact) and ws.ce (censored) chosen and ws.tid the
// keys' ids: S (ws.s) the covariance of the latent variables (the
// targets, then the censored tests), mu (ws.mu) zero, and for the exact
// tests K (ws.k) their covariance with their nugget and noise on the
// diagonal, B (ws.b) their covariance with the latent variables and w
// (ws.w) their residuals from their keys' means.
func (m *Map) priors(ws *workspace, x [3]float64, keys []Key) {
	md := m.model
	sm2 := m.opt.MeanPriorSigmaDB * m.opt.MeanPriorSigmaDB
	q, ne, nc := len(keys), len(ws.ex), len(ws.ce)
	nz := q + nc
	// valuesOf returns the prior covariances at the distance of t for
	// each relation, the unknown constant mean's prior variance added to
	// one key's with itself: every entry below is one of these three
	// values of a pair of positions.
	valuesOf := func(t covTerms) covValues {
		return covValues{md.covFrom(t, OtherCarrier), md.covFrom(t, SameCarrier), md.covFrom(t, SameKey) + sm2}
	}

	// The neighbourhood's distinct positions (tests gathered at one cell's
	// centre share it) and the covariance values between every two of
	// them and from each to the query point, computed once per pair of
	// positions: covFrom of termsAt of a distance is CovRel of that
	// distance bit for bit, and the distance arcM(chord2(·,·)) of two
	// positions is the same for every two tests there (chord2 is
	// symmetric to the bit).
	ws.up = ws.up[:0]
	local := func(i int32) int32 {
		g := m.posID[i]
		for k, u := range ws.up {
			if u == g {
				return int32(k)
			}
		}
		ws.up = append(ws.up, g)
		return int32(len(ws.up) - 1)
	}
	ws.pe, ws.pc = ws.pe[:0], ws.pc[:0]
	for _, i := range ws.ex {
		ws.pe = append(ws.pe, local(i))
	}
	for _, i := range ws.ce {
		ws.pc = append(ws.pc, local(i))
	}
	np := len(ws.up)
	ws.pv, ws.qv = grow(ws.pv, np*np), grow(ws.qv, np)
	pv, qv := ws.pv, ws.qv
	for a := 0; a < np; a++ {
		pa := m.pos[ws.up[a]]
		for b := 0; b <= a; b++ {
			v := valuesOf(md.termsAt(arcM(chord2(pa, m.pos[ws.up[b]]))))
			pv[a*np+b], pv[b*np+a] = v, v
		}
		qv[a] = valuesOf(md.termsAt(arcM(chord2(pa, x))))
	}
	v0 := valuesOf(md.termsAt(0)) // the targets share the query point

	// The latent variables' key and carrier ids, for their relations: a
	// key absent from the map (or a carrier) takes an id of its own past
	// the map's, that of its first occurrence among keys.
	ws.zk, ws.zc = grow(ws.zk, nz), grow(ws.zc, nz)
	zk, zc := ws.zk, ws.zc
	const absent = math.MaxInt32 / 2
	for a, k := range keys {
		zk[a] = ws.tid[a]
		if zk[a] < 0 {
			zk[a] = absent + int32(slices.Index(keys, k))
		}
		c, ok := m.carrierID[k.Carrier]
		if !ok {
			c = absent + int32(slices.IndexFunc(keys, func(o Key) bool { return o.Carrier == k.Carrier }))
		}
		zc[a] = c
	}
	for j, i := range ws.ce {
		zk[q+j] = m.keyID[i]
		zc[q+j] = m.keyCarrier[zk[q+j]]
	}

	// Prior of the latent variables.
	ws.s = grow(ws.s, nz*nz)
	S := ws.s
	for a := 0; a < nz; a++ {
		ka, ca := zk[a], zc[a]
		var va *covValues // a's position against the query point
		if a >= q {
			va = &qv[ws.pc[a-q]]
		}
		for b := 0; b <= a; b++ {
			r := relationOf(ka, ca, zk[b], zc[b])
			var v float64
			switch {
			case a < q:
				v = v0[r]
			case b < q:
				v = va[r]
			default:
				v = pv[int(ws.pc[a-q])*np+int(ws.pc[b-q])][r]
			}
			S[a*nz+b], S[b*nz+a] = v, v
		}
	}
	ws.mu = grow(ws.mu, nz)
	clear(ws.mu)

	// The exact tests: K = Σ_EE + diag(τ²), B = Σ_EZ, w their residuals
	// from their keys' means.
	ws.k = grow(ws.k, ne*ne)
	ws.b = grow(ws.b, ne*nz)
	ws.w = grow(ws.w, ne)
	K, B, w := ws.k, ws.b, ws.w
	prior0 := md.CovRel(0, SameKey) + sm2
	// The exact tests' key and carrier ids.
	ws.ek, ws.ec = grow(ws.ek, ne), grow(ws.ec, ne)
	ek, ec := ws.ek, ws.ec
	for i, o := range ws.ex {
		ek[i] = m.keyID[o]
		ec[i] = m.keyCarrier[ek[i]]
	}
	for i := 0; i < ne; i++ {
		oi := ws.ex[i]
		ki, ci := ek[i], ec[i]
		pi := pv[int(ws.pe[i])*np : int(ws.pe[i])*np+np]
		for j := 0; j < i; j++ {
			v := pi[ws.pe[j]][relationOf(ki, ci, ek[j], ec[j])]
			K[i*ne+j], K[j*ne+i] = v, v
		}
		nz0 := m.noise[oi]
		K[i*ne+i] = prior0 + md.NuggetDB2 + nz0*nz0
		w[i] = m.resid[oi] - m.mean[ki]
		bi := B[i*nz : i*nz+nz]
		// The targets share the query point.
		t := &qv[ws.pe[i]]
		for a := 0; a < q; a++ {
			bi[a] = t[relationOf(ki, ci, zk[a], zc[a])]
		}
		for a := q; a < nz; a++ {
			bi[a] = pi[ws.pc[a-q]][relationOf(ki, ci, zk[a], zc[a])]
		}
	}
}

// covValues are the prior covariances of two points at one distance,
// indexed by the relation of their keys.
type covValues [3]float64

// relationOf is RelationOf of two keys from their key ids (ka, kb) and
// their carriers' (ca, cb).
func relationOf(ka, ca, kb, cb int32) Relation {
	switch {
	case ka == kb:
		return SameKey
	case ca == cb:
		return SameCarrier
	}
	return OtherCarrier
}

// choleskyJitter factors the covariance k in place; when it is not
// numerically positive definite (duplicate tests with no nugget and no
// noise) it adds 10⁻¹⁰, 10⁻⁸, 10⁻⁶ of the largest diagonal to the diagonal
// and retries. diag is scratch of length n. The factorisation writes only
// the lower triangle, so the upper one restores the matrix.
func choleskyJitter(k []float64, n int, diag []float64) error {
	maxDiag := 0.0
	for i := 0; i < n; i++ {
		diag[i] = k[i*n+i]
		maxDiag = max(maxDiag, diag[i])
	}
	for _, eps := range [...]float64{0, 1e-10, 1e-8, 1e-6} {
		for i := 0; i < n; i++ {
			k[i*n+i] = diag[i] + eps*maxDiag
			for j := 0; j < i; j++ {
				k[i*n+j] = k[j*n+i]
			}
		}
		if cholesky(k, n) {
			return nil
		}
	}
	return fmt.Errorf("radiomap: neighbour covariance is not positive definite: %w", engine.ErrInvalidValue)
}
