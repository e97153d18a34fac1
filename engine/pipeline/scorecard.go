package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/internal/sigfig"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
)

// ScorecardOptions control Scorecard.
type ScorecardOptions struct {
	Config     scorecard.Config
	Projection *penetration.Projection // households projected from the census for areas without a count
	Model      penetration.SmartphoneModel
	Shrinkage  penetration.Shrinkage
	Bootstrap  penetration.Bootstrap
	Seed       uint64 // the bootstrap's seed
	// Areas attributes measurements to areas for the speed target; nil
	// leaves target 5 unknown.
	Areas *geodata.BoundarySet
	// DeadZones holds per area the dead-zone figures of the periods for
	// which dead zones were computed (others stay unknown).
	DeadZones map[penetration.Period]map[string]*scorecard.DeadZones
	// DeadZonesMissing says, for periods whose dead zones could not be
	// computed, why (see MonthDeadZones); target 1 is unknown there with
	// that reason.
	DeadZonesMissing map[penetration.Period]string
	// Periods restricts the rows (nil = every period with data).
	Periods []penetration.Period
	// Period is the month the card is made for (the one scored,
	// scorecard.Card.Period): its rows' latest need not be it (a card of
	// September re-scored after October's data came). Zero leaves it
	// unset.
	Period penetration.Period
	// EveryArea are the periods in which every area of Config.Areas gets
	// a row, its targets unknown where it has no data (a card of the
	// month scores every province, saying which have nothing), when the
	// period has data in some area (a month with none stays without rows,
	// for the caller to refuse).
	EveryArea []penetration.Period
	// MeasuredAreas are the periods in which an area with a mobile speed
	// change (speed tests in the period or the same month a year before)
	// but neither a subscription row nor dead-zone figures gets the row
	// EveryArea would give it, when the period has data in some area, and
	// the areas without any data get none: a card of one area (scorecard
	// --province) shows the area's row as the card of every area does,
	// and has none to show only where that card's row says the area has
	// no data at all.
	MeasuredAreas []penetration.Period
	// Coverage, when set, makes the speed trend read each month's saved
	// pass over the measurements (the one coverage and dead zones on these
	// options read; made and saved when missing) instead of a pass of its
	// own over every month.
	Coverage *CoverageOptions
}

// DefaultScorecardOptions are the scorecard's options for areas drawn from
// boundaries (lomsong's --boundaries: "provinces2025", the default when
// empty, "provinces2019", or a file of other areas) with the bootstrap's
// seed: the default targets, smartphone model, shrinkage and bootstrap,
// and the census projection of the boundaries' provinces (2019 or 2025;
// none for other areas, whose household counts come from their
// subscriptions alone). DeadZones and DeadZonesMissing start empty.
func DefaultScorecardOptions(areas *geodata.BoundarySet, boundaries string, seed uint64) ScorecardOptions {
	var proj penetration.Projection
	switch boundaries {
	case "provinces2019":
		proj = penetration.Census2019Projection()
	case "", "provinces2025":
		proj = penetration.Census2025Projection()
	default:
		proj = penetration.Projection{Base: map[string]penetration.AreaBase{}}
	}
	cfg := scorecard.DefaultConfig()
	if areas != nil {
		for _, u := range areas.Units() {
			cfg.Areas = append(cfg.Areas, u.Code)
		}
	}
	return ScorecardOptions{Config: cfg, Model: penetration.DefaultSmartphoneModel(),
		Shrinkage: penetration.DefaultShrinkage(), Bootstrap: penetration.DefaultBootstrap(), Seed: seed, Areas: areas,
		Projection: &proj, DeadZones: map[penetration.Period]map[string]*scorecard.DeadZones{},
		DeadZonesMissing: map[penetration.Period]string{}}
}

