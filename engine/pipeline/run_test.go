package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/geodata"
)

// villagesCSV is the villages table of a dead-zone result.
func villagesCSV(t *testing.T, r *DeadZoneResult) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, VillageTable(r.Villages)); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&b, ZoneTable(r.Zones, r.Villages)); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&b, ChallengeTable(r.Challenges)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// exactResults prints a dead-zone result's verdicts and radio map at full
// precision.
func exactResults(r *DeadZoneResult) string {
	var b strings.Builder
	fit := r.RadioMap
	if fit.Fit != nil {
		fmt.Fprintf(&b, "fit %+v\n", *fit.Fit)
		fit.Fit = nil
	}
	fmt.Fprintf(&b, "radio map %+v\n", fit)
	for _, c := range slices.Sorted(maps.Keys(r.PDead)) {
		fmt.Fprintf(&b, "%v %v\n", c, r.PDead[c])
	}
	for _, v := range r.Villages.Villages {
		fmt.Fprintf(&b, "%+v\n", v)
	}
	for _, z := range r.Zones {
		fmt.Fprintf(&b, "%+v\n", z)
	}
	for _, g := range r.Gaps.Hexes {
		fmt.Fprintf(&b, "%+v\n", g)
	}
	return b.String()
}

func stageStates(sum *RunSummary) string {
	var parts []string
	for _, s := range sum.Stages {
		name := s.Stage
		if s.Carrier != "" {
			name += ":" + s.Carrier
		}
		if s.Reused {
			name += "=reused"
		} else {
			name += "=rebuilt"
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " ")
}

// The monthly run: the first run reads the measurements once and saves
// every stage; a second run with nothing changed reads them zero times and
// rebuilds nothing; after one carrier adds a dump only that carrier's
// pass reruns (over its parts alone) and the stages after it. Each run's
// results equal a dead-zone run from scratch.
//
// It runs in memory (dataset.Memory) and in a dataset directory: the two
// stores give the same results and the same reuse.
func TestRunReusesSavedStages(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testRunReusesSavedStages(t, storeOf(t, worldVillages, twoCarrierTests())) })
	t.Run("directory", func(t *testing.T) { testRunReusesSavedStages(t, diskStoreOf(t, worldVillages, twoCarrierTests())) })
}

