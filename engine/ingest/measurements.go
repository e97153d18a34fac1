package ingest

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/contract"
)

// Ranges of the serving cell's numbers: PCI up to 1007 (5G NR; 503 in
// LTE, PSC 511 in UMTS), channel numbers up to NR-ARFCN 3,279,165
// (3GPP TS 38.104).
const (
	maxPCI   = 1007
	maxARFCN = 3279165
)

// Plausible ranges of the optional measurement values.
const (
	maxSpeedMbps = 100000 // 100 Gbit/s: beyond any radio or fibre access link
	maxLatencyMs = 600000 // 10 minutes
)

// ReadMeasurements validates every row of a measurements table. Accepted
// rows reach onBatch in batches of cfg.BatchSize (the batch is reused after
// onBatch returns); each rejected row reaches onReject. Either callback may
// return an error to stop. The report counts every row read:
// RowsRead == Accepted + Rejected.
//
// Rules (docs/data-contract.md): ts, carrier, tech, lon, lat required; lon
// in −180…180, lat in −90…90, not 0,0, inside cfg.Bounds if given, else
// in Viet Nam's extent (geodata.NearVietNam); ts not before cfg.Earliest
// nor after cfg.Now+cfg.FutureSlack; signal_dbm in the 3GPP reporting
// range of the technology (engine.SignalRange) or below its reporting
// floor down to engine.MinSignalDBm (censored, engine.Censored: kept as
// evidence of weak signal, not rejected); a row with
// service "none" must have no signal, no speed above 0 and no latency,
// and is kept as a negative test; a row
// with service "ok" needs a signal or a speed or latency value; speeds and
// latency non-negative; enums as the contract lists them; a row whose values
// all equal an earlier accepted row's, however written, is a duplicate.
func ReadMeasurements(ctx context.Context, rec Records, m *Mapping, cfg Config,
	onBatch func(*engine.MeasurementBatch) error, onReject func(Reject) error) (*Report, error) {
	batch := &engine.MeasurementBatch{}
	// The accepted rows are written (onBatch: partitioning and encoding
	// them) on another goroutine while the next batch is validated.
	w := newBatchWriter(onBatch)
	var row engine.Measurement
	var naive bool       // the row parsed last had a time without offset
	var period naiveSpan // of the accepted rows' times without offset
	var line int64       // of the row parsed last
	parse := func(p *parser, f []string) *rowError {
		e := p.measurement(f, &row)
		naive, line = p.rowNaive, p.line
		return e
	}
	// A repeat is told by the row's values as the dataset stores them,
	// by the first word of the hash the dataset compares across files
	// (engine.Measurement.ValueHash): the same test written another way
	// (a time in another offset, -95.0 for -95, LTE for 4G, a carrier's
	// other spelling) is a repeat, within a file as across files.
	key := func() uint64 { return row.ValueHash()[0] }
	rep, err := run(ctx, KindMeasurements, rec, m, cfg, parse, key,
		func() {
			if cfg.AcceptedMeasurement != nil {
				cfg.AcceptedMeasurement(line, &row)
			}
			batch.Append(row)
			if naive {
				period.add(row.TimeUnixMs)
			}
		},
		func() error {
			var err error
			batch, err = w.hand(batch)
			return err
		},
		func() int { return batch.Len() }, onReject)
	if werr := w.close(); err == nil {
		err = werr
	}
	if rep != nil && m != nil && m.Timezone != "" {
		// The mapping's zone (bind loaded it already), labelled with the
		// offsets its times were read with.
		if loc, lerr := LoadZone(m.Timezone); lerr == nil {
			rep.Zone = zoneLabel(m.Timezone, loc, period, cfg.Now)
		}
	}
	return rep, err
}

