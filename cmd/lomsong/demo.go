package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/synth"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
)

const demoSynopsis = `demo [flags]

Runs lomsong end to end on a generated demo world, so it works on a fresh
machine with no data. It generates (deterministically from --seed) a province of
Vietnam (one of the 34 since 1 July 2025, built from its former provinces) inside
its real outline — or the whole country with --country — with
villages whose households add up to the 2019 census, three or four carriers'
site registers (dense urban 4G, rural 2G/3G/4G, a few sites down, remote hamlets
nobody serves), drive-test and crowd measurements drawn from a propagation model
with shadowing and noise, and 24 months of subscription tables. It writes them
as contract input files, ingests them, and runs every stage, writing under --out:

  input/        the generated contract files (sites, measurements, villages, subscriptions)
  truth/        the generator's ground truth (true signal and dead-zone villages, the true
                site register: antenna positions and which sites are down), used
                only to evaluate the results below, never by the engine
  dataset/      the ingested dataset (lomsong dataset ls)
  aggregates/   per (hex, carrier, tech) measurement statistics
  coverage/     fused coverage, calibrated (coverage_best.geojson opens in QGIS)
  deadzones/    dead zones, carrier gaps, villages without signal, challenges
  plan/         universal-service investment plan within --budget, with its optimality bound
  scorecard/    the five targets per province and month, with intervals, ranks and alerts
  export/       the month as a GeoPackage (lomsong-YYYY-MM.gpkg) for QGIS
  report.html   everything above in one offline page: open it in a browser
  evaluation.json  dead-zone villages found against the ground truth (precision, recall,
                F1, on all and on decidable villages; Brier score and reliability
                when the verdicts carry p_dead; the same by the tests within 300 m
                of each village: none, 1–9, 10 or more), the same scores of an
                oracle that knows the true world and sees the same tests
                (oracle_dead_zone_villages), the masts off the air found
                (off_air_masts), the penetration estimates and their intervals,
                and the predicted against the true signal at the villages (signal)
  evaluation/   coverage_uncalibrated/coverage.csv: the uncalibrated prediction at
                the villages' hexes, scored in signal beside the calibrated one

An --out that already holds a demo dataset is refused (exit 2): remove it or
give another directory.`

const demoExample = `  lomsong demo
  lomsong demo --province "Tuyên Quang" --seed 7 --out ./demo-tuyenquang
  lomsong demo --country --density 0.2 --out ./demo-vn`

