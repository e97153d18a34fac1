package sigfig

import (
	"math"
	"testing"
)

func TestRound(t *testing.T) {
	for _, c := range []struct {
		v      float64
		digits int
		want   float64
	}{
		{12.345, 4, 12.35}, {0.012345, 4, 0.01235}, {987.65, 4, 987.7}, {1000, 4, 1000}, {99.996, 4, 100},
		{10.04, 4, 10.04}, {12345.6, 4, 12350}, {0.10207802477176212, 3, 0.102}, {0, 3, 0}, {-1, 3, -1},
	} {
		if got := Round(c.v, c.digits); got != c.want && math.Abs(got-c.want) > 1e-12*c.want {
			t.Errorf("Round(%v, %d) = %v, want %v", c.v, c.digits, got, c.want)
		}
	}
	if !math.IsNaN(Round(math.NaN(), 3)) || !math.IsInf(Round(math.Inf(1), 3), 1) {
		t.Error("NaN and Inf are not returned as they are")
	}
	for v := 0.001; v < 5000; v *= 1.0137 {
		if got := Round(v, 4); math.Abs(got-v) > 0.0005*v {
			t.Fatalf("Round(%g, 4) = %g: more than 0.05%% off", v, got)
		}
	}
}
