package synth

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestShadowCorr checks the oracle's covariance against shadow.go's
// formula: one pair correlates 1 with itself, two carriers ρL, two
// technologies of one carrier ρL + (1−ρL)·ρC; each part decays with its own
// distance.
func TestShadowCorr(t *testing.T) {
	for _, c := range []struct {
		d         float64
		sc, st    bool
		want      float64
		what      string
		tolerance float64
	}{
		{0, true, true, 1, "one pair", 1e-12},
		{0, false, false, 0.5, "two carriers", 1e-12},
		{0, true, false, 0.875, "two technologies of a carrier", 1e-12},
		{100, true, true, 0.5*math.Exp(-1.0/3) + 0.5*math.Exp(-1), "one pair 100 m apart", 1e-12},
		{300, false, false, 0.5 * math.Exp(-1), "two carriers 300 m apart", 1e-12},
	} {
		if got := shadowCorr(c.d, c.sc, c.st); math.Abs(got-c.want) > c.tolerance {
			t.Errorf("%s: %g, want %g", c.what, got, c.want)
		}
	}
	// The fields themselves: the empirical correlation of two carriers'
	// shadowing at one point, and of one pair 100 m apart, over many
	// points of one seed's fields.
	sh := newShadowing(3, []engine.Carrier{engine.Viettel, engine.VinaPhone})
	rng := rand.New(rand.NewPCG(1, 2))
	var sab, saa, sbb, s1, s11, s22 float64
	const n = 40000
	for range n {
		x, y := rng.Float64()*2e6, rng.Float64()*2e6
		zl := sh.shared.at(x, y)
		zc1, zc2 := math.NaN(), math.NaN()
		a := sh.z(x, y, zl, engine.Viettel, engine.Tech3G, &zc1)
		b := sh.z(x, y, zl, engine.VinaPhone, engine.Tech3G, &zc2)
		sab, saa, sbb = sab+a*b, saa+a*a, sbb+b*b
		zl2 := sh.shared.at(x+100, y)
		zc3 := math.NaN()
		c := sh.z(x+100, y, zl2, engine.Viettel, engine.Tech3G, &zc3)
		s1, s11, s22 = s1+a*c, s11+a*a, s22+c*c
	}
	if r := sab / math.Sqrt(saa*sbb); math.Abs(r-shadowCorr(0, false, false)) > 0.03 {
		t.Errorf("two carriers at one point correlate %.3f in the fields, the oracle takes %.3f", r, shadowCorr(0, false, false))
	}
	if r := s1 / math.Sqrt(s11*s22); math.Abs(r-shadowCorr(100, true, true)) > 0.03 {
		t.Errorf("one pair 100 m apart correlates %.3f in the fields, the oracle takes %.3f", r, shadowCorr(100, true, true))
	}
}

// TestOraclePDeadKnownAnswers: closed forms of the Gaussian posterior.
func TestOraclePDeadKnownAnswers(t *testing.T) {
	th := engine.DefaultThresholds() // 3G covered at −100 dBm
	rng := rand.New(rand.NewPCG(1, 1))
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	key := oracleKey{carrier: carrierMask(engine.Viettel), tech: engine.Tech3G, det: -103, sd: 8}
	// No reading: the prior, P(det + 8·z < −100) = Φ(3/8) = 0.64617.
	if p := oraclePDead([]oracleKey{key}, nil, nil, th, rng); math.Abs(p-0.646170) > 1e-5 {
		t.Errorf("prior only: %.6f, want Φ(0.375) = 0.646170", p)
	}
	// One reading of the same pair at the village, noise variance 16,
	// reading 10 dB below the deterministic part: posterior mean
	// 64/80·(−10) = −8, variance 64 − 64²/80 = 12.8; with det −95 the room
	// below −100 is −5 + 8 = 3 dB: Φ(3/√12.8) = Φ(0.83853) = 0.79913.
	key.det = -95
	obs := []oracleObs{{carrier: carrierMask(engine.Viettel), tech: engine.Tech3G, sd: 8, o: -10, noiseVar: 16}}
	if p := oraclePDead([]oracleKey{key}, obs, []float64{0}, th, rng); math.Abs(p-phi(3/math.Sqrt(12.8))) > 1e-9 {
		t.Errorf("one reading: %.6f, want %.6f", p, phi(3/math.Sqrt(12.8)))
	}
	// A reading of another carrier far away changes nothing.
	far := []oracleObs{{x: 5000, carrier: carrierMask(engine.VinaPhone), tech: engine.Tech4G, sd: 8, o: -30, noiseVar: 16}}
	key.det = -103
	if p := oraclePDead([]oracleKey{key}, far, []float64{5000}, th, rng); math.Abs(p-0.646170) > 1e-4 {
		t.Errorf("a reading 5 km away: %.6f, want the prior's 0.646170", p)
	}
	// Two carriers, each exactly at its level, no reading: both below with
	// probability 1/4 + arcsin(ρ)/(2π) = 1/3 for ρ = ρL = 0.5 (the orthant
	// of a bivariate normal); Monte Carlo with 4,000 draws (σ 0.0075).
	two := []oracleKey{{carrier: carrierMask(engine.Viettel), tech: engine.Tech3G, det: -100, sd: 8}, {carrier: carrierMask(engine.VinaPhone), tech: engine.Tech3G, det: -100, sd: 6}}
	if p := oraclePDead(two, nil, nil, th, rng); math.Abs(p-1.0/3) > 0.03 {
		t.Errorf("two carriers at their levels: %.4f, want 1/3", p)
	}
	// A reading of one carrier 20 dB down at the village pulls the other
	// down too (the shared part): P(dead) rises.
	down := []oracleObs{{carrier: carrierMask(engine.Viettel), tech: engine.Tech4G, sd: 8, o: -20, noiseVar: 9}}
	if p := oraclePDead(two, down, []float64{0}, th, rng); p < 0.6 {
		t.Errorf("a deep reading at the village: P(dead) %.3f, want well above the prior's 1/3", p)
	}
	// No 3G/4G in range: dead for sure.
	if p := oraclePDead(nil, obs, []float64{0}, th, rng); p != 1 {
		t.Errorf("no key: %g, want 1", p)
	}
}

