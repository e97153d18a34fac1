package penetration

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// YoYHistogram equals YoY on the tests the histograms count, draw for
// draw, for odd and even counts and values that repeat.
func TestYoYHistogramEqualsYoY(t *testing.T) {
	gen := func(n int, scale float64, seed uint64) ([]float64, map[float64]int64) {
		rng := rand.New(rand.NewPCG(seed, 2))
		var x []float64
		m := map[float64]int64{}
		for range n {
			v := math.Round(scale*rng.ExpFloat64()*10) / 10 // repeats
			x = append(x, v)
			m[v]++
		}
		x = append(x, math.NaN(), -1)
		m[math.Inf(1)]++
		return x, m
	}
	bs := Bootstrap{B: 300, Confidence: 0.9, MinSamples: 10}
	for _, n := range [][2]int{{41, 40}, {40, 55}, {12, 9}} {
		cur, cm := gen(n[0], 30, 1)
		prev, pm := gen(n[1], 20, 2)
		want, err := bs.YoY(cur, prev, rand.New(rand.NewPCG(7, 7)))
		if err != nil {
			t.Fatal(err)
		}
		hc, dropped := SpeedHistogramOf(SpeedKey{Area: "01"}, cm)
		hp, _ := SpeedHistogramOf(SpeedKey{Area: "01"}, pm)
		if dropped != 1 || hc.N() != int64(n[0]) {
			t.Fatalf("histogram of %d tests: N %d, dropped %d", n[0], hc.N(), dropped)
		}
		got, err := bs.YoYHistogram(hc, hp, rand.New(rand.NewPCG(7, 7)))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) || (n[1] >= 10 && math.IsNaN(want.Lower)) {
			t.Fatalf("%v tests: histogram\n%+v\ntests\n%+v", n, got, want)
		}
		if m := Median(cur[:n[0]]); hc.Median() != m {
			t.Fatalf("median %g, want %g", hc.Median(), m)
		}
	}
}
