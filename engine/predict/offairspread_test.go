package predict

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// gaussLog is log N(y; m, s²).
func gaussLog(y, m, s float64) float64 {
	z := (y - m) / s
	return -0.5*z*z - math.Log(s*math.Sqrt(2*math.Pi))
}

// TestMastLogLRKnownAnswer: with Gaussian likelihoods (no contamination)
// the integral over the mast's offset b ~ N(0, τ²) has a closed form: the
// readings y_i = m_i + b + e_i, e_i ~ N(0, s²), are jointly Gaussian with
// covariance s²·I + τ²·11ᵀ, whose log density is
//
//	−½[Σd_i²/s² − τ²(Σd_i)²/(s²(s² + nτ²))] − ½ log((2π)ⁿ s^{2(n−1)} (s² + nτ²)),
//
// d_i = y_i − m_i (the matrix determinant lemma and Sherman–Morrison).
// The grid integration of mastLogLR must reproduce it.
func TestMastLogLRKnownAnswer(t *testing.T) {
	const tau, s = 7.0, 10.0
	y := []float64{-95, -101, -88, -97}
	on := []float64{-80, -84, -79, -83}
	off := []float64{-96, -99, -90, -93}
	joint := func(m []float64) float64 {
		n := float64(len(y))
		var sum, sum2 float64
		for i := range y {
			d := y[i] - m[i]
			sum += d
			sum2 += d * d
		}
		quad := sum2/(s*s) - tau*tau*sum*sum/(s*s*(s*s+n*tau*tau))
		logDet := (n-1)*math.Log(s*s) + math.Log(s*s+n*tau*tau)
		return -0.5*quad - 0.5*(n*math.Log(2*math.Pi)+logDet)
	}
	want := joint(off) - joint(on)
	idx := []int{0, 1, 2, 3}
	weight := []float64{1, 1, 1, 1}
	tech := []engine.Tech{engine.Tech3G, engine.Tech3G, engine.Tech3G, engine.Tech3G}
	upper := make([]bool, 4)
	spread := func(int) (float64, float64) { return tau, s }
	logs := func(i int, b, sd float64) (float64, float64) {
		return gaussLog(y[i], off[i]+b, sd), gaussLog(y[i], on[i]+b, sd)
	}
	got, levels := mastLogLR(idx, weight, spread, logs, tech, upper)
	if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) || got != levels {
		t.Fatalf("LLR %g (levels %g), want %g", got, levels, want)
	}
	// Independent readings (the check without a mast offset) would say
	// much more: the offset explains most of the 15 dB by which every
	// reading falls short of the on-air prediction.
	indep := 0.0
	for i := range y {
		indep += gaussLog(y[i], off[i], s) - gaussLog(y[i], on[i], s)
	}
	if !(indep > got+1) {
		t.Fatalf("independent readings' LLR %g not above the one with a mast offset %g", indep, got)
	}
}

// TestMastLogLRWithoutSpread: with τ below half a dB the mast's offset is
// not integrated: the LLR is Σ w_i (log L_off,i − log L_on,i) at b = 0,
// each technology on its own, and the levels' part leaves out the bounds.
func TestMastLogLRWithoutSpread(t *testing.T) {
	lOff := []float64{-3, -1.5, -2, -7}
	lOn := []float64{-2, -4, -2.5, -1}
	weight := []float64{0.5, 0.5, 1, 1}
	tech := []engine.Tech{engine.Tech4G, engine.Tech4G, engine.Tech3G, engine.Tech4G}
	upper := []bool{false, true, false, false}
	var bs []float64
	got, levels := mastLogLR([]int{0, 1, 2, 3}, weight, func(int) (float64, float64) { return 0.3, 8 },
		func(i int, b, sd float64) (float64, float64) {
			bs = append(bs, b)
			if sd != 8 {
				t.Fatalf("spread %g, want the within spread 8", sd)
			}
			return lOff[i], lOn[i]
		}, tech, upper)
	want := 0.5*(-3+2) + 0.5*(-1.5+4) + 1*(-2+2.5) + 1*(-7+1)
	wantLevels := want - 0.5*(-1.5+4)
	if math.Abs(got-want) > 1e-12 || math.Abs(levels-wantLevels) > 1e-12 {
		t.Fatalf("LLR %g levels %g, want %g and %g", got, levels, want, wantLevels)
	}
	for _, b := range bs {
		if b != 0 {
			t.Fatalf("offset %g evaluated, want 0 alone", b)
		}
	}
}

