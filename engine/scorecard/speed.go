package scorecard

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/penetration"
)

// SpeedStratum is one stratum of an area's mobile speed tests (one carrier
// and technology) in the month scored and in the same month a year before.
type SpeedStratum struct {
	// Name names the stratum in the estimate's issues ("viettel 4G").
	Name string
	// Current and YearAgo count the stratum's download speeds in the two
	// months; a histogram without tests is a month without the stratum.
	Current, YearAgo penetration.SpeedHistogram
}

// MethodSpeedYoYStrata names SpeedChange's estimate.
const MethodSpeedYoYStrata = "sum over the carriers and technologies measured in both months of w × (median(current) / median(same month a year before) − 1), w = the stratum's share of the current month's tests among them; stratified percentile bootstrap"

// SpeedChange is target 5's mobile half: the year-on-year change of the
// median download speed of an area, compared like with like. A pooled
// median of every carrier's and technology's tests moves when the mix of
// carriers or technologies that reported moves (a month with one fast
// carrier's tests against a month with all four reads as a fall when no
// carrier's speed changed), so the change is taken per stratum and
// averaged:
//
//	r_s    = median_s(current) / median_s(year before) − 1
//	change = Σ_s w_s r_s,  w_s = n_s(current) / Σ_k n_k(current)
//
// over the strata s measured in both months with at least bs.MinSamples
// tests in each (and a median above zero a year before); n_s is the
// stratum's tests in the month scored. Identical speeds in every stratum
// give 0 whatever the two months' mixes; a uniform +40% in every stratum
// gives +40%. The weights are the current month's mix: the change the
// month's tests saw in their own carrier and technology. A shift of tests
// towards a faster technology is not counted as a gain in speed (the
// target is about speeds, not about which networks were tested).
//
// Strata with speed tests in one month only, or with too few tests, are
// left out and named in the estimate's Issues (with the share of the
// current month's tests they hold): "measured in <p> only" for a stratum
// without tests a year before, "no speed tests in <p>" for one without
// tests in the month scored (its carrier may well have been measured
// there, with no speed in its rows); with no stratum left the estimate is unknown,
// saying why, never a number.
//
// Interval: a stratified percentile bootstrap. Each of bs.B rounds
// resamples every kept stratum's tests of each month independently with
// replacement (its sizes fixed, so the weights are too), recomputes the
// change as above and keeps it; a round with a stratum whose resampled
// median a year before is zero is skipped and counted in Issues. The
// interval is the (1−c)/2 and (1+c)/2 quantiles (linear interpolation) of
// the kept rounds, c = bs.Confidence. It assumes tests within a stratum
// and month are independent draws of its speed distribution (tests
// cluster by device and place, so the interval is somewhat too narrow
// when a few devices dominate) and the strata independent. With one
// stratum it is penetration.Bootstrap.YoYHistogram draw for draw.
//
// p is the month scored, for the issues' wording. Strata are visited in
// Name order, so one seeded rng gives the same estimate every time. It
// returns an error only for an invalid bootstrap or a nil rng.
func SpeedChange(p penetration.Period, strata []SpeedStratum, bs penetration.Bootstrap, rng *rand.Rand) (penetration.Estimate, error) {
	if err := bs.Validate(); err != nil {
		return penetration.Estimate{}, err
	}
	if rng == nil {
		return penetration.Estimate{}, fmt.Errorf("scorecard: SpeedChange: nil rng: %w", engine.ErrInvalidConfig)
	}
	strata = slices.Clone(strata)
	slices.SortStableFunc(strata, func(a, b SpeedStratum) int { return cmp.Compare(a.Name, b.Name) })
	before := p.AddMonths(-12)
	var kept []SpeedStratum
	var onlyNow, onlyBefore, few []string
	var nowAll, nowLeft int64
	for _, s := range strata {
		nc, np := s.Current.N(), s.YearAgo.N()
		nowAll += nc
		switch {
		case nc == 0 && np == 0:
			continue
		case np == 0:
			onlyNow = append(onlyNow, s.Name)
		case nc == 0:
			onlyBefore = append(onlyBefore, s.Name)
		case nc < int64(bs.MinSamples) || np < int64(bs.MinSamples):
			few = append(few, fmt.Sprintf("%s (%d and %d tests)", s.Name, nc, np))
		case !(s.YearAgo.Median() > 0):
			few = append(few, fmt.Sprintf("%s (median a year before is zero)", s.Name))
		default:
			kept = append(kept, s)
			continue
		}
		nowLeft += nc
	}
	var issues []string
	share := func(n int64) string {
		if nowAll == 0 {
			return ""
		}
		pct := 100 * float64(n) / float64(nowAll)
		if n > 0 && pct < 0.5 {
			// Some tests, fewer than rounds to 1%: not "0%".
			return fmt.Sprintf(", under 1%% of the tests of %s", p)
		}
		return fmt.Sprintf(", %.0f%% of the tests of %s", pct, p)
	}
	if len(onlyNow) > 0 || len(onlyBefore) > 0 || len(few) > 0 {
		var parts []string
		if len(onlyNow) > 0 {
			parts = append(parts, fmt.Sprintf("measured in %s only: %s", p, strings.Join(onlyNow, ", ")))
		}
		if len(onlyBefore) > 0 {
			// Not "measured in <before> only": a carrier whose rows of p
			// carry no speeds was measured in p all the same.
			parts = append(parts, fmt.Sprintf("no speed tests in %s: %s", p, strings.Join(onlyBefore, ", ")))
		}
		if len(few) > 0 {
			parts = append(parts, fmt.Sprintf("fewer than %d tests in a month: %s", bs.MinSamples, strings.Join(few, ", ")))
		}
		issues = append(issues, fmt.Sprintf("mobile speed change compares like with like: carriers and technologies left out (%s%s)",
			strings.Join(parts, "; "), share(nowLeft)))
	}
	if len(kept) == 0 {
		why := fmt.Sprintf("no carrier and technology measured with at least %d tests in both %s and %s", bs.MinSamples, p, before)
		return penetration.Estimate{Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Interval: penetration.IntervalNone,
			Method: MethodSpeedYoYStrata, Issues: append([]string{why}, issues...)}, nil
	}
	var total int64
	for _, s := range kept {
		total += s.Current.N()
	}
	w := make([]float64, len(kept))
	var value float64
	for i, s := range kept {
		w[i] = float64(s.Current.N()) / float64(total)
		value += w[i] * (s.Current.Median()/s.YearAgo.Median() - 1)
	}
	rs := make([][2]*penetration.Resampler, len(kept))
	for i, s := range kept {
		rs[i] = [2]*penetration.Resampler{penetration.NewResampler(s.Current), penetration.NewResampler(s.YearAgo)}
	}
	r := make([]float64, 0, bs.B)
	for range bs.B {
		var v float64
		ok := true
		for i := range kept {
			a := rs[i][0].Median(rng)
			d := rs[i][1].Median(rng)
			if !(d > 0) {
				ok = false // every stratum still drawn: the rng's state does not depend on where a round failed
				continue
			}
			v += w[i] * (a/d - 1)
		}
		if ok {
			r = append(r, v)
		}
	}
	names := make([]string, len(kept))
	for i, s := range kept {
		names[i] = fmt.Sprintf("%s %d and %d tests", s.Name, s.Current.N(), s.YearAgo.N())
	}
	e := penetration.Estimate{Value: value, Confidence: bs.Confidence, Interval: penetration.IntervalBootstrap, Method: MethodSpeedYoYStrata,
		Assumptions: []string{
			"tests within a carrier, technology and month are independent draws of its speed distribution; strata independent",
			"weights: the current month's tests per carrier and technology",
			fmt.Sprintf("%d bootstrap resamples; strata compared: %s", bs.B, strings.Join(names, ", ")),
		}, Issues: issues}
	if len(r) == 0 {
		e.Lower, e.Upper = math.NaN(), math.NaN()
		e.Issues = append(e.Issues, "every resample had a zero median a year before: no interval")
		return e, nil
	}
	bs.SetInterval(&e, r)
	return e, nil
}

