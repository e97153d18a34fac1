package radiomap

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/parallel"
)

// DefaultMeanPriorDB is the prior standard deviation, dB, of a key's
// constant mean in FitMeans: a calibrated prediction is rarely off by more
// than one or two location variabilities (6–10 dB) over a whole network,
// so 10 dB lets a few hundred tests move the mean freely while a key with
// a handful of censored tests alone stays near zero instead of running off
// towards −∞ (censored tests alone have no finite maximum likelihood).
const DefaultMeanPriorDB = 10

// MinMeanTests is the number of tests (exact and censored) a key needs for
// FitMarginal to fit its mean; a key with fewer keeps mean 0, its
// calibrated prediction taken as unbiased. The likelihood treats tests as
// independent, and a few tests are usually at one or two places, where
// they say more about the local field than about the whole network (the
// kriging uses them there).
const MinMeanTests = 30

// Marginal is what FitMarginal estimates from the tests' marginal
// distribution.
type Marginal struct {
	// Means are the keys' constant mean residuals (0 for keys with fewer
	// than MinMeanTests tests), sorted by carrier, then technology.
	Means []KeyMean `json:"means"`
	// Scale multiplies the model's sills and nugget so the marginal
	// variance of a test matches the tests, censored ones included.
	Scale float64 `json:"scale"`
	// Model is the given model with Scale applied.
	Model Model `json:"model"`
}

