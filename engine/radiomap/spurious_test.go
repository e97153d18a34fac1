package radiomap

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// The censored test's likelihood ε + (1 − ε)Φ(z) at known points
// (ε = 0.01; Φ(0) = 1/2, Φ(−1) = 0.158655253931457, φ(−1) =
// 0.241970724519143; far below, Φ underflows and the term is log ε).
func TestCensoredMixtureKnownAnswers(t *testing.T) {
	if SpuriousCensoredShare != 0.01 {
		t.Fatalf("SpuriousCensoredShare %v: the known answers are for 0.01", SpuriousCensoredShare)
	}
	for _, c := range []struct{ z, ll, kappa float64 }{
		{0, math.Log(0.01 + 0.99*0.5), 0.99 * 0.398942280401433 / (0.01 + 0.99*0.5)},
		{-1, math.Log(0.01 + 0.99*0.158655253931457), 0.99 * 0.241970724519143 / (0.01 + 0.99*0.158655253931457)},
		{-40, math.Log(0.01), 0},
		{40, 0, 0},
	} {
		if got := logCensoredLik(c.z); math.Abs(got-c.ll) > 1e-12 {
			t.Errorf("logCensoredLik(%v) = %.15g, want %.15g", c.z, got, c.ll)
		}
		if got := censoredKappa(c.z); math.Abs(got-c.kappa) > 1e-12 {
			t.Errorf("censoredKappa(%v) = %.15g, want %.15g", c.z, got, c.kappa)
		}
	}
	// κ is the derivative of the log-likelihood.
	for _, z := range []float64{-6, -2, -0.5, 0.3, 2, 5} {
		const h = 1e-5
		if d := (logCensoredLik(z+h) - logCensoredLik(z-h)) / (2 * h); math.Abs(d-censoredKappa(z)) > 1e-7 {
			t.Errorf("at %v: difference quotient %v, κ %v", z, d, censoredKappa(z))
		}
	}
}

// One carrier's faulty dump — no-service reports at places where its
// tests read the signal 40–60 dB above their bound — moves the variance
// scale a little, not to its bound: with the Tobit likelihood alone each
// such report cost without limit, 3,000 of them beside 4,000 consistent
// tests drove the scale to 4 (every σ doubled, in every carrier's field;
// so does this test with SpuriousCensoredShare 0). The consistent
// sample's own scale (2) is recovered within 15%, and the other carrier's
// mean does not move by more than 0.3 dB. Reports nearer their level
// still weigh: 30–45 dB below, 3,000 of them still take the scale to 4.
func TestFitMarginalSpuriousNoService(t *testing.T) {
	m := Model{SharedSillDB2: 20, SharedRangeM: 300, OwnSillDB2: 10, OwnRangeM: 100, NuggetDB2: 10}
	a := Key{engine.Viettel, engine.Tech3G}
	b := Key{engine.VinaPhone, engine.Tech3G}
	rng := rand.New(rand.NewPCG(3, 9))
	sd := math.Sqrt(2 * (m.Cov(0, true) + m.NuggetDB2))
	var clean []Obs
	for i := range 4000 {
		k := a
		if i%2 == 1 {
			k = b
		}
		o := Obs{Lon: 105 + float64(i%100)*0.01, Lat: 21 + float64(i/100)*0.01, Key: k, ResidualDB: 2 + sd*rng.NormFloat64()}
		if o.ResidualDB <= -8 {
			o.ResidualDB, o.Censor = -8, Upper
		}
		clean = append(clean, o)
	}
	faulty := append([]Obs(nil), clean...)
	for i := range 3000 {
		// Bounds 40–60 dB below the readings around them.
		faulty = append(faulty, Obs{Lon: 105 + float64(i%100)*0.01, Lat: 21.5 + float64(i/100)*0.01, Key: a,
			ResidualDB: 2 - 40 - 20*rng.Float64(), Censor: Upper})
	}
	before, err := FitMarginal(clean, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	after, err := FitMarginal(faulty, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(before.Scale/2-1) > 0.1 || math.Abs(after.Scale/before.Scale-1) > 0.15 {
		t.Errorf("scale %v without the faulty reports, %v with them; want about 2 both", before.Scale, after.Scale)
	}
	if d := math.Abs(after.Means[1].MeanDB - before.Means[1].MeanDB); after.Means[1].Key != b || d > 0.3 {
		t.Errorf("the other carrier's mean moved by %v dB (%+v → %+v)", d, before.Means[1], after.Means[1])
	}
}
