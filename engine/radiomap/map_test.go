package radiomap

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

var (
	kV4 = Key{engine.Viettel, engine.Tech4G}
	kM4 = Key{engine.MobiFone, engine.Tech4G}
	kN3 = Key{engine.VinaPhone, engine.Tech3G}
)

// eqLon is the longitude, on the equator, distM metres east of 0°E: the
// great-circle distance along the equator is EarthRadiusM·Δλ exactly.
func eqLon(distM float64) float64 { return distM / EarthRadiusM * 180 / math.Pi }

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (±%g)", name, got, want, tol)
	}
}

// weights returns the kriging weights of the obs at the target: the
// posterior mean is linear in the residuals, so with residual vector e_i
// the mean is the weight of test i. It also returns the posterior variance.
func weights(t *testing.T, lons []float64, target float64, m Model, opt Options) ([]float64, float64) {
	t.Helper()
	w := make([]float64, len(lons))
	var v float64
	for i := range lons {
		obs := make([]Obs, len(lons))
		for j, lon := range lons {
			obs[j] = Obs{Lon: lon, Key: kV4}
		}
		obs[i].ResidualDB = 1
		mp, err := New(obs, m, opt)
		if err != nil {
			t.Fatal(err)
		}
		p, err := mp.At(target, 0, []Key{kV4})
		if err != nil {
			t.Fatal(err)
		}
		w[i], v = p.MeanDB[0], p.Cov[0]
	}
	return w, v
}

// Two tests on a line at 0 and 1000 m, target at 250 m, exponential
// covariance of sill 1 and range 1000 m, no nugget: C10 = e^−0.25,
// C20 = e^−0.75, C12 = e^−1.
//
// Simple kriging solves [1 C12; C12 1]·w = [C10; C20]:
// w1 = (C10 − C12·C20)/(1 − C12²) = 0.699724214…, w2 = (C20 − C12·C10)/(1 − C12²)
// = 0.214952400…, σ² = 1 − w1·C10 − w2·C20 = 0.353517910….
//
// Ordinary kriging adds λ1 + λ2 = 1 and a Lagrange multiplier μ:
// λ1 = (C10 − C20 + 1 − C12)/(2 − 2·C12) = 0.742385907…, λ2 = 0.257614093…,
// μ = C10 − λ1 − λ2·C12 = −0.058356053…, σ² = 1 − λ1·C10 − λ2·C20 − μ =
// 0.358497046….
func TestKrigingTwoPointsKnownAnswers(t *testing.T) {
	lons := []float64{0, eqLon(1000)}
	target := eqLon(250)
	m := Model{SharedSillDB2: 1, SharedRangeM: 1000}

	t.Run("simple", func(t *testing.T) {
		w, v := weights(t, lons, target, m, Options{})
		near(t, "w1", w[0], 0.6997242143587123, 1e-9)
		near(t, "w2", w[1], 0.2149523997886051, 1e-9)
		near(t, "σ²", v, 0.3535179098318595, 1e-9)
	})
	t.Run("simple, nugget 0.5", func(t *testing.T) {
		// [1.5 C12; C12 1.5]·w = [C10; C20]: w1 = (1.5·C10 − C12·C20)/(2.25 − C12²).
		mn := m
		mn.NuggetDB2 = 0.5
		w, v := weights(t, lons, target, mn, Options{})
		near(t, "w1", w[0], 0.4702529073633425, 1e-9)
		near(t, "w2", w[1], 0.19958011731396144, 1e-9)
		near(t, "σ²", v, 0.5394916954925808, 1e-9)
	})
	t.Run("ordinary as the mean prior widens", func(t *testing.T) {
		// The error of the Bayesian weights is O(sill/σ_m²).
		for _, tc := range []struct{ sigma, tol float64 }{{100, 2e-4}, {1000, 2e-6}} {
			w, v := weights(t, lons, target, m, Options{MeanPriorSigmaDB: tc.sigma})
			near(t, "λ1", w[0], 0.7423859072850537, tc.tol)
			near(t, "λ2", w[1], 0.2576140927149463, tc.tol)
			near(t, "σ²", v, 0.3584970458314728, tc.tol)
		}
	})
}

