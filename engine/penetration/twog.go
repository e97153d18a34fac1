package penetration

import (
	"fmt"
	"math"
	"strings"

	"github.com/lomsong/lomsong/engine"
)

// Method names of the 2G-only share estimates.
const (
	MethodTwoGSubscriptions = "only-2G subscribers / mobile subscribers"
	MethodTwoGDevices       = "distinct 2G-only phones / distinct phones in measurements"
)

// TwoGOnlyShare returns the share of mobile subscriptions on 2G-only
// phones, Only2GSubscribers / MobileSubscribers, with a Wilson interval at
// conf. The counts are administrative; the interval treats the area's
// subscriptions as draws from the process that sets its 2G-only share, so
// small areas get wide intervals. Only-2G above the total is an Issue.
// It is unknown, naming the count, when either count is missing or
// negative or mobile subscribers are 0 (no subscriptions to take a share
// of).
func TwoGOnlyShare(s Subscription, conf float64) Estimate {
	switch {
	case math.IsNaN(s.Only2GSubscribers) || math.IsNaN(s.MobileSubscribers):
		var why []string
		if math.IsNaN(s.Only2GSubscribers) {
			why = append(why, "only_2g_subscribers")
		}
		if math.IsNaN(s.MobileSubscribers) {
			why = append(why, "mobile_subscribers")
		}
		return unknown(MethodTwoGSubscriptions, strings.Join(why, " and ")+" missing")
	case s.Only2GSubscribers < 0 || s.MobileSubscribers < 0:
		return unknown(MethodTwoGSubscriptions, fmt.Sprintf("negative count: only_2g_subscribers %.0f, mobile_subscribers %.0f", s.Only2GSubscribers, s.MobileSubscribers))
	case s.MobileSubscribers == 0:
		return unknown(MethodTwoGSubscriptions, fmt.Sprintf("mobile_subscribers is 0 (only_2g_subscribers %.0f): no subscriptions to take the 2G-only share of", s.Only2GSubscribers))
	}
	e := Proportion(s.Only2GSubscribers, s.MobileSubscribers, conf, MethodTwoGSubscriptions)
	if e.Known() {
		e.Assumptions = append(e.Assumptions, "one subscription per phone (multi-SIM phones count once per SIM)")
	}
	return e
}

// DeviceCounts are distinct pseudonymous devices seen in measurements.
type DeviceCounts struct {
	Phones   int // distinct smartphones and feature phones
	TwoGOnly int // of which feature phones never seen on 3G, 4G or 5G
	// Not counted: devices without an id, tablets, routers and scanners
	// (not phones; an id seen once as a scanner is an instrument), and
	// devices whose class is unknown.
	NoID, NotPhone, UnknownClass int
}

// CountDevices counts distinct devices in the rows of b for which keep
// returns true (all rows when keep is nil). A device's class is the most
// capable class any of its rows reports (smartphone > tablet > router >
// feature); a feature phone counts as 2G-only unless one of its rows is on
// 3G, 4G or 5G (a feature phone with 3G/4G is not 2G-only). Smartphones
// seen only on 2G are not 2G-only phones: they are in 2G-only coverage.
func CountDevices(b *engine.MeasurementBatch, keep func(i int) bool) DeviceCounts {
	type dev struct {
		class engine.DeviceClass
		above bool
	}
	rank := func(c engine.DeviceClass) int {
		switch c {
		case engine.DeviceScanner: // an instrument, whatever else its id reports
			return 5
		case engine.DeviceSmartphone:
			return 4
		case engine.DeviceTablet:
			return 3
		case engine.DeviceRouter:
			return 2
		case engine.DeviceFeature:
			return 1
		}
		return 0
	}
	devs := map[string]*dev{}
	var c DeviceCounts
	for i := range b.Len() {
		if keep != nil && !keep(i) {
			continue
		}
		id := b.DeviceID[i]
		if id == "" {
			c.NoID++
			continue
		}
		d, ok := devs[id]
		if !ok {
			d = &dev{}
			devs[id] = d
		}
		if cl := b.DeviceClass[i]; rank(cl) > rank(d.class) {
			d.class = cl
		}
		if t := b.Tech[i]; t >= engine.Tech3G && t <= engine.Tech5G && b.Service[i] == engine.ServiceOK {
			d.above = true
		}
	}
	for _, d := range devs { // counting only: map order does not matter
		switch d.class {
		case engine.DeviceSmartphone:
			c.Phones++
		case engine.DeviceFeature:
			c.Phones++
			if !d.above {
				c.TwoGOnly++
			}
		case engine.DeviceTablet, engine.DeviceRouter, engine.DeviceScanner:
			c.NotPhone++
		default:
			c.UnknownClass++
		}
	}
	return c
}

// TwoGOnlyDevices returns TwoGOnly / Phones with a Wilson interval at
// conf. It assumes the measured phones are a random sample of the area's
// phones; crowd-sourced tests come from apps that feature phones cannot
// run, so this share is biased low unless drive or MDT tests dominate.
//
// Without a phone (only scanners, tablets or routers, devices of unknown
// class or without an id) it is unknown, saying what was seen: never a
// share of 0.
func TwoGOnlyDevices(c DeviceCounts, conf float64) Estimate {
	if c.Phones == 0 {
		return unknown(MethodTwoGDevices, fmt.Sprintf("no phone among the measured devices (%d not phones: scanners, tablets or routers; %d of unknown class; %d rows without a device id)",
			c.NotPhone, c.UnknownClass, c.NoID))
	}
	e := Proportion(float64(c.TwoGOnly), float64(c.Phones), conf, MethodTwoGDevices)
	if e.Known() {
		e.Assumptions = append(e.Assumptions,
			"measured phones are a random sample of the area's phones (crowd-sourced apps under-sample feature phones)",
			"a feature phone never seen with service on 3G/4G/5G is 2G-only")
	}
	return e
}
