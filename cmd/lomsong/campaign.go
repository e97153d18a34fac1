package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/campaign"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/unicode/norm"
)

const campaignSynopsis = `campaign --dataset DIR --days N [--teams K] [--start TOWN] --out DIR [flags]

Plans where to measure next: which villages K teams test over N days, in which
order, so that the tests correct as many misclassified households of the
dead-zone verdict as they can.

Each village's probability of being a dead zone (p_dead) comes from the verdict
(as lomsong deadzones computes it from --dataset), or from --verdicts, a
villages.csv written by lomsong deadzones (a village id given twice is refused);
with --province only the villages whose point lies in the province are planned
(with --verdicts, the rows of its province column), and the verdict uses the
cut 1/(1+C) of the same --miss-cost C. A village's value is the expected
misclassified households its verdict removes: households × (min(C·p, 1−p) −
the same risk after a test day whose verdict is wrong with probability
--residual-error), C being --miss-cost (a missed dead village costs C, a false
alarm 1). Team-days are filled greedily by value per hour (tests plus the extra
travel), within --day-hours, then ordered by nearest neighbour from the day's
start and improved by 2-opt and or-opt (reversing a stretch of the route, or
moving one to three villages elsewhere in it, while that shortens it). Travel
is the great-circle distance × --detour at --speed-kmh: a road-less
approximation. Teams start at --start (a village id, a
village's whole name, a place its name is in — a part after a comma, e.g. "Thành
phố Lai Châu" in "Tổ dân phố 3, Thành phố Lai Châu", whose villages' household-
weighted centre is the start — or a village's own name, the part before the
comma, when one village has it; any case, diacritics optional when unambiguous;
or LON,LAT), else at the village nearest the villages' mean position (the mean
itself may lie across a border or in the sea). A name or id none of
the villages planned has is looked up among every village of the dataset (or
of --verdicts: another province's, one without a verdict), e.g. the next
province's town; a start, so named or as LON,LAT, must lie within 300 km of a
village planned. Without --return a team lodges where its day ends. Villages
without a verdict (no site and no test within reach: no p_dead) are not
weighed; the summary counts them and their households apart, as places that
need a first measurement.

With --dataset, --communes FILE attributes each village to the commune of the
file its point lies in and names it, as lomsong deadzones --communes does (a
file that gives none of the villages a commune is refused; a province of which
it has no commune is warned of). With --verdicts the communes are the file's.

Writes to OUT:
  campaign.csv      villages with a positive value, best first, one a row:
    rank            1 for the highest value; ties to more households, then the
                    smaller village_id
    village_id, name, lon, lat, households
                    the village, as villages.csv of lomsong deadzones has it
    province, province_name, commune, commune_name
                    where it is: villages.csv's province and the commune
                    attributed (from --verdicts, its columns; a table without
                    commune gives commune_code); a commune's name is
                    --communes' (from --dataset) or --verdicts' (a deadzones
                    run with --communes), else empty
    p_dead          the verdict's probability that the village is a dead zone
                    (rounded as villages.csv rounds it)
    value           the misclassified households testing it (--measure-hours)
                    is expected to remove: its risk now less its risk after the
                    tests, a missed dead village weighing --miss-cost; the
                    ranking's key
    team, day, order
                    the team that tests it, on which of its days (1 to --days)
                    and where in that day's route (1 = first); all three empty
                    when no team reaches it within the days
  campaign.geojson  the villages as points with the same properties (lon and
                    lat as the point; team, day and order only when visited)
                    and chosen (true when a team visits it), and one
                    LineString per team-day route (team, day, villages: how
                    many it tests, length_km of road, travel_hours, hours with
                    the tests, value: the sum of its villages'); a Point for a
                    day that tests only the village it starts at
and prints the plan per team-day.`

const campaignExample = `  lomsong campaign --dataset lomsong-demo/dataset --province "lai chau" --days 20 --teams 3 \
      --start "Thành phố Lai Châu" --out lomsong-demo/campaign
  lomsong campaign --dataset ./ds --province "lai chau" --days 10 \
      --communes ../shared/data/vn_communes_2025.geojson --out ./camp-communes
  lomsong campaign --verdicts lomsong-demo/deadzones/villages.csv --days 5 --start 103.46,22.40 --out ./camp`

// campaignOptions are the command's settings.
type campaignOptions struct {
	verdicts string // villages.csv with p_dead; empty: run the verdict on the dataset
	start    string
	out      string
	cfg      campaign.Config
}

