package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Reason is the stable code of a quarantine reason.
type Reason string

// Quarantine reasons.
const (
	ReasonMalformedRow  Reason = "malformed_row"  // the line could not be split into the header's fields
	ReasonMissingValue  Reason = "missing_value"  // a required field is empty
	ReasonInvalidNumber Reason = "invalid_number" // a numeric field does not parse or is not finite
	ReasonOutOfRange    Reason = "out_of_range"   // a value outside its plausible range
	ReasonInvalidEnum   Reason = "invalid_enum"   // not one of the allowed values
	ReasonInvalidTime   Reason = "invalid_time"   // a timestamp that does not parse
	ReasonFutureTime    Reason = "future_time"    // a timestamp after the ingest time
	ReasonOutsideBounds Reason = "outside_bounds" // a point outside the bounding polygon
	ReasonInconsistent  Reason = "inconsistent"   // fields that contradict each other
	ReasonDuplicate     Reason = "duplicate"      // a repeat of an earlier row of the same file (a measurement's values, however written; another table's text), or of its header
	ReasonLineTooLong   Reason = "line_too_long"  // a CSV record, or a Parquet/Arrow row, over Limits.MaxLineBytes, skipped
	ReasonInvalidUTF8   Reason = "invalid_utf8"   // a field that is not valid UTF-8 text
	// ReasonNotCellular: a measurement over Wi-Fi (engine.IsWiFi), which a
	// crowd export holds beside the cellular tests: no evidence of mobile
	// coverage, set aside, and not counted in RejectShare.
	ReasonNotCellular Reason = "not_cellular"
	// ReasonCarrierNotYours: a row of a carrier outside Config.AllowedCarriers
	// (a carrier submitting another carrier's rows to the service).
	ReasonCarrierNotYours Reason = "carrier_not_yours"
)

// Reject is one quarantined row: where it is, which column, the offending
// value and why.
type Reject struct {
	Source string
	Line   int64
	Column string
	Value  string
	Reason Reason
	Detail string
}

// Config controls validation. Now is required (the pure core reads no
// clock); the rest have documented defaults applied by Defaults.
type Config struct {
	// Source names the input in quarantine rows (usually the file name).
	Source string
	// NoMapping says the table is read without a mapping (a command's own
	// claims or candidates): a reason never tells to change one, and a
	// header without a required column is told to rename its columns
	// (not MappingHint).
	NoMapping bool
	// Now is the ingest time: timestamps later than Now+FutureSlack are
	// rejected as future_time.
	Now time.Time
	// FutureSlack tolerates device clock skew (default 10 minutes).
	FutureSlack time.Duration
	// Earliest is the earliest plausible timestamp (default 2000-01-01 in
	// Vietnam time, UTC+7, the zone periods are calendar months of).
	Earliest time.Time
	// Bounds, when non-empty, rejects points outside it (outside_bounds).
	// Empty, a measurement outside Viet Nam's extent is rejected so.
	Bounds orb.MultiPolygon
	// Dedup rejects repeats of earlier accepted rows of the same file: a
	// measurement whose values equal an earlier one's however written (the
	// first word of engine.Measurement.ValueHash, the hash the dataset
	// compares across files), a row of another table whose text repeats
	// an earlier one's. It keeps one 64-bit hash per distinct row in an
	// open-addressing table kept at most half full: 16–32 bytes per row,
	// and up to 48 while the table doubles (measured: about 51 bytes per
	// row of peak RSS at 20 million rows, with the garbage collector's
	// headroom). It stops at
	// DedupMaxRows rows; past that, duplicate detection stops and the
	// report says so (DedupStoppedAtLine). Turn it off for national-scale
	// files whose duplicates are removed upstream: memory is then flat.
	Dedup        bool
	DedupMaxRows int
	// BatchSize is the number of accepted rows per emitted batch (default 65,536).
	BatchSize int
	// Progress, if set, is called after every BatchSize rows read.
	Progress func(rowsRead int64)
	// Limits bound what one input may cost (line length, decompression,
	// temporary spill); zero fields take their defaults. The readers apply
	// them where the input is opened (NewCSV, MaybeGunzipWith).
	Limits Limits
	// AllowedCarriers, when non-empty, rejects rows (measurements, sites)
	// of any other carrier as carrier_not_yours: a carrier submits its own
	// data only. Empty allows every carrier.
	AllowedCarriers []engine.Carrier
	// AcceptedMeasurement, if set, is called with each accepted
	// measurement and the line it was read from (the row number of a
	// columnar file), in the file's order, on the goroutine reading the
	// file, before the row is batched: the batches carry no lines, and a
	// reader of the accepted rows that must name them (the dataset, for
	// rows it holds already) keeps what it needs here. m is reused after
	// the call.
	AcceptedMeasurement func(line int64, m *engine.Measurement)
	// CellRes, when positive, is the H3 resolution a claims table's cells
	// must be at (the analysis resolution of the run that reads them); a
	// cell at another is out_of_range. 0 accepts any resolution.
	CellRes int
}

// Defaults returns a Config with the documented defaults and the given
// source name and ingest time.
func Defaults(source string, now time.Time) Config {
	return Config{
		Source:       source,
		Now:          now,
		FutureSlack:  10 * time.Minute,
		Earliest:     time.Date(2000, 1, 1, 0, 0, 0, 0, vietnamZone),
		Dedup:        true,
		DedupMaxRows: 64 << 20,
		BatchSize:    1 << 16,
		Limits:       DefaultLimits(),
	}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	switch {
	case c.Now.IsZero():
		return fmt.Errorf("ingest config: Now must be set: %w", engine.ErrInvalidConfig)
	case c.BatchSize <= 0:
		return fmt.Errorf("ingest config: BatchSize %d must be positive: %w", c.BatchSize, engine.ErrInvalidConfig)
	case c.FutureSlack < 0:
		return fmt.Errorf("ingest config: FutureSlack must not be negative: %w", engine.ErrInvalidConfig)
	case c.Dedup && c.DedupMaxRows <= 0:
		return fmt.Errorf("ingest config: DedupMaxRows must be positive when Dedup is on: %w", engine.ErrInvalidConfig)
	}
	return c.Limits.Validate()
}

