package coverage

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/engine/predict"
)

// Level is the coverage state of a hex for one carrier and technology.
// Levels are ordered: Uncovered < Weak < Covered. The zero value is invalid.
type Level uint8

// Levels.
const (
	Uncovered Level = iota + 1
	Weak
	Covered
)

// String returns "uncovered", "weak", "covered", or "unknown".
func (l Level) String() string {
	switch l {
	case Uncovered:
		return "uncovered"
	case Weak:
		return "weak"
	case Covered:
		return "covered"
	}
	return "unknown"
}

// MarshalText writes String.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Source says which evidence decided a state. The zero value is invalid.
type Source uint8

// Sources. Rule: neither enough tests to decide nor a prediction (no
// site of the carrier in the register reaches the hex): uncovered by
// rule, with no evidence of a level; it was labelled predicted.
const (
	Measured Source = iota + 1
	Predicted
	Rule
)

// String returns "measured", "predicted", "rule", or "unknown".
func (s Source) String() string {
	switch s {
	case Measured:
		return "measured"
	case Predicted:
		return "predicted"
	case Rule:
		return "rule"
	}
	return "unknown"
}

// MarshalText writes String.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// PredictedCell is the best server's prediction for one hex, carrier and
// technology. Callers adapt predict.Result into it (FromBestServer).
type PredictedCell struct {
	Cell    hexgrid.Cell
	Carrier engine.Carrier
	Tech    engine.Tech
	// SignalDBm is the predicted median signal (RSRP, RSCP or RSSI); it
	// must be finite. Cells without a server in range are left out.
	SignalDBm float64
	// SigmaDB is the model's shadow-fading σ; NaN or 0 when unknown.
	SigmaDB float64
	// ServingSite is the serving site's identifier.
	ServingSite string
	// DistanceM is the distance to the serving site; NaN when unknown.
	DistanceM float64
}

// State is the fused coverage of one hex for one carrier and technology,
// with the evidence behind it. Absent float values are NaN.
type State struct {
	Cell    hexgrid.Cell
	Carrier engine.Carrier
	Tech    engine.Tech
	State   Level
	Source  Source
	// Tests are the valid outdoor and in-vehicle tests; Failures those
	// below the covered threshold, no-service tests included. Indoor tests
	// are not counted.
	Tests, Failures int64
	// ShareBelow is Failures/Tests; NaN when Tests is 0.
	ShareBelow float64
	// PValue is P(X ≥ Failures | Tests, 1 − Reliability), the one-sided
	// exact binomial p-value; NaN when Tests is 0. It decides only when
	// Source is Measured.
	PValue float64
	// MedianDBm is the median outdoor signal of the tests that reported
	// one (aggregate.Row.OutdoorSignal.P50DBm); NaN when none.
	MedianDBm float64
	// PredictedDBm is the best server's predicted signal; SigmaDB the σ
	// used for it (Config.Sigma); MarginDB = z·SigmaDB the location-
	// variability margin; DistanceM the distance to the serving site. All
	// NaN, and ServingSite empty, when there is no prediction. They are
	// filled whenever a prediction exists, also for measured states.
	PredictedDBm, SigmaDB, MarginDB, DistanceM float64
	ServingSite                                string
}

