package aggregate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Key identifies one aggregate: an analysis cell, a carrier and a
// technology.
type Key struct {
	Cell    hexgrid.Cell // at Config.Resolution
	Carrier engine.Carrier
	Tech    engine.Tech
}

// Counts are row counts of one key in one environment class.
//
// Invariants: NoServiceRows ≤ BelowNoService ≤ Tests − Covered,
// Tests ≤ Rows. Rows − Tests are rows with service ok whose signal is
// absent or outside engine.SignalRange: kept and counted, but no test.
type Counts struct {
	// Rows is the number of rows.
	Rows int64
	// Tests are the valid signal tests: rows with service ok and a signal
	// within engine.SignalRange of the technology, plus every row with
	// service none or emergency (a negative test).
	Tests int64
	// Covered are tests with service ok and signal ≥ the covered
	// threshold (exact comparison of the reported value).
	Covered int64
	// BelowNoService are tests with signal < the no-service level, plus
	// the NoServiceRows.
	BelowNoService int64
	// NoServiceRows are rows with service none or emergency: the phone had
	// no service from its carrier.
	NoServiceRows int64
}

// SignalStats summarise the signal of the valid tests with service ok.
// Quantiles are nearest-rank quantiles of the signal rounded to integer
// dBm; they are within 0.5 dB of the same quantiles of the raw values.
type SignalStats struct {
	N       int64   // tests with a signal
	MinDBm  float64 // NaN when N is 0
	MaxDBm  float64 // NaN when N is 0
	MeanDBm float64 // of the values rounded to 0.001 dB; NaN when N is 0
	P10DBm  float64 // NaN when N is 0
	P50DBm  float64 // median; NaN when N is 0
	P90DBm  float64 // NaN when N is 0
	// Hist[i] counts tests whose signal rounds to LoDBm+i dBm. Hist is
	// trimmed: its first and last entries are non-zero (nil when N is 0).
	LoDBm int
	Hist  []uint32
}

// Quantile returns the nearest-rank q-quantile (0 ≤ q ≤ 1) in integer dBm,
// NaN when there are no tests.
func (s SignalStats) Quantile(q float64) float64 {
	h := bins{lo: int32(s.LoDBm), c: s.Hist}
	n := h.total()
	if n == 0 {
		return math.NaN()
	}
	return float64(h.rankIndex(nearestRank(q, n)))
}

// RateStats summarise download or upload speeds in Mbit/s. Quantiles are
// nearest-rank, within 1% (relative) of the exact sample quantile; values
// below 0.001 Mbit/s count as 0.
type RateStats struct {
	N          int64   // rows with a speed in [0, 100000] Mbit/s
	P10Mbps    float64 // NaN when N is 0
	MedianMbps float64 // NaN when N is 0
	P90Mbps    float64 // NaN when N is 0
}

// Row holds the statistics of one key.
type Row struct {
	Key
	// All counts every row; Outdoor counts outdoor and vehicle rows (they
	// decide coverage); Indoor counts indoor rows. Rows of unknown
	// environment are All − Outdoor − Indoor.
	All, Outdoor, Indoor Counts
	// Signal covers all environments; OutdoorSignal outdoor and vehicle.
	Signal, OutdoorSignal SignalStats
	DL, UL                RateStats
	// Devices is the number of distinct non-empty device ids: exact when
	// DevicesExact, else a HyperLogLog estimate (standard error 3.3%).
	Devices      int64
	DevicesExact bool
	// FirstUnixMs and LastUnixMs are the earliest and latest row times.
	FirstUnixMs, LastUnixMs int64
	// Windows is the number of distinct 4-hour windows with a row.
	Windows int
	// Children has bit d set when a row fell in the child cell with
	// H3 digit d (0..6) at Resolution+1.
	Children uint8
}

// Skipped counts rows that Add could not attribute to a key. They are
// reported, never silently dropped.
type Skipped struct {
	NoCell    int64 // zero cell: the row's lon/lat could not be indexed
	NoTech    int64 // technology not 2G..5G
	NoCarrier int64 // empty carrier
}

// Total returns the number of skipped rows.
func (s Skipped) Total() int64 { return s.NoCell + s.NoTech + s.NoCarrier }

// Environment classes of the counts.
const (
	clsOutdoor = iota // outdoor and vehicle
	clsIndoor
	clsUnknown
	nClasses
)

// Count fields.
const (
	cRows = iota
	cTests
	cCovered
	cBelow
	cNoSvc
	nCounts
)