// FitMarginal estimates each key's constant mean residual m_k (the offset
// of its calibrated prediction) and one variance scale c for the model,
// from all tests, exact and censored, by maximum a posteriori under
//
//	r_i = m_k + f_i,   f_i ~ N(0, v_i),   v_i = c·(Cov(0, same key) + NuggetDB2) + NoiseDB_i²,
//
// with a Gaussian prior N(0, priorSigmaDB²) on each m_k (0 takes
// DefaultMeanPriorDB) and c in [1/4, 4] (c = 1 with fewer than
// MinMeanTests tests in all). An exact test contributes its
// Gaussian density, a censored (Upper) one P(r ≤ bound) = Φ((bound − m_k)/√v_i)
// mixed with a small share of reports that say nothing of the signal,
// ε + (1 − ε)·Φ (SpuriousCensoredShare): a Tobit model, robust to
// no-service reports that contradict everything around them. For a
// fixed c the log-posterior is concave in each m_k but where a
// contradicting report's mixture term bends the other way (the normal
// density and CDF are log-concave; the mixture is not, far below its
// level), and its maximum is the root of the derivative, found by
// Newton's method, those terms' curvature left out, kept inside the
// bracket of the points tried (rootOfDecreasing), from the key's mean at
// the c tried before; c maximises the profile of the log-posterior (its
// value at each c with the means that maximise it there), by Brent's
// search in log c (maximize). At that c the derivative of the
// log-posterior in c vanishes with the means held, so this is the point
// where maximising c for the means and the means for c (the fit as
// first written: the two alternated until c moved by less than 10⁻⁴)
// comes to rest, found in about a tenth of the evaluations.
//
// Why: the exact readings alone are a truncated sample — a phone reports
// a technology only where its signal clears the camping level, and
// elsewhere only that it did not — so their mean overstates a key's level
// where it is weak (as does a calibration that leaves censored places
// out), and their spread understates the field's variance (the variogram
// fit reads exact tests only). Simple kriging around a biased zero pulls
// villages far from tests towards a biased prediction, and too small a
// variance makes p_dead over-confident. The variogram keeps the shape
// (how the variance splits and how fast it decorrelates); c sets its
// level.
//
// Tests marked NoMean are left out (Obs.NoMean): present only where
// another field failed, they are a biased sample of their key's level.
//
// Beyond MarginalCensoredSample censored tests of one key, a systematic
// sample of them stands for all (see there): the fit's cost is then
// bounded per key however many tests a month holds.
//
// Assumptions: tests are treated as independent (a composite likelihood):
// spatial correlation does not bias the estimates but makes their true
// uncertainty larger than the independent-test information suggests; it
// is not propagated to the posteriors. One scale for all keys, as the
// model is shared.
func FitMarginal(obs []Obs, m Model, priorSigmaDB float64) (Marginal, error) {
	if err := m.Validate(); err != nil {
		return Marginal{}, err
	}
	if !(priorSigmaDB >= 0) || math.IsInf(priorSigmaDB, 1) {
		return Marginal{}, fmt.Errorf("radiomap: mean prior σ %v dB, want finite and ≥ 0: %w", priorSigmaDB, engine.ErrInvalidConfig)
	}
	if priorSigmaDB == 0 {
		priorSigmaDB = DefaultMeanPriorDB
	}
	if err := checkObs(obs); err != nil {
		return Marginal{}, err
	}
	// Each key's tests as int32 indices: half a []int's memory, for tens
	// of millions of tests.
	byKey := map[Key][]int32{}
	for i, o := range obs {
		if !o.NoMean {
			byKey[o.Key] = append(byKey[o.Key], int32(i))
		}
	}
	keys := make([]Key, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
	})
	base := m.Cov(0, true) + m.NuggetDB2
	ts := newMarginalTests(obs, keys, byKey)
	means := make([]float64, len(keys))
	fitted := make([]bool, len(keys))
	for ki, k := range keys {
		fitted[ki] = len(byKey[k]) >= MinMeanTests
	}
	fitMeans := func(c float64) {
		lv := ts.levels(c, base, false)
		for ki := range keys {
			if !fitted[ki] {
				continue
			}
			first, end := ts.start[ki], ts.start[ki+1]
			gfirst, gend := ts.gstart[ki], ts.gstart[ki+1]
			w := ts.weight[ki]
			// The log-posterior's first and second derivatives in the
			// key's mean μ: −μ/σ₀² + Σ n(r̄ − μ)/v over the exact groups
			// − Σ w·λ(z)/sd over the censored tests (z = (bound − μ)/sd,
			// λ the inverse Mills ratio), and −1/σ₀² − Σ n/v −
			// Σ w·λ(z)(z + λ(z))/sd².
			derivs := func(mu float64) (float64, float64) {
				g := -mu / (priorSigmaDB * priorSigmaDB)
				h := -1 / (priorSigmaDB * priorSigmaDB)
				for _, e := range ts.groups[gfirst:gend] {
					g += e.n * (e.mean - mu) / lv.v[e.level]
					h -= e.n / lv.v[e.level]
				}
				return ts.sum2(first, end, g, h, func(p int) (float64, float64) {
					sd := lv.sd[ts.level[p]]
					z := (ts.r[p] - mu) / sd
					k := censoredKappa(z)
					// The mixture's log-likelihood is not concave where a
					// bound lies far below the mean (z < −κ): its
					// curvature there is left out, so that Newton's
					// steps keep to the root's side (rootOfDecreasing).
					return -w * k / sd, -w * k * max(z+k, 0) / (sd * sd)
				})
			}
			// From the key's mean at the previous scale (0 at first).
			means[ki] = rootOfDecreasing(derivs, means[ki])
		}
	}
	// Log-likelihood of the tests for scale c at the current means.
	loglik := func(c float64) float64 {
		lv := ts.levels(c, base, true)
		if slices.ContainsFunc(lv.v, func(v float64) bool { return v <= 0 }) {
			return math.Inf(-1)
		}
		// Exact tests by group: Σ (r − m)² = M2 + n (r̄ − m)².
		var ll float64
		for _, e := range ts.groups {
			d := e.mean - means[e.key]
			ll += -0.5*(e.m2+e.n*d*d)/lv.v[e.level] - 0.5*e.n*lv.log[e.level]
		}
		return ts.sum(0, len(ts.r), ll, func(p int) float64 {
			return ts.weight[ts.key[p]] * logCensoredLik((ts.r[p]-means[ts.key[p]])/lv.sd[ts.level[p]])
		})
	}
	c := 1.0
	if base > 0 && len(obs) >= MinMeanTests {
		// The profile of the log-posterior over log c in [log ¼, log 4]:
		// at each scale the means that maximise it there (from those of
		// the scale tried before), by Brent's search.
		profile := func(x float64) float64 {
			c := math.Exp(x)
			fitMeans(c)
			lp := loglik(c)
			for ki, mu := range means {
				if fitted[ki] {
					lp -= 0.5 * mu * mu / (priorSigmaDB * priorSigmaDB)
				}
			}
			return lp
		}
		c = math.Exp(maximize(profile, math.Log(0.25), math.Log(4), 1e-7))
	}
	fitMeans(c)
	scaled := m
	scaled.SharedSillDB2 *= c
	scaled.CarrierSillDB2 *= c
	scaled.OwnSillDB2 *= c
	scaled.NuggetDB2 *= c
	out := Marginal{Scale: c, Model: scaled}
	for ki, k := range keys {
		out.Means = append(out.Means, KeyMean{Key: k, MeanDB: means[ki], Tests: len(byKey[k])})
	}
	return out, nil
}

