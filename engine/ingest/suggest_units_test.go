package ingest

import (
	"strings"
	"testing"
)

// TestSuggestUnitInHeader: a header that carries its unit in parentheses
// or brackets ("Muc thu (dBm)", "DL [Mbit/s]") is matched by its name
// without the unit, and the unit is read: a bitrate in kbit/s gets units
// kbps, a signal in asu units asu. A unit that contradicts the name's
// meaning (a signal name in Mbps, a "Level" in per cent, a battery level)
// leaves the column unmapped, with a note saying why.
func TestSuggestUnitInHeader(t *testing.T) {
	for _, c := range []struct {
		kind       Kind
		header     string
		col, unit  string // "" col: not mapped
		noteSubstr string
	}{
		{KindMeasurements, "Muc thu (dBm)", "signal_dbm", "", ""},
		{KindMeasurements, "Level (dBm)", "signal_dbm", "", ""},
		{KindMeasurements, "Cường độ tín hiệu (dBm)", "signal_dbm", "", ""},
		{KindMeasurements, "Cuong do [dBm]", "signal_dbm", "", ""},
		{KindMeasurements, "Level(dBm)", "signal_dbm", "", ""},
		{KindMeasurements, "Signal (ASU)", "signal_dbm", "asu", ""},
		{KindMeasurements, "RSRP (dBm)", "signal_dbm", "", ""},
		{KindMeasurements, "Qual (dB)", "rsrq_db", "", ""},
		{KindMeasurements, "SNR (dB)", "sinr_db", "", ""},
		{KindMeasurements, "Download (Mbit/s)", "dl_mbps", "", ""},
		{KindMeasurements, "Upload [kbit/s]", "ul_mbps", "kbps", ""},
		{KindMeasurements, "Ping (ms)", "latency_ms", "", ""},
		{KindMeasurements, "Level (%)", "", "", `"Level (%)" is named like signal_dbm, but its unit % is not one signal_dbm is given in (dBm, asu, mW): not mapped`},
		{KindMeasurements, "Muc thu (Mbps)", "", "", `"Muc thu (Mbps)" is named like signal_dbm, but its unit Mbps`},
		{KindMeasurements, "Ping (dBm)", "", "", `"Ping (dBm)" is named like latency_ms, but its unit dBm`},
		{KindMeasurements, "Environment (%)", "", "", `"Environment (%)" is named like environment, but its unit % is not one of environment: not mapped`},
		{KindSites, "Height (m)", "height_m", "", ""},
		{KindSites, "Band (MHz)", "band_mhz", "", ""},
		{KindSites, "Azimuth (deg)", "azimuth_deg", "", ""},
		{KindSites, "EIRP (dBm)", "eirp_dbm", "", ""},
	} {
		t.Run(c.header, func(t *testing.T) {
			header := []string{"ts", "carrier", "tech", "lon", "lat", c.header}
			if c.kind == KindSites {
				header = []string{"site_id", "carrier", "tech", "lon", "lat", c.header}
			}
			sg := Suggest(c.kind, header, [][]string{{"2024-10-07T08:00:00+07:00", "viettel", "4G", "103.2", "22.4", "-95"}})
			if got := sg.Mapping.Columns[c.header]; got != c.col {
				t.Errorf("%q → %q, want %q (notes %q)", c.header, got, c.col, sg.Notes)
			}
			if c.col != "" && sg.Mapping.Units[c.col] != c.unit {
				t.Errorf("units[%s] = %q, want %q", c.col, sg.Mapping.Units[c.col], c.unit)
			}
			if c.noteSubstr != "" && !strings.Contains(strings.Join(sg.Notes, "\n"), c.noteSubstr) {
				t.Errorf("notes %q lack %q", sg.Notes, c.noteSubstr)
			}
			if err := sg.Mapping.Validate(); err != nil {
				t.Errorf("the suggested mapping: %v", err)
			}
		})
	}
}
