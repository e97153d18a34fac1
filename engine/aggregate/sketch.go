package aggregate

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/lomsong/lomsong/engine/internal/sigfig"
)

// Code streams: every signal and speed value of a key is reduced to a
// small integer code in one of four streams, and a key keeps the multiset
// of its codes per stream. Signal codes are the dBm rounded to the nearest
// integer, minus minSignalDBm; speed codes are 0 for speeds below
// minRateMbps and 1+i−rateMinIndex for log bucket i. The multiset is all
// the quantiles need, and it is the same whichever representation holds
// it, so adding and merging in any order give identical results.
const (
	stOutdoor = iota // signal of outdoor and vehicle tests
	stOther          // signal of the other tests
	stDL
	stUL
	nStreams
)

// Signal histogram range, integer dBm (the union of engine.SignalRange).
const (
	minSignalDBm = -156
	maxSignalDBm = -20
	nSignalCodes = maxSignalDBm - minSignalDBm + 1
)

// Rate sketch: log buckets with relative accuracy rateAlpha. Bucket i holds
// values in (γ^(i-1), γ^i] with γ = (1+α)/(1-α); its representative value
// 2γ^i/(γ+1) is within a relative α of every value in it. α = 4% keeps the
// codes of 0.001…100000 Mbit/s (and the zero bucket) within one byte.
const (
	rateAlpha   = 0.04
	minRateMbps = 1e-3 // values below (including 0) go to the zero bucket
	maxRateMbps = 1e5  // values above are implausible and not sketched
)

// RateQuantileRelErr bounds the relative error of a reported speed
// quantile against the exact nearest-rank quantile: the sketch's 4%, then
// the representative rounded to three significant digits (up to 0.5%):
// (1.04 · 1.005) − 1 < 4.6%.
const RateQuantileRelErr = 0.046

var (
	rateGamma    = (1 + rateAlpha) / (1 - rateAlpha)
	rateLnGamma  = math.Log(rateGamma)
	rateInvLnG   = 1 / rateLnGamma
	rateMinIndex = int32(math.Ceil(math.Log(minRateMbps) / rateLnGamma))
	rateMaxIndex = int32(math.Ceil(math.Log(maxRateMbps) / rateLnGamma))
	nRateCodes   = uint32(rateMaxIndex - rateMinIndex + 2)
	streamCodes  = [nStreams]uint32{nSignalCodes, nSignalCodes, nRateCodes, nRateCodes}
)

// rateCode returns the code of speed x, ok false when x is not sketched
// (NaN, negative or above maxRateMbps). It is rateCodeLog without the
// logarithm: the top 20 bits of x (exponent and 8 mantissa bits) give the
// code at the low end of a range of x narrower than a bucket, and one
// comparison with the next code's least value (rateTables.lo, found from
// rateCodeLog itself) settles it, so both return the same code for every
// x (tested).
func rateCode(x float64) (c uint32, ok bool) {
	switch {
	case !(x >= 0) || x > maxRateMbps:
		return 0, false
	case x < minRateMbps:
		return 0, true
	}
	c = uint32(rateTables.start[math.Float64bits(x)>>rateKeyShift-rateTables.base])
	if x >= rateTables.lo[c+1] {
		c++
	}
	return c, true
}

// rateCodeLog is the definition of the speed codes: 1 + the log-γ bucket
// index of x, clamped to the sketched range, for minRateMbps ≤ x ≤
// maxRateMbps.
func rateCodeLog(x float64) uint32 {
	i := int32(math.Ceil(math.Log(x) * rateInvLnG))
	return uint32(min(max(i, rateMinIndex), rateMaxIndex)-rateMinIndex) + 1
}

// rateKeyShift keeps the exponent and the top 8 mantissa bits of a float64:
// a range of x no wider than a factor 1+2⁻⁸, against γ ≈ 1.083 per bucket,
// so it meets at most one bucket boundary.
const rateKeyShift = 44

