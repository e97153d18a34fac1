package aggregate

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
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
// absent or not engine.AcceptedSignal: kept and counted, but no test.
// A censored reading (engine.Censored: at or below the technology's
// reporting floor) is a test at the floor: below the no-service level.
type Counts struct {
	// Rows is the number of rows.
	Rows int64
	// Tests are the valid signal tests: rows with service ok and a signal
	// within engine.SignalRange of the technology or censored below it
	// (counted at the floor), plus every row with service none or
	// emergency (a negative test).
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
	MinDBm  float64 // of the values rounded to 0.001 dB; NaN when N is 0
	MaxDBm  float64 // of the values rounded to 0.001 dB; NaN when N is 0
	MeanDBm float64 // of the values rounded to 0.001 dB; NaN when N is 0
	P10DBm  float64 // NaN when N is 0
	P50DBm  float64 // median; NaN when N is 0
	P90DBm  float64 // NaN when N is 0
	// Hist[i] counts tests whose signal rounds to LoDBm+i dBm. Hist is
	// trimmed: its first and last entries are non-zero (nil when N is 0).
	LoDBm int
	Hist  []uint32
}

// Quantile returns the nearest-rank q-quantile (0 ≤ q ≤ 1) in integer dBm
// kept inside [MinDBm, MaxDBm], NaN when there are no tests.
func (s SignalStats) Quantile(q float64) float64 {
	var n int64
	for _, v := range s.Hist {
		n += int64(v)
	}
	if n == 0 {
		return math.NaN()
	}
	return s.quantile(q, n)
}

// quantile is Quantile for n tests in Hist (n > 0): the histogram's whole
// dBm kept inside [MinDBm, MaxDBm] (two readings of −104.2 gave a median
// of −104, above the maximum).
func (s SignalStats) quantile(q float64, n int64) float64 {
	return min(max(float64(s.LoDBm+rankIndex(s.Hist, nearestRank(q, n))), s.MinDBm), s.MaxDBm)
}

// RateStats summarise download or upload speeds in Mbit/s. Quantiles are
// nearest-rank, within 4% (relative) of the exact sample quantile, given
// to three significant digits; values below 0.001 Mbit/s count as 0.
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
	// Devices is the number of distinct non-empty device ids of rows not
	// taken by a scanner (engine.DeviceScanner, an instrument): exact when
	// DevicesExact (up to 64), else a HyperLogLog estimate (standard error
	// 6.5%).
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
	cellShift   = carrierBits + techBits
	cellBits    = uint64(1)<<52 - 1 // base cell and 15 digits
	resShift    = 52
)

// stats is the fixed part of a key's statistics: 128 bytes without
// pointers, so the tables of them are never scanned by the garbage
// collector and a row's update touches two cache lines plus the arena
// blocks of its codes and devices. Counts are uint16: a carry goes to
// Aggregator.wide.
type stats struct {
	key                uint64 // packed key
	first, last        int64
	sumMilli           [2]int64 // Σ round(signal·1000) per signal stream: exact, so merges are exact
	win                [winWords]uint64
	minMilli, maxMilli [2]int32 // per signal stream, signal in 0.001 dBm
	winBase            int32
	codes, dev         uint32 // arena references
	counts             [nClasses][nCounts]uint16
	nCodes             uint16 // code log entries, or codeHist
	nDev               uint8  // exact device hashes, or devHLL
	children           uint8
	codeClass          uint8 // arena class of codes (| codeWide)
	devClass           uint8 // arena class of dev
}

func newStats(k uint64) stats {
	return stats{key: k, first: math.MaxInt64, last: math.MinInt64,
		minMilli: [2]int32{math.MaxInt32, math.MaxInt32}, maxMilli: [2]int32{math.MinInt32, math.MinInt32}}
}

