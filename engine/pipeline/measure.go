package pipeline

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// MeasureOptions control Measure: the one pass over the measurements that
// every later stage reads.
type MeasureOptions struct {
	// Aggregate selects the partitions (Periods, Carriers), the workers and
	// the per-key statistics' configuration.
	Aggregate AggregateOptions
	// Thresholds turn tests into the radio map's readings
	// (deadzone.Evidence).
	Thresholds engine.Thresholds
	// Challenge is the configuration the challenge tally counts tests
	// with; its Res is set to the aggregation's resolution.
	Challenge challenge.Config
	// Villages and Reach are the radio map's anchors: tests whose
	// resolution-7 cell is in Reach become readings, and each village
	// counts the tests near it. Both nil: no readings are gathered.
	Villages []deadzone.Village
	Reach    map[hexgrid.Cell]bool
	// SpeedAreas, when set, are the areas each speed test is counted for
	// by its own point (the scorecard's areas: CoverageOptions.SpeedAreas);
	// a test in none of them, and every test without them, is counted by
	// its resolution-7 hex, which the scorecard attributes as a whole.
	SpeedAreas *geodata.BoundarySet
}

// Measured is what one pass over a period's measurements gathers, per key
// and never per row: the per-key statistics (Rows, sorted by cell, carrier
// and tech), the radio map's readings collapsed per evidence cell and the
// tests near each village, and the challenge tally. Measured values of
// disjoint carriers merge (mergeMeasured), which is how a carrier's late
// dump reruns only that carrier's pass.
type Measured struct {
	Rows []aggregate.Row
	// NotChosen are the per-key statistics of the rows whose technology
	// the device did not choose by its signal (engine.TechNotChosen:
	// instruments, feature phones' 2G), sorted as Rows: the calibration
	// fits on them where they are enough, since a phone's readings of a
	// technology are of places that technology's signal chose.
	NotChosen []aggregate.Row
	Skipped   aggregate.Skipped
	RowsRead  int64
	Tally     *challenge.Tally
	ev        *evidence
	anchors   string // anchorsKey of the villages and reach the readings were gathered for
	// speeds counts the download speeds of speed tests (four significant
	// digits, speedKey) per area (MeasureOptions.SpeedAreas, the unit
	// holding the test's own point) or, for a test in no area or a pass
	// without areas, per res-7 hex (indexed at res 7), and per month,
	// carrier and technology, for the scorecard's speed trend (which
	// compares each carrier's and technology's speeds with their own a
	// year before: scorecard.SpeedChange).
	speeds map[speedCell]map[float64]int64
}

// speedCell is an area, or a res-7 hex (area ""), in a month, for one
// carrier and technology. A test counted for its area has no hex (cell
// 0): the keys are the areas', not the hexes'.
type speedCell struct {
	cell    hexgrid.Cell
	area    string
	period  string
	carrier engine.Carrier
	tech    engine.Tech
}

// speedRes is the resolution of the speed trend's hexes.
const speedRes = 7

// speedCounter counts speed tests (add), with the month of each (bounds
// cached in lo, hi, period) and, with areas, the area holding each
// test's point. One per goroutine.
type speedCounter struct {
	areas  *speedAreas // nil: every test counted by its hex
	cands  map[hexgrid.Cell]speedCands
	lo, hi int64
	period string
}

func newSpeedCounter(a *speedAreas) *speedCounter {
	return &speedCounter{areas: a, cands: map[hexgrid.Cell]speedCands{}}
}

// add counts the speed tests of b into m.
func (sc *speedCounter) add(m map[speedCell]map[float64]int64, b *engine.MeasurementBatch) error {
	for i := 0; i < b.Len(); i++ {
		if b.Service[i] != engine.ServiceOK || !b.SpeedAt(i).Counts(b.DLMbps[i]) {
			continue
		}
		if ms := b.TimeUnixMs[i]; sc.period == "" || ms < sc.lo || ms >= sc.hi {
			sc.period = dataset.PeriodOf(ms)
			t := time.UnixMilli(ms).In(dataset.ReportTime)
			start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, dataset.ReportTime)
			sc.lo, sc.hi = start.UnixMilli(), start.AddDate(0, 1, 0).UnixMilli()
		}
		c, err := hexgrid.Index(b.Lon[i], b.Lat[i], speedRes)
		if err != nil {
			continue // no hex, no area: as an unattributed test
		}
		k := speedCell{cell: c, period: sc.period, carrier: b.Carrier[i], tech: b.Tech[i]}
		if sc.areas != nil {
			code, err := sc.areas.at(sc.cands, c, orb.Point{b.Lon[i], b.Lat[i]})
			if err != nil {
				return err
			}
			if code != "" {
				k.cell, k.area = 0, code
			}
		}
		v := m[k]
		if v == nil {
			v = map[float64]int64{}
			m[k] = v
		}
		v[speedKey(b.DLMbps[i])]++
	}
	return nil
}

// speedAreas finds the unit of a boundary set that holds a point, as
// geodata.BoundarySet.Locate does (the lowest code where units overlap),
// testing only the units whose bounds meet the point's res-7 hex: those
// are found once per hex (speedCands), so a pass's cost of finding them
// grows with its hexes, and each test costs a point-in-polygon test of
// its hex's few candidates (geodata.Unit.Contains, through the units'
// edge index).
type speedAreas struct {
	units []geodata.Unit // sorted by code
}

