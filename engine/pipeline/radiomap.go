package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/radiomap"
	"github.com/paulmach/orb"
	"gonum.org/v1/gonum/mat"
)

// RadioMapOptions control the residual field the verdicts read.
type RadioMapOptions struct {
	// Model is the prior of the residual field; the zero Model is fitted
	// to the observations (radiomap.Fit, seed 1), or DefaultResidualModel
	// when they are too few to fit.
	Model radiomap.Model
	// Map tunes the local kriging (radiomap.Options; zero takes its
	// defaults).
	Map radiomap.Options
	// NoiseDB is a reading's own noise, dB (default
	// DefaultMeasurementNoiseDB); IndoorLossSigmaDB the spread of the
	// building loss, added in quadrature for indoor tests (default
	// DefaultIndoorLossSigmaDB).
	NoiseDB, IndoorLossSigmaDB float64
	// ScannerNoiseDB is a drive-test scanner's reading noise, dB (default
	// DefaultScannerNoiseDB).
	ScannerNoiseDB float64
}

// DefaultResidualModel is the residual field's prior when none is given
// and the tests are too few to fit one:
// a shared component of 25 dB² over 1 km and a per-key one of 25 dB² over
// 500 m (together σ ≈ 7.1 dB, the calibrated predictions' residual σ on
// the demo's networks, 5.6–9.2 dB), and a 16 dB² nugget (a phone's ±4 dB).
var DefaultResidualModel = radiomap.Model{SharedSillDB2: 25, SharedRangeM: 1000, OwnSillDB2: 25, OwnRangeM: 500, NuggetDB2: 16}

// DefaultScannerNoiseDB is the noise of a drive-test scanner's reading,
// dB: a calibrated measuring receiver averaging many reference symbols,
// taken as 3 dB against a phone's 4 (DefaultMeasurementNoiseDB). Taking a
// phone's noise for a scanner overstates the noise the variogram takes
// off each pair, which hides the short-range structure of the field in a
// negative semivariance at short lags.
const DefaultScannerNoiseDB = 3

// DefaultIndoorLossSigmaDB is the spread of the building penetration loss
// between buildings, dB (ITU-R P.2109's lognormal spread is 4–8 dB at
// 1–3 GHz).
const DefaultIndoorLossSigmaDB = 6

// evidenceRes is the resolution at which tests are collapsed into one
// observation per (cell, analysis hex, carrier, technology, kind):
// resolution 11, edge
// about 25 m, finer than the shortest shadowing correlation distances
// (3GPP TR 38.901 Table 7.5-6: 37–120 m), so collapsing loses no
// structure the fit could see; the observations then grow with the
// tested places, not the rows.
const evidenceRes = 11

// Fit's bins: fitBinM wide out to fitMaxDistM.
const (
	fitBinM     = 50
	fitMaxDistM = 3000
)

// reachRes is the resolution of the cells that bound which tests are
// read: a test is read when its resolution-7 cell is within two rings of
// the cell of a village or populated hex centre, that is within 3 km or
// more of it (two rings of resolution-7 cells, centres about 2.1 km
// apart). Beyond that the fields' correlation is below 5%.
const reachRes = 7

// RadioMapReport describes the residual field of a run and the verdict's
// settings, for the outputs' metadata.
type RadioMapReport struct {
	Model radiomap.Model `json:"model"`
	// ModelSource says where Model came from: "fitted", "given" or
	// "default" (too few tests to fit); Fit is the fit's report when
	// fitted.
	ModelSource string              `json:"model_source"`
	Fit         *radiomap.FitReport `json:"fit,omitempty"`
	// IndoorLossDB is the building loss added to indoor tests;
	// IndoorLossFitted whether it was fitted (deadzone.IndoorLossPaired,
	// from IndoorLossPairs indoor phone readings paired with outdoor ones
	// at their place, IndoorLossCensored of them bounds).
	IndoorLossDB       float64 `json:"indoor_loss_db"`
	IndoorLossFitted   bool    `json:"indoor_loss_fitted"`
	IndoorLossPairs    int     `json:"indoor_loss_pairs"`
	IndoorLossCensored int     `json:"indoor_loss_censored"`
	// NoiseDB is a reading's own noise, IndoorLossSigmaDB the building
	// loss's spread added for indoor readings.
	NoiseDB           float64 `json:"noise_db"`
	IndoorLossSigmaDB float64 `json:"indoor_loss_sigma_db"`
	// IndoorLossSigmaFitted reports that IndoorLossSigmaDB was fitted from
	// the readings (deadzone.IndoorLossPaired); ScannerNoiseDB is a
	// scanner's reading noise.
	IndoorLossSigmaFitted bool    `json:"indoor_loss_sigma_fitted"`
	ScannerNoiseDB        float64 `json:"scanner_noise_db"`
	// TestsRead are the measurement rows read, TestsNear those within
	// reach of a village or populated hex centre.
	TestsRead int64 `json:"tests_read"`
	TestsNear int64 `json:"tests_near"`
	// Exact and Upper count the observations (collapsed per
	// CollapseResolution cell, analysis hex, key and kind);
	// ReadingsWithoutPrediction the readings dropped for want of a
	// prediction of their key at their cell.
	Exact                     int   `json:"observations_exact"`
	Upper                     int   `json:"observations_upper"`
	ReadingsWithoutPrediction int64 `json:"readings_without_prediction"`
	// MeanFitObservations is how many observations the keys' means and
	// the clutter correction were fitted on (all but phones' fallback
	// readings, see buildRadioMap).
	MeanFitObservations int      `json:"mean_fit_observations,omitempty"`
	Keys                []string `json:"keys"`
	// KeyMeans are each key's constant mean residual (the calibrated
	// prediction's offset), fitted with the censored tests counted.
	KeyMeans []radiomap.KeyMean `json:"key_means"`
	// ClutterOffsets are the fitted clutter correction, an offset by the
	// population density at a point (fitClutterOffsets): every prediction
	// at a point gains it before the field is kriged around it. Empty
	// when not fitted (no population, or given key means).
	ClutterOffsets []ClutterOffsetReport `json:"clutter_offsets,omitempty"`
	// VarianceScale is the factor radiomap.FitMarginal applied to the
	// fitted or default model's sills and nugget (0: the model was given
	// and kept as is); Model is the scaled model, Fit.Model the
	// variogram's.
	VarianceScale      float64 `json:"variance_scale,omitempty"`
	CollapseResolution int     `json:"collapse_resolution"`
	ReachResolution    int     `json:"reach_resolution"`
	MaxNeighbours      int     `json:"max_neighbours"`
	MaxDistM           float64 `json:"max_dist_m"`
	NearbyRadiusM      float64 `json:"nearby_radius_m"`
	MonteCarloDraws    int     `json:"monte_carlo_draws"`
	Cut                float64 `json:"cut"`
	// unpred holds the exact readings of keys without a prediction at
	// their cell, for the places near them (not saved: the verdicts are
	// computed with the map).
	unpred *unpredicted
}

