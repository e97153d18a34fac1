package penetration

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"gonum.org/v1/gonum/stat/distuv"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) != math.IsNaN(want) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g (±%g)", name, got, want, tol)
	}
}

func TestWilsonKnownAnswers(t *testing.T) {
	// Published values: Newcombe (1998), Statistics in Medicine 17:857,
	// table I (Wilson score method without continuity correction), and
	// the 10/100 example of common Wilson interval calculators.
	for _, c := range []struct {
		name           string
		x, n, conf     float64
		wantLo, wantHi float64
	}{
		{"10 of 100", 10, 100, 0.95, 0.0552, 0.1744},
		{"0 of 10", 0, 10, 0.95, 0, 0.2775},
		{"10 of 10", 10, 10, 0.95, 0.7225, 1},
		{"81 of 263 (Newcombe)", 81, 263, 0.95, 0.2553, 0.3662},
		{"15 of 148 (Newcombe)", 15, 148, 0.95, 0.0624, 0.1605},
		{"no trials", 0, 0, 0.95, 0, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			lo, hi := Wilson(c.x, c.n, c.conf)
			near(t, "lower", lo, c.wantLo, 5e-5)
			near(t, "upper", hi, c.wantHi, 5e-5)
		})
	}
}

func TestBetaQuantilesKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		name       string
		a, b, p, q float64
	}{
		// Median of Beta(2,3): root of 6x²−8x³+3x⁴ = ½, 0.38573 (tables
		// of the incomplete beta function; Kerman's approximation gives 0.3846).
		{"Beta(2,3) median", 2, 3, 0.5, 0.38573},
		{"Beta(1,1) 5%", 1, 1, 0.05, 0.05},
		{"Beta(1,1) 95%", 1, 1, 0.95, 0.95},
		// Arcsine law: Q(p) = sin²(πp/2).
		{"Beta(1/2,1/2) 5%", 0.5, 0.5, 0.05, math.Pow(math.Sin(math.Pi*0.05/2), 2)},
		// Beta(2,1): F(x) = x², Q(p) = √p.
		{"Beta(2,1) 5%", 2, 1, 0.05, math.Sqrt(0.05)},
	} {
		t.Run(c.name, func(t *testing.T) {
			near(t, "quantile", distuv.Beta{Alpha: c.a, Beta: c.b}.Quantile(c.p), c.q, 5e-5)
		})
	}
}

func TestNoSmartphoneArithmetic(t *testing.T) {
	near(t, "(1-0.5)^3", NoSmartphone(0.5, 3), 0.125, 1e-15)
	near(t, "(1-0.2)^2", NoSmartphone(0.2, 2), 0.64, 1e-15)
	near(t, "(1-0.7)^0", NoSmartphone(0.7, 0), 1, 0)
	// One adult per household: share = p under both models.
	near(t, "K=1 shifted", HouseholdNoSmartphone(0.3, 1, ShiftedPoisson), 0.7, 1e-15)
	near(t, "K=1 ztp", HouseholdNoSmartphone(0.3, 0.8, ZeroTruncatedPoisson), 0.7, 1e-15)
	// 1+Poisson(λ): E[s^K] = s·e^{−λ(1−s)}; λ = 1.7, p = 0.4.
	near(t, "shifted closed form", HouseholdNoSmartphone(0.4, 2.7, ShiftedPoisson), 0.6*math.Exp(-1.7*0.4), 1e-15)
	// Both against a direct sum over k of P(K=k)(1−p)^k.
	for _, d := range []HouseholdDist{ShiftedPoisson, ZeroTruncatedPoisson} {
		a, p := 2.6, 0.35
		var sum, mean, tot float64
		for k := 1; k < 60; k++ {
			var pk float64
			if d == ShiftedPoisson {
				pk = distuv.Poisson{Lambda: a - 1}.Prob(float64(k - 1))
			} else {
				th := ztpTheta(a)
				pk = distuv.Poisson{Lambda: th}.Prob(float64(k)) / -math.Expm1(-th)
			}
			sum += pk * NoSmartphone(p, k)
			mean += pk * float64(k)
			tot += pk
		}
		near(t, d.String()+" total probability", tot, 1, 1e-12)
		near(t, d.String()+" mean adults", mean, a, 1e-9)
		near(t, d.String()+" E[(1-p)^K]", HouseholdNoSmartphone(p, a, d), sum, 1e-12)
	}
}

