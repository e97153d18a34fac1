package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// benchNow is the fixed ingest time: every generated test lies in the
// two months before it (May and June 2025, Vietnam time, plus the first
// hours of July in UTC+7).
var benchNow = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// benchSpan is how far before benchNow the generated tests reach.
const benchSpan = 61 * 24 * time.Hour

// Vietnam's extent (WGS84 degrees), in millionths of a degree.
const (
	lonMinMicro = 102_200_000
	lonMaxMicro = 109_400_000
	latMinMicro = 8_600_000
	latMaxMicro = 23_300_000
)

// genOptions describe a generated input.
type genOptions struct {
	Rows        int64
	Seed        uint64
	RandomOrder bool    // timestamps in random order instead of roughly chronological
	DupShare    float64 // share of rows that exactly repeat the previous row
	BadShare    float64 // share of rows with an out-of-range signal
}

// genRow is one generated measurement. Optional numbers are fixed-point
// integers (value × 10^decimals) with a presence flag, so that the CSV text
// and the Parquet double parse to the same float64.
type genRow struct {
	tsMs                          int64
	carrier, tech, service        string
	lonMicro, latMicro            int64
	signalDeci, rsrqDeci          int64 // dBm, dB × 10
	sinrDeci, latencyDeci         int64 // dB, ms × 10
	dlCenti, ulCenti              int64 // Mbit/s × 100
	hasSignal, hasRadio, hasSpeed bool
	source, deviceID              string
	deviceClass, environment      string
}

// weighted picks one of values with the given cumulative weights.
type weighted struct {
	cum    []float64
	values []string
}

func newWeighted(pairs ...any) weighted {
	var w weighted
	total := 0.0
	for i := 0; i < len(pairs); i += 2 {
		total += pairs[i+1].(float64)
		w.values = append(w.values, pairs[i].(string))
		w.cum = append(w.cum, total)
	}
	for i := range w.cum {
		w.cum[i] /= total
	}
	return w
}

func (w weighted) pick(r *rand.Rand) string {
	u := r.Float64()
	for i, c := range w.cum {
		if u < c {
			return w.values[i]
		}
	}
	return w.values[len(w.values)-1]
}

var (
	carriers = newWeighted("Viettel", 0.52, "Vinaphone", 0.24, "Mobifone", 0.19, "Vietnamobile", 0.05)
	techs    = newWeighted("2G", 0.04, "3G", 0.12, "4G", 0.74, "5G", 0.10)
	sources  = newWeighted("crowd", 0.55, "mdt", 0.20, "drive", 0.15, "speedtest", 0.10)
	envs     = newWeighted("outdoor", 0.45, "indoor", 0.35, "vehicle", 0.20)
	classes  = []string{"smartphone", "smartphone", "smartphone", "smartphone", "smartphone",
		"smartphone", "smartphone", "feature", "tablet", "router"}
)

// numDevices is the number of distinct pseudonymous devices.
const numDevices = 50_000

// generator yields a deterministic sequence of rows for a seed.
type generator struct {
	opt     genOptions
	r       *rand.Rand
	i       int64
	prev    genRow
	devices []string
	startMs int64
	spanMs  int64
}

func newGenerator(opt genOptions) *generator {
	g := &generator{opt: opt, r: rand.New(rand.NewPCG(opt.Seed, 0x6c6f6d736f6e67)),
		startMs: benchNow.Add(-benchSpan).UnixMilli(), spanMs: benchSpan.Milliseconds()}
	dr := rand.New(rand.NewPCG(opt.Seed, 1))
	g.devices = make([]string, numDevices)
	for i := range g.devices {
		g.devices[i] = fmt.Sprintf("%016x", dr.Uint64())
	}
	return g
}

// uniform returns an integer uniform in [lo, hi].
func (g *generator) uniform(lo, hi int64) int64 { return lo + g.r.Int64N(hi-lo+1) }

