package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Record codecs: the saved stages' largest slices (coverage states,
// predictions, statistics rows, the site register, the dead-zone
// evidence's readings) are written chunk by
// chunk as gob byte strings holding a plain binary encoding of their
// elements, instead of gob's own encoding of the structs. gob decodes a
// struct field by field through reflection and allocates every string;
// these decode a million coverage states about ten times faster, share
// repeated strings (carriers, serving sites) as they read them, and skip
// a chunk they need not read without decoding its elements.
//
// A chunk is uvarint(count) then count elements; within an element,
// integers are varints (zig-zag for signed), floats and cells 8 bytes
// little-endian (bits, so NaN and −0 come back as they were), enums one
// byte, strings uvarint(length) then bytes. Fields are written in
// declaration order; TestRecordCodecsRoundTrip fills every field of each
// type by reflection, so a field added to one of them without its codec
// fails it.

// recWriter appends elements to a chunk.
type recWriter struct{ b []byte }

func (w *recWriter) u64(x uint64)  { w.b = binary.AppendUvarint(w.b, x) }
func (w *recWriter) i64(x int64)   { w.b = binary.AppendVarint(w.b, x) }
func (w *recWriter) u8(x uint8)    { w.b = append(w.b, x) }
func (w *recWriter) f64(x float64) { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(x)) }
func (w *recWriter) cell(c hexgrid.Cell) {
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(c))
}
func (w *recWriter) str(s string) {
	w.u64(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *recWriter) bool(v bool) {
	if v {
		w.u8(1)
	} else {
		w.u8(0)
	}
}

// errBadRecord marks a chunk that ends early or holds an impossible
// value; the saved output is then rebuilt, as any that does not decode.
var errBadRecord = errors.New("corrupt record chunk")

// recReader reads elements from a chunk; the first error sticks and
// every later read returns zero values.
type recReader struct {
	b    []byte
	err  error
	strs *interner
}

func (r *recReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errBadRecord, what)
	}
	r.b = nil
}

func (r *recReader) u64() uint64 {
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("unsigned integer")
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *recReader) i64() int64 {
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("integer")
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *recReader) int() int {
	x := r.i64()
	if int64(int(x)) != x {
		r.fail("integer out of range")
		return 0
	}
	return int(x)
}

func (r *recReader) u8() uint8 {
	if len(r.b) < 1 {
		r.fail("byte")
		return 0
	}
	x := r.b[0]
	r.b = r.b[1:]
	return x
}

func (r *recReader) bool() bool {
	switch r.u8() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("boolean")
	return false
}

func (r *recReader) fixed64() uint64 {
	if len(r.b) < 8 {
		r.fail("fixed 64-bit value")
		return 0
	}
	x := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return x
}

func (r *recReader) f64() float64       { return math.Float64frombits(r.fixed64()) }
func (r *recReader) cell() hexgrid.Cell { return hexgrid.Cell(r.fixed64()) }