func TestPriorStrengthMoMHandExample(t *testing.T) {
	// μ = ½, n = 10 in both areas: vᵢ = 2.5. x = 2 and 8: Σ(x−nμ)² = 18,
	// Σv = 5, Σ(n−1)v = 45, ρ = 13/45, m = 45/13 − 1 = 32/13.
	m, used, ok := PriorStrengthMoM([]SurveyArea{{0.5, 10, 2}, {0.5, 10, 8}, {0.5, 0, 0}})
	if !ok || used != 2 {
		t.Fatalf("ok=%v used=%d", ok, used)
	}
	near(t, "m", m, 32.0/13, 1e-12)
	// x = 4 and 6: Σ(x−nμ)² = 2 < Σv: no overdispersion, m = +Inf.
	if m, _, ok := PriorStrengthMoM([]SurveyArea{{0.5, 10, 4}, {0.5, 10, 6}}); !ok || !math.IsInf(m, 1) {
		t.Errorf("no overdispersion: m=%v ok=%v, want +Inf", m, ok)
	}
	// x = 0 and 10 with μ = ½: ρ = (50−5)/45 = 1, m = 0.
	if m, _, ok := PriorStrengthMoM([]SurveyArea{{0.5, 10, 0}, {0.5, 10, 10}}); !ok || m != 0 {
		t.Errorf("full overdispersion: m=%v ok=%v, want 0", m, ok)
	}
	if _, _, ok := PriorStrengthMoM([]SurveyArea{{0.5, 1, 1}}); ok {
		t.Error("n = 1 only: want not ok")
	}
}

func TestShrinkageLimits(t *testing.T) {
	const mu, m = 0.7, 40.0
	// n → 0: prior mean μ, prior interval.
	e := BetaPosterior(mu, m, 0, 0, 0.9)
	near(t, "n=0 mean", e.Value, mu, 1e-12)
	b := distuv.Beta{Alpha: m * mu, Beta: m * (1 - mu)}
	near(t, "n=0 lower", e.Lower, b.Quantile(0.05), 1e-12)
	// n → ∞: x/n.
	e = BetaPosterior(mu, m, 4e6, 1e7, 0.9)
	near(t, "n=1e7 mean", e.Value, 0.4, 1e-5)
	if e.Upper-e.Lower > 0.001 {
		t.Errorf("n=1e7 interval [%v, %v] too wide", e.Lower, e.Upper)
	}
	// A small commune: 12 households surveyed, 6 with a smartphone. The
	// posterior lies between x/n and μ and the interval stays wide.
	e = BetaPosterior(mu, m, 6, 12, 0.9)
	near(t, "n=12 mean", e.Value, (m*mu+6)/(m+12), 1e-12)
	if !(e.Value > 0.5 && e.Value < mu) || e.Upper-e.Lower < 0.15 {
		t.Errorf("n=12: %+v", e)
	}
}

