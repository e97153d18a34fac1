package predict

import (
	"errors"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f ± %g", name, got, want, tol)
	}
}

func TestFreeSpaceDB(t *testing.T) {
	// Known answers computed by hand from ITU-R P.525-4 eq. (5),
	// L = 32.4478 + 20 log f_MHz + 20 log d_km.
	for _, c := range []struct {
		name      string
		dM, fMHz  float64
		want, tol float64
	}{
		{"900MHz-1km", 1000, 900, 91.5327, 1e-3},   // 59.0849 + 32.4478
		{"2400MHz-1km", 1000, 2400, 100.052, 1e-3}, // the textbook "100 dB at 2.4 GHz, 1 km"
		{"1MHz-1km-constant", 1000, 1, 32.4478, 1e-4},
		{"1800MHz-10km", 10000, 1800, 117.5533, 1e-3}, // 20 + 65.1055 + 32.4478
	} {
		got, err := FreeSpaceDB(c.dM, c.fMHz)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		near(t, c.name, got, c.want, c.tol)
	}
	for _, bad := range [][2]float64{{0, 900}, {-1, 900}, {1000, 0}, {math.NaN(), 900}, {math.Inf(1), 900}} {
		if _, err := FreeSpaceDB(bad[0], bad[1]); !errors.Is(err, engine.ErrOutOfRange) {
			t.Errorf("FreeSpaceDB(%v) error = %v, want ErrOutOfRange", bad, err)
		}
	}
}

func TestHataKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		name      string
		l         Link
		area      Area
		want, tol float64
	}{
		// Hand computation from Hata (1980) eqs. 3–4: 69.55 + 77.2830 −
		// 20.4138 − 0.0159 = 126.40 dB (the commonly quoted 126.4 dB).
		{"900-30-1.5-1km-urban", Link{900, 30, 1.5, 1000}, AreaUrban, 126.4033, 1e-3},
		// Large-city a(1.5 m) ≈ −0.0009 dB at f ≥ 400 MHz (hand).
		{"900-30-1.5-1km-large", Link{900, 30, 1.5, 1000}, AreaLargeCity, 126.4201, 1e-3},
		// Suburban: 126.4033 − [2(log(900/28))² + 5.4] = 116.46 dB (hand).
		{"900-30-1.5-1km-suburban", Link{900, 30, 1.5, 1000}, AreaSuburban, 116.4607, 1e-3},
		// Open: 126.4033 − 28.5064 = 97.90 dB (hand, eq. 7).
		{"900-30-1.5-1km-open", Link{900, 30, 1.5, 1000}, AreaOpen, 97.8969, 1e-3},
		// ns-3 okumura-hata-test-suite.cc reference values (octave
		// scripts): 869 MHz, hb 30 m, hm 1 m, d 2 km.
		{"ns3-869-urban-large", Link{869, 30, 1, 2000}, AreaLargeCity, 137.93, 0.01},
		{"ns3-869-urban-small", Link{869, 30, 1, 2000}, AreaUrban, 137.88, 0.01},
		{"ns3-869-suburban", Link{869, 30, 1, 2000}, AreaSuburban, 128.03, 0.01},
		// Large city below 300 MHz uses 8.29(log 1.54hm)² − 1.1 (hand).
		{"150-30-1.5-10km-large", Link{150, 30, 1.5, 10000}, AreaLargeCity, 141.2915, 1e-3},
	} {
		got, err := HataDB(c.l, c.area, Extensions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		near(t, c.name, got, c.want, c.tol)
	}
}

