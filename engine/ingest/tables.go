package ingest

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/lomsong/lomsong/engine"
)

// The villages and subscriptions tables of the input contract.
const (
	KindVillages      Kind = "villages"
	KindSubscriptions Kind = "subscriptions"
)

var (
	VillageColumns        = []string{"village_id", "name", "commune_code", "lon", "lat", "households"}
	VillageRequired       = []string{"village_id", "lon", "lat", "households"}
	SubscriptionColumns   = []string{"area_code", "period", "households", "fiber_households", "mobile_subscribers", "smartphone_subscribers", "only_2g_subscribers", "surveyed_households", "surveyed_with_smartphone", "fixed_median_dl_mbps"}
	SubscriptionRequired  = []string{"area_code", "period"}
	maxCount              = 1e9  // no area has a billion households or subscribers
	maxMedianMbps         = 1e5  // 100 Gbit/s: above any broadband plan's median
	minMedianMbps         = 0.01 // 10 kbit/s: below any broadband median (and a ratio of medians stays finite)
	periodRE              = regexp.MustCompile(`^(19|20)\d\d-(0[1-9]|1[0-2])$`)
	subscriptionCountCols = []int{2, 3, 4, 5, 6, 7, 8}
	// subscriptionFixedSpeedCol is fixed_median_dl_mbps, a speed (not a
	// count) up to maxMedianMbps.
	subscriptionFixedSpeedCol = 9
)

// ReadVillages validates a villages table: village_id, lon, lat and
// households required; households a non-negative count.
func ReadVillages(ctx context.Context, rec Records, m *Mapping, cfg Config,
	onBatch func([]engine.Village) error, onReject func(Reject) error) (*Report, error) {
	var row engine.Village
	// A village id names one village: a second row with an id already
	// accepted is rejected (the first is kept), or the village's
	// households would count twice.
	ids := map[string]bool{}
	// A name read in a legacy encoding the file is not in is other
	// letters ("B¶n M­êng" for Bản Mường): rejected, never stored so.
	encoding := m.CSVEncoding()
	parse := func(p *parser, f []string) *rowError {
		b := p.b
		row = engine.Village{ID: nfc(b.field(f, 0)), Name: nfc(b.field(f, 1)), CommuneCode: nfc(b.field(f, 2))}
		if e := p.required(0, row.ID); e != nil {
			return e
		}
		if why := misread(row.Name, encoding); why != "" {
			return &rowError{b.cols[1], row.Name, ReasonInvalidUTF8, why}
		}
		if ids[row.ID] {
			return &rowError{"village_id", row.ID, ReasonDuplicate, "repeats the village id of an earlier row, which is kept"}
		}
		var e *rowError
		if row.Lon, row.Lat, e = p.lonLat(3, 4, b.field(f, 3), b.field(f, 4)); e != nil {
			return e
		}
		hh := b.field(f, 5)
		if e = p.required(5, hh); e != nil {
			return e
		}
		if row.Households, e = p.number(5, hh, 0, maxCount); e != nil {
			return e
		}
		if !b.comma && groupedByPoint.MatchString(hh) {
			// "1.200" is 1,200 households as a Vietnamese register groups
			// them, not 1.2; an estimate keeps its fraction written
			// otherwise.
			return &rowError{b.cols[5], hh, ReasonInvalidNumber, fmt.Sprintf("reads as %s households grouped with a point, or as %s: write %[1]s without grouping, or a fraction with other than three decimals",
				strings.ReplaceAll(hh, ".", ""), strconv.FormatFloat(row.Households, 'f', -1, 64))}
		}
		ids[row.ID] = true
		return nil
	}
	return runRows(ctx, KindVillages, rec, m, cfg, &row, parse, onBatch, onReject)
}

