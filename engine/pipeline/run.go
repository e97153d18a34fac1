package pipeline

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// The monthly run.
//
// A period's analysis is a chain of stages, each saved in the dataset
// (dataset.SaveStage) under a key derived from everything it read:
//
//	measure (per carrier)  one pass over that carrier's measurement parts of
//	                       the period: per-key statistics, the radio map's
//	                       readings near villages and populated hexes, the
//	                       challenge tally (Measured). Key: the parts'
//	                       SHA-256, the aggregation, thresholds and
//	                       challenge configuration, the villages and
//	                       reach cells.
//	coverage               best-server prediction fused with the merged
//	                       measure outputs (CoverageResult). Key: the
//	                       measure keys, the site parts' SHA-256, the
//	                       coverage options.
//	deadzones              verdicts per hex and village, zones, gaps,
//	                       challenges (DeadZoneResult). Key: the coverage
//	                       and measure keys, the dead-zone options.
//	plan                   the investment plan (when RunOptions.Plan is
//	                       set). Key: the deadzones key, the plan options.
//
// A stage whose key is unchanged is read back instead of computed; a
// stage is computed only when its own inputs changed, and then every
// stage after it is too (their keys hold its key). When one carrier adds
// a dump, only that carrier's parts change: its measure output is rebuilt
// by a pass over its parts alone, the others are read back, and coverage,
// dead zones and plan rerun on the merged result. The passes a run makes
// are counted by the store (dataset.Store.Scans).

// Stage format versions: a change of a stage's saved form or meaning
// bumps its version, so that outputs saved by earlier versions are
// rebuilt.
const (
	measureFormat   = 1
	coverageFormat  = 1
	deadZonesFormat = 1
	planFormat      = 1
)

// Stage names in the dataset.
const (
	StageMeasure   = "measure"
	StageCoverage  = "coverage"
	StageDeadZones = "deadzones"
	StagePlan      = "plan"
)

// RunOptions control Run.
type RunOptions struct {
	// Period is the month to run (YYYY-MM).
	Period string
	// DeadZones are the analysis' options; its Coverage.Aggregate.Periods
	// is set to Period.
	DeadZones DeadZoneOptions
	// Plan, when set, adds the plan stage.
	Plan *PlanOptions
	// Progress, if set, receives progress as stages run, from the calling
	// goroutine or (rows of the measure pass) the reading goroutines one
	// at a time.
	Progress func(Progress)
}

// Progress reports a stage's advance. Done and Total count Unit (rows,
// hexes, ...); Total is 0 when unknown. Finished is set once per stage,
// with Reused when its saved output was read back.
type Progress struct {
	Stage    string
	Done     int64
	Total    int64
	Unit     string
	Finished bool
	Reused   bool
	Elapsed  time.Duration
}

// StageSummary is what a run did for one stage.
type StageSummary struct {
	Stage   string
	Carrier string // measure stages
	// Reused is set when the saved output was read back; otherwise the
	// stage was computed and saved (Why says why: no saved output, inputs
	// changed, or a saved output that failed its checks).
	Reused  bool
	Why     string
	Items   int64 // rows for measure, keys, hexes, villages for the others
	Elapsed time.Duration
	Dir     string // the saved output, relative to the dataset
}

// RunSummary is what Run did and what it found.
type RunSummary struct {
	Period string
	Stages []StageSummary
	// Scans are the passes over measurement rows this run made.
	Scans dataset.ScanStats
	// Rows are the period's measurement rows; Keys the (hex, carrier,
	// tech) keys measured.
	Rows, Keys int64
	DeadZones  *DeadZoneResult
	Plan       *PlanResult // when RunOptions.Plan was set
	Elapsed    time.Duration
}

// Rebuilt returns the stages that were computed rather than read back.
func (r *RunSummary) Rebuilt() []StageSummary {
	var out []StageSummary
	for _, s := range r.Stages {
		if !s.Reused {
			out = append(out, s)
		}
	}
	return out
}

// NoPeriodDataError is returned by Run for a period without measurements.
type NoPeriodDataError struct {
	Period string
	Have   []string // the periods with measurements
}

func (e *NoPeriodDataError) Error() string {
	have := "none"
	if len(e.Have) > 0 {
		have = strings.Join(e.Have, ", ")
	}
	return fmt.Sprintf("no measurements in period %s (periods with measurements: %s)", e.Period, have)
}