func newSpeedAreas(set *geodata.BoundarySet) *speedAreas {
	if set == nil {
		return nil
	}
	return &speedAreas{units: set.Units()}
}

// speedAreasKey identifies what decides a speed test's area in a pass
// over the measurements: each unit's code and outline, in code order; ""
// without areas. A pass's key holds it (newPeriodRun). The outlines are
// hashed as bytes (about 0.4 ms for the 9,391 points of the provinces of
// 2025; hashConfig's reflection over each coordinate took 7 ms) and the
// last few sets' keys kept: a scorecard makes a pass key per month, and
// the 3,321 communes of 2025 have 617,436 points.
func speedAreasKey(set *geodata.BoundarySet) string {
	if set == nil {
		return ""
	}
	speedAreasMemo.mu.Lock()
	defer speedAreasMemo.mu.Unlock()
	for _, e := range speedAreasMemo.entries {
		if e.set == set {
			return e.key
		}
	}
	h := sha256.New()
	var b []byte
	u64 := func(x uint64) { b = binary.LittleEndian.AppendUint64(b, x) }
	for _, u := range set.Units() {
		u64(uint64(len(u.Code)))
		b = append(b, u.Code...)
		u64(uint64(len(u.Geometry)))
		for _, pl := range u.Geometry {
			u64(uint64(len(pl)))
			for _, r := range pl {
				u64(uint64(len(r)))
				for _, pt := range r {
					u64(math.Float64bits(pt[0]))
					u64(math.Float64bits(pt[1]))
				}
				if len(b) >= 1<<16 {
					h.Write(b)
					b = b[:0]
				}
			}
		}
	}
	h.Write(b)
	key := hex.EncodeToString(h.Sum(nil))
	es := append(speedAreasMemo.entries, speedAreasMemoEntry{set, key})
	speedAreasMemo.entries = es[max(0, len(es)-speedAreasMemoSize):]
	return key
}

// speedAreasMemoSize is how many sets' keys speedAreasKey keeps (each
// entry holds its set, so that no other set takes its address).
const speedAreasMemoSize = 4

type speedAreasMemoEntry struct {
	set *geodata.BoundarySet
	key string
}

var speedAreasMemo struct {
	mu      sync.Mutex
	entries []speedAreasMemoEntry
}

// speedCands are the units (indexes, in code order) whose bounds meet a
// hex's bound, padded.
type speedCands struct {
	bound orb.Bound
	units []int32
}

// speedHexPad pads a hex's bound (degrees, about 100 m): a hex's edges
// are arcs, its vertices' bound a planar approximation.
const speedHexPad = 1e-3

// at returns the code of the unit holding p, whose res-7 hex is c; ""
// when none does. cands caches each hex's candidates.
func (a *speedAreas) at(cands map[hexgrid.Cell]speedCands, c hexgrid.Cell, p orb.Point) (string, error) {
	cs, ok := cands[c]
	if !ok {
		ring, err := c.Boundary()
		if err != nil {
			return "", err
		}
		b := ring.Bound().Pad(speedHexPad)
		cs.bound = b
		for i := range a.units {
			if a.units[i].Bound.Intersects(b) {
				cs.units = append(cs.units, int32(i))
			}
		}
		cands[c] = cs
	}
	if !cs.bound.Contains(p) {
		// Not within its hex's bound (never expected): every unit.
		for i := range a.units {
			if a.units[i].Contains(p) {
				return a.units[i].Code, nil
			}
		}
		return "", nil
	}
	for _, i := range cs.units {
		if a.units[i].Contains(p) {
			return a.units[i].Code, nil
		}
	}
	return "", nil
}

func mergeSpeeds(into, from map[speedCell]map[float64]int64) {
	for k, m := range from {
		v := into[k]
		if v == nil {
			into[k] = m
			continue
		}
		for x, n := range m {
			v[x] += n
		}
	}
}

// notChosenRows returns the rows of b whose technology the device did not
// choose (engine.TechNotChosen) with their cells: b and fine themselves
// when every row is one (a drive test's parts), nil when none is, else
// the columns the aggregation reads copied into sub and subFine (speeds
// left out: the calibration reads signals).
func notChosenRows(b *engine.MeasurementBatch, fine []hexgrid.Cell, sub *engine.MeasurementBatch, subFine *[]hexgrid.Cell) (*engine.MeasurementBatch, []hexgrid.Cell) {
	if len(b.DeviceClass) == 0 {
		return nil, nil // no device classes: every row's technology may be chosen
	}
	n := 0
	for i, c := range b.DeviceClass {
		if engine.TechNotChosen(c, b.Tech[i]) {
			n++
		}
	}
	switch n {
	case 0:
		return nil, nil
	case b.Len():
		return b, fine
	}
	sub.Reset()
	*subFine = (*subFine)[:0]
	env, ids := len(b.Environment) > 0, len(b.DeviceID) > 0
	for i, c := range b.DeviceClass {
		if !engine.TechNotChosen(c, b.Tech[i]) {
			continue
		}
		sub.TimeUnixMs = append(sub.TimeUnixMs, b.TimeUnixMs[i])
		sub.Carrier = append(sub.Carrier, b.Carrier[i])
		sub.Tech = append(sub.Tech, b.Tech[i])
		sub.Lon = append(sub.Lon, b.Lon[i])
		sub.Lat = append(sub.Lat, b.Lat[i])
		sub.SignalDBm = append(sub.SignalDBm, b.SignalDBm[i])
		sub.Service = append(sub.Service, b.Service[i])
		sub.DeviceClass = append(sub.DeviceClass, c)
		if env {
			sub.Environment = append(sub.Environment, b.Environment[i])
		}
		if ids {
			sub.DeviceID = append(sub.DeviceID, b.DeviceID[i])
		}
		*subFine = append(*subFine, fine[i])
	}
	return sub, *subFine
}