// Report counts what happened to every row of one input. RowsRead always
// equals Accepted + Rejected.
type Report struct {
	Source   string
	Kind     Kind
	RowsRead int64
	Accepted int64
	Rejected int64
	// BlankRows counts the lines skipped as no row: empty lines (of a CSV
	// file), and rows whose every field is empty or white space (",,,,,",
	// which Excel writes after the data and between blocks). They are not
	// in RowsRead.
	BlankRows int64
	// ByReason counts rejected rows per reason.
	ByReason map[Reason]int64
	// IgnoredColumns are source columns that map onto no contract column.
	IgnoredColumns []string
	// DedupStoppedAtLine is the line after which duplicate detection
	// stopped because DedupMaxRows was reached (0: it never stopped).
	DedupStoppedAtLine int64
	// Unmapped counts, per enum column, the rejected rows of each spelling
	// that matched no contract value and no mapping entry (invalid_enum),
	// up to maxUnmappedPerColumn spellings a column (UnmappedSummary).
	Unmapped map[string]map[string]int64
	// UnmappedAdvice says what to do with the Unmapped spellings as the
	// file was read: add them to the mapping's "values", or, read without
	// one (or with a preset), write a mapping that has them
	// (unmappedAdvice).
	UnmappedAdvice string `json:"-"`
	// TechNotAnalysed counts the rejected rows (invalid_enum) of each
	// spelling of a technology lomsong does not analyse (CDMA,
	// engine.IsCDMA): no mapping can take them, so they are not Unmapped.
	TechNotAnalysed map[string]int64 `json:",omitempty"`
	// NaiveTimes counts accepted rows whose timestamp had no offset and
	// was read in Zone (the mapping's timezone or DefaultZoneName).
	NaiveTimes int64
	Zone       string
	// MidnightTimes counts the accepted rows among NaiveTimes read as
	// 00:00:00.000 of their day: a file whose times are mostly so has
	// dates without a time of day (MidnightAdvice).
	MidnightTimes int64
	// IdleSpeeds counts accepted rows whose speed values were recorded
	// with no transfer running (speed_test "no" or the mapping's
	// speed_rule): kept, but not speed tests.
	IdleSpeeds int64
	// Decimal is the decimal mark numbers were read with ("." or ",").
	// DecimalCommaRows counts accepted rows with at least one number
	// written with a decimal comma (read as the mapping's "decimal": ","
	// asks); DecimalCommaRejected the rows rejected because a number had
	// a decimal comma the mapping did not declare.
	Decimal              string
	DecimalCommaRows     int64
	DecimalCommaRejected int64
	// DeviceIDsWithheld counts accepted rows whose device_id looked like a
	// phone number or an IMEI (personalID): kept without it.
	DeviceIDsWithheld int64
	// NoServiceWithoutTech counts accepted no-service (or emergency-only)
	// rows of a phone whose tech was empty or a placeholder: kept with 4G,
	// 2G for a feature phone (the technology their no-service count is
	// added to).
	NoServiceWithoutTech int64
	// OtherCarriers counts the accepted rows per carrier that is not one
	// of the operators lomsong knows by name (engine.Carrier.Known): kept
	// under the slug of its name, which may be a spelling of a known one
	// that would split its data (up to maxUnmappedPerColumn carriers; the
	// rows of any more are counted together under OtherCarriersRest).
	OtherCarriers map[engine.Carrier]int64
	// OtherCarriersAdvice says what to do when one of OtherCarriers is a
	// spelling of a known operator, as the file was read
	// (otherCarriersAdvice, by the rule UnmappedAdvice follows).
	OtherCarriersAdvice string `json:"-"`
	// OutsideVietNam counts accepted rows whose point lies outside Viet
	// Nam's extent (geodata.NearVietNam), when Config.Bounds is not given:
	// kept (a site register, villages, candidates), but a file of another
	// country is what such rows usually mean. A measurement there is
	// rejected (outside_bounds), never counted here.
	OutsideVietNam int64
	// HeightsOutsideModel counts accepted site (and candidate) rows whose height_m lies
	// outside the propagation models' range (predict.BaseHeightMinM–
	// BaseHeightMaxM): kept, and predicted at the nearer bound.
	HeightsOutsideModel int64
	// BandsOutsideModel counts accepted site (and candidate) rows whose band_mhz lies
	// outside the propagation models' range (predict.ModelBandMHz: 5G
	// 500–30,000 MHz, others up to 30,000): kept, and predicted at the
	// nearer bound.
	BandsOutsideModel int64
	// EIRPImplausible counts accepted site rows whose eirp_dbm is above
	// any cell site's (MaxPlausibleEIRPDBm): kept as given.
	EIRPImplausible int64
	// SiteIDsApart counts the site ids of a carrier whose accepted rows
	// stand farther apart than predict.MastSpreadM (one mast's sectors
	// stand together): kept, and taken as separate masts; the examples
	// name the first few ("site_id "X" of carrier c at positions 9.8 km
	// apart").
	SiteIDsApart         int64
	SiteIDsApartExamples []string
}

// ReportCounts is the report as the validation report's JSON shows it to
// whoever sent the file: snake_case keys, reasons and unmapped spellings
// as objects keyed by name (encoding/json sorts them).
type ReportCounts struct {
	RowsRead    int64 `json:"rows_read"`
	Accepted    int64 `json:"rows_accepted"`
	Quarantined int64 `json:"rows_quarantined"`
	// BlankRowsSkipped counts the empty lines and rows of delimiters
	// alone, skipped as no row (not in rows_read).
	BlankRowsSkipped int64 `json:"blank_rows_skipped"`
	// QuarantinedByReason counts quarantined rows per reason (stable
	// codes: docs/data-contract.md, Quarantine); every reason with a row.
	QuarantinedByReason map[Reason]int64 `json:"quarantined_by_reason"`
	// UnmappedValues counts, per enum column, the rows of each spelling
	// that matched no contract value and no mapping entry.
	UnmappedValues map[string]map[string]int64 `json:"unmapped_values"`
	// TechNotAnalysed counts the rejected rows of each spelling of a
	// technology lomsong does not analyse (CDMA): no mapping takes them.
	TechNotAnalysed map[string]int64 `json:"tech_not_analysed,omitempty"`
	// TimesWithoutOffset counts accepted rows whose time had no offset and
	// was read in TimeZone.
	TimesWithoutOffset int64  `json:"times_without_offset"`
	TimeZone           string `json:"time_zone"`
	// TimesAtMidnight counts those of them read as 00:00:00.000 of their
	// day (Report.MidnightAdvice).
	TimesAtMidnight int64 `json:"times_at_midnight,omitempty"`
	// DecimalMark is the decimal mark numbers were read with;
	// RowsWithDecimalComma the accepted rows that had a number with a
	// decimal comma; RowsRejectedForDecimalComma the rows quarantined
	// because a decimal comma was not declared ("decimal": ",").
	DecimalMark                 string `json:"decimal_mark"`
	RowsWithDecimalComma        int64  `json:"rows_with_decimal_comma"`
	RowsRejectedForDecimalComma int64  `json:"rows_rejected_for_decimal_comma"`
	// IdleSpeedRowsExcluded counts accepted rows whose bitrates were
	// recorded with no transfer running: kept, but excluded from speed
	// statistics.
	IdleSpeedRowsExcluded int64 `json:"idle_speed_rows_excluded"`
	// DeviceIDsWithheld counts accepted rows whose device_id looked like a
	// phone number or an IMEI: kept, without it.
	DeviceIDsWithheld int64 `json:"device_ids_withheld"`
	// NoServiceWithoutTech counts accepted no-service rows of a phone
	// without a technology: stored as 4G (2G for a feature phone).
	NoServiceWithoutTech int64 `json:"no_service_rows_without_tech"`
	// OtherCarriers counts accepted rows per carrier lomsong does not
	// know by name, kept under their own identifiers.
	OtherCarriers map[engine.Carrier]int64 `json:"other_carriers,omitempty"`
	// RowsOutsideVietNam counts accepted rows outside Viet Nam's extent
	// (no --bounds given).
	RowsOutsideVietNam int64 `json:"rows_outside_viet_nam"`
	// HeightsOutsideModel counts accepted site (and candidate) rows whose height the
	// propagation models do not take (predicted at the nearer bound).
	HeightsOutsideModel int64 `json:"heights_outside_model,omitempty"`
	// BandsOutsideModel counts accepted site (and candidate) rows whose band the
	// propagation models do not take (predicted at the nearer bound).
	BandsOutsideModel int64 `json:"bands_outside_model,omitempty"`
	// EIRPImplausible counts accepted site rows with an EIRP above any
	// cell site's (75 dBm).
	EIRPImplausible int64 `json:"eirp_implausible,omitempty"`
	// SiteIDsApart counts site ids of one carrier registered at positions
	// farther apart than one mast's sectors stand (300 m): kept, taken as
	// separate masts; the examples name the first few.
	SiteIDsApart         int64    `json:"site_ids_apart,omitempty"`
	SiteIDsApartExamples []string `json:"site_ids_apart_examples,omitempty"`
	IgnoredColumns       []string `json:"ignored_columns"`
	DedupStoppedAtLine   int64    `json:"dedup_stopped_at_line,omitempty"`
}