func runDemo(ctx context.Context, args []string, e *env) error {
	fs := newFlags("demo", demoSynopsis, demoExample, e)
	province := fs.String("province", "", "province to generate (code or name of the 34 provinces since 1 July 2025, each the union of its former provinces; default Lai Châu, a mountainous northern province)")
	country := fs.Bool("country", false, "generate every province (with a soft memory limit of 1,300 MiB unless GOMEMLIMIT is set: about 1.4 GiB resident and 80–85 s on two idle cores)")
	seed := fs.Uint64("seed", 1, "random `seed`: the same seed and --out give byte-identical files (some outputs record the dataset's path)")
	density := fs.Float64("density", 0, "measurement density multiplier (default 1 for a province, 0.2 for --country)")
	out := fs.String("out", "lomsong-demo", "output `directory`")
	res := fs.Int("res", 8, "H3 analysis `resolution`")
	budget := vndVar(fs, "budget", 500e9, "investment plan budget in `VND`")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if *country && *province != "" {
		return usageError{"demo: --country and --province are exclusive"}
	}
	// Every flag is checked before the world is generated: a bad one
	// found by a later stage would leave a half-built --out behind.
	densitySet := false
	fs.Visit(func(f *flag.Flag) { densitySet = densitySet || f.Name == "density" })
	if densitySet && *density == 0 {
		return usageError{"demo: --density 0: want a multiplier above 0 (leave the flag out for the default)"}
	}
	if err := budgetFlag("demo", *budget); err != nil {
		return err
	}
	if _, err := pipeline.DefaultCoverageOptions(*res); err != nil {
		return usageError{fmt.Sprintf("demo: --res %d: %v", *res, err)}
	}
	// The demo uses the boundary set every other command defaults to: the
	// 34 provinces of 2025, each generated as the union of its 2019 members.
	cfg := synth.Config{Seed: *seed, Country: *country, MeasurementDensity: *density, Boundaries: synth.Boundaries2025}
	if *density == 0 && *country {
		cfg.MeasurementDensity = 0.2
	}
	if *country {
		defer countryMemoryLimit(e)()
	}
	if *province != "" {
		set, err := geodata.Provinces2025()
		if err != nil {
			return err
		}
		u, err := lookupProvince(set, *province)
		if err != nil {
			return err
		}
		cfg.Provinces = []string{u.Code}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if fileExists(filepath.Join(*out, "dataset", "manifest.json")) {
		return usageError{fmt.Sprintf("demo: %s already holds a demo dataset; remove it or give another --out", *out)}
	}
	if err := outDirUsable("demo", *out, "the demo's inputs, dataset and outputs"); err != nil {
		return err
	}
	start := time.Now()
	rss := watchRSS()
	defer rss.close()
	stage := func(name string) func() {
		// The stage before leaves garbage behind: collect it, so that
		// the collector's next target follows the stage's live data. The
		// freed memory is not returned to the system here: the runtime
		// keeps what its goals let it keep (the soft limit above all) and
		// the next stage reuses it. Returned at every stage
		// (debug.FreeOSMemory), the pages were faulted in again by the
		// stage after: a third of the country demo's 2.6 million page
		// faults, a fifth of its system time. A stage's peak RSS therefore
		// counts memory the runtime kept from the stages before it.
		runtime.GC()
		t := time.Now()
		cpu0, cpuOK := processCPU()
		rss.reset()
		// Its goroutines, and those they start, carry the stage's name in a
		// CPU profile (LOMSONG_CPUPROFILE; go tool pprof -tagfocus stage=run).
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("stage", name)))
		fmt.Fprintf(e.stdout, "\n== %s\n", name)
		return func() {
			// The process's CPU time over the stage (that of any work
			// beside it included): beside the wall time, how many of the
			// machine's cores the stage kept busy.
			cpu := ""
			if cpu1, ok := processCPU(); ok && cpuOK {
				cpu = fmt.Sprintf(", %.1f CPU s", (cpu1 - cpu0).Seconds())
			}
			fmt.Fprintf(e.stdout, "(%s: %.1fs%s%s)\n", name, time.Since(t).Seconds(), cpu, rss.note())
		}
	}

	done := stage("generate the demo world")
	genStart := time.Now()
	cfg.Progress = func(phase string) {
		fmt.Fprintf(e.stderr, "generate: %s (at %.1fs)\n", phase, time.Since(genStart).Seconds())
	}
	truth, month, oracle, err := generateDemo(cfg, *out, e.stdout)
	if err != nil {
		return err
	}
	done()
	in := filepath.Join(*out, "input")
	// The demo's clock is the end of its measured month (Vietnam time):
	// the ingest times in the manifest (and so every output that names the
	// manifest's checksum) and the report's date are the same on every
	// run, so the same seed gives byte-identical files.
	monthStart, err := time.ParseInLocation("2006-01", month.String(), time.FixedZone("ICT", 7*3600))
	if err != nil {
		return fmt.Errorf("demo: month %s: %w", month, err)
	}
	demoNow := monthStart.AddDate(0, 1, 0)
	de := *e
	de.clock = func() time.Time { return demoNow }
	e = &de

	ds := filepath.Join(*out, "dataset")
	type step struct {
		name string
		run  func(context.Context, []string, *env) error
		args []string
	}
	steps := []step{
		{"ingest", runIngest, []string{"--dataset", ds, filepath.Join(in, "sites.csv"), filepath.Join(in, "measurements.csv"),
			filepath.Join(in, "villages.csv"), filepath.Join(in, "subscriptions.csv")}},
		{"aggregate", runAggregate, []string{"--dataset", ds, "--res", strconv.Itoa(*res), "--out", filepath.Join(*out, "aggregates")}},
	}
	area := []string{"--boundaries", "provinces2025"}
	if !*country {
		code, err := demoProvinceCode(cfg)
		if err != nil {
			return err
		}
		area = append(area, "--province", code)
	}
	steps = append(steps,
		step{"calibrate", runCalibrate, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res)}, area...)},
		// The month's run saves every stage in the dataset and writes the
		// dead-zone and plan tables (OUT/deadzones, OUT/plan) from what it
		// holds, as lomsong deadzones and plan would from its saved
		// outputs; the commands after it read those outputs back instead
		// of the measurements.
		step{"run", runRun, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--period", month.String(),
			"--budget", strconv.FormatFloat(*budget, 'g', -1, 64), "--out", *out}, area...)},
		step{"coverage", runCoverage, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--out", filepath.Join(*out, "coverage")}, area...)},
		step{"scorecard", runScorecard, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--period", month.String(),
			"--out", filepath.Join(*out, "scorecard")}, area...)},
		step{"export", runExport, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--period", month.String(),
			"--budget", strconv.FormatFloat(*budget, 'g', -1, 64), "--format", "gpkg",
			"--out", filepath.Join(*out, "export", "lomsong-"+month.String()+".gpkg")}, area...)},
		step{"report", runReport, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--period", month.String(),
			"--budget", strconv.FormatFloat(*budget, 'g', -1, 64), "--out", *out}, area...)},
	)
	// The evaluation's uncalibrated prediction at the villages' hexes (to
	// measure what calibration changes) reads the dataset and the run's
	// villages alone: it starts with the coverage, whose table writing and
	// the scorecard beside it leave a core idle for much of their time.
	uncal := filepath.Join(*out, "evaluation", "coverage_uncalibrated")
	var uncalWait sync.WaitGroup
	var uncalErr error
	defer uncalWait.Wait()
	// The evaluations that read the dataset's calibration, the coverage
	// tables and the truth's signals start with the report, whose work is
	// one core's: the masts off the air, then, once the uncalibrated
	// prediction is written, the signals at the villages.
	var lateWait sync.WaitGroup
	var oa synth.OffAirEvaluation
	var sig []synth.SignalEvaluation
	var oaErr, sigErr error
	defer lateWait.Wait()
	// The oracle's verdicts (one core's work) beside the export, whose
	// GeoPackage writing is one core's too.
	var oracleWait sync.WaitGroup
	var oracleVerdicts []synth.VillageVerdict
	var oracleErr error
	defer oracleWait.Wait()
	uctx, cancel := context.WithCancel(ctx)
	defer cancel() // an early return stops them first
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		if s.name == "coverage" {
			fmt.Fprintln(e.stderr, "evaluate: the uncalibrated prediction at the villages' hexes (beside the coverage)")
			uncalWait.Go(func() {
				pprof.SetGoroutineLabels(pprof.WithLabels(uctx, pprof.Labels("stage", "uncalibrated")))
				uncalErr = uncalibratedAtVillages(uctx, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--calibration", "none"}, area...),
					filepath.Join(*out, "deadzones", "villages.csv"), uncal, &env{stdin: e.stdin, stdout: io.Discard, stderr: io.Discard})
			})
		}
		if s.name == "coverage" && i+1 < len(steps) && steps[i+1].name == "scorecard" {
			// The scorecard (one core's work, a few hundred MiB) beside the
			// coverage's table writing (one core's too): its output is
			// held and printed after the coverage's, as its own stage.
			sc := steps[i+1]
			var out, errs bytes.Buffer
			senv := *e
			senv.stdout, senv.stderr = &out, &errs
			var scErr error
			var scTime time.Duration
			var wg sync.WaitGroup
			wg.Go(func() {
				pprof.Do(ctx, pprof.Labels("stage", sc.name), func(ctx context.Context) {
					t0 := time.Now()
					scErr = sc.run(ctx, sc.args, &senv)
					scTime = time.Since(t0)
				})
			})
			done := stage(s.name)
			err := s.run(ctx, s.args, e)
			wg.Wait()
			if err != nil {
				return fmt.Errorf("demo: %s: %w", s.name, err)
			}
			done()
			fmt.Fprintf(e.stdout, "\n== %s (beside %s)\n", sc.name, s.name)
			e.stdout.Write(out.Bytes())
			e.stderr.Write(errs.Bytes())
			if scErr != nil {
				return fmt.Errorf("demo: %s: %w", sc.name, scErr)
			}
			fmt.Fprintf(e.stdout, "(%s: %.1fs, beside %s)\n", sc.name, scTime.Seconds(), s.name)
			i++
			continue
		}
		done := stage(s.name)
		if s.name == "export" {
			oracleWait.Go(func() {
				pprof.Do(uctx, pprof.Labels("stage", "oracle"), func(ctx context.Context) { oracleVerdicts, oracleErr = oracle.VerdictsContext(ctx, 1) })
			})
		}
		if s.name == "report" {
			fmt.Fprintln(e.stderr, "evaluate: masts off the air, and signals at the villages against the true signals (beside the report)")
			lateWait.Go(func() {
				pprof.SetGoroutineLabels(pprof.WithLabels(uctx, pprof.Labels("stage", "evaluate")))
				if oa, oaErr = evaluateOffAir(ds, truth.OffAir); oaErr != nil {
					return
				}
				if uncalWait.Wait(); uncalErr != nil {
					return
				}
				sig, sigErr = evaluateSignals(filepath.Join(*out, "deadzones", "villages.csv"),
					map[string]string{"calibrated prediction": filepath.Join(*out, "coverage", "coverage.csv"), "uncalibrated prediction": filepath.Join(uncal, "coverage.csv")},
					filepath.Join(*out, "truth", "village_signals.csv"))
			})
		}
		if err := s.run(ctx, s.args, e); err != nil {
			return fmt.Errorf("demo: %s: %w", s.name, err)
		}
		done()
	}

	done = stage("evaluate against the generator's ground truth")
	ev, verdicts, err := evaluateVillages(filepath.Join(*out, "deadzones", "villages.csv"), &truth)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "dead-zone villages: %d true, %d found, %d correct: precision %.3f, recall %.3f, F1 %.3f\n",
		ev.True, ev.Found, ev.Correct, ev.Precision, ev.Recall, ev.F1)
	d := ev.Decidable
	fmt.Fprintf(e.stdout, "  decidable (true margin ≥ %g dB from the threshold, %d villages): %d true, %d found, %d correct: precision %.3f, recall %.3f, F1 %.3f\n",
		ev.DecidableMarginDB, d.Villages, d.True, d.Found, d.Correct, d.Precision, d.Recall, d.F1)
	if ev.Brier != nil {
		fmt.Fprintf(e.stdout, "  p_dead of %d villages: Brier score %.4f (decidable %.4f)\n", ev.PDeadVillages, *ev.Brier, *ev.BrierDecidable)
		if x := ev.Expected; x != nil {
			fmt.Fprintf(e.stdout, "  the list's expectations from p_dead against the truth: %.1f dead expected, %d true; %.1f of the %d listed, %d correct; %.1f missed, %d\n",
				x.Dead, x.TrueDead, x.DeadListed, x.Listed, x.CorrectListed, x.Missed, x.TrueMissed)
		}
	}
	if oracleWait.Wait(); oracleErr != nil {
		return fmt.Errorf("demo: the oracle's verdicts: %w", oracleErr)
	}
	// The oracle sees the same readings: each village's tests within 300 m
	// are the engine's count, so that its scores fall into the same bands
	// and say whether a band's errors are the evidence's or the engine's.
	nearby := make(map[string]int, len(verdicts))
	for _, v := range verdicts {
		nearby[v.VillageID] = v.TestsNearby
	}
	for i := range oracleVerdicts {
		if n, ok := nearby[oracleVerdicts[i].VillageID]; ok {
			oracleVerdicts[i].TestsNearby = n
		}
	}
	orc, err := synth.EvaluateVillages(&truth, oracleVerdicts)
	if err != nil {
		return err
	}
	for k, b := range ev.ByEvidence {
		tests := fmt.Sprintf("%d or more tests", b.MinTests)
		if b.MaxTests != nil {
			tests = fmt.Sprintf("%d–%d tests", b.MinTests, *b.MaxTests)
			if *b.MaxTests == b.MinTests {
				tests = fmt.Sprintf("%d tests", b.MinTests)
			}
		}
		var ob *synth.EvidenceScores
		if k < len(orc.ByEvidence) && orc.ByEvidence[k].MinTests == b.MinTests {
			ob = &orc.ByEvidence[k]
		}
		a := b.All
		line := fmt.Sprintf("  %s within 300 m, %d villages: %d true, %d found, %d correct: F1 %.3f", tests, a.Villages, a.True, a.Found, a.Correct, a.F1)
		if ob != nil {
			line += fmt.Sprintf(" (oracle %.3f)", ob.All.F1)
		}
		if d := b.Decidable; d != nil {
			line += fmt.Sprintf("; decidable %d villages, %d true: F1 %.3f", d.Villages, d.True, d.F1)
			if ob != nil && ob.Decidable != nil {
				line += fmt.Sprintf(" (oracle %.3f)", ob.Decidable.F1)
			}
		}
		fmt.Fprintln(e.stdout, line)
	}
	brier := "none"
	if orc.Brier != nil {
		brier = fmt.Sprintf("%.4f", *orc.Brier)
	}
	fmt.Fprintf(e.stdout, "  the oracle (true sites, terrain and field model; the same exact readings): precision %.3f, recall %.3f, F1 %.3f; decidable F1 %.3f; Brier %s\n",
		orc.Precision, orc.Recall, orc.F1, orc.Decidable.F1, brier)
	pen, err := evaluatePenetration(filepath.Join(*out, "scorecard", "scorecard.csv"), truth.Penetration)
	if err != nil {
		return err
	}
	for _, t := range pen {
		fmt.Fprintf(e.stdout, "%-28s %3d area-months: mean absolute error %.3f, interval holds the truth in %.0f%% (%s)\n",
			t.Target, t.N, t.MAE, 100*t.Coverage, t.Interval)
	}
	lateWait.Wait()
	switch {
	case oaErr != nil:
		return oaErr
	case uncalErr != nil:
		return fmt.Errorf("demo: uncalibrated coverage: %w", uncalErr)
	case sigErr != nil:
		return sigErr
	}
	fmt.Fprintln(e.stdout, "signal at villages against the true signal, per technology (bias = estimate − truth; RMSE):")
	for i := 0; i < len(sig); {
		// One line per estimate and carrier; sig is sorted by them.
		j, n, line := i, 0, ""
		for ; j < len(sig) && sig[j].Estimate == sig[i].Estimate && sig[j].Carrier == sig[i].Carrier; j++ {
			x := sig[j]
			n += x.N
			line += fmt.Sprintf("  %s %+5.1f dB (%4.1f)", x.Tech, x.BiasDB, x.RMSEDB)
		}
		fmt.Fprintf(e.stdout, "  %-24s %-13s %7d village-tech pairs:%s\n", sig[i].Estimate, sig[i].Carrier, n, line)
		i = j
	}
	fmt.Fprintf(e.stdout, "masts off the air but listed active: %d true, %d found, %d correct (of %d masts): precision %.3f, recall %.3f\n",
		oa.True, oa.Found, oa.Correct, oa.Masts, oa.Precision, oa.Recall)
	if err := writeSet(ctx, *out, "evaluation", func(stage string) error {
		return writeJSONFile(filepath.Join(stage, "evaluation.json"), map[string]any{"dead_zone_villages": ev, "oracle_dead_zone_villages": orc, "penetration": pen, "signal": sig,
			"off_air_masts": oa})
	}); err != nil {
		return err
	}
	done()
	peak := ""
	if b, ok := rssPeak(); ok {
		peak = fmt.Sprintf(" (peak RSS %d MiB)", b>>20)
	}
	fmt.Fprintf(e.stdout, "\ndemo finished in %.1fs%s; outputs under %s\n", time.Since(start).Seconds(), peak, *out)
	return nil
}

