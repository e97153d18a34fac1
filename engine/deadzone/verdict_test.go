package deadzone

import (
	"errors"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"gonum.org/v1/gonum/stat/distuv"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

var (
	vt4G = Key{engine.Viettel, engine.Tech4G}
	mf3G = Key{engine.MobiFone, engine.Tech3G}
	vn4G = Key{engine.VinaPhone, engine.Tech4G}
	vt2G = Key{engine.Viettel, engine.Tech2G}
)

func diag(v ...float64) []float64 {
	n := len(v)
	c := make([]float64, n*n)
	for i, x := range v {
		c[i*n+i] = x
	}
	return c
}

// Independent keys: P(dead) = Π Φ((t − μ)/σ), the closed form, and the
// Monte Carlo path (forced by a negligible covariance) agrees with it.
func TestDecideIndependent(t *testing.T) {
	cfg := DefaultVerdictConfig()
	p := Posterior{Keys: []Key{vt4G, mf3G, vn4G}, MeanDBm: []float64{-108, -97, -115}, Cov: diag(36, 25, 64)}
	// Φ((−105+108)/6) · Φ((−100+97)/5) · Φ((−105+115)/8)
	want := distuv.UnitNormal.CDF(0.5) * distuv.UnitNormal.CDF(-0.6) * distuv.UnitNormal.CDF(1.25)
	// Published values: Φ(0.5) = 0.691462, Φ(−0.6) = 0.274253, Φ(1.25) = 0.894350.
	if !near(want, 0.691462*0.274253*0.894350, 1e-5) {
		t.Fatalf("closed form %g", want)
	}
	v, err := Decide(p, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !near(v.PDead, want, 1e-12) {
		t.Errorf("closed form: PDead %g, want %g", v.PDead, want)
	}
	if v.Best != mf3G || v.BestMeanDBm != -97 || v.BestSigmaDB != 5 {
		t.Errorf("best %v %g±%g, want MobiFone 3G −97±5", v.Best, v.BestMeanDBm, v.BestSigmaDB)
	}
	p.Cov[1] = 1e-9
	p.Cov[3] = 1e-9
	cfg.Draws = 200000
	mc, err := Decide(p, cfg, Seed("V1"))
	if err != nil {
		t.Fatal(err)
	}
	// Standard error √(p(1−p)/n) ≈ 0.0009; 5 of them.
	if !near(mc.PDead, want, 0.005) {
		t.Errorf("Monte Carlo: PDead %g, want %g", mc.PDead, want)
	}
}

// bvn is P(X < a, Y < b) for standard bivariate normal with correlation
// rho, by Simpson's rule on ∫_{−8}^{a} φ(x) Φ((b − ρx)/√(1 − ρ²)) dx.
func bvn(a, b, rho float64) float64 {
	const n = 20000
	lo := -8.0
	h := (a - lo) / n
	s := 0.0
	for i := 0; i <= n; i++ {
		x := lo + float64(i)*h
		f := distuv.UnitNormal.Prob(x) * distuv.UnitNormal.CDF((b-rho*x)/math.Sqrt(1-rho*rho))
		switch {
		case i == 0 || i == n:
			s += f
		case i%2 == 1:
			s += 4 * f
		default:
			s += 2 * f
		}
	}
	return s * h / 3
}

// Two correlated keys: P(dead) is the bivariate normal CDF at the
// standardised thresholds.
func TestDecideBivariate(t *testing.T) {
	// The orthant probability P(X < 0, Y < 0) = 1/4 + asin(ρ)/(2π)
	// (Sheppard) checks the integrator itself.
	for _, rho := range []float64{-0.5, 0, 0.3, 0.8} {
		if got, want := bvn(0, 0, rho), 0.25+math.Asin(rho)/(2*math.Pi); !near(got, want, 1e-7) {
			t.Fatalf("bvn(0, 0, %g) = %g, want %g", rho, got, want)
		}
	}
	cases := []struct {
		name   string
		mu     [2]float64
		sd     [2]float64
		rho    float64
		orthnt bool // means at the thresholds: Sheppard's closed form
	}{
		{"orthant rho 0.6", [2]float64{-105, -100}, [2]float64{6, 5}, 0.6, true},
		{"orthant rho 0.9", [2]float64{-105, -100}, [2]float64{8, 4}, 0.9, true},
		{"orthant rho -0.4", [2]float64{-105, -100}, [2]float64{6, 6}, -0.4, true},
		{"shifted rho 0.7", [2]float64{-110, -95}, [2]float64{6, 5}, 0.7, false},
		{"shifted rho 0.3", [2]float64{-101, -104}, [2]float64{7, 3}, 0.3, false},
	}
	cfg := DefaultVerdictConfig()
	cfg.Draws = 200000
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cov := []float64{c.sd[0] * c.sd[0], c.rho * c.sd[0] * c.sd[1], c.rho * c.sd[0] * c.sd[1], c.sd[1] * c.sd[1]}
			p := Posterior{Keys: []Key{vt4G, mf3G}, MeanDBm: c.mu[:], Cov: cov}
			a, b := (-105-c.mu[0])/c.sd[0], (-100-c.mu[1])/c.sd[1]
			want := bvn(a, b, c.rho)
			if c.orthnt {
				want = 0.25 + math.Asin(c.rho)/(2*math.Pi)
			}
			v, err := Decide(p, cfg, Seed("V-"+c.name))
			if err != nil {
				t.Fatal(err)
			}
			if !near(v.PDead, want, 0.005) {
				t.Errorf("PDead %g, want %g", v.PDead, want)
			}
		})
	}
}