func TestShrinkageApply(t *testing.T) {
	sh := DefaultShrinkage()
	areas := []SurveyArea{{0.8, 100, 70}, {0.6, 100, 75}, {0.7, 12, 5}, {0.9, 0, 0}, {math.NaN(), 20, 10}, {math.NaN(), 0, 0}}
	est, m, err := sh.Apply(areas)
	if err != nil {
		t.Fatal(err)
	}
	// m by hand over the first three areas.
	want, _, _ := PriorStrengthMoM(areas)
	near(t, "m", m, min(max(want, sh.MinPriorStrength), sh.MaxPriorStrength), 1e-12)
	near(t, "no survey = prior mean", est[3].Value, 0.9, 1e-12)
	near(t, "no model = Jeffreys mean", est[4].Value, 10.5/21, 1e-12)
	// The survey alone names its own prior, not the model's: its interval
	// is no shrinkage towards a model share it does not have.
	if e := est[4]; e.Interval != IntervalJeffreys || e.Method != MethodSmartphoneSurvey || strings.Contains(strings.Join(e.Assumptions, "; "), "model share, m =") {
		t.Errorf("no model: interval %q, method %q, assumptions %q", e.Interval, e.Method, e.Assumptions)
	}
	if e := est[0]; e.Interval != IntervalPosterior || e.Method != MethodSmartphoneEB {
		t.Errorf("model and survey: interval %q, method %q", e.Interval, e.Method)
	}
	if est[5].Known() {
		t.Error("no model and no survey must be unknown")
	}
	for i, e := range est[:5] {
		if !(e.Lower <= e.Value && e.Value <= e.Upper) || e.Confidence != 0.9 {
			t.Errorf("area %d: %+v", i, e)
		}
	}
	if _, _, err := sh.Apply([]SurveyArea{{0.5, 10, 11}}); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("x > n: err = %v", err)
	}
	few, m2, _ := sh.Apply(areas[:1])
	if m2 != sh.FallbackPriorStrength || !few[0].Known() {
		t.Errorf("one area: m = %v, want fallback %v", m2, sh.FallbackPriorStrength)
	}
	// The assumption says one area in the singular.
	if a := strings.Join(few[0].Assumptions, "; "); !strings.Contains(a, "fallback (1 surveyed area, need 3)") {
		t.Errorf("one area: assumptions %q", a)
	}
}

func TestPeriod(t *testing.T) {
	p, err := ParsePeriod("2024-01")
	if err != nil || p != (Period{2024, time.January}) {
		t.Fatal(p, err)
	}
	for _, c := range []struct {
		n    int
		want string
	}{{-1, "2023-12"}, {-13, "2022-12"}, {-12, "2023-01"}, {11, "2024-12"}, {12, "2025-01"}, {-2024*12 - 1, "-001-12"}} {
		if got := p.AddMonths(c.n).String(); got != c.want {
			t.Errorf("AddMonths(%d) = %s, want %s", c.n, got, c.want)
		}
	}
	if _, err := ParsePeriod("2024-13"); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("bad period: %v", err)
	}
	if got := (Period{2024, time.April}).Mid(); !got.Equal(time.Date(2024, 4, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("mid April = %v", got)
	}
}

func TestProjection(t *testing.T) {
	proj := Census2025Projection()
	if err := proj.Validate(); err != nil {
		t.Fatal(err)
	}
	var tot float64
	for _, b := range proj.Base {
		tot += b.Households
	}
	near(t, "census households", tot, 26870079, 0) // GSO 2019 census total
	// 1 April 2019 → 16 April 2024: 1827 + 15 = 1842 days.
	p := Period{2024, time.April}
	near(t, "years", proj.Years(p), 1842/365.2425, 1e-12)
	code := "01" // Hà Nội
	mid, lo, hi, ok := proj.Households(code, p)
	if !ok {
		t.Fatal("no base for 01")
	}
	h0 := proj.Base[code].Households
	y := 1842 / 365.2425
	near(t, "mid", mid, h0*math.Pow(1.015, y), 1e-6)
	near(t, "lo", lo, h0*math.Pow(1.005, y), 1e-6)
	near(t, "hi", hi, h0*math.Pow(1.025, y), 1e-6)
	if _, _, _, ok := proj.Households("99999", p); ok {
		t.Error("unknown area projected")
	}
}

