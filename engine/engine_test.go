package engine

import (
	"errors"
	"math"
	"testing"
)

func TestParseTech(t *testing.T) {
	cases := map[string]Tech{
		"2G": Tech2G, "gsm": Tech2G, "EDGE": Tech2G, "3G": Tech3G, "WCDMA": Tech3G, "UMTS": Tech3G, "HSPA+": Tech3G,
		"4G": Tech4G, "LTE": Tech4G, "4G+": Tech4G, "LTE-A": Tech4G, " lte ": Tech4G, "5G": Tech5G, "NR": Tech5G, "5G NSA": Tech5G,
	}
	for in, want := range cases {
		got, err := ParseTech(in)
		if err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "6G", "wifi", "CDMA"} {
		if _, err := ParseTech(bad); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%q: want ErrInvalidValue, got %v", bad, err)
		}
	}
	if Tech4G.String() != "4G" || Tech3G.SignalMeasure() != "RSCP" || Tech5G.SignalMeasure() != "RSRP" || Tech2G.SignalMeasure() != "RSSI" {
		t.Fatal("tech strings")
	}
}

func TestParseCarrier(t *testing.T) {
	cases := map[string]Carrier{
		"Viettel": Viettel, "VIETTEL MOBILE": Viettel, "VNPT": VinaPhone, "Vina": VinaPhone, "VinaPhone": VinaPhone,
		"Mobiphone": MobiFone, "MobiFone": MobiFone, "Vietnamobile": Vietnamobile, "Beeline": Gmobile, "GTEL": Gmobile,
		"Đông Dương Telecom": "dong-duong-telecom", "  Some New MVNO  ": "some-new-mvno",
		"Viettel Telecom": Viettel, "VinaPhone (VNPT)": VinaPhone, "VNMB": Vietnamobile, "MobiFone (VMS)": MobiFone,
	}
	for in, want := range cases {
		got, err := ParseCarrier(in)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
		// The operators are known; a slug is not.
		if got.Known() != (want == Viettel || want == VinaPhone || want == MobiFone || want == Vietnamobile || want == Gmobile) {
			t.Errorf("%q: Known() = %v", in, got.Known())
		}
	}
	if _, err := ParseCarrier("  ---  "); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("empty carrier: %v", err)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Lai Châu": "laichau", "Đắk Lắk": "daklak", "Hà Nội": "hanoi", "TP. Hồ Chí Minh": "tphochiminh"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCarrierForPLMN(t *testing.T) {
	for _, c := range []struct {
		p     PLMN
		want  Carrier
		known bool
	}{
		{PLMN{452, 4}, Viettel, true}, {PLMN{452, 1}, MobiFone, true}, {PLMN{452, 2}, VinaPhone, true},
		{PLMN{452, 5}, Vietnamobile, true}, {PLMN{452, 7}, Gmobile, true}, {PLMN{452, 6}, Viettel, true},
		{PLMN{452, 9}, "plmn-452-09", false}, {PLMN{740, 1}, "claro-ec", true},
	} {
		got, known := CarrierForPLMN(c.p)
		if got != c.want || known != c.known {
			t.Errorf("%v: got %q %v", c.p, got, known)
		}
	}
}

func TestEnums(t *testing.T) {
	if s, err := ParseService(""); err != nil || s != ServiceOK {
		t.Fatal("empty service is ok")
	}
	if s, err := ParseService("NONE"); err != nil || s != ServiceNone || s.String() != "none" {
		t.Fatal(s, err)
	}
	if _, err := ParseService("maybe"); !errors.Is(err, ErrInvalidValue) {
		t.Fatal(err)
	}
	if e, err := ParseEnvironment("in_vehicle"); err != nil || e != EnvVehicle {
		t.Fatal(e, err)
	}
	if b, err := ParseBackhaul("fibre"); err != nil || b != BackhaulFiber || b.String() != "fiber" {
		t.Fatal(b, err)
	}
	if st, err := ParseSiteStatus("off_air"); err != nil || st != StatusDown {
		t.Fatal(st, err)
	}
	if d, err := ParseDeviceClass("feature_phone"); err != nil || d != DeviceFeature {
		t.Fatal(d, err)
	}
	if d, err := ParseDeviceClass("Scanner"); err != nil || d != DeviceScanner || d.String() != "scanner" {
		t.Fatal(d, err)
	}
	if Source(9).String() != "invalid(9)" {
		t.Fatal(Source(9).String())
	}
}

