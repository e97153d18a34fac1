package radiomap

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Two tests 1000 m apart, residuals +1 and −1, one key, shared sill 4,
// range 1000 m, nugget 1. Leaving A out, B predicts it by simple kriging:
// c = 4e⁻¹ = 1.471518, μ_A = c/(4 + 1)·(−1) = −0.294304, predictive
// variance 4 − c²/5 + 1 = 4.566927; z_A = (1 + 0.294304)/√4.566927 =
// 0.605653, and by symmetry z_B = −0.605653.
func TestCrossValidateHand(t *testing.T) {
	m := Model{SharedSillDB2: 4, SharedRangeM: 1000, NuggetDB2: 1}
	obs := []Obs{{Lon: 0, Key: kV4, ResidualDB: 1}, {Lon: eqLon(1000), Key: kV4, ResidualDB: -1}, {Lon: eqLon(500), Key: kM4, ResidualDB: -50, Censor: Upper}}
	mp, err := New(obs[:2], m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := mp.CrossValidate(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := 4 * math.Exp(-1)
	mu := -c / 5
	sd := math.Sqrt(4 - c*c/5 + 1)
	z := (1 - mu) / sd
	near(t, "z by hand", z, 0.605653, 1e-6)
	if rep.Tests != 2 {
		t.Errorf("tests %d, want 2", rep.Tests)
	}
	near(t, "RMSE", rep.RMSEDB, 1-mu, 1e-12)
	near(t, "mean z", rep.MeanZ, 0, 1e-12)
	near(t, "RMS z", rep.RMSZ, z, 1e-12)
	near(t, "cover", rep.Cover90, 1, 0)
	// A censored test far below, of another key, conditions but is not
	// scored.
	mc, _ := New(obs, m, Options{})
	rc, _ := mc.CrossValidate(0, 0)
	if rc.Tests != 2 {
		t.Errorf("with a censored test: %d scored, want 2", rc.Tests)
	}
}

// On a simulated field the true model is calibrated by cross-validation
// (RMS z near 1, 90% intervals near 90%), a model with four times the
// sills gives intervals too wide and one with a quarter too narrow.
func TestCrossValidateCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a 1,500-test field")
	}
	truth := Model{SharedSillDB2: 16, SharedRangeM: 600, OwnSillDB2: 9, OwnRangeM: 300, NuggetDB2: 4}
	rng := rand.New(rand.NewPCG(41, 42))
	sim := simulate(t, truth, []Key{kV4, kM4}, 1500, 10, 15000, 200, rng)
	score := func(m Model) CVReport {
		mp, err := New(sim.obs, m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := mp.CrossValidate(600, 1)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	r := score(truth)
	wide := truth
	wide.SharedSillDB2, wide.OwnSillDB2, wide.NuggetDB2 = 4*truth.SharedSillDB2, 4*truth.OwnSillDB2, 4*truth.NuggetDB2
	narrow := truth
	narrow.SharedSillDB2, narrow.OwnSillDB2, narrow.NuggetDB2 = truth.SharedSillDB2/4, truth.OwnSillDB2/4, truth.NuggetDB2/4
	rw, rn := score(wide), score(narrow)
	t.Logf("true %+v; ×4 %+v; ÷4 %+v", r, rw, rn)
	if r.Tests != 600 || math.Abs(r.RMSZ-1) > 0.1 || r.Cover90 < 0.85 || r.Cover90 > 0.95 || math.Abs(r.MeanZ) > 0.15 {
		t.Errorf("true model: %+v, want 600 tests, RMS z 1 ± 0.1, cover 0.85–0.95, mean z 0 ± 0.15", r)
	}
	if rw.RMSZ > 0.7 || rn.RMSZ < 1.4 {
		t.Errorf("RMS z with sills ×4 %.2f (want ≤ 0.7), ÷4 %.2f (want ≥ 1.4)", rw.RMSZ, rn.RMSZ)
	}
}