func runCampaign(ctx context.Context, args []string, e *env) error {
	fs := newFlags("campaign", campaignSynopsis, campaignExample, e)
	var cf coverageFlags
	cf.register(fs)
	cf.registerPeriod(fs)
	var o campaignOptions
	fs.StringVar(&o.verdicts, "verdicts", "", "villages.csv `file` from lomsong deadzones (with p_dead) instead of computing the verdict from --dataset")
	communes, communeParent := registerCommunes(fs, "GeoJSON `file` of communes (e.g. ../shared/data/vn_communes_2025.geojson) to attribute the villages to and name their communes in campaign.csv and campaign.geojson, as lomsong deadzones --communes (with --dataset)")
	fs.IntVar(&o.cfg.Days, "days", 0, "working `days` of every team (required)")
	fs.IntVar(&o.cfg.Teams, "teams", 1, "number of measuring `teams`")
	fs.StringVar(&o.start, "start", "", "where the teams start: a village id, a town or village `name` (diacritics optional when the name is unambiguous), or LON,LAT (default: the village nearest the villages' mean position)")
	fs.StringVar(&o.out, "out", "", "output `directory`")
	fs.Float64Var(&o.cfg.DayHours, "day-hours", 8, "time budget of a team-day, `hours`")
	fs.Float64Var(&o.cfg.MeasureHours, "measure-hours", 1.5, "time spent testing one village, `hours`")
	fs.Float64Var(&o.cfg.SpeedKmh, "speed-kmh", 30, "travel `speed` along the detoured distance, km/h")
	fs.Float64Var(&o.cfg.DetourFactor, "detour", 1.4, "road distance over great-circle distance (`factor` ≥ 1)")
	fs.Float64Var(&o.cfg.MissCost, "miss-cost", 1, "cost of a missed dead village relative to a false alarm (`C` > 0)")
	fs.Float64Var(&o.cfg.ResidualError, "residual-error", 0.05, "`probability` that a village's verdict is still wrong after its test day, in [0, 0.5) (0: the tests settle it)")
	fs.BoolVar(&o.cfg.ReturnToBase, "return", false, "teams return to --start every evening")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["days"] && o.cfg.Days < 1 {
		// A value given and wrong is named, not answered with the usage.
		return usageError{fmt.Sprintf("campaign: --days %d: want the working days of every team, 1 or more", o.cfg.Days)}
	}
	if o.out == "" || o.cfg.Days < 1 {
		fs.Usage()
		return requiredFlags("campaign", flagNeed{"--out DIR", o.out == ""}, flagNeed{"--days N (≥ 1)", o.cfg.Days < 1})
	}
	if o.verdicts == "" && cf.dataset == "" {
		fs.Usage()
		return usageError{"campaign: --dataset DIR (or --verdicts FILE) is required"}
	}
	if err := outDirUsable("campaign", o.out, "campaign.csv and campaign.geojson"); err != nil {
		return err
	}
	if err := outOutsideDataset("campaign", o.out, cf.dataset); err != nil {
		return err
	}
	if o.verdicts != "" {
		// The file holds the verdicts: the flags that choose what the
		// dataset's run reads would be ignored.
		var unused []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "dataset", "period", "population", "calibration", "res", "communes", "commune-parent-prop":
				unused = append(unused, "--"+f.Name)
			}
		})
		if len(unused) > 0 {
			what := "the verdicts come"
			if given["communes"] || given["commune-parent-prop"] {
				// The file's commune columns: lomsong deadzones
				// --communes attributed and named them.
				what = "the verdicts and the villages' communes (named by lomsong deadzones --communes) come"
			}
			return usageError{fmt.Sprintf("campaign: %s: with --verdicts %s from %s, not from a dataset's run (give one or the other)", strings.Join(unused, ", "), what, o.verdicts)}
		}
	}
	// The engine reads a zero as "the default": a zero the user typed is
	// refused instead of replaced (each flag's default is already its
	// value).
	var zero error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "teams", "day-hours", "measure-hours", "speed-kmh", "detour", "miss-cost":
			if v, err := strconv.ParseFloat(f.Value.String(), 64); err == nil && v == 0 && zero == nil {
				zero = usageError{fmt.Sprintf("campaign: --%s 0: want a value above 0 (its default is %s)", f.Name, f.DefValue)}
			}
		}
	})
	if zero != nil {
		return zero
	}
	// A value out of its range is named by its flag, as --days is (the
	// engine's words were "teams -2", "day hours 30", "detour factor 0.5").
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, c := range []struct {
		flag string
		ok   bool
		want string
	}{
		{"teams", o.cfg.Teams >= 1, "the number of measuring teams, 1 or more"},
		{"day-hours", finite(o.cfg.DayHours) && o.cfg.DayHours > 0 && o.cfg.DayHours <= 24, "the hours of a team-day, above 0 and at most 24"},
		{"measure-hours", finite(o.cfg.MeasureHours) && o.cfg.MeasureHours > 0, "the hours of tests at one village, above 0"},
		{"speed-kmh", finite(o.cfg.SpeedKmh) && o.cfg.SpeedKmh > 0, "a travel speed above 0 km/h"},
		{"detour", finite(o.cfg.DetourFactor) && o.cfg.DetourFactor >= 1, "road distance over great-circle distance, 1 or more"},
		{"miss-cost", finite(o.cfg.MissCost) && o.cfg.MissCost > 0, "the cost of a missed dead village relative to a false alarm's 1, above 0"},
	} {
		if !c.ok {
			return usageError{fmt.Sprintf("campaign: --%s %s: want %s", c.flag, fs.Lookup(c.flag).Value, c.want)}
		}
	}
	if r := o.cfg.ResidualError; !(r >= 0 && r < 0.5) {
		return usageError{fmt.Sprintf("campaign: --residual-error %g: the residual error is a probability in [0, 0.5)", r)}
	}
	if o.cfg.ResidualError == 0 {
		o.cfg.ResidualError = -1 // the flag's 0 means perfect tests, not the default
	}
	if m, d := o.cfg.MeasureHours, o.cfg.DayHours; m > d && d > 0 {
		// Said in the flags' names (the engine's words were "measure hours").
		return usageError{fmt.Sprintf("campaign: --measure-hours %g is more than --day-hours %g: a team-day must hold at least one village's tests", m, d)}
	}
	if err := o.cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	// The verdict's cut of the same C (and villages.csv's rounding).
	if _, err := missCostCut("campaign", o.cfg.MissCost); err != nil {
		return err
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	var villages []campaign.Village
	var areas map[string]campaignArea
	var gap unweighed
	var source string
	var err error
	if o.verdicts != "" {
		// --province keeps the villages.csv rows of that province (its
		// province column: where the dead-zone run located each village).
		province, label := "", ""
		var set *geodata.BoundarySet
		if set, err = cf.bounds.load(); err != nil {
			return err
		}
		if cf.province != "" {
			u, err := lookupAreaProvince(set, cf.province)
			if err != nil {
				return err
			}
			province, label = u.Code, fmt.Sprintf("%s (%s)", u.Name, u.Code)
			source = o.verdicts + ", " + label
		} else {
			source = o.verdicts
		}
		var left []string
		villages, areas, left, gap, err = readVerdicts(o.verdicts, province, label, set)
		for _, l := range left {
			fmt.Fprintf(e.stderr, "warning: %s: %s\n", o.verdicts, l)
		}
	} else {
		villages, areas, gap, source, err = datasetVerdicts(ctx, e, &cf, o.cfg.MissCost, o.start, *communes, *communeParent)
	}
	if err != nil {
		return err
	}
	if o.start != "" {
		p, err := resolveStart(o.start, villages)
		var none noStartError
		if errors.As(err, &none) {
			// A town or village outside the villages planned (another
			// province's, or one without a verdict) is a base as its
			// position is: found among every village the dataset or the
			// file names.
			others, oerr := startPlaces(o.verdicts, cf.dataset)
			if oerr != nil {
				return oerr
			}
			p, err = resolveStartOutside(o.start, villages, others, none)
		}
		if err != nil {
			return usageError{"campaign: --start: " + err.Error()}
		}
		o.cfg.Start = p
	}
	plan, err := campaign.Build(villages, o.cfg)
	if err != nil {
		return err
	}
	// One output set (writeSet): both files or neither, and never over a
	// file of their names an earlier campaign here did not write, nor
	// over the --verdicts or --communes file read.
	if err := writeSet(ctx, o.out, "campaign", func(stage string) error { return writeCampaign(stage, plan, areas) }, o.verdicts, *communes); err != nil {
		return err
	}
	printCampaign(e.stdout, plan, len(villages), gap, source)
	fmt.Fprintf(e.stdout, "wrote %s/{campaign.csv,campaign.geojson}\n", o.out)
	return nil
}

