package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/radiomap"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
)

// DeadZoneOptions control DeadZones.
type DeadZoneOptions struct {
	Coverage CoverageOptions
	// Provinces and Communes attribute hexes to units (Communes optional).
	Provinces, Communes *geodata.BoundarySet
	Villages            deadzone.VillageOptions
	Challenge           challenge.Config
	// Claims are carrier-submitted claimed (hex, carrier, tech); nil takes
	// every predicted (hex, carrier, tech) as claimed.
	Claims []challenge.Claim
	// Cut is the probability of being dead from which a village or hex is
	// without signal (deadzone.VerdictConfig.Cut). Default 0.5: the
	// likelier state. deadzone.CutFromMissCost derives it from the cost of
	// a missed dead place.
	Cut float64
	// Draws is the number of Monte Carlo draws per place (default 2000).
	Draws int
	// MeasurementNoiseDB is a reading's own noise (default
	// DefaultMeasurementNoiseDB); it sets RadioMap.NoiseDB when that is 0.
	MeasurementNoiseDB float64
	// RadioMap configures the residual field behind the verdicts.
	RadioMap RadioMapOptions
	// VillagesByHex decides villages from their hexes only (the hex's state,
	// and the best hex within Villages.RadiusM), instead of from a
	// verdict at each village's own point (villageVerdicts).
	VillagesByHex bool
	// Progress, when set, receives the stages' advance as Run reports it
	// (DeadZonesAndPlan over a month's saved stages: the report and the
	// scorecard of a province computed them for a minute without a
	// word). It decides nothing.
	Progress func(Progress)
}

// villagePredictions predicts the best server at each village's own
// point (not its hex's centre: near a site the signal changes by tens of
// dB across a hex), calibrated as the hexes are (predictAt).
func villagePredictions(ctx context.Context, villages []deadzone.Village, cov *CoverageResult, copt CoverageOptions, env *envField, res int) ([][]prediction, error) {
	lon, lat, hexes := make([]float64, len(villages)), make([]float64, len(villages)), make([]hexgrid.Cell, len(villages))
	for i, v := range villages {
		c, err := hexgrid.Index(v.Lon, v.Lat, res)
		if err != nil {
			return nil, fmt.Errorf("pipeline: village %s: %w", v.ID, err)
		}
		lon[i], lat[i], hexes[i] = v.Lon, v.Lat, c
	}
	return predictAt(ctx, lon, lat, hexes, cov.Sites, copt, env, res)
}

// villageVerdicts returns the village decision for deadzone.Villages
// (done is called once per village decided, from its goroutine), from
// the villages' predictions (villagePredictions); the radio map adds the posterior
// residual of every key there, keys measured near the village but not
// predicted enter from their readings, and deadzone.Decide gives the
// verdict (seeded by the village id). The evidence near the village is
// published with it.
//
// When vh is set, village i whose hex vh.cells[i] has rows in it (the
// hexes judged at their villages) also gets in vh.serve[i] each of those
// rows' P(signal ≥ threshold) at the village's point (0 for a key its
// posterior lacks), for villageHexes.served.
func villageVerdicts(ctx context.Context, villages []deadzone.Village, preds [][]prediction, m *radiomap.Map, co *clutterOffsets,
	ev *evidence, vcfg deadzone.VerdictConfig, rn readingNoise, vh *villageHexes, done func()) (func(deadzone.Village) (deadzone.Verdict, deadzone.Nearby, bool), error) {
	verdicts := make([]deadzone.Verdict, len(villages))
	err := parallelFor(ctx, len(villages), func(i int) error {
		v := villages[i]
		if err := co.apply(preds[i], v.Lon, v.Lat); err != nil {
			return fmt.Errorf("pipeline: village %s: %w", v.ID, err)
		}
		post, err := signalPosterior(m, v.Lon, v.Lat, preds[i], ev.near[i], rn)
		if err != nil {
			return fmt.Errorf("pipeline: village %s: %w", v.ID, err)
		}
		if verdicts[i], err = deadzone.Decide(post, vcfg, deadzone.Seed(v.ID)); err != nil {
			return fmt.Errorf("pipeline: village %s: %w", v.ID, err)
		}
		if vh != nil {
			vh.serveAt(i, post, vcfg.Thresholds)
		}
		done()
		return nil
	})
	if err != nil {
		return nil, err
	}
	index := villageIndex(villages)
	return func(v deadzone.Village) (deadzone.Verdict, deadzone.Nearby, bool) {
		i, ok := index(v)
		if !ok {
			return deadzone.Verdict{}, deadzone.Nearby{}, false
		}
		return verdicts[i], ev.nearby[i], true
	}, nil
}

// villageIndex finds a village among villages by id and position: ids
// are not required to be unique across rows.
func villageIndex(villages []deadzone.Village) func(deadzone.Village) (int, bool) {
	type vkey struct {
		id       string
		lon, lat float64
	}
	index := make(map[vkey]int, len(villages))
	for i, v := range villages {
		index[vkey{v.ID, v.Lon, v.Lat}] = i
	}
	return func(v deadzone.Village) (int, bool) {
		i, ok := index[vkey{v.ID, v.Lon, v.Lat}]
		return i, ok
	}
}

// villageEvidence gives the evidence near each village of villages (the
// measure pass's counts), for villages decided by their hexes.
func villageEvidence(villages []deadzone.Village, ev *evidence) func(deadzone.Village) (deadzone.Nearby, bool) {
	index := villageIndex(villages)
	return func(v deadzone.Village) (deadzone.Nearby, bool) {
		i, ok := index(v)
		if !ok || i >= len(ev.nearby) {
			return deadzone.Nearby{}, false
		}
		return ev.nearby[i], true
	}
}

// DeadZoneResult holds every dead-zone output.
type DeadZoneResult struct {
	Coverage   *CoverageResult
	Population []population.Cell
	Zones      []deadzone.Zone
	Gaps       deadzone.GapReport
	Villages   deadzone.VillageReport
	Challenges challenge.Report
	Admin      map[hexgrid.Cell]deadzone.Admin
	// PopulationFromVillages reports that households per hex came from the
	// villages table: no population was given, or the one given puts the
	// villages' households in their hexes (VillagePopulation, as the
	// commands give it, or a table made from the villages' points).
	PopulationFromVillages bool
	// RadioMap describes the residual field and the verdict's settings.
	RadioMap RadioMapReport
	// PDead is each analysed hex's probability of having no 3G/4G at its
	// centre (hexVerdicts), from the same radio map as the villages; the
	// zones are its hexes at or above the cut. When the households per hex
	// came from the villages (PopulationFromVillages), a hex holding
	// villages takes instead the share of its households expected without
	// 3G/4G: its villages' p_dead weighted by their households
	// (villageHexPDead) — its households are those villages', so the zones,
	// their households and the plan follow the villages' own verdicts.
	//
	// Such a hex is dead only as far as its villages are: it is in a zone
	// when some of its villages is without signal, and counts their
	// households only (deadzone.Input.HouseholdsAtVillages;
	// DeadHouseholds), so its P(dead) may be below the cut in a zone.
	PDead map[hexgrid.Cell]float64
	// NoData are the provinces a run over every province left out: people
	// live there, but neither a site nor an outdoor test lies there
	// (NoDataArea); and, under the code "", the places outside every
	// province with no site or tested hex near them (nearEvidence). By code.
	NoData []NoDataArea
	// Untested are the provinces analysed (a site of their own) with no
	// test of the month in them: no hex attributed to them holds a test,
	// so their verdicts rest on the prediction alone. Their figures are
	// the model's, not evidence: the scorecard leaves target 1 unknown
	// for them (DeadZoneFigures), as for a month without measurements. By
	// code.
	Untested []string
}

