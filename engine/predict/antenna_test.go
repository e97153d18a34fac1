package predict

import (
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestPatternKnownAnswers(t *testing.T) {
	// Hand evaluations of TR 36.814 Table A.2.1.1-2.
	p := Pattern{HBeamwidthDeg: 70, AmDB: 25, VBeamwidthDeg: 10, SLAvDB: 20}
	near(t, "A_H(0)", p.HorizontalDB(0, 70), 0, 0)
	near(t, "A_H(35) half beamwidth", p.HorizontalDB(35, 70), -3, 1e-12)
	near(t, "A_H(-35)", p.HorizontalDB(-35, 70), -3, 1e-12)
	near(t, "A_H(90)", p.HorizontalDB(90, 70), -12*math.Pow(90.0/70, 2), 1e-12) // −19.84 dB
	near(t, "A_H(180) capped at Am", p.HorizontalDB(180, 70), -25, 0)
	near(t, "A_H(395) wraps to 35", p.HorizontalDB(395, 70), -3, 1e-9)
	near(t, "A_V at tilt", p.VerticalDB(6, 6), 0, 0)
	near(t, "A_V half beamwidth", p.VerticalDB(11, 6), -3, 1e-12)
	near(t, "A_V capped at SLAv", p.VerticalDB(30, 6), -20, 0)
	// Combined: −min(−(A_H + A_V), Am).
	near(t, "A(90,+5)", p.GainDB(0, 70, 90, 11, 6), -12*math.Pow(90.0/70, 2)-3, 1e-9) // −22.84 dB
	near(t, "A capped at Am", p.GainDB(0, 70, 60, 30, 6), -25, 0)
	near(t, "omni ignores bearing", p.GainDB(math.NaN(), 70, 180, 11, 6), -3, 1e-12)
	near(t, "NaN beamwidth uses default", p.GainDB(100, math.NaN(), 135, 6, 6), -3, 1e-12)
	if err := DefaultPattern().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Pattern{HBeamwidthDeg: 0, AmDB: 25, VBeamwidthDeg: 10, SLAvDB: 20}).Validate(); err == nil {
		t.Error("zero beamwidth validated")
	}
}

func TestBearingDeg(t *testing.T) {
	for _, c := range []struct {
		name                   string
		lon1, lat1, lon2, lat2 float64
		want                   float64
	}{
		{"east", 0, 0, 1, 0, 90},
		{"north", 105, 21, 105, 22, 0},
		{"south", 105, 21, 105, 20, 180},
		{"west", 0, 0, -1, 0, 270},
		// Baghdad (35°N 45°E) to Osaka (35°N 135°E): the great circle
		// starts at 60.16° (the "about 60°" example of Movable Type's
		// spherical-trigonometry notes; hand: atan2(cos35, cos35·sin35)).
		{"baghdad-osaka", 45, 35, 135, 35, 60.1624},
	} {
		near(t, c.name, BearingDeg(c.lon1, c.lat1, c.lon2, c.lat2), c.want, 1e-3)
	}
	near(t, "depression 45°", DepressionDeg(30, 1.5, 28.5), 45, 1e-12)
	near(t, "depression at 0 m", DepressionDeg(30, 1.5, 0), 90, 1e-12)
	// One degree of latitude on H3's sphere: 6371007.18 m × π/180.
	near(t, "1° of meridian", GreatCircleM(105, 21, 105, 22), 111195.052, 1e-3)
	near(t, "AngleDiff", AngleDiffDeg(10, 350), 20, 1e-12)
	near(t, "AngleDiff neg", AngleDiffDeg(350, 10), -20, 1e-12)
}

func TestLinkBudgetKnownAnswers(t *testing.T) {
	near(t, "20 MHz LTE 1200 RE", REShareDB(100), -30.7918, 1e-4)
	near(t, "100 MHz NR 30 kHz 3276 RE", REShareDB(273), -35.1535, 1e-4)
	near(t, "CPICH 10%", DefaultTechParams(engine.Tech3G).ShareDB(engine.Tech3G), -10, 1e-12)
	near(t, "2G BCCH", DefaultTechParams(engine.Tech2G).ShareDB(engine.Tech2G), 0, 0)
	// 58 dBm EIRP, 20 MHz, 130 dB path loss, boresight: −102.79 dBm RSRP.
	p := DefaultTechParams(engine.Tech4G)
	near(t, "4G RSRP", SignalDBm(p.EIRPDBm, p.ShareDB(engine.Tech4G), 130, 0), -102.7918, 1e-4)
	for _, tc := range engine.Techs {
		if err := DefaultTechParams(tc).Validate(tc); err != nil {
			t.Errorf("%s: %v", tc, err)
		}
	}
	if err := (TechParams{BandMHz: 1800, EIRPDBm: 58, MaxRangeM: 1}).Validate(engine.Tech4G); err == nil {
		t.Error("4G without resource blocks validated")
	}
}