// Scorecard scores every area and period of the dataset's subscriptions
// (targets 2–4), dead zones (target 1) and measured speeds (target 5).
func Scorecard(ctx context.Context, s Store, opt ScorecardOptions) (*scorecard.Card, error) {
	subs, err := s.Subscriptions()
	if err != nil {
		return nil, err
	}
	// Rows of codes that are no area of the boundary set are left out,
	// each code named with why: scored, they ranked among the provinces
	// and moved the national figures.
	var excluded []scorecard.ExcludedArea
	var summed []scorecard.SummedMonth
	// Areas a month on the former areas gives only some of the former
	// areas of: (period, area) → why their figures are unknown.
	var partial map[[2]string]string
	if opt.Areas != nil {
		subs, summed, partial = onCurrentAreas(opt.Areas, subs)
		subs, partial = besideLateFormerAreas(opt.Areas, subs, partial)
		subs, partial = mergedOnFormerAreas(opt.Areas, subs, partial)
		kept := subs[:0:0]
		n := map[string]int{}
		for _, x := range subs {
			if _, ok := opt.Areas.ByCode(x.AreaCode); ok {
				kept = append(kept, x)
			} else {
				n[x.AreaCode]++
			}
		}
		subs = kept
		for _, code := range slices.Sorted(maps.Keys(n)) {
			excluded = append(excluded, scorecard.ExcludedArea{Area: code, Rows: n[code], Why: notAnArea(opt.Areas, code)})
		}
	}
	byPeriod := map[penetration.Period][]penetration.Subscription{}
	var periods []penetration.Period
	for _, x := range subs {
		p, err := penetration.ParsePeriod(x.Period)
		if err != nil {
			return nil, fmt.Errorf("pipeline: subscriptions period %q: %w", x.Period, err)
		}
		if byPeriod[p] == nil {
			periods = append(periods, p)
		}
		byPeriod[p] = append(byPeriod[p], penetration.Subscription{AreaCode: x.AreaCode, Period: p, Households: x.Households,
			FiberHouseholds: x.FiberHouseholds, MobileSubscribers: x.MobileSubscribers, SmartphoneSubscribers: x.SmartphoneSubscribers,
			Only2GSubscribers: x.Only2GSubscribers, SurveyedHouseholds: x.SurveyedHouseholds, SurveyedWithSmartphone: x.SurveyedWithSmartphone,
			FixedMedianDLMbps: x.FixedMedianDLMbps})
	}
	for p := range opt.DeadZones {
		if byPeriod[p] == nil {
			periods = append(periods, p)
			byPeriod[p] = []penetration.Subscription{}
		}
	}
	if opt.Projection != nil {
		// An area that gives its own household counts is never given the
		// census's for a month it left blank (penetration.Projection.Reported).
		proj := *opt.Projection
		proj.Reported = map[string]bool{}
		for _, x := range subs {
			if !math.IsNaN(x.Households) {
				proj.Reported[x.AreaCode] = true
			}
		}
		opt.Projection = &proj
	}
	slices.SortFunc(periods, func(a, b penetration.Period) int {
		switch {
		case a.Before(b):
			return -1
		case b.Before(a):
			return 1
		}
		return 0
	})
	speeds := map[penetration.Period]map[string]*penetration.Estimate{}
	if opt.Areas != nil {
		if speeds, err = speedChanges(ctx, s, opt); err != nil {
			return nil, err
		}
	}
	fixed := fixedSpeedChanges(byPeriod)
	measured := s.Periods()
	var inputs []scorecard.AreaInput
	for _, p := range periods {
		if opt.Periods != nil && !slices.Contains(opt.Periods, p) {
			continue
		}
		rows := byPeriod[p]
		slices.SortFunc(rows, func(a, b penetration.Subscription) int { return strings.Compare(a.AreaCode, b.AreaCode) })
		var smart []penetration.Estimate
		if len(rows) > 0 {
			if smart, _, err = penetration.SmartphoneHouseholds(rows, opt.Projection, opt.Model, opt.Shrinkage); err != nil {
				return nil, err
			}
		}
		seen := map[string]bool{}
		for i, r := range rows {
			if seen[r.AreaCode] {
				return nil, fmt.Errorf("pipeline: subscriptions list area %s twice in %s", r.AreaCode, p)
			}
			seen[r.AreaCode] = true
			fibre := penetration.FibreShare(r, opt.Projection)
			twog := penetration.TwoGOnlyShare(r, 0.95)
			sm := smart[i]
			in := scorecard.AreaInput{Area: r.AreaCode, Period: p, Households: households(r, opt.Projection), Smartphone: &sm, Fibre: &fibre, TwoGOnly: &twog,
				Only2GSubscribers: r.Only2GSubscribers, MobileSubscribers: r.MobileSubscribers,
				DeadZones: opt.DeadZones[p][r.AreaCode], SpeedMobile: speeds[p][r.AreaCode], SpeedFixed: fixed[p][r.AreaCode]}
			if why := partial[[2]string{p.String(), r.AreaCode}]; why != "" {
				// Part of the area's counts: no figure of the area.
				for _, x := range []struct {
					t scorecard.Target
					e *penetration.Estimate
				}{{scorecard.TargetSmartphone, in.Smartphone}, {scorecard.TargetFibre, in.Fibre}, {scorecard.TargetTwoGOnly, in.TwoGOnly}} {
					*x.e = penetration.Estimate{Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(),
						Interval: penetration.IntervalNone, Method: x.e.Method, Issues: []string{why}}
					in.Missing[x.t] = why
				}
			}
			in.Missing[scorecard.TargetDeadZones] = opt.DeadZonesMissing[p]
			if opt.DeadZones[p] == nil && in.Missing[scorecard.TargetDeadZones] == "" {
				if _, ok := slices.BinarySearch(measured, p.String()); !ok {
					// Not a month the card computed, and no other card
					// could: say so rather than point to its scorecard.
					in.Missing[scorecard.TargetDeadZones] = "no measurements in " + p.String()
				}
			}
			if in.DeadZones == nil && opt.DeadZones[p] != nil {
				// Dead zones were computed for this period and none of
				// its villages or populated hexes lie in the area.
				in.DeadZones = &scorecard.DeadZones{NoVillages: true, NoHouseholds: true}
				if a := opt.Coverage; a != nil && a.Area != nil && a.Area.Code != "" && a.Area.Code != in.Area {
					// Because they were computed for another area alone:
					// not that the area has no villages.
					in.DeadZones.NoData = fmt.Sprintf("not analysed: the dead zones were computed for %s alone", a.Area)
				}
			}
			inputs = append(inputs, in)
		}
		// Areas with dead-zone figures but no subscription row.
		codes := make([]string, 0, len(opt.DeadZones[p]))
		for c := range opt.DeadZones[p] {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for _, c := range codes {
			if !seen[c] {
				inputs = append(inputs, scorecard.AreaInput{Area: c, Period: p, Households: math.NaN(), DeadZones: opt.DeadZones[p][c], SpeedMobile: speeds[p][c]})
			}
		}
	}
	inputs = withEveryArea(inputs, opt, speeds)
	card, err := scorecard.Build(inputs, opt.Config)
	if err != nil {
		return nil, err
	}
	card.Excluded, card.Summed = excluded, summed
	card.Period = opt.Period
	// The areas' names beside their codes in every table and file of the
	// card (scorecard.csv's area_name, scorecard.json's name): the
	// command's and the service's cards alike.
	card.Names = AreaNames(opt.Areas, card.Config.National)
	return card, nil
}

// households weighs an area's shares in the national row: the row's own
// count, else the census projection its shares were estimated with (an
// area that never gives its own; one that gives them in other months has
// no figure for this one, so it stays NaN).
func households(r penetration.Subscription, proj *penetration.Projection) float64 {
	if !math.IsNaN(r.Households) || proj == nil || proj.Reported[r.AreaCode] {
		return r.Households
	}
	if h, _, _, ok := proj.Households(r.AreaCode, r.Period); ok {
		return h
	}
	return math.NaN()
}

// MonthDeadZones computes the dead zones of month p for target 1: from the
// site register, that month's measurements and households per hex. When
// one of them is missing (scorecard.DeadZoneInputs) it computes nothing and
// returns the reason instead.
func MonthDeadZones(ctx context.Context, s Store, opt DeadZoneOptions, p penetration.Period) (*DeadZoneResult, string, error) {
	if why, err := MonthInputsMissing(s, opt, p); err != nil || why != "" {
		return nil, why, err
	}
	opt.Coverage.Aggregate.Periods = []string{p.String()}
	dz, err := DeadZones(ctx, s, opt)
	why, err := missingWhy(err)
	return dz, why, err
}

// missingWhy turns an error saying the dead zones lack data
// (ErrMissingData: no households in the area) into the reason target 1 is
// unknown; other errors stay errors.
func missingWhy(err error) (string, error) {
	if errors.Is(err, ErrMissingData) {
		return strings.TrimPrefix(err.Error(), "pipeline: "), nil
	}
	return "", err
}

// MonthDeadZonesAndPlan is MonthDeadZones with the plan of the month's dead
// zones for po (DeadZonesAndPlan): both read back from the month's saved
// stages when current, else computed and saved.
func MonthDeadZonesAndPlan(ctx context.Context, s Store, opt DeadZoneOptions, po PlanOptions, p penetration.Period) (*DeadZoneResult, *PlanResult, string, error) {
	if why, err := MonthInputsMissing(s, opt, p); err != nil || why != "" {
		return nil, nil, why, err
	}
	opt.Coverage.Aggregate.Periods = []string{p.String()}
	dz, pr, err := DeadZonesAndPlan(ctx, s, opt, po)
	if why, err := missingWhy(err); why != "" || err != nil {
		return nil, nil, why, err
	}
	return dz, pr, "", nil
}

// MonthDeadZoneFigures returns DeadZoneFigures of month p's dead zones
// (MonthDeadZones), or why they are missing. When the month's dead-zone
// stage is saved and current for opt, the figures are read from it alone:
// not the coverage the verdicts were decided from, which at national
// scale is most of what a read-back of the dead zones reads and which the
// figures do not use. Otherwise the dead zones are computed (and saved)
// as MonthDeadZones computes them. With opt.Communes, a commune set that
// gives none of the villages a commune is refused
// (*deadzone.NoCommuneGivenError, deadzone.CheckCommunes).
func MonthDeadZoneFigures(ctx context.Context, s Store, opt DeadZoneOptions, p penetration.Period) (map[string]*scorecard.DeadZones, string, error) {
	if why, err := MonthInputsMissing(s, opt, p); err != nil || why != "" {
		return nil, why, err
	}
	var dz *DeadZoneResult
	if opt.Coverage.Measured == nil {
		var err error
		if dz, err = savedDeadZones(s, opt, p.String()); err != nil {
			why, err := missingWhy(err)
			return nil, why, err
		}
	}
	if dz == nil {
		// The month's inputs are checked above: computed as MonthDeadZones
		// computes them, without checking them again.
		opt.Coverage.Aggregate.Periods = []string{p.String()}
		var err error
		if dz, err = DeadZones(ctx, s, opt); err != nil {
			why, err := missingWhy(err)
			return nil, why, err
		}
	}
	figures, err := communeCheckedFigures(dz, opt)
	return figures, "", err
}

// communeCheckedFigures is DeadZoneFigures of dz; with opt.Communes, a
// commune set that gives none of the villages a commune is refused, as
// every command given one refuses it.
func communeCheckedFigures(dz *DeadZoneResult, opt DeadZoneOptions) (map[string]*scorecard.DeadZones, error) {
	if opt.Communes != nil {
		places := make([]deadzone.PlaceAdmin, len(dz.Villages.Villages))
		for i, v := range dz.Villages.Villages {
			places[i] = deadzone.PlaceAdmin{Province: v.Province, Commune: v.Commune}
		}
		if err := deadzone.CheckCommunes(places, opt.Communes).Err(); err != nil {
			return nil, err
		}
	}
	return DeadZoneFigures(dz), nil
}

// SavedMonthDeadZoneFigures returns DeadZoneFigures of month p's dead
// zones when its dead-zone stage is saved and current for opt (lomsong run
// saved it on the same options and nothing it was computed from changed
// since), read from that stage alone; nil when it is not, or when the
// month lacks an input (MonthInputsMissing). It never computes: a card
// computes its own month's and the month before's dead zones
// (MonthDeadZoneFigures), and takes the other months' from here, so a year
// run month by month has the trend of target 1 at the cost of reading
// each month's saved stage.
func SavedMonthDeadZoneFigures(s Store, opt DeadZoneOptions, p penetration.Period) (map[string]*scorecard.DeadZones, error) {
	if opt.Coverage.Measured != nil {
		return nil, nil // measured statistics given: not what a run saves
	}
	if why, err := MonthInputsMissing(s, opt, p); err != nil || why != "" {
		return nil, err
	}
	dz, err := savedDeadZones(s, opt, p.String())
	if empty := new(EmptyAreaError); errors.As(err, &empty) {
		return nil, nil // the area holds nothing of its own that month
	}
	if err != nil {
		// Without households in the area there is no stage to read.
		_, err = missingWhy(err)
		return nil, err
	}
	if dz == nil {
		return nil, nil
	}
	return communeCheckedFigures(dz, opt)
}

// MonthInputsMissing says why month p's dead zones cannot be computed from
// the dataset and opt (scorecard.DeadZoneInputs: sites, the month's
// measurements, households per hex from opt's population or else the
// dataset's villages), or "" when they can: the one rule the commands, the
// scorecard and the service's releases judge a month by.
func MonthInputsMissing(s Store, opt DeadZoneOptions, p penetration.Period) (string, error) {
	in := scorecard.DeadZoneInputs{
		Sites:        len(s.Parts("sites", nil, nil)) > 0,
		Measurements: len(s.Parts("measurements", []string{p.String()}, nil)) > 0,
		Households:   len(opt.Coverage.Population) > 0,
	}
	if !in.Households {
		villages, err := s.Villages()
		if err != nil {
			return "", err
		}
		in.Households = len(villages) > 0
	}
	return in.Missing(p), nil
}

// fixedSpeedChanges returns, per period and area, the year-on-year change
// of the reported median fixed download speed (subscriptions'
// fixed_median_dl_mbps) where both months report one; an area-month that
// reports a median without one a year before, or none where the month a
// year before has one, gets the unknown estimate saying which month lacks
// it.
func fixedSpeedChanges(byPeriod map[penetration.Period][]penetration.Subscription) map[penetration.Period]map[string]*penetration.Estimate {
	out := map[penetration.Period]map[string]*penetration.Estimate{}
	for p, rows := range byPeriod {
		before := map[string]float64{}
		for _, r := range byPeriod[p.AddMonths(-12)] {
			before[r.AreaCode] = r.FixedMedianDLMbps
		}
		for _, r := range rows {
			if math.IsNaN(r.FixedMedianDLMbps) {
				if prev := before[r.AreaCode]; prev > 0 {
					// Reported a year before, not now: say which month.
					e := penetration.ReportedYoY(math.NaN(), prev)
					e.Issues = []string{fmt.Sprintf("no fixed download speed reported for %s (%g Mbit/s reported for %s, the same month a year before; the subscriptions' fixed_median_dl_mbps)", p, prev, p.AddMonths(-12))}
					if out[p] == nil {
						out[p] = map[string]*penetration.Estimate{}
					}
					out[p][r.AreaCode] = &e
				}
				continue
			}
			prev, ok := before[r.AreaCode]
			if !ok {
				prev = math.NaN()
			}
			e := penetration.ReportedYoY(r.FixedMedianDLMbps, prev)
			if math.IsNaN(prev) {
				// Say which month: this one reports its median.
				e.Issues = []string{fmt.Sprintf("no fixed download speed reported for %s, the same month a year before (the subscriptions' fixed_median_dl_mbps)", p.AddMonths(-12))}
			}
			if out[p] == nil {
				out[p] = map[string]*penetration.Estimate{}
			}
			out[p][r.AreaCode] = &e
		}
	}
	return out
}

// speedChanges estimates the year-on-year change of the median mobile
// download speed per area and period from the measurements, like with
// like: per carrier and technology, combined by scorecard.SpeedChange
// (a pooled median moved with the mix of carriers that reported: one
// carrier's tests a year before against four carriers' now read as a fall
// of 52% where no carrier's speed changed). Each test counts for the area
// that holds its own point (MeasureOptions.SpeedAreas: opt.Areas); one in
// no area (a gap between simplified borders, a coast) for the area its
// res-7 hex is attributed to (deadzone.Attribute), as a whole. A hex's
// centre decided its every test's area: tests of Lai Châu by a border
// counted for Lào Cai and Điện Biên, which then had rows in a report of
// Lai Châu. An area and period gets an estimate when
// the area has tests in it or in the same month a year before: unknown,
// naming the month without tests, when only one has them; unknown, saying
// why, when no carrier and technology is measured in both.
//
// The pass keeps, per (res-7 hex, period, carrier, technology), how many
// tests had each speed, the speed kept to four significant digits
// (speedKey): memory grows with the hexes, strata and distinct speeds
// (at most 9,000 per decade of speed), never with the tests, and the
// medians and bootstrap move by at most 0.05% of a speed (three digits
// moved them by up to 0.5%: medians of 10.04 and 13.0 Mbit/s read as
// 10.0 and 13.0, a change of +30.0% where it was +29.5%, and the goal of
// 30% read as met). The bootstrap draws from those counts exactly as it
// would from the tests.
func speedChanges(ctx context.Context, s Store, opt ScorecardOptions) (map[penetration.Period]map[string]*penetration.Estimate, error) {
	counts, err := speedCounts(ctx, s, opt)
	if err != nil {
		return nil, err
	}
	cells := make([]hexgrid.Cell, 0, len(counts))
	for k := range counts {
		if k.area == "" {
			cells = append(cells, k.cell)
		}
	}
	slices.Sort(cells)
	cells = slices.Compact(cells)
	att, _, err := deadzone.Attribute(opt.Areas, cells)
	if err != nil {
		return nil, err
	}
	area := make(map[hexgrid.Cell]string, len(att))
	for _, a := range att {
		area[a.Cell] = a.Code
	}
	type stratum struct {
		carrier engine.Carrier
		tech    engine.Tech
	}
	type areaMonth struct {
		area   string
		period penetration.Period
	}
	byKey := map[areaMonth]map[stratum]map[float64]int64{}
	for k, m := range counts {
		code := k.area
		if code == "" {
			code = area[k.cell]
		}
		if code == "" {
			continue
		}
		p, err := penetration.ParsePeriod(k.period)
		if err != nil {
			return nil, err
		}
		am := areaMonth{code, p}
		if byKey[am] == nil {
			byKey[am] = map[stratum]map[float64]int64{}
		}
		st := stratum{k.carrier, k.tech}
		into := byKey[am][st]
		if into == nil {
			into = map[float64]int64{}
			byKey[am][st] = into
		}
		for v, n := range m {
			into[v] += n
		}
	}
	keys := slices.SortedFunc(maps.Keys(byKey), func(a, b areaMonth) int {
		return cmp.Or(strings.Compare(a.area, b.area), cmp.Compare(a.period.Year, b.period.Year), cmp.Compare(a.period.Month, b.period.Month))
	})
	out := map[penetration.Period]map[string]*penetration.Estimate{}
	set := func(p penetration.Period, area string, e *penetration.Estimate) {
		if out[p] == nil {
			out[p] = map[string]*penetration.Estimate{}
		}
		out[p][area] = e
	}
	tests := func(k areaMonth) int64 {
		var n int64
		for _, m := range byKey[k] {
			for _, c := range m {
				n += c
			}
		}
		return n
	}
	// A month with speed tests whose twin a year later has none: that
	// later month's change is unknown, saying which month lacks them.
	for _, k := range keys {
		next := areaMonth{k.area, k.period.AddMonths(12)}
		if byKey[next] == nil {
			set(next.period, k.area, oneMonthSpeeds(fmt.Sprintf("no mobile speed tests in %s (%s in %s, the same month a year before)",
				next.period, plural.CountGrouped(tests(k), "test", "tests"), k.period)))
		}
	}
	for _, k := range keys {
		prev := byKey[areaMonth{k.area, k.period.AddMonths(-12)}]
		if prev == nil {
			set(k.period, k.area, oneMonthSpeeds(fmt.Sprintf("no mobile speed tests in %s, the same month a year before (%s in %s)",
				k.period.AddMonths(-12), plural.CountGrouped(tests(k), "test", "tests"), k.period)))
			continue
		}
		both := map[stratum]bool{}
		for st := range byKey[k] {
			both[st] = true
		}
		for st := range prev {
			both[st] = true
		}
		strata := make([]scorecard.SpeedStratum, 0, len(both))
		for st := range both {
			cur, _ := penetration.SpeedHistogramOf(penetration.SpeedKey{}, byKey[k][st])
			old, _ := penetration.SpeedHistogramOf(penetration.SpeedKey{}, prev[st])
			strata = append(strata, scorecard.SpeedStratum{Name: string(st.carrier) + " " + st.tech.String(), Current: cur, YearAgo: old})
		}
		// Each area and month resamples from a stream of its own, so that
		// its interval depends on its own tests and the seed alone: another
		// province's tests added or taken out do not move it.
		rng := rand.New(rand.NewPCG(opt.Seed, bootstrapStream(k.area, k.period)))
		e, err := scorecard.SpeedChange(k.period, strata, opt.Bootstrap, rng) // visits the strata by name
		if err != nil {
			return nil, err
		}
		set(k.period, k.area, &e)
	}
	return out, nil
}

// bootstrapStream is the random stream of an area's month in the speed
// bootstrap: FNV-1a of its code and month.
func bootstrapStream(area string, p penetration.Period) uint64 {
	h := fnv.New64a()
	h.Write([]byte(area))
	h.Write([]byte{0})
	h.Write([]byte(p.String()))
	return h.Sum64()
}

// oneMonthSpeeds is the unknown mobile speed change of an area measured in
// one of the two months compared, saying which (never a change of 0).
func oneMonthSpeeds(why string) *penetration.Estimate {
	return &penetration.Estimate{Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(),
		Interval: penetration.IntervalNone, Method: scorecard.MethodSpeedYoYStrata, Issues: []string{why}}
}

// speedCounts counts the speed tests per area of opt.Areas (or res-7 hex,
// for a test in none) and month: from each month's saved pass over the
// measurements when opt.Coverage is set (made and saved when missing; the
// pass counts for opt.Areas, whatever opt.Coverage.SpeedAreas says),
// else in a pass of its own over every month.
func speedCounts(ctx context.Context, s Store, opt ScorecardOptions) (map[speedCell]map[float64]int64, error) {
	counts := map[speedCell]map[float64]int64{}
	if opt.Coverage == nil {
		sc := newSpeedCounter(newSpeedAreas(opt.Areas))
		err := s.ScanMeasurements(ctx, nil, nil, func(b *engine.MeasurementBatch) error {
			return sc.add(counts, b)
		}, arrowio.WithColumns("ts", "carrier", "tech", "lon", "lat", "service", "dl_mbps", "speed_test"))
		return counts, err
	}
	for _, p := range s.Periods() {
		copt := *opt.Coverage
		copt.Aggregate.Periods, copt.Measured, copt.SpeedAreas = []string{p}, nil, opt.Areas
		mo, err := coverageMeasureOptions(s, copt)
		if err != nil {
			return nil, err
		}
		sp, err := newPeriodRun(s, p, mo, nil, &RunSummary{}).speeds(ctx)
		if err != nil {
			return nil, err
		}
		mergeSpeeds(counts, sp)
	}
	return counts, nil
}

// speedKey keeps a download speed to four significant digits (0 stays
// 0): within 0.05% of the speed (half a step of 10^(e−3) against a value
// of at least 10^e).
func speedKey(v float64) float64 { return sigfig.Round(v, 4) }

// DeadZoneFigures sums a dead-zone run per province for the scorecard:
// villages without signal, the dead hexes' households without 3G/4G
// (DeadZoneResult.DeadHouseholds), and the ids of both
// for new-zone alerts.
func DeadZoneFigures(dz *DeadZoneResult) map[string]*scorecard.DeadZones {
	out := map[string]*scorecard.DeadZones{}
	get := func(code string) *scorecard.DeadZones {
		if out[code] == nil {
			out[code] = &scorecard.DeadZones{}
		}
		return out[code]
	}
	deadHH := dz.DeadHouseholds()
	for _, z := range dz.Zones {
		for _, c := range z.Cells {
			code := dz.Admin[c].Province
			if code == "" {
				continue
			}
			d := get(code)
			d.Households += deadHH[c]
			d.Hexes = append(d.Hexes, c.String())
		}
	}
	ps := map[string][]float64{} // each province's villages' p_dead
	for _, v := range dz.Villages.Villages {
		if v.Province == "" {
			continue
		}
		if v.WithoutSignal() {
			d := get(v.Province)
			d.Villages++
			d.VillageIDs = append(d.VillageIDs, v.ID)
		}
		p := v.Verdict.PDead
		if !v.HasVerdict {
			// Decided by its hexes (no probability): as listed.
			p = 0
			if v.WithoutSignal() {
				p = 1
			}
		}
		ps[v.Province] = append(ps[v.Province], p)
	}
	for code, p := range ps {
		get(code).VillagesPMF = scorecard.CountPMF(p)
	}
	// Which areas the run assessed: those with villages located in them,
	// and those with populated hexes. An area with neither (a dead-zone hex
	// across its border from its village) says nothing on that basis.
	villages, households := map[string]bool{}, map[string]bool{}
	for _, c := range dz.Villages.ByProvince {
		get(c.Code) // provinces with villages but none without signal
		villages[c.Code] = c.Villages > 0
	}
	for _, p := range dz.Population {
		if code := dz.Admin[p.Cell].Province; code != "" && p.Households > 0 {
			households[code] = true
		}
	}
	for code, d := range out {
		slices.Sort(d.Hexes)
		slices.Sort(d.VillageIDs)
		d.NoVillages, d.NoHouseholds = !villages[code], !households[code]
	}
	for _, a := range dz.NoData {
		if a.Code == "" {
			continue // outside every province: no area of the card
		}
		why := fmt.Sprintf("no measurements or sites of its own in %s (%s): not scored (%s and %.0f households with no site or test near left out of the analysis)",
			a.Name, a.Code, plural.Count(a.Villages, "village", "villages"), a.Households)
		if a.Villages == 0 && a.Households == 0 {
			why = fmt.Sprintf("no measurements or sites of its own in %s (%s): not scored (its places are analysed from a neighbour's sites or tests near them, not its own)", a.Name, a.Code)
		}
		if a.Why == NoHouseholdsWhy || a.Why == NoVillageHouseholdsWhy {
			why = fmt.Sprintf("%s (%s): %s: not analysed (%s)", a.Name, a.Code, a.Why, plural.Count(a.Villages, "village", "villages"))
		}
		out[a.Code] = &scorecard.DeadZones{NoVillages: true, NoHouseholds: true, NoData: why}
	}
	for _, code := range dz.Untested {
		if d := out[code]; d != nil && d.NoData == "" {
			d.NoData = UntestedWhy
		}
	}
	return out
}

// UntestedWhy is target 1's reason, unknown, for a province of
// DeadZoneResult.Untested.
const UntestedWhy = "no test of the month in the province: its dead zones rest on the prediction alone (sites of its own, no measurement), no evidence for or against the target"

// withEveryArea adds, for each period of opt.EveryArea with data in some
// area, a row without data for every area of opt.Config.Areas that has
// none: its targets unknown, saying so. Where the period's dead zones were
// computed the area was not assessed (the nation's count is then a lower
// bound, as without the row). An area with mobile speed tests in the
// period or the same month a year before has its mobile speed change
// (speeds) all the same: below the goal it decides target 5, and its
// reason is not "no data". In a period of opt.MeasuredAreas alone, only
// the areas with such a speed change get the row, the same row.
func withEveryArea(inputs []scorecard.AreaInput, opt ScorecardOptions, speeds map[penetration.Period]map[string]*penetration.Estimate) []scorecard.AreaInput {
	for _, p := range slices.Concat(opt.EveryArea, opt.MeasuredAreas) {
		every := slices.Contains(opt.EveryArea, p)
		have := map[string]bool{}
		for _, in := range inputs {
			if in.Period == p {
				have[in.Area] = true
			}
		}
		if len(have) == 0 {
			continue
		}
		for _, code := range opt.Config.Areas {
			if have[code] || code == opt.Config.National || !every && speeds[p][code] == nil {
				continue
			}
			why := "no data for the area in " + p.String() + " (no subscription row, and none of its villages or populated hexes in the month's dead-zone run)"
			in := scorecard.AreaInput{Area: code, Period: p, Households: math.NaN()}
			for t := range in.Missing {
				in.Missing[t] = why
			}
			if m := opt.DeadZonesMissing[p]; m != "" {
				in.Missing[scorecard.TargetDeadZones] = m // the month's reason, as every area's
			}
			if opt.DeadZones[p] != nil {
				in.DeadZones = &scorecard.DeadZones{NoVillages: true, NoHouseholds: true, NoData: why}
			}
			if e := speeds[p][code]; e != nil {
				in.SpeedMobile = e
				in.Missing[scorecard.TargetSpeed] = "" // the halves say why they are unknown
			}
			inputs = append(inputs, in)
		}
	}
	return inputs
}

// notAnArea says why an area code of the subscriptions is no area of set:
// a former province's (merged into another), one written without its
// leading zero, or none.
func notAnArea(set *geodata.BoundarySet, code string) string {
	name := set.Name
	if name == "" {
		name = "the boundaries"
	}
	u, err := set.Lookup(code)
	var nf *geodata.NotFoundError
	switch {
	case err == nil:
		return fmt.Sprintf("not a code of %s: %s (%s) written without its leading zero?", name, u.Code, u.Name)
	case errors.As(err, &nf) && nf.Former != nil:
		f := nf.Former
		return fmt.Sprintf("%s %s (%s): not a province of %s (its rows are %s's since then; score them with --boundaries provinces2019)",
			f.Name, f.Became(), f.Into.Code, name, f.Into.Name)
	}
	return fmt.Sprintf("not a code of %s", name)
}

// onCurrentAreas sums onto the areas of set the subscriptions of every
// month that was written on the areas before a boundary change: a month
// before the change (a former area's Since, "1 July 2025" for the 2025
// provinces) with a row of a former area's code (Hà Giang's 02, merged
// into Tuyên Quang, 08). Such a month's rows are all read as the former
// set's: a former area's become its new area's, and a code both sets
// have stays (no 2019 province code names another 2025 province). Whole
// former areas merged, so the counts add up exactly; a count missing
// (NaN) in any row of a new area is missing in the sum, not taken as 0,
// and the reported fixed median speed stays only where one row made the
// area (a median of medians is not the area's median). Months from the
// change on, and months without a former code, are left as they are:
// their former codes are excluded later, each with why. It returns the
// rows in their order, the merged ones where their area's first row was,
// and what it summed.
//
// An area of such a month whose former areas are not all listed (Hà
// Giang's row without the old Tuyên Quang's) has part of its counts
// only: its row is kept with every count missing (NaN), and partial
// gives, by (period, area), why its figures are unknown, naming the
// former areas without a row: a sum of some of them is not the area's.
func onCurrentAreas(set *geodata.BoundarySet, subs []engine.Subscription) ([]engine.Subscription, []scorecard.SummedMonth, map[[2]string]string) {
	former := map[string]bool{} // months with a former area's row, before its change
	for _, x := range subs {
		fo, ok := set.FormerByCode(x.AreaCode)
		if !ok {
			continue
		}
		since, err := time.Parse("2 January 2006", fo.Since)
		p, perr := penetration.ParsePeriod(x.Period)
		if err != nil || perr != nil {
			continue
		}
		if p.Before(penetration.Period{Year: since.Year(), Month: since.Month()}) {
			former[x.Period] = true
		}
	}
	if len(former) == 0 {
		return subs, nil, nil
	}
	type key struct{ period, area string }
	at := map[key]int{}
	rows := map[key]int{}
	formerAreas := map[string]map[string]bool{}
	out := make([]engine.Subscription, 0, len(subs))
	for _, x := range subs {
		if !former[x.Period] {
			out = append(out, x)
			continue
		}
		area := x.AreaCode
		if fo, ok := set.FormerByCode(area); ok {
			area = fo.Into.Code
		}
		if formerAreas[x.Period] == nil {
			formerAreas[x.Period] = map[string]bool{}
		}
		formerAreas[x.Period][x.AreaCode] = true
		k := key{x.Period, area}
		rows[k]++
		i, seen := at[k]
		if !seen {
			x.AreaCode = area
			at[k] = len(out)
			out = append(out, x)
			continue
		}
		y := &out[i]
		y.Households += x.Households
		y.FiberHouseholds += x.FiberHouseholds
		y.MobileSubscribers += x.MobileSubscribers
		y.SmartphoneSubscribers += x.SmartphoneSubscribers
		y.Only2GSubscribers += x.Only2GSubscribers
		y.SurveyedHouseholds += x.SurveyedHouseholds
		y.SurveyedWithSmartphone += x.SurveyedWithSmartphone
		y.FixedMedianDLMbps = math.NaN()
	}
	// The former areas each area of set was made of.
	members := map[string][]geodata.ProvinceCensus{}
	for _, c := range geodata.Census2019() {
		into := c.Code
		if fo, ok := set.FormerByCode(c.Code); ok {
			into = fo.Into.Code
		} else if _, ok := set.ByCode(c.Code); !ok {
			continue
		}
		members[into] = append(members[into], c)
	}
	partial := map[[2]string]string{}
	var summed []scorecard.SummedMonth
	for _, p := range slices.Sorted(maps.Keys(former)) {
		into, n := 0, 0
		for k, c := range rows {
			if k.period == p {
				into++
				n += c
			}
		}
		areas := len(formerAreas[p])
		why := fmt.Sprintf("%s: the subscriptions name provinces before the merger of 1 July 2025 (e.g. a merged province's code): %s of %s summed onto %s of %s",
			p, plural.Count(n, "row", "rows"), plural.Count(areas, "area", "areas"), plural.Count(into, "area", "areas"), setName(set))
		for _, k := range slices.SortedFunc(maps.Keys(at), func(a, b key) int { return strings.Compare(a.area, b.area) }) {
			if k.period != p || len(members[k.area]) == 0 {
				continue // not an area of set: left out later, with why
			}
			var missing []string
			for _, c := range members[k.area] {
				if !formerAreas[p][c.Code] {
					missing = append(missing, c.Name+", "+c.Code)
				}
			}
			if len(missing) == 0 {
				continue
			}
			u, _ := set.ByCode(k.area)
			w := fmt.Sprintf("%s: %s (%s) was made of %s of 2019 and the subscriptions list %d of them (no row of %s): its figures of %s are unknown",
				p, u.Name, k.area, plural.Count(len(members[k.area]), "province", "provinces"), len(members[k.area])-len(missing), strings.Join(missing, "; "), p)
			partial[[2]string{p, k.area}] = w
			why += "; " + w
			y := &out[at[k]]
			withoutCounts(y)
		}
		summed = append(summed, scorecard.SummedMonth{Period: p, Rows: n, Areas: areas, Into: into, Why: why})
	}
	return out, summed, partial
}

// besideLateFormerAreas finds the months from a boundary change on whose
// subscriptions still list a former area (Hà Giang's 02 in 2025-08) beside
// the area it became part of (Tuyên Quang, 08): the former area's rows are
// left out later, with why, and the area's row cannot be read — the old
// Tuyên Quang's alone, written on the 2019 provinces as its neighbour's
// row is, or the whole province beside a stray row — so its counts are
// made missing (NaN) and partial gives, by (period, area), why its
// figures are unknown. subs is not modified: a changed copy is returned.
func besideLateFormerAreas(set *geodata.BoundarySet, subs []engine.Subscription, partial map[[2]string]string) ([]engine.Subscription, map[[2]string]string) {
	late := map[[2]string][]string{} // (period, area) → the former areas listed beside it
	since := map[string]string{}     // area → the change's date
	for _, x := range subs {
		fo, ok := set.FormerByCode(x.AreaCode)
		if !ok || fo.Renamed {
			continue
		}
		t, err := time.Parse("2 January 2006", fo.Since)
		p, perr := penetration.ParsePeriod(x.Period)
		if err != nil || perr != nil || p.Before(penetration.Period{Year: t.Year(), Month: t.Month()}) {
			continue
		}
		k := [2]string{x.Period, fo.Into.Code}
		if name := fmt.Sprintf("%s (%s)", fo.Name, fo.Code); !slices.Contains(late[k], name) {
			late[k] = append(late[k], name)
		}
		since[fo.Into.Code] = fo.Since
	}
	if len(late) == 0 {
		return subs, partial
	}
	out := slices.Clone(subs)
	for i := range out {
		y := &out[i]
		k := [2]string{y.Period, y.AreaCode}
		formers := late[k]
		if len(formers) == 0 {
			continue
		}
		slices.Sort(formers)
		u, _ := set.ByCode(y.AreaCode)
		if partial == nil {
			partial = map[[2]string]string{}
		}
		what := "a province of 2019"
		if len(formers) > 1 {
			what = "provinces of 2019"
		}
		partial[k] = fmt.Sprintf("%s: the subscriptions list %s, %s merged into %s (%s) on %s, beside %s's own row: that row may be the old %s's alone (the month written on the 2019 provinces) or the whole province's; its figures of %s are unknown",
			y.Period, strings.Join(formers, " and "), what, u.Name, y.AreaCode, since[y.AreaCode], u.Name, u.Name, y.Period)
		withoutCounts(y)
	}
	return out, partial
}

// mergedOnFormerAreas reads, on the 2019 provinces, a row whose code is
// also a 2025 province's made of several of them (Tuyên Quang's 08, with
// Hà Giang's 02) in a month that lists none of the others: written on the
// 2025 provinces, that row is the whole merged province's, not the 2019
// province's of the same code, and scored as the latter its shares stand
// on twice its households. The codes cannot tell the two readings apart;
// the row's own households can: at or above the geometric mean of the two
// provinces' 2019 census households (closer, as a ratio, to the merged
// one's), the row is taken for the merged province's, its counts are made
// missing (NaN) and partial gives why. A row without households, or with
// fewer, is read as the 2019 province's, as before. subs is not modified:
// a changed copy is returned.
func mergedOnFormerAreas(set *geodata.BoundarySet, subs []engine.Subscription, partial map[[2]string]string) ([]engine.Subscription, map[[2]string]string) {
	census := map[string]geodata.ProvinceCensus{}
	group := map[string][]string{} // a 2025 code → the 2019 codes merged into it
	for _, c := range geodata.Census2019() {
		census[c.Code] = c
		group[c.Code2025] = append(group[c.Code2025], c.Code)
	}
	// merged[C]: the other 2019 provinces of set merged into the 2025
	// province of code C, itself a 2019 province of set.
	merged := map[string][]string{}
	for code, g := range group {
		if len(g) < 2 || !slices.Contains(g, code) {
			continue
		}
		all := true
		for _, c := range g {
			if _, ok := set.ByCode(c); !ok {
				all = false
			}
		}
		if all {
			merged[code] = slices.DeleteFunc(slices.Clone(g), func(c string) bool { return c == code })
		}
	}
	if len(merged) == 0 {
		return subs, partial // not the 2019 provinces
	}
	listed := map[[2]string]bool{}
	for _, x := range subs {
		listed[[2]string{x.Period, x.AreaCode}] = true
	}
	var out []engine.Subscription
	for i, x := range subs {
		others := merged[x.AreaCode]
		if len(others) == 0 || math.IsNaN(x.Households) || slices.ContainsFunc(others, func(c string) bool { return listed[[2]string{x.Period, c}] }) {
			continue
		}
		c := census[x.AreaCode]
		own := float64(c.Households)
		whole := own
		var names []string
		for _, c := range others {
			whole += float64(census[c].Households)
			names = append(names, fmt.Sprintf("%s (%s)", census[c].Name, c))
		}
		if own <= 0 || x.Households < math.Sqrt(own*whole) {
			continue
		}
		if out == nil {
			out = slices.Clone(subs)
		}
		if partial == nil {
			partial = map[[2]string]string{}
		}
		partial[[2]string{x.Period, x.AreaCode}] = fmt.Sprintf("%s: the row of %s (%s) gives %s households, those of the %s of 2025, %s and %s together (%s in the 2019 census), not of the %s of 2019 alone (%s), and the month lists no row of %s: a row of the 2025 provinces; its figures of %s are unknown on the 2019 provinces (score the month with --boundaries provinces2025)",
			x.Period, c.Name, x.AreaCode, plural.Grouped(int64(math.Round(x.Households))), c.Name2025, c.Name, strings.Join(names, " and "), plural.Grouped(int64(whole)),
			c.Name, plural.Grouped(int64(own)), strings.Join(names, " or "), x.Period)
		withoutCounts(&out[i])
	}
	if out == nil {
		return subs, partial
	}
	return out, partial
}

// withoutCounts makes every count of a subscriptions row missing (NaN):
// a row whose figures are not the area's, its why in partial.
func withoutCounts(y *engine.Subscription) {
	nan := math.NaN()
	y.Households, y.FiberHouseholds, y.MobileSubscribers, y.SmartphoneSubscribers, y.Only2GSubscribers = nan, nan, nan, nan, nan
	y.SurveyedHouseholds, y.SurveyedWithSmartphone, y.FixedMedianDLMbps = nan, nan, nan
}

// setName is the boundary set's name, or "the boundaries".
func setName(set *geodata.BoundarySet) string {
	if set.Name == "" {
		return "the boundaries"
	}
	return set.Name
}
