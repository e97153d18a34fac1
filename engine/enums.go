package engine

import (
	"fmt"
	"strings"
)

// Service is what a phone reported about the network during a test.
type Service uint8

// Service values. ServiceOK is the default when the column is absent or
// empty. ServiceNone (no network found) is a negative test: it carries no
// signal and is the most important row a dead-zone tool receives.
const (
	ServiceOK Service = iota
	ServiceNone
	ServiceEmergency
)

// Source is how a measurement was collected. Zero is unknown.
type Source uint8

// Source values.
const (
	SourceUnknown Source = iota
	SourceDrive
	SourceCrowd
	SourceMDT
	SourceSpeedtest
)

// DeviceClass is the kind of device that took a measurement. Zero is unknown.
// DeviceScanner is a measuring instrument (a drive-test scanner or test
// receiver), not a subscriber's phone: its rows are signal evidence like
// any other, but it is never counted as a phone, a user device or a
// 2G-only device.
type DeviceClass uint8

// DeviceClass values.
const (
	DeviceUnknown DeviceClass = iota
	DeviceSmartphone
	DeviceFeature
	DeviceTablet
	DeviceRouter
	DeviceScanner
)

// TechNotChosen reports whether a reading of technology t by a device of
// class c is of a technology the device did not choose by its signal, so
// that its level is a fair sample of that technology where the device was:
// an instrument (DeviceScanner) measures every technology it is set to
// wherever it goes, and a feature phone (2G only) has no other technology
// to camp on. A smartphone, tablet or router reads the technology it
// camped on — 3G where its 4G failed, 4G where 4G held — so its readings
// of a technology are of places chosen by the signal itself: its 3G
// levels read low and its 4G levels high against the places it went
// (those of a device of unknown class are taken as such too).
func TechNotChosen(c DeviceClass, t Tech) bool {
	return c == DeviceScanner || (c == DeviceFeature && t == Tech2G)
}

// Environment is where a test was taken. Zero is unknown. Only outdoor and
// vehicle tests decide coverage; indoor tests are kept for other uses.
type Environment uint8

// Environment values.
const (
	EnvUnknown Environment = iota
	EnvOutdoor
	EnvVehicle
	EnvIndoor
)

// SpeedKind says whether a row's speed values (DLMbps, ULMbps) were
// measured during a transfer. Zero is a speed test (or a row without
// speeds); SpeedIdle marks the bitrate of an idle connection, which a
// drive-test or crowd tool logs every second whether or not a test ran:
// kept in the dataset, never counted in speed statistics.
type SpeedKind uint8

// SpeedKind values.
const (
	SpeedTested SpeedKind = iota
	SpeedIdle
)

// Counts reports whether a row of this kind with speed v counts in speed
// statistics: a speed test with a finite, non-negative value.
func (k SpeedKind) Counts(v float64) bool { return k == SpeedTested && v >= 0 && v <= 1e300 }

// SiteStatus is a site's operational state. Zero is active.
type SiteStatus uint8

// SiteStatus values.
const (
	StatusActive SiteStatus = iota
	StatusPlanned
	StatusDown
)

// Backhaul is a site's transport link. Zero is unknown.
type Backhaul uint8

// Backhaul values.
const (
	BackhaulUnknown Backhaul = iota
	BackhaulFiber
	BackhaulMicrowave
	BackhaulSatellite
)

var (
	serviceNames     = []string{"ok", "none", "emergency"}
	sourceNames      = []string{"", "drive", "crowd", "mdt", "speedtest"}
	deviceClassNames = []string{"", "smartphone", "feature", "tablet", "router", "scanner"}
	environmentNames = []string{"", "outdoor", "vehicle", "indoor"}
	statusNames      = []string{"active", "planned", "down"}
	backhaulNames    = []string{"", "fiber", "microwave", "satellite"}
	speedKindNames   = []string{"", "idle"}
)

func enumString(names []string, i uint8) string {
	if int(i) < len(names) {
		return names[i]
	}
	return fmt.Sprintf("invalid(%d)", i)
}

// parseEnum matches s case-insensitively against names; the empty string
// maps to def. Extra spellings may be given as aliases. A space or a
// hyphen may stand for the contract's underscore or for nothing ("feature
// phone", "in-vehicle", "off air").
func parseEnum(kind, s string, names []string, def uint8, aliases map[string]uint8) (uint8, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	if k == "" {
		return def, nil
	}
	find := func(k string) (uint8, bool) {
		for i, n := range names {
			if n != "" && n == k {
				return uint8(i), true
			}
		}
		v, ok := aliases[k]
		return v, ok
	}
	if v, ok := find(k); ok {
		return v, nil
	}
	if sep := enumSeparators.Replace(k); sep != k {
		for _, c := range []string{sep, strings.ReplaceAll(sep, "_", "")} {
			if v, ok := find(c); ok {
				return v, nil
			}
		}
	}
	var want []string
	for _, n := range names {
		if n != "" {
			want = append(want, n)
		}
	}
	return def, fmt.Errorf("invalid %s %q (want one of %s): %w", kind, s, strings.Join(want, ", "), ErrInvalidValue)
}

