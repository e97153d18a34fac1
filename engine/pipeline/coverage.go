package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/radiomap"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// CoverageOptions control Coverage.
type CoverageOptions struct {
	// Aggregate selects and aggregates the measurements; its
	// Config.Resolution is the analysis resolution.
	Aggregate AggregateOptions
	Predict   predict.Config
	Coverage  coverage.Config
	EnvCuts   predict.EnvCutoffs
	// Cells are the analysis hexes to predict (at the analysis resolution).
	// Hexes with measurements are always added.
	Cells []hexgrid.Cell
	// Area, when set, limits the analysis to its hexes: Cells default to
	// the Area's, measured hexes and Cells outside it are dropped, and an
	// area holding neither measurements nor sites is an *EmptyAreaError.
	Area *Area
	// Population gives people per hex for the environment (density,
	// envAt); far from any population a point is rural.
	Population []population.Cell
	// Places, when set, say where the people of Population's cells live
	// (VillagePlaces: the villages, by households): the density spreads
	// a cell's people from its places, not from its centre.
	Places []population.Place
	// Calibrations, when given, correct predictions per carrier and
	// technology and set σ (coverage.ApplyCalibration,
	// coverage.SigmaFromCalibration) for pairs with at least MinPairs.
	Calibrations []coverage.Calibration
	MinPairs     int
	// SiteOffsets, when given, correct the predictions of the sites they
	// name (coverage.ApplySiteOffsets, after Calibrations).
	SiteOffsets []predict.SiteOffset
	// OffAir names the register's rows of masts listed active that the
	// tests show off the air (OffAirSites, kept in the calibration file):
	// they are predicted as down (predict.SetOffAir).
	OffAir []predict.SiteRef
	// Measured, when set, is the pass over the measurements (Measure) to
	// read instead of aggregating them again; it must have been made
	// with Aggregate's periods, carriers and configuration.
	Measured *Measured
	// SpeedAreas, when set, are the areas the pass over the measurements
	// counts each speed test for, by its own point (MeasureOptions.
	// SpeedAreas): the commands give the boundary set of --boundaries, the
	// scorecard's areas, so that every command reads the same saved pass.
	SpeedAreas *geodata.BoundarySet

	// bestServer, when set, stands for predict.BestServerContext (a month's run
	// reads back a search saved for the same sites, points and options:
	// periodRun.savedBestServer).
	bestServer func(context.Context, []engine.Site, predict.Points, predict.Config) (*predict.Result, error)
}

// DefaultMinPairs is the fewest (measured, predicted) hex pairs a
// network's calibration needs to be applied (coverage.ApplyCalibration):
// fewer leave that network's predictions and σ as the model gives them.
const DefaultMinPairs = 10

// DefaultCoverageOptions returns the options every command and the
// service start from at an analysis resolution: the aggregation,
// prediction and coverage defaults (aggregate.DefaultConfig,
// predict.DefaultConfig, coverage.DefaultConfig), the default environment
// cut-offs and DefaultMinPairs. The caller adds the analysis hexes,
// population, area and calibrations.
func DefaultCoverageOptions(res int) (CoverageOptions, error) {
	// The analysis feeds the challenge process, which rolls a hex's tests
	// up to coarser parents down to its RollupRes.
	if rr := challenge.DefaultConfig().RollupRes; res < rr {
		return CoverageOptions{}, fmt.Errorf("resolution %d: the analysis needs resolution %d or finer (the challenge process rolls hexes up to resolution %d): %w",
			res, rr, rr, engine.ErrInvalidConfig)
	}
	acfg := aggregate.DefaultConfig()
	acfg.Resolution = res
	if err := acfg.Validate(); err != nil {
		return CoverageOptions{}, err
	}
	ccfg := coverage.DefaultConfig()
	ccfg.Resolution = res
	return CoverageOptions{Aggregate: AggregateOptions{Config: acfg}, Predict: predict.DefaultConfig(), Coverage: ccfg,
		EnvCuts: predict.DefaultEnvCutoffs(), MinPairs: DefaultMinPairs}, nil
}

