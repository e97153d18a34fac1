package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/internal/plural"
)

const reportSynopsis = `report --dataset DIR --period YYYY-MM --out DIR [flags]

Writes OUT/report.html: one self-contained file that opens offline in any
browser (no network, no CDN): the carriers whose sites and tests it read (a
place counts without 3G/4G when none of them reaches it); the national
scorecard for the month with each target's value, interval, status, change
since last month and rank; trend charts of every target; alerts (new dead-zone
hexes and villages, regressions); the top dead zones; the investment curve
for --budget (priced with the cost model, --costs changing its figures as
in lomsong plan); and per province a map drawn from the H3 hexes (best 3G/4G
state of any carrier), the province outline, the dead zones and the villages
without signal. It takes the dead zones of the month and the month before, the
scorecard and the plan as those commands do: each read back from the month's
saved stages when they are current (lomsong run saves them), else computed and
saved; the trend of target 1 shows the other months' dead zones where lomsong
run saved them with the options given here and they are current, as lomsong
scorecard does. A month without measurements (or a --province without any in
it) is refused, exit 3: the report, its maps and its plan are built on the
month's dead zones; lomsong scorecard scores that month's other targets (2–5),
target 1 unknown.`

const reportExample = `  lomsong report --dataset lomsong-demo/dataset --period 2024-10 --province 12 --out lomsong-demo
  lomsong report --dataset ./ds --period 2026-10 --out ./report
  lomsong report --dataset ./ds --period 2026-10 --province "lai chau" --communes ../shared/data/vn_communes_2025.geojson --out ./report`

func runReport(ctx context.Context, args []string, e *env) error {
	fs := newFlags("report", reportSynopsis, reportExample, e)
	var cf coverageFlags
	cf.register(fs)
	var period periodFlag
	fs.Var(&period, "period", "the `month` of the report (YYYY-MM)")
	out := fs.String("out", "", "output `directory` (report.html is written there)")
	budget := vndVar(fs, "budget", 500e9, "investment curve budget in `VND`")
	costs := fs.String("costs", "", costsUsage)
	seed := fs.Uint64("seed", 1, "bootstrap `seed`")
	maxMaps := fs.Int("maps", 70, "draw maps for at most this many provinces (the ones with the most dead-zone households first)")
	communes, communeParent := registerCommunes(fs, "GeoJSON `file` of communes (e.g. ../shared/data/vn_communes_2025.geojson) to name each village's and dead zone's commune, as lomsong run --communes (whose saved dead zones the report then reads back)")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if !period.set || *out == "" {
		fs.Usage()
		return requiredFlags("report", flagNeed{"--period YYYY-MM", !period.set}, flagNeed{"--out DIR", *out == ""})
	}
	if *maxMaps < 0 {
		return usageError{fmt.Sprintf("report: --maps %d: want a number of provinces, 0 or more (0 draws none)", *maxMaps)}
	}
	if err := budgetFlag("report", *budget); err != nil {
		return err
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	costModel, err := planCosts(e, *costs)
	if err != nil {
		return err
	}
	if err := outDirUsable("report", *out, "report.html"); err != nil {
		return err
	}
	if err := outOutsideDataset("report", *out, cf.dataset); err != nil {
		return err
	}
	if err := outputsFree(*out, "report", []string{"report.html"}, cf.population, cf.calibration, cf.bounds.boundaries, *communes); err != nil {
		return err
	}
	if err := setUnlocked(*out, "report"); err != nil {
		return err
	}
	p := period.p
	store, copt, _, provinces, err := cf.prepare(e, false)
	if err != nil {
		return err
	}
	communeSet, err := loadCommunes(e, *communes, *communeParent, provinces)
	if err != nil {
		return err
	}
	po := pipeline.DefaultPlanOptions(*budget)
	po.Config.Costs = costModel
	card, dz, pr, err := scoreMonth(ctx, e, store, copt, provinces, communeSet, cf.bounds.boundaries, p, *seed, &po)
	err = communesRefused(err, *communes) // the month before's, read by the pipeline
	if errors.As(err, new(noDeadZones)) {
		// The month (or the province in it) holds no data to answer
		// with: refused, as every command that analyses a month is.
		return refusedError{fmt.Errorf("report: %w (months with measurements in %s: %s); the report is built on the month's dead zones: lomsong scorecard --period %s scores its other targets",
			err, cf.dataset, monthList(store.Periods()), p)}
	}
	if err != nil {
		return err
	}
	if err := checkCommunesGiven(e.stderr, dz, communeSet, provinces, *communes); err != nil {
		return err
	}
	single := cf.provinceCode
	if single != "" {
		// The report of one province: its figures at a glance (the
		// national row sums the one province analysed, a lower bound of
		// nothing); the scorecard table keeps every area, ranks among
		// them all.
		card.Config.National = single
	}
	r, err := pipeline.BuildReport(dz, card, pr, provinces, p, *maxMaps, single)
	if err != nil {
		return err
	}
	r.Plan.CostModel = costModelText(*costs, costModel)
	pipeline.NameCommunes(r, communeSet)
	r.GeneratedAt = e.now().UTC().Format("2006-01-02 15:04 UTC")
	r.OffAir, r.OffAirMore = pipeline.ReportOffAir(cf.offAir, provinces, single, 100)
	want, err := cf.outputMeta(e)
	if err != nil {
		return err
	}
	want.Period, want.Province, want.Resolution = p.String(), single, cf.res
	var skipped []string
	r.Files, skipped = exportFiles(ctx, *out, want)
	for _, s := range skipped {
		fmt.Fprintf(e.stderr, "report: not linked as the month's layers: %s\n", s)
	}
	path := filepath.Join(*out, "report.html")
	if err := writeSet(ctx, *out, "report", func(stage string) error {
		return writeAtomic(filepath.Join(stage, "report.html"), func(f *dataset.AtomicFile) error { return report.Write(f, r) })
	}, cf.population, cf.calibration, cf.bounds.boundaries, *communes); err != nil {
		return err
	}
	st, _ := os.Stat(path)
	fmt.Fprintf(e.stdout, "wrote %s (%.1f MB, %s); open it in a browser, no network needed\n", path, float64(st.Size())/1e6, plural.Count(countMaps(r), "province map", "province maps"))
	return nil
}

func countMaps(r *report.Report) int {
	n := 0
	for _, p := range r.Provinces {
		if p.Map != nil {
			n++
		}
	}
	return n
}