func TestFibreShare(t *testing.T) {
	proj := Census2019Projection()
	nan := math.NaN()
	p := Period{2024, time.October}
	t.Run("administrative", func(t *testing.T) {
		e := FibreShare(Subscription{AreaCode: "01", Period: p, Households: 1000, FiberHouseholds: 823}, &proj)
		near(t, "value", e.Value, 0.823, 1e-15)
		if e.Lower != e.Value || e.Upper != e.Value || e.Interval != IntervalExact || len(e.Issues) != 0 {
			t.Errorf("%+v", e)
		}
	})
	t.Run("projected", func(t *testing.T) {
		e := FibreShare(Subscription{AreaCode: "01", Period: p, Households: nan, FiberHouseholds: 2e6}, &proj)
		mid, lo, hi, _ := proj.Households("01", p)
		near(t, "value", e.Value, 2e6/mid, 1e-12)
		near(t, "lower", e.Lower, 2e6/hi, 1e-12)
		near(t, "upper", e.Upper, 2e6/lo, 1e-12)
		if e.Interval != IntervalSensitivity || e.Method != MethodFibreProjected {
			t.Errorf("%+v", e)
		}
	})
	t.Run("above 100% flagged, not clipped", func(t *testing.T) {
		e := FibreShare(Subscription{AreaCode: "01", Period: p, Households: 100, FiberHouseholds: 120}, nil)
		near(t, "value", e.Value, 1.2, 1e-15)
		if len(e.Issues) != 1 || !strings.Contains(e.Issues[0], "above 100%") {
			t.Errorf("issues %q", e.Issues)
		}
	})
	t.Run("missing", func(t *testing.T) {
		for _, s := range []Subscription{
			{AreaCode: "01", Households: 100, FiberHouseholds: nan},
			{AreaCode: "12345", Period: p, Households: nan, FiberHouseholds: 5},
			{AreaCode: "01", Households: nan, FiberHouseholds: 5}, // nil projection
		} {
			var pr *Projection
			if s.AreaCode == "12345" {
				pr = &proj
			}
			if e := FibreShare(s, pr); e.Known() || len(e.Issues) == 0 {
				t.Errorf("%+v: %+v", s, e)
			}
		}
	})
	t.Run("survey", func(t *testing.T) {
		e := FibreShareSurvey(10, 100, 0.95)
		near(t, "lower", e.Lower, 0.0552, 5e-5)
		near(t, "upper", e.Upper, 0.1744, 5e-5)
	})
}

func TestSmartphoneModelShare(t *testing.T) {
	m := DefaultSmartphoneModel()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.PersonsPerHousehold = 4 // A = 3 adults per household
	// 1000 households, 3000 adults, 0.5 of adults ⇒ 1500 users ⇒ 1950 SIMs.
	s := Subscription{AreaCode: "x", Households: 1000, SmartphoneSubscribers: 1950}
	e := m.Share(s, nil)
	near(t, "value", e.Value, 1-0.5*math.Exp(-2*0.5), 1e-12)
	pLo, pHi := 1950/1.6/3000, 1950/1.1/3000
	near(t, "lower", e.Lower, 1-(1-pLo)*math.Exp(-2*pLo), 1e-12)
	near(t, "upper", e.Upper, 1-(1-pHi)*math.Exp(-2*pHi), 1e-12)
	if e.Value <= 0.5 {
		t.Error("household share must exceed the per-adult share")
	}
	// Subscribers beyond one per adult: flagged, p capped, not judged.
	e = m.Share(Subscription{AreaCode: "x", Households: 10, SmartphoneSubscribers: 1e4}, nil)
	if e.Value != 1 || len(e.Issues) == 0 || !e.Impossible {
		t.Errorf("%+v", e)
	}
	// More smartphone subscribers than mobile subscribers: contradictory.
	e = m.Share(Subscription{AreaCode: "x", Households: 1000, SmartphoneSubscribers: 1950, MobileSubscribers: 1500}, nil)
	if !e.Impossible || !strings.Contains(strings.Join(e.Issues, ";"), "above mobile subscribers") || e.Lower > e.Value || e.Upper < e.Value {
		t.Errorf("%+v", e)
	}
	// Census persons per household are used when the projection knows the area.
	proj := Census2019Projection()
	e = m.Share(Subscription{AreaCode: "01", Period: Period{2024, 10}, Households: nan(), SmartphoneSubscribers: 5e6}, &proj)
	if !e.Known() || !strings.Contains(strings.Join(e.Assumptions, ";"), "census of the area") {
		t.Errorf("%+v", e)
	}
	// An area that reports its own households elsewhere is not projected.
	proj.Reported = map[string]bool{"01": true}
	f := FibreShare(Subscription{AreaCode: "01", Period: Period{2025, 6}, Households: nan(), FiberHouseholds: 85000}, &proj)
	if f.Known() || !strings.Contains(strings.Join(f.Issues, ";"), "reports its own in other months") {
		t.Errorf("fibre of a blank month of a reporting area: %+v", f)
	}
}