// Counts returns the report's counts for the JSON validation report.
func (r *Report) Counts() ReportCounts {
	c := ReportCounts{RowsRead: r.RowsRead, Accepted: r.Accepted, Quarantined: r.Rejected, BlankRowsSkipped: r.BlankRows,
		QuarantinedByReason: map[Reason]int64{}, UnmappedValues: map[string]map[string]int64{},
		TimesWithoutOffset: r.NaiveTimes, TimesAtMidnight: r.MidnightTimes, TimeZone: r.Zone, DecimalMark: r.Decimal,
		RowsWithDecimalComma: r.DecimalCommaRows, RowsRejectedForDecimalComma: r.DecimalCommaRejected,
		IdleSpeedRowsExcluded: r.IdleSpeeds, DeviceIDsWithheld: r.DeviceIDsWithheld, NoServiceWithoutTech: r.NoServiceWithoutTech, IgnoredColumns: r.IgnoredColumns, DedupStoppedAtLine: r.DedupStoppedAtLine,
		TechNotAnalysed: maps.Clone(r.TechNotAnalysed),
		OtherCarriers:   maps.Clone(r.OtherCarriers), RowsOutsideVietNam: r.OutsideVietNam, HeightsOutsideModel: r.HeightsOutsideModel, BandsOutsideModel: r.BandsOutsideModel,
		EIRPImplausible: r.EIRPImplausible, SiteIDsApart: r.SiteIDsApart, SiteIDsApartExamples: r.SiteIDsApartExamples}
	for k, v := range r.ByReason {
		c.QuarantinedByReason[k] = v
	}
	for col, vals := range r.Unmapped {
		m := make(map[string]int64, len(vals))
		for v, n := range vals {
			m[v] = n
		}
		c.UnmappedValues[col] = m
	}
	if c.DecimalMark == "" {
		c.DecimalMark = "."
	}
	if c.IgnoredColumns == nil {
		c.IgnoredColumns = []string{}
	}
	return c
}

// Reasons returns the reasons in ByReason, most frequent first, ties by name.
func (r *Report) Reasons() []Reason {
	out := make([]Reason, 0, len(r.ByReason))
	for k := range r.ByReason {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Reason) int {
		if r.ByReason[a] != r.ByReason[b] {
			if r.ByReason[a] > r.ByReason[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a), string(b))
	})
	return out
}

// NotCellular returns the rows set aside as not_cellular (Wi-Fi tests).
func (r *Report) NotCellular() int64 { return r.ByReason[ReasonNotCellular] }

// RejectShare returns the share of the rows rejected among the rows that
// are mobile-network rows: (Rejected − NotCellular) / (RowsRead −
// NotCellular), 0 when there are none. A Wi-Fi test set aside is no
// error of the file (a crowd export may be 40% Wi-Fi).
func (r *Report) RejectShare() float64 {
	n := r.NotCellular()
	if r.RowsRead-n <= 0 {
		return 0
	}
	return float64(r.Rejected-n) / float64(r.RowsRead-n)
}

// binding resolves each contract column to a source field or a constant.
type binding struct {
	idx      []int    // contract column → source field index, -1 if absent
	constant []string // contract column → constant value (when idx == -1)
	has      []bool
	cols     []string
	units    map[string]string
	values   []map[string]string // contract column → folded spelling → contract value
	valCache []map[string]string // contract column → raw field → mapped value
	loc      *time.Location
	zone     string // the name of loc in reports
	comma    bool   // decimal comma
	speed    string // speed rule
	// encoding is the mapping's CSV encoding ("" for UTF-8): what a
	// field that is not UTF-8 is said to be.
	encoding string
	// named is, per contract column read from a file column of another
	// name (a mapping's rename), how a rejection names it: the file's
	// column, then the contract's ("RSRP → signal_dbm"), so that whoever
	// sent the file finds the cell in it.
	named map[string]string
	// bySignal: signal_dbm is read per technology (the mapping's
	// signal_columns) from sigIdx[tech] (-1: none), named in rejections
	// sigName[tech] ("RSCP → signal_dbm").
	bySignal bool
	sigIdx   [len(engine.Techs) + 1]int
	sigName  [len(engine.Techs) + 1]string
	// byPLMN: carrier is read from the MCC and MNC columns plmnIdx (the
	// mapping's carrier_plmn) of the contract column carrierCol.
	byPLMN     bool
	plmnIdx    [2]int
	carrierCol int
	// unreadSignal names, per technology, a column the file has for that
	// technology's measure and the mapping leaves unread (RSCP beside the
	// RSRP read as signal_dbm): said in the rejection of a row of that
	// technology without a signal.
	unreadSignal [len(engine.Techs) + 1]string
}

// ErrMissingColumn is wrapped when a required contract column is neither in
// the header (after mapping) nor given as a constant.
var ErrMissingColumn = engine.ErrMissingColumn

// MissingColumnError is a table whose header lacks required columns; it
// wraps ErrMissingColumn. Hint ends the message: by default, how to give
// a mapping; a reader of a table that takes none says what to do instead.
type MissingColumnError struct {
	Missing []string
	Header  []string
	Hint    string
}

// MappingHint is MissingColumnError's default Hint.
const MappingHint = "give a mapping (lomsong validate --suggest-mapping prints one)"

func (e *MissingColumnError) Error() string {
	shown, more := e.Header, ""
	if len(shown) > 40 {
		shown, more = shown[:40], fmt.Sprintf(", … %d more", len(e.Header)-40)
	}
	return fmt.Sprintf("%v: %s not found in header [%s%s]; %s", ErrMissingColumn, strings.Join(e.Missing, ", "),
		truncate(strings.Join(shown, ", "), 2000), more, e.Hint)
}

func (e *MissingColumnError) Unwrap() error { return ErrMissingColumn }