// Aggregator accumulates per (cell, carrier, tech) statistics. Its memory
// grows with the number of distinct keys, not rows. It is not safe for
// concurrent use: run one per goroutine and Merge them, or use Group.
//
// Rows given to Add are reduced to 32-byte records and staged; the staged
// records are applied to the key statistics in hash-table order when the
// stage is full or a result is asked for (Len, Rows, All, Merge,
// SizeBytes), so that a row's update finds its key's lines in cache
// instead of waiting on memory (see flush).
type Aggregator struct {
	cfg Config
	car *carrierTable // shared by the partitions of one Aggregator
	enc *encoder      // for Add

	// The keys, in an open-addressing hash table with linear probing, load
	// ≤ 3/4, each beside the slot of its statistics in pages (slot order is
	// creation order; growth never moves statistics). A key's home position
	// is the top bits of its hash (hash >> shift), so table order is hash
	// order at every size, and so is the order of the statistics a flush
	// creates.
	table     []tableEntry
	pages     [][]stats // statistics by slot, in pages of pageSize
	shift     uint
	n         int // keys
	ar        arena
	wide      map[uint64][nClasses][nCounts]uint64 // counts beyond uint16, by packed key
	sparseWin map[uint64]windowSet                 // windows of keys beyond the bitset, by packed key
	skipped   Skipped

	// Records given to Add and not yet applied: tmp, not yet sealed, and
	// blocks, sorted by bucket, of sealed records in all; spare are
	// blocks kept for reuse. stageCap and stagePerKey set the number of
	// records that triggers a flush (stageLimit).
	tmp         []rec
	blocks      []*block
	sealed      int
	spare       []*block
	stageCap    int
	stagePerKey int
	slots       []int32 // applySeg's slots
	sortCount   []int32 // applyBucket's counting sort
	sortPos     []uint16
	sortBuf     []rec
	segScratch  [][]rec // a bucket's segments in a flush
	sink        uint64  // keeps applySeg's loads

	// parts, when set, hold disjoint partitions of the keys by analysis
	// cell (partOf); the aggregator then holds no keys of its own.
	parts []*Aggregator

	mem *offHeap // large arrays of the key state, mapped outside the Go heap

	outs [][]rec // Add's per-partition views of the unsealed records
}

// initialTableSize is the hash-table size of a new Aggregator.
const initialTableSize = 64

// New returns an empty Aggregator, or an error if cfg is invalid.
func New(cfg Config) (*Aggregator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newAggregator(cfg, newCarrierTable()), nil
}

func newAggregator(cfg Config, car *carrierTable) *Aggregator {
	a := &Aggregator{cfg: cfg, car: car, mem: &offHeap{}, stageCap: defaultStageRecords,
		stagePerKey: defaultStagePerKey}
	a.enc = newEncoder(cfg, car)
	a.ar.mem = a.mem
	a.table = make([]tableEntry, initialTableSize)
	a.shift = 64 - uint(bits.TrailingZeros(initialTableSize))
	runtime.AddCleanup(a, (*offHeap).free, a.mem)
	return a
}

// newPartitioned returns an Aggregator of n partitions.
func newPartitioned(cfg Config, n int) (*Aggregator, error) {
	a, err := New(cfg)
	if err != nil {
		return nil, err
	}
	a.table = nil
	for range n {
		a.parts = append(a.parts, newAggregator(cfg, a.car))
	}
	return a, nil
}

// partOf returns the partition, of n, of the analysis cell bits cb
// (a packed key >> cellShift): all keys of a cell share a partition.
func partOf(cb uint64, n int) int {
	return int((fmix64(cb) >> 32) * uint64(n) >> 32)
}

// Config returns the configuration.
func (a *Aggregator) Config() Config { return a.cfg }

// Len returns the number of keys. It applies the staged rows first.
func (a *Aggregator) Len() int {
	a.flushAll()
	n := a.n
	for _, p := range a.parts {
		n += p.n
	}
	return n
}

// Skipped returns the rows skipped so far.
func (a *Aggregator) Skipped() Skipped {
	s := a.skipped
	for _, p := range a.parts {
		s.add(p.skipped)
	}
	return s
}

func (s *Skipped) add(o Skipped) {
	s.NoCell += o.NoCell
	s.NoTech += o.NoTech
	s.NoCarrier += o.NoCarrier
}

// carrierTable numbers carriers for packed keys. The partitions of one
// Aggregator, and the encoders of a Group, share one table, so a packed
// key means the same carrier in every partition.
type carrierTable struct {
	mu   sync.Mutex
	list []engine.Carrier // id → carrier
	ids  map[engine.Carrier]uint16
}