// evSum sums readings (or bounds).
type evSum struct {
	n   int
	sum float64
}

// nearSum is a key's readings near a point, outdoor and indoor apart
// (nearFix).
type nearSum struct{ out, in evSum }

// evReading is the sum of one kind of reading of one key (carrier,
// tech) in one evidenceRes cell, from the tests whose points lie in one
// analysis hex (hex): a cell near a hex's edge straddles it, and the
// tests on either side are calibrated as their own hex is. Its fields
// are flat and its kind one byte, 48 bytes (a key and a sum as structs
// of their own, and a bool per kind, took 64): a national month holds
// tens of millions.
type evReading struct {
	cell, hex hexgrid.Cell
	carrier   engine.Carrier
	sum       float64 // the readings' (or bounds') sum, dBm
	// n is how many readings: those of one cell of about 25 m, one key
	// and kind in one month (evFix.n, summed by the pass), far below 2³¹.
	n    int32
	tech engine.Tech
	kind evKind
}

// evKind is a reading's kind, a bit each: an upper bound (no service, at
// the floor), indoor, a scanner's (a drive test or a measuring receiver:
// ScannerNoiseDB rather than a phone's NoiseDB), a phone's fallback
// technology below 4G (deadzone.Reading.Fallback: kriged, but not in a
// key's mean). The bits' order is cmpReading's: kinds compare as numbers.
type evKind uint8

const (
	kindFallback evKind = 1 << iota
	kindScanner
	kindIndoor
	kindUpper
)

// kindOf returns the kind of a reading with these marks.
func kindOf(upper, indoor, scanner, fallback bool) evKind {
	var k evKind
	if upper {
		k |= kindUpper
	}
	if indoor {
		k |= kindIndoor
	}
	if scanner {
		k |= kindScanner
	}
	if fallback {
		k |= kindFallback
	}
	return k
}

func (r *evReading) upper() bool    { return r.kind&kindUpper != 0 }
func (r *evReading) indoor() bool   { return r.kind&kindIndoor != 0 }
func (r *evReading) scanner() bool  { return r.kind&kindScanner != 0 }
func (r *evReading) fallback() bool { return r.kind&kindFallback != 0 }

// key is the reading's carrier and technology.
func (r *evReading) key() deadzone.Key { return deadzone.Key{Carrier: r.carrier, Tech: r.tech} }

// mean is the mean of the reading's readings (or bounds).
func (r *evReading) mean() float64 { return r.sum / float64(r.n) }

// evidence is what the pass over the measurements gathers for the radio
// map (Measure): readings per evidenceRes cell, analysis hex, key and
// kind, and the tests near each village. The readings are a slice sorted
// by key (cmpReading), not a map: 48 bytes each instead of about
// 280 for a map entry with its key list and a pointer per sum, and their
// number grows with the cells measured.
type evidence struct {
	readings []evReading
	nearby   []deadzone.Nearby // per village
	// near holds each village's exact readings within
	// deadzone.NearbyRadiusM, per key, outdoor and indoor apart (for keys
	// without prediction).
	near               []map[deadzone.Key]*nearSum
	rowsRead, rowsNear int64
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// reachCells returns the resolution-7 cells within two rings of every
// anchor's: about 3 km or more around each anchor.
func reachCells(anchors []orb.Point) (map[hexgrid.Cell]bool, error) {
	own := map[hexgrid.Cell]bool{}
	for _, p := range anchors {
		c, err := hexgrid.Index(p[0], p[1], reachRes)
		if err != nil {
			return nil, err
		}
		own[c] = true
	}
	out := map[hexgrid.Cell]bool{}
	for c := range own {
		disk, err := c.Disk(2)
		if err != nil {
			return nil, err
		}
		for _, d := range disk {
			out[d] = true
		}
	}
	return out, nil
}

// prediction is the calibrated best-server signal of one key at a point.
type prediction struct {
	key       deadzone.Key
	signalDBm float64
}

// predictAt returns the calibrated best-server prediction of every
// (carrier, tech) at each point, with the environment at the point (env:
// copt's, newEnvField), calibrated as the analysis hexes (hexes[i]) are.
func predictAt(ctx context.Context, lon, lat []float64, hexes []hexgrid.Cell, sites []engine.Site, copt CoverageOptions, env *envField, res int) ([][]prediction, error) {
	out := make([][]prediction, len(lon))
	if len(sites) == 0 || len(lon) == 0 {
		return out, nil
	}
	cls, frac, err := env.atAll(lon, lat)
	if err != nil {
		return nil, err
	}
	// The search goes through the points in the order of their hexes
	// (neighbours follow each other: its previous point's best servers
	// bound each point's search); each point's predictions are the same
	// in any order, and land at the point's own index (order).
	order := make([]int32, len(lon))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(hexes[a], hexes[b]) })
	pts := predict.Points{Lon: make([]float64, len(lon)), Lat: make([]float64, len(lon)), Env: make([]predict.Env, len(lon))}
	if frac != nil {
		pts.EnvFrac = make([]float64, len(lon))
	}
	for k, i := range order {
		pts.Lon[k], pts.Lat[k], pts.Env[k] = lon[i], lat[i], cls[i]
		if frac != nil {
			pts.EnvFrac[k] = frac[i]
		}
	}
	r, err := predict.BestServerContext(ctx, sites, pts, copt.Predict)
	if err != nil {
		return nil, err
	}
	for j, k := range r.Point {
		r.Point[j] = order[k]
	}
	// Calibrated a block of rows at a time (the corrections are row by
	// row): all the rows as PredictedCells would be several times the
	// predictions' own size for the country's villages. The rows are
	// cut into one span per core, each ending where a point's rows end
	// (a point's predictions are appended by one worker, in row order).
	const block = 1 << 14
	workers := runtime.GOMAXPROCS(0)
	bounds := make([]int, 0, workers+1)
	for w := 0; w <= workers; w++ {
		b := w * r.Len() / workers
		if k := len(bounds); k > 0 {
			b = max(b, bounds[k-1])
			for b < r.Len() && b > 0 && r.Point[b] == r.Point[b-1] {
				b++
			}
		}
		bounds = append(bounds, b)
	}
	parallel.For(workers, workers, func(w int) {
		pc := make([]coverage.PredictedCell, 0, min(block, bounds[w+1]-bounds[w]))
		for lo := bounds[w]; lo < bounds[w+1]; lo += block {
			hi := min(lo+block, bounds[w+1])
			pc = pc[:0]
			for j := lo; j < hi; j++ {
				pc = append(pc, coverage.PredictedCell{Cell: hexes[r.Point[j]], Carrier: r.Carrier[j], Tech: r.Tech[j],
					SignalDBm: r.SignalDBm[j], SigmaDB: r.SigmaDB[j], DistanceM: r.DistanceM[j], ServingSite: sites[r.Site[j]].SiteID})
			}
			coverage.CalibrateInPlace(pc, copt.Calibrations, copt.MinPairs)
			if len(copt.SiteOffsets) > 0 {
				coverage.OffsetSitesInPlace(pc, copt.SiteOffsets)
			}
			for k, p := range pc {
				i := r.Point[lo+k]
				out[i] = append(out[i], prediction{deadzone.Key{Carrier: p.Carrier, Tech: p.Tech}, p.SignalDBm})
			}
		}
	})
	return out, nil
}

