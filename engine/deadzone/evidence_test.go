package deadzone

import (
	"math"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestEvidence(t *testing.T) {
	th := engine.DefaultThresholds()
	nan := math.NaN()
	up := func(tech engine.Tech, v float64) Reading { return Reading{Tech: tech, SignalDBm: v, Upper: true} }
	// fb marks a phone's fallback (2G or 3G: there only because 4G failed).
	fb := func(r Reading) Reading { r.Fallback = true; return r }
	cases := []struct {
		name string
		test Test
		want []Reading
	}{
		{"exact 4G", Test{Tech: engine.Tech4G, SignalDBm: -98, DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor},
			[]Reading{{Tech: engine.Tech4G, SignalDBm: -98}}},
		{"at the floor", Test{Tech: engine.Tech3G, SignalDBm: -120, Source: engine.SourceDrive},
			[]Reading{up(engine.Tech3G, -120)}},
		{"phone without service bounds every technology", Test{Tech: engine.Tech4G, SignalDBm: nan, Service: engine.ServiceNone, DeviceClass: engine.DeviceSmartphone},
			[]Reading{fb(up(engine.Tech2G, -110)), fb(up(engine.Tech3G, -115)), up(engine.Tech4G, -120), up(engine.Tech5G, -120)}},
		{"feature phone without service bounds 2G", Test{Tech: engine.Tech2G, SignalDBm: nan, Service: engine.ServiceNone, DeviceClass: engine.DeviceFeature},
			[]Reading{up(engine.Tech2G, -110)}},
		{"drive test without service bounds its technology", Test{Tech: engine.Tech3G, SignalDBm: nan, Service: engine.ServiceNone, Source: engine.SourceDrive, DeviceClass: engine.DeviceSmartphone},
			[]Reading{up(engine.Tech3G, -115)}},
		{"scanner without service bounds its technology", Test{Tech: engine.Tech4G, SignalDBm: nan, Service: engine.ServiceNone, DeviceClass: engine.DeviceScanner},
			[]Reading{up(engine.Tech4G, -120)}},
		{"below the floor", Test{Tech: engine.Tech3G, SignalDBm: -131, DeviceClass: engine.DeviceScanner},
			[]Reading{up(engine.Tech3G, -120)}},
		{"smartphone on 2G", Test{Tech: engine.Tech2G, SignalDBm: -90, DeviceClass: engine.DeviceSmartphone, Source: engine.SourceCrowd},
			[]Reading{{Tech: engine.Tech2G, SignalDBm: -90, Fallback: true}, fb(up(engine.Tech3G, -115)), up(engine.Tech4G, -120)}},
		{"tablet on 3G", Test{Tech: engine.Tech3G, SignalDBm: -99, DeviceClass: engine.DeviceTablet},
			[]Reading{{Tech: engine.Tech3G, SignalDBm: -99, Fallback: true}, up(engine.Tech4G, -120)}},
		{"smartphone at the 3G floor", Test{Tech: engine.Tech3G, SignalDBm: -125, DeviceClass: engine.DeviceSmartphone},
			[]Reading{fb(up(engine.Tech3G, -120)), up(engine.Tech4G, -120)}},
		{"feature phone on 2G", Test{Tech: engine.Tech2G, SignalDBm: -90, DeviceClass: engine.DeviceFeature},
			[]Reading{{Tech: engine.Tech2G, SignalDBm: -90}}},
		{"drive test on 2G", Test{Tech: engine.Tech2G, SignalDBm: -90, DeviceClass: engine.DeviceSmartphone, Source: engine.SourceDrive},
			[]Reading{{Tech: engine.Tech2G, SignalDBm: -90}}},
		{"speed only", Test{Tech: engine.Tech4G, SignalDBm: nan}, nil},
		{"indoor", Test{Tech: engine.Tech4G, SignalDBm: -100, Environment: engine.EnvIndoor},
			[]Reading{{Tech: engine.Tech4G, SignalDBm: -100, Indoor: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Evidence(nil, c.test, th)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