// measureColumns are the measurement columns the pass reads.
var measureColumns = []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service",
	"dl_mbps", "ul_mbps", "device_id", "device_class", "environment", "speed_test", "source"}

// microDB is the fixed point of readings' sums: sums of integers are the
// same in any order, so a pass on several workers gathers the same sums
// as one on a single goroutine. Signals are summed in µdB (an int64 holds
// 9·10¹² readings of −1000 dB); the mean is then within 5·10⁻⁷ dB of the
// floating-point mean.
const microDB = 1e6

func toMicro(v float64) int64 { return int64(math.Round(v * microDB)) }

// evFix is evSum in fixed point while gathering.
type evFix struct {
	n   int
	sum int64
}

// nearFix is a key's readings near a village: outdoor (and vehicle or
// unknown environment) and indoor, apart, since indoor ones read an
// indoor loss below the street.
type nearFix struct{ out, in evFix }

// evCellKey is a reading's key within one carrier's evAcc: without the carrier's
// name, a key of fixed size that the map hashes and compares as memory
// (a string in the key made every insert of the pass hash and compare
// it).
type evCellKey struct {
	cell, hex                        hexgrid.Cell
	tech                             engine.Tech
	upper, indoor, scanner, fallback bool
}

// evRow is one reading's key and sum while gathering.
type evRow struct {
	k evCellKey
	evFix
}

// cmpCellKey orders cell keys as cmpReading orders the readings of one
// carrier: cell, hex, technology and kind.
func cmpCellKey(a, b *evCellKey) int {
	switch {
	case a.cell != b.cell:
		return cmp.Compare(a.cell, b.cell)
	case a.hex != b.hex:
		return cmp.Compare(a.hex, b.hex)
	case a.tech != b.tech:
		return int(a.tech) - int(b.tech)
	case a.upper != b.upper:
		return b2i(a.upper) - b2i(b.upper)
	case a.indoor != b.indoor:
		return b2i(a.indoor) - b2i(b.indoor)
	case a.scanner != b.scanner:
		return b2i(a.scanner) - b2i(b.scanner)
	}
	return b2i(a.fallback) - b2i(b.fallback)
}

// evAcc is one worker's evidence for one carrier.
//
// The readings are gathered as rows appended one per reading and, when
// they reach compactAt, sorted by key and summed into one row per key
// (compact), compactAt then doubling past what is left: the sums in
// about 40 bytes a key, no pointer for the collector to scan, and an
// append a reading, where a map of the keys took 60–90 bytes a key and
// most of a 10 M-row pass's time in its lookups and growth. The sums are
// integers, so the result is the same in any order of the readings.
type evAcc struct {
	carrier            engine.Carrier
	rows               []evRow
	compactAt          int
	nearby             []deadzone.Nearby
	near               []map[deadzone.Key]nearFix
	rowsRead, rowsNear int64
}

// minCompactAt is the fewest rows an evAcc gathers before compacting.
var minCompactAt = 1 << 16 // a variable for the tests

// newEvAcc starts the evidence of carrier c near villages villages.
func newEvAcc(c engine.Carrier, villages int) *evAcc {
	a := &evAcc{carrier: c, compactAt: minCompactAt, nearby: make([]deadzone.Nearby, villages), near: make([]map[deadzone.Key]nearFix, villages)}
	for i := range a.nearby {
		a.nearby[i].NearestTestM = math.Inf(1)
	}
	return a
}

// addReading adds one reading (its key and fixed-point value).
func (a *evAcc) addReading(k evCellKey, v int64) {
	a.rows = append(a.rows, evRow{k, evFix{1, v}})
	if len(a.rows) >= a.compactAt {
		a.compact()
	}
}

// compact sorts the rows by key and sums each key's into one.
func (a *evAcc) compact() {
	slices.SortFunc(a.rows, func(x, y evRow) int { return cmpCellKey(&x.k, &y.k) })
	out := a.rows[:0]
	for _, r := range a.rows {
		if n := len(out); n > 0 && out[n-1].k == r.k {
			out[n-1].n += r.n
			out[n-1].sum += r.sum
			continue
		}
		out = append(out, r)
	}
	a.rows = out
	a.compactAt = max(minCompactAt, 2*len(out))
}