func TestCOST231KnownAnswers(t *testing.T) {
	for _, c := range []struct {
		name      string
		l         Link
		area      Area
		ext       Extensions
		want, tol float64
	}{
		// Hand computation: 46.3 + 110.3537 − 20.4138 − 0.0430 = 136.20 dB.
		{"1800-30-1.5-1km-cm0", Link{1800, 30, 1.5, 1000}, AreaUrban, Extensions{}, 136.1969, 1e-3},
		// Metropolitan: Cm = 3 dB and large-city a(hm) (hand).
		{"1800-30-1.5-1km-cm3", Link{1800, 30, 1.5, 1000}, AreaLargeCity, Extensions{}, 139.2408, 1e-3},
		// ns-3 okumura-hata-test-suite.cc: 2114 MHz (COST-231 beyond
		// 2000 MHz), hb 30 m, hm 1 m, d 2 km, small city: 150.64 dB.
		{"ns3-2114-small", Link{2114, 30, 1, 2000}, AreaUrban, Extensions{COST231To2200MHz: true}, 150.64, 0.01},
	} {
		got, err := COST231DB(c.l, c.area, c.ext)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		near(t, c.name, got, c.want, c.tol)
	}
}

func TestHataValidity(t *testing.T) {
	ok := Link{900, 30, 1.5, 5000}
	for _, c := range []struct {
		name string
		l    Link
		ext  Extensions
		err  error
	}{
		{"in-range", ok, Extensions{}, nil},
		{"freq-low", Link{149, 30, 1.5, 5000}, Extensions{}, engine.ErrOutOfRange},
		{"freq-high", Link{1501, 30, 1.5, 5000}, Extensions{}, engine.ErrOutOfRange},
		{"freq-high-not-extensible", Link{1501, 30, 1.5, 5000}, Extensions{ShortRange: true, LongRange: true, AntennaHeight: true}, engine.ErrOutOfRange},
		{"hb-low", Link{900, 29, 1.5, 5000}, Extensions{}, engine.ErrOutOfRange},
		{"hb-low-extended", Link{900, 20, 1.5, 5000}, Extensions{AntennaHeight: true}, nil},
		{"hb-too-low-even-extended", Link{900, 9, 1.5, 5000}, Extensions{AntennaHeight: true}, engine.ErrOutOfRange},
		{"hm-high", Link{900, 30, 11, 5000}, Extensions{}, engine.ErrOutOfRange},
		{"short", Link{900, 30, 1.5, 999}, Extensions{}, engine.ErrOutOfRange},
		{"short-extended", Link{900, 30, 1.5, 100}, Extensions{ShortRange: true}, nil},
		{"long", Link{900, 30, 1.5, 20001}, Extensions{}, engine.ErrOutOfRange},
		{"long-extended", Link{900, 30, 1.5, 35000}, Extensions{LongRange: true}, nil},
		{"nan", Link{900, math.NaN(), 1.5, 5000}, Extensions{}, engine.ErrInvalidValue},
	} {
		_, err := HataDB(c.l, AreaUrban, c.ext)
		if c.err == nil && err != nil || c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.err)
		}
	}
	if _, err := COST231DB(Link{2100, 30, 1.5, 5000}, AreaUrban, Extensions{}); !errors.Is(err, engine.ErrOutOfRange) {
		t.Errorf("COST-231 at 2100 MHz without extension: %v", err)
	}
	if _, err := COST231DB(Link{2201, 30, 1.5, 5000}, AreaUrban, Extensions{COST231To2200MHz: true}); !errors.Is(err, engine.ErrOutOfRange) {
		t.Errorf("COST-231 at 2201 MHz with extension: %v", err)
	}
}

func TestHataShortRangeExtension(t *testing.T) {
	ext := Extensions{ShortRange: true}
	at1km, _ := HataDB(Link{900, 30, 1.5, 1000}, AreaUrban, Extensions{})
	just, _ := HataDB(Link{900, 30, 1.5, 999.999}, AreaUrban, ext)
	near(t, "continuous at 1 km", just, at1km, 1e-3)
	for _, d := range []float64{0, 1, 10, 100, 500} {
		l := Link{900, 30, 1.5, d}
		got, err := HataDB(l, AreaUrban, ext)
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := FreeSpaceDB(l.distance3DM(), 900)
		if got < fs-1e-9 || got > at1km {
			t.Errorf("d=%g m: %g dB not within [free space %g, 1 km loss %g]", d, got, fs, at1km)
		}
	}
	// At 0 m the loss is free space over the 28.5 m height difference.
	got, _ := HataDB(Link{900, 30, 1.5, 0}, AreaUrban, ext)
	fs, _ := FreeSpaceDB(28.5, 900)
	near(t, "0 m is free space", got, fs, 1e-9)
}

