package ingest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// synonyms lists common source names for contract columns, compared after
// synKey (lower case, accents folded, spaces, dashes, underscores,
// brackets and dots removed), in order of preference. They cover the
// exports of G-NetTrack Pro (Operatorname, NetworkTech, Level, Qual,
// DL_bitrate, Mobility), NetMonster and Network Cell Info (RSRP, RSRQ,
// SNR, Network type), TEMS, Nemo and QualiPoc (Serving RSRP, RAT,
// Throughput) and Vietnamese names written without diacritics (Thoi gian,
// Kinh do, Vi do, Nha mang, Cong nghe, Do tre, Nguon, Ma thiet bi, Loai
// thiet bi), and a Vietnamese site register's
// (Mã trạm, Băng tần, Độ cao anten, Góc phương vị, Góc chúc or Góc
// nghiêng for the downtilt, Trạng thái, Truyền dẫn).
var synonyms = map[string][]string{
	"ts":            {"ts", "time", "timestamp", "devicetime", "datetime", "date_time", "eventtime", "measuredat", "utc", "timeutc", "localtime", "epoch", "epochms", "unixtime", "thoigian", "ngaygio", "thoidiem"},
	"carrier":       {"carrier", "operatorname", "networkoperatorname", "operator", "networkoperator", "network", "networkname", "mno", "provider", "plmnname", "nhamang", "nhacungcap"},
	"tech":          {"tech", "technology", "networktech", "rat", "servingrat", "radio", "networktype", "nettype", "nettech", "accesstech", "systemtype", "generation", "gen", "congnghe", "mang"},
	"lon":           {"lon", "lng", "long", "longitude", "x", "kinhdo", "gpslon", "gpslongitude", "alllongitude"},
	"lat":           {"lat", "latitude", "y", "vido", "gpslat", "gpslatitude", "alllatitude"},
	"signal_dbm":    {"signaldbm", "signal", "rsrp", "rscp", "rssi", "rxlev", "rsrpdbm", "rscpdbm", "rssidbm", "servingrsrp", "servingcellrsrp", "servingrsrpdbm", "servingcellrsrpdbm", "rsrplteservingcell", "rsrpnrservingcell", "rsrpserving", "signalstrength", "level", "dbm", "cursignal", "levelasu", "asu", "signalasu", "cuongdo", "cuongdotinhieu", "mucthu"},
	"service":       {"service", "servicestate", "trangthaisong", "trangthaidichvu"},
	"rsrq_db":       {"rsrqdb", "rsrq", "servingrsrq", "servingcellrsrq", "servingcellrsrqdb", "rsrqlteservingcell", "rsrqnrservingcell", "qual"},
	"sinr_db":       {"sinrdb", "sinr", "snr", "rssnr", "servingsinr", "servingcellsinr", "servingcellrssinrdb", "sinrlteservingcell", "sinrnrservingcell", "sinrrx0", "ecio", "ecno"},
	"dl_mbps":       {"dlmbps", "download", "downloadmbps", "dl", "dlthroughput", "dlthroughputmbps", "downloadspeed", "dlkbps", "downloadkbps", "dlthroughputkbps", "dlbitrate", "downlinkbitrate", "pdschthroughput", "pdschthroughputkbits", "ipthrptdl", "applicationthroughputdownlink", "appthroughputdl", "tocdotaixuong"},
	"ul_mbps":       {"ulmbps", "upload", "uploadmbps", "ul", "ulthroughput", "ulthroughputmbps", "uploadspeed", "ulkbps", "uploadkbps", "ulthroughputkbps", "ulbitrate", "uplinkbitrate", "puschthroughput", "puschthroughputkbits", "ipthrptul", "applicationthroughputuplink", "appthroughputul", "tocdotailen"},
	"latency_ms":    {"latencyms", "latency", "ping", "pingms", "pingavg", "rtt", "rttms", "dotre"},
	"source":        {"source", "datasource", "collection", "nguon", "nguondulieu"},
	"device_id":     {"deviceid", "device", "deviceserialnumber", "imeihash", "uehash", "userid", "devicehash", "mathietbi"},
	"village_id":    {"villageid", "village", "thonid", "mathon", "id"},
	"name":          {"name", "villagename", "ten", "tenthon"},
	"commune_code":  {"communecode", "commune", "maxa", "wardcode", "xa"},
	"households":    {"households", "hh", "sohogiadinh", "soho", "numhouseholds"},
	"device_class":  {"deviceclass", "devicetype", "uetype", "devicecategory", "loaithietbi"},
	"environment":   {"environment", "env", "mobility", "indooroutdoor", "location", "placement", "moitruong"},
	"speed_test":    {"speedtest", "teststatus", "speedteststatus", "transferstate"},
	"cell_id":       {"cellid", "ci", "eci", "nci", "cellidentity", "servingcellid", "servingcellidentity", "cid"},
	"node_id":       {"nodeid", "node", "enodeb", "enodebid", "enb", "enbid", "gnodeb", "gnbid", "nodeb", "nodebid"},
	"pci":           {"pci", "psc", "physicalcellid", "servingpci", "servingcellpci", "pciservingcell", "pcilteservingcell", "pcinrservingcell"},
	"arfcn":         {"arfcn", "earfcn", "uarfcn", "nrarfcn", "servingearfcn", "servingcellearfcn", "dlearfcn", "earfcnlteservingcell", "arfcnnrservingcell", "channel"},
	"band":          {"band", "rfband", "rfbandlte", "rfbandnr", "bandnumber", "servingband"},
	"site_id":       {"siteid", "site", "cellid", "cell", "sitecode", "btsid", "nodeb", "enodeb", "enbid", "gnbid", "cellname", "sitename", "matram", "matrambts", "mabts", "tentram"},
	"band_mhz":      {"bandmhz", "band", "frequency", "freq", "freqmhz", "frequencymhz", "bangtan", "tanso"},
	"height_m":      {"heightm", "height", "antennaheight", "agl", "antheight", "docaoanten", "docaoangten", "chieucaoanten", "docao"},
	"azimuth_deg":   {"azimuthdeg", "azimuth", "azi", "az", "bearing", "gocphuongvi", "phuongvi", "huonganten"},
	"beamwidth_deg": {"beamwidthdeg", "beamwidth", "hbw", "hbeamwidth", "horizontalbeamwidth", "dorongbupsong", "dorongbup"},
	"tilt_deg":      {"tiltdeg", "tilt", "downtilt", "etilt", "mtilt", "totaltilt", "gocnghieng", "gocchuc"},
	"eirp_dbm":      {"eirpdbm", "eirp", "power", "txpower", "powerdbm"},
	"status":        {"status", "sitestatus", "trangthai", "tinhtrang"},
	"backhaul":      {"backhaul", "transmission", "transport", "truyendan", "loaitruyendan"},
}