// leftOut describes rows left out (each "line N (id)") for what they
// lack, at most three named.
func leftOut(rows []string, what string) string {
	more := ""
	if len(rows) > 3 {
		more = fmt.Sprintf(", … %d more", len(rows)-3)
	}
	return fmt.Sprintf("%s %s left out: %s%s", plural.Count(len(rows), "row", "rows"), what, strings.Join(rows[:min(3, len(rows))], ", "), more)
}

// datasetVerdicts runs the dead-zone verdict on the dataset (as lomsong
// deadzones does, with the cut 1/(1+C) of the same miss cost C) and
// returns the villages that have a verdict; with --province, those whose
// point lies in the province. With a commune file (communes, its
// provinces' codes in the property parentProp), the run attributes the
// villages to its communes and their areas name them, loadCommunes and
// checkCommunesGiven checking the file as deadzones does.
func datasetVerdicts(ctx context.Context, e *env, cf *coverageFlags, missCost float64, start, communes, parentProp string) ([]campaign.Village, map[string]campaignArea, unweighed, string, error) {
	var gap unweighed
	cut, err := missCostCut("campaign", missCost)
	if err != nil {
		return nil, nil, gap, "", err
	}
	store, copt, area, provinces, err := cf.prepare(e, false)
	if err != nil {
		return nil, nil, gap, "", err
	}
	if err := startInDataset(store, start); err != nil {
		return nil, nil, gap, "", err
	}
	communeSet, err := loadCommunes(e, communes, parentProp, provinces)
	if err != nil {
		return nil, nil, gap, "", err
	}
	// With --province, the villages the run places in it (their point in
	// its outline, as villages.csv's province and a release's campaign
	// take them): not those whose hex centre lies in it, which leaves out
	// villages by the border.
	code := cf.provinceCode
	prog := startProgress(e, "campaign: measurements")
	copt.Aggregate.Progress = prog.set
	res, err := pipeline.DeadZones(ctx, store, pipeline.DeadZoneOptions{Coverage: copt, Provinces: provinces, Communes: communeSet,
		Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig(), Claims: []challenge.Claim{}, Cut: cut})
	prog.end()
	if err != nil {
		return nil, nil, gap, "", err
	}
	if err := checkCommunesGiven(e.stderr, res, communeSet, provinces, communes); err != nil {
		return nil, nil, gap, "", err
	}
	var out []campaign.Village
	areas := map[string]campaignArea{}
	for _, s := range res.Villages.Villages {
		if code != "" && s.Province != code {
			continue
		}
		if !s.HasVerdict {
			gap.villages++
			gap.households += s.Households
			continue
		}
		// p_dead as villages.csv writes it (deadzone.RoundPDead), so that a
		// campaign from the dataset and one from that file agree.
		out = append(out, campaign.Village{Village: engine.Village{ID: s.ID, Name: s.Name, CommuneCode: s.CommuneCode,
			Lon: s.Lon, Lat: s.Lat, Households: s.Households}, PDead: deadzone.RoundPDead(s.Verdict.PDead, 4, cut)})
		// Named as villages.csv names them (pipeline.UnitName): without
		// --communes a commune (the village's own commune_code) has no
		// name.
		areas[s.ID] = campaignArea{province: s.Province, provinceName: pipeline.UnitName(provinces, s.Province),
			commune: s.Commune, communeName: pipeline.UnitName(communeSet, s.Commune)}
	}
	return out, areas, gap, "the verdict over " + area, nil
}

