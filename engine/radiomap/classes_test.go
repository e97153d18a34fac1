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
	got, err := FitClassOffsets(obs, mem, 3, mg, 0)
	if err != nil {
		t.Fatal(err)
	}
	for c, w := range want {
		if math.Abs(got[c].OffsetDB-w) > 0.3 || got[c].Class != uint8(c) || !(got[c].Weight > 5000) {
			t.Errorf("class %d: %+v, want offset %g", c, got[c], w)
		}
	}
	naive, err := FitClassOffsets(exactOnly, memExact, 3, mg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(naive[0].OffsetDB > want[0]+2) {
		t.Errorf("exact tests alone: class 0 offset %.2f, want biased above %g (the censored tests are the evidence)", naive[0].OffsetDB, want[0]+2)
	}
	// Without censoring and a flat prior, one class: the mean residual.
	one := []Obs{{Lon: 1, Lat: 1, Key: key, ResidualDB: 5}, {Lon: 1, Lat: 1, Key: key, ResidualDB: 9}}
	o, err := FitClassOffsets(one, []Membership{{0, 0}, {0, 0}}, 1, Marginal{Model: Model{NuggetDB2: 1}, Means: []KeyMean{{Key: key, MeanDB: 1}}}, 1e6)
	if err != nil || math.Abs(o[0].OffsetDB-6) > 1e-6 {
		t.Errorf("two exact tests 5 and 9 dB, key mean 1: offset %+v, %v; want 6", o, err)
	}
	if got := OffsetOf([]float64{-6, 0, 4}, Membership{1, 0.25}); math.Abs(got-1) > 1e-12 {
		t.Errorf("OffsetOf suburban + ¼ urban = %g, want 1", got)
	}
	for name, bad := range map[string][]Membership{"class beyond": {{3, 0}, {0, 0}}, "frac 1": {{0, 1}, {0, 0}}, "frac past the last class": {{0, 0.5}, {0, 0}}} {
		if _, err := FitClassOffsets(one, bad, map[bool]int{true: 1, false: 3}[name == "frac past the last class"], mg, 0); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
