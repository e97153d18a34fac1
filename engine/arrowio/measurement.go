package arrowio

import (
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/internal/contract"
)

var measurementFields = [contract.MeasCount]field{
	contract.MeasTS:          {name: "ts", kind: kindTimeMs},
	contract.MeasCarrier:     {name: "carrier", kind: kindString, enum: true},
	contract.MeasTech:        {name: "tech", kind: kindStringNull, enum: true},
	contract.MeasLon:         {name: "lon", kind: kindFloat64},
	contract.MeasLat:         {name: "lat", kind: kindFloat64},
	contract.MeasSignal:      {name: "signal_dbm", kind: kindFloat64},
	contract.MeasService:     {name: "service", kind: kindString, enum: true},
	contract.MeasRSRQ:        {name: "rsrq_db", kind: kindFloat64},
	contract.MeasSINR:        {name: "sinr_db", kind: kindFloat64},
	contract.MeasDL:          {name: "dl_mbps", kind: kindFloat64},
	contract.MeasUL:          {name: "ul_mbps", kind: kindFloat64},
	contract.MeasLatency:     {name: "latency_ms", kind: kindFloat64},
	contract.MeasSource:      {name: "source", kind: kindStringNull, enum: true},
	contract.MeasDeviceID:    {name: "device_id", kind: kindStringNull, plain: true},
	contract.MeasDeviceClass: {name: "device_class", kind: kindStringNull, enum: true},
	contract.MeasEnvironment: {name: "environment", kind: kindStringNull, enum: true},
	contract.MeasSpeedTest:   {name: "speed_test", kind: kindStringNull, enum: true},
	contract.MeasCellID:      {name: "cell_id", kind: kindStringNull, plain: true},
	contract.MeasNodeID:      {name: "node_id", kind: kindStringNull, plain: true},
	contract.MeasPCI:         {name: "pci", kind: kindFloat64},
	contract.MeasARFCN:       {name: "arfcn", kind: kindFloat64},
	contract.MeasBand:        {name: "band", kind: kindStringNull, plain: true},
}

// MeasurementColumns returns the column names of a measurement store file,
// in file order.
func MeasurementColumns() []string {
	out := make([]string, contract.MeasCount)
	for i, f := range measurementFields {
		out[i] = f.name
	}
	return out
}

// Enum spellings as written; index = enum value. An empty spelling is
// written as null.
var (
	techNames = []string{"", "2G", "3G", "4G", "5G"}
	enumNames = [contract.MeasCount][]string{
		contract.MeasTech:        techNames,
		contract.MeasService:     names(engine.ServiceOK, engine.ServiceEmergency),
		contract.MeasSource:      names(engine.SourceUnknown, engine.SourceSpeedtest),
		contract.MeasDeviceClass: names(engine.DeviceUnknown, engine.DeviceScanner),
		contract.MeasEnvironment: names(engine.EnvUnknown, engine.EnvIndoor),
		contract.MeasSpeedTest:   {"", "no"}, // the contract's speed_test: null = yes
	}
)

func names[E interface {
	~uint8
	String() string
}](lo, hi E) []string {
	var out []string
	for e := lo; e <= hi; e++ {
		out = append(out, e.String())
	}
	return out
}

// MeasurementWriter writes measurement batches to a Parquet store file.
// It holds at most one compressed row group in memory. It is not safe for
// concurrent use.
type MeasurementWriter struct {
	p     *pqWriter
	rows  int64
	err   error
	enums [contract.MeasCount]*enumColumn

	carriers    []string         // carrier dictionary, in index order
	carrierIdx  map[string]int32 // index of carriers
	carrierDict arrow.Array      // carriers as an arrow array, when current
	speed       []engine.SpeedKind
	blank       []string  // "" per row, for a batch without serving-cell columns
	num         []float64 // PCI or ARFCN as written (NaN when absent)
}