// CoverageResult is the fused coverage and the evidence behind it.
type CoverageResult struct {
	States   []coverage.State
	Measured []aggregate.Row
	// NotChosen are the statistics of the rows whose technology the device
	// did not choose (Measured.NotChosen), what calibration fits on where
	// they are enough; empty when the result was read back or the
	// measurements aggregated over several months. Not saved.
	NotChosen []aggregate.Row
	Predicted []coverage.PredictedCell
	Sites     []engine.Site
	Down      []engine.Site // sites excluded because they are down
	Rejected  []string      // sites the models could not evaluate, with the reason
	// HeightClamped names the sites (SITE (carrier tech) height) whose
	// register height lay outside the models' range, predicted at the
	// nearer bound (predict.Result.HeightClamped).
	HeightClamped []string
	// Evaluations counts (hex, site) pairs whose signal was computed: by
	// the searches that made the predictions (a saved search extended by
	// new hexes, after a late dump, counts the pairs of both).
	Evaluations int64
	// RowsRead counts the measurement rows the pass read (every area's);
	// AreaRows, for an analysis limited to an Area, those of its hexes
	// (every row, indoor and unknown environment included).
	RowsRead int64
	AreaRows int64
	Skipped  aggregate.Skipped
	Config   coverage.Config

	// lean marks a result read back without Measured and Predicted;
	// partial one read back with only the Measured rows the dead-zone
	// verdicts read and no Predicted. measuredKeys is then how many
	// Measured held.
	lean, partial bool
	measuredKeys  int
}

// Lean reports a result read back without its per-key statistics
// (Measured) and predictions (Predicted), as the stages that read neither
// load it: States hold what they need (a state's PredictedDBm is its
// prediction, NaN where there is none).
func (r *CoverageResult) Lean() bool { return r.lean }

// MeasuredKeys is the number of (hex, carrier, technology) keys measured:
// len(Measured), or what a lean or partial result's Measured held.
func (r *CoverageResult) MeasuredKeys() int {
	if r.lean || r.partial {
		return r.measuredKeys
	}
	return len(r.Measured)
}

// CoverageStates is Coverage for callers that read the states and the
// summary (sites, sites down, rows read) but neither Measured nor
// Predicted: a saved coverage is read back lean (CoverageResult.Lean),
// about 200 MB less for the country month; one computed here is whole.
func CoverageStates(ctx context.Context, s Store, opt CoverageOptions) (*CoverageResult, error) {
	if len(opt.Aggregate.Periods) == 1 && opt.Measured == nil {
		return stagedCoverage(ctx, s, opt, true)
	}
	return Coverage(ctx, s, opt)
}

// Coverage reads the dataset's sites and measurements, predicts the best
// server per (hex, carrier, tech) over opt.Cells and the measured hexes,
// applies calibrations, and fuses measured and predicted evidence
// (coverage.Fuse).
//
// The coverage of one period (Aggregate.Periods of length 1, Measured
// nil) goes through the period's saved stages (see Run): the saved
// coverage when current, else one computed from the period's saved
// passes over the measurements and saved.
func Coverage(ctx context.Context, s Store, opt CoverageOptions) (*CoverageResult, error) {
	if len(opt.Aggregate.Periods) == 1 && opt.Measured == nil {
		return stagedCoverage(ctx, s, opt, false)
	}
	out, err := predictedCoverage(ctx, s, opt)
	if err != nil {
		return nil, err
	}
	if out.States, err = coverage.Fuse(out.Measured, out.Predicted, out.Config); err != nil {
		return nil, err
	}
	return out, nil
}