var synReplacer = strings.NewReplacer(" ", "", "_", "", "-", "", "(", "", ")", "", "[", "", "]", "", ".", "", "/", "")

func synKey(s string) string {
	s = cleanHeader(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return engine.Fold(s) // accents folded: "Thời gian" → "thoigian"
		}
	}
	return synReplacer.Replace(strings.ToLower(s))
}

// unitSuffix splits a header that ends with a unit in parentheses or
// brackets ("Muc thu (dBm)", "DL [Mbit/s]") into its name and the unit.
var unitSuffix = regexp.MustCompile(`^(.*?\S)\s*[(\[]\s*([^()\[\]]+?)\s*[)\]]$`)

// headerUnits are the units a header may carry (lower case, as written)
// and how they are named in notes.
var headerUnits = map[string]string{
	"dbm": "dBm", "db": "dB", "mw": "mW", "asu": "asu",
	"mbps": "Mbps", "mbit/s": "Mbps", "mb/s": "Mbps", "kbps": "kbps", "kbit/s": "kbps", "kb/s": "kbps", "bps": "bps", "bit/s": "bps",
	"ms": "ms", "%": "%", "m": "m", "deg": "deg", "°": "deg", "mhz": "MHz",
}

// unitColumns are, for each unit of headerUnits, the contract columns
// whose values it may be given in, with the mapping unit that converts
// them ("" for the contract's own). A unit not listed for a column
// contradicts it ("%" is not a signal level: a battery level, say).
var unitColumns = map[string]map[string]string{
	"dBm":  {"signal_dbm": "", "eirp_dbm": ""},
	"mW":   {"signal_dbm": "mw"},
	"asu":  {"signal_dbm": "asu"},
	"dB":   {"rsrq_db": "", "sinr_db": ""},
	"Mbps": {"dl_mbps": "", "ul_mbps": ""},
	"kbps": {"dl_mbps": "kbps", "ul_mbps": "kbps"},
	"bps":  {"dl_mbps": "bps", "ul_mbps": "bps"},
	"ms":   {"latency_ms": ""},
	"m":    {"height_m": ""},
	"deg":  {"lon": "", "lat": "", "azimuth_deg": "", "beamwidth_deg": "", "tilt_deg": ""},
	"MHz":  {"band_mhz": ""},
}

// unitsOf names the units a contract column is given in (for a note):
// its own first, then those the mapping converts.
func unitsOf(col string) []string {
	var own, converted []string
	for _, u := range sortedKeys(unitColumns) {
		if conv, ok := unitColumns[u][col]; ok && conv == "" {
			own = append(own, u)
		} else if ok {
			converted = append(converted, u)
		}
	}
	return append(own, converted...)
}

// matchUnitNames maps the columns still unassigned whose header names a
// contract column (or one of its synonyms) followed by a unit in
// parentheses or brackets: "Muc thu (dBm)" is signal_dbm, "Upload
// [kbit/s]" ul_mbps in kbps. The unit is checked against the column's
// meaning: one that contradicts it ("Level (%)", "Muc thu (Mbps)") leaves
// the header unmapped, with a note, rather than read as the column.
func (sg *Suggestion) matchUnitNames(kind Kind, header []string, at map[string]int, assigned []bool, take func(string, int, bool)) {
	type named struct {
		i    int
		unit string // as headerUnits names it
	}
	byBase := map[string][]named{}
	for i, h := range header {
		if assigned[i] {
			continue
		}
		sm := unitSuffix.FindStringSubmatch(cleanHeader(h))
		if sm == nil {
			continue
		}
		if u, ok := headerUnits[strings.ToLower(sm[2])]; ok {
			k := synKey(sm[1])
			byBase[k] = append(byBase[k], named{i, u})
		}
	}
	if len(byBase) == 0 {
		return
	}
	contradicted := map[int]string{} // header index → the note, its first contradiction
	for _, col := range kind.Columns() {
		if _, ok := at[col]; ok {
			continue
		}
	names:
		for _, s := range append([]string{synKey(col)}, synonyms[col]...) {
			for _, n := range byBase[s] {
				if assigned[n.i] {
					continue
				}
				conv, ok := unitColumns[n.unit][col]
				if !ok {
					if _, seen := contradicted[n.i]; !seen {
						in := "is not one " + col + " is given in (" + strings.Join(unitsOf(col), ", ") + ")"
						if len(unitsOf(col)) == 0 {
							in = "is not one of " + col
						}
						contradicted[n.i] = fmt.Sprintf("%s: %q is named like %s, but its unit %s %s: not mapped; map it by hand if it is %s",
							col, header[n.i], col, n.unit, in, col)
					}
					continue
				}
				take(col, n.i, true)
				if conv != "" {
					sg.Mapping.Units[col] = conv
				}
				break names
			}
		}
	}
	for i := range header {
		if note, ok := contradicted[i]; ok && !assigned[i] {
			sg.note("%s", note)
		}
	}
}

// techSignalNames are the names (synKey) of the columns drive-test
// exports write one technology's signal measure in: RSRP (LTE; SS-RSRP
// NR), RSCP (UMTS), RxLev or the GSM RSSI.
var techSignalNames = []struct {
	tech  engine.Tech
	names []string
}{
	{engine.Tech4G, []string{"rsrp", "rsrpdbm", "servingrsrp", "servingcellrsrp", "servingrsrpdbm", "servingcellrsrpdbm", "rsrplteservingcell", "rsrpserving", "ltersrp", "ltersrpdbm"}},
	{engine.Tech5G, []string{"ssrsrp", "ssrsrpdbm", "nrssrsrp", "nrssrsrpdbm", "nrrsrp", "nrrsrpdbm", "rsrpnrservingcell", "5grsrp", "servingssrsrp"}},
	{engine.Tech3G, []string{"rscp", "rscpdbm", "servingrscp", "servingcellrscp", "servingcellrscpdbm", "wcdmarscp", "umtsrscp", "rscplevel"}},
	{engine.Tech2G, []string{"rxlev", "rxlevdbm", "rxlevfull", "rxlevfulldbm", "rxlevsub", "rxlevsubdbm", "servingrxlev", "gsmrxlev", "gsmrssi", "bcchrxlev"}},
}