// unixHint, for a whole number read as Unix milliseconds (the contract's
// default) that lands outside the accepted times, says so and, when the
// number read in another unit (ms·scale) would be accepted, names the
// mapping's unit for it.
func (p *parser) unixHint(ts string, ms int64, scale float64, unit, name string) string {
	if u := p.b.units["ts"]; (u != "" && u != "auto") || !allDigits(ts) {
		return ""
	}
	h := fmt.Sprintf(" (read as Unix milliseconds: %s)", time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z"))
	if alt := float64(ms) * scale; alt >= float64(p.minMs) && alt <= float64(p.maxMs) {
		h += fmt.Sprintf("; if the file's times are Unix %s, set the mapping's \"units\": {\"ts\": %q}", name, unit)
	}
	if excelDateRE.MatchString(ts) {
		// An Excel date cell saved as a number without its time.
		if day, _, err := excelDays(ts, time.UTC); err == nil {
			h += fmt.Sprintf("; %s looks like an Excel serial day number without a time of day (%s): the column holds dates alone; export the date and time, or read them as dates at midnight with the mapping's \"units\": {\"ts\": \"excel_days\"}",
				ts, time.UnixMilli(day).UTC().Format("2006-01-02"))
		}
	}
	return h
}

func (p *parser) measurement(f []string, r *engine.Measurement) *rowError {
	b := p.b
	// A Wi-Fi test is set aside whatever else it holds: tech is read
	// first, its other problems said in the contract's order.
	tech, techErr := p.tech(contract.MeasTech, b.field(f, contract.MeasTech))
	if techErr != nil && techErr.reason == ReasonNotCellular {
		return techErr
	}
	var e *rowError
	ts := b.field(f, contract.MeasTS)
	if e = p.required(contract.MeasTS, ts); e != nil {
		return e
	}
	ms, naive, err := parseTime(ts, b.units["ts"], b.loc)
	if err != nil {
		return &rowError{"ts", ts, ReasonInvalidTime, err.Error()}
	}
	p.rowNaive = naive
	if naive && ms%60000 == 0 {
		// Whole minutes only (ms%60000 is the wall clock's too: zones
		// are offset by whole minutes): the zone's wall clock looked up
		// for those alone.
		t := time.UnixMilli(ms).In(b.loc)
		p.rowMidnight = t.Hour() == 0 && t.Minute() == 0
	}
	if ms < p.minMs {
		return &rowError{"ts", ts, ReasonOutOfRange, "before " + p.cfg.Earliest.Format("2006-01-02") + p.unixHint(ts, ms, 1000, "unix_s", "seconds")}
	}
	if ms > p.maxMs {
		return &rowError{"ts", ts, ReasonFutureTime, "later than the ingest time " + p.cfg.Now.UTC().Format("2006-01-02T15:04:05Z") +
			p.unixHint(ts, ms, 1.0/1000, "unix_us", "microseconds")}
	}
	r.TimeUnixMs = ms
	if r.Carrier, e = p.carrier(contract.MeasCarrier, b.field(f, contract.MeasCarrier)); e != nil {
		return e
	}
	if techErr != nil {
		if tech, techErr = p.techless(f, techErr); techErr != nil {
			return techErr
		}
	}
	r.Tech = tech
	if r.Lon, r.Lat, e = p.lonLat(contract.MeasLon, contract.MeasLat, b.field(f, contract.MeasLon), b.field(f, contract.MeasLat)); e != nil {
		return e
	}
	svc := b.field(f, contract.MeasService)
	if r.Service, err = engine.ParseService(svc); err != nil {
		return &rowError{"service", svc, ReasonInvalidEnum, err.Error()}
	}
	sig, sigCol := b.signalField(f, contract.MeasSignal, r.Tech)
	if r.SignalDBm, e = p.signal(sig, r.Tech); e != nil {
		e.col = sigCol
		return e
	}
	if r.Service == engine.ServiceNone && !math.IsNaN(r.SignalDBm) {
		return &rowError{sigCol, sig, ReasonInconsistent, "service is \"none\" but a signal is given; leave signal_dbm empty for a no-service test"}
	}
	if r.RSRQDB, e = p.number(contract.MeasRSRQ, b.field(f, contract.MeasRSRQ), -43, 20); e != nil {
		return e
	}
	if r.SINRDB, e = p.number(contract.MeasSINR, b.field(f, contract.MeasSINR), -50, 60); e != nil {
		return e
	}
	if r.DLMbps, e = p.speed(contract.MeasDL, b.field(f, contract.MeasDL)); e != nil {
		return e
	}
	if r.ULMbps, e = p.speed(contract.MeasUL, b.field(f, contract.MeasUL)); e != nil {
		return e
	}
	lat := b.field(f, contract.MeasLatency)
	if r.LatencyMs, e = p.number(contract.MeasLatency, lat, 0, maxLatencyMs*msScale(b.units["latency_ms"])); e != nil {
		return e
	}
	if b.units["latency_ms"] == "s" {
		r.LatencyMs *= 1000
	}
	if r.Service == engine.ServiceNone {
		// No network, yet data moved or a round trip came back: one of
		// the two is wrong. A zero speed moved nothing (an idle bitrate,
		// or a test that failed) and is kept.
		switch {
		case r.DLMbps > 0:
			return &rowError{"dl_mbps", b.field(f, contract.MeasDL), ReasonInconsistent, "service is \"none\" but a download speed is given; a no-service test moves no data"}
		case r.ULMbps > 0:
			return &rowError{"ul_mbps", b.field(f, contract.MeasUL), ReasonInconsistent, "service is \"none\" but an upload speed is given; a no-service test moves no data"}
		case !math.IsNaN(r.LatencyMs):
			return &rowError{"latency_ms", lat, ReasonInconsistent, "service is \"none\" but a latency is given; without a network no reply comes back"}
		}
	}
	if r.Service == engine.ServiceOK && math.IsNaN(r.SignalDBm) && math.IsNaN(r.DLMbps) && math.IsNaN(r.ULMbps) && math.IsNaN(r.LatencyMs) {
		detail := "service is \"ok\" but the row has no signal, speed or latency; a failed test needs service \"none\""
		if b.bySignal && b.sigIdx[r.Tech] < 0 {
			detail += fmt.Sprintf(" (the mapping's signal_columns names no column for %s's %s)", r.Tech, r.Tech.SignalMeasure())
		}
		if h := b.unreadSignal[r.Tech]; h != "" {
			detail += fmt.Sprintf(" (the file's column %q, %s's %s, is not read: the mapping's signal_columns reads each technology's own column; validate --suggest-mapping proposes it)", h, r.Tech, r.Tech.SignalMeasure())
		}
		return &rowError{sigCol, "", ReasonInconsistent, detail}
	}
	s := p.optionalEnum(b.field(f, contract.MeasSource))
	if r.Source, err = engine.ParseSource(s); err != nil {
		return &rowError{"source", s, ReasonInvalidEnum, err.Error()}
	}
	r.DeviceID = b.field(f, contract.MeasDeviceID)
	if personalID(r.DeviceID) != "" {
		// A phone number or an IMEI is not stored anywhere: the row is
		// kept without it (a pseudonym that happens to look like one
		// loses only its device count) and the report counts it.
		r.DeviceID, p.rowID = "", true
	}
	s = p.optionalEnum(b.field(f, contract.MeasDeviceClass))
	if r.DeviceClass, err = engine.ParseDeviceClass(s); err != nil {
		return &rowError{"device_class", s, ReasonInvalidEnum, err.Error()}
	}
	s = p.optionalEnum(b.field(f, contract.MeasEnvironment))
	if r.Environment, err = engine.ParseEnvironment(s); err != nil {
		return &rowError{"environment", s, ReasonInvalidEnum, err.Error()}
	}
	s = b.field(f, contract.MeasSpeedTest)
	test, err := parseSpeedTest(s)
	if err != nil {
		return &rowError{"speed_test", s, ReasonInvalidEnum, err.Error()}
	}
	hasSpeed := !math.IsNaN(r.DLMbps) || !math.IsNaN(r.ULMbps)
	if test && b.speed == SpeedRulePositive && !(r.DLMbps > 0) && !(r.ULMbps > 0) {
		test = false
	}
	if e = p.serving(f, r); e != nil {
		return e
	}
	r.Speed = engine.SpeedTested
	if hasSpeed && !test {
		r.Speed = engine.SpeedIdle
	}
	p.rowIdle = r.Speed == engine.SpeedIdle
	return nil
}

// techless reads the technology of a row whose tech is empty or a
// placeholder for no value (optionalEnum), rejected as techErr: a phone
// that found no network (service none or emergency; not a drive test, not
// a scanner) has no technology to report, and crowd apps write none. Such a
// row is kept with the highest technology the device searches, 4G (2G for
// a feature phone), and counted (Report.NoServiceWithoutTech): the
// dead-zone evidence reads a phone's no-service row as a bound on every
// technology it could camp on, whatever its tech says (engine/deadzone,
// Evidence), and the aggregates count it under that technology. A drive
// test or a scanner measures each technology on its own, so its
// no-service row bounds the technology named alone: without one it stays
// rejected, saying so. Any other row keeps techErr.
func (p *parser) techless(f []string, techErr *rowError) (engine.Tech, *rowError) {
	b := p.b
	if techErr.reason != ReasonMissingValue && techErr.reason != ReasonInvalidEnum || engine.IsCDMA(techErr.value) {
		return 0, techErr
	}
	if svc, err := engine.ParseService(b.field(f, contract.MeasService)); err != nil || svc == engine.ServiceOK {
		return 0, techErr
	}
	// A source or device class that does not parse rejects the row
	// below, in the contract's order.
	src, _ := engine.ParseSource(p.optionalEnum(b.field(f, contract.MeasSource)))
	class, _ := engine.ParseDeviceClass(p.optionalEnum(b.field(f, contract.MeasDeviceClass)))
	measured := src == engine.SourceDrive || class == engine.DeviceScanner
	if v := techErr.value; p.optionalEnum(v) != "" {
		if measured {
			return 0, techErr
		}
		// A phone's no-service row in a spelling that is no placeholder
		// lomsong knows: the tool's own word for "no technology", as
		// likely as a technology's name. Mapping it onto a technology
		// would label that tool's rows with service too.
		e := *techErr
		e.detail += fmt.Sprintf("; on a phone's no-service row tech may be empty or a placeholder (unknown, N/A, -): the row is kept, stored as 4G (2G for a feature phone). "+
			"If %q is how the file writes no technology, map it to \"\" in the mapping's \"values\" for tech (\"values\": {\"tech\": {%q: \"\"}}); if it names a technology, map it to that one", v, v)
		return 0, &e
	}
	if measured {
		who := "a drive test"
		if src != engine.SourceDrive {
			who = "a scanner"
		}
		// A placeholder is no value here, as on a phone's row: not a
		// spelling the mapping's values could map (invalid_enum).
		e := *techErr
		e.reason = ReasonMissingValue
		e.detail = fmt.Sprintf("tech is required on a no-service row of %s: a drive test or a scanner measures each technology on its own, so its no-service row bounds only the technology it names; name it (a phone's no-service row may leave tech empty)", who)
		return 0, &e
	}
	p.rowNoTech = true
	if class == engine.DeviceFeature {
		return engine.Tech2G, nil
	}
	return engine.Tech4G, nil
}

func msScale(unit string) float64 {
	if unit == "s" {
		return 1.0 / 1000
	}
	return 1
}

// signal converts and range-checks a signal value for tech t.
func (p *parser) signal(s string, t engine.Tech) (float64, *rowError) {
	if s == "" {
		return math.NaN(), nil
	}
	v, e := p.number(contract.MeasSignal, s, math.Inf(-1), math.Inf(1))
	if e != nil {
		return 0, e
	}
	switch p.b.units["signal_dbm"] {
	case "asu":
		// 99 (and 255) are "not known or not detectable", not levels: on
		// LTE 99 would read as −41 dBm, the strongest signal there is.
		if top := asuMax(t); top > 0 && !(v >= 0 && v <= top) {
			return 0, &rowError{"signal_dbm", s, ReasonOutOfRange, fmt.Sprintf("ASU %s is outside 0–%g for %s (99 and 255 mean the level is not known)", s, top, t)}
		}
		v = asuToDBm(t, v)
	case "mw":
		if v <= 0 {
			return 0, &rowError{"signal_dbm", s, ReasonOutOfRange, "power in mW must be positive"}
		}
		// Kept to 10⁻⁹ dB: 10^(−8.55) mW reads as −85.5 dBm, not
		// −85.49999999999999, whose percentiles (rounded to whole dB)
		// then differed from the same reading given in dBm.
		v = math.Round(10*math.Log10(v)*1e9) / 1e9
	}
	// Below the reporting floor down to engine.MinSignalDBm is a censored
	// reading (a scanner's, typically), kept as evidence of weak signal.
	if !engine.AcceptedSignal(t, v) {
		_, hi := engine.SignalRange(t)
		hint := ""
		if u := p.b.units["signal_dbm"]; v > 0 && (u == "" || u == "dbm") {
			// A carrier's export that drops the sign, or writes a level
			// index (RxLev 0–63, ASU) under a dBm name: every row lands here.
			hint = "; levels in dBm are negative: a level written without its minus sign, or an index (RxLev, ASU: \"units\": {\"signal_dbm\": \"asu\"}) under a dBm name?"
		}
		return 0, &rowError{"signal_dbm", s, ReasonOutOfRange,
			fmt.Sprintf("%s %s dBm outside the possible %d…%g dBm%s", t.SignalMeasure(), strconv.FormatFloat(v, 'g', -1, 64), engine.MinSignalDBm, hi, hint)}
	}
	return v, nil
}

// speed converts a speed to Mbit/s and checks it is non-negative.
func (p *parser) speed(col int, s string) (float64, *rowError) {
	if s == "" {
		return math.NaN(), nil
	}
	v, e := p.number(col, s, math.Inf(-1), math.Inf(1))
	if e != nil {
		return 0, e
	}
	if v < 0 {
		return 0, &rowError{p.b.cols[col], s, ReasonOutOfRange, "speed must not be negative"}
	}
	switch p.b.units[p.b.cols[col]] {
	case "kbps":
		v /= 1000
	case "bps":
		v /= 1e6
	}
	if v > maxSpeedMbps {
		return 0, &rowError{p.b.cols[col], s, ReasonOutOfRange, fmt.Sprintf("%s Mbit/s is above the plausible %d", strconv.FormatFloat(v, 'g', -1, 64), maxSpeedMbps)}
	}
	return v, nil
}

// serving reads the optional serving-cell columns into r.Serving (nil
// when the row names none).
func (p *parser) serving(f []string, r *engine.Measurement) *rowError {
	b := p.b
	r.Serving = nil
	if !b.has[contract.MeasCellID] && !b.has[contract.MeasNodeID] && !b.has[contract.MeasPCI] && !b.has[contract.MeasARFCN] && !b.has[contract.MeasBand] {
		return nil
	}
	sc := engine.ServingCell{CellID: b.field(f, contract.MeasCellID), NodeID: b.field(f, contract.MeasNodeID), Band: b.field(f, contract.MeasBand), PCI: -1, ARFCN: -1}
	if e := p.cellNumbers(f, contract.MeasPCI, contract.MeasARFCN, &sc); e != nil {
		return e
	}
	if sc != (engine.ServingCell{PCI: -1, ARFCN: -1}) {
		r.Serving = &sc
	}
	return nil
}

// cellNumbers reads a cell's PCI (0…maxPCI) and ARFCN (0…maxARFCN),
// whole numbers, into c; empty fields leave −1. Measurements and sites
// share it.
func (p *parser) cellNumbers(f []string, pciCol, arfcnCol int, c *engine.ServingCell) *rowError {
	for _, n := range []struct {
		col int
		max float64
		dst *int32
	}{{pciCol, maxPCI, &c.PCI}, {arfcnCol, maxARFCN, &c.ARFCN}} {
		s := p.b.field(f, n.col)
		v, e := p.number(n.col, s, 0, n.max)
		if e != nil {
			return e
		}
		if math.IsNaN(v) {
			continue
		}
		if v != math.Trunc(v) {
			return &rowError{p.b.cols[n.col], s, ReasonInvalidNumber, "not a whole number"}
		}
		*n.dst = int32(v)
	}
	return nil
}

// personalID says what a device_id is when it identifies a person's
// phone — "a phone number" (a Vietnamese mobile number: 0, 84, +84 or 0084,
// then 3, 5, 7, 8 or 9 and eight digits; spaces, dots, dashes and
// brackets aside) or "an IMEI" (15 digits passing the Luhn check, whatever
// their first two; 14 digits, an IMEI written without its check digit; 16
// digits, an IMEISV with its software version; a leading "IMEI" or
// "IMEISV" label and a "/SV" suffix aside; all zeros, what tools write
// when the IMEI is not known, is none) — and "" otherwise. A random
// 15-digit pseudonym passes the Luhn check one time in ten, and numeric
// pseudonyms of 14 or 16 digits are taken for IMEIs: such a device_id
// is withheld (its rows keep everything else).
func personalID(id string) string {
	if id == "" || len(id) > 32 {
		return ""
	}
	s := strings.TrimSpace(id)
	if len(s) >= 4 && strings.EqualFold(s[:4], "imei") {
		s = s[4:]
		if len(s) >= 2 && strings.EqualFold(s[:2], "sv") {
			s = s[2:]
		}
		s = strings.TrimLeft(s, " :#=")
	}
	if i := strings.IndexByte(s, '/'); i > 0 {
		s = s[:i] // 356938035643809/01: an IMEI with its software version
	}
	digits := make([]byte, 0, len(s))
	plus := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '+' && len(digits) == 0 && !plus:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return ""
		}
	}
	d := string(digits)
	if !plus && strings.HasPrefix(d, "0084") {
		d, plus = d[2:], true
	}
	mobile := func(rest string) bool { // a Vietnamese mobile number after its prefix: 3, 5, 7, 8 or 9 and 8 digits
		return len(rest) == 9 && (rest[0] == '3' || rest[0] == '5' || rest[0] == '7' || rest[0] == '8' || rest[0] == '9')
	}
	switch {
	case len(d) == 11 && d[:2] == "84" && mobile(d[2:]):
		return "a phone number"
	case !plus && len(d) == 10 && d[0] == '0' && mobile(d[1:]):
		return "a phone number"
	case plus || strings.Trim(d, "0") == "":
	case len(d) == 15 && luhn(d), len(d) == 14, len(d) == 16:
		return "an IMEI"
	}
	return ""
}