// Packed keys: base cell and digits of the analysis cell, then a 12-bit
// carrier id, then the 3-bit tech. Up to resolution 14 the cell needs
// 7+3·14 = 49 bits, so a key fits in 64. Tech ≥ 1 makes every key non-zero.
const (
	carrierBits = 12
	maxCarriers = 1 << carrierBits
	techBits    = 3
	cellBits    = uint64(1)<<52 - 1 // base cell and 15 digits
	resShift    = 52
)

// pageSize is the number of keys' statistics per page.
const pageSize = 4096

func (a *Aggregator) statsCap() (n int) {
	for _, p := range a.pages {
		n += cap(p)
	}
	return n
}

func (a *Aggregator) stat(s int32) *stats { return &a.pages[uint32(s)/pageSize][uint32(s)%pageSize] }

type keyInfo struct {
	key  uint64
	cell hexgrid.Cell
	cid  uint16
	tech engine.Tech
}

type signalAcc struct {
	b        bins
	min, max float64
	sumMilli int64 // Σ round(signal·1000): exact, so merges are exact
}

type stats struct {
	counts      [nClasses][nCounts]uint64
	sig         [2]signalAcc // outdoor/vehicle, other
	dl, ul      rateSketch
	dev         deviceSet
	win         windowSet
	first, last int64
	children    uint8
}

func newStats() stats {
	s := stats{first: math.MaxInt64, last: math.MinInt64}
	for i := range s.sig {
		s.sig[i].min, s.sig[i].max = math.Inf(1), math.Inf(-1)
	}
	return s
}

// Aggregator accumulates per (cell, carrier, tech) statistics. Its memory
// grows with the number of distinct keys, not rows. It is not safe for
// concurrent use: run one per goroutine and Merge them.
type Aggregator struct {
	cfg      Config
	cov, nos [5]float64 // thresholds by tech
	lo, hi   [5]float64 // plausible signal range by tech

	carriers []engine.Carrier
	cids     map[engine.Carrier]uint16
	lastCar  engine.Carrier
	lastCID  uint16

	table   []int32 // open addressing: slot+1, 0 = empty
	keys    []keyInfo
	pages   [][]stats // statistics by slot, in pages of pageSize: growth never copies them
	skipped Skipped

	scratch []int32
}

// New returns an empty Aggregator, or an error if cfg is invalid.
func New(cfg Config) (*Aggregator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Aggregator{cfg: cfg, cids: make(map[engine.Carrier]uint16), table: make([]int32, 1024)}
	for _, t := range engine.Techs {
		a.cov[t], a.nos[t] = cfg.Thresholds.Covered(t), cfg.Thresholds.NoService(t)
		a.lo[t], a.hi[t] = engine.SignalRange(t)
	}
	return a, nil
}

// Config returns the configuration.
func (a *Aggregator) Config() Config { return a.cfg }

// Len returns the number of keys.
func (a *Aggregator) Len() int { return len(a.keys) }

// Skipped returns the rows skipped so far.
func (a *Aggregator) Skipped() Skipped { return a.skipped }

func (a *Aggregator) carrierID(c engine.Carrier) (uint16, error) {
	if c == a.lastCar && len(a.carriers) > 0 {
		return a.lastCID, nil
	}
	var id uint16
	ok := false
	if len(a.carriers) <= 16 { // a scan beats hashing for the few carriers of a market
		for i, k := range a.carriers {
			if k == c {
				id, ok = uint16(i), true
				break
			}
		}
	} else {
		id, ok = a.cids[c]
	}
	if !ok {
		if len(a.carriers) == maxCarriers {
			return 0, fmt.Errorf("aggregate: more than %d carriers (at %q): %w", maxCarriers, c, engine.ErrInvalidValue)
		}
		id = uint16(len(a.carriers))
		a.carriers = append(a.carriers, c)
		a.cids[c] = id
	}
	a.lastCar, a.lastCID = c, id
	return id, nil
}

func hashKey(k uint64) uint64 { return fmix64(k) }