// writeServing writes the serving-cell columns (nulls for a batch that
// has none). PCI and ARFCN are stored as DOUBLE so that absent is null.
func (mw *MeasurementWriter) writeServing(b *engine.MeasurementBatch, lo, hi int) error {
	p := mw.p
	if !b.HasServing() {
		for len(mw.blank) < hi-lo {
			mw.blank = append(mw.blank, "")
		}
		mw.num = mw.num[:0]
		for i := lo; i < hi; i++ {
			mw.num = append(mw.num, nan)
		}
		for _, c := range []int{contract.MeasCellID, contract.MeasNodeID, contract.MeasBand} {
			if err := stringsTo(p, c, mw.blank[:hi-lo]); err != nil {
				return err
			}
		}
		if err := p.float64s(contract.MeasPCI, mw.num); err != nil {
			return err
		}
		return p.float64s(contract.MeasARFCN, mw.num)
	}
	for _, c := range []struct {
		col int
		v   []string
	}{{contract.MeasCellID, b.CellID}, {contract.MeasNodeID, b.NodeID}, {contract.MeasBand, b.Band}} {
		if err := stringsTo(p, c.col, c.v[lo:hi]); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		col int
		v   []int32
	}{{contract.MeasPCI, b.PCI}, {contract.MeasARFCN, b.ARFCN}} {
		mw.num = mw.num[:0]
		for _, x := range c.v[lo:hi] {
			f := float64(x)
			if x < 0 {
				f = nan
			}
			mw.num = append(mw.num, f)
		}
		if err := p.float64s(c.col, mw.num); err != nil {
			return err
		}
	}
	return nil
}

// maxCarriers bounds the carrier dictionary; a file with more distinct
// carriers writes the rest without a dictionary.
const maxCarriers = 1024

// NewMeasurementWriter starts a measurement store file on w. Options:
// WithCodec, WithRowGroupRows, WithMetadata. Close must be called to write
// the footer; it does not close w.
func NewMeasurementWriter(w io.Writer, opts ...Option) (*MeasurementWriter, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	p, err := newPQWriter(w, measurementFields[:], cfg)
	if err != nil {
		return nil, err
	}
	mw := &MeasurementWriter{p: p, carrierIdx: make(map[string]int32)}
	for i, nm := range enumNames {
		if nm != nil {
			mw.enums[i] = newEnumColumn(nm)
		}
	}
	return mw, nil
}

// Rows returns the number of rows written so far.
func (mw *MeasurementWriter) Rows() int64 { return mw.rows }

// Write appends the rows of b. Every column of b must have b.Len() values and
// every enum a defined value; otherwise nothing of b is written and the
// error wraps engine.ErrInvalidValue. After an I/O error the writer is
// unusable and returns that error.
func (mw *MeasurementWriter) Write(b *engine.MeasurementBatch) error {
	if mw.err != nil {
		return mw.err
	}
	if err := checkBatch(b); err != nil {
		return err
	}
	for off := 0; off < b.Len(); {
		n := min(mw.p.room(), b.Len()-off)
		if err := mw.writeRows(b, off, off+n); err != nil {
			mw.err = err
			return err
		}
		off += n
		mw.rows += int64(n)
		if err := mw.p.commit(n); err != nil {
			mw.err = err
			return err
		}
	}
	return nil
}