// addMeasurements adds a source of measurements to a store held in memory
// or in a dataset directory.
func addMeasurements(t *testing.T, s Store, name string, b *engine.MeasurementBatch) {
	t.Helper()
	switch s := s.(type) {
	case *dataset.Memory:
		if _, err := s.AddMeasurements(name, b); err != nil {
			t.Fatal(err)
		}
	case *dataset.Store:
		sum := sha256.Sum256([]byte(name))
		txn, err := s.Begin(hex.EncodeToString(sum[:]), name, "measurements")
		if err != nil {
			t.Fatal(err)
		}
		if err := txn.WriteMeasurements(b); err != nil {
			t.Fatal(err)
		}
		if _, err := txn.Commit(dataset.Meta{IngestedAt: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("store %T", s)
	}
}

func testRunReusesSavedStages(t *testing.T, s Store) {
	ctx := context.Background()
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions()}
	first, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if first.Scans.Scans != 1 || first.Scans.Rows != int64(twoCarrierTests().Len()) {
		t.Fatalf("first run: scans %+v", first.Scans)
	}
	if got := stageStates(first); got != "measure:mobifone=rebuilt measure:viettel=rebuilt predictions=rebuilt coverage=rebuilt evpredictions:mobifone=rebuilt evpredictions:viettel=rebuilt deadzones=rebuilt" {
		t.Fatalf("first run: %s", got)
	}
	fresh, err := DeadZones(ctx, storeOf(t, worldVillages, twoCarrierTests()), worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := villagesCSV(t, fresh)
	if got := villagesCSV(t, first.DeadZones); got != want {
		t.Fatalf("run differs from a dead-zone run:\n%s\nwant\n%s", got, want)
	}

	again, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if again.Scans.Scans != 0 || len(again.Rebuilt()) != 0 {
		t.Fatalf("second run: scans %+v, stages %s", again.Scans, stageStates(again))
	}
	if got := villagesCSV(t, again.DeadZones); got != want {
		t.Fatalf("read-back results differ:\n%s\nwant\n%s", got, want)
	}

	// MobiFone's late dump: tests without service at V4.
	late := &engine.MeasurementBatch{}
	v := worldVillages[3]
	for i := range 9 {
		late.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*5400_000, Carrier: engine.MobiFone, Tech: engine.Tech3G,
			Lon: v.Lon + 0.0008*float64(i%3), Lat: v.Lat + 0.0006*float64(i%3), SignalDBm: math.NaN(), Service: engine.ServiceNone,
			RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
			Source: engine.SourceCrowd, DeviceID: "late", DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor})
	}
	addMeasurements(t, s, "mobifone-late", late)
	var mobifoneRows int64
	for _, p := range s.Parts("measurements", []string{"2026-10"}, []string{"mobifone"}) {
		mobifoneRows += p.Rows
	}
	inc, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Scans.Scans != 1 || inc.Scans.Rows != mobifoneRows {
		t.Fatalf("after MobiFone's dump: scans %+v, want one pass over MobiFone's %d rows", inc.Scans, mobifoneRows)
	}
	if got := stageStates(inc); got != "measure:mobifone=rebuilt measure:viettel=reused predictions=reused coverage=rebuilt evpredictions:mobifone=rebuilt evpredictions:viettel=reused deadzones=rebuilt" {
		t.Fatalf("after MobiFone's dump: %s", got)
	}
	all := twoCarrierTests()
	for i := range late.Len() {
		all.AppendRow(late, i)
	}
	fresh, err = DeadZones(ctx, storeOf(t, worldVillages, all), worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := villagesCSV(t, inc.DeadZones), villagesCSV(t, fresh); got != want {
		t.Fatalf("incremental run differs from a run from scratch:\n%s\nwant\n%s", got, want)
	}
	// Viettel's predictions read back give what computed ones give, to
	// the last bit.
	if got, want := exactResults(inc.DeadZones), exactResults(fresh); got != want {
		t.Fatalf("incremental run differs from a run from scratch:\n%s\nwant\n%s", got, want)
	}
	if got := villagesCSV(t, inc.DeadZones); got == want {
		t.Fatal("the late dump changed nothing: the test does not test")
	}
	if ds, ok := s.(*dataset.Store); ok {
		rep, err := ds.Verify(ctx)
		// MobiFone's pass and predictions, coverage and dead zones twice
		// (before and after); Viettel's pass and predictions once; the
		// best-server search once (the dump added no hex).
		if err != nil || len(rep.Bad) != 0 || rep.Stages != 11 {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
	}

	// Read-only: the results as saved, or an error naming what is not.
	ro := opt
	ro.ReadOnly = true
	if got, err := Run(ctx, s, ro); err != nil || villagesCSV(t, got.DeadZones) != villagesCSV(t, inc.DeadZones) {
		t.Fatalf("read-only run: %v", err)
	}
	ro.DeadZones.Cut = 0.3
	var ns *NotSavedError
	if _, err := Run(ctx, s, ro); !errors.As(err, &ns) || ns.Stage != StageDeadZones {
		t.Fatalf("read-only run of a cut not run: %v", err)
	}

	var nd *NoPeriodDataError
	if _, err := Run(ctx, s, RunOptions{Period: "2026-11", DeadZones: worldOptions()}); !errors.As(err, &nd) || !strings.Contains(err.Error(), "2026-10") {
		t.Fatalf("empty period: %v", err)
	}
}

// A configuration change (the cut) rebuilds the dead zones and not the
// measurements' pass.
func TestRunConfigChangeRebuildsOnlyWhatDependsOnIt(t *testing.T) {
	ctx := context.Background()
	s := storeOf(t, worldVillages, twoCarrierTests())
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions()}
	if _, err := Run(ctx, s, opt); err != nil {
		t.Fatal(err)
	}
	opt.DeadZones.Cut = 0.3
	r, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := stageStates(r); r.Scans.Scans != 0 || got != "measure:mobifone=reused measure:viettel=reused coverage=reused evpredictions:mobifone=reused evpredictions:viettel=reused deadzones=rebuilt" {
		t.Fatalf("cut changed: scans %+v, %s", r.Scans, got)
	}
}

// speedChangesBothWays returns the speed trend of opt's areas computed by
// a pass of its own, then from the month's saved passes (opt.Coverage set
// to the world's, which it leaves so).
func speedChangesBothWays(t *testing.T, s Store, opt *ScorecardOptions) (own, saved map[penetration.Period]map[string]*penetration.Estimate) {
	t.Helper()
	own, err := speedChanges(context.Background(), s, *opt)
	if err != nil {
		t.Fatal(err)
	}
	cov := worldOptions().Coverage
	opt.Coverage = &cov
	if saved, err = speedChanges(context.Background(), s, *opt); err != nil {
		t.Fatal(err)
	}
	return own, saved
}

// firstRun runs the two-carrier world's month once in a new dataset and
// returns what a test of a second run needs.
func firstRun(t *testing.T) (context.Context, *dataset.Store, RunOptions, *RunSummary) {
	t.Helper()
	ctx := context.Background()
	s := diskStoreOf(t, worldVillages, twoCarrierTests())
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions()}
	before, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, s, opt, before
}

