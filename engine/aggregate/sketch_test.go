package aggregate

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
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
		rows := make([]engine.Measurement, n)
		for i := range xs {
			xs[i] = -140 + rng.Float64()*96 // 4G range −140…−44
			rows[i] = m(engine.Viettel, engine.Tech4G, xs[i])
		}
		s := oneRow(t, rows).Signal
		slices.Sort(xs)
		for _, q := range quantiles {
			got, want := s.Quantile(q), exactRank(xs, q)
			if math.Abs(got-want) > 0.5 {
				t.Errorf("n=%d q=%v: histogram %v, exact %v: error above 0.5 dB", n, q, got, want)
			}
		}
		if s.MinDBm != math.Round(xs[0]*1000)/1000 || s.MaxDBm != math.Round(xs[n-1]*1000)/1000 {
			t.Errorf("n=%d: min %v max %v, want %v %v to 0.001 dB", n, s.MinDBm, s.MaxDBm, xs[0], xs[n-1])
		}
	}
}

func TestRateQuantileWithinAlpha(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	_, ch := testCells(t)
	for _, n := range []int{1, 3, 50, 4000} {
		xs := make([]float64, n)
		var rows [2][]engine.Measurement // halves, merged: the bound holds after merging
		for i := range xs {
			xs[i] = math.Exp(math.Log(1e-3) + rng.Float64()*(math.Log(1e5)-math.Log(1e-3)))
			rows[i%2] = append(rows[i%2], with(m(engine.Viettel, engine.Tech4G, -90), func(r *engine.Measurement) { r.DLMbps = xs[i] }))
		}
		acc := mustNew(t, DefaultConfig())
		for _, h := range rows {
			part := mustNew(t, DefaultConfig())
			fine := make([]hexgrid.Cell, len(h))
			for i := range fine {
				fine[i] = ch[0]
			}
			if err := part.Add(batchOf(h), fine); err != nil {
				t.Fatal(err)
			}
			if err := acc.Merge(part); err != nil {
				t.Fatal(err)
			}
		}
		dl := acc.Rows()[0].DL
		slices.Sort(xs)
		for q, got := range map[float64]float64{0.1: dl.P10Mbps, 0.5: dl.MedianMbps, 0.9: dl.P90Mbps} {
			want := exactRank(xs, q)
			if rel := math.Abs(got-want) / want; rel > rateAlpha+1e-9 {
				t.Errorf("n=%d q=%v: sketch %v, exact %v: relative error %.4f > %v", n, q, got, want, rel, rateAlpha)
			}
		}
	}
}

func TestRateCodesFitAByte(t *testing.T) {
	if nRateCodes > 256 {
		t.Fatalf("%d rate codes do not fit in a byte", nRateCodes)
	}
	for _, x := range []float64{0, 1e-4, 1e-3, 1, 99999, 1e5} {
		c, ok := rateCode(x)
		if !ok || c >= nRateCodes {
			t.Errorf("rateCode(%v) = %d, %v", x, c, ok)
		}
		if x >= 1e-3 && math.Abs(rateValue(c)-x)/x > rateAlpha+1e-9 {
			t.Errorf("rateValue(rateCode(%v)) = %v: beyond %v", x, rateValue(c), rateAlpha)
		}
	}
}

// devState returns the exact hashes or the registers of st.
func devState(a *Aggregator, st *stats) []byte {
	switch st.nDev {
	case 0:
		return nil
	case devHLL:
		return slices.Clone(a.ar.u8(st.dev, hllWords)[:hllM])
	}
	// The exact set keeps hashes in arrival order: compare them as a set.
	hs := slices.Clone(a.ar.u32(st.dev, arenaClasses[st.devClass])[:st.nDev])
	slices.Sort(hs)
	out := make([]byte, 0, 4*len(hs))
	for _, h := range hs {
		out = binary.LittleEndian.AppendUint32(out, h)
	}
	return out
}