// Ordinary kriging of three tests against the Lagrange system solved
// here independently by Gaussian elimination.
func TestOrdinaryKrigingThreePoints(t *testing.T) {
	m := Model{SharedSillDB2: 4, SharedRangeM: 600, NuggetDB2: 0.3}
	pts := [][2]float64{{0, 0}, {eqLon(700), 0}, {eqLon(200), eqLon(500)}}
	tx, ty := eqLon(300), eqLon(150)
	n := len(pts)
	// Lagrange system (n+1)×(n+1).
	a := make([][]float64, n+1)
	for i := range a {
		a[i] = make([]float64, n+2)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d := DistanceM(pts[i][0], pts[i][1], pts[j][0], pts[j][1])
			a[i][j] = m.Cov(d, true)
			if i == j {
				a[i][j] += m.NuggetDB2
			}
		}
		a[i][n] = 1
		a[n][i] = 1
		a[i][n+1] = m.Cov(DistanceM(pts[i][0], pts[i][1], tx, ty), true)
	}
	a[n][n+1] = 1
	for c := 0; c <= n; c++ { // Gauss–Jordan with partial pivoting
		p := c
		for r := c + 1; r <= n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r <= n; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k <= n+1; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	want := make([]float64, n)
	sum := 0.0
	for i := range want {
		want[i] = a[i][n+1] / a[i][i]
		sum += want[i]
	}
	near(t, "Σλ", sum, 1, 1e-12)
	for i := range pts {
		obs := make([]Obs, n)
		for j, p := range pts {
			obs[j] = Obs{Lon: p[0], Lat: p[1], Key: kV4}
		}
		obs[i].ResidualDB = 1
		mp, err := New(obs, m, Options{MeanPriorSigmaDB: 1000})
		if err != nil {
			t.Fatal(err)
		}
		p, err := mp.At(tx, ty, []Key{kV4})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "λ", p.MeanDB[0], want[i], 1e-5)
	}
}

func TestAtPriorWithoutNeighbours(t *testing.T) {
	m := Model{SharedSillDB2: 9, SharedRangeM: 500, OwnSillDB2: 4, OwnRangeM: 300, NuggetDB2: 2}
	mp, err := New([]Obs{{Lon: 105, Lat: 21, Key: kV4, ResidualDB: 5}}, m, Options{MaxDistM: 1000})
	if err != nil {
		t.Fatal(err)
	}
	p, err := mp.At(106, 21, []Key{kV4, kM4, kV4})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{13, 9, 13, 9, 13, 9, 13, 9, 13}
	for i, w := range want {
		near(t, "prior cov", p.Cov[i], w, 0)
	}
	for _, v := range p.MeanDB {
		near(t, "prior mean", v, 0, 0)
	}
	if p.Exact != 0 || p.Censored != 0 || !math.IsInf(p.NearestM, 1) {
		t.Errorf("neighbours %d/%d nearest %v, want none", p.Exact, p.Censored, p.NearestM)
	}
	// With the mean prior the variance of each key grows by σ_m² on
	// its own diagonal block.
	mp, err = New(nil, m, Options{MeanPriorSigmaDB: 3})
	if err != nil {
		t.Fatal(err)
	}
	p, _ = mp.At(106, 21, []Key{kV4, kM4})
	for i, w := range []float64{22, 9, 9, 22} {
		near(t, "prior cov with mean", p.Cov[i], w, 1e-12)
	}
}

// One exact test of another key at the target's place: the target learns
// only through the shared component. Hand-computed: the test's residual
// r = s + u_M + ε has variance Ss + So + N = 9 + 4 + 2 = 15 and covariance
// Ss = 9 with the target's s + u_V, so the mean is 9/15·6 = 3.6 and the
// variance 13 − 81/15 = 7.6; for its own key the covariance is 13, mean
// 13/15·6 = 5.2, variance 13 − 169/15 = 1.7333…, and the two are correlated
// with covariance 9 − 9·13/15 = 1.2.
func TestSharedComponentCarriesAcrossKeys(t *testing.T) {
	m := Model{SharedSillDB2: 9, SharedRangeM: 500, OwnSillDB2: 4, OwnRangeM: 300, NuggetDB2: 2}
	mp, err := New([]Obs{{Lon: 105, Lat: 21, Key: kM4, ResidualDB: 6}}, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := mp.At(105, 21, []Key{kV4, kM4})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "mean V", p.MeanDB[0], 3.6, 1e-12)
	near(t, "mean M", p.MeanDB[1], 5.2, 1e-12)
	near(t, "var V", p.Cov[0], 7.6, 1e-12)
	near(t, "var M", p.Cov[3], 13-169.0/15, 1e-12)
	near(t, "cov VM", p.Cov[1], 1.2, 1e-12)
	near(t, "cov MV", p.Cov[2], 1.2, 1e-12)
	if p.Exact != 1 || p.NearestM != 0 {
		t.Errorf("exact %d nearest %v, want 1 and 0", p.Exact, p.NearestM)
	}
}

// simpson integrates f over [a, b] with n (even) intervals.
func simpson(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}

