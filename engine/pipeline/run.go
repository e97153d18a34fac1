package pipeline

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/internal/plural"
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
//	evpredictions          the calibrated predictions of one carrier's
//	(per carrier)          sites at the cells that carrier was measured
//	                       in, which the dead-zone stage's radio map
//	                       turns into residuals. Key: that carrier's
//	                       measure key, its sites, the prediction
//	                       options. A carrier's late dump recomputes its
//	                       own part only.
//	deadzones              verdicts per hex and village, zones, gaps,
//	                       challenges (DeadZoneResult). Key: the coverage
//	                       and measure keys, the dead-zone options, the
//	                       villages (names and households too).
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
	measureFormat   = 12 // 12: a village's tests without service within 300 m (deadzone.Nearby.NoService) count emergency-only rows and censored readings too, as the data contract does; 11: speed counts per area of MeasureOptions.SpeedAreas holding the test's point (speedState.Area), per res-7 hex only for a test in none; 10: speed counts per carrier and technology (speedState.Carrier, Tech), for the like-with-like speed trend; 9: the statistics of the rows whose technology the device did not choose (Measured.NotChosen); 8: readings mark a phone's fallback technologies (evKey.fallback); 7: indoor readings near villages kept (nearState.NIn, SumIn); 6: signal quantiles inside the key's min and max, rate quantiles to three digits; 5: speeds to four significant digits (speedKey), a village's nearest test only within the search's reach (nearestReach); 4: statistics rows and readings as records (reccodec.go)
	coverageFormat  = 10 // 10: a state with too few tests and no prediction is of source rule (coverage.Rule), not predicted; 9: a site of a band outside the models' range predicted at the nearer bound (predict.ModelBandMHz, Result.BandClamped), not rejected; 8: an analysis limited to an area is refused without evidence of its own (Area.ownEvidence: a site inside it, a test in an inner hex), not for a test in a hex on its border; AreaRows; 7: a finer population table keeps its own positions (no places); the blend band 1.5 either side of a cut-off (predict.EnvBlendFactor), not 2; 6: the environment of a point from a continuous population density, blended between classes (envAt), not its resolution-8 cell's class; 5: a site of a register height outside the models' 10–300 m predicted at the nearer bound (predict.Result.HeightClamped), not rejected; 4: Config.SigmaDB in key order after the header (savedmaps.go); 3: environment classes from resolution-8 densities at every resolution (envRes); 2: states, rows, predictions and sites as records
	deadZonesFormat = 37 // 37: a claim's temporal reason gives the negatives' span as a duration to the millisecond, a roll-up sums its hexes' excluded tests; 36: the indoor loss fit solves its M step in closed form (means moved by ~10⁻⁴ dB at most); 35: a roll-up of claims is upheld only when ≥ RollupMin of its children are decided, else insufficient (challenge.Rollup.Verdict); it was upheld whenever not challenged; 34: a hex whose P(dead) is at or above the cut is every carrier's gap that nobody covers (deadzone.Gaps follows the verdict), not another_carrier_covers by the coverage's prediction; 33: a key without a prediction at a place takes its level from the readings of the key without prediction within 800 m by ordinary kriging with an unknown slope (unpredNear.krige), not only from its readings within 300 m as independent; 32: a censored test's likelihood in the variance scale and key means a mixture with spurious reports (radiomap.SpuriousCensoredShare); 31: the provinces with no test of the month in them listed (DeadZoneResult.Untested; their target 1 unknown); 30: the residual field's pairs sampled by the tests' own hashes over every test as an anchor (radiomap.Fit), not a permutation of their indices over a few hundred anchors; 29: a province whose villages (the population) all have 0 households is refused (areaHasPeople), as the whole run with such villages is, not saved as an all-clear; 28: the indoor loss and its spread fitted by place with their bounds (deadzone.IndoorLossPaired); with the villages as the population a hex is dead only as far as its villages are (deadzone.Input.HouseholdsAtVillages): zones count the households of their villages without signal (Zone.CellHouseholds) and name their served villages (Zone.Served); 27: a province has evidence of its own (provincesWithoutData) by a site inside it or an outdoor test in an inner hex of it, not a tested hex on its border, and a province without is always listed in NoData (its target 1 unknown) even when all its places lie near a neighbour's evidence; 25: a run over every province leaves out a province whose villages have no households in the population table given (NoHouseholdsWhy), as a run limited to it is refused; 24: the clutter correction is a curve over population density (RadioMapReport.ClutterOffsets), not one offset per environment class; 23: a population table with the villages' households in their hexes is the villages' (sameHouseholds); NoDataArea.Why; 22: environment class offsets fitted from the tests and added to the predictions the radio map is asked about (RadioMapReport.ClassOffsets); 21: environments as coverage 6; 20: near evidence dilates every evidence cell, also one first met as another's neighbour; 19: near is within about 8–25 km (resolution 5), not 20–60 km; 18: a province without evidence loses only its places with no site or tested hex near (a commune without a site of its own is served from its neighbours); 17: and the populated hexes and villages outside every province with no site or tested hex near (nearEvidence); 16: a run over every province leaves out the provinces with people but no site and no outdoor test (DeadZoneResult.NoData), as a run limited to one is refused; 15: the verdicts decide the populated analysis hexes (and the villages'), not every hex of a province run's outline; 14: villages decided by their hexes keep the tests near their points (VillageStatus.HasNearby); 13: an analysis hex without any coverage state (no site in reach, no test) is decided dead, P(dead) 1, not left undecided and zoned from the coverage alone; 12: a hex whose households are its villages' is judged at their points for its carriers' service too (villageHexes.served), not at its centre; 11: the villages report keeps its cut (VillageReport.Cut, for p_dead rounded on its side); 10: a run limited to a province analyses the hexes attributed to it (a border hex holding a neighbour's villages is the neighbour's); 9: a province with no village of its own (villages as the population) or no households is refused, not saved as an all-clear (areaHasPeople); without commune boundaries a village's attribution is commune_code (its own code) or province_only, not point; 8: a run limited to a province reports its own villages (VillageReport.ForProvince); 7: with the villages as the population, a hex's province and commune are its villages' (deadzone.AdminFromPlaces); 6: a hex holding villages, with the population the villages', takes their households-weighted p_dead (villageHexPDead); 5: without commune boundaries, a hex takes the commune of its villages (deadzone.CommunesFromPlaces); 4: Admin and PDead in key order after the header (savedmaps.go); 3: P(dead) for the analysis and village hexes only; the marginal fit by groups
	planFormat      = 9  // 9: why each option is not funded (plan.Plan.WhyNotFunded: every dead hex it reaches covered by the funded options, more than the whole budget, more than the budget left); 8: the proposed candidates that reach no dead or uncertain hex (PlanResult.Idle); 7: a sharing agreement closes its own carrier's gaps (plan.Sharing.Carrier), not every carrier's in its hexes; 6: environments as coverage 6; 5: a funded site where nobody lives, and a sharing agreement, take the province (and commune) of most of the dead hexes they cover (majorityAdmin); 4: sharing agreements never over dead hexes; 3: costs in whole đồng (plan.Build rounds each option once); 2: maps as entries in key order after the header (savedmaps.go)
)

// The formats of the parts the coverage and dead-zone stages read from
// (variables for the tests): a stage's key holds the format of the parts
// it reads as it holds their inputs, since a change of their meaning (a
// bump of their format alone) changes what the stage computes from them.
var (
	// evPredictionsFormat is the version of StageEvPredictions' parts.
	evPredictionsFormat = 7 // 7: bands outside the models' range at the nearer bound, as coverage 9; 6: the blend band as coverage 7; 5: environments as coverage 6; 4: heights outside 10–300 m at the nearer bound, as coverage 5; 3: environment classes as coverage 3; 2: the columns in chunks (a single gob message of a national carrier's was hundreds of MB)
	// predictionsFormat is the version of StagePredictions' parts.
	predictionsFormat = 7 // 7: the points searched saved after the result (a search at more points extends it); 6: the columns in chunks after the summary (predictionsState; one gob message was built whole in memory); 5: bands outside the models' range at the nearer bound, as coverage 9; 4: environments as coverage 6; 3: heights outside 10–300 m at the nearer bound, as coverage 5; 2: environment classes as coverage 3
)

// Stage names in the dataset.
const (
	StageMeasure   = "measure"
	StageCoverage  = "coverage"
	StageDeadZones = "deadzones"
	StagePlan      = "plan"
	// StageEvPredictions are per carrier the calibrated predictions at the
	// cells the carrier was measured in, which the dead-zone stage's radio
	// map reads (saved per carrier like measure).
	StageEvPredictions = "evpredictions"
	// StagePredictions is the coverage's best-server search, uncalibrated
	// (calibration corrects its values afterwards): lomsong calibrate and
	// the calibrated coverage of lomsong run search the same sites at the
	// same hexes, and the second reads the first's back.
	StagePredictions = "predictions"
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
	// ReadOnly reads the saved outputs and computes nothing: a stage whose
	// saved output is not current is a *NotSavedError. The service and
	// exports open a period's results this way.
	ReadOnly bool
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
	// Phase, when set, names a step a stage has begun that the items it
	// counts say nothing of, nor their ETA: the dead zones' radio map
	// before the verdicts (predictions at the tests, the indoor loss, the
	// residual field) and their grouping after them.
	Phase string
}