// TestMastSpreadKnownAnswer: within is 1.4826 × the median departure,
// τ² the squared robust spread of the masts' middles less the median
// sampling variance of a median, π/2 · within²/n_m; an outlying mast (off
// the air, 30 dB low) does not move it, and with fewer than
// MinSpreadMasts masts τ is 0 and within σ.
func TestMastSpreadKnownAnswer(t *testing.T) {
	means := []float64{-30, -6, -4, -3, -1, 0, 1, 2, 3, 5, 6, 8}
	var ms []mastResid
	for _, m := range means {
		ms = append(ms, mastResid{mid: m, w: 4}) // four squares each
	}
	ms = append(ms, mastResid{mid: 100, w: 0.5}) // under one square: left out
	dev := []float64{1, 2, 3, 4, 5, 6, 7}
	tau, within := mastSpread(ms, dev, 12)
	wantWithin := 1.4826 * 4
	// Means' median 1.5; absolute departures 31.5 7.5 5.5 4.5 2.5 1.5 0.5
	// 0.5 1.5 3.5 4.5 6.5, median 4; sampling variance π/2 · within²/4.
	wantTau := math.Sqrt(1.4826*4*1.4826*4 - math.Pi/2*wantWithin*wantWithin/4)
	if math.Abs(within-wantWithin) > 1e-12 || math.Abs(tau-wantTau) > 1e-12 {
		t.Fatalf("τ %g within %g, want %g and %g", tau, within, wantTau, wantWithin)
	}
	if tau, within := mastSpread(ms[:MinSpreadMasts-1], dev, 12); tau != 0 || within != 12 {
		t.Fatalf("with %d masts: τ %g within %g, want 0 and σ 12", MinSpreadMasts-1, tau, within)
	}
	// Masts that differ no more than sampling explains: τ 0.
	var same []mastResid
	for k := range 12 {
		same = append(same, mastResid{mid: float64(k%3 - 1), w: 1})
	}
	if tau, _ := mastSpread(same, []float64{10, 10, 10}, 15); tau != 0 {
		t.Fatalf("τ %g for masts within their sampling spread, want 0", tau)
	}
}