// SpeedBasis says which halves target 5's figure of a row rests on: a
// figure of one half alone (the other unknown) and one of both are two
// kinds of figure, not to be compared month to month.
type SpeedBasis int

// The halves a target-5 figure rests on.
const (
	SpeedNoFigure    SpeedBasis = iota // the figure is unknown
	SpeedFixedAlone                    // fixed broadband's change, mobile's unknown
	SpeedMobileAlone                   // mobile's change, fixed broadband's unknown (or not required)
	SpeedBoth                          // the smaller of both halves' changes
)

func (b SpeedBasis) String() string {
	switch b {
	case SpeedFixedAlone:
		return "fixed alone"
	case SpeedMobileAlone:
		return "mobile alone"
	case SpeedBoth:
		return "fixed and mobile"
	}
	return "no figure"
}

// SpeedBasis returns the halves r's target-5 figure rests on: the one
// owner of that rule, for the table's cells and the month-to-month
// comparison alike.
func (r Row) SpeedBasis() SpeedBasis {
	if math.IsNaN(r.Targets[TargetSpeed].Value) {
		return SpeedNoFigure
	}
	switch mob, fix := !math.IsNaN(r.SpeedMobile), !math.IsNaN(r.SpeedFixed); {
	case mob && fix:
		return SpeedBoth
	case fix:
		return SpeedFixedAlone
	case mob:
		return SpeedMobileAlone
	}
	return SpeedNoFigure
}

// speedUnlike says why target 5's figures of prev and cur are not like
// with like — they rest on different halves — or "" when they are (or
// either is unknown, which leaves no change to compare).
func speedUnlike(prev, cur *Row) string {
	p, c := prev.SpeedBasis(), cur.SpeedBasis()
	if p == c || p == SpeedNoFigure || c == SpeedNoFigure {
		return ""
	}
	return fmt.Sprintf("no change since %s: that month's figure is of %s, this month's of %s: two kinds of figure", prev.Period, p, c)
}