func newCarrierTable() *carrierTable {
	return &carrierTable{ids: make(map[engine.Carrier]uint16)}
}

// id returns the id of carrier c, numbering it if it is new.
func (t *carrierTable) id(c engine.Carrier) (uint16, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, ok := t.ids[c]; ok {
		return id, nil
	}
	if len(t.list) == maxCarriers {
		return 0, fmt.Errorf("aggregate: more than %d carriers (at %q): %w", maxCarriers, c, engine.ErrInvalidValue)
	}
	id := uint16(len(t.list))
	t.list = append(t.list, c)
	t.ids[c] = id
	return id, nil
}

// snapshot returns the carriers by id.
func (t *carrierTable) snapshot() []engine.Carrier {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.list
}

func hashKey(k uint64) uint64 { return fmix64(k) }

// pageSize is the number of keys' statistics per page.
const pageSize = 4096

// tableEntry is a hash table entry: the key beside its slot, so a probe
// reads one line and never the key's statistics.
type tableEntry struct {
	key  uint64
	slot int32 // slot+1; 0 = empty
	_    int32
}

// stat returns the statistics of slot s.
func (a *Aggregator) stat(s int32) *stats { return &a.pages[uint32(s)/pageSize][uint32(s)%pageSize] }

// find returns the statistics of packed key k, creating them when absent.
func (a *Aggregator) find(k uint64) *stats { return a.stat(a.findSlot(k)) }

// findSlot returns the slot of packed key k, creating the key when absent.
//
// The table grows when its load would pass 3/4, and also when a new key's
// probe sequence passes maxProbe. flush inserts keys in hash order, so a
// flush that brings many new keys into a small table packs them into the
// region of the table that their hashes have reached so far, far above
// the global load; growing on the probe length sizes the table for the
// flush's keys instead of letting that region become one long cluster.
func (a *Aggregator) findSlot(k uint64) int32 {
	mask := uint64(len(a.table) - 1)
	i := hashKey(k) >> a.shift
	probes := 0
	for {
		e := &a.table[i]
		if e.slot == 0 {
			break
		}
		if e.key == k {
			return e.slot - 1
		}
		i = (i + 1) & mask
		probes++
	}
	if 4*(a.n+1) > 3*len(a.table) || probes > maxProbe {
		a.grow()
		return a.findSlot(k)
	}
	s := int32(a.n)
	if a.n%pageSize == 0 && a.n/pageSize == len(a.pages) {
		c := pageSize
		if len(a.pages) == 0 {
			c = 16 // the first page grows by append, so small aggregators stay small
		}
		var pg []stats
		if c == pageSize {
			pg = allocOffHeap[stats](a.mem, c)[:0]
		} else {
			pg = make([]stats, 0, c)
		}
		a.pages = append(a.pages, pg)
	}
	p := &a.pages[len(a.pages)-1]
	*p = append(*p, newStats(k))
	a.n++
	a.table[i] = tableEntry{key: k, slot: s + 1}
	return s
}

// maxProbe is the probe length beyond which a new key grows the table. At
// load ≤ 3/4 with a good hash, random keys practically never reach it.
const maxProbe = 64

// grow doubles the table. The old table is read in order and, table order
// being hash order, written nearly in order too.
func (a *Aggregator) grow() {
	old := a.table
	size := 2 * len(old)
	if size*int(unsafe.Sizeof(tableEntry{})) >= 1<<20 {
		a.table = allocOffHeap[tableEntry](a.mem, size)
	} else {
		a.table = make([]tableEntry, size)
	}
	a.shift--
	mask := uint64(size - 1)
	for _, e := range old {
		if e.slot == 0 {
			continue
		}
		i := hashKey(e.key) >> a.shift
		for a.table[i].slot != 0 {
			i = (i + 1) & mask
		}
		a.table[i] = e
	}
	freeOffHeap(a.mem, old)
}

