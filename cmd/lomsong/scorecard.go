package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
)

const scorecardSynopsis = `scorecard --dataset DIR --period YYYY-MM --out DIR [flags]

Scores every province (of the boundary set) and the nation, per month, against
the five targets of 2022: (1) no 3G/4G dead zones (villages without signal);
(2) 100% of households with a smartphone or tablet (modelled from smartphone
subscribers per adult and the census household size, shrunk towards surveys
where they exist); (3) 80% of households with fibre; (4) 2G-only phones below
5%; (5) fixed and mobile download speeds each up at least 30% year on year
(mobile: each carrier's and technology's median of the speed tests against
its own a year before, averaged with the weights of the month's tests, so a
change in which carriers reported is no change in speed; the carriers and
technologies with speed tests in one month only are named, none in both
leaves it unknown; seeded stratified bootstrap interval, each area's month
resampled on a stream of its own, so another area's tests do not move it; fixed: the
median the subscriptions table reports, fixed_median_dl_mbps, as given; the
target is met when both are, not met when either is not). Every figure says
what its interval is (a 95% Wilson interval for 2G-only phones, a 90% beta
posterior for smartphones of an area with a survey; for an area without one,
the 90% range of the empirical-Bayes prior (the surveyed areas' spread around
the household model) when other areas of the month have surveys, a sensitivity
range over SIMs per user when none has, which is no confidence interval; exact
counts for fibre, a 95%
bootstrap for speeds), under the table and in the files; target 1's value is the villages listed without 3G/4G (p_dead at or
above the cut) and its interval the central 90% range of the number truly
without, from every village's p_dead taken as independent (a sum of Bernoulli
variables), widened to hold the count listed (many villages a little below the
cut can put the range above the list: the lower end is then the list); a
target without data is
"unknown" with its reason, never zero or not met. Dead zones are computed for
--period and the month before it (from each month's measurements and the site
register), so the card shows new dead-zone hexes and villages as alerts, with
regressions on any target; another month's are read back where lomsong run
saved them with the options given here and they are current, never computed,
so a year run month by month has the trend of target 1 (a month not run says
so); a month without measurements (or a dataset without
sites or households) leaves target 1 unknown, as does an area none of whose
villages the run located (outside --boundaries, or not in the dataset), or a
province with sites of its own but no test of the month in it (its dead zones
would rest on the prediction alone); target 1 counts the carriers with a site
register or tests of the month in the dataset, which the card names (with one
carrier's data it is that carrier's alone); changes
and alerts compare only months that both have data. Subscriptions alone give targets 2–4. Prints the table for --period and writes OUT/scorecard.csv and
OUT/scorecard.json (every month with subscriptions, and --period and the month
before it, so trends can be drawn; a month with measurements alone appears only
as one of those two or with dead zones read back); scorecard.json's "period" is --period, the month scored,
which need not be its latest row's. A --period without a row to show is
refused, naming the months with subscriptions (of the areas scored) and
with measurements, and for a --province without subscriptions the areas the
dataset's subscriptions are of; OUT is then left as it was. A --province
shows the province's row as the card of every province does (a province
with mobile speed tests in --period or the same month a year before but no
subscriptions row has its speed change, its other targets unknown with
their reasons) and is refused when it has neither subscriptions, dead
zones nor speed tests of the month (or when no area has data in it). A
speed test counts for the area of --boundaries its own point lies in; one in
none (a gap between simplified borders, the sea) for the area its
resolution-7 hex is attributed to.

Target 1's two figures count different things: dead_zone_villages (its value)
are the villages without signal at their own point; dead_zone_households are
the households of the dead-zone hexes (with the villages as the population, a
hex is dead when its villages' households-weighted p_dead reaches the cut), so
a village without signal in a hex whose other villages are served counts in
the first and not the second.

scorecard.csv has one row per area and month (the national row, national
true, first): area (its code) and area_name (its name in the boundary set,
Việt Nam for the national row; the table shows both); met, not_met and unknown (how many targets are in each state);
dead_zone_villages and dead_zone_households (target 1's two counts);
speed_mobile_yoy and speed_fixed_yoy (target 5's halves); then for each target
(dead_zones, smartphone, fibre, 2g_only, speed_yoy) the columns TARGET_value
(shares and speed changes as fractions: 0.633 is 63.3%, 0.3 is up 30%; target
1 a count), TARGET_lower and TARGET_upper (the interval), TARGET_interval and
TARGET_confidence (what the interval is: wilson, beta-posterior, beta-jeffreys, beta-prior,
bootstrap, sensitivity, exact, poisson-binomial, listed, weighted-bounds, lower-bound or
none; its nominal coverage, empty when it is no confidence interval),
TARGET_goal, TARGET_status (met, not_met or unknown), TARGET_status_point and
TARGET_status_bound (judged on the value, rounded to 0.1 point, and on the
interval's conservative end), TARGET_change (since the month before),
TARGET_rank (1 is the best area of the month; empty without a figure, and for
a speed figure of one half alone, the other unknown, which bounds the figure
from above) and TARGET_reason (why the status
is unknown). An empty cell is no figure, never zero. scorecard.json holds the
same per target, with each figure's issues, method and assumptions; its rows
and alerts give the area's code (area) and name (name).`