// cellHex is an evidenceRes cell and the analysis hex whose tests it holds.
type cellHex struct{ cell, hex hexgrid.Cell }

// evPredictor returns the calibrated predictions of one carrier's keys at
// the centres of cells, each calibrated as its hex.
type evPredictor func(c engine.Carrier, cells []cellHex) (cellPreds, error)

// cellPreds are one carrier's predictions at cells, as columns: cell i's
// technologies are tech[start[i]:start[i+1]], their signals signalDBm's
// alike. A 10 M-row month predicts at 9.8 M cells, where a slice of
// predictions (each with its carrier's name) per cell took about 100
// bytes a cell and an object for the collector to scan.
type cellPreds struct {
	start     []int
	tech      []engine.Tech
	signalDBm []float64
}

// cellPredsOf returns preds, one carrier's predictions per cell, as
// columns.
func cellPredsOf(preds [][]prediction) cellPreds {
	n := 0
	for _, ps := range preds {
		n += len(ps)
	}
	out := cellPreds{start: make([]int, 1, len(preds)+1), tech: make([]engine.Tech, 0, n), signalDBm: make([]float64, 0, n)}
	for _, ps := range preds {
		for _, p := range ps {
			out.tech, out.signalDBm = append(out.tech, p.key.Tech), append(out.signalDBm, p.signalDBm)
		}
		out.start = append(out.start, len(out.tech))
	}
	return out
}

// cells is the number of cells predicted.
func (p *cellPreds) cells() int { return max(len(p.start)-1, 0) }

// at returns the prediction of technology t at cell i, the first when
// there are several.
func (p *cellPreds) at(i int, t engine.Tech) (float64, bool) {
	for j := p.start[i]; j < p.start[i+1]; j++ {
		if p.tech[j] == t {
			return p.signalDBm[j], true
		}
	}
	return 0, false
}

// predictEvidence is the evPredictor that computes the predictions
// (predictAt with the carrier's sites, env copt's environment), stopping
// once ctx is done.
func predictEvidence(ctx context.Context, cov *CoverageResult, copt CoverageOptions, env *envField, res int) evPredictor {
	return func(c engine.Carrier, cells []cellHex) (cellPreds, error) {
		lon, lat, hexes := make([]float64, len(cells)), make([]float64, len(cells)), make([]hexgrid.Cell, len(cells))
		for i, ch := range cells {
			ctr, err := ch.cell.Center()
			if err != nil {
				return cellPreds{}, err
			}
			lon[i], lat[i], hexes[i] = ctr[0], ctr[1], ch.hex
		}
		preds, err := predictAt(ctx, lon, lat, hexes, carrierSites(cov.Sites, c), copt, env, res)
		if err != nil {
			return cellPreds{}, err
		}
		return cellPredsOf(preds), nil
	}
}

// carrierSites returns the sites of carrier c, in their order.
func carrierSites(sites []engine.Site, c engine.Carrier) []engine.Site {
	n := 0
	for i := range sites {
		if sites[i].Carrier == c {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]engine.Site, 0, n) // sized: a country's register is 72 MB
	for _, s := range sites {
		if s.Carrier == c {
			out = append(out, s)
		}
	}
	return out
}

// ClutterOffsetReport is the clutter correction at one knot of density;
// between two knots it is interpolated linearly in log density.
type ClutterOffsetReport struct {
	DensityPerKm2 float64 `json:"density_per_km2"`
	OffsetDB      float64 `json:"offset_db"`
	// Tests is the tests' summed weight at the knot (their share of it
	// by interpolation).
	Tests float64 `json:"tests"`
}