func (mw *MeasurementWriter) writeRows(b *engine.MeasurementBatch, lo, hi int) error {
	p := mw.p
	if err := p.int64s(contract.MeasTS, b.TimeUnixMs[lo:hi]); err != nil {
		return err
	}
	if err := mw.writeCarriers(b.Carrier[lo:hi]); err != nil {
		return err
	}
	for _, c := range []struct {
		col int
		v   []float64
	}{{contract.MeasLon, b.Lon}, {contract.MeasLat, b.Lat}, {contract.MeasSignal, b.SignalDBm}, {contract.MeasRSRQ, b.RSRQDB}, {contract.MeasSINR, b.SINRDB},
		{contract.MeasDL, b.DLMbps}, {contract.MeasUL, b.ULMbps}, {contract.MeasLatency, b.LatencyMs}} {
		if err := p.float64s(c.col, c.v[lo:hi]); err != nil {
			return err
		}
	}
	if err := writeEnumColumn(p, contract.MeasTech, mw.enums[contract.MeasTech], b.Tech[lo:hi]); err != nil {
		return err
	}
	if err := writeEnumColumn(p, contract.MeasService, mw.enums[contract.MeasService], b.Service[lo:hi]); err != nil {
		return err
	}
	if err := writeEnumColumn(p, contract.MeasSource, mw.enums[contract.MeasSource], b.Source[lo:hi]); err != nil {
		return err
	}
	if err := writeEnumColumn(p, contract.MeasDeviceClass, mw.enums[contract.MeasDeviceClass], b.DeviceClass[lo:hi]); err != nil {
		return err
	}
	if err := writeEnumColumn(p, contract.MeasEnvironment, mw.enums[contract.MeasEnvironment], b.Environment[lo:hi]); err != nil {
		return err
	}
	mw.speed = mw.speed[:0]
	for i := lo; i < hi; i++ {
		mw.speed = append(mw.speed, b.SpeedAt(i))
	}
	if err := writeEnumColumn(p, contract.MeasSpeedTest, mw.enums[contract.MeasSpeedTest], mw.speed); err != nil {
		return err
	}
	if err := mw.writeServing(b, lo, hi); err != nil {
		return err
	}
	return stringsTo(p, contract.MeasDeviceID, b.DeviceID[lo:hi])
}

// writeCarriers writes the carrier column as indices into the writer's
// carrier dictionary, which grows as carriers appear. A row group's
// dictionary is the one current at its first batch; a carrier first seen
// later in the row group turns the rest of that column chunk into plain
// values, and the next row group's dictionary includes it.
func (mw *MeasurementWriter) writeCarriers(c []engine.Carrier) error {
	p := mw.p
	p.idx = grow(p.idx, len(c))
	last := int32(-1)
	for j, s := range c {
		if last >= 0 && mw.carriers[last] == string(s) {
			p.idx[j] = last
			continue
		}
		k, ok := mw.carrierIdx[string(s)]
		if !ok {
			if len(mw.carriers) >= maxCarriers {
				return stringsTo(p, contract.MeasCarrier, c)
			}
			k = int32(len(mw.carriers))
			mw.carriers = append(mw.carriers, string(s))
			mw.carrierIdx[string(s)] = k
		}
		p.idx[j], last = k, k
	}
	if mw.carrierDict == nil || mw.carrierDict.Len() != len(mw.carriers) {
		mw.carrierDict = newDict(mw.carriers)
	}
	ok, err := p.dictIndices(contract.MeasCarrier, mw.carrierDict, p.idx, nil)
	if ok || err != nil {
		return err
	}
	return stringsTo(p, contract.MeasCarrier, c)
}

func checkBatch(b *engine.MeasurementBatch) error {
	n := b.Len()
	lens := [...]int{len(b.TimeUnixMs), len(b.Carrier), len(b.Tech), len(b.Lat), len(b.SignalDBm),
		len(b.Service), len(b.RSRQDB), len(b.SINRDB), len(b.DLMbps), len(b.ULMbps), len(b.LatencyMs),
		len(b.Source), len(b.DeviceID), len(b.DeviceClass), len(b.Environment)}
	for _, l := range lens {
		if l != n {
			return fmt.Errorf("arrowio: measurement batch columns have lengths %v and %d: %w", lens, n, engine.ErrInvalidValue)
		}
	}
	if err := checkEnum(contract.MeasTech, b.Tech); err != nil {
		return err
	}
	if err := checkEnum(contract.MeasService, b.Service); err != nil {
		return err
	}
	if err := checkEnum(contract.MeasSource, b.Source); err != nil {
		return err
	}
	if err := checkEnum(contract.MeasDeviceClass, b.DeviceClass); err != nil {
		return err
	}
	for _, l := range []int{len(b.CellID), len(b.NodeID), len(b.PCI), len(b.ARFCN), len(b.Band)} {
		if l != len(b.CellID) || l != 0 && l != n {
			return fmt.Errorf("arrowio: measurement batch serving-cell columns must all be empty or %d long: %w", n, engine.ErrInvalidValue)
		}
	}
	if len(b.Speed) > n {
		return fmt.Errorf("arrowio: measurement batch speed column has %d rows, more than %d: %w", len(b.Speed), n, engine.ErrInvalidValue)
	}
	if err := checkEnum(contract.MeasSpeedTest, b.Speed); err != nil {
		return err
	}
	return checkEnum(contract.MeasEnvironment, b.Environment)
}