func nan() float64 { return math.NaN() }

func TestSmartphoneHouseholds(t *testing.T) {
	m := DefaultSmartphoneModel()
	rows := []Subscription{
		{AreaCode: "a", Households: 1000, MobileSubscribers: 3000, SmartphoneSubscribers: 2000, SurveyedHouseholds: 100, SurveyedWithSmartphone: 90},
		{AreaCode: "b", Households: 1000, MobileSubscribers: 3000, SmartphoneSubscribers: 1500, SurveyedHouseholds: 12, SurveyedWithSmartphone: 7},
		{AreaCode: "c", Households: 1000, MobileSubscribers: 3000, SmartphoneSubscribers: 1800, SurveyedHouseholds: 80, SurveyedWithSmartphone: 60},
		{AreaCode: "d", Households: 1000, MobileSubscribers: 3000, SmartphoneSubscribers: 1200, SurveyedHouseholds: nan(), SurveyedWithSmartphone: nan()},
		{AreaCode: "e", Households: 1000, MobileSubscribers: 3000, SmartphoneSubscribers: 1200, SurveyedHouseholds: 5, SurveyedWithSmartphone: 9},
	}
	est, pm, err := SmartphoneHouseholds(rows, nil, m, DefaultShrinkage())
	if err != nil {
		t.Fatal(err)
	}
	if !(pm >= 2) {
		t.Errorf("m = %v", pm)
	}
	for i, e := range est {
		want, interval := MethodSmartphoneEB, IntervalPosterior
		if i == 3 || i == 4 { // no survey, an unusable one: the prior alone, its interval the prior's
			want, interval = MethodSmartphoneEBPrior, IntervalPrior
		}
		if e.Method != want || e.Interval != interval {
			t.Errorf("row %d: %+v", i, e)
		}
	}
	if len(est[4].Issues) == 0 {
		t.Error("unusable survey not reported")
	}
	if w1, w0 := est[1].Upper-est[1].Lower, est[0].Upper-est[0].Lower; w1 <= w0 {
		t.Errorf("12 surveyed households: width %v not wider than 100's %v", w1, w0)
	}
	// Without surveys: model estimates.
	for i := range rows {
		rows[i].SurveyedHouseholds, rows[i].SurveyedWithSmartphone = nan(), nan()
	}
	est, pm, _ = SmartphoneHouseholds(rows, nil, m, DefaultShrinkage())
	if !math.IsNaN(pm) || est[0].Method != MethodSmartphoneModel {
		t.Errorf("no survey: m=%v %+v", pm, est[0])
	}
}

