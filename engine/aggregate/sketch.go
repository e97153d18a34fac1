package aggregate

import (
	"math"
	"math/bits"
	"slices"
)

// bins is a dense histogram over a window of integer bucket indexes
// [lo, lo+len(c)). It grows on either side as values arrive, so its memory
// follows the spread of the values, not their number. Two bins with the
// same counts per index may differ in lo and padding; compare them through
// trimmed().
type bins struct {
	lo int32
	c  []uint32
}

// binsPad is how many extra buckets a growing window takes on the side it
// grows, so that a drifting stream reallocates rarely.
const binsPad = 8

// add counts one value at index i; minI..maxI bound the window's growth.
func (b *bins) add(i, minI, maxI int32) {
	if j := i - b.lo; uint32(j) < uint32(len(b.c)) {
		b.c[j]++
		return
	}
	b.grow(i, i, minI, maxI)
	b.c[i-b.lo]++
}

// grow makes the window cover [lo, hi] (plus padding within [minI, maxI]).
func (b *bins) grow(lo, hi, minI, maxI int32) {
	if len(b.c) == 0 {
		lo, hi = max(lo-binsPad/2, minI), min(hi+binsPad/2, maxI)
		b.lo, b.c = lo, make([]uint32, hi-lo+1)
		return
	}
	curHi := b.lo + int32(len(b.c)) - 1
	if lo >= b.lo && hi <= curHi {
		return
	}
	newLo, newHi := b.lo, curHi
	if lo < newLo {
		newLo = max(lo-binsPad, minI)
	}
	if hi > newHi {
		newHi = min(hi+binsPad, maxI)
	}
	c := make([]uint32, newHi-newLo+1)
	copy(c[b.lo-newLo:], b.c)
	b.lo, b.c = newLo, c
}

// merge adds o's counts into b.
func (b *bins) merge(o *bins, minI, maxI int32) {
	lo, hi, ok := o.span()
	if !ok {
		return
	}
	b.grow(lo, hi, minI, maxI)
	for i := lo; i <= hi; i++ {
		b.c[i-b.lo] += o.c[i-o.lo]
	}
}

// span returns the lowest and highest non-empty indexes.
func (b *bins) span() (lo, hi int32, ok bool) {
	first, last := -1, -1
	for j, v := range b.c {
		if v != 0 {
			if first < 0 {
				first = j
			}
			last = j
		}
	}
	if first < 0 {
		return 0, 0, false
	}
	return b.lo + int32(first), b.lo + int32(last), true
}

// total returns the number of counted values.
func (b *bins) total() int64 {
	var n int64
	for _, v := range b.c {
		n += int64(v)
	}
	return n
}

// trimmed returns a copy without empty buckets at either end, and its
// lowest index. An empty histogram gives (0, nil).
func (b *bins) trimmed() (lo int32, c []uint32) {
	l, h, ok := b.span()
	if !ok {
		return 0, nil
	}
	return l, slices.Clone(b.c[l-b.lo : h-b.lo+1])
}

// rankIndex returns the index holding the k-th smallest value (1-based).
// The caller guarantees 1 ≤ k ≤ total.
func (b *bins) rankIndex(k int64) int32 {
	var cum int64
	for j, v := range b.c {
		cum += int64(v)
		if cum >= k {
			return b.lo + int32(j)
		}
	}
	return b.lo + int32(len(b.c)) - 1
}

// nearestRank is the 1-based rank of the q-quantile of n values by the
// nearest-rank definition: ceil(q·n), at least 1.
func nearestRank(q float64, n int64) int64 {
	k := int64(math.Ceil(q * float64(n)))
	return min(max(k, 1), n)
}

// Signal histogram range, integer dBm (the union of engine.SignalRange).
const (
	minSignalDBm = -156
	maxSignalDBm = -20
)

// Rate sketch: log buckets with relative accuracy rateAlpha. Bucket i holds
// values in (γ^(i-1), γ^i] with γ = (1+α)/(1-α); its representative value
// 2γ^i/(γ+1) is within a relative α of every value in it.
const (
	rateAlpha   = 0.01
	minRateMbps = 1e-3 // values below (including 0) go to the zero bucket
	maxRateMbps = 1e5  // values above are implausible and not sketched
)

var (
	rateGamma    = (1 + rateAlpha) / (1 - rateAlpha)
	rateLnGamma  = math.Log(rateGamma)
	rateMinIndex = int32(math.Ceil(math.Log(minRateMbps) / rateLnGamma))
	rateMaxIndex = int32(math.Ceil(math.Log(maxRateMbps) / rateLnGamma))
)

// rateSketch is a mergeable quantile sketch of non-negative rates (Mbit/s).
type rateSketch struct {
	zero uint32 // values below minRateMbps
	b    bins
}

func (r *rateSketch) add(x float64) {
	switch {
	case !(x >= 0) || x > maxRateMbps: // NaN, negative, implausible
		return
	case x < minRateMbps:
		r.zero++
	default:
		i := int32(math.Ceil(math.Log(x) / rateLnGamma))
		r.b.add(min(max(i, rateMinIndex), rateMaxIndex), rateMinIndex, rateMaxIndex)
	}
}

func (r *rateSketch) merge(o *rateSketch) {
	r.zero += o.zero
	r.b.merge(&o.b, rateMinIndex, rateMaxIndex)
}

func (r *rateSketch) n() int64 { return int64(r.zero) + r.b.total() }

