package coverage

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// testCells returns n distinct resolution-8 cells near Hà Giang, sorted.
func testCells(t *testing.T, n int) []hexgrid.Cell {
	t.Helper()
	c, err := hexgrid.Index(104.98, 22.82, 8)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := c.Disk(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(disk) < n {
		t.Fatalf("disk has %d cells", len(disk))
	}
	out := append([]hexgrid.Cell(nil), disk[:n]...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// row is a measured key with outdoor tests and failures (no-service rows
// among them) and some indoor tests.
func row(c hexgrid.Cell, carrier engine.Carrier, tech engine.Tech, tests, failures, noService int64) aggregate.Row {
	r := aggregate.Row{Key: aggregate.Key{Cell: c, Carrier: carrier, Tech: tech}}
	r.Outdoor = aggregate.Counts{Rows: tests, Tests: tests, Covered: tests - failures,
		BelowNoService: noService, NoServiceRows: noService}
	r.OutdoorSignal = aggregate.SignalStats{N: tests - noService, P50DBm: math.NaN()}
	if tests-noService > 0 {
		r.OutdoorSignal.P50DBm = -90
	}
	return r
}

func TestMeasuredDecision(t *testing.T) {
	cell := testCells(t, 1)[0]
	cfg := DefaultConfig()
	pred := []PredictedCell{{Cell: cell, Carrier: engine.Viettel, Tech: engine.Tech4G,
		SignalDBm: -70, SigmaDB: 8, ServingSite: "VT-1", DistanceM: 900}}
	for _, c := range []struct {
		name                string
		tests, fail, noServ int64
		state               Level
		source              Source
		p                   float64
	}{
		// Too few tests: the prediction (−70 − 10.25 ≥ −105) decides,
		// even with every test failing.
		{"4 tests all failing", 4, 4, 4, Covered, Predicted, 1e-4},
		{"5 tests 0 failures", 5, 0, 0, Covered, Measured, 1},
		{"5 tests 1 failure", 5, 1, 0, Weak, Measured, 0.40951},
		{"5 tests 2 failures", 5, 2, 1, Weak, Measured, 0.08146},
		{"5 tests 3 failures", 5, 3, 0, Uncovered, Measured, 0.00856},
		{"5 tests 3 no-service", 5, 3, 3, Uncovered, Measured, 0.00856},
		{"10 tests 1 failure is exactly 10%", 10, 1, 0, Covered, Measured, 0.6513215599},
		{"10 tests 2 failures", 10, 2, 0, Weak, Measured, 0.2639010709},
		{"10 tests 3 failures", 10, 3, 0, Weak, Measured, 0.0701908264},
		{"10 tests 4 failures", 10, 4, 0, Uncovered, Measured, 0.0127951984},
		{"20 tests 4 failures", 20, 4, 0, Weak, Measured, 0.1329533234},
		{"20 tests 5 failures", 20, 5, 0, Uncovered, Measured, 0.04317449528},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := row(cell, engine.Viettel, engine.Tech4G, c.tests, c.fail, c.noServ)
			// Indoor tests, all failing, never decide.
			r.Indoor = aggregate.Counts{Rows: 50, Tests: 50, Covered: 0}
			r.All = r.Outdoor
			r.All.Rows += 50
			r.All.Tests += 50
			got, err := Fuse([]aggregate.Row{r}, pred, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d states", len(got))
			}
			s := got[0]
			if s.State != c.state || s.Source != c.source {
				t.Errorf("state %s/%s, want %s/%s (p=%g)", s.State, s.Source, c.state, c.source, s.PValue)
			}
			if s.Tests != c.tests || s.Failures != c.fail {
				t.Errorf("tests %d failures %d", s.Tests, s.Failures)
			}
			near(t, "p", s.PValue, c.p, 1e-9)
			near(t, "share", s.ShareBelow, float64(c.fail)/float64(c.tests), 1e-15)
			near(t, "predicted", s.PredictedDBm, -70, 0)
			if s.ServingSite != "VT-1" {
				t.Errorf("serving site %q", s.ServingSite)
			}
		})
	}
}

func TestIndoorOnlyDoesNotDecide(t *testing.T) {
	cell := testCells(t, 1)[0]
	r := aggregate.Row{Key: aggregate.Key{Cell: cell, Carrier: engine.MobiFone, Tech: engine.Tech3G}}
	r.Indoor = aggregate.Counts{Rows: 40, Tests: 40, Covered: 40}
	r.All = r.Indoor
	r.OutdoorSignal.P50DBm = math.NaN()
	got, err := Fuse([]aggregate.Row{r}, nil, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := got[0]
	if s.State != Uncovered || s.Source != Rule || s.Tests != 0 || s.ServingSite != "" {
		t.Errorf("got %+v", s)
	}
	for name, v := range map[string]float64{"share": s.ShareBelow, "p": s.PValue, "median": s.MedianDBm,
		"predicted": s.PredictedDBm, "margin": s.MarginDB, "sigma": s.SigmaDB, "distance": s.DistanceM} {
		if !math.IsNaN(v) {
			t.Errorf("%s = %v, want NaN", name, v)
		}
	}
}

func TestPredictedMarginEdge(t *testing.T) {
	cell := testCells(t, 1)[0]
	cfg := DefaultConfig()
	z := cfg.Z()
	near(t, "z(0.90)", z, 1.2816, 5e-5) // standard normal table: Φ(1.2816) = 0.9000
	near(t, "z(0.90) full", z, 1.2815515655446004, 1e-12)
	const sigma = 8.0
	margin := z * sigma
	for _, tech := range engine.Techs {
		th, ns := cfg.Thresholds.Covered(tech), cfg.Thresholds.NoService(tech)
		at := th + margin
		if at-margin != th {
			t.Fatalf("%s: test value does not hit the threshold exactly", tech)
		}
		atNS := ns + margin
		if atNS-margin != ns {
			t.Fatalf("%s: test value does not hit the no-service level exactly", tech)
		}
		for _, c := range []struct {
			name   string
			signal float64
			want   Level
		}{
			{"exactly at threshold", at, Covered},
			{"just below threshold", math.Nextafter(at, math.Inf(-1)), Weak},
			{"exactly at no-service", atNS, Weak},
			{"just below no-service", math.Nextafter(atNS, math.Inf(-1)), Uncovered},
		} {
			p := []PredictedCell{{Cell: cell, Carrier: engine.VinaPhone, Tech: tech, SignalDBm: c.signal,
				SigmaDB: sigma, ServingSite: "S", DistanceM: 1000}}
			got, err := Fuse(nil, p, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got[0].State != c.want || got[0].Source != Predicted {
				t.Errorf("%s %s: %s/%s, want %s", tech, c.name, got[0].State, got[0].Source, c.want)
			}
			near(t, "margin", got[0].MarginDB, margin, 0)
		}
	}
}

func TestSigmaPrecedence(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SigmaDB = map[CarrierTech]float64{{engine.Viettel, engine.Tech4G}: 5}
	near(t, "configured", cfg.Sigma(engine.Viettel, engine.Tech4G, 6), 5, 0)
	near(t, "model", cfg.Sigma(engine.Viettel, engine.Tech3G, 6), 6, 0)
	near(t, "default for NaN", cfg.Sigma(engine.Viettel, engine.Tech3G, math.NaN()), 8, 0)
	near(t, "default for 0", cfg.Sigma(engine.MobiFone, engine.Tech4G, 0), 8, 0)
}

func TestFuseUnionAndOrder(t *testing.T) {
	cells := testCells(t, 3)
	a, b, c := cells[0], cells[1], cells[2]
	// Inputs deliberately out of order.
	measured := []aggregate.Row{
		row(c, engine.Viettel, engine.Tech4G, 8, 0, 0),
		row(a, engine.VinaPhone, engine.Tech3G, 6, 6, 6),
		row(a, engine.MobiFone, engine.Tech4G, 2, 0, 0),
	}
	predicted := []PredictedCell{
		{Cell: b, Carrier: engine.Viettel, Tech: engine.Tech2G, SignalDBm: -80, DistanceM: 100, ServingSite: "x"},
		{Cell: a, Carrier: engine.MobiFone, Tech: engine.Tech4G, SignalDBm: -130, SigmaDB: 6, DistanceM: 9000, ServingSite: "m"},
		{Cell: a, Carrier: engine.MobiFone, Tech: engine.Tech3G, SignalDBm: -85, SigmaDB: 6, DistanceM: 2000, ServingSite: "m3"},
		{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech4G, SignalDBm: -140, DistanceM: 100, ServingSite: "v"},
	}
	got, err := Fuse(measured, predicted, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("%s mobifone 3G covered predicted", a),
		fmt.Sprintf("%s mobifone 4G uncovered predicted", a),
		fmt.Sprintf("%s vinaphone 3G uncovered measured", a),
		fmt.Sprintf("%s viettel 2G covered predicted", b),
		fmt.Sprintf("%s viettel 4G covered measured", c),
	}
	if len(got) != len(want) {
		t.Fatalf("%d states, want %d", len(got), len(want))
	}
	// Sized to the union of the keys, not grown to it from the larger
	// input (a national month's states are GBs: a copy, and a fifth more).
	if cap(got) != len(got) {
		t.Errorf("%d states in room for %d", len(got), cap(got))
	}
	for i, s := range got {
		if g := fmt.Sprintf("%s %s %s %s %s", s.Cell, s.Carrier, s.Tech, s.State, s.Source); g != want[i] {
			t.Errorf("state %d: %s, want %s", i, g, want[i])
		}
	}
	// Measured decides over a poor prediction, which is still reported.
	near(t, "predicted kept", got[4].PredictedDBm, -140, 0)
	if got[4].ServingSite != "v" {
		t.Errorf("serving site %q", got[4].ServingSite)
	}
	// The same inputs in another order give the same states.
	measured[0], measured[2] = measured[2], measured[0]
	predicted[0], predicted[3] = predicted[3], predicted[0]
	again, err := Fuse(measured, predicted, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again) != fmt.Sprint(got) {
		t.Error("result depends on input order")
	}
}

func TestFuseErrors(t *testing.T) {
	cells := testCells(t, 1)
	c := cells[0]
	coarse, _ := c.Parent(7)
	good := row(c, engine.Viettel, engine.Tech4G, 5, 0, 0)
	for _, tc := range []struct {
		name string
		m    []aggregate.Row
		p    []PredictedCell
	}{
		{"duplicate measured", []aggregate.Row{good, good}, nil},
		{"duplicate predicted", nil, []PredictedCell{{Cell: c, Carrier: "a", Tech: engine.Tech3G, SignalDBm: -90},
			{Cell: c, Carrier: "a", Tech: engine.Tech3G, SignalDBm: -80}}},
		{"wrong resolution", []aggregate.Row{row(coarse, engine.Viettel, engine.Tech4G, 5, 0, 0)}, nil},
		{"zero cell", []aggregate.Row{row(0, engine.Viettel, engine.Tech4G, 5, 0, 0)}, nil},
		{"empty carrier", []aggregate.Row{row(c, "", engine.Tech4G, 5, 0, 0)}, nil},
		{"unknown tech", nil, []PredictedCell{{Cell: c, Carrier: "a", SignalDBm: -90}}},
		{"NaN signal", nil, []PredictedCell{{Cell: c, Carrier: "a", Tech: engine.Tech3G, SignalDBm: math.NaN()}}},
		{"negative sigma", nil, []PredictedCell{{Cell: c, Carrier: "a", Tech: engine.Tech3G, SignalDBm: -90, SigmaDB: -1}}},
		{"covered above tests", []aggregate.Row{row(c, engine.Viettel, engine.Tech4G, 5, -1, 0)}, nil},
	} {
		if _, err := Fuse(tc.m, tc.p, DefaultConfig()); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: err = %v, want ErrInvalidValue", tc.name, err)
		}
	}
	bad := DefaultConfig()
	bad.MinTests = 0
	if _, err := Fuse(nil, nil, bad); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("bad config: err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"min tests 0", func(c *Config) { c.MinTests = 0 }},
		{"reliability 0.5", func(c *Config) { c.Reliability = 0.5 }},
		{"reliability 1", func(c *Config) { c.Reliability = 1 }},
		{"reliability NaN", func(c *Config) { c.Reliability = math.NaN() }},
		{"alpha 0", func(c *Config) { c.Alpha = 0 }},
		{"alpha 0.6", func(c *Config) { c.Alpha = 0.6 }},
		{"default sigma negative", func(c *Config) { c.DefaultSigmaDB = -1 }},
		{"default sigma NaN", func(c *Config) { c.DefaultSigmaDB = math.NaN() }},
		{"sigma Inf", func(c *Config) {
			c.SigmaDB = map[CarrierTech]float64{{engine.Viettel, engine.Tech4G}: math.Inf(1)}
		}},
		{"sigma unknown tech", func(c *Config) { c.SigmaDB = map[CarrierTech]float64{{engine.Viettel, 0}: 6} }},
		{"resolution 16", func(c *Config) { c.Resolution = 16 }},
		{"thresholds inverted", func(c *Config) { c.Thresholds.NoServiceDBm[engine.Tech4G] = -100 }},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		if err := c.Validate(); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", tc.name, err)
		}
	}
}

func TestMetadata(t *testing.T) {
	c := DefaultConfig()
	c.SigmaDB = map[CarrierTech]float64{{engine.Viettel, engine.Tech4G}: 6.5}
	m := c.Metadata()
	for k, v := range map[string]string{
		"coverage.min_tests":           "5",
		"coverage.reliability":         "0.9",
		"coverage.alpha":               "0.05",
		"coverage.sigma_db.default":    "8",
		"coverage.sigma_db.viettel.4G": "6.5",
		"coverage.resolution":          "8",
		"lomsong.cell_rule":            "a test's cell is the H3 parent at res 8 of its res-9 cell, not LatLngToCell at res 8",
		"coverage.covered_dbm.4G":      "-105",
		"coverage.covered_dbm.3G":      "-100",
		"coverage.covered_dbm.2G":      "-95",
		"coverage.no_service_dbm.4G":   "-120",
		"coverage.no_service_dbm.3G":   "-115",
	} {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	// Φ⁻¹(0.9) = 1.2815515655446004; gonum's quantile is within a few ulp.
	if z := m["coverage.z"]; len(z) < 15 || z[:15] != "1.2815515655446" {
		t.Errorf("coverage.z = %q", z)
	}
}