// next fills row with the next generated row.
func (g *generator) next(row *genRow) {
	defer func() { g.i++; g.prev = *row }()
	if g.i > 0 && g.r.Float64() < g.opt.DupShare {
		*row = g.prev
		return
	}
	r := g.r
	if g.opt.RandomOrder {
		row.tsMs = g.startMs + r.Int64N(g.spanMs)
	} else {
		// Chronological export of many devices: time advances through the
		// span with ±10 minutes of jitter, at whole seconds.
		base := g.startMs + int64(float64(g.spanMs)*float64(g.i)/float64(g.opt.Rows))
		row.tsMs = min(max(base+g.uniform(-600_000, 600_000), g.startMs), g.startMs+g.spanMs-1000)
	}
	row.tsMs -= row.tsMs % 1000
	row.carrier = carriers.pick(r)
	row.tech = techs.pick(r)
	row.lonMicro = g.uniform(lonMinMicro, lonMaxMicro)
	row.latMicro = g.uniform(latMinMicro, latMaxMicro)
	row.source = sources.pick(r)
	dev := r.IntN(numDevices)
	row.deviceID = g.devices[dev]
	row.deviceClass = classes[dev%len(classes)]
	row.environment = envs.pick(r)

	u := r.Float64()
	switch {
	case u < 0.03: // failed test: no service, no signal, no speeds
		row.service = "none"
		row.hasSignal, row.hasRadio, row.hasSpeed = false, false, false
		return
	case u < 0.035:
		row.service = "emergency"
	default:
		row.service = "ok"
	}
	row.hasSignal = true
	switch row.tech {
	case "2G":
		row.signalDeci = g.uniform(-1050, -500)
	case "3G":
		row.signalDeci = g.uniform(-1150, -550)
	default:
		row.signalDeci = g.uniform(-1350, -600)
	}
	if r.Float64() < g.opt.BadShare {
		row.signalDeci = -2500 // outside every technology's reportable range
	}
	row.hasRadio = row.tech == "4G" || row.tech == "5G"
	if row.hasRadio {
		row.rsrqDeci = g.uniform(-195, -30)
		row.sinrDeci = g.uniform(-50, 300)
	}
	row.hasSpeed = row.service == "ok" && (row.source == "speedtest" || r.Float64() < 0.4)
	if row.hasSpeed {
		maxDL := int64(15_000)
		if row.tech == "5G" {
			maxDL = 90_000
		}
		row.dlCenti = g.uniform(50, maxDL)
		row.ulCenti = g.uniform(10, maxDL/4)
		row.latencyDeci = g.uniform(80, 2500)
	}
}

// genColumns are the contract columns the generator writes, in appendCSV's
// order (the contract's optional serving-cell and speed-test columns are
// left out, as most carriers' files leave them out).
var genColumns = []string{"ts", "carrier", "tech", "lon", "lat", "signal_dbm", "service",
	"rsrq_db", "sinr_db", "dl_mbps", "ul_mbps", "latency_ms", "source", "device_id",
	"device_class", "environment"}

// appendCSV appends row as one CSV line in genColumns order.
func appendCSV(b []byte, row *genRow) []byte {
	b = time.UnixMilli(row.tsMs).UTC().AppendFormat(b, time.RFC3339)
	b = append(b, ',')
	b = append(b, row.carrier...)
	b = append(b, ',')
	b = append(b, row.tech...)
	b = append(b, ',')
	b = appendFixed(b, row.lonMicro, 6, true)
	b = append(b, ',')
	b = appendFixed(b, row.latMicro, 6, true)
	b = append(b, ',')
	b = appendFixed(b, row.signalDeci, 1, row.hasSignal)
	b = append(b, ',')
	b = append(b, row.service...)
	b = append(b, ',')
	b = appendFixed(b, row.rsrqDeci, 1, row.hasRadio)
	b = append(b, ',')
	b = appendFixed(b, row.sinrDeci, 1, row.hasRadio)
	b = append(b, ',')
	b = appendFixed(b, row.dlCenti, 2, row.hasSpeed)
	b = append(b, ',')
	b = appendFixed(b, row.ulCenti, 2, row.hasSpeed)
	b = append(b, ',')
	b = appendFixed(b, row.latencyDeci, 1, row.hasSpeed)
	b = append(b, ',')
	b = append(b, row.source...)
	b = append(b, ',')
	b = append(b, row.deviceID...)
	b = append(b, ',')
	b = append(b, row.deviceClass...)
	b = append(b, ',')
	b = append(b, row.environment...)
	return append(b, '\n')
}

var pow10 = [...]float64{1, 10, 100, 1000, 1e4, 1e5, 1e6}

// fixed returns v / 10^dec, or NaN when absent. The division of two exact
// integers is correctly rounded, so it equals strconv.ParseFloat of the
// text appendFixed writes.
func fixed(v int64, dec int, ok bool) float64 {
	if !ok {
		return math.NaN()
	}
	return float64(v) / pow10[dec]
}

func appendFixed(b []byte, v int64, dec int, ok bool) []byte {
	if !ok {
		return b
	}
	return strconv.AppendFloat(b, fixed(v, dec, true), 'f', dec, 64)
}

// chunkRows is how many generated rows the Parquet writer receives at once.
const chunkRows = 1 << 16

// parquetChunk holds generated rows as the columns of a result table.
type parquetChunk struct {
	ts                                            []int64
	carrier, tech, service                        []string
	lon, lat, signal, rsrq, sinr, dl, ul, latency []float64
	source, deviceID, deviceClass, environment    []string
}