func TestThresholds(t *testing.T) {
	th := DefaultThresholds()
	if err := th.Validate(); err != nil {
		t.Fatal(err)
	}
	if th.Covered(Tech4G) != -105 || th.Covered(Tech3G) != -100 || th.Covered(Tech2G) != -95 || th.NoService(Tech4G) != -120 || th.NoService(Tech3G) != -115 {
		t.Fatal("defaults differ from DESIGN.md")
	}
	bad := th
	bad.NoServiceDBm[Tech4G] = -100
	if !errors.Is(bad.Validate(), ErrInvalidConfig) {
		t.Fatal("no-service above covered must fail")
	}
	bad = th
	bad.CoveredDBm[Tech3G] = math.NaN()
	if !errors.Is(bad.Validate(), ErrInvalidConfig) {
		t.Fatal("NaN must fail")
	}
	if lo, hi := SignalRange(Tech4G); lo != -156 || hi != -31 {
		t.Fatal(lo, hi)
	}
}

func TestCensored(t *testing.T) {
	floors := map[Tech]float64{Tech2G: -120, Tech3G: -120, Tech4G: -156, Tech5G: -156}
	th := DefaultThresholds()
	for tech, want := range floors {
		if f := ReportingFloorDBm(tech); f != want {
			t.Errorf("%s floor %g, want %g", tech, f, want)
		}
		if !(want < th.NoService(tech)) {
			t.Errorf("%s floor %g not below the no-service level %g", tech, want, th.NoService(tech))
		}
	}
	if !math.IsNaN(ReportingFloorDBm(Tech(0))) {
		t.Error("invalid tech has a floor")
	}
	cases := []struct {
		name             string
		tech             Tech
		dbm              float64
		censored, accept bool
	}{
		{"3G above floor", Tech3G, -119.9, false, true},
		{"3G at floor", Tech3G, -120, true, true},
		{"3G scanner below floor", Tech3G, -131.5, true, true},
		{"2G at physical minimum", Tech2G, -160, true, true},
		{"4G below physical minimum", Tech4G, -160.1, false, false},
		{"4G between floors of 3G and 4G", Tech4G, -140, false, true},
		{"4G at floor", Tech4G, -156, true, true},
		{"4G above range", Tech4G, -30, false, false},
		{"2G top of range", Tech2G, -20, false, true},
		{"NaN", Tech4G, math.NaN(), false, false},
		{"invalid tech", Tech(0), -150, false, false},
	}
	for _, c := range cases {
		if got := Censored(c.tech, c.dbm); got != c.censored {
			t.Errorf("%s: Censored = %v, want %v", c.name, got, c.censored)
		}
		if got := AcceptedSignal(c.tech, c.dbm); got != c.accept {
			t.Errorf("%s: AcceptedSignal = %v, want %v", c.name, got, c.accept)
		}
	}
}

func TestMeasurementBatch(t *testing.T) {
	var b MeasurementBatch
	m := Measurement{TimeUnixMs: 1, Carrier: Viettel, Tech: Tech4G, Lon: 105, Lat: 21, SignalDBm: -90, DLMbps: math.NaN(),
		ULMbps: math.NaN(), LatencyMs: math.NaN(), RSRQDB: math.NaN(), SINRDB: math.NaN(), DeviceID: "d"}
	b.Append(m)
	var c MeasurementBatch
	c.AppendRow(&b, 0)
	if c.Len() != 1 || c.Row(0).DeviceID != "d" || c.Row(0).SignalDBm != -90 {
		t.Fatal(c.Row(0))
	}
	c.Reset()
	if c.Len() != 0 || len(c.Carrier) != 0 || len(c.DeviceID) != 0 {
		t.Fatal("reset")
	}
}

// A plain "phone" says neither smartphone nor feature phone (which the
// 2G-only target counts apart): refused, to be mapped by the sender.
func TestDeviceClassPhoneRefused(t *testing.T) {
	if _, err := ParseDeviceClass("phone"); err == nil {
		t.Error(`"phone" accepted`)
	}
	for s, want := range map[string]DeviceClass{"feature_phone": DeviceFeature, "CPE": DeviceRouter, "smartphone": DeviceSmartphone} {
		if got, err := ParseDeviceClass(s); err != nil || got != want {
			t.Errorf("%q: %v, %v", s, got, err)
		}
	}
}

func TestTechNotChosen(t *testing.T) {
	for _, tc := range []struct {
		c    DeviceClass
		t    Tech
		want bool
	}{
		{DeviceScanner, Tech2G, true}, {DeviceScanner, Tech3G, true}, {DeviceScanner, Tech4G, true},
		{DeviceFeature, Tech2G, true}, {DeviceFeature, Tech3G, false},
		{DeviceSmartphone, Tech3G, false}, {DeviceSmartphone, Tech4G, false}, {DeviceTablet, Tech2G, false},
		{DeviceRouter, Tech4G, false}, {DeviceUnknown, Tech4G, false},
	} {
		if got := TechNotChosen(tc.c, tc.t); got != tc.want {
			t.Errorf("TechNotChosen(%v, %v) = %v, want %v", tc.c, tc.t, got, tc.want)
		}
	}
}