func checkEnum[E ~uint8](col int, v []E) error {
	lim := E(len(enumNames[col]))
	for i, e := range v {
		if e >= lim {
			return fmt.Errorf("arrowio: row %d: %s value %d undefined: %w", i, measurementFields[col].name, e, engine.ErrInvalidValue)
		}
	}
	return nil
}

// Close flushes the last row group and writes the file footer.
func (mw *MeasurementWriter) Close() error {
	err := mw.p.close()
	if mw.err != nil {
		return mw.err
	}
	return err
}

// MeasurementReader streams a measurement store file in bounded batches
// into one reused engine.MeasurementBatch. It is not safe for concurrent use.
type MeasurementReader struct {
	f        fileReader
	src      io.ReaderAt
	size     int64
	cfg      config
	want     [contract.MeasCount]bool // columns to read
	col      [contract.MeasCount]int  // file column index, or -1 when not read
	batch    engine.MeasurementBatch
	buf      colBuf
	arena    []byte
	rgStart  []int64 // rgStart[i]: rows in row groups before i
	rg       int     // next row group
	rgEnd    int     // row groups from rgEnd on are not read
	rgLeft   int64   // rows left in the current row group
	pages    [contract.MeasCount]*pageColumn
	fast     [contract.MeasCount]bool // the current chunk of the column is read by pages[i]
	readers  [contract.MeasCount]any  // the library's column readers, for other chunks
	row      int64                    // file rows before the next batch
	err      error
	carrierT dictTable[engine.Carrier]
	techT    dictTable[engine.Tech]
	serviceT dictTable[engine.Service]
	sourceT  dictTable[engine.Source]
	deviceT  dictTable[engine.DeviceClass]
	envT     dictTable[engine.Environment]
	speedT   dictTable[engine.SpeedKind]
	idT      strTable
	cellT    strTable
	nodeT    strTable
	bandT    strTable
	f64      []float64

	carrier *lookup[engine.Carrier]
	tech    *lookup[engine.Tech]
	service *lookup[engine.Service]
	source  *lookup[engine.Source]
	device  *lookup[engine.DeviceClass]
	env     *lookup[engine.Environment]
	speed   *lookup[engine.SpeedKind]
}

// measurementRequired are the columns a store file must have.
var measurementRequired = [contract.MeasCount]bool{contract.MeasTS: true, contract.MeasCarrier: true, contract.MeasTech: true, contract.MeasLon: true, contract.MeasLat: true}

