package penetration

import (
	"fmt"
	"math"
	"time"
)

// IntervalKind says what an Estimate's [Lower, Upper] means.
type IntervalKind string

// Interval kinds.
const (
	// IntervalExact: the value is an administrative count ratio with no
	// sampling error; Lower = Upper = Value.
	IntervalExact IntervalKind = "exact"
	// IntervalWilson: Wilson score confidence interval for a binomial share.
	IntervalWilson IntervalKind = "wilson"
	// IntervalPosterior: equal-tailed credible interval of a Beta posterior.
	IntervalPosterior IntervalKind = "beta-posterior"
	// IntervalJeffreys: equal-tailed credible interval of the survey's
	// Beta posterior under the Jeffreys prior Beta(½, ½): an area with a
	// survey but no model share, so nothing is shrunk towards a model.
	IntervalJeffreys IntervalKind = "beta-jeffreys"
	// IntervalPrior: equal-tailed interval of an empirical-Bayes Beta
	// prior alone (an area without a survey, when other areas have one):
	// the model's share with the surveyed areas' spread around the model.
	IntervalPrior IntervalKind = "beta-prior"
	// IntervalBootstrap: percentile bootstrap confidence interval.
	IntervalBootstrap IntervalKind = "bootstrap"
	// IntervalSensitivity: the range of the value when one stated model
	// parameter moves over a stated range. Not a confidence interval;
	// Confidence is 0.
	IntervalSensitivity IntervalKind = "sensitivity"
	// IntervalNone: no value (Value, Lower and Upper are NaN).
	IntervalNone IntervalKind = "none"
)

// Estimate is a value with its interval, the method that produced it, the
// assumptions behind it and any data problems found on the way. An absent
// value is NaN, never zero.
type Estimate struct {
	Value, Lower, Upper float64
	// Confidence is the interval's nominal coverage (0.95, 0.90), or 0
	// when the interval is exact, a sensitivity range or absent.
	Confidence  float64
	Interval    IntervalKind
	Method      string
	Assumptions []string
	// Issues lists data problems (a share above 100%, a count that does
	// not add up). Values are never clipped silently: the problem is here.
	Issues []string
	// Impossible marks a value that cannot be the quantity (a share above
	// 100%): kept and shown for the record, but never judged against a
	// goal or ranked (the scorecard's status is then unknown).
	Impossible bool
	// HouseholdsProjected marks a share of households the census
	// projected (the area gives no household count of its own).
	HouseholdsProjected bool
}

// Known reports whether the estimate has a value.
func (e Estimate) Known() bool { return !math.IsNaN(e.Value) }

func unknown(method string, issues ...string) Estimate {
	return Estimate{Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(),
		Interval: IntervalNone, Method: method, Issues: issues}
}

// Period is a calendar month, the unit of the subscriptions table.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod parses "YYYY-MM".
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM: %w", s, errInvalid)
	}
	return Period{t.Year(), t.Month()}, nil
}

// String returns "YYYY-MM".
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Year == 0 && p.Month == 0 }

// AddMonths returns the period n months later (earlier when n < 0).
func (p Period) AddMonths(n int) Period {
	m := p.Year*12 + int(p.Month) - 1 + n
	y := m / 12
	if m < 0 && m%12 != 0 {
		y--
	}
	return Period{y, time.Month(m - y*12 + 1)}
}

// Before reports whether p is earlier than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || (p.Year == q.Year && p.Month < q.Month)
}

// Start returns the first instant of the month, UTC.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, time.UTC) }

// Mid returns the middle instant of the month, UTC (half-way between its
// first instant and the next month's).
func (p Period) Mid() time.Time {
	s := p.Start()
	return s.Add(p.AddMonths(1).Start().Sub(s) / 2)
}