// The exact posterior of one target given one censored test y ≤ b, by
// quadrature: p(f | y ≤ b) ∝ N(f; μ0, v) · Φ((b − E[y|f])/sd(y|f)), with
// E[y|f] = μy + c/v·(f − μ0) and Var(y|f) = vy + τ² − c²/v.
func TestCensoredOneTestMatchesQuadrature(t *testing.T) {
	m := Model{SharedSillDB2: 20, SharedRangeM: 800, OwnSillDB2: 10, OwnRangeM: 300, NuggetDB2: 4}
	cases := []struct {
		name              string
		distM, bound, tau float64
		sameKey           bool
		exact             []Obs // also conditioned on, before the censored test
	}{
		{"same place, bound at prior mean", 0, 0, 0, true, nil},
		{"200 m, bound −8 dB", 200, -8, 0, true, nil},
		{"500 m, other key, bound −12 dB, noisy", 500, -12, 3, false, nil},
		{"150 m, bound far above", 150, 25, 0, true, nil},
		{"300 m, bound −30 dB (deep tail)", 300, -30, 0, true, nil},
		{"with an exact test", 250, -6, 1, true, []Obs{{Lon: eqLon(-400), Key: kV4, ResidualDB: 4}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := kV4
			if !tc.sameKey {
				key = kM4
			}
			obs := append([]Obs{{Lon: eqLon(tc.distM), Key: key, ResidualDB: tc.bound, Censor: Upper, NoiseDB: tc.tau}}, tc.exact...)
			mp, err := New(obs, m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := mp.At(0, 0, []Key{kV4})
			if err != nil {
				t.Fatal(err)
			}
			if p.Censored != 1 || p.Exact != len(tc.exact) {
				t.Fatalf("neighbours %d exact, %d censored", p.Exact, p.Censored)
			}
			// Gaussian prior of (f, y_latent) after the exact tests, by
			// hand-rolled 2- or 3-variable conditioning.
			d := tc.distM
			v := m.Cov(0, true)
			vy := v
			c := m.Cov(d, tc.sameKey)
			mu0, muy := 0.0, 0.0
			if len(tc.exact) == 1 {
				e := tc.exact[0]
				de := DistanceM(0, 0, e.Lon, e.Lat)
				dey := DistanceM(eqLon(d), 0, e.Lon, e.Lat)
				ve := v + m.NuggetDB2
				cf := m.Cov(de, true)
				cy := m.Cov(dey, key == e.Key)
				mu0, muy = cf/ve*e.ResidualDB, cy/ve*e.ResidualDB
				v, vy, c = v-cf*cf/ve, vy-cy*cy/ve, c-cf*cy/ve
			}
			tau2 := m.NuggetDB2 + tc.tau*tc.tau
			sdYgivenF := math.Sqrt(vy + tau2 - c*c/v)
			sd := math.Sqrt(v)
			dens := func(f float64) float64 {
				return math.Exp(-(f-mu0)*(f-mu0)/(2*v)) * normCDF((tc.bound-muy-c/v*(f-mu0))/sdYgivenF)
			}
			lo, hi := mu0-14*sd, mu0+14*sd
			const n = 40000
			z := simpson(dens, lo, hi, n)
			mean := simpson(func(f float64) float64 { return f * dens(f) }, lo, hi, n) / z
			varf := simpson(func(f float64) float64 { return (f - mean) * (f - mean) * dens(f) }, lo, hi, n) / z
			near(t, "mean", p.MeanDB[0], mean, 1e-7*sd)
			near(t, "variance", p.Cov[0], varf, 1e-7*v)
		})
	}
}

func TestTruncUpperMoments(t *testing.T) {
	// Reference values by quadrature of the truncated standard normal,
	// and continuity across the switch to the asymptotic series at −30.
	for _, alpha := range []float64{3, 1, 0, -1, -3, -8, -20} {
		lam, del := truncUpper(alpha)
		z := normCDF(alpha)
		lo := min(alpha, 0) - 12
		m := simpson(func(x float64) float64 { return x * normPDF(x) }, lo, alpha, 200000) / z
		v := simpson(func(x float64) float64 { return (x - m) * (x - m) * normPDF(x) }, lo, alpha, 200000) / z
		near(t, "−λ", -lam, m, 1e-8*max(1, math.Abs(m)))
		near(t, "δ", del, v, 1e-6*v)
	}
	l1, d1 := truncUpper(-30)
	l2, d2 := truncUpper(-30.000001)
	near(t, "λ across −30", l2, l1, 1e-4)
	near(t, "δ across −30", d2/d1, 1, 1e-4)
	if l, d := truncUpper(-1e6); !(l > 0 && d > 0 && d <= 1e-11) {
		t.Errorf("truncUpper(−1e6) = %v, %v", l, d)
	}
	if l, d := truncUpper(50); l != 0 || d != 1 {
		t.Errorf("truncUpper(50) = %v, %v, want 0, 1", l, d)
	}
}

// The tree's k nearest within a radius equal a brute-force scan, ties
// broken by index.
func TestTreeNearestMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	obs := make([]Obs, n)
	for i := range obs {
		obs[i] = Obs{Lon: 105 + rng.Float64()*0.2, Lat: 21 + rng.Float64()*0.2, Key: kV4}
		if i%10 == 9 { // duplicates: ties at equal distance
			obs[i].Lon, obs[i].Lat = obs[i-5].Lon, obs[i-5].Lat
		}
	}
	mp, err := New(obs, Model{SharedSillDB2: 1, SharedRangeM: 100, NuggetDB2: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for trial := 0; trial < 200; trial++ {
		x := xyz(105+rng.Float64()*0.2, 21+rng.Float64()*0.2)
		k := 1 + rng.IntN(40)
		maxC2 := chord2Of(rng.Float64() * 3000)
		q := knn{k: k, maxC2: maxC2}
		mp.tree.nearest(x, &q)
		var all []neighbour
		for i, p := range mp.pos {
			if c2 := chord2(x, p); c2 <= maxC2 {
				all = append(all, neighbour{c2, int32(i)})
			}
		}
		sortNeighbours(all)
		if len(all) > k {
			all = all[:k]
		}
		if len(all) != len(q.h) {
			t.Fatalf("trial %d: %d neighbours, want %d", trial, len(q.h), len(all))
		}
		for i := range all {
			if all[i] != q.h[i] {
				t.Fatalf("trial %d: neighbour %d = %v, want %v", trial, i, q.h[i], all[i])
			}
		}
	}
}

func TestDistanceM(t *testing.T) {
	// One degree of longitude on the equator and of latitude anywhere:
	// EarthRadiusM·π/180 = 111 195.08 m.
	near(t, "1° lon at equator", DistanceM(105, 0, 106, 0), EarthRadiusM*math.Pi/180, 1e-6)
	near(t, "1° lat", DistanceM(105, 20, 105, 21), EarthRadiusM*math.Pi/180, 1e-6)
	// Hanoi to Ho Chi Minh City by haversine on the same sphere.
	lon1, lat1, lon2, lat2 := 105.8342, 21.0278, 106.6297, 10.8231
	p1, p2, dl := lat1*math.Pi/180, lat2*math.Pi/180, (lon2-lon1)*math.Pi/180
	h := math.Pow(math.Sin((p2-p1)/2), 2) + math.Cos(p1)*math.Cos(p2)*math.Pow(math.Sin(dl/2), 2)
	near(t, "Hanoi–HCMC", DistanceM(lon1, lat1, lon2, lat2), 2*EarthRadiusM*math.Asin(math.Sqrt(h)), 1e-6)
}

func TestValidation(t *testing.T) {
	good := Model{SharedSillDB2: 1, SharedRangeM: 100}
	for _, m := range []Model{
		{},
		{SharedSillDB2: 1},
		{OwnSillDB2: 1, NuggetDB2: 1},
		{SharedSillDB2: -1, SharedRangeM: 1, NuggetDB2: 2},
		{SharedSillDB2: math.NaN(), SharedRangeM: 1},
		{NuggetDB2: math.Inf(1)},
	} {
		if err := m.Validate(); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("%+v: Validate = %v, want ErrInvalidConfig", m, err)
		}
	}
	for _, o := range []Options{{MaxNeighbours: -1}, {MaxDistM: -1}, {MaxDistM: math.NaN()}, {MeanPriorSigmaDB: math.Inf(1)}} {
		if _, err := New(nil, good, o); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("%+v: New = %v, want ErrInvalidConfig", o, err)
		}
	}
	for _, o := range []Obs{
		{Lon: 181}, {Lat: math.NaN()}, {ResidualDB: math.Inf(-1)}, {NoiseDB: -1}, {Censor: 7},
	} {
		if _, err := New([]Obs{{}, o}, good, Options{}); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%+v: New = %v, want ErrInvalidValue", o, err)
		}
	}
	mp, _ := New(nil, good, Options{})
	if _, err := mp.At(0, 91, []Key{kV4}); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("At(0, 91) = %v, want ErrInvalidValue", err)
	}
}