func TestTwoGOnly(t *testing.T) {
	e := TwoGOnlyShare(Subscription{MobileSubscribers: 100, Only2GSubscribers: 10}, 0.95)
	near(t, "value", e.Value, 0.1, 0)
	near(t, "lower", e.Lower, 0.0552, 5e-5)
	near(t, "upper", e.Upper, 0.1744, 5e-5)
	if e := TwoGOnlyShare(Subscription{MobileSubscribers: 10, Only2GSubscribers: 12}, 0.95); len(e.Issues) == 0 || e.Value != 1.2 {
		t.Errorf("only2g > total: %+v", e)
	}
	if e := TwoGOnlyShare(Subscription{MobileSubscribers: nan(), Only2GSubscribers: 1}, 0.95); e.Known() {
		t.Error("missing total must be unknown")
	}

	var b engine.MeasurementBatch
	add := func(id string, c engine.DeviceClass, tech engine.Tech) {
		b.Append(engine.Measurement{DeviceID: id, DeviceClass: c, Tech: tech})
	}
	add("f1", engine.DeviceFeature, engine.Tech2G)
	add("f1", engine.DeviceFeature, engine.Tech2G)
	add("f2", engine.DeviceFeature, engine.Tech2G)
	add("f2", engine.DeviceUnknown, engine.Tech4G) // f2 reaches 4G: not 2G-only
	add("s1", engine.DeviceSmartphone, engine.Tech2G)
	add("s2", engine.DeviceFeature, engine.Tech2G)
	add("s2", engine.DeviceSmartphone, engine.Tech4G) // most capable class wins
	add("t1", engine.DeviceTablet, engine.Tech4G)
	add("u1", engine.DeviceUnknown, engine.Tech2G)
	add("", engine.DeviceFeature, engine.Tech2G)
	add("x1", engine.DeviceScanner, engine.Tech2G) // a drive-test instrument: not a phone
	add("x2", engine.DeviceScanner, engine.Tech3G)
	add("x2", engine.DeviceFeature, engine.Tech2G) // an id once a scanner stays an instrument
	c := CountDevices(&b, nil)
	want := DeviceCounts{Phones: 4, TwoGOnly: 1, NoID: 1, NotPhone: 3, UnknownClass: 1}
	if c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
	e = TwoGOnlyDevices(DeviceCounts{Phones: 10}, 0.95)
	near(t, "0/10 upper", e.Upper, 0.2775, 5e-5)
	if c := CountDevices(&b, func(i int) bool { return i < 2 }); c.Phones != 1 || c.TwoGOnly != 1 {
		t.Errorf("keep: %+v", c)
	}
}

func TestMedianAndGroups(t *testing.T) {
	near(t, "odd", Median([]float64{3, 1, 2}), 2, 0)
	near(t, "even", Median([]float64{4, 1, 3, 2}), 2.5, 0)
	near(t, "nan ignored", Median([]float64{nan(), 5}), 5, 0)
	near(t, "empty", Median(nil), nan(), 0)
	p := Period{2025, 3}
	k := func(c engine.Carrier, fixed bool) SpeedKey {
		return SpeedKey{Area: "01", Carrier: c, Period: p, Fixed: fixed}
	}
	g := GroupSpeeds([]SpeedSample{
		{k(engine.Viettel, false), 10}, {k(engine.MobiFone, false), 30}, {k(engine.Viettel, false), 20},
		{k("", true), 100}, {k(engine.Viettel, false), -1},
	}, true)
	var got []string
	for _, x := range g {
		got = append(got, string(x.Key.Carrier)+"/"+map[bool]string{false: "m", true: "f"}[x.Key.Fixed])
	}
	if strings.Join(got, ",") != "/m,mobifone/m,viettel/m,/f" {
		t.Errorf("order %v", got)
	}
	near(t, "pooled median", g[0].Median, 20, 0)
	if g[2].Dropped != 1 || g[0].Dropped != 1 {
		t.Errorf("dropped %d %d", g[2].Dropped, g[0].Dropped)
	}
}

func lognormalSample(rng *rand.Rand, n int, median float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = median * math.Exp(0.6*rng.NormFloat64())
	}
	return x
}

