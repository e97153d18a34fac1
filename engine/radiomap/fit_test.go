package radiomap

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// fitSeeds fits the model to fields simulated with seeds 1..n (1,500
// tests in 150 clusters 200 m across over 15 km × 15 km, two keys) and
// returns the fitted models.
func fitSeeds(t *testing.T, truth Model, n int) []Model {
	t.Helper()
	var out []Model
	for seed := uint64(1); seed <= uint64(n); seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		sim := simulate(t, truth, []Key{kV4, kM4}, 1500, 10, 15000, 200, rng)
		m, rep, err := Fit(sim.obs, FitOptions{MaxDistM: 3000, BinWidthM: 100, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.SharedIdentified || rep.Exact != 1500 || rep.Pairs != rep.SamePairs+rep.CrossPairs {
			t.Fatalf("seed %d: report %+v", seed, rep)
		}
		t.Logf("seed %d: Ss %.1f a_s %.0f So %.1f a_o %.0f N %.2f (%d pairs)", seed,
			m.SharedSillDB2, m.SharedRangeM, m.OwnSillDB2, m.OwnRangeM, m.NuggetDB2, rep.Pairs)
		out = append(out, m)
	}
	return out
}

func field(ms []Model, f func(Model) float64) []float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = f(m)
	}
	return v
}

// Fit on simulated fields of known parameters. One 1,500-test field pins
// the parameters only loosely (a single realisation: the fitted total sill
// varies by about ±20% between seeds, ranges by a factor of 2), so each
// seed is held to a loose bound and the median over eight seeds to the
// stated tolerance: sills and nugget within 25%, ranges within 30%, total
// variance within 10%, the shared share of the structured variance within
// 0.1.
func TestFitRecoversSimulatedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates eight 1,500-test fields")
	}
	truth := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	ms := fitSeeds(t, truth, 8)
	total := func(m Model) float64 { return m.SharedSillDB2 + m.OwnSillDB2 + m.NuggetDB2 }
	share := func(m Model) float64 { return m.SharedSillDB2 / (m.SharedSillDB2 + m.OwnSillDB2) }
	for i, m := range ms {
		if r := rel(total(m), total(truth)); r > 0.45 {
			t.Errorf("seed %d: total variance %.1f, want %.1f ± 45%%", i+1, total(m), total(truth))
		}
	}
	for _, c := range []struct {
		name string
		f    func(Model) float64
		tol  float64
	}{
		{"SharedSillDB2", func(m Model) float64 { return m.SharedSillDB2 }, 0.25},
		{"OwnSillDB2", func(m Model) float64 { return m.OwnSillDB2 }, 0.25},
		{"NuggetDB2", func(m Model) float64 { return m.NuggetDB2 }, 0.25},
		{"SharedRangeM", func(m Model) float64 { return m.SharedRangeM }, 0.30},
		{"OwnRangeM", func(m Model) float64 { return m.OwnRangeM }, 0.30},
		{"total variance", total, 0.10},
	} {
		got, want := median(field(ms, c.f)), c.f(truth)
		if rel(got, want) > c.tol {
			t.Errorf("median %s = %.3g, want %.3g ± %.0f%%", c.name, got, want, 100*c.tol)
		}
	}
	if got, want := median(field(ms, share)), share(truth); math.Abs(got-want) > 0.1 {
		t.Errorf("median shared share = %.2f, want %.2f ± 0.1", got, want)
	}
}

// The cross-key pairs alone tell a shared field from independent ones:
// keys with no shared part get a small shared share, keys with nothing of
// their own a large one.
func TestFitSeparatesSharedFromOwn(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates eight 1,500-test fields")
	}
	share := func(m Model) float64 { return m.SharedSillDB2 / (m.SharedSillDB2 + m.OwnSillDB2) }
	indep := fitSeeds(t, Model{OwnSillDB2: 25, OwnRangeM: 500, NuggetDB2: 4}, 4)
	if got := median(field(indep, share)); got > 0.2 {
		t.Errorf("independent keys: median shared share %.2f, want ≤ 0.2", got)
	}
	shared := fitSeeds(t, Model{SharedSillDB2: 25, SharedRangeM: 500, NuggetDB2: 4}, 4)
	if got := median(field(shared, share)); got < 0.9 {
		t.Errorf("fully shared: median shared share %.2f, want ≥ 0.9", got)
	}
}