// techSignalColumn returns the technology whose signal measure a column
// is named for (techSignalNames), or TechUnknown.
func techSignalColumn(h string) engine.Tech {
	k := synKey(h)
	for _, g := range techSignalNames {
		if slices.Contains(g.names, k) {
			return g.tech
		}
	}
	return engine.TechUnknown
}

// signalPerTech proposes signal_columns when the header holds the signal
// columns of more than one technology (RSRP, RSCP, RxLev: a drive-test
// export across 2G, 3G and 4G), the signal_dbm column chosen by name
// being one of them or none: one column would leave the other
// technologies' rows without their signal (rejected as inconsistent).
func (sg *Suggestion) signalPerTech(header []string, at map[string]int, assigned []bool) {
	cur, hasCur := at["signal_dbm"]
	found := map[engine.Tech]int{}
	for _, g := range techSignalNames {
		for i, h := range header {
			if (!assigned[i] || hasCur && i == cur) && slices.Contains(g.names, synKey(h)) {
				found[g.tech] = i
				break
			}
		}
	}
	_, lte := found[engine.Tech4G]
	_, nr := found[engine.Tech5G]
	groups := len(found)
	if lte && nr {
		groups-- // one measure, RSRP, of two generations
	}
	if groups < 2 || hasCur && !slices.Contains(slices.Collect(maps.Values(found)), cur) {
		return
	}
	if hasCur {
		delete(sg.Mapping.Columns, header[cur])
		assigned[cur] = false
		delete(at, "signal_dbm")
	}
	if lte && !nr {
		found[engine.Tech5G] = found[engine.Tech4G]
		sg.note("signal_columns: 5G rows read their level from %q, the RSRP column (no NR column found); check", header[found[engine.Tech4G]])
	}
	sg.Mapping.SignalColumns = map[string]string{}
	var named []string
	for _, t := range engine.Techs {
		i, ok := found[t]
		if !ok {
			continue
		}
		sg.Mapping.SignalColumns[t.String()] = header[i]
		assigned[i] = true
		named = append(named, fmt.Sprintf("%s %s from %q", t, t.SignalMeasure(), header[i]))
		if _, ok := at["signal_dbm"]; !ok {
			at["signal_dbm"] = i
		}
	}
	sg.note("signal_columns: the signal of each technology is read from its own column: %s", strings.Join(named, ", "))
}

// positionAndTimeByValues finds the lat, lon and ts columns the names
// missed among the columns whose names contain the word ("client_latitude",
// "Lat (WGS84)", "result_date", "Date", "Time (UTC)"), when every sampled
// value fits: a latitude or longitude in degrees, a time that auto, Unix
// or Excel units or one of timeLayouts read.
func (sg *Suggestion) positionAndTimeByValues(kind Kind, header []string, at map[string]int, assigned []bool,
	column func(int) []string, take func(string, int, bool)) {
	degrees := func(lo, hi float64) func(string) bool {
		return func(v string) bool {
			f, bad := parseNumber(v, strings.Contains(v, ","))
			return bad == "" && f >= lo && f <= hi
		}
	}
	since2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	isTime := func(v string) bool {
		// A small count ("17") reads as Unix milliseconds in 1970, and
		// as an Excel day in 1900: a time of this century only.
		for _, u := range []string{"auto", "excel_days"} {
			if ms, _, err := parseTime(v, u, vietnamZone); err == nil && ms >= since2000 {
				return true
			}
		}
		if unixSecondsRE.MatchString(v) || unixMillisDecimalRE.MatchString(v) {
			return true
		}
		return slices.ContainsFunc(timeLayouts, func(l string) bool {
			_, err := time.Parse(l, v)
			return err == nil
		})
	}
	for _, c := range []struct {
		col   string
		words []string
		fits  func(string) bool
	}{
		{"lat", []string{"latitude", "lat"}, degrees(-90, 90)},
		{"lon", []string{"longitude", "lon", "lng"}, degrees(-180, 180)},
		{"ts", []string{"date", "time"}, isTime},
	} {
		if _, ok := at[c.col]; ok || !slices.Contains(kind.Columns(), c.col) {
			continue
		}
		named := func(k string) bool {
			// A server's, a cell's or a site's position (Ookla-like
			// server_latitude, a drive-test export's serving cell
			// latitude) is not where the test was made.
			for _, w := range []string{"server", "cell", "site", "tower", "bts", "enb", "gnb", "node", "antenna", "target"} {
				if strings.Contains(k, w) && c.col != "ts" {
					return false
				}
			}
			if c.col == "ts" {
				return strings.Contains(k, "date") || strings.Contains(k, "time")
			}
			// The word whole, or at either end ("client_latitude",
			// "gps_lat", "lat_deg"), not inside another ("latency").
			return strings.Contains(k, c.words[0]) || slices.ContainsFunc(c.words[1:], func(w string) bool {
				return strings.HasPrefix(k, w) && !strings.HasPrefix(k, "latency") || strings.HasSuffix(k, w)
			})
		}
		for i, h := range header {
			if assigned[i] || !named(synKey(h)) {
				continue
			}
			if vals := column(i); len(vals) > 0 && all(vals, c.fits) {
				take(c.col, i, true)
				sg.note("%s: %q chosen by its name and values (%s)", c.col, h, strings.Join(distinct(vals, 2), ", "))
				break
			}
		}
	}
}

// carrierFromPLMN proposes carrier_plmn when no column names the carrier
// and the header has the network's MCC and MNC in two columns.
func (sg *Suggestion) carrierFromPLMN(header []string, assigned []bool) {
	find := func(keys ...string) int {
		return slices.IndexFunc(header, func(h string) bool { return slices.Contains(keys, synKey(h)) })
	}
	mcc, mnc := find("mcc", "mobilecountrycode", "servingmcc"), find("mnc", "mobilenetworkcode", "servingmnc")
	if mcc < 0 || mnc < 0 || assigned[mcc] || assigned[mnc] {
		return
	}
	sg.Mapping.CarrierPLMN = map[string]string{"mcc": header[mcc], "mnc": header[mnc]}
	assigned[mcc], assigned[mnc] = true, true
	sg.note("carrier: from the network's MCC and MNC, %q and %q (carrier_plmn: 452 and 04 are Viettel, 01 MobiFone, 02 VinaPhone, 05 Vietnamobile, 07 Gmobile, 08 I-Telecom)", header[mcc], header[mnc])
}

