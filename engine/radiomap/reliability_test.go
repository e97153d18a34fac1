package radiomap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// holdOut scores posteriors at held-out tests against their noise-free
// truth: the share of 90% intervals (mean ± 1.645σ) that hold it, and the
// root mean square error of the mean.
func holdOut(t *testing.T, mp *Map, sim simField, held []int) (cover, rmse float64) {
	t.Helper()
	in := 0
	for _, i := range held {
		o := sim.obs[i]
		p, err := mp.At(o.Lon, o.Lat, []Key{o.Key})
		if err != nil {
			t.Fatal(err)
		}
		e := sim.latent[i] - p.MeanDB[0]
		if math.Abs(e) <= 1.6449*p.SigmaDB(0) {
			in++
		}
		rmse += e * e
	}
	return float64(in) / float64(len(held)), math.Sqrt(rmse / float64(len(held)))
}

// Posterior intervals hold the truth at their nominal rate on simulated
// fields: every fifth of 1,500 simulated tests is held out, the map is
// built from the rest, and the 90% intervals of the noise-free residual at
// the held-out places must hold 85–95% of them (three seeds pooled: 900
// intervals, binomial σ 1%). Likewise when every test below a floor of
// −3 dB is reported only as censored at the floor (about a third of
// them); then the censored evidence must also beat dropping those tests
// (root mean square error, 2.5 against 4.1 dB on these seeds). Likewise
// with a floor of +3 dB, which censors about three tests in four (where
// one-pass ADF alone would hold only about 0.87), and with the model
// fitted to the training tests instead of the true one.
func TestPosteriorCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates three 1,500-test fields")
	}
	truth := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	keys := []Key{kV4, kM4}
	const floor, heavyFloor = -3.0, 3.0
	var n int
	var coverExact, coverCens, coverHeavy, coverHeavyADF, coverFitted, rmseCens, rmseDrop float64
	for seed := uint64(21); seed <= 23; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		sim := simulate(t, truth, keys, 1500, 10, 15000, 200, rng)
		var train, cens, drop, heavy []Obs
		var held []int
		censored, heavyCensored := 0, 0
		for i, o := range sim.obs {
			if i%5 == 0 {
				held = append(held, i)
				continue
			}
			train = append(train, o)
			if h := o; h.ResidualDB < heavyFloor {
				h.Censor, h.ResidualDB = Upper, heavyFloor
				heavy = append(heavy, h)
				heavyCensored++
			} else {
				heavy = append(heavy, h)
			}
			if o.ResidualDB < floor {
				o.Censor, o.ResidualDB = Upper, floor
				censored++
			} else {
				drop = append(drop, o)
			}
			cens = append(cens, o)
		}
		build := func(obs []Obs, m Model, opt ...Options) *Map {
			o := Options{}
			if len(opt) > 0 {
				o = opt[0]
			}
			mp, err := New(obs, m, o)
			if err != nil {
				t.Fatal(err)
			}
			return mp
		}
		c1, _ := holdOut(t, build(train, truth), sim, held)
		c2, r2 := holdOut(t, build(cens, truth), sim, held)
		_, r3 := holdOut(t, build(drop, truth), sim, held)
		fitted, _, err := Fit(train, FitOptions{MaxDistM: 3000, BinWidthM: 100, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		c4, _ := holdOut(t, build(train, fitted), sim, held)
		c5, _ := holdOut(t, build(heavy, truth), sim, held)
		c6, _ := holdOut(t, build(heavy, truth, Options{CensoredSweeps: 1}), sim, held)
		t.Logf("seed %d: 90%% cover exact %.3f, censored (%d of %d) %.3f, heavily censored (%d) %.3f (ADF %.3f), fitted model %.3f; RMSE censored %.2f dropped %.2f dB",
			seed, c1, censored, len(train), c2, heavyCensored, c5, c6, c4, r2, r3)
		coverHeavy += c5
		coverHeavyADF += c6
		coverExact += c1
		coverCens += c2
		coverFitted += c4
		rmseCens += r2
		rmseDrop += r3
		n++
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"exact tests", coverExact}, {"censored tests", coverCens}, {"heavily censored tests", coverHeavy}, {"fitted model", coverFitted}} {
		if v := c.v / float64(n); v < 0.85 || v > 0.95 {
			t.Errorf("%s: 90%% intervals hold %.3f of held-out truths, want 0.85–0.95", c.name, v)
		}
	}
	t.Logf("heavily censored: EP %.3f, one-pass ADF %.3f", coverHeavy/float64(n), coverHeavyADF/float64(n))
	if rmseCens >= rmseDrop {
		t.Errorf("RMSE with censored tests %.2f, without them %.2f: censored evidence should help", rmseCens/3, rmseDrop/3)
	}
}