// With one key the shared part is not identified and goes to the own
// part; the semivariogram bins are those of a hand-checkable layout.
func TestFitOneKeyAndBins(t *testing.T) {
	// Tests along the equator 10 m apart with residuals alternating
	// 0, 2 (NoiseDB 0): a pair at an odd multiple of 10 m has
	// semivariance ½·2² = 2, at an even multiple 0.
	var obs []Obs
	for i := range 60 {
		obs = append(obs, Obs{Lon: eqLon(10 * float64(i)), Key: kV4, ResidualDB: float64(2 * (i % 2))})
	}
	// Bins 8.5 m wide keep every lag 10·j m well inside its own bin.
	obs = append(obs, Obs{Lon: 0, Key: kV4, ResidualDB: -50, Censor: Upper})
	_, rep, err := Fit(obs, FitOptions{MaxDistM: 105, BinWidthM: 8.5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.SharedIdentified || rep.Model.SharedSillDB2 != 0 || rep.Censored != 1 || rep.Exact != 60 {
		t.Errorf("report %+v", rep)
	}
	// All 10 lags 10..100 m have 60−j pairs; 105 m excludes 110.
	if rep.Pairs != 60*10-55 {
		t.Errorf("pairs %d, want %d", rep.Pairs, 60*10-55)
	}
	for _, b := range rep.Bins {
		j := int(math.Round(b.DistM / 10))
		if b.LoM > 10*float64(j) || b.HiM <= 10*float64(j) {
			t.Errorf("bin [%v, %v) holds lag %d m", b.LoM, b.HiM, 10*j)
		}
		want := 0.0
		if j%2 == 1 {
			want = 2
		}
		if !b.SameKey || b.Pairs != 60-j || math.Abs(b.SemivarianceDB2-want) > 1e-9 || math.Abs(b.DistM-10*float64(j)) > 1e-6 {
			t.Errorf("bin %+v, want lag %d m semivariance %v pairs %d", b, 10*j, want, 60-j)
		}
	}
	if len(rep.KeyMeans) != 1 || rep.KeyMeans[0].MeanDB != 1 || rep.KeyMeans[0].Tests != 60 {
		t.Errorf("key means %+v, want one of mean 1 over 60 tests", rep.KeyMeans)
	}
	// The tests' own noise comes off each pair: NoiseDB 1 and 2 on
	// alternate tests take ½(1 + 4) = 2.5 dB² off every odd lag and 1 or
	// 4 off the even ones (pairs of two quiet or two noisy tests).
	noisy := slices.Clone(obs)
	for i := range noisy {
		noisy[i].NoiseDB = float64(1 + i%2)
	}
	_, rn, err := Fit(noisy, FitOptions{MaxDistM: 105, BinWidthM: 8.5})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range rn.Bins {
		j := int(math.Round(b.DistM / 10))
		// At an even lag j the 60−j pairs (i, i+j) are both quiet for
		// even i, ⌈(60−j)/2⌉ of them, and both noisy otherwise.
		want := rep.Bins[i].SemivarianceDB2 - 2.5
		if j%2 == 0 {
			n := 60 - j
			quiet := (n + 1) / 2
			want = rep.Bins[i].SemivarianceDB2 - (float64(quiet)*1+float64(n-quiet)*4)/float64(n)
		}
		near(t, "noise-corrected semivariance", b.SemivarianceDB2, want, 1e-9)
	}
}

// MaxPairs bounds the sample; the same seed gives the same fit.
func TestFitBoundedAndDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	obs := make([]Obs, 20000)
	for i := range obs {
		obs[i] = Obs{Lon: 105 + rng.Float64()*0.05, Lat: 21 + rng.Float64()*0.05, Key: []Key{kV4, kM4}[i%2], ResidualDB: rng.NormFloat64() * 4}
	}
	opt := FitOptions{MaxPairs: 30000, Seed: 5}
	m1, r1, err := Fit(obs, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Two pairs an anchor (30,000 over the 20,000 tests, at least 2):
	// the sample spreads over 15,000 anchors.
	if r1.Pairs != 30000 || r1.Anchors < 15000 {
		t.Errorf("pairs %d anchors %d, want 30000 and ≥ 15000", r1.Pairs, r1.Anchors)
	}
	// Half of each anchor's budget goes to lags within MaxDistM/5 (1 km),
	// which uniform sampling would give only a few per cent of pairs.
	near := 0
	for _, b := range r1.Bins {
		if b.HiM <= 1000 {
			near += b.Pairs
		}
	}
	if share := float64(near) / float64(r1.Pairs); share < 0.45 || share > 0.55 {
		t.Errorf("pairs within 1 km: %.2f of all, want about half", share)
	}
	m2, r2, _ := Fit(obs, opt)
	if m1 != m2 || r1.Objective != r2.Objective || !slices.Equal(r1.Bins, r2.Bins) {
		t.Errorf("two fits differ: %+v %+v", m1, m2)
	}
	// White noise of variance 16: a flat semivariogram. (With about a
	// hundred pairs in the first bin its noise can be fitted by a short
	// own range, so the split between nugget and own sill is not pinned.)
	for _, h := range []float64{500, 2500} {
		if g := m1.Semivariogram(h, true); rel(g, 16) > 0.05 {
			t.Errorf("white noise: γ(%v m) = %.2f, want 16 ± 5%%", h, g)
		}
	}
}

func TestFitErrors(t *testing.T) {
	obs := make([]Obs, MinFitObs-1)
	for i := range obs {
		obs[i] = Obs{Lon: 105 + float64(i)*1e-3, Lat: 21, Key: kV4, ResidualDB: float64(i % 3)}
	}
	if _, _, err := Fit(obs, FitOptions{}); !errors.Is(err, ErrTooFewObs) {
		t.Errorf("Fit(%d obs) = %v, want ErrTooFewObs", len(obs), err)
	}
	// Enough tests but too far apart for any pair.
	far := make([]Obs, 40)
	for i := range far {
		far[i] = Obs{Lon: 100 + float64(i)*0.5, Lat: 15, Key: kV4}
	}
	if _, _, err := Fit(far, FitOptions{}); !errors.Is(err, ErrTooFewObs) {
		t.Errorf("Fit(far apart) = %v, want ErrTooFewObs", err)
	}
	for _, o := range []FitOptions{{MaxPairs: -1}, {BinWidthM: -1}, {MaxDistM: math.NaN()}, {MaxDistM: 100, BinWidthM: 200}} {
		if _, _, err := Fit(obs, o); err == nil {
			t.Errorf("Fit with %+v: no error", o)
		}
	}
}

// covFrom over termsAt is CovRel bit for bit, for every relation, with
// and without each component.
func TestCovTermsEqualCovRel(t *testing.T) {
	models := []Model{
		{SharedSillDB2: 48.2, SharedRangeM: 2027, CarrierSillDB2: 36.1, CarrierRangeM: 80.6, OwnSillDB2: 8.6, OwnRangeM: 215, NuggetDB2: 5.5},
		{SharedSillDB2: 0, SharedRangeM: 0, CarrierSillDB2: 20, CarrierRangeM: 150, OwnSillDB2: 30, OwnRangeM: 90},
		{SharedSillDB2: 12, SharedRangeM: 500, OwnSillDB2: 40, OwnRangeM: 120},
	}
	for _, m := range models {
		for _, d := range []float64{0, 1e-9, 0.5, 37, 80.6, 299.99, 1234.5, 5000, 2e4} {
			tm := m.termsAt(d)
			for _, r := range []Relation{OtherCarrier, SameCarrier, SameKey} {
				if got, want := m.covFrom(tm, r), m.CovRel(d, r); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("model %+v, d %v, relation %v: %v, CovRel %v", m, d, r, got, want)
				}
			}
		}
	}
}