// cellOf returns the analysis cell of packed key k.
func (a *Aggregator) cellOf(k uint64) hexgrid.Cell {
	res := uint64(a.cfg.Resolution)
	shift := 3 * (hexgrid.MaxRes - res)
	return hexgrid.Cell(1<<59 | res<<resShift | (k>>cellShift)<<shift | (1<<shift - 1))
}

func checkLen(name string, got, n int, optional bool) error {
	if got == n || (optional && got == 0) {
		return nil
	}
	return fmt.Errorf("aggregate: column %s has %d rows, cells have %d: %w", name, got, n, engine.ErrInvalidValue)
}

// checkBatch checks column lengths against n cells. TimeUnixMs, Carrier,
// Tech, SignalDBm and Service are required; Environment, DLMbps, ULMbps,
// DeviceID and DeviceClass may be empty (absent).
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
		{"device_class", len(b.DeviceClass), true},
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
// Add allocates only when a key is new, a key's sketches grow or the
// stage grows.
func (a *Aggregator) Add(b *engine.MeasurementBatch, fine []hexgrid.Cell) error {
	if err := checkBatch(b, len(fine)); err != nil {
		return err
	}
	targets := a.parts
	if targets == nil {
		targets = []*Aggregator{a}
	}
	if cap(a.outs) < len(targets) {
		a.outs = make([][]rec, len(targets))
	}
	outs := a.outs[:len(targets)]
	for p, t := range targets {
		outs[p] = t.tmp
	}
	var sk Skipped
	if err := a.enc.encode(outs, b, fine, 0, len(fine), &sk); err != nil {
		return err // the targets' tmp keep their lengths: nothing staged
	}
	a.skipped.add(sk)
	for p, t := range targets {
		t.tmp = outs[p]
		if len(t.tmp) >= defaultBlockRecs {
			t.seal()
		}
		if t.staged() >= t.stageLimit() {
			t.flush()
		}
	}
	return nil
}

// flushAll applies the staged records of a and its partitions.
func (a *Aggregator) flushAll() {
	a.flush()
	for _, p := range a.parts {
		p.flush()
	}
}

// inc counts one in field f of class cls of st.
func (a *Aggregator) inc(st *stats, cls, f int) {
	c := &st.counts[cls][f]
	*c++
	if *c == 0 {
		a.carry(st.key, cls, f, 1<<16)
	}
}

func (a *Aggregator) carry(k uint64, cls, f int, v uint64) {
	if a.wide == nil {
		a.wide = make(map[uint64][nClasses][nCounts]uint64)
	}
	w := a.wide[k]
	w[cls][f] += v
	a.wide[k] = w
}

// Merge adds other's statistics into a; other is unchanged (its staged
// rows are applied first). Merging is associative and commutative: the
// Rows of any merge order of the same inputs are identical. Both must have
// the same Config, and other must not be a.
func (a *Aggregator) Merge(other *Aggregator) error {
	if other == a {
		return fmt.Errorf("aggregate: cannot merge an aggregator into itself: %w", engine.ErrInvalidValue)
	}
	if a.cfg != other.cfg {
		return fmt.Errorf("aggregate: cannot merge aggregators with different configurations: %w", engine.ErrInvalidConfig)
	}
	a.flushAll()
	other.flushAll()
	for _, p := range other.parts {
		if err := a.Merge(p); err != nil {
			return err
		}
	}
	if a.parts == nil {
		return a.mergeFrom(other, 0, 1)
	}
	for p, part := range a.parts {
		if err := part.mergeFrom(other, p, len(a.parts)); err != nil {
			return err
		}
	}
	return nil
}

// mergeFrom adds the keys of other in partition p of n (and, for p = 0,
// its skipped rows) into a.
func (a *Aggregator) mergeFrom(other *Aggregator, p, n int) error {
	ocar := other.car.snapshot()
	remap := make([]uint16, len(ocar))
	for i, c := range ocar {
		id, err := a.car.id(c)
		if err != nil {
			return fmt.Errorf("aggregate: merge brings more than %d carriers: %w", maxCarriers, engine.ErrInvalidValue)
		}
		remap[i] = id
	}
	const cidMask = uint64(maxCarriers-1) << techBits
	for j := range int32(other.n) {
		o := other.stat(j)
		if n > 1 && partOf(o.key>>cellShift, n) != p {
			continue
		}
		cid := remap[o.key&cidMask>>techBits]
		a.mergeStats(a.find(o.key&^cidMask|uint64(cid)<<techBits), other, o)
	}
	if p == 0 {
		a.skipped.add(other.skipped)
	}
	return nil
}