// MaxSuggestColumns is how many header columns SuggestMapping considers;
// a header beyond it is not a layout a person maps by hand.
const MaxSuggestColumns = 10000

// MaxSuggestSamples is how many sample rows Suggest looks at, and
// MaxSuggestSampleBytes how many bytes of them a caller should hold (rows
// may be up to Limits.MaxLineBytes long each).
const (
	MaxSuggestSamples     = 1000
	MaxSuggestSampleBytes = 16 << 20
)

// Suggestion is a proposed mapping with what could not be settled.
type Suggestion struct {
	Mapping *Mapping
	// Missing are the required contract columns no source column was
	// found for: the mapping is incomplete until they are added (or given
	// as constants).
	Missing []string
	// Notes say what was inferred and should be checked (an ambiguous
	// date order, a unit taken from a tool's convention) and what could
	// not be mapped (spellings with no contract value).
	Notes []string
	// Preset names a built-in preset whose layout the header matches, or "".
	Preset string
	// PresetIgnores lists the header's columns that the suggested mapping
	// reads and --preset Preset would ignore (a service column the
	// preset's layout lacks): with any, the preset is not the way to read
	// the file, the suggested mapping is.
	PresetIgnores []string
	// sampledPoints and sampledCommas count the sampled numbers written
	// with a decimal point and with a decimal comma (inferDecimal).
	sampledPoints, sampledCommas int
}

// SuggestMapping proposes a mapping from a header alone (Suggest without
// samples) and returns it with the required columns it could not find.
func SuggestMapping(kind Kind, header []string) (*Mapping, []string) {
	s := Suggest(kind, header, nil)
	return s.Mapping, s.Missing
}

// Suggest proposes a mapping for a header and sample rows (each as long
// as the header; at most MaxSuggestSamples are used). Columns are matched
// by name: exact contract names first, then case- and accent-insensitive
// names, then the synonyms of common tools. Sample values then settle
// what names cannot: the timestamp layout (with a note when the day and
// month order is ambiguous), a decimal comma, the unit of bitrates, value
// maps for enum spellings of the tools (Walking, Driving, No service …),
// idle zero bitrates (speed_rule "positive"), and required columns found
// by their values (operator names, technology spellings). The work is
// linear in the header and samples. The suggestion is a starting point to
// review, not a guarantee.
func Suggest(kind Kind, header []string, samples [][]string) *Suggestion {
	if len(header) > MaxSuggestColumns {
		header = header[:MaxSuggestColumns]
	}
	if len(samples) > MaxSuggestSamples {
		samples = samples[:MaxSuggestSamples]
	}
	m := &Mapping{Kind: kind, Columns: map[string]string{}, Units: map[string]string{}, Values: map[string]map[string]string{}}
	sg := &Suggestion{Mapping: m}
	at := map[string]int{} // contract column → header index
	assigned := make([]bool, len(header))
	exact := map[string][]int{}
	byKey := map[string][]int{}
	for i, h := range header {
		exact[h] = append(exact[h], i)
		k := synKey(h)
		byKey[k] = append(byKey[k], i)
	}
	first := func(idx []int) int {
		for _, i := range idx {
			if !assigned[i] {
				return i
			}
		}
		return -1
	}
	take := func(col string, i int, rename bool) {
		at[col], assigned[i] = i, true
		if rename {
			m.Columns[header[i]] = col
		}
	}
	for _, col := range kind.Columns() {
		if i := first(exact[col]); i >= 0 {
			take(col, i, false)
		}
	}
	for _, col := range kind.Columns() {
		if _, ok := at[col]; ok {
			continue
		}
		if i := first(byKey[synKey(col)]); i >= 0 {
			take(col, i, true)
		}
	}
	for _, col := range kind.Columns() {
		if _, ok := at[col]; ok {
			continue
		}
		for _, s := range synonyms[col] {
			i := first(byKey[s])
			if i < 0 {
				continue
			}
			take(col, i, true)
			switch {
			case strings.HasSuffix(s, "kbps") || strings.HasSuffix(s, "kbits"):
				m.Units[col] = "kbps"
			case strings.HasSuffix(s, "bitrate"):
				m.Units[col] = "kbps"
				sg.note("%s: %q read as kbit/s, the unit of G-NetTrack's bitrates; change units.%s if the file says otherwise", col, header[i], col)
			case strings.HasSuffix(s, "asu"):
				m.Units[col] = "asu"
			case col == "ts" && (s == "epoch" || s == "unixtime"):
				m.Units[col] = "unix_s"
			}
			break
		}
	}
	sg.matchUnitNames(kind, header, at, assigned, take)
	if kind == KindMeasurements && presetFor(header) == "" {
		sg.signalPerTech(header, at, assigned)
	}
	// A register whose only identifier is its cells' ids: each cell is its
	// own site (before cell ids joined the sites contract, CellID was the
	// site_id a register gave).
	if _, ok := at["site_id"]; !ok && kind == KindSites {
		if i, ok := at["cell_id"]; ok {
			delete(at, "cell_id")
			delete(m.Columns, header[i])
			take("site_id", i, true)
			sg.note("site_id: %q, the only identifier, read as the site id (each cell its own site); to tie measurements by it too, copy it into a cell_id column", header[i])
		}
	}
	column := func(i int) []string {
		var out []string
		for _, r := range samples {
			if i < len(r) {
				if v := strings.TrimSpace(r[i]); v != "" {
					out = append(out, v)
				}
			}
		}
		return out
	}
	if len(samples) > 0 {
		sg.positionAndTimeByValues(kind, header, at, assigned, column, take)
	}
	if kind == KindMeasurements && len(samples) > 0 {
		// Required columns the names missed, found by their values.
		for _, c := range []struct {
			col string
			ok  func(string) bool
		}{{"carrier", knownCarrier}, {"tech", isTech}} {
			if _, ok := at[c.col]; ok {
				continue
			}
			for i := range header {
				if vals := column(i); !assigned[i] && len(vals) > 0 && all(vals, c.ok) {
					take(c.col, i, true)
					sg.note("%s: %q chosen by its values (%s)", c.col, header[i], strings.Join(distinct(vals, 4), ", "))
					break
				}
			}
		}
		// A column of source values (drive, crowd, …) is the source,
		// whatever its name: a preset's constant source would otherwise
		// replace what the file says of each row.
		if _, ok := at["source"]; !ok {
			for i := range header {
				if vals := column(i); !assigned[i] && len(vals) > 0 && all(vals, isSource) {
					take("source", i, true)
					sg.note("source: %q chosen by its values (%s)", header[i], strings.Join(distinct(vals, 4), ", "))
					break
				}
			}
		}
		// "State" or "Status" is the service only when its values say so
		// (G-NetTrack's State is not: it holds the data state).
		if _, ok := at["service"]; !ok {
			for _, s := range []string{"state", "status", "trangthai"} {
				i := first(byKey[s])
				if vals := column(max(i, 0)); i >= 0 && len(vals) > 0 && all(vals, isService) {
					take("service", i, true)
					sg.note("service: %q chosen by its values (%s)", header[i], strings.Join(distinct(vals, 4), ", "))
					break
				}
			}
		}
		if i, ok := at["ts"]; ok {
			sg.inferTime(header[i], column(i))
		}
		sg.inferDecimal(header, at, column)
		for _, col := range EnumColumns(kind) {
			if i, ok := at[col]; ok {
				sg.inferValues(col, header[i], column(i))
			}
		}
		for _, col := range []string{"dl_mbps", "ul_mbps"} {
			if i, ok := at[col]; ok && m.SpeedRule == "" && slices.ContainsFunc(column(i), func(v string) bool {
				f, bad := parseNumber(v, m.Decimal == ",")
				return bad == "" && f == 0
			}) {
				if _, marker := at["speed_test"]; !marker {
					m.SpeedRule = SpeedRulePositive
					sg.note("%s: %q has zero bitrates: speed_rule \"positive\" keeps them as idle rows, out of speed statistics", col, header[i])
				}
			}
		}
	}
	if kind != KindMeasurements && len(samples) > 0 {
		sg.inferDecimal(header, at, column)
		// A register's or a table's own spellings (a site status "On
		// Air"): proposed, or named, as for measurements.
		for _, col := range EnumColumns(kind) {
			if i, ok := at[col]; ok {
				sg.inferValues(col, header[i], column(i))
			}
		}
	}
	if _, ok := at["carrier"]; !ok && slices.Contains(kind.Columns(), "carrier") {
		sg.carrierFromPLMN(header, assigned)
	}
	if sg.Preset = presetFor(header); sg.Preset != "" && kind == KindMeasurements {
		sg.adoptPreset(header, at, assigned, column)
		// A preset reads one signal column; the export may hold the other
		// technologies' too (a TEMS export across 2G, 3G and 4G).
		sg.signalPerTech(header, at, assigned)
		sg.PresetIgnores = presetIgnores(sg.Preset, header, assigned)
	}
	for _, r := range kind.Required() {
		if _, ok := at[r]; !ok && m.Constants[r] == "" && (r != "carrier" || m.CarrierPLMN == nil) {
			sg.Missing = append(sg.Missing, r)
		}
	}
	if kind == KindMeasurements && !slices.ContainsFunc([]string{"signal_dbm", "dl_mbps", "ul_mbps", "latency_ms", "service"}, func(c string) bool {
		_, ok := at[c]
		return ok || m.Constants[c] != ""
	}) {
		// Every row would be rejected as inconsistent: a test with
		// service ok needs a signal, a speed or a latency.
		sg.Missing = append(sg.Missing, "signal_dbm (or dl_mbps, ul_mbps, latency_ms or service: a row needs one)")
	}
	var ignored []string
	for i, h := range header {
		if !assigned[i] {
			ignored = append(ignored, h)
		}
	}
	if len(ignored) > 0 && len(samples) > 0 {
		sg.note("not mapped (no contract column): %s", strings.Join(ignored, ", "))
	}
	if len(m.Units) == 0 {
		m.Units = nil
	}
	if len(m.Values) == 0 {
		m.Values = nil
	}
	return sg
}

