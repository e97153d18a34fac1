package penetration

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lomsong/lomsong/engine"
	"gonum.org/v1/gonum/stat"
)

// SpeedKey identifies a group of speed tests.
type SpeedKey struct {
	Area    string
	Carrier engine.Carrier // "" = all carriers pooled (or a fixed line without carrier)
	Period  Period
	Fixed   bool // fixed-line test rather than mobile
}

func (a SpeedKey) compare(b SpeedKey) int {
	return cmp.Or(cmp.Compare(a.Area, b.Area), boolCmp(a.Fixed, b.Fixed),
		cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Period.Year, b.Period.Year),
		cmp.Compare(a.Period.Month, b.Period.Month))
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// SpeedSample is one download test in Mbit/s.
type SpeedSample struct {
	Key    SpeedKey
	DLMbps float64
}

// SpeedGroup holds one key's valid download speeds, sorted ascending.
type SpeedGroup struct {
	Key     SpeedKey
	DLMbps  []float64
	Median  float64
	Dropped int // NaN, infinite or negative speeds not used
}

// GroupSpeeds groups samples by key, sorted by area, fixed, carrier and
// period. With pool set, every mobile (area, period) also gets a group with
// Carrier "" holding all carriers' tests together (so a carrier with more
// tests weighs more); samples whose carrier is already "" go only there.
func GroupSpeeds(samples []SpeedSample, pool bool) []SpeedGroup {
	by := map[SpeedKey]*SpeedGroup{}
	add := func(k SpeedKey, v float64, ok bool) {
		g, has := by[k]
		if !has {
			g = &SpeedGroup{Key: k}
			by[k] = g
		}
		if ok {
			g.DLMbps = append(g.DLMbps, v)
		} else {
			g.Dropped++
		}
	}
	for _, s := range samples {
		ok := s.DLMbps >= 0 && !math.IsInf(s.DLMbps, 1)
		add(s.Key, s.DLMbps, ok)
		if pool && !s.Key.Fixed && s.Key.Carrier != "" {
			k := s.Key
			k.Carrier = ""
			add(k, s.DLMbps, ok)
		}
	}
	out := make([]SpeedGroup, 0, len(by))
	for _, g := range by {
		slices.Sort(g.DLMbps)
		g.Median = sortedMedian(g.DLMbps)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b SpeedGroup) int { return a.Key.compare(b.Key) })
	return out
}

// Median returns the median of x (the mean of the two middle values when
// len is even), ignoring NaN; NaN when no value remains. x is not modified.
func Median(x []float64) float64 {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if !math.IsNaN(f) {
			v = append(v, f)
		}
	}
	slices.Sort(v)
	return sortedMedian(v)
}

func sortedMedian(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// Bootstrap configures the year-on-year speed change interval.
type Bootstrap struct {
	B          int     // resamples, 2000 by default
	Confidence float64 // 0.95 by default
	MinSamples int     // fewest tests in each year for an estimate, 10 by default
}

// DefaultBootstrap returns the documented defaults.
func DefaultBootstrap() Bootstrap { return Bootstrap{B: 2000, Confidence: 0.95, MinSamples: 10} }

// Validate checks the configuration.
func (bs Bootstrap) Validate() error {
	switch {
	case bs.B < 100:
		return configErr("bootstrap B %d below 100", bs.B)
	case !(bs.Confidence > 0 && bs.Confidence < 1):
		return configErr("confidence %v outside (0, 1)", bs.Confidence)
	case bs.MinSamples < 2:
		return configErr("min samples %d below 2", bs.MinSamples)
	}
	return nil
}

// MethodReportedSpeedYoY names the year-on-year change of reported medians.
const MethodReportedSpeedYoY = "reported median(current) / reported median(same month a year before) - 1"

// ReportedYoY returns cur/prev − 1 for two reported medians (the fixed
// broadband speeds a measuring body publishes per area and month, without
// their tests): exact as reported — there is no sample to give an interval
// (Lower = Upper = Value, IntervalExact) — and unknown when either is
// missing or not above 0.
func ReportedYoY(cur, prev float64) Estimate {
	switch {
	case math.IsNaN(cur) || math.IsNaN(prev):
		return unknown(MethodReportedSpeedYoY, "no reported median for this month or the same month a year before")
	case !(cur > 0) || !(prev > 0) || math.IsInf(cur, 0) || math.IsInf(prev, 0):
		return unknown(MethodReportedSpeedYoY, fmt.Sprintf("reported medians %g and %g: not speeds", cur, prev))
	}
	v := cur/prev - 1
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return unknown(MethodReportedSpeedYoY, fmt.Sprintf("reported medians %g and %g: their ratio is not a number", cur, prev))
	}
	return Estimate{Value: v, Lower: v, Upper: v, Interval: IntervalExact, Method: MethodReportedSpeedYoY,
		Assumptions: []string{"medians as reported for the area and month: their tests are not seen, so no sampling interval"}}
}

