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
	// The readings take a fifth off the prior's Brier score here (0.0204
	// against 0.0255); 0.85 leaves room for the Monte Carlo's noise.
	if !(*ev.Brier < 0.85**evp.Brier) || ev.Decidable.F1 <= evp.Decidable.F1 {
		t.Errorf("with the readings Brier %.6f, decidable F1 %.3f; prior alone %.6f, %.3f: the readings should help",
			*ev.Brier, ev.Decidable.F1, *evp.Brier, evp.Decidable.F1)
	}
	t.Logf("readings: mean %.2f, ratio %.3f", mean, ratio)
	t.Logf("oracle: F1 %.3f, decidable %.3f, Brier %.4f; prior alone: %.3f, %.3f, %.4f", ev.F1, ev.Decidable.F1, *ev.Brier, evp.F1, evp.Decidable.F1, *evp.Brier)
}

// TestBinomialDraw: the counts of the oracle's first-key draws have the
// binomial's mean n·p and variance n·p·(1−p), on either side of ½ and at
// the edges.
func TestBinomialDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	if binomialDraw(rng, 4000, 0) != 0 || binomialDraw(rng, 4000, 1) != 4000 || binomialDraw(rng, 0, 0.3) != 0 {
		t.Fatal("edges: want 0 at p = 0, n at p = 1, 0 of no trial")
	}
	for _, c := range []struct {
		n int
		p float64
	}{{4000, 1e-4}, {4000, 0.003}, {4000, 0.2}, {4000, 0.5}, {4000, 0.93}, {10, 0.37}} {
		const reps = 20000
		var sum, sum2 float64
		for range reps {
			k := binomialDraw(rng, c.n, c.p)
			if k < 0 || k > c.n {
				t.Fatalf("n %d p %g: drew %d", c.n, c.p, k)
			}
			sum += float64(k)
			sum2 += float64(k) * float64(k)
		}
		mean := sum / reps
		v := sum2/reps - mean*mean
		wantM, wantV := float64(c.n)*c.p, float64(c.n)*c.p*(1-c.p)
		// The sample mean's standard error is √(v/reps); the sample
		// variance's about v·√(2/reps): 5 of each.
		if math.Abs(mean-wantM) > 5*math.Sqrt(wantV/reps) || math.Abs(v-wantV) > 5*wantV*math.Sqrt(2.0/reps)+1e-9 {
			t.Errorf("n %d p %g: mean %.4f variance %.4f; want %.4f and %.4f", c.n, c.p, mean, v, wantM, wantV)
		}
	}
}

// TestOraclePDeadOrthant: two carriers' keys with no reading, one likely
// served (the draws that pass it are few, drawn in bulk) and one not:
// P(both below) is the bivariate normal's quadrant probability
// ∫_{−∞}^{a} φ(x)·Φ((b − ρx)/√(1−ρ²)) dx, integrated here by the midpoint
// rule, within 5 standard errors of the oracle's 4,000 draws.
func TestOraclePDeadOrthant(t *testing.T) {
	th := engine.DefaultThresholds() // 3G covered at −100 dBm
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	rho := shadowCorr(0, false, false)
	for _, c := range []struct{ a, b float64 }{{-2.1, 0.4}, {-1.2, 1.5}, {0.3, -0.8}, {1.1, 2.0}} {
		keys := []oracleKey{
			{carrier: carrierMask(engine.Viettel), tech: engine.Tech3G, det: float32(-100 - 8*c.a), sd: 8},
			{carrier: carrierMask(engine.VinaPhone), tech: engine.Tech3G, det: float32(-100 - 6*c.b), sd: 6},
		}
		const steps = 200000
		lo := -9.0
		h := (c.a - lo) / steps
		want := 0.0
		for i := range steps {
			x := lo + (float64(i)+0.5)*h
			want += math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) * phi((c.b-rho*x)/math.Sqrt(1-rho*rho)) * h
		}
		var got float64
		const reps = 8
		for r := range reps {
			got += oraclePDead(keys, nil, nil, th, rand.New(rand.NewPCG(uint64(r), 3)))
		}
		got /= reps
		se := math.Sqrt(want * (1 - want) / (oracleDraws * reps))
		if math.Abs(got-want) > 5*se {
			t.Errorf("levels %.1fσ and %.1fσ above the keys, ρ %.2f: P(dead) %.5f, want %.5f (±%.5f)", c.a, c.b, rho, got, want, se)
		}
	}
}