func TestSpeedYoYDeterministic(t *testing.T) {
	data := rand.New(rand.NewPCG(1, 2))
	cur, prev := lognormalSample(data, 60, 39), lognormalSample(data, 60, 30)
	bs := DefaultBootstrap()
	a, err := bs.YoY(cur, prev, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := bs.YoY(cur, prev, rand.New(rand.NewPCG(7, 7)))
	if a.Lower != b.Lower || a.Upper != b.Upper || a.Value != b.Value {
		t.Errorf("same seed, different intervals: %+v %+v", a, b)
	}
	near(t, "point", a.Value, Median(cur)/Median(prev)-1, 1e-15)
	if !(a.Lower < a.Value && a.Value < a.Upper) {
		t.Errorf("%+v", a)
	}
	if e, _ := bs.YoY(cur[:5], prev, rand.New(rand.NewPCG(7, 7))); e.Known() {
		t.Error("5 tests must be too few")
	}
	if _, err := bs.YoY(cur, prev, nil); err == nil {
		t.Error("nil rng accepted")
	}
	if _, err := (Bootstrap{B: 10, Confidence: 0.95, MinSamples: 10}).YoY(cur, prev, data); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("B=10: %v", err)
	}
}

func TestSpeedYoYCoverage(t *testing.T) {
	// True medians 39 and 30 Mbit/s: change +30%. A 95% interval should
	// cover it in about 95% of repetitions; 60 repetitions, allow ≥ 85%.
	const reps = 60
	data := rand.New(rand.NewPCG(11, 13))
	rng := rand.New(rand.NewPCG(3, 5))
	bs := Bootstrap{B: 400, Confidence: 0.95, MinSamples: 10}
	hit := 0
	for range reps {
		e, err := bs.YoY(lognormalSample(data, 120, 39), lognormalSample(data, 120, 30), rng)
		if err != nil {
			t.Fatal(err)
		}
		if e.Lower <= 0.3 && 0.3 <= e.Upper {
			hit++
		}
	}
	if hit < reps*85/100 {
		t.Errorf("coverage %d/%d", hit, reps)
	}
}

func TestSpeedChanges(t *testing.T) {
	data := rand.New(rand.NewPCG(1, 1))
	var s []SpeedSample
	for _, p := range []Period{{2024, 3}, {2025, 3}, {2025, 4}} {
		med := 30.0
		if p.Year == 2025 {
			med = 45
		}
		for _, v := range lognormalSample(data, 40, med) {
			s = append(s, SpeedSample{SpeedKey{Area: "01", Carrier: engine.Viettel, Period: p}, v})
		}
	}
	g := GroupSpeeds(s, false)
	ch, err := DefaultBootstrap().Changes(g, rand.New(rand.NewPCG(9, 9)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || ch[0].Key.Period != (Period{2025, 3}) || ch[0].Tests != 40 {
		t.Fatalf("%+v", ch)
	}
	near(t, "change", ch[0].Change.Value, ch[0].Median/ch[0].MedianYearAgo-1, 1e-15)
}

// Reported medians: the change is their ratio less one, exact (no sample
// behind it to give an interval); a missing or non-positive median is
// unknown, never 0.
func TestReportedYoY(t *testing.T) {
	e := ReportedYoY(135, 100)
	if math.Abs(e.Value-0.35) > 1e-12 || e.Lower != e.Value || e.Upper != e.Value || e.Interval != IntervalExact || e.Method != MethodReportedSpeedYoY {
		t.Fatalf("%+v", e)
	}
	// 10.04 → 13.0: +29.48%, under the 30% goal.
	if e := ReportedYoY(13.0, 10.04); math.Abs(e.Value-(13.0/10.04-1)) > 1e-15 || e.Value >= 0.3 {
		t.Fatalf("%+v", e)
	}
	for _, c := range [][2]float64{{math.NaN(), 100}, {100, math.NaN()}, {0, 100}, {100, 0}, {-5, 100}, {math.Inf(1), 100}, {100, 1e-320}} {
		if e := ReportedYoY(c[0], c[1]); e.Known() || len(e.Issues) == 0 {
			t.Errorf("ReportedYoY(%v, %v) = %+v, want unknown with its reason", c[0], c[1], e)
		}
	}
}
