package ingest

import (
	"context"
	"math"
	"regexp"

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
	maxCount              = 1e9 // no area has a billion households or subscribers
	maxMedianMbps         = 1e5 // 100 Gbit/s: above any broadband plan's median
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
	parse := func(p *parser, f []string) *rowError {
		b := p.b
		row = engine.Village{ID: b.field(f, 0), Name: b.field(f, 1), CommuneCode: b.field(f, 2)}
		if e := p.required(0, row.ID); e != nil {
			return e
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
			return &rowError{"period", row.Period, ReasonInvalidTime, "want YYYY-MM"}
		}
		if row.Period > p.cfg.Now.Format("2006-01") {
			return &rowError{"period", row.Period, ReasonFutureTime, "after the ingest month"}
		}
		dst := []*float64{&row.Households, &row.FiberHouseholds, &row.MobileSubscribers, &row.SmartphoneSubscribers,
			&row.Only2GSubscribers, &row.SurveyedHouseholds, &row.SurveyedWithSmartphone}
		for i, col := range subscriptionCountCols {
			v, e := p.number(col, b.field(f, col), 0, maxCount)
			if e != nil {
				return e
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
		if v == 0 {
			return &rowError{"fixed_median_dl_mbps", b.field(f, subscriptionFixedSpeedCol), ReasonOutOfRange, "a median speed must be above 0 (leave it empty when not measured)"}
		}
		row.FixedMedianDLMbps = v
		return nil
	}
	return runRows(ctx, KindSubscriptions, rec, m, cfg, &row, parse, onBatch, onReject)
}