// adoptPreset makes the suggestion follow the documented layout of the
// preset whose columns the header holds: the preset's column for each
// contract column it maps (in the header's own spelling), its units,
// constants, value maps, decimal mark and speed rule. What the samples
// showed beyond it (a value map for another spelling) is kept, and the
// samples overrule the preset where they contradict it: a timestamp
// layout that reads none of the sampled times, a decimal comma where the
// sampled numbers have points only (a file saved by another program
// keeps the tool's header, not always its number format).
func (sg *Suggestion) adoptPreset(header []string, at map[string]int, assigned []bool, column func(int) []string) {
	p, err := Preset(sg.Preset)
	if err != nil {
		return
	}
	m := sg.Mapping
	for _, src := range sortedKeys(p.Columns) {
		dst := p.Columns[src]
		i := slices.IndexFunc(header, func(h string) bool { return synKey(h) == synKey(src) })
		if i < 0 {
			continue
		}
		if j, ok := at[dst]; ok && j != i {
			delete(m.Columns, header[j])
			assigned[j] = false
		}
		for k, c := range at {
			if c == i && k != dst {
				delete(at, k)
			}
		}
		delete(m.Columns, header[i])
		if header[i] != dst {
			m.Columns[header[i]] = dst
		}
		at[dst], assigned[i] = i, true
	}
	for _, col := range sortedKeys(p.Units) {
		u := p.Units[col]
		if i, ok := at[col]; ok && col == "ts" {
			if vals := column(i); len(vals) > 0 && !slices.ContainsFunc(vals, func(v string) bool {
				_, _, err := parseTime(v, u, vietnamZone)
				return err == nil
			}) {
				sg.note("ts: the %s layout %q reads none of the sampled times (%s): the layout inferred from them is kept", sg.Preset, u, strings.Join(distinct(vals, 2), ", "))
				continue
			}
		}
		m.Units[col] = u
	}
	if m.Constants == nil && len(p.Constants) > 0 {
		m.Constants = map[string]string{}
	}
	for col, v := range p.Constants {
		if _, ok := at[col]; !ok {
			m.Constants[col] = v
		}
	}
	for col, vals := range p.Values {
		if m.Values[col] == nil {
			m.Values[col] = map[string]string{}
		}
		for from, to := range vals {
			m.Values[col][from] = to
		}
	}
	switch {
	case p.Decimal == "," && sg.sampledPoints > 0 && sg.sampledCommas == 0:
		sg.note("the %s layout writes decimal commas, but the sampled numbers have points: decimal points kept", sg.Preset)
	case p.Decimal != "":
		m.Decimal = p.Decimal
	}
	if p.SpeedRule != "" {
		m.SpeedRule = p.SpeedRule
	}
	sg.note("the header is the %s export layout: its columns, units and rules are the preset's where the samples agree (docs/data-contract.md, Presets)", sg.Preset)
}