// quantile returns the nearest-rank q-quantile, NaN when empty.
func (r *rateSketch) quantile(q float64) float64 {
	n := r.n()
	if n == 0 {
		return math.NaN()
	}
	k := nearestRank(q, n)
	if k <= int64(r.zero) {
		return 0
	}
	i := r.b.rankIndex(k - int64(r.zero))
	return 2 * math.Exp(float64(i)*rateLnGamma) / (rateGamma + 1)
}

// Distinct devices: an exact sorted set of 64-bit hashes up to
// exactDevices, then a HyperLogLog with 2^hllP one-byte registers packed
// eight to a word. The state depends only on the set of hashes seen, so
// adding and merging in any order give identical results.
const (
	hllP         = 10
	hllM         = 1 << hllP
	exactDevices = 128 // 128 hashes = 1 KiB = the size of the registers
)

type deviceSet struct {
	hll bool
	w   []uint64 // sorted distinct hashes, or hllM/8 words of registers
}

func (d *deviceSet) add(h uint64) {
	if d.hll {
		hllAdd(d.w, h)
		return
	}
	i, found := slices.BinarySearch(d.w, h)
	if found {
		return
	}
	if len(d.w) == exactDevices {
		d.toHLL()
		hllAdd(d.w, h)
		return
	}
	d.w = slices.Insert(d.w, i, h)
}

func (d *deviceSet) toHLL() { d.toHLLFrom(d.w) }

func (d *deviceSet) toHLLFrom(hashes []uint64) {
	regs := make([]uint64, hllM/8)
	for _, h := range hashes {
		hllAdd(regs, h)
	}
	d.hll, d.w = true, regs
}

func hllAdd(regs []uint64, h uint64) {
	j := h >> (64 - hllP)
	rank := uint64(bits.LeadingZeros64(h<<hllP|1<<(hllP-1))) + 1
	word, shift := j/8, 8*(j%8)
	if (regs[word]>>shift)&0xff < rank {
		regs[word] = regs[word]&^(0xff<<shift) | rank<<shift
	}
}

func (d *deviceSet) merge(o *deviceSet) {
	switch {
	case o.hll && d.hll:
		for i, w := range o.w {
			d.w[i] = maxBytes(d.w[i], w)
		}
	case o.hll:
		regs := slices.Clone(o.w)
		for _, h := range d.w {
			hllAdd(regs, h)
		}
		d.hll, d.w = true, regs
	case d.hll:
		for _, h := range o.w {
			hllAdd(d.w, h)
		}
	default:
		u := make([]uint64, 0, len(d.w)+len(o.w))
		i, j := 0, 0
		for i < len(d.w) && j < len(o.w) {
			switch x, y := d.w[i], o.w[j]; {
			case x < y:
				u, i = append(u, x), i+1
			case x > y:
				u, j = append(u, y), j+1
			default:
				u, i, j = append(u, x), i+1, j+1
			}
		}
		u = append(append(u, d.w[i:]...), o.w[j:]...)
		if len(u) > exactDevices {
			d.w = u[:0]
			d.toHLLFrom(u)
			return
		}
		d.w = u
	}
}

// maxBytes returns the bytewise maximum of two words of registers.
func maxBytes(a, b uint64) uint64 {
	var r uint64
	for s := uint(0); s < 64; s += 8 {
		r |= max((a>>s)&0xff, (b>>s)&0xff) << s
	}
	return r
}

// count returns the exact count or the HyperLogLog estimate.
func (d *deviceSet) count() (n int64, exact bool) {
	if !d.hll {
		return int64(len(d.w)), true
	}
	var sum float64
	zeros := 0
	for _, w := range d.w {
		for s := uint(0); s < 64; s += 8 {
			r := (w >> s) & 0xff
			if r == 0 {
				zeros++
			}
			sum += math.Ldexp(1, -int(r))
		}
	}
	m := float64(hllM)
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting for small sets
	}
	return int64(math.Round(e)), false
}

// hashDevice is FNV-1a over the identifier followed by the murmur3 64-bit
// finaliser: fixed, so counts are reproducible across processes.
func hashDevice(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return fmix64(h)
}

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// windowSet is a sparse bitset of window ids: sorted words of 64 windows.
type windowSet []windowWord

type windowWord struct {
	w    int64 // window id / 64 (floor)
	bits uint64
}

func (s *windowSet) add(id int64) {
	w, bit := id>>6, uint64(1)<<(uint64(id)&63)
	ws := *s
	if n := len(ws); n > 0 && ws[n-1].w == w { // time mostly increases
		ws[n-1].bits |= bit
		return
	}
	i, found := slices.BinarySearchFunc(ws, w, func(e windowWord, w int64) int {
		switch {
		case e.w < w:
			return -1
		case e.w > w:
			return 1
		}
		return 0
	})
	if found {
		ws[i].bits |= bit
		return
	}
	*s = slices.Insert(ws, i, windowWord{w, bit})
}

func (s *windowSet) merge(o windowSet) {
	a := *s
	if len(o) == 0 {
		return
	}
	u := make(windowSet, 0, len(a)+len(o))
	i, j := 0, 0
	for i < len(a) && j < len(o) {
		switch x, y := a[i], o[j]; {
		case x.w < y.w:
			u, i = append(u, x), i+1
		case x.w > y.w:
			u, j = append(u, y), j+1
		default:
			u, i, j = append(u, windowWord{x.w, x.bits | y.bits}), i+1, j+1
		}
	}
	*s = append(append(u, a[i:]...), o[j:]...)
}

func (s windowSet) count() int {
	n := 0
	for _, e := range s {
		n += bits.OnesCount64(e.bits)
	}
	return n
}