// startInDataset refuses a --start name that no village of the dataset's
// villages table answers to, before the verdict's pass over the
// measurements (minutes for a country's month): the villages planned are
// some of the table's, so resolveStart would refuse it after that pass.
// A position, a name several villages share (it may be one village's
// among those with a verdict) and a dataset without a villages table are
// left to resolveStart.
func startInDataset(store *dataset.Store, spec string) error {
	if spec == "" {
		return nil
	}
	if a, b, ok := strings.Cut(spec, ","); ok {
		_, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		_, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 == nil && err2 == nil {
			return nil
		}
	}
	table, err := store.Villages()
	if err != nil || len(table) == 0 {
		return nil // the verdict's run says what is wrong with the table
	}
	all := make([]campaign.Village, len(table))
	for i, v := range table {
		if strings.EqualFold(v.ID, strings.TrimSpace(spec)) {
			return nil
		}
		all[i] = campaign.Village{Village: v}
	}
	if match, err := matchStart(spec, all); err != nil || len(match) > 0 {
		return nil
	}
	if _, err := resolveStart(spec, all); err != nil {
		return usageError{"campaign: --start: " + err.Error()}
	}
	return nil
}

// unweighed counts the villages a campaign could not weigh: those without
// a verdict (no site and no test within reach, the dead-zone run's
// not_analysed), which no P(dead) values a test day at.
type unweighed struct {
	villages   int
	households float64
}

// readVerdicts reads villages with p_dead from a villages.csv of lomsong
// deadzones (village_id, name, commune_code, lon, lat, households, p_dead;
// with a province code, its province column too, keeping that province's
// rows; label names it in messages). Rows with an empty p_dead (no
// verdict) are left out; a village id given twice is refused (it would be
// planned, and counted, twice). Where each village is (campaignArea, by
// id) comes from its province, province_name, commune and commune_name
// columns, a province's name missing there from provinces.
//
// It also says which rows it left out that a user may have meant in: rows
// without a p_dead (no verdict), and with --province rows whose province is
// empty or written as a name rather than a code.
func readVerdicts(path, province, label string, provinces *geodata.BoundarySet) ([]campaign.Village, map[string]campaignArea, []string, unweighed, error) {
	required := []string{"village_id", "lon", "lat", "households", "p_dead"}
	if province != "" {
		required = append(required, "province")
	}
	f, cr, idx, err := openTable(path, required...)
	if err != nil {
		return nil, nil, nil, unweighed{}, err
	}
	defer f.Close()
	seen := map[string]int{} // village id → line
	rows := 0                // rows with a verdict, of any province
	get := func(rec []string, col string) string {
		if i, ok := idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []campaign.Village
	areas := map[string]campaignArea{}
	var noVerdict, noProvince, named []string // "line N" of the rows left out that may have been meant in
	var gap unweighed                         // the rows without a verdict (of the province)
	for {
		rec, err := cr.Read()
		line := int(cr.Line())
		if err == io.EOF {
			switch {
			case len(out) == 0 && province != "" && rows > 0:
				// Rows whose province is a name, not a code, may be the
				// province's: say so, as a run that kept some does.
				var hint string
				if len(named) > 0 {
					hint = "; " + leftOut(named, "whose province is written otherwise than as a code (give the code, e.g. 12)")
				}
				return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: no village of %s among its %s with a verdict: nothing to plan a campaign for%s", path, label, plural.Count(rows, "village", "villages"), hint)}
			case len(out) == 0:
				return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: no village with a verdict (a p_dead): nothing to plan a campaign for", path)}
			}
			var left []string
			for _, g := range []struct {
				rows []string
				what string
			}{{noVerdict, "without a p_dead (no verdict)"}, {noProvince, "without a province (outside every province)"},
				{named, "whose province is written otherwise than as a code (give the code, e.g. 12)"}} {
				if len(g.rows) > 0 {
					left = append(left, leftOut(g.rows, g.what))
				}
			}
			return out, areas, left, gap, nil
		}
		if err != nil {
			return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: %w", path, err)}
		}
		id := get(rec, "village_id")
		if id == "" {
			// A team would be sent to a village nobody can name.
			return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: line %d, column village_id: empty: %w", path, line, engine.ErrInvalidValue)}
		}
		if first, dup := seen[id]; dup {
			return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: line %d, column village_id: %q is given again (first on line %d): %w", path, line, id, first, engine.ErrInvalidValue)}
		}
		seen[id] = line
		if get(rec, "p_dead") == "" {
			// Another province's row without a verdict is no more meant in
			// than one with a verdict: said of the province's rows only.
			if province == "" || get(rec, "province") == province {
				noVerdict = append(noVerdict, fmt.Sprintf("line %d (%s)", line, id))
				gap.villages++
				if hh, err := strconv.ParseFloat(get(rec, "households"), 64); err == nil && hh > 0 && !math.IsInf(hh, 0) {
					gap.households += hh
				}
			}
			continue
		}
		rows++
		if p := get(rec, "province"); province != "" && p != province {
			switch {
			case p == "":
				noProvince = append(noProvince, fmt.Sprintf("line %d (%s)", line, id))
			case strings.ContainsFunc(p, unicode.IsLetter):
				named = append(named, fmt.Sprintf("line %d (%s: %q)", line, id, p))
			}
			continue
		}
		v := campaign.Village{Village: engine.Village{ID: get(rec, "village_id"), Name: get(rec, "name"), CommuneCode: get(rec, "commune_code")}}
		for _, c := range []struct {
			name string
			dst  *float64
		}{{"lon", &v.Lon}, {"lat", &v.Lat}, {"households", &v.Households}, {"p_dead", &v.PDead}} {
			x, err := strconv.ParseFloat(get(rec, c.name), 64)
			if err != nil {
				return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: line %d, column %s: %q is not a number: %w", path, line, c.name, get(rec, c.name), engine.ErrInvalidValue)}
			}
			*c.dst = x
		}
		switch {
		case !(v.PDead >= 0 && v.PDead <= 1):
			return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: line %d, column p_dead: %g is outside [0, 1]: %w", path, line, v.PDead, engine.ErrInvalidValue)}
		case !(v.Households >= 0) || math.IsInf(v.Households, 0):
			return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: line %d, column households: %g is not a count: %w", path, line, v.Households, engine.ErrInvalidValue)}
		case !(v.Lon >= -180 && v.Lon <= 180 && v.Lat >= -90 && v.Lat <= 90):
			return nil, nil, nil, unweighed{}, refusedError{fmt.Errorf("%s: line %d: %g,%g is not a lon,lat position: %w", path, line, v.Lon, v.Lat, engine.ErrInvalidValue)}
		}
		out = append(out, v)
		// Where the village is, as the file says: the commune it was
		// attributed to (its commune column, else its own commune_code),
		// and the names the file gives (else the province's in the
		// boundary set).
		a := campaignArea{province: get(rec, "province"), commune: v.CommuneCode}
		if _, ok := idx["commune"]; ok {
			a.commune, a.communeName = get(rec, "commune"), get(rec, "commune_name")
		}
		if a.provinceName = get(rec, "province_name"); a.provinceName == "" {
			a.provinceName = pipeline.UnitName(provinces, a.province)
		}
		areas[v.ID] = a
	}
}

// campaignArea is where a village of a campaign is, as villages.csv says
// it: its province and the commune it was attributed to, each code
// followed by its name ("" when the name is not known: a commune without
// a commune set, a code the boundaries do not hold).
type campaignArea struct{ province, provinceName, commune, communeName string }

// maxStartDistM is the farthest a --start position may be from the
// nearest village: farther than a day's drive across a province.
const maxStartDistM = 300e3

// resolveStart reads --start: "LON,LAT", a village id, or a name matching
// village names or the comma-separated parts of them (case-insensitive),
// whose household-weighted centre it returns (their mean position when
// they have no households).
func resolveStart(spec string, villages []campaign.Village) (orb.Point, error) {
	if a, b, ok := strings.Cut(spec, ","); ok {
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 == nil && err2 == nil {
			if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
				return orb.Point{}, fmt.Errorf("%q is not a lon,lat position", spec)
			}
			// Teams drive from the start to the villages: a position far
			// from all of them (0,0, or lat,lon swapped) is a mistake, not
			// a base.
			p := orb.Point{lon, lat}
			if nearest := nearestDistM(p, villages); len(villages) > 0 && nearest > maxStartDistM {
				return orb.Point{}, fmt.Errorf("%q is %.0f km from the nearest village (a start must be within %.0f km of one; LON,LAT in that order)", spec, nearest/1000, maxStartDistM/1000)
			}
			return p, nil
		}
	}
	if v, ok := villageByID(spec, villages); ok {
		return orb.Point{v.Lon, v.Lat}, nil
	}
	match, err := matchStart(spec, villages)
	if err != nil {
		return orb.Point{}, err
	}
	if len(match) == 0 {
		if near := placesHolding(spec, villages); len(near) > 0 {
			// "Lai Châu" for the town the villages' names call "Thành
			// phố Lai Châu": the places whose name holds its words.
			return orb.Point{}, noStartError{fmt.Sprintf("no village id, name or town %q among the %d villages; places whose name holds it: %s (give one of them, or LON,LAT)",
				spec, len(villages), strings.Join(near, "; "))}
		}
		return orb.Point{}, noStartError{fmt.Sprintf("no village id, name or town %q among the %d villages (or give LON,LAT)", spec, len(villages))}
	}
	return startCentre(match), nil
}

