package radiomap

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// fitMarginalReference is FitMarginal as it was written first: one test
// at a time, in key order, on one goroutine (a censored test's likelihood
// the mixture ε + (1 − ε)Φ(z) of SpuriousCensoredShare, written out). FitMarginal sums the exact
// tests by group (count, mean, squared deviations) instead, which moves
// its sums by rounding only; the searches then stop within their
// tolerances of the reference's answer (means to 10⁻⁹ dB by bisection,
// log c to 10⁻⁶ by golden section, which a rounding-level change of the
// likelihood can steer to a neighbouring point within that tolerance).
func fitMarginalReference(obs []Obs, m Model, priorSigmaDB float64) (Marginal, error) {
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
	byKey := map[Key][]int{}
	for i, o := range obs {
		byKey[o.Key] = append(byKey[o.Key], i)
	}
	keys := make([]Key, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
	})
	base := m.Cov(0, true) + m.NuggetDB2
	means := make([]float64, len(keys))
	fitted := make([]bool, len(keys))
	for ki, k := range keys {
		fitted[ki] = len(byKey[k]) >= MinMeanTests
	}
	fitMeans := func(c float64) {
		for ki, k := range keys {
			if !fitted[ki] {
				continue
			}
			idx := byKey[k]
			grad := func(mu float64) float64 {
				g := -mu / (priorSigmaDB * priorSigmaDB)
				for _, i := range idx {
					o := obs[i]
					v := c*base + o.NoiseDB*o.NoiseDB
					if o.Censor == Exact {
						g += (o.ResidualDB - mu) / v
						continue
					}
					// d/dμ log(ε + (1 − ε)Φ(z)), z = (b − μ)/sd.
					sd := math.Sqrt(v)
					z := (o.ResidualDB - mu) / sd
					const eps = SpuriousCensoredShare
					g -= (1 - eps) * math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) / (eps + (1-eps)*(1+math.Erf(z/math.Sqrt2))/2) / sd
				}
				return g
			}
			lo, hi := -1.0, 1.0
			for grad(lo) < 0 {
				lo *= 2
			}
			for grad(hi) > 0 {
				hi *= 2
			}
			for range 200 {
				mid := 0.5 * (lo + hi)
				if grad(mid) > 0 {
					lo = mid
				} else {
					hi = mid
				}
				if hi-lo < 1e-9 {
					break
				}
			}
			means[ki] = 0.5 * (lo + hi)
		}
	}
	// Log-likelihood of the tests for scale c at the current means.
	loglik := func(c float64) float64 {
		var ll float64
		for ki, k := range keys {
			for _, i := range byKey[k] {
				o := obs[i]
				v := c*base + o.NoiseDB*o.NoiseDB
				if v <= 0 {
					return math.Inf(-1)
				}
				z := (o.ResidualDB - means[ki]) / math.Sqrt(v)
				if o.Censor == Exact {
					ll += -0.5*z*z - 0.5*math.Log(v)
				} else {
					const eps = SpuriousCensoredShare
					ll += math.Log(eps + (1-eps)*(1+math.Erf(z/math.Sqrt2))/2)
				}
			}
		}
		return ll
	}
	c := 1.0
	if base > 0 && len(obs) >= MinMeanTests {
		for range 20 {
			fitMeans(c)
			// Golden-section search for the maximum over log c in [log ¼, log 4].
			a, b := math.Log(0.25), math.Log(4)
			const g = 0.6180339887498949
			x1, x2 := b-g*(b-a), a+g*(b-a)
			f1, f2 := loglik(math.Exp(x1)), loglik(math.Exp(x2))
			for b-a > 1e-6 {
				if f1 < f2 {
					a, x1, f1 = x1, x2, f2
					x2 = a + g*(b-a)
					f2 = loglik(math.Exp(x2))
				} else {
					b, x2, f2 = x2, x1, f1
					x1 = b - g*(b-a)
					f1 = loglik(math.Exp(x1))
				}
			}
			next := math.Exp(0.5 * (a + b))
			done := math.Abs(next-c) < 1e-4
			c = next
			if done {
				break
			}
		}
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

// FitMarginal gives what the one-goroutine reference gives, within the
// searches' tolerances (scale to 10⁻⁵ relative, means to 10⁻⁵ dB: the
// outputs print 0.1 dB and a Monte Carlo draw moves only if it lies
// within that of a threshold), on keys large enough to be split across goroutines and small enough
// not to be, with many noise levels, censored tests and a key too small
// to fit.
func TestFitMarginalMatchesReference(t *testing.T) {
	m := Model{SharedSillDB2: 20, SharedRangeM: 300, CarrierSillDB2: 5, CarrierRangeM: 500, OwnSillDB2: 10, OwnRangeM: 100, NuggetDB2: 7}
	keys := []Key{{engine.Viettel, engine.Tech4G}, {engine.Viettel, engine.Tech3G}, {engine.MobiFone, engine.Tech4G},
		{engine.Vietnamobile, engine.Tech2G}, {engine.VinaPhone, engine.Tech4G}}
	sizes := []int{3 * marginalChunk, 2*marginalChunk + 17, 500, MinMeanTests - 1, 90}
	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 11))
		var obs []Obs
		for ki, k := range keys {
			for i := range sizes[ki] {
				n := 1 + rng.IntN(40)
				o := Obs{Lon: 105 + rng.Float64(), Lat: 20 + rng.Float64(), Key: k, ResidualDB: float64(ki) - 2 + 6*rng.NormFloat64(),
					NoiseDB: []float64{4, 3, math.Hypot(4, 6), 0}[rng.IntN(4)] / math.Sqrt(float64(n))}
				if i%3 == 0 || o.ResidualDB < -6 {
					o.Censor, o.ResidualDB = Upper, math.Round(o.ResidualDB)
				}
				obs = append(obs, o)
			}
		}
		rng.Shuffle(len(obs), func(i, j int) { obs[i], obs[j] = obs[j], obs[i] })
		for _, prior := range []float64{0, 3} {
			t.Run(fmt.Sprintf("seed%d/prior%v", seed, prior), func(t *testing.T) {
				want, err := fitMarginalReference(obs, m, prior)
				if err != nil {
					t.Fatal(err)
				}
				got, err := FitMarginal(obs, m, prior)
				if err != nil {
					t.Fatal(err)
				}
				if !(want.Scale > 0.26 && want.Scale < 3.9) {
					t.Fatalf("scale %v at its bounds: the case does not exercise the search", want.Scale)
				}
				// The mixture's profile in c is flatter than the Tobit
				// model's was (a far bound's term no longer grows with
				// c), so the two searches' stopping points lie a little
				// further apart: 5·10⁻⁵ relative, 5·10⁻⁵ dB (it was 10⁻⁵).
				ok := math.Abs(got.Scale/want.Scale-1) <= 5e-5 && len(got.Means) == len(want.Means)
				for i := range got.Means {
					g, w := got.Means[i], want.Means[i]
					ok = ok && g.Key == w.Key && g.Tests == w.Tests && math.Abs(g.MeanDB-w.MeanDB) <= 5e-5
				}
				scaled := m
				scaled.SharedSillDB2 *= got.Scale
				scaled.CarrierSillDB2 *= got.Scale
				scaled.OwnSillDB2 *= got.Scale
				scaled.NuggetDB2 *= got.Scale
				if !ok || got.Model != scaled {
					t.Errorf("FitMarginal = %+v\nreference    %+v", got, want)
				}
			})
		}
	}
}

