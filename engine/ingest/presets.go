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
  "optional_columns": true,
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
	// offset, decimal commas). Its "Trang thai" (status) column says
	// whether the phone had service: "Mất sóng" (signal lost) rows are the
	// no-service tests, the dead-zone evidence, and are read as service
	// none; the spellings are vietnameseService's (checked by a test).
	// A drive test is measured from a vehicle: its rows are in-vehicle
	// tests (the layout has no environment column), which coverage and
	// challenges count (tests of no environment they do not).
	"vn-drivetest": `{
  "kind": "measurements",
  "optional_columns": true,
  "columns": {"Thoi gian": "ts", "Kinh do": "lon", "Vi do": "lat", "Nha mang": "carrier",
    "Cong nghe": "tech", "RSRP (dBm)": "signal_dbm", "Trang thai": "service"},
  "units": {"ts": "layout:02/01/2006 15:04:05"},
  "decimal": ",",
  "constants": {"source": "drive", "environment": "vehicle"},
  "values": {"service": {
    "Có sóng": "ok", "Có tín hiệu": "ok", "Bình thường": "ok", "Trong vùng phục vụ": "ok", "Đang phục vụ": "ok",
    "Mất sóng": "none", "Không có sóng": "none", "Mất tín hiệu": "none", "Không có tín hiệu": "none",
    "Không có dịch vụ": "none", "Ngoài vùng phục vụ": "none",
    "Chỉ cuộc gọi khẩn cấp": "emergency", "Chỉ gọi khẩn cấp": "emergency", "Khẩn cấp": "emergency"}}
}`,
	// NetMonster (cz.mroczis.netmonster) log export. Its file layout is not
	// publicly documented; the column names are the fields of the cell
	// model of the app's published library, netmonster-core (CellLte: eci,
	// enb, tac, pci, earfcn; SignalLte: rsrp, rsrq, snr; a timestamp in
	// Unix milliseconds). rsrp is the LTE/NR level in dBm.
	"netmonster": `{
  "kind": "measurements",
  "optional_columns": true,
  "columns": {"timestamp": "ts", "latitude": "lat", "longitude": "lon", "operator": "carrier",
    "technology": "tech", "eci": "cell_id", "enb": "node_id", "pci": "pci", "earfcn": "arfcn",
    "rsrp": "signal_dbm", "rsrq": "rsrq_db", "snr": "sinr_db"},
  "units": {"ts": "unix_ms"},
  "constants": {"source": "drive"}
}`,
	// Network Cell Info (Lite) (Wilysis) CSV export. Its layout is not
	// publicly documented; the preset reads the closest published layout
	// of an Android cell logger, Network Survey's LTE CSV
	// (networksurvey.app/manual/data-logging/csv): one file per
	// technology, deviceTime in RFC 3339 with its offset, rsrp in dBm.
	"network-cell-info": `{
  "kind": "measurements",
  "optional_columns": true,
  "columns": {"deviceTime": "ts", "latitude": "lat", "longitude": "lon", "provider": "carrier",
    "eci": "cell_id", "earfcn": "arfcn", "pci": "pci", "rsrp": "signal_dbm", "rsrq": "rsrq_db",
    "snr": "sinr_db", "deviceSerialNumber": "device_id"},
  "constants": {"tech": "4G", "source": "drive"}
}`,
	// TEMS (Discovery / Pocket) tabular export of serving-cell information
	// elements, tab-separated. The export file layout is not publicly
	// documented: Serving Cell RSRP (dBm), Serving Cell RSRQ (dB) and
	// Serving Cell RS SINR (dB) are as a published drive-test reporting
	// script reads them; the other names (PCI, EARFCN, Identity, the
	// PDSCH/PUSCH throughputs in kbit/s) follow their pattern, unverified.
	"tems": `{
  "kind": "measurements",
  "optional_columns": true,
  "columns": {"Time": "ts", "Latitude": "lat", "Longitude": "lon", "Operator": "carrier", "RAT": "tech",
    "Serving Cell Identity": "cell_id", "Serving Cell PCI": "pci", "Serving Cell EARFCN": "arfcn",
    "Serving Cell RSRP (dBm)": "signal_dbm", "Serving Cell RSRQ (dB)": "rsrq_db",
    "Serving Cell RS SINR (dB)": "sinr_db", "PDSCH Throughput (kbit/s)": "dl_mbps",
    "PUSCH Throughput (kbit/s)": "ul_mbps"},
  "units": {"dl_mbps": "kbps", "ul_mbps": "kbps"},
  "constants": {"source": "drive"},
  "speed_rule": "positive"
}`,
	// Nemo (Outdoor / Analyze) CSV export of serving-cell parameters: a
	// Time column first, parameters named "<name> (<RAT> serving cell)"
	// as a published Nemo-export reader shows ("SINR (NR serving cell)").
	// The vendor's export layout is not publicly documented: the
	// application throughputs are taken in kbit/s, and the time must carry
	// its date (a time of day alone is rejected as invalid_time).
	"nemo": `{
  "kind": "measurements",
  "optional_columns": true,
  "columns": {"Time": "ts", "Latitude": "lat", "Longitude": "lon", "Operator": "carrier", "Technology": "tech",
    "RSRP (LTE serving cell)": "signal_dbm", "RSRQ (LTE serving cell)": "rsrq_db",
    "SINR (LTE serving cell)": "sinr_db", "PCI (LTE serving cell)": "pci",
    "EARFCN (LTE serving cell)": "arfcn", "Application throughput downlink": "dl_mbps",
    "Application throughput uplink": "ul_mbps"},
  "units": {"dl_mbps": "kbps", "ul_mbps": "kbps"},
  "constants": {"source": "drive"},
  "speed_rule": "positive"
}`,
	// QualiPoc (Rohde & Schwarz) CSV export, comma-separated, with the
	// column names a published QualiPoc reader lists (Time, Network,
	// Operator, Technology, Data technology, Cell Id, DL EARFCN, RSSI,
	// PCI, RSRP, RSRQ, …, IP Thrpt DL/UL, …, SINR Rx[0], eNB, RF Band
	// (LTE)); RSRP, RSRQ, PCI and DL EARFCN repeat in a second block,
	// whose repeats are ignored. IP throughputs are taken in kbit/s.
	"qualipoc": `{
  "kind": "measurements",
  "optional_columns": true,
  "columns": {"Time": "ts", "Latitude": "lat", "Longitude": "lon", "Operator": "carrier", "Technology": "tech",
    "Cell Id": "cell_id", "eNB": "node_id", "DL EARFCN": "arfcn", "PCI": "pci", "RSRP": "signal_dbm",
    "RSRQ": "rsrq_db", "SINR Rx[0]": "sinr_db", "IP Thrpt DL": "dl_mbps", "IP Thrpt UL": "ul_mbps",
    "RF Band (LTE)": "band"},
  "units": {"dl_mbps": "kbps", "ul_mbps": "kbps"},
  "constants": {"source": "drive"},
  "speed_rule": "positive"
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
	m, err := ParseMapping([]byte(js))
	if m != nil {
		m.preset = strings.ToLower(strings.TrimSpace(name))
	}
	return m, err
}

// presetFor returns the name of the preset whose columns a header holds
// (every required one and at least three quarters of all), the one with
// most columns found when several do, or "".
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
			case slices.Contains(MeasurementRequired, dst) || dst == "signal_dbm":
				// A required column, or the signal the layout exists to
				// carry: without it the preset reads no row as the tool
				// wrote it.
				ok = false
			}
		}
		if ok && 4*n >= 3*len(m.Columns) && n > bestN {
			best, bestN = name, n
		}
	}
	return best
}