// villageByID returns the village whose id a --start gives: the id as
// written, else the one village with that id in another case
// ("v12-00082"), as names are matched.
func villageByID(spec string, villages []campaign.Village) (campaign.Village, bool) {
	for _, v := range villages {
		if v.ID == spec {
			return v, true
		}
	}
	var byID []campaign.Village
	for _, v := range villages {
		if strings.EqualFold(v.ID, strings.TrimSpace(spec)) {
			byID = append(byID, v)
		}
	}
	if len(byID) == 1 {
		return byID[0], true
	}
	return campaign.Village{}, false
}

// nearestDistM is the distance from p to the nearest of the villages, in
// metres (+Inf for none).
func nearestDistM(p orb.Point, villages []campaign.Village) float64 {
	nearest := math.Inf(1)
	for _, v := range villages {
		nearest = min(nearest, geo.Distance(p, orb.Point{v.Lon, v.Lat}))
	}
	return nearest
}

// noStartError is resolveStart's answer to a --start that names none of
// the villages: no id, name or town of theirs.
type noStartError struct{ msg string }

func (e noStartError) Error() string { return e.msg }

// startCentre is the household-weighted centre of the villages a --start
// names (their mean position when they have no households).
func startCentre(match []campaign.Village) orb.Point {
	var w, lon, lat float64
	for _, v := range match {
		w += v.Households
		lon += v.Households * v.Lon
		lat += v.Households * v.Lat
	}
	if w == 0 {
		return campaign.Centroid(match)
	}
	return orb.Point{lon / w, lat / w}
}

