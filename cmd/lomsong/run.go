package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
)

const runSynopsis = `run --dataset DIR [--period YYYY-MM] [flags]

The monthly run: every stage of one month, once, in order, each reading the
output the stage before saved in the dataset:

  measure      one pass per carrier over the month's measurements:
               statistics per (hex, carrier, technology), the radio map's
               readings near villages and populated hexes, the challenge tally
  predictions  the best-server search over the register at the analysis and
               measured hexes, uncalibrated (lomsong calibrate saves it too,
               so the run after a calibration reads it back)
  coverage     the search calibrated and fused with the measured hexes
  deadzones    P(dead) per village and hex, zones, carrier gaps, challenges
  plan         the investment plan (with --budget)

Each output is saved under DIR/stages/period=YYYY-MM/ with a key of everything
it was computed from: the checksums of the parts it read (or the keys of the
outputs it read), its options and its format. A stage whose key is unchanged
is read back, not computed: a second run with nothing new reads no
measurement, and when one carrier adds a dump only that carrier's pass is
made again (over its parts alone) and the stages after it rerun. One run of
a month at a time: a second run of the month waits for the first, naming it,
then reads back what it saved.
lomsong coverage, deadzones and plan read the same saved outputs when their
options are the run's (the defaults), so after a run they read no measurement;
scorecard and report read them too: the dead zones of the month and the month
before (the scorecard's figures from the dead-zone stage alone, without the
coverage) and, for the speed target, each month's saved pass for its speed
counts alone. Predictions are calibrated as the other commands calibrate them
(DATASET/calibration.json when it exists, --calibration FILE or none). lomsong
dataset verify checks the saved outputs' checksums as it checks the parts.

Progress goes to stderr (stage, rows, rate, ETA); a summary of the stages
(read back or computed, why, time, where saved) and the month's figures to
stdout. A month without measurements is refused (exit 3).`

const runExample = `  lomsong run --dataset lomsong-demo/dataset --period 2024-10
  lomsong run --dataset ./ds --period 2026-10 --budget 500e9 --out ./oct
  lomsong run --dataset ./ds --province "lai chau" --communes ../shared/data/vn_communes_2025.geojson`