// merge adds o, the evidence of the same carrier, to a.
func (a *evAcc) merge(o *evAcc) {
	a.rowsRead += o.rowsRead
	a.rowsNear += o.rowsNear
	// Both compacted, then merged in one pass.
	a.compact()
	o.compact()
	out := make([]evRow, 0, len(a.rows)+len(o.rows))
	i, j := 0, 0
	for i < len(a.rows) && j < len(o.rows) {
		switch c := cmpCellKey(&a.rows[i].k, &o.rows[j].k); {
		case c < 0:
			out = append(out, a.rows[i])
			i++
		case c > 0:
			out = append(out, o.rows[j])
			j++
		default:
			r := a.rows[i]
			r.n, r.sum = r.n+o.rows[j].n, r.sum+o.rows[j].sum
			out = append(out, r)
			i, j = i+1, j+1
		}
	}
	out = append(append(out, a.rows[i:]...), o.rows[j:]...)
	a.rows, o.rows = out, nil
	a.compactAt = max(minCompactAt, 2*len(out))
	for i := range o.nearby {
		nb, ob := &a.nearby[i], o.nearby[i]
		nb.Tests += ob.Tests
		nb.NoService += ob.NoService
		nb.NearestTestM = min(nb.NearestTestM, ob.NearestTestM)
		for k, e := range o.near[i] {
			if a.near[i] == nil {
				a.near[i] = map[deadzone.Key]nearFix{}
			}
			x := a.near[i][k]
			x.out.n, x.out.sum = x.out.n+e.out.n, x.out.sum+e.out.sum
			x.in.n, x.in.sum = x.in.n+e.in.n, x.in.sum+e.in.sum
			a.near[i][k] = x
		}
	}
}

// evidence returns the gathered readings as scanEvidence's result.
func (a *evAcc) evidence() *evidence {
	a.compact() // sorted as cmpReading sorts one carrier's readings
	ev := &evidence{readings: make([]evReading, 0, len(a.rows)), nearby: slices.Clone(a.nearby),
		near: make([]map[deadzone.Key]*nearSum, len(a.near)), rowsRead: a.rowsRead, rowsNear: a.rowsNear}
	for _, r := range a.rows {
		k := &r.k
		ev.readings = append(ev.readings, evReading{cell: k.cell, hex: k.hex, carrier: a.carrier, tech: k.tech,
			kind: kindOf(k.upper, k.indoor, k.scanner, k.fallback), n: int32(r.n), sum: float64(r.sum) / microDB})
	}
	for i, m := range a.near {
		if m == nil {
			continue
		}
		ev.near[i] = make(map[deadzone.Key]*nearSum, len(m))
		for k, e := range m {
			ev.near[i][k] = &nearSum{out: evSum{n: e.out.n, sum: float64(e.out.sum) / microDB},
				in: evSum{n: e.in.n, sum: float64(e.in.sum) / microDB}}
		}
	}
	return ev
}

// gatherer turns one worker's rows into readings and nearby counts, as
// scanEvidence did on its own pass.
type gatherer struct {
	th       engine.Thresholds
	villages []deadzone.Village
	villAt   map[hexgrid.Cell][]int
	// nearestM[i] is how far from village i the search for its nearest
	// test reaches for sure (nearestReach): a nearer test is always seen.
	nearestM []float64
	reach    map[hexgrid.Cell]bool
	res      int
}

// nearestReach is how far from a point every test is seen by a search of
// the resolution-8 cells within one ring of the point's own: from any
// point of a hexagon, the outer boundary of its ring lies at least about
// an edge length away (the distance from a vertex of the hexagon along
// the edge its two neighbours share). It takes the shortest edge of the
// point's cell, 5% less for the neighbours' distortion, and 60 m less for
// a test placed in its resolution-8 cell through its resolution-11 cell's
// parent (a child near an edge can lie just outside its parent).
func nearestReach(c hexgrid.Cell) (float64, error) {
	ring, err := c.Boundary()
	if err != nil {
		return 0, err
	}
	edge := math.Inf(1)
	for i := range ring {
		if j := (i + 1) % len(ring); ring[i] != ring[j] {
			edge = min(edge, hexgrid.GreatCircleM(ring[i], ring[j]))
		}
	}
	return 0.95*edge - 60, nil
}

func newGatherer(opt MeasureOptions) (*gatherer, error) {
	g := &gatherer{th: opt.Thresholds, villages: opt.Villages, reach: opt.Reach, res: opt.Aggregate.Config.Resolution,
		villAt: map[hexgrid.Cell][]int{}, nearestM: make([]float64, len(opt.Villages))}
	// Villages by every resolution-8 cell within one ring of their own:
	// a test within 300 m of a village lies in one of them, and the
	// nearest test is known when it lies within the ring's reach.
	for i, v := range opt.Villages {
		c, err := hexgrid.Index(v.Lon, v.Lat, 8)
		if err != nil {
			return nil, fmt.Errorf("pipeline: village %s: %w", v.ID, err)
		}
		if g.nearestM[i], err = nearestReach(c); err != nil {
			return nil, err
		}
		disk, err := c.Disk(1)
		if err != nil {
			return nil, err
		}
		for _, d := range disk {
			g.villAt[d] = append(g.villAt[d], i)
		}
	}
	return g, nil
}

// gatherScratch is a worker's reused buffers.
type gatherScratch struct {
	cells, hexes []hexgrid.Cell
	rd           []deadzone.Reading
}