// The clutter correction's knots: log10 of people per km² from
// clutterKnotLog0 every clutterKnotStep (a factor of 1.33), clutterKnots
// of them (1 to 100,000 people per km²; beyond, the end knots). Its
// priors: N(0, radiomap.DefaultMeanPriorDB²) at each knot and a random
// walk of clutterStepSigmaDB per step, so a knot with few tests follows
// its neighbours.
//
// Why a curve and not one offset per class: the propagation models'
// environment classes step by 10–20 dB at density cut-offs (engine/predict's
// 300, 1,500 and 10,000 people per km²) that are a convention, not a fact
// of the ground: where the clutter the signal meets changes at other
// densities than the convention's, the points between the two cut-offs
// are all predicted 10–20 dB off in the same direction, and a class's one
// offset averages them with the class's other points. A curve over
// density fitted from the tests moves the step to where the tests put it.
// Measured on the demo's worlds, seeds 1–5, mean village Brier score with
// one offset per class → with the curve: the generator's cut-offs halved
// (150, 750, 5,000; the engine left at the convention) 0.0428 → 0.0363
// (decidable F1 0.57–0.71 → 0.77–0.81; an oracle that knows the true
// clutter 0.0293); doubled 0.0161 → 0.0152 (oracle 0.0125); the same
// cut-offs as the engine's 0.0252 → 0.0251. Knots every 0.25 or a step σ
// of 5 dB measured the same within 1 %.
const (
	clutterKnotLog0    = 0.0
	clutterKnotStep    = 0.125
	clutterKnots       = 41
	clutterStepSigmaDB = 2.5
)

// clutterMembership places a density (people per km²) on the knots: its
// weights on the two knots around its log10, clamped to the end knots.
func clutterMembership(density float64) radiomap.Membership {
	x := (math.Log10(max(density, 1)) - clutterKnotLog0) / clutterKnotStep
	if !(x > 0) {
		return radiomap.Membership{}
	}
	if x >= clutterKnots-1 {
		return radiomap.Membership{Class: clutterKnots - 1}
	}
	k := math.Floor(x)
	return radiomap.Membership{Class: uint8(k), Frac: x - k}
}