// StageSummary is what a run did for one stage.
type StageSummary struct {
	Stage   string
	Carrier string // measure stages
	// Reused is set when the saved output was read back; otherwise the
	// stage was computed and saved (Why says why: no saved output, inputs
	// changed, or a saved output that failed its checks).
	Reused bool
	// NotRead is set, with Reused, when the saved output was current but
	// not needed: the stages after it were current too, so nothing read
	// it.
	NotRead bool
	// Missing is set, with NotRead, when that saved output is not on
	// disk (deleted, or never saved) or not its recorded size (cut short):
	// nothing needed it.
	Missing bool
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

// NotSavedError is returned by a ReadOnly Run for a stage whose saved
// output is missing or not current.
type NotSavedError struct {
	Period, Stage, Why string
}

func (e *NotSavedError) Error() string {
	return fmt.Sprintf("period %s: stage %s has no current saved output (%s): run lomsong run --period %s first", e.Period, e.Stage, e.Why, e.Period)
}

// Run runs every stage of a period once, in order, each reading the saved
// output of the one before, and saves what it computes (see the notes
// above on stages and keys). A period without measurement parts is a
// *NoPeriodDataError.
//
// The service and exports open a period's results through Run too: with
// nothing changed it reads every output back and makes no pass over the
// measurements; with RunOptions.ReadOnly it never computes, and a stage
// whose saved output is not current is a *NotSavedError. The options must
// be those the outputs were saved with (lomsong run's defaults: see
// cmd/lomsong/run.go); RunSummary.DeadZones (with its Coverage) and
// RunSummary.Plan are the results.
func Run(ctx context.Context, s Store, opt RunOptions) (*RunSummary, error) {
	start := time.Now()
	before := s.Scans()
	if !slices.Contains(s.Periods(), opt.Period) {
		return nil, &NoPeriodDataError{Period: opt.Period, Have: s.Periods()}
	}
	sum := &RunSummary{Period: opt.Period}
	// One run of a month at a time (a dataset's Store): a second one
	// waits, then reads back what the first saved, instead of computing
	// the same stages beside it. Stores without saved stages to share
	// (pipeline tests' in-memory ones) have no such lock.
	if l, ok := s.(monthLocker); ok && !opt.ReadOnly {
		release, err := l.LockMonth(ctx, opt.Period, func(holder string) {
			notify(opt.Progress, Progress{Stage: "run", Phase: fmt.Sprintf("waiting for another run of %s on this dataset (%s); it then reads back what that run saved", opt.Period, holder)})
		})
		if err != nil {
			return nil, err
		}
		defer release()
		start = time.Now()
	}
	dz, err := runDeadZones(ctx, s, opt.DeadZones, opt.Period, opt.Progress, sum, opt.ReadOnly)
	if err != nil {
		return nil, err
	}
	sum.DeadZones = dz.result
	if opt.Plan != nil {
		if sum.Plan, err = runPlanStage(s, opt.Period, dz, *opt.Plan, opt.Progress, opt.ReadOnly, sum); err != nil {
			return nil, err
		}
	}
	after := s.Scans()
	sum.Scans = dataset.ScanStats{Scans: after.Scans - before.Scans, Rows: after.Rows - before.Rows}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// monthLocker is a Store that keeps runs of one month apart
// (dataset.Store.LockMonth).
type monthLocker interface {
	LockMonth(ctx context.Context, period string, waiting func(holder string)) (func(), error)
}

func notify(f func(Progress), p Progress) {
	if f != nil {
		f(p)
	}
}

// runPlanStage reads back or computes (and saves) the plan of a period's
// dead zones.
func runPlanStage(s Store, period string, dz *stagedDeadZones, po PlanOptions, progress func(Progress), readOnly bool, sum *RunSummary) (*PlanResult, error) {
	t0 := time.Now()
	ref := dataset.StageRef{Period: period, Stage: StagePlan + dz.scope}
	key := stageKey(StagePlan, planFormat, hashConfig(po), dz.key)
	var pr PlanResult
	st := StageSummary{Stage: StagePlan}
	why, err := loadStage(s, ref, key, planState{&pr})
	if err != nil {
		return nil, err
	}
	out := &pr
	if why == "" {
		st.Reused = true
	} else {
		if readOnly {
			return nil, &NotSavedError{period, StagePlan, why}
		}
		st.Why = why
		notify(progress, Progress{Stage: StagePlan, Unit: "zones", Total: int64(len(dz.result.Zones))})
		if out, err = Plan(dz.result, dz.result.Coverage.Sites, po); err != nil {
			return nil, err
		}
		if st.Dir, err = saveStage(s, ref, key, []string{"deadzones " + dz.key}, planState{out}); err != nil {
			return nil, err
		}
	}
	st.Items, st.Elapsed = int64(len(out.Plan.Steps)), time.Since(t0)
	notify(progress, Progress{Stage: StagePlan, Finished: true, Reused: st.Reused, Elapsed: st.Elapsed})
	sum.Stages = append(sum.Stages, st)
	return out, nil
}

// DeadZonesAndPlan returns the dead zones and the plan of one period
// through the period's saved stages (as Run does, with opt as the
// dead-zone options and po as the plan's); for options that do not name
// exactly one period it computes both and saves nothing.
//
// Proposed candidates (po.Proposed) outside the area analysed are set
// aside (PlanResult.SetAside, screenProposed); when all of them are, the
// plan is refused with a *ProposedOutsideError (and the dead zones).
func DeadZonesAndPlan(ctx context.Context, s Store, opt DeadZoneOptions, po PlanOptions) (*DeadZoneResult, *PlanResult, error) {
	ps := opt.Coverage.Aggregate.Periods
	var dz *DeadZoneResult
	var staged *stagedDeadZones
	var sum *RunSummary
	var err error
	if len(ps) != 1 || opt.Coverage.Measured != nil {
		if dz, err = DeadZones(ctx, s, opt); err != nil {
			return nil, nil, err
		}
	} else {
		sum = &RunSummary{Period: ps[0]}
		if staged, err = runDeadZones(ctx, s, opt, ps[0], opt.Progress, sum, false); err != nil {
			return nil, nil, err
		}
		dz = staged.result
	}
	n := len(po.Proposed)
	var aside []ingest.Reject
	var area string
	if po.Proposed, aside, area, err = screenProposed(dz, opt.Coverage.Area, opt.Provinces, po); err != nil {
		return nil, nil, err
	}
	if n > 0 && len(po.Proposed) == 0 {
		return dz, nil, &ProposedOutsideError{From: po.ProposedFrom, Area: area, Rejects: aside}
	}
	var pr *PlanResult
	if staged == nil {
		pr, err = Plan(dz, dz.Coverage.Sites, po)
	} else {
		pr, err = runPlanStage(s, ps[0], staged, po, opt.Progress, false, sum)
	}
	if err != nil {
		return nil, nil, err
	}
	pr.SetAside = aside
	return dz, pr, nil
}

// stagedDeadZones is a dead-zone result with its stage key.
type stagedDeadZones struct {
	result *DeadZoneResult
	key    string
	scope  string // scopeOf its coverage options
}

// periodRun is one period's measure stages: their keys, computed from the
// manifest without reading anything, and the merged pass, read back or
// rebuilt on first use.
type periodRun struct {
	s         Store
	period    string
	progress  func(Progress)
	sum       *RunSummary
	mo        MeasureOptions
	anchors   string
	carriers  []string
	byCarrier map[string][]dataset.Part
	keyOf     map[string]string
	mkeys     []string // carrier=key, by carrier
	m         *Measured
	mRows     bool // m holds the per-key statistics
	readOnly  bool
	savable   bool // checkSavable found the stages savable
}

// checkSavable returns, before a stage is computed, the error its save
// would meet when the store must save what it computes
// (dataset.Store.SavesRequired: lomsong run) and cannot: the pass over a
// national month is hours of work to lose at its save. A store whose
// saves are optional (a reader's) computes on.
func (r *periodRun) checkSavable() error {
	if r.savable || !r.s.SavesRequired() {
		return nil
	}
	if err := r.s.CheckStagesWritable(); err != nil {
		return fmt.Errorf("pipeline: period %s: nothing computed, as nothing could be saved: %w", r.period, err)
	}
	r.savable = true
	return nil
}

func newPeriodRun(s Store, period string, mo MeasureOptions, progress func(Progress), sum *RunSummary) *periodRun {
	r := &periodRun{s: s, period: period, progress: progress, sum: sum, mo: mo, anchors: anchorsKey(mo.Villages, mo.Reach),
		byCarrier: map[string][]dataset.Part{}, keyOf: map[string]string{}}
	r.mo.Aggregate.Periods = []string{period}
	// What the pass depends on besides its parts: the statistics'
	// configuration, the readings' thresholds, what the tally counts
	// with, and the anchors.
	mcfg := struct {
		Config                aggregate.Config
		Thresholds            engine.Thresholds
		Res                   int
		UTCOffset, Start, End time.Duration
		ChallengeThresholds   engine.Thresholds
		Anchors               string
		SpeedAreas            string
	}{mo.Aggregate.Config, mo.Thresholds, mo.Aggregate.Config.Resolution, mo.Challenge.UTCOffset, mo.Challenge.DayStart,
		mo.Challenge.DayEnd, mo.Challenge.Thresholds, r.anchors, speedAreasKey(mo.SpeedAreas)}
	mconf := hashConfig(mcfg)
	for _, pt := range s.Parts("measurements", []string{period}, mo.Aggregate.Carriers) {
		r.byCarrier[pt.Carrier] = append(r.byCarrier[pt.Carrier], pt)
	}
	r.carriers = slices.Sorted(mapKeysOf(r.byCarrier))
	for _, c := range r.carriers {
		in := []string{mconf}
		for _, pt := range r.byCarrier[c] {
			in = append(in, pt.Path, pt.SHA256, pt.CRC32C, fmt.Sprint(pt.Rows))
		}
		r.keyOf[c] = stageKey(StageMeasure, measureFormat, in...)
		r.mkeys = append(r.mkeys, c+"="+r.keyOf[c])
	}
	return r
}

// speeds returns the period's speed counts (Measured.speeds of the merged
// pass). When every carrier's saved pass is current, each is read for its
// speed counts alone, past its statistics and readings — a national
// month's passes hold millions of those, which the speed target does not
// read; otherwise the merged pass (measured) computes and saves what is
// missing.
func (r *periodRun) speeds(ctx context.Context) (map[speedCell]map[float64]int64, error) {
	if r.m != nil {
		return r.m.speeds, nil
	}
	type loaded struct {
		speeds []speedState
		why    string
		err    error
	}
	loads := make([]loaded, len(r.carriers))
	parallel.For(len(r.carriers), runtime.GOMAXPROCS(0), func(i int) {
		ld := &loads[i]
		c := r.carriers[i]
		st := measuredState{speedsOnly: true}
		ld.why, ld.err = loadStage(r.s, dataset.StageRef{Period: r.period, Stage: StageMeasure, Carrier: c}, r.keyOf[c], &st)
		ld.speeds = st.Speeds
	})
	out := map[speedCell]map[float64]int64{}
	for _, ld := range loads {
		if ld.err != nil {
			return nil, ld.err
		}
		if ld.why != "" {
			m, err := r.measured(ctx, false)
			if err != nil {
				return nil, err
			}
			return m.speeds, nil
		}
		addSpeedStates(out, ld.speeds)
	}
	return out, nil
}

// measured returns the period's merged pass: each carrier's saved output
// when current, and one pass over the parts of the carriers whose output
// is not. rows asks for the per-key statistics too: the coverage stage
// fuses them, the dead-zone stage reads only the radio map's readings and
// the tally (its coverage, read back or computed, holds the statistics),
// and without rows the saved ones are skipped as they are read instead of
// held twice.
func (r *periodRun) measured(ctx context.Context, rows bool) (*Measured, error) {
	if r.m != nil && (r.mRows || !rows) {
		return r.m, nil
	}
	r.m = nil
	s, mo, period, sum, progress := r.s, r.mo, r.period, r.sum, r.progress
	per := map[string]*Measured{}
	var need []string
	whyOf := map[string]string{}
	// The carriers' saved passes are read on parallel goroutines (each
	// its own file; decoding is most of the time), then taken in order.
	type loaded struct {
		m   *Measured
		why string
		el  time.Duration
		err error
	}
	loads := make([]loaded, len(r.carriers))
	parallel.For(len(r.carriers), runtime.GOMAXPROCS(0), func(i int) {
		c, ld := r.carriers[i], &loads[i]
		t0 := time.Now()
		ref := dataset.StageRef{Period: period, Stage: StageMeasure, Carrier: c}
		st := measuredState{skipRows: !rows}
		if ld.why, ld.err = loadStage(s, ref, r.keyOf[c], &st); ld.err != nil || ld.why != "" {
			return
		}
		if ld.m, ld.err = st.measured(mo.Challenge, mo.Aggregate.Config.Resolution); ld.err != nil {
			return
		}
		if ld.m.anchors != r.anchors {
			ld.m, ld.why = nil, "saved for other anchors"
		}
		ld.el = time.Since(t0)
	})
	for i, c := range r.carriers {
		ld := loads[i]
		if ld.err != nil {
			return nil, ld.err
		}
		why := ld.why
		if why == "" {
			per[c] = ld.m
		}
		if why != "" {
			need, whyOf[c] = append(need, c), why
			continue
		}
		el := ld.el
		sum.Stages = append(sum.Stages, StageSummary{Stage: StageMeasure, Carrier: c, Reused: true, Items: per[c].RowsRead, Elapsed: el})
		notify(progress, Progress{Stage: StageMeasure + " " + c, Finished: true, Reused: true, Elapsed: el, Done: per[c].RowsRead, Unit: "rows"})
	}
	if len(need) > 0 && r.readOnly {
		return nil, &NotSavedError{period, StageMeasure + " " + need[0], whyOf[need[0]]}
	}
	if len(need) > 0 {
		fresh, err := r.passAndSave(ctx, need, whyOf, rows)
		if err != nil {
			return nil, err
		}
		maps.Copy(per, fresh)
	}
	ccfg := mo.Challenge
	ccfg.Res = mo.Aggregate.Config.Resolution
	m, err := mergeMeasured(per, len(mo.Villages), r.anchors, ccfg)
	if err != nil {
		return nil, err
	}
	r.m, r.mRows = m, rows
	return m, nil
}

// passAndSave makes one pass over the parts of the carriers in need,
// saves each carrier's output and returns them; whyOf[c] is why c's saved
// output could not be read (for the summary). Without rows the outputs
// returned drop their statistics rows (they are saved with them).
func (r *periodRun) passAndSave(ctx context.Context, need []string, whyOf map[string]string, rows bool) (map[string]*Measured, error) {
	s, mo, period, sum, progress := r.s, r.mo, r.period, r.sum, r.progress
	if err := r.checkSavable(); err != nil {
		return nil, err
	}
	var needRows int64
	for _, c := range need {
		for _, pt := range r.byCarrier[c] {
			needRows += pt.Rows
		}
	}
	per := map[string]*Measured{}
	t0 := time.Now()
	po := mo
	po.Aggregate.Carriers = need
	name := StageMeasure + " " + strings.Join(need, ",")
	outer := mo.Aggregate.Progress
	po.Aggregate.Progress = func(rows int64) {
		notify(progress, Progress{Stage: name, Done: rows, Total: needRows, Unit: "rows"})
		if outer != nil {
			outer(rows)
		}
	}
	notify(progress, Progress{Stage: name, Total: needRows, Unit: "rows"})
	fresh, err := measureCarriers(ctx, s, po)
	if err != nil {
		return nil, err
	}
	el := time.Since(t0)
	ccfg := po.Challenge
	ccfg.Res = po.Aggregate.Config.Resolution
	for _, c := range need {
		mc := fresh[c]
		if mc == nil { // parts without rows
			tl, err := challenge.NewTally(ccfg)
			if err != nil {
				return nil, err
			}
			mc = &Measured{Tally: tl, ev: newEvAcc(engine.Carrier(c), len(mo.Villages)).evidence(), anchors: r.anchors}
		}
		per[c] = mc
	}
	// Each carrier's pass is saved in its own folder: on parallel
	// goroutines (encoding is most of the time).
	dirs, errs := make([]string, len(need)), make([]error, len(need))
	parallel.For(len(need), runtime.GOMAXPROCS(0), func(i int) {
		c := need[i]
		ref := dataset.StageRef{Period: period, Stage: StageMeasure, Carrier: c}
		var in []string
		for _, pt := range r.byCarrier[c] {
			in = append(in, pt.Path+" "+pt.SHA256)
		}
		dirs[i], errs[i] = saveStage(s, ref, r.keyOf[c], in, stateOf(per[c]))
	})
	for i, c := range need {
		if errs[i] != nil {
			return nil, errs[i]
		}
		mc := per[c]
		if !rows {
			mc.Rows = nil
		}
		sum.Stages = append(sum.Stages, StageSummary{Stage: StageMeasure, Carrier: c, Why: whyOf[c], Items: mc.RowsRead, Elapsed: el, Dir: dirs[i]})
	}
	notify(progress, Progress{Stage: name, Done: needRows, Total: needRows, Unit: "rows", Finished: true, Elapsed: el})
	return per, nil
}

// coverageRef is where the coverage stage of period saves its output for
// copt.
func coverageRef(period string, copt CoverageOptions) dataset.StageRef {
	return dataset.StageRef{Period: period, Stage: StageCoverage + scopeOf(copt)}
}

// scopeOf names the saved outputs of an analysis limited to an area or to
// given hexes apart from the period's whole analysis ("").
func scopeOf(copt CoverageOptions) string {
	if copt.Area == nil && len(copt.Cells) == 0 {
		return ""
	}
	var h string
	if copt.Area != nil {
		h = hashConfig([]string{copt.Area.Code, copt.Area.Name})
	} else {
		h = hashConfig(copt.Cells)
	}
	return ".area-" + h[:12]
}

// coverage returns the coverage stage's output for copt (read back when
// current, else computed from the merged pass and saved) and its key.
// lean reads a saved output back without its per-key statistics and
// predictions (CoverageResult.Lean), which only computing the dead zones
// and calibrating read; a computed output is whole either way.
func (r *periodRun) coverage(ctx context.Context, copt CoverageOptions, lean bool) (*CoverageResult, string, error) {
	t0 := time.Now()
	key, sitesIn := r.coverageKey(copt)
	ref := coverageRef(r.period, copt)
	var cov CoverageResult
	why, err := loadStage(r.s, ref, key, coverageState{r: &cov, lean: lean})
	if err != nil {
		return nil, "", err
	}
	if why == "" {
		el := time.Since(t0)
		r.sum.Stages = append(r.sum.Stages, StageSummary{Stage: StageCoverage, Reused: true, Items: int64(len(cov.States)), Elapsed: el})
		notify(r.progress, Progress{Stage: StageCoverage, Finished: true, Reused: true, Elapsed: el})
		return &cov, key, nil
	}
	if r.readOnly {
		return nil, "", &NotSavedError{r.period, StageCoverage, why}
	}
	if err := r.checkSavable(); err != nil {
		return nil, "", err
	}
	m, err := r.measured(ctx, true)
	if err != nil {
		return nil, "", err
	}
	t0 = time.Now()
	notify(r.progress, Progress{Stage: StageCoverage, Unit: "hexes", Total: int64(len(copt.Cells))})
	copt.Measured = m
	copt.Aggregate.Periods = []string{r.period}
	var searched []StageSummary
	copt.bestServer = r.savedBestServer(sitesIn, copt.OffAir, &searched)
	res, err := Coverage(ctx, r.s, copt)
	if err != nil {
		return nil, "", err
	}
	dir, err := saveStage(r.s, ref, key, append(append([]string{}, sitesIn...), r.mkeys...), coverageState{r: res})
	if err != nil {
		return nil, "", err
	}
	el := time.Since(t0)
	r.sum.Stages = append(r.sum.Stages, searched...)
	r.sum.Stages = append(r.sum.Stages, StageSummary{Stage: StageCoverage, Why: why, Items: int64(len(res.States)), Elapsed: el, Dir: dir})
	notify(r.progress, Progress{Stage: StageCoverage, Finished: true, Elapsed: el})
	return res, key, nil
}

// coverageKey is the key of the coverage stage for copt — its options,
// the register's parts (also returned) and the period's measure keys —
// computed from the manifest without reading anything.
func (r *periodRun) coverageKey(copt CoverageOptions) (key string, sitesIn []string) {
	kopt := copt
	kopt.Aggregate.Workers, kopt.Aggregate.Progress, kopt.Measured, kopt.Aggregate.Periods = 0, nil, nil, nil
	kopt.SpeedAreas = nil // the pass's: in its keys (r.mkeys)
	sitesIn = siteParts(r.s)
	in := append([]string{hashConfig(kopt), "predictions format " + strconv.Itoa(predictionsFormat)}, sitesIn...)
	return stageKey(StageCoverage, coverageFormat, append(in, r.mkeys...)...), sitesIn
}

// deadZonesKey is the key and place of the dead-zone stage of a prepared
// run whose coverage has key covKey.
func (r *periodRun) deadZonesKey(p *dzPrep, covKey string) (string, dataset.StageRef) {
	// The claims are not part of the key: the tally is saved with the
	// verdicts and adjudicated for the claims of each call. The villages
	// are, whole: the anchors hold their ids, communes and points alone
	// (what the measure pass reads), and the coverage their households
	// only when the commands give them as Places; the villages report
	// saved with the verdicts names them and counts their households, so
	// a village renamed or given other households in a villages file
	// ingested again was read back as it was.
	dopt := p.opt
	dopt.Coverage, dopt.Claims = CoverageOptions{}, nil
	return stageKey(StageDeadZones, deadZonesFormat, hashConfig(dopt), covKey, r.anchors, hashConfig(p.dv),
			"evpredictions format "+strconv.Itoa(evPredictionsFormat)),
		dataset.StageRef{Period: r.period, Stage: StageDeadZones + scopeOf(p.opt.Coverage)}
}

// savedDeadZones returns the period's dead zones as saved by the
// dead-zone stage for opt's current inputs, without the coverage they were
// decided from (Coverage nil), challenges and carrier gaps' hexes, or nil
// when no current output is saved. It reads neither the coverage nor a
// measurement: what callers that need only the verdicts, zones and
// households (the scorecard's figures) read.
func savedDeadZones(s Store, opt DeadZoneOptions, period string) (*DeadZoneResult, error) {
	opt.Coverage.Aggregate.Periods = []string{period}
	opt.Coverage.Measured = nil
	p, err := prepareDeadZones(s, opt)
	if err != nil {
		return nil, err
	}
	r := newPeriodRun(s, period, p.measureOptions(), nil, &RunSummary{})
	covKey, _ := r.coverageKey(p.opt.Coverage)
	key, ref := r.deadZonesKey(p, covKey)
	dzs := deadZonesState{noGaps: true}
	why, err := loadStage(s, ref, key, &dzs)
	if err != nil || why != "" {
		return nil, err
	}
	return dzs.result(nil), nil
}

// siteParts names the register's parts as the stages' keys take them:
// path, SHA-256 and CRC32C of each, in the order their sources were
// ingested. Of a sector several registers list, the rows of the one
// ingested last are in force (dataset.Store.Sites): the same parts in
// another order are another register. In path order (Store.Parts), a
// register taken out and ingested again after a corrected one (the same
// file at the same clock, the same part bytes) kept the keys, and the
// corrected register's coverage was read back.
func siteParts(s Store) []string {
	var out []string
	for _, src := range s.Manifest().Sources {
		for _, pt := range src.Parts {
			if pt.Kind == "sites" {
				out = append(out, pt.Path, pt.SHA256, pt.CRC32C)
			}
		}
	}
	return out
}

// remakeMissing makes again the carriers' passes whose saved output is
// gone though the stages after them are current (none was read): the
// month's run leaves every stage of the period saved — a later dump of
// another carrier needs them all, and dataset verify counts a record
// without its files as a fault.
func (r *periodRun) remakeMissing(ctx context.Context) error {
	if r.m != nil {
		return nil
	}
	var need []string
	whyOf := map[string]string{}
	for _, c := range r.carriers {
		if !r.s.StageSaved(dataset.StageRef{Period: r.period, Stage: StageMeasure, Carrier: c}, r.keyOf[c]) {
			need, whyOf[c] = append(need, c), "its saved output was missing or not its recorded size (the stages after it were current): made again"
		}
	}
	if len(need) == 0 {
		return nil
	}
	_, err := r.passAndSave(ctx, need, whyOf, false)
	return err
}

// finish completes the summary: measure outputs not read (the stages after
// them were current) are listed as reused, and stages are put in order.
func (r *periodRun) finish() {
	if r.m == nil {
		for _, c := range r.carriers {
			if slices.ContainsFunc(r.sum.Stages, func(s StageSummary) bool { return s.Stage == StageMeasure && s.Carrier == c }) {
				continue // made again (remakeMissing)
			}
			var rows int64
			for _, pt := range r.byCarrier[c] {
				rows += pt.Rows
			}
			st := StageSummary{Stage: StageMeasure, Carrier: c, Reused: true, NotRead: true, Items: rows,
				Why: "not read: the stages after it are current"}
			if !r.s.StageSaved(dataset.StageRef{Period: r.period, Stage: StageMeasure, Carrier: c}, r.keyOf[c]) {
				st.Missing = true
				st.Why = "not needed (the stages after it are current), but its saved output is missing or not its recorded size: lomsong run makes it again"
			}
			r.sum.Stages = append(r.sum.Stages, st)
		}
	}
	order := map[string]int{StageMeasure: 0, StagePredictions: 1, StageCoverage: 2, StageEvPredictions: 3, StageDeadZones: 4, StagePlan: 5}
	slices.SortStableFunc(r.sum.Stages, func(a, b StageSummary) int {
		if d := order[a.Stage] - order[b.Stage]; d != 0 {
			return d
		}
		return strings.Compare(a.Carrier, b.Carrier)
	})
}

// coverageAnchors returns the radio map's anchors for a coverage run
// alone, as a dead-zone run on the same options takes them (all villages,
// every populated hex), so that both read the same saved pass.
func coverageAnchors(s Store, copt CoverageOptions) ([]deadzone.Village, map[hexgrid.Cell]bool, error) {
	villages, err := s.Villages()
	if err != nil {
		return nil, nil, err
	}
	res := copt.Aggregate.Config.Resolution
	pop := copt.Population
	if len(pop) == 0 && len(villages) > 0 {
		if pop, err = VillagePopulation(villages, res); err != nil {
			return nil, nil, err
		}
	} else if pop, err = atResolution(pop, res); err != nil {
		return nil, nil, err
	}
	return anchorsOf(villages, pop)
}

// coverageMeasureOptions are the options of the pass a coverage run alone
// reads: the ones a dead-zone run on the same options (with the default
// challenge configuration) makes, so that both read the same saved pass.
func coverageMeasureOptions(s Store, copt CoverageOptions) (MeasureOptions, error) {
	dv, reach, err := coverageAnchors(s, copt)
	if err != nil {
		return MeasureOptions{}, err
	}
	ch := challenge.DefaultConfig()
	ch.Thresholds = copt.Coverage.Thresholds
	return MeasureOptions{Aggregate: copt.Aggregate, Thresholds: copt.Coverage.Thresholds, Challenge: ch, Villages: dv, Reach: reach,
		SpeedAreas: copt.SpeedAreas}, nil
}

// stagedCoverage is Coverage through the saved stages of one period.
func stagedCoverage(ctx context.Context, s Store, copt CoverageOptions, lean bool) (*CoverageResult, error) {
	mo, err := coverageMeasureOptions(s, copt)
	if err != nil {
		return nil, err
	}
	r := newPeriodRun(s, copt.Aggregate.Periods[0], mo, nil, &RunSummary{})
	res, _, err := r.coverage(ctx, copt, lean)
	return res, err
}

// runDeadZones runs the measure, coverage and deadzones stages of one
// period, reading back what is saved and current, saving what it
// computes; it appends to sum's stages.
func runDeadZones(ctx context.Context, s Store, opt DeadZoneOptions, period string, progress func(Progress), sum *RunSummary, readOnly bool) (*stagedDeadZones, error) {
	opt.Coverage.Aggregate.Periods = []string{period}
	opt.Coverage.Measured = nil
	p, err := prepareDeadZones(s, opt)
	if err != nil {
		return nil, err
	}
	r := newPeriodRun(s, period, p.measureOptions(), progress, sum)
	r.readOnly = readOnly
	defer r.finish()
	cov, covKey, err := r.coverage(ctx, p.opt.Coverage, true)
	if err != nil {
		return nil, err
	}
	sum.Rows, sum.Keys = cov.RowsRead, int64(cov.MeasuredKeys())
	if !cov.Lean() && !cov.partial {
		// Computed in this run: keep what a read-back for the verdicts
		// keeps, and let the pass's statistics rows go (the coverage
		// holds the few the verdicts read).
		cov = cov.forVerdicts(p.decide)
		if r.m != nil {
			r.m.Rows, r.mRows = nil, false
		}
	}
	dzKey, dzRef := r.deadZonesKey(p, covKey)
	t0 := time.Now()
	var dzs deadZonesState
	why, err := loadStage(s, dzRef, dzKey, &dzs)
	if err != nil {
		return nil, err
	}
	var res *DeadZoneResult
	st := StageSummary{Stage: StageDeadZones, Reused: why == "", Why: why}
	if why == "" {
		// A saved result is adjudicated for this call's claims (a computed
		// one was, as it was decided: finishDeadZones).
		res = dzs.result(cov)
		ccfg := p.opt.Challenge
		ccfg.Res = p.res
		tally, err := challenge.NewTallyFrom(ccfg, dzs.Tally)
		if err != nil {
			return nil, err
		}
		if res.Challenges, err = adjudicate(p.opt.Claims, cov, tally, ccfg); err != nil {
			return nil, err
		}
	} else {
		if readOnly {
			return nil, &NotSavedError{period, StageDeadZones, why}
		}
		if err := r.checkSavable(); err != nil {
			return nil, err
		}
		if cov.Lean() {
			// The verdicts read some of the statistics the lean read
			// skipped (and no prediction).
			var whole CoverageResult
			if why, err := loadStage(s, coverageRef(period, p.opt.Coverage), covKey, coverageState{r: &whole, decide: p.decide}); err != nil {
				return nil, err
			} else if why != "" {
				return nil, fmt.Errorf("pipeline: the coverage read back a moment ago is gone: %s", why)
			}
			cov = &whole
		}
		m, err := r.measured(ctx, false)
		if err != nil {
			return nil, err
		}
		t0 = time.Now()
		notify(progress, Progress{Stage: StageDeadZones, Unit: "villages", Total: int64(len(p.dv))})
		env, err := newEnvField(p.opt.Coverage)
		if err != nil {
			return nil, err
		}
		p.predictor = r.evPredictions(predictEvidence(ctx, cov, p.opt.Coverage, env, p.res), cov.Sites, p.opt.Coverage, p.res)
		p.progress, p.releaseReadings = progress, true
		if res, err = finishDeadZones(ctx, p, m, cov); err != nil {
			return nil, err
		}
		if st.Dir, err = saveStage(s, dzRef, dzKey, []string{"coverage " + covKey}, stateOfDeadZones(res, m.Tally)); err != nil {
			return nil, err
		}
	}
	st.Items, st.Elapsed = int64(len(res.Villages.Villages)), time.Since(t0)
	sum.Stages = append(sum.Stages, st)
	notify(progress, Progress{Stage: StageDeadZones, Finished: true, Reused: st.Reused, Elapsed: st.Elapsed})
	if !readOnly {
		if err := r.remakeMissing(ctx); err != nil {
			return nil, err
		}
	}
	return &stagedDeadZones{result: res, key: dzKey, scope: scopeOf(p.opt.Coverage)}, nil
}

func cmpCell(a, b hexgrid.Cell) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
// its checks or did not decode (then it is rebuilt, the reason kept in
// the summary and the damage reported to the store's OnDamagedStage).
func loadStage(s Store, ref dataset.StageRef, key string, v any) (why string, err error) {
	rec, err := s.LoadStage(ref, key)
	switch {
	case errors.Is(err, dataset.ErrNoStage) && s.StageSavedOtherwise(ref, key):
		// Its inputs, its options, or the build's format of the stage (an
		// earlier lomsong's saved output, of the same files) differ.
		return "its inputs are not those of its saved output (other files or options, or saved by another version of lomsong)", nil
	case errors.Is(err, dataset.ErrNoStage):
		return "no saved output for its inputs", nil
	case errors.Is(err, dataset.ErrCorruptPart):
		s.ReportDamagedStage(ref, err)
		return "saved output failed its checks: " + err.Error(), nil
	case err != nil:
		return "", err
	}
	f, err := s.OpenStageFile(rec, "output.gob")
	if err != nil {
		s.ReportDamagedStage(ref, err)
		return "saved output unreadable: " + err.Error(), nil
	}
	defer f.Close()
	if err := savedTypesMet(); err != nil {
		return "", err
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	if c, ok := v.(chunked); ok {
		err = c.decodeFrom(dec)
	} else {
		err = dec.Decode(v)
	}
	if err != nil {
		err = fmt.Errorf("saved output %s does not decode: %w", rec.Dir, err)
		s.ReportDamagedStage(ref, err)
		return err.Error(), nil
	}
	return "", nil
}

// chunked is a saved form written as several gob messages: gob builds
// each message whole in memory, so large slices go in chunks.
type chunked interface {
	encodeTo(*gob.Encoder) error
	decodeFrom(*gob.Decoder) error
}

// gobChunk is how many elements of a slice go in one gob message.
const gobChunk = 8192

// encodeChunks writes xs as its length, then chunks of at most gobChunk
// elements: gob messages of the elements, or for a type with a record
// codec (codecOf) gob byte strings of its records.
func encodeChunks[T any](enc *gob.Encoder, xs []T) error {
	if err := enc.Encode(len(xs)); err != nil {
		return err
	}
	codec := codecOf[T]()
	var w recWriter
	for i := 0; i < len(xs); i += gobChunk {
		c := xs[i:min(i+gobChunk, len(xs))]
		if codec == nil {
			if err := enc.Encode(c); err != nil {
				return err
			}
			continue
		}
		w.b = w.b[:0]
		w.u64(uint64(len(c)))
		for j := range c {
			codec.put(&w, &c[j])
		}
		if err := enc.Encode(w.b); err != nil {
			return err
		}
	}
	return nil
}

// eachChunk reads what encodeChunks wrote: the length, given to start,
// then the chunks, each given to f as it is read (f may keep it). With f
// nil the chunks are read past (a record chunk without decoding its
// elements). It returns the length.
func eachChunk[T any](dec *gob.Decoder, start func(n int), f func(c []T)) (int, error) {
	n, err := chunksLength(dec)
	if err != nil {
		return 0, err
	}
	start(n)
	codec := codecOf[T]()
	var buf []byte
	var strs interner
	for read := 0; read < n; {
		var c []T
		if codec == nil {
			if err := dec.Decode(&c); err != nil {
				return 0, err
			}
		} else {
			r, m, err := nextRecordChunk(dec, &buf, &strs, n-read)
			if err != nil {
				return 0, err
			}
			if f == nil {
				read += m
				continue
			}
			c = make([]T, m)
			if err := getRecords(&r, codec, c); err != nil {
				return 0, err
			}
		}
		if len(c) == 0 {
			return 0, errors.New("empty chunk")
		}
		if read += len(c); read > n {
			return 0, fmt.Errorf("%d elements, the header says %d", read, n)
		}
		if f != nil {
			f(c)
		}
	}
	return n, nil
}

// chunksLength reads the length encodeChunks wrote first.
func chunksLength(dec *gob.Decoder) (int, error) {
	var n int
	if err := dec.Decode(&n); err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("negative length %d", n)
	}
	return n, nil
}

// nextRecordChunk reads the next record chunk into *buf and returns a
// reader positioned at its first element and its count, between 1 and
// min(left, gobChunk, the chunk's bytes): a corrupt count never sizes an
// allocation beyond one chunk's elements.
func nextRecordChunk(dec *gob.Decoder, buf *[]byte, strs *interner, left int) (recReader, int, error) {
	*buf = (*buf)[:0]
	if err := dec.Decode(buf); err != nil {
		return recReader{}, 0, err
	}
	r := recReader{b: *buf, strs: strs}
	m := r.u64()
	if r.err != nil || m == 0 || m > uint64(left) || m > gobChunk || m > uint64(len(r.b)) {
		return recReader{}, 0, fmt.Errorf("%w: chunk of %d elements with %d left to read", errBadRecord, m, left)
	}
	return r, int(m), nil
}

// getRecords decodes len(c) elements from r, which must hold exactly
// those.
func getRecords[T any](r *recReader, codec *recCodec[T], c []T) error {
	for i := range c {
		codec.get(r, &c[i])
	}
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the chunk's %d elements", errBadRecord, len(r.b), len(c))
	}
	return nil
}

// decodeRecords is decodeChunks for a type with a record codec: each
// chunk decoded in place at the end of the result.
//
// The header's count sizes the result only up to recordBlock elements (a
// corrupt count must not size an allocation). Beyond that the chunks are
// decoded into blocks of at most recordBlock elements, each allocated as
// the chunks reach it, and copied once into a result of the count the
// chunks delivered. Growing one slice instead (1.25× a step) copied 8 M
// readings four times, hundreds of megabytes a move: 15.1 s to read one
// carrier's pass of a 10 M-row month, 4.1 s through blocks.
//
// The chunks are decoded on runtime.GOMAXPROCS(0) workers
// (decodeRecordsOn).
func decodeRecords[T any](dec *gob.Decoder, codec *recCodec[T]) ([]T, error) {
	return decodeRecordsOn(dec, codec, runtime.GOMAXPROCS(0))
}

// decodeRecordsOn is decodeRecords with the chunks' elements decoded on
// up to workers goroutines: the calling goroutine reads the gob messages
// in order, checks each chunk's count and gives it its place in the
// result (all that needs the chunks before it), and a worker decodes its
// elements there. On two idle cores a million coverage states
// (BenchmarkStatesDecodeWorkers) decode in about 60 ms instead of 110;
// the country's coverage stage, read back by the coverage, export and
// report commands, holds a million. With the other core busy (another
// command, the collector) it gains little. The result is the
// one a single goroutine decodes, element for element, and so is the
// error: that of the first chunk, in their order, that does not read or
// decode. A chunk after a failed one is neither read nor decoded, and
// every worker has ended when this returns.
func decodeRecordsOn[T any](dec *gob.Decoder, codec *recCodec[T], workers int) ([]T, error) {
	n, err := chunksLength(dec)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, min(n, recordBlock))
	var full [][]T // the blocks filled before out, when n is beyond one
	d := newChunkDecoders(codec, workers)
	read := 0
	for i := 0; read < n && !d.failed(); i++ {
		buf := d.buffer()
		r, m, err := nextRecordChunk(dec, &buf, nil, n-read)
		if err != nil {
			d.fail(i, err)
			break
		}
		if len(out)+m > cap(out) {
			if len(out) > 0 {
				full = append(full, out)
			}
			out = make([]T, 0, max(m, min(n-read, recordBlock)))
		}
		k := len(out)
		out = out[:k+m]
		d.decode(recordChunk[T]{i, r, buf, out[k:]})
		read += m
	}
	if err := d.wait(); err != nil {
		return nil, err
	}
	if full == nil {
		return out, nil
	}
	all := make([]T, 0, n)
	for _, b := range append(full, out) {
		// A piece at a time: a move of a whole block would hold off the
		// collector's preemption for its length.
		for lo := 0; lo < len(b); lo += gobChunk {
			all = append(all, b[lo:min(lo+gobChunk, len(b))]...)
		}
	}
	return all, nil
}

