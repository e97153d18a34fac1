package ingest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/internal/plural"
	"golang.org/x/text/unicode/norm"
)

// enumParsers checks a value of each enum column the mapping's "values"
// may target.
var enumParsers = map[string]func(string) error{
	"carrier":      func(s string) error { _, err := engine.ParseCarrier(s); return err },
	"tech":         func(s string) error { _, err := engine.ParseTech(s); return err },
	"service":      func(s string) error { _, err := engine.ParseService(s); return err },
	"source":       func(s string) error { _, err := engine.ParseSource(s); return err },
	"device_class": func(s string) error { _, err := engine.ParseDeviceClass(s); return err },
	"environment":  func(s string) error { _, err := engine.ParseEnvironment(s); return err },
	"speed_test":   func(s string) error { _, err := parseSpeedTest(s); return err },
	"status":       func(s string) error { _, err := engine.ParseSiteStatus(s); return err },
	"backhaul":     func(s string) error { _, err := engine.ParseBackhaul(s); return err },
}

// EnumColumns returns the enum columns of a kind, whose spellings a
// mapping's "values" may map.
func EnumColumns(kind Kind) []string {
	var out []string
	for _, c := range kind.Columns() {
		if enumParsers[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// noValueColumns are the measurement columns whose values a mapping may
// map a spelling to "", no value, as an empty cell reads: a tool's own
// word for "no technology" on a phone's no-service rows (Android's
// NETWORK_TYPE_UNKNOWN), for which a row is kept (4G, 2G for a feature
// phone), and words for "unknown" in the optional enums. A required
// column (carrier) has no use for it.
var noValueColumns = []string{"tech", "source", "device_class", "environment"}

func (m *Mapping) validateValues(kind Kind) error {
	for _, col := range sortedKeys(m.Values) {
		parse := enumParsers[col]
		if parse == nil || !slices.Contains(kind.Columns(), col) {
			return fmt.Errorf("mapping: values[%q]: not an enum column of %s (want one of %s)", col, kind, strings.Join(EnumColumns(kind), ", "))
		}
		folded := map[string]string{}
		for _, from := range sortedKeys(m.Values[col]) {
			to := m.Values[col][from]
			if strings.TrimSpace(to) == "" && kind == KindMeasurements && slices.Contains(noValueColumns, col) {
				// No value, read as an empty cell.
			} else if err := parse(to); err != nil || strings.TrimSpace(to) == "" {
				return fmt.Errorf("mapping: values[%q][%q] = %q: not a valid %s", col, from, to, col)
			}
			k := engine.Fold(from)
			if prev, ok := folded[k]; ok && m.Values[col][prev] != to {
				return fmt.Errorf("mapping: values[%q]: %q and %q are the same spelling once case and accents are ignored, but map to different values", col, prev, from)
			}
			folded[k] = from
		}
	}
	// tech_values is values["tech"] by another name: one spelling mapped
	// to two technologies, one in each, relabelled rows by whichever came
	// last.
	for _, from := range sortedKeys(m.TechValues) {
		for other, to := range m.Values["tech"] {
			if engine.Fold(other) == engine.Fold(from) && !strings.EqualFold(strings.TrimSpace(to), strings.TrimSpace(m.TechValues[from])) {
				return fmt.Errorf("mapping: tech_values[%q] = %q and values[\"tech\"][%q] = %q map one spelling to two technologies (tech_values is values[\"tech\"]): keep one",
					from, m.TechValues[from], other, to)
			}
		}
	}
	return nil
}

// valueMaps builds, per contract column, the folded spelling → contract
// value map of a mapping (tech_values included).
func valueMaps(cols []string, m *Mapping) ([]map[string]string, error) {
	out := make([]map[string]string, len(cols))
	add := func(col, from, to string) error {
		j := slices.Index(cols, col)
		if j < 0 {
			return fmt.Errorf("mapping values[%q]: not a column of this table", col)
		}
		if out[j] == nil {
			out[j] = map[string]string{}
		}
		key := engine.Fold(from)
		// Spellings match with case, accents and punctuation ignored: a
		// key written unlike a value's own spelling that still reads as it
		// ("4G+" reads as "4G") would relabel every row of that value, not
		// only its own. A key that is the value's spelling ("Idle" for
		// idle) relabels that value on purpose.
		if v, ok := contractSpelling(col, key); ok && engine.Fold(v) == key && !strings.EqualFold(strings.TrimSpace(from), v) {
			if w, ok := contractSpelling(col, engine.Fold(to)); !ok || w != v {
				return fmt.Errorf("mapping values[%q][%q]: reads as %q (case, accents and punctuation are ignored), so every %s row would become %q, not only the %q ones; a spelling that differs from %q by punctuation alone cannot be mapped apart from it",
					col, from, v, v, to, from, v)
			}
		}
		out[j][key] = to
		return nil
	}
	for from, to := range m.TechValues {
		if err := add("tech", from, to); err != nil {
			return nil, err
		}
	}
	for col, vm := range m.Values {
		for from, to := range vm {
			if err := add(col, from, to); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// contractSpelling returns the contract's value of an enum column that the
// spelling s reads as (its canonical spelling), if any; for carriers, the
// operators lomsong knows by name.
func contractSpelling(col, s string) (string, bool) {
	var v fmt.Stringer
	var err error
	switch col {
	case "tech":
		v, err = engine.ParseTech(s)
	case "carrier":
		c, cerr := engine.ParseCarrier(s)
		if cerr != nil || !c.Known() {
			return "", false
		}
		return string(c), true
	case "service":
		v, err = engine.ParseService(s)
	case "source":
		v, err = engine.ParseSource(s)
	case "device_class":
		v, err = engine.ParseDeviceClass(s)
	case "environment":
		v, err = engine.ParseEnvironment(s)
	case "speed_test":
		v, err = engine.ParseSpeedKind(s)
	case "status":
		v, err = engine.ParseSiteStatus(s)
	case "backhaul":
		v, err = engine.ParseBackhaul(s)
	default:
		return "", false
	}
	if err != nil || s == "" {
		return "", false
	}
	return v.String(), true
}

// maxUnmappedPerColumn bounds the distinct unmapped spellings a report
// counts per column; the rest are counted together.
const maxUnmappedPerColumn = 50

// UnmappedValue is an enum spelling that matched no contract value and no
// entry of the mapping's "values", with the number of rows that had it.
type UnmappedValue struct {
	Value string
	Rows  int64
}

func (r *Report) addUnmapped(col, value string) {
	if r.Unmapped == nil {
		r.Unmapped = map[string]map[string]int64{}
	}
	vm := r.Unmapped[col]
	if vm == nil {
		vm = map[string]int64{}
		r.Unmapped[col] = vm
	}
	if _, ok := vm[value]; !ok && len(vm) >= maxUnmappedPerColumn {
		value = "…other spellings"
	}
	vm[value]++
}

func (r *Report) addNotAnalysed(value string) {
	if r.TechNotAnalysed == nil {
		r.TechNotAnalysed = map[string]int64{}
	}
	if _, ok := r.TechNotAnalysed[value]; !ok && len(r.TechNotAnalysed) >= maxUnmappedPerColumn {
		value = "…other spellings"
	}
	r.TechNotAnalysed[value]++
}

// TechNotAnalysedSummary returns the line that says the rows of a
// technology lomsong does not analyse (CDMA), e.g. `2 CDMA rows ("CDMA"):
// a technology lomsong does not analyse (…)`, or "" when there are none.
func (r *Report) TechNotAnalysedSummary() string {
	var n int64
	var parts []string
	for _, v := range sortedCounts(r.TechNotAnalysed) {
		n += v.Rows
		parts = append(parts, fmt.Sprintf("%q", v.Value))
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%s): a technology lomsong does not analyse (it predicts and reads GSM, UMTS, LTE and NR, 2G to 5G): rejected, and no mapping can take them",
		plural.Count(n, "CDMA row", "CDMA rows"), strings.Join(parts, ", "))
}

// MidnightAdvice returns the line that says a file's times are dates
// without a time of day — at least two accepted rows, and at least half
// of them, read without an offset at 00:00:00.000 (tests at random times
// of day are so once in 1,440 at minute resolution) — or "" otherwise.
// An Excel date cell formatted without its time (a whole serial day
// number read as excel_days) or a date-only export are read so: every
// test of a day at midnight, outside the challenge's daytime window and
// in one of its windows of hours.
func (r *Report) MidnightAdvice() string {
	n := r.MidnightTimes
	if n < 2 || 2*n < r.Accepted {
		return ""
	}
	return fmt.Sprintf("%s of %d at 00:00:00 (%s): the timestamps look like dates without a time of day (an Excel date cell without its time, a date-only export); each test is taken at midnight, which the challenge's daytime window leaves out: export the time of day with the date",
		plural.Count(n, "time", "times"), r.Accepted, r.Zone)
}

// reading is how a file's values were read, which decides what a report
// tells its user to do with a spelling lomsong does not know: the
// command's own table (Config.NoMapping), a built-in preset, a mapping
// file, or no mapping the user gave (none, or --timezone alone).
type reading int

const (
	readNoMapping reading = iota
	readOwnTable
	readPreset
	readMappingFile
)

// readingOf is the one rule for how a file was read (reading).
func readingOf(m *Mapping, cfg Config) reading {
	switch {
	case cfg.NoMapping:
		return readOwnTable
	case m != nil && m.preset != "":
		return readPreset
	case m != nil && m.fromFile:
		return readMappingFile
	}
	return readNoMapping
}

// unmappedAdvice says what to do with spellings that matched no contract
// value (Report.UnmappedAdvice), as the file was read (readingOf): with a
// mapping file, add them to its "values"; with a preset, whose values are
// its own, or with none, write a mapping that has them; a command's own
// table (Config.NoMapping) takes no mapping.
func unmappedAdvice(m *Mapping, cfg Config) string {
	switch readingOf(m, cfg) {
	case readOwnTable:
		return "this table is read without a mapping: write the contract's values (docs/data-contract.md)"
	case readPreset:
		return fmt.Sprintf("the %s preset does not map them: give a mapping instead of --preset, with them in its \"values\" (lomsong validate --suggest-mapping FILE prints one that follows the preset)", m.preset)
	case readMappingFile:
		return "add them to the mapping's \"values\""
	}
	return "no mapping is in use: write one with them in its \"values\" and give it with --mapping (lomsong validate --suggest-mapping FILE prints one to start from)"
}

// otherCarriersAdvice says what to do when a carrier lomsong does not know
// (Report.OtherCarriers) is a spelling of a known operator
// (Report.OtherCarriersAdvice), as the file was read (readingOf, the rule
// unmappedAdvice follows): with a mapping file, map it in its "values" for
// carrier; with a preset or with none, write a mapping that does; a
// command's own table, write the operator's name.
func otherCarriersAdvice(m *Mapping, cfg Config) string {
	const spelling = "if one is a spelling of a known operator, "
	switch readingOf(m, cfg) {
	case readOwnTable:
		return spelling + "its rows stay apart: this table is read without a mapping, so write the operator's name as docs/data-contract.md lists it"
	case readPreset:
		return spelling + fmt.Sprintf("its rows stay apart: the %s preset does not map it, so give a mapping instead of --preset that maps it in its \"values\" for carrier; lomsong validate --suggest-mapping FILE prints one that follows the preset", m.preset)
	case readMappingFile:
		return spelling + "map it in the mapping's \"values\" for carrier, or its rows stay apart"
	}
	return spelling + "its rows stay apart: no mapping is in use, so write one that maps it in its \"values\" for carrier and give it with --mapping; lomsong validate --suggest-mapping FILE prints one to start from"
}

// OtherCarriersRest is the key under which a report counts the rows of the
// carriers it does not know by name beyond the first maxUnmappedPerColumn.
const OtherCarriersRest engine.Carrier = "…other carriers"

func (r *Report) addOtherCarrier(c engine.Carrier) {
	if r.OtherCarriers == nil {
		r.OtherCarriers = map[engine.Carrier]int64{}
	}
	if _, ok := r.OtherCarriers[c]; !ok && len(r.OtherCarriers) >= maxUnmappedPerColumn {
		c = OtherCarriersRest
	}
	r.OtherCarriers[c]++
}

// UnmappedValues returns the unmapped spellings of a column, most rows
// first, ties by spelling.
func (r *Report) UnmappedValues(col string) []UnmappedValue {
	return sortedCounts(r.Unmapped[col])
}

// sortedCounts returns spellings and their rows, most rows first, ties
// by spelling.
func sortedCounts(counts map[string]int64) []UnmappedValue {
	var out []UnmappedValue
	for v, n := range counts {
		out = append(out, UnmappedValue{v, n})
	}
	slices.SortFunc(out, func(a, b UnmappedValue) int {
		if a.Rows != b.Rows {
			if a.Rows > b.Rows {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

// UnmappedSummary returns one line per enum column with unmapped
// spellings, e.g. `environment: "Walking" (120 rows), "Driving" (30 rows)`,
// columns in contract order.
func (r *Report) UnmappedSummary() []string {
	var lines []string
	for _, col := range r.Kind.Columns() {
		vals := r.UnmappedValues(col)
		if len(vals) == 0 {
			continue
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprintf("%q (%s)", v.Value, plural.Count(v.Rows, "row", "rows"))
		}
		lines = append(lines, col+": "+strings.Join(parts, ", "))
	}
	return lines
}

// The Vietnamese default zone: UTC+7, without daylight saving since 1975,
// so a fixed offset is exact for every plausible timestamp (after
// Config.Earliest) and needs no time-zone database.
var vietnamZone = time.FixedZone("UTC+7", 7*3600)

// DefaultZoneName names the zone of timestamps without an offset when the
// mapping gives none.
const DefaultZoneName = "Asia/Ho_Chi_Minh (UTC+7)"

// etcGMT matches the IANA names Etc/GMT+N and Etc/GMT-N, whose sign is
// POSIX's, the inverse of the usual: Etc/GMT+7 is UTC−7.
var etcGMT = regexp.MustCompile(`(?i)^etc/gmt([+-])(\d{1,2})$`)

// naiveSpan spans the times (Unix ms) read without an offset.
type naiveSpan struct {
	from, to int64
	seen     bool
}

func (s *naiveSpan) add(ms int64) {
	if !s.seen || ms < s.from {
		s.from = ms
	}
	if !s.seen || ms > s.to {
		s.to = ms
	}
	s.seen = true
}

// zoneLabel names a mapping's zone with the offsets from UTC its times
// without offset were read with, over their period (at now when there
// were none): "Europe/Paris (UTC+1, UTC+2)", "-03:00 (UTC−3)"; a name
// that is its offset ("UTC+7", "UTC") alone. An Etc/GMT±N name gets a
// warning that its sign is inverted.
func zoneLabel(name string, loc *time.Location, period naiveSpan, now time.Time) string {
	var offs []int
	add := func(t time.Time) {
		if _, off := t.Zone(); !slices.Contains(offs, off) {
			offs = append(offs, off)
		}
	}
	if !period.seen {
		add(now.In(loc))
	} else {
		t, to := time.UnixMilli(period.from).In(loc), time.UnixMilli(period.to)
		// Each stretch of one offset from the first time to the last (a
		// zone changes at most a few times a year; the walk is capped).
		for range 1000 {
			add(t)
			_, end := t.ZoneBounds()
			if end.IsZero() || end.After(to) {
				break
			}
			t = end
		}
	}
	slices.Sort(offs)
	labels := make([]string, len(offs))
	for i, off := range offs {
		labels[i] = offsetLabel(off)
	}
	label := strings.Join(labels, ", ")
	if g := etcGMT.FindStringSubmatch(name); g != nil && strings.TrimLeft(g[2], "0") != "" {
		h, _ := strconv.Atoi(g[2])
		hours := plural.Count(h, "hour", "hours")
		if g[1] == "+" {
			label += fmt.Sprintf("; an Etc/GMT name has the sign inverted: %s is %s behind UTC; for UTC+%d write UTC+%d or Etc/GMT-%d", name, hours, h, h, h)
		} else {
			label += fmt.Sprintf("; an Etc/GMT name has the sign inverted: %s is %s ahead of UTC", name, hours)
		}
	} else if strings.EqualFold(strings.TrimSpace(name), label) {
		return name
	}
	return name + " (" + label + ")"
}

// offsetLabel writes an offset from UTC in seconds as "UTC", "UTC+7",
// "UTC−3" (a minus sign) or "UTC+5:30".
func offsetLabel(off int) string {
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	if m := off % 3600 / 60; m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, off/3600, m)
	}
	return fmt.Sprintf("UTC%s%d", sign, off/3600)
}

var offsetRE = regexp.MustCompile(`^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d\d))?$`)

// LoadZone resolves a mapping's timezone: a fixed offset ("UTC+7",
// "+07:00", "GMT-3"), "UTC", or an IANA name. "Asia/Ho_Chi_Minh" (and
// "Asia/Saigon") resolve to the fixed UTC+7 zone without the time-zone
// database; other names need it (the lomsong command embeds it).
func LoadZone(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	switch strings.ToLower(n) {
	case "asia/ho_chi_minh", "asia/saigon", "ict":
		return vietnamZone, nil
	case "utc", "gmt", "z":
		return time.UTC, nil
	}
	if g := offsetRE.FindStringSubmatch(strings.ToUpper(n)); g != nil {
		h, _ := strconv.Atoi(g[2])
		mnt := 0
		if g[3] != "" {
			mnt, _ = strconv.Atoi(g[3])
		}
		if h > 14 || mnt > 59 || h*3600+mnt*60 > maxOffset {
			return nil, fmt.Errorf("offset out of range (−14:00…+14:00)")
		}
		off := h*3600 + mnt*60
		if g[1] == "-" {
			off = -off
		}
		return time.FixedZone(n, off), nil
	}
	// time.LoadLocation takes "" as UTC and "Local" as the machine's own
	// zone: a result that would depend on where it runs, and a label that
	// names no zone. Neither is a zone of the contract.
	if n == "" || n == "Local" {
		return nil, fmt.Errorf("time zone %q: want an IANA name such as Asia/Ho_Chi_Minh, or an offset such as UTC+7 (the machine's own zone is not taken: the result would depend on where it runs)", name)
	}
	return time.LoadLocation(n)
}

// checkLayout refuses a time layout that cannot give a full date and time
// to the minute (a typo such as "2006.01.02_15.04.06" would otherwise read
// every row wrong or reject it).
func checkLayout(l string) error {
	ref := time.Date(2024, 12, 3, 11, 30, 19, 0, time.UTC)
	got, err := time.Parse(l, ref.Format(l))
	if err != nil {
		return fmt.Errorf("not a usable Go time layout: %w", err)
	}
	if got.Year() != 2024 || got.Month() != 12 || got.Day() != 3 || got.Hour() != 11 || got.Minute() != 30 {
		return fmt.Errorf("layout does not hold a full date and time (write it with Go's reference time 2006-01-02 15:04:05; a file whose times have no date cannot be read: export it with the date in each time)")
	}
	return nil
}

// layoutHasZone reports whether a Go time layout reads a zone or offset.
func layoutHasZone(l string) bool {
	return strings.Contains(l, "Z07") || strings.Contains(l, "-07") || strings.Contains(l, "MST")
}

// Speed rules of a mapping ("speed_rule").
const (
	// SpeedRuleAny: every dl_mbps/ul_mbps value is a speed test (the
	// default; the contract's own files mean it so).
	SpeedRuleAny = "any"
	// SpeedRulePositive: a speed value counts as a speed test only when it
	// is above zero; a 0 is the bitrate of an idle connection, kept in the
	// dataset but marked idle and left out of speed statistics.
	SpeedRulePositive = "positive"
)

// parseSpeedTest reads the speed_test column: yes (a transfer was
// running: the speeds are a speed test) or no (idle; the speeds are
// kept but not counted as a test). Empty means yes.
func parseSpeedTest(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "yes", "y", "true", "1", "test", "transfer":
		return true, nil
	case "no", "n", "false", "0", "idle":
		return false, nil
	}
	return false, fmt.Errorf("invalid speed_test %q (want yes or no): %w", s, engine.ErrInvalidValue)
}

// number parsing with the mapping's decimal mark; thousands separators are
// refused with a reason that says what to change.
// withUnit matches a number written with its unit after it ("-95 dBm",
// "12.5Mbps", "35 ms"), as some tools export a formatted value.
var withUnit = regexp.MustCompile(`(?i)^[+-]?\d+(?:[.,]\d+)?\s*(dbm|db|mbps|mbit/s|mb/s|kbps|kbit/s|kb/s|bps|ms|s|mhz|m|%|asu)$`)

// ownUnits returns the spellings (lower case, as withUnit reads them) of
// the unit a column's values are in — the contract's, or the unit the
// mapping's units give it — and the unit's name; none for a column whose
// values take no unit after them.
func ownUnits(col, unit string) ([]string, string) {
	switch col {
	case "signal_dbm", "eirp_dbm":
		switch unit {
		case "", "dbm":
			return []string{"dbm"}, "dBm"
		case "asu":
			return []string{"asu"}, "asu"
		case "mw":
			return nil, "mW"
		}
	case "rsrq_db", "sinr_db":
		return []string{"db"}, "dB"
	case "dl_mbps", "ul_mbps":
		switch unit {
		case "", "mbps":
			return []string{"mbps", "mbit/s", "mb/s"}, "Mbit/s"
		case "kbps":
			return []string{"kbps", "kbit/s", "kb/s"}, "kbit/s"
		case "bps":
			return []string{"bps"}, "bit/s"
		}
	case "latency_ms":
		switch unit {
		case "", "ms":
			return []string{"ms"}, "ms"
		case "s":
			return []string{"s"}, "s"
		}
	case "band_mhz":
		return []string{"mhz"}, "MHz"
	case "height_m":
		return []string{"m"}, "m"
	}
	return nil, ""
}

// numberInOwnUnit reads a value written with its unit after it ("-95
// dBm", "12.5 Mbps") when the unit is its column's own, as the number
// before it; bad is parseNumber's reason for the whole value, returned,
// with the unit the column takes, when the unit is another or s has none.
func (b *binding) numberInOwnUnit(col int, s, bad string) (float64, string) {
	m := withUnit.FindStringSubmatch(s)
	if m == nil {
		return 0, bad
	}
	name := b.cols[col]
	own, said := ownUnits(name, b.units[name])
	if slices.Contains(own, strings.ToLower(m[1])) {
		return parseNumber(strings.TrimSpace(s[:len(s)-len(m[1])]), b.comma)
	}
	if said != "" {
		bad += "; the column is in " + said + ": a value in another unit is not converted"
	}
	return 0, bad
}

// hasLetterOrPercent reports whether s has an ASCII letter or '%': a
// unit can follow the number only then (the unit pattern is a regular
// expression, three times the cost of the rest of a number's reading).
func hasLetterOrPercent(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' || s[i] == '%' {
			return true
		}
	}
	return false
}

func parseNumber(s string, comma bool) (float64, string) {
	if hasLetterOrPercent(s) {
		if m := withUnit.FindStringSubmatch(s); m != nil {
			return 0, fmt.Sprintf("a number with its unit %q: write the number alone (the unit is the column's: the contract's, or the mapping's units)", m[1])
		}
	}
	if comma {
		if strings.ContainsAny(s, ". \u00a0'") {
			return 0, "with \"decimal\": \",\" a point or space in a number is a thousands separator, which is not accepted: write the digits without grouping"
		}
		if strings.Count(s, ",") == 1 {
			s = strings.Replace(s, ",", ".", 1)
		}
	} else if strings.ContainsAny(s, ", \u00a0'") {
		if thousandsRE.MatchString(s) {
			if strings.Count(s, ",") == 1 && !strings.ContainsAny(s, ". \u00a0'") {
				return 0, detailCommaAmbiguous
			}
			return 0, "thousands separators are not accepted: write the digits without grouping"
		}
		if strings.Count(s, ",") == 1 && !strings.ContainsAny(s, ". \u00a0'") {
			return 0, detailDecimalComma
		}
		return 0, "not a finite decimal number"
	}
	v, ok := parseDecimal(s)
	if !ok {
		if strings.Count(s, ".") > 1 && groupedByPoint.MatchString(strings.TrimLeft(s, "+-")) {
			return 0, "thousands separators are not accepted (points grouping thousands): write the digits without grouping"
		}
		return 0, "not a finite decimal number"
	}
	return v, ""
}

// detailDecimalComma is the reason a number with a decimal comma is
// refused when the mapping does not set "decimal": "," (counted in
// Report.DecimalCommaRejected).
const detailDecimalComma = "a decimal comma: set \"decimal\": \",\" in the mapping"

// detailCommaAmbiguous is the reason a number like 1,234 is refused (a
// thousands separator, or a decimal comma the mapping did not declare).
const detailCommaAmbiguous = "a comma in a number: a thousands separator is not accepted, and a decimal comma needs \"decimal\": \",\" in the mapping"

// withoutMapping rewrites a reason that tells to change the mapping for a
// table read without one (Config.NoMapping).
func withoutMapping(detail string) string {
	switch detail {
	case detailDecimalComma, detailCommaAmbiguous:
		return "a comma in a number: this table is read without a mapping, so write numbers with a decimal point (103.4) and no thousands separator"
	}
	return detail
}

// thousandsRE matches digits grouped by three with ',', a space, a
// no-break space or an apostrophe (1,234 or 1 234.5).
var thousandsRE = regexp.MustCompile(`^[+-]?\d{1,3}([, \x{00a0}']\d{3})+(\.\d+)?$`)

// nfc returns s in Unicode normalisation form C. An identifier or a name
// written with combining marks (NFD: macOS, some exporters) and the same
// written precomposed are one text to a reader, so they must be one key:
// "Bản-Nà-01" twice in a villages file, once in each form, is a duplicate,
// and a register sent again in the other form replaces, not adds.
// (norm's String returns s itself, unallocated, when it is NFC already.)
func nfc(s string) string { return norm.NFC.String(s) }