func bind(kind Kind, header []string, m *Mapping) (*binding, []string, error) {
	if m == nil {
		m = &Mapping{}
	}
	cols := kind.Columns()
	b := &binding{idx: make([]int, len(cols)), constant: make([]string, len(cols)), has: make([]bool, len(cols)),
		cols: cols, units: map[string]string{}, loc: vietnamZone, zone: DefaultZoneName,
		comma: m.Decimal == ",", speed: m.SpeedRule, encoding: m.CSVEncoding()}
	rename, renameFolded := map[string]string{}, map[string]string{}
	for src, dst := range m.Columns {
		rename[strings.ToLower(strings.TrimSpace(src))] = dst
		renameFolded[engine.Fold(src)] = dst
	}
	for k, v := range m.Units {
		b.units[k] = v
		if !strings.HasPrefix(v, "layout:") {
			b.units[k] = strings.ToLower(v)
		}
	}
	for from, to := range m.TechValues {
		if _, err := engine.ParseTech(to); err != nil {
			return nil, nil, fmt.Errorf("mapping tech_values[%q]: %w", from, err)
		}
	}
	var err error
	if b.values, err = valueMaps(cols, m); err != nil {
		return nil, nil, err
	}
	b.valCache = make([]map[string]string, len(cols))
	if m.Timezone != "" {
		loc, err := LoadZone(m.Timezone)
		if err != nil {
			return nil, nil, fmt.Errorf("mapping timezone %q: %w", m.Timezone, err)
		}
		b.loc, b.zone = loc, m.Timezone
	}
	for i := range b.idx {
		b.idx[i] = -1
	}
	var ignored []string
	found := map[string]bool{} // Columns' sources the header has, by their key
	claimed, err := b.bindSignalColumns(header, m)
	if err != nil {
		return nil, nil, err
	}
	if err := b.bindCarrierPLMN(header, m, claimed); err != nil {
		return nil, nil, err
	}
	for i, h := range header {
		if claimed[i] {
			continue
		}
		name := cleanHeader(h)
		if dst, ok := rename[strings.ToLower(name)]; ok {
			found["lower:"+strings.ToLower(name)] = true
			name = dst
		} else if dst, ok := renameFolded[engine.Fold(name)]; ok && engine.Fold(name) != "" {
			found["folded:"+engine.Fold(name)] = true
			name = dst // "Thời gian" for "Thoi gian": accents and spacing aside
		}
		j := slices.Index(cols, name)
		if j < 0 {
			j = slices.Index(cols, strings.ToLower(name))
		}
		if j < 0 {
			ignored = append(ignored, h)
			continue
		}
		if b.idx[j] >= 0 {
			if cleanHeader(header[b.idx[j]]) == cleanHeader(h) {
				// A name the file repeats (QualiPoc writes RSRP, RSRQ, PCI
				// and DL EARFCN twice): the first is read, repeats ignored.
				ignored = append(ignored, h)
				continue
			}
			return nil, nil, fmt.Errorf("columns %q and %q both map to %q", header[b.idx[j]], h, cols[j])
		}
		if b.byPLMN && cols[j] == "carrier" {
			return nil, nil, fmt.Errorf("the file's column %q is carrier, and the mapping's carrier_plmn gives carrier too: leave it out (\"columns\": {%q: \"\"}) or drop carrier_plmn", h, cleanHeader(h))
		}
		if b.bySignal && cols[j] == "signal_dbm" {
			return nil, nil, fmt.Errorf("the file's column %q is signal_dbm, and the mapping's signal_columns gives signal_dbm too: leave it out (\"columns\": {%q: \"\"}) or drop signal_columns", h, cleanHeader(h))
		}
		b.idx[j] = i
		b.has[j] = true
		if own := cleanHeader(h); !strings.EqualFold(own, cols[j]) {
			if b.named == nil {
				b.named = map[string]string{}
			}
			b.named[cols[j]] = own + " → " + cols[j]
		}
	}
	if j := slices.Index(cols, "signal_dbm"); j >= 0 && b.has[j] && !b.bySignal {
		for _, h := range ignored {
			if t := techSignalColumn(h); t != engine.TechUnknown && b.unreadSignal[t] == "" {
				b.unreadSignal[t] = cleanHeader(h)
			}
		}
	}
	if !m.OptionalColumns {
		for _, src := range sortedKeys(m.Columns) {
			if !found["lower:"+strings.ToLower(strings.TrimSpace(src))] && !found["folded:"+engine.Fold(src)] {
				return nil, nil, fmt.Errorf("mapping columns[%q]: the file has no such column (its columns: %s); correct the name, or set \"optional_columns\": true when files may lack it",
					src, strings.Join(firstNames(header, 12), ", "))
			}
		}
	}
	for col, v := range m.Constants {
		j := slices.Index(cols, col)
		if j < 0 {
			return nil, nil, fmt.Errorf("mapping constants[%q] is not a %s column", col, kind)
		}
		if i := b.idx[j]; i >= 0 {
			// The file's own values would all be replaced, silently: a
			// Viettel and VinaPhone file stored as one carrier's.
			return nil, nil, fmt.Errorf("mapping constants[%q]: the file has a %s column (%q), whose values the constant would replace on every row; remove the constant, or leave that column out (\"columns\": {%q: \"\"}) to set every row to %q",
				col, col, header[i], cleanHeader(header[i]), v)
		}
		b.idx[j] = -1
		b.constant[j] = v
		b.has[j] = true
	}
	var missing []string
	for _, r := range kind.Required() {
		if !b.has[slices.Index(cols, r)] {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		hint := MappingHint
		// A mapped source column the file lacks (allowed with
		// optional_columns) is the likely cause: name it.
		for _, src := range sortedKeys(m.Columns) {
			if slices.Contains(missing, m.Columns[src]) && !found["lower:"+strings.ToLower(strings.TrimSpace(src))] && !found["folded:"+engine.Fold(src)] {
				hint = fmt.Sprintf("the mapping's columns[%q] for %s names no column of the file; %s", src, m.Columns[src], MappingHint)
				break
			}
		}
		return nil, nil, &MissingColumnError{Missing: missing, Header: header, Hint: hint}
	}
	return b, ignored, nil
}

// bindSignalColumns finds the header's column of each technology the
// mapping's signal_columns lists (matched as columns' sources are: case,
// then accents and spacing, aside) and returns the header positions it
// took. A column the file lacks is an error unless optional_columns.
func (b *binding) bindSignalColumns(header []string, m *Mapping) (map[int]bool, error) {
	for t := range b.sigIdx {
		b.sigIdx[t] = -1
	}
	claimed := map[int]bool{}
	if len(m.SignalColumns) == 0 {
		return claimed, nil
	}
	sig := slices.Index(b.cols, "signal_dbm")
	if sig < 0 {
		return nil, fmt.Errorf("mapping signal_columns: a table of this kind has no signal_dbm (signal_columns is for measurements)")
	}
	b.bySignal = true
	for _, k := range sortedKeys(m.SignalColumns) {
		t, err := engine.ParseTech(k)
		if err != nil {
			return nil, fmt.Errorf("mapping signal_columns[%q]: %w", k, err)
		}
		src := strings.TrimSpace(m.SignalColumns[k])
		i := slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(cleanHeader(h), src) })
		if i < 0 {
			i = slices.IndexFunc(header, func(h string) bool { f := engine.Fold(h); return f != "" && f == engine.Fold(src) })
		}
		if i < 0 {
			if m.OptionalColumns {
				continue
			}
			return nil, fmt.Errorf("mapping signal_columns[%q]: the file has no column %q (its columns: %s); correct the name, or set \"optional_columns\": true when files may lack it",
				k, src, strings.Join(firstNames(header, 12), ", "))
		}
		claimed[i] = true
		b.sigIdx[t], b.sigName[t] = i, cleanHeader(header[i])+" → signal_dbm"
		b.has[sig] = true
	}
	return claimed, nil
}

// bindCarrierPLMN finds the header's MCC and MNC columns of the
// mapping's carrier_plmn (matched as columns' sources are), marking them
// in claimed. Both are needed: a column the file lacks is an error.
func (b *binding) bindCarrierPLMN(header []string, m *Mapping, claimed map[int]bool) error {
	b.carrierCol = slices.Index(b.cols, "carrier")
	if len(m.CarrierPLMN) == 0 {
		return nil
	}
	if b.carrierCol < 0 {
		return fmt.Errorf("mapping carrier_plmn: a table of this kind has no carrier")
	}
	var names [2]string
	for k, key := range []string{"mcc", "mnc"} {
		src := strings.TrimSpace(m.CarrierPLMN[key])
		i := slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(cleanHeader(h), src) })
		if i < 0 {
			i = slices.IndexFunc(header, func(h string) bool { f := engine.Fold(h); return f != "" && f == engine.Fold(src) })
		}
		if i < 0 {
			return fmt.Errorf("mapping carrier_plmn[%q]: the file has no column %q (its columns: %s); correct the name",
				key, src, strings.Join(firstNames(header, 12), ", "))
		}
		claimed[i] = true
		b.plmnIdx[k], names[k] = i, cleanHeader(header[i])
	}
	b.byPLMN = true
	b.has[b.carrierCol] = true
	if b.named == nil {
		b.named = map[string]string{}
	}
	b.named["carrier"] = names[0] + ", " + names[1] + " → carrier"
	return nil
}