// generateDemo generates the demo world of cfg and writes its input and
// truth files under out. It returns only what the evaluation holds, the
// truth without its site register and signals (read back from the truth
// files), and the month measured: the world
// itself (sites, measurements, subscriptions) is garbage once written, so
// the stages after it do not run beside it.
//
// It also returns the world's oracle (synth.Oracle): the best verdicts the
// world's tests allow, the scale for the engine's scores.
func generateDemo(cfg synth.Config, out string, stdout io.Writer) (synth.Truth, synth.Period, *synth.Oracle, error) {
	w, err := synth.Generate(cfg)
	if err != nil {
		return synth.Truth{}, synth.Period{}, nil, err
	}
	in, truth := filepath.Join(out, "input"), filepath.Join(out, "truth")
	type file struct {
		dir, name string
		write     func(io.Writer) error
	}
	files := []file{
		{in, "sites.csv", func(f io.Writer) error { return synth.WriteSitesCSV(f, w.Sites) }},
		{in, "measurements.csv", func(f io.Writer) error { return synth.WriteMeasurementsCSV(f, w.Measurements) }},
		{in, "villages.csv", func(f io.Writer) error { return synth.WriteVillagesCSV(f, w.Villages) }},
		{in, "subscriptions.csv", func(f io.Writer) error { return synth.WriteSubscriptionsCSV(f, w.Subscriptions) }},
		{truth, "sites.csv", func(f io.Writer) error { return synth.WriteSitesCSV(f, w.Truth.Sites) }},
		{truth, "village_truth.csv", func(f io.Writer) error { return synth.WriteVillageTruthCSV(f, &w.Truth) }},
		{truth, "village_signals.csv", func(f io.Writer) error { return synth.WriteVillageSignalsCSV(f, &w.Truth) }},
		{truth, "penetration.json", func(f io.Writer) error { return json.NewEncoder(f).Encode(w.Truth.Penetration) }},
	}
	if !cfg.Country {
		// The whole truth in one JSON file; for the country it would hold
		// about a million village signals, which the CSV above carries.
		files = append(files, file{truth, "ground_truth.json", func(f io.Writer) error { return synth.WriteGroundTruth(f, &w.Truth) }})
	}
	// The inputs and the truth are two output sets (see writeSet).
	for _, set := range []struct{ dir, name string }{{in, "demo-input"}, {truth, "demo-truth"}} {
		if cfg.Progress != nil {
			cfg.Progress("writing " + set.dir)
		}
		if err := writeSet(context.Background(), set.dir, set.name, func(stage string) error {
			// The set's files side by side: each is one writer's work.
			var mine []file
			for _, f := range files {
				if f.dir == set.dir {
					mine = append(mine, f)
				}
			}
			errs := make([]error, len(mine))
			parallel.For(len(mine), 0, func(i int) {
				errs[i] = writeAtomic(filepath.Join(stage, mine[i].name), func(af *dataset.AtomicFile) error { return mine[i].write(af) })
			})
			return errors.Join(errs...)
		}); err != nil {
			return synth.Truth{}, synth.Period{}, nil, err
		}
	}
	oracle := w.Oracle()
	var hh float64
	for _, v := range w.Villages {
		hh += float64(v.Households)
	}
	fmt.Fprintf(stdout, "%s, %s (%.0f households), %s, %s, %s; true dead-zone villages: %d\n",
		plural.Count(len(w.Areas), "area", "areas"), plural.Count(len(w.Villages), "village", "villages"), hh, plural.Count(len(w.Sites), "site sector", "site sectors"),
		plural.Count(w.Measurements.Len(), "measurement", "measurements"), plural.Count(len(w.Subscriptions), "subscription row", "subscription rows"), len(w.Truth.DeadZoneVillages()))

	tr := w.Truth
	// The true register and signals are in truth/ (sites.csv,
	// village_signals.csv): the evaluation reads the signals back from
	// the file rather than hold 1.5 million of them through every stage.
	tr.Sites, tr.Signals = nil, nil
	return tr, w.Config.MeasurementMonth, oracle, nil
}