// Duplicate tests at one place with no nugget and no noise are singular;
// the jitter keeps the answer finite and close to their common value.
func TestDuplicatesWithoutNugget(t *testing.T) {
	m := Model{SharedSillDB2: 4, SharedRangeM: 500}
	obs := []Obs{{Lon: eqLon(100), Key: kV4, ResidualDB: 3}, {Lon: eqLon(100), Key: kV4, ResidualDB: 3}}
	mp, err := New(obs, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := mp.At(eqLon(100), 0, []Key{kV4})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "mean", p.MeanDB[0], 3, 1e-3)
	near(t, "var", p.Cov[0], 0, 1e-3)
}

func TestAtConcurrentDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	obs := make([]Obs, 2000)
	keys := []Key{kV4, kM4, kN3}
	for i := range obs {
		obs[i] = Obs{Lon: 105 + rng.Float64()*0.1, Lat: 21 + rng.Float64()*0.1, Key: keys[i%3], ResidualDB: rng.NormFloat64() * 5}
		if i%7 == 0 {
			obs[i].Censor = Upper
		}
	}
	mp, err := New(obs, Model{SharedSillDB2: 20, SharedRangeM: 800, OwnSillDB2: 10, OwnRangeM: 300, NuggetDB2: 4}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pts := make([][2]float64, 100)
	want := make([]Posterior, len(pts))
	for i := range pts {
		pts[i] = [2]float64{105 + rng.Float64()*0.1, 21 + rng.Float64()*0.1}
		want[i], _ = mp.At(pts[i][0], pts[i][1], keys)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(pts))
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range pts {
				p, _ := mp.At(pts[i][0], pts[i][1], keys)
				for j := range p.MeanDB {
					if p.MeanDB[j] != want[i].MeanDB[j] {
						errs <- "mean differs"
					}
				}
				for j := range p.Cov {
					if p.Cov[j] != want[i].Cov[j] {
						errs <- "cov differs"
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestArcSeries(t *testing.T) {
	// The series branch against asin on both sides of its switch.
	for _, d := range []float64{1, 100, 5000, 12000, 12741, 12743, 20000} {
		c := 2 * EarthRadiusM * math.Sin(d/(2*EarthRadiusM))
		near(t, "arc", arcM(c*c), d, 1e-9*d)
	}
}

// Two censored tests: expectation propagation (the default) and one-pass
// ADF (CensoredSweeps 1) against the exact posterior by quadrature over
// the three latent values (target and the two tests' noise-free
// residuals), whitened by the prior's Cholesky factor. On these cases EP's
// mean and σ are within 0.3% of the exact σ; ADF's mean within 1% and its
// σ 1–3% low.
func TestCensoredTwoTestsApproximation(t *testing.T) {
	m := Model{SharedSillDB2: 20, SharedRangeM: 800, OwnSillDB2: 10, OwnRangeM: 300, NuggetDB2: 4}
	cases := []struct {
		name           string
		d1, d2, b1, b2 float64
		k2             Key
	}{
		{"both below, same key", 150, -250, -6, -3, kV4},
		{"both at the prior mean, other key", 100, 300, 0, 0, kM4},
		{"deep, close together", 200, 260, -15, -15, kV4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := []Obs{
				{Lon: eqLon(tc.d1), Key: kV4, ResidualDB: tc.b1, Censor: Upper},
				{Lon: eqLon(tc.d2), Key: tc.k2, ResidualDB: tc.b2, Censor: Upper},
			}
			// Prior covariance of (f, f1, f2) and its Cholesky factor.
			x := []float64{0, tc.d1, tc.d2}
			k := []Key{kV4, kV4, tc.k2}
			c := make([]float64, 9)
			for i := range 3 {
				for j := range 3 {
					c[i*3+j] = m.Cov(math.Abs(x[i]-x[j]), k[i] == k[j])
				}
			}
			if !cholesky(c, 3) {
				t.Fatal("prior not positive definite")
			}
			tau := math.Sqrt(m.NuggetDB2)
			const n, lim = 141, 7.0
			h := 2 * lim / (n - 1)
			var z0, z1, z2 float64
			for a := range n {
				za := -lim + float64(a)*h
				wa := math.Exp(-za * za / 2)
				f := c[0] * za
				for b := range n {
					zb := -lim + float64(b)*h
					wb := wa * math.Exp(-zb*zb/2)
					f1 := c[3]*za + c[4]*zb
					l1 := normCDF((tc.b1 - f1) / tau)
					for e := range n {
						ze := -lim + float64(e)*h
						f2 := c[6]*za + c[7]*zb + c[8]*ze
						w := wb * math.Exp(-ze*ze/2) * l1 * normCDF((tc.b2-f2)/tau)
						z0 += w
						z1 += w * f
						z2 += w * f * f
					}
				}
			}
			mean := z1 / z0
			sd := math.Sqrt(z2/z0 - mean*mean)
			for _, a := range []struct {
				name           string
				sweeps         int
				meanTol, sdTol float64 // as shares of the exact posterior σ
			}{{"EP", 0, 0.003, 0.003}, {"ADF", 1, 0.01, 0.03}} {
				mp, err := New(obs, m, Options{CensoredSweeps: a.sweeps})
				if err != nil {
					t.Fatal(err)
				}
				p, err := mp.At(0, 0, []Key{kV4})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("exact mean %.4f σ %.4f; %s mean %.4f σ %.4f", mean, sd, a.name, p.MeanDB[0], p.SigmaDB(0))
				near(t, a.name+" mean", p.MeanDB[0], mean, a.meanTol*sd)
				near(t, a.name+" σ", p.SigmaDB(0), sd, a.sdTol*sd)
			}
		})
	}
}

func TestAtIntoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	obs := make([]Obs, 5000)
	keys := []Key{kV4, kM4, kN3}
	for i := range obs {
		obs[i] = Obs{Lon: 105 + rng.Float64()*0.1, Lat: 21 + rng.Float64()*0.1, Key: keys[i%3], ResidualDB: rng.NormFloat64() * 5}
		if i%5 == 0 {
			obs[i].Censor = Upper
		}
	}
	mp, err := New(obs, Model{SharedSillDB2: 20, SharedRangeM: 800, OwnSillDB2: 10, OwnRangeM: 300, NuggetDB2: 4}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var p Posterior
	want, _ := mp.At(105.05, 21.05, keys)
	if err := mp.AtInto(&p, 105.05, 21.05, keys); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.MeanDB, want.MeanDB) || !slices.Equal(p.Cov, want.Cov) || p.Exact != want.Exact || p.Censored != want.Censored || p.NearestM != want.NearestM {
		t.Fatalf("AtInto %+v, At %+v", p, want)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if err := mp.AtInto(&p, 105+rng.Float64()*0.1, 21+rng.Float64()*0.1, keys); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("AtInto allocates %v times per call, want 0", allocs)
	}
	if err := mp.AtInto(&p, 200, 0, keys); err == nil || len(p.MeanDB) != 0 {
		t.Errorf("AtInto(200, 0) = %v, posterior %+v", err, p)
	}
}

// Ordinary kriging with censored tests: the posterior converges as the
// mean's prior widens (no blow-up from the 10⁶ dB² prior in the EP
// sweeps), and censoring below pulls the mean down against exact tests
// alone.
func TestOrdinaryKrigingWithCensoredTests(t *testing.T) {
	m := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	obs := []Obs{
		{Lon: eqLon(-300), Key: kV4, ResidualDB: 2},
		{Lon: eqLon(400), Key: kV4, ResidualDB: 5},
		{Lon: eqLon(100), Lat: eqLon(200), Key: kM4, ResidualDB: 1},
		{Lon: eqLon(150), Key: kV4, ResidualDB: -4, Censor: Upper},
		{Lon: eqLon(-100), Lat: eqLon(-100), Key: kV4, ResidualDB: -2, Censor: Upper},
	}
	at := func(obs []Obs, sigma float64) Posterior {
		mp, err := New(obs, m, Options{MeanPriorSigmaDB: sigma})
		if err != nil {
			t.Fatal(err)
		}
		p, err := mp.At(0, 0, []Key{kV4, kM4})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p100, p1000 := at(obs, 100), at(obs, 1000)
	for i := range 2 {
		if math.IsNaN(p1000.MeanDB[i]) || math.IsNaN(p1000.Cov[3*i]) {
			t.Fatalf("posterior %+v", p1000)
		}
	}
	near(t, "mean V, σ_m 100 vs 1000", p100.MeanDB[0], p1000.MeanDB[0], 0.01)
	near(t, "var V, σ_m 100 vs 1000", p100.Cov[0], p1000.Cov[0], 0.01)
	exactOnly := at(obs[:3], 1000)
	if !(p1000.MeanDB[0] < exactOnly.MeanDB[0]-1) {
		t.Errorf("censored tests below: mean %.2f, exact tests alone %.2f", p1000.MeanDB[0], exactOnly.MeanDB[0])
	}
}

// A dense key does not crowd out another key's evidence: 100 Viettel
// tests within 60 m and one MobiFone no-service row 400 m away. Without
// per-key neighbours the 32 nearest are all Viettel's and MobiFone's row is
// ignored; with them it counts and pulls MobiFone's mean down.
func TestPerKeyNeighbours(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	var obs []Obs
	for range 100 {
		obs = append(obs, Obs{Lon: eqLon(rng.Float64()*60 - 30), Lat: eqLon(rng.Float64()*60 - 30), Key: kV4, ResidualDB: 3 + rng.NormFloat64()})
	}
	obs = append(obs, Obs{Lon: eqLon(400), Key: kM4, ResidualDB: -10, Censor: Upper})
	m := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	keys := []Key{kV4, kM4}
	none, err := New(obs, m, Options{PerKeyNeighbours: -1})
	if err != nil {
		t.Fatal(err)
	}
	pn, _ := none.At(0, 0, keys)
	if pn.Exact != 32 || pn.Censored != 0 {
		t.Errorf("without per-key neighbours: %d exact, %d censored, want 32 and 0", pn.Exact, pn.Censored)
	}
	def, err := New(obs, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pd, _ := def.At(0, 0, keys)
	// 32 nearest of any key ∪ 8 nearest Viettel (among them) ∪ the one MobiFone.
	if pd.Exact != 32 || pd.Censored != 1 {
		t.Errorf("with per-key neighbours: %d exact, %d censored, want 32 and 1", pd.Exact, pd.Censored)
	}
	if !(pd.MeanDB[1] < pn.MeanDB[1]-0.5) {
		t.Errorf("MobiFone mean %.2f with its no-service row, %.2f without", pd.MeanDB[1], pn.MeanDB[1])
	}
	// Querying Viettel alone does not bring MobiFone's row in.
	pv, _ := def.At(0, 0, []Key{kV4})
	if pv.Censored != 0 {
		t.Errorf("Viettel alone: %d censored neighbours, want 0", pv.Censored)
	}
}

// The neighbourhood is the union of the nearest of any key and the
// nearest of each queried key, as a brute-force scan finds it.
func TestNeighbourhoodUnionMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	keys := []Key{kV4, kM4, kN3}
	obs := make([]Obs, 4000)
	for i := range obs {
		k := kV4 // Viettel dense, the others sparse
		if i%10 == 0 {
			k = keys[1+i/10%2]
		}
		obs[i] = Obs{Lon: 105 + rng.Float64()*0.05, Lat: 21 + rng.Float64()*0.05, Key: k}
		if i%3 == 0 {
			obs[i].Censor = Upper
		}
	}
	opt := Options{MaxNeighbours: 12, PerKeyNeighbours: 5, MaxDistM: 1500}
	mp, err := New(obs, Model{SharedSillDB2: 1, SharedRangeM: 300, NuggetDB2: 1}, opt)
	if err != nil {
		t.Fatal(err)
	}
	maxC2 := chord2Of(opt.MaxDistM)
	for trial := 0; trial < 100; trial++ {
		lon, lat := 105+rng.Float64()*0.05, 21+rng.Float64()*0.05
		x := xyz(lon, lat)
		q := keys[:1+trial%3]
		nearest := func(ok func(Obs) bool, k int) []int32 {
			var all []neighbour
			for i, p := range mp.pos {
				if c2 := chord2(x, p); c2 <= maxC2 && ok(obs[i]) {
					all = append(all, neighbour{c2, int32(i)})
				}
			}
			sortNeighbours(all)
			var out []int32
			for _, nb := range all[:min(k, len(all))] {
				out = append(out, nb.idx)
			}
			return out
		}
		set := map[int32]bool{}
		for _, i := range nearest(func(Obs) bool { return true }, 12) {
			set[i] = true
		}
		for _, k := range q {
			for _, i := range nearest(func(o Obs) bool { return o.Key == k }, 5) {
				set[i] = true
			}
		}
		exact, cens := 0, 0
		for i := range set {
			if obs[i].Censor == Upper {
				cens++
			} else {
				exact++
			}
		}
		p, err := mp.At(lon, lat, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Exact != exact || p.Censored != cens {
			t.Fatalf("trial %d: %d exact %d censored, want %d and %d", trial, p.Exact, p.Censored, exact, cens)
		}
	}
}

// Exact tests of a key beside its query point decide its posterior even
// when many no-service bounds of another carrier lie nearer: the bounds
// fill the nearest-neighbour set but the key's own tests still join it
// (per-key neighbours), and the bounds pull the shared component down
// without moving the key's mean far from its readings.
func TestExactReadingsHoldAgainstNearerBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	m := Model{SharedSillDB2: 25, SharedRangeM: 1000, OwnSillDB2: 25, OwnRangeM: 500, NuggetDB2: 4}
	var exact []Obs
	for i := range 4 {
		a := float64(i) * math.Pi / 2
		exact = append(exact, Obs{Lon: eqLon(40 * math.Cos(a)), Lat: eqLon(40 * math.Sin(a)), Key: kV4, ResidualDB: 15, NoiseDB: 2})
	}
	obs := slices.Clone(exact)
	for range 60 {
		r, a := 5+25*rng.Float64(), 2*math.Pi*rng.Float64()
		obs = append(obs, Obs{Lon: eqLon(r * math.Cos(a)), Lat: eqLon(r * math.Sin(a)), Key: kM4, ResidualDB: -20, Censor: Upper, NoiseDB: 2})
	}
	keys := []Key{kV4, kM4}
	alone, err := New(exact, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	both, err := New(obs, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pa, err := alone.At(0, 0, keys)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := both.At(0, 0, keys)
	if err != nil {
		t.Fatal(err)
	}
	if pb.Exact != 4 {
		t.Fatalf("%d exact neighbours, want the 4 Viettel tests", pb.Exact)
	}
	// The readings alone give a residual of +14.5 dB; the bounds may
	// lower it a little through the shared component, never by more than
	// the readings' own uncertainty allows.
	if pa.MeanDB[0] < 12 {
		t.Fatalf("Viettel with its readings alone: mean %.2f dB", pa.MeanDB[0])
	}
	if d := pa.MeanDB[0] - pb.MeanDB[0]; d > 2 || d < -0.5 {
		t.Errorf("Viettel mean %.2f dB with 60 nearer MobiFone bounds, %.2f without: want within 2 dB below", pb.MeanDB[0], pa.MeanDB[0])
	}
	if !(pb.MeanDB[1] < pa.MeanDB[1]-10) {
		t.Errorf("MobiFone mean %.2f dB under its bounds, %.2f without", pb.MeanDB[1], pa.MeanDB[1])
	}
}

// relationOf, the relation of two tests from their key and carrier ids,
// is RelationOf of their keys for every pair.
func TestRelationOfIDsMatchesRelationOf(t *testing.T) {
	keys := []Key{{"viettel", 1}, {"viettel", 2}, {"mobifone", 1}, {"mobifone", 2}, {"vinaphone", 2}}
	var obs []Obs
	for i := range 40 {
		obs = append(obs, Obs{Lon: 103 + float64(i)*1e-3, Lat: 22, Key: keys[(i*7)%len(keys)], ResidualDB: float64(i % 5), NoiseDB: 4})
	}
	m, err := New(obs, Model{SharedSillDB2: 25, SharedRangeM: 1000, OwnSillDB2: 25, OwnRangeM: 500, NuggetDB2: 16}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range obs {
		for j := range obs {
			ki, kj := m.keyID[i], m.keyID[j]
			if got, want := relationOf(ki, m.keyCarrier[ki], kj, m.keyCarrier[kj]), RelationOf(obs[i].Key, obs[j].Key); got != want {
				t.Fatalf("tests %d and %d: %v, want %v", i, j, got, want)
			}
		}
	}
}

// TestPriorsMatchPairwiseCovRel: the prior moments a query builds from its
// neighbourhood's distinct positions (tests of several keys gathered at
// one cell's centre share it) are, bit for bit, those of CovRel at each
// pair's own distance — the covariance of every two tests, of every test
// with the targets and the censored tests, and of the latent variables.
func TestPriorsMatchPairwiseCovRel(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	keys := []Key{kV4, kM4, kN3, {engine.Viettel, engine.Tech3G}}
	// 600 cells' centres, each holding the tests of one to four keys.
	var obs []Obs
	for range 600 {
		lon, lat := 105+rng.Float64()*0.05, 21+rng.Float64()*0.05
		for k := range 1 + rng.IntN(4) {
			o := Obs{Lon: lon, Lat: lat, Key: keys[(k+rng.IntN(4))%4], ResidualDB: rng.NormFloat64() * 6, NoiseDB: rng.Float64() * 3}
			if rng.IntN(6) == 0 {
				o.Censor = Upper
			}
			obs = append(obs, o)
		}
	}
	md := Model{SharedSillDB2: 30, SharedRangeM: 900, CarrierSillDB2: 12, CarrierRangeM: 250, OwnSillDB2: 9, OwnRangeM: 120, NuggetDB2: 3}
	mp, err := New(obs, md, Options{MeanPriorSigmaDB: 4, KeyMeans: []KeyMean{{Key: kV4, MeanDB: -2.5}}})
	if err != nil {
		t.Fatal(err)
	}
	sm2 := 16.0
	prior := func(d float64, r Relation) float64 {
		c := md.CovRel(d, r)
		if r == SameKey {
			c += sm2
		}
		return c
	}
	shared := false
	ws := &workspace{}
	for n := range 200 {
		x := xyz(105+rng.Float64()*0.05, 21+rng.Float64()*0.05)
		q := keys[:1+n%4]
		var post Posterior
		post.MeanDB, post.Cov = make([]float64, len(q)), make([]float64, len(q)*len(q))
		if err := mp.at(ws, x, q, &post, -1); err != nil {
			t.Fatal(err)
		}
		mp.priors(ws, x, q) // again: at conditioned its matrices in place
		ne, nc := len(ws.ex), len(ws.ce)
		nz := len(q) + nc
		shared = shared || len(ws.up) < ne+nc
		zPos := func(a int) [3]float64 {
			if a < len(q) {
				return x
			}
			return mp.pos[mp.posID[ws.ce[a-len(q)]]]
		}
		zKey := func(a int) Key {
			if a < len(q) {
				return q[a]
			}
			return obs[ws.ce[a-len(q)]].Key
		}
		for a := range nz {
			for b := range nz {
				d := 0.0
				if a >= len(q) || b >= len(q) {
					d = arcM(chord2(zPos(a), zPos(b)))
				}
				if got, want := ws.s[a*nz+b], prior(d, RelationOf(zKey(a), zKey(b))); got != want {
					t.Fatalf("query %d: S[%d,%d] = %v, want %v", n, a, b, got, want)
				}
			}
		}
		for i, oi := range ws.ex {
			for j, oj := range ws.ex {
				want := prior(arcM(chord2(mp.pos[mp.posID[oi]], mp.pos[mp.posID[oj]])), RelationOf(obs[oi].Key, obs[oj].Key))
				if i == j {
					want = prior(0, SameKey) + md.NuggetDB2 + obs[oi].NoiseDB*obs[oi].NoiseDB
				}
				if got := ws.k[i*ne+j]; got != want {
					t.Fatalf("query %d: K[%d,%d] = %v, want %v", n, i, j, got, want)
				}
			}
			for a := range nz {
				want := prior(arcM(chord2(mp.pos[mp.posID[oi]], zPos(a))), RelationOf(obs[oi].Key, zKey(a)))
				if got := ws.b[i*nz+a]; got != want {
					t.Fatalf("query %d: B[%d,%d] = %v, want %v", n, i, a, got, want)
				}
			}
			if got, want := ws.w[i], obs[oi].ResidualDB-mp.mean[mp.keyID[oi]]; got != want {
				t.Fatalf("query %d: w[%d] = %v, want %v", n, i, got, want)
			}
		}
	}
	if !shared {
		t.Fatal("no neighbourhood shares a position: the test does not test")
	}
}