// Fuse decides the state of every (cell, carrier, tech) present in
// measured or predicted and returns them sorted by cell, carrier and tech.
//
// The decision (DESIGN.md, "Coverage rules"), with p0 = 1 − Reliability
// (0.10), n the valid outdoor and in-vehicle tests of the key and k those
// below the covered threshold (n − Outdoor.Covered, so every no-service
// test is a failure); indoor tests are kept in the aggregate but never
// decide:
//
//  1. Measured, when n ≥ MinTests. With p = P(X ≥ k | X ~ Binomial(n, p0))
//     (UpperTail):
//     - Uncovered when p < Alpha: the failure share is significantly above
//     p0, the hex fails the 90% cell-edge reliability target;
//     - Weak when p ≥ Alpha but k/n > p0: the sample misses the target, not
//     significantly;
//     - Covered otherwise (k/n ≤ p0). Since p0 < 0.5 (Validate), most tests
//     are then covered and the median outdoor signal is at or above the
//     threshold (to within the aggregate histogram's 0.5 dB rounding), so
//     the median is reported but need not be tested.
//     The comparison k/n > p0 allows a relative 1e-9 so that 1 failure in
//     10 is exactly 10% although 1 − 0.9 is not exact in binary.
//     At the defaults, 5 tests with 0 failures are covered, with 1 (p =
//     0.40951) or 2 (p = 0.08146) weak, with 3 or more (p ≤ 0.00856)
//     uncovered; CriticalFailures gives the uncovered k for any n.
//  2. Predicted, when n < MinTests and a prediction exists. With
//     s = SignalDBm − z·σ, z = Φ⁻¹(Reliability) (1.2816) and σ from
//     Config.Sigma: Covered when s ≥ the covered threshold, Weak when s ≥
//     the no-service level, Uncovered otherwise. s is the level exceeded at
//     Reliability of locations under log-normal shadowing.
//  3. Predicted and Uncovered, with no serving site, when n < MinTests and
//     there is no prediction (no site in range).
//
// Errors wrap engine.ErrInvalidValue: a key twice in one input, a cell of
// the wrong resolution or invalid, an empty carrier, a technology outside
// 2G..5G, a non-finite predicted signal or negative σ. An invalid cfg
// wraps engine.ErrInvalidConfig.
func Fuse(measured []aggregate.Row, predicted []PredictedCell, cfg Config) ([]State, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mi, err := sortedMeasured(measured, cfg.Resolution)
	if err != nil {
		return nil, err
	}
	pi, err := sortedPredicted(predicted, cfg.Resolution)
	if err != nil {
		return nil, err
	}
	z := cfg.Z()
	// The keys are paired in order first (each state's measured row and
	// prediction, -1 for none), then the states decided on every core,
	// each at its place: deciding them wrote a country's fresh 120 MB on
	// one core. The keys of both are counted before the pairing, so the
	// pairs and the states are each allocated once at their size: grown
	// by append from the larger, the states (120 bytes each, millions for
	// a national month) were copied once more with both copies live, the
	// coverage stage's peak, and kept a fifth more room than they used.
	if len(measured) > math.MaxInt32 || len(predicted) > math.MaxInt32 {
		return nil, fmt.Errorf("coverage: %d measured rows and %d predicted cells, more than %d: %w", len(measured), len(predicted), math.MaxInt32, engine.ErrInvalidValue)
	}
	n := unionLen(measured, mi, predicted, pi)
	fromM, fromP := make([]int32, 0, n), make([]int32, 0, n)
	for a, b := 0, 0; a < len(mi) || b < len(pi); {
		m, p := int32(-1), int32(-1)
		switch {
		case b == len(pi):
			m = int32(mi[a])
			a++
		case a == len(mi):
			p = int32(pi[b])
			b++
		default:
			switch c := compareKey(measured[mi[a]].Key, predicted[pi[b]].key()); {
			case c < 0:
				m = int32(mi[a])
				a++
			case c > 0:
				p = int32(pi[b])
				b++
			default:
				m, p = int32(mi[a]), int32(pi[b])
				a++
				b++
			}
		}
		fromM, fromP = append(fromM, m), append(fromP, p)
	}
	out := make([]State, len(fromM))
	parallel.Ranges(len(out), fuseChunk, 0, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			var m *aggregate.Row
			var p *PredictedCell
			if i := fromM[k]; i >= 0 {
				m = &measured[i]
			}
			if i := fromP[k]; i >= 0 {
				p = &predicted[i]
			}
			out[k] = decide(m, p, cfg, z)
		}
	})
	return out, nil
}

// fuseChunk is how many states a worker of Fuse decides at a time.
const fuseChunk = 8192

// unionLen is the number of distinct keys of the sorted measured[mi]
// and predicted[pi], each key held at most once in each.
func unionLen(measured []aggregate.Row, mi []int, predicted []PredictedCell, pi []int) int {
	n, a, b := 0, 0, 0
	for a < len(mi) && b < len(pi) {
		c := compareKey(measured[mi[a]].Key, predicted[pi[b]].key())
		if c <= 0 {
			a++
		}
		if c >= 0 {
			b++
		}
		n++
	}
	return n + len(mi) - a + len(pi) - b
}

