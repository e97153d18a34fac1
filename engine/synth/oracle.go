package synth

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
	"gonum.org/v1/gonum/mathext"
)

// The oracle: the best dead-zone probabilities any engine could give on a
// world from its tests, to put the engine's scores in scale. It knows
// everything but the shadowing fields: the true register (positions,
// sites down), the clutter, the valleys, the propagation model, the
// fields' covariance (shadow.go) and the tests' noise and indoor loss. It
// sees the same readings the engine does and infers the shadowing at each
// village point by Gaussian conditioning (kriging with the true model),
// then P(dead) = P(every carrier's 3G and 4G below its covered level) from
// the joint posterior of the village's (carrier, technology) pairs.
//
// What it leaves out makes it a lower bound on the best possible, not an
// upper one: it uses the exact readings only (no-service rows and the
// technologies a phone did not camp on are not counted), an indoor loss is
// taken as Gaussian (the generator clips it at 0 dB, which moves ~0.1 % of
// indoor tests), and each village looks at its oracleNeighbours nearest
// readings within oracleRadiusM. Where the oracle is far below a target,
// the target asks more of the tests than they hold.
const (
	// oracleRadiusM: beyond 3 decorrelation distances of the shared part
	// (exp(−3) = 0.05) a reading says next to nothing about a village.
	oracleRadiusM = 3 * sharedDecorrM
	// oracleNeighbours bounds the readings conditioned on per village
	// (the cost is their cube); the nearest are the informative ones.
	oracleNeighbours = 48
	// oracleDraws is the Monte Carlo sample of a village's joint
	// posterior when its P(dead) is not decided in closed form.
	oracleDraws = 4000
)

// oracleObs is one exact reading as the oracle sees it: o = reading −
// deterministic part (+ the mean indoor loss indoors) = sd·z + noise, with
// z the standard-normal shadowing of (carrier, tech) at the point and
// noise of variance noiseVar (the device's measurement noise, plus the
// indoor loss's variance indoors).
type oracleObs struct {
	x, y     float64
	sd, o    float32
	noiseVar float32
	carrier  uint8 // carrierMask
	tech     engine.Tech
}

// oracleKey is one (carrier, 3G/4G technology) of a village with a site in
// range: its deterministic part and shadowing standard deviation there.
type oracleKey struct {
	det, sd float32
	carrier uint8 // carrierMask
	tech    engine.Tech
}

// oracleInput is what the oracle needs of a world.
type oracleInput struct {
	obs []oracleObs
	// keys[keyStart[i]:keyStart[i+1]] are village i's 3G/4G pairs.
	keys     []oracleKey
	keyStart []int32
}

// shadowCorr is the correlation of the standard-normal shadowing of two
// (carrier, tech) pairs at points d metres apart, as shadow.go draws it:
// ρL·exp(−d/dL) shared by all, plus (1−ρL)·exp(−d/dC) scaled by ρC between
// two technologies of one carrier and by 1 for one pair (the carrier and
// link parts have the same decorrelation distance).
func shadowCorr(d float64, sameCarrier, sameTech bool) float64 {
	c := sharedShare * math.Exp(-d/sharedDecorrM)
	if sameCarrier {
		s := carrierShare
		if sameTech {
			s = 1
		}
		c += (1 - sharedShare) * s * math.Exp(-d/linkDecorrM)
	}
	return c
}

// Oracle is a world's oracle: what it needs of the world (the village
// points, the readings as it sees them, the villages' deterministic parts)
// without the world itself, so that it can run beside later work.
type Oracle struct {
	ids  []string
	x, y []float64
	in   oracleInput
	th   engine.Thresholds
	seed uint64
}

// Oracle returns the world's oracle.
func (w *World) Oracle() *Oracle {
	o := &Oracle{ids: make([]string, len(w.Villages)), x: make([]float64, len(w.Villages)), y: make([]float64, len(w.Villages)),
		in: w.oracle, th: w.Truth.Thresholds, seed: w.Config.Seed}
	for i, v := range w.Villages {
		o.ids[i] = v.ID
		o.x[i], o.y[i] = project(v.Lon, v.Lat)
	}
	return o
}

// Verdicts returns the oracle's verdict on every village (in
// World.Villages order): P(dead) and whether it is at least 0.5, on up to
// workers goroutines (0: GOMAXPROCS). It is deterministic (each village
// draws from its own seeded stream).
func (o *Oracle) Verdicts(workers int) []VillageVerdict {
	out, _ := o.VerdictsContext(context.Background(), workers)
	return out
}