func (a *Aggregator) mergeStats(st *stats, oa *Aggregator, o *stats) {
	for c := range st.counts {
		for f := range st.counts[c] {
			sum := uint32(st.counts[c][f]) + uint32(o.counts[c][f])
			st.counts[c][f] = uint16(sum)
			if sum > math.MaxUint16 {
				a.carry(st.key, c, f, 1<<16)
			}
		}
	}
	if w, ok := oa.wide[o.key]; ok {
		for c := range w {
			for f, v := range w[c] {
				if v != 0 {
					a.carry(st.key, c, f, v)
				}
			}
		}
	}
	for k := range st.sumMilli {
		st.sumMilli[k] += o.sumMilli[k]
		st.minMilli[k], st.maxMilli[k] = min(st.minMilli[k], o.minMilli[k]), max(st.maxMilli[k], o.maxMilli[k])
	}
	a.mergeCodes(st, oa, o)
	a.mergeDevices(st, oa, o)
	a.mergeWindows(st, oa, o)
	st.first, st.last = min(st.first, o.first), max(st.last, o.last)
	st.children |= o.children
}

// Rows returns every key's statistics sorted by cell, carrier and tech
// (the order of All). The result shares no memory with the Aggregator.
func (a *Aggregator) Rows() []Row {
	rows := make([]Row, 0, a.Len())
	for r := range a.All() {
		rows = append(rows, r)
	}
	return rows
}

// All yields every key's statistics sorted by cell, carrier and tech,
// building each Row only when it is yielded: besides the key state it holds
// one small sort entry per key, where Rows holds every Row and its
// histograms at once (about 440 bytes per key, too much for a national
// month's millions of keys). The staged rows are applied first. The
// Aggregator must not change while the sequence runs.
func (a *Aggregator) All() iter.Seq[Row] { return a.all(true) }

// Summaries is All without the signal histograms: every Row is the same
// except that Signal.Hist and OutdoorSignal.Hist are nil (LoDBm is still
// set, and the quantiles, min, max and mean). It is for writers of the
// per-key table, which print the summaries: the histograms are about 300
// bytes per key (two of some 40 codes), the most of a Row's memory and of
// the time spent building it.
func (a *Aggregator) Summaries() iter.Seq[Row] { return a.all(false) }

// all is All, with the signal histograms when hist.
func (a *Aggregator) all(hist bool) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		o := a.Order()
		workers := runtime.GOMAXPROCS(0)
		if workers == 1 || o.Len() <= 2*allChunk {
			b := o.builder(hist)
			rows := make([]Row, 0, touchBlock)
			for i := 0; i < o.Len(); i += touchBlock {
				rows = b.Append(rows[:0], i, min(i+touchBlock, o.Len()))
				for _, r := range rows {
					if !yield(r) {
						return
					}
				}
			}
			return
		}
		// Rows are built in chunks of allChunk keys by workers goroutines,
		// at most ring chunks ahead of the consumer, and yielded in order.
		// row only reads the key state, and nothing changes it meanwhile.
		ring := workers + 1
		bufs := make([][]Row, ring)
		ready := make([]chan struct{}, ring)
		for i := range ready {
			ready[i] = make(chan struct{}, 1)
		}
		tokens := make(chan struct{}, ring)
		for range ring {
			tokens <- struct{}{}
		}
		work, stop := make(chan int), make(chan struct{})
		nChunks := (o.Len() + allChunk - 1) / allChunk
		var wg sync.WaitGroup
		wg.Go(func() { // hands out chunk c once chunk c-ring is consumed
			defer close(work)
			for c := range nChunks {
				select {
				case <-tokens:
				case <-stop:
					return
				}
				select {
				case work <- c:
				case <-stop:
					return
				}
			}
		})
		for range workers {
			wg.Go(func() {
				b := o.builder(hist)
				for c := range work {
					i := c % ring
					bufs[i] = b.Append(bufs[i][:0], c*allChunk, min((c+1)*allChunk, o.Len()))
					ready[i] <- struct{}{}
				}
			})
		}
		defer wg.Wait()
		defer close(stop)
		for c := range nChunks {
			i := c % ring
			<-ready[i]
			for _, row := range bufs[i] {
				if !yield(row) {
					return
				}
			}
			tokens <- struct{}{}
		}
	}
}