// presetIgnores returns the header's columns that are assigned (read by
// the suggested mapping) and that the named preset's mapping leaves
// unread, in header order.
func presetIgnores(name string, header []string, assigned []bool) []string {
	p, err := Preset(name)
	if err != nil {
		return nil
	}
	_, ignored, err := bind(KindMeasurements, header, p)
	if err != nil {
		return nil
	}
	var out []string
	for i, h := range header {
		if assigned[i] && slices.Contains(ignored, h) {
			out = append(out, h)
		}
	}
	return out
}

func (sg *Suggestion) note(format string, args ...any) {
	sg.Notes = append(sg.Notes, fmt.Sprintf(format, args...))
}

func all(vals []string, ok func(string) bool) bool {
	for _, v := range vals {
		if !ok(v) {
			return false
		}
	}
	return true
}

// distinct returns up to n distinct values in order of first appearance.
func distinct(vals []string, n int) []string {
	var out []string
	for _, v := range vals {
		if !slices.Contains(out, v) {
			if len(out) == n {
				break
			}
			out = append(out, v)
		}
	}
	return out
}

var vietnameseCarriers = []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone, engine.Vietnamobile, engine.Gmobile, engine.ITelecom}

func knownCarrier(s string) bool {
	c, err := engine.ParseCarrier(s)
	return err == nil && slices.Contains(vietnameseCarriers, c)
}

// isTech reports whether s is a technology, or a Wi-Fi test's "wifi",
// which a crowd export's technology column holds beside them (read as
// not_cellular).
func isTech(s string) bool {
	_, err := engine.ParseTech(s)
	return err == nil || engine.IsWiFi(s)
}

// isSource reports whether s is a test's source (drive, crowd, mdt,
// speedtest, or an alias of one), not a placeholder for none.
func isSource(s string) bool {
	src, err := engine.ParseSource(s)
	return err == nil && src != 0
}

// timeLayouts are the layouts Suggest tries on timestamps that are not
// RFC 3339, "YYYY-MM-DD hh:mm:ss" or Unix milliseconds; day-first before
// month-first (Vietnamese files write the day first).
var timeLayouts = []string{
	"2006.01.02_15.04.05", "2006.01.02 15:04:05", "2006/01/02 15:04:05", "2006-01-02_15-04-05",
	"2006-01-02 15:04:05.000", "2006-01-02 15:04",
	"02/01/2006 15:04:05", "01/02/2006 15:04:05", "02/01/2006 15:04", "01/02/2006 15:04",
	"02-01-2006 15:04:05", "01-02-2006 15:04:05", "02.01.2006 15:04:05", "01.02.2006 15:04:05",
	"02/01/2006 15:04:05.000", "01/02/2006 15:04:05.000", "2/1/2006 15:04:05", "1/2/2006 15:04:05",
	"02/01/2006 3:04:05 PM", "01/02/2006 3:04:05 PM", "2/1/2006 3:04:05 PM", "1/2/2006 3:04:05 PM",
	// Excel's own spellings of a date cell saved as CSV: day and month
	// without a leading zero, the time to the minute ("7/10/2024 8:36",
	// Vietnamese locale day first; "10/7/2024 8:36 AM" US), and dd-mmm-yyyy.
	"2/1/2006 15:04", "1/2/2006 15:04", "2/1/2006 3:04 PM", "1/2/2006 3:04 PM",
	"02-Jan-2006 15:04:05", "02-Jan-2006 15:04", "2-Jan-2006 15:04:05", "2-Jan-2006 15:04",
	// A zone abbreviation after the time ("… 14:03:22 ICT"), read when its
	// offset is fixed.
	"2006-01-02 15:04:05 MST", "02/01/2006 15:04:05 MST", "01/02/2006 15:04:05 MST",
}

var unixSecondsRE = regexp.MustCompile(`^1\d{9}(\.\d+)?$`)

// unixMillisDecimalRE matches Unix milliseconds written as a decimal
// (pandas writes a column of them that has an empty value as floats:
// "1728265000000.0"); an integer is "auto"'s own.
var unixMillisDecimalRE = regexp.MustCompile(`^1\d{12}\.\d+$`)

func (sg *Suggestion) inferTime(name string, vals []string) {
	if len(vals) == 0 {
		return
	}
	if all(vals, unixSecondsRE.MatchString) {
		sg.Mapping.Units["ts"] = "unix_s"
		return
	}
	if all(vals, unixMillisDecimalRE.MatchString) {
		sg.Mapping.Units["ts"] = "unix_ms"
		return
	}
	if all(vals, excelSerialRE.MatchString) && all(vals, func(v string) bool { _, _, err := parseTime(v, "excel_days", vietnamZone); return err == nil }) {
		sg.Mapping.Units["ts"] = "excel_days"
		sg.note("ts: %q holds Excel serial day numbers (%q is %s): read as such, in Vietnam time (UTC+7); set \"timezone\" if it is not",
			name, vals[0], mustExcel(vals[0]))
		return
	}
	// The reading that takes the most sampled values: "auto" (RFC 3339,
	// "YYYY-MM-DD hh:mm:ss", Unix milliseconds) first, then the layouts
	// in order. One that reads most but not all of them is the file's,
	// its other values no date in it (31/11, a typing slip): those rows
	// are quarantined as invalid_time, and the note names the first.
	reads := func(unit string) (n int, first, bad string) {
		for _, v := range vals {
			if _, _, err := parseTime(v, unit, vietnamZone); err != nil {
				if bad == "" {
					bad = v
				}
				continue
			}
			if n == 0 {
				first = v
			}
			n++
		}
		return n, first, bad
	}
	best, first, bad := reads("auto")
	unit := "auto"
	var fit []string // the layouts reading best values, in order
	for _, l := range timeLayouts {
		n, f, b := reads("layout:" + l)
		switch {
		case n > best:
			best, first, bad, unit, fit = n, f, b, "layout:"+l, []string{l}
		case n == best && n > 0 && unit != "auto":
			fit = append(fit, l)
		}
	}
	if 2*best <= len(vals) {
		example := vals[0]
		if best > 0 {
			example = first
		}
		sg.note("ts: no known layout reads most of %q (e.g. %q): give units.ts \"layout:…\" in Go's reference time 2006-01-02 15:04:05", name, example)
		return
	}
	if best < len(vals) {
		why := ""
		if _, _, err := parseTime(bad, unit, vietnamZone); err != nil {
			why = ": " + err.Error()
		}
		layout := "RFC 3339, \"YYYY-MM-DD hh:mm:ss\" or Unix milliseconds"
		if unit != "auto" {
			layout = fmt.Sprintf("the layout %q", strings.TrimPrefix(unit, "layout:"))
		}
		sg.note("ts: %s reads %d of the %d sampled values of %q, not %q%s: such rows are quarantined as invalid_time; check them",
			layout, best, len(vals), name, bad, why)
	}
	if unit == "auto" {
		if _, naive, _ := parseTime(first, "auto", vietnamZone); naive {
			sg.note("ts: %q has no offset: read as Vietnam time (UTC+7); set \"timezone\" if it is not", name)
		}
		return
	}
	l := fit[0]
	sg.Mapping.Units["ts"] = "layout:" + l
	for _, other := range fit[1:] {
		if swapsDayMonth(l, other) {
			sg.note("ts: %q is ambiguous: %q reads as %s (day first, layout %q) or as %s (month first, %q); no sample has a day above 12, so the suggestion takes the day first, as Vietnamese files write it: check",
				name, first, mustParse(l, first), l, mustParse(other, first), other)
			break
		}
	}
	if !layoutHasZone(l) {
		sg.note("ts: %q has no offset: read as Vietnam time (UTC+7); set \"timezone\" if it is not", name)
	}
}