// resolveStartOutside reads a --start that names none of the villages
// planned (resolveStart said so: none) among others, every village the
// dataset or the --verdicts file names: a town of the next province, a
// village without a verdict. Its id or name is taken as resolveStart
// takes them; the start must lie within maxStartDistM of a village
// planned, as a LON,LAT start must. A name none of others has either is
// none, its words' places among others suggested.
func resolveStartOutside(spec string, planned, others []campaign.Village, none noStartError) (orb.Point, error) {
	var match []campaign.Village
	if v, ok := villageByID(spec, others); ok {
		match = []campaign.Village{v}
	} else {
		var err error
		if match, err = matchStart(spec, others); err != nil {
			return orb.Point{}, err
		}
	}
	if len(match) == 0 {
		if near := placesHolding(spec, others); len(near) > 0 && len(placesHolding(spec, planned)) == 0 {
			return orb.Point{}, fmt.Errorf("%s; places whose name holds it: %s (give one of them, or LON,LAT)", none.msg, strings.Join(near, "; "))
		}
		return orb.Point{}, none
	}
	p := startCentre(match)
	if nearest := nearestDistM(p, planned); len(planned) > 0 && nearest > maxStartDistM {
		return orb.Point{}, fmt.Errorf("%q is none of the %d villages planned, and lies %.0f km from the nearest of them (a start must be within %.0f km of one)",
			spec, len(planned), nearest/1000, maxStartDistM/1000)
	}
	return p, nil
}

// startPlaces returns every village a --start may name beyond those
// planned: the --verdicts file's rows (of any province, with a verdict or
// not), else the dataset's villages table.
func startPlaces(verdicts, dir string) ([]campaign.Village, error) {
	if verdicts == "" {
		store, err := dataset.Open(dir)
		if err != nil {
			return nil, err
		}
		table, err := store.Villages()
		if err != nil {
			return nil, err
		}
		out := make([]campaign.Village, len(table))
		for i, v := range table {
			out[i] = campaign.Village{Village: v}
		}
		return out, nil
	}
	f, cr, idx, err := openTable(verdicts, "village_id", "lon", "lat")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	get := func(rec []string, col string) string {
		if i, ok := idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []campaign.Village
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, refusedError{fmt.Errorf("%s: %w", verdicts, err)}
		}
		// Rows readVerdicts did not read (another province's, or without a
		// verdict) are only places here: one without a position is none.
		lon, err1 := strconv.ParseFloat(get(rec, "lon"), 64)
		lat, err2 := strconv.ParseFloat(get(rec, "lat"), 64)
		if err1 != nil || err2 != nil || !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
			continue
		}
		hh, err := strconv.ParseFloat(get(rec, "households"), 64)
		if err != nil || !(hh >= 0) || math.IsInf(hh, 0) {
			hh = 0
		}
		out = append(out, campaign.Village{Village: engine.Village{ID: get(rec, "village_id"), Name: get(rec, "name"), Lon: lon, Lat: lat, Households: hh}})
	}
}

// placesHolding returns the places villages' names are in (the parts
// after the first comma, as matchStart takes them) whose words, without
// diacritics, hold the words of spec in a row: at most five, in order.
func placesHolding(spec string, villages []campaign.Village) []string {
	words := func(s string) []string {
		var ws []string
		for _, w := range strings.Fields(s) {
			if f := engine.Fold(w); f != "" {
				ws = append(ws, f)
			}
		}
		return ws
	}
	want := words(spec)
	if len(want) == 0 {
		return nil
	}
	var found []string
	for _, v := range villages {
		ps := strings.Split(v.Name, ",")
		for _, part := range ps[1:] {
			name := norm.NFC.String(strings.TrimSpace(part))
			if slices.Contains(found, name) {
				continue
			}
			have := words(name)
			for i := 0; i+len(want) <= len(have); i++ {
				if slices.Equal(have[i:i+len(want)], want) {
					found = append(found, name)
					break
				}
			}
		}
	}
	slices.Sort(found)
	return found[:min(5, len(found))]
}