func decide(m *aggregate.Row, p *PredictedCell, cfg Config, z float64) State {
	s := State{
		ShareBelow: math.NaN(), PValue: math.NaN(), MedianDBm: math.NaN(),
		PredictedDBm: math.NaN(), SigmaDB: math.NaN(), MarginDB: math.NaN(), DistanceM: math.NaN(),
	}
	p0 := cfg.FailureShare()
	if m != nil {
		s.Cell, s.Carrier, s.Tech = m.Cell, m.Carrier, m.Tech
		s.Tests = m.Outdoor.Tests
		s.Failures = m.Outdoor.Tests - m.Outdoor.Covered
		s.MedianDBm = m.OutdoorSignal.P50DBm
		if s.Tests > 0 {
			s.ShareBelow = float64(s.Failures) / float64(s.Tests)
			s.PValue = UpperTail(s.Failures, s.Tests, p0)
		}
	}
	if p != nil {
		s.Cell, s.Carrier, s.Tech = p.Cell, p.Carrier, p.Tech
		s.PredictedDBm = p.SignalDBm
		s.SigmaDB = cfg.Sigma(p.Carrier, p.Tech, p.SigmaDB)
		s.MarginDB = z * s.SigmaDB
		s.DistanceM = p.DistanceM
		s.ServingSite = p.ServingSite
	}
	th := cfg.Thresholds
	switch {
	case s.Tests >= cfg.MinTests:
		s.Source = Measured
		switch {
		case s.PValue < cfg.Alpha:
			s.State = Uncovered
		case float64(s.Failures) > p0*float64(s.Tests)*(1+1e-9):
			s.State = Weak
		default:
			s.State = Covered
		}
	case p != nil:
		s.Source = Predicted
		switch v := s.PredictedDBm - s.MarginDB; {
		case v >= th.Covered(s.Tech):
			s.State = Covered
		case v >= th.NoService(s.Tech):
			s.State = Weak
		default:
			s.State = Uncovered
		}
	default:
		s.Source = Rule
		s.State = Uncovered
	}
	return s
}

func (p *PredictedCell) key() aggregate.Key {
	return aggregate.Key{Cell: p.Cell, Carrier: p.Carrier, Tech: p.Tech}
}

func compareKey(a, b aggregate.Key) int {
	switch {
	case a.Cell != b.Cell:
		if a.Cell < b.Cell {
			return -1
		}
		return 1
	case a.Carrier != b.Carrier:
		if a.Carrier < b.Carrier {
			return -1
		}
		return 1
	case a.Tech != b.Tech:
		if a.Tech < b.Tech {
			return -1
		}
		return 1
	}
	return 0
}

func checkKey(what string, i int, k aggregate.Key, res int) error {
	switch {
	case !k.Cell.Valid():
		return fmt.Errorf("coverage: %s %d: invalid cell %d: %w", what, i, uint64(k.Cell), engine.ErrInvalidValue)
	case k.Cell.Resolution() != res:
		return fmt.Errorf("coverage: %s %d: cell %s has resolution %d, want %d: %w", what, i, k.Cell, k.Cell.Resolution(), res, engine.ErrInvalidValue)
	case k.Carrier == "":
		return fmt.Errorf("coverage: %s %d: empty carrier: %w", what, i, engine.ErrInvalidValue)
	case !k.Tech.Valid():
		return fmt.Errorf("coverage: %s %d: technology %s: %w", what, i, k.Tech, engine.ErrInvalidValue)
	}
	return nil
}

// sortedMeasured validates rows and returns their indexes in key order.
func sortedMeasured(rows []aggregate.Row, res int) ([]int, error) {
	idx := make([]int, len(rows))
	for i := range rows {
		if err := checkKey("measured row", i, rows[i].Key, res); err != nil {
			return nil, err
		}
		if c := rows[i].Outdoor; c.Tests < 0 || c.Covered < 0 || c.Covered > c.Tests {
			return nil, fmt.Errorf("coverage: measured row %d: outdoor covered %d of %d tests: %w", i, c.Covered, c.Tests, engine.ErrInvalidValue)
		}
		idx[i] = i
	}
	less := func(a, b int) bool { return compareKey(rows[idx[a]].Key, rows[idx[b]].Key) < 0 }
	if !sort.SliceIsSorted(idx, less) { // aggregate.Aggregator.Rows are sorted already
		sort.SliceStable(idx, less)
	}
	for j := 1; j < len(idx); j++ {
		if compareKey(rows[idx[j-1]].Key, rows[idx[j]].Key) == 0 {
			return nil, fmt.Errorf("coverage: measured rows %d and %d have the same key %s %s %s: %w",
				idx[j-1], idx[j], rows[idx[j]].Cell, rows[idx[j]].Carrier, rows[idx[j]].Tech, engine.ErrInvalidValue)
		}
	}
	return idx, nil
}

