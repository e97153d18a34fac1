package ingest

import (
	"fmt"
	"slices"
	"strings"
)

// presets are the mappings of tools' documented export layouts, by name.
// Each is documented in docs/data-contract.md ("Presets") with its
// columns, units and source, and tested on a fixture file written from
// that layout (testdata/preset_NAME.*).
var presets = map[string]string{
	// G-NetTrack Pro (Gyokov Solutions) text log: tab-separated, one row a
	// second. Level is the serving cell's RSRP (4G/5G), RSCP (3G) or RSSI
	// (2G) in dBm; Qual its RSRQ (dB); DL_bitrate/UL_bitrate the data
	// rate over the last second in kbit/s, 0 while the connection is idle.
	"gnettrack": `{
  "kind": "measurements",
  "columns": {"Timestamp": "ts", "Longitude": "lon", "Latitude": "lat", "Operatorname": "carrier",
    "NetworkTech": "tech", "Level": "signal_dbm", "Qual": "rsrq_db", "SNR": "sinr_db",
    "DL_bitrate": "dl_mbps", "UL_bitrate": "ul_mbps", "Mobility": "environment",
    "CellID": "cell_id", "Node": "node_id", "ARFCN": "arfcn"},
  "units": {"ts": "layout:2006.01.02_15.04.05", "dl_mbps": "kbps", "ul_mbps": "kbps"},
  "constants": {"source": "drive"},
  "values": {"environment": {"Walking": "outdoor", "Driving": "vehicle"}},
  "speed_rule": "positive"
}`,
	// The Vietnamese operators' drive-test export of issue 19 (column names
	// without diacritics, semicolon-separated, day-first times without an
	// offset, decimal commas).
	"vn-drivetest": `{
  "kind": "measurements",
  "columns": {"Thoi gian": "ts", "Kinh do": "lon", "Vi do": "lat", "Nha mang": "carrier",
    "Cong nghe": "tech", "RSRP (dBm)": "signal_dbm"},
  "units": {"ts": "layout:02/01/2006 15:04:05"},
  "decimal": ",",
  "constants": {"source": "drive"}
}`,
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	return sortedKeys(presets)
}

// Preset returns the mapping of a named export layout.
func Preset(name string) (*Mapping, error) {
	js, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("preset %q: want one of %s", name, strings.Join(PresetNames(), ", "))
	}
	return ParseMapping([]byte(js))
}

// presetFor returns the name of the preset whose columns a header holds
// (every mapped source column but the optional ones it lacks), or "".
func presetFor(header []string) string {
	have := map[string]bool{}
	for _, h := range header {
		have[synKey(h)] = true
	}
	best, bestN := "", 0
	for _, name := range PresetNames() {
		m, err := Preset(name)
		if err != nil {
			continue
		}
		n, ok := 0, true
		for src, dst := range m.Columns {
			switch {
			case have[synKey(src)]:
				n++
			case slices.Contains(MeasurementRequired, dst):
				ok = false
			}
		}
		if ok && n > bestN {
			best, bestN = name, n
		}
	}
	return best
}