// matchStart returns the villages a --start name names: a village's whole
// name ("Tổ dân phố 5, Thành phố Lai Châu"); else a place its name is in
// (a part after the first comma: "Thành phố Lai Châu", its villages);
// else a village's own name (the part before the first comma), which must
// be one village's, not hamlets of that name in several places. Names
// compare in Unicode NFC, any case; failing that without diacritics
// ("thanh pho lai chau"), as --province takes them, where a spelling that
// fits several written names is refused, not merged.
func matchStart(spec string, villages []campaign.Village) ([]campaign.Village, error) {
	nfc := func(s string) string { return strings.ToLower(norm.NFC.String(strings.TrimSpace(s))) }
	// parts of a name: whole name first, then its place parts, then its own
	// name.
	const (
		whole = iota
		place
		own
	)
	parts := make([][3][]string, len(villages)) // each village's name split once
	for i, v := range villages {
		parts[i][whole] = []string{v.Name}
		if ps := strings.Split(v.Name, ","); len(ps) > 1 {
			parts[i][own], parts[i][place] = ps[:1], ps[1:]
		}
	}
	for _, folded := range []bool{false, true} {
		key := nfc
		if folded {
			key = engine.Fold
		}
		want := key(spec)
		if want == "" {
			continue
		}
		for level := whole; level <= own; level++ {
			// Each match, the part of its name matched and the name it
			// is said by (its whole name for a village's own name), as
			// written (NFC).
			var match []campaign.Village
			var partOf, nameOf []string
			for i, v := range villages {
				for _, part := range parts[i][level] {
					if key(part) != want {
						continue
					}
					p := norm.NFC.String(strings.TrimSpace(part))
					name := p
					if level == own {
						name = norm.NFC.String(strings.TrimSpace(v.Name))
					}
					match, partOf, nameOf = append(match, v), append(partOf, p), append(nameOf, name)
					break
				}
			}
			if len(match) == 0 {
				continue
			}
			distinct := func(xs []string) []string {
				var out []string
				for _, x := range xs {
					if !slices.Contains(out, x) {
						out = append(out, x)
					}
				}
				return out
			}
			if folded && len(distinct(nameOf)) > 1 {
				// The diacritics the user did type choose among names
				// that differ in them: "Ban Pá Sa" is Bản Pá Sà, not
				// Bản Pa Sà.
				var agree []string
				for _, p := range distinct(partOf) {
					if diacriticsAgree(spec, p) {
						agree = append(agree, p)
					}
				}
				if len(agree) == 1 {
					var kept []campaign.Village
					var keptNames []string
					for k, v := range match {
						if partOf[k] == agree[0] {
							kept, keptNames = append(kept, v), append(keptNames, nameOf[k])
						}
					}
					match, nameOf = kept, keptNames
				}
			}
			names := distinct(nameOf)
			slices.Sort(names)
			switch {
			case level == own && len(names) > 1:
				return nil, fmt.Errorf("%q is the name of villages in %d places: %s (give the whole name or the village id)",
					spec, len(names), strings.Join(firstN(names, 5), "; "))
			case folded && len(names) > 1:
				return nil, fmt.Errorf("%q fits several names: %s (give one with its diacritics)", spec, strings.Join(firstN(names, 5), "; "))
			case level != place && len(match) > 1:
				// Several villages of one name ("Bản Lếch Ma" in three
				// communes): their mean position is none of them.
				ids := make([]string, len(match))
				for i, v := range match {
					ids[i] = v.ID
					if v.CommuneCode != "" {
						ids[i] += " (commune " + v.CommuneCode + ")"
					}
				}
				return nil, fmt.Errorf("%q is the name of %d villages: %s (give the village id)", spec, len(match), strings.Join(firstN(ids, 5), ", "))
			}
			return match, nil
		}
	}
	return nil, nil
}

// diacriticsAgree reports whether name has every diacritic typed in spec,
// where spec and name are the same letters once folded: a letter typed
// plain stands for any of its forms, one typed with its marks for that
// form alone (case aside).
func diacriticsAgree(spec, name string) bool {
	letters := func(s string) []rune {
		var rs []rune
		for _, r := range strings.ToLower(norm.NFC.String(s)) {
			if engine.Fold(string(r)) != "" {
				rs = append(rs, r)
			}
		}
		return rs
	}
	a, b := letters(spec), letters(name)
	if len(a) != len(b) {
		return false
	}
	for i, r := range a {
		plain := engine.Fold(string(r))
		if r != b[i] && (plain != string(r) || engine.Fold(string(b[i])) != plain) {
			return false
		}
	}
	return true
}

// firstN returns the first n of names, with "…" for the rest.
func firstN(names []string, n int) []string {
	if len(names) <= n {
		return names
	}
	return append(slices.Clone(names[:n]), fmt.Sprintf("… (%d more)", len(names)-n))
}