// buildRadioMap turns the scanned evidence into residual observations —
// reading (or bound) minus the calibrated prediction of its key at its
// cell's centre (with the environment there, envAt; calibrated as the
// analysis hex its tests lie in), indoor ones raised by the building
// loss — and the map over
// them. A collapsed observation of n readings has noise σ/√n.
//
// With release set, the caller reads ev's readings no more: they are
// dropped once the observations are made, before the model's fit and the
// map's index (at national scale a gigabyte or more).
//
// With env set and the key means fitted here, the environment classes'
// offsets are fitted too (radiomap.FitClassOffsets, from the tests'
// memberships at their cells' centres), taken out of the residuals, and
// the means and variance level fitted again on what remains; the
// variogram is the one fitted before (its shape, at the level refitted).
// The caller adds the offsets to its predictions at the places it asks
// the map about (clutterOffsets).
func buildRadioMap(ctx context.Context, ev *evidence, predictor evPredictor, ro RadioMapOptions, release bool, env *envField, progress func(Progress)) (*radiomap.Map, RadioMapReport, error) {
	rep := RadioMapReport{Model: ro.Model, ModelSource: "given", CollapseResolution: evidenceRes, ReachResolution: reachRes,
		TestsRead: ev.rowsRead, TestsNear: ev.rowsNear, NearbyRadiusM: deadzone.NearbyRadiusM}
	noise, indoorSD, scanNoise := ro.NoiseDB, ro.IndoorLossSigmaDB, ro.ScannerNoiseDB
	for _, v := range []float64{noise, indoorSD, scanNoise} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, rep, fmt.Errorf("pipeline: radio map noise %g dB must be finite and ≥ 0: %w", v, engine.ErrInvalidConfig)
		}
	}
	if noise == 0 {
		noise = DefaultMeasurementNoiseDB
	}
	if scanNoise == 0 {
		scanNoise = DefaultScannerNoiseDB
	}
	rep.NoiseDB, rep.ScannerNoiseDB = noise, scanNoise
	// One prediction per distinct (cell, hex). The environment is the
	// one at the cell's centre (envAt), continuous in space, so a reading
	// at a village's own point is predicted as the village is, whichever
	// hex either lies in; the calibration is the analysis hex's holding
	// the tests' points (a cell near a hex edge straddles it).
	//
	// A carrier's keys are predicted with its own sites at the cells where
	// it was measured: predict.BestServer picks the best server of each
	// carrier and technology among that carrier's sites alone, so these
	// predictions change only with the carrier's sites and readings, and
	// predictor may read them back (evPredictions).
	type carrierCells struct {
		cells []cellHex
		preds cellPreds
	}
	byCarrier := map[engine.Carrier]*carrierCells{}
	var carriers []engine.Carrier
	at := make([]int32, len(ev.readings)) // each reading's cell among its carrier's
	for i := range ev.readings {
		k := &ev.readings[i]
		cc := byCarrier[k.carrier]
		if cc == nil {
			cc = &carrierCells{}
			byCarrier[k.carrier] = cc
			carriers = append(carriers, k.carrier)
		}
		if n := len(cc.cells); n == 0 || cc.cells[n-1] != (cellHex{k.cell, k.hex}) {
			cc.cells = append(cc.cells, cellHex{k.cell, k.hex})
		}
		at[i] = int32(len(cc.cells) - 1)
	}
	slices.Sort(carriers)
	if len(ev.readings) > 0 {
		names := make([]string, len(carriers))
		for i, c := range carriers {
			names[i] = string(c)
		}
		notify(progress, Progress{Stage: StageDeadZones, Phase: "radio map: predictions where the tests near the places were made (" + strings.Join(names, ", ") + ")"})
	}
	for _, c := range carriers {
		cc := byCarrier[c]
		var err error
		if cc.preds, err = predictor(c, cc.cells); err != nil {
			return nil, rep, err
		}
		if cc.preds.cells() != len(cc.cells) {
			return nil, rep, fmt.Errorf("pipeline: predictions of %s at %d cells, want %d", c, cc.preds.cells(), len(cc.cells))
		}
		cc.cells = nil // predicted: each reading finds its cell's predictions through at
	}
	predOf := func(i int, k deadzone.Key) (float64, bool) {
		return byCarrier[k.Carrier].preds.at(int(at[i]), k.Tech)
	}
	centre := func(c hexgrid.Cell) (float64, float64, error) {
		ctr, err := c.Center()
		return ctr[0], ctr[1], err
	}
	// Fit the indoor loss and its spread between buildings from phones'
	// readings and bounds by place: the longest step before the verdicts
	// (minutes for a national month), said and stopped on ctx.
	if len(ev.readings) > 0 {
		notify(progress, Progress{Stage: StageDeadZones, Phase: "radio map: the indoor loss from the phones' indoor and outdoor readings at the same places"})
	}
	indoor, err := deadzone.IndoorLossPairedContext(ctx, pairedPlaceResiduals(ev.readings, predOf))
	if err != nil {
		return nil, rep, err
	}
	rep.IndoorLossDB, rep.IndoorLossFitted = indoor.LossDB, indoor.Fitted
	rep.IndoorLossPairs, rep.IndoorLossCensored = indoor.Pairs, indoor.Censored
	rep.IndoorLossSigmaDB = indoorSD
	if indoorSD == 0 {
		rep.IndoorLossSigmaDB, rep.IndoorLossSigmaFitted = DefaultIndoorLossSigmaDB, false
		if indoor.Fitted {
			rep.IndoorLossSigmaDB, rep.IndoorLossSigmaFitted = indoor.SpreadDB, true
		}
	}
	indoorSD = rep.IndoorLossSigmaDB
	obs := make([]radiomap.Obs, 0, len(ev.readings))
	keys := map[deadzone.Key]bool{}
	var lastCell hexgrid.Cell
	var lastLon, lastLat float64
	unpred := &unpredicted{}
	for i := range ev.readings {
		k := &ev.readings[i]
		if k.cell != lastCell || i == 0 {
			// Readings are sorted by cell: its keys and kinds follow
			// one another, and share its centre.
			var err error
			if lastLon, lastLat, err = centre(k.cell); err != nil {
				return nil, rep, err
			}
			lastCell = k.cell
		}
		sd := noise
		if k.scanner() {
			sd = scanNoise
		}
		level := k.mean()
		if k.indoor() {
			level += rep.IndoorLossDB
			sd = math.Hypot(noise, indoorSD)
		}
		p, ok := predOf(i, k.key())
		if !ok {
			rep.ReadingsWithoutPrediction += int64(k.n)
			// Kept for the places near them where their key has no
			// prediction either (unpredNear.krige); a bound (no service,
			// a censored reading) as a bound.
			unpred.add(lastLon, lastLat, k.key(), level, sd*sd/float64(k.n), k.upper())
			continue
		}
		r := level - p
		o := radiomap.Obs{Lon: lastLon, Lat: lastLat, Key: radiomap.Key{Carrier: k.carrier, Tech: k.tech},
			ResidualDB: r, NoiseDB: sd / math.Sqrt(float64(k.n))}
		if k.upper() {
			o.Censor = radiomap.Upper
			rep.Upper++
		} else {
			rep.Exact++
		}
		keys[k.key()] = true
		o.NoMean = k.fallback() // kept in the means of a key with few others (markFallback)
		obs = append(obs, o)
	}
	if release {
		ev.readings = nil
	}
	for k := range keys {
		rep.Keys = append(rep.Keys, string(k.Carrier)+"/"+k.Tech.String())
	}
	slices.Sort(rep.Keys)
	if err := ctx.Err(); err != nil {
		return nil, rep, err
	}
	if len(obs) > 0 {
		notify(progress, Progress{Stage: StageDeadZones, Phase: fmt.Sprintf("radio map: the residual field from %d observations (%d keys)", len(obs), len(rep.Keys))})
	}
	if ro.Model == (radiomap.Model{}) {
		// Bins of 50 m out to 3 km: the per-link shadowing decorrelates
		// within about 100 m (TR 38.901), which the default 200 m bins
		// would fold into the nugget.
		model, fit, err := radiomap.Fit(obs, radiomap.FitOptions{Seed: 1, BinWidthM: fitBinM, MaxDistM: fitMaxDistM})
		switch {
		case errors.Is(err, radiomap.ErrTooFewObs):
			rep.Model, rep.ModelSource = DefaultResidualModel, "default"
		case err != nil:
			return nil, rep, err
		default:
			rep.Model, rep.ModelSource, rep.Fit = model, "fitted", &fit
		}
	}
	// Each key's constant offset from its calibrated prediction and the
	// level of the field's variance, with censored tests counted
	// (radiomap.FitMarginal): the field is kriged around the offsets
	// rather than around zero, with the variogram's shape at the level
	// the censored tests show. A given model or given means stand.
	//
	// The means and the clutter correction are fitted on the readings
	// that are not a phone's fallback (deadzone.Reading.Fallback): those
	// exist only where the carrier's 4G failed, so a key's mean fitted on
	// them reads the area weaker than it is (on the demo's worlds, 3G by
	// about 2 dB at the villages). A key with fewer than
	// radiomap.MinMeanTests other readings keeps its fallback ones.
	mopt := ro.Map
	if mopt.KeyMeans == nil {
		rep.MeanFitObservations = markFallback(obs)
		mg, err := radiomap.FitMarginal(obs, rep.Model, 0)
		if err != nil {
			return nil, rep, err
		}
		if env != nil && env.dens != nil && rep.MeanFitObservations >= radiomap.MinMeanTests {
			if mg, err = fitClutterOffsets(obs, env, mg, rep.Model, &rep); err != nil {
				return nil, rep, err
			}
		}
		mopt.KeyMeans = mg.Means
		if rep.ModelSource != "given" {
			rep.VarianceScale = mg.Scale
			rep.Model = mg.Model
		}
	}
	rep.KeyMeans = mopt.KeyMeans
	m, err := radiomap.New(obs, rep.Model, mopt)
	if err != nil {
		return nil, rep, err
	}
	o := m.Options()
	rep.MaxNeighbours, rep.MaxDistM = o.MaxNeighbours, o.MaxDistM
	unpred.index()
	rep.unpred = unpred
	return m, rep, nil
}