func TestDevicesExactThenHyperLogLog(t *testing.T) {
	ids := func(from, to int) []uint32 {
		var hs []uint32
		for i := from; i < to; i++ {
			hs = append(hs, deviceHash32(fmt.Sprintf("device-%07d", i)))
		}
		return hs
	}
	se := 1.04 / math.Sqrt(hllM)
	tests := []struct {
		name  string
		n     int
		exact bool
		tol   float64 // relative
	}{
		{"one", 1, true, 0},
		{"at the exact limit", exactDevices, true, 0},
		{"just above the limit", exactDevices + 1, false, 0.05},
		{"a thousand", 1000, false, 3 * se},
		{"ten thousand", 10000, false, 3 * se},
		{"a hundred thousand", 100000, false, 3 * se},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, DefaultConfig())
			st := newStats(1)
			for _, h := range ids(0, tc.n) {
				a.addDevice(&st, h)
				a.addDevice(&st, h) // repeats change nothing
			}
			got, exact := a.deviceCount(&st)
			if exact != tc.exact || math.Abs(float64(got)-float64(tc.n)) > tc.tol*float64(tc.n) {
				t.Errorf("count = %d exact %v, want %d±%.0f%% exact %v", got, exact, tc.n, 100*tc.tol, tc.exact)
			}
		})
	}
	t.Run("merge order does not matter", func(t *testing.T) {
		parts := [][]uint32{ids(0, 30), ids(20, 50), ids(40, 3000), ids(10, 20)}
		for _, upto := range []int{2, 4} { // exact result, registers
			a := mustNew(t, DefaultConfig())
			whole := newStats(1)
			for _, p := range parts[:upto] {
				for _, h := range p {
					a.addDevice(&whole, h)
				}
			}
			for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}} {
				acc := newStats(1)
				for _, i := range order {
					if i >= upto {
						continue
					}
					d := newStats(1)
					for _, h := range parts[i] {
						a.addDevice(&d, h)
					}
					a.mergeDevices(&acc, a, &d)
				}
				if !slices.Equal(devState(a, &acc), devState(a, &whole)) {
					t.Errorf("parts %d, merge order %v gives a different state", upto, order)
				}
			}
		}
	})
}

// hashDeviceRef is hashDevice's definition written out plainly: the
// words assembled byte by byte.
func hashDeviceRef(s string) uint64 {
	word := func(b []byte) (w uint64) { // little-endian
		for i := len(b) - 1; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
		return w
	}
	step := func(h, w uint64) uint64 {
		h ^= w
		h *= 0xbf58476d1ce4e5b9
		return h<<31 | h>>33
	}
	b := []byte(s)
	h := uint64(len(b)) * 0x9e3779b97f4a7c15
	full := len(b) / 8 * 8
	for i := 0; i < full; i += 8 {
		h = step(h, word(b[i:i+8]))
	}
	tail := b[full:]
	var t uint64
	switch n := len(tail); {
	case n >= 4:
		t = word(tail[:4]) | word(tail[n-4:])<<32
	case n > 0:
		t = word([]byte{tail[0], tail[n/2], tail[n-1]})
	}
	return fmix64(step(h, t))
}