// demoProvinceCode returns the 2025 code of the demo's single province.
func demoProvinceCode(cfg synth.Config) (string, error) {
	q := synth.DefaultProvince
	if len(cfg.Provinces) > 0 {
		q = cfg.Provinces[0]
	}
	set, err := geodata.Provinces2025()
	if err != nil {
		return "", err
	}
	u, err := lookupProvince(set, q)
	if err != nil {
		return "", err
	}
	return u.Code, nil
}

// evaluateOffAir scores the masts the dataset's calibration file calls
// off the air against the generator's (synth.EvaluateOffAir).
func evaluateOffAir(ds string, truth []predict.SiteRef) (synth.OffAirEvaluation, error) {
	store, err := dataset.Open(ds)
	if err != nil {
		return synth.OffAirEvaluation{}, err
	}
	sites, err := store.Sites(nil)
	if err != nil {
		return synth.OffAirEvaluation{}, err
	}
	_, applied, err := calfile.ReadCalibrationFile(filepath.Join(ds, "calibration.json"))
	if err != nil {
		return synth.OffAirEvaluation{}, err
	}
	return synth.EvaluateOffAir(sites, truth, applied.OffAir), nil
}

// evaluateVillages reads the engine's village verdicts and scores them
// against the generator's truth (synth.EvaluateVillages); it returns the
// verdicts too.
func evaluateVillages(villagesCSV string, truth *synth.Truth) (synth.VillageEvaluation, []synth.VillageVerdict, error) {
	f, err := os.Open(villagesCSV)
	if err != nil {
		return synth.VillageEvaluation{}, nil, err
	}
	defer f.Close()
	vs, err := synth.ReadVillageVerdictsCSV(f)
	if err != nil {
		return synth.VillageEvaluation{}, nil, fmt.Errorf("%s: %w", villagesCSV, err)
	}
	ev, err := synth.EvaluateVillages(truth, vs)
	return ev, vs, err
}