const scorecardExample = `  lomsong scorecard --dataset lomsong-demo/dataset --period 2024-10 --province "lai chau" --out lomsong-demo/scorecard
  lomsong scorecard --dataset ./ds --period 2026-10 --out ./scorecard`

func runScorecard(ctx context.Context, args []string, e *env) error {
	fs := newFlags("scorecard", scorecardSynopsis, scorecardExample, e)
	var cf coverageFlags
	cf.register(fs)
	// The card's main input is the subscriptions table (targets 2–4 and
	// fixed speeds); sites and measurements give targets 1 and 5.
	fs.Lookup("dataset").Usage = "dataset `directory` (subscriptions; sites, measurements and villages or --population for target 1; measurements for mobile speeds)"
	var period periodFlag
	fs.Var(&period, "period", "the `month` to score (YYYY-MM)")
	out := fs.String("out", "", "output `directory`")
	seed := fs.Uint64("seed", 1, "bootstrap `seed` (results are reproducible)")
	communes, communeParent := registerCommunes(fs, "GeoJSON `file` of communes the month's dead zones were attributed with (lomsong run --communes): target 1 is then read from that run's saved dead zones; a file that gives none of the villages a commune is refused, as lomsong deadzones refuses it")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if !period.set || *out == "" {
		fs.Usage()
		return requiredFlags("scorecard", flagNeed{"--period YYYY-MM", !period.set}, flagNeed{"--out DIR", *out == ""})
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	if err := outDirUsable("scorecard", *out, "scorecard.csv and scorecard.json"); err != nil {
		return err
	}
	if err := outOutsideDataset("scorecard", *out, cf.dataset); err != nil {
		return err
	}
	if err := outputsFree(*out, "scorecard", []string{"scorecard.csv", "scorecard.json"}, cf.population, cf.calibration, *communes); err != nil {
		return err
	}
	if err := setUnlocked(*out, "scorecard"); err != nil {
		return err
	}
	p := period.p
	cf.sitesOptional = true // targets 2–5 need no sites; target 1 is then unknown
	store, copt, _, provinces, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	communeSet, err := loadCommunes(e, *communes, *communeParent, provinces)
	if err != nil {
		return err
	}
	card, _, _, err := scoreMonth(ctx, e, store, copt, provinces, communeSet, cf.bounds.boundaries, p, *seed, nil)
	err = communesRefused(err, *communes)
	if err != nil && !errors.As(err, new(noDeadZones)) {
		return err
	}
	if cf.provinceCode != "" {
		// --province scores that province alone (the other areas'
		// subscriptions are in the dataset, not asked for).
		card = card.ForArea(cf.provinceCode)
	}
	shown := &scorecard.Card{Config: card.Config, Names: card.Names}
	for _, r := range card.Rows {
		if r.Period == p {
			shown.Rows = append(shown.Rows, r)
		}
	}
	for _, a := range card.Alerts {
		if a.Period == p {
			shown.Alerts = append(shown.Alerts, a)
		}
	}
	if len(shown.Rows) == 0 {
		why, elsewhere := "no subscriptions", ""
		if cf.provinceCode != "" {
			label := cf.provinceCode
			if u, ok := provinces.ByCode(cf.provinceCode); ok {
				label = fmt.Sprintf("%s (%s)", u.Name, u.Code)
			}
			why = "no subscriptions of " + label
		}
		if err != nil {
			why += "; " + err.Error()
		}
		subs, err := subscriptionMonths(store, card)
		if err != nil {
			return err
		}
		if cf.provinceCode != "" && len(subs) == 0 {
			// A province without any: the areas the dataset's
			// subscriptions are of, as "none" alone read as if the
			// dataset held none.
			if elsewhere, err = subscriptionAreas(store, provinces); err != nil {
				return err
			}
		}
		return refusedError{fmt.Errorf("scorecard: no data for %s: %s (months with subscriptions: %s; months with measurements: %s)%s",
			p, why, monthRunsOrNone(subs), monthRunsOrNone(store.Periods()), elsewhere)}
	}
	// Written only when the month asked for has data: a refused month
	// leaves an earlier card in OUT as it was.
	if err := writeSet(ctx, *out, "scorecard", func(stage string) error {
		if err := writeAtomic(filepath.Join(stage, "scorecard.csv"), func(f *dataset.AtomicFile) error { return card.WriteCSV(f) }); err != nil {
			return err
		}
		return writeAtomic(filepath.Join(stage, "scorecard.json"), func(f *dataset.AtomicFile) error { return card.WriteJSON(f) })
	}); err != nil {
		return err
	}
	set := provinces.Name + " provinces"
	if provinces.Name == "" {
		set = "the units of " + cf.bounds.boundaries // a file's set has no name
	}
	fmt.Fprintf(e.stdout, "scorecard for %s (%s; each target: value [interval], then met, NOT MET or ? unknown, #rank among the areas)\n", p, set)
	fmt.Fprintf(e.stdout, "target 1: villages listed without 3G/4G [90%% range of the villages truly without, from their p_dead, widened to hold the list]\n")
	fmt.Fprintf(e.stdout, "%s\n\n", carriersCounted(store, p.String()))
	if err := shown.Table(e.stdout); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nwrote %s and %s (%s)\n", filepath.Join(*out, "scorecard.csv"), filepath.Join(*out, "scorecard.json"), plural.Count(len(periodsOf(card)), "month", "months"))
	if note := pipeline.DamagedInputs(store, p.String(), true); note != "" {
		// The other months' dead zones and passes are read back from
		// their saved stages, computed before the damage: said as lomsong
		// run says it of its month's.
		fmt.Fprintf(e.stderr, "scorecard: warning: %s\n", note)
	}
	return nil
}

func periodsOf(c *scorecard.Card) []string {
	var out []string
	for _, r := range c.Rows {
		s := r.Period.String()
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// subscriptionMonths are the months in which the dataset's subscriptions
// have a row of one of c's areas. The card's own months are not: it also
// has rows of --period and the month before it where only measurements
// are (their dead zones), which are no months with subscriptions.
func subscriptionMonths(store *dataset.Store, c *scorecard.Card) ([]string, error) {
	subs, err := store.Subscriptions()
	if err != nil {
		return nil, err
	}
	areas := map[string]bool{}
	for _, r := range c.Rows {
		areas[r.Area] = true
	}
	var out []string
	for _, x := range subs {
		if areas[x.AreaCode] && !slices.Contains(out, x.Period) {
			out = append(out, x.Period)
		}
	}
	return out, nil
}

// subscriptionAreas names the areas the dataset's subscriptions are of,
// by code with their names in provinces ("; the dataset's subscriptions
// are of Lai Châu (12)"), at most ten; "" when it holds none.
func subscriptionAreas(store *dataset.Store, provinces *geodata.BoundarySet) (string, error) {
	subs, err := store.Subscriptions()
	if err != nil {
		return "", err
	}
	var codes []string
	for _, x := range subs {
		if !slices.Contains(codes, x.AreaCode) {
			codes = append(codes, x.AreaCode)
		}
	}
	if len(codes) == 0 {
		return "", nil
	}
	slices.Sort(codes)
	names := make([]string, 0, min(len(codes), 10))
	for _, c := range codes[:min(len(codes), 10)] {
		if u, ok := provinces.ByCode(c); ok {
			c = fmt.Sprintf("%s (%s)", u.Name, c)
		}
		names = append(names, c)
	}
	if len(codes) > 10 {
		names = append(names, fmt.Sprintf("%d more", len(codes)-10))
	}
	return "; the dataset's subscriptions are of " + strings.Join(names, ", "), nil
}

// monthRunsOrNone is monthRuns of the sorted months ps, or "none".
func monthRunsOrNone(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	ps = slices.Sorted(slices.Values(ps))
	return monthRuns(ps)
}

// monthRuns writes sorted months YYYY-MM as runs of consecutive months,
// "2024-01 … 2024-08, 2024-11, 2025-06 … 2025-12": a gap is never hidden
// inside a range.
func monthRuns(ps []string) string {
	var out []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) {
			a, err1 := penetration.ParsePeriod(ps[j])
			b, err2 := penetration.ParsePeriod(ps[j+1])
			if err1 != nil || err2 != nil || a.AddMonths(1) != b {
				break
			}
			j++
		}
		switch j - i {
		case 0:
			out = append(out, ps[i])
		case 1:
			out = append(out, ps[i], ps[j])
		default:
			out = append(out, ps[i]+" … "+ps[j])
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

// scoreMonth runs the dead zones of period p and the month before it and
// builds the scorecard; it returns the card and, with a plan's options,
// the dead zones of p and their plan (read back from the month's saved
// stages when current, as lomsong run saves them). The card itself needs
// only each month's dead-zone figures, which a saved dead-zone stage gives
// without its coverage (pipeline.MonthDeadZoneFigures).
func scoreMonth(ctx context.Context, e *env, store *dataset.Store, copt pipeline.CoverageOptions, provinces, communes *geodata.BoundarySet,
	boundaries string, p penetration.Period, seed uint64, plan *pipeline.PlanOptions) (*scorecard.Card, *pipeline.DeadZoneResult, *pipeline.PlanResult, error) {
	opt := pipeline.DefaultScorecardOptions(provinces, boundaries, seed)
	if copt.Area == nil {
		// Every province scored in the month asked for.
		opt.EveryArea = []penetration.Period{p}
	} else {
		// One asked for alone has the row the card of every province
		// gives it when it has subscriptions, dead zones or mobile speed
		// tests of the month (or of the month a year before), and is
		// refused without any of them.
		opt.MeasuredAreas = []penetration.Period{p}
	}
	// The speed trend reads each month's saved pass (lomsong run's).
	speedOpt := copt
	opt.Coverage = &speedOpt
	var last *pipeline.DeadZoneResult
	var lastPlan *pipeline.PlanResult
	have := false
	dzOptions := func(o pipeline.CoverageOptions) pipeline.DeadZoneOptions {
		return pipeline.DeadZoneOptions{Coverage: o, Provinces: provinces, Communes: communes,
			Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig(), Claims: []challenge.Claim{}}
	}
	for _, q := range []penetration.Period{p.AddMonths(-1), p} {
		o := copt
		prog := startProgress(e, "dead zones "+q.String()+": measurements")
		o.Aggregate.Progress = prog.set
		dopt := dzOptions(o)
		var figures map[string]*scorecard.DeadZones
		var missing string
		var err error
		if q == p && plan != nil {
			// The month's stages, computed or read back, with their
			// progress as lomsong run gives it (a province's report was
			// silent for a minute and more).
			dopt.Progress = newRunProgress(e.stderr).report
			var dz *pipeline.DeadZoneResult
			var pr *pipeline.PlanResult
			if dz, pr, missing, err = pipeline.MonthDeadZonesAndPlan(ctx, store, dopt, *plan, q); err == nil && missing == "" {
				figures, last, lastPlan = pipeline.DeadZoneFigures(dz), dz, pr
			}
		} else {
			figures, missing, err = pipeline.MonthDeadZoneFigures(ctx, store, dopt, q)
		}
		prog.end()
		var empty *pipeline.EmptyAreaError
		if errors.As(err, &empty) && q != p {
			// The month before has nothing in the area: its dead zones
			// stay unknown, and the card shows no changes against it.
			opt.DeadZonesMissing[q] = fmt.Sprintf("no measurements in %s in %s", empty.Area, q)
			continue
		}
		if errors.As(err, &empty) && plan == nil {
			// The province asked for has no measurement or site of its
			// own in the month scored: target 1 is unknown, and its
			// subscriptions still score targets 2–5, as they do for it in
			// the card of every province (a province without them either
			// is refused below, for want of a row to show).
			opt.DeadZonesMissing[q] = strings.TrimPrefix(empty.Error(), "pipeline: ")
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if missing != "" {
			opt.DeadZonesMissing[q] = missing
			continue
		}
		ev := monthEvidence(store, q, copt.Aggregate.Carriers)
		for _, d := range figures {
			d.Evidence = ev
		}
		opt.DeadZones[q] = figures
		have = have || q == p
	}
	// The other months with measurements show the dead zones lomsong run
	// saved for them on these options, where still current: read back,
	// never computed (a month not run stays unknown, saying how to run
	// it), so a year run month by month has the trend of target 1.
	for _, ps := range store.Periods() {
		q, err := penetration.ParsePeriod(ps)
		if err != nil || q == p || q == p.AddMonths(-1) {
			continue
		}
		figures, err := pipeline.SavedMonthDeadZoneFigures(store, dzOptions(copt), q)
		if err != nil {
			return nil, nil, nil, err
		}
		if figures == nil {
			continue
		}
		ev := monthEvidence(store, q, copt.Aggregate.Carriers)
		for _, d := range figures {
			d.Evidence = ev
		}
		opt.DeadZones[q] = figures
	}
	opt.Period = p // the month scored, which its rows' latest need not be
	card, err := pipeline.Scorecard(ctx, store, opt)
	if card != nil {
		for _, x := range card.Summed {
			fmt.Fprintf(e.stderr, "note: %s\n", x.Why)
		}
		for _, x := range card.Excluded {
			fmt.Fprintf(e.stderr, "warning: subscriptions of area %s (%s) left out: %s\n", x.Area, plural.Count(x.Rows, "row", "rows"), x.Why)
		}
	}
	if err == nil && !have {
		err = noDeadZones{p, opt.DeadZonesMissing[p]}
	}
	return card, last, lastPlan, err
}

// monthEvidence is what month q's dead zones are measured with: the
// carriers with measurement parts in the dataset (among carriers, nil =
// all) and their rows. It is the dataset's, not an area's: a carrier
// measured elsewhere but not in an area is not seen here.
func monthEvidence(store *dataset.Store, q penetration.Period, carriers []string) *scorecard.Evidence {
	ev := &scorecard.Evidence{}
	for _, part := range store.Parts("measurements", []string{q.String()}, carriers) {
		ev.Rows += part.Rows
		if !slices.Contains(ev.Carriers, part.Carrier) {
			ev.Carriers = append(ev.Carriers, part.Carrier)
		}
	}
	slices.Sort(ev.Carriers)
	return ev
}

// noDeadZones is scoreMonth's error when the dead zones of the month
// could not be computed; the card is still returned with target 1
// unknown, which is enough for the scorecard but not for a plan or report.
type noDeadZones struct {
	period penetration.Period
	why    string
}

func (e noDeadZones) Error() string { return fmt.Sprintf("no dead zones for %s: %s", e.period, e.why) }

// carriersCounted says whose service target 1 counts: the carriers with a
// site register or tests of month in the dataset. A place only another
// carrier serves counts as without 3G/4G: with one carrier's data the
// card's target 1 is that carrier's alone, which the card said nowhere.
func carriersCounted(store *dataset.Store, month string) string {
	seen := map[string]bool{}
	for _, pt := range store.Parts("sites", nil, nil) {
		seen[pt.Carrier] = true
	}
	for _, c := range store.Carriers([]string{month}, nil) {
		seen[c] = true
	}
	delete(seen, "")
	cs := slices.Sorted(maps.Keys(seen))
	switch len(cs) {
	case 0:
		return "target 1 counts no carrier: no site register or test of " + month + " is in the dataset"
	case 1:
		return "target 1 counts " + cs[0] + " alone (the only carrier with a site register or tests of " + month + " in the dataset): a place only another carrier serves counts as without 3G/4G"
	}
	return "target 1 counts " + strings.Join(cs, ", ") + " (the carriers with a site register or tests of " + month + " in the dataset); a carrier whose data are not in it is not counted"
}
