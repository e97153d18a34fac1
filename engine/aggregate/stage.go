package aggregate

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// A row's way into the statistics has two halves:
//
//   - encode reduces each row to a 32-byte rec: its packed key, the hash
//     bucket of that key, its time, signal and speed codes, device hash
//     and the outcome of the threshold tests. This half reads the batch's
//     columns in order and touches no key state, so it runs on whichever
//     goroutine read and indexed the batch.
//   - flush applies the staged recs to the key statistics. The state of a
//     national month (millions of keys, hundreds of MB) is far larger than
//     the caches, and rows arrive in no useful order: applied one by one,
//     each row waits on three or four cache misses. Staged recs are
//     grouped by the top bits of their key hash into nBuckets buckets
//     (blocks sorted by bucket), and a flush applies bucket after bucket. The
//     hash table is in hash order, and so are the statistics of the keys a
//     flush creates, so the recs of a bucket all fall in one region of the
//     table (1/nBuckets of it, a few hundred KB for millions of keys),
//     which stays in cache while the bucket is applied, and the regions
//     are visited in address order. Within a bucket, applyBucket sorts the
//     recs by their keys' home positions. A flush holds about two recs
//     per key (stageLimit), so a key's lines, once loaded, serve several
//     recs, and applySeg loads the lines of a segment of recs before it
//     updates them, so that their misses overlap.

// rec is one staged row.
type rec struct {
	key    uint64 // packed key
	ts     int64  // Unix ms
	milli  int32  // signal in 0.001 dBm, when fSignal
	dev    uint32 // device hash, when fDev
	bucket uint16 // top bucketBits of hashKey(key)
	flags  uint16
	sig    uint8 // signal code, when fSignal
	dl, ul uint8 // rate codes, when fDL, fUL
	_      uint8
}

// rec flags.
const (
	fClass      = 3 // bits 0–1: environment class (clsOutdoor, clsIndoor, clsUnknown)
	fTest       = 1 << 2
	fCovered    = 1 << 3
	fBelow      = 1 << 4
	fNoSvc      = 1 << 5
	fSignal     = 1 << 6
	fDL         = 1 << 7
	fUL         = 1 << 8
	fDev        = 1 << 9
	fChildShift = 10 // bits 10–12: H3 digit of the child cell, 7 = none
)

const (
	bucketBits = 10
	nBuckets   = 1 << bucketBits
	// defaultStageRecords is the least stage that triggers a flush: 32 MiB
	// of recs.
	defaultStageRecords = 1 << 20
)

// encoder turns rows into recs. It holds the thresholds and a cache of
// carrier ids; the ids come from a carrierTable that may be shared with
// other encoders on other goroutines. An encoder is used by one goroutine
// at a time.
type encoder struct {
	res      int
	cov, nos [5]float64 // thresholds by tech
	lo, hi   [5]float64 // plausible signal range by tech
	car      *carrierTable

	cache   []carrierRef
	lastCar engine.Carrier
	lastCID uint16
	haveCar bool
}

type carrierRef struct {
	c  engine.Carrier
	id uint16
}

func newEncoder(cfg Config, car *carrierTable) *encoder {
	e := &encoder{res: cfg.Resolution, car: car}
	for _, t := range engine.Techs {
		e.cov[t], e.nos[t] = cfg.Thresholds.Covered(t), cfg.Thresholds.NoService(t)
		e.lo[t], e.hi[t] = engine.SignalRange(t)
	}
	return e
}

func (e *encoder) carrierID(c engine.Carrier) (uint16, error) {
	if e.haveCar && c == e.lastCar {
		return e.lastCID, nil
	}
	for _, r := range e.cache {
		if r.c == c {
			e.lastCar, e.lastCID, e.haveCar = c, r.id, true
			return r.id, nil
		}
	}
	id, err := e.car.id(c)
	if err != nil {
		return 0, err
	}
	if len(e.cache) < 32 { // a scan beats the shared map for a market's few carriers
		e.cache = append(e.cache, carrierRef{c, id})
	}
	e.lastCar, e.lastCID, e.haveCar = c, id, true
	return id, nil
}