// ReadSubscriptions validates a subscriptions table: area_code and period
// (YYYY-MM) required; every count optional and non-negative;
// surveyed_with_smartphone not above surveyed_households.
func ReadSubscriptions(ctx context.Context, rec Records, m *Mapping, cfg Config,
	onBatch func([]engine.Subscription) error, onReject func(Reject) error) (*Report, error) {
	var row engine.Subscription
	// An area and month has one row: a second is rejected (the first is
	// kept); two rows of one key made every scorecard of the month fail.
	type areaMonth struct{ area, period string }
	seen := map[areaMonth]bool{}
	parse := func(p *parser, f []string) *rowError {
		b := p.b
		row = engine.Subscription{AreaCode: b.field(f, 0), Period: b.field(f, 1)}
		if e := p.required(0, row.AreaCode); e != nil {
			return e
		}
		if e := p.required(1, row.Period); e != nil {
			return e
		}
		if !periodRE.MatchString(row.Period) {
			return &rowError{"period", row.Period, ReasonInvalidTime, "want YYYY-MM" + periodHint(row.Period)}
		}
		// The ingest month in Vietnam time, as periods are (at 01:00 on
		// 1 July there, the month is July though UTC is in June).
		if row.Period > p.cfg.Now.In(vietnamZone).Format("2006-01") {
			return &rowError{"period", row.Period, ReasonFutureTime, "after the ingest month"}
		}
		dst := []*float64{&row.Households, &row.FiberHouseholds, &row.MobileSubscribers, &row.SmartphoneSubscribers,
			&row.Only2GSubscribers, &row.SurveyedHouseholds, &row.SurveyedWithSmartphone}
		for i, col := range subscriptionCountCols {
			raw := b.field(f, col)
			v, e := p.number(col, raw, 0, maxCount)
			if e != nil {
				return e
			}
			if !math.IsNaN(v) && v != math.Trunc(v) {
				// Households and subscribers are counted, never estimated
				// here; "105.421" is 105,421 grouped with a point far more
				// often than a fraction of a household.
				detail := "a count must be a whole number"
				if groupedByPoint.MatchString(raw) {
					detail += ": a point grouping thousands? write the digits without grouping (" + strings.ReplaceAll(raw, ".", "") + ")"
				}
				return &rowError{b.cols[col], raw, ReasonInvalidNumber, detail}
			}
			*dst[i] = v
		}
		if !math.IsNaN(row.SurveyedWithSmartphone) && (math.IsNaN(row.SurveyedHouseholds) || row.SurveyedWithSmartphone > row.SurveyedHouseholds) {
			return &rowError{"surveyed_with_smartphone", b.field(f, 8), ReasonInconsistent, "more surveyed households with a smartphone than surveyed households"}
		}
		v, e := p.number(subscriptionFixedSpeedCol, b.field(f, subscriptionFixedSpeedCol), 0, maxMedianMbps)
		if e != nil {
			return e
		}
		if v < minMedianMbps {
			return &rowError{"fixed_median_dl_mbps", b.field(f, subscriptionFixedSpeedCol), ReasonOutOfRange,
				fmt.Sprintf("a median broadband speed is at least %g Mbit/s (leave it empty when not measured)", minMedianMbps)}
		}
		row.FixedMedianDLMbps = v
		k := areaMonth{row.AreaCode, row.Period}
		if seen[k] {
			return &rowError{"period", row.Period, ReasonDuplicate, "repeats the area and month of an earlier row, which is kept"}
		}
		seen[k] = true
		return nil
	}
	return runRows(ctx, KindSubscriptions, rec, m, cfg, &row, parse, onBatch, onReject)
}

// groupedByPoint matches digits grouped by three with points (105.421,
// 1.054.210), the Vietnamese and German way of writing thousands.
var groupedByPoint = regexp.MustCompile(`^\d{1,3}(\.\d{3})+$`)

// periodHint says why a period that is not YYYY-MM may be one a
// spreadsheet rewrote, or one written without the month's leading zero;
// else "".
func periodHint(s string) string {
	switch {
	case len(s) == 6 && s[4] == '-' && allDigits(s[:4]) && allDigits(s[5:]):
		return fmt.Sprintf(" (the month with two digits: %s-0%s)", s[:4], s[5:])
	case strings.ContainsAny(s, "/ ") || len(s) == 10 && s[4] == '-' && s[7] == '-' || strings.IndexFunc(s, unicode.IsLetter) >= 0:
		return "; a spreadsheet turns 2024-10 into a date and saves it as one (\"Oct-24\", \"01/10/2024\", \"2024-10-01\"): format the column as Text and type the month as YYYY-MM"
	}
	return ""
}