// recordChunk is a chunk read and counted, to decode into dst: the i-th
// of its stream, r positioned at its first element, buf the bytes r
// reads.
type recordChunk[T any] struct {
	i   int
	r   recReader
	buf []byte
	dst []T
}

// chunkDecoders decode record chunks on up to workers goroutines, each
// started as a chunk is given while fewer run (a stream of one chunk
// starts one), or on the caller's goroutine when workers is one. Each
// worker shares the strings of the elements it decodes through an
// interner of its own: a repeated string (a carrier, a serving site) is
// held once per worker that met it, up to one copy per worker.
//
// A chunk's bytes are one of a few buffers (two per worker), reused once
// its elements are decoded: the chunks read ahead of the workers hold a
// few chunks' bytes whatever the stream's length.
type chunkDecoders[T any] struct {
	codec   *recCodec[T]
	workers int
	started int
	strs    interner            // the caller's, when workers is one
	jobs    chan recordChunk[T] // the chunks given, to the workers
	free    chan []byte         // the buffers not holding a chunk to decode
	wg      sync.WaitGroup

	mu       sync.Mutex
	firstBad int   // the first failed chunk's index, -1 when none has
	err      error // its error
	bad      atomic.Bool
}

func newChunkDecoders[T any](codec *recCodec[T], workers int) *chunkDecoders[T] {
	workers = max(workers, 1)
	buffers := 1
	if workers > 1 {
		buffers = 2 * workers
	}
	d := &chunkDecoders[T]{codec: codec, workers: workers, firstBad: -1,
		jobs: make(chan recordChunk[T], workers), free: make(chan []byte, buffers)}
	for range buffers {
		d.free <- nil
	}
	return d
}