// MethodSpeedYoY names the year-on-year estimate.
const MethodSpeedYoY = "median(current) / median(same month a year before) - 1, percentile bootstrap"

// YoY returns median(cur)/median(prev) − 1 with a percentile bootstrap
// interval: each of B rounds resamples cur and prev independently with
// replacement and takes the ratio of their medians minus one; the interval
// is the (1−conf)/2 and (1+conf)/2 quantiles (linear interpolation) of the
// B values. It assumes tests within each month are independent draws from
// the area's speed distribution (tests cluster by device and place, so the
// interval is somewhat too narrow when a few devices dominate). NaN speeds
// are ignored. The same rng state gives the same interval. It returns an
// error only for an invalid configuration or nil rng.
func (bs Bootstrap) YoY(cur, prev []float64, rng *rand.Rand) (Estimate, error) {
	if err := bs.Validate(); err != nil {
		return Estimate{}, err
	}
	if rng == nil {
		return Estimate{}, fmt.Errorf("penetration: YoY: nil rng: %w", errInvalid)
	}
	c, p := finite(cur), finite(prev)
	if len(c) < bs.MinSamples || len(p) < bs.MinSamples {
		return unknown(MethodSpeedYoY, fmt.Sprintf("too few tests: %d now, %d a year before (need %d each)", len(c), len(p), bs.MinSamples)), nil
	}
	slices.Sort(c)
	slices.Sort(p)
	mc, mp := sortedMedian(c), sortedMedian(p)
	if !(mp > 0) {
		return unknown(MethodSpeedYoY, "median a year before is zero"), nil
	}
	bc, bp := make([]float64, len(c)), make([]float64, len(p))
	r := make([]float64, 0, bs.B)
	for range bs.B {
		for i := range bc {
			bc[i] = c[rng.IntN(len(c))]
		}
		for i := range bp {
			bp[i] = p[rng.IntN(len(p))]
		}
		slices.Sort(bc)
		slices.Sort(bp)
		if d := sortedMedian(bp); d > 0 {
			r = append(r, sortedMedian(bc)/d-1)
		}
	}
	e := Estimate{Value: mc/mp - 1, Confidence: bs.Confidence, Interval: IntervalBootstrap, Method: MethodSpeedYoY,
		Assumptions: []string{
			"tests within a month are independent draws of the area's speed distribution",
			fmt.Sprintf("%d bootstrap resamples, %d and %d tests", bs.B, len(c), len(p)),
		}}
	bs.SetInterval(&e, r)
	return e, nil
}

// SetInterval sets e's interval to the percentile bootstrap interval at
// bs.Confidence of the resampled changes r (sorted in place), and notes
// the resamples that were skipped for a zero median a year before (bs.B
// less those kept).
func (bs Bootstrap) SetInterval(e *Estimate, r []float64) {
	if len(r) < bs.B {
		e.Issues = append(e.Issues, fmt.Sprintf("%d of %d resamples had a zero median a year before and were skipped", bs.B-len(r), bs.B))
	}
	slices.Sort(r)
	a := (1 - bs.Confidence) / 2
	e.Lower = stat.Quantile(a, stat.LinInterp, r, nil)
	e.Upper = stat.Quantile(1-a, stat.LinInterp, r, nil)
}

func finite(x []float64) []float64 {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if f >= 0 && !math.IsInf(f, 1) {
			v = append(v, f)
		}
	}
	return v
}

// SpeedChange is one group's year-on-year change of median download speed.
type SpeedChange struct {
	Key                   SpeedKey // the current period
	Median, MedianYearAgo float64
	Tests, TestsYearAgo   int
	Change                Estimate
}

// Changes pairs every group with the group of the same area, carrier and
// kind twelve months earlier and estimates the change; groups with no such
// pair are skipped. Groups are visited in GroupSpeeds order, so one seeded
// rng gives the same output every time.
func (bs Bootstrap) Changes(groups []SpeedGroup, rng *rand.Rand) ([]SpeedChange, error) {
	idx := make(map[SpeedKey]int, len(groups))
	for i, g := range groups {
		idx[g.Key] = i
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return groups[a].Key.compare(groups[b].Key) })
	var out []SpeedChange
	for _, i := range order {
		g := groups[i]
		k := g.Key
		k.Period = k.Period.AddMonths(-12)
		j, ok := idx[k]
		if !ok {
			continue
		}
		e, err := bs.YoY(g.DLMbps, groups[j].DLMbps, rng)
		if err != nil {
			return nil, err
		}
		out = append(out, SpeedChange{Key: g.Key, Median: g.Median, MedianYearAgo: groups[j].Median,
			Tests: len(g.DLMbps), TestsYearAgo: len(groups[j].DLMbps), Change: e})
	}
	return out, nil
}