// The joint posterior of two keys is calibrated as a whole: at held-out
// places the truth of both keys is drawn with the tests, and its
// Mahalanobis distance d² from the posterior (χ² with 2 degrees of
// freedom if the posterior is right) must fall below the 90% quantile
// 4.605 at 85–95% of the places (0.890 over 900 places on these seeds),
// and the key correlation must matter: the truths' mean Gaussian log
// density must be higher under the joint covariance than under its
// diagonal (−2.64 against −2.68).
func TestJointPosteriorCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 1,800-row fields")
	}
	truth := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	keys := []Key{kV4, kM4}
	var places, inJoint, inDiag int
	var logJoint, logDiag float64
	for seed := uint64(31); seed <= 33; seed++ {
		rng := rand.New(rand.NewPCG(seed, 8))
		// Layout of 1,500 clustered tests; every fifth becomes a held-out
		// place where both keys' truths are drawn.
		layout := simulate(t, truth, keys, 1500, 10, 15000, 200, rng).obs
		var rows []Obs
		var train int
		for i, o := range layout {
			if i%5 != 0 {
				rows = append(rows, o)
				train++
			}
		}
		for i, o := range layout {
			if i%5 == 0 {
				for _, k := range keys {
					o.Key = k
					rows = append(rows, o)
				}
			}
		}
		f := drawLatent(t, truth, rows, rng)
		obs := make([]Obs, train)
		for i := range obs {
			obs[i] = rows[i]
			obs[i].ResidualDB = f[i] + 2*rng.NormFloat64()
		}
		mp, err := New(obs, truth, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for r := train; r < len(rows); r += 2 {
			p, err := mp.At(rows[r].Lon, rows[r].Lat, keys)
			if err != nil {
				t.Fatal(err)
			}
			e0, e1 := f[r]-p.MeanDB[0], f[r+1]-p.MeanDB[1]
			a, b, c := p.Cov[0], p.Cov[1], p.Cov[3]
			det := a*c - b*b
			d2 := (c*e0*e0 - 2*b*e0*e1 + a*e1*e1) / det
			d2diag := e0*e0/a + e1*e1/c
			if d2 <= 4.605 {
				inJoint++
			}
			if d2diag <= 4.605 {
				inDiag++
			}
			// Gaussian log densities of the truth under both.
			logJoint += -0.5*d2 - 0.5*math.Log(det)
			logDiag += -0.5*d2diag - 0.5*math.Log(a*c)
			places++
		}
	}
	share := float64(inJoint) / float64(places)
	t.Logf("%d places: d² ≤ 4.605 at %.3f (diagonal %.3f); mean log density joint %.3f, diagonal %.3f",
		places, share, float64(inDiag)/float64(places), logJoint/float64(places), logDiag/float64(places))
	if share < 0.85 || share > 0.95 {
		t.Errorf("joint 90%% regions hold %.3f of truths, want 0.85–0.95", share)
	}
	if logJoint <= logDiag {
		t.Errorf("the joint covariance scores no better than its diagonal: %.1f vs %.1f", logJoint, logDiag)
	}
}
