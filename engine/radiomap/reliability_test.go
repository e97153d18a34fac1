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
// (root mean square error, 2.5 against 4.1 dB on these seeds). And with
// the model fitted to the training tests instead of the true one.
func TestPosteriorCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates three 1,500-test fields")
	}
	truth := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	keys := []Key{kV4, kM4}
	const floor = -3.0
	var n int
	var coverExact, coverCens, coverFitted, rmseCens, rmseDrop float64
	for seed := uint64(21); seed <= 23; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		sim := simulate(t, truth, keys, 1500, 10, 15000, 200, rng)
		var train, cens, drop []Obs
		var held []int
		censored := 0
		for i, o := range sim.obs {
			if i%5 == 0 {
				held = append(held, i)
				continue
			}
			train = append(train, o)
			if o.ResidualDB < floor {
				o.Censor, o.ResidualDB = Upper, floor
				censored++
			} else {
				drop = append(drop, o)
			}
			cens = append(cens, o)
		}
		build := func(obs []Obs, m Model) *Map {
			mp, err := New(obs, m, Options{})
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
		t.Logf("seed %d: 90%% cover exact %.3f, censored (%d of %d) %.3f, fitted model %.3f; RMSE censored %.2f dropped %.2f dB",
			seed, c1, censored, len(train), c2, c4, r2, r3)
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
	}{{"exact tests", coverExact}, {"censored tests", coverCens}, {"fitted model", coverFitted}} {
		if v := c.v / float64(n); v < 0.85 || v > 0.95 {
			t.Errorf("%s: 90%% intervals hold %.3f of held-out truths, want 0.85–0.95", c.name, v)
		}
	}
	if rmseCens >= rmseDrop {
		t.Errorf("RMSE with censored tests %.2f, without them %.2f: censored evidence should help", rmseCens/3, rmseDrop/3)
	}
}