// plmnField returns a row's network as "MCC-MNC" ("452-04"; an MNC of one
// digit, as a spreadsheet writes 04, padded; "452.0" and "4.0", pandas'
// floats, as 452 and 4), "" when both fields are empty.
func (b *binding) plmnField(f []string) string {
	mcc, mnc := wholeNumber(f[b.plmnIdx[0]]), wholeNumber(f[b.plmnIdx[1]])
	if mcc == "" && mnc == "" {
		return ""
	}
	if len(mnc) == 1 {
		return mcc + "-0" + mnc
	}
	return mcc + "-" + mnc
}

// wholeNumber trims a field and drops the ".0" (or ".00" …) that a
// column of whole numbers gets when pandas writes it with an empty value
// among them, as floats ("452.0", "4.0").
func wholeNumber(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i > 0 && i < len(s)-1 && strings.Trim(s[i+1:], "0") == "" {
		return s[:i]
	}
	return s
}

// plmnText reports whether s, as plmnField writes it, is a network: an
// MCC of three digits of the ITU's range (200–799), a dash, an MNC of two
// or three digits.
func plmnText(s string) bool {
	mcc, mnc, ok := strings.Cut(s, "-")
	digits := func(t string) bool { return t != "" && strings.Trim(t, "0123456789") == "" }
	return ok && len(mcc) == 3 && digits(mcc) && mcc >= "200" && mcc <= "799" && len(mnc) >= 2 && len(mnc) <= 3 && digits(mnc)
}

// signalField returns a row's signal_dbm field for technology t and the
// name a rejection gives its column: the mapped column's, or, with
// signal_columns, t's own column ("" for a technology it does not list).
func (b *binding) signalField(f []string, col int, t engine.Tech) (string, string) {
	if !b.bySignal {
		return b.field(f, col), b.cols[col]
	}
	if int(t) >= len(b.sigIdx) || b.sigIdx[t] < 0 {
		return "", b.cols[col]
	}
	return strings.TrimSpace(f[b.sigIdx[t]]), b.sigName[t]
}

// cleanHeader trims a header name, dropping the zero-width spaces some
// tools' exports write into names (QualiPoc).
func cleanHeader(h string) string {
	return strings.TrimSpace(strings.ReplaceAll(h, "\u200b", ""))
}

func (b *binding) field(rec []string, col int) string {
	if b.byPLMN && col == b.carrierCol {
		return b.plmnField(rec)
	}
	s := b.constant[col]
	if i := b.idx[col]; i >= 0 {
		s = strings.TrimSpace(rec[i])
	}
	if b.values[col] == nil || s == "" {
		return s
	}
	return b.mapValue(col, s)
}

// mapValue returns the contract value a mapping's "values" gives to the
// spelling s of an enum column, or s when it has none.
func (b *binding) mapValue(col int, s string) string {
	if v, ok := b.valCache[col][s]; ok {
		return v
	}
	v, ok := b.values[col][engine.Fold(s)]
	if !ok {
		v = s
	}
	if b.valCache[col] == nil {
		b.valCache[col] = map[string]string{}
	}
	if len(b.valCache[col]) < maxCacheEntries {
		b.valCache[col][s] = v
	}
	return v
}

// rowError is a reason for rejecting a row.
type rowError struct {
	col    string
	value  string
	reason Reason
	detail string
}

// parser holds per-input caches shared by the row parsers.
type parser struct {
	cfg      Config
	b        *binding
	carriers map[string]engine.Carrier
	techs    map[string]engine.Tech
	// placeholders: whether an optional enum's spelling is a placeholder
	// for no value (noValue), per spelling seen (optionalEnum).
	placeholders map[string]bool
	seen         hashSet
	rep          *Report
	// line is the current row's line (Records.Line of the rows read).
	line     int64
	rowNaive bool // the current row's time had no offset
	// rowMidnight: the current row's time, read without an offset, is
	// 00:00:00.000 of its day in the zone it was read in.
	rowMidnight bool
	rowIdle     bool // the current row's speeds are idle bitrates
	rowComma    bool // the current row had a number with a decimal comma
	rowID       bool // the current row's device_id was withheld (personalID)
	// rowNoTech: the current row is a phone's no-service row without a
	// technology, kept with 4G or 2G (techless).
	rowNoTech bool
	// rowOther is the current row's carrier when lomsong does not know it.
	rowOther engine.Carrier
	// rowAbroad: the current row's point lies outside Viet Nam's extent
	// (checked when no bounds are given).
	rowAbroad bool
	// abroadOut: a point outside Viet Nam's extent is rejected
	// (outside_bounds) when no bounds are given, not kept and counted
	// (measurements: a test abroad is no evidence of the country's
	// coverage).
	abroadOut bool
	// rowHeight: the current site (or candidate) row's height is outside the models';
	// rowEIRP: its EIRP is above any cell site's.
	rowHeight, rowEIRP bool
	rowBand            bool // its band is outside the models'
	// wifiAside: a Wi-Fi spelling of tech is not_cellular (measurements),
	// not invalid_enum.
	wifiAside bool
	bounds    orb.Bound
	minMs     int64
	maxMs     int64
}

const maxCacheEntries = 4096

func newParser(cfg Config, b *binding) *parser {
	p := &parser{cfg: cfg, b: b, carriers: map[string]engine.Carrier{}, techs: map[string]engine.Tech{}}
	if len(cfg.Bounds) > 0 {
		p.bounds = cfg.Bounds.Bound()
	}
	p.minMs = cfg.Earliest.UnixMilli()
	p.maxMs = cfg.Now.Add(cfg.FutureSlack).UnixMilli()
	return p
}

// noteOutsideModels marks the current row (a site's, a proposed site's)
// when its height or band lies outside what the propagation models take
// (0 is "not given"): kept, predicted at the nearer bound
// (predict.ModelHeightM, ModelBandMHz: a 5 m rooftop mast, a 450 MHz 5G
// site, a 40 GHz one), and counted for the report.
func (p *parser) noteOutsideModels(tech engine.Tech, heightM, bandMHz float64) {
	if heightM > 0 && predict.ModelHeightM(heightM) != heightM {
		p.rowHeight = true
	}
	if bandMHz > 0 && predict.ModelBandMHz(tech, bandMHz) != bandMHz {
		p.rowBand = true
	}
}

func (p *parser) carrier(col int, s string) (engine.Carrier, *rowError) {
	if p.b.byPLMN && col == p.b.carrierCol && s != "" {
		if !plmnText(s) {
			return "", &rowError{p.b.cols[col], s, ReasonInvalidNumber, "MCC and MNC must be whole numbers, MCC of three digits and MNC of two or three (452 and 04: Viettel), both given"}
		}
	}
	c, e := p.parseCarrier(col, s)
	if e == nil && len(p.cfg.AllowedCarriers) > 0 && !slices.Contains(p.cfg.AllowedCarriers, c) {
		return "", &rowError{p.b.cols[col], s, ReasonCarrierNotYours,
			fmt.Sprintf("carrier %s is not among the carriers this file may hold (%s)", c, joinCarriers(p.cfg.AllowedCarriers))}
	}
	if e == nil && !c.Known() {
		p.rowOther = c
	}
	return c, e
}