// A new site of one carrier rebuilds that carrier's predictions at
// its evidence cells and reads the other's back, and the results are
// those of a run from scratch on the new sites.
func TestRunSitesChangeRebuildsThatCarriersPredictions(t *testing.T) {
	ctx, s, opt, before := firstRun(t)
	// MobiFone adds a strong site at village V4.
	var sites []engine.Site
	for _, st := range worldSites() {
		if st.Carrier == engine.MobiFone && len(sites) == 0 {
			st.SiteID, st.Lon, st.Lat, st.EIRPDBm = "MF-NEW", worldVillages[3].Lon+0.002, worldVillages[3].Lat, 62
			sites = append(sites, st)
		}
	}
	if len(sites) == 0 {
		t.Fatal("no MobiFone site: the test does not test")
	}
	txn, err := s.Begin(strings.Repeat("e5", 32), "sites-2", "sites")
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.WriteSites(sites); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Commit(dataset.Meta{IngestedAt: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	after, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := stageStates(after); got != "measure:mobifone=reused measure:viettel=reused predictions=rebuilt coverage=rebuilt evpredictions:mobifone=rebuilt evpredictions:viettel=reused deadzones=rebuilt" {
		t.Fatalf("after MobiFone's sites changed: %s", got)
	}
	if exactResults(after.DeadZones) == exactResults(before.DeadZones) {
		t.Fatal("the sites' change changed nothing: the test does not test")
	}
	fresh := diskStoreOf(t, worldVillages, twoCarrierTests())
	txn, err = fresh.Begin(strings.Repeat("e5", 32), "sites-2", "sites")
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.WriteSites(sites); err != nil {
		t.Fatal(err)
	}
	if _, err := txn.Commit(dataset.Meta{IngestedAt: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	want, err := DeadZones(ctx, fresh, worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := exactResults(after.DeadZones), exactResults(want); got != want {
		t.Fatalf("after the sites' change:\n%s\nwant\n%s", got, want)
	}
}

// The speed trend read from the months' saved passes equals the one from
// a pass of its own, and once the passes are saved it reads no
// measurement.
func TestSpeedTrendFromSavedPasses(t *testing.T) {
	ctx := context.Background()
	b := twoCarrierTests()
	rng := rand.New(rand.NewPCG(5, 5))
	for _, t0 := range []int64{worldT0, time.UnixMilli(worldT0).AddDate(-1, 0, 0).UnixMilli()} {
		for i := range 40 {
			b.Append(engine.Measurement{TimeUnixMs: t0 + int64(i)*3600_000, Carrier: engine.Viettel, Tech: engine.Tech4G,
				Lon: 103.31 + 0.01*rng.Float64(), Lat: 22.40 + 0.01*rng.Float64(), SignalDBm: -80, Service: engine.ServiceOK,
				RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: 10 + 30*rng.Float64() + float64(t0-worldT0)/1e10, ULMbps: math.NaN(),
				LatencyMs: math.NaN(), Source: engine.SourceCrowd, DeviceID: "s", DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor})
		}
	}
	s := storeOf(t, worldVillages, b)
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	opt := ScorecardOptions{Areas: provinces, Bootstrap: penetration.DefaultBootstrap(), Seed: 3}
	own, saved := speedChangesBothWays(t, s, &opt)
	show := func(m map[penetration.Period]map[string]*penetration.Estimate) string {
		var lines []string
		for p, x := range m {
			for a, e := range x {
				lines = append(lines, fmt.Sprintf("%v %s %+v\n", p, a, *e))
			}
		}
		slices.Sort(lines)
		return strings.Join(lines, "")
	}
	if show(own) != show(saved) || len(own[penetration.Period{Year: 2026, Month: 10}]) != 1 {
		t.Fatalf("own pass %s, saved passes %s", show(own), show(saved))
	}
	for p, m := range own {
		for _, e := range m {
			// 2025-10 has no tests a year before and 2027-10 none of its
			// own: unknown, naming the month without them.
			if p == (penetration.Period{Year: 2026, Month: 10}) && math.IsNaN(e.Value) {
				t.Fatalf("no estimate: %+v", e)
			}
			if p != (penetration.Period{Year: 2026, Month: 10}) && (!math.IsNaN(e.Value) || !strings.Contains(strings.Join(e.Issues, "; "), "no mobile speed tests in")) {
				t.Fatalf("%s, measured in one of its two months: %+v", p, e)
			}
		}
	}
	// Now every pass is saved: each is read for its speed counts alone.
	before := s.Scans()
	again, err := speedChanges(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.Scans() != before {
		t.Fatalf("scans %+v after %+v: the saved passes were not read", s.Scans(), before)
	}
	if show(again) != show(own) {
		t.Fatalf("read for the speeds alone %s, own pass %s", show(again), show(own))
	}
}

// A pass read back without its per-key statistics (what the dead-zone
// stage and the speed trend read) holds no rows and the same readings,
// tally and speeds; asking for the rows afterwards reads them.
func TestMeasuredWithoutRows(t *testing.T) {
	ctx := context.Background()
	s := storeOf(t, worldVillages, twoCarrierTests())
	if _, err := Run(ctx, s, RunOptions{Period: "2026-10", DeadZones: worldOptions()}); err != nil {
		t.Fatal(err)
	}
	mo, err := coverageMeasureOptions(s, worldOptions().Coverage)
	if err != nil {
		t.Fatal(err)
	}
	mo.Aggregate.Periods = []string{"2026-10"}
	r := newPeriodRun(s, "2026-10", mo, nil, &RunSummary{})
	lean, err := r.measured(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(lean.Rows) != 0 || len(lean.ev.readings) == 0 {
		t.Fatalf("without rows: %d rows, %d readings", len(lean.Rows), len(lean.ev.readings))
	}
	full, err := r.measured(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Rows) == 0 || full == lean {
		t.Fatalf("with rows: %d rows (same pass: %v)", len(full.Rows), full == lean)
	}
	if again, _ := r.measured(ctx, false); again != full {
		t.Error("a pass with rows is not reused for one without")
	}
	if !reflect.DeepEqual(lean.ev, full.ev) || !reflect.DeepEqual(lean.speeds, full.speeds) ||
		!reflect.DeepEqual(lean.Tally.State(), full.Tally.State()) || lean.RowsRead != full.RowsRead {
		t.Error("the readings, speeds, tally or rows read differ with and without the rows")
	}
}

// The dead-zone stage reads a saved coverage back lean (without its
// statistics and predictions) when its own output is current, and whole
// when it must compute the verdicts; the results equal a run from scratch
// either way, and the challenges claim the same keys as from the
// predictions.
func TestLeanCoverageReadBack(t *testing.T) {
	ctx := context.Background()
	// Vinaphone tests near V2 and V4, a carrier without sites: keys
	// without prediction, which the verdicts read from their measured
	// rows.
	tests := func() *engine.MeasurementBatch {
		b := twoCarrierTests()
		for i := range 10 {
			v := worldVillages[1+2*(i%2)]
			b.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*1800_000, Carrier: engine.VinaPhone, Tech: engine.Tech4G,
				Lon: v.Lon + 0.0008*float64(i%3), Lat: v.Lat - 0.0005*float64(i%2), SignalDBm: -96 - float64(i), Service: engine.ServiceOK,
				RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
				Source: engine.SourceCrowd, DeviceID: "n", DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor})
		}
		return b
	}
	s := storeOf(t, worldVillages, tests())
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions()}
	first, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := villagesCSV(t, first.DeadZones)
	again, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	cov := again.DeadZones.Coverage
	// The coverage as computed, whole (the run keeps what its verdicts
	// read: the first run's result holds only those rows).
	p, err := prepareDeadZones(s, opt.DeadZones)
	if err != nil {
		t.Fatal(err)
	}
	wopt := p.opt.Coverage
	wopt.Aggregate.Periods = []string{opt.Period}
	full, err := Coverage(ctx, s, wopt)
	if err != nil {
		t.Fatal(err)
	}
	if fc := first.DeadZones.Coverage; fc.Predicted != nil || len(fc.Measured) >= len(full.Measured) || fc.MeasuredKeys() != len(full.Measured) {
		t.Fatalf("computed coverage kept through the verdicts: %d predictions, %d of %d rows, %d keys", len(fc.Predicted), len(fc.Measured),
			len(full.Measured), fc.MeasuredKeys())
	}
	if !cov.Lean() || cov.Measured != nil || cov.Predicted != nil || cov.MeasuredKeys() != len(full.Measured) || cov.MeasuredKeys() == 0 {
		t.Fatalf("read back: lean %v, %d rows, %d predictions, %d keys (first run %d)", cov.Lean(), len(cov.Measured), len(cov.Predicted),
			cov.MeasuredKeys(), len(full.Measured))
	}
	if got := villagesCSV(t, again.DeadZones); got != want {
		t.Fatalf("lean read-back results differ:\n%s\nwant\n%s", got, want)
	}
	// (printed: the results hold NaN, which DeepEqual never matches)
	if fmt.Sprintf("%+v", again.DeadZones.Challenges) != fmt.Sprintf("%+v", first.DeadZones.Challenges) || len(first.DeadZones.Challenges.Hexes) == 0 {
		t.Fatalf("challenges differ or none: %d against %d", len(again.DeadZones.Challenges.Hexes), len(first.DeadZones.Challenges.Hexes))
	}
	// Claims from the states are the predicted keys.
	var fromPred, fromStates []challenge.Claim
	for _, p := range full.Predicted {
		fromPred = append(fromPred, challenge.Claim{Cell: p.Cell, Carrier: p.Carrier, Tech: p.Tech})
	}
	for _, st := range full.States {
		if !math.IsNaN(st.PredictedDBm) {
			fromStates = append(fromStates, challenge.Claim{Cell: st.Cell, Carrier: st.Carrier, Tech: st.Tech})
		}
	}
	sortClaims := func(cs []challenge.Claim) {
		slices.SortFunc(cs, func(a, b challenge.Claim) int {
			return cmp.Or(cmp.Compare(a.Cell, b.Cell), cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
		})
	}
	sortClaims(fromPred)
	sortClaims(fromStates)
	if len(fromPred) == 0 || !slices.Equal(fromPred, fromStates) {
		t.Fatalf("%d predicted keys, %d states with a prediction", len(fromPred), len(fromStates))
	}
	// A changed verdict option: the coverage is current, the verdicts are
	// not, so the coverage is read whole and the verdicts computed.
	opt.DeadZones.Draws = 3000
	changed, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := stageStates(changed); !strings.Contains(got, "coverage=reused") || !strings.Contains(got, "deadzones=rebuilt") {
		t.Fatalf("after a verdict option changed: %s", got)
	}
	// The verdicts' read keeps the rows they read: the keys of decided
	// hexes without prediction, not measured uncovered.
	var needed []aggregate.Key
	for _, st := range full.States {
		if _, decided := first.DeadZones.PDead[st.Cell]; decided && math.IsNaN(st.PredictedDBm) &&
			!(st.Source == coverage.Measured && st.State == coverage.Uncovered) {
			needed = append(needed, aggregate.Key{Cell: st.Cell, Carrier: st.Carrier, Tech: st.Tech})
		}
	}
	c := changed.DeadZones.Coverage
	var kept []aggregate.Key
	for _, r := range c.Measured {
		kept = append(kept, r.Key)
	}
	if c.Lean() || c.Predicted != nil || len(needed) == 0 || !slices.Equal(kept, needed) || c.MeasuredKeys() != len(full.Measured) {
		t.Fatalf("verdicts' read: lean %v, %d predictions, rows %v, want %v; %d keys of %d", c.Lean(), len(c.Predicted), kept, needed,
			c.MeasuredKeys(), len(full.Measured))
	}
	fresh, err := DeadZones(ctx, storeOf(t, worldVillages, tests()), opt.DeadZones)
	if err != nil {
		t.Fatal(err)
	}
	if got, w := villagesCSV(t, changed.DeadZones), villagesCSV(t, fresh); got != w {
		t.Fatalf("verdicts over a coverage read back differ from a fresh run:\n%s\nwant\n%s", got, w)
	}
}

// CoverageStates reads a saved coverage lean, with the states Coverage
// reads whole.
func TestCoverageStatesLean(t *testing.T) {
	ctx := context.Background()
	s := storeOf(t, worldVillages, twoCarrierTests())
	copt := worldOptions().Coverage
	copt.Aggregate.Periods = []string{"2026-10"}
	whole, err := Coverage(ctx, s, copt)
	if err != nil {
		t.Fatal(err)
	}
	lean, err := CoverageStates(ctx, s, copt)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Lean() || !lean.Lean() || lean.Measured != nil || lean.Predicted != nil || len(whole.Predicted) == 0 {
		t.Fatalf("whole lean %v, lean lean %v with %d rows and %d predictions", whole.Lean(), lean.Lean(), len(lean.Measured), len(lean.Predicted))
	}
	if fmt.Sprintf("%v", lean.States) != fmt.Sprintf("%v", whole.States) || lean.MeasuredKeys() != len(whole.Measured) || lean.RowsRead != whole.RowsRead {
		t.Fatal("the lean read's states or counts differ")
	}
}

// A new calibration reruns coverage and the dead zones but reads the
// best-server search back (calibration corrects its values afterwards),
// and the month equals a dead-zone run from scratch with the calibration.
func TestRunCalibrationReadsSearchBack(t *testing.T) {
	ctx, s, opt, before := firstRun(t)
	var cals []coverage.Calibration
	for _, tech := range []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G} {
		cals = append(cals, coverage.Calibration{Carrier: engine.Viettel, Tech: tech, N: 50,
			Fit: predict.Fit{N: 50, OffsetDB: -25, SigmaDB: 8}})
	}
	opt.DeadZones.Coverage.Calibrations = cals
	after, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := stageStates(after); got != "measure:mobifone=reused measure:viettel=reused predictions=reused coverage=rebuilt evpredictions:mobifone=rebuilt evpredictions:viettel=rebuilt deadzones=rebuilt" {
		t.Fatalf("after a new calibration: %s", got)
	}
	dopt := worldOptions()
	dopt.Coverage.Calibrations = cals
	fresh, err := DeadZones(ctx, storeOf(t, worldVillages, twoCarrierTests()), dopt)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := exactResults(after.DeadZones), exactResults(fresh); got != want {
		t.Fatalf("calibrated run differs from a run from scratch:\n%s\nwant\n%s", got, want)
	}
	if exactResults(after.DeadZones) == exactResults(before.DeadZones) {
		t.Fatal("a calibration 25 dB down changed nothing: the test does not test")
	}
}

// The scorecard's dead-zone figures of a month whose dead-zone stage is
// saved come from that stage alone: they equal the figures of the whole
// result, and are read without the coverage the verdicts were decided
// from (still read when its saved output is gone) and without a pass over
// the measurements. Without a saved stage they are computed and saved;
// a month without measurements gives its reason.
func TestMonthDeadZoneFiguresFromSavedStage(t *testing.T) {
	ctx := context.Background()
	s := diskStoreOf(t, worldVillages, twoCarrierTests())
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	opt := worldOptions()
	opt.Provinces = provinces
	p, err := penetration.ParsePeriod("2026-10")
	if err != nil {
		t.Fatal(err)
	}
	computed, missing, err := MonthDeadZoneFigures(ctx, s, opt, p)
	if err != nil || missing != "" {
		t.Fatal(err, missing)
	}
	if s.Scans().Scans != 1 {
		t.Fatalf("nothing saved: scans %+v", s.Scans())
	}
	dz, _, err := MonthDeadZones(ctx, s, opt, p)
	if err != nil {
		t.Fatal(err)
	}
	want := DeadZoneFigures(dz)
	show := func(m map[string]*scorecard.DeadZones) string {
		var b strings.Builder
		for _, c := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&b, "%s %+v\n", c, *m[c])
		}
		return b.String()
	}
	villages := 0.0
	for _, d := range want {
		villages += d.Villages
	}
	if len(want) == 0 || villages == 0 {
		t.Fatalf("figures %s: no village without signal to compare", show(want))
	}
	if show(computed) != show(want) {
		t.Fatalf("computed figures %s, want %s", show(computed), show(want))
	}
	covs, err := filepath.Glob(filepath.Join(s.Dir(), "stages", "period=2026-10", "coverage*", "*", "output.gob"))
	if err != nil || len(covs) == 0 {
		t.Fatalf("no saved coverage (%v)", err)
	}
	for _, f := range covs {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Scans()
	saved, missing, err := MonthDeadZoneFigures(ctx, s, opt, p)
	if err != nil || missing != "" {
		t.Fatal(err, missing)
	}
	if show(saved) != show(want) || s.Scans() != before {
		t.Fatalf("from the saved stage: %s (scans %+v after %+v), want %s", show(saved), s.Scans(), before, show(want))
	}
	if again, _ := filepath.Glob(filepath.Join(s.Dir(), "stages", "period=2026-10", "coverage*", "*", "output.gob")); len(again) != 0 {
		t.Fatalf("the coverage was computed again for the figures: %v", again)
	}
	if _, missing, err := MonthDeadZoneFigures(ctx, s, opt, p.AddMonths(-1)); err != nil || missing == "" {
		t.Fatalf("a month without measurements: %q, %v", missing, err)
	}
}

// A run whose context is cancelled once the dead-zone stage has begun
// stops with the context's error and saves no dead-zone output; the next
// run computes that stage and gives a fresh run's results.
func TestRunStopsWhenCanceledInDeadZones(t *testing.T) {
	s := storeOf(t, worldVillages, twoCarrierTests())
	for _, when := range []string{"started", "first place"} {
		t.Run(when, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opt := RunOptions{Period: "2026-10", DeadZones: worldOptions()}
			opt.Progress = func(p Progress) {
				// "started" cancels as the stage begins (before the
				// predictions and the radio map); "first place" as the
				// verdicts are under way.
				if p.Stage == StageDeadZones && (when == "started" || p.Done > 0) {
					cancel()
				}
			}
			if _, err := Run(ctx, s, opt); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run: %v, want context.Canceled", err)
			}
		})
	}
	again, err := Run(context.Background(), s, RunOptions{Period: "2026-10", DeadZones: worldOptions()})
	if err != nil {
		t.Fatal(err)
	}
	if got := stageStates(again); !strings.Contains(got, "deadzones=rebuilt") {
		t.Fatalf("after the cancelled runs: %s, want the dead-zone stage computed", got)
	}
	fresh, err := DeadZones(context.Background(), storeOf(t, worldVillages, twoCarrierTests()), worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := villagesCSV(t, again.DeadZones), villagesCSV(t, fresh); got != want {
		t.Fatalf("after the cancelled runs:\n%s\nwant\n%s", got, want)
	}
}

// A measure output deleted after a run is not needed by the next (the
// stages after it are current): a read-only run reports it missing, not
// current, and the month's run makes it again (dataset verify failed on
// its record without files after any number of runs).
func TestRunReportsMissingMeasureOutput(t *testing.T) {
	ctx, s, opt, _ := firstRun(t)
	dir := filepath.Join(s.Dir(), "stages", "period=2026-10", "measure", "carrier=viettel")
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	// Read-only (the service, exports): reported as missing.
	ro := opt
	ro.ReadOnly = true
	seen, err := Run(ctx, s, ro)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range seen.Stages {
		if st.Stage != StageMeasure {
			continue
		}
		if want := st.Carrier == "viettel"; st.Missing != want || !st.NotRead {
			t.Errorf("read-only: measure %s: missing %v, not read %v (%s)", st.Carrier, st.Missing, st.NotRead, st.Why)
		}
	}
	// The month's run makes it again, by a pass over Viettel's parts
	// alone, and leaves the dataset whole.
	again, err := Run(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	var viettelRows int64
	for _, p := range s.Parts("measurements", []string{"2026-10"}, []string{"viettel"}) {
		viettelRows += p.Rows
	}
	if again.Scans.Scans != 1 || again.Scans.Rows != viettelRows {
		t.Errorf("scans %+v, want one pass over Viettel's %d rows", again.Scans, viettelRows)
	}
	if got := stageStates(again); !strings.HasPrefix(got, "measure:mobifone=reused measure:viettel=rebuilt ") || strings.Count(got, "rebuilt") != 1 {
		t.Errorf("stages: %s", got)
	}
	if rep, err := s.Verify(ctx); err != nil || len(rep.Bad) != 0 {
		t.Fatalf("verify after the run: %+v, %v", rep, err)
	}
	last, err := Run(ctx, s, opt)
	if err != nil || last.Scans.Scans != 0 || len(last.Rebuilt()) != 0 {
		t.Fatalf("run after: %v, scans %+v, %s", err, last.Scans, stageStates(last))
	}
}

// The same inputs save the same bytes: every saved stage output of two
// runs on two stores is identical (gob wrote the maps of the coverage,
// dead-zone and plan outputs in Go's random map order), and what is read
// back equals what was computed.
func TestSavedStagesAreTheSameBytes(t *testing.T) {
	ctx := context.Background()
	po := DefaultPlanOptions(1e12)
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions(), Plan: &po}
	var dirs []string
	var first *RunSummary
	for range 2 {
		s := diskStoreOf(t, worldVillages, twoCarrierTests())
		sum, err := Run(ctx, s, opt)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = sum
			back, err := Run(ctx, s, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Rebuilt()) != 0 {
				t.Fatalf("second run rebuilt %s", stageStates(back))
			}
			// (%+v: a generated candidate's distances are NaN.)
			if fmt.Sprintf("%+v", *back.Plan) != fmt.Sprintf("%+v", *sum.Plan) || exactResults(back.DeadZones) != exactResults(sum.DeadZones) {
				t.Fatal("read-back plan or dead zones differ from the computed ones")
			}
		}
		dirs = append(dirs, filepath.Join(s.Dir(), "stages"))
	}
	// (This world has no areas nor calibration: its admin units and σ
	// maps are empty; TestSavedMapsSameBytes saves full ones.)
	if len(first.Plan.Footprints) == 0 || len(first.DeadZones.PDead) < 2 {
		t.Fatalf("maps too small to test: %d footprints, %d P(dead)", len(first.Plan.Footprints), len(first.DeadZones.PDead))
	}
	files := 0
	err := filepath.WalkDir(dirs[0], func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dirs[0], path)
		a, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(dirs[1], rel))
		if err != nil {
			return err
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs of the same inputs", rel)
		}
		files++
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("%d files compared: %v", files, err)
	}
}