// buffer returns a buffer for the next chunk's bytes, waiting for one
// while every buffer holds a chunk not yet decoded.
func (d *chunkDecoders[T]) buffer() []byte { return <-d.free }

// decode decodes c's elements into c.dst, on a worker or here.
func (d *chunkDecoders[T]) decode(c recordChunk[T]) {
	if d.workers == 1 {
		d.run(c, &d.strs)
		d.free <- c.buf
		return
	}
	if d.started < d.workers {
		d.started++
		d.wg.Go(func() {
			var strs interner
			for c := range d.jobs {
				d.run(c, &strs)
				d.free <- c.buf
			}
		})
	}
	d.jobs <- c
}

// run decodes c unless a chunk before it has failed (its error is the
// one reported: c's would not be).
//
// A panic decoding c is c's failure, raised again by wait on the
// caller's goroutine (where the command turns it into an internal
// error, as when the chunks were decoded there).
func (d *chunkDecoders[T]) run(c recordChunk[T], strs *interner) {
	if d.failedBefore(c.i) {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			d.fail(c.i, chunkPanic{v, debug.Stack()})
		}
	}()
	c.r.strs = strs
	if err := getRecords(&c.r, d.codec, c.dst); err != nil {
		d.fail(c.i, err)
	}
}

// chunkPanic is a panic decoding a chunk, with the stack where it was
// raised.
type chunkPanic struct {
	value any
	stack []byte
}