// sortedPredicted validates cells and returns their indexes in key order.
func sortedPredicted(cells []PredictedCell, res int) ([]int, error) {
	idx := make([]int, len(cells))
	for i := range cells {
		p := &cells[i]
		if err := checkKey("predicted cell", i, p.key(), res); err != nil {
			return nil, err
		}
		if math.IsNaN(p.SignalDBm) || math.IsInf(p.SignalDBm, 0) {
			return nil, fmt.Errorf("coverage: predicted cell %d: signal %g dBm must be finite: %w", i, p.SignalDBm, engine.ErrInvalidValue)
		}
		if p.SigmaDB < 0 {
			return nil, fmt.Errorf("coverage: predicted cell %d: sigma %g dB is negative: %w", i, p.SigmaDB, engine.ErrInvalidValue)
		}
		idx[i] = i
	}
	less := func(a, b int) bool { return compareKey(cells[idx[a]].key(), cells[idx[b]].key()) < 0 }
	if !sort.SliceIsSorted(idx, less) { // FromBestServer output is sorted already
		sort.SliceStable(idx, less)
	}
	for j := 1; j < len(idx); j++ {
		if compareKey(cells[idx[j-1]].key(), cells[idx[j]].key()) == 0 {
			c := cells[idx[j]]
			return nil, fmt.Errorf("coverage: predicted cells %d and %d have the same key %s %s %s: %w",
				idx[j-1], idx[j], c.Cell, c.Carrier, c.Tech, engine.ErrInvalidValue)
		}
	}
	return idx, nil
}

// FromBestServer adapts a best-server result into predicted cells: row i of
// r is for point r.Point[i], whose hex is cells[r.Point[i]], and its serving
// site is sites[r.Site[i]] (the same slices given to predict.BestServer).
// When several points share a hex (for example several sample points per
// hex), the strongest prediction per (cell, carrier, tech) is kept, ties
// going to the lower row. The result is sorted by cell, carrier and tech.
// An index out of range is an error wrapping engine.ErrInvalidValue.
func FromBestServer(r *predict.Result, cells []hexgrid.Cell, sites []engine.Site) ([]PredictedCell, error) {
	n := r.Len()
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("coverage: %d best-server rows, more than %d: %w", n, math.MaxInt32, engine.ErrInvalidValue)
	}
	for i := range n {
		pt, si := int(r.Point[i]), int(r.Site[i])
		if pt < 0 || pt >= len(cells) || si < 0 || si >= len(sites) {
			return nil, fmt.Errorf("coverage: best-server row %d: point %d or site %d out of range: %w", i, pt, si, engine.ErrInvalidValue)
		}
	}
	// The rows in key order, a key's rows in row order: 4 bytes a row
	// where a map from each key to its kept row took about 80 (hundreds
	// of MB for a national month's millions of rows, beside the result
	// and the cells made from it).
	key := func(i int32) aggregate.Key {
		return aggregate.Key{Cell: cells[r.Point[i]], Carrier: r.Carrier[i], Tech: r.Tech[i]}
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := compareKey(key(a), key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// The row kept for each key (the strongest, the first on a tie), then
	// the cells made from them on every core, each at its place.
	keep := make([]int32, 0, n)
	for j, i := range order {
		if j > 0 && key(order[j-1]) == key(i) {
			if k := len(keep) - 1; r.SignalDBm[i] > r.SignalDBm[keep[k]] {
				keep[k] = i
			}
			continue
		}
		keep = append(keep, i)
	}
	out := make([]PredictedCell, len(keep))
	parallel.Ranges(len(out), fuseChunk, 0, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			out[k] = predictedRow(r, keep[k], cells, sites)
		}
	})
	return out, nil
}

// predictedRow is row i of a best-server result as a predicted cell.
func predictedRow(r *predict.Result, i int32, cells []hexgrid.Cell, sites []engine.Site) PredictedCell {
	return PredictedCell{
		Cell: cells[r.Point[i]], Carrier: r.Carrier[i], Tech: r.Tech[i],
		SignalDBm: r.SignalDBm[i], SigmaDB: r.SigmaDB[i],
		ServingSite: sites[r.Site[i]].SiteID, DistanceM: r.DistanceM[i],
	}
}