// encode appends a rec for every row lo ≤ i < hi of b to outs[p], p the
// partition of the row's analysis cell among len(outs), and counts the
// rows it skips in sk. The columns of b must have len(fine) values
// (checkBatch). It returns
// an error when a non-zero cell is not at the resolution one finer than
// the analysis cells, or when a carrier cannot be numbered; outs then hold
// part of the batch and must be discarded.
func (e *encoder) encode(outs [][]rec, b *engine.MeasurementBatch, fine []hexgrid.Cell, lo, hi int, sk *Skipped) error {
	n := len(fine)
	np := len(outs)
	fineRes := uint64(e.res + 1)
	shift := uint(3 * (hexgrid.MaxRes - e.res))
	digitShift := shift - 3
	hasEnv, hasDL, hasUL, hasDev := len(b.Environment) == n, len(b.DLMbps) == n, len(b.ULMbps) == n, len(b.DeviceID) == n
	hasClass := len(b.DeviceClass) == n
	var lastDev string
	var lastHash uint32
	haveDev := false
	for i := lo; i < hi; i++ {
		c := fine[i]
		switch {
		case c == 0:
			sk.NoCell++
			continue
		case uint64(c)>>resShift&15 != fineRes:
			return fmt.Errorf("aggregate: row %d: cell %x is not at resolution %d: %w", i, uint64(c), fineRes, engine.ErrInvalidValue)
		case !b.Tech[i].Valid():
			sk.NoTech++
			continue
		case b.Carrier[i] == "":
			sk.NoCarrier++
			continue
		}
		cid, err := e.carrierID(b.Carrier[i])
		if err != nil {
			return err
		}
		t := b.Tech[i]
		cb := (uint64(c) & cellBits) >> shift
		var r rec
		r.key = cb<<cellShift | uint64(cid)<<techBits | uint64(t)
		r.bucket = uint16(hashKey(r.key) >> (64 - bucketBits))
		flags := uint16(clsUnknown)
		if hasEnv {
			flags = envFlags[b.Environment[i]]
		}
		switch svc := b.Service[i]; svc {
		default:
			flags |= svcFlags[svc]
		case engine.ServiceOK:
			if sig := b.SignalDBm[i]; sig >= engine.MinSignalDBm && sig <= e.hi[t] { // false for NaN
				// A censored reading (at or below the reporting floor,
				// engine.Censored) is a test at the floor: below the
				// no-service level, with the signal statistics' quantiles
				// above the floor unchanged.
				sig = max(sig, e.lo[t])
				flags |= fTest | fSignal
				if sig >= e.cov[t] {
					flags |= fCovered
				}
				if sig < e.nos[t] {
					flags |= fBelow
				}
				r.milli = int32(math.Round(sig * 1000))
				r.sig = uint8(int32(math.Round(sig)) - minSignalDBm)
			}
		}
		r.ts = b.TimeUnixMs[i]
		flags |= uint16(uint64(c)>>digitShift&7) << fChildShift
		// Speeds are often absent (NaN) in no particular pattern: flags
		// from the ok results, not branches on them.
		// Idle bitrates (engine.SpeedIdle) are kept in the dataset but are
		// not speed tests: they never reach the speed sketches.
		idle := i < len(b.Speed) && b.Speed[i] == engine.SpeedIdle
		if hasDL && !idle {
			code, ok := rateCode(b.DLMbps[i])
			flags |= uint16(b2u(ok)) * fDL
			r.dl = uint8(code)
		}
		if hasUL && !idle {
			code, ok := rateCode(b.ULMbps[i])
			flags |= uint16(b2u(ok)) * fUL
			r.ul = uint8(code)
		}
		if hasDev && !(hasClass && b.DeviceClass[i] == engine.DeviceScanner) { // an instrument is not a user's device
			if d := b.DeviceID[i]; d != "" {
				if !haveDev || d != lastDev {
					lastDev, lastHash, haveDev = d, deviceHash32(d), true
				}
				flags |= fDev
				r.dev = lastHash
			}
		}
		r.flags = flags
		p := 0
		if np > 1 {
			p = partOf(cb, np)
		}
		outs[p] = append(outs[p], r)
	}
	return nil
}