// Order is an Aggregator's keys sorted as All yields them (by cell,
// carrier and tech), for building their rows a range at a time on several
// goroutines (Builder.Append): a writer of the per-key table builds, shapes
// and formats each range of keys on one goroutine, where All hands every
// Row over one at a time. The Aggregator must not change while its Order
// is in use.
type Order struct {
	aggs     []*Aggregator
	carriers []engine.Carrier
	refs     []ref
}

// Order applies the staged rows and sorts the keys; it holds one 16-byte
// sort entry per key.
func (a *Aggregator) Order() *Order {
	a.flushAll()
	carriers := a.car.snapshot()
	// Carriers compared by rank, not by name, in the sort.
	byName := make([]int, len(carriers))
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(x, y int) int { return cmp.Compare(carriers[x], carriers[y]) })
	rank := make([]uint64, len(carriers))
	for r, id := range byName {
		rank[id] = uint64(r)
	}
	aggs := append([]*Aggregator{a}, a.parts...)
	n := a.n
	for _, p := range a.parts {
		n += p.n
	}
	refs := make([]ref, 0, n)
	for p, g := range aggs {
		for j := range int32(g.n) {
			// The packed key with the carrier's rank for its id: cell
			// bits, then rank, then tech, so that the order of these
			// integers is that of (cell, carrier name, tech).
			k := g.stat(j).key
			cid := k >> techBits & (maxCarriers - 1)
			k = k&^((maxCarriers-1)<<techBits) | rank[cid]<<techBits
			refs = append(refs, ref{key: k, part: int32(p), j: j})
		}
	}
	sortRefs(refs)
	return &Order{aggs: aggs, carriers: carriers, refs: refs}
}

// Len returns the number of keys.
func (o *Order) Len() int { return len(o.refs) }

// Builder builds the Rows of an Order's keys. It holds scratch buffers: use
// one per goroutine.
type Builder struct {
	o  *Order
	sc rowScratch
}

// Summaries returns a Builder of summaries: Rows as Aggregator.Summaries
// yields them, without the signal histograms.
func (o *Order) Summaries() *Builder { return o.builder(false) }

func (o *Order) builder(hist bool) *Builder {
	return &Builder{o: o, sc: rowScratch{noHist: !hist}}
}

// Append appends the Rows of keys from to to-1 (in the Order's sequence)
// to dst.
func (b *Builder) Append(dst []Row, from, to int) []Row {
	aggs, sc := b.o.aggs, &b.sc
	for from < to {
		block := b.o.refs[from:min(from+touchBlock, to)]
		from += len(block)
		sc.touched += touch(aggs, block)
		for _, r := range block {
			dst = append(dst, aggs[r.part].row(aggs[r.part].stat(r.j), b.o.carriers, sc))
		}
	}
	return dst
}

// allChunk is the number of keys whose Rows All builds on one goroutine at
// a time.
const allChunk = 2048

// ref is a key in All's order: its sort key, and where its statistics are.
type ref struct {
	key     uint64
	part, j int32
}