// evaluatePenetration scores the scorecard's per-area estimates against
// the generator's true shares (synth.EvaluatePenetration).
func evaluatePenetration(scorecardCSV string, truth []synth.Penetration) ([]synth.PenetrationEvaluation, error) {
	f, err := os.Open(scorecardCSV)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ev, err := synth.EvaluatePenetration(f, truth)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", scorecardCSV, err)
	}
	return ev, nil
}

// evaluateSignals scores the signal estimated in each village's hex by
// each coverage.csv against the true signal read from signalsCSV (the
// truth written by the demo; synth.EvaluateSignals).
func evaluateSignals(villagesCSV string, coverage map[string]string, signalsCSV string) ([]synth.SignalEvaluation, error) {
	tf, err := os.Open(signalsCSV)
	if err != nil {
		return nil, err
	}
	truth, err := synth.ReadVillageSignalsCSV(tf)
	tf.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", signalsCSV, err)
	}
	v, err := os.Open(villagesCSV)
	if err != nil {
		return nil, err
	}
	defer v.Close()
	readers := map[string]io.Reader{}
	for name, path := range coverage {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		readers[name] = f
	}
	return synth.EvaluateSignals(v, readers, truth)
}

// uncalibratedAtVillages writes under dir the coverage table
// (coverage.csv, as lomsong coverage writes it) of the uncalibrated
// prediction at the hexes of the
// villages in villagesCSV (its cell column): lomsong coverage with args
// (--calibration none), restricted to those hexes and without the
// measurements, which do not change a prediction. The whole country's
// coverage, a million rows, would be computed and written for the few
// values the evaluation reads.
func uncalibratedAtVillages(ctx context.Context, args []string, villagesCSV, dir string, e *env) error {
	fs := newFlags("coverage", coverageSynopsis, coverageExample, e)
	var cf coverageFlags
	cf.register(fs)
	cf.registerPeriod(fs)
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	store, opt, _, _, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	f, err := os.Open(villagesCSV)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	h, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", villagesCSV, err)
	}
	ic := slices.Index(h, "cell")
	if ic < 0 {
		return fmt.Errorf("%s: no cell column", villagesCSV)
	}
	opt.Cells = nil
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", villagesCSV, err)
		}
		c, err := hexgrid.Parse(row[ic])
		if err != nil {
			return fmt.Errorf("%s: cell %q: %w", villagesCSV, row[ic], err)
		}
		opt.Cells = append(opt.Cells, c)
	}
	opt.Measured = &pipeline.Measured{}
	res, err := pipeline.Coverage(ctx, store, opt)
	if err != nil {
		return err
	}
	cols, err := pipeline.CoverageTable(res.States)
	if err != nil {
		return err
	}
	return writeSet(ctx, dir, "coverage", func(stage string) error {
		return writeAtomic(filepath.Join(stage, "coverage.csv"), func(f *dataset.AtomicFile) error { return writeCols(f, cols) })
	})
}