func TestHashDevice(t *testing.T) {
	// Known answers: the empty identifier (all words zero) and the
	// definition written out, on identifiers of every tail length.
	if got := hashDevice(""); got != 0 {
		t.Errorf("hashDevice(\"\") = %x, want 0", got)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 80 {
		for range 50 {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			if got, want := hashDevice(string(b)), hashDeviceRef(string(b)); got != want {
				t.Fatalf("hashDevice(% x) = %x, want %x", b, got, want)
			}
		}
	}
	// Tails are read whole: identifiers that differ in one byte anywhere
	// hash apart (a tail byte left out would make them equal).
	for n := 1; n <= 24; n++ {
		base := strings.Repeat("x", n)
		for i := range n {
			b := []byte(base)
			b[i] = 'y'
			if hashDevice(string(b)) == hashDevice(base) {
				t.Errorf("length %d: byte %d does not change the hash", n, i)
			}
		}
	}
	// The registers use the top bits: sequential identifiers, short and
	// long, spread evenly over the 256 register indices (chi-square, 255
	// degrees of freedom: 99.9th percentile 330.5).
	for _, format := range []string{"device-%07d", "%064x", "%d"} {
		var counts [hllM]float64
		const n = 256 * 400
		for i := range n {
			counts[deviceHash32(fmt.Sprintf(format, i))>>(32-hllP)]++
		}
		chi := 0.0
		for _, c := range counts {
			chi += (c - 400) * (c - 400) / 400
		}
		if chi > 330.5 {
			t.Errorf("ids %q: chi-square %.1f over the register indices", format, chi)
		}
	}
}

// codeCounts returns the counts of st's codes as a map.
func codeCounts(a *Aggregator, st *stats) map[[2]uint32]uint64 {
	out := map[[2]uint32]uint64{}
	a.eachCode(st, func(k, c, w uint32) { out[[2]uint32{k, c}] += uint64(w) })
	return out
}

func TestCodesLogThenHistogram(t *testing.T) {
	a := mustNew(t, DefaultConfig())
	st := newStats(1)
	want := map[[2]uint32]uint64{}
	add := func(k, c uint32, times int) {
		for range times {
			a.addCode(&st, k, c)
		}
		want[[2]uint32{k, c}] += uint64(times)
	}
	add(stOther, 70, 1)
	add(stDL, 5, 3)
	if st.nCodes != 4 {
		t.Fatalf("log holds %d entries, want 4", st.nCodes)
	}
	add(stOutdoor, 66, maxLog) // beyond the log
	if st.nCodes != codeHist {
		t.Fatal("no histogram beyond the log")
	}
	// Windows grow both ways to the ends of the code ranges.
	add(stOutdoor, 0, 2)
	add(stOutdoor, nSignalCodes-1, 1)
	add(stUL, nRateCodes-1, 1)
	add(stUL, 0, 1)
	if got := codeCounts(a, &st); !mapsEqual(got, want) {
		t.Fatalf("codes %v, want %v", got, want)
	}
	// A count beyond uint16 widens the counts.
	add(stOther, 70, math.MaxUint16+10)
	if st.codeClass&codeWide == 0 {
		t.Fatal("counts not widened")
	}
	if got := codeCounts(a, &st); !mapsEqual(got, want) {
		t.Fatalf("after widening: codes %v, want %v", got, want)
	}
	// Merging a log and a histogram into a log gives the same counts.
	dst := newStats(1)
	a.addCode(&dst, stDL, 9)
	want[[2]uint32{stDL, 9}]++
	a.mergeCodes(&dst, a, &st)
	if got := codeCounts(a, &dst); !mapsEqual(got, want) {
		t.Fatalf("after merge: codes %v, want %v", got, want)
	}
}

func mapsEqual(x, y map[[2]uint32]uint64) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if y[k] != v {
			return false
		}
	}
	return true
}

func TestWindowBitsetRebasesThenGoesSparse(t *testing.T) {
	a := mustNew(t, DefaultConfig())
	st := newStats(1)
	ids := map[int64]bool{}
	add := func(id int64) {
		a.addWindow(&st, id)
		ids[id] = true
	}
	for _, id := range []int64{1000, 1100, 1010, 950, 1000 + winBits - 51} { // a month, out of order
		add(id)
	}
	if st.winBase == winSparse || a.windowCount(&st) != len(ids) {
		t.Fatalf("base %d count %d, want bitset with %d", st.winBase, a.windowCount(&st), len(ids))
	}
	add(950 + winBits) // one beyond the bitset
	if st.winBase != winSparse || a.windowCount(&st) != len(ids) {
		t.Fatalf("base %d count %d, want sparse with %d", st.winBase, a.windowCount(&st), len(ids))
	}
	add(-5)
	add(1000)
	if a.windowCount(&st) != len(ids) {
		t.Fatalf("count %d, want %d", a.windowCount(&st), len(ids))
	}
}