// SpuriousCensoredShare is the share of censored tests FitMarginal takes
// as saying nothing of the signal: a no-service report of a phone or a
// scanner that lost its network for a reason of its own (a handover
// failure, a glitch, a dump's rows marked none in error). A censored
// test's likelihood is the mixture ε + (1 − ε)·Φ(z), not Φ(z) alone:
// where the level is known well above the bound (z far below 0), Φ(z)
// alone makes a single such report cost without limit, and many of them
// (one carrier's faulty dump) drove the one variance scale of every
// carrier's field to its bound, doubling every σ and moving every
// village's P(dead) towards the middle. With the mixture a report that
// contradicts everything around it costs log ε at most; one that fits
// (z near or above 0) counts as before (ε ≪ Φ(z)). The value is an
// assumption (no dump's rate of spurious reports is known), small enough
// that censored tests which fit weigh as in the Tobit model.
const SpuriousCensoredShare = 0.01

// logCensoredLik returns log(ε + (1 − ε)·Φ(z)), ε = SpuriousCensoredShare:
// a censored test's log-likelihood at standard score z.
func logCensoredLik(z float64) float64 {
	const eps = SpuriousCensoredShare
	return math.Log(eps + (1-eps)*normCDF(z))
}

// censoredKappa returns the derivative in z of logCensoredLik:
// (1 − ε)φ(z) / (ε + (1 − ε)Φ(z)), the inverse Mills ratio λ(z) weighed
// by the share of the mixture the Tobit part holds at z. It tends to 0
// both ways: a contradicting report's pull is bounded, where λ(z) → −z
// grows without limit.
func censoredKappa(z float64) float64 {
	const eps = SpuriousCensoredShare
	return (1 - eps) * normPDF(z) / (eps + (1-eps)*normCDF(z))
}

// MarginalCensoredSample is the most censored tests of one key that
// FitMarginal sums one at a time: beyond it a systematic sample of that
// many (every censored/MarginalCensoredSample-th in input order, which
// for the radio map's readings, sorted by cell, spreads it over the
// key's area) stands for them all, each weighing censored/kept. The
// exact tests are all counted (grouped). A key's mean is then estimated
// from at least 65,536 censored tests: its sampling error, a fraction of
// the field's σ (6–10 dB) over √65,536 = 256, is a few hundredths of a
// dB, where the outputs print tenths; below the sample size nothing is
// sampled and the fit is the exact composite likelihood.
const MarginalCensoredSample = 1 << 16

// marginalTests are FitMarginal's tests: the censored ones as columns in
// the order its sums run (by key, then input order), each with its noise
// level, and the exact ones as groups of one key and one noise level
// (count, mean and sum of squared deviations, from which every Gaussian
// term of a sum follows at once: Σ (r − μ) = n (r̄ − μ) and Σ (r − μ)² =
// M2 + n (r̄ − μ)²). Tests share few noises (a reading's noise over √n),
// so what depends only on the scale and the noise is computed once per
// level, and the exact tests cost one term per group however many there
// are.
type marginalTests struct {
	r      []float64 // censored tests' bounds
	weight []float64 // per key: how many censored tests each kept one stands for (1 unless sampled)
	key    []int32   // index into the sorted keys
	level  []int32   // index into n2
	start  []int     // key i's censored tests are [start[i], start[i+1])
	groups []marginalGroup
	gstart []int // key i's groups are [gstart[i], gstart[i+1])
	n2     []float64
	buf    []float64 // the terms of a sum
	buf2   []float64 // the second terms of sum2
}

// marginalGroup is the exact tests of one key at one noise level.
type marginalGroup struct {
	key, level int32
	n          float64
	mean, m2   float64 // mean residual and Σ (r − mean)²
}

func newMarginalTests(obs []Obs, keys []Key, byKey map[Key][]int32) *marginalTests {
	ts := &marginalTests{start: make([]int, 0, len(keys)+1), gstart: make([]int, 0, len(keys)+1)}
	levelOf := map[float64]int32{}
	for ki, k := range keys {
		ts.start = append(ts.start, len(ts.r))
		ts.gstart = append(ts.gstart, len(ts.groups))
		first := len(ts.groups)
		groupOf := map[int32]int{} // level → index in ts.groups
		censored := 0
		for _, i := range byKey[k] {
			if obs[i].Censor == Upper {
				censored++
			}
		}
		// A systematic sample of at most MarginalCensoredSample of the
		// key's censored tests (its j-th censored test is kept when the
		// sample's count steps up there), each standing for
		// censored/kept.
		kept, seen := min(censored, MarginalCensoredSample), 0
		ts.weight = append(ts.weight, 1)
		if kept < censored {
			ts.weight[ki] = float64(censored) / float64(kept)
		}
		for _, i := range byKey[k] {
			o := obs[i]
			n2 := o.NoiseDB * o.NoiseDB
			l, ok := levelOf[n2]
			if !ok {
				l = int32(len(ts.n2))
				levelOf[n2] = l
				ts.n2 = append(ts.n2, n2)
			}
			if o.Censor == Upper {
				j := seen
				seen++
				if j*kept/censored == seen*kept/censored {
					continue
				}
				ts.r = append(ts.r, o.ResidualDB)
				ts.key = append(ts.key, int32(ki))
				ts.level = append(ts.level, l)
				continue
			}
			g, ok := groupOf[l]
			if !ok {
				g = len(ts.groups)
				groupOf[l] = g
				ts.groups = append(ts.groups, marginalGroup{key: int32(ki), level: l})
			}
			// Welford's update: stable for millions of tests.
			e := &ts.groups[g]
			e.n++
			d := o.ResidualDB - e.mean
			e.mean += d / e.n
			e.m2 += d * (o.ResidualDB - e.mean)
		}
		// Groups in level order, so the sums do not depend on which level
		// came first.
		slices.SortFunc(ts.groups[first:], func(a, b marginalGroup) int { return cmp.Compare(a.level, b.level) })
	}
	ts.start = append(ts.start, len(ts.r))
	ts.gstart = append(ts.gstart, len(ts.groups))
	ts.buf = make([]float64, len(ts.r))
	return ts
}