// rateTables: start[k] is the code of the least sketched x whose top bits
// are base+k; lo[c] the least x of code c (+Inf past the last code);
// value[c] is rateValue(c) to three significant digits, the speed a
// quantile of code c reports (a logarithm, an exponential and a power per
// quantile otherwise: 6 per key in Aggregator.All).
var rateTables = func() (t struct {
	base  uint64
	start []uint8
	lo    []float64
	value []float64
}) {
	t.base = math.Float64bits(minRateMbps) >> rateKeyShift
	last := math.Float64bits(maxRateMbps) >> rateKeyShift
	t.start = make([]uint8, last-t.base+1)
	for k := range t.start {
		x := max(math.Float64frombits((t.base+uint64(k))<<rateKeyShift), minRateMbps)
		t.start[k] = uint8(rateCodeLog(x))
	}
	t.lo = make([]float64, nRateCodes+1)
	t.lo[1] = minRateMbps
	for c := uint32(2); c < nRateCodes; c++ {
		// The least x in [minRateMbps, maxRateMbps] with code ≥ c, by
		// bisection over the ordered bits of positive floats.
		lo, hi := math.Float64bits(minRateMbps), math.Float64bits(maxRateMbps)
		for lo < hi {
			mid := lo + (hi-lo)/2
			if rateCodeLog(math.Float64frombits(mid)) >= c {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		t.lo[c] = math.Float64frombits(lo)
	}
	t.lo[nRateCodes] = math.Inf(1)
	t.value = make([]float64, nRateCodes)
	for c := range t.value {
		t.value[c] = sigfig.Round(rateValue(uint32(c)), 3)
	}
	return t
}()

// rateValue is the representative speed of code c.
func rateValue(c uint32) float64 {
	if c == 0 {
		return 0
	}
	i := int32(c) - 1 + rateMinIndex
	return 2 * math.Exp(float64(i)*rateLnGamma) / (rateGamma + 1)
}

// Code storage per key, in the arena:
//   - a log of up to maxLog uint16 entries stream<<8 | code (most keys have
//     few values: a log costs 2 bytes a value);
//   - beyond that, a histogram block: word 0 holds per stream the first
//     code and the number of codes of its window (a byte each), then the
//     counts of the four windows back to back, as uint16 until one would
//     overflow, then as uint32 (codeWide). Windows grow with the spread of
//     the values, not their number.
const (
	maxLog   = 128
	codeHist = math.MaxUint16 // stats.nCodes of a key in histogram form
	codeWide = 0x80           // stats.codeClass bit: uint32 counts
	histPad  = 4              // codes a window takes beyond the one it grows for
)

// addCode counts code c in stream k of st.
func (a *Aggregator) addCode(st *stats, k, c uint32) {
	if st.nCodes != codeHist {
		n := uint32(st.nCodes)
		if st.codes == 0 || n == 4*arenaClasses[st.codeClass] {
			if n == maxLog {
				a.logToHist(st)
				a.histAdd(st, k, c, 1)
				return
			}
			a.growLog(st)
		}
		a.ar.u16(st.codes, arenaClasses[st.codeClass])[n] = uint16(k<<8 | c)
		st.nCodes++
		return
	}
	a.histAdd(st, k, c, 1)
}

func (a *Aggregator) growLog(st *stats) {
	if st.codes == 0 {
		st.codeClass = 0
		st.codes = a.ar.alloc(0)
		return
	}
	old, oc := st.codes, st.codeClass
	st.codeClass = oc + 1
	st.codes = a.ar.alloc(st.codeClass)
	copy(a.ar.words(st.codes, arenaClasses[oc]), a.ar.words(old, arenaClasses[oc]))
	a.ar.release(old, oc)
}

// histLayout decodes a histogram header: per stream the first code, the
// number of codes and the offset of its counts.
func histLayout(h uint64) (lo, n, off [nStreams]uint32, total uint32) {
	for k := range nStreams {
		lo[k] = uint32(h>>(16*k)) & 0xff
		n[k] = uint32(h>>(16*k+8)) & 0xff
		off[k] = total
		total += n[k]
	}
	return
}

func histWords(total uint32, wide bool) uint32 {
	if wide {
		return 1 + (total+1)/2
	}
	return 1 + (total+3)/4
}

// histAdd adds w to the count of code c in stream k of a histogram.
func (a *Aggregator) histAdd(st *stats, k, c, w uint32) {
	for {
		h := a.ar.words(st.codes, 1)[0]
		lo := uint32(h>>(16*k)) & 0xff
		n := uint32(h>>(16*k+8)) & 0xff
		if c-lo < n {
			var off uint32
			for j := range k {
				off += uint32(h>>(16*j+8)) & 0xff
			}
			words := arenaClasses[st.codeClass&^codeWide]
			if st.codeClass&codeWide != 0 {
				a.ar.u32(st.codes, words)[2+off+c-lo] += w
				return
			}
			p := &a.ar.u16(st.codes, words)[4+off+c-lo]
			if uint32(*p)+w <= math.MaxUint16 {
				*p += uint16(w)
				return
			}
			a.relayout(st, [nStreams]uint32{}, [nStreams]uint32{}, true, false)
			continue
		}
		// Grow stream k's window to take c.
		lo4, n4, _, _ := histLayout(h)
		nlo, nhi := c, c
		if n > 0 {
			nlo, nhi = min(lo, c), max(lo+n-1, c)
		}
		if nlo < lo || n == 0 {
			nlo = uint32(max(int32(nlo)-histPad, 0))
		}
		if nhi > lo+n-1 || n == 0 {
			nhi = min(nhi+histPad, streamCodes[k]-1)
		}
		lo4[k], n4[k] = nlo, nhi-nlo+1
		a.relayout(st, lo4, n4, st.codeClass&codeWide != 0, true)
	}
}

// relayout moves a histogram into a new block with windows lo, n (when
// setWin; else the current ones) and wide or narrow counts.
func (a *Aggregator) relayout(st *stats, lo, n [nStreams]uint32, wide, setWin bool) {
	oldRef, oldClass := st.codes, st.codeClass
	oh := a.ar.words(oldRef, 1)[0]
	olo, on, ooff, ototal := histLayout(oh)
	if !setWin {
		lo, n = olo, on
	}
	var h uint64
	var total uint32
	for k := range nStreams {
		h |= uint64(lo[k])<<(16*k) | uint64(n[k])<<(16*k+8)
		total += n[k]
	}
	cls := classFor(histWords(total, wide))
	ref := a.ar.alloc(cls)
	a.ar.words(ref, 1)[0] = h
	if wide {
		cls |= codeWide
	}
	_, _, noff, _ := histLayout(h)
	oldWide := oldClass&codeWide != 0
	ow := arenaClasses[oldClass&^codeWide]
	nw := arenaClasses[cls&^codeWide]
	get := func(i uint32) uint32 {
		if oldWide {
			return a.ar.u32(oldRef, ow)[2+i]
		}
		return uint32(a.ar.u16(oldRef, ow)[4+i])
	}
	_ = ototal
	for k := range nStreams {
		for j := range on[k] {
			v := get(ooff[k] + j)
			if v == 0 {
				continue
			}
			i := noff[k] + olo[k] + j - lo[k] // the new window contains the old one
			if wide {
				a.ar.u32(ref, nw)[2+i] = v
			} else {
				a.ar.u16(ref, nw)[4+i] = uint16(v)
			}
		}
	}
	a.ar.release(oldRef, oldClass&^codeWide)
	st.codes, st.codeClass = ref, cls
}

// logToHist turns a key's code log into a histogram.
func (a *Aggregator) logToHist(st *stats) {
	var lo, hi [nStreams]uint32
	var n [nStreams]uint32
	for k := range lo {
		lo[k] = math.MaxUint32
	}
	var log []uint16
	if st.codes != 0 {
		log = a.ar.u16(st.codes, arenaClasses[st.codeClass])[:st.nCodes]
	}
	for _, e := range log {
		k, c := uint32(e>>8), uint32(e&0xff)
		lo[k], hi[k] = min(lo[k], c), max(hi[k], c)
	}
	for k := range lo {
		if lo[k] != math.MaxUint32 {
			n[k] = hi[k] - lo[k] + 1
		} else {
			lo[k] = 0
		}
	}
	var h uint64
	var total uint32
	for k := range nStreams {
		h |= uint64(lo[k])<<(16*k) | uint64(n[k])<<(16*k+8)
		total += n[k]
	}
	cls := classFor(histWords(total, false))
	ref := a.ar.alloc(cls)
	a.ar.words(ref, 1)[0] = h
	_, _, off, _ := histLayout(h)
	counts := a.ar.u16(ref, arenaClasses[cls])
	for _, e := range log { // at most maxLog: no count overflows
		k, c := uint32(e>>8), uint32(e&0xff)
		counts[4+off[k]+c-lo[k]]++
	}
	if st.codes != 0 {
		a.ar.release(st.codes, st.codeClass)
	}
	st.codes, st.codeClass, st.nCodes = ref, cls, codeHist
}

// eachCode calls f for every code of st with a non-zero count.
func (a *Aggregator) eachCode(st *stats, f func(k, c, w uint32)) {
	if st.codes == 0 {
		return
	}
	if st.nCodes != codeHist {
		for _, e := range a.ar.u16(st.codes, arenaClasses[st.codeClass])[:st.nCodes] {
			f(uint32(e>>8), uint32(e&0xff), 1)
		}
		return
	}
	words := arenaClasses[st.codeClass&^codeWide]
	lo, n, off, _ := histLayout(a.ar.words(st.codes, 1)[0])
	wide := st.codeClass&codeWide != 0
	for k := range nStreams {
		for j := range n[k] {
			var v uint32
			if wide {
				v = a.ar.u32(st.codes, words)[2+off[k]+j]
			} else {
				v = uint32(a.ar.u16(st.codes, words)[4+off[k]+j])
			}
			if v != 0 {
				f(uint32(k), lo[k]+j, v)
			}
		}
	}
}

// mergeCodes adds the codes of o (held in oa) into st.
func (a *Aggregator) mergeCodes(st *stats, oa *Aggregator, o *stats) {
	if o.codes == 0 {
		return
	}
	if st.nCodes != codeHist && o.nCodes != codeHist && uint32(st.nCodes)+uint32(o.nCodes) <= maxLog {
		for _, e := range oa.ar.u16(o.codes, arenaClasses[o.codeClass])[:o.nCodes] {
			a.addCode(st, uint32(e>>8), uint32(e&0xff))
		}
		return
	}
	if st.nCodes != codeHist {
		a.logToHist(st)
	}
	oa.eachCode(o, func(k, c, w uint32) { a.histAdd(st, k, c, w) })
}

// nearestRank is the 1-based rank of the q-quantile of n values by the
// nearest-rank definition: ceil(q·n), at least 1.
func nearestRank(q float64, n int64) int64 {
	k := int64(math.Ceil(q * float64(n)))
	return min(max(k, 1), n)
}

// rankIndex returns the index in c holding the k-th smallest value
// (1-based). The caller guarantees 1 ≤ k ≤ Σc.
func rankIndex[T uint32 | int64](c []T, k int64) int {
	var cum int64
	for j, v := range c {
		cum += int64(v)
		if cum >= k {
			return j
		}
	}
	return len(c) - 1
}

// Distinct devices: an exact set of 32-bit hashes (in arrival order: a
// scan of a few dozen hashes beats keeping them sorted) up to
// exactDevices, then a HyperLogLog of the same hashes with 2^hllP
// one-byte registers (the same 256 bytes). The state depends only on the
// set of hashes seen, so adding and merging in any order give identical
// results.
const (
	hllP         = 8
	hllM         = 1 << hllP
	hllWords     = hllM / 8
	exactDevices = 2 * hllWords  // 64 hashes fill the block the registers take
	devHLL       = math.MaxUint8 // stats.nDev of a key with registers
)

func (a *Aggregator) addDevice(st *stats, h uint32) {
	if st.nDev == devHLL {
		hllAdd(a.ar.u8(st.dev, hllWords), h)
		return
	}
	n := uint32(st.nDev)
	if n == 0 {
		st.devClass = 0
		st.dev = a.ar.alloc(0)
		a.ar.u32(st.dev, arenaClasses[0])[0] = h
		st.nDev = 1
		return
	}
	hs := a.ar.u32(st.dev, arenaClasses[st.devClass])
	for _, x := range hs[:n] {
		if x == h {
			return
		}
	}
	if n == exactDevices {
		a.devToHLL(st)
		hllAdd(a.ar.u8(st.dev, hllWords), h)
		return
	}
	if n == uint32(len(hs)) {
		old, oc := st.dev, st.devClass
		st.devClass = oc + 1
		st.dev = a.ar.alloc(st.devClass)
		nh := a.ar.u32(st.dev, arenaClasses[st.devClass])
		copy(nh, hs[:n])
		a.ar.release(old, oc)
		hs = nh
	}
	hs[n] = h
	st.nDev++
}

// devToHLL turns a full exact set into registers, in place: the set fills
// exactly the words the registers take.
func (a *Aggregator) devToHLL(st *stats) {
	var hs [exactDevices]uint32
	if st.dev != 0 {
		copy(hs[:], a.ar.u32(st.dev, arenaClasses[st.devClass])[:st.nDev])
	}
	n := int(st.nDev)
	if st.dev == 0 || arenaClasses[st.devClass] != hllWords {
		if st.dev != 0 {
			a.ar.release(st.dev, st.devClass)
		}
		st.devClass = classFor(hllWords)
		st.dev = a.ar.alloc(st.devClass)
	}
	regs := a.ar.u8(st.dev, hllWords)
	clear(regs)
	for _, h := range hs[:n] {
		hllAdd(regs, h)
	}
	st.nDev = devHLL
}

func hllAdd(regs []uint8, h uint32) {
	j := h >> (32 - hllP)
	rank := uint8(bits.LeadingZeros32(h<<hllP|1<<(hllP-1))) + 1
	if regs[j] < rank {
		regs[j] = rank
	}
}

func (a *Aggregator) mergeDevices(st *stats, oa *Aggregator, o *stats) {
	switch {
	case o.nDev == 0:
	case o.nDev == devHLL:
		if st.nDev != devHLL {
			a.devToHLL(st)
		}
		regs := a.ar.u8(st.dev, hllWords)
		for i, r := range oa.ar.u8(o.dev, hllWords)[:hllM] {
			regs[i] = max(regs[i], r)
		}
	default:
		for _, h := range oa.ar.u32(o.dev, arenaClasses[o.devClass])[:o.nDev] {
			a.addDevice(st, h)
		}
	}
}

// deviceCount returns the exact count or the HyperLogLog estimate.
func (a *Aggregator) deviceCount(st *stats) (n int64, exact bool) {
	if st.nDev != devHLL {
		return int64(st.nDev), true
	}
	return hllCount(a.ar.u8(st.dev, hllWords)[:hllM]), false
}

// pow2Neg returns 2^-r, exactly math.Ldexp(1, -int(r)), from the float's
// bits: the exponent field of 2^-r is 1023 - r (normal for r ≤ 255).
func pow2Neg(r uint8) float64 { return math.Float64frombits(uint64(1023-int(r)) << 52) }

func hllCount(regs []uint8) int64 {
	var sum float64
	zeros := 0
	for _, r := range regs {
		if r == 0 {
			zeros++
		}
		sum += pow2Neg(r)
	}
	m := float64(hllM)
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting for small sets
	}
	return int64(math.Round(e))
}

// hashDevice hashes a device identifier eight bytes at a time: h starts
// at len·k0, each little-endian 8-byte word w of the identifier updates
// h = rotl31((h ^ w)·k1), the 0–7 byte tail read as one word t updates it
// once more the same way, and the murmur3 64-bit finaliser mixes the
// result. A tail of 4–7 bytes is read as two overlapping 4-byte words
// (its first and last four bytes), one of 1–3 bytes as its first, middle
// and last bytes, none as 0; with the length, t determines the tail. The
// hash is fixed (no per-process seed), so counts are reproducible across
// processes and runs; device sets and HyperLogLog registers keep its high
// 32 bits.
//
// Identifiers are 7 to 64 characters (serials, IMEI hashes); a byte-wise
// hash such as FNV-1a takes one dependent multiplication per byte, this
// one per eight. Only the counts of keys with more than exactDevices
// devices (HyperLogLog estimates) depend on the hash's values.
func hashDevice(s string) uint64 {
	const k0, k1 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9
	p := unsafe.Slice(unsafe.StringData(s), len(s))
	h := uint64(len(p)) * k0
	for len(p) >= 8 {
		h = bits.RotateLeft64((h^binary.LittleEndian.Uint64(p))*k1, 31)
		p = p[8:]
	}
	var t uint64
	switch n := len(p); {
	case n >= 4:
		t = uint64(binary.LittleEndian.Uint32(p)) | uint64(binary.LittleEndian.Uint32(p[n-4:]))<<32
	case n > 0:
		t = uint64(p[0]) | uint64(p[n/2])<<8 | uint64(p[n-1])<<16
	}
	h = bits.RotateLeft64((h^t)*k1, 31)
	return fmix64(h)
}

func deviceHash32(s string) uint32 { return uint32(hashDevice(s) >> 32) }

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// 4-hour windows: a key keeps a bitset of winBits windows from winBase
// (a month of 4-hour windows is at most 186), re-based downwards when an
// earlier window arrives and the set still fits. A key whose windows do
// not fit (or lie beyond int32 window ids) moves to a sparse set in
// Aggregator.sparseWin for good.
const (
	winWords  = 3
	winBits   = 64 * winWords
	winSparse = math.MinInt32 // stats.winBase of a key with a sparse set
)

func (a *Aggregator) addWindow(st *stats, id int64) {
	if st.winBase == winSparse {
		ws := a.sparseWin[st.key]
		ws.add(id)
		a.sparseWin[st.key] = ws
		return
	}
	if st.win == [winWords]uint64{} {
		if id > winSparse && id <= math.MaxInt32 {
			st.winBase, st.win[0] = int32(id), 1
			return
		}
	} else {
		d := id - int64(st.winBase)
		if uint64(d) < winBits {
			st.win[d>>6] |= 1 << (d & 63)
			return
		}
		if d < 0 && id > winSparse {
			if top := winTop(&st.win); int64(top)-d < winBits {
				winShift(&st.win, uint(-d))
				st.winBase = int32(id)
				st.win[0] |= 1
				return
			}
		}
	}
	a.winToSparse(st)
	a.addWindow(st, id)
}

// winTop returns the highest set bit of a non-empty bitset.
func winTop(w *[winWords]uint64) int {
	for i := winWords - 1; i >= 0; i-- {
		if w[i] != 0 {
			return 64*i + 63 - bits.LeadingZeros64(w[i])
		}
	}
	return -1
}

// winShift moves every bit up by k (< winBits; no set bit is lost).
func winShift(w *[winWords]uint64, k uint) {
	words, b := int(k/64), k%64
	for i := winWords - 1; i >= 0; i-- {
		var v uint64
		if j := i - words; j >= 0 {
			v = w[j] << b
			if b > 0 && j > 0 {
				v |= w[j-1] >> (64 - b)
			}
		}
		w[i] = v
	}
}

func (a *Aggregator) winToSparse(st *stats) {
	var ws windowSet
	eachWindow(st, func(id int64) { ws.add(id) })
	if a.sparseWin == nil {
		a.sparseWin = make(map[uint64]windowSet)
	}
	a.sparseWin[st.key] = ws
	st.winBase, st.win = winSparse, [winWords]uint64{}
}

// eachWindow calls f for the windows of a key's bitset.
func eachWindow(st *stats, f func(id int64)) {
	if st.winBase == winSparse {
		return
	}
	for i, w := range st.win {
		for ; w != 0; w &= w - 1 {
			f(int64(st.winBase) + int64(64*i+bits.TrailingZeros64(w)))
		}
	}
}

func (a *Aggregator) mergeWindows(st *stats, oa *Aggregator, o *stats) {
	if o.winBase == winSparse {
		for _, e := range oa.sparseWin[o.key] {
			for w := e.bits; w != 0; w &= w - 1 {
				a.addWindow(st, e.w<<6|int64(bits.TrailingZeros64(w)))
			}
		}
		return
	}
	eachWindow(o, func(id int64) { a.addWindow(st, id) })
}

func (a *Aggregator) windowCount(st *stats) int {
	if st.winBase == winSparse {
		return a.sparseWin[st.key].count()
	}
	n := 0
	for _, w := range st.win {
		n += bits.OnesCount64(w)
	}
	return n
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

func (s windowSet) count() int {
	n := 0
	for _, e := range s {
		n += bits.OnesCount64(e.bits)
	}
	return n
}