// Run runs every stage of a period once, in order, each reading the saved
// output of the one before, and saves what it computes (see the notes
// above on stages and keys). A period without measurement parts is a
// *NoPeriodDataError. The service and exports read a period's results
// through Run as well: with nothing changed it reads every output back
// and makes no pass over the measurements.
func Run(ctx context.Context, s *dataset.Store, opt RunOptions) (*RunSummary, error) {
	start := time.Now()
	before := s.Scans()
	if !slices.Contains(s.Periods(), opt.Period) {
		return nil, &NoPeriodDataError{Period: opt.Period, Have: s.Periods()}
	}
	sum := &RunSummary{Period: opt.Period}
	dz, err := runDeadZones(ctx, s, opt.DeadZones, opt.Period, opt.Progress, sum)
	if err != nil {
		return nil, err
	}
	sum.DeadZones = dz.result
	if opt.Plan != nil {
		t0 := time.Now()
		ref := dataset.StageRef{Period: opt.Period, Stage: StagePlan}
		key := stageKey(StagePlan, planFormat, hashConfig(*opt.Plan), dz.key)
		var pr PlanResult
		st := StageSummary{Stage: StagePlan}
		why, err := loadStage(s, ref, key, &pr)
		if err != nil {
			return nil, err
		}
		if why == "" {
			st.Reused = true
			sum.Plan = &pr
		} else {
			st.Why = why
			report(opt.Progress, Progress{Stage: StagePlan, Unit: "zones", Total: int64(len(dz.result.Zones))})
			if sum.Plan, err = Plan(dz.result, dz.result.Coverage.Sites, *opt.Plan); err != nil {
				return nil, err
			}
			if st.Dir, err = saveStage(s, ref, key, []string{"deadzones " + dz.key}, sum.Plan); err != nil {
				return nil, err
			}
		}
		st.Items, st.Elapsed = int64(len(sum.Plan.Plan.Steps)), time.Since(t0)
		report(opt.Progress, Progress{Stage: StagePlan, Finished: true, Reused: st.Reused, Elapsed: st.Elapsed})
		sum.Stages = append(sum.Stages, st)
	}
	after := s.Scans()
	sum.Scans = dataset.ScanStats{Scans: after.Scans - before.Scans, Rows: after.Rows - before.Rows}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

func report(f func(Progress), p Progress) {
	if f != nil {
		f(p)
	}
}

// stagedDeadZones is a dead-zone result with its stage key.
type stagedDeadZones struct {
	result *DeadZoneResult
	key    string
}

// runDeadZones runs the measure, coverage and deadzones stages of one
// period, reading back what is saved and current, saving what it
// computes; it appends to sum's stages.
func runDeadZones(ctx context.Context, s *dataset.Store, opt DeadZoneOptions, period string, progress func(Progress), sum *RunSummary) (*stagedDeadZones, error) {
	opt.Coverage.Aggregate.Periods = []string{period}
	opt.Coverage.Measured = nil
	p, err := prepareDeadZones(s, opt)
	if err != nil {
		return nil, err
	}
	mo := p.measureOptions()
	// Measure keys, per carrier of the period (the parts' carrier).
	mcfg := mo
	mcfg.Aggregate.Workers, mcfg.Aggregate.Progress, mcfg.Aggregate.Carriers, mcfg.Villages, mcfg.Reach = 0, nil, nil, nil, nil
	mcfg.Challenge.Res = mo.Aggregate.Config.Resolution
	mconf := hashConfig(mcfg)
	anchors := anchorsKey(mo.Villages, mo.Reach)
	byCarrier := map[string][]dataset.Part{}
	for _, pt := range s.Parts("measurements", []string{period}, opt.Coverage.Aggregate.Carriers) {
		byCarrier[pt.Carrier] = append(byCarrier[pt.Carrier], pt)
	}
	carriers := slices.Sorted(mapKeysOf(byCarrier))
	mkeys := make([]string, 0, len(carriers))
	keyOf := map[string]string{}
	for _, c := range carriers {
		in := []string{mconf, anchors}
		for _, pt := range byCarrier[c] {
			in = append(in, pt.Path, pt.SHA256, pt.CRC32C, fmt.Sprint(pt.Rows))
		}
		k := stageKey(StageMeasure, measureFormat, in...)
		keyOf[c] = k
		mkeys = append(mkeys, c+"="+k)
	}
	// Coverage and dead-zone keys hold the measure keys: computed before
	// any measure output is read, so that with nothing changed none is.
	copt := p.opt.Coverage
	copt.Aggregate.Workers, copt.Aggregate.Progress, copt.Measured = 0, nil, nil
	var sitesIn []string
	for _, pt := range s.Parts("sites", nil, nil) {
		sitesIn = append(sitesIn, pt.Path, pt.SHA256, pt.CRC32C)
	}
	covKey := stageKey(StageCoverage, coverageFormat, append(append([]string{hashConfig(copt)}, sitesIn...), mkeys...)...)
	dopt := p.opt
	dopt.Coverage = CoverageOptions{}
	dzKey := stageKey(StageDeadZones, deadZonesFormat, hashConfig(dopt), covKey, anchors)

	var m *Measured
	measured := func() (*Measured, error) {
		if m != nil {
			return m, nil
		}
		per := map[string]*Measured{}
		var need []string
		var needRows int64
		whyOf := map[string]string{}
		for _, c := range carriers {
			t0 := time.Now()
			ref := dataset.StageRef{Period: period, Stage: StageMeasure, Carrier: c}
			var st measuredState
			why, err := loadStage(s, ref, keyOf[c], &st)
			if err != nil {
				return nil, err
			}
			if why != "" {
				need, whyOf[c] = append(need, c), why
				for _, pt := range byCarrier[c] {
					needRows += pt.Rows
				}
				continue
			}
			if per[c], err = st.measured(mo.Challenge, mo.Aggregate.Config.Resolution); err != nil {
				return nil, err
			}
			el := time.Since(t0)
			sum.Stages = append(sum.Stages, StageSummary{Stage: StageMeasure, Carrier: c, Reused: true, Items: per[c].RowsRead, Elapsed: el})
			report(progress, Progress{Stage: StageMeasure + " " + c, Finished: true, Reused: true, Elapsed: el, Done: per[c].RowsRead, Unit: "rows"})
		}
		if len(need) > 0 {
			t0 := time.Now()
			po := mo
			po.Aggregate.Carriers = need
			po.Aggregate.Progress = func(rows int64) {
				report(progress, Progress{Stage: StageMeasure + " " + strings.Join(need, ","), Done: rows, Total: needRows, Unit: "rows"})
			}
			fresh, err := measureCarriers(ctx, s, po)
			if err != nil {
				return nil, err
			}
			el := time.Since(t0)
			for _, c := range need {
				mc := fresh[c]
				if mc == nil { // parts without rows
					tl, err := challenge.NewTally(po.Challenge)
					if err != nil {
						return nil, err
					}
					mc = &Measured{Tally: tl, ev: newEvAcc(len(mo.Villages)).evidence(), anchors: anchors}
				}
				per[c] = mc
				ref := dataset.StageRef{Period: period, Stage: StageMeasure, Carrier: c}
				var in []string
				for _, pt := range byCarrier[c] {
					in = append(in, pt.Path+" "+pt.SHA256)
				}
				dir, err := saveStage(s, ref, keyOf[c], in, stateOf(mc))
				if err != nil {
					return nil, err
				}
				sum.Stages = append(sum.Stages, StageSummary{Stage: StageMeasure, Carrier: c, Why: whyOf[c], Items: mc.RowsRead, Elapsed: el, Dir: dir})
			}
			report(progress, Progress{Stage: StageMeasure + " " + strings.Join(need, ","), Done: needRows, Total: needRows, Unit: "rows", Finished: true, Elapsed: el})
		}
		ccfg := mo.Challenge
		ccfg.Res = mo.Aggregate.Config.Resolution
		var err error
		if m, err = mergeMeasured(per, len(mo.Villages), anchors, ccfg); err != nil {
			return nil, err
		}
		return m, nil
	}

	// Dead zones first: when they are current, coverage is read back with
	// them and nothing else is needed.
	t0 := time.Now()
	dzRef := dataset.StageRef{Period: period, Stage: StageDeadZones}
	covRef := dataset.StageRef{Period: period, Stage: StageCoverage}
	var dzs deadZonesState
	dzWhy, err := loadStage(s, dzRef, dzKey, &dzs)
	if err != nil {
		return nil, err
	}
	var cov CoverageResult
	covWhy, err := loadStage(s, covRef, covKey, &cov)
	if err != nil {
		return nil, err
	}
	if covWhy == "" {
		report(progress, Progress{Stage: StageCoverage, Finished: true, Reused: true, Elapsed: time.Since(t0)})
	} else {
		mm, err := measured()
		if err != nil {
			return nil, err
		}
		t0 = time.Now()
		report(progress, Progress{Stage: StageCoverage, Unit: "hexes", Total: int64(len(copt.Cells))})
		c2 := p.opt.Coverage
		c2.Measured = mm
		cr, err := Coverage(ctx, s, c2)
		if err != nil {
			return nil, err
		}
		cov = *cr
		dir, err := saveStage(s, covRef, covKey, append(append([]string{}, sitesIn...), mkeys...), &cov)
		if err != nil {
			return nil, err
		}
		sum.Stages = append(sum.Stages, StageSummary{Stage: StageCoverage, Why: covWhy, Items: int64(len(cov.States)), Elapsed: time.Since(t0), Dir: dir})
		report(progress, Progress{Stage: StageCoverage, Finished: true, Elapsed: time.Since(t0)})
	}
	if covWhy == "" {
		sum.Stages = append(sum.Stages, StageSummary{Stage: StageCoverage, Reused: true, Items: int64(len(cov.States)), Elapsed: time.Since(t0)})
	}
	sum.Rows, sum.Keys = cov.RowsRead, int64(len(cov.Measured))
	t0 = time.Now()
	var res *DeadZoneResult
	if dzWhy == "" && covWhy == "" {
		res = dzs.result(&cov)
		sum.Stages = append(sum.Stages, StageSummary{Stage: StageDeadZones, Reused: true, Items: int64(len(res.Villages.Villages)), Elapsed: time.Since(t0)})
		report(progress, Progress{Stage: StageDeadZones, Finished: true, Reused: true, Elapsed: time.Since(t0)})
	} else {
		if dzWhy == "" {
			dzWhy = "coverage was rebuilt"
		}
		mm, err := measured()
		if err != nil {
			return nil, err
		}
		t0 = time.Now()
		report(progress, Progress{Stage: StageDeadZones, Unit: "villages", Total: int64(len(p.dv))})
		if res, err = finishDeadZones(p, mm, &cov); err != nil {
			return nil, err
		}
		dir, err := saveStage(s, dzRef, dzKey, []string{"coverage " + covKey}, stateOfDeadZones(res))
		if err != nil {
			return nil, err
		}
		sum.Stages = append(sum.Stages, StageSummary{Stage: StageDeadZones, Why: dzWhy, Items: int64(len(res.Villages.Villages)), Elapsed: time.Since(t0), Dir: dir})
		report(progress, Progress{Stage: StageDeadZones, Finished: true, Elapsed: time.Since(t0)})
	}
	if m == nil {
		// Later stages were current: the measure outputs were not read.
		for _, c := range carriers {
			var rows int64
			for _, pt := range byCarrier[c] {
				rows += pt.Rows
			}
			sum.Stages = append(sum.Stages, StageSummary{Stage: StageMeasure, Carrier: c, Reused: true, Items: rows,
				Why: "not read: the stages after it are current"})
		}
	}
	// Keep the summary in stage order: measure, coverage, deadzones.
	order := map[string]int{StageMeasure: 0, StageCoverage: 1, StageDeadZones: 2}
	slices.SortStableFunc(sum.Stages, func(a, b StageSummary) int {
		if d := order[a.Stage] - order[b.Stage]; d != 0 {
			return d
		}
		return strings.Compare(a.Carrier, b.Carrier)
	})
	return &stagedDeadZones{result: res, key: dzKey}, nil
}

func mapKeysOf[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// loadStage reads a saved output into v. why is "" when it was read, else
// why it must be computed: none saved with this key, or one that failed
// its checks or did not decode (then it is rebuilt, and the reason is
// kept in the summary).
func loadStage(s *dataset.Store, ref dataset.StageRef, key string, v any) (why string, err error) {
	rec, err := s.LoadStage(ref, key)
	switch {
	case errors.Is(err, dataset.ErrNoStage):
		return "no saved output for its inputs", nil
	case errors.Is(err, dataset.ErrCorruptPart):
		return "saved output failed its checks: " + err.Error(), nil
	case err != nil:
		return "", err
	}
	f, err := s.OpenStageFile(rec, "output.gob")
	if err != nil {
		return "saved output unreadable: " + err.Error(), nil
	}
	defer f.Close()
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(v); err != nil {
		return fmt.Sprintf("saved output %s does not decode: %v", rec.Dir, err), nil
	}
	return "", nil
}

// saveStage saves v as a stage output and returns its directory.
func saveStage(s *dataset.Store, ref dataset.StageRef, key string, inputs []string, v any) (string, error) {
	rec, err := s.SaveStage(ref, key, inputs, []dataset.StageWrite{{Name: "output.gob", Write: func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := gob.NewEncoder(bw).Encode(v); err != nil {
			return err
		}
		return bw.Flush()
	}}})
	if err != nil {
		return "", err
	}
	return rec.Dir, nil
}

// measuredState is a Measured in its saved form.
type measuredState struct {
	Rows     []aggregate.Row
	Skipped  aggregate.Skipped
	RowsRead int64
	Tally    challenge.TallyState
	Readings []readingState
	Nearby   []deadzone.Nearby
	Near     []nearState
	RowsNear int64
	Anchors  string
}

type readingState struct {
	Cell, Hex     hexgrid.Cell
	Key           deadzone.Key
	Upper, Indoor bool
	N             int
	Sum           float64
}

type nearState struct {
	Village int
	Key     deadzone.Key
	N       int
	Sum     float64
}

func stateOf(m *Measured) *measuredState {
	st := &measuredState{Rows: m.Rows, Skipped: m.Skipped, RowsRead: m.RowsRead, Tally: m.Tally.State(),
		Nearby: m.ev.nearby, RowsNear: m.ev.rowsNear, Anchors: m.anchors}
	for _, k := range m.ev.order {
		e := m.ev.sums[k]
		st.Readings = append(st.Readings, readingState{k.cell, k.hex, k.key, k.upper, k.indoor, e.n, e.sum})
	}
	for i, near := range m.ev.near {
		keys := slices.SortedFunc(mapKeysOf(near), func(a, b deadzone.Key) int {
			if c := strings.Compare(string(a.Carrier), string(b.Carrier)); c != 0 {
				return c
			}
			return int(a.Tech) - int(b.Tech)
		})
		for _, k := range keys {
			st.Near = append(st.Near, nearState{i, k, near[k].n, near[k].sum})
		}
	}
	return st
}

func (st *measuredState) measured(ccfg challenge.Config, res int) (*Measured, error) {
	ccfg.Res = res
	tl, err := challenge.NewTallyFrom(ccfg, st.Tally)
	if err != nil {
		return nil, err
	}
	ev := &evidence{sums: make(map[evKey]*evSum, len(st.Readings)), nearby: st.Nearby,
		near: make([]map[deadzone.Key]*evSum, len(st.Nearby)), rowsRead: st.RowsRead, rowsNear: st.RowsNear}
	if ev.nearby == nil {
		ev.nearby = []deadzone.Nearby{}
	}
	for _, r := range st.Readings {
		k := evKey{cell: r.Cell, hex: r.Hex, key: r.Key, upper: r.Upper, indoor: r.Indoor}
		ev.sums[k] = &evSum{n: r.N, sum: r.Sum}
		ev.order = append(ev.order, k)
	}
	for _, n := range st.Near {
		if n.Village < 0 || n.Village >= len(ev.near) {
			return nil, fmt.Errorf("pipeline: saved measurements name village %d of %d", n.Village, len(ev.near))
		}
		if ev.near[n.Village] == nil {
			ev.near[n.Village] = map[deadzone.Key]*evSum{}
		}
		ev.near[n.Village][n.Key] = &evSum{n: n.N, sum: n.Sum}
	}
	return &Measured{Rows: st.Rows, Skipped: st.Skipped, RowsRead: st.RowsRead, Tally: tl, ev: ev, anchors: st.Anchors}, nil
}

// deadZonesState is a DeadZoneResult in its saved form: without its
// coverage (saved by the coverage stage).
type deadZonesState struct {
	Result DeadZoneResult
}

func stateOfDeadZones(r *DeadZoneResult) *deadZonesState {
	c := *r
	c.Coverage = nil
	return &deadZonesState{Result: c}
}

func (st *deadZonesState) result(cov *CoverageResult) *DeadZoneResult {
	r := st.Result
	r.Coverage = cov
	return &r
}