func (p chunkPanic) Error() string {
	return fmt.Sprintf("%v (decoding a record chunk)\n%s", p.value, p.stack)
}

// fail records chunk i's error, kept when no chunk before i has failed.
func (d *chunkDecoders[T]) fail(i int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.firstBad < 0 || i < d.firstBad {
		d.firstBad, d.err = i, err
	}
	d.bad.Store(true)
}

func (d *chunkDecoders[T]) failedBefore(i int) bool {
	if !d.bad.Load() {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.firstBad >= 0 && d.firstBad < i
}

// failed says whether a chunk has failed: the chunks after it need not
// be read, and a chunk not yet read comes after it.
func (d *chunkDecoders[T]) failed() bool { return d.bad.Load() }

// wait ends the workers once they have decoded every chunk given them,
// and returns the first failed chunk's error (or panics with its panic).
func (d *chunkDecoders[T]) wait() error {
	close(d.jobs)
	d.wg.Wait()
	if p, ok := d.err.(chunkPanic); ok {
		panic(p.Error())
	}
	return d.err
}

// recordBlock is the most elements decodeRecords allocates at once on a
// header's word.
var recordBlock = 1 << 22 // a variable for the tests

// decodeChunks reads what encodeChunks wrote. intern, when not nil, is
// applied to each element as its chunk is read, to share the element's
// repeated strings (carriers) through one copy: gob allocates every
// string it decodes. Types with a record codec share them as they are
// read and take nil.
func decodeChunks[T any](dec *gob.Decoder, intern func(*interner, *T)) ([]T, error) {
	if codec := codecOf[T](); codec != nil {
		return decodeRecords(dec, codec)
	}
	var out []T
	var strs interner
	_, err := eachChunk(dec, func(n int) {
		// The whole length at once up to 4 Mi elements (beyond that the
		// slice grows as the chunks come: a header is not trusted with
		// more).
		out = make([]T, 0, min(n, 1<<22))
	}, func(c []T) {
		if intern != nil {
			for i := range c {
				intern(&strs, &c[i])
			}
		}
		out = append(out, c...)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// skipChunks reads past what encodeChunks wrote, one chunk at a time,
// and returns how many elements it held.
func skipChunks[T any](dec *gob.Decoder) (int, error) {
	return eachChunk[T](dec, func(int) {}, nil)
}

// interner shares the strings of decoded elements.
type interner struct {
	m    map[string]string
	last string // the last string looked up by ofBytes (values repeat in runs)
}

func (s *interner) of(v string) string {
	if v == "" {
		return ""
	}
	if w, ok := s.m[v]; ok {
		return w
	}
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[v] = v
	return v
}

// ofBytes is of(string(b)), without a copy of b when its string is held.
func (s *interner) ofBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if string(b) == s.last {
		return s.last
	}
	w, ok := s.m[string(b)]
	if !ok {
		w = s.of(string(b))
	}
	s.last = w
	return w
}

func (s *interner) carrier(c engine.Carrier) engine.Carrier { return engine.Carrier(s.of(string(c))) }

func internGap(s *interner, x *deadzone.GapHex) {
	x.Carrier = s.carrier(x.Carrier)
	for i, o := range x.Others {
		x.Others[i] = s.carrier(o)
	}
}

// saveStage saves v as a stage output and returns its directory.
func saveStage(s Store, ref dataset.StageRef, key string, inputs []string, v any) (string, error) {
	rec, err := s.SaveStage(ref, key, inputs, []dataset.StageWrite{{Name: "output.gob", Write: func(w io.Writer) error {
		if err := savedTypesMet(); err != nil {
			return err
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		enc := gob.NewEncoder(bw)
		var err error
		if c, ok := v.(chunked); ok {
			err = c.encodeTo(enc)
		} else {
			err = enc.Encode(v)
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	}}})
	if err != nil {
		if s.ReportUnsaved(ref, err) {
			return "", nil // computed, not saved: a reader's store (dataset.Store.OnUnsaved)
		}
		return "", err
	}
	return rec.Dir, nil
}

// measuredState is a Measured in its saved form.
type measuredState struct {
	Rows []aggregate.Row
	// NotChosen follows the speeds as record chunks (never in the header).
	NotChosen []aggregate.Row
	Skipped   aggregate.Skipped
	RowsRead  int64
	Tally     challenge.TallyState
	// Readings is never set: the readings follow the header as record
	// chunks (readings, in readingState's fields); the field keeps the
	// saved header's gob type as it was.
	Readings []readingState
	Nearby   []deadzone.Nearby
	Near     []nearState
	RowsNear int64
	Anchors  string
	Speeds   []speedState
	// readings are the radio map's readings, saved after Rows without a
	// copy into readingState (a national month holds millions).
	readings []evReading
	// skipRows reads past the saved Rows without keeping them (not
	// saved).
	skipRows bool
	// speedsOnly reads past the saved Rows and readings too: what the
	// speed target reads (not saved).
	speedsOnly bool
}

// speedState is a count of one speed in one area (or, Area "", res-7
// hex), month, carrier and technology.
type speedState struct {
	Cell    hexgrid.Cell
	Area    string
	Period  string
	Carrier engine.Carrier
	Tech    engine.Tech
	DLMbps  float64
	Count   int64
}

// readingState is the saved form of an evReading: the fields its record
// codec writes (putReading), and their names in the saved header's type.
type readingState struct {
	Cell, Hex         hexgrid.Cell
	Key               deadzone.Key
	Upper, Indoor     bool
	Scanner, Fallback bool
	N                 int
	Sum               float64
}

type nearState struct {
	Village int
	Key     deadzone.Key
	N       int // outdoor readings
	Sum     float64
	NIn     int // indoor readings
	SumIn   float64
}

func (st *measuredState) encodeTo(enc *gob.Encoder) error {
	h := *st
	h.Rows, h.NotChosen, h.Speeds = nil, nil, nil
	if err := enc.Encode(&h); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.Rows); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.readings); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.Speeds); err != nil {
		return err
	}
	return encodeChunks(enc, st.NotChosen)
}

func (st *measuredState) decodeFrom(dec *gob.Decoder) error {
	if err := dec.Decode(st); err != nil {
		return err
	}
	var err error
	if st.skipRows || st.speedsOnly {
		_, err = skipChunks[aggregate.Row](dec)
	} else {
		st.Rows, err = decodeChunks[aggregate.Row](dec, nil)
	}
	if err != nil {
		return err
	}
	if st.speedsOnly {
		_, err = skipChunks[evReading](dec)
	} else {
		st.readings, err = decodeChunks[evReading](dec, nil)
	}
	if err != nil {
		return err
	}
	if st.Speeds, err = decodeChunks[speedState](dec, nil); err != nil {
		return err
	}
	if st.skipRows || st.speedsOnly {
		_, err = skipChunks[aggregate.Row](dec)
	} else {
		st.NotChosen, err = decodeChunks[aggregate.Row](dec, nil)
	}
	return err
}

// coverageState is a CoverageResult in its saved form; lean reads past
// the statistics and predictions without keeping them.
type coverageState struct {
	r    *CoverageResult
	lean bool
	// decide, when set, keeps of the statistics only the rows the verdicts
	// of these hexes read (readsMeasuredRow) and reads past the
	// predictions (only lomsong coverage's calibration reads them): the
	// dead-zone stage's read.
	decide map[hexgrid.Cell]bool
}

func (st coverageState) encodeTo(enc *gob.Encoder) error {
	h := *st.r
	h.States, h.Measured, h.NotChosen, h.Predicted, h.Sites = nil, nil, nil, nil, nil
	h.Config.SigmaDB = nil
	if err := enc.Encode(&h); err != nil {
		return err
	}
	if err := encodeMap(enc, st.r.Config.SigmaDB, compareCarrierTech); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.r.States); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.r.Measured); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.r.Predicted); err != nil {
		return err
	}
	return encodeChunks(enc, st.r.Sites)
}