// hexVerdicts decides the analysis hexes (decide: the populated ones of
// the coverage's Cells, and the villages' hexes) at their centres, as villages are
// decided at their points: the posterior of every predicted
// key (calibrated prediction + the radio map's residual) and of keys
// measured in the hex without prediction (their outdoor mean), and
// deadzone.Decide seeded by the cell. A decisive measured verdict stands:
// a key measured covered serves the hex (P(dead) 0), a key measured
// uncovered is left out. It returns P(dead) per hex and the per-key view
// for the carrier gaps: a key serves when measured covered or when its
// posterior P(signal ≥ threshold) exceeds 1 − cut (so a hex one key
// serves is never dead); a served hex that no single key serves marks the
// verdict's best key as serving. 2G keys serve when more likely than not.
// Other hexes of the coverage states (measured outside the analysis
// hexes, e.g. along roads through unpopulated land) keep their coverage
// rows undecided: no P(dead), as no dead zone can hold them, and at
// national scale they are most of the measured hexes. done is called once
// per decided hex, from the deciding goroutine.
//
// A hex of atVillages (whose households are its villages', villageHexes)
// is not decided at its centre: its P(dead) and its keys' service come
// from its villages' points (villageHexPDead, villageHexes.served), and here
// it gets only its measured rows and its done call.
func hexVerdicts(ctx context.Context, cov *CoverageResult, decide, atVillages map[hexgrid.Cell]bool, m *radiomap.Map, co *clutterOffsets, vcfg deadzone.VerdictConfig, rn readingNoise, tick *ticker) (map[hexgrid.Cell]float64, []deadzone.HexCoverage, error) {
	th := vcfg.Thresholds
	rows := make(map[aggregate.Key]*aggregate.Row, len(cov.Measured))
	for i := range cov.Measured {
		r := &cov.Measured[i]
		rows[r.Key] = r
	}
	states := cov.States
	pDead := map[hexgrid.Cell]float64{}
	out := make([]deadzone.HexCoverage, 0, len(states))
	// A hex to decide: its cell, the range of its rows in out, what its
	// posterior reads; decided in parallel below (each hex's draws are
	// seeded by its cell, so the result does not depend on the order).
	type hexJob struct {
		cell        hexgrid.Cell
		first, last int
		preds       []prediction
		measured    map[deadzone.Key]*nearSum
		v           deadzone.Verdict
	}
	var jobs []hexJob
	for i := 0; i < len(states); {
		cell := states[i].Cell
		j := i
		for j < len(states) && states[j].Cell == cell {
			j++
		}
		group := states[i:j]
		i = j
		first := len(out)
		judged := decide[cell]
		decided := false
		var preds []prediction
		var measured map[deadzone.Key]*nearSum
		for _, st := range group {
			k := deadzone.Key{Carrier: st.Carrier, Tech: st.Tech}
			covered := st.Source == coverage.Measured && st.State == coverage.Covered
			out = append(out, deadzone.HexCoverage{Cell: cell, Carrier: st.Carrier, Tech: st.Tech, Covered: covered})
			if !judged {
				continue
			}
			if covered && st.Tech != engine.Tech2G {
				decided = true
			}
			if st.Source == coverage.Measured && st.State == coverage.Uncovered {
				continue
			}
			if !readsMeasuredRow(st) {
				preds = append(preds, prediction{k, st.PredictedDBm})
			} else if r := rows[aggregate.Key{Cell: cell, Carrier: st.Carrier, Tech: st.Tech}]; r != nil {
				if e, ok := hexReadings(r); ok {
					if measured == nil {
						measured = map[deadzone.Key]*nearSum{}
					}
					measured[k] = e
				}
			}
		}
		switch {
		case !judged:
			continue
		case atVillages[cell]:
			continue
		case decided:
			pDead[cell] = 0
			continue
		}
		jobs = append(jobs, hexJob{cell: cell, first: first, last: len(out), preds: preds, measured: measured})
	}
	// The posteriors are the work: the progress counts them alone, so that
	// its rate (and ETA) is theirs, not that of the hexes settled above
	// in no time.
	tick.grow(int64(len(jobs)))
	// Each job marks its own rows of out (disjoint ranges) and keeps its
	// verdict; its posterior is dropped as soon as it is read.
	err := parallelFor(ctx, len(jobs), func(i int) error {
		jb := &jobs[i]
		ctr, err := jb.cell.Center()
		if err != nil {
			return err
		}
		if err := co.apply(jb.preds, ctr[0], ctr[1]); err != nil {
			return fmt.Errorf("pipeline: hex %v: %w", jb.cell, err)
		}
		post, err := signalPosterior(m, ctr[0], ctr[1], jb.preds, jb.measured, rn)
		if err != nil {
			return fmt.Errorf("pipeline: hex %v: %w", jb.cell, err)
		}
		if jb.v, err = deadzone.Decide(post, vcfg, deadzone.Seed(jb.cell.String())); err != nil {
			return fmt.Errorf("pipeline: hex %v: %w", jb.cell, err)
		}
		jb.preds, jb.measured = nil, nil
		tick.add()
		v, rows := jb.v, out[jb.first:jb.last]
		serve := make([]float64, len(rows))
		for o := range rows {
			serve[o] = math.NaN()
		}
		best := -1
		for o := range rows {
			for pi, k := range post.Keys {
				if rows[o].Carrier == k.Carrier && rows[o].Tech == k.Tech {
					serve[o] = pServe(post, pi, th)
				}
			}
			if rows[o].Carrier == v.Best.Carrier && rows[o].Tech == v.Best.Tech {
				best = o
			}
		}
		markServed(rows, serve, best, v.PDead, vcfg.Cut)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, jb := range jobs {
		pDead[jb.cell] = jb.v.PDead
	}
	// A hex to decide without any state (no site of any carrier in
	// range, no test: the only ones the loop above gave no verdict, nor
	// left to their villages) has no 3G/4G key: P(dead) 1, as Decide
	// gives a posterior without one — not left without a verdict, which
	// the zones would take from the coverage alone.
	for c := range decide {
		if _, ok := pDead[c]; !ok && !atVillages[c] {
			pDead[c] = 1
		}
	}
	return pDead, out, nil
}

// readsMeasuredRow reports whether hexVerdicts reads the measured row of a
// decided hex's state: a key without prediction, not measured uncovered,
// enters from its outdoor readings. The dead-zone stage reads back only
// these rows of the coverage (coverageState.decide).
func readsMeasuredRow(st coverage.State) bool {
	return math.IsNaN(st.PredictedDBm) && !(st.Source == coverage.Measured && st.State == coverage.Uncovered)
}

// verdictRows returns the keys whose measured rows hexVerdicts reads
// among states: readsMeasuredRow of the hexes it decides.
func verdictRows(states []coverage.State, decide map[hexgrid.Cell]bool) map[aggregate.Key]bool {
	need := map[aggregate.Key]bool{}
	for _, x := range states {
		if decide[x.Cell] && readsMeasuredRow(x) {
			need[aggregate.Key{Cell: x.Cell, Carrier: x.Carrier, Tech: x.Tech}] = true
		}
	}
	return need
}

// forVerdicts returns r as the dead-zone stage reads it back (partial):
// its states and summary, the measured rows its verdicts read and no
// predictions, so that a coverage computed in the same run holds no more
// memory through the verdicts than one read back.
func (r *CoverageResult) forVerdicts(decide map[hexgrid.Cell]bool) *CoverageResult {
	out := *r
	need := verdictRows(r.States, decide)
	out.Measured, out.Predicted = nil, nil
	for _, row := range r.Measured {
		if need[row.Key] {
			out.Measured = append(out.Measured, row)
		}
	}
	out.partial, out.measuredKeys = true, r.MeasuredKeys()
	return &out
}

// DefaultMeasurementNoiseDB is the per-test measurement noise assumed when
// fusing tests with a prediction (phones report RSRP within about ±4 dB
// of a scanner; 3GPP TS 36.133 allows ±6 dB absolute accuracy).
const DefaultMeasurementNoiseDB = 4

// DeadZones runs coverage, then finds dead zones, per-carrier gaps, the
// status of every village and the challenge verdicts.
//
// A dead zone is a populated hex that no carrier serves with 3G, 4G or 5G:
// its P(dead) at the centre is at least the cut (hexVerdicts). Villages
// are decided at their own points the same way (villageVerdicts). Both
// read one radio map: the residuals of every test within reach of a
// village or populated hex against the calibrated prediction at the
// test's point (scanEvidence, buildRadioMap).
//
// The analysis of one period (Coverage.Aggregate.Periods of length 1) goes
// through the period's saved stages (see Run): what is saved and current
// is read back, what is not is computed and saved. Others make one pass
// over the measurements and save nothing.
func DeadZones(ctx context.Context, s Store, opt DeadZoneOptions) (*DeadZoneResult, error) {
	if ps := opt.Coverage.Aggregate.Periods; len(ps) == 1 && opt.Coverage.Measured == nil {
		r, err := runDeadZones(ctx, s, opt, ps[0], nil, &RunSummary{}, false)
		if err != nil {
			return nil, err
		}
		return r.result, nil
	}
	p, err := prepareDeadZones(s, opt)
	if err != nil {
		return nil, err
	}
	m := p.opt.Coverage.Measured
	if m == nil {
		if m, err = Measure(ctx, s, p.measureOptions()); err != nil {
			return nil, err
		}
		p.opt.Coverage.Measured = m
	}
	cov, err := Coverage(ctx, s, p.opt.Coverage)
	if err != nil {
		return nil, err
	}
	return finishDeadZones(ctx, p, m, cov)
}

// dzPrep is a dead-zone run's inputs, prepared before the measurements are
// read: the villages, households per hex, the analysis hexes and the
// radio map's anchors (villages and populated hex centres).
type dzPrep struct {
	opt             DeadZoneOptions // Coverage.Population and Cells filled in
	dv              []deadzone.Village
	pop             []population.Cell
	reach           map[hexgrid.Cell]bool
	vcfg            deadzone.VerdictConfig
	ro              RadioMapOptions
	res             int
	popFromVillages bool
	// decide are the hexes the verdicts decide: the populated analysis
	// hexes and the villages' own (a village decided by its hex reads its
	// hex's verdict).
	decide map[hexgrid.Cell]bool
	// vcells[i] is village i's analysis hex (0 when its point does not
	// index).
	vcells []hexgrid.Cell
	// progress, when set, receives the verdicts' advance (StageDeadZones,
	// places: hexes and villages decided).
	progress func(Progress)
	// releaseReadings lets the radio map's build drop the measurements'
	// readings once its observations are made: set by a caller that does
	// not read them again (the run's dead-zone stage).
	releaseReadings bool
	// predictor, when set, gives the predictions at the evidence cells
	// (predictEvidence when nil).
	predictor evPredictor
}

func prepareDeadZones(s Store, opt DeadZoneOptions) (*dzPrep, error) {
	villages, err := s.Villages()
	if err != nil {
		return nil, err
	}
	p := &dzPrep{}
	res := opt.Coverage.Aggregate.Config.Resolution
	pop := opt.Coverage.Population
	if len(pop) == 0 {
		if len(villages) == 0 {
			return nil, fmt.Errorf("pipeline: dead zones need households per hex: give a population table or ingest a villages table: villages %w", ErrMissingData)
		}
		if pop, err = VillagePopulation(villages, res); err != nil {
			return nil, err
		}
		if _, hh := population.Totals(pop); hh == 0 {
			return nil, villagesWithoutHouseholds(len(villages))
		}
		p.popFromVillages = true
		opt.Coverage.Population = pop
	} else if pop, err = atResolution(pop, res); err != nil {
		return nil, err
	} else if len(villages) > 0 {
		// The commands give the villages' households as the population
		// when no population table is given; a table made from the
		// villages (lomsong population --points, people at any household
		// size) holds the same households in the same hexes too.
		vp, err := VillagePopulation(villages, res)
		p.popFromVillages = err == nil && sameHouseholds(vp, pop)
		if _, hh := population.Totals(pop); p.popFromVillages && hh == 0 {
			// The commands' population from villages of no households:
			// said as such, not as a population table given that covers
			// none of their provinces.
			return nil, villagesWithoutHouseholds(len(villages))
		}
	}
	popAll := pop
	if len(opt.Coverage.Cells) == 0 && opt.Coverage.Area != nil {
		opt.Coverage.Cells = opt.Coverage.Area.Cells
	}
	if len(opt.Coverage.Cells) == 0 {
		for _, p := range pop {
			if p.Households > 0 || p.Population > 0 {
				opt.Coverage.Cells = append(opt.Coverage.Cells, p.Cell)
			}
		}
	} else {
		// Keep only the population inside the analysis area.
		in := map[hexgrid.Cell]bool{}
		for _, c := range opt.Coverage.Cells {
			in[c] = true
		}
		pop = slices.DeleteFunc(slices.Clone(pop), func(p population.Cell) bool { return !in[p.Cell] })
	}
	vcfg := deadzone.DefaultVerdictConfig()
	vcfg.Thresholds = opt.Coverage.Coverage.Thresholds
	if opt.Cut != 0 {
		vcfg.Cut = opt.Cut
	}
	if opt.Draws != 0 {
		vcfg.Draws = opt.Draws
	}
	if err := vcfg.Validate(); err != nil {
		return nil, err
	}
	ro := opt.RadioMap
	if ro.NoiseDB == 0 {
		ro.NoiseDB = opt.MeasurementNoiseDB
	}
	// The anchors are every village and every populated hex, also those
	// outside an analysis area: a period's one pass serves every area.
	dv, reach, err := anchorsOf(villages, popAll)
	if err != nil {
		return nil, err
	}
	// The options as they take effect, so that equal runs hash alike.
	opt.Cut, opt.Draws, opt.RadioMap, opt.Villages.Cut = vcfg.Cut, vcfg.Draws, ro, vcfg.Cut
	p.opt, p.dv, p.pop, p.reach, p.vcfg, p.ro, p.res = opt, dv, pop, reach, vcfg, ro, res
	// The populated analysis hexes: an area's other hexes (a province's
	// forests and mountains, where nobody lives) are covered by the
	// coverage, but no dead zone can hold them.
	p.decide = make(map[hexgrid.Cell]bool, len(pop)+len(dv))
	for _, pc := range pop {
		if pc.Households > 0 || pc.Population > 0 {
			p.decide[pc.Cell] = true
		}
	}
	p.vcells = make([]hexgrid.Cell, len(dv))
	for i, v := range dv {
		if c, err := hexgrid.Index(v.Lon, v.Lat, res); err == nil {
			p.decide[c], p.vcells[i] = true, c
		}
	}
	return p, nil
}

// areaHasPeople refuses an analysis area nobody is known to live in:
// without households there, every figure of its dead zones would be a
// zero standing for "not known" — an all-clear with nothing behind it.
// With the villages as the population, the area's own villages count (a
// neighbour's village in a border hex is the neighbour's; vadmin are the
// villages' provinces); with a population table, the households of the
// area's hexes.
func areaHasPeople(a *Area, pop []population.Cell, dv []deadzone.Village, vadmin []deadzone.PlaceAdmin, fromVillages bool, provinces *geodata.BoundarySet) error {
	if fromVillages && provinces != nil {
		if _, ok := provinces.ByCode(a.Code); ok {
			// A village of its own with households; villages of 0
			// households alone leave every hex of it with none, and the
			// run would answer no dead zone.
			n := 0
			for i, pa := range vadmin {
				if pa.Province != a.Code {
					continue
				}
				if dv[i].Households > 0 {
					return nil
				}
				n++
			}
			if n > 0 {
				return missingError{fmt.Sprintf("pipeline: the dataset's %s in %s all have 0 households: no dead zone can be decided there (ingest its villages with their households, or give a population table)",
					plural.Count(n, "village", "villages"), a)}
			}
			return fmt.Errorf("pipeline: no village of the dataset lies in %s: its households are unknown, so no dead zone can be decided there (ingest its villages, or give a population table): villages of %s %w",
				a, a.Name, ErrMissingData)
		}
	}
	for _, c := range pop {
		if c.Households > 0 || c.Population > 0 {
			return nil
		}
	}
	from := "the population table given"
	if fromVillages {
		from = "the dataset's villages"
	}
	return missingError{fmt.Sprintf("pipeline: no households in %s (%d hexes) in %s: no dead zone can be decided there", a, len(a.Cells), from)}
}

// missingError is data missing for what was asked (it wraps
// ErrMissingData) where the message says itself from where: a population
// table given is not "the dataset".
type missingError struct{ msg string }

func (e missingError) Error() string { return e.msg }

func (e missingError) Unwrap() error { return ErrMissingData }

// anchorsOf returns the villages as the verdicts take them and the
// resolution-7 cells within reach of a village or a populated hex centre.
func anchorsOf(villages []engine.Village, pop []population.Cell) ([]deadzone.Village, map[hexgrid.Cell]bool, error) {
	dv := make([]deadzone.Village, len(villages))
	anchors := make([]orb.Point, 0, len(villages)+len(pop))
	for i, v := range villages {
		dv[i] = deadzone.Village{ID: v.ID, Name: v.Name, CommuneCode: v.CommuneCode, Lon: v.Lon, Lat: v.Lat, Households: v.Households}
		anchors = append(anchors, orb.Point{v.Lon, v.Lat})
	}
	for _, p := range pop {
		if p.Households > 0 {
			ctr, err := p.Cell.Center()
			if err != nil {
				return nil, nil, err
			}
			anchors = append(anchors, ctr)
		}
	}
	reach, err := reachCells(anchors)
	if err != nil {
		return nil, nil, err
	}
	return dv, reach, nil
}

// measureOptions are the options of the pass that gathers what the
// dead-zone run reads.
func (p *dzPrep) measureOptions() MeasureOptions {
	return MeasureOptions{Aggregate: p.opt.Coverage.Aggregate, Thresholds: p.vcfg.Thresholds, Challenge: p.opt.Challenge,
		Villages: p.dv, Reach: p.reach, SpeedAreas: p.opt.Coverage.SpeedAreas}
}

// finishDeadZones decides hexes and villages from the coverage and the
// gathered measurements, and adjudicates the claims. It stops with
// ctx's error when ctx is done (between its steps, and within the
// verdicts between places).
func finishDeadZones(ctx context.Context, p *dzPrep, m *Measured, cov *CoverageResult) (*DeadZoneResult, error) {
	if m.anchors != anchorsKey(p.dv, p.reach) {
		return nil, fmt.Errorf("pipeline: the measurements were gathered for other villages or populated hexes than this run's: %w", engine.ErrInvalidConfig)
	}
	opt, dv, pop, res, vcfg := p.opt, p.dv, p.pop, p.res, p.vcfg
	out := &DeadZoneResult{Coverage: cov, Population: pop, PopulationFromVillages: p.popFromVillages}
	vcfg.Thresholds = cov.Config.Thresholds
	ev := m.ev
	envF, err := newEnvField(opt.Coverage)
	if err != nil {
		return nil, err
	}
	predictor := p.predictor
	if predictor == nil {
		predictor = predictEvidence(ctx, cov, opt.Coverage, envF, res)
	}
	// The villages' predictions before the radio map: the best-server
	// search's prepared register (about 120 MB for the country) is
	// garbage before the map and its observations are built.
	var vpreds [][]prediction
	if len(dv) > 0 && !opt.VillagesByHex {
		if vpreds, err = villagePredictions(ctx, dv, cov, opt.Coverage, envF, res); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rm, rep, err := buildRadioMap(ctx, ev, predictor, p.ro, p.releaseReadings, envF, p.progress)
	if err != nil {
		return nil, err
	}
	co := newClutterOffsets(rep, envF)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.MonteCarloDraws, rep.Cut = vcfg.Draws, vcfg.Cut
	out.RadioMap = rep
	out.RadioMap.unpred = nil // the verdicts' (readingNoise), not the result's
	decide := p.decide
	// Counted as they are known: the hexes decided at their centres (by
	// hexVerdicts), then the villages.
	tick := newTicker(p.progress, StageDeadZones, "places", 0)
	byVillages := len(dv) > 0 && !opt.VillagesByHex && p.popFromVillages
	var atVillages map[hexgrid.Cell]bool
	if byVillages {
		atVillages = villageCells(dv, p.vcells)
	}
	if !opt.VillagesByHex {
		tick.grow(int64(len(dv)))
	}
	pDead, hc, err := hexVerdicts(ctx, cov, decide, atVillages, rm, co, vcfg, rep.readingNoise(), tick)
	if err != nil {
		return nil, err
	}
	out.PDead = pDead
	// The villages' verdicts next, before the zones: the villages'
	// predictions and the radio map are not used after them, so the
	// zones' and gaps' working sets do not stack on theirs (the stage's
	// peak).
	vopt := opt.Villages
	vopt.Cut = vcfg.Cut
	if len(dv) > 0 && opt.VillagesByHex {
		vopt.Evidence = villageEvidence(dv, ev)
	}
	if len(dv) > 0 && !opt.VillagesByHex {
		var vh *villageHexes
		if byVillages {
			vh = newVillageHexes(hc, atVillages, p.vcells)
		}
		if vopt.Local, err = villageVerdicts(ctx, dv, vpreds, rm, co, ev, vcfg, rep.readingNoise(), vh, tick.add); err != nil {
			return nil, err
		}
		if byVillages {
			villageHexPDead(pDead, dv, p.vcells, vopt.Local)
			vh.served(hc, dv, pDead, vcfg.Cut)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	notify(p.progress, Progress{Stage: StageDeadZones, Phase: fmt.Sprintf("zones, carrier gaps and villages from the verdicts (%d populated hexes)", len(pop))})
	// The challenges read the coverage and the tests' tally alone: they
	// are adjudicated beside the zones, gaps and villages (one core's work
	// each). On every return the adjudication has ended.
	var challenges sync.WaitGroup
	var challengeErr error
	defer challenges.Wait()
	challenges.Go(func() {
		ccfg := opt.Challenge
		ccfg.Res = res
		out.Challenges, challengeErr = adjudicate(opt.Claims, cov, m.Tally, ccfg)
	})
	cells := make([]hexgrid.Cell, 0, len(pop))
	for _, p := range pop {
		cells = append(cells, p.Cell)
	}
	// Hexes and villages go to communes of their own province only.
	admin, err := deadzone.AdminCells(opt.Provinces, opt.Communes, cells)
	if err != nil {
		return nil, err
	}
	var communeProvince map[string]string
	if opt.Communes != nil {
		communeProvince = deadzone.ParentCodes(opt.Communes)
	}
	out.Admin = admin
	var carriers []engine.Carrier
	for _, st := range cov.Sites {
		carriers = append(carriers, st.Carrier)
	}
	slices.Sort(carriers)
	carriers = slices.Compact(carriers)
	places := make([]deadzone.Place, len(dv))
	for i, v := range dv {
		places[i] = deadzone.Place{Point: orb.Point{v.Lon, v.Lat}, CommuneCode: v.CommuneCode}
	}
	vadmin, err := deadzone.AttributePlaces(opt.Provinces, opt.Communes, places)
	if err != nil {
		return nil, err
	}
	if a := opt.Coverage.Area; a != nil && a.Code != "" {
		if err := areaHasPeople(a, pop, dv, vadmin, p.popFromVillages, opt.Provinces); err != nil {
			return nil, err
		}
	}
	if p.popFromVillages || opt.Communes == nil {
		// The populated hexes' villages.
		popCell := make(map[hexgrid.Cell]bool, len(pop))
		for _, pc := range pop {
			popCell[pc.Cell] = true
		}
		var vcells []hexgrid.Cell
		var vplaces []deadzone.PlaceAdmin
		var weights []float64
		for i, v := range dv {
			if c := p.vcells[i]; c != 0 && popCell[c] {
				vcells, vplaces, weights = append(vcells, c), append(vplaces, vadmin[i]), append(weights, v.Households)
			}
		}
		if p.popFromVillages {
			// The households are the villages': a hex holding villages
			// is in their province and commune, wherever its centre lies
			// (so a province's dead-zone households are its villages').
			deadzone.AdminFromPlaces(admin, vcells, vplaces, weights)
		} else {
			// No commune boundaries: a populated hex's commune is that of
			// the villages it holds.
			deadzone.CommunesFromPlaces(admin, vcells, vplaces, weights)
		}
	}
	var dropped func(province string, c hexgrid.Cell) bool
	if a := opt.Coverage.Area; (a == nil || a.Code == "") && opt.Provinces != nil {
		if dropped, err = leaveOutNoData(out, opt.Provinces, cov, res, admin, vadmin, p.vcells, p.popFromVillages); err != nil {
			return nil, err
		}
		pop = out.Population
		kept := false
		for i := 0; dropped != nil && i < len(vadmin) && !kept; i++ {
			kept = !dropped(vadmin[i].Province, p.vcells[i])
		}
		if dropped != nil && len(pop) == 0 && !kept {
			// Every populated hex and village left out: no answer, not
			// an all-clear over nothing.
			var why []string
			for i, a := range out.NoData {
				if i == 5 {
					why = append(why, fmt.Sprintf("%d more", len(out.NoData)-5))
					break
				}
				if a.Code == "" {
					why = append(why, a.Why)
				} else {
					why = append(why, a.Name+": "+a.Why)
				}
			}
			return nil, fmt.Errorf("pipeline: nothing to analyse: every place with people is left out (%s): %w", strings.Join(why, "; "), ErrMissingData)
		}
	}
	if a := opt.Coverage.Area; a != nil && a.Code != "" {
		// A run limited to a province analyses the hexes that are the
		// province's (or outside every province): a hex of its outline
		// holding a neighbour's villages is the neighbour's, as in the
		// unrestricted run.
		pop = slices.DeleteFunc(slices.Clone(pop), func(pc population.Cell) bool {
			pr := admin[pc.Cell].Province
			return pr != "" && pr != a.Code
		})
		out.Population = pop
		if opt.Provinces != nil {
			_, tested := evidenceCells(nil, cov.States, res)
			if out.Untested, err = provincesUntested(opt.Provinces, map[string]bool{a.Code: true}, nil, admin, tested); err != nil {
				return nil, err
			}
		}
	}
	in := deadzone.Input{Population: pop, Coverage: hc, Carriers: carriers, Admin: admin,
		CommuneProvince: communeProvince, Villages: dv, VillageAdmin: vadmin, Sites: cov.Sites, PDead: pDead, Cut: vcfg.Cut}
	// The villages first: the zones name their served villages and, with
	// the villages as the population, count only the households of the
	// villages without signal (deadzone.Input.HouseholdsAtVillages), so
	// that the zones, the communes' dead-zone households and the plan
	// agree with the villages' own verdicts.
	var judged deadzone.VillageReport
	if len(dv) > 0 {
		if judged, err = deadzone.Villages(in, vopt); err != nil {
			return nil, err
		}
		in.Judged, in.HouseholdsAtVillages = &judged, p.popFromVillages
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The zones and the carriers' gaps, each from the same input, side
	// by side.
	var gaps sync.WaitGroup
	var gapsErr error
	gaps.Go(func() { out.Gaps, gapsErr = deadzone.Gaps(in) })
	out.Zones, err = deadzone.Detect(in)
	gaps.Wait()
	if err != nil {
		return nil, err
	}
	if gapsErr != nil {
		return nil, gapsErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(dv) > 0 {
		out.Villages = judged
		if a := opt.Coverage.Area; a != nil && a.Code != "" {
			// A run limited to a province reports its villages (and those
			// outside every province): the others were decided for the
			// radio map's sake, not analysed.
			out.Villages = out.Villages.ForProvince(a.Code)
		}
		if dropped != nil {
			out.Villages = out.Villages.Without(func(v deadzone.VillageStatus) bool { return dropped(v.Province, v.Cell) })
		}
	}
	if challenges.Wait(); challengeErr != nil {
		return nil, challengeErr
	}
	return out, nil
}

// leaveOutNoData finds where a run over every province has people but no
// evidence: the populated hexes and villages of the provinces where no
// site or outdoor test lies (provincesWithoutData) and of no province
// (another country's, or a coarse outline's coast, islands and borders)
// that have no site or tested hex near them either (nearEvidence). It
// records them in out.NoData (the hexes and villages outside every
// province under the code ""), removes their populated hexes from
// out.Population and out.PDead (admin: the hexes' provinces; vadmin and
// vcells: the villages' provinces and hexes) and returns whether a place
// of a province and hex is left out (nil when none is); the caller leaves
// those villages out of the village report.
func leaveOutNoData(out *DeadZoneResult, provinces *geodata.BoundarySet, cov *CoverageResult, res int,
	admin map[hexgrid.Cell]deadzone.Admin, vadmin []deadzone.PlaceAdmin, vcells []hexgrid.Cell, fromVillages bool) (func(string, hexgrid.Cell) bool, error) {
	need, housed := map[string]bool{}, map[string]bool{}
	for _, pc := range out.Population {
		if pc.Households > 0 || pc.Population > 0 {
			need[admin[pc.Cell].Province] = true
		}
		if pc.Households > 0 {
			housed[admin[pc.Cell].Province] = true
		}
	}
	for _, va := range vadmin {
		need[va.Province] = true
	}
	// A province with villages to decide but no households in the
	// population table given (a table of another region): its dead-zone
	// households are not known, not zero (a run limited to it is refused,
	// EmptyAreaError's rule), so it is left out whole.
	unhoused := map[string]bool{}
	for code := range need {
		if code != "" && !housed[code] {
			unhoused[code] = true
		}
	}
	siteCells, tested := evidenceCells(cov.Sites, cov.States, res)
	empty, err := provincesWithoutData(provinces, need, cov.Sites, tested)
	if err != nil {
		return nil, err
	}
	if out.Untested, err = provincesUntested(provinces, need, empty, admin, tested); err != nil {
		return nil, err
	}
	near := func(hexgrid.Cell) bool { return true }
	if need[""] || len(empty) > 0 {
		if near, err = nearEvidence(siteCells, tested); err != nil {
			return nil, err
		}
	}
	// A place is left out when its unit holds no evidence and none lies
	// near it: a unit without a site of its own is often served from its
	// neighbours' (a commune, where the boundaries are communes), and its
	// places near their sites are analysed.
	drop := func(code string, c hexgrid.Cell) bool {
		if unhoused[code] {
			return true
		}
		if code != "" && !empty[code] {
			return false
		}
		return c != 0 && !near(c)
	}
	areas := map[string]*NoDataArea{}
	area := func(code string) *NoDataArea {
		if areas[code] == nil {
			areas[code] = &NoDataArea{Code: code, Name: OutsideEveryProvince, Why: OutsideWhy}
			if u, ok := provinces.ByCode(code); ok {
				areas[code].Name, areas[code].Why = u.Name, NoDataWhy
				if unhoused[code] && !empty[code] {
					areas[code].Why = NoHouseholdsWhy
					if fromVillages {
						areas[code].Why = NoVillageHouseholdsWhy
					}
				}
			}
		}
		return areas[code]
	}
	out.Population = slices.DeleteFunc(slices.Clone(out.Population), func(pc population.Cell) bool {
		code := admin[pc.Cell].Province
		if !drop(code, pc.Cell) {
			return false
		}
		if pc.Households > 0 || pc.Population > 0 {
			a := area(code)
			a.Hexes++
			a.Households += pc.Households
		}
		delete(out.PDead, pc.Cell)
		return true
	})
	for i, va := range vadmin {
		if drop(va.Province, vcells[i]) {
			area(va.Province).Villages++
		}
	}
	for code := range unhoused {
		area(code) // listed even when its villages lie in no hex of it
	}
	for code := range empty {
		// Listed even when all its places lie near a neighbour's evidence
		// and are analysed: its figures are a neighbour's evidence, not
		// its own, and the scorecard leaves its target 1 unknown.
		area(code)
	}
	if len(areas) == 0 {
		return nil, nil
	}
	for _, code := range slices.Sorted(maps.Keys(areas)) {
		out.NoData = append(out.NoData, *areas[code])
	}
	return drop, nil
}

// provincesUntested returns the provinces of need (but "" and those of
// empty, left out already) in none of whose hexes a test of the month lies
// (DeadZoneResult.Untested), by code. A tested hex's province is its
// attribution in admin (the analysed hexes') or, for the tested hexes
// beyond them (roads, fields), the province its centre lies in — looked up
// only while a province is still without a test, so a month tested
// everywhere attributes nothing more.
func provincesUntested(provinces *geodata.BoundarySet, need, empty map[string]bool, admin map[hexgrid.Cell]deadzone.Admin, tested []hexgrid.Cell) ([]string, error) {
	left := map[string]bool{}
	for code := range need {
		if code != "" && !empty[code] {
			left[code] = true
		}
	}
	var beyond []hexgrid.Cell
	for _, c := range tested {
		if a, ok := admin[c]; ok {
			delete(left, a.Province)
		} else {
			beyond = append(beyond, c)
		}
	}
	if len(left) > 0 && len(beyond) > 0 {
		_, codes, err := cellProvinces(provinces, beyond)
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
			delete(left, code)
		}
	}
	if len(left) == 0 {
		return nil, nil
	}
	return slices.Sorted(maps.Keys(left)), nil
}

// OutsideEveryProvince names, in DeadZoneResult.NoData, the places outside
// every province left out for want of evidence near them (code "").
const OutsideEveryProvince = "outside every province, no site or test within about 8–25 km"

// NoDataWhy and OutsideWhy are NoDataArea.Why for a province without
// evidence and for the places outside every province.
const (
	NoDataWhy = "no measurements or sites of the month in the province (a test in a hex on its border, or a site across it, is not its own)"
	// NoHouseholdsWhy: the province has villages, sites and tests, but the
	// population table given puts no households in it.
	NoHouseholdsWhy = "no households in the population table given (it covers none of the province)"
	// NoVillageHouseholdsWhy: as NoHouseholdsWhy, where the population
	// is the villages table's and the province's villages all have 0
	// households.
	NoVillageHouseholdsWhy = "its villages in the dataset all have 0 households"
	OutsideWhy             = "outside every province (another country's, a coarse outline's coast or islands) and no site or test within about 8–25 km"
)

// adjudicate decides the claims (nil: every predicted key) from the
// tally of the tests, which the pass over the measurements built per key:
// no test is held in memory, and no claim means nothing to decide.
func adjudicate(claims []challenge.Claim, cov *CoverageResult, tally *challenge.Tally, ccfg challenge.Config) (challenge.Report, error) {
	if claims == nil {
		// Every predicted key: the states with a prediction (coverage.Fuse
		// gives each predicted key a state carrying its prediction), so
		// that a lean coverage, read back without its predictions, claims
		// the same keys.
		n := 0
		for _, st := range cov.States {
			if !math.IsNaN(st.PredictedDBm) {
				n++
			}
		}
		if n > 0 {
			claims = make([]challenge.Claim, 0, n)
		}
		for _, st := range cov.States {
			if !math.IsNaN(st.PredictedDBm) {
				claims = append(claims, challenge.Claim{Cell: st.Cell, Carrier: st.Carrier, Tech: st.Tech})
			}
		}
	}
	return challenge.AdjudicateTally(claims, tally, ccfg)
}

// atResolution brings population cells to the analysis resolution:
// finer cells are summed into their parents; coarser ones are refused
// (spreading them evenly over children would invent where people live).
func atResolution(pop []population.Cell, res int) ([]population.Cell, error) {
	if len(pop) == 0 || pop[0].Cell.Resolution() == res {
		return pop, nil
	}
	agg, err := population.Aggregate(pop, res)
	switch {
	case errors.Is(err, population.ErrFinerResolution):
		// The user's table, refused as data (exit 3), with the advice once.
		return nil, fmt.Errorf("pipeline: the population table is at H3 resolution %d, coarser than the analysis at %d: make it at resolution %d or finer (lomsong population --res %d divides each cell evenly among its children): %w",
			pop[0].Cell.Resolution(), res, res, res, population.ErrInvalidInput)
	case err != nil:
		return nil, fmt.Errorf("pipeline: population at H3 resolution %d for an analysis at %d: %w", pop[0].Cell.Resolution(), res, err)
	}
	return agg, nil
}

// villagesWithoutHouseholds is the error of dead zones whose population is
// a villages table (of n villages) with 0 households in every row.
func villagesWithoutHouseholds(n int) error {
	return fmt.Errorf("pipeline: dead zones need households per hex: the villages table's %d villages all have 0 households (every hex would count none and the run would answer no dead zone): ingest a villages table with households, or give a population table: villages %w",
		n, ErrMissingData)
}

// sameHouseholds reports whether two populations put the same households
// (to a millionth) in the same hexes, whatever their people.
func sameHouseholds(a, b []population.Cell) bool {
	hh := make(map[hexgrid.Cell]float64, len(a))
	for _, c := range a {
		if c.Households > 0 {
			hh[c.Cell] += c.Households
		}
	}
	n := 0
	for _, c := range b {
		if c.Households <= 0 {
			continue
		}
		n++
		if h, ok := hh[c.Cell]; !ok || math.Abs(h-c.Households) > 1e-6*max(1, h) {
			return false
		}
	}
	return n == len(hh)
}

// VillagePlaces returns the villages as the places where the people of a
// population table live, weighted by households (CoverageOptions.Places).
func VillagePlaces(v []engine.Village) []population.Place {
	out := make([]population.Place, len(v))
	for i, x := range v {
		out[i] = population.Place{Lon: x.Lon, Lat: x.Lat, Weight: x.Households}
	}
	return out
}

// VillagePopulation places each village's households in its hex; people
// are households × the census average household size of its province. It
// stands in for a population table when only villages are known.
func VillagePopulation(v []engine.Village, res int) ([]population.Cell, error) {
	sizer, err := geodata.HouseholdSizer()
	if err != nil {
		return nil, err
	}
	m := map[hexgrid.Cell]*population.Cell{}
	var order []hexgrid.Cell
	for _, x := range v {
		c, err := hexgrid.Index(x.Lon, x.Lat, res)
		if err != nil {
			return nil, err
		}
		size, ok := sizer([2]float64{x.Lon, x.Lat})
		if !ok || size <= 0 {
			size = geodata.NationalHouseholdSize2019
		}
		p := m[c]
		if p == nil {
			p = &population.Cell{Cell: c}
			m[c] = p
			order = append(order, c)
		}
		p.Households += x.Households
		p.Population += x.Households * size
	}
	slices.Sort(order)
	out := make([]population.Cell, len(order))
	for i, c := range order {
		out[i] = *m[c]
	}
	return out, nil
}

// ZoneTable shapes zones into result columns; villages_uncertain counts
// those of villages_served served on an uncertain verdict
// (deadzone.ZonesUncertain of villages, the month's villages).
func ZoneTable(zones []deadzone.Zone, villages deadzone.VillageReport) []arrowio.Column {
	n := len(zones)
	id, prov, comm, vills, nearest, c2g := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	hexes, nv, ns, nu := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, u := range deadzone.ZonesUncertain(zones, villages) {
		nu[i] = int64(u)
	}
	area, hh, pp, lon, lat := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	partly := make([]bool, n)
	pMean, pMin := make([]float64, n), make([]float64, n)
	for i, z := range zones {
		pMean[i], pMin[i] = round4(z.PDeadMean), round4(z.PDeadMin)
		id[i], hexes[i], area[i], hh[i], pp[i] = z.ID, int64(len(z.Cells)), z.AreaKm2, z.Households, z.Population
		lon[i], lat[i] = z.Centroid[0], z.Centroid[1]
		prov[i], comm[i] = deadzone.FormatShares(z.Provinces), deadzone.FormatShares(z.Communes)
		vills[i], nv[i], ns[i] = strings.Join(z.Villages, " "), int64(len(z.Villages)), int64(len(z.Served))
		var ns []string
		for _, d := range z.Nearest {
			ns = append(ns, fmt.Sprintf("%s:%s:%.0fm", d.Carrier, d.SiteID, d.DistanceM))
		}
		nearest[i] = strings.Join(ns, " ")
		partly[i] = z.Partly2G
		var cs []string
		for _, c := range z.Carriers2G {
			cs = append(cs, string(c))
		}
		c2g[i] = strings.Join(cs, " ")
	}
	return []arrowio.Column{{Name: "zone_id", String: id}, {Name: "hexes", Int64: hexes}, {Name: "area_km2", Float64: area},
		{Name: "households", Float64: hh}, {Name: "population", Float64: pp}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "provinces", String: prov}, {Name: "communes", String: comm}, {Name: "villages", Int64: nv},
		{Name: "villages_served", Int64: ns}, {Name: "villages_uncertain", Int64: nu}, {Name: "village_ids", String: vills},
		{Name: "nearest_sites", String: nearest}, {Name: "partly_2g", Bool: partly}, {Name: "carriers_2g", String: c2g},
		{Name: "p_dead_mean", Float64: pMean}, {Name: "p_dead_min", Float64: pMin}}
}

// GapTable shapes per-carrier gap hexes into result columns.
func GapTable(g deadzone.GapReport) ([]arrowio.Column, error) {
	n := len(g.Hexes)
	cell, carrier, kind, others, prov, comm := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lon, lat, hh, pp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, h := range g.Hexes {
		ctr, err := h.Cell.Center()
		if err != nil {
			return nil, err
		}
		cell[i], carrier[i], lon[i], lat[i], hh[i], pp[i] = h.Cell.String(), string(h.Carrier), ctr[0], ctr[1], h.Households, h.Population
		kind[i] = "nobody_covers"
		if h.Shareable() {
			kind[i] = "another_carrier_covers"
		}
		var os []string
		for _, c := range h.Others {
			os = append(os, string(c))
		}
		others[i], prov[i], comm[i] = strings.Join(os, " "), h.Admin.Province, h.Admin.Commune
	}
	return []arrowio.Column{{Name: "cell", String: cell}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "carrier", String: carrier}, {Name: "gap", String: kind}, {Name: "covered_by", String: others},
		{Name: "households", Float64: hh}, {Name: "population", Float64: pp}, {Name: "province", String: prov}, {Name: "commune", String: comm}}, nil
}

// VillageTable shapes village statuses into result columns: level
// (covered, 2g-only, no-signal) and, for villages decided at their point,
// p_dead, its status bin (deadzone.StatusOf), the best 3G/4G/5G key with
// its posterior mean and σ, and the tests within 300 m (empty values for
// villages decided by their hexes).
func VillageTable(v deadzone.VillageReport) []arrowio.Column {
	n := len(v.Villages)
	id, name, commune, prov, cell, level := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	attributed, how := make([]string, n), make([]string, n)
	status, bestCarrier, bestTech := make([]string, n), make([]string, n), make([]string, n)
	lon, lat, hh := make([]float64, n), make([]float64, n), make([]float64, n)
	pDead, bestMean, bestSigma, nearest := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	tests, noService := make([]int64, n), make([]int64, n)
	without := make([]bool, n)
	for i, s := range v.Villages {
		id[i], name[i], commune[i], prov[i], level[i] = s.ID, s.Name, s.CommuneCode, s.Province, s.LevelName()
		if s.Cell != 0 {
			cell[i] = s.Cell.String()
		}
		lon[i], lat[i], hh[i], without[i] = s.Lon, s.Lat, s.Households, s.WithoutSignal()
		attributed[i], how[i] = s.Commune, s.Attribution
		pDead[i], bestMean[i], bestSigma[i], nearest[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if s.HasNearby {
			tests[i], noService[i] = int64(s.Nearby.Tests), int64(s.Nearby.NoService)
			if !math.IsInf(s.Nearby.NearestTestM, 0) {
				nearest[i] = math.Round(s.Nearby.NearestTestM)
			}
		}
		if !s.HasVerdict {
			continue
		}
		vd := s.Verdict
		pDead[i], status[i] = deadzone.RoundPDead(vd.PDead, 4, v.Cut), deadzone.StatusOf(vd.PDead).String()
		if vd.Best.Tech.Valid() {
			bestCarrier[i], bestTech[i] = string(vd.Best.Carrier), vd.Best.Tech.String()
			bestMean[i], bestSigma[i] = math.Round(vd.BestMeanDBm*10)/10, math.Round(vd.BestSigmaDB*10)/10
		}
	}
	return []arrowio.Column{{Name: "village_id", String: id}, {Name: "name", String: name}, {Name: "commune_code", String: commune},
		{Name: "province", String: prov}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat}, {Name: "households", Float64: hh},
		{Name: "cell", String: cell}, {Name: "level", String: level}, {Name: "p_dead", Float64: pDead}, {Name: "status", String: status},
		{Name: "best_carrier", String: bestCarrier}, {Name: "best_tech", String: bestTech},
		{Name: "best_mean_dbm", Float64: bestMean}, {Name: "best_sigma_db", Float64: bestSigma},
		{Name: "tests_300m", Int64: tests}, {Name: "no_service_300m", Int64: noService}, {Name: "nearest_test_m", Float64: nearest},
		{Name: "without_signal", Bool: without},
		{Name: "commune", String: attributed}, {Name: "attribution", String: how}}
}

// ChallengeTable shapes challenge verdicts (hexes and roll-ups) into
// result columns.
func ChallengeTable(r challenge.Report) []arrowio.Column {
	n := len(r.Hexes) + len(r.Parents)
	cell, carrier, tech, verdict, reason := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	res, tests, neg, children, excluded := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	span, pv := make([]float64, n), make([]float64, n)
	// The first and last negative test (Unix milliseconds), and their span,
	// are empty without a negative test: the challenge package's 0 there
	// means none, not 1970-01-01. Text columns, as the result columns have
	// no null integer; the CSV, the only file written of them, reads the
	// same digits.
	first, last := make([]string, n), make([]string, n)
	times := func(i, negatives int, a, b int64) {
		if negatives > 0 {
			first[i], last[i] = strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)
		}
	}
	for i, h := range r.Hexes {
		cell[i], carrier[i], tech[i], verdict[i], reason[i] = h.Cell.String(), string(h.Carrier), h.Tech.String(), h.Verdict.String(), h.Reason
		res[i], tests[i], neg[i], children[i] = int64(h.Cell.Resolution()), int64(h.Tests), int64(h.Negatives), int64(h.Children)
		excluded[i] = int64(h.Excluded)
		span[i], pv[i] = h.SpanHours, h.PValue
		if h.Negatives == 0 {
			span[i] = math.NaN()
		}
		times(i, h.Negatives, h.FirstNegativeUnixMs, h.LastNegativeUnixMs)
	}
	for j, p := range r.Parents {
		i := len(r.Hexes) + j
		cell[i], carrier[i], tech[i], res[i] = p.Cell.String(), string(p.Carrier), p.Tech.String(), int64(p.Res)
		verdict[i] = p.Verdict.String()
		reason[i] = fmt.Sprintf("roll-up: %d of 7 children challenged, %d upheld", p.ChildrenChallenged, p.ChildrenUpheld)
		tests[i], neg[i], children[i], excluded[i] = int64(p.Tests), int64(p.Negatives), int64(p.ChildrenWithTests), int64(p.Excluded)
		span[i], pv[i] = math.NaN(), math.NaN()
		times(i, p.Negatives, p.FirstNegativeUnixMs, p.LastNegativeUnixMs)
	}
	return []arrowio.Column{{Name: "cell", String: cell}, {Name: "res", Int64: res}, {Name: "carrier", String: carrier},
		{Name: "tech", String: tech}, {Name: "verdict", String: verdict}, {Name: "reason", String: reason},
		{Name: "tests", Int64: tests}, {Name: "negatives", Int64: neg}, {Name: "children_with_tests", Int64: children},
		{Name: "negative_span_hours", Float64: span}, {Name: "p_value", Float64: pv},
		{Name: "first_negative_ms", String: first}, {Name: "last_negative_ms", String: last},
		{Name: "excluded", Int64: excluded}}
}

// DeadHouseholds returns the households without 3G/4G of every hex of
// the zones (deadzone.Zone.CellHouseholds): all of a hex's households,
// or in a hex judged at its villages those of its villages without
// signal. What the communes' dead-zone households, the scorecard and the
// plan count. A zone without CellHouseholds (one not made by
// deadzone.Detect) counts all of its hexes' households.
func (r *DeadZoneResult) DeadHouseholds() map[hexgrid.Cell]float64 {
	n := 0
	for _, z := range r.Zones {
		n += len(z.Cells)
	}
	out := make(map[hexgrid.Cell]float64, n)
	var all map[hexgrid.Cell]float64
	for _, z := range r.Zones {
		if len(z.CellHouseholds) != len(z.Cells) && all == nil {
			all = make(map[hexgrid.Cell]float64, len(r.Population))
			for _, p := range r.Population {
				all[p.Cell] += p.Households
			}
		}
		for i, c := range z.Cells {
			if len(z.CellHouseholds) == len(z.Cells) {
				out[c] = z.CellHouseholds[i]
			} else {
				out[c] = all[c]
			}
		}
	}
	return out
}

// BestByHex returns the best 3G/4G/5G state of every hex of the coverage
// (coverage.BestByHex) as the dead-zone analysis leaves it: a hex of a
// dead zone is Uncovered, with no best carrier, technology or source and
// no carrier serving it, whatever the coverage stage's states say (its
// 90%-reliability test or prediction): the verdict from every test wins,
// so that no hex is drawn or listed covered inside a dead zone. Other
// hexes keep the coverage stage's best.
func (r *DeadZoneResult) BestByHex() []coverage.Best {
	if r.Coverage == nil {
		return nil
	}
	best := coverage.BestByHex(r.Coverage.States)
	if len(r.Zones) == 0 {
		return best
	}
	dead := map[hexgrid.Cell]bool{}
	for _, z := range r.Zones {
		for _, c := range z.Cells {
			dead[c] = true
		}
	}
	for i, b := range best {
		if dead[b.Cell] {
			best[i] = coverage.Best{Cell: b.Cell, State: coverage.Uncovered, Has2G: b.Has2G}
		}
	}
	return best
}

// round4 rounds to 4 decimals (NaN stays NaN).
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// HexTable shapes the hex verdicts into result columns, one row per
// analysed populated hex in cell order: its centre, households, P(dead)
// at its centre (DeadZoneResult.PDead; empty when the hex was not
// decided), its status bin (deadzone.StatusOf), the dead zone holding it
// (a populated hex without 3G/4G at the cut, or one judged at its villages
// with a village without signal; empty when none) and its households the
// zone counts (DeadHouseholds; 0 outside a zone).
func HexTable(r *DeadZoneResult) ([]arrowio.Column, error) {
	zoneOf := map[hexgrid.Cell]string{}
	for _, z := range r.Zones {
		for _, c := range z.Cells {
			zoneOf[c] = z.ID
		}
	}
	deadHH := r.DeadHouseholds()
	pop := slices.Clone(r.Population)
	slices.SortFunc(pop, func(a, b population.Cell) int { return cmp.Compare(a.Cell, b.Cell) })
	n := len(pop)
	cell, status, zone, prov, comm := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lon, lat, hh, pd, dhh := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, p := range pop {
		ctr, err := p.Cell.Center()
		if err != nil {
			return nil, err
		}
		cell[i], lon[i], lat[i], hh[i] = p.Cell.String(), ctr[0], ctr[1], p.Households
		pd[i] = math.NaN()
		if v, ok := r.PDead[p.Cell]; ok {
			pd[i], status[i] = deadzone.RoundPDead(v, 4, r.RadioMap.Cut), deadzone.StatusOf(v).String()
		}
		zone[i], dhh[i] = zoneOf[p.Cell], deadHH[p.Cell]
		a := r.Admin[p.Cell]
		prov[i], comm[i] = a.Province, a.Commune
	}
	return []arrowio.Column{{Name: "cell", String: cell}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "households", Float64: hh}, {Name: "p_dead", Float64: pd}, {Name: "status", String: status},
		{Name: "zone_id", String: zone}, {Name: "dead_zone_households", Float64: dhh},
		{Name: "province", String: prov}, {Name: "commune", String: comm}}, nil
}

// parallelFor calls f(0) … f(n−1) on GOMAXPROCS goroutines, each index
// once, and returns the error of the lowest index that failed. f must
// write only to its own index's results. Once ctx is done the indices
// not yet started are skipped and ctx's error is returned.
func parallelFor(ctx context.Context, n int, f func(i int) error) error {
	errs := make([]error, n)
	parallel.For(n, 0, func(i int) {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			return
		}
		errs[i] = f(i)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// hexReadings returns a hex's readings of one key for signalPosterior,
// from its statistics row: the outdoor (and vehicle) readings, and the
// indoor ones as the rest of all readings when every row's environment is
// known (unknown-environment rows would otherwise be taken as indoor and
// raised by the indoor loss). ok is false without readings.
func hexReadings(r *aggregate.Row) (*nearSum, bool) {
	e := &nearSum{}
	if o := r.OutdoorSignal; o.N > 0 {
		e.out = evSum{n: int(o.N), sum: float64(o.N) * o.MeanDBm}
	}
	if a, o := r.Signal, r.OutdoorSignal; r.All.Rows == r.Outdoor.Rows+r.Indoor.Rows && a.N > o.N {
		e.in = evSum{n: int(a.N - o.N), sum: float64(a.N)*a.MeanDBm - e.out.sum}
	}
	return e, e.out.n+e.in.n > 0
}

// villageHexPDead sets the p_dead of each hex holding villages with a
// verdict and households to the households-weighted mean of their
// p_dead: the expected share of the hex's households without 3G/4G, for
// a population that is the villages' (a hex's households are then its
// villages', and a verdict at the hex's centre, where nobody may live,
// would make a zone of served villages or leave dead ones out of every
// zone). Hexes without such villages keep their centre's verdict.
func villageHexPDead(pDead map[hexgrid.Cell]float64, dv []deadzone.Village, cells []hexgrid.Cell,
	verdict func(deadzone.Village) (deadzone.Verdict, deadzone.Nearby, bool)) {
	type acc struct{ hh, dead float64 }
	sums := map[hexgrid.Cell]*acc{}
	for i, v := range dv {
		c := cells[i]
		if c == 0 || !(v.Households > 0) {
			continue
		}
		vd, _, ok := verdict(v)
		if !ok || math.IsNaN(vd.PDead) {
			continue
		}
		a := sums[c]
		if a == nil {
			a = &acc{}
			sums[c] = a
		}
		a.hh += v.Households
		a.dead += v.Households * vd.PDead
	}
	for c, a := range sums {
		pDead[c] = a.dead / a.hh
	}
}