// pairedPlaceResiduals yields the phones' readings with a prediction
// (predOf) as deadzone.PlaceResiduals, in the readings' order, for
// deadzone.IndoorLossPairedSeq: made as the fit ranges over them rather
// than held (48 bytes a reading), and only those at places holding both
// an exact outdoor reading and an indoor one — the only ones the fit reads,
// so it fits the same — so that its map of places holds the paired ones,
// not every place measured (690 MB for a 10 M-row month). The readings
// are sorted by cell, and an H3 index orders cells under their parents:
// the places of one IndoorPlaceRes cell follow one another, and each such
// run is paired on its own. Readings in another order (a parent met
// again after another's) are all yielded, for the fit to pair.
func pairedPlaceResiduals(readings []evReading, predOf func(int, deadzone.Key) (float64, bool)) iter.Seq[deadzone.PlaceResidual] {
	parentOf := func(i int) hexgrid.Cell { return hexgrid.FastParent(readings[i].cell, deadzone.IndoorPlaceRes) }
	grouped := true
	for i := 1; i < len(readings) && grouped; i++ {
		grouped = parentOf(i-1) <= parentOf(i)
	}
	return func(yield func(deadzone.PlaceResidual) bool) {
		type place struct{ out, in bool }
		seen := map[deadzone.Key]place{}
		for lo := 0; lo < len(readings); {
			hi := len(readings)
			if grouped {
				for hi = lo + 1; hi < len(readings) && parentOf(hi) == parentOf(lo); hi++ {
				}
				clear(seen)
				for i := lo; i < hi; i++ {
					r := &readings[i]
					if _, ok := predOf(i, r.key()); !ok || r.scanner() {
						continue
					}
					p := seen[r.key()]
					if r.indoor() {
						p.in = true
					} else if !r.upper() {
						p.out = true
					}
					seen[r.key()] = p
				}
			}
			for i := lo; i < hi; i++ {
				r := &readings[i]
				if r.scanner() {
					continue
				}
				pred, ok := predOf(i, r.key())
				if !ok {
					continue
				}
				if p := seen[r.key()]; grouped && (!p.out || !p.in) {
					continue
				}
				if !yield(deadzone.PlaceResidual{Place: deadzone.IndoorPlace{Cell: parentOf(i), Key: r.key()},
					ResidualDB: r.mean() - pred, Indoor: r.indoor(), Upper: r.upper()}) {
					return
				}
			}
			lo = hi
		}
	}
}

// fitClutterOffsets fits the clutter correction (radiomap.FitClassOffsets
// over the density knots, clutterMembership of env's density at each
// observation's place), takes it out of the residuals in place, records
// it in rep and returns the marginal refitted to the adjusted residuals
// under model (the unscaled one).
// The fits leave the observations marked NoMean out; the correction is
// taken out of every observation.
func fitClutterOffsets(obs []radiomap.Obs, env *envField, mg radiomap.Marginal, model radiomap.Model, rep *RadioMapReport) (radiomap.Marginal, error) {
	mem := make([]radiomap.Membership, len(obs))
	err := parallel.Chunks(len(obs), envChunk, 0, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if i > lo && obs[i].Lon == obs[i-1].Lon && obs[i].Lat == obs[i-1].Lat {
				mem[i] = mem[i-1]
				continue
			}
			var err error
			if mem[i], err = env.knots(obs[i].Lon, obs[i].Lat); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return mg, err
	}
	knots, err := radiomap.FitClassOffsets(obs, mem, clutterKnots, mg, 0, clutterStepSigmaDB)
	if err != nil {
		return mg, err
	}
	off := make([]float64, len(knots))
	rep.ClutterOffsets = rep.ClutterOffsets[:0]
	for c, f := range knots {
		off[c] = f.OffsetDB
		rep.ClutterOffsets = append(rep.ClutterOffsets, ClutterOffsetReport{DensityPerKm2: math.Pow(10, clutterKnotLog0+float64(c)*clutterKnotStep),
			OffsetDB: f.OffsetDB, Tests: f.Weight})
	}
	for i := range obs {
		obs[i].ResidualDB -= radiomap.OffsetOf(off, mem[i])
	}
	return radiomap.FitMarginal(obs, model, 0)
}

// markFallback takes the mark NoMean (a phone's fallback reading) off the
// observations of every key with fewer than radiomap.MinMeanTests
// unmarked ones — such a key's mean is fitted on all its readings — and
// returns how many observations are left unmarked: what the means' fits
// read.
func markFallback(obs []radiomap.Obs) int {
	direct := map[radiomap.Key]int{}
	for _, o := range obs {
		if !o.NoMean {
			direct[o.Key]++
		}
	}
	n := 0
	for i := range obs {
		if obs[i].NoMean && direct[obs[i].Key] < radiomap.MinMeanTests {
			obs[i].NoMean = false
		}
		if !obs[i].NoMean {
			n++
		}
	}
	return n
}

// clutterOffsets add the fitted clutter correction to the predictions at
// the places the radio map is asked about. A nil *clutterOffsets adds
// nothing.
type clutterOffsets struct {
	off []float64 // by knot
	env *envField
}

// newClutterOffsets returns the correction of rep at env's densities, or
// nil when none was fitted.
func newClutterOffsets(rep RadioMapReport, env *envField) *clutterOffsets {
	if len(rep.ClutterOffsets) == 0 || env == nil {
		return nil
	}
	c := &clutterOffsets{env: env}
	for _, o := range rep.ClutterOffsets {
		c.off = append(c.off, o.OffsetDB)
	}
	return c
}

// apply adds to every prediction of preds (in place) the correction at
// the density of (lon, lat).
func (c *clutterOffsets) apply(preds []prediction, lon, lat float64) error {
	if c == nil || len(preds) == 0 {
		return nil
	}
	m, err := c.env.knots(lon, lat)
	if err != nil {
		return err
	}
	o := radiomap.OffsetOf(c.off, m)
	for k := range preds {
		preds[k].signalDBm += o
	}
	return nil
}

