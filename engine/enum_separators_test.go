package engine

import "testing"

// A space or a hyphen where the contract's spellings have an underscore or
// nothing is read as it: "feature phone" (as phones and exports write it)
// was invalid_enum, the whole row refused, while "feature_phone" and
// "featurephone" were read.
func TestEnumSpellingsWithSpacesAndHyphens(t *testing.T) {
	for s, want := range map[string]DeviceClass{"feature phone": DeviceFeature, "Feature-Phone": DeviceFeature, "drive scanner": DeviceScanner, "smart phone": DeviceSmartphone} {
		if got, err := ParseDeviceClass(s); err != nil || got != want {
			t.Errorf("device_class %q: %v, %v; want %v", s, got, err, want)
		}
	}
	for s, want := range map[string]Environment{"in vehicle": EnvVehicle, "in-vehicle": EnvVehicle} {
		if got, err := ParseEnvironment(s); err != nil || got != want {
			t.Errorf("environment %q: %v, %v; want %v", s, got, err, want)
		}
	}
	for s, want := range map[string]SiteStatus{"on air": StatusActive, "off-air": StatusDown} {
		if got, err := ParseSiteStatus(s); err != nil || got != want {
			t.Errorf("status %q: %v, %v; want %v", s, got, err, want)
		}
	}
	// Other words stay refused.
	if _, err := ParseDeviceClass("feature tablet"); err == nil {
		t.Error(`"feature tablet" read as a device class`)
	}
}