func runRun(ctx context.Context, args []string, e *env) error {
	fs := newFlags("run", runSynopsis, runExample, e)
	var cf coverageFlags
	cf.register(fs)
	cf.registerPeriod(fs)
	out := fs.String("out", "", "also write the dead-zone tables (and with --budget the plan) to this `directory` (OUT/deadzones, OUT/plan)")
	budget := vndVar(fs, "budget", 0, "add the plan stage with this budget in `VND` (e.g. 500e9)")
	costs := fs.String("costs", "", costsUsage+" (with --budget)")
	communes, communeParent := registerCommunes(fs, "GeoJSON `file` of communes to attribute hexes and villages to (as lomsong deadzones --communes)")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	// Without --budget, no plan stage; a --budget given is checked as the
	// plan checks it (--budget 0 skipped the plan silently).
	budgetGiven := false
	fs.Visit(func(f *flag.Flag) { budgetGiven = budgetGiven || f.Name == "budget" })
	if budgetGiven {
		if err := budgetFlag("run", *budget); err != nil {
			return err
		}
	} else if *costs != "" {
		// The costs price the plan: without its stage they would be
		// taken and not used.
		return usageError{fmt.Sprintf("run: --costs %s prices the plan, and without --budget there is no plan stage: give --budget VND too", *costs)}
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	costModel, err := planCosts(e, *costs)
	if err != nil {
		return err
	}
	if *out != "" {
		// OUT/deadzones and OUT/plan checked as lomsong deadzones and
		// plan check their --out, before any work.
		inputs := []string{*communes, cf.population, cf.calibration, cf.bounds.boundaries}
		if err := outDirUsable("run", *out, "the dead-zone tables (OUT/deadzones) and the plan (OUT/plan)"); err != nil {
			return err
		}
		if err := outOutsideDataset("run", *out, cf.dataset); err != nil {
			return err
		}
		if err := outDirUsable("run", filepath.Join(*out, "deadzones"), "the dead-zone tables"); err != nil {
			return err
		}
		if err := outputsFree(filepath.Join(*out, "deadzones"), "deadzones", deadzoneOutputs(false), inputs...); err != nil {
			return err
		}
		if budgetGiven {
			if err := outDirUsable("run", filepath.Join(*out, "plan"), "the plan (OUT/plan)"); err != nil {
				return err
			}
			if err := outputsFree(filepath.Join(*out, "plan"), "plan", planOutputs(false), inputs...); err != nil {
				return err
			}
		}
	}
	cf.mustSave = true
	store, copt, area, provinces, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	if len(copt.Aggregate.Periods) != 1 {
		return refusedError{fmt.Errorf("run: %s has no measurements: nothing to run (ingest a month of measurements first)", cf.dataset)}
	}
	period := copt.Aggregate.Periods[0]
	communeSet, err := loadCommunes(e, *communes, *communeParent, provinces)
	if err != nil {
		return err
	}
	opt := monthRunOptions(period, copt, provinces, communeSet, *budget, costModel)
	pr := newRunProgress(e.stderr)
	opt.Progress = pr.report
	sum, err := pipeline.Run(ctx, store, opt)
	var nd *pipeline.NoPeriodDataError
	if errors.As(err, &nd) {
		return refusedError{fmt.Errorf("run: %s: %w", cf.dataset, err)}
	}
	if dataset.IsNotWritable(err) {
		return fmt.Errorf("run: %w (run saves the month in the dataset, and %s; the single-stage commands — deadzones, plan, report… — work without write access, computing what is not saved)", err, dataset.NotWritableAdvice(err, "run it"))
	}
	if err != nil {
		return err
	}
	// The stages read the parts the manifest listed when the run began: a
	// source another command committed or retracted since is not in its
	// figures, or still is, and the tables' provenance (the manifest's
	// SHA-256, read when they are written) would name the new manifest.
	// A change to other months' measurements alone (a carrier's next
	// dump ingested meanwhile) leaves the month's figures those of the
	// new manifest too.
	if changed, err := store.ChangedFor([]string{period}); err != nil {
		return err
	} else if changed {
		return fmt.Errorf("run: %s changed while the run read it (an ingest, retract or repair was committed since it began): its figures are of the dataset as it was, so no summary or table is given; the stages it saved stay keyed by what they read: run it again, and only what the change touched is computed", cf.dataset)
	}
	if err := checkCommunesGiven(e.stderr, sum.DeadZones, communeSet, provinces, *communes); err != nil {
		return err
	}
	if *out != "" {
		dzProv, err := cf.provenance(e)
		if err != nil {
			return err
		}
		withPeriods(dzProv, []string{period})
		if err := writeSet(ctx, filepath.Join(*out, "deadzones"), "deadzones", func(stage string) error { return writeDeadzones(stage, sum.DeadZones, dzProv, provinces, communeSet) },
			*communes, cf.population, cf.calibration, cf.bounds.boundaries); err != nil {
			return err
		}
		if sum.Plan != nil {
			prov, err := cf.outputMeta(e)
			if err != nil {
				return err
			}
			if err := writeSet(ctx, filepath.Join(*out, "plan"), "plan", func(stage string) error {
				return writePlan(stage, sum.Plan, *opt.Plan, prov, sum.DeadZones.NoData, provinces, communeSet)
			},
				*communes, cf.population, cf.calibration, cf.bounds.boundaries); err != nil {
				return err
			}
		} else if fileExists(filepath.Join(*out, "plan", "plan.json")) {
			// An earlier run's plan beside these dead zones would be read
			// as theirs: said (it is the user's folder: not removed).
			fmt.Fprintf(e.stderr, "warning: %s is an earlier run's plan, not of these dead zones (this run has no --budget): run with --budget to replace it, or remove it\n",
				filepath.Join(*out, "plan"))
		}
	}
	printRunSummary(e.stdout, sum, provinces, cf.dataset, area, *out)
	if note := pipeline.DamagedInputs(store, period, false); note != "" {
		// Saved stages read back were computed before the damage; a stage
		// that reads such a part fails on it.
		fmt.Fprintf(e.stderr, "run: warning: %s\n", note)
	}
	return nil
}

// monthRunOptions are lomsong run's options for one month: the analysis
// options copt (from coverageFlags.prepare), the boundary sets, and with
// a positive budget the plan stage, its sites priced with costs (the
// plan stage's key holds them). Every command that reads a month's
// saved stages (run, export) builds its options here, so that their keys
// match and each reads what the other saved.
func monthRunOptions(period string, copt pipeline.CoverageOptions, provinces, communes *geodata.BoundarySet, budget float64, costs plan.Costs) pipeline.RunOptions {
	opt := pipeline.RunOptions{Period: period, DeadZones: pipeline.DeadZoneOptions{Coverage: copt, Provinces: provinces, Communes: communes,
		Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig()}}
	if budget > 0 {
		popt := pipeline.DefaultPlanOptions(budget)
		popt.Config.Costs = costs
		opt.Plan = &popt
	}
	return opt
}

// printRunSummary prints one screen: the stages, the passes made, the
// month's figures and where the outputs are.
func printRunSummary(w io.Writer, sum *pipeline.RunSummary, provinces *geodata.BoundarySet, dir, area, out string) {
	fmt.Fprintf(w, "run %s over %s: %.1fs; %s over %s (the month has %s, %s)\n",
		sum.Period, area, sum.Elapsed.Seconds(), plural.Count(sum.Scans.Scans, "pass", "passes"), plural.Count(sum.Scans.Rows, "measurement row", "measurement rows"),
		plural.Count(sum.Rows, "row", "rows"), plural.Count(sum.Keys, "hex/carrier/tech key", "hex/carrier/tech keys"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "stage\tcarrier\toutput\titems\ttime\twhy")
	read, notRead, missing := 0, 0, 0
	for _, s := range sum.Stages {
		status := "computed"
		switch {
		case s.Missing:
			status = "missing"
			missing++
		case s.NotRead:
			status = "current"
			notRead++
		case s.Reused:
			status = "read back"
			read++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.2fs\t%s\n", s.Stage, s.Carrier, status, s.Items, s.Elapsed.Seconds(), s.Why)
	}
	tw.Flush()
	current := ""
	if notRead > 0 {
		current = fmt.Sprintf(", %d current and not needed", notRead)
	}
	if missing > 0 {
		current += fmt.Sprintf(", %d missing and not needed", missing)
	}
	fmt.Fprintf(w, "%d of %d stages read back%s, %d computed\n", read, len(sum.Stages), current, len(sum.Stages)-read-notRead-missing)
	if dz := sum.DeadZones; dz != nil && dz.Coverage != nil {
		// A carrier of the register whose verdicts no test of the month
		// informs: said, not left to a missing row of the stage table —
		// nor hidden behind the row of a pass over tests all far from
		// the places analysed.
		tests := map[engine.Carrier]int64{}
		for _, s := range sum.Stages {
			if s.Stage == pipeline.StageMeasure {
				tests[engine.Carrier(s.Carrier)] += s.Items
			}
		}
		for _, c := range dz.PredictedOnly() {
			if n := tests[c]; n > 0 {
				fmt.Fprintf(w, "%s: %d measurement rows in %s, none near the villages and populated hexes analysed: its coverage there is predicted only\n", c, n, sum.Period)
				continue
			}
			fmt.Fprintf(w, "%s: sites in the register but no measurements in %s: its coverage is predicted only\n", c, sum.Period)
		}
	}
	if dz := sum.DeadZones; dz != nil {
		var hh float64
		hexes := 0
		for _, z := range dz.Zones {
			hh += z.Households
			hexes += len(z.Cells)
		}
		without := 0
		for _, v := range dz.Villages.Villages {
			if v.WithoutSignal() {
				without++
			}
		}
		c := dz.Challenges.Counts()
		fmt.Fprintf(w, "dead zones: %s, %s, %.0f households; villages without signal: %d of %d; claims challenged: %d (hex, carrier, technology) in %s\n",
			plural.Count(len(dz.Zones), "zone", "zones"), plural.Count(hexes, "hex", "hexes"), hh, without, len(dz.Villages.Villages), c.Challenged, plural.Count(c.ChallengedHexes, "hex", "hexes"))
		printExpectation(w, deadzone.ExpectList(dz.Villages.Villages))
		printNoData(w, dz.NoData)
		printUntested(w, dz.Untested, provinces)
	}
	if p := sum.Plan; p != nil {
		fmt.Fprintf(w, "plan: %s funded, %.0f households newly covered for %s VND (within %.1f%% of the bound)\n",
			plural.Count(len(p.Plan.Steps), "site", "sites"), p.Plan.TotalHouseholds, report.Money(p.Plan.TotalCostVND), 100*p.Plan.Gap)
	}
	fmt.Fprintf(w, "saved under %s\n", filepath.Join(dir, "stages", "period="+sum.Period))
	if out != "" {
		fmt.Fprintf(w, "tables written to %s\n", out)
	} else {
		fmt.Fprintf(w, "tables: lomsong deadzones --dataset %s --period %s --out DIR reads them back\n", shellQuote(dir), sum.Period)
	}
}

// runProgress prints the stages' progress on stderr: a line when a stage
// starts and ends, and while rows are read at most one a second with the
// rate and the time left.
type runProgress struct {
	w     io.Writer
	mu    sync.Mutex
	start map[string]time.Time
	// first is each stage's first report of items done: the rate and the
	// time left count from it, not from the stage's start, which may
	// spend a while before its first item (the dead-zone stage builds its
	// radio map before it decides any place).
	first map[string]progressMark
	last  time.Time
	now   func() time.Time // time.Now; tests set their clock
}

// progressMark is a stage's count of items done at a time.
type progressMark struct {
	t    time.Time
	done int64
}

func newRunProgress(w io.Writer) *runProgress {
	return &runProgress{w: w, start: map[string]time.Time{}, first: map[string]progressMark{}, now: time.Now}
}

func (p *runProgress) report(ev pipeline.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	t0, ok := p.start[ev.Stage]
	if !ok {
		t0 = now
		p.start[ev.Stage] = now
	}
	switch {
	case ev.Phase != "":
		fmt.Fprintf(p.w, "%s: %s\n", ev.Stage, ev.Phase)
		p.last = now
	case ev.Finished && ev.Reused:
		fmt.Fprintf(p.w, "%s: read back (saved output current)\n", ev.Stage)
	case ev.Finished:
		rate := ""
		if ev.Done > 0 && ev.Elapsed > 0 {
			rate = fmt.Sprintf(", %s %s/s", human(float64(ev.Done)/ev.Elapsed.Seconds()), ev.Unit)
		}
		fmt.Fprintf(p.w, "%s: done in %.1fs%s\n", ev.Stage, ev.Elapsed.Seconds(), rate)
	case !ok:
		what := ""
		if ev.Total > 0 {
			what = fmt.Sprintf(" (%s)", plural.Count(ev.Total, singularUnit(ev.Unit), ev.Unit))
		}
		fmt.Fprintf(p.w, "%s: started%s\n", ev.Stage, what)
		p.last = now
	case ev.Done > 0:
		f, seen := p.first[ev.Stage]
		if !seen {
			// Counting from the stage's start while it had nothing
			// done yet: the time before its first item counts as
			// waiting, not as the pace.
			f = progressMark{t0, 0}
			if now.Sub(t0) >= time.Second {
				f = progressMark{now, ev.Done}
			}
			p.first[ev.Stage] = f
		}
		if now.Sub(p.last) < time.Second {
			return
		}
		p.last = now
		line := fmt.Sprintf("%s: %s", ev.Stage, plural.Count(ev.Done, singularUnit(ev.Unit), ev.Unit))
		if ev.Total > 0 {
			line += fmt.Sprintf(" of %d (%.0f%%)", ev.Total, 100*float64(ev.Done)/float64(ev.Total))
		}
		if el := now.Sub(f.t).Seconds(); el >= 1 && ev.Done > f.done {
			rate := float64(ev.Done-f.done) / el
			line += fmt.Sprintf(", %s %s/s", human(rate), ev.Unit)
			if ev.Total > ev.Done {
				line += fmt.Sprintf(", ETA %s", time.Duration(float64(ev.Total-ev.Done)/rate*float64(time.Second)).Round(time.Second))
			}
		}
		fmt.Fprintln(p.w, line)
	}
}

// loadCommunes reads a commune boundary set (as deadzones --communes);
// nil, nil without a path (the flag not given).
//
// A file that can attribute no village to a commune is refused: no units,
// no unit with parentProp (a misspelt --commune-parent-prop, or the
// provinces file given by mistake), or no parent code among the
// provinces' (communes of another year's provinces: the 2025 communes
// under the 2019 provinces); communes whose parent is not a province are
// named on stderr, since their villages get no commune.
// padParentCodes reads the communes' parent codes that are digits without
// their leading zero (8, as a spreadsheet or QGIS writes a provinceCode
// column it took for numbers) as the province code they pad to (08), when
// exactly one province has it (geodata's Lookup), and says how many. Such
// communes were named as of a province the set does not have, and their
// villages got no commune. set is returned as it is when none is.
func padParentCodes(e *env, path string, set, provinces *geodata.BoundarySet) (*geodata.BoundarySet, error) {
	if provinces == nil {
		return set, nil
	}
	units := set.Units()
	padded := 0
	example := ""
	for i := range units {
		p := units[i].ParentCode
		if p == "" || strings.Trim(p, "0123456789") != "" {
			continue
		}
		if _, ok := provinces.ByCode(p); ok {
			continue
		}
		if u, err := provinces.Lookup(p); err == nil && u.Code != p {
			if example == "" {
				example = p + " as " + u.Code
			}
			units[i].ParentCode = u.Code
			padded++
		}
	}
	if padded == 0 {
		return set, nil
	}
	out, err := geodata.NewBoundarySet(set.Name, set.Level, units)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out.Coarse, out.NumericCodes = set.Coarse, set.NumericCodes
	fmt.Fprintf(e.stderr, "warning: %s: %d of its %d communes give their province's code without its leading zero (%s): read as that province's\n",
		path, padded, len(units), example)
	return out, nil
}

// registerCommunes defines --communes (usage says what the command does
// with the file) and --commune-parent-prop on fs, the same two flags with
// the same default in every command that attributes villages to communes;
// loadCommunes reads and checks the file they name.
func registerCommunes(fs *flag.FlagSet, usage string) (communes, parentProp *string) {
	communes = fs.String("communes", "", usage)
	parentProp = fs.String("commune-parent-prop", "provinceCode", "property of --communes holding the province code")
	return communes, parentProp
}

func loadCommunes(e *env, path, parentProp string, provinces *geodata.BoundarySet) (*geodata.BoundarySet, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	set, err := geodata.LoadBoundaries(f, "code", "name", parentProp)
	if errors.Is(err, geodata.ErrInvalidBoundaries) {
		// Refused for its data, as the same file given to --boundaries is
		// (boundaryFlags.load): exit 3, not 1.
		return nil, refusedError{fmt.Errorf("%s: %w", path, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	units := set.Units()
	if len(units) == 0 {
		return nil, refusedError{fmt.Errorf("%s: no communes in the file", path)}
	}
	if set, err = padParentCodes(e, path, set, provinces); err != nil {
		return nil, err
	}
	units = set.Units()
	var orphans []string // parent codes that are no province's
	orphaned, parented := 0, 0
	for _, u := range units {
		if u.ParentCode == "" {
			continue
		}
		parented++
		if provinces != nil {
			if _, ok := provinces.ByCode(u.ParentCode); !ok {
				orphaned++
				if !slices.Contains(orphans, u.ParentCode) {
					orphans = append(orphans, u.ParentCode)
				}
			}
		}
	}
	slices.Sort(orphans)
	switch {
	case parented == 0:
		return nil, usageError{fmt.Sprintf("%s: none of its %d units has the property %q (--commune-parent-prop) naming its province: no village could be given a commune", path, len(units), parentProp)}
	case parented == orphaned:
		return nil, usageError{fmt.Sprintf("%s: none of its communes' provinces (%s) is a province of %s: communes of other years' provinces? give the boundaries of the same year (--boundaries)",
			path, strings.Join(firstN(orphans, 8), ", "), setName(provinces))}
	case orphaned > 0:
		fmt.Fprintf(e.stderr, "warning: %s: %d of its %d communes name a province %s does not have (%s): their villages get no commune\n",
			path, orphaned, len(units), setName(provinces), strings.Join(firstN(orphans, 8), ", "))
	}
	if n := len(units) - parented; n > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %d of its %d communes have no %q: their villages get no commune\n", path, n, len(units), parentProp)
	}
	if n := len(set.NumericCodes); n > 0 {
		// As boundaryFlags.load says of --boundaries: "3478" matches no
		// village's commune_code "03478", and the villages are placed by
		// their position under the code without its zero.
		fmt.Fprintf(e.stderr, "warning: %s gives %d of its %d commune codes as numbers (e.g. %s), not text: a leading zero is lost there (GSO commune codes are 5 digits, \"03478\"), and they may match no village's commune_code; export the code column as text\n",
			path, n, len(units), set.NumericCodes[0])
	}
	return set, nil
}

// human prints a rate with an SI prefix: 1.2 M, 340 k.
func human(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0f k", v/1e3)
	}
	return strings.TrimSpace(fmt.Sprintf("%.0f", v))
}

// singularUnit is the singular of a progress unit ("zones": "zone"), for
// a count of one.
func singularUnit(unit string) string {
	switch {
	case strings.HasSuffix(unit, "xes"): // hexes
		return strings.TrimSuffix(unit, "es")
	case strings.HasSuffix(unit, "s"):
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}