func mustExcel(v string) string {
	ms, _, err := excelDays(v, vietnamZone)
	if err != nil {
		return "?"
	}
	return time.UnixMilli(ms).In(vietnamZone).Format("2006-01-02 15:04:05")
}

func swapsDayMonth(a, b string) bool {
	r := strings.NewReplacer("02", "X", "01", "02", "2/", "Y", "1/", "2/")
	return strings.NewReplacer("X", "01", "Y", "1/").Replace(r.Replace(a)) == b
}

func mustParse(l, v string) string {
	t, err := time.Parse(l, v)
	if err != nil {
		return "?"
	}
	return t.Format("2 January 2006")
}

// decimalColumns returns the columns of a kind's table that hold
// fractions (positions, levels, angles, rates): the ones whose sampled
// values tell the decimal mark. Whole-number columns (counts, pci, arfcn)
// are left out: "1,234" there is more likely thousands grouped than a
// decimal comma.
func decimalColumns(k Kind) []string {
	switch k {
	case KindSites:
		return []string{"lon", "lat", "band_mhz", "height_m", "azimuth_deg", "beamwidth_deg", "tilt_deg", "eirp_dbm"}
	case KindVillages:
		return []string{"lon", "lat"}
	case KindSubscriptions:
		return []string{"fixed_median_dl_mbps"}
	case KindCandidates:
		return []string{"lon", "lat", "band_mhz", "height_m"}
	case KindClaims:
		return nil
	}
	return []string{"lon", "lat", "signal_dbm", "rsrq_db", "sinr_db", "dl_mbps", "ul_mbps", "latency_ms"}
}

var commaDecimalRE = regexp.MustCompile(`^[+-]?\d+,\d+$`)

// inferDecimal proposes "decimal": "," when the sampled numbers of the
// kind's decimalColumns are written with decimal commas and none with a
// point, the same for every kind.
func (sg *Suggestion) inferDecimal(header []string, at map[string]int, column func(int) []string) {
	commas, points := 0, 0
	var seen []string
	for _, col := range decimalColumns(sg.Mapping.Kind) {
		i, ok := at[col]
		if !ok {
			continue
		}
		for _, v := range column(i) {
			switch {
			case commaDecimalRE.MatchString(v):
				commas++
				if len(seen) < 3 && !slices.Contains(seen, header[i]) {
					seen = append(seen, header[i])
				}
			case strings.Contains(v, "."):
				points++
			}
		}
	}
	sg.sampledPoints, sg.sampledCommas = points, commas
	switch {
	case commas > 0 && points == 0:
		sg.Mapping.Decimal = ","
		sg.note("decimal commas found (%s): \"decimal\": \",\"", strings.Join(seen, ", "))
	case commas > 0:
		sg.note("numbers are written with both decimal commas and points (%s): neither mark reads them all; fix the file", strings.Join(seen, ", "))
	}
}

// valueSynonyms are tools' spellings of enum values (keys folded by
// engine.Fold) that Suggest proposes as value maps.
var valueSynonyms = map[string]map[string]string{
	"environment": {
		"walking": "outdoor", "walk": "outdoor", "pedestrian": "outdoor", "onfoot": "outdoor", "dibo": "outdoor",
		"ngoaitroi": "outdoor", "driving": "vehicle", "drive": "vehicle", "incar": "vehicle", "vehicle": "vehicle",
		"trenxe": "vehicle", "oto": "vehicle", "xemay": "vehicle", "trongnha": "indoor", "inbuilding": "indoor",
	},
	"service": vietnameseServiceFolded(map[string]string{
		"noservice": "none", "outofservice": "none", "nosignal": "none",
		"emergencyonly": "emergency", "emergencycallsonly": "emergency", "inservice": "ok",
	}),
	"source": {"drivetest": "drive", "walktest": "drive", "crowdsourced": "crowd"},
	// Site registers' statuses (carriers' and tower companies' words).
	"status": {
		"onair": "active", "live": "active", "operational": "active", "inservice": "active", "dangphatsong": "active",
		"phatsong": "active", "hoatdong": "active", "danghoatdong": "active",
		"offair": "down", "outofservice": "down", "fault": "down", "matsong": "down",
		"tamdung": "down", "ngunghoatdong": "down", "matlienlac": "down", "hong": "down",
		"underconstruction": "planned", "proposed": "planned", "dangxaydung": "planned",
		"kehoach": "planned", "dukien": "planned", "quyhoach": "planned", "chuaphatsong": "planned",
	},
	// Vietnamese registers' transmission: optical cable, microwave,
	// satellite.
	"backhaul": {"capquang": "fiber", "quang": "fiber", "viba": "microwave", "vetinh": "satellite"},
	"device_class": {
		"mobile": "smartphone", "phone": "smartphone", "handset": "smartphone", "dienthoai": "smartphone",
		"scanner": "router", "modem": "router",
	},
	"speed_test": {
		"idle": "no", "none": "no", "stopped": "no", "finished": "no", "running": "yes", "downloading": "yes",
		"uploading": "yes", "active": "yes",
	},
}