// luhn reports whether a string of digits passes the Luhn check (the
// IMEI's check digit, ISO/IEC 7812-1 Annex B).
func luhn(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// optionalEnum reads a placeholder for a missing value ("unknown", "N/A",
// "-": noValue) in an optional enum column (source, device_class,
// environment) as the empty value, unknown, as the column's absence would
// be: the row's reading is kept. Such a placeholder rejected the whole row
// as invalid_enum, and a mapping cannot map a spelling to no value.
// The answer is kept per spelling (a column holds a few), as noValue
// folds and slugs its text: per row, about a tenth of an ingest's CPU.
func (p *parser) optionalEnum(s string) string {
	if s == "" {
		return s
	}
	placeholder, ok := p.placeholders[s]
	if !ok {
		placeholder = noValue(s)
		if p.placeholders == nil {
			p.placeholders = map[string]bool{}
		}
		if len(p.placeholders) < maxCacheEntries {
			p.placeholders[s] = placeholder
		}
	}
	if placeholder {
		return ""
	}
	return s
}

// batchWriter runs a write function on its own goroutine, one batch at a
// time and in the order handed, with two batches in turn: one written
// while the other fills.
type batchWriter struct {
	write   func(*engine.MeasurementBatch) error
	spare   *engine.MeasurementBatch
	pending chan error // the batch being written's result; nil: none
	err     error      // the first write error
}

func newBatchWriter(write func(*engine.MeasurementBatch) error) *batchWriter {
	return &batchWriter{write: write, spare: &engine.MeasurementBatch{}}
}

// wait waits for the batch being written, if any, and returns the first
// write error so far.
func (w *batchWriter) wait() error {
	if w.pending != nil {
		if err := <-w.pending; w.err == nil {
			w.err = err
		}
		w.pending = nil
	}
	return w.err
}

// hand starts writing b and returns an empty batch to fill next, and the
// error of an earlier write (after which nothing more is written).
func (w *batchWriter) hand(b *engine.MeasurementBatch) (*engine.MeasurementBatch, error) {
	if err := w.wait(); err != nil {
		b.Reset()
		return b, err
	}
	next := w.spare
	next.Reset()
	w.spare = b
	done := make(chan error, 1)
	w.pending = done
	go func() { done <- w.write(b) }()
	return next, nil
}

// close waits for the last write and returns the first write error.
func (w *batchWriter) close() error { return w.wait() }
