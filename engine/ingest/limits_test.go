package ingest

import (
	"errors"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestCheckRange: one range rule for every command's and the service's
// limits; zero takes the default, and the first field out of range is
// named.
func TestCheckRange(t *testing.T) {
	for _, c := range []struct {
		l     Limits
		field string
	}{
		{Limits{}, ""},
		{DefaultLimits(), ""},
		{Limits{MaxLineBytes: 1, MaxGzipRatio: 1, MaxSpillRatio: 1, MaxDecompressedBytes: 1, MaxSpillBytes: 1}, ""},
		{Limits{MaxLineBytes: MaxLineBytesCap}, ""},
		{Limits{MaxLineBytes: MaxLineBytesCap + 1}, "MaxLineBytes"},
		{Limits{MaxLineBytes: -1}, "MaxLineBytes"},
		{Limits{MaxDecompressedBytes: -1}, "MaxDecompressedBytes"},
		{Limits{MaxGzipRatio: 0.5}, "MaxGzipRatio"},
		{Limits{MaxGzipRatio: math.NaN()}, "MaxGzipRatio"},
		{Limits{MaxSpillBytes: -5}, "MaxSpillBytes"},
		{Limits{MaxSpillRatio: 0.99}, "MaxSpillRatio"},
	} {
		err := c.l.CheckRange()
		var le *LimitError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.l, err)
		case c.field != "" && (!errors.As(err, &le) || le.Field != c.field || !errors.Is(err, engine.ErrInvalidConfig)):
			t.Errorf("%+v: %v, want a LimitError on %s", c.l, err, c.field)
		}
	}
}
