package penetration

import (
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A 2G-only share without its counts is unknown naming the count, not
// "count missing" or "denominator is zero": the scorecard gives the issue
// as the reason a province's target is unknown.
func TestTwoGOnlyShareUnknownNamesTheCount(t *testing.T) {
	for _, c := range []struct {
		only2G, mobile float64
		want           string
	}{
		{math.NaN(), 1000, "only_2g_subscribers missing"},
		{10, math.NaN(), "mobile_subscribers missing"},
		{math.NaN(), math.NaN(), "only_2g_subscribers and mobile_subscribers missing"},
		{0, 0, "mobile_subscribers is 0 (only_2g_subscribers 0)"},
		{5, 0, "mobile_subscribers is 0 (only_2g_subscribers 5)"},
	} {
		e := TwoGOnlyShare(Subscription{Only2GSubscribers: c.only2G, MobileSubscribers: c.mobile}, 0.95)
		if e.Known() || e.Interval != IntervalNone || len(e.Issues) != 1 || !strings.HasPrefix(e.Issues[0], c.want) {
			t.Errorf("only 2G %v of %v: %v %q, want unknown: %q", c.only2G, c.mobile, e.Value, e.Issues, c.want)
		}
	}
}

// Devices with no phone among them (drive-test scanners only, devices of
// unknown class) give no 2G-only share, saying what was measured.
func TestTwoGOnlyDevicesWithoutPhones(t *testing.T) {
	var b engine.MeasurementBatch
	b.Append(engine.Measurement{DeviceID: "x1", DeviceClass: engine.DeviceScanner, Tech: engine.Tech2G})
	b.Append(engine.Measurement{DeviceID: "x2", DeviceClass: engine.DeviceScanner, Tech: engine.Tech4G})
	b.Append(engine.Measurement{DeviceID: "u1", DeviceClass: engine.DeviceUnknown, Tech: engine.Tech2G})
	b.Append(engine.Measurement{DeviceClass: engine.DeviceFeature, Tech: engine.Tech2G})
	c := CountDevices(&b, nil)
	if c != (DeviceCounts{NotPhone: 2, UnknownClass: 1, NoID: 1}) {
		t.Fatalf("counts %+v", c)
	}
	e := TwoGOnlyDevices(c, 0.95)
	want := "no phone among the measured devices (2 not phones: scanners, tablets or routers; 1 of unknown class; 1 rows without a device id)"
	if e.Known() || len(e.Issues) != 1 || e.Issues[0] != want {
		t.Errorf("%v %q, want unknown: %q", e.Value, e.Issues, want)
	}
}

// Smartphone subscribers above mobile subscribers of 0 contradict each
// other as they do above any other count: the model share is not judged.
func TestSmartphoneAboveZeroMobileSubscribers(t *testing.T) {
	m := DefaultSmartphoneModel()
	e := m.Share(Subscription{AreaCode: "x", Households: 1000, SmartphoneSubscribers: 500, MobileSubscribers: 0}, nil)
	if !e.Impossible || !strings.Contains(strings.Join(e.Issues, ";"), "smartphone subscribers 500 above mobile subscribers 0") {
		t.Errorf("%+v", e)
	}
	e = m.Share(Subscription{AreaCode: "x", Households: 1000, SmartphoneSubscribers: 500, MobileSubscribers: math.NaN()}, nil)
	if e.Impossible || !e.Known() {
		t.Errorf("mobile subscribers missing: %+v", e)
	}
}
