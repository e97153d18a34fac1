package ingest

import (
	"strings"
	"testing"
)

// Positions written with the hemisphere first ("E105.8542", as some GPS
// logs do) or as degrees and minutes apart ("105 51.252", NMEA-derived)
// were rejected as "not a finite decimal number" with no word of degrees;
// they now get the hint that positions are decimal degrees, as
// "105°51'E" and "105.8542E" did. A number that is merely not one gets
// none.
func TestDegreesHintForOtherSpellings(t *testing.T) {
	const head = "ts,carrier,tech,lon,lat,signal_dbm\n"
	for _, c := range []struct {
		lon, lat string
		hint     bool
	}{
		{"E105.8542", "N21.0285", true},
		{"E 105.8542", "21.0285", true},
		{"105 51.252", "21 01.71", true},
		{"105 51 15.1", "21 01 42.6", true},
		{"105.8542", "21 01.71", true},
		{"abc", "21.0285", false},
		{"105.85.42", "21.0285", false},
	} {
		_, rejects, _ := readM(t, head+"2026-10-03T08:00:01+07:00,Viettel,4G,"+c.lon+","+c.lat+",-95\n", nil, nil)
		if len(rejects) != 1 || rejects[0].Reason != ReasonInvalidNumber {
			t.Errorf("%s %s: %+v", c.lon, c.lat, rejects)
			continue
		}
		if got := strings.Contains(rejects[0].Detail, "decimal degrees only"); got != c.hint {
			t.Errorf("%s %s: %q; hint %v, want %v", c.lon, c.lat, rejects[0].Detail, got, c.hint)
		}
	}
}