func (st coverageState) decodeFrom(dec *gob.Decoder) error {
	if err := dec.Decode(st.r); err != nil {
		return err
	}
	var err error
	if st.r.Config.SigmaDB, err = decodeMap[coverage.CarrierTech, float64](dec); err != nil {
		return err
	}
	if st.r.States, err = decodeChunks[coverage.State](dec, nil); err != nil {
		return err
	}
	switch {
	case st.lean:
		st.r.lean = true
		if st.r.measuredKeys, err = skipChunks[aggregate.Row](dec); err != nil {
			return err
		}
		_, err = skipChunks[coverage.PredictedCell](dec)
	case st.decide != nil:
		need := verdictRows(st.r.States, st.decide)
		if st.r.measuredKeys, err = eachChunk(dec, func(int) {}, func(c []aggregate.Row) {
			for i := range c {
				if need[c[i].Key] {
					st.r.Measured = append(st.r.Measured, c[i])
				}
			}
		}); err != nil {
			return err
		}
		st.r.partial = true
		_, err = skipChunks[coverage.PredictedCell](dec)
	default:
		if st.r.Measured, err = decodeChunks[aggregate.Row](dec, nil); err != nil {
			return err
		}
		st.r.Predicted, err = decodeChunks[coverage.PredictedCell](dec, nil)
	}
	if err != nil {
		return err
	}
	st.r.Sites, err = decodeChunks[engine.Site](dec, nil)
	return err
}

