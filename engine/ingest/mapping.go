package ingest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/jsonkeys"
)

// Kind is the kind of table a file holds.
type Kind string

// The input-contract tables that ingest reads.
const (
	KindMeasurements Kind = "measurements"
	KindSites        Kind = "sites"
)

// Column sets of the input contract (DESIGN.md, docs/data-contract.md).
var (
	MeasurementColumns = []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service",
		"rsrq_db", "sinr_db", "dl_mbps", "ul_mbps", "latency_ms", "source", "device_id",
		"device_class", "environment", "speed_test", "cell_id", "node_id", "pci", "arfcn", "band"}
	MeasurementRequired = []string{"ts", "carrier", "tech", "lon", "lat"}
	SiteColumns         = []string{"site_id", "carrier", "tech", "lon", "lat", "band_mhz", "height_m",
		"azimuth_deg", "beamwidth_deg", "tilt_deg", "eirp_dbm", "status", "backhaul",
		"cell_id", "node_id", "pci", "arfcn"}
	SiteRequired = []string{"site_id", "carrier", "tech", "lon", "lat"}
)

// Columns returns the contract columns of a kind.
func (k Kind) Columns() []string {
	switch k {
	case KindSites:
		return SiteColumns
	case KindVillages:
		return VillageColumns
	case KindSubscriptions:
		return SubscriptionColumns
	case KindClaims:
		return ClaimColumns
	case KindCandidates:
		return CandidateColumns
	}
	return MeasurementColumns
}

// Required returns the contract columns a kind cannot do without.
func (k Kind) Required() []string {
	switch k {
	case KindSites:
		return SiteRequired
	case KindVillages:
		return VillageRequired
	case KindSubscriptions:
		return SubscriptionRequired
	case KindClaims:
		return ClaimRequired
	case KindCandidates:
		return CandidateRequired
	}
	return MeasurementRequired
}

// Kinds lists the tables ingest reads.
var Kinds = []Kind{KindMeasurements, KindSites, KindVillages, KindSubscriptions}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Mapping describes how a carrier's own layout maps onto the contract. It
// is read from JSON:
//
//	{
//	  "kind": "measurements",
//	  "columns":   {"Latitude": "lat", "Longitude": "lon", "RSRP": "signal_dbm", "Time": "ts"},
//	  "units":     {"dl_mbps": "kbps", "signal_dbm": "asu", "ts": "unix_s"},
//	  "constants": {"carrier": "Viettel", "source": "drive"},
//	  "tech_values": {"LTE-A Pro": "4G"},
//	  "values":    {"environment": {"Walking": "outdoor", "Driving": "vehicle"}},
//	  "decimal":   ",",
//	  "timezone": "Asia/Ho_Chi_Minh"
//	}
//
// columns renames source columns (matched case-insensitively) to contract
// names; a source column that already has a contract name needs no entry.
// units converts values: for dl_mbps/ul_mbps "mbps" (default), "kbps",
// "bps"; for signal_dbm "dbm" (default), "asu" (per technology: 2G
// dBm = 2·ASU − 113, 3G dBm = ASU − 120, 4G/5G dBm = ASU − 140) or "mw";
// for latency_ms "ms" (default) or "s"; for ts "auto" (default: RFC 3339
// or Unix milliseconds), "unix_s", "unix_ms", "unix_us", "excel_days"
// (Excel's serial day numbers, read in the timezone), or "layout:"
// followed by a Go time layout such as "layout:2006-01-02 15:04:05".
// columns maps a source column to "" to leave it out (read as no column).
// constants fills a contract column that the file lacks (a file that has
// the column, directly or through columns, is refused: the constant would
// replace its values; leave the file's column out to replace them).
// tech_values adds technology spellings (the same as values["tech"]).
// values maps a file's own spellings of an enum column (carrier, tech,
// service, source, device_class, environment, speed_test; status and
// backhaul for sites) onto the contract's, matched case- and
// accent-insensitively (engine.Fold: "Đi bộ", "di bo" and "DI-BO" are one
// key). decimal is the decimal mark of numbers, "." (default) or ",";
// thousands separators are refused either way. timezone is the zone of
// timestamps that carry no offset: an IANA name ("Asia/Ho_Chi_Minh") or a
// fixed offset ("UTC+7", "+07:00"); default Vietnam time (UTC+7, no
// daylight saving since 1975). speed_rule says which speed values are
// speed tests (SpeedRule).
type Mapping struct {
	Kind       Kind                         `json:"kind,omitempty"`
	Columns    map[string]string            `json:"columns,omitempty"`
	Units      map[string]string            `json:"units,omitempty"`
	Constants  map[string]string            `json:"constants,omitempty"`
	TechValues map[string]string            `json:"tech_values,omitempty"`
	Values     map[string]map[string]string `json:"values,omitempty"`
	Decimal    string                       `json:"decimal,omitempty"`
	Timezone   string                       `json:"timezone,omitempty"`
	SpeedRule  string                       `json:"speed_rule,omitempty"`
	// SignalColumns reads signal_dbm, per technology, from the file's
	// column of that technology's measure ({"2G": "RxLev", "3G": "RSCP",
	// "4G": "RSRP", "5G": "SS-RSRP"}), as drive-test exports write one
	// column per measure: a row's signal is the value of its tech's column
	// (a stale RSRP beside a 3G row is not read), none for a tech the map
	// does not list. Keys are technology spellings, values source columns
	// (matched as Columns' are). Instead of a column mapped to signal_dbm.
	SignalColumns map[string]string `json:"signal_columns,omitempty"`
	// CarrierPLMN reads carrier from the network's MCC and MNC in two
	// columns ({"mcc": "MCC", "mnc": "MNC"}), as cell loggers and
	// drive-test tools write the operator: 452 and 04 are Viettel, as
	// "452-04" in a carrier column is (engine.CarrierForPLMN). Instead of a
	// column mapped to carrier.
	CarrierPLMN map[string]string `json:"carrier_plmn,omitempty"`
	// Encoding is the CSV file's text encoding: "utf-8" (default; UTF-16
	// with its byte-order mark is read too), "windows-1258", what Excel
	// saves as "CSV" on a Vietnamese Windows, or the legacy Vietnamese
	// fonts' "tcvn3" (ABC) and "vni" (VNI-Windows).
	Encoding string `json:"encoding,omitempty"`
	// OptionalColumns lets the file lack some of the source columns of
	// Columns (a preset names every column its export layout can have);
	// without it a source column the file does not have is an error, so
	// that a misspelt name does not silently leave its column unread.
	OptionalColumns bool `json:"optional_columns,omitempty"`
	// fromFile: read by ParseMapping (a mapping file, or a preset's);
	// preset: the built-in preset it is (Preset). A Mapping built in
	// code (--timezone alone) has neither: no mapping the user gave.
	fromFile bool
	preset   string
}