// NewMeasurementReader opens a measurement store file of size bytes on r.
// Options: WithBatchRows, WithColumns. Columns that are not read, and
// optional columns the file lacks, hold their absent value in every batch
// (NaN, "", zero enums). ts, carrier, tech, lon and lat must be present when
// read; otherwise the error wraps engine.ErrMissingColumn. The reader reads
// every row group; SetRowGroups restricts it to a range.
func NewMeasurementReader(r io.ReaderAt, size int64, opts ...Option) (*MeasurementReader, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	mr := &MeasurementReader{
		cfg:     cfg,
		carrier: newLookup(func(s string) (engine.Carrier, error) { return engine.Carrier(s), nil }),
		tech: newLookup(func(s string) (engine.Tech, error) {
			if s == "" {
				return engine.TechUnknown, nil
			}
			return engine.ParseTech(s)
		}),
		service: newLookup(engine.ParseService),
		source:  newLookup(engine.ParseSource),
		device:  newLookup(engine.ParseDeviceClass),
		env:     newLookup(engine.ParseEnvironment),
		speed:   newLookup(engine.ParseSpeedKind),
	}
	if cfg.columns == nil {
		for i := range mr.want {
			mr.want[i] = true
		}
	}
	mr.want[contract.MeasLon], mr.want[contract.MeasLat] = true, true
	for _, name := range cfg.columns {
		i := measurementIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("arrowio: no measurement column %q: %w", name, engine.ErrInvalidConfig)
		}
		mr.want[i] = true
	}
	if err := mr.Reset(r, size); err != nil {
		return nil, err
	}
	return mr, nil
}

// Reset makes the reader read another measurement file, of size bytes on
// r, from its first row group and with the options it was created with. It
// keeps the reader's buffers, so that one reader reads a sequence of files
// without allocating them again; strings of earlier batches stay valid. It
// fails as NewMeasurementReader does, and then leaves the reader empty
// (Next returns false, Err the error) until a Reset succeeds.
func (mr *MeasurementReader) Reset(r io.ReaderAt, size int64) error {
	mr.resize(0)
	mr.f, mr.src, mr.size = nil, r, size
	mr.rg, mr.rgEnd, mr.rgLeft, mr.row = 0, 0, 0, 0
	mr.rgStart = mr.rgStart[:0]
	mr.readers = [contract.MeasCount]any{}
	f, err := openParquet(r, size)
	if err != nil {
		mr.err = err
		return err
	}
	md := f.MetaData()
	sc := md.Schema
	for i, fd := range measurementFields {
		mr.col[i] = -1
		if !mr.want[i] {
			continue
		}
		pt := parquet.Types.ByteArray
		switch fd.kind {
		case kindTimeMs:
			pt = parquet.Types.Int64
		case kindFloat64:
			pt = parquet.Types.Double
		}
		c, err := leaf(sc, fd.name, pt)
		if err == nil && c < 0 && measurementRequired[i] {
			err = fmt.Errorf("arrowio: measurement file lacks column %q: %w", fd.name, engine.ErrMissingColumn)
		}
		if err != nil {
			mr.err = err
			return err
		}
		mr.col[i] = c
		if c >= 0 {
			if mr.pages[i] == nil {
				mr.pages[i] = &pageColumn{}
			}
			mr.pages[i].phys, mr.pages[i].maxDef = pt, sc.Column(c).MaxDefinitionLevel()
		}
	}
	n := f.NumRowGroups()
	mr.rgStart = append(mr.rgStart, 0)
	for i := 0; i < n; i++ {
		mr.rgStart = append(mr.rgStart, mr.rgStart[i]+md.RowGroup(i).NumRows())
	}
	mr.f, mr.rgEnd, mr.err = f, n, nil
	return nil
}

func measurementIndex(name string) int {
	for i, f := range measurementFields {
		if f.name == name {
			return i
		}
	}
	return -1
}

// NumRows returns the number of rows in the file, from its footer.
func (mr *MeasurementReader) NumRows() int64 {
	if mr.f == nil {
		return 0
	}
	return mr.f.NumRows()
}

// NumRowGroups returns the number of row groups in the file.
func (mr *MeasurementReader) NumRowGroups() int { return max(len(mr.rgStart)-1, 0) }