// rssWatch samples the process's resident set (VmRSS, /proc/self/statm)
// every 50 ms, keeping the largest since the last reset: each demo stage
// reports its peak (memory kept from the stages before included) without
// touching the process's VmHWM, which
// /usr/bin/time and the end of the demo report for the whole run. Where
// /proc is missing it reports nothing.
type rssWatch struct {
	peak atomic.Int64 // bytes
	stop chan struct{}
}

func watchRSS() *rssWatch {
	w := &rssWatch{stop: make(chan struct{})}
	if _, ok := rssNow(); !ok {
		return w
	}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				if b, ok := rssNow(); ok && b > w.peak.Load() {
					w.peak.Store(b)
				}
			}
		}
	}()
	return w
}

// reset starts a new stage's peak at the current resident set.
func (w *rssWatch) reset() {
	b, _ := rssNow()
	w.peak.Store(b)
}

// note returns ", peak RSS N MiB" for the stage, or "" without /proc.
func (w *rssWatch) note() string {
	b, ok := rssNow()
	if !ok {
		return ""
	}
	return fmt.Sprintf(", peak RSS %d MiB", max(b, w.peak.Load())>>20)
}

func (w *rssWatch) close() { close(w.stop) }

// rssNow reads the resident set from /proc/self/statm.
func rssNow() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// rssPeak reads the resident set's high-water mark (VmHWM) from
// /proc/self/status.
func rssPeak() (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kib int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kib); err == nil {
				return kib << 10, true
			}
		}
	}
	return 0, false
}

// countryDemoMemoryLimit is the soft memory limit of the country demo.
// Its live heap peaks near 0.7 GiB; with the collector's default pacing
// (the heap grows to twice the live heap between collections) the
// resident set reached 1,381–1,690 MiB from run to run of the same build,
// against the 1.5 GiB the demo is meant to run in on two cores. With this
// limit the collector works before the heap doubles: peak 1,287 MiB, 88.3
// s against 86.9–88.1 s without (benchmarks/README.md, country section).
const countryDemoMemoryLimit = 1300 << 20

// countryMemoryLimit lowers the soft memory limit to
// countryDemoMemoryLimit, unless GOMEMLIMIT is set or the limit is lower
// already (a smaller container's), and returns the function restoring it.
func countryMemoryLimit(e *env) func() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	cur := debug.SetMemoryLimit(-1)
	if cur <= countryDemoMemoryLimit {
		return func() {}
	}
	debug.SetMemoryLimit(countryDemoMemoryLimit)
	fmt.Fprintf(e.stdout, "soft memory limit %d MiB for the country demo (GOMEMLIMIT sets another)\n", countryDemoMemoryLimit>>20)
	return func() { debug.SetMemoryLimit(cur) }
}
