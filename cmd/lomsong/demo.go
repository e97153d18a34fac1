package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/synth"
	"github.com/lomsong/lomsong/geodata"
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
  truth/        the generator's ground truth (true signal and dead-zone villages), used
                only to evaluate the results below, never by the engine
  dataset/      the ingested dataset (lomsong dataset ls)
  aggregates/   per (hex, carrier, tech) measurement statistics
  coverage/     fused coverage, calibrated (coverage_best.geojson opens in QGIS)
  deadzones/    dead zones, carrier gaps, villages without signal, challenges
  plan/         universal-service investment plan within --budget, with its optimality bound
  scorecard/    the five targets per province and month, with intervals, ranks and alerts
  report.html   everything above in one offline page: open it in a browser
  evaluation.json  dead-zone villages found against the ground truth (precision, recall)`

const demoExample = `  lomsong demo
  lomsong demo --province "Tuyên Quang" --seed 7 --out ./demo-tuyenquang
  lomsong demo --country --density 0.2 --out ./demo-vn`

func runDemo(ctx context.Context, args []string, e *env) error {
	fs := newFlags("demo", demoSynopsis, demoExample, e)
	province := fs.String("province", "", "province to generate (code or name of the 34 provinces since 1 July 2025, each the union of its former provinces; default Lai Châu, a mountainous northern province)")
	country := fs.Bool("country", false, "generate every province")
	seed := fs.Uint64("seed", 1, "random `seed`: the same seed gives byte-identical files")
	density := fs.Float64("density", 0, "measurement density multiplier (default 1 for a province, 0.2 for --country)")
	out := fs.String("out", "lomsong-demo", "output `directory`")
	res := fs.Int("res", 8, "H3 analysis `resolution`")
	budget := fs.Float64("budget", 500e9, "investment plan budget in `VND`")
	if _, err := parseFlags(fs, args, e); err != nil {
		return err
	}
	if *country && *province != "" {
		return usageError{"demo: --country and --province are exclusive"}
	}
	// The demo uses the boundary set every other command defaults to: the
	// 34 provinces of 2025, each generated as the union of its 2019 members.
	cfg := synth.Config{Seed: *seed, Country: *country, MeasurementDensity: *density, Boundaries: synth.Boundaries2025}
	if *density == 0 && *country {
		cfg.MeasurementDensity = 0.2
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
	start := time.Now()
	stage := func(name string) func() {
		t := time.Now()
		fmt.Fprintf(e.stdout, "\n== %s\n", name)
		return func() { fmt.Fprintf(e.stdout, "(%s: %.1fs)\n", name, time.Since(t).Seconds()) }
	}

	done := stage("generate the demo world")
	w, err := synth.Generate(cfg)
	if err != nil {
		return err
	}
	in, truth := filepath.Join(*out, "input"), filepath.Join(*out, "truth")
	type file struct {
		dir, name string
		write     func(io.Writer) error
	}
	files := []file{
		{in, "sites.csv", func(f io.Writer) error { return synth.WriteSitesCSV(f, w.Sites) }},
		{in, "measurements.csv", func(f io.Writer) error { return synth.WriteMeasurementsCSV(f, w.Measurements) }},
		{in, "villages.csv", func(f io.Writer) error { return synth.WriteVillagesCSV(f, w.Villages) }},
		{in, "subscriptions.csv", func(f io.Writer) error { return synth.WriteSubscriptionsCSV(f, w.Subscriptions) }},
		{truth, "village_truth.csv", func(f io.Writer) error { return synth.WriteVillageTruthCSV(f, &w.Truth) }},
		{truth, "village_signals.csv", func(f io.Writer) error { return synth.WriteVillageSignalsCSV(f, &w.Truth) }},
		{truth, "penetration.json", func(f io.Writer) error { return json.NewEncoder(f).Encode(w.Truth.Penetration) }},
	}
	if !*country {
		// The whole truth in one JSON file; for the country it would hold
		// about a million village signals, which the CSV above carries.
		files = append(files, file{truth, "ground_truth.json", func(f io.Writer) error { return synth.WriteGroundTruth(f, &w.Truth) }})
	}
	// The inputs and the truth are two output sets (see writeSet).
	for _, set := range []struct{ dir, name string }{{in, "demo-input"}, {truth, "demo-truth"}} {
		if err := writeSet(set.dir, set.name, func(stage string) error {
			for _, f := range files {
				if f.dir != set.dir {
					continue
				}
				if err := writeAtomic(filepath.Join(stage, f.name), func(af *dataset.AtomicFile) error { return f.write(af) }); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	var hh float64
	for _, v := range w.Villages {
		hh += float64(v.Households)
	}
	fmt.Fprintf(e.stdout, "%d areas, %d villages (%.0f households), %d site sectors, %d measurements, %d subscription rows; true dead-zone villages: %d\n",
		len(w.Areas), len(w.Villages), hh, len(w.Sites), w.Measurements.Len(), len(w.Subscriptions), len(w.Truth.DeadZoneVillages()))
	done()

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
		step{"coverage", runCoverage, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--out", filepath.Join(*out, "coverage")}, area...)},
		step{"deadzones", runDeadzones, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--out", filepath.Join(*out, "deadzones")}, area...)},
		step{"plan", runPlan, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--budget", strconv.FormatFloat(*budget, 'g', -1, 64),
			"--out", filepath.Join(*out, "plan")}, area...)},
		step{"scorecard", runScorecard, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--period", w.Config.MeasurementMonth.String(),
			"--out", filepath.Join(*out, "scorecard")}, area...)},
		step{"report", runReport, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--period", w.Config.MeasurementMonth.String(),
			"--budget", strconv.FormatFloat(*budget, 'g', -1, 64), "--out", *out}, area...)},
	)
	for _, s := range steps {
		done := stage(s.name)
		if err := s.run(ctx, s.args, e); err != nil {
			return fmt.Errorf("demo: %s: %w", s.name, err)
		}
		done()
	}

	// An uncalibrated coverage run, to measure what calibration changes.
	uncal := filepath.Join(*out, "evaluation", "coverage_uncalibrated")
	if err := runCoverage(ctx, append([]string{"--dataset", ds, "--res", strconv.Itoa(*res), "--calibration", "none", "--out", uncal}, area...),
		&env{stdin: e.stdin, stdout: io.Discard, stderr: io.Discard}); err != nil {
		return fmt.Errorf("demo: uncalibrated coverage: %w", err)
	}
	done = stage("evaluate against the generator's ground truth")
	ev, err := evaluateDeadzoneVillages(filepath.Join(*out, "deadzones", "villages.csv"), w.Truth.DeadZoneVillages())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "dead-zone villages: %d true, %d found, %d correct: precision %.3f, recall %.3f\n",
		ev.True, ev.Found, ev.Correct, ev.Precision, ev.Recall)
	pen, err := evaluatePenetration(filepath.Join(*out, "scorecard", "scorecard.csv"), w.Truth.Penetration)
	if err != nil {
		return err
	}
	for _, t := range pen {
		fmt.Fprintf(e.stdout, "%-28s %3d area-months: mean absolute error %.3f, interval holds the truth in %.0f%% (%s)\n",
			t.Target, t.N, t.MAE, 100*t.Coverage, t.Interval)
	}
	sig, err := evaluateSignals(filepath.Join(*out, "deadzones", "villages.csv"),
		map[string]string{"calibrated prediction": filepath.Join(*out, "coverage", "coverage.csv"), "uncalibrated prediction": filepath.Join(uncal, "coverage.csv")},
		w.Truth.Signals)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "signal at villages against the true signal (bias = estimate − truth):")
	for _, x := range sig {
		fmt.Fprintf(e.stdout, "  %-24s %-13s %5d village-tech pairs: bias %+5.1f dB, RMSE %4.1f dB\n", x.Estimate, x.Carrier, x.N, x.BiasDB, x.RMSEDB)
	}
	if err := writeSet(*out, "evaluation", func(stage string) error {
		return writeJSONFile(filepath.Join(stage, "evaluation.json"), map[string]any{"dead_zone_villages": ev, "penetration": pen, "signal": sig})
	}); err != nil {
		return err
	}
	done()
	fmt.Fprintf(e.stdout, "\ndemo finished in %.1fs; outputs under %s\n", time.Since(start).Seconds(), *out)
	return nil
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

// deadzoneEvaluation compares the villages found without signal with the
// generator's true dead-zone villages.
type deadzoneEvaluation struct {
	True      int      `json:"true_dead_zone_villages"`
	Found     int      `json:"found_without_signal"`
	Correct   int      `json:"correct"`
	Precision float64  `json:"precision"`
	Recall    float64  `json:"recall"`
	Missed    []string `json:"missed"`
	Spurious  []string `json:"spurious"`
}

func evaluateDeadzoneVillages(villagesCSV string, truth []string) (deadzoneEvaluation, error) {
	f, err := os.Open(villagesCSV)
	if err != nil {
		return deadzoneEvaluation{}, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		return deadzoneEvaluation{}, fmt.Errorf("%s: %v", villagesCSV, err)
	}
	id, ws := slices.Index(rows[0], "village_id"), slices.Index(rows[0], "without_signal")
	if id < 0 || ws < 0 {
		return deadzoneEvaluation{}, fmt.Errorf("%s: no village_id/without_signal columns", villagesCSV)
	}
	isTrue := map[string]bool{}
	for _, v := range truth {
		isTrue[v] = true
	}
	ev := deadzoneEvaluation{True: len(truth), Missed: []string{}, Spurious: []string{}}
	found := map[string]bool{}
	for _, r := range rows[1:] {
		if r[ws] != "true" {
			continue
		}
		found[r[id]] = true
		ev.Found++
		if isTrue[r[id]] {
			ev.Correct++
		} else {
			ev.Spurious = append(ev.Spurious, r[id])
		}
	}
	for _, v := range truth {
		if !found[v] {
			ev.Missed = append(ev.Missed, v)
		}
	}
	slices.Sort(ev.Missed)
	slices.Sort(ev.Spurious)
	ev.Precision, ev.Recall = ratio(ev.Correct, ev.Found), ratio(ev.Correct, ev.True)
	return ev, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// penetrationEvaluation compares one target's estimates with the truth.
type penetrationEvaluation struct {
	Target   string  `json:"target"`
	N        int     `json:"area_months"`
	MAE      float64 `json:"mean_absolute_error"`
	Coverage float64 `json:"interval_coverage"`
	Interval string  `json:"interval"`
}

// evaluatePenetration reads the scorecard's per-area estimates and scores
// them against the generator's true shares.
func evaluatePenetration(scorecardCSV string, truth []synth.Penetration) ([]penetrationEvaluation, error) {
	f, err := os.Open(scorecardCSV)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("%s: %v", scorecardCSV, err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) }
	type key struct{ area, period string }
	tr := map[key]synth.Penetration{}
	for _, p := range truth {
		tr[key{p.AreaCode, p.Period}] = p
	}
	targets := []struct {
		name, prefix, interval string
		truth                  func(synth.Penetration) float64
	}{
		{"households with a smartphone", "smartphone", "90% (model sensitivity, or beta posterior with surveys)", func(p synth.Penetration) float64 { return p.HouseholdSmartphoneShare }},
		{"households with fibre", "fibre", "administrative counts", func(p synth.Penetration) float64 { return p.FiberShare }},
		{"2G-only phones", "2g_only", "95% Wilson", func(p synth.Penetration) float64 { return p.Only2GShare }},
	}
	var out []penetrationEvaluation
	ia, ip, in := col("area"), col("period"), col("national")
	for _, t := range targets {
		iv, il, iu := col(t.prefix+"_value"), col(t.prefix+"_lower"), col(t.prefix+"_upper")
		if iv < 0 || il < 0 || iu < 0 || ia < 0 || ip < 0 || in < 0 {
			return nil, fmt.Errorf("%s: columns for %s missing", scorecardCSV, t.prefix)
		}
		ev := penetrationEvaluation{Target: t.name, Interval: t.interval}
		var sum float64
		var held int
		for _, r := range rows[1:] {
			p, ok := tr[key{r[ia], r[ip]}]
			if !ok || r[in] == "true" {
				continue
			}
			v, err1 := strconv.ParseFloat(r[iv], 64)
			lo, err2 := strconv.ParseFloat(r[il], 64)
			hi, err3 := strconv.ParseFloat(r[iu], 64)
			if err1 != nil || err2 != nil || err3 != nil {
				continue // unknown
			}
			x := t.truth(p)
			ev.N++
			sum += math.Abs(v - x)
			if lo-1e-9 <= x && x <= hi+1e-9 {
				held++
			}
		}
		if ev.N > 0 {
			ev.MAE, ev.Coverage = sum/float64(ev.N), float64(held)/float64(ev.N)
		}
		out = append(out, ev)
	}
	return out, nil
}

// signalEvaluation is the error of one estimate of the signal at villages.
type signalEvaluation struct {
	Estimate string  `json:"estimate"`
	Carrier  string  `json:"carrier"`
	N        int     `json:"pairs"`
	BiasDB   float64 `json:"bias_db"`
	RMSEDB   float64 `json:"rmse_db"`
}

// evaluateSignals compares, per carrier, the signal lomsong estimates in a
// village's hex (each coverage.csv's predicted_dbm, and the measured
// median where the hex was measured) with the generator's true signal at
// the village.
func evaluateSignals(villagesCSV string, coverage map[string]string, truth []synth.VillageSignal) ([]signalEvaluation, error) {
	vrows, err := readCSVFile(villagesCSV)
	if err != nil {
		return nil, err
	}
	vid, vcell := slices.Index(vrows[0], "village_id"), slices.Index(vrows[0], "cell")
	if vid < 0 || vcell < 0 {
		return nil, fmt.Errorf("%s: village_id/cell columns missing", villagesCSV)
	}
	cellOf := map[string]string{}
	for _, r := range vrows[1:] {
		cellOf[r[vid]] = r[vcell]
	}
	type key struct{ cell, carrier, tech string }
	type acc struct {
		n        int
		sum, sq  float64
		estimate string
		carrier  string
	}
	accs := map[[2]string]*acc{}
	var order [][2]string
	add := func(estimate, carrier string, d float64) {
		k := [2]string{estimate, carrier}
		a := accs[k]
		if a == nil {
			a = &acc{estimate: estimate, carrier: carrier}
			accs[k] = a
			order = append(order, k)
		}
		a.n++
		a.sum += d
		a.sq += d * d
	}
	names := make([]string, 0, len(coverage))
	for n := range coverage {
		names = append(names, n)
	}
	slices.Sort(names)
	measuredDone := false
	for _, name := range names {
		crows, err := readCSVFile(coverage[name])
		if err != nil {
			return nil, err
		}
		h := crows[0]
		ic, ik, it, ip, im, is := slices.Index(h, "cell"), slices.Index(h, "carrier"), slices.Index(h, "tech"),
			slices.Index(h, "predicted_dbm"), slices.Index(h, "median_dbm"), slices.Index(h, "source")
		if min(ic, ik, it, ip, im, is) < 0 {
			return nil, fmt.Errorf("%s: coverage columns missing", coverage[name])
		}
		pred, meas := map[key]float64{}, map[key]float64{}
		for _, r := range crows[1:] {
			k := key{r[ic], r[ik], r[it]}
			if v, err := strconv.ParseFloat(r[ip], 64); err == nil {
				pred[k] = v
			}
			if r[is] == "measured" {
				if v, err := strconv.ParseFloat(r[im], 64); err == nil {
					meas[k] = v
				}
			}
		}
		for _, t := range truth {
			c := cellOf[t.VillageID]
			if c == "" {
				continue
			}
			k := key{c, string(t.Carrier), t.Tech}
			if v, ok := pred[k]; ok {
				add(name, string(t.Carrier), v-t.SignalDBm)
			}
			if v, ok := meas[k]; ok && !measuredDone {
				add("measured median", string(t.Carrier), v-t.SignalDBm)
			}
		}
		measuredDone = true
	}
	slices.SortFunc(order, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	out := make([]signalEvaluation, 0, len(order))
	for _, k := range order {
		a := accs[k]
		out = append(out, signalEvaluation{Estimate: a.estimate, Carrier: a.carrier, N: a.n, BiasDB: a.sum / float64(a.n), RMSEDB: math.Sqrt(a.sq / float64(a.n))})
	}
	return out, nil
}

func readCSVFile(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return rows, nil
}
