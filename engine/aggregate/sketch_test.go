package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// exactRank returns the nearest-rank q-quantile of sorted xs.
func exactRank(sorted []float64, q float64) float64 {
	return sorted[nearestRank(q, int64(len(sorted)))-1]
}

var quantiles = []float64{0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1}

func TestSignalQuantileWithinHalfDB(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 7, 100, 5000} {
		xs := make([]float64, n)
		var acc signalAcc
		for i := range xs {
			xs[i] = -156 + rng.Float64()*136 // −156…−20
			acc.b.add(int32(math.Round(xs[i])), minSignalDBm, maxSignalDBm)
		}
		slices.Sort(xs)
		s := SignalStats{}
		lo, h := acc.b.trimmed()
		s.LoDBm, s.Hist = int(lo), h
		for _, q := range quantiles {
			got, want := s.Quantile(q), exactRank(xs, q)
			if math.Abs(got-want) > 0.5 {
				t.Errorf("n=%d q=%v: histogram %v, exact %v: error above 0.5 dB", n, q, got, want)
			}
		}
	}
}

func TestRateQuantileWithinOnePercent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 50, 4000} {
		xs := make([]float64, n)
		var a, b rateSketch // halves, merged: the bound holds after merging
		for i := range xs {
			xs[i] = math.Exp(math.Log(1e-3) + rng.Float64()*(math.Log(1e5)-math.Log(1e-3)))
			if i%2 == 0 {
				a.add(xs[i])
			} else {
				b.add(xs[i])
			}
		}
		a.merge(&b)
		slices.Sort(xs)
		for _, q := range quantiles {
			got, want := a.quantile(q), exactRank(xs, q)
			if rel := math.Abs(got-want) / want; rel > rateAlpha+1e-9 {
				t.Errorf("n=%d q=%v: sketch %v, exact %v: relative error %.4f > 1%%", n, q, got, want, rel)
			}
		}
	}
}

func TestDevicesExactThenHyperLogLog(t *testing.T) {
	ids := func(from, to int) []uint64 {
		var hs []uint64
		for i := from; i < to; i++ {
			hs = append(hs, hashDevice(fmt.Sprintf("device-%07d", i)))
		}
		return hs
	}
	tests := []struct {
		name  string
		n     int
		exact bool
		tol   float64 // relative
	}{
		{"one", 1, true, 0},
		{"at the exact limit", exactDevices, true, 0},
		{"just above the limit", exactDevices + 1, false, 0.05},
		{"a thousand", 1000, false, 3 * 0.033},
		{"ten thousand", 10000, false, 3 * 0.033},
		{"a hundred thousand", 100000, false, 3 * 0.033},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d deviceSet
			for _, h := range ids(0, tc.n) {
				d.add(h)
				d.add(h) // repeats change nothing
			}
			got, exact := d.count()
			if exact != tc.exact || math.Abs(float64(got)-float64(tc.n)) > tc.tol*float64(tc.n) {
				t.Errorf("count = %d exact %v, want %d±%.0f%% exact %v", got, exact, tc.n, 100*tc.tol, tc.exact)
			}
		})
	}
	t.Run("merge order does not matter", func(t *testing.T) {
		parts := [][]uint64{ids(0, 100), ids(50, 120), ids(100, 3000), ids(10, 20)}
		var whole deviceSet
		for _, p := range parts {
			for _, h := range p {
				whole.add(h)
			}
		}
		for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}} {
			var acc deviceSet
			for _, i := range order {
				var d deviceSet
				for _, h := range parts[i] {
					d.add(h)
				}
				acc.merge(&d)
			}
			if acc.hll != whole.hll || !slices.Equal(acc.w, whole.w) {
				t.Errorf("merge order %v gives a different state", order)
			}
		}
	})
}

func TestHashDeviceIsFixed(t *testing.T) {
	// Known answer: FNV-1a 64 of "" is its offset basis; the finaliser of
	// that value is fixed. A change here changes every published count.
	if got, want := hashDevice(""), fmix64(14695981039346656037); got != want {
		t.Errorf("hashDevice(\"\") = %x, want %x", got, want)
	}
	if hashDevice("a") == hashDevice("b") {
		t.Error("distinct ids hash equal")
	}
}

func TestBinsGrowBothWays(t *testing.T) {
	var b bins
	for _, v := range []int32{-90, -60, -150, -90, -20, -156} {
		b.add(v, minSignalDBm, maxSignalDBm)
	}
	lo, c := b.trimmed()
	if lo != -156 || len(c) != 137 || c[0] != 1 || c[-90+156] != 2 || c[len(c)-1] != 1 || b.total() != 6 {
		t.Errorf("lo %d len %d total %d", lo, len(c), b.total())
	}
	if b.lo < minSignalDBm || b.lo+int32(len(b.c))-1 > maxSignalDBm {
		t.Errorf("window [%d, %d] outside the signal range", b.lo, b.lo+int32(len(b.c))-1)
	}
}