// SetRowGroups restricts the reader to row groups lo to hi-1 and places it
// before the first row of row group lo: the next call to Next reads from
// there, FirstRow keeps counting file rows, and Next returns false after
// row group hi-1. It may be called at any time, also after Next returned
// false, to read another range with the same reader. A range outside
// 0 ≤ lo ≤ hi ≤ NumRowGroups is an error wrapping engine.ErrInvalidConfig.
// An error met by Next stays: the reader remains unusable.
func (mr *MeasurementReader) SetRowGroups(lo, hi int) error {
	if lo < 0 || lo > hi || hi > mr.NumRowGroups() {
		return fmt.Errorf("arrowio: row groups [%d, %d) outside the file's %d: %w", lo, hi, mr.NumRowGroups(), engine.ErrInvalidConfig)
	}
	mr.rg, mr.rgEnd, mr.rgLeft = lo, hi, 0
	mr.row = mr.rgStart[lo]
	mr.resize(0)
	return nil
}

// Batch returns the current batch. It is owned by the reader, overwritten by
// the next call to Next, and must be treated as read-only: columns that are
// not read are filled once and reused. Its strings are never overwritten.
func (mr *MeasurementReader) Batch() *engine.MeasurementBatch { return &mr.batch }

// FirstRow returns the 1-based file row number of the current batch's first
// row.
func (mr *MeasurementReader) FirstRow() int64 { return mr.row - int64(mr.batch.Len()) + 1 }

// Err returns the first error met by Next.
func (mr *MeasurementReader) Err() error { return mr.err }

// Next reads the next batch of at most the batch size rows. A batch never
// spans two row groups. It returns false at the end of the file (or of the
// range set by SetRowGroups) or on error.
func (mr *MeasurementReader) Next() bool {
	if mr.err != nil {
		return false
	}
	for mr.rgLeft == 0 {
		if mr.rg >= mr.rgEnd {
			mr.resize(0)
			return false
		}
		if err := mr.openRowGroup(); err != nil {
			mr.err = err
			return false
		}
	}
	n := int(min(int64(mr.cfg.batchRows), mr.rgLeft))
	err := guard(func() error { return mr.read(n) })
	if err != nil {
		mr.err = fmt.Errorf("arrowio: measurement rows %d..%d: %w", mr.row+1, mr.row+int64(n), err)
		return false
	}
	mr.rgLeft -= int64(n)
	mr.row += int64(n)
	return true
}

func (mr *MeasurementReader) openRowGroup() error {
	return guard(func() error {
		i := mr.rg
		mr.rg++
		md := mr.f.MetaData()
		rgm := md.RowGroup(i)
		mr.rgLeft = rgm.NumRows()
		mr.row = mr.rgStart[i]
		if mr.rgLeft < 0 {
			return fmt.Errorf("arrowio: row group %d has %d rows: %w", i, mr.rgLeft, engine.ErrUnsupportedFormat)
		}
		var rg *file.RowGroupReader
		for j, c := range mr.col {
			if c < 0 {
				continue
			}
			cc, err := rgm.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("arrowio: row group %d, column %q: %w", i, measurementFields[j].name, err)
			}
			mr.fast[j] = fastChunk(md, cc)
			if mr.fast[j] {
				if err := mr.pages[j].open(mr.src, mr.size, cc); err != nil {
					return fmt.Errorf("arrowio: row group %d, column %q: %w", i, measurementFields[j].name, err)
				}
				continue
			}
			if rg == nil {
				rg = mr.f.RowGroup(i)
			}
			cr, err := rg.Column(c)
			if err != nil {
				return fmt.Errorf("arrowio: row group %d, column %q: %w", i, measurementFields[j].name, err)
			}
			mr.readers[j] = cr
		}
		return nil
	})
}