// bytes returns the next string's bytes (aliasing the chunk).
func (r *recReader) bytes() []byte {
	n := r.u64()
	if n > uint64(len(r.b)) {
		r.fail("string")
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// str reads a string of its own (an identifier unique to its element).
func (r *recReader) str() string { return string(r.bytes()) }

// istr reads a string shared through the reader's interner (carriers,
// serving sites: a few values repeated over many elements).
func (r *recReader) istr() string { return r.strs.ofBytes(r.bytes()) }

func (r *recReader) carrier() engine.Carrier { return engine.Carrier(r.istr()) }

// recCodec writes and reads elements of T.
type recCodec[T any] struct {
	put func(*recWriter, *T)
	get func(*recReader, *T)
}

var (
	stateCodec     = recCodec[coverage.State]{putState, getState}
	predictedCodec = recCodec[coverage.PredictedCell]{putPredicted, getPredicted}
	rowCodec       = recCodec[aggregate.Row]{putRow, getRow}
	siteCodec      = recCodec[engine.Site]{putSite, getSite}
	readingCodec   = recCodec[evReading]{putReading, getReading}
)

// codecOf returns T's record codec, nil for types saved by gob.
func codecOf[T any]() *recCodec[T] {
	var z T
	var c any
	switch any(z).(type) {
	case coverage.State:
		c = &stateCodec
	case coverage.PredictedCell:
		c = &predictedCodec
	case aggregate.Row:
		c = &rowCodec
	case engine.Site:
		c = &siteCodec
	case evReading:
		c = &readingCodec
	default:
		return nil
	}
	return c.(*recCodec[T])
}

func putState(w *recWriter, s *coverage.State) {
	w.cell(s.Cell)
	w.str(string(s.Carrier))
	w.u8(uint8(s.Tech))
	w.u8(uint8(s.State))
	w.u8(uint8(s.Source))
	w.i64(s.Tests)
	w.i64(s.Failures)
	w.f64(s.ShareBelow)
	w.f64(s.PValue)
	w.f64(s.MedianDBm)
	w.f64(s.PredictedDBm)
	w.f64(s.SigmaDB)
	w.f64(s.MarginDB)
	w.f64(s.DistanceM)
	w.str(s.ServingSite)
}

func getState(r *recReader, s *coverage.State) {
	s.Cell = r.cell()
	s.Carrier = r.carrier()
	s.Tech = engine.Tech(r.u8())
	s.State = coverage.Level(r.u8())
	s.Source = coverage.Source(r.u8())
	s.Tests = r.i64()
	s.Failures = r.i64()
	s.ShareBelow = r.f64()
	s.PValue = r.f64()
	s.MedianDBm = r.f64()
	s.PredictedDBm = r.f64()
	s.SigmaDB = r.f64()
	s.MarginDB = r.f64()
	s.DistanceM = r.f64()
	s.ServingSite = r.istr()
}

func putPredicted(w *recWriter, p *coverage.PredictedCell) {
	w.cell(p.Cell)
	w.str(string(p.Carrier))
	w.u8(uint8(p.Tech))
	w.f64(p.SignalDBm)
	w.f64(p.SigmaDB)
	w.str(p.ServingSite)
	w.f64(p.DistanceM)
}

func getPredicted(r *recReader, p *coverage.PredictedCell) {
	p.Cell = r.cell()
	p.Carrier = r.carrier()
	p.Tech = engine.Tech(r.u8())
	p.SignalDBm = r.f64()
	p.SigmaDB = r.f64()
	p.ServingSite = r.istr()
	p.DistanceM = r.f64()
}

func putCounts(w *recWriter, c *aggregate.Counts) {
	w.i64(c.Rows)
	w.i64(c.Tests)
	w.i64(c.Covered)
	w.i64(c.BelowNoService)
	w.i64(c.NoServiceRows)
}

func getCounts(r *recReader, c *aggregate.Counts) {
	c.Rows = r.i64()
	c.Tests = r.i64()
	c.Covered = r.i64()
	c.BelowNoService = r.i64()
	c.NoServiceRows = r.i64()
}

func putSignal(w *recWriter, s *aggregate.SignalStats) {
	w.i64(s.N)
	w.f64(s.MinDBm)
	w.f64(s.MaxDBm)
	w.f64(s.MeanDBm)
	w.f64(s.P10DBm)
	w.f64(s.P50DBm)
	w.f64(s.P90DBm)
	w.i64(int64(s.LoDBm))
	w.u64(uint64(len(s.Hist)))
	for _, h := range s.Hist {
		w.u64(uint64(h))
	}
}

// maxHistBins bounds a decoded histogram (the signal range of any
// technology spans a few hundred 1-dB bins).
const maxHistBins = 1 << 12

func getSignal(r *recReader, s *aggregate.SignalStats) {
	s.N = r.i64()
	s.MinDBm = r.f64()
	s.MaxDBm = r.f64()
	s.MeanDBm = r.f64()
	s.P10DBm = r.f64()
	s.P50DBm = r.f64()
	s.P90DBm = r.f64()
	s.LoDBm = r.int()
	n := r.u64()
	if n > maxHistBins || n > uint64(len(r.b)) {
		r.fail("histogram length")
		return
	}
	s.Hist = nil // as gob leaves an empty histogram
	if n > 0 {
		s.Hist = make([]uint32, n)
		for i := range s.Hist {
			x := r.u64()
			if x > math.MaxUint32 {
				r.fail("histogram count")
				return
			}
			s.Hist[i] = uint32(x)
		}
	}
}

func putRate(w *recWriter, s *aggregate.RateStats) {
	w.i64(s.N)
	w.f64(s.P10Mbps)
	w.f64(s.MedianMbps)
	w.f64(s.P90Mbps)
}

func getRate(r *recReader, s *aggregate.RateStats) {
	s.N = r.i64()
	s.P10Mbps = r.f64()
	s.MedianMbps = r.f64()
	s.P90Mbps = r.f64()
}

func putRow(w *recWriter, x *aggregate.Row) {
	w.cell(x.Cell)
	w.str(string(x.Carrier))
	w.u8(uint8(x.Tech))
	putCounts(w, &x.All)
	putCounts(w, &x.Outdoor)
	putCounts(w, &x.Indoor)
	putSignal(w, &x.Signal)
	putSignal(w, &x.OutdoorSignal)
	putRate(w, &x.DL)
	putRate(w, &x.UL)
	w.i64(x.Devices)
	w.bool(x.DevicesExact)
	w.i64(x.FirstUnixMs)
	w.i64(x.LastUnixMs)
	w.i64(int64(x.Windows))
	w.u8(x.Children)
}

func getRow(r *recReader, x *aggregate.Row) {
	x.Cell = r.cell()
	x.Carrier = r.carrier()
	x.Tech = engine.Tech(r.u8())
	getCounts(r, &x.All)
	getCounts(r, &x.Outdoor)
	getCounts(r, &x.Indoor)
	getSignal(r, &x.Signal)
	getSignal(r, &x.OutdoorSignal)
	getRate(r, &x.DL)
	getRate(r, &x.UL)
	x.Devices = r.i64()
	x.DevicesExact = r.bool()
	x.FirstUnixMs = r.i64()
	x.LastUnixMs = r.i64()
	x.Windows = r.int()
	x.Children = r.u8()
}

func putSite(w *recWriter, s *engine.Site) {
	w.str(s.SiteID)
	w.str(string(s.Carrier))
	w.u8(uint8(s.Tech))
	w.f64(s.Lon)
	w.f64(s.Lat)
	w.f64(s.BandMHz)
	w.f64(s.HeightM)
	w.f64(s.AzimuthDeg)
	w.f64(s.BeamwidthDeg)
	w.f64(s.TiltDeg)
	w.f64(s.EIRPDBm)
	w.u8(uint8(s.Status))
	w.u8(uint8(s.Backhaul))
	w.bool(s.Cell != nil)
	if c := s.Cell; c != nil {
		w.str(c.CellID)
		w.str(c.NodeID)
		w.str(c.Band)
		w.i64(int64(c.PCI))
		w.i64(int64(c.ARFCN))
	}
}

func getSite(r *recReader, s *engine.Site) {
	s.SiteID = r.str()
	s.Carrier = r.carrier()
	s.Tech = engine.Tech(r.u8())
	s.Lon = r.f64()
	s.Lat = r.f64()
	s.BandMHz = r.f64()
	s.HeightM = r.f64()
	s.AzimuthDeg = r.f64()
	s.BeamwidthDeg = r.f64()
	s.TiltDeg = r.f64()
	s.EIRPDBm = r.f64()
	s.Status = engine.SiteStatus(r.u8())
	s.Backhaul = engine.Backhaul(r.u8())
	s.Cell = nil
	if r.bool() {
		c := &engine.ServingCell{CellID: r.str(), NodeID: r.str(), Band: r.istr()}
		pci, arfcn := r.i64(), r.i64()
		if int64(int32(pci)) != pci || int64(int32(arfcn)) != arfcn {
			r.fail("serving cell number out of range")
			return
		}
		c.PCI, c.ARFCN = int32(pci), int32(arfcn)
		s.Cell = c
	}
}

// putReading and getReading write and read a reading as the fields of
// readingState, in its order: the saved form is readingState's.
func putReading(w *recWriter, x *evReading) {
	w.cell(x.cell)
	w.cell(x.hex)
	w.str(string(x.carrier))
	w.u8(uint8(x.tech))
	w.bool(x.upper())
	w.bool(x.indoor())
	w.bool(x.scanner())
	w.bool(x.fallback())
	w.i64(int64(x.n))
	w.f64(x.sum)
}

func getReading(r *recReader, x *evReading) {
	x.cell = r.cell()
	x.hex = r.cell()
	x.carrier = r.carrier()
	x.tech = engine.Tech(r.u8())
	upper, indoor, scanner, fallback := r.bool(), r.bool(), r.bool(), r.bool()
	x.kind = kindOf(upper, indoor, scanner, fallback)
	n := r.i64()
	if int64(int32(n)) != n {
		r.fail("reading count out of range")
		return
	}
	x.n = int32(n)
	x.sum = r.f64()
}