// ridgeWorld is 12 omni 3G masts of one carrier on a 4 × 3 grid 4 km
// apart, and around each mast 12 exact readings 300–1,800 m from it in
// all directions: the level its best server (of the masts on the air)
// predicts, plus that server's own offset (masts differ by about 7 dB:
// terrain the model does not see), plus N(0, 3²) noise (seeded).
func ridgeWorld(t *testing.T, offsets []float64, down int) ([]engine.Site, OffAirObs) {
	t.Helper()
	var reg []engine.Site
	for k := range 12 {
		lon := 105.8 + float64(k%4)*4000/(earthRadiusM*math.Cos(21*deg2rad))*rad2deg
		reg = append(reg, site(string(rune('A'+k)), engine.Viettel, engine.Tech3G, lon, latOffset(21.0, float64(k/4)*4000)))
	}
	var truth []engine.Site
	var truthOffset []float64
	for k, s := range reg {
		if k != down {
			truth = append(truth, s)
			truthOffset = append(truthOffset, offsets[k])
		}
	}
	var o OffAirObs
	for _, m := range reg {
		for j := range 12 {
			d := 300 + float64(j)*125
			a := float64(j) * 2 * math.Pi / 12
			addViettel3G(&o, m.Lon+d*math.Sin(a)/(earthRadiusM*math.Cos(m.Lat*deg2rad))*rad2deg, latOffset(m.Lat, d*math.Cos(a)))
		}
	}
	r, err := BestServer(truth, Points{Lon: o.Lon, Lat: o.Lat, Env: o.Env}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	o.LevelDBm = make([]float64, len(o.Lon))
	rng := rand.New(rand.NewPCG(7, 1))
	for j := range r.Len() {
		i := r.Point[j]
		o.LevelDBm[i] = r.SignalDBm[j] + truthOffset[r.Site[j]] + 3*rng.NormFloat64()
	}
	return reg, o
}

// onlyDSetDown runs OffAir on a ridgeWorld whose mast D is off the air
// and fails unless D alone is set down, logging every mast's evidence.
func onlyDSetDown(t *testing.T, reg []engine.Site, obs OffAirObs) *OffAirResult {
	t.Helper()
	r, err := OffAir(reg, obs, DefaultConfig(), OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var off []string
	for _, m := range r.Off() {
		off = append(off, m.SiteIDs...)
	}
	if len(off) != 1 || off[0] != "D" {
		for _, m := range r.Masts {
			t.Logf("%v: median residual %.1f dB, LLR %.2f (levels %.2f), P(off) %.3f", m.SiteIDs, m.MedianResidualDB, m.LogLR, m.LevelsLogLR, m.POff)
		}
		t.Fatalf("masts set down %v, want [D] alone (networks %+v)", off, r.Networks)
	}
	return r
}

// TestOffAirMastBehindARidge: mast J is on the air but every one of its
// tests reads 17 dB below its prediction (a ridge the model does not
// see), among masts whose own offsets spread by about 7 dB. Weighed as
// independent readings around the network's offset it would be called
// off the air; as one draw of the mast's offset it is not. Mast D, off
// the air (its tests read the other masts), is still found.
func TestOffAirMastBehindARidge(t *testing.T) {
	offsets := []float64{-6, 5, -3, 0, 8, -9, 2, 7, -1, -17, 4, -5}
	reg, obs := ridgeWorld(t, offsets, 3)
	r := onlyDSetDown(t, reg, obs)
	if n := r.Networks[0]; !(n.MastSpreadDB > 3) {
		t.Fatalf("network %+v: the masts' spread not measured", n)
	}
}

// TestCensoredMidKnownAnswer: the median over exact residuals and bounds
// placed at their values, weighted; a bound at or below the median leaves
// it where the true values would put it, whatever lies below the bound.
func TestCensoredMidKnownAnswer(t *testing.T) {
	// Exact −2, 1, 4, 7 and two bounds at −20 and −9: six values, the
	// median between the third and fourth (−2 and 1).
	r := []float64{1, -20, 7, -2, -9, 4}
	if got := censoredMid(r, ones(6)); got != -0.5 {
		t.Fatalf("censoredMid = %g, want −0.5", got)
	}
	// The bounds' true values anywhere below them: the same median.
	r2 := []float64{1, -45, 7, -2, -31, 4}
	if got := censoredMid(r2, ones(6)); got != -0.5 {
		t.Fatalf("censoredMid with lower true values = %g, want −0.5", got)
	}
	// Without the bounds (the exact readings alone) the median is higher:
	// what the offset was before bounds counted.
	if got := medianOf([]float64{1, 7, -2, 4}); got != 2.5 {
		t.Fatalf("medianOf = %g", got)
	}
	if got := censoredMid([]float64{1, 7, -2, 4, -30, -30, -30}, ones(7)); got != -2 {
		t.Fatalf("censoredMid with three low bounds = %g, want −2 (the fourth of seven)", got)
	}
	// Weighted: −5 weighs 3, 0 and 10 weigh 1 each: half the weight (2.5)
	// is reached at −5.
	if got := censoredMid([]float64{0, -5, 10}, []float64{1, 3, 1}); got != -5 {
		t.Fatalf("weighted censoredMid = %g, want −5", got)
	}
	// Exactly half the weight at a value: between it and the next.
	if got := censoredMid([]float64{0, -5, 10}, []float64{1, 2, 1}); got != -2.5 {
		t.Fatalf("weighted censoredMid at half = %g, want −2.5", got)
	}
	if got := censoredMid(nil, nil); !math.IsNaN(got) {
		t.Fatalf("censoredMid of nothing = %g, want NaN", got)
	}
}

// ones returns n weights of 1.
func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// TestUpperHalfSpreadKnownAnswer: 1.4826 × the median of the exact
// departures above the middle, whatever the bounds and the lower tail
// hold; with fewer than three departures above it, the median absolute
// departure of all exact residuals.
func TestUpperHalfSpreadKnownAnswer(t *testing.T) {
	r := []float64{0, 2, 4, 6, -40, -50, -3, -124}
	up := []bool{false, false, false, false, false, false, false, true}
	// Above 0: 2, 4, 6, median 4.
	if got, want := upperHalfSpread(r, up, 0), 1.4826*4; math.Abs(got-want) > 1e-12 {
		t.Fatalf("upperHalfSpread = %g, want %g", got, want)
	}
	// Two above: |0|, 2, 4, 6, 40, 50, 3 (exact only), median 4.
	r2 := []float64{0, 2, 4, -6, -40, -50, -3, 30}
	up2 := []bool{false, false, false, false, false, false, false, true}
	if got, want := upperHalfSpread(r2, up2, 0), 1.4826*4; math.Abs(got-want) > 1e-12 {
		t.Fatalf("upperHalfSpread fallback = %g, want %g", got, want)
	}
}

// TestOffAirWeakTestsUnread: every mast of a network is on the air but
// D; the tests read the prediction with a 14 dB spread (the worlds of
// benchmarks/worlds fit 11–21 dB), and the weakest half go unread as
// levels — phones camped on a lower technology, a scanner at
// its floor — and come as bounds at the level they fell under. The
// levels read are then the strong ones: their median alone put the
// network's offset 12 dB high, and the bounds of healthy masts F and G
// looked unlikely enough on the air to set them down. Counted with the levels (a
// censored median), they leave the healthy masts on; D, whose tests read
// the other masts, is still found.
func TestOffAirWeakTestsUnread(t *testing.T) {
	offsets := make([]float64, 12)
	reg, obs := ridgeWorld(t, offsets, 3)
	rng := rand.New(rand.NewPCG(11, 2))
	for i := range obs.LevelDBm {
		obs.LevelDBm[i] += 13.7 * rng.NormFloat64() // 14 dB in all with ridgeWorld's 3
	}
	floor := slices.Clone(obs.LevelDBm)
	slices.Sort(floor)
	cut := floor[len(floor)/2]
	bounds := 0
	for i, v := range obs.LevelDBm {
		if v < cut {
			obs.LevelDBm[i], obs.Upper[i] = cut, true
			bounds++
		}
	}
	r := onlyDSetDown(t, reg, obs)
	n := r.Networks[0]
	if n.Bounds != bounds || n.Observations != len(obs.LevelDBm)-bounds {
		t.Fatalf("network %+v: want %d bounds and %d levels", n, bounds, len(obs.LevelDBm)-bounds)
	}
}