// slot returns the index of key k, creating it when absent.
func (a *Aggregator) slot(k uint64, cell hexgrid.Cell, cid uint16, tech engine.Tech) int32 {
	mask := uint64(len(a.table) - 1)
	for i := hashKey(k) & mask; ; i = (i + 1) & mask {
		s := a.table[i]
		if s == 0 {
			break
		}
		if a.keys[s-1].key == k {
			return s - 1
		}
	}
	if 2*(len(a.keys)+1) > len(a.table) {
		a.rehash(2 * len(a.table))
		mask = uint64(len(a.table) - 1)
	}
	s := int32(len(a.keys))
	a.keys = append(a.keys, keyInfo{key: k, cell: cell, cid: cid, tech: tech})
	if int(s)%pageSize == 0 {
		c := pageSize
		if len(a.pages) == 0 {
			c = 16 // the first page grows by append, so small aggregators stay small
		}
		a.pages = append(a.pages, make([]stats, 0, c))
	}
	p := &a.pages[len(a.pages)-1]
	*p = append(*p, newStats())
	i := hashKey(k) & mask
	for a.table[i] != 0 {
		i = (i + 1) & mask
	}
	a.table[i] = s + 1
	return s
}

func (a *Aggregator) rehash(size int) {
	a.table = make([]int32, size)
	mask := uint64(size - 1)
	for s, ki := range a.keys {
		i := hashKey(ki.key) & mask
		for a.table[i] != 0 {
			i = (i + 1) & mask
		}
		a.table[i] = int32(s) + 1
	}
}

func checkLen(name string, got, n int, optional bool) error {
	if got == n || (optional && got == 0) {
		return nil
	}
	return fmt.Errorf("aggregate: column %s has %d rows, cells have %d: %w", name, got, n, engine.ErrInvalidValue)
}

// checkBatch checks column lengths against n cells. TimeUnixMs, Carrier,
// Tech, SignalDBm and Service are required; Environment, DLMbps, ULMbps and
// DeviceID may be empty (absent).
func checkBatch(b *engine.MeasurementBatch, n int) error {
	for _, c := range []struct {
		name     string
		got      int
		optional bool
	}{
		{"ts", len(b.TimeUnixMs), false},
		{"carrier", len(b.Carrier), false},
		{"tech", len(b.Tech), false},
		{"signal_dbm", len(b.SignalDBm), false},
		{"service", len(b.Service), false},
		{"environment", len(b.Environment), true},
		{"dl_mbps", len(b.DLMbps), true},
		{"ul_mbps", len(b.ULMbps), true},
		{"device_id", len(b.DeviceID), true},
	} {
		if err := checkLen(c.name, c.got, n, c.optional); err != nil {
			return err
		}
	}
	return nil
}

// floorDiv is ⌊x/d⌋ for d > 0.
func floorDiv(x, d int64) int64 {
	q := x / d
	if x%d < 0 {
		q--
	}
	return q
}