// Saved coverage, dead-zone and plan outputs with full maps are the same
// bytes each time they are saved, and read back whole.
func TestSavedMapsSameBytes(t *testing.T) {
	cov := &CoverageResult{}
	cov.Config.SigmaDB = map[coverage.CarrierTech]float64{}
	dz := &deadZonesState{Result: DeadZoneResult{Admin: map[hexgrid.Cell]deadzone.Admin{}, PDead: map[hexgrid.Cell]float64{}}}
	pr := &PlanResult{Footprints: map[string][]hexgrid.Cell{}, Admin: map[string][2]string{}}
	for i := range 200 {
		cell := hexgrid.Cell(0x8840644835fffff + uint64(i)<<12)
		cov.Config.SigmaDB[coverage.CarrierTech{Carrier: engine.Carrier(fmt.Sprintf("c%d", i%9)), Tech: engine.Tech(1 + i%3)}] = float64(i)
		dz.Result.Admin[cell] = deadzone.Admin{Province: "12", Commune: fmt.Sprintf("12%03d", i%7)}
		dz.Result.PDead[cell] = float64(i) / 200
		id := fmt.Sprintf("C%03d", i)
		pr.Footprints[id] = []hexgrid.Cell{cell}
		pr.Admin[id] = [2]string{"12", fmt.Sprintf("12%03d", i%7)}
	}
	covBack, dzBack, prBack := &CoverageResult{}, &deadZonesState{}, &PlanResult{}
	for _, c := range []struct {
		name        string
		saved, back chunked
	}{
		{"coverage", coverageState{r: cov}, coverageState{r: covBack}},
		{"dead zones", dz, dzBack},
		{"plan", planState{pr}, planState{prBack}},
	} {
		save := func() []byte {
			var b bytes.Buffer
			if err := c.saved.encodeTo(gob.NewEncoder(&b)); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
		first := save()
		for range 5 {
			if !bytes.Equal(save(), first) {
				t.Fatalf("%s: the same output saved twice gave different bytes", c.name)
			}
		}
		if err := c.back.decodeFrom(gob.NewDecoder(bytes.NewReader(first))); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if !reflect.DeepEqual(covBack.Config.SigmaDB, cov.Config.SigmaDB) || !reflect.DeepEqual(dzBack.Result.Admin, dz.Result.Admin) ||
		!reflect.DeepEqual(dzBack.Result.PDead, dz.Result.PDead) || !reflect.DeepEqual(prBack.Footprints, pr.Footprints) ||
		!reflect.DeepEqual(prBack.Admin, pr.Admin) {
		t.Fatal("a saved map did not read back whole")
	}
	// A key twice is a corrupt output, not a silently shorter map.
	var b bytes.Buffer
	enc := gob.NewEncoder(&b)
	if err := encodeChunks(enc, []entry[string, int]{{"a", 1}, {"a", 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeMap[string, int](gob.NewDecoder(&b)); err == nil {
		t.Fatal("a key saved twice was read")
	}
}
