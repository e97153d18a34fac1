package radiomap

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// FitMarginal recovers a known mean and variance scale from a Tobit
// sample: 4,000 independent residuals of one key with mean +4 dB and
// twice the model's variance (model total 40 dB², true 80 dB²), every
// value below 0 dB reported only as "≤ 0" (about a third). The estimates
// must be within 0.4 dB and 8% (standard errors about 0.15 dB and 3%),
// while the mean of the exact values alone is biased up by more than
// 2 dB and their variance down by a third — what the variogram, which
// reads exact tests only, would see. A key with fewer than MinMeanTests
// tests keeps mean 0.
func TestFitMarginalRecoversMeanAndScale(t *testing.T) {
	m := Model{SharedSillDB2: 20, SharedRangeM: 300, OwnSillDB2: 10, OwnRangeM: 100, NuggetDB2: 10}
	const trueMean, trueScale, bound = 4.0, 2.0, 0.0
	a := Key{engine.Viettel, engine.Tech3G}
	b := Key{engine.MobiFone, engine.Tech4G}
	rng := rand.New(rand.NewPCG(7, 7))
	sd := math.Sqrt(trueScale * (m.Cov(0, true) + m.NuggetDB2))
	var obs []Obs
	var exactSum, exactSq float64
	var nExact int
	for i := range 4000 {
		r := trueMean + sd*rng.NormFloat64()
		o := Obs{Lon: 105 + float64(i%100)*0.01, Lat: 21 + float64(i/100)*0.01, Key: a, ResidualDB: r}
		if r <= bound {
			o.ResidualDB, o.Censor = bound, Upper
		} else {
			exactSum += r
			exactSq += r * r
			nExact++
		}
		obs = append(obs, o)
	}
	for i := range MinMeanTests - 1 {
		obs = append(obs, Obs{Lon: 106, Lat: 21 + float64(i)*0.01, Key: b, ResidualDB: 9})
	}
	mg, err := FitMarginal(obs, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(mg.Means) != 2 {
		t.Fatalf("means %+v, want two keys", mg.Means)
	}
	// Sorted by carrier: mobifone first.
	if mg.Means[0].Key != b || mg.Means[0].MeanDB != 0 || mg.Means[0].Tests != MinMeanTests-1 {
		t.Errorf("key with %d tests: %+v, want mean 0", MinMeanTests-1, mg.Means[0])
	}
	if got := mg.Means[1]; got.Key != a || math.Abs(got.MeanDB-trueMean) > 0.4 || got.Tests != 4000 {
		t.Errorf("mean %+v, want %v ± 0.4 over 4000 tests", got, trueMean)
	}
	if math.Abs(mg.Scale/trueScale-1) > 0.08 {
		t.Errorf("scale %.3f, want %v ± 8%%", mg.Scale, trueScale)
	}
	if want := (Model{SharedSillDB2: 20 * mg.Scale, SharedRangeM: 300, OwnSillDB2: 10 * mg.Scale, OwnRangeM: 100, NuggetDB2: 10 * mg.Scale}); mg.Model != want {
		t.Errorf("scaled model %+v, want %+v", mg.Model, want)
	}
	exMean := exactSum / float64(nExact)
	exVar := exactSq/float64(nExact) - exMean*exMean
	if exMean-trueMean < 2 || exVar > 0.67*sd*sd {
		t.Errorf("exact values alone: mean %.2f, variance %.1f; the test needs them biased (mean > %v, variance < %.1f)",
			exMean, exVar, trueMean+2, 0.67*sd*sd)
	}
}

// With exact tests only and a variance that matches the model, the mean
// is the sample mean shrunk by the prior (n/v / (n/v + 1/σp²)) and the
// scale is the sample variance over the model's (clamped to [¼, 4]).
func TestFitMarginalExactKnownAnswer(t *testing.T) {
	m := Model{OwnSillDB2: 9, OwnRangeM: 100, NuggetDB2: 0}
	k := Key{engine.Viettel, engine.Tech4G}
	// Residuals 2 ± 3 (alternating): sample mean 2, variance 9 = model.
	var obs []Obs
	for i := range 40 {
		r := 5.0
		if i%2 == 1 {
			r = -1
		}
		obs = append(obs, Obs{Lon: 105, Lat: 21 + float64(i)*0.001, Key: k, ResidualDB: r})
	}
	mg, err := FitMarginal(obs, m, 10)
	if err != nil {
		t.Fatal(err)
	}
	// The scale maximises Σ log N(r_i; μ, c·9) at the fitted μ (the two
	// alternate to a joint optimum): c = mean((r − μ)²)/9.
	mu := mg.Means[0].MeanDB
	var ss float64
	for _, o := range obs {
		ss += (o.ResidualDB - mu) * (o.ResidualDB - mu)
	}
	wantC := ss / 40 / 9
	if math.Abs(mg.Scale-wantC) > 1e-3 {
		t.Errorf("scale %.5f, want %.5f", mg.Scale, wantC)
	}
	v := mg.Scale * 9
	wantMu := 2 * (40 / v) / (40/v + 1/100.0)
	if math.Abs(mu-wantMu) > 1e-6 {
		t.Errorf("mean %.6f, want %.6f", mu, wantMu)
	}
}

func TestFitMarginalErrors(t *testing.T) {
	m := Model{OwnSillDB2: 9, OwnRangeM: 100}
	if _, err := FitMarginal(nil, Model{}, 0); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("zero model: %v", err)
	}
	if _, err := FitMarginal(nil, m, -1); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("negative prior: %v", err)
	}
	if _, err := FitMarginal([]Obs{{Lon: 200}}, m, 0); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("bad obs: %v", err)
	}
	mg, err := FitMarginal(nil, m, 0)
	if err != nil || len(mg.Means) != 0 || mg.Scale != 1 {
		t.Errorf("no tests: %+v, %v; want no means and scale 1", mg, err)
	}
}