// marginalLevels are, per noise level, a test's variance v = c·base +
// noise², its square root and (when asked) its logarithm.
type marginalLevels struct{ v, sd, log []float64 }

func (ts *marginalTests) levels(c, base float64, withLog bool) marginalLevels {
	lv := marginalLevels{v: make([]float64, len(ts.n2)), sd: make([]float64, len(ts.n2))}
	if withLog {
		lv.log = make([]float64, len(ts.n2))
	}
	for l, n2 := range ts.n2 {
		lv.v[l] = c*base + n2
		lv.sd[l] = math.Sqrt(lv.v[l])
		if withLog {
			lv.log[l] = math.Log(lv.v[l])
		}
	}
	return lv
}

// marginalChunk is how many terms one goroutine computes at a time.
const marginalChunk = 8192

// sum returns start + term(first) + … + term(end−1), added one at a time
// in that order, so the result does not depend on the goroutines: with
// more than two chunks of terms, the terms are computed on up to
// GOMAXPROCS goroutines first and added after.
func (ts *marginalTests) sum(first, end int, start float64, term func(p int) float64) float64 {
	s, _ := ts.sum2(first, end, start, 0, func(p int) (float64, float64) { return term(p), 0 })
	return s
}

// sum2 is sum for two sums at once: it returns start1 and start2 plus
// the first and the second values of term(first) … term(end−1), each
// added in that order.
func (ts *marginalTests) sum2(first, end int, start1, start2 float64, term func(p int) (float64, float64)) (float64, float64) {
	s1, s2 := start1, start2
	chunks := (end - first + marginalChunk - 1) / marginalChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if chunks <= 2 || workers < 2 {
		for p := first; p < end; p++ {
			a, b := term(p)
			s1 += a
			s2 += b
		}
		return s1, s2
	}
	if len(ts.buf2) < len(ts.buf) {
		ts.buf2 = make([]float64, len(ts.buf))
	}
	parallel.For(chunks, workers, func(ch int) {
		lo := first + ch*marginalChunk
		for p := lo; p < min(lo+marginalChunk, end); p++ {
			ts.buf[p], ts.buf2[p] = term(p)
		}
	})
	for p := first; p < end; p++ {
		s1 += ts.buf[p]
		s2 += ts.buf2[p]
	}
	return s1, s2
}

// MillsRatio returns φ(a)/Φ(a), the inverse Mills ratio of a normal
// truncated above at the standard score a (the truncated mean is
// μ − σ·MillsRatio(a)), stably for very negative a (where it tends to −a).
func MillsRatio(a float64) float64 {
	if a < -30 {
		return -a
	}
	// φ(a) = exp(−a²/2)/√(2π) and Φ(a) = erfc(−a/√2)/2, written out:
	// distuv's Prob goes through a logarithm of σ = 1 on every call.
	return math.Exp(-0.5*a*a) * (2 / math.Sqrt(2*math.Pi)) / math.Erfc(-a/math.Sqrt2)
}

// millsSlope returns λ(a)(a + λ(a)), λ = MillsRatio(a) given as l: minus
// the derivative of λ, in (0, 1), and so minus the second derivative of
// log Φ at a. Below a = −30, where λ(a) = −a to rounding and the product
// would cancel to 0, it is its limit 1.
func millsSlope(a, l float64) float64 {
	if a < -30 {
		return 1
	}
	return l * (a + l)
}

// logNormCDF returns log Φ(z), by the asymptotic series for z < −30
// where Φ underflows (log φ(z) − log(−z), relative error below 10⁻³).
func logNormCDF(z float64) float64 {
	if z < -30 {
		return -0.5*z*z - 0.5*math.Log(2*math.Pi) - math.Log(-z)
	}
	return math.Log(0.5 * math.Erfc(-z/math.Sqrt2))
}
