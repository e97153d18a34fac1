package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
)

func TestWholeCounts(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0.49, 0}, {0.5, 1}, {2.5, 3}, {603.7, 604}, {1e6 + 0.4, 1e6}, {math.NaN(), 0}, {math.Inf(1), 0},
	} {
		if got := WholeCount(c.in); got != c.want {
			t.Errorf("WholeCount(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	in := []arrowio.Column{
		{Name: "village", String: []string{"a", "b", "c"}},
		{Name: "households", Float64: []float64{1.4, 2.5, math.NaN()}},
		{Name: "population", Float64: []float64{5.6, 10.2, 0.3}},
		{Name: "lon", Float64: []float64{103.25, 103.5, 103.75}},
	}
	totals := map[string]float64{}
	out := WholeCounts(in, "villages", totals, "households", "population")
	if !slices.Equal(out[1].Int64, []int64{1, 3, 0}) || out[1].Float64 != nil || !slices.Equal(out[2].Int64, []int64{6, 10, 0}) {
		t.Errorf("rounded: %+v %+v", out[1], out[2])
	}
	if !slices.Equal(out[3].Float64, in[3].Float64) || out[3].Int64 != nil {
		t.Errorf("lon was changed: %+v", out[3])
	}
	if in[1].Float64 == nil || in[1].Int64 != nil {
		t.Error("the input columns were changed")
	}
	if math.Abs(totals["villages.households"]-3.9) > 1e-12 || math.Abs(totals["villages.population"]-16.1) > 1e-12 || len(totals) != 2 {
		t.Errorf("totals %v", totals)
	}
}