// Add aggregates the rows of b. fine[i] is row i's cell at Resolution+1;
// a zero cell marks a row that could not be indexed and is counted in
// Skipped. Rows of unknown technology or empty carrier are skipped and
// counted likewise. Add returns an error, and changes no statistics, when
// a column's length differs from len(fine), when a non-zero cell is not at
// Resolution+1, or when the batch brings the carriers beyond 4096.
//
// Add allocates only when a key is new or a key's sketches grow.
func (a *Aggregator) Add(b *engine.MeasurementBatch, fine []hexgrid.Cell) error {
	n := len(fine)
	if err := checkBatch(b, n); err != nil {
		return err
	}
	if cap(a.scratch) < n {
		a.scratch = make([]int32, n)
	}
	sc := a.scratch[:n]
	res := a.cfg.Resolution
	fineRes := uint64(res + 1)

	// Pass 1: check cells, resolve carriers. sc holds a carrier id or a
	// negative skip reason.
	const skipCell, skipTech, skipCarrier = -1, -2, -3
	for i, c := range fine {
		switch {
		case c == 0:
			sc[i] = skipCell
			continue
		case uint64(c)>>resShift&15 != fineRes:
			return fmt.Errorf("aggregate: row %d: cell %x is not at resolution %d: %w", i, uint64(c), fineRes, engine.ErrInvalidValue)
		case !b.Tech[i].Valid():
			sc[i] = skipTech
			continue
		case b.Carrier[i] == "":
			sc[i] = skipCarrier
			continue
		}
		id, err := a.carrierID(b.Carrier[i])
		if err != nil {
			return err
		}
		sc[i] = int32(id)
	}

	// Pass 2: rows → key slots (consecutive rows often share a key).
	shift := uint(3 * (hexgrid.MaxRes - res))
	lastKey, lastSlot := uint64(0), int32(-1)
	for i, c := range fine {
		v := sc[i]
		switch v {
		case skipCell:
			a.skipped.NoCell++
			continue
		case skipTech:
			a.skipped.NoTech++
			continue
		case skipCarrier:
			a.skipped.NoCarrier++
			continue
		}
		t := b.Tech[i]
		k := (uint64(c)&cellBits)>>shift<<(carrierBits+techBits) | uint64(v)<<techBits | uint64(t)
		if k != lastKey {
			lastKey = k
			lastSlot = a.slot(k, hexgrid.FastParent(c, res), uint16(v), t)
		}
		sc[i] = lastSlot
	}

	// Pass 3: statistics.
	hasEnv, hasDL, hasUL, hasDev := len(b.Environment) == n, len(b.DLMbps) == n, len(b.ULMbps) == n, len(b.DeviceID) == n
	digitShift := uint(3 * (hexgrid.MaxRes - res - 1))
	off := a.cfg.WindowOffsetMs
	var lastDev string
	var lastHash uint64
	haveDev := false
	for i, s := range sc {
		if s < 0 {
			continue
		}
		st := a.stat(s)
		cls := clsUnknown
		if hasEnv {
			switch b.Environment[i] {
			case engine.EnvOutdoor, engine.EnvVehicle:
				cls = clsOutdoor
			case engine.EnvIndoor:
				cls = clsIndoor
			}
		}
		cnt := &st.counts[cls]
		cnt[cRows]++
		switch b.Service[i] {
		case engine.ServiceNone, engine.ServiceEmergency:
			cnt[cTests]++
			cnt[cBelow]++
			cnt[cNoSvc]++
		case engine.ServiceOK:
			t, sig := b.Tech[i], b.SignalDBm[i]
			if sig >= a.lo[t] && sig <= a.hi[t] { // false for NaN
				cnt[cTests]++
				if sig >= a.cov[t] {
					cnt[cCovered]++
				}
				if sig < a.nos[t] {
					cnt[cBelow]++
				}
				sa := &st.sig[min(cls, 1)]
				sa.b.add(int32(math.Round(sig)), minSignalDBm, maxSignalDBm)
				sa.min, sa.max = min(sa.min, sig), max(sa.max, sig)
				sa.sumMilli += int64(math.Round(sig * 1000))
			}
		}
		ts := b.TimeUnixMs[i]
		st.first, st.last = min(st.first, ts), max(st.last, ts)
		st.win.add(floorDiv(ts-off, WindowMs))
		if d := uint64(fine[i]) >> digitShift & 7; d < 7 {
			st.children |= 1 << d
		}
		if hasDL {
			if x := b.DLMbps[i]; x == x {
				st.dl.add(x)
			}
		}
		if hasUL {
			if x := b.ULMbps[i]; x == x {
				st.ul.add(x)
			}
		}
		if hasDev {
			if d := b.DeviceID[i]; d != "" {
				if !haveDev || d != lastDev {
					lastDev, lastHash, haveDev = d, hashDevice(d), true
				}
				st.dev.add(lastHash)
			}
		}
	}
	return nil
}

// Merge adds other's statistics into a; other is unchanged. Merging is
// associative and commutative: the Rows of any merge order of the same
// inputs are identical. Both must have the same Config, and other must not
// be a.
func (a *Aggregator) Merge(other *Aggregator) error {
	if other == a {
		return fmt.Errorf("aggregate: cannot merge an aggregator into itself: %w", engine.ErrInvalidValue)
	}
	if a.cfg != other.cfg {
		return fmt.Errorf("aggregate: cannot merge aggregators with different configurations: %w", engine.ErrInvalidConfig)
	}
	remap := make([]uint16, len(other.carriers))
	for i, c := range other.carriers {
		id, ok := a.cids[c]
		if !ok {
			if len(a.carriers)+1 > maxCarriers {
				return fmt.Errorf("aggregate: merge brings more than %d carriers: %w", maxCarriers, engine.ErrInvalidValue)
			}
			id = uint16(len(a.carriers))
			a.carriers = append(a.carriers, c)
			a.cids[c] = id
		}
		remap[i] = id
	}
	const cidMask = uint64(maxCarriers-1) << techBits
	for j := range other.keys {
		ok := &other.keys[j]
		cid := remap[ok.cid]
		k := ok.key&^cidMask | uint64(cid)<<techBits
		s := a.slot(k, ok.cell, cid, ok.tech)
		a.stat(s).merge(other.stat(int32(j)))
	}
	a.skipped.NoCell += other.skipped.NoCell
	a.skipped.NoTech += other.skipped.NoTech
	a.skipped.NoCarrier += other.skipped.NoCarrier
	return nil
}