func joinCarriers(cs []engine.Carrier) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func (p *parser) parseCarrier(col int, s string) (engine.Carrier, *rowError) {
	if c, ok := p.carriers[s]; ok {
		return c, nil
	}
	if s == "" {
		return "", &rowError{p.b.cols[col], s, ReasonMissingValue, "carrier is required"}
	}
	if noValue(s) {
		// "N/A" or "NULL" is no carrier: kept as one ("n-a"), its rows
		// would be a network of their own in every analysis.
		detail := fmt.Sprintf("carrier is required, and %q marks a value that is missing", s)
		if engine.Fold(s) != "" {
			detail += " (map it in the mapping's \"values\" for carrier when it stands for one operator)"
		}
		return "", &rowError{p.b.cols[col], s, ReasonMissingValue, detail}
	}
	c, err := engine.ParseCarrier(s)
	if err != nil {
		return "", &rowError{p.b.cols[col], s, ReasonInvalidEnum, err.Error()}
	}
	if len(p.carriers) < maxCacheEntries {
		p.carriers[s] = c
	}
	return c, nil
}

// noValueWords are the words (folded) that spreadsheets, databases,
// dataframes and loggers write in a text field that has no value: Excel's
// "#N/A", "N/A", SQL's NULL, pandas' "nan" and Python's "None", a
// logger's "Unknown", Vietnamese "không xác định" (not determined) and
// "chưa xác định" (not yet determined).
var noValueWords = []string{"na", "nan", "null", "none", "nil", "unknown", "undefined", "khongxacdinh", "chuaxacdinh", "khongro"}

// noValue reports whether s (not empty) is a placeholder for a missing
// value: one of noValueWords, or no letter or digit at all ("-", "?",
// "#").
func noValue(s string) bool {
	f := engine.Fold(s)
	return engine.Slug(s) == "" || slices.Contains(noValueWords, f)
}

// techWiFi marks a Wi-Fi spelling in parser.techs (wifiAside).
const techWiFi engine.Tech = 255

func (p *parser) tech(col int, s string) (engine.Tech, *rowError) {
	if t, ok := p.techs[s]; ok {
		if t == techWiFi {
			return 0, notCellular(p.b.cols[col], s)
		}
		return t, nil
	}
	if s == "" {
		return 0, &rowError{p.b.cols[col], s, ReasonMissingValue, "tech is required"}
	}
	if p.wifiAside && engine.IsWiFi(s) {
		if len(p.techs) < maxCacheEntries {
			p.techs[s] = techWiFi
		}
		return 0, notCellular(p.b.cols[col], s)
	}
	t, err := engine.ParseTech(s)
	if err != nil && engine.IsCDMA(s) {
		return 0, &rowError{p.b.cols[col], s, ReasonInvalidEnum, fmt.Sprintf(detailCDMA, s)}
	}
	if err != nil {
		return 0, &rowError{p.b.cols[col], s, ReasonInvalidEnum, err.Error()}
	}
	if len(p.techs) < maxCacheEntries {
		p.techs[s] = t
	}
	return t, nil
}

// detailCDMA is the reason a CDMA row (engine.IsCDMA) is rejected.
const detailCDMA = "%q: CDMA, a technology lomsong does not analyse (it predicts and reads GSM, UMTS, LTE and NR, 2G to 5G): the row is rejected, and no mapping makes it one of those"

// notCellular is the rejection of a Wi-Fi test.
func notCellular(col, s string) *rowError {
	return &rowError{col, s, ReasonNotCellular, "a test over Wi-Fi, not a mobile network: no evidence of mobile coverage; set aside, not counted toward --max-reject-share"}
}

// number parses an optional float: empty → NaN.
func (p *parser) number(col int, s string, lo, hi float64) (float64, *rowError) {
	if s == "" {
		return math.NaN(), nil
	}
	v, bad := parseNumber(s, p.b.comma)
	if bad != "" && hasLetterOrPercent(s) {
		v, bad = p.b.numberInOwnUnit(col, s, bad)
	}
	if bad != "" {
		return 0, &rowError{p.b.cols[col], s, ReasonInvalidNumber, bad}
	}
	if p.b.comma && !p.rowComma && strings.IndexByte(s, ',') >= 0 {
		p.rowComma = true
	}
	if v < lo || v > hi {
		return 0, &rowError{p.b.cols[col], s, ReasonOutOfRange, fmt.Sprintf("outside %s…%s", strconv.FormatFloat(lo, 'f', -1, 64), strconv.FormatFloat(hi, 'f', -1, 64))}
	}
	return v, nil
}

func (p *parser) required(col int, s string) *rowError {
	if s == "" {
		return &rowError{p.b.cols[col], s, ReasonMissingValue, p.b.cols[col] + " is required"}
	}
	return nil
}

func (p *parser) lonLat(colLon, colLat int, ls, as string) (float64, float64, *rowError) {
	if e := p.required(colLon, ls); e != nil {
		return 0, 0, e
	}
	if e := p.required(colLat, as); e != nil {
		return 0, 0, e
	}
	lon, e := p.number(colLon, ls, -180, 180)
	if e != nil {
		return 0, 0, degreesHint(e)
	}
	lat, e := p.number(colLat, as, -90, 90)
	if e != nil {
		degreesHint(e)
		// A position in Viet Nam with its columns swapped (lon ≈ 21, lat ≈
		// 105: a mapping or an export that writes latitude first) always
		// lands here, every point of the country lying east of 90°E.
		if v, bad := parseNumber(as, p.b.comma); e.reason == ReasonOutOfRange && bad == "" && geodata.NearVietNam(v, lon) {
			e.detail += fmt.Sprintf("; lon and lat swapped? (%s, %s) as latitude, longitude is in Viet Nam: check which column is which (in the mapping, or the file's header)", ls, as)
		}
		return 0, 0, e
	}
	if lon == 0 && lat == 0 {
		return 0, 0, &rowError{"lon", ls + "," + as, ReasonOutOfRange, "0,0 is the usual mark of a missing GPS fix"}
	}
	if len(p.cfg.Bounds) > 0 {
		pt := orb.Point{lon, lat}
		if !p.bounds.Contains(pt) || !planar.MultiPolygonContains(p.cfg.Bounds, pt) {
			return 0, 0, &rowError{"lon", ls + "," + as, ReasonOutsideBounds, "point outside the bounding polygon"}
		}
	} else if !geodata.NearVietNam(lon, lat) {
		if p.abroadOut {
			return 0, 0, &rowError{"lon", ls + "," + as, ReasonOutsideBounds, abroadDetail(lon, lat)}
		}
		p.rowAbroad = true
	}
	return lon, lat, nil
}

// abroadDetail says why a measurement's point outside Viet Nam's extent
// is rejected, and what it may be: another country's test, or a position
// written with a sign too many (-105.85 for 105.85).
func abroadDetail(lon, lat float64) string {
	d := "outside Viet Nam's mainland, Hoàng Sa and Trường Sa: a test in another country (another country's file?) says nothing of Viet Nam's coverage"
	if geodata.NearVietNam(math.Abs(lon), math.Abs(lat)) {
		d += fmt.Sprintf("; a minus sign too many? (%g, %g) is in Viet Nam", math.Abs(lon), math.Abs(lat))
	}
	return d + "; --bounds FILE judges points by a polygon of your own instead"
}

// degreesHint adds to an invalid_number position written with a degree
// sign, minutes or a hemisphere letter (105°51'E, 21°02'N, 105.85°) that
// positions are read in decimal degrees only.
// hemisphereFirst matches a position written with its hemisphere first
// ("E105.8542", "N 21.0285"), degreesMinutes degrees and minutes (and
// seconds) apart with spaces ("105 51.252", "21 01 42.6"), as GPS
// receivers' NMEA-derived logs write them.
var (
	hemisphereFirst = regexp.MustCompile(`^[NSEWnsew]\s?\d`)
	degreesMinutes  = regexp.MustCompile(`^[+-]?\d{1,3}\s+\d{1,2}(\.\d+)?(\s+\d{1,2}(\.\d+)?)?$`)
)