// envFlags and svcFlags are the rec flags of an environment and of a
// service other than ServiceOK, by value: lookups instead of branches,
// since rows come in no order of either. Values beyond the enumerations
// (never made by the readers) are unknown environments and rows that are
// no test.
var envFlags, svcFlags = func() (env, svc [256]uint16) {
	for i := range env {
		env[i] = clsUnknown
	}
	env[engine.EnvOutdoor], env[engine.EnvVehicle], env[engine.EnvIndoor] = clsOutdoor, clsOutdoor, clsIndoor
	svc[engine.ServiceNone] = fTest | fBelow | fNoSvc
	svc[engine.ServiceEmergency] = fTest | fBelow | fNoSvc
	return env, svc
}()

func b2u(b bool) uint {
	if b {
		return 1
	}
	return 0
}

// applyRecs is the number of recs applySeg takes at a time.
const applyRecs = 128

// Records that Add stages wait in a.tmp, and are sealed into a block
// sorted by bucket (the blocks a Group's producers hand over) when they
// reach defaultBlockRecs or at a flush.

// seal turns a's unsealed recs into a block sorted by bucket.
func (a *Aggregator) seal() {
	var b *block
	if n := len(a.spare); n > 0 {
		b, a.spare = a.spare[n-1], a.spare[:n-1]
	} else {
		b = new(block)
	}
	b.fill(a.tmp)
	a.blocks = append(a.blocks, b)
	a.sealed += len(a.tmp)
	a.tmp = a.tmp[:0]
}

// staged returns the number of recs staged in a.
func (a *Aggregator) staged() int { return a.sealed + len(a.tmp) }

// stageLimit is the number of staged recs that triggers a flush: at least
// stageCap, and stagePerKey recs per key up to maxStageRecords, so that a
// flush brings each key several recs whose updates share its lines.
func (a *Aggregator) stageLimit() int {
	return max(a.stageCap, min(a.stagePerKey*a.n, maxStageRecords))
}

const (
	defaultStagePerKey = 2
	maxStageRecords    = 8 << 20 // 256 MiB of recs
)

// flush applies the recs staged in a, keeping their blocks for reuse.
func (a *Aggregator) flush() {
	if len(a.tmp) > 0 {
		a.seal()
	}
	if len(a.blocks) == 0 {
		return
	}
	a.flushBlocks(a.blocks)
	a.spare = append(a.spare, a.blocks...)
	clear(a.blocks)
	a.blocks, a.sealed = a.blocks[:0], 0
}

// flushBlocks applies the recs of blocks bucket by bucket, in hash order.
// It uses only a's key state and the blocks, so other goroutines may fill
// other blocks meanwhile.
func (a *Aggregator) flushBlocks(blocks []*block) {
	for k := range nBuckets {
		a.segScratch = segments(a.segScratch[:0], blocks, k)
		a.applySegments(a.segScratch)
	}
}

// applySegments applies the recs of one bucket, held in segs: sorted by
// home position when the table is larger than the buckets and they are
// more than applySeg takes at once (applyBucket), else as they are.
func (a *Aggregator) applySegments(segs [][]rec) {
	m := 0
	for _, sg := range segs {
		m += len(sg)
	}
	if m > applyRecs && 64-a.shift > bucketBits {
		a.applyBucket(segs, m)
		return
	}
	for _, sg := range segs {
		for lo := 0; lo < len(sg); lo += applyRecs {
			a.applySeg(sg[lo:min(lo+applyRecs, len(sg))])
		}
	}
}