func TestCholeskySolve(t *testing.T) {
	// a = L·Lᵀ with L = [[2,0,0],[1,3,0],[−1,2,4]].
	a := []float64{4, 2, -2, 2, 10, 5, -2, 5, 21}
	if !cholesky(a, 3) {
		t.Fatal("positive definite matrix refused")
	}
	want := []float64{2, 0, 0, 1, 3, 0, -1, 2, 4}
	for i := range 3 {
		for j := range i + 1 {
			if math.Abs(a[i*3+j]-want[i*3+j]) > 1e-12 {
				t.Fatalf("L[%d][%d] = %g, want %g", i, j, a[i*3+j], want[i*3+j])
			}
		}
	}
	b := []float64{2, 7, 15} // L·(1, 2, 3)ᵀ
	forwardSolve(a, 3, b, 1)
	if !slices.Equal(b, []float64{1, 2, 3}) {
		t.Errorf("L⁻¹·b = %v, want [1 2 3]", b)
	}
	if cholesky([]float64{1, 2, 2, 1}, 2) {
		t.Error("an indefinite matrix was factored")
	}
}

// TestOracleWorld: on the default world, the oracle's readings are the
// shadowing plus noise (their deterministic parts hold the valleys and the
// true sites), its verdicts are deterministic whatever the workers, and
// the readings make it better than its prior alone.
func TestOracleWorld(t *testing.T) {
	w := world(t)
	obs := w.oracle.obs
	if len(obs) < 1000 {
		t.Fatalf("%d oracle readings", len(obs))
	}
	// o = sd·z + noise: mean ~0 and variance sd² + noise variance (the
	// fields are correlated, so the sample is worth fewer readings than
	// it holds: loose bounds).
	var mean, ratio float64
	for _, o := range obs {
		v, sd := float64(o.o), float64(o.sd)
		mean += v
		ratio += v * v / (sd*sd + float64(o.noiseVar))
	}
	mean /= float64(len(obs))
	ratio /= float64(len(obs))
	if math.Abs(mean) > 0.75 || ratio < 0.85 || ratio > 1.15 {
		t.Errorf("readings less their deterministic parts: mean %.2f dB, variance ratio %.2f; want ~0 and ~1", mean, ratio)
	}
	got := w.Oracle().Verdicts(0)
	if !slices.Equal(got, w.Oracle().Verdicts(1)) {
		t.Error("the oracle depends on the number of workers")
	}
	// Stopped, it returns the context's error and no verdicts (a caller
	// running it beside other work returns without waiting for it).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v, err := w.Oracle().VerdictsContext(ctx, 1); !errors.Is(err, context.Canceled) || v != nil {
		t.Errorf("VerdictsContext on a cancelled context: %d verdicts, error %v; want none and context.Canceled", len(v), err)
	}
	prior := w.Oracle()
	prior.in.obs = nil
	ev, err := EvaluateVillages(&w.Truth, got)
	if err != nil {
		t.Fatal(err)
	}
	evp, err := EvaluateVillages(&w.Truth, prior.Verdicts(0))
	if err != nil {
		t.Fatal(err)
	}
	if !(*ev.Brier < 0.8**evp.Brier) || ev.Decidable.F1 <= evp.Decidable.F1 {
		t.Errorf("with the readings Brier %.4f, decidable F1 %.3f; prior alone %.4f, %.3f: the readings should help",
			*ev.Brier, ev.Decidable.F1, *evp.Brier, evp.Decidable.F1)
	}
	t.Logf("readings: mean %.2f, ratio %.3f", mean, ratio)
	t.Logf("oracle: F1 %.3f, decidable %.3f, Brier %.4f; prior alone: %.3f, %.3f, %.4f", ev.F1, ev.Decidable.F1, *ev.Brier, evp.F1, evp.Decidable.F1, *evp.Brier)
}
