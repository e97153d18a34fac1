package coverage

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/predict"
)

// Calibration is the comparison of one carrier's predicted signal for one
// technology with its measurements, and the correction fitted to it.
type Calibration struct {
	Carrier engine.Carrier
	Tech    engine.Tech
	// N is the number of (predicted, measured) pairs: hexes with a
	// prediction, at least MinTests outdoor tests and an uncensored median.
	N int
	// Censored counts hexes with a prediction and enough tests whose
	// median outdoor test is a no-service test: the measured median is
	// below the phone's sensitivity, unknown, and the hex is left out.
	Censored int
	// BiasDB is mean(measured − predicted) over the pairs: positive when
	// the register and model under-predict the signal, negative when they
	// over-predict it. NaN when N is 0.
	BiasDB float64
	// RMSEBeforeDB and RMSEAfterDB are the root mean square of measured −
	// predicted before and after the correction. NaN when N is 0.
	RMSEBeforeDB, RMSEAfterDB float64
	// Fit is predict.Calibrate's correction; zero when N is 0, but for its
	// SigmaDB, NaN: no residual to take a spread of (a σ of 0 dB would
	// make every prediction of the network certain).
	Fit predict.Fit
	// Evidence names the tests the fit was made on: EvidenceNotChosen or
	// EvidenceAll (see Calibrate).
	Evidence string
}

// Applies reports whether the calibration is applied when a network's
// calibration needs at least minPairs pairs (pipeline.DefaultMinPairs):
// a fit from fewer hexes leaves the network's predictions and σ as the
// model gives them. CalibrateInPlace, SigmaFromCalibration and every
// message and file that says which fits are in force ask this.
func (c Calibration) Applies(minPairs int) bool { return c.N > 0 && c.N >= minPairs }

// MedianWithNoService returns the nearest-rank median of a row's outdoor
// tests (rank ⌈n/2⌉ of n), ranking no-service tests below every reported
// signal, from the integer-dBm histogram of OutdoorSignal (within 0.5 dB
// of the raw median). ok is false when there are no tests or when the
// median is a no-service test (censored: its level is unknown). Ignoring
// no-service tests instead, as OutdoorSignal.P50DBm does, would bias the
// median upward exactly where coverage is poor.
func MedianWithNoService(r aggregate.Row) (dbm float64, ok bool) {
	ns := r.Outdoor.NoServiceRows
	n := r.OutdoorSignal.N + ns
	if n == 0 {
		return math.NaN(), false
	}
	rank := (n + 1) / 2
	if rank <= ns {
		return math.NaN(), false
	}
	rank -= ns
	var seen int64
	for i, c := range r.OutdoorSignal.Hist {
		seen += int64(c)
		if seen >= rank {
			return float64(r.OutdoorSignal.LoDBm + i), true
		}
	}
	return math.NaN(), false
}

