package radiomap

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// The query as it was computed before its savings (shared covariance
// values per pair of positions, the censored block alone in the EP
// sweeps, symmetric products computed once, lazy site means, the merged
// neighbour lists), kept as the reference that TestAtMatchesReference
// holds At to, bit for bit.

// refWorkspace holds the reference query's scratch buffers.
type refWorkspace struct {
	nb, nk                                         knn
	ex, ce, tid                                    []int32
	up, pe, pc                                     []int32
	pt, qt                                         []covTerms
	k, b, w, mu                                    []float64
	s, c, diag                                     []float64
	s0, bp, mu0, tt, nt, bb, v, st, bounds, noise2 []float64
}

// sortNeighbours orders neighbours by distance, then index.
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

func (m *Map) atRef(ws *refWorkspace, x [3]float64, keys []Key, post *Posterior, exclude int32) error {
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
	refNearest(m.tree, x, &ws.nb)
	if m.keyTree != nil {
		// The nearest tests of each queried key join the neighbourhood.
		found := len(ws.nb.h)
		for i, id := range tid {
			if id < 0 || slices.Contains(tid[:i], id) {
				continue
			}
			ws.nk = knn{k: m.opt.PerKeyNeighbours, maxC2: m.maxC2, h: ws.nk.h[:0]}
			refNearest(m.keyTree[id], x, &ws.nk)
			ws.nb.h = append(ws.nb.h, ws.nk.h...)
		}
		if len(ws.nb.h) > found {
			sortNeighbours(ws.nb.h)
			ws.nb.h = slices.CompactFunc(ws.nb.h, func(a, b neighbour) bool { return a.idx == b.idx })
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

	m.priorsRef(ws, x, keys)
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
	censoredUpdateRef(ws, mu, S, nz, q, ws.bounds, ws.noise2, m.opt.CensoredSweeps)

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
// neighbourhood ws.ex (exact) and ws.ce (censored) chosen: S (ws.s) the
// covariance of the latent variables (the targets, then the censored
// tests), mu (ws.mu) zero, and for the exact tests K (ws.k) their
// covariance with their nugget and noise on the diagonal, B (ws.b) their
// covariance with the latent variables and w (ws.w) their residuals from
// their keys' means.
func (m *Map) priorsRef(ws *refWorkspace, x [3]float64, keys []Key) {
	md := m.model
	sm2 := m.opt.MeanPriorSigmaDB * m.opt.MeanPriorSigmaDB
	q, ne, nc := len(keys), len(ws.ex), len(ws.ce)
	nz := q + nc
	// withMean adds the unknown constant mean's prior variance to the
	// covariance c of one key with itself.
	withMean := func(c float64, r Relation) float64 {
		if r == SameKey {
			c += sm2
		}
		return c
	}

	// The neighbourhood's distinct positions (tests gathered at one cell's
	// centre share it) and the covariance terms between every two of them
	// and from each to the query point, computed once per pair of
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
	ws.pt, ws.qt = grow(ws.pt, np*np), grow(ws.qt, np)
	tt, tx := ws.pt, ws.qt
	for a := 0; a < np; a++ {
		pa := m.pos[ws.up[a]]
		for b := 0; b <= a; b++ {
			t := md.termsAt(arcM(chord2(pa, m.pos[ws.up[b]])))
			tt[a*np+b], tt[b*np+a] = t, t
		}
		tx[a] = md.termsAt(arcM(chord2(pa, x)))
	}
	// terms returns the terms between latent variables a and b (targets,
	// then censored tests): the targets are all at the query point.
	t0 := md.termsAt(0)
	terms := func(a, b int) covTerms {
		switch {
		case a < q && b < q:
			return t0
		case a < q:
			return tx[ws.pc[b-q]]
		case b < q:
			return tx[ws.pc[a-q]]
		}
		return tt[int(ws.pc[a-q])*np+int(ws.pc[b-q])]
	}
	zKey := func(a int) Key {
		if a < q {
			return keys[a]
		}
		return m.keys[m.keyID[ws.ce[a-q]]]
	}
	rel := func(a, b int) Relation { return RelationOf(zKey(a), zKey(b)) }

	// Prior of the latent variables.
	ws.s = grow(ws.s, nz*nz)
	S := ws.s
	for a := 0; a < nz; a++ {
		for b := 0; b <= a; b++ {
			r := rel(a, b)
			v := withMean(md.covFrom(terms(a, b), r), r)
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
	prior0 := withMean(md.CovRel(0, SameKey), SameKey)
	for i := 0; i < ne; i++ {
		oi := ws.ex[i]
		pi := int(ws.pe[i]) * np
		for j := 0; j < i; j++ {
			oj := ws.ex[j]
			r := refRelOf(m, oi, oj)
			v := withMean(md.covFrom(tt[pi+int(ws.pe[j])], r), r)
			K[i*ne+j], K[j*ne+i] = v, v
		}
		nz0 := m.noise[oi]
		K[i*ne+i] = prior0 + md.NuggetDB2 + nz0*nz0
		w[i] = m.resid[oi] - m.mean[m.keyID[oi]]
		ki := m.keys[m.keyID[oi]]
		// The targets share the query point.
		t := tx[ws.pe[i]]
		for a := 0; a < q; a++ {
			r := RelationOf(ki, keys[a])
			B[i*nz+a] = withMean(md.covFrom(t, r), r)
		}
		for a := q; a < nz; a++ {
			r := refRelOf(m, oi, ws.ce[a-q])
			B[i*nz+a] = withMean(md.covFrom(tt[pi+int(ws.pc[a-q])], r), r)
		}
	}
}

func censoredUpdateRef(ws *refWorkspace, mu, S []float64, nz, q int, bounds, noise2 []float64, sweeps int) {
	nc := len(bounds)
	if nc == 0 {
		return
	}
	ws.s0 = grow(ws.s0, nz*nz)
	S0 := ws.s0
	copy(S0, S)
	// Shift to a zero prior mean: bounds relative to the prior mean.
	ws.bp = grow(ws.bp, nc)
	bp := ws.bp
	for j := range nc {
		bp[j] = bounds[j] - mu[q+j]
	}
	ws.mu0 = grow(ws.mu0, nz)
	mu0 := ws.mu0
	copy(mu0, mu)
	clear(mu) // now the shifted mean Σ·ν̃
	ws.tt, ws.nt = growZero(ws.tt, nc), growZero(ws.nt, nc)
	tt, nt := ws.tt, ws.nt
	ws.c = grow(ws.c, nz)
	c := ws.c

	for sweep := 0; sweep < sweeps; sweep++ {
		change := 0.0
		for j := range nc {
			p := q + j
			s2, mj := S[p*nz+p], mu[p]
			if !(s2 > 0) {
				continue // the latent value is known exactly
			}
			tauCav := 1/s2 - tt[j]
			nuCav := mj/s2 - nt[j]
			if !(tauCav > 0) {
				continue // rounding: no proper cavity, leave the site
			}
			vC := 1 / tauCav
			mC := nuCav * vC
			sy2 := vC + noise2[j]
			sy := math.Sqrt(sy2)
			lambda, delta := truncUpper((bp[j] - mC) / sy)
			vHat := vC - vC*vC*(1-delta)/sy2
			mHat := mC - vC*lambda/sy
			newT := max(1/vHat-tauCav, 0) // ≥ 0: the likelihood is log-concave
			newN := mHat/vHat - nuCav
			dT, dN := newT-tt[j], newN-nt[j]
			change = max(change, max(math.Abs(dT)*s2, math.Abs(dN)*math.Sqrt(s2)))
			tt[j], nt[j] = newT, newN
			// Σ ← Σ − dT/(1 + dT·Σ_pp)·s·sᵀ, s = Σ[:, p]
			copy(c, S[p*nz:p*nz+nz])
			g := dT / (1 + dT*s2)
			for a := 0; a < nz; a++ {
				ga := g * c[a]
				if ga == 0 {
					continue
				}
				row := S[a*nz : a*nz+nz]
				cb := c[:len(row)]
				for b := range row {
					row[b] -= ga * cb[b]
				}
			}
			siteMeanRef(mu, S, nz, q, nt)
		}
		recomputeSigmaRef(ws, S, S0, nz, q, tt)
		siteMeanRef(mu, S, nz, q, nt)
		if change < epTol {
			break
		}
	}
	for a := range mu {
		mu[a] += mu0[a]
	}
}

// siteMean sets mu = Σ[:, censored]·ν̃.
func siteMeanRef(mu, S []float64, nz, q int, nt []float64) {
	for a := 0; a < nz; a++ {
		row := S[a*nz+q : a*nz+nz][:len(nt)]
		s := 0.0
		for j, v := range nt {
			s += row[j] * v
		}
		mu[a] = s
	}
}

// recomputeSigma sets S = S0 − Vᵀ·V with V = L⁻¹·S̃½·S0[C, :] and
// L·Lᵀ = I + S̃½·S0[C, C]·S̃½ (positive definite for site precisions
// S̃ ≥ 0).
func recomputeSigmaRef(ws *refWorkspace, S, S0 []float64, nz, q int, tt []float64) {
	nc := len(tt)
	ws.bb = grow(ws.bb, nc*nc)
	ws.v = grow(ws.v, nc*nz)
	ws.st = grow(ws.st, nc)
	B, V, st := ws.bb, ws.v, ws.st
	for j := range nc {
		st[j] = math.Sqrt(tt[j])
	}
	for i := range nc {
		for j := range nc {
			B[i*nc+j] = st[i] * S0[(q+i)*nz+q+j] * st[j]
		}
		B[i*nc+i]++
		for a := 0; a < nz; a++ {
			V[i*nz+a] = st[i] * S0[(q+i)*nz+a]
		}
	}
	if !cholesky(B, nc) {
		return // cannot happen for S̃ ≥ 0; keep the rank-one result
	}
	forwardCols(B, nc, V, nz)
	copy(S, S0)
	for i := range nc {
		vi := V[i*nz : i*nz+nz]
		for a := 0; a < nz; a++ {
			va := vi[a]
			if va == 0 {
				continue
			}
			row := S[a*nz : a*nz+nz]
			vb := vi[:len(row)]
			for b := range row {
				row[b] -= va * vb[b]
			}
		}
	}
}

// refNearest is tree.nearest with the reference sort.
func refNearest(t *tree, x [3]float64, q *knn) {
	if q.k > 0 {
		t.search(x, q, 0, len(t.pt))
	}
	sortNeighbours(q.h)
}

// refAt is AtInto through the reference query.
func (m *Map) refAt(ws *refWorkspace, lon, lat float64, keys []Key) (Posterior, error) {
	q := len(keys)
	p := Posterior{Keys: slices.Clone(keys), MeanDB: make([]float64, q), Cov: make([]float64, q*q), NearestM: math.Inf(1)}
	err := m.atRef(ws, xyz(lon, lat), keys, &p, -1)
	return p, err
}

// twelveKeys are four carriers' 2G, 3G and 4G, the keys a village's
// verdict asks for.
var twelveKeys = func() []Key {
	var ks []Key
	for _, c := range []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, engine.Vietnamobile} {
		for _, t := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G} {
			ks = append(ks, Key{c, t})
		}
	}
	return ks
}()

// cellObs are tests gathered at n cells' centres over side degrees from
// 105°E 21°N: one to six tests a cell of the twelve keys (Vietnamobile's
// rarer), one in eight censored, noises up to 4 dB.
func cellObs(rng *rand.Rand, n int, side float64) []Obs {
	var obs []Obs
	for range n {
		lon, lat := 105+rng.Float64()*side, 21+rng.Float64()*side
		for range 1 + rng.IntN(6) {
			k := twelveKeys[rng.IntN(12)]
			if k.Carrier == engine.Vietnamobile && rng.IntN(4) > 0 {
				k = twelveKeys[rng.IntN(9)]
			}
			o := Obs{Lon: lon, Lat: lat, Key: k, ResidualDB: rng.NormFloat64()*6 - 2, NoiseDB: rng.Float64() * 4}
			if rng.IntN(8) == 0 {
				o.Censor = Upper
			}
			obs = append(obs, o)
		}
	}
	return obs
}

// TestAtMatchesReference: At gives the reference query's posterior to the
// bit (means, covariances, neighbour counts, nearest distance) over
// models with and without the carrier component, mean priors and key
// means, one and many EP sweeps, mostly censored neighbourhoods, keys
// absent from the map or repeated, and duplicate tests without nugget.
func TestAtMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	full := Model{SharedSillDB2: 30, SharedRangeM: 900, CarrierSillDB2: 12, CarrierRangeM: 250, OwnSillDB2: 9, OwnRangeM: 120, NuggetDB2: 3}
	noCarrier := Model{SharedSillDB2: 25, SharedRangeM: 1500, OwnSillDB2: 9, OwnRangeM: 500, NuggetDB2: 9}
	absent := Key{engine.Gmobile, engine.Tech4G}
	censorAll := func(obs []Obs) []Obs {
		for i := range obs {
			if i%4 > 0 {
				obs[i].Censor = Upper
			}
		}
		return obs
	}
	dupes := func(obs []Obs) []Obs {
		for i := range obs {
			obs[i].NoiseDB = 0
			if i > 0 && i%3 == 0 {
				obs[i].Lon, obs[i].Lat, obs[i].Key = obs[i-1].Lon, obs[i-1].Lat, obs[i-1].Key
			}
		}
		return obs
	}
	for _, c := range []struct {
		name  string
		model Model
		opt   Options
		obs   []Obs
		keys  [][]Key
	}{
		{"twelve keys", full, Options{}, cellObs(rng, 3000, 0.2), [][]Key{twelveKeys}},
		{"key means and mean prior", full, Options{MeanPriorSigmaDB: 4, KeyMeans: []KeyMean{{Key: twelveKeys[2], MeanDB: -2.5}, {Key: twelveKeys[5], MeanDB: 1}}},
			cellObs(rng, 2000, 0.2), [][]Key{twelveKeys, twelveKeys[3:7]}},
		{"no carrier component", noCarrier, Options{MaxNeighbours: 20, PerKeyNeighbours: 5}, cellObs(rng, 2000, 0.3), [][]Key{twelveKeys, {kV4}}},
		{"one sweep", full, Options{CensoredSweeps: 1}, cellObs(rng, 1500, 0.2), [][]Key{twelveKeys}},
		{"mostly censored", full, Options{}, censorAll(cellObs(rng, 2000, 0.2)), [][]Key{twelveKeys[:2], twelveKeys[:2], twelveKeys}},
		{"absent and repeated keys", full, Options{}, cellObs(rng, 1000, 0.2),
			[][]Key{{absent, twelveKeys[0], absent, twelveKeys[0], twelveKeys[4]}, {absent}, {{"x", engine.Tech4G}, {"x", engine.Tech3G}, twelveKeys[1]}, {}}},
		{"duplicates without nugget", Model{SharedSillDB2: 25, SharedRangeM: 1000, OwnSillDB2: 9, OwnRangeM: 300}, Options{},
			dupes(cellObs(rng, 1000, 0.1)), [][]Key{twelveKeys}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mp, err := New(c.obs, c.model, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			ws := &refWorkspace{}
			var got Posterior
			for n := range 120 {
				lon, lat := 105+rng.Float64()*0.2, 21+rng.Float64()*0.2
				keys := c.keys[n%len(c.keys)]
				want, werr := mp.refAt(ws, lon, lat, keys)
				gerr := mp.AtInto(&got, lon, lat, keys)
				if (werr != nil) != (gerr != nil) {
					t.Fatalf("query %d: error %v, reference %v", n, gerr, werr)
				}
				if werr != nil {
					continue
				}
				same := func(a, b []float64) bool {
					return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
				}
				if !same(got.MeanDB, want.MeanDB) || !same(got.Cov, want.Cov) || got.Exact != want.Exact || got.Censored != want.Censored ||
					math.Float64bits(got.NearestM) != math.Float64bits(want.NearestM) {
					t.Fatalf("query %d at %v, %v: %+v, reference %+v", n, lon, lat, got, want)
				}
			}
		})
	}
}

// TestCensoredUpdateMatchesReference: censoredUpdate gives the reference's
// means and covariances to the bit on random problems — symmetric or not,
// weak and strong bounds, with noise or none — in its sweeps over the
// censored block and in those over the whole matrix it falls back to,
// and when a recomputation fails (an infinite variance).
func TestCensoredUpdateMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	same := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(x, y float64) bool {
			return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
		})
	}
	ws, rws := &workspace{}, &refWorkspace{}
	fallbacks := 0
	for n := range 600 {
		q, nc := rng.IntN(13), 1+rng.IntN(40)
		nz := q + nc
		// S = A·Aᵀ/nz + a little on the diagonal.
		A := make([]float64, nz*nz)
		for i := range A {
			A[i] = rng.NormFloat64() * 4
		}
		S := make([]float64, nz*nz)
		for a := range nz {
			for b := 0; b <= a; b++ {
				s := 0.0
				for k := range nz {
					s += A[a*nz+k] * A[b*nz+k]
				}
				s /= float64(nz)
				S[a*nz+b], S[b*nz+a] = s, s
			}
			S[a*nz+a] += 0.5
		}
		switch n % 6 {
		case 4: // not symmetric to the bit
			for a := range nz {
				for b := 0; b < a; b++ {
					S[a*nz+b] *= 1 + 1e-15*rng.Float64()
				}
			}
		case 5: // a recomputation fails
			S[(nz-1)*nz+nz-1] = math.Inf(1)
		}
		mu, bounds, noise2 := make([]float64, nz), make([]float64, nc), make([]float64, nc)
		for a := range mu {
			mu[a] = rng.NormFloat64() * 5
		}
		for j := range nc {
			bounds[j] = rng.NormFloat64()*10 + float64(n%3-1)*20
			if rng.IntN(3) > 0 {
				noise2[j] = rng.Float64() * 10
			}
		}
		sweeps := []int{1, 3, DefaultCensoredSweeps}[n%3]
		wantS, wantMu := slices.Clone(S), slices.Clone(mu)
		censoredUpdateRef(rws, wantMu, wantS, nz, q, slices.Clone(bounds), noise2, sweeps)
		gotS, gotMu := slices.Clone(S), slices.Clone(mu)
		censoredUpdate(ws, gotMu, gotS, nz, q, bounds, noise2, sweeps)
		if !same(gotS, wantS) || !same(gotMu, wantMu) {
			t.Fatalf("problem %d (q %d, %d censored): mean %v S %v, reference %v %v", n, q, nc, gotMu, gotS, wantMu, wantS)
		}
		// The whole-matrix sweeps on their own.
		copy(ws.s0, S)
		copy(ws.mu0, mu)
		gotS, gotMu = slices.Clone(S), slices.Clone(mu)
		epSweeps(ws, gotMu, gotS, nz, q, bounds, noise2, sweeps, 0)
		if !same(gotS, wantS) || !same(gotMu, wantMu) {
			t.Fatalf("problem %d, whole matrix: mean %v S %v, reference %v %v", n, gotMu, gotS, wantMu, wantS)
		}
		copy(ws.s0, S)
		copy(ws.mu0, mu)
		if !epSweeps(ws, slices.Clone(mu), slices.Clone(S), nz, q, bounds, noise2, sweeps, q) {
			fallbacks++
		}
	}
	if fallbacks == 0 {
		t.Error("no recomputation failed: the fallback is not tested")
	}
}

// refRelOf is RelationOf of the keys of tests i and j.
func refRelOf(m *Map, i, j int32) Relation {
	a, b := m.keyID[i], m.keyID[j]
	switch {
	case a == b:
		return SameKey
	case m.keyCarrier[a] == m.keyCarrier[b]:
		return SameCarrier
	}
	return OtherCarrier
}