// VerdictsContext is Verdicts that stops when ctx is done (the villages
// not reached are left out: it returns ctx's error and no verdicts), so
// that a caller running it beside other work is not held up by it.
func (o *Oracle) VerdictsContext(ctx context.Context, workers int) ([]VillageVerdict, error) {
	in := &o.in
	out := make([]VillageVerdict, len(o.ids))
	// Readings bucketed on a grid of oracleRadiusM squares.
	type cellKey [2]int64
	bucket := map[cellKey][]int32{}
	for i, ob := range in.obs {
		k := cellKey{int64(math.Floor(ob.x / oracleRadiusM)), int64(math.Floor(ob.y / oracleRadiusM))}
		bucket[k] = append(bucket[k], int32(i))
	}
	const block = 256
	parallel.Ranges(len(o.ids), block, workers, func(lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		type cand struct {
			d float64
			i int32
		}
		var near []cand
		var nb []oracleObs
		var ds []float64
		for vi := lo; vi < hi; vi++ {
			x, y := o.x[vi], o.y[vi]
			near = near[:0]
			cx, cy := int64(math.Floor(x/oracleRadiusM)), int64(math.Floor(y/oracleRadiusM))
			for dx := int64(-1); dx <= 1; dx++ {
				for dy := int64(-1); dy <= 1; dy++ {
					for _, i := range bucket[cellKey{cx + dx, cy + dy}] {
						ob := &in.obs[i]
						if d := math.Hypot(ob.x-x, ob.y-y); d <= oracleRadiusM {
							near = append(near, cand{d, i})
						}
					}
				}
			}
			slices.SortFunc(near, func(a, b cand) int {
				if c := cmp.Compare(a.d, b.d); c != 0 {
					return c
				}
				return cmp.Compare(a.i, b.i)
			})
			near = near[:min(len(near), oracleNeighbours)]
			nb, ds = nb[:0], ds[:0]
			for _, c := range near {
				nb = append(nb, in.obs[c.i])
				ds = append(ds, c.d)
			}
			keys := in.keys[in.keyStart[vi]:in.keyStart[vi+1]]
			rng := rand.New(rand.NewPCG(o.seed, splitmix(uint64(vi)^0x6f7261636c65)))
			p := oraclePDead(keys, nb, ds, o.th, rng)
			out[vi] = VillageVerdict{VillageID: o.ids[vi], WithoutSignal: p >= 0.5, PDead: p, TestsNearby: -1}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// oraclePDead is P(no key reaches its covered level) at a village whose
// 3G/4G pairs are keys, given the readings obs at distances ds from it.
// Without a key (no 3G/4G site in range) the village is dead for sure.
func oraclePDead(keys []oracleKey, obs []oracleObs, ds []float64, th engine.Thresholds, rng *rand.Rand) float64 {
	m, n := len(keys), len(obs)
	if m == 0 {
		return 1
	}
	// Σ = cov(o), A = cov(o, s) with s_k = sd_k·z_k at the village.
	sigma := make([]float64, n*n)
	for i := range n {
		for j := range i + 1 {
			d := math.Hypot(obs[i].x-obs[j].x, obs[i].y-obs[j].y)
			c := float64(obs[i].sd) * float64(obs[j].sd) * shadowCorr(d, obs[i].carrier == obs[j].carrier, obs[i].tech == obs[j].tech)
			sigma[i*n+j], sigma[j*n+i] = c, c
		}
		sigma[i*n+i] += float64(obs[i].noiseVar)
	}
	a := make([]float64, n*m)
	for i := range n {
		for k, key := range keys {
			a[i*m+k] = float64(obs[i].sd) * float64(key.sd) * shadowCorr(ds[i], obs[i].carrier == key.carrier, obs[i].tech == key.tech)
		}
	}
	if !cholesky(sigma, n) {
		return math.NaN()
	}
	// w = L⁻¹·o, W = L⁻¹·A: mean = Wᵀw, cov = C − WᵀW.
	wv := make([]float64, n)
	for i := range n {
		wv[i] = float64(obs[i].o)
	}
	forwardSolve(sigma, n, wv, 1)
	forwardSolve(sigma, n, a, m)
	mean := make([]float64, m)
	cov := make([]float64, m*m)
	for k := range m {
		for l := range k + 1 {
			c := float64(keys[k].sd) * float64(keys[l].sd) * shadowCorr(0, keys[k].carrier == keys[l].carrier, keys[k].tech == keys[l].tech)
			for i := range n {
				c -= a[i*m+k] * a[i*m+l]
			}
			cov[k*m+l], cov[l*m+k] = c, c
		}
		for i := range n {
			mean[k] += a[i*m+k] * wv[i]
		}
	}
	// The room each key has below its level, and its marginal P(below):
	// the smallest bounds P(all below).
	lim := make([]float64, m)
	pk := make([]float64, m)
	bound := 1.0
	for k, key := range keys {
		lim[k] = th.Covered(key.tech) - float64(key.det) - mean[k]
		switch sd := math.Sqrt(max(cov[k*m+k], 0)); {
		case sd > 0:
			pk[k] = 0.5 * math.Erfc(-lim[k]/(sd*math.Sqrt2))
		case lim[k] > 0:
			pk[k] = 1
		}
		bound = min(bound, pk[k])
	}
	if m == 1 || bound < 1e-6 {
		return bound
	}
	// Monte Carlo in the order of the keys' marginal P(below), most likely
	// served first: a draw stops at its first key above its level, and
	// draws z lazily (the factor is lower-triangular, so key k's value
	// needs z₀…z_k only).
	order := make([]int, m)
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(pk[a], pk[b]) })
	c := make([]float64, m*m)
	lo := make([]float64, m)
	for a, k := range order {
		lo[a] = lim[k]
		for b, l := range order {
			c[a*m+b] = cov[k*m+l]
		}
		c[a*m+a] += 1e-9
	}
	if !cholesky(c, m) {
		return math.NaN()
	}
	// Most draws stop at the first key. How many of the oracleDraws pass
	// it (z₀ < t₀ = lo₀/L₀₀) is Binomial(oracleDraws, Φ(t₀)), drawn
	// directly; each draw that passes takes z₀ from the normal truncated
	// above t₀ (by inversion) and goes on through the other keys. The
	// estimate has the law of the plain draw-by-draw one, at the cost of
	// the draws that pass the first key only.
	t0 := lo[0] / c[0]
	p0 := 0.5 * math.Erfc(-t0/math.Sqrt2)
	z := make([]float64, m)
	dead := 0
	for range binomialDraw(rng, oracleDraws, p0) {
		z[0] = min(mathext.NormalQuantile((1-rng.Float64())*p0), t0)
		all := true
		for k := 1; k < m; k++ {
			z[k] = rng.NormFloat64()
			s := 0.0
			for l := range k + 1 {
				s += c[k*m+l] * z[l]
			}
			if s >= lo[k] {
				all = false
				break
			}
		}
		if all {
			dead++
		}
	}
	return float64(dead) / oracleDraws
}

// binomialDraw draws from Binomial(n, p): the successes of n trials
// counted by the geometric gaps between them (a gap of g failures has
// probability (1−p)^g·p, drawn as ⌊ln U / ln(1−p)⌋ with U uniform on
// (0, 1]), or for p above ½ the failures so, at a cost of about
// n·min(p, 1−p) uniforms rather than n.
func binomialDraw(rng *rand.Rand, n int, p float64) int {
	switch {
	case n <= 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	case p > 0.5:
		return n - binomialDraw(rng, n, 1-p)
	}
	lq := math.Log1p(-p)
	count, pos := 0, -1.0
	for {
		pos += 1 + math.Floor(math.Log(1-rng.Float64())/lq)
		if pos >= float64(n) {
			return count
		}
		count++
	}
}

// cholesky replaces the lower triangle of the n×n symmetric positive
// definite matrix a (row-major) by its Cholesky factor L (a = L·Lᵀ); it
// reports false when a is not positive definite. The oracle keeps its own
// (engine/radiomap and engine/deadzone have theirs): the yardstick shares
// no code with the engine it measures.
func cholesky(a []float64, n int) bool {
	for j := range n {
		d := a[j*n+j]
		for k := range j {
			d -= a[j*n+k] * a[j*n+k]
		}
		if !(d > 0) {
			return false
		}
		d = math.Sqrt(d)
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			s := a[i*n+j]
			for k := range j {
				s -= a[i*n+k] * a[j*n+k]
			}
			a[i*n+j] = s / d
		}
	}
	return true
}

// forwardSolve overwrites the n×m matrix b (row-major) with L⁻¹·b, for L
// the lower triangle of l (n×n, row-major).
func forwardSolve(l []float64, n int, b []float64, m int) {
	for i := range n {
		for k := range i {
			f := l[i*n+k]
			for c := range m {
				b[i*m+c] -= f * b[k*m+c]
			}
		}
		for c := range m {
			b[i*m+c] /= l[i*n+i]
		}
	}
}