func TestStatsSize(t *testing.T) {
	if n := unsafe.Sizeof(stats{}); n != 128 {
		t.Errorf("stats are %d bytes, want 128 (two cache lines)", n)
	}
}

func TestCellOfKey(t *testing.T) {
	_, ch := testCells(t)
	for _, res := range []int{0, 5, 8, 14} {
		cfg := DefaultConfig()
		cfg.Resolution = res
		a := mustNew(t, cfg)
		fine, err := hexgrid.Index(105.8542, 21.0285, res+1)
		if err != nil {
			t.Fatal(err)
		}
		_ = ch
		shift := uint(3 * (hexgrid.MaxRes - res))
		k := (uint64(fine)&cellBits)>>shift<<cellShift | 5<<techBits | uint64(engine.Tech4G)
		if got, want := a.cellOf(k), hexgrid.FastParent(fine, res); got != want {
			t.Errorf("res %d: cellOf = %v, want %v", res, got, want)
		}
	}
}

// TestLastCodeWordWithinBlock guards the look-ahead load of applySeg: the
// word it reads must lie in the key's code block for every log length,
// full logs included (a block may end at the end of an arena page).
func TestLastCodeWordWithinBlock(t *testing.T) {
	for c, words := range arenaClasses {
		for n := 1; n <= 4*int(words) && n < maxLog+1; n++ {
			st := stats{codes: 1, codeClass: uint8(c), nCodes: uint16(n)}
			if w := lastCodeWord(&st); w >= words {
				t.Fatalf("class %d (%d words), %d codes: word %d", c, words, n, w)
			}
		}
	}
	if w := lastCodeWord(&stats{codes: 1, nCodes: codeHist}); w != 0 {
		t.Fatalf("histogram: word %d, want its header", w)
	}
}

// TestRateCodeMatchesLog checks the table-driven rateCode against the
// logarithm that defines the codes, at random speeds over the sketched
// range and at and around every bucket boundary.
func TestRateCodeMatchesLog(t *testing.T) {
	check := func(x float64) {
		t.Helper()
		got, ok := rateCode(x)
		if !ok {
			t.Fatalf("rateCode(%v) not sketched", x)
		}
		if want := rateCodeLog(x); got != want {
			t.Fatalf("rateCode(%v) = %d, the logarithm gives %d", x, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for range 1_000_000 {
		check(math.Exp(math.Log(minRateMbps) + rng.Float64()*(math.Log(maxRateMbps)-math.Log(minRateMbps))))
	}
	for c := uint32(1); c < nRateCodes; c++ {
		x := rateTables.lo[c]
		for _, y := range []float64{x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)), x * (1 - 1e-12), x * (1 + 1e-12)} {
			if y >= minRateMbps && y <= maxRateMbps {
				check(y)
			}
		}
	}
	for _, x := range []float64{minRateMbps, maxRateMbps, math.Nextafter(maxRateMbps, 0), 1, 2, 40, 1000} {
		check(x)
	}
	// Out of range.
	for _, x := range []float64{math.NaN(), -1, math.Nextafter(maxRateMbps, math.Inf(1)), math.Inf(1)} {
		if _, ok := rateCode(x); ok {
			t.Errorf("rateCode(%v) sketched", x)
		}
	}
	if c, ok := rateCode(math.Nextafter(minRateMbps, 0)); !ok || c != 0 {
		t.Errorf("below the least speed: code %d, %v; want the zero bucket", c, ok)
	}
}

func TestPow2Neg(t *testing.T) {
	for r := range 256 {
		if got, want := pow2Neg(uint8(r)), math.Ldexp(1, -r); got != want {
			t.Fatalf("pow2Neg(%d) = %g, want %g", r, got, want)
		}
	}
}
