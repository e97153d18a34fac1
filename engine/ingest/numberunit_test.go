package ingest

import (
	"strings"
	"testing"
)

// A value exported with its unit ("-95 dBm", "12.5 Mbps", "35ms") was
// rejected as "not a finite decimal number", and with "decimal": ","
// as a thousands separator ("a point or space in a number"); it now says
// the unit is in the way.
func TestNumberWithItsUnitSaid(t *testing.T) {
	for _, c := range []struct {
		value string
		comma bool
		unit  string
	}{
		{"-95 dBm", false, "dBm"}, {"-95dBm", false, "dBm"}, {"12.5 Mbps", false, "Mbps"}, {"35ms", false, "ms"},
		{"-95,5 dBm", true, "dBm"}, {"850 kbit/s", true, "kbit/s"},
	} {
		_, bad := parseNumber(c.value, c.comma)
		if !strings.Contains(bad, "a number with its unit \""+c.unit+"\"") {
			t.Errorf("%q (comma %v): %q", c.value, c.comma, bad)
		}
	}
	for _, v := range []string{"-95", "1.5e3", "abc", "12 345"} {
		if _, bad := parseNumber(v, false); strings.Contains(bad, "with its unit") {
			t.Errorf("%q: %q", v, bad)
		}
	}
}