// predictedCoverage is Coverage without its states: the measured rows,
// the predictions (calibrated as opt says) and the configuration the
// states would be fused with.
func predictedCoverage(ctx context.Context, s Store, opt CoverageOptions) (*CoverageResult, error) {
	res := opt.Aggregate.Config.Resolution
	if opt.Coverage.Resolution != res {
		return nil, fmt.Errorf("pipeline: coverage resolution %d differs from the aggregation resolution %d: %w",
			opt.Coverage.Resolution, res, engine.ErrInvalidConfig)
	}
	sites, err := s.Sites(nil)
	if err != nil {
		return nil, err
	}
	predict.SetOffAir(sites, opt.OffAir) // the register read here: its own
	out := &CoverageResult{Sites: sites}
	if m := opt.Measured; m != nil {
		out.Measured, out.NotChosen, out.RowsRead, out.Skipped = m.Rows, m.NotChosen, m.RowsRead, m.Skipped
	} else if len(s.Parts("measurements", nil, nil)) > 0 {
		agg, rows, err := Aggregate(ctx, s, opt.Aggregate)
		if err != nil {
			return nil, err
		}
		out.Measured, out.RowsRead, out.Skipped = agg.Rows(), rows, agg.Skipped()
	}
	cells := slices.Clone(opt.Cells)
	if opt.Area != nil {
		if out.Measured, out.NotChosen, err = opt.Area.clip(out.Measured, out.NotChosen, sites, res, opt.Aggregate.Periods); err != nil {
			return nil, err
		}
		for _, r := range out.Measured {
			out.AreaRows += r.All.Rows
		}
		if len(cells) == 0 {
			cells = slices.Clone(opt.Area.Cells)
		}
		cells = opt.Area.keep(cells)
	}
	for _, r := range out.Measured {
		cells = append(cells, r.Cell)
	}
	slices.Sort(cells)
	cells = slices.Compact(cells)
	if len(cells) == 0 {
		// No hex to decide: the outputs would be empty tables that read
		// as an analysis of nothing, written and exiting as a success.
		tests := "no measurements in the dataset"
		if len(opt.Aggregate.Periods) > 0 {
			tests = "no measurements in " + strings.Join(opt.Aggregate.Periods, ", ")
		}
		return nil, missingError{fmt.Sprintf("pipeline: no hexes to analyse: %s, and no population table, villages or area to say where to predict (the register's %d sites alone say nothing of where people live): give a population table, an area, or ingest a villages table",
			tests, len(sites))}
	}
	for _, c := range cells {
		if c.Resolution() != res {
			return nil, fmt.Errorf("pipeline: analysis cell %v is at resolution %d, want %d", c, c.Resolution(), res)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pts, err := points(cells, opt)
	if err != nil {
		return nil, err
	}
	var predicted []coverage.PredictedCell
	if len(sites) > 0 && len(cells) > 0 {
		bs := opt.bestServer
		if bs == nil {
			bs = predict.BestServerContext
		}
		r, err := bs(ctx, sites, pts, opt.Predict)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Evaluations = r.Evaluations
		for _, i := range r.Down {
			out.Down = append(out.Down, sites[i])
		}
		for _, se := range r.Rejected {
			out.Rejected = append(out.Rejected, fmt.Sprintf("%s (%s %s): %v", sites[se.Site].SiteID, sites[se.Site].Carrier, sites[se.Site].Tech, se.Err))
		}
		for _, i := range r.HeightClamped {
			s := &sites[i]
			out.HeightClamped = append(out.HeightClamped, fmt.Sprintf("%s (%s %s): %g m, predicted at %g m", s.SiteID, s.Carrier, s.Tech, s.HeightM,
				predict.ModelHeightM(s.HeightM)))
		}
		if predicted, err = coverage.FromBestServer(r, cells, sites); err != nil {
			return nil, err
		}
	}
	if len(predicted) == 0 && len(out.Measured) == 0 {
		// Every hex without a state: the tables would be empty, read as
		// an analysis that found nothing to say, with exit status 0.
		where := ""
		if len(sites) > 0 {
			where = fmt.Sprintf(", the first at %.4f, %.4f", sites[0].Lon, sites[0].Lat)
		}
		return nil, missingError{fmt.Sprintf("pipeline: none of the register's %d sites (%d down%s) reaches any of the %d hexes analysed, and no test was made in them: nothing to decide; a register of another area or country?",
			len(sites), len(out.Down), where, len(cells))}
	}
	cfg := opt.Coverage
	if len(opt.Calibrations) > 0 {
		coverage.CalibrateInPlace(predicted, opt.Calibrations, opt.MinPairs)
		sig := coverage.SigmaFromCalibration(opt.Calibrations, opt.MinPairs)
		merged := map[coverage.CarrierTech]float64{}
		for k, v := range cfg.SigmaDB {
			merged[k] = v
		}
		for k, v := range sig {
			merged[k] = v
		}
		cfg.SigmaDB = merged
	}
	if len(opt.SiteOffsets) > 0 {
		coverage.OffsetSitesInPlace(predicted, opt.SiteOffsets)
	}
	out.Predicted = predicted
	out.Config = cfg
	return out, nil
}

// CalibrationInputs returns what a calibration reads (coverage.Calibrate):
// Coverage's measured rows, uncalibrated predictions at the measured and
// analysis hexes and configuration, without its states. The analysis of
// one period reads the period's saved pass over the measurements and
// best-server search, and saves them when it computes them (the month's
// run then reads both back), as Coverage does; no coverage is fused or
// saved: the run's coverage is a calibrated one. opt should carry no
// calibration.
func CalibrationInputs(ctx context.Context, s Store, opt CoverageOptions) (*CoverageResult, error) {
	if len(opt.Aggregate.Periods) != 1 || opt.Measured != nil {
		return predictedCoverage(ctx, s, opt)
	}
	mo, err := coverageMeasureOptions(s, opt)
	if err != nil {
		return nil, err
	}
	r := newPeriodRun(s, opt.Aggregate.Periods[0], mo, nil, &RunSummary{})
	m, err := r.measured(ctx, true)
	if err != nil {
		return nil, err
	}
	var searched []StageSummary
	opt.Measured = m
	opt.bestServer = r.savedBestServer(siteParts(s), opt.OffAir, &searched)
	return predictedCoverage(ctx, s, opt)
}

// points returns hex centres with their environment (envAt).
func points(cells []hexgrid.Cell, opt CoverageOptions) (predict.Points, error) {
	pts := predict.Points{Lon: make([]float64, len(cells)), Lat: make([]float64, len(cells))}
	for i, c := range cells {
		ctr, err := c.Center()
		if err != nil {
			return pts, err
		}
		pts.Lon[i], pts.Lat[i] = ctr[0], ctr[1]
	}
	var err error
	pts.Env, pts.EnvFrac, err = envAt(pts.Lon, pts.Lat, opt)
	return pts, err
}

// envAt returns the environment of each point (envField).
func envAt(lon, lat []float64, opt CoverageOptions) ([]predict.Env, []float64, error) {
	f, err := newEnvField(opt)
	if err != nil {
		return nil, nil, err
	}
	return f.atAll(lon, lat)
}

// PopulationKey identifies what sets the environment of every point —
// the population table's cells, the places of their people and the
// cut-offs — for a calibration file to say what its fits were made under
// (a calibration fitted under one population applied under another
// corrects predictions made in other environments).
func PopulationKey(opt CoverageOptions) string {
	return hashConfig(struct {
		Population []population.Cell
		Places     []population.Place
		EnvCuts    predict.EnvCutoffs
	}{opt.Population, opt.Places, opt.EnvCuts})
}

// envField is the environment at any point: the class and share of the
// next class up (predict.EnvCutoffs.Position) of the population density
// there, estimated continuously from the population table
// (population.Density of opt.Population, its people at opt.Places), so
// the predicted path loss has no step at a hex border. Without a
// population table every point is rural. Safe for concurrent use.
type envField struct {
	dens *population.Density // nil: no population table
	cuts predict.EnvCutoffs
}

func newEnvField(opt CoverageOptions) (*envField, error) {
	f := &envField{cuts: opt.EnvCuts}
	if len(opt.Population) == 0 {
		return f, nil
	}
	var err error
	f.dens, err = densityOf(opt.Population, opt.Places)
	return f, err
}

// densityOf returns population.NewDensity of cells and places, built once
// per process for the same inputs: every stage of a run, and every
// command of a process that runs several (the demo, the service), places
// the same people, and a country's density takes about a second to
// build. The last densityMemoSize are kept, under their inputs' hash
// (hashConfig, about 30 ms for the country's); a Density is read-only,
// safe to share.
func densityOf(cells []population.Cell, places []population.Place) (*population.Density, error) {
	key := hashConfig(struct {
		Population []population.Cell
		Places     []population.Place
	}{cells, places})
	densityMemo.mu.Lock()
	for _, e := range densityMemo.entries {
		if e.key == key {
			densityMemo.mu.Unlock()
			return e.d, nil
		}
	}
	densityMemo.mu.Unlock()
	d, err := population.NewDensity(cells, places)
	if err != nil {
		return nil, err
	}
	densityMemo.mu.Lock()
	defer densityMemo.mu.Unlock()
	if len(densityMemo.entries) == densityMemoSize {
		densityMemo.entries = slices.Delete(densityMemo.entries, 0, 1)
	}
	densityMemo.entries = append(densityMemo.entries, densityEntry{key, d})
	return d, nil
}

// densityMemoSize is how many densities densityOf keeps: a process works
// on one population at a time (two while the service replaces a
// release).
const densityMemoSize = 2

var densityMemo struct {
	mu      sync.Mutex
	entries []densityEntry
}

type densityEntry struct {
	key string
	d   *population.Density
}

// density returns the people per km² at (lon, lat); 0 without a
// population table.
func (f *envField) density(lon, lat float64) (float64, error) {
	if f.dens == nil {
		return 0, nil
	}
	return f.dens.At(lon, lat)
}

// at returns the environment at (lon, lat).
func (f *envField) at(lon, lat float64) (predict.Env, float64, error) {
	if f.dens == nil {
		return predict.EnvRural, 0, nil
	}
	d, err := f.density(lon, lat)
	if err != nil {
		return predict.EnvRural, 0, err
	}
	return f.cuts.Position(d)
}

// atAll returns the environment at each point, as columns: the points'
// densities read on every core (a country's villages, about a second on
// one), the first failing point's error.
func (f *envField) atAll(lon, lat []float64) ([]predict.Env, []float64, error) {
	env, frac := make([]predict.Env, len(lon)), make([]float64, len(lon))
	err := parallel.Chunks(len(lon), envChunk, 0, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			var err error
			if env[i], frac[i], err = f.at(lon[i], lat[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return env, frac, nil
}

// envChunk is how many points a worker of envField's takes at a time.
const envChunk = 2048

// tableChunk is how many rows a worker shaping a table takes at a time.
const tableChunk = 8192

// knots returns the density at (lon, lat) on the clutter correction's
// knots (clutterMembership); without a population, the first knot.
func (f *envField) knots(lon, lat float64) (radiomap.Membership, error) {
	d, err := f.density(lon, lat)
	return clutterMembership(d), err
}

// CoverageTable shapes states into result columns.
func CoverageTable(states []coverage.State) ([]arrowio.Column, error) {
	n := len(states)
	cell, carrier, tech, state, source, serving := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	res, tests, failures := make([]int64, n), make([]int64, n), make([]int64, n)
	var f [9][]float64
	for i := range f {
		f[i] = make([]float64, n)
	}
	// The rows on every core (a country's million states), the first
	// failing row's error.
	err := parallel.Chunks(n, tableChunk, 0, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			s := &states[i]
			ctr, err := s.Cell.Center()
			if err != nil {
				return err
			}
			cell[i], res[i] = s.Cell.String(), int64(s.Cell.Resolution())
			carrier[i], tech[i], state[i], source[i], serving[i] = string(s.Carrier), s.Tech.String(), s.State.String(), s.Source.String(), s.ServingSite
			tests[i], failures[i] = s.Tests, s.Failures
			for j, v := range []float64{ctr[0], ctr[1], s.ShareBelow, s.PValue, s.MedianDBm, s.PredictedDBm, s.SigmaDB, s.MarginDB, s.DistanceM} {
				f[j][i] = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []arrowio.Column{
		{Name: "cell", String: cell}, {Name: "res", Int64: res}, {Name: "lon", Float64: f[0]}, {Name: "lat", Float64: f[1]},
		{Name: "carrier", String: carrier}, {Name: "tech", String: tech}, {Name: "state", String: state}, {Name: "source", String: source},
		{Name: "tests", Int64: tests}, {Name: "failures", Int64: failures}, {Name: "share_below", Float64: f[2]},
		{Name: "p_value", Float64: f[3]}, {Name: "median_dbm", Float64: f[4]}, {Name: "predicted_dbm", Float64: f[5]},
		{Name: "sigma_db", Float64: f[6]}, {Name: "margin_db", Float64: f[7]}, {Name: "distance_m", Float64: f[8]},
		{Name: "serving_site", String: serving},
	}, nil
}

// BestTable shapes the per-hex best 3G/4G/5G state into result columns.
func BestTable(best []coverage.Best) ([]arrowio.Column, error) {
	n := len(best)
	cell, state, source, carrier, tech, carriers := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lon, lat := make([]float64, n), make([]float64, n)
	has2g := make([]bool, n)
	err := parallel.Chunks(n, tableChunk, 0, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			b := &best[i]
			ctr, err := b.Cell.Center()
			if err != nil {
				return err
			}
			cell[i], lon[i], lat[i] = b.Cell.String(), ctr[0], ctr[1]
			state[i], carrier[i] = b.State.String(), string(b.Carrier)
			if b.Tech != engine.TechUnknown {
				tech[i], source[i] = b.Tech.String(), b.Source.String()
			}
			cs := make([]string, len(b.Carriers))
			for j, c := range b.Carriers {
				cs[j] = string(c)
			}
			carriers[i] = strings.Join(cs, " ")
			has2g[i] = b.Has2G
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []arrowio.Column{{Name: "cell", String: cell}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat},
		{Name: "state", String: state}, {Name: "source", String: source}, {Name: "carrier", String: carrier},
		{Name: "tech", String: tech}, {Name: "carriers", String: carriers}, {Name: "has_2g", Bool: has2g}}, nil
}

// ReadPopulationCSV reads a population table written by lomsong
// population (columns cell or h3, population, households; others
// ignored).
//
// A file that is not CSV text (lomsong population's Parquet output, a
// raster) and a table without rows are refused, wrapping
// population.ErrInvalidInput and ErrMissingData. So are the rows lomsong
// population would not write, naming their line: a table without
// households (every hex would count none: lomsong population derives
// them), households missing, not a count or above the row's people, a
// cell listed twice or at another resolution than the first row's, counts
// beyond MaxPeoplePerKm2 over the cell's area; and a table none of whose
// cells lies in Viet Nam (OutsideVietNam).
func ReadPopulationCSV(r io.Reader) ([]population.Cell, error) {
	// Read as lomsong population --h3 reads the same table: UTF-16 with
	// its byte-order mark, comma, semicolon or tab separated, decimal
	// commas in the last two (a table saved by Excel under a Vietnamese
	// locale was refused here as missing its columns).
	br := population.TableText(r)
	if head, _ := br.Peek(512); len(head) > 0 {
		if f := ingest.Sniff(head); f != ingest.FormatCSV {
			return nil, fmt.Errorf("population table: not CSV text but %s: give the population.csv lomsong population writes (a raster goes through lomsong population --raster first): %w",
				f, population.ErrInvalidInput)
		}
		if n := bytes.IndexByte(head, '\n'); !utf8.Valid(head[:max(n, 0)]) || bytes.ContainsAny(head, "\x00") {
			return nil, fmt.Errorf("population table: not CSV text (binary bytes in its first line): give the population.csv lomsong population writes: %w", population.ErrInvalidInput)
		}
	}
	cr, decimalComma := population.NewTableCSV(br)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, missingError{"population table: an empty file"}
	}
	if err != nil {
		return nil, fmt.Errorf("population table: header: %w", err)
	}
	ic, ip, ih := -1, -1, -1
	if len(head) > 0 {
		// A byte-order mark (a spreadsheet's save) is no part of the name.
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "cell", "h3", "h3_index":
			ic = i
		case "population":
			ip = i
		case "households":
			ih = i
		}
	}
	if ic < 0 || ip < 0 {
		return nil, fmt.Errorf("population table: want columns cell (or h3) and population, got %v: %w", head, engine.ErrMissingColumn)
	}
	if ih < 0 {
		return nil, fmt.Errorf("population table: no households column (its columns: %s): every hex would count no household; lomsong population --h3 FILE derives them from the census household sizes (it reads this table): %w",
			strings.Join(head, ", "), engine.ErrMissingColumn)
	}
	cellCol := head[ic] // the record is reused: the header's names are kept
	seen := map[hexgrid.Cell]int{}
	var maxPeople float64
	var out []population.Cell
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("population table: line %d: %w", line, err)
		}
		c, err := hexgrid.Parse(rec[ic])
		if err != nil {
			return nil, fmt.Errorf("population table: line %d, column %s: %w: %w", line, cellCol, err, population.ErrInvalidInput)
		}
		if len(out) == 0 {
			if maxPeople, err = MaxPeopleIn(c); err != nil {
				return nil, fmt.Errorf("population table: line %d, column %s: %w", line, cellCol, err)
			}
		} else if r, r0 := c.Resolution(), out[0].Cell.Resolution(); r != r0 {
			return nil, fmt.Errorf("population table: line %d, column %s: cell %v at resolution %d where line 2's is at %d: give one resolution per table: %w",
				line, cellCol, c, r, r0, population.ErrInvalidInput)
		}
		if first, ok := seen[c]; ok {
			return nil, fmt.Errorf("population table: line %d, column %s: cell %v is listed on line %d too: one row per cell: %w", line, cellCol, c, first, population.ErrInvalidInput)
		}
		seen[c] = line
		for _, c := range []struct {
			i    int
			name string
		}{{ip, "population"}, {ih, "households"}} {
			v, err := population.LocaleNumber(strings.TrimSpace(rec[c.i]), decimalComma)
			if err != nil {
				return nil, fmt.Errorf("population table: line %d, column %s: %w", line, c.name, err)
			}
			rec[c.i] = v
		}
		p, err := strconv.ParseFloat(rec[ip], 64)
		if err != nil || p < 0 || math.IsNaN(p) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("population table: line %d, column population: %q is not a count: %w", line, rec[ip], population.ErrInvalidInput)
		}
		hh, err := strconv.ParseFloat(rec[ih], 64)
		switch {
		case rec[ih] == "":
			return nil, fmt.Errorf("population table: line %d, column households: empty (lomsong population writes households on every row): %w", line, population.ErrInvalidInput)
		case err != nil || hh < 0 || math.IsNaN(hh) || math.IsInf(hh, 0):
			return nil, fmt.Errorf("population table: line %d, column households: %q is not a count: %w", line, rec[ih], population.ErrInvalidInput)
		case hh > p:
			return nil, fmt.Errorf("population table: line %d, column households: %s households for %s people: a household is at least one person: %w",
				line, rec[ih], rec[ip], population.ErrInvalidInput)
		case p > maxPeople:
			return nil, fmt.Errorf("population table: line %d, column population: %s people in a cell of resolution %d, above the %.0f it may hold (%.0f a km² over its area, half again for the spread of cell areas): %w",
				line, rec[ip], c.Resolution(), maxPeople, float64(MaxPeoplePerKm2), population.ErrInvalidInput)
		}
		out = append(out, population.Cell{Cell: c, Population: p, Households: hh})
	}
	if len(out) == 0 {
		return nil, missingError{"population table: only a header, no cells"}
	}
	if _, hh := population.Totals(out); hh == 0 {
		return nil, fmt.Errorf("population table: every cell has 0 households: every hex would count no household and the run would answer no dead zone; lomsong population derives households from the census household sizes (leave the households column out of its input): %w",
			population.ErrInvalidInput)
	}
	if n, first, err := OutsideVietNam(out); err != nil {
		return nil, err
	} else if float64(n) >= MostlyOutsideVietNam*float64(len(out)) {
		return nil, fmt.Errorf("population table: %d of its %d cells lie outside Viet Nam (the first at %.4f, %.4f): another country's table? %w",
			n, len(out), first[0], first[1], population.ErrInvalidInput)
	}
	return out, nil
}

// MaxPeopleIn returns the most people a population table may put in a
// cell of c's resolution: MaxPeoplePerKm2 over its area, with room for the
// spread of cell areas within a resolution (up to about 2×); a cell of
// resolution 9 or finer is bounded as a resolution-8 cell (a village's
// people at its point, lomsong population --points, are a place, not a
// density).
func MaxPeopleIn(c hexgrid.Cell) (float64, error) {
	a, err := c.AreaKm2()
	if err != nil {
		return 0, err
	}
	if c.Resolution() > population.DensityRes {
		if a, err = hexgrid.AvgAreaKm2(population.DensityRes); err != nil {
			return 0, err
		}
	}
	return MaxPeoplePerKm2 * a * 1.5, nil
}

// MaxPeoplePerKm2 bounds the people a population table may put in a cell,
// over its area (a resolution-8 cell's for finer cells, which may hold a
// whole village at its point): about 20 times the densest wards of Hà Nội
// and Hồ Chí Minh City (some 40,000–50,000 a km²). Above it a count is a
// unit or typing error (or 1e308), not a place.
const MaxPeoplePerKm2 = 1_000_000

// OutsideVietNam counts the cells whose centres lie in none of the 34
// provinces of 2025 (geodata.Provinces2025: another country, or the sea
// beyond the provinces' outlines) and returns the first such centre.
func OutsideVietNam(cells []population.Cell) (int, orb.Point, error) {
	set, err := geodata.Provinces2025()
	if err != nil {
		return 0, orb.Point{}, err
	}
	hexes := make([]hexgrid.Cell, len(cells))
	for i, c := range cells {
		hexes[i] = c.Cell
	}
	centres, codes, err := cellProvinces(set, hexes)
	if err != nil {
		return 0, orb.Point{}, err
	}
	n := 0
	var first orb.Point
	for i, code := range codes {
		if code == "" {
			if n == 0 {
				first = centres[i]
			}
			n++
		}
	}
	return n, first, nil
}

// MostlyOutsideVietNam is the share of a population table's cells outside
// Viet Nam (OutsideVietNam) from which the table is refused as another
// country's: a table of Viet Nam, or of a province, reaches over the
// border or the coast by a few cells at most.
const MostlyOutsideVietNam = 0.99