// Beyond MarginalCensoredSample censored tests of a key, FitMarginal
// sums a systematic sample of them, each weighing censored/kept: on
// 400,000 tests of one key (60% censored) its mean and scale stay within
// 0.05 dB and 1% of the reference's, which sums them all; a key under the
// sample size is fitted exactly as before (within the searches'
// tolerances).
func TestFitMarginalCensoredSample(t *testing.T) {
	m := Model{SharedSillDB2: 20, SharedRangeM: 300, OwnSillDB2: 10, OwnRangeM: 100, NuggetDB2: 7}
	big, small := Key{engine.Viettel, engine.Tech4G}, Key{engine.MobiFone, engine.Tech3G}
	rng := rand.New(rand.NewPCG(21, 22))
	var obs []Obs
	for i := range 400_000 + 5_000 {
		k := big
		if i%81 == 0 {
			k = small
		}
		o := Obs{Lon: 105 + rng.Float64(), Lat: 20 + rng.Float64(), Key: k, ResidualDB: -3 + 6*rng.NormFloat64(), NoiseDB: 4}
		if o.ResidualDB < 0 {
			o.Censor, o.ResidualDB = Upper, math.Round(o.ResidualDB)
		}
		obs = append(obs, o)
	}
	censored := 0
	for _, o := range obs {
		if o.Key == big && o.Censor == Upper {
			censored++
		}
	}
	if censored < 3*MarginalCensoredSample {
		t.Fatalf("%d censored tests of the big key: the case does not sample", censored)
	}
	want, err := fitMarginalReference(obs, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := FitMarginal(obs, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Scale/want.Scale-1) > 0.01 {
		t.Errorf("scale %v, reference %v", got.Scale, want.Scale)
	}
	for i, g := range got.Means {
		if w := want.Means[i]; g.Key != w.Key || g.Tests != w.Tests || math.Abs(g.MeanDB-w.MeanDB) > 0.05 {
			t.Errorf("mean %+v, reference %+v", g, w)
		}
	}
	if got.Means[0].MeanDB == want.Means[0].MeanDB && got.Means[1].MeanDB == want.Means[1].MeanDB {
		t.Error("the sampled fit equals the reference to the bit: nothing was sampled")
	}
}