func fmtFloat(v float64, prec int) string {
	if math.IsNaN(v) {
		return ""
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Trim(s, "-0.") == "" {
		return strconv.FormatFloat(0, 'f', prec, 64)
	}
	return s
}

// campaignRow is one ranked village, formatted for campaign.csv, in the
// area a says it is in.
func campaignRow(rank int, v campaign.Visit, cut float64, a campaignArea) []string {
	team, day, order := "", "", ""
	if v.Chosen() {
		team, day, order = strconv.Itoa(v.Team), strconv.Itoa(v.Day), strconv.Itoa(v.Order)
	}
	return []string{strconv.Itoa(rank), v.ID, v.Name, a.province, a.provinceName, a.commune, a.communeName, fmtFloat(v.Lon, 6), fmtFloat(v.Lat, 6),
		strconv.FormatFloat(v.Households, 'f', -1, 64), fmtFloat(deadzone.RoundPDead(v.PDead, 4, cut), 4), fmtFloat(v.Value, 3), team, day, order}
}

var campaignColumns = []string{"rank", "village_id", "name", "province", "province_name", "commune", "commune_name", "lon", "lat", "households", "p_dead", "value", "team", "day", "order"}

// writeCampaign writes campaign.csv and campaign.geojson into the folder
// out, each village with its province and commune from areas (by id).
func writeCampaign(out string, p *campaign.Plan, areas map[string]campaignArea) error {
	// p_dead rounded as villages.csv rounds it (never across the cut or a
	// status bound), so the same village reads the same in both.
	cut := 0.5
	if p.Config.MissCost > 0 {
		c, err := deadzone.CutFromMissCost(p.Config.MissCost)
		if err != nil {
			return err
		}
		cut = c
	}
	err := writeAtomic(filepath.Join(out, "campaign.csv"), func(f *dataset.AtomicFile) error {
		cw := csv.NewWriter(f)
		if err := cw.Write(campaignColumns); err != nil {
			return err
		}
		for i, v := range p.Ranked {
			if err := cw.Write(campaignRow(i+1, v, cut, areas[v.ID])); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i, v := range p.Ranked {
		f := geojson.NewFeature(orb.Point{v.Lon, v.Lat})
		f.Properties["rank"] = i + 1
		f.Properties["village_id"] = v.ID
		f.Properties["name"] = v.Name
		a := areas[v.ID]
		f.Properties["province"], f.Properties["province_name"] = a.province, a.provinceName
		f.Properties["commune"], f.Properties["commune_name"] = a.commune, a.communeName
		f.Properties["households"] = v.Households
		f.Properties["p_dead"] = deadzone.RoundPDead(v.PDead, 4, cut)
		f.Properties["value"] = round4(v.Value)
		f.Properties["chosen"] = v.Chosen()
		if v.Chosen() {
			f.Properties["team"], f.Properties["day"], f.Properties["order"] = v.Team, v.Day, v.Order
		}
		fc.Append(f)
	}
	at := map[int]orb.Point{}
	for _, v := range p.Ranked {
		at[v.Row] = orb.Point{v.Lon, v.Lat}
	}
	for _, r := range p.Routes {
		line := orb.LineString{r.Start}
		for _, row := range r.Rows {
			line = append(line, at[row])
		}
		if p.Config.ReturnToBase {
			line = append(line, r.Start)
		}
		var g orb.Geometry = line
		if !moves(line) {
			// A team-day that tests only the village it starts at
			// travels nowhere: a LineString of one position repeated
			// is an invalid geometry GIS tools refuse; a Point there.
			g = r.Start
		}
		f := geojson.NewFeature(g)
		f.Properties["team"], f.Properties["day"] = r.Team, r.Day
		f.Properties["villages"] = len(r.Rows)
		f.Properties["length_km"] = round1(r.LengthKm)
		f.Properties["travel_hours"] = round2(r.TravelHours)
		f.Properties["hours"] = round2(r.Hours)
		f.Properties["value"] = round4(r.Value)
		fc.Append(f)
	}
	return writeJSONFile(filepath.Join(out, "campaign.geojson"), fc)
}

// moves reports whether a route's positions are not all the same one.
func moves(line orb.LineString) bool {
	for _, p := range line[1:] {
		if p != line[0] {
			return true
		}
	}
	return false
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func printCampaign(w io.Writer, p *campaign.Plan, villages int, gap unweighed, source string) {
	c := p.Config
	var visited int
	for _, v := range p.Ranked {
		if v.Chosen() {
			visited++
		}
	}
	fmt.Fprintf(w, "campaign from %s: %s with a verdict, %d worth a test day; misclassification risk now %.1f households (miss cost %g)\n",
		source, plural.Count(villages, "village", "villages"), len(p.Ranked), p.RiskNow, c.MissCost)
	share := "no risk to remove"
	if gap.villages > 0 {
		share = "no risk to remove among the villages with a verdict"
	}
	if p.RiskNow > 0 {
		share = fmt.Sprintf("%.1f%%", 100*p.Value/p.RiskNow)
	}
	if n := gap.villages; n > 0 {
		// Not a pass: nothing is known there, so no test day is valued
		// there either, and the risk above leaves them out.
		them := plural.Noun(n, "it", "them")
		fmt.Fprintf(w, "%s (%s) %s no verdict (no site and no test within reach) and %s not weighed: no P(dead) values a test day there, and the risk above leaves %s out; %s a first measurement (lomsong deadzones lists %s as not analysed)\n",
			plural.Count(n, "village", "villages"), plural.Count(int64(math.RoundToEven(gap.households)), "household", "households"),
			plural.Noun(n, "has", "have"), plural.Noun(n, "is", "are"), them, plural.Noun(n, "it needs", "they need"), them)
	}
	teams := plural.Count(c.Teams, "team", "teams")
	busy := map[int]bool{}
	for _, r := range p.Routes {
		busy[r.Team] = true
	}
	if len(busy) < c.Teams && len(p.Routes) > 0 {
		// More teams than work: said, not implied that all are sent.
		teams = fmt.Sprintf("%s, %d of them with villages to test,", plural.Count(c.Teams, "team", "teams"), len(busy))
	}
	fmt.Fprintf(w, "%s × %s from %.5f, %.5f: %s tested, expected risk removed %.1f households (%s)\n",
		teams, plural.Count(c.Days, "day", "days"), c.Start[0], c.Start[1], plural.Count(visited, "village", "villages"), p.Value, share)
	if len(p.Routes) == 0 {
		if len(p.Ranked) == 0 {
			// Said in words: an empty plan is the answer, not a failure
			// to plan.
			fmt.Fprintf(w, "nothing to measure: no village with a verdict is worth a test day (every verdict is as sure as a test day's, wrong with probability %g, would make it, or its village has no households); campaign.csv and campaign.geojson list no village and no route\n",
				c.ResidualError)
		}
		if visited == 0 && len(p.Ranked) > 0 {
			fmt.Fprintf(w, "no village worth a test day can be reached and tested (%.1f h each) within a %.1f h day from the start: move --start nearer, or allow longer days (--day-hours)\n",
				c.MeasureHours, c.DayHours)
		}
		return
	}
	byRow := map[int]campaign.Visit{}
	for _, v := range p.Ranked {
		byRow[v.Row] = v
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "day\tteam\tkm\thours\tvalue\tvillages")
	for _, r := range p.Routes {
		ids := make([]string, len(r.Rows))
		for k, row := range r.Rows {
			ids[k] = byRow[row].ID
		}
		fmt.Fprintf(tw, "%d\t%d\t%.1f\t%.2f\t%.1f\t%s\n", r.Day, r.Team, r.LengthKm, r.Hours, r.Value, strings.Join(ids, " → "))
	}
	tw.Flush()
}