// signalPosterior returns the joint posterior of the signal of keys at a
// point: each key's calibrated prediction plus the field's posterior
// residual, each key's variance raised by the model's nugget (the tests
// carry their measurement noise themselves, so the fitted nugget is
// variation below the fields' resolution — a link's own shadowing over
// tens of metres — which the signal at the point has too, independent
// between keys); and, appended independent of them, keys without prediction
// from their measurements alone (measured: outdoor and indoor sums and
// counts). Each outdoor reading is taken as the signal with variance
// v = prior residual variance + noise², each indoor one as the signal less
// the indoor loss with variance v + the loss's spread², and the key's mean
// and variance are their precision-weighted mean and 1/Σ precision:
// (prior + noise²)/n for n outdoor readings alone. A carrier with no
// registered site in reach still has its readings counted: strong indoor
// readings of a network the register lacks are service at the village.
func signalPosterior(m *radiomap.Map, lon, lat float64, preds []prediction, measured map[deadzone.Key]*nearSum, rn readingNoise) (deadzone.Posterior, error) {
	keys := make([]radiomap.Key, len(preds))
	for i, p := range preds {
		keys[i] = radiomap.Key{Carrier: p.key.Carrier, Tech: p.key.Tech}
	}
	post, err := m.At(lon, lat, keys)
	if err != nil {
		return deadzone.Posterior{}, err
	}
	var extra []deadzone.Key
	for k := range measured {
		if !slices.ContainsFunc(preds, func(p prediction) bool { return p.key == k }) && k.Tech.Valid() && measured[k].out.n+measured[k].in.n > 0 {
			extra = append(extra, k)
		}
	}
	// Keys without a prediction here whose readings, also without one,
	// lie within UnpredictedRadiusM: a carrier missing from the register
	// (or registered far from its masts) measured strong 300 m away left
	// the place certainly dead, its readings beyond the 300 m of
	// measured unread.
	near := rn.unpred.near(lon, lat)
	type kriged struct{ mean, v float64 }
	krig := map[deadzone.Key]kriged{}
	for _, k := range near.keys() {
		if !k.Tech.Valid() || slices.ContainsFunc(preds, func(p prediction) bool { return p.key == k }) {
			continue
		}
		if mean, v, ok := near.krige(k, lon, lat, m.Model()); ok {
			krig[k] = kriged{mean, v}
			if !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	slices.SortFunc(extra, compareKeys)
	q, n := len(preds), len(preds)+len(extra)
	out := deadzone.Posterior{Keys: make([]deadzone.Key, 0, n), MeanDBm: make([]float64, 0, n), Cov: make([]float64, n*n)}
	nugget := m.Model().NuggetDB2
	for i, p := range preds {
		out.Keys = append(out.Keys, p.key)
		out.MeanDBm = append(out.MeanDBm, p.signalDBm+post.MeanDB[i])
		for j := range q {
			out.Cov[i*n+j] = post.Cov[i*q+j]
		}
		out.Cov[i*n+i] += nugget
	}
	prior := m.Model().Cov(0, true)
	vOut := prior + rn.noiseDB*rn.noiseDB
	vIn := vOut + rn.indoorSigmaDB*rn.indoorSigmaDB
	for a, k := range extra {
		i := q + a
		out.Keys = append(out.Keys, k)
		if kr, ok := krig[k]; ok {
			// The readings without prediction around, by ordinary
			// kriging: they carry the near ones' evidence too, weighed
			// by how far each lies and how much they share.
			out.MeanDBm = append(out.MeanDBm, kr.mean)
			out.Cov[i*n+i] = kr.v
			continue
		}
		e := measured[k]
		prec := float64(e.out.n)/vOut + float64(e.in.n)/vIn
		out.MeanDBm = append(out.MeanDBm, (e.out.sum/vOut+(e.in.sum+float64(e.in.n)*rn.indoorLossDB)/vIn)/prec)
		out.Cov[i*n+i] = 1 / prec
	}
	return out, nil
}

// UnpredictedGradientDBPerKm is the spread of the level's slope around
// readings whose key has no prediction (no site of the register in
// reach): the level falls or rises towards a mast the register lacks, by
// 10n/(D ln 10) dB a km at D km from it (path-loss exponent n ≈ 3.5:
// about 15 dB a km at 1 km, 5 at 3 km). 10 dB a km is that at 1.5 km.
// Kriged as a random gradient (unpredNear.krige), it makes a reading's
// word on a place fade with the distance beyond the residual field's
// spread: a stationary field alone carried the readings' level as far as
// they were read, give or take that spread.
const UnpredictedGradientDBPerKm = 10

// UnpredictedRadiusM is how far from a place the readings of a key
// without a prediction there (nor at the readings' cells) are read for
// its level, and UnpredictedMaxCells how many of their cells, the
// nearest. About three times the residual field's ranges (200–300 m on
// the demo's and fitted worlds): farther, a reading says nothing of the
// place's own shadowing and only its level carries, which the slope
// term makes fade; 1.5 km took a village 7 no-service tests of another
// carrier called dead to uncertain on one world from a key's readings
// that far, at σ 21 dB, where 800 m changes no verdict on the worlds.
const (
	UnpredictedRadiusM  = 800
	UnpredictedMaxCells = 16
)

// unpredicted holds the exact readings of keys without a prediction at
// their cell: a carrier absent from the register, or registered far
// from where it serves. Their level cannot enter the residual field (no
// prediction to take it from), but it is evidence of the key's signal
// around them.
type unpredicted struct {
	cells []unpredCell
	grid  map[[2]int32][]int32 // cells by unpredGridDeg square
}

type unpredCell struct {
	lon, lat float64
	key      deadzone.Key
	level    float64 // dBm, indoor readings raised by the building loss
	v        float64 // the level's noise variance, dB²
	upper    bool    // a bound: no service, or a censored reading
}

// unpredGridDeg is the side of unpredicted's index squares, degrees (about
// 1.1 km of latitude).
const unpredGridDeg = 0.01

func unpredSquare(lon, lat float64) [2]int32 {
	return [2]int32{int32(math.Floor(lon / unpredGridDeg)), int32(math.Floor(lat / unpredGridDeg))}
}

func (u *unpredicted) add(lon, lat float64, k deadzone.Key, level, v float64, upper bool) {
	u.cells = append(u.cells, unpredCell{lon, lat, k, level, v, upper})
}

// index builds the squares' index (after the last add).
func (u *unpredicted) index() {
	if len(u.cells) == 0 {
		return
	}
	u.grid = map[[2]int32][]int32{}
	for i, c := range u.cells {
		sq := unpredSquare(c.lon, c.lat)
		u.grid[sq] = append(u.grid[sq], int32(i))
	}
}

// unpredNear is the unpredicted cells within UnpredictedRadiusM of a
// point, with their distances, nearest first (cell order on ties).
type unpredNear struct {
	cells []unpredCell
	dist  []float64
}

func (u *unpredicted) near(lon, lat float64) unpredNear {
	var out unpredNear
	if u == nil || len(u.grid) == 0 {
		return out
	}
	// Squares of 0.01° (1.0–1.1 km at Viet Nam's latitudes, 8–24°N):
	// UnpredictedRadiusM lies within 2 squares either way.
	c := unpredSquare(lon, lat)
	var idx []int32
	for dx := int32(-2); dx <= 2; dx++ {
		for dy := int32(-2); dy <= 2; dy++ {
			idx = append(idx, u.grid[[2]int32{c[0] + dx, c[1] + dy}]...)
		}
	}
	slices.Sort(idx)
	type hit struct {
		i int32
		d float64
	}
	var hits []hit
	for _, i := range idx {
		d := radiomap.DistanceM(lon, lat, u.cells[i].lon, u.cells[i].lat)
		if d <= UnpredictedRadiusM {
			hits = append(hits, hit{i, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.d, b.d) })
	for _, h := range hits {
		out.cells = append(out.cells, u.cells[h.i])
		out.dist = append(out.dist, h.d)
	}
	return out
}

// keys returns the keys of the cells, sorted.
func (n unpredNear) keys() []deadzone.Key {
	var ks []deadzone.Key
	for _, c := range n.cells {
		if !slices.Contains(ks, c.key) {
			ks = append(ks, c.key)
		}
	}
	slices.SortFunc(ks, compareKeys)
	return ks
}

// compareKeys orders keys by carrier, then technology.
func compareKeys(a, b deadzone.Key) int {
	return cmp.Or(cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
}

// krige returns key k's level at (lon, lat) and its variance from the
// nearest UnpredictedMaxCells cells of k with a level (not a bound), by
// ordinary kriging (the
// key's mean unknown: no prediction gives it) under the residual field's
// same-key covariance C with its nugget: the level L = μ + f(x) + e(x),
// each cell's level r_a = μ + f(x_a) + e_a + noise, and the weights λ
// (Σλ = 1) minimise Var(Σλ r − L) = λᵀΣλ, with
//
//	Σ_ab = C(d_ab) − C(d_a) − C(d_b) + C(0) + nugget + δ_ab (nugget + v_a) + τ² Δ_a·Δ_b,
//
// so λ = Σ⁻¹1 / 1ᵀΣ⁻¹1 and the variance is 1 / 1ᵀΣ⁻¹1. The last term is
// a level's slope G around the place, unknown (G ~ N(0, τ²I), τ =
// UnpredictedGradientDBPerKm, Δ_a the cell's offset from the place in
// km): the level r_a − L gains G·Δ_a. Cells far apart count as several
// witnesses, cells together as about one: twenty readings at one spot
// 313 m away give σ ≈ 11 dB on the demo country's field, not 1 dB; at
// 800 m about 14 dB. ok is false without a cell of k with a level, and
// when a bound of k (no service, a censored reading) lies nearer the
// place than the nearest such cell: the bounds are not kriged, and the
// level of readings farther off would overrule them (a village with
// seven no-service tests of its own and readings a kilometre away went
// from dead to uncertain).
func (n unpredNear) krige(k deadzone.Key, lon, lat float64, m radiomap.Model) (mean, v float64, ok bool) {
	var cs []unpredCell
	var ds []float64
	for i, c := range n.cells { // nearest first
		if c.key != k {
			continue
		}
		if c.upper {
			if len(cs) == 0 {
				return 0, 0, false // a bound nearer than every level
			}
			continue
		}
		if len(cs) < UnpredictedMaxCells {
			cs = append(cs, c)
			ds = append(ds, n.dist[i])
		}
	}
	if len(cs) == 0 {
		return 0, 0, false
	}
	c0 := m.Cov(0, true)
	// Offsets from the place in km (local east and north): the slope's
	// term.
	kmLon := math.Cos(lat*math.Pi/180) * math.Pi / 180 * radiomap.EarthRadiusM / 1000
	kmLat := math.Pi / 180 * radiomap.EarthRadiusM / 1000
	dx, dy := make([]float64, len(cs)), make([]float64, len(cs))
	for a, c := range cs {
		dx[a], dy[a] = (c.lon-lon)*kmLon, (c.lat-lat)*kmLat
	}
	const tau2 = UnpredictedGradientDBPerKm * UnpredictedGradientDBPerKm
	sig := mat.NewSymDense(len(cs), nil)
	for a := range cs {
		for b := a; b < len(cs); b++ {
			dab := 0.0
			if a != b {
				dab = radiomap.DistanceM(cs[a].lon, cs[a].lat, cs[b].lon, cs[b].lat)
			}
			x := m.Cov(dab, true) - m.Cov(ds[a], true) - m.Cov(ds[b], true) + c0 + m.NuggetDB2 + tau2*(dx[a]*dx[b]+dy[a]*dy[b])
			if a == b {
				x += m.NuggetDB2 + cs[a].v
			}
			sig.SetSym(a, b, x)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(sig) {
		return 0, 0, false
	}
	ones := mat.NewVecDense(len(cs), nil)
	for a := range cs {
		ones.SetVec(a, 1)
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, ones); err != nil {
		return 0, 0, false
	}
	total := mat.Sum(&w)
	if !(total > 0) {
		return 0, 0, false
	}
	for a, c := range cs {
		mean += w.AtVec(a) / total * c.level
	}
	return mean, 1 / total, true
}

// readingNoise is what signalPosterior needs of the radio map's report
// to weigh readings on their own: a reading's noise, the building loss
// and its spread for indoor readings, and the readings of keys without a
// prediction.
type readingNoise struct {
	noiseDB, indoorLossDB, indoorSigmaDB float64
	unpred                               *unpredicted
}

func (r *RadioMapReport) readingNoise() readingNoise {
	return readingNoise{r.NoiseDB, r.IndoorLossDB, r.IndoorLossSigmaDB, r.unpred}
}