func stateOf(m *Measured) *measuredState {
	st := &measuredState{Rows: m.Rows, NotChosen: m.NotChosen, Skipped: m.Skipped, RowsRead: m.RowsRead, Tally: m.Tally.State(),
		Nearby: m.ev.nearby, RowsNear: m.ev.rowsNear, Anchors: m.anchors}
	st.readings = m.ev.readings
	for k, vals := range m.speeds {
		for v, n := range vals {
			st.Speeds = append(st.Speeds, speedState{k.cell, k.area, k.period, k.carrier, k.tech, v, n})
		}
	}
	slices.SortFunc(st.Speeds, func(a, b speedState) int {
		if a.Cell != b.Cell {
			return cmpCell(a.Cell, b.Cell)
		}
		if c := strings.Compare(a.Area, b.Area); c != 0 {
			return c
		}
		if c := strings.Compare(a.Period, b.Period); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Carrier), string(b.Carrier)); c != 0 {
			return c
		}
		switch {
		case a.Tech != b.Tech:
			return int(a.Tech) - int(b.Tech)
		case a.DLMbps < b.DLMbps:
			return -1
		case a.DLMbps > b.DLMbps:
			return 1
		}
		return 0
	})
	for i, near := range m.ev.near {
		keys := slices.SortedFunc(mapKeysOf(near), func(a, b deadzone.Key) int {
			if c := strings.Compare(string(a.Carrier), string(b.Carrier)); c != 0 {
				return c
			}
			return int(a.Tech) - int(b.Tech)
		})
		for _, k := range keys {
			e := near[k]
			st.Near = append(st.Near, nearState{i, k, e.out.n, e.out.sum, e.in.n, e.in.sum})
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
	ev := &evidence{readings: st.readings, nearby: st.Nearby,
		near: make([]map[deadzone.Key]*nearSum, len(st.Nearby)), rowsRead: st.RowsRead, rowsNear: st.RowsNear}
	if ev.nearby == nil {
		ev.nearby = []deadzone.Nearby{}
	}
	for _, n := range st.Near {
		if n.Village < 0 || n.Village >= len(ev.near) {
			return nil, fmt.Errorf("pipeline: saved measurements name village %d of %d", n.Village, len(ev.near))
		}
		if ev.near[n.Village] == nil {
			ev.near[n.Village] = map[deadzone.Key]*nearSum{}
		}
		ev.near[n.Village][n.Key] = &nearSum{out: evSum{n: n.N, sum: n.Sum}, in: evSum{n: n.NIn, sum: n.SumIn}}
	}
	speeds := map[speedCell]map[float64]int64{}
	addSpeedStates(speeds, st.Speeds)
	return &Measured{Rows: st.Rows, NotChosen: st.NotChosen, Skipped: st.Skipped, RowsRead: st.RowsRead, Tally: tl, ev: ev, anchors: st.Anchors, speeds: speeds}, nil
}

// addSpeedStates adds saved speed counts to speeds.
func addSpeedStates(speeds map[speedCell]map[float64]int64, xs []speedState) {
	for _, x := range xs {
		k := speedCell{x.Cell, x.Area, x.Period, x.Carrier, x.Tech}
		if speeds[k] == nil {
			speeds[k] = map[float64]int64{}
		}
		speeds[k][x.DLMbps] += x.Count
	}
}

// planState is a PlanResult in its saved form.
type planState struct{ r *PlanResult }

func (st planState) encodeTo(enc *gob.Encoder) error {
	h := *st.r
	h.Footprints, h.Admin = nil, nil
	if err := enc.Encode(&h); err != nil {
		return err
	}
	if err := encodeMap(enc, st.r.Footprints, strings.Compare); err != nil {
		return err
	}
	return encodeMap(enc, st.r.Admin, strings.Compare)
}

func (st planState) decodeFrom(dec *gob.Decoder) error {
	if err := dec.Decode(st.r); err != nil {
		return err
	}
	var err error
	if st.r.Footprints, err = decodeMap[string, []hexgrid.Cell](dec); err != nil {
		return err
	}
	st.r.Admin, err = decodeMap[string, [2]string](dec)
	return err
}

// deadZonesState is a DeadZoneResult in its saved form: without its
// coverage (saved by the coverage stage) and challenges (adjudicated for
// each call's claims from the tally saved with it).
type deadZonesState struct {
	Result DeadZoneResult
	Tally  challenge.TallyState
	// noGaps reads past the saved carrier gaps' hexes without keeping
	// them (not saved): savedDeadZones' read.
	noGaps bool
}

func stateOfDeadZones(r *DeadZoneResult, t *challenge.Tally) *deadZonesState {
	c := *r
	c.Coverage = nil
	c.Challenges = challenge.Report{} // adjudicated per call
	return &deadZonesState{Result: c, Tally: t.State()}
}

func (st *deadZonesState) encodeTo(enc *gob.Encoder) error {
	h := *st
	h.Result.Population, h.Result.Villages.Villages, h.Result.Gaps.Hexes = nil, nil, nil
	h.Result.Admin, h.Result.PDead = nil, nil
	if err := enc.Encode(&h); err != nil {
		return err
	}
	if err := encodeMap(enc, st.Result.Admin, cmpCell); err != nil {
		return err
	}
	if err := encodeMap(enc, st.Result.PDead, cmpCell); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.Result.Population); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.Result.Villages.Villages); err != nil {
		return err
	}
	return encodeChunks(enc, st.Result.Gaps.Hexes)
}

func (st *deadZonesState) decodeFrom(dec *gob.Decoder) error {
	if err := dec.Decode(st); err != nil {
		return err
	}
	var err error
	if st.Result.Admin, err = decodeMap[hexgrid.Cell, deadzone.Admin](dec); err != nil {
		return err
	}
	if st.Result.PDead, err = decodeMap[hexgrid.Cell, float64](dec); err != nil {
		return err
	}
	if st.Result.Population, err = decodeChunks[population.Cell](dec, nil); err != nil {
		return err
	}
	if st.Result.Villages.Villages, err = decodeChunks[deadzone.VillageStatus](dec, nil); err != nil {
		return err
	}
	if st.noGaps {
		_, err = skipChunks[deadzone.GapHex](dec)
		return err
	}
	st.Result.Gaps.Hexes, err = decodeChunks(dec, internGap)
	return err
}

func (st *deadZonesState) result(cov *CoverageResult) *DeadZoneResult {
	r := st.Result
	r.Coverage = cov
	return &r
}

// evPredictionsState is one carrier's calibrated predictions at its
// evidence cells (buildRadioMap) in their saved form: per cell, Count
// predictions in Tech and SignalDBm.
type evPredictionsState struct {
	Cells     []cellHexState
	Count     []int32
	Tech      []engine.Tech
	SignalDBm []float64
}

type cellHexState struct{ Cell, Hex hexgrid.Cell }

// encodeTo writes the columns in chunks (encodeChunks): as one gob
// message, a national carrier's columns (millions of cells and
// predictions) were read back by growing one buffer of hundreds of MB.
func (st *evPredictionsState) encodeTo(enc *gob.Encoder) error {
	if err := encodeChunks(enc, st.Cells); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.Count); err != nil {
		return err
	}
	if err := encodeChunks(enc, st.Tech); err != nil {
		return err
	}
	return encodeChunks(enc, st.SignalDBm)
}

func (st *evPredictionsState) decodeFrom(dec *gob.Decoder) error {
	var err error
	if st.Cells, err = decodeChunks[cellHexState](dec, nil); err != nil {
		return err
	}
	if st.Count, err = decodeChunks[int32](dec, nil); err != nil {
		return err
	}
	if st.Tech, err = decodeChunks[engine.Tech](dec, nil); err != nil {
		return err
	}
	st.SignalDBm, err = decodeChunks[float64](dec, nil)
	return err
}

// evPredictions is the evPredictor of a period's run: a carrier's
// predictions at its evidence cells are read back when saved for the
// same readings (its measure key), its sites and the prediction options,
// and computed (by next) and saved otherwise. Saved predictions for other
// cells than asked are recomputed.
func (r *periodRun) evPredictions(next evPredictor, sites []engine.Site, copt CoverageOptions, res int) evPredictor {
	pcfg := struct {
		Predict      predict.Config
		EnvCuts      predict.EnvCutoffs
		Population   []population.Cell
		Places       []population.Place
		Calibrations []coverage.Calibration
		MinPairs     int
		SiteOffsets  []predict.SiteOffset
		Res          int
	}{copt.Predict, copt.EnvCuts, copt.Population, copt.Places, copt.Calibrations, copt.MinPairs, copt.SiteOffsets, res}
	conf := hashConfig(pcfg)
	return func(c engine.Carrier, cells []cellHex) (cellPreds, error) {
		mkey, ok := r.keyOf[string(c)]
		if !ok {
			return next(c, cells)
		}
		t0 := time.Now()
		key := stageKey(StageEvPredictions, evPredictionsFormat, mkey, hashConfig(carrierSites(sites, c)), conf)
		ref := dataset.StageRef{Period: r.period, Stage: StageEvPredictions, Carrier: string(c)}
		var st evPredictionsState
		why, err := loadStage(r.s, ref, key, &st)
		if err != nil {
			return cellPreds{}, err
		}
		if why == "" {
			if out, ok := st.predictions(cells); ok {
				el := time.Since(t0)
				r.sum.Stages = append(r.sum.Stages, StageSummary{Stage: StageEvPredictions, Carrier: string(c), Reused: true, Items: int64(len(cells)), Elapsed: el})
				return out, nil
			}
			why = "saved for other cells"
		}
		out, err := next(c, cells)
		if err != nil {
			return cellPreds{}, err
		}
		if out.cells() != len(cells) {
			return cellPreds{}, fmt.Errorf("pipeline: predictions of %s at %d cells, want %d", c, out.cells(), len(cells))
		}
		st = evPredictionsState{Cells: make([]cellHexState, len(cells)), Count: make([]int32, len(cells)), Tech: out.tech, SignalDBm: out.signalDBm}
		for i, ch := range cells {
			st.Cells[i], st.Count[i] = cellHexState{ch.cell, ch.hex}, int32(out.start[i+1]-out.start[i])
		}
		dir, err := saveStage(r.s, ref, key, []string{"measure " + string(c) + " " + mkey}, &st)
		if err != nil {
			return cellPreds{}, err
		}
		r.sum.Stages = append(r.sum.Stages, StageSummary{Stage: StageEvPredictions, Carrier: string(c), Why: why, Items: int64(len(cells)),
			Elapsed: time.Since(t0), Dir: dir})
		return out, nil
	}
}

// savedBestServer returns the coverage's best-server search through
// StagePredictions: the search is a function of its sites, points and
// options alone, and Coverage's sites are the register's parts (sitesIn)
// with the off-air rows set down (offAir), so those, the points and the
// options key it. A search saved under the key is read back; otherwise
// it is computed and saved — unless a site was rejected (its error, which
// Coverage lists, is no value gob can save: such a search is computed
// each time). It is reached only by a run that may compute (coverage
// refuses a read-only one before). Each saved or read search's summary is
// added to *done.
func (r *periodRun) savedBestServer(sitesIn []string, offAir []predict.SiteRef, done *[]StageSummary) func(context.Context, []engine.Site, predict.Points, predict.Config) (*predict.Result, error) {
	return func(ctx context.Context, sites []engine.Site, pts predict.Points, cfg predict.Config) (*predict.Result, error) {
		t0 := time.Now()
		key := stageKey(StagePredictions, predictionsFormat, append([]string{hashConfig(cfg), hashConfig(offAir), hashConfig(pts)}, sitesIn...)...)
		// The search's key without its points: a saved search under it at
		// some of these points is extended by the others.
		base := "search " + stageKey(StagePredictions, predictionsFormat, append([]string{hashConfig(cfg), hashConfig(offAir), strconv.FormatBool(pts.EnvFrac != nil)}, sitesIn...)...)
		ref := dataset.StageRef{Period: r.period, Stage: StagePredictions}
		var saved predict.Result
		why, err := loadStage(r.s, ref, key, predictionsState{r: &saved})
		if err != nil {
			return nil, err
		}
		if why == "" {
			*done = append(*done, StageSummary{Stage: StagePredictions, Reused: true, Items: int64(len(pts.Lon)), Elapsed: time.Since(t0)})
			return &saved, nil
		}
		res, extended, err := r.extendSearch(ctx, ref, key, base, sites, pts, cfg)
		if err != nil {
			return nil, err
		}
		if res == nil {
			if res, err = predict.BestServerContext(ctx, sites, pts, cfg); err != nil || len(res.Rejected) > 0 {
				return res, err
			}
		} else {
			why += fmt.Sprintf(" (the saved search extended by %s)", plural.Count(extended, "new point", "new points"))
		}
		dir, err := saveStage(r.s, ref, key, append([]string{base}, sitesIn...), predictionsState{r: res, pts: &pts})
		if err != nil {
			return nil, err
		}
		*done = append(*done, StageSummary{Stage: StagePredictions, Why: why, Items: int64(len(pts.Lon)), Elapsed: time.Since(t0), Dir: dir})
		return res, nil
	}
}

