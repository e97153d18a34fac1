package aggregate

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
)

// WindowMs is the length of a time window: 4 hours, in milliseconds.
const WindowMs = 4 * 3600 * 1000

// CellRule says in words which cell a row counts in at analysis resolution
// res: the parent at res of its cell at res+1, which is not LatLngToCell at
// res for about 7% of points (see the package documentation). Outputs
// built on the aggregates record it in their metadata as
// lomsong.cell_rule.
func CellRule(res int) string {
	return fmt.Sprintf("a test's cell is the H3 parent at res %d of its res-%d cell, not LatLngToCell at res %d", res, res+1, res)
}

// Config sets what an Aggregator counts.
type Config struct {
	// Thresholds decide covered and no-service tests per technology.
	// Default engine.DefaultThresholds().
	Thresholds engine.Thresholds
	// Resolution is the H3 resolution of the analysis cells, 0..14.
	// Aggregator.Add takes cells one resolution finer. Default 8.
	Resolution int
	// WindowOffsetMs aligns the 4-hour windows: window k covers
	// [k·4h + WindowOffsetMs, (k+1)·4h + WindowOffsetMs) in Unix
	// milliseconds. It must be in [0, WindowMs). The default, one hour,
	// starts windows at 00:00, 04:00, … Indochina Time (UTC+7).
	WindowOffsetMs int64
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Thresholds:     engine.DefaultThresholds(),
		Resolution:     8,
		WindowOffsetMs: 3600 * 1000,
	}
}

// Validate checks the thresholds, the resolution and the window offset.
// Errors wrap engine.ErrInvalidConfig.
func (c Config) Validate() error {
	if err := c.Thresholds.Validate(); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	if c.Resolution < 0 || c.Resolution > 14 {
		return fmt.Errorf("aggregate: resolution %d must be in 0..14 (its children are one finer): %w", c.Resolution, engine.ErrInvalidConfig)
	}
	if c.WindowOffsetMs < 0 || c.WindowOffsetMs >= WindowMs {
		return fmt.Errorf("aggregate: window offset %d ms must be in [0, %d): %w", c.WindowOffsetMs, WindowMs, engine.ErrInvalidConfig)
	}
	return nil
}