func TestSelect(t *testing.T) {
	c := DefaultModelConfig()
	ext := c
	ext.Ext.COST231To2200MHz = true
	for _, tc := range []struct {
		name string
		cfg  ModelConfig
		tech engine.Tech
		f    float64
		env  Env
		want Model
	}{
		{"2G-900-rural", c, engine.Tech2G, 900, EnvRural, ModelHata},
		{"4G-700-urban", c, engine.Tech4G, 700, EnvUrban, ModelHata},
		{"4G-1800-urban", c, engine.Tech4G, 1800, EnvUrban, ModelCOST231},
		{"3G-2100-strict", c, engine.Tech3G, 2100, EnvUrban, ModelUMa},
		{"3G-2100-extended", ext, engine.Tech3G, 2100, EnvUrban, ModelCOST231},
		{"4G-2600-rural", c, engine.Tech4G, 2600, EnvRural, ModelRMa},
		{"5G-700-dense", c, engine.Tech5G, 700, EnvDenseUrban, ModelUMa},
		{"5G-3500-suburban", c, engine.Tech5G, 3500, EnvSuburban, ModelRMa},
	} {
		got, err := tc.cfg.Select(tc.tech, tc.f, tc.env)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := c.Select(engine.Tech2G, 100, EnvRural); err == nil {
		t.Error("100 MHz selected a model")
	}
	// PathLoss maps environments onto Hata areas.
	l := Link{900, 30, 1.5, 1000}
	for env, want := range map[Env]float64{EnvRural: 97.8969, EnvSuburban: 116.4607, EnvUrban: 126.4033, EnvDenseUrban: 126.4201} {
		got, m, err := c.PathLoss(engine.Tech2G, env, l)
		if err != nil || m != ModelHata {
			t.Fatalf("%v: %v %v", env, m, err)
		}
		near(t, env.String(), got.DB, want, 1e-3)
		near(t, env.String()+" sigma", got.SigmaDB, HataSigmaDB, 0)
	}
}

// TestEnvPosition checks the blend bands of EnvCutoffs.Position: a factor
// 1.5 either side of each cut-off, ½ at the cut-off, linear in log
// density, narrower where cut-offs are closer than a factor 2.25, and
// continuous.
func TestEnvPosition(t *testing.T) {
	if EnvBlendFactor != 1.5 {
		t.Fatalf("EnvBlendFactor %g: the known answers below are for 1.5", float64(EnvBlendFactor))
	}
	c := DefaultEnvCutoffs()
	q := math.Sqrt(1.5) // a quarter of a band of 1.5² in log density
	for _, k := range []struct {
		d    float64
		env  Env
		frac float64
	}{
		{0, EnvRural, 0}, {200, EnvRural, 0}, {300 / q, EnvRural, 0.25}, {300, EnvRural, 0.5},
		{300 * q, EnvRural, 0.75}, {450, EnvSuburban, 0}, {700, EnvSuburban, 0}, {1500, EnvSuburban, 0.5},
		{2250, EnvUrban, 0}, {10000, EnvUrban, 0.5}, {15000, EnvDenseUrban, 0}, {1e6, EnvDenseUrban, 0},
	} {
		env, frac, err := c.Position(k.d)
		if err != nil || env != k.env || math.Abs(frac-k.frac) > 1e-12 {
			t.Errorf("Position(%g) = %v, %g, %v; want %v, %g", k.d, env, frac, err, k.env, k.frac)
		}
	}
	// Cut-offs a factor 2 apart: bands of √2 (below 1.5) either side.
	close := EnvCutoffs{300, 600, 10000}
	if env, frac, _ := close.Position(300 * math.Pow(2, 0.25)); env != EnvRural || math.Abs(frac-0.75) > 1e-12 {
		t.Errorf("close cut-offs: Position = %v, %g; want rural, 0.75", env, frac)
	}
	if env, frac, _ := close.Position(600 * math.Pow(2, -0.25)); env != EnvSuburban || math.Abs(frac-0.25) > 1e-12 {
		t.Errorf("close cut-offs: Position = %v, %g; want suburban, 0.25", env, frac)
	}
	// Continuous and non-decreasing: class + share over 1–10⁵ people/km².
	prev := 0.0
	for d := 1.0; d < 1e5; d *= 1.001 {
		env, frac, err := c.Position(d)
		if err != nil {
			t.Fatal(err)
		}
		p := float64(env) + frac
		if p < prev || p-prev > 0.01 {
			t.Fatalf("Position(%g) = %g after %g", d, p, prev)
		}
		prev = p
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, _, err := c.Position(bad); err == nil {
			t.Errorf("Position(%g) accepted", bad)
		}
	}
}

func TestEnvClassify(t *testing.T) {
	c := DefaultEnvCutoffs()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for d, want := range map[float64]Env{0: EnvRural, 299.9: EnvRural, 300: EnvSuburban, 1499: EnvSuburban, 1500: EnvUrban, 9999: EnvUrban, 10000: EnvDenseUrban, 40000: EnvDenseUrban} {
		if got, err := c.Classify(d); err != nil || got != want {
			t.Errorf("Classify(%g) = %v, %v; want %v", d, got, err, want)
		}
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := c.Classify(bad); err == nil {
			t.Errorf("Classify(%g) accepted", bad)
		}
	}
	dst := make([]Env, 3)
	if err := c.ClassifyInto(dst, []float64{10, 2000, 20000}); err != nil || dst[0] != EnvRural || dst[1] != EnvUrban || dst[2] != EnvDenseUrban {
		t.Errorf("ClassifyInto = %v, %v", dst, err)
	}
	if err := (EnvCutoffs{500, 300, 10000}).Validate(); err == nil {
		t.Error("decreasing cut-offs validated")
	}
}