// extendSearch returns the search at pts made of the most recent saved
// search under base (the same sites, register parts and options) whose
// points pts all hold, searched again at pts' other points alone, and how
// many those are; nil when no such search is saved (pts lacks one of its
// points: a dump taken out) or a site is rejected. A point's rows depend on
// its own place and class alone (the pruned search is exact), so the rows
// are those of a search at pts; Evaluations counts the pairs both searches
// computed (a search at pts at once seeds its pruning from other
// neighbours and may compute others).
func (r *periodRun) extendSearch(ctx context.Context, ref dataset.StageRef, key, base string, sites []engine.Site, pts predict.Points, cfg predict.Config) (*predict.Result, int, error) {
	for _, rec := range r.s.SavedStageOthers(ref, key) {
		if !slices.Contains(rec.Inputs, base) {
			continue
		}
		var old predict.Result
		var oldPts predict.Points
		if why, err := loadStage(r.s, ref, rec.Key, predictionsState{r: &old, pts: &oldPts}); err != nil || why != "" {
			return nil, 0, err
		}
		oldOf, fresh, ok := pointsHeld(oldPts, pts)
		if !ok {
			return nil, 0, nil
		}
		sub := predict.Points{Lon: make([]float64, len(fresh)), Lat: make([]float64, len(fresh)), Env: make([]predict.Env, len(fresh))}
		if pts.EnvFrac != nil {
			sub.EnvFrac = make([]float64, len(fresh))
		}
		for k, i := range fresh {
			sub.Lon[k], sub.Lat[k], sub.Env[k] = pts.Lon[i], pts.Lat[i], pts.Env[i]
			if pts.EnvFrac != nil {
				sub.EnvFrac[k] = pts.EnvFrac[i]
			}
		}
		add, err := predict.BestServerContext(ctx, sites, sub, cfg)
		if err != nil || len(add.Rejected) > 0 {
			return nil, 0, err
		}
		return mergeSearches(&old, add, oldOf, len(oldPts.Lon), len(fresh)), len(fresh), nil
	}
	return nil, 0, nil
}

// pointsHeld maps each point of pts to the point of held at the same place
// and class (oldOf, -1 for none) and lists pts' other points (fresh); ok
// is false unless every point of held is one of pts'.
func pointsHeld(held, pts predict.Points) (oldOf []int32, fresh []int, ok bool) {
	type at struct {
		lon, lat, frac uint64
		env            predict.Env
	}
	frac := func(p predict.Points, i int) uint64 {
		if p.EnvFrac == nil {
			return 0
		}
		return math.Float64bits(p.EnvFrac[i])
	}
	of := func(p predict.Points, i int) at {
		return at{math.Float64bits(p.Lon[i]), math.Float64bits(p.Lat[i]), frac(p, i), p.Env[i]}
	}
	idx := make(map[at]int32, len(held.Lon))
	for i := range held.Lon {
		idx[of(held, i)] = int32(i)
	}
	oldOf = make([]int32, len(pts.Lon))
	found := 0
	for i := range pts.Lon {
		j, hit := idx[of(pts, i)]
		if hit {
			delete(idx, of(pts, i)) // a point given twice is searched again
			found++
		} else {
			j = -1
			fresh = append(fresh, i)
		}
		oldOf[i] = j
	}
	return oldOf, fresh, found == len(held.Lon)
}

// mergeSearches returns the search at the points of oldOf whose point i
// has old's rows of its point oldOf[i] or, where that is -1, add's rows of
// its next point (add searched those points, in order). old searched
// oldPoints points, add addPoints.
func mergeSearches(old, add *predict.Result, oldOf []int32, oldPoints, addPoints int) *predict.Result {
	starts := func(r *predict.Result, points int) []int {
		s := make([]int, points+1)
		for _, p := range r.Point {
			s[p+1]++
		}
		for i := range points {
			s[i+1] += s[i]
		}
		return s
	}
	ost, ast := starts(old, oldPoints), starts(add, addPoints)
	out := &predict.Result{Down: add.Down, Planned: add.Planned, Rejected: add.Rejected, HeightClamped: add.HeightClamped, BandClamped: add.BandClamped,
		Evaluations: old.Evaluations + add.Evaluations, OutOfRange: old.OutOfRange + add.OutOfRange}
	rows := len(old.Point) + len(add.Point)
	out.Point, out.Carrier, out.Tech, out.Site = make([]int32, 0, rows), make([]engine.Carrier, 0, rows), make([]engine.Tech, 0, rows), make([]int32, 0, rows)
	out.SignalDBm, out.PathLossDB, out.SigmaDB, out.DistanceM = make([]float64, 0, rows), make([]float64, 0, rows), make([]float64, 0, rows), make([]float64, 0, rows)
	out.Model = make([]predict.Model, 0, rows)
	k := 0
	for i := range oldOf {
		src, lo, hi := old, 0, 0
		if j := oldOf[i]; j >= 0 {
			lo, hi = ost[j], ost[j+1]
		} else {
			src, lo, hi = add, ast[k], ast[k+1]
			k++
		}
		for q := lo; q < hi; q++ {
			out.Point = append(out.Point, int32(i))
		}
		out.Carrier = append(out.Carrier, src.Carrier[lo:hi]...)
		out.Tech = append(out.Tech, src.Tech[lo:hi]...)
		out.Site = append(out.Site, src.Site[lo:hi]...)
		out.SignalDBm = append(out.SignalDBm, src.SignalDBm[lo:hi]...)
		out.PathLossDB = append(out.PathLossDB, src.PathLossDB[lo:hi]...)
		out.SigmaDB = append(out.SigmaDB, src.SigmaDB[lo:hi]...)
		out.DistanceM = append(out.DistanceM, src.DistanceM[lo:hi]...)
		out.Model = append(out.Model, src.Model[lo:hi]...)
	}
	return out
}

// predictionsState is the best-server search (StagePredictions) in its
// saved form: the result's summary as one gob message, then each of its
// columns in chunks (encodeChunks). As one message, gob built the whole
// encoding in memory while the result was held: 413 MB for the search at
// 1 M rows of the national month, as large as the result itself, at the
// top of the coverage stage's heap; and a read-back decoded it from one
// buffer as large.
type predictionsState struct {
	r *predict.Result
	// pts, when set, are the points searched, saved after the result (a
	// search at more points extends it: extendSearch); a reader that
	// leaves it nil skips them.
	pts *predict.Points
}

func (st predictionsState) encodeTo(enc *gob.Encoder) error {
	h := *st.r
	h.Point, h.Carrier, h.Tech, h.Site, h.Model = nil, nil, nil, nil, nil
	h.SignalDBm, h.PathLossDB, h.SigmaDB, h.DistanceM = nil, nil, nil, nil
	if err := enc.Encode(&h); err != nil {
		return err
	}
	r := st.r
	if err := encodeChunks(enc, r.Point); err != nil {
		return err
	}
	if err := encodeChunks(enc, r.Carrier); err != nil {
		return err
	}
	if err := encodeChunks(enc, r.Tech); err != nil {
		return err
	}
	if err := encodeChunks(enc, r.Site); err != nil {
		return err
	}
	for _, col := range [][]float64{r.SignalDBm, r.PathLossDB, r.SigmaDB, r.DistanceM} {
		if err := encodeChunks(enc, col); err != nil {
			return err
		}
	}
	if err := encodeChunks(enc, r.Model); err != nil {
		return err
	}
	var p predict.Points
	if st.pts != nil {
		p = *st.pts
	}
	for _, col := range [][]float64{p.Lon, p.Lat, p.EnvFrac} {
		if err := encodeChunks(enc, col); err != nil {
			return err
		}
	}
	return encodeChunks(enc, p.Env)
}

func (st predictionsState) decodeFrom(dec *gob.Decoder) error {
	r := st.r
	if err := dec.Decode(r); err != nil {
		return err
	}
	var err error
	if r.Point, err = decodeChunks[int32](dec, nil); err != nil {
		return err
	}
	if r.Carrier, err = decodeChunks(dec, func(s *interner, c *engine.Carrier) { *c = s.carrier(*c) }); err != nil {
		return err
	}
	if r.Tech, err = decodeChunks[engine.Tech](dec, nil); err != nil {
		return err
	}
	if r.Site, err = decodeChunks[int32](dec, nil); err != nil {
		return err
	}
	for _, col := range []*[]float64{&r.SignalDBm, &r.PathLossDB, &r.SigmaDB, &r.DistanceM} {
		if *col, err = decodeChunks[float64](dec, nil); err != nil {
			return err
		}
	}
	if r.Model, err = decodeChunks[predict.Model](dec, nil); err != nil {
		return err
	}
	n := len(r.Point)
	for _, m := range []int{len(r.Carrier), len(r.Tech), len(r.Site), len(r.SignalDBm), len(r.PathLossDB), len(r.SigmaDB), len(r.DistanceM), len(r.Model)} {
		if m != n {
			return fmt.Errorf("best-server columns of %d and %d rows", n, m)
		}
	}
	// The points, read to the end whether kept or not (the file's checks
	// are made as it is read).
	var p predict.Points
	for _, col := range []*[]float64{&p.Lon, &p.Lat, &p.EnvFrac} {
		if *col, err = decodeChunks[float64](dec, nil); err != nil {
			return err
		}
	}
	if p.Env, err = decodeChunks[predict.Env](dec, nil); err != nil {
		return err
	}
	if len(p.EnvFrac) == 0 {
		p.EnvFrac = nil
	}
	if len(p.Lat) != len(p.Lon) || len(p.Env) != len(p.Lon) || p.EnvFrac != nil && len(p.EnvFrac) != len(p.Lon) {
		return fmt.Errorf("best-server points' columns of %d, %d, %d and %d values", len(p.Lon), len(p.Lat), len(p.Env), len(p.EnvFrac))
	}
	if n > 0 && int(r.Point[n-1]) >= len(p.Lon) {
		return fmt.Errorf("best-server rows of point %d, of %d points", r.Point[n-1], len(p.Lon))
	}
	if st.pts != nil {
		*st.pts = p
	}
	return nil
}

// predictions returns the saved predictions if they are for cells (its
// columns, not a copy).
func (st *evPredictionsState) predictions(cells []cellHex) (cellPreds, bool) {
	if len(st.Cells) != len(cells) || len(st.Count) != len(cells) || len(st.Tech) != len(st.SignalDBm) {
		return cellPreds{}, false
	}
	out := cellPreds{start: make([]int, len(cells)+1), tech: st.Tech, signalDBm: st.SignalDBm}
	j := 0
	for i, ch := range cells {
		n := int(st.Count[i])
		if st.Cells[i] != (cellHexState{ch.cell, ch.hex}) || n < 0 || j+n > len(st.Tech) {
			return cellPreds{}, false
		}
		j += n
		out.start[i+1] = j
	}
	return out, j == len(st.Tech)
}
