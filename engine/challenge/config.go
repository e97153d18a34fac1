package challenge

import (
	"fmt"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Config holds the adjudication rules. DefaultConfig gives the FCC mobile
// challenge thresholds with Vietnam's time zone.
type Config struct {
	// Res is the resolution of claimed hexes (default 8); tests are placed
	// in its children at Res+1.
	Res int
	// UTCOffset is the local time zone's offset from UTC (default +7 h,
	// Vietnam, which keeps no daylight saving time).
	UTCOffset time.Duration
	// DayStart and DayEnd bound the local time of day of a counted test:
	// DayStart ≤ t < DayEnd (defaults 06:00 and 22:00).
	DayStart, DayEnd time.Duration
	// Thresholds decide negative tests: a signal below Covered(tech) is
	// negative (defaults engine.DefaultThresholds).
	Thresholds engine.Thresholds
	// MinChildren is the geographic threshold: counted tests in at least
	// this many of the hex's 7 children (default 4).
	MinChildren int
	// MinSpan is the temporal threshold: the first and last negative tests
	// at least this far apart (default 4 h). It implies two negatives.
	MinSpan time.Duration
	// MinNegatives is the volume threshold on the count (default 5).
	MinNegatives int
	// NullShare and Alpha are the volume threshold on the share: the
	// negative share must be significantly above NullShare, P(X ≥ k | n,
	// NullShare) < Alpha (defaults 0.1 and 0.05).
	NullShare, Alpha float64
	// RollupMin is how many of a parent's 7 children must be challenged
	// for the parent to be (default 4); RollupRes is the coarsest
	// resolution rolled up to (default 6).
	RollupMin int
	RollupRes int
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Res:          8,
		UTCOffset:    7 * time.Hour,
		DayStart:     6 * time.Hour,
		DayEnd:       22 * time.Hour,
		Thresholds:   engine.DefaultThresholds(),
		MinChildren:  4,
		MinSpan:      4 * time.Hour,
		MinNegatives: 5,
		NullShare:    0.1,
		Alpha:        0.05,
		RollupMin:    4,
		RollupRes:    6,
	}
}

// Validate checks every field; errors wrap engine.ErrInvalidConfig.
func (c Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("challenge: "+format+": %w", append(a, engine.ErrInvalidConfig)...)
	}
	switch {
	case c.Res < 0 || c.Res >= hexgrid.MaxRes:
		return bad("resolution %d must be 0..%d", c.Res, hexgrid.MaxRes-1)
	case c.UTCOffset <= -24*time.Hour || c.UTCOffset >= 24*time.Hour:
		return bad("UTC offset %v must be within ±24 h", c.UTCOffset)
	case c.DayStart < 0 || c.DayEnd > 24*time.Hour || c.DayStart >= c.DayEnd:
		return bad("day window %v..%v must satisfy 0 ≤ start < end ≤ 24 h", c.DayStart, c.DayEnd)
	case c.MinChildren < 1 || c.MinChildren > 7:
		return bad("MinChildren %d must be 1..7", c.MinChildren)
	case c.MinSpan < 0:
		return bad("MinSpan %v must not be negative", c.MinSpan)
	case c.MinNegatives < 1:
		return bad("MinNegatives %d must be at least 1", c.MinNegatives)
	case !(c.NullShare > 0 && c.NullShare < 1):
		return bad("NullShare %g must be in (0, 1)", c.NullShare)
	case !(c.Alpha > 0 && c.Alpha < 1):
		return bad("Alpha %g must be in (0, 1)", c.Alpha)
	case c.RollupMin < 1 || c.RollupMin > 7:
		return bad("RollupMin %d must be 1..7", c.RollupMin)
	case c.RollupRes < 0 || c.RollupRes > c.Res:
		return bad("RollupRes %d must be 0..Res (%d)", c.RollupRes, c.Res)
	}
	if err := c.Thresholds.Validate(); err != nil {
		return fmt.Errorf("challenge: %w", err)
	}
	return nil
}

// daytime reports whether a UTC time falls in the local day window.
func (c Config) daytime(unixMs int64) bool {
	const dayMs = 24 * 3600 * 1000
	local := unixMs + c.UTCOffset.Milliseconds()
	tod := ((local % dayMs) + dayMs) % dayMs
	return tod >= c.DayStart.Milliseconds() && tod < c.DayEnd.Milliseconds()
}

// UpperTail returns P(X ≥ k) for X ~ Binomial(n, p): the one-sided exact
// binomial test's p-value for k successes in n trials. It sums the
// probabilities of k..n, accurate in the small tail that decides
// significance.
func UpperTail(k, n int, p float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	return upperTail(k, n, p)
}
