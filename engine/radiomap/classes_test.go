package radiomap

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestFitClassOffsetsRecovers draws tests whose residuals carry known
// class offsets (−6, 0, +4 dB; memberships blended between neighbours),
// censors those below a bound as a phone would, and checks the fit
// recovers the offsets — and that leaving the censored tests out biases
// the weakest class upward, which the censored likelihood avoids.
func TestFitClassOffsetsRecovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	want := []float64{-6, 0, 4}
	m := Model{SharedSillDB2: 30, SharedRangeM: 500, NuggetDB2: 6}
	sd := math.Sqrt(m.Cov(0, true) + m.NuggetDB2 + 1)
	key := Key{Carrier: engine.Viettel, Tech: engine.Tech4G}
	mg := Marginal{Scale: 1, Model: m, Means: []KeyMean{{Key: key, MeanDB: 2}}}
	var obs, exactOnly []Obs
	var mem, memExact []Membership
	const bound = -4.0
	for range 20000 {
		c := uint8(rng.IntN(3))
		f := 0.0
		if c < 2 && rng.IntN(2) == 0 {
			f = rng.Float64()
		}
		mu := 2 + (1-f)*want[c]
		if f > 0 {
			mu += f * want[c+1]
		}
		r := mu + sd*rng.NormFloat64()
		o := Obs{Lon: 103, Lat: 22, Key: key, ResidualDB: r, NoiseDB: 1}
		if r < bound {
			o.ResidualDB, o.Censor = bound, Upper
		} else {
			exactOnly, memExact = append(exactOnly, o), append(memExact, Membership{c, f})
		}
		obs, mem = append(obs, o), append(mem, Membership{c, f})
	}
	got, err := FitClassOffsets(obs, mem, 3, mg, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for c, w := range want {
		if math.Abs(got[c].OffsetDB-w) > 0.3 || got[c].Class != uint8(c) || !(got[c].Weight > 5000) {
			t.Errorf("class %d: %+v, want offset %g", c, got[c], w)
		}
	}
	naive, err := FitClassOffsets(exactOnly, memExact, 3, mg, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(naive[0].OffsetDB > want[0]+2) {
		t.Errorf("exact tests alone: class 0 offset %.2f, want biased above %g (the censored tests are the evidence)", naive[0].OffsetDB, want[0]+2)
	}
	// Without censoring and a flat prior, one class: the mean residual.
	one := []Obs{{Lon: 1, Lat: 1, Key: key, ResidualDB: 5}, {Lon: 1, Lat: 1, Key: key, ResidualDB: 9}}
	o, err := FitClassOffsets(one, []Membership{{0, 0}, {0, 0}}, 1, Marginal{Model: Model{NuggetDB2: 1}, Means: []KeyMean{{Key: key, MeanDB: 1}}}, 1e6, 0)
	if err != nil || math.Abs(o[0].OffsetDB-6) > 1e-6 {
		t.Errorf("two exact tests 5 and 9 dB, key mean 1: offset %+v, %v; want 6", o, err)
	}
	if got := OffsetOf([]float64{-6, 0, 4}, Membership{1, 0.25}); math.Abs(got-1) > 1e-12 {
		t.Errorf("OffsetOf suburban + ¼ urban = %g, want 1", got)
	}
	for name, bad := range map[string][]Membership{"class beyond": {{3, 0}, {0, 0}}, "frac 1": {{0, 1}, {0, 0}}, "frac past the last class": {{0, 0.5}, {0, 0}}} {
		if _, err := FitClassOffsets(one, bad, map[bool]int{true: 1, false: 3}[name == "frac past the last class"], mg, 0, 0); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFitClassOffsetsRandomWalk: with ordered classes (knots) and a
// random-walk prior, a knot without tests between two with many takes
// their mean (the prior's conditional mean given its neighbours), where
// without it the knot keeps the prior's 0; and the known answer of one
// knot: n exact tests of residual r and variance v under priors σ² (the
// knot) and τ² (its one step to a knot pinned at 0 by tests of residual 0)
// — the two fits agree with the closed form of a 2×2 linear system.
func TestFitClassOffsetsRandomWalk(t *testing.T) {
	key := Key{Carrier: engine.Viettel, Tech: engine.Tech4G}
	m := Model{SharedSillDB2: 15, SharedRangeM: 300, NuggetDB2: 1}
	mg := Marginal{Scale: 1, Model: m, Means: []KeyMean{{Key: key, MeanDB: 0}}}
	var obs []Obs
	var mem []Membership
	for i := range 4000 {
		c, r := uint8(0), 0.0
		if i%2 == 1 {
			c, r = 2, 10
		}
		obs = append(obs, Obs{Lon: 103, Lat: 22, Key: key, ResidualDB: r, NoiseDB: 0})
		mem = append(mem, Membership{Class: c})
	}
	rw, err := FitClassOffsets(obs, mem, 3, mg, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(rw[0].OffsetDB) > 0.1 || math.Abs(rw[2].OffsetDB-10) > 0.1 || math.Abs(rw[1].OffsetDB-5) > 0.1 {
		t.Errorf("with the random walk: %+v, want 0, 5, 10", rw)
	}
	free, err := FitClassOffsets(obs, mem, 3, mg, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if free[1].OffsetDB != 0 {
		t.Errorf("without it the empty knot is %g, want the prior's 0", free[1].OffsetDB)
	}
	// Closed form: knots 0 and 1, n tests each; knot 0's residuals 0,
	// knot 1's r. Precision matrix of (δ0, δ1): diag(n/v + 1/σ²) plus
	// the walk's [[1, −1], [−1, 1]]/τ²; right side (0, n·r/v).
	const n, r, sigma, tau = 50, 8.0, 10.0, 1.5
	v := m.Cov(0, true) + m.NuggetDB2 // NoiseDB 0
	obs, mem = nil, nil
	for i := range 2 * n {
		c, res := uint8(i%2), 0.0
		if c == 1 {
			res = r
		}
		obs = append(obs, Obs{Lon: 103, Lat: 22, Key: key, ResidualDB: res})
		mem = append(mem, Membership{Class: c})
	}
	got, err := FitClassOffsets(obs, mem, 2, mg, sigma, tau)
	if err != nil {
		t.Fatal(err)
	}
	a := n/v + 1/(sigma*sigma) + 1/(tau*tau)
	b := -1 / (tau * tau)
	det := a*a - b*b
	want0, want1 := (-b*n*r/v)/det, (a*n*r/v)/det
	if math.Abs(got[0].OffsetDB-want0) > 1e-6 || math.Abs(got[1].OffsetDB-want1) > 1e-6 {
		t.Errorf("two knots: %.6f, %.6f; closed form %.6f, %.6f", got[0].OffsetDB, got[1].OffsetDB, want0, want1)
	}
}