// Calibrate joins measured rows and predicted cells on (cell, carrier,
// tech) and, per (carrier, tech), fits the predictions to the measured
// medians with predict.Calibrate (an offset, and with withSlope a slope
// per decade of distance). A pair is a key with at least cfg.MinTests
// valid outdoor tests, a prediction, and an uncensored median
// (MedianWithNoService); the distance regressor is log10 of DistanceM in
// metres, floored at 1 m. With withSlope every paired prediction needs a
// finite DistanceM; without it the distance is not used.
//
// notChosen are the statistics of the tests whose technology the device
// did not choose (engine.TechNotChosen: instruments, feature phones' 2G;
// pipeline.Measured.NotChosen), a subset of measured. A phone reads the
// technology it camped on: 3G where its 4G failed, 4G where 4G held, so
// the medians of its readings are of places the signal chose — low for
// 3G, high for 4G — and a fit on them moves each technology's prediction
// the wrong way (on the country demo, 3G 8 dB down against a true bias of
// 2.5 dB, 4G not at all against 2.3). Where notChosen give a network at
// least minPairs pairs, its fit is made on them alone (Evidence
// EvidenceNotChosen); elsewhere on every test (EvidenceAll).
//
// The result has one Calibration per (carrier, tech) with at least one
// pair or censored hex, sorted by carrier then tech. Errors: an invalid
// cfg (engine.ErrInvalidConfig); invalid or duplicate keys, a missing
// distance with withSlope (engine.ErrInvalidValue).
func Calibrate(measured, notChosen []aggregate.Row, predicted []PredictedCell, cfg Config, withSlope bool, minPairs int) ([]Calibration, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pi, err := sortedPredicted(predicted, cfg.Resolution)
	if err != nil {
		return nil, err
	}
	all, err := calibrationPairs(measured, predicted, pi, cfg, withSlope)
	if err != nil {
		return nil, err
	}
	nc, err := calibrationPairs(notChosen, predicted, pi, cfg, withSlope)
	if err != nil {
		return nil, err
	}
	keys := make([]CarrierTech, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lessCT(keys[i], keys[j]) })
	out := make([]Calibration, 0, len(keys))
	for _, k := range keys {
		g, ev := all[k], EvidenceAll
		if n := nc[k]; n != nil && len(n.pred) >= max(minPairs, 1) {
			g, ev = n, EvidenceNotChosen
		}
		c := Calibration{Carrier: k.Carrier, Tech: k.Tech, N: len(g.pred), Censored: g.censored, Evidence: ev,
			BiasDB: math.NaN(), RMSEBeforeDB: math.NaN(), RMSEAfterDB: math.NaN(), Fit: predict.Fit{SigmaDB: math.NaN()}}
		if c.N > 0 {
			f, err := predict.Calibrate(g.pred, g.meas, g.logd, withSlope)
			if err != nil {
				return nil, fmt.Errorf("coverage: calibrating %s %s: %w", k.Carrier, k.Tech, err)
			}
			var sum float64
			for i := range g.pred {
				sum += g.meas[i] - g.pred[i]
			}
			c.Fit, c.BiasDB = f, sum/float64(c.N)
			c.RMSEBeforeDB, c.RMSEAfterDB = f.RMSEBeforeDB, f.RMSEAfterDB
		}
		out = append(out, c)
	}
	return out, nil
}

// The tests a calibration is fitted on (Calibration.Evidence).
const (
	EvidenceAll       = "all"        // every outdoor test
	EvidenceNotChosen = "not_chosen" // tests whose technology the device did not choose (engine.TechNotChosen)
)

// calPairs are one network's (predicted, measured) pairs.
type calPairs struct {
	pred, meas, logd []float64
	censored         int
}

// calibrationPairs joins measured with predicted (pi its order by key)
// and returns the pairs per network, as Calibrate describes.
func calibrationPairs(measured []aggregate.Row, predicted []PredictedCell, pi []int, cfg Config, withSlope bool) (map[CarrierTech]*calPairs, error) {
	mi, err := sortedMeasured(measured, cfg.Resolution)
	if err != nil {
		return nil, err
	}
	groups := map[CarrierTech]*calPairs{}
	for a, b := 0, 0; a < len(mi) && b < len(pi); {
		m, p := &measured[mi[a]], &predicted[pi[b]]
		switch c := compareKey(m.Key, p.key()); {
		case c < 0:
			a++
			continue
		case c > 0:
			b++
			continue
		}
		a++
		b++
		if m.Outdoor.Tests < cfg.MinTests {
			continue
		}
		k := CarrierTech{m.Carrier, m.Tech}
		g := groups[k]
		if g == nil {
			g = &calPairs{}
			groups[k] = g
		}
		med, ok := MedianWithNoService(*m)
		if !ok {
			g.censored++
			continue
		}
		logd := 0.0
		if withSlope {
			if math.IsNaN(p.DistanceM) || math.IsInf(p.DistanceM, 0) {
				return nil, fmt.Errorf("coverage: predicted cell %s %s %s has no distance to calibrate a slope: %w", p.Cell, p.Carrier, p.Tech, engine.ErrInvalidValue)
			}
			logd = math.Log10(max(p.DistanceM, 1))
		}
		g.pred = append(g.pred, p.SignalDBm)
		g.meas = append(g.meas, med)
		g.logd = append(g.logd, logd)
	}
	return groups, nil
}