// vietnameseService are the service states Vietnamese drive-test and
// phone exports write (a "Trạng thái" column): signal present or lost,
// service or none, emergency calls only (Android's Vietnamese "Chỉ cuộc
// gọi khẩn cấp"). The vn-drivetest preset maps the same spellings.
var vietnameseService = map[string]string{
	"Có sóng": "ok", "Có tín hiệu": "ok", "Bình thường": "ok", "Trong vùng phục vụ": "ok", "Đang phục vụ": "ok",
	"Mất sóng": "none", "Không có sóng": "none", "Mất tín hiệu": "none", "Không có tín hiệu": "none",
	"Không có dịch vụ": "none", "Ngoài vùng phục vụ": "none",
	"Chỉ cuộc gọi khẩn cấp": "emergency", "Chỉ gọi khẩn cấp": "emergency", "Khẩn cấp": "emergency",
}

// vietnameseServiceFolded returns m with vietnameseService added under
// folded keys.
func vietnameseServiceFolded(m map[string]string) map[string]string {
	for from, to := range vietnameseService {
		m[engine.Fold(from)] = to
	}
	return m
}

func (sg *Suggestion) inferValues(col, name string, vals []string) {
	parse := enumParsers[col]
	var unknown, wifi []string
	for _, v := range distinct(vals, MaxSuggestSamples) {
		if col == "tech" && engine.IsWiFi(v) {
			wifi = append(wifi, fmt.Sprintf("%q", v))
			continue
		}
		if parse(v) == nil {
			if col == "carrier" && !knownCarrier(v) && !slices.Contains(unknown, v) {
				sg.note("carrier: %q is no operator lomsong knows: kept as %q; map it in values.carrier if it is one", v, engine.Slug(v))
			}
			continue
		}
		if to, ok := valueSynonyms[col][engine.Fold(v)]; ok {
			if sg.Mapping.Values[col] == nil {
				sg.Mapping.Values[col] = map[string]string{}
			}
			sg.Mapping.Values[col][v] = to
			continue
		}
		unknown = append(unknown, v)
	}
	if len(unknown) > 0 {
		q := make([]string, len(unknown))
		for i, u := range unknown {
			q[i] = fmt.Sprintf("%q", u)
		}
		sg.note("%s: no contract value for %s in %q: add them to values.%s (want %s), or their rows are rejected", col, strings.Join(q, ", "), name, col, enumWant(col))
	}
	if len(wifi) > 0 {
		sg.note("tech: %s in %q: Wi-Fi tests, set aside as not_cellular (not mobile-network evidence, and not counted toward --max-reject-share)", strings.Join(wifi, ", "), name)
	}
}

// isService reports whether v is a service value, as the contract
// spells it or as a file writes it with its own case and spacing ("In
// service", "No Service"): the values that make a State or Status column
// the service.
func isService(v string) bool {
	if _, err := engine.ParseService(v); err == nil {
		return true
	}
	_, ok := valueSynonyms["service"][engine.Fold(v)]
	if !ok {
		_, err := engine.ParseService(engine.Fold(v))
		ok = err == nil
	}
	return ok
}

func enumWant(col string) string {
	switch col {
	case "environment":
		return "outdoor, vehicle or indoor"
	case "service":
		return "ok, none or emergency"
	case "source":
		return "drive, crowd, mdt or speedtest"
	case "device_class":
		return "smartphone, feature, tablet or router"
	case "tech":
		return "2G, 3G, 4G or 5G"
	case "speed_test":
		return "yes or no"
	case "status":
		return "active, planned or down"
	case "backhaul":
		return "fiber, microwave or satellite"
	}
	return "a valid value"
}

// TrySample validates a file's sample rows (as Suggest reads them: the
// header's fields, then each row's) with mapping m under cfg, and returns
// how many were accepted and the reasons of the rejected ones, most
// frequent first. A suggested mapping, or a preset, that accepts none of
// a file's first rows does not read the file.
func TrySample(ctx context.Context, kind Kind, header []string, samples [][]string, m *Mapping, cfg Config) (accepted int64, reasons []Reason, first *Reject, err error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	for _, r := range samples {
		w.Write(r)
	}
	w.Flush()
	rec, err := NewCSV(&b, CSVOptions{})
	if err != nil {
		return 0, nil, nil, err
	}
	cfg.Dedup = false
	count := map[Reason]int{}
	onReject := func(r Reject) error {
		if first == nil {
			first = &r
		}
		count[r.Reason]++
		return nil
	}
	rep, err := Check(ctx, kind, rec, m, cfg, onReject)
	if err != nil {
		return 0, nil, first, err
	}
	for r := range count {
		reasons = append(reasons, r)
	}
	slices.SortFunc(reasons, func(a, b Reason) int { return cmp.Or(count[b]-count[a], strings.Compare(string(a), string(b))) })
	return rep.Accepted, reasons, first, nil
}

// Check validates a table of kind (measurements for any other) with the
// reader of its kind, keeping no row: the report, and each rejected row
// given to onReject.
func Check(ctx context.Context, kind Kind, rec Records, m *Mapping, cfg Config, onReject func(Reject) error) (*Report, error) {
	switch kind {
	case KindSites:
		return ReadSites(ctx, rec, m, cfg, func([]engine.Site) error { return nil }, onReject)
	case KindVillages:
		return ReadVillages(ctx, rec, m, cfg, func([]engine.Village) error { return nil }, onReject)
	case KindSubscriptions:
		return ReadSubscriptions(ctx, rec, m, cfg, func([]engine.Subscription) error { return nil }, onReject)
	case KindClaims:
		return ReadClaims(ctx, rec, m, cfg, func([]Claim) error { return nil }, onReject)
	case KindCandidates:
		return ReadCandidates(ctx, rec, m, cfg, func([]Candidate) error { return nil }, onReject)
	}
	return ReadMeasurements(ctx, rec, m, cfg, func(*engine.MeasurementBatch) error { return nil }, onReject)
}