// A key's mean is what the map kriges around: far from every test the
// posterior of a key with a mean is that mean (a key without one, 0), and
// beside an exact test the posterior moves from the mean towards the test
// as simple kriging of r − m_k would.
func TestMapKeyMeans(t *testing.T) {
	m := Model{OwnSillDB2: 16, OwnRangeM: 200, NuggetDB2: 4}
	a := Key{engine.Viettel, engine.Tech3G}
	b := Key{engine.VinaPhone, engine.Tech3G}
	obs := []Obs{{Lon: 105, Lat: 21, Key: a, ResidualDB: 10}}
	mp, err := New(obs, m, Options{KeyMeans: []KeyMean{{Key: a, MeanDB: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	far, err := mp.At(105.5, 21.5, []Key{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if far.MeanDB[0] != 4 || far.MeanDB[1] != 0 {
		t.Errorf("far from tests: means %v, want [4 0]", far.MeanDB)
	}
	at, err := mp.At(105, 21, []Key{a})
	if err != nil {
		t.Fatal(err)
	}
	// Simple kriging of r − m = 6 at the test's own place: weight 16/(16+4).
	if want := 4 + 6*16.0/20; math.Abs(at.MeanDB[0]-want) > 1e-9 {
		t.Errorf("at the test: mean %v, want %v", at.MeanDB[0], want)
	}
	for _, bad := range [][]KeyMean{{{Key: a, MeanDB: math.NaN()}}, {{Key: a}, {Key: a, MeanDB: 1}}} {
		if _, err := New(obs, m, Options{KeyMeans: bad}); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("key means %+v: %v, want ErrInvalidConfig", bad, err)
		}
	}
}

// MillsRatio against φ(a)/Φ(a) from tabulated values of the standard
// normal density and distribution (Abramowitz & Stegun, Table 26.1), and
// its asymptote −a + 1/a… far in the lower tail (−a to within 1/a).
func TestMillsRatio(t *testing.T) {
	for _, c := range []struct{ a, phi, cdf float64 }{
		{0, 0.3989422804014327, 0.5},
		{-1, 0.24197072451914337, 0.15865525393145707},
		{2, 0.05399096651318806, 0.9772498680518208},
		{-3, 0.0044318484119380075, 0.0013498980316301035},
	} {
		want := c.phi / c.cdf
		if got := MillsRatio(c.a); math.Abs(got/want-1) > 1e-13 {
			t.Errorf("MillsRatio(%v) = %.16g, want %.16g", c.a, got, want)
		}
	}
	for _, a := range []float64{-20, -29.9, -30.1, -40} {
		if got := MillsRatio(a); math.Abs(got-(-a)) > 1/(-a) || got < -a {
			t.Errorf("MillsRatio(%v) = %v, want just above %v", a, got, -a)
		}
	}
}

// TestFitMarginalNoMean: tests marked NoMean (a phone's fallback readings)
// are left out of the keys' means and of the class offsets: adding many
// of them 20 dB down moves nothing, where unmarked they pull the mean.
func TestFitMarginalNoMean(t *testing.T) {
	key := Key{Carrier: engine.Viettel, Tech: engine.Tech3G}
	m := Model{SharedSillDB2: 20, SharedRangeM: 300, NuggetDB2: 4}
	var base []Obs
	for i := range 200 {
		base = append(base, Obs{Lon: 103 + float64(i)*1e-3, Lat: 22, Key: key, ResidualDB: 2 + float64(i%5) - 2, NoiseDB: 1})
	}
	with := append([]Obs(nil), base...)
	for i := range 200 {
		with = append(with, Obs{Lon: 104 + float64(i)*1e-3, Lat: 22, Key: key, ResidualDB: -20, NoiseDB: 1, NoMean: true})
	}
	a, err := FitMarginal(base, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitMarginal(with, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Means[0].MeanDB != b.Means[0].MeanDB || a.Scale != b.Scale {
		t.Errorf("NoMean tests moved the fit: mean %g → %g, scale %g → %g", a.Means[0].MeanDB, b.Means[0].MeanDB, a.Scale, b.Scale)
	}
	for i := range with {
		with[i].NoMean = false
	}
	c, err := FitMarginal(with, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(c.Means[0].MeanDB < a.Means[0].MeanDB-5) {
		t.Errorf("unmarked, the same tests should pull the mean down: %g against %g", c.Means[0].MeanDB, a.Means[0].MeanDB)
	}
	mem := make([]Membership, len(with))
	for i := range with {
		with[i].NoMean = i >= len(base)
		if i >= len(base) {
			mem[i] = Membership{Class: 1}
		}
	}
	off, err := FitClassOffsets(with, mem, 2, a, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if off[1].OffsetDB != 0 || off[1].Weight != 0 {
		t.Errorf("class 1 holds only NoMean tests: offset %g from weight %g, want 0 from 0", off[1].OffsetDB, off[1].Weight)
	}
}