func (c *parquetChunk) add(row *genRow) {
	c.ts = append(c.ts, row.tsMs)
	c.carrier = append(c.carrier, row.carrier)
	c.tech = append(c.tech, row.tech)
	c.lon = append(c.lon, fixed(row.lonMicro, 6, true))
	c.lat = append(c.lat, fixed(row.latMicro, 6, true))
	c.signal = append(c.signal, fixed(row.signalDeci, 1, row.hasSignal))
	c.service = append(c.service, row.service)
	c.rsrq = append(c.rsrq, fixed(row.rsrqDeci, 1, row.hasRadio))
	c.sinr = append(c.sinr, fixed(row.sinrDeci, 1, row.hasRadio))
	c.dl = append(c.dl, fixed(row.dlCenti, 2, row.hasSpeed))
	c.ul = append(c.ul, fixed(row.ulCenti, 2, row.hasSpeed))
	c.latency = append(c.latency, fixed(row.latencyDeci, 1, row.hasSpeed))
	c.source = append(c.source, row.source)
	c.deviceID = append(c.deviceID, row.deviceID)
	c.deviceClass = append(c.deviceClass, row.deviceClass)
	c.environment = append(c.environment, row.environment)
}

func (c *parquetChunk) len() int { return len(c.ts) }

// columns returns the chunk as contract-named columns, in genColumns order.
func (c *parquetChunk) columns() []arrowio.Column {
	cols := []arrowio.Column{
		{Name: "ts", TimeUnixMs: c.ts},
		{Name: "carrier", String: c.carrier},
		{Name: "tech", String: c.tech},
		{Name: "lon", Float64: c.lon},
		{Name: "lat", Float64: c.lat},
		{Name: "signal_dbm", Float64: c.signal},
		{Name: "service", String: c.service},
		{Name: "rsrq_db", Float64: c.rsrq},
		{Name: "sinr_db", Float64: c.sinr},
		{Name: "dl_mbps", Float64: c.dl},
		{Name: "ul_mbps", Float64: c.ul},
		{Name: "latency_ms", Float64: c.latency},
		{Name: "source", String: c.source, EmptyIsNull: true},
		{Name: "device_id", String: c.deviceID, EmptyIsNull: true},
		{Name: "device_class", String: c.deviceClass, EmptyIsNull: true},
		{Name: "environment", String: c.environment, EmptyIsNull: true},
	}
	return cols
}

func (c *parquetChunk) reset() { *c = parquetChunk{} }

// generate writes the same rows to csvPath and parquetPath (either may be
// "" to skip it), streaming: memory holds one chunk of rows and the
// Parquet writer's current row group. Each file appears only when complete.
func generate(ctx context.Context, opt genOptions, csvPath, parquetPath string) (err error) {
	type sink struct {
		f    *os.File
		path string
	}
	var sinks []sink
	create := func(path string) (*os.File, error) {
		f, err := os.Create(path + ".tmp")
		if err == nil {
			sinks = append(sinks, sink{f, path})
		}
		return f, err
	}
	defer func() {
		for _, s := range sinks {
			s.f.Close()
			if err != nil {
				os.Remove(s.path + ".tmp")
			}
		}
	}()

	var bw *bufio.Writer
	if csvPath != "" {
		f, err := create(csvPath)
		if err != nil {
			return err
		}
		bw = bufio.NewWriterSize(f, 1<<20)
		if _, err := bw.WriteString(strings.Join(genColumns, ",") + "\n"); err != nil {
			return err
		}
	}
	var tw *arrowio.TableWriter
	var pbw *bufio.Writer
	if parquetPath != "" {
		f, err := create(parquetPath)
		if err != nil {
			return err
		}
		pbw = bufio.NewWriterSize(f, 1<<20)
		meta := map[string]string{"generator": "benchmarks/ingest", "seed": strconv.FormatUint(opt.Seed, 10)}
		// Snappy, the default of the usual Parquet exporters (Spark, pyarrow).
		if tw, err = arrowio.NewTableWriter(pbw, meta, arrowio.WithCodec(arrowio.Snappy)); err != nil {
			return err
		}
	}

	g := newGenerator(opt)
	var row genRow
	var line []byte
	var chunk parquetChunk
	flushChunk := func() error {
		if tw == nil || chunk.len() == 0 {
			return nil
		}
		if err := tw.Write(chunk.columns()); err != nil {
			return err
		}
		chunk.reset()
		return nil
	}
	for i := int64(0); i < opt.Rows; i++ {
		if i%chunkRows == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		g.next(&row)
		if bw != nil {
			line = appendCSV(line[:0], &row)
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
		if tw != nil {
			chunk.add(&row)
			if chunk.len() == chunkRows {
				if err := flushChunk(); err != nil {
					return err
				}
			}
		}
	}
	if err := flushChunk(); err != nil {
		return err
	}
	if bw != nil {
		if err := bw.Flush(); err != nil {
			return err
		}
	}
	if tw != nil {
		if err := tw.Close(); err != nil {
			return err
		}
		if err := pbw.Flush(); err != nil {
			return err
		}
	}
	for _, s := range sinks {
		if err := s.f.Sync(); err != nil {
			return err
		}
		if err := s.f.Close(); err != nil {
			return err
		}
		if err := os.Rename(s.path+".tmp", s.path); err != nil {
			return err
		}
	}
	return nil
}