func (s *stats) merge(o *stats) {
	for c := range s.counts {
		for f := range s.counts[c] {
			s.counts[c][f] += o.counts[c][f]
		}
	}
	for i := range s.sig {
		s.sig[i].merge(&o.sig[i])
	}
	s.dl.merge(&o.dl)
	s.ul.merge(&o.ul)
	s.dev.merge(&o.dev)
	s.win.merge(o.win)
	s.first, s.last = min(s.first, o.first), max(s.last, o.last)
	s.children |= o.children
}

func (s *signalAcc) merge(o *signalAcc) {
	s.b.merge(&o.b, minSignalDBm, maxSignalDBm)
	s.min, s.max = min(s.min, o.min), max(s.max, o.max)
	s.sumMilli += o.sumMilli
}

// Rows returns one Row per key, sorted by cell, carrier and tech. The
// result shares no memory with the Aggregator.
func (a *Aggregator) Rows() []Row {
	rows := make([]Row, len(a.keys))
	for j, ki := range a.keys {
		st := a.stat(int32(j))
		r := &rows[j]
		r.Key = Key{Cell: ki.cell, Carrier: a.carriers[ki.cid], Tech: ki.tech}
		r.Outdoor = counts(st.counts[clsOutdoor])
		r.Indoor = counts(st.counts[clsIndoor])
		var all [nCounts]uint64
		for c := range st.counts {
			for f := range all {
				all[f] += st.counts[c][f]
			}
		}
		r.All = counts(all)
		both := signalAcc{min: math.Inf(1), max: math.Inf(-1)}
		both.merge(&st.sig[0])
		both.merge(&st.sig[1])
		r.Signal = both.summary()
		r.OutdoorSignal = st.sig[0].summary()
		r.DL, r.UL = st.dl.summary(), st.ul.summary()
		r.Devices, r.DevicesExact = st.dev.count()
		r.FirstUnixMs, r.LastUnixMs = st.first, st.last
		r.Windows = st.win.count()
		r.Children = st.children
	}
	slices.SortFunc(rows, func(x, y Row) int {
		return cmp.Or(cmp.Compare(x.Cell, y.Cell), cmp.Compare(x.Carrier, y.Carrier), cmp.Compare(x.Tech, y.Tech))
	})
	return rows
}

func counts(c [nCounts]uint64) Counts {
	return Counts{
		Rows: int64(c[cRows]), Tests: int64(c[cTests]), Covered: int64(c[cCovered]),
		BelowNoService: int64(c[cBelow]), NoServiceRows: int64(c[cNoSvc]),
	}
}

func (s *signalAcc) summary() SignalStats {
	lo, h := s.b.trimmed()
	out := SignalStats{LoDBm: int(lo), Hist: h}
	tb := bins{lo: lo, c: h}
	out.N = tb.total()
	if out.N == 0 {
		nan := math.NaN()
		out.MinDBm, out.MaxDBm, out.MeanDBm, out.P10DBm, out.P50DBm, out.P90DBm = nan, nan, nan, nan, nan, nan
		return out
	}
	out.MinDBm, out.MaxDBm = s.min, s.max
	out.MeanDBm = float64(s.sumMilli) / float64(out.N) / 1000
	out.P10DBm = float64(tb.rankIndex(nearestRank(0.1, out.N)))
	out.P50DBm = float64(tb.rankIndex(nearestRank(0.5, out.N)))
	out.P90DBm = float64(tb.rankIndex(nearestRank(0.9, out.N)))
	return out
}

func (r *rateSketch) summary() RateStats {
	return RateStats{N: r.n(), P10Mbps: r.quantile(0.1), MedianMbps: r.quantile(0.5), P90Mbps: r.quantile(0.9)}
}

// sizeBytes estimates the heap held by the statistics.
func (a *Aggregator) sizeBytes() int64 {
	n := int64(cap(a.table))*4 + int64(cap(a.keys))*int64(unsafe.Sizeof(keyInfo{})) +
		int64(a.statsCap())*int64(unsafe.Sizeof(stats{}))
	for i := range a.keys {
		st := a.stat(int32(i))
		n += int64(cap(st.sig[0].b.c)+cap(st.sig[1].b.c)+cap(st.dl.b.c)+cap(st.ul.b.c))*4 +
			int64(cap(st.dev.w))*8 + int64(cap(st.win))*16
	}
	return n
}