// sortRefs sorts refs by key: a least-significant-digit radix sort on
// 11-bit digits, skipping the digits every key shares (the high bits of
// the cell, the tech at a single tech). Keys are distinct, so stability
// does not matter for the result, only for the method.
func sortRefs(refs []ref) {
	if len(refs) < 2 {
		return
	}
	const digitBits = 11
	var count [1 << digitBits]int
	src, dst := refs, make([]ref, len(refs))
	for shift := uint(0); shift < 64; shift += digitBits {
		clear(count[:])
		for i := range src {
			count[src[i].key>>shift&(1<<digitBits-1)]++
		}
		if count[src[0].key>>shift&(1<<digitBits-1)] == len(src) {
			continue
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for i := range src {
			d := src[i].key >> shift & (1<<digitBits - 1)
			dst[count[d]] = src[i]
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &refs[0] {
		copy(refs, src)
	}
}

// rowScratch holds the buffers row reuses between keys.
type rowScratch struct {
	codes   [nStreams][256]uint32 // per stream, the counts of each code
	both    [nSignalCodes]uint32  // the signal codes of both streams
	lo, hi  [nStreams]uint32
	touched uint64   // touch's sums, kept so that its loads stay
	slab    []uint32 // where the next rows' SignalStats.Hist are cut from
	noHist  bool     // leave SignalStats.Hist nil (Summaries)
}

// histSlab is how many histogram entries rowScratch.hist allocates at a
// time: one allocation for the histograms of some hundred keys instead of
// two per key.
const histSlab = 1 << 14

// hist returns a copy of h (not empty) cut from the slab, its capacity its
// length so that an append to it cannot reach the next key's. A slab is
// never reused: rows given out keep theirs alive.
func (sc *rowScratch) hist(h []uint32) []uint32 {
	if len(sc.slab) < len(h) {
		sc.slab = make([]uint32, max(histSlab, len(h)))
	}
	d := sc.slab[:len(h):len(h)]
	sc.slab = sc.slab[len(h):]
	copy(d, h)
	return d
}

// touchBlock is how many keys All's workers touch ahead of building their
// rows.
const touchBlock = 256

// touch loads the first word of each key's statistics, the word with its
// arena references, and the first word of its code log or histogram. The
// loads of different keys are independent, so the core overlaps their
// cache misses, where row, one key at a time, would wait on each in turn
// (keys are visited in key order, not memory order); row then finds the
// lines in cache. It returns a sum of the words.
func touch(aggs []*Aggregator, refs []ref) uint64 {
	var sum uint64
	for _, r := range refs {
		g := aggs[r.part]
		st := g.stat(r.j)
		sum += st.key + uint64(st.codes)
		if st.codes != 0 {
			sum += g.ar.words(st.codes, 1)[0]
		}
	}
	return sum
}

// row builds the statistics of st; carriers names the carrier ids.
func (a *Aggregator) row(st *stats, carriers []engine.Carrier, sc *rowScratch) Row {
	var r Row
	cid := st.key >> techBits & (maxCarriers - 1)
	r.Key = Key{Cell: a.cellOf(st.key), Carrier: carriers[cid], Tech: engine.Tech(st.key & (1<<techBits - 1))}
	var c [nClasses][nCounts]uint64
	w := a.wide[st.key]
	for cls := range c {
		for f := range c[cls] {
			c[cls][f] = uint64(st.counts[cls][f]) + w[cls][f]
		}
	}
	r.Outdoor = counts(c[clsOutdoor])
	r.Indoor = counts(c[clsIndoor])
	var all [nCounts]uint64
	for cls := range c {
		for f := range all {
			all[f] += c[cls][f]
		}
	}
	r.All = counts(all)

	for k := range sc.lo {
		sc.lo[k], sc.hi[k] = math.MaxUint32, 0
	}
	a.eachCode(st, func(k, c, w uint32) {
		sc.codes[k][c] += w
		sc.lo[k], sc.hi[k] = min(sc.lo[k], c), max(sc.hi[k], c)
	})
	// Signal: both streams; OutdoorSignal: the first.
	// In sc, not on the stack: signalSummary's result may hold the slice
	// (its Hist), which would move a local array to the heap, one
	// allocation per key.
	both := &sc.both
	blo, bhi := min(sc.lo[stOutdoor], sc.lo[stOther]), max(sc.hi[stOutdoor], sc.hi[stOther])
	if blo <= bhi {
		for i := blo; i <= bhi; i++ {
			both[i] = sc.codes[stOutdoor][i] + sc.codes[stOther][i]
		}
		r.Signal = signalSummary(both[blo:bhi+1], blo, int64(st.sumMilli[0]+st.sumMilli[1]),
			min(st.minMilli[0], st.minMilli[1]), max(st.maxMilli[0], st.maxMilli[1]), sc)
	} else {
		r.Signal = signalSummary(nil, 0, 0, 0, 0, sc)
	}
	if sc.lo[stOutdoor] <= sc.hi[stOutdoor] {
		r.OutdoorSignal = signalSummary(sc.codes[stOutdoor][sc.lo[stOutdoor]:sc.hi[stOutdoor]+1], sc.lo[stOutdoor], st.sumMilli[0], st.minMilli[0], st.maxMilli[0], sc)
	} else {
		r.OutdoorSignal = signalSummary(nil, 0, 0, 0, 0, sc)
	}
	r.DL = rateSummary(sc.codes[stDL][:], sc.lo[stDL], sc.hi[stDL])
	r.UL = rateSummary(sc.codes[stUL][:], sc.lo[stUL], sc.hi[stUL])
	for k := range sc.lo {
		if sc.lo[k] <= sc.hi[k] {
			clear(sc.codes[k][sc.lo[k] : sc.hi[k]+1])
		}
	}
	r.Devices, r.DevicesExact = a.deviceCount(st)
	r.FirstUnixMs, r.LastUnixMs = st.first, st.last
	r.Windows = a.windowCount(st)
	r.Children = st.children
	return r
}

func counts(c [nCounts]uint64) Counts {
	return Counts{
		Rows: int64(c[cRows]), Tests: int64(c[cTests]), Covered: int64(c[cCovered]),
		BelowNoService: int64(c[cBelow]), NoServiceRows: int64(c[cNoSvc]),
	}
}

// signalSummary summarises the trimmed histogram h of signal codes from
// code lo. The summary's Hist is a copy of h taken from sc's slab.
func signalSummary(h []uint32, lo uint32, sumMilli int64, minMilli, maxMilli int32, sc *rowScratch) SignalStats {
	var out SignalStats
	for _, v := range h {
		out.N += int64(v)
	}
	if out.N == 0 {
		nan := math.NaN()
		out.MinDBm, out.MaxDBm, out.MeanDBm, out.P10DBm, out.P50DBm, out.P90DBm = nan, nan, nan, nan, nan, nan
		return out
	}
	out.LoDBm = int(lo) + minSignalDBm
	out.MinDBm, out.MaxDBm = float64(minMilli)/1000, float64(maxMilli)/1000
	out.MeanDBm = float64(sumMilli) / float64(out.N) / 1000
	out.Hist = h // for quantile; h is sc's scratch, copied or dropped below
	out.P10DBm, out.P50DBm, out.P90DBm = out.quantile(0.1, out.N), out.quantile(0.5, out.N), out.quantile(0.9, out.N)
	out.Hist = nil
	if !sc.noHist {
		out.Hist = sc.hist(h)
	}
	return out
}

// rateSummary summarises rate codes lo..hi of h.
func rateSummary(h []uint32, lo, hi uint32) RateStats {
	nan := math.NaN()
	out := RateStats{P10Mbps: nan, MedianMbps: nan, P90Mbps: nan}
	if lo > hi {
		return out
	}
	c := h[lo : hi+1]
	for _, v := range c {
		out.N += int64(v)
	}
	// A code's representative speed, to three significant digits: the
	// sketch is within 4%, so more digits would be noise
	// (0.10207802477176212 for a median of 0.1037).
	q := func(p float64) float64 {
		return rateTables.value[lo+uint32(rankIndex(c, nearestRank(p, out.N)))]
	}
	out.P10Mbps, out.MedianMbps, out.P90Mbps = q(0.1), q(0.5), q(0.9)
	return out
}

// SizeBytes returns the memory held by the key statistics: the hash table
// of keys and fixed statistics and the arena pages (on or off the Go
// heap), not counting the few keys with counts beyond 65535 or windows
// beyond 32 days, nor the stage of rows not yet applied. It applies the
// staged rows first.
func (a *Aggregator) SizeBytes() int64 {
	a.flush()
	n := int64(cap(a.table))*int64(unsafe.Sizeof(tableEntry{})) + a.ar.heldBytes()
	for _, p := range a.pages {
		n += int64(cap(p)) * int64(unsafe.Sizeof(stats{}))
	}
	for _, p := range a.parts {
		n += p.SizeBytes()
	}
	return n
}