// unit conversions accepted per contract column.
var allowedUnits = map[string][]string{
	"dl_mbps":    {"mbps", "kbps", "bps"},
	"ul_mbps":    {"mbps", "kbps", "bps"},
	"signal_dbm": {"dbm", "asu", "mw"},
	"latency_ms": {"ms", "s"},
	"ts":         {"auto", "unix_s", "unix_ms", "unix_us", "excel_days"},
}

// MaxMappingBytes caps the size of a mapping file.
const MaxMappingBytes = 1 << 20

// ErrMappingNotJSON is wrapped by ParseMapping's error for a file that is
// empty or no JSON at all; its text says what a mapping is.
var ErrMappingNotJSON = errors.New(`not a mapping: a mapping is a JSON object naming the file's columns, e.g. {"kind": "measurements", "columns": {"Kinh_do": "lon", "Vi_do": "lat"}} (lomsong validate --suggest-mapping FILE writes one for a file)`)

// ParseMapping reads and checks a mapping file. Unknown JSON fields, unknown
// contract columns, units and technology spellings are errors that say
// which entry is wrong.
func ParseMapping(data []byte) (*Mapping, error) {
	if len(data) > MaxMappingBytes {
		return nil, fmt.Errorf("mapping: file is %d bytes, over the %d-byte limit", len(data), MaxMappingBytes)
	}
	// A byte-order mark (Notepad's) is no JSON error.
	data = bytes.TrimPrefix(data, utf8BOM)
	if where := jsonkeys.Repeated(data); where != "" {
		// The decoder would keep the last value: a constant carrier left
		// from the mapping copied, another's below it, and the tests
		// are ingested as that carrier's.
		return nil, fmt.Errorf("mapping: %s is given twice: give each key once", where)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		// "mapping: EOF" said nothing of what was wanted.
		return nil, fmt.Errorf("mapping: the file is empty: %w", ErrMappingNotJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("mapping: %v: %w", err, ErrMappingNotJSON)
		}
		return nil, fmt.Errorf("mapping: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("mapping: trailing data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.fromFile = true
	return &m, nil
}

// Validate checks the mapping's entries against the contract.
func (m *Mapping) Validate() error {
	kind := m.Kind
	if kind == "" {
		kind = KindMeasurements
	}
	if !kind.Valid() {
		return fmt.Errorf("mapping: kind %q: want measurements, sites, villages or subscriptions", m.Kind)
	}
	cols := kind.Columns()
	for _, src := range sortedKeys(m.Columns) {
		dst := m.Columns[src]
		if dst != "" && !slices.Contains(cols, dst) {
			return fmt.Errorf("mapping: columns[%q] = %q is not a %s column (want one of %s, or \"\" to leave the column out)", src, dst, kind, strings.Join(cols, ", "))
		}
	}
	for _, col := range sortedKeys(m.Units) {
		u := strings.ToLower(m.Units[col])
		allowed, ok := allowedUnits[col]
		if !ok {
			return fmt.Errorf("mapping: units[%q]: no unit conversion for this column (only %s)", col, strings.Join(sortedKeys(allowedUnits), ", "))
		}
		if col == "ts" && strings.HasPrefix(m.Units[col], "layout:") {
			if strings.TrimPrefix(m.Units[col], "layout:") == "" {
				return fmt.Errorf("mapping: units[\"ts\"]: empty time layout")
			}
			continue
		}
		if !slices.Contains(allowed, u) {
			return fmt.Errorf("mapping: units[%q] = %q: want one of %s", col, m.Units[col], strings.Join(allowed, ", "))
		}
	}
	for _, col := range sortedKeys(m.Constants) {
		if !slices.Contains(cols, col) {
			return fmt.Errorf("mapping: constants[%q] is not a %s column", col, kind)
		}
	}
	for _, from := range sortedKeys(m.TechValues) {
		if _, err := engine.ParseTech(m.TechValues[from]); err != nil {
			return fmt.Errorf("mapping: tech_values[%q]: %w", from, err)
		}
	}
	if m.Timezone != "" {
		if _, err := LoadZone(m.Timezone); err != nil {
			return fmt.Errorf("mapping: timezone %q: %w", m.Timezone, err)
		}
	}
	if err := m.validateValues(kind); err != nil {
		return err
	}
	if err := m.validateSignalColumns(kind); err != nil {
		return err
	}
	if err := m.validateCarrierPLMN(kind); err != nil {
		return err
	}
	switch canonicalEncoding(m.Encoding) {
	case "", EncodingUTF8, EncodingWindows1258, EncodingTCVN3, EncodingVNI:
	default:
		return fmt.Errorf("mapping: encoding %q: want %q (the default), %q (Excel's CSV on a Vietnamese Windows), %q (TCVN3, the ABC fonts) or %q (VNI-Windows, the VNI fonts)", m.Encoding, EncodingUTF8, EncodingWindows1258, EncodingTCVN3, EncodingVNI)
	}
	switch m.Decimal {
	case "", ".", ",":
	default:
		return fmt.Errorf("mapping: decimal %q: want \".\" or \",\"", m.Decimal)
	}
	switch m.SpeedRule {
	case "", SpeedRuleAny, SpeedRulePositive:
	default:
		return fmt.Errorf("mapping: speed_rule %q: want %q or %q", m.SpeedRule, SpeedRuleAny, SpeedRulePositive)
	}
	if l, ok := strings.CutPrefix(m.Units["ts"], "layout:"); ok {
		if err := checkLayout(l); err != nil {
			return fmt.Errorf("mapping: units[\"ts\"] = %q: %w", m.Units["ts"], err)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

// Canonical returns the mapping without the entries that restate a
// default — kind measurements, decimal ".", speed_rule any, a timezone at
// Vietnam's UTC+7, a column's default unit — so that two mappings that
// read a file alike compare equal (a dataset keeps one reading of a file).
//
// kind is the file's kind: a Kind restating it is dropped; another is
// kept, so it differs. A column mapped to its own name is dropped too.
func (m *Mapping) Canonical(kind Kind) *Mapping {
	c := *m
	if kind == "" {
		kind = KindMeasurements
	}
	if c.Kind == kind {
		c.Kind = "" // as a mapping that does not say its kind
	}
	c.Columns = nil
	for src, dst := range m.Columns {
		if strings.EqualFold(strings.TrimSpace(src), dst) {
			continue
		}
		if c.Columns == nil {
			c.Columns = map[string]string{}
		}
		c.Columns[src] = dst
	}
	if len(m.SignalColumns) > 0 {
		// "LTE" and "4G" name one technology: one reading.
		c.SignalColumns = map[string]string{}
		for k, v := range m.SignalColumns {
			if t, err := engine.ParseTech(k); err == nil {
				k = t.String()
			}
			c.SignalColumns[k] = v
		}
	}
	if c.Decimal == "." {
		c.Decimal = ""
	}
	c.Encoding = canonicalEncoding(c.Encoding)
	if c.Encoding == EncodingUTF8 {
		c.Encoding = ""
	}
	if c.SpeedRule == SpeedRuleAny {
		c.SpeedRule = ""
	}
	if c.Timezone != "" {
		if loc, err := LoadZone(c.Timezone); err == nil && sameOffsets(loc, vietnamZone) {
			c.Timezone = ""
		}
	}
	c.Units = nil
	for col, u := range m.Units {
		if def := allowedUnits[col]; len(def) > 0 && strings.EqualFold(u, def[0]) {
			continue
		}
		if c.Units == nil {
			c.Units = map[string]string{}
		}
		c.Units[col] = u
	}
	return &c
}

// validateSignalColumns checks signal_columns: a measurements mapping's,
// each key a technology given once, each value a column name, and no
// other source of signal_dbm (a column mapped to it, or a constant).
func (m *Mapping) validateSignalColumns(kind Kind) error {
	if len(m.SignalColumns) == 0 {
		return nil
	}
	if kind != KindMeasurements {
		return fmt.Errorf("mapping: signal_columns is for measurements, not %s", kind)
	}
	seen := map[engine.Tech]string{}
	for _, k := range sortedKeys(m.SignalColumns) {
		t, err := engine.ParseTech(k)
		if err != nil {
			return fmt.Errorf("mapping: signal_columns[%q]: %w", k, err)
		}
		if prev, ok := seen[t]; ok {
			return fmt.Errorf("mapping: signal_columns[%q] and signal_columns[%q] both name %s's column: keep one", prev, k, t)
		}
		seen[t] = k
		src := strings.TrimSpace(m.SignalColumns[k])
		if src == "" {
			return fmt.Errorf("mapping: signal_columns[%q] is empty: name the file's column of %s's %s, or leave %s out", k, t, t.SignalMeasure(), t)
		}
		for from, to := range m.Columns {
			if engine.Fold(from) == engine.Fold(src) && to != "" {
				return fmt.Errorf("mapping: column %q is in both signal_columns[%q] and columns (as %q): keep one", src, k, to)
			}
		}
	}
	for _, from := range sortedKeys(m.Columns) {
		if m.Columns[from] == "signal_dbm" {
			return fmt.Errorf("mapping: columns[%q] = \"signal_dbm\" and signal_columns both give signal_dbm: keep one (signal_columns reads each technology's own column)", from)
		}
	}
	if _, ok := m.Constants["signal_dbm"]; ok {
		return fmt.Errorf("mapping: constants[\"signal_dbm\"] and signal_columns both give signal_dbm: keep one")
	}
	return nil
}

// CSVEncoding returns the encoding a CSV file is read in under m (nil:
// the default), as CSVOptions.Encoding takes it.
func (m *Mapping) CSVEncoding() string {
	if m == nil {
		return ""
	}
	return canonicalEncoding(m.Encoding)
}

// validateCarrierPLMN checks carrier_plmn: a table with a carrier
// column, the keys mcc and mnc, each a column name, and no other source
// of carrier (a column mapped to it, or a constant).
func (m *Mapping) validateCarrierPLMN(kind Kind) error {
	if len(m.CarrierPLMN) == 0 {
		return nil
	}
	if !slices.Contains(kind.Columns(), "carrier") {
		return fmt.Errorf("mapping: carrier_plmn: a %s table has no carrier", kind)
	}
	for _, k := range sortedKeys(m.CarrierPLMN) {
		if k != "mcc" && k != "mnc" {
			return fmt.Errorf("mapping: carrier_plmn[%q]: want the keys \"mcc\" and \"mnc\", each naming the file's column", k)
		}
	}
	for _, k := range []string{"mcc", "mnc"} {
		src := strings.TrimSpace(m.CarrierPLMN[k])
		if src == "" {
			return fmt.Errorf("mapping: carrier_plmn needs %q: the file's column of the network's %s", k, strings.ToUpper(k))
		}
		for from, to := range m.Columns {
			if engine.Fold(from) == engine.Fold(src) && to != "" {
				return fmt.Errorf("mapping: column %q is in both carrier_plmn[%q] and columns (as %q): keep one", src, k, to)
			}
		}
	}
	if engine.Fold(m.CarrierPLMN["mcc"]) == engine.Fold(m.CarrierPLMN["mnc"]) {
		return fmt.Errorf("mapping: carrier_plmn names one column, %q, for both MCC and MNC", m.CarrierPLMN["mcc"])
	}
	for _, from := range sortedKeys(m.Columns) {
		if m.Columns[from] == "carrier" {
			return fmt.Errorf("mapping: columns[%q] = \"carrier\" and carrier_plmn both give carrier: keep one", from)
		}
	}
	if _, ok := m.Constants["carrier"]; ok {
		return fmt.Errorf("mapping: constants[\"carrier\"] and carrier_plmn both give carrier: keep one")
	}
	if len(m.Values["carrier"]) > 0 {
		// Its spellings would never be looked up: the carrier is the
		// network's, from the table MCC+MNC → carrier.
		return fmt.Errorf("mapping: values[\"carrier\"] does not apply with carrier_plmn, which reads each network's carrier from its MCC and MNC (a network not in the table is kept as plmn-MCC-MNC): remove one")
	}
	return nil
}

// sameOffsets reports whether two zones have had the same offset from UTC
// since 1976 (Vietnam's UTC+7 since 13 June 1975), sampled at each half
// year.
func sameOffsets(a, b *time.Location) bool {
	for y := 1976; y <= 2100; y++ {
		for _, mo := range []time.Month{time.January, time.July} {
			t := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
			_, oa := t.In(a).Zone()
			_, ob := t.In(b).Zone()
			if oa != ob {
				return false
			}
		}
	}
	return true
}

// JSON renders the mapping as indented JSON with sorted keys.
func (m *Mapping) JSON() []byte {
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// asuToDBm converts an Android "ASU" signal level per technology
// (3GPP TS 27.007 +CSQ / +CESQ conventions as Android reports them).
func asuToDBm(t engine.Tech, asu float64) float64 {
	switch t {
	case engine.Tech2G:
		return 2*asu - 113
	case engine.Tech3G:
		return asu - 120
	case engine.Tech4G, engine.Tech5G:
		return asu - 140
	}
	return math.NaN()
}

// asuMax is the largest ASU a level of technology t can have (3GPP TS
// 27.007 as Android reports them: GSM 0–31, LTE and NR 0–97; UMTS RSCP
// 0–95, −120…−25 dBm, the contract's RSCP range: 96, "−25 dBm or more",
// would read as −24); 0 when t has no ASU scale.
func asuMax(t engine.Tech) float64 {
	switch t {
	case engine.Tech2G:
		return 31
	case engine.Tech3G:
		return 95
	case engine.Tech4G, engine.Tech5G:
		return 97
	}
	return 0
}

// swappedDayMonth returns layout l with its day and month swapped
// ("02/01/2006" ⇄ "01/02/2006", "2/1/2006" ⇄ "1/2/2006"), or "" when it
// has no numeric day and month to swap.
func swappedDayMonth(l string) string {
	r := strings.NewReplacer("02", "\x00", "01", "02", "2/", "\x01", "1/", "2/").Replace(l)
	r = strings.NewReplacer("\x00", "01", "\x01", "1/").Replace(r)
	if r == l {
		return ""
	}
	return r
}

// swappedHint says, for a time whose month is out of range in layout l,
// what it reads as with day and month swapped, when that reads: the file
// writes them the other way round, and its times with a day up to 12 were
// read with the two exchanged, not rejected.
func swappedHint(what, l, s string, loc *time.Location) string {
	o := swappedDayMonth(l)
	if !strings.Contains(what, "month") || o == "" {
		return ""
	}
	t, err := time.ParseInLocation(o, s, loc)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("; with day and month swapped (layout %q) it is %s: if the file writes them so, correct units.ts, since every time with a day up to 12 was read with day and month exchanged", o, t.Format("2 January 2006"))
}

// timeOfDayRE matches a time of day alone ("08:00:01.250", "8:00",
// "08:00:01 PM"), as some drive-test tools write it.
var timeOfDayRE = regexp.MustCompile(`^\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s*[AaPp][Mm])?$`)

// parseTime parses "auto" timestamps: an integer is Unix
// milliseconds; otherwise RFC 3339 (with or without fractional seconds;
// also with a space or "t" for the "T" and "z" for the "Z", as RFC 3339
// allows: rfc3339Spelling), or "2006-01-02 15:04:05" /
// "2006-01-02T15:04:05" without offset in loc. Other units: Unix
// seconds, milliseconds or microseconds, or a Go layout ("layout:…").
//
// naive reports that s carried no offset and was read in loc.
func parseTime(s, unit string, loc *time.Location) (ms int64, naive bool, err error) {
	switch {
	case unit == "" || unit == "auto":
		if allDigits(s) {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, false, nil
			}
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err == nil {
			if bad := badOffset(t); bad != "" {
				return 0, false, errors.New(bad)
			}
			return t.UnixMilli(), false, nil
		}
		if v, ok := rfc3339Spelling(s); ok {
			// Tried only after the T form failed: its speed is unchanged.
			if t, err = time.Parse(time.RFC3339Nano, v); err == nil {
				if bad := badOffset(t); bad != "" {
					return 0, false, errors.New(bad)
				}
				return t.UnixMilli(), false, nil
			}
		}
		impossible := outOfRange(err)
		for _, l := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
			t, err := time.ParseInLocation(l, s, loc)
			if err == nil {
				if gap := inClockGap(t, l, s, loc); gap != "" {
					return 0, false, fmt.Errorf("no such date or time: %s", gap)
				}
				return t.UnixMilli(), true, nil
			}
			impossible = cmp.Or(impossible, outOfRange(err))
		}
		if impossible != "" {
			return 0, false, fmt.Errorf("no such date or time: %s", impossible)
		}
		if timeOfDayRE.MatchString(s) {
			// No layout can read an instant from it, and a made-up date
			// would put the test in a month of its own.
			return 0, false, errors.New("a time of day without its date: no layout reads an instant from it; export the file with the date in each time")
		}
		return 0, false, fmt.Errorf("not RFC 3339, \"YYYY-MM-DD hh:mm:ss\" or Unix milliseconds; give the file's layout in the mapping (units ts \"layout:…\")%s%s", excelHint(s, loc), unixDecimalHint(s))
	case unit == "unix_s" || unit == "unix_ms" || unit == "unix_us":
		f, ok := parseDecimal(s)
		if !ok {
			return 0, false, fmt.Errorf("not a decimal number of %s", strings.TrimPrefix(unit, "unix_"))
		}
		if strings.ContainsAny(s, "eE") {
			return 0, false, errors.New(detailScientificTime)
		}
		switch unit {
		case "unix_s":
			return int64(math.Round(f * 1000)), false, nil
		case "unix_us":
			return int64(math.Round(f / 1000)), false, nil
		}
		return int64(math.Round(f)), false, nil
	case unit == "excel_days":
		return excelDays(s, loc)
	case strings.HasPrefix(unit, "layout:"):
		l := strings.TrimPrefix(unit, "layout:")
		if strings.Contains(l, "PM") {
			s = englishMeridiem(s)
		}
		t, err := time.ParseInLocation(l, s, loc)
		if err != nil {
			if what := outOfRange(err); what != "" {
				return 0, false, fmt.Errorf("no such date or time: %s (layout %q)%s", what, l, swappedHint(what, l, s, loc))
			}
			return 0, false, fmt.Errorf("does not match layout %q", l)
		}
		if strings.Contains(l, "MST") && t.Location() != loc {
			// A zone abbreviation loc does not know: Go keeps the wall
			// clock as if in UTC under a made-up zone of offset 0 (ICT,
			// +07, EST read as UTC; GMT+7 too). Read the abbreviations
			// whose offset is fixed; refuse the others.
			name, _ := t.Zone()
			off, ok := zoneAbbrevOffset(name)
			if !ok {
				return 0, false, fmt.Errorf("time zone %q: not an abbreviation with a fixed offset (UTC, GMT, GMT+7, ICT, +07 are); give the offset as a number in the layout (-0700) or the zone with --timezone", name)
			}
			if bad := offsetError(off); bad != "" {
				return 0, false, fmt.Errorf("%s (layout %q)", bad, l)
			}
			return t.UnixMilli() - int64(off)*1000, false, nil
		}
		if bad := badOffset(t); bad != "" {
			return 0, false, fmt.Errorf("%s (layout %q)", bad, l)
		}
		if !layoutHasZone(l) {
			if gap := inClockGap(t, l, s, loc); gap != "" {
				return 0, false, fmt.Errorf("no such date or time: %s (layout %q)", gap, l)
			}
		}
		return t.UnixMilli(), !layoutHasZone(l), nil
	}
	return 0, false, fmt.Errorf("unknown time unit %q", unit)
}

// englishMeridiem writes the Vietnamese designators of a 12-hour time
// at the end of s, SA (sáng, morning) and CH (chiều, afternoon) as
// Windows in Vietnamese writes them, as AM and PM, which a layout's PM
// reads; s is returned as it is otherwise.
func englishMeridiem(s string) string {
	n := len(s)
	if n < 3 || s[n-3] != ' ' && (s[n-3] < '0' || s[n-3] > '9') {
		return s
	}
	switch strings.ToUpper(s[n-2:]) {
	case "SA":
		return s[:n-2] + "AM"
	case "CH":
		return s[:n-2] + "PM"
	}
	return s
}

// excelEpoch is day 0 of Excel's 1900 date system as its serials count
// from 1 March 1900 on (the system takes 1900 for a leap year, so its day
// 60 is a 29 February that never was; every serial since the contract's
// earliest time, 36526 = 2000-01-01, counts from here).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelDays reads an Excel serial day number (45572.626 is 7 October
// 2024, 15:01:26): whole days since excelEpoch and the fraction of a
// day, a wall clock read in loc, to the millisecond. Excel writes it so
// for a date cell formatted as a number, "General" or saved as values; in
// a Vietnamese locale with a decimal comma (45572,626).
func excelDays(s string, loc *time.Location) (int64, bool, error) {
	v := s
	if strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
		v = strings.Replace(v, ",", ".", 1)
	}
	f, ok := parseDecimal(v)
	if !ok || f < 0 || f >= 2958466 { // 9999-12-31, Excel's last day
		return 0, false, fmt.Errorf("not an Excel serial day number (days since 1899-12-30, e.g. 45572.626)")
	}
	ms := int64(math.Round(f * 86400000))
	wall := excelEpoch.Add(time.Duration(ms) * time.Millisecond)
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	t := time.Date(y, mo, d, h, mi, sec, wall.Nanosecond(), loc)
	const l = "2006-01-02 15:04:05.000"
	if gap := inClockGap(t, l, wall.Format(l), loc); gap != "" {
		return 0, false, fmt.Errorf("no such date or time: %s", gap)
	}
	return t.UnixMilli(), true, nil
}

// excelSerialRE matches what reads as an Excel serial day number of the
// years 2000 to 2099 (36526 to 73050) written with a fraction of a day,
// which no other unit of the contract writes so (Unix seconds have ten
// digits): the hint for a timestamp that reads as none.
var excelSerialRE = regexp.MustCompile(`^` + excelDays2000s + `[.,]\d+$`)

// excelDateRE matches a whole Excel serial day number of the same years:
// a date cell saved as a number without its time.
var excelDateRE = regexp.MustCompile(`^` + excelDays2000s + `$`)

// excelDays2000s matches the whole days of an Excel serial number from
// 36000 to 72999 (mid-1998 to late 2099): those of the years 2000 to 2099
// with a margin.
const excelDays2000s = `(3[6-9]|[4-6]\d|7[0-2])\d{3}`

// excelHint says, for a timestamp that reads as an Excel serial day
// number, which time that is and the unit that reads it; else "".
func excelHint(s string, loc *time.Location) string {
	if !excelSerialRE.MatchString(s) {
		return ""
	}
	ms, _, err := excelDays(s, loc)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("; %s looks like an Excel serial day number (%s as one): set the mapping's \"units\": {\"ts\": \"excel_days\"}, or format the column as a date and time in Excel before saving",
		s, time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05"))
}

// detailScientificTime refuses a Unix time in scientific notation: Excel's
// General format writes a number of more than 11 digits so, with 6
// significant digits ("1.72827E+12", milliseconds known to within 10⁷, a
// time to within hours), and reading it would place a row hours away.
const detailScientificTime = "a Unix time in scientific notation has lost its last digits (Excel's General format writes a long number so): format the column as a whole number (Number, 0 decimals) before saving"

// unixDecimalHint says, for a timestamp that "auto" does not read and is
// a decimal number (pandas writes Unix times of a column with an empty
// value as floats, "1728265000000.0"), which unit of Unix time reads it
// as a time of the years 2000 to 2099, or that in scientific notation it
// has lost its digits; else "".
func unixDecimalHint(s string) string {
	f, ok := parseDecimal(s)
	if !ok {
		return ""
	}
	if strings.ContainsAny(s, "eE") {
		return "; " + s + ": " + detailScientificTime
	}
	const from, to = 946684800, 4102444800 // 2000-01-01, 2100-01-01 in Unix seconds
	for _, u := range []struct {
		unit, name string
		perS       float64
	}{{"unix_s", "seconds", 1}, {"unix_ms", "milliseconds", 1e3}, {"unix_us", "microseconds", 1e6}} {
		if sec := f / u.perS; sec >= from && sec < to {
			return fmt.Sprintf("; %s reads as Unix %s (%s): set the mapping's \"units\": {\"ts\": %q}",
				s, u.name, time.UnixMilli(int64(math.Round(sec*1000))).UTC().Format("2006-01-02T15:04:05Z"), u.unit)
		}
	}
	return ""
}

// maxOffset is the largest offset from UTC a time may carry, either way:
// the zones in use run from −12:00 to +14:00 (Kiribati's Line Islands).
// Go's parser takes any two-digit hour, so "+24:00" (and "+99:00" in a
// layout) would read as a day or more earlier.
const maxOffset = 14 * 3600

// badOffset says why t's offset from UTC names no instant of a real zone
// ("no such date or time: offset +24:00 outside −14:00…+14:00"), or "".
func badOffset(t time.Time) string {
	_, off := t.Zone()
	return offsetError(off)
}

// offsetError is badOffset for an offset in seconds east of UTC.
func offsetError(off int) string {
	if off >= -maxOffset && off <= maxOffset {
		return ""
	}
	sign, a := '+', off
	if off < 0 {
		sign, a = '-', -off
	}
	return fmt.Sprintf("no such date or time: offset %c%02d:%02d outside −14:00…+14:00, the offsets of the world's time zones", sign, a/3600, a%3600/60)
}

// rfc3339Spelling returns s in the spelling time.RFC3339Nano reads, with
// "T" between date and time, "Z" for UTC and the offset as ±hh:mm, when s
// is a time with an offset written otherwise: as RFC 3339 also allows (its
// section 5.6: a lower-case "t" and "z", and, per its NOTE, a space for
// the "T", as Python's str(datetime) and pandas write it:
// "2026-10-01 08:00:04+07:00"), or with the offset in hours alone, as
// PostgreSQL writes a timestamptz ("2026-10-01 08:00:04.5+07"), or
// without its colon, ISO 8601's basic form, as Java's and strftime's %z
// write it ("2026-10-01T08:00:04+0700"). ok is false when s needs no
// change or carries no offset (a time without one is not RFC 3339,
// whatever its separator, and is read by the layouts without an offset).
func rfc3339Spelling(s string) (string, bool) {
	n := len(s)
	if n < len("2006-01-02T15:04:05Z") {
		return "", false
	}
	const timeEnd = len("2006-01-02T15:04:05") // an offset's sign comes after the seconds
	sign := func(i int) bool { return i >= timeEnd && (s[i] == '+' || s[i] == '-') }
	b := []byte(s)
	offset := false // an offset rewritten as ±hh:mm
	last := s[n-1]
	switch {
	case last == 'Z' || last == 'z':
	case sign(n-6) && s[n-3] == ':':
	case sign(n-5) && allDigits(s[n-4:]): // +0700
		b = append(b[:n-2:n-2], ':', s[n-2], s[n-1])
		offset = true
	case sign(n-3) && allDigits(s[n-2:]): // +07
		b = append(b, ':', '0', '0')
		offset = true
	default:
		return "", false
	}
	sep := s[10]
	if sep != 'T' && sep != 't' && sep != ' ' || sep == 'T' && last != 'z' && !offset {
		return "", false
	}
	b[10] = 'T'
	if last == 'z' {
		b[n-1] = 'Z'
	}
	return string(b), true
}

// inClockGap says why s, a wall-clock time without offset that layout l
// read as t in loc, names no instant there — it falls in a gap where the
// clocks jumped forward (daylight saving), which time.ParseInLocation
// moves past silently — or returns "". Vietnam's zone has no gap.
func inClockGap(t time.Time, l, s string, loc *time.Location) string {
	// A gap needs a change of offset within hours: none (every fixed
	// zone, and most times of the others) needs no second parse.
	_, off := t.Zone()
	_, before := t.Add(-6 * time.Hour).Zone()
	_, after := t.Add(6 * time.Hour).Zone()
	if off == before && off == after {
		return ""
	}
	wall, err := time.Parse(l, s) // the same clock, as UTC's
	if err != nil {
		return ""
	}
	if t.Year() == wall.Year() && t.YearDay() == wall.YearDay() && t.Hour() == wall.Hour() && t.Minute() == wall.Minute() && t.Second() == wall.Second() {
		return ""
	}
	return fmt.Sprintf("%s is skipped by the clocks of %s (a daylight-saving gap)", wall.Format("2006-01-02 15:04:05"), loc)
}

// outOfRange returns what a time parse error found impossible ("day out
// of range", "month out of range", "hour out of range", …) when the value
// matched the layout but names no instant, such as 30 February; else "".
func outOfRange(err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range") {
		return strings.TrimPrefix(pe.Message, ": ")
	}
	return ""
}

// allDigits reports whether s is a non-empty run of ASCII digits, with an
// optional leading minus (checked before ParseInt so that RFC 3339 strings
// do not allocate a failed-parse error on every row).
func allDigits(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// zoneAbbrevOffset returns the offset east of UTC, in seconds, of a zone
// abbreviation in a timestamp that means one fixed offset: UTC, GMT, Z,
// GMT+7 and GMT-5, ICT (Indochina Time, Vietnam's UTC+7), and numeric
// abbreviations such as +07, +0700, +07:00, -03. Others (EST, CST, IST…)
// mean different offsets in different places or seasons.
func zoneAbbrevOffset(name string) (int, bool) {
	switch name {
	case "UTC", "GMT", "Z", "UT":
		return 0, true
	case "ICT":
		return 7 * 3600, true
	}
	s := strings.TrimPrefix(strings.TrimPrefix(name, "GMT"), "UTC")
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	h, m, _ := strings.Cut(s[1:], ":")
	if m == "" && len(h) == 4 {
		h, m = h[:2], h[2:]
	}
	hh, err := strconv.Atoi(h)
	if err != nil || hh > 14 || len(h) > 2 {
		return 0, false
	}
	mm := 0
	if m != "" {
		if mm, err = strconv.Atoi(m); err != nil || mm > 59 || len(m) != 2 {
			return 0, false
		}
	}
	return sign * (hh*3600 + mm*60), true
}