// resize sets every column of the batch to length n. Newly allocated
// columns are filled with absent values, which stay in place for columns
// that are not read.
func (mr *MeasurementReader) resize(n int) {
	b := &mr.batch
	if cap(b.Lon) < n {
		c := n
		*b = engine.MeasurementBatch{
			TimeUnixMs: make([]int64, c), Carrier: make([]engine.Carrier, c), Tech: make([]engine.Tech, c),
			Lon: nanSlice(c), Lat: nanSlice(c), SignalDBm: nanSlice(c), Service: make([]engine.Service, c),
			RSRQDB: nanSlice(c), SINRDB: nanSlice(c), DLMbps: nanSlice(c), ULMbps: nanSlice(c),
			LatencyMs: nanSlice(c), Source: make([]engine.Source, c), DeviceID: make([]string, c),
			DeviceClass: make([]engine.DeviceClass, c), Environment: make([]engine.Environment, c),
			Speed:  make([]engine.SpeedKind, c),
			CellID: make([]string, c), NodeID: make([]string, c), Band: make([]string, c),
			PCI: make([]int32, c), ARFCN: make([]int32, c),
		}
		for i := range c {
			b.PCI[i], b.ARFCN[i] = -1, -1
		}
	}
	b.TimeUnixMs = b.TimeUnixMs[:n]
	b.Carrier = b.Carrier[:n]
	b.Tech = b.Tech[:n]
	b.Lon = b.Lon[:n]
	b.Lat = b.Lat[:n]
	b.SignalDBm = b.SignalDBm[:n]
	b.Service = b.Service[:n]
	b.RSRQDB = b.RSRQDB[:n]
	b.SINRDB = b.SINRDB[:n]
	b.DLMbps = b.DLMbps[:n]
	b.ULMbps = b.ULMbps[:n]
	b.LatencyMs = b.LatencyMs[:n]
	b.Source = b.Source[:n]
	b.DeviceID = b.DeviceID[:n]
	b.DeviceClass = b.DeviceClass[:n]
	b.Environment = b.Environment[:n]
	b.Speed = b.Speed[:n]
	b.CellID, b.NodeID, b.Band, b.PCI, b.ARFCN = b.CellID[:n], b.NodeID[:n], b.Band[:n], b.PCI[:n], b.ARFCN[:n]
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = nan
	}
	return s
}

func (mr *MeasurementReader) read(n int) error {
	if cap(mr.batch.Lon) < n {
		// Allocate once for the configured batch size, not the first
		// (possibly short) batch.
		mr.resize(max(n, min(mr.cfg.batchRows, int(min(mr.f.NumRows(), maxBatchRows)))))
	}
	mr.resize(n)
	b := &mr.batch
	for i, c := range mr.col {
		if c < 0 {
			continue
		}
		var err error
		switch i {
		case contract.MeasTS:
			err = mr.readI64(i, b.TimeUnixMs)
		case contract.MeasLon:
			err = mr.readF64(i, b.Lon)
		case contract.MeasLat:
			err = mr.readF64(i, b.Lat)
		case contract.MeasSignal:
			err = mr.readF64(i, b.SignalDBm)
		case contract.MeasRSRQ:
			err = mr.readF64(i, b.RSRQDB)
		case contract.MeasSINR:
			err = mr.readF64(i, b.SINRDB)
		case contract.MeasDL:
			err = mr.readF64(i, b.DLMbps)
		case contract.MeasUL:
			err = mr.readF64(i, b.ULMbps)
		case contract.MeasLatency:
			err = mr.readF64(i, b.LatencyMs)
		case contract.MeasCarrier:
			err = readEnum(mr, i, mr.carrier, &mr.carrierT, b.Carrier)
		case contract.MeasTech:
			err = readEnum(mr, i, mr.tech, &mr.techT, b.Tech)
		case contract.MeasService:
			err = readEnum(mr, i, mr.service, &mr.serviceT, b.Service)
		case contract.MeasSource:
			err = readEnum(mr, i, mr.source, &mr.sourceT, b.Source)
		case contract.MeasDeviceClass:
			err = readEnum(mr, i, mr.device, &mr.deviceT, b.DeviceClass)
		case contract.MeasEnvironment:
			err = readEnum(mr, i, mr.env, &mr.envT, b.Environment)
		case contract.MeasSpeedTest:
			err = readEnum(mr, i, mr.speed, &mr.speedT, b.Speed)
		case contract.MeasCellID:
			err = mr.readStringCol(i, &mr.cellT, b.CellID)
		case contract.MeasNodeID:
			err = mr.readStringCol(i, &mr.nodeT, b.NodeID)
		case contract.MeasBand:
			err = mr.readStringCol(i, &mr.bandT, b.Band)
		case contract.MeasPCI:
			err = mr.readInt32(i, b.PCI)
		case contract.MeasARFCN:
			err = mr.readInt32(i, b.ARFCN)
		case contract.MeasDeviceID:
			if mr.fast[i] {
				err = readStrings(mr.pages[i], &mr.idT, b.DeviceID)
			} else {
				err = mr.readDeviceIDs(b.DeviceID)
			}
		}
		if err != nil {
			return fmt.Errorf("column %q: %w", measurementFields[i].name, err)
		}
	}
	return nil
}