// ApplyCalibration returns a copy of predicted with each cell's signal
// corrected by its network's fit (Fit.Apply at log10 of DistanceM in
// metres, floored at 1 m; a slope is applied only when fitted and the
// distance is finite) and, when the fit has a finite residual σ, SigmaDB
// set to it. Cells of networks without a calibration of at least minPairs
// pairs are copied unchanged.
func ApplyCalibration(predicted []PredictedCell, cals []Calibration, minPairs int) []PredictedCell {
	out := slices.Clone(predicted)
	CalibrateInPlace(out, cals, minPairs)
	return out
}

// CalibrateInPlace is ApplyCalibration correcting predicted itself, for a
// caller that owns the cells (no copy of a million of them).
func CalibrateInPlace(predicted []PredictedCell, cals []Calibration, minPairs int) {
	fits := map[CarrierTech]predict.Fit{}
	for _, c := range cals {
		if c.Applies(minPairs) {
			fits[CarrierTech{c.Carrier, c.Tech}] = c.Fit
		}
	}
	for i := range predicted {
		p := &predicted[i]
		if f, ok := fits[CarrierTech{p.Carrier, p.Tech}]; ok {
			logd := f.RefLog10D
			if f.SlopeFitted && !math.IsNaN(p.DistanceM) && !math.IsInf(p.DistanceM, 0) {
				logd = math.Log10(max(p.DistanceM, 1))
			}
			p.SignalDBm = f.Apply(p.SignalDBm, logd)
			if !math.IsNaN(f.SigmaDB) && !math.IsInf(f.SigmaDB, 0) {
				p.SigmaDB = f.SigmaDB
			}
		}
	}
}

// SigmaFromCalibration returns the residual σ per network of the
// calibrations with at least minPairs pairs and a finite σ, for
// Config.SigmaDB.
func SigmaFromCalibration(cals []Calibration, minPairs int) map[CarrierTech]float64 {
	m := map[CarrierTech]float64{}
	for _, c := range cals {
		if c.Applies(minPairs) && !math.IsNaN(c.Fit.SigmaDB) && !math.IsInf(c.Fit.SigmaDB, 0) {
			m[CarrierTech{c.Carrier, c.Tech}] = c.Fit.SigmaDB
		}
	}
	return m
}

// ApplySiteOffsets returns a copy of predicted with each cell whose serving
// site has a per-site offset (predict.CalibrateSites) corrected by the
// site's deviation from its network's mean (DeviationDB). The network's
// mean itself is ApplyCalibration's to correct, from its per-network fit
// with at least MinPairs pairs: a network too thinly measured for that fit
// keeps its uncorrected mean here too (its deviations are then shrunk to
// almost nothing anyway). Cells of other sites are copied unchanged. The
// serving site stays the one the uncorrected prediction chose: an offset
// does not re-run the best-server search (near a cell edge a corrected
// neighbour may in truth serve).
func ApplySiteOffsets(predicted []PredictedCell, offsets []predict.SiteOffset) []PredictedCell {
	out := slices.Clone(predicted)
	OffsetSitesInPlace(out, offsets)
	return out
}

// OffsetSitesInPlace is ApplySiteOffsets correcting predicted itself.
func OffsetSitesInPlace(predicted []PredictedCell, offsets []predict.SiteOffset) {
	type key struct {
		c    engine.Carrier
		t    engine.Tech
		site string
	}
	dev := make(map[key]float64, len(offsets))
	for _, o := range offsets {
		dev[key{o.Carrier, o.Tech, o.SiteID}] = o.DeviationDB
	}
	for i := range predicted {
		p := &predicted[i]
		if v, ok := dev[key{p.Carrier, p.Tech, p.ServingSite}]; ok && p.ServingSite != "" {
			p.SignalDBm += v
		}
	}
}