// enumSeparators writes a spelling's spaces and hyphens as underscores.
var enumSeparators = strings.NewReplacer(" ", "_", "-", "_")

func (v Service) String() string     { return enumString(serviceNames, uint8(v)) }
func (v Source) String() string      { return enumString(sourceNames, uint8(v)) }
func (v DeviceClass) String() string { return enumString(deviceClassNames, uint8(v)) }
func (v Environment) String() string { return enumString(environmentNames, uint8(v)) }
func (v SiteStatus) String() string  { return enumString(statusNames, uint8(v)) }
func (v Backhaul) String() string    { return enumString(backhaulNames, uint8(v)) }
func (v SpeedKind) String() string   { return enumString(speedKindNames, uint8(v)) }

// ParseSpeedKind parses the contract's speed_test spellings: "no" (also
// "idle", "false", "0") is SpeedIdle; empty, "yes" ("test", "true", "1")
// a speed test.
func ParseSpeedKind(s string) (SpeedKind, error) {
	v, err := parseEnum("speed_test", s, speedKindNames, 0, speedKindAliases)
	return SpeedKind(v), err
}

var speedKindAliases = map[string]uint8{
	"yes": uint8(SpeedTested), "y": uint8(SpeedTested), "true": uint8(SpeedTested), "1": uint8(SpeedTested),
	"test": uint8(SpeedTested), "tested": uint8(SpeedTested), "transfer": uint8(SpeedTested),
	"no": uint8(SpeedIdle), "n": uint8(SpeedIdle), "false": uint8(SpeedIdle), "0": uint8(SpeedIdle),
}

// Extra spellings accepted by the Parse functions (lower case).
var (
	serviceAliases = map[string]uint8{
		"no_service": uint8(ServiceNone), "noservice": uint8(ServiceNone), "no service": uint8(ServiceNone),
		"emergency_only": uint8(ServiceEmergency), "sos": uint8(ServiceEmergency), "limited": uint8(ServiceEmergency),
		"in_service": uint8(ServiceOK), "inservice": uint8(ServiceOK),
	}
	sourceAliases      = map[string]uint8{"drivetest": uint8(SourceDrive), "drive_test": uint8(SourceDrive), "crowdsourced": uint8(SourceCrowd)}
	deviceClassAliases = map[string]uint8{"featurephone": uint8(DeviceFeature), "feature_phone": uint8(DeviceFeature), "cpe": uint8(DeviceRouter), "mifi": uint8(DeviceRouter), "drive_scanner": uint8(DeviceScanner)}
	environmentAliases = map[string]uint8{"in_vehicle": uint8(EnvVehicle), "car": uint8(EnvVehicle), "drive": uint8(EnvVehicle)}
	statusAliases      = map[string]uint8{"on_air": uint8(StatusActive), "onair": uint8(StatusActive), "off_air": uint8(StatusDown), "offline": uint8(StatusDown), "inactive": uint8(StatusDown)}
	backhaulAliases    = map[string]uint8{"fibre": uint8(BackhaulFiber), "mw": uint8(BackhaulMicrowave), "vsat": uint8(BackhaulSatellite)}
)

// ParseService parses ok|none|emergency; empty means ok.
func ParseService(s string) (Service, error) {
	v, err := parseEnum("service", s, serviceNames, uint8(ServiceOK), serviceAliases)
	return Service(v), err
}

// ParseSource parses drive|crowd|mdt|speedtest; empty means unknown.
func ParseSource(s string) (Source, error) {
	v, err := parseEnum("source", s, sourceNames, 0, sourceAliases)
	return Source(v), err
}

// ParseDeviceClass parses smartphone|feature|tablet|router|scanner; empty
// means unknown.
func ParseDeviceClass(s string) (DeviceClass, error) {
	v, err := parseEnum("device_class", s, deviceClassNames, 0, deviceClassAliases)
	return DeviceClass(v), err
}

// ParseEnvironment parses outdoor|vehicle|indoor; empty means unknown.
func ParseEnvironment(s string) (Environment, error) {
	v, err := parseEnum("environment", s, environmentNames, 0, environmentAliases)
	return Environment(v), err
}

// ParseSiteStatus parses active|planned|down; empty means active.
func ParseSiteStatus(s string) (SiteStatus, error) {
	v, err := parseEnum("status", s, statusNames, 0, statusAliases)
	return SiteStatus(v), err
}

// ParseBackhaul parses fiber|microwave|satellite; empty means unknown.
func ParseBackhaul(s string) (Backhaul, error) {
	v, err := parseEnum("backhaul", s, backhaulNames, 0, backhaulAliases)
	return Backhaul(v), err
}