func degreesHint(e *rowError) *rowError {
	v := strings.TrimSpace(e.value)
	if e.reason == ReasonInvalidNumber && v != "" &&
		(strings.ContainsAny(v, "°º'′\"″") || strings.ContainsRune("NSEWnsew", rune(v[len(v)-1])) && len(v) > 1 && v[len(v)-2] >= '0' && v[len(v)-2] <= '9' ||
			hemisphereFirst.MatchString(v) || degreesMinutes.MatchString(v)) {
		e.detail += "; positions are read in decimal degrees only (105.85, not 105°51'E or 105.85°): convert degrees, minutes and seconds (degrees + minutes/60 + seconds/3600; negative for S and W)"
	}
	return e
}

// tally counts an accepted row's note (a time without offset, an idle
// speed, …) in its report counter.
func tally(on bool, n *int64) {
	if on {
		*n++
	}
}

// parseDecimal parses a finite number written in plain decimal: an
// optional sign, digits with at most one decimal point, and an optional
// exponent (e or E, optional sign, digits). strconv.ParseFloat alone
// would also take hexadecimal floats (0x1p-2), digit separators (1_05.8),
// "Inf" and "NaN", none of which a carrier's file means as a measurement.
func parseDecimal(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, dot := 0, false
mantissa:
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			break mantissa
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// checkUTF8 returns the contract column of the first bound field that is
// not valid UTF-8, as a row error.
func (p *parser) checkUTF8(rec []string) *rowError {
	for col, i := range p.b.idx {
		if i < 0 || utf8.ValidString(rec[i]) {
			continue
		}
		f := rec[i]
		at := 0
		for at < len(f) {
			r, n := utf8.DecodeRuneInString(f[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return &rowError{p.b.cols[col], escapeInvalidUTF8(f), ReasonInvalidUTF8, notUTF8Detail(f, at, p.b.encoding)}
	}
	return nil
}

// QuotedValue is the rejected value quoted for a message, as %q quotes
// it: for an invalid_utf8 value, whose bytes that are not UTF-8 the value
// writes \xNN (escapeInvalidUTF8), those escapes as they are ("B\xb6n",
// as %q writes the raw bytes), not with their backslash doubled.
func (r Reject) QuotedValue() string {
	q := strconv.Quote(r.Value)
	if r.Reason == ReasonInvalidUTF8 {
		q = strings.ReplaceAll(q, `\\x`, `\x`)
	}
	return q
}

// escapeInvalidUTF8 writes each byte of s that is not part of valid UTF-8
// as \xNN ("Vi\xe9ttel"): the quarantine, a UTF-8 file, keeps every byte
// of the value, where one U+FFFD stood for a run of them.
func escapeInvalidUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, "\\x%02x", s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// dedup reports whether an accepted row whose key is h (its values' hash,
// or its text's) repeats an earlier one.
func (p *parser) dedup(h uint64, line int64, rep *Report) bool {
	if !p.cfg.Dedup || rep.DedupStoppedAtLine != 0 {
		return false
	}
	if p.seen.contains(h) {
		return true
	}
	if p.seen.len() >= p.cfg.DedupMaxRows {
		rep.DedupStoppedAtLine = line
		return false
	}
	p.seen.add(h)
	return false
}

// runRows is run for a reader whose parse fills *row: each accepted row is
// appended to a batch handed to onBatch (then reused) every BatchSize rows
// and at the end.
func runRows[T any](ctx context.Context, kind Kind, rec Records, m *Mapping, cfg Config, row *T,
	parse func(p *parser, fields []string) *rowError, onBatch func([]T) error, onReject func(Reject) error) (*Report, error) {
	var batch []T
	return run(ctx, kind, rec, m, cfg, parse, nil,
		func() { batch = append(batch, *row) },
		func() error { err := onBatch(batch); batch = batch[:0]; return err },
		func() int { return len(batch) }, onReject)
}

// run drives the common loop: malformed rows, field counts, per-row
// parsing into a scratch row (parse returns nil on success), duplicates,
// commit of the scratch row, batching and progress. valueKey, when not
// nil, is the key of the row parse filled last by which repeats are told
// (its values, however written); nil tells them by their fields' text
// (hashRecord).
func run(ctx context.Context, kind Kind, rec Records, m *Mapping, cfg Config,
	parse func(p *parser, fields []string) *rowError, valueKey func() uint64, commit func(), flush func() error, pending func() int,
	onReject func(Reject) error) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b, ignored, err := bind(kind, rec.Header(), m)
	if err != nil {
		if mc := (*MissingColumnError)(nil); cfg.NoMapping && errors.As(err, &mc) {
			mc.Hint = fmt.Sprintf("name them in the file's header: a %s table is read without a mapping (lomsong validate --kind %s FILE checks it; with --suggest-mapping it says which columns to rename)", kind, kind)
		}
		return nil, fmt.Errorf("%s: %w", cfg.Source, err)
	}
	p := newParser(cfg, b)
	p.wifiAside = kind == KindMeasurements
	p.abroadOut = kind == KindMeasurements
	rep := &Report{Source: cfg.Source, Kind: kind, ByReason: map[Reason]int64{}, IgnoredColumns: ignored, Zone: b.zone, Decimal: ".",
		UnmappedAdvice: unmappedAdvice(m, cfg), OtherCarriersAdvice: otherCarriersAdvice(m, cfg)}
	if b.comma {
		rep.Decimal = ","
	}
	p.rep = rep
	reject := func(line int64, e rowError) error {
		rep.Rejected++
		rep.ByReason[e.reason]++
		switch {
		case e.reason == ReasonInvalidEnum && e.col == "tech" && engine.IsCDMA(e.value):
			// No spelling to map: a technology lomsong does not analyse.
			rep.addNotAnalysed(e.value)
		case e.reason == ReasonInvalidEnum && e.value != "" && e.col != "cell":
			// A spelling a mapping's "values" could map (a cell id is
			// no enum: no mapping makes one).
			rep.addUnmapped(e.col, e.value)
		}
		if e.reason == ReasonInvalidNumber && e.detail == detailDecimalComma {
			rep.DecimalCommaRejected++
		}
		if cfg.NoMapping {
			e.detail = withoutMapping(e.detail)
		}
		if onReject == nil {
			return nil
		}
		col := e.col
		if own, ok := b.named[col]; ok {
			col = own
		}
		return onReject(Reject{Source: cfg.Source, Line: line, Column: col, Value: e.value, Reason: e.reason, Detail: e.detail})
	}
	header := rec.Header()
	nHeader := len(header)
	blankLines, _ := rec.(blankLiner)
	// The delimiter a rejected row's text is written with: the file's
	// own, so that the text reads back into the row's fields.
	sep := byte(',')
	if d, ok := rec.(interface{ Delimiter() byte }); ok {
		sep = d.Delimiter()
	}
	rec, stop := readAhead(rec)
	defer stop()
	// The file's device_id column, whose phone numbers and IMEIs are left
	// out of the row text a rejection keeps, as out of the stored rows.
	idCol := -1
	if j := slices.Index(b.cols, "device_id"); j >= 0 {
		idCol = b.idx[j]
	}
	// The column order of the rows since the latest header line in
	// another order than the header's (headerOrder); nil in the header's.
	var order []int
	headerLines := newHeaderLines(header)
	// The line of the latest header line of another layout (otherHeader),
	// 0 when none is in force: the rows after it, up to a header line of
	// the file's own names, are in its columns and are not read.
	var other int64
	var otherNames string
	withheld := func(text, what string, e *rowError) {
		e.value = text
		if what != "" {
			e.detail += withheldNote(what)
		}
	}
	for rec.Next() {
		line := rec.Line()
		if rec.RowErr() == nil && blankRow(rec.Record()) {
			// A row of delimiters alone (",,,,,", as Excel writes after
			// the data and between blocks) is no row, as an empty line is
			// none: counted with them, not read.
			rep.BlankRows++
			if rep.BlankRows%256 == 0 {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
			}
			continue
		}
		rep.RowsRead++
		if rep.RowsRead%256 == 0 {
			// Every 256 rows, not every batch: a row can be slow to come
			// (a Parquet file of one-row row groups reads a group a row),
			// and an interrupt must not wait for a batch.
			if err := ctx.Err(); err != nil {
				return rep, err
			}
		}
		if rep.RowsRead%int64(cfg.BatchSize) == 0 && cfg.Progress != nil {
			cfg.Progress(rep.RowsRead)
		}
		if rerr := rec.RowErr(); rerr != nil {
			reason := ReasonMalformedRow
			if errors.Is(rerr, ErrLineTooLong) {
				reason = ReasonLineTooLong
			}
			e := rowError{"", "", reason, rerr.Error()}
			if te := (*RowTextError)(nil); errors.As(rerr, &te) {
				// What could be read of the line, kept in the quarantine.
				text, what := te.Text, ""
				if idCol >= 0 {
					text, what = withholdText(text)
				}
				withheld(truncate(text, 200), what, &e)
			}
			if err := reject(line, e); err != nil {
				return rep, err
			}
			continue
		}
		fields := rec.Record()
		if len(fields) != nHeader {
			e := rowError{"", "", ReasonMalformedRow, fmt.Sprintf("%d fields, header has %d", len(fields), nHeader)}
			text, what := joinRow(fields, sep), ""
			if idCol >= 0 {
				// The device_id may be in any field of a row of another
				// field count.
				text, what = withholdFields(fields, sep)
			}
			withheld(truncate(text, 200), what, &e)
			if err := reject(line, e); err != nil {
				return rep, err
			}
			continue
		}
		if o, ok := headerLines.order(fields); ok {
			// Files joined with each one's header (daily exports
			// concatenated): the line is no row, and read as one it was
			// refused for its first column's value ("ts": invalid_time).
			// A header in another order (another export's) orders the
			// rows after it: read in the first header's, each would take
			// its neighbour's values.
			detail := "a repeat of the header line (files joined with their headers?): not a row"
			if o != nil {
				detail = "the header line again, its columns in another order (files joined with their headers?): not a row; " +
					"the rows after it are read in its order (columns moved: " + movedColumns(header, o) + ")"
			}
			order, other = o, 0
			e := rowError{"", truncate(joinRow(fields, sep), 200), ReasonDuplicate, detail}
			if err := reject(line, e); err != nil {
				return rep, err
			}
			continue
		}
		if other != 0 {
			e := rowError{"", "", ReasonMalformedRow, fmt.Sprintf("after line %d, a header line of another layout (%s): its rows are in its columns, not this file's header's, and are not read; "+
				"split the file there and validate that part with its own mapping (lomsong validate --suggest-mapping)", other, otherNames)}
			text, what := withholdFields(fields, sep)
			withheld(truncate(text, 200), what, &e)
			if err := reject(line, e); err != nil {
				return rep, err
			}
			continue
		}
		// The row as the file holds it, for its text in the quarantine.
		own := fields
		if order != nil {
			fields = reordered(fields, order)
		}
		if e := p.checkUTF8(fields); e != nil {
			e.value = truncate(e.value, 200)
			if err := reject(line, *e); err != nil {
				return rep, err
			}
			continue
		}
		p.line = line
		p.rowMidnight = false
		p.rowNaive, p.rowIdle, p.rowComma, p.rowID, p.rowOther, p.rowAbroad, p.rowHeight, p.rowEIRP, p.rowBand = false, false, false, false, "", false, false, false, false
		p.rowNoTech = false
		if e := parse(p, fields); e != nil {
			if otherHeader(kind, fields) {
				// Another export joined with its own header, its columns
				// named otherwise: read in this header's order, the rows
				// after it would take other columns' values wherever
				// those are in range (an upload read as the download).
				other, otherNames = line, strings.Join(firstNames(fields, 6), ", ")
				e := rowError{"", truncate(joinRow(own, sep), 200), ReasonMalformedRow,
					"a header line of another layout (its names are not this file's header's: another export joined to it?): not a row; the rows after it, up to a header line of this file's own names, are not read"}
				if err := reject(line, e); err != nil {
					return rep, err
				}
				continue
			}
			e.value = truncate(e.value, 200)
			if err := reject(line, *e); err != nil {
				return rep, err
			}
			continue
		}
		key, dupDetail := uint64(0), "exact repeat of an earlier row"
		if p.cfg.Dedup && rep.DedupStoppedAtLine == 0 {
			if valueKey != nil {
				key, dupDetail = valueKey(), "the same measurement as an earlier row: every value kept is equal, however written"
			} else {
				key = hashRecord(fields)
			}
		}
		if p.dedup(key, line, rep) {
			e := rowError{"", "", ReasonDuplicate, dupDetail}
			ownID := idCol // the device_id's field in own
			if order != nil && idCol >= 0 {
				ownID = order[idCol]
			}
			text, what := withholdField(own, ownID, sep)
			withheld(truncate(text, 200), what, &e)
			if err := reject(line, e); err != nil {
				return rep, err
			}
			continue
		}
		commit()
		rep.Accepted++
		tally(p.rowNaive, &rep.NaiveTimes)
		tally(p.rowMidnight, &rep.MidnightTimes)
		tally(p.rowIdle, &rep.IdleSpeeds)
		tally(p.rowComma, &rep.DecimalCommaRows)
		tally(p.rowID, &rep.DeviceIDsWithheld)
		tally(p.rowNoTech, &rep.NoServiceWithoutTech)
		tally(p.rowAbroad, &rep.OutsideVietNam)
		tally(p.rowHeight, &rep.HeightsOutsideModel)
		tally(p.rowBand, &rep.BandsOutsideModel)
		tally(p.rowEIRP, &rep.EIRPImplausible)
		if c := p.rowOther; c != "" {
			rep.addOtherCarrier(c)
		}
		if pending() >= cfg.BatchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := rec.Err(); err != nil {
		return rep, fmt.Errorf("%s: line %d: %w", cfg.Source, rec.Line(), err)
	}
	if blankLines != nil {
		// The reader has ended (its read-ahead too): its count is final.
		rep.BlankRows += blankLines.BlankLines()
	}
	if pending() > 0 {
		if err := flush(); err != nil {
			return rep, err
		}
	}
	if cfg.Progress != nil {
		cfg.Progress(rep.RowsRead)
	}
	return rep, nil
}

// BlankLines returns the number of empty lines a CSV reader skipped so
// far: no row is made of them, and the report counts them with the rows
// of delimiters alone as blank rows (Report.BlankRows).
func (c *CSV) BlankLines() int64 { return c.blank }

// blankLiner is a Records that skips empty lines and counts them.
type blankLiner interface{ BlankLines() int64 }

// blankRow reports whether every field of a row is empty or white space:
// a row of delimiters alone.
func blankRow(fields []string) bool {
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			if c := f[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v' {
				return false
			}
		}
	}
	return true
}

// truncate cuts s to at most n bytes, at a rune boundary when s is UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > n-utf8.UTFMax && i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// firstNames quotes the first n names, with how many more there are.
func firstNames(names []string, n int) []string {
	out := make([]string, 0, min(len(names), n)+1)
	for i, h := range names {
		if i == n {
			out = append(out, fmt.Sprintf("… %d more", len(names)-n))
			break
		}
		out = append(out, strconv.Quote(cleanHeader(h)))
	}
	return out
}