func (g *gatherer) add(ev *evAcc, sc *gatherScratch, b *engine.MeasurementBatch) error {
	n := b.Len()
	for _, c := range b.Carrier {
		if c != ev.carrier {
			return fmt.Errorf("pipeline: a test of %q gathered as %q's evidence", c, ev.carrier)
		}
	}
	ev.rowsRead += int64(n)
	if len(g.reach) == 0 {
		return nil
	}
	sc.cells = slices.Grow(sc.cells[:0], n)[:n]
	if err := hexgrid.IndexInto(sc.cells, b.Lon, b.Lat, evidenceRes); err != nil {
		return fmt.Errorf("pipeline: index: %w", err)
	}
	// The readings' hex is the point's own cell at the analysis
	// resolution, as the prediction at the point uses.
	sc.hexes = slices.Grow(sc.hexes[:0], n)[:n]
	if err := hexgrid.IndexInto(sc.hexes, b.Lon, b.Lat, g.res); err != nil {
		return fmt.Errorf("pipeline: index: %w", err)
	}
	for i, c := range sc.cells {
		if c == 0 || !g.reach[hexgrid.FastParent(c, reachRes)] {
			continue
		}
		ev.rowsNear++
		pt := orb.Point{b.Lon[i], b.Lat[i]}
		for _, vi := range g.villAt[hexgrid.FastParent(c, 8)] {
			v := g.villages[vi]
			d := hexgrid.GreatCircleM(pt, orb.Point{v.Lon, v.Lat})
			nb := &ev.nearby[vi]
			if d <= g.nearestM[vi] {
				// Farther, a nearer test may lie outside the search: the
				// distance would be wrong, so none is given.
				nb.NearestTestM = min(nb.NearestTestM, d)
			}
			if d > deadzone.NearbyRadiusM {
				continue
			}
			nb.Tests++
			// A test without service as the data contract counts one:
			// no network, emergency calls only, or a reading at or below
			// the reporting floor (censored) — each moved the verdict and
			// was left out of the count.
			if b.Service[i] == engine.ServiceNone || b.Service[i] == engine.ServiceEmergency ||
				b.Service[i] == engine.ServiceOK && engine.Censored(b.Tech[i], b.SignalDBm[i]) {
				nb.NoService++
			}
			if b.Service[i] == engine.ServiceOK && !math.IsNaN(b.SignalDBm[i]) && b.Tech[i].Valid() {
				if ev.near[vi] == nil {
					ev.near[vi] = map[deadzone.Key]nearFix{}
				}
				k := deadzone.Key{Carrier: b.Carrier[i], Tech: b.Tech[i]}
				x := ev.near[vi][k]
				e := &x.out
				if b.Environment[i] == engine.EnvIndoor {
					e = &x.in
				}
				e.n++
				e.sum += toMicro(b.SignalDBm[i])
				ev.near[vi][k] = x
			}
		}
		sc.rd = deadzone.Evidence(sc.rd[:0], deadzone.Test{Tech: b.Tech[i], SignalDBm: b.SignalDBm[i], Service: b.Service[i],
			Source: b.Source[i], DeviceClass: b.DeviceClass[i], Environment: b.Environment[i]}, g.th)
		for _, r := range sc.rd {
			ev.addReading(evCellKey{cell: c, hex: sc.hexes[i], tech: r.Tech, upper: r.Upper, indoor: r.Indoor,
				scanner: b.Source[i] == engine.SourceDrive || b.DeviceClass[i] == engine.DeviceScanner, fallback: r.Fallback}, toMicro(r.SignalDBm))
		}
	}
	return nil
}

// carrierPass is the state of one carrier's partitions in a pass.
type carrierPass struct {
	group *aggregate.Group
	prods []*aggregate.Producer // per worker
	// notChosen aggregates the rows whose technology the device did not
	// choose (Measured.NotChosen), its producers per worker.
	notChosen *aggregate.Group
	ncProds   []*aggregate.Producer
	evs       []*evAcc           // per worker
	tals      []*challenge.Tally // per worker
	spds      []map[speedCell]map[float64]int64
}