// More keys than two, correlated: with m standard normals of common
// correlation ½ the orthant P(all < 0) is 1/(m + 1) (Steck 1962; Tong,
// The Multivariate Normal Distribution, 1990, §8.2), whatever order the
// keys are listed in; the draws take the keys in order of their chance to
// serve and stop at the first that does, so the answer must not depend
// on the listing order.
func TestDecideEquicorrelated(t *testing.T) {
	keys := []Key{vt4G, mf3G, {engine.VinaPhone, engine.Tech4G}, {engine.Vietnamobile, engine.Tech4G}}
	cfg := DefaultVerdictConfig()
	cfg.Draws = 200000
	for m := 2; m <= len(keys); m++ {
		mu := make([]float64, m)
		cov := make([]float64, m*m)
		for i := range m {
			mu[i] = cfg.Thresholds.Covered(keys[i].Tech)
			for j := range m {
				cov[i*m+j] = 18 // σ 6 dB, correlation ½
			}
			cov[i*m+i] = 36
		}
		v, err := Decide(Posterior{Keys: keys[:m], MeanDBm: mu, Cov: cov}, cfg, Seed("E"))
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 / float64(m+1); !near(v.PDead, want, 0.005) {
			t.Errorf("%d keys: PDead %g, want %g", m, v.PDead, want)
		}
	}
	// Shifted means: the same posterior with its keys listed in reverse
	// gives the same P(dead) within the draws' error.
	mu := []float64{-112, -96, -101, -90}
	sd := []float64{7, 5, 6, 8}
	rho := [][]float64{{1, 0.6, 0.5, 0.4}, {0.6, 1, 0.7, 0.3}, {0.5, 0.7, 1, 0.5}, {0.4, 0.3, 0.5, 1}}
	cov := make([]float64, 16)
	rev := make([]float64, 16)
	for i := range 4 {
		for j := range 4 {
			cov[i*4+j] = rho[i][j] * sd[i] * sd[j]
			rev[(3-i)*4+(3-j)] = cov[i*4+j]
		}
	}
	rk := []Key{keys[3], keys[2], keys[1], keys[0]}
	rm := []float64{mu[3], mu[2], mu[1], mu[0]}
	a, err := Decide(Posterior{Keys: keys, MeanDBm: mu, Cov: cov}, cfg, Seed("F"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decide(Posterior{Keys: rk, MeanDBm: rm, Cov: rev}, cfg, Seed("G"))
	if err != nil {
		t.Fatal(err)
	}
	if a.PDead < 0.01 || !near(a.PDead, b.PDead, 0.006) {
		t.Errorf("PDead %g listed one way, %g the other", a.PDead, b.PDead)
	}
}

// Near the cut Decide draws more: a place whose P(dead) is about the cut
// gets up to eight times the draws, one far from it the draws asked for.
func TestDecideDrawsMoreNearTheCut(t *testing.T) {
	rho := 0.999 // orthant 1/4 + asin(ρ)/(2π) ≈ 0.4929
	p := Posterior{Keys: []Key{vt4G, mf3G}, MeanDBm: []float64{-105, -100}, Cov: []float64{36, rho * 30, rho * 30, 25}}
	want := 0.25 + math.Asin(rho)/(2*math.Pi)
	cfg := DefaultVerdictConfig()
	v, err := Decide(p, cfg, Seed("C"))
	if err != nil {
		t.Fatal(err)
	}
	draws := func(pd float64) int {
		for n := cfg.Draws; n <= maxDrawsFactor*cfg.Draws; n += cfg.Draws {
			if x := pd * float64(n); math.Abs(x-math.Round(x)) < 1e-6 && (n == maxDrawsFactor*cfg.Draws || math.Abs(pd-cfg.Cut) >= nearCutSE*math.Sqrt(pd*(1-pd)/float64(n))) {
				return n
			}
		}
		return -1
	}
	if n := draws(v.PDead); n <= cfg.Draws || !near(v.PDead, want, 3*math.Sqrt(want*(1-want)/float64(n))) {
		t.Errorf("cut 0.5: PDead %g from %d draws, want %g from more than %d", v.PDead, n, want, cfg.Draws)
	}
	cfg.Cut = 0.2
	v, err = Decide(p, cfg, Seed("C"))
	if err != nil {
		t.Fatal(err)
	}
	if n := draws(v.PDead); n != cfg.Draws {
		t.Errorf("cut 0.2: PDead %g from %d draws, want %d", v.PDead, n, cfg.Draws)
	}
}

func TestDecideEdges(t *testing.T) {
	cfg := DefaultVerdictConfig()
	t.Run("no data key is dead", func(t *testing.T) {
		v, err := Decide(Posterior{Keys: []Key{vt2G}, MeanDBm: []float64{-80}, Cov: diag(16)}, cfg, 1)
		if err != nil || v.PDead != 1 || !v.Has2G || v.Level(cfg.Cut) != Only2G || v.Best.Tech != engine.TechUnknown {
			t.Errorf("got %+v, %v; want PDead 1, 2G-only", v, err)
		}
	})
	t.Run("no key at all", func(t *testing.T) {
		v, err := Decide(Posterior{}, cfg, 1)
		if err != nil || v.PDead != 1 || v.Has2G || v.Level(cfg.Cut) != NoSignal {
			t.Errorf("got %+v, %v", v, err)
		}
	})
	t.Run("zero sigma is a step", func(t *testing.T) {
		v, err := Decide(Posterior{Keys: []Key{vt4G}, MeanDBm: []float64{-105}, Cov: diag(0)}, cfg, 1)
		if err != nil || v.PDead != 0 {
			t.Errorf("at the threshold with σ 0: %+v, %v", v, err)
		}
	})
	t.Run("perfect correlation", func(t *testing.T) {
		// Two keys that move together (ρ = 1, equal σ, same margin):
		// P(dead) = Φ(margin/σ) for one of them, not its square.
		p := Posterior{Keys: []Key{vt4G, vn4G}, MeanDBm: []float64{-108, -108}, Cov: []float64{36, 36, 36, 36}}
		c := cfg
		c.Draws = 100000
		v, err := Decide(p, c, 7)
		if err != nil {
			t.Fatal(err)
		}
		if want := distuv.UnitNormal.CDF(0.5); !near(v.PDead, want, 0.006) {
			t.Errorf("PDead %g, want %g", v.PDead, want)
		}
	})
	t.Run("not semi-definite", func(t *testing.T) {
		p := Posterior{Keys: []Key{vt4G, vn4G}, MeanDBm: []float64{-108, -108}, Cov: []float64{1, 4, 4, 1}}
		if _, err := Decide(p, cfg, 1); !errors.Is(err, ErrInput) {
			t.Errorf("err %v, want ErrInput", err)
		}
	})
	t.Run("shape", func(t *testing.T) {
		if _, err := Decide(Posterior{Keys: []Key{vt4G}, MeanDBm: []float64{-1}}, cfg, 1); !errors.Is(err, ErrInput) {
			t.Errorf("err %v, want ErrInput", err)
		}
	})
	t.Run("deterministic", func(t *testing.T) {
		p := Posterior{Keys: []Key{vt4G, vn4G}, MeanDBm: []float64{-106, -104}, Cov: []float64{36, 20, 20, 49}}
		a, _ := Decide(p, cfg, Seed("V12-00077"))
		b, _ := Decide(p, cfg, Seed("V12-00077"))
		if a != b {
			t.Errorf("same seed, different verdicts: %+v, %+v", a, b)
		}
	})
}

func TestStatusOf(t *testing.T) {
	cases := []struct {
		p    float64
		want Status
	}{
		{0, ConfirmedServed}, {0.05, ConfirmedServed}, {0.0501, LikelyServed}, {0.2, LikelyServed},
		{0.2001, Uncertain}, {0.5, Uncertain}, {0.7999, Uncertain}, {0.8, LikelyDead}, {0.9499, LikelyDead},
		{0.95, ConfirmedDead}, {1, ConfirmedDead},
	}
	for _, c := range cases {
		if got := StatusOf(c.p); got != c.want {
			t.Errorf("StatusOf(%g) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestCutFromMissCost(t *testing.T) {
	for _, c := range []struct{ cost, want float64 }{{1, 0.5}, {3, 0.25}, {0.25, 0.8}, {9, 0.1}} {
		got, err := CutFromMissCost(c.cost)
		if err != nil || !near(got, c.want, 1e-15) {
			t.Errorf("CutFromMissCost(%g) = %g, %v; want %g", c.cost, got, err, c.want)
		}
	}
	// 1e-17: positive, but 1/(1+C) rounds to 1 — no place could be dead.
	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1), 1e-17, 1e-320} {
		if _, err := CutFromMissCost(bad); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("CutFromMissCost(%g): err %v", bad, err)
		}
	}
	if c, err := CutFromMissCost(1e-15); err != nil || !(c < 1) {
		t.Errorf("CutFromMissCost(1e-15) = %g, %v; want a cut below 1", c, err)
	}
}

func TestCutFromServedReliability(t *testing.T) {
	for _, c := range []struct{ r, want float64 }{{0.5, 0.5}, {0.9, 0.1}, {0.7, 0.3}} {
		got, err := CutFromServedReliability(c.r)
		if err != nil || !near(got, c.want, 1e-15) {
			t.Errorf("CutFromServedReliability(%g) = %g, %v; want %g", c.r, got, err, c.want)
		}
	}
	for _, bad := range []float64{0, 1, -0.1, 1.5, math.NaN(), 1e-17, 1 - 1e-17} {
		if _, err := CutFromServedReliability(bad); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("CutFromServedReliability(%g): err %v", bad, err)
		}
	}
}

// A key almost surely above its threshold bounds P(dead) without draws:
// viettel 4G at −80 dBm, σ 4 (P(below −105) = Φ(−6.25) ≈ 2·10⁻¹⁰) beside
// a correlated key: PDead is that bound, below 10⁻⁶; at σ 6 (Φ(−4.17) ≈
// 1.5·10⁻⁵) the draws decide, and none of 2000 falls below both.
func TestDecideSurelyServed(t *testing.T) {
	cfg := DefaultVerdictConfig()
	for _, tc := range []struct {
		sd    float64
		bound bool
	}{{4, true}, {6, false}} {
		p := Posterior{Keys: []Key{vt4G, mf3G}, MeanDBm: []float64{-80, -101}, Cov: []float64{tc.sd * tc.sd, 10, 10, 36}}
		v, err := Decide(p, cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		below := distuv.UnitNormal.CDF((-105 + 80) / tc.sd)
		if tc.bound && (math.Abs(v.PDead/below-1) > 1e-5 || v.PDead > 1e-6) {
			t.Errorf("σ %v: PDead %g, want the bound %g", tc.sd, v.PDead, below)
		}
		if !tc.bound && v.PDead != 0 {
			t.Errorf("σ %v: PDead %g from the draws, want 0", tc.sd, v.PDead)
		}
	}
}

// RoundPDead rounds as usual unless that would move the figure across a
// status bound or the cut: then it stops one unit short, on the side of
// the value.
func TestRoundPDead(t *testing.T) {
	for _, c := range []struct {
		p        float64
		decimals int
		cut      float64
		want     float64
	}{
		{0.12345, 4, 0.5, 0.1235},    // nowhere near a bound
		{0.94996, 4, 0.5, 0.9499},    // likely_dead, not 0.95 (confirmed_dead)
		{0.95004, 4, 0.5, 0.95},      // confirmed_dead stays at 0.95
		{0.9475, 2, 0.5, 0.94},       // the report: 0.94, not 0.95
		{0.4967, 2, 0.5, 0.49},       // not counted: under the cut
		{0.5035, 2, 0.5, 0.5},        // counted: 0.50
		{0.20003, 4, 0.5, 0.2001},    // uncertain (> 0.2), not 0.2 (likely_served)
		{0.05004, 4, 0.5, 0.0501},    // likely_served (> 0.05), not 0.05
		{0.04996, 4, 0.5, 0.05},      // confirmed_served at 0.05 inclusive
		{0.7996, 2, 0.5, 0.79},       // uncertain, under likely_dead's 0.8
		{0.33336, 2, 0.333335, 0.34}, // a cut from --miss-cost: counted, above it
		{0.3333, 2, 0.33334, 0.33},   // under it: not counted
	} {
		got := RoundPDead(c.p, c.decimals, c.cut)
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("RoundPDead(%v, %d, %v) = %v, want %v", c.p, c.decimals, c.cut, got, c.want)
		}
		if StatusOf(got) != StatusOf(c.p) || (got >= c.cut) != (c.p >= c.cut) {
			t.Errorf("RoundPDead(%v, %d, %v) = %v changes the class or the count", c.p, c.decimals, c.cut, got)
		}
	}
	if !math.IsNaN(RoundPDead(math.NaN(), 4, 0.5)) {
		t.Error("NaN")
	}
}