func TestTR38901KnownAnswers(t *testing.T) {
	// ns-3 three-gpp-propagation-loss-model-test-suite.cc reference values
	// (received power for 0 dBm transmitted, i.e. −PL), computed there from
	// TR 38.901 Table 7.4.1-1: fc 5 GHz, hUT 1.5 m; RMa hBS 35 m (h 5 m,
	// W 20 m), UMa hBS 25 m. Our hand evaluation agrees to 1e-3 dB except
	// RMa LOS 10 km (140.3891 vs 140.3896).
	rma := []struct {
		d    float64
		mode LOSMode
		want float64
	}{
		{10, LOSModeLOS, 77.3784}, {100, LOSModeLOS, 87.2965}, {1000, LOSModeLOS, 108.5577}, {10000, LOSModeLOS, 140.3896},
		{10, LOSModeNLOS, 77.3784}, {100, LOSModeNLOS, 95.7718}, {1000, LOSModeNLOS, 133.5223}, {5000, LOSModeNLOS, 160.5169},
	}
	for _, c := range rma {
		got, err := RMaDB(Link{5000, 35, 1.5, c.d}, DefaultRMaParams(), c.mode, Extensions{})
		if err != nil {
			t.Fatalf("rma %v %g: %v", c.mode, c.d, err)
		}
		near(t, "rma-"+c.mode.String(), got.DB, c.want, 1e-3)
	}
	uma := []struct {
		d    float64
		mode LOSMode
		want float64
	}{
		{10, LOSModeLOS, 72.9380}, {100, LOSModeLOS, 86.2362}, {1000, LOSModeLOS, 109.7252}, {5000, LOSModeLOS, 137.6794},
		{10, LOSModeNLOS, 82.5131}, {100, LOSModeNLOS, 106.1356}, {1000, LOSModeNLOS, 144.7641}, {5000, LOSModeNLOS, 172.0753},
	}
	for _, c := range uma {
		got, err := UMaDB(Link{5000, 25, 1.5, c.d}, c.mode, Extensions{})
		if err != nil {
			t.Fatalf("uma %v %g: %v", c.mode, c.d, err)
		}
		near(t, "uma-"+c.mode.String(), got.DB, c.want, 6e-3)
	}
}

func TestTR38901Sigma(t *testing.T) {
	// Shadow-fading σ from Table 7.4.1-1.
	for _, c := range []struct {
		name string
		got  func() (Loss, error)
		want float64
	}{
		{"rma-los-pl1", func() (Loss, error) {
			return RMaDB(Link{3500, 35, 1.5, 100}, DefaultRMaParams(), LOSModeLOS, Extensions{})
		}, 4},
		{"rma-los-pl2", func() (Loss, error) {
			return RMaDB(Link{3500, 35, 1.5, 8000}, DefaultRMaParams(), LOSModeLOS, Extensions{})
		}, 6},
		{"rma-nlos", func() (Loss, error) {
			return RMaDB(Link{3500, 35, 1.5, 2000}, DefaultRMaParams(), LOSModeNLOS, Extensions{})
		}, 8},
		{"uma-los", func() (Loss, error) { return UMaDB(Link{3500, 25, 1.5, 2000}, LOSModeLOS, Extensions{}) }, 4},
		{"uma-nlos", func() (Loss, error) { return UMaDB(Link{3500, 25, 1.5, 2000}, LOSModeNLOS, Extensions{}) }, 6},
	} {
		l, err := c.got()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		near(t, c.name, l.SigmaDB, c.want, 0)
	}
}