// measureCarriers reads the selected measurement partitions in one pass
// (one ScanMeasurementsParallel) and returns what it gathered per carrier
// (the parts' carrier), sorted by carrier. Each batch comes from one part,
// so from one carrier; a batch that mixes carriers is an error.
func measureCarriers(ctx context.Context, s Store, opt MeasureOptions) (map[string]*Measured, error) {
	cfg := opt.Aggregate.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ccfg := opt.Challenge
	ccfg.Res = cfg.Resolution
	if _, err := challenge.NewTally(ccfg); err != nil {
		return nil, err
	}
	workers := opt.Aggregate.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, err := newGatherer(opt)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	passes := map[string]*carrierPass{}
	pass := func(c string) (*carrierPass, error) {
		mu.Lock()
		defer mu.Unlock()
		if p := passes[c]; p != nil {
			return p, nil
		}
		grp, err := aggregate.NewGroup(cfg, workers)
		if err != nil {
			return nil, err
		}
		nc, err := aggregate.NewGroup(cfg, workers)
		if err != nil {
			return nil, err
		}
		p := &carrierPass{group: grp, prods: make([]*aggregate.Producer, workers), evs: make([]*evAcc, workers), tals: make([]*challenge.Tally, workers),
			spds: make([]map[speedCell]map[float64]int64, workers), notChosen: nc, ncProds: make([]*aggregate.Producer, workers)}
		for w := range workers {
			p.spds[w] = map[speedCell]map[float64]int64{}
			p.prods[w] = grp.NewProducer()
			p.ncProds[w] = nc.NewProducer()
			p.evs[w] = newEvAcc(engine.Carrier(c), len(opt.Villages))
			p.tals[w], _ = challenge.NewTally(ccfg)
		}
		passes[c] = p
		return p, nil
	}
	type scratch struct {
		fine   []hexgrid.Cell
		nc     engine.MeasurementBatch // the batch's rows of technologies not chosen
		ncFine []hexgrid.Cell
		gs     gatherScratch
		last   string
		p      *carrierPass
		speeds *speedCounter
	}
	scs := make([]scratch, workers)
	areas := newSpeedAreas(opt.SpeedAreas)
	for w := range scs {
		scs[w].speeds = newSpeedCounter(areas)
	}
	res := cfg.Resolution + 1
	var rows atomic.Int64
	err = s.ScanMeasurementsParallel(ctx, opt.Aggregate.Periods, opt.Aggregate.Carriers, workers, func(w int, b *engine.MeasurementBatch) error {
		n := b.Len()
		if n == 0 {
			return nil
		}
		sc := &scs[w]
		c := string(b.Carrier[0])
		for _, x := range b.Carrier {
			if string(x) != c {
				return fmt.Errorf("pipeline: a row group holds carriers %q and %q: parts are per carrier", c, x)
			}
		}
		if sc.p == nil || sc.last != c {
			p, err := pass(c)
			if err != nil {
				return err
			}
			sc.p, sc.last = p, c
		}
		sc.fine = slices.Grow(sc.fine[:0], n)[:n]
		if err := hexgrid.IndexInto(sc.fine, b.Lon, b.Lat, res); err != nil {
			return fmt.Errorf("pipeline: index: %w", err)
		}
		if err := sc.p.prods[w].Add(b, sc.fine); err != nil {
			return err
		}
		if nb, nf := notChosenRows(b, sc.fine, &sc.nc, &sc.ncFine); nb != nil {
			if err := sc.p.ncProds[w].Add(nb, nf); err != nil {
				return err
			}
		}
		if err := g.add(sc.p.evs[w], &sc.gs, b); err != nil {
			return err
		}
		if err := sc.speeds.add(sc.p.spds[w], b); err != nil {
			return err
		}
		tl := sc.p.tals[w]
		for i := 0; i < n; i++ {
			tl.Add(challenge.Test{TimeUnixMs: b.TimeUnixMs[i], Carrier: b.Carrier[i], Tech: b.Tech[i], SignalDBm: b.SignalDBm[i],
				Service: b.Service[i], Environment: b.Environment[i]}, sc.fine[i])
		}
		if r := rows.Add(int64(n)); opt.Aggregate.Progress != nil {
			opt.Aggregate.Progress(r)
		}
		return nil
	}, arrowio.WithColumns(measureColumns...))
	clear(scs) // each worker's last pass and buffers
	out := map[string]*Measured{}
	anchors := anchorsKey(opt.Villages, opt.Reach)
	for _, c := range slices.Sorted(maps.Keys(passes)) {
		p := passes[c]
		a, cerr := p.group.Close()
		if err == nil {
			err = cerr
		}
		nc, ncerr := p.notChosen.Close()
		if err == nil {
			err = ncerr
		}
		if err != nil {
			continue
		}
		// Each worker's sums are released once added, and the carrier's
		// pass once its readings are a slice: at a national month's size
		// the maps are gigabytes, and the next carrier's merge should not
		// find them still held.
		ev := p.evs[0]
		tl := p.tals[0]
		for w := 1; w < workers; w++ {
			ev.merge(p.evs[w])
			tl.Merge(p.tals[w])
			mergeSpeeds(p.spds[0], p.spds[w])
			p.evs[w], p.tals[w], p.spds[w] = nil, nil, nil
		}
		out[c] = &Measured{Rows: a.Rows(), NotChosen: nc.Rows(), Skipped: a.Skipped(), RowsRead: ev.rowsRead, Tally: tl, ev: ev.evidence(), anchors: anchors,
			speeds: p.spds[0]}
		delete(passes, c)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Measure makes one pass over the selected measurements and returns the
// per-key statistics, the radio map's readings near opt.Villages and
// opt.Reach, and the challenge tally (see Measured).
func Measure(ctx context.Context, s Store, opt MeasureOptions) (*Measured, error) {
	per, err := measureCarriers(ctx, s, opt)
	if err != nil {
		return nil, err
	}
	ccfg := opt.Challenge
	ccfg.Res = opt.Aggregate.Config.Resolution
	return mergeMeasured(per, len(opt.Villages), anchorsKey(opt.Villages, opt.Reach), ccfg)
}

// mergeMeasured merges the passes of disjoint carriers: their keys are
// disjoint, so rows are concatenated and sorted, readings and tallies
// added, nearby counts added and nearest distances taken at their minimum.
// It consumes per: each carrier's rows and readings are released once
// merged, so that the merge does not hold two copies of the month.
func mergeMeasured(per map[string]*Measured, villages int, anchors string, ccfg challenge.Config) (*Measured, error) {
	tl, err := challenge.NewTally(ccfg)
	if err != nil {
		return nil, err
	}
	var nrows int
	for _, m := range per {
		nrows += len(m.Rows)
	}
	out := &Measured{Tally: tl, anchors: anchors, Rows: make([]aggregate.Row, 0, nrows), speeds: map[speedCell]map[float64]int64{}}
	acc := newEvAcc("", villages)
	evOut := acc.evidence()
	runs := make([][]evReading, 0, len(per))
	rowRuns := make([][]aggregate.Row, 0, len(per))
	ncRuns := make([][]aggregate.Row, 0, len(per))
	for _, c := range slices.Sorted(maps.Keys(per)) {
		m := per[c]
		if m.anchors != anchors {
			return nil, fmt.Errorf("pipeline: the measurements of %s were gathered for other villages or populated hexes", c)
		}
		rowRuns = append(rowRuns, m.Rows)
		ncRuns = append(ncRuns, m.NotChosen)
		out.Skipped.NoCell += m.Skipped.NoCell
		out.Skipped.NoTech += m.Skipped.NoTech
		out.Skipped.NoCarrier += m.Skipped.NoCarrier
		out.RowsRead += m.RowsRead
		tl.Merge(m.Tally)
		ev := m.ev
		evOut.rowsRead += ev.rowsRead
		evOut.rowsNear += ev.rowsNear
		runs = append(runs, ev.readings) // keys hold the carrier: disjoint
		if len(ev.nearby) != villages {
			return nil, fmt.Errorf("pipeline: the measurements of %s counted %d villages, want %d", c, len(ev.nearby), villages)
		}
		for i := range ev.nearby {
			nb := &evOut.nearby[i]
			nb.Tests += ev.nearby[i].Tests
			nb.NoService += ev.nearby[i].NoService
			nb.NearestTestM = min(nb.NearestTestM, ev.nearby[i].NearestTestM)
			for k, e := range ev.near[i] {
				if evOut.near[i] == nil {
					evOut.near[i] = map[deadzone.Key]*nearSum{}
				}
				evOut.near[i][k] = e
			}
		}
		mergeSpeeds(out.speeds, m.speeds)
		m.Rows, m.NotChosen, m.ev, m.Tally, m.speeds = nil, nil, nil, nil, nil
	}
	// Each carrier's rows are sorted by cell and technology (Aggregator.
	// Rows): merged by cell, the earlier carrier's first at a cell, they
	// are sorted by cell, carrier and technology without sorting the
	// whole (and copied once).
	cmpRow := func(a, b aggregate.Row) int {
		return cmp.Or(cmp.Compare(a.Cell, b.Cell), cmp.Compare(a.Carrier, b.Carrier), cmp.Compare(a.Tech, b.Tech))
	}
	out.Rows = mergeCarrierRuns(out.Rows, rowRuns, cmpRow, func(r *aggregate.Row) engine.Carrier { return r.Carrier },
		func(a, b *aggregate.Row) bool { return a.Cell < b.Cell })
	clear(rowRuns)
	out.NotChosen = mergeCarrierRuns(nil, ncRuns, cmpRow, func(r *aggregate.Row) engine.Carrier { return r.Carrier },
		func(a, b *aggregate.Row) bool { return a.Cell < b.Cell })
	evOut.readings = mergeReadings(runs)
	out.ev = evOut
	return out, nil
}

// anchorsKey identifies the villages and reach cells readings were
// gathered for.
func anchorsKey(villages []deadzone.Village, reach map[hexgrid.Cell]bool) string {
	h := sha256.New()
	for _, v := range villages {
		fmt.Fprintf(h, "%q %q %x %x\n", v.ID, v.CommuneCode, math.Float64bits(v.Lon), math.Float64bits(v.Lat))
	}
	cells := make([]hexgrid.Cell, 0, len(reach))
	for c, ok := range reach {
		if ok {
			cells = append(cells, c)
		}
	}
	slices.Sort(cells)
	for _, c := range cells {
		fmt.Fprintf(h, "%x\n", uint64(c))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cmpReading orders readings by cell, hex, carrier, technology and kind
// (upper, indoor, scanner, fallback).
func cmpReading(ra, rb evReading) int {
	a, b := &ra, &rb
	switch {
	case a.cell != b.cell:
		return cmp.Compare(a.cell, b.cell)
	case a.hex != b.hex:
		return cmp.Compare(a.hex, b.hex)
	case a.carrier != b.carrier:
		return cmp.Compare(string(a.carrier), string(b.carrier))
	case a.tech != b.tech:
		return int(a.tech) - int(b.tech)
	}
	return cmp.Compare(a.kind, b.kind) // upper, indoor, scanner, fallback (evKind)
}

// mergeReadings merges runs of readings, each sorted by cmpReading and
// their keys disjoint (one carrier each), into one sorted slice: what
// sorting their concatenation gives, with a few comparisons per reading
// instead of a whole sort's.
func mergeReadings(runs [][]evReading) []evReading {
	n := 0
	for _, r := range runs {
		n += len(r)
	}
	return mergeCarrierRuns(make([]evReading, 0, n), runs, cmpReading, func(r *evReading) engine.Carrier { return r.carrier },
		func(a, b *evReading) bool { return a.cell < b.cell || a.cell == b.cell && a.hex < b.hex })
}

// mergeCarrierRuns appends to out the elements of runs sorted by cmp: by
// merging them by before, the keys cmp orders by ahead of the carrier,
// when carrierRuns says that gives cmp's order, else by sorting them all.
func mergeCarrierRuns[T any](out []T, runs [][]T, cmp func(a, b T) int, carrierOf func(*T) engine.Carrier, before func(a, b *T) bool) []T {
	// Room for them all at once: appended one by one into a slice
	// without it, a country's rows were copied over and over as it grew.
	n := 0
	for _, r := range runs {
		n += len(r)
	}
	out = slices.Grow(out, n)
	if rs, ok := carrierRuns(runs, cmp, carrierOf); ok {
		return mergeRuns(out, rs, before)
	}
	k := len(out)
	for _, r := range runs {
		out = append(out, r...)
	}
	slices.SortFunc(out[k:], cmp)
	return out
}

// carrierRuns returns the non-empty runs in their carriers' order, and
// whether each is sorted by cmp (strictly) and holds one carrier, no two
// runs the same. Then, cmp ordering by some keys, then the carrier, then
// others, merging the runs by the keys before the carrier (mergeRuns,
// the earlier run first on a tie) gives what sorting them all by cmp
// gives.
func carrierRuns[T any](runs [][]T, cmp func(a, b T) int, carrierOf func(*T) engine.Carrier) ([][]T, bool) {
	rs := make([][]T, 0, len(runs))
	for _, r := range runs {
		if len(r) > 0 {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b []T) int { return strings.Compare(string(carrierOf(&a[0])), string(carrierOf(&b[0]))) })
	for j := 1; j < len(rs); j++ {
		if carrierOf(&rs[j-1][0]) == carrierOf(&rs[j][0]) {
			return nil, false
		}
	}
	n := 0
	for _, r := range rs {
		n += len(r)
	}
	if n < mergeSpan {
		for _, r := range rs {
			if !carrierRun(r, cmp, carrierOf) {
				return nil, false
			}
		}
		return rs, true
	}
	// Long runs checked beside each other.
	bad := make([]bool, len(rs))
	parallel.For(len(rs), 0, func(j int) { bad[j] = !carrierRun(rs[j], cmp, carrierOf) })
	if slices.Contains(bad, true) {
		return nil, false
	}
	return rs, true
}

// carrierRun reports whether run r (not empty) holds one carrier and is
// sorted by cmp, strictly.
func carrierRun[T any](r []T, cmp func(a, b T) int, carrierOf func(*T) engine.Carrier) bool {
	c := carrierOf(&r[0])
	for i := 1; i < len(r); i++ {
		if carrierOf(&r[i]) != c || cmp(r[i-1], r[i]) >= 0 {
			return false
		}
	}
	return true
}

// mergeRuns appends to out the elements of runs, each sorted by before (a
// strict order), merged by it: on a tie the earlier run's element first.
//
// Beyond mergeSpan elements the merge is cut into a part per core at
// pivots drawn from the longest run: part w takes from each run the
// elements not before pivot w and before pivot w+1, and lands at the
// place the elements before it fill. Every element of part w is before
// every element of a later part or tied with it in an earlier run's
// order kept within the part, so the parts laid end to end are the whole
// merge.
func mergeRuns[T any](out []T, runs [][]T, before func(a, b *T) bool) []T {
	n, long := 0, 0
	for i, r := range runs {
		n += len(r)
		if len(r) > len(runs[long]) {
			long = i
		}
	}
	k := len(out)
	out = slices.Grow(out, n)[:k+n]
	parts := min(runtime.GOMAXPROCS(0), n/mergeSpan)
	if parts <= 1 {
		mergeInto(out[k:], runs, before)
		return out
	}
	// cut[w][i] is where part w starts in run i.
	cut := make([][]int, parts+1)
	cut[0] = make([]int, len(runs))
	cut[parts] = make([]int, len(runs))
	for i, r := range runs {
		cut[parts][i] = len(r)
	}
	for w := 1; w < parts; w++ {
		pivot := runs[long][w*len(runs[long])/parts]
		cut[w] = make([]int, len(runs))
		for i, r := range runs {
			cut[w][i] = sort.Search(len(r), func(j int) bool { return !before(&r[j], &pivot) })
		}
	}
	parallel.For(parts, parts, func(w int) {
		sub := make([][]T, len(runs))
		at := k
		for i, r := range runs {
			sub[i] = r[cut[w][i]:cut[w+1][i]]
			at += cut[w][i]
		}
		mergeInto(out[at:], sub, before)
	})
	return out
}

// mergeSpan is the fewest elements mergeRuns gives a core of its own.
var mergeSpan = 1 << 16 // a variable for the tests

// mergeInto writes the elements of runs, merged as mergeRuns merges them,
// to dst from its start.
func mergeInto[T any](dst []T, runs [][]T, before func(a, b *T) bool) {
	at := make([]int, len(runs))
	for o := 0; ; o++ {
		best := -1
		for i, r := range runs {
			if at[i] < len(r) && (best < 0 || before(&r[at[i]], &runs[best][at[best]])) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		dst[o] = runs[best][at[best]]
		at[best]++
	}
}