func (mr *MeasurementReader) readF64(i int, dst []float64) error {
	if mr.fast[i] {
		return mr.pages[i].float64s(dst)
	}
	return mr.buf.readF64(mr.readers[i].(float64Reader), dst)
}

func (mr *MeasurementReader) readI64(i int, dst []int64) error {
	if mr.fast[i] {
		return mr.pages[i].int64s(dst)
	}
	return mr.buf.readI64(mr.readers[i].(int64Reader), dst)
}

// readEnum reads an enum-like string column (carrier included) through
// its lookup.
func readEnum[T any](mr *MeasurementReader, i int, l *lookup[T], tab *dictTable[T], dst []T) error {
	if mr.fast[i] {
		return readValues(mr.pages[i], l, tab, dst)
	}
	return readLookup(&mr.buf, mr.readers[i], l, dst)
}

func readLookup[T any](c *colBuf, r any, l *lookup[T], dst []T) error {
	vals, err := c.readBA(r.(byteArrayReader), len(dst))
	if err != nil {
		return err
	}
	for i, v := range vals {
		if dst[i], err = l.get(v); err != nil {
			return err
		}
	}
	return nil
}

// readStringCol reads a plain string column (null as "").
func (mr *MeasurementReader) readStringCol(i int, t *strTable, dst []string) error {
	if mr.fast[i] {
		return readStrings(mr.pages[i], t, dst)
	}
	return mr.readByteArrays(i, dst)
}

// readInt32 reads a DOUBLE column of whole numbers into dst, null as -1.
func (mr *MeasurementReader) readInt32(i int, dst []int32) error {
	mr.f64 = grow(mr.f64, len(dst))
	if err := mr.readF64(i, mr.f64); err != nil {
		return err
	}
	for j, v := range mr.f64 {
		dst[j] = -1
		if v >= 0 && v <= math.MaxInt32 {
			dst[j] = int32(v)
		}
	}
	return nil
}

// readDeviceIDs reads the device_id column (readByteArrays).
func (mr *MeasurementReader) readDeviceIDs(dst []string) error {
	return mr.readByteArrays(contract.MeasDeviceID, dst)
}

// readByteArrays decodes a byte-array column into one string per batch
// and slices it, so a batch costs one allocation however many rows it
// has. Runs of the same value (a device's rows) share one substring.
func (mr *MeasurementReader) readByteArrays(col int, dst []string) error {
	vals, err := mr.buf.readBA(mr.readers[col].(byteArrayReader), len(dst))
	if err != nil {
		return err
	}
	a := mr.arena[:0]
	for i, v := range vals {
		if i > 0 && string(v) == string(vals[i-1]) {
			continue
		}
		a = append(a, v...)
	}
	mr.arena = a
	s := string(a)
	off := 0
	for i, v := range vals {
		if i > 0 && string(v) == string(vals[i-1]) {
			dst[i] = dst[i-1]
			continue
		}
		dst[i] = s[off : off+len(v)]
		off += len(v)
	}
	return nil
}