func TestLOSProbability(t *testing.T) {
	// Table 7.4.2-1, evaluated by hand.
	near(t, "rma-10", RMaLOSProbability(10), 1, 0)
	near(t, "rma-1010", RMaLOSProbability(1010), math.Exp(-1), 1e-12)
	near(t, "uma-18", UMaLOSProbability(18, 1.5), 1, 0)
	near(t, "uma-100", UMaLOSProbability(100, 1.5), 0.347671, 1e-6)
	near(t, "uma-200-hut18", UMaLOSProbability(200, 18), 0.247383, 1e-6)
	// Expected mode: power-domain blend at RMa 1 km, 5 GHz (hand):
	// P = exp(−0.99) = 0.3716, LOS 108.5577, NLOS 133.5223 → 112.8338 dB.
	got, err := RMaDB(Link{5000, 35, 1.5, 1000}, DefaultRMaParams(), LOSModeExpected, Extensions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "rma-expected-1km", got.DB, 112.8338, 1e-3)
	// 1 km is below dBP = 2π·35·1.5·5e9/c = 5.50 km, so σ_LOS = 4 dB.
	near(t, "rma-expected-sigma", got.SigmaDB, 0.371577*4+0.628423*8, 1e-3)
}

func TestTR38901Validity(t *testing.T) {
	p := DefaultRMaParams()
	for _, c := range []struct {
		name string
		run  func() error
		err  error
	}{
		{"rma-nlos-6km", func() error { _, e := RMaDB(Link{3500, 35, 1.5, 6000}, p, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"rma-los-6km", func() error { _, e := RMaDB(Link{3500, 35, 1.5, 6000}, p, LOSModeLOS, Extensions{}); return e }, nil},
		{"rma-nlos-6km-ext", func() error {
			_, e := RMaDB(Link{3500, 35, 1.5, 6000}, p, LOSModeNLOS, Extensions{LongRange: true})
			return e
		}, nil},
		{"rma-freq-31GHz", func() error { _, e := RMaDB(Link{31000, 35, 1.5, 600}, p, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"rma-freq-400MHz", func() error { _, e := RMaDB(Link{400, 35, 1.5, 600}, p, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"rma-hbs-9", func() error { _, e := RMaDB(Link{3500, 9, 1.5, 600}, p, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"rma-5m", func() error { _, e := RMaDB(Link{3500, 35, 1.5, 5}, p, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"rma-bad-params", func() error {
			_, e := RMaDB(Link{3500, 35, 1.5, 600}, RMaParams{BuildingHeightM: 60, StreetWidthM: 20}, LOSModeNLOS, Extensions{})
			return e
		}, engine.ErrInvalidConfig},
		{"uma-6km", func() error { _, e := UMaDB(Link{3500, 25, 1.5, 6000}, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"uma-hut-1", func() error { _, e := UMaDB(Link{3500, 25, 1, 600}, LOSModeNLOS, Extensions{}); return e }, engine.ErrOutOfRange},
		{"uma-100GHz", func() error { _, e := UMaDB(Link{100000, 25, 1.5, 600}, LOSModeNLOS, Extensions{}); return e }, nil},
	} {
		err := c.run()
		if c.err == nil && err != nil || c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.err)
		}
	}
	// Short-range extension stays at or above free space and below the 10 m value.
	at10, _ := UMaDB(Link{3500, 25, 1.5, 10}, LOSModeNLOS, Extensions{})
	at0, err := UMaDB(Link{3500, 25, 1.5, 0}, LOSModeNLOS, Extensions{ShortRange: true})
	if err != nil {
		t.Fatal(err)
	}
	if fs, _ := FreeSpaceDB(23.5, 3500); at0.DB < fs-1e-9 || at0.DB > at10.DB {
		t.Errorf("uma at 0 m = %g, want within [%g, %g]", at0.DB, fs, at10.DB)
	}
}