// applyBucket applies the recs of one bucket in the order of their keys'
// home positions in the table (a counting sort over the bucket's region of
// the table): the recs of one key come together and find it once, and the
// table and the statistics of the keys a flush created are read in address
// order, which the processor's prefetchers follow.
func (a *Aggregator) applyBucket(segs [][]rec, m int) {
	regionBits := 64 - a.shift - bucketBits
	region := 1 << regionBits
	if cap(a.sortCount) < region+1 {
		a.sortCount = make([]int32, region+1)
	}
	count := a.sortCount[:region+1]
	clear(count)
	if cap(a.sortPos) < m {
		a.sortPos = make([]uint16, m)
		a.sortBuf = make([]rec, m)
	}
	pos, out := a.sortPos[:m], a.sortBuf[:m]
	mask := uint64(region - 1)
	k := 0
	for _, sg := range segs {
		for i := range sg {
			p := uint16(hashKey(sg[i].key) >> a.shift & mask)
			pos[k] = p
			count[p+1]++
			k++
		}
	}
	for i := 1; i <= region; i++ {
		count[i] += count[i-1]
	}
	k = 0
	for _, sg := range segs {
		for i := range sg {
			p := pos[k]
			out[count[p]] = sg[i]
			count[p]++
			k++
		}
	}
	for lo := 0; lo < m; lo += applyRecs {
		a.applySeg(out[lo:min(lo+applyRecs, m)])
	}
}

// applySeg applies recs in three passes. The first loads the table lines
// of each rec's home position, the second finds each key (now in cache)
// and loads its arena blocks, the third applies the recs. The loads of a
// pass are independent of each other, so the processor overlaps their
// cache misses instead of waiting for each in turn, as a rec-by-rec
// update would.
func (a *Aggregator) applySeg(recs []rec) {
	var x uint64
	for i := range recs {
		x += a.table[hashKey(recs[i].key)>>a.shift].key
	}
	if cap(a.slots) < len(recs) {
		a.slots = make([]int32, len(recs))
	}
	slots := a.slots[:len(recs)]
	last, lastSlot := uint64(0), int32(0)
	for i := range recs {
		if k := recs[i].key; k != last {
			last, lastSlot = k, a.findSlot(k)
		}
		slots[i] = lastSlot
	}
	for _, s := range slots {
		st := a.stat(s)
		x += st.key + uint64(st.counts[0][0]) // both lines of the statistics
		if r := st.dev; r != 0 {
			x += a.ar.pages[r>>arenaPageBits][r&(arenaPageWords-1)]
			if st.nDev != devHLL && st.nDev > 8 { // the set's last line too
				r += uint32(st.nDev-1) / 2
				x += a.ar.pages[r>>arenaPageBits][r&(arenaPageWords-1)]
			}
		}
		if r := st.codes; r != 0 {
			r += lastCodeWord(st)
			x += a.ar.pages[r>>arenaPageBits][r&(arenaPageWords-1)]
		}
	}
	a.sink += x
	off := a.cfg.WindowOffsetMs
	for i := range recs {
		a.apply(&recs[i], a.stat(slots[i]), off)
	}
}

// lastCodeWord is the word of st's code block that the next code will
// touch: the last log entry's (within the block even when the log is
// full), or the histogram's header.
func lastCodeWord(st *stats) uint32 {
	if st.nCodes == codeHist || st.nCodes == 0 {
		return 0
	}
	return uint32(st.nCodes-1) / 4
}

// apply adds rec r to its key's statistics st.
func (a *Aggregator) apply(r *rec, st *stats, off int64) {
	f := r.flags
	cls := int(f & fClass)
	a.inc(st, cls, cRows)
	if f&fTest != 0 {
		a.inc(st, cls, cTests)
		if f&fCovered != 0 {
			a.inc(st, cls, cCovered)
		}
		if f&fBelow != 0 {
			a.inc(st, cls, cBelow)
		}
		if f&fNoSvc != 0 {
			a.inc(st, cls, cNoSvc)
		}
	}
	if f&fSignal != 0 {
		k := min(cls, 1)
		st.minMilli[k], st.maxMilli[k] = min(st.minMilli[k], r.milli), max(st.maxMilli[k], r.milli)
		st.sumMilli[k] += int64(r.milli)
		a.addCode(st, uint32(k), uint32(r.sig))
	}
	st.first, st.last = min(st.first, r.ts), max(st.last, r.ts)
	a.addWindow(st, floorDiv(r.ts-off, WindowMs))
	if d := f >> fChildShift & 7; d < 7 {
		st.children |= 1 << d
	}
	if f&fDL != 0 {
		a.addCode(st, stDL, uint32(r.dl))
	}
	if f&fUL != 0 {
		a.addCode(st, stUL, uint32(r.ul))
	}
	if f&fDev != 0 {
		a.addDevice(st, r.dev)
	}
}
