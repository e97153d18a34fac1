package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// inputFlags are the flags shared by validate and ingest.
type inputFlags struct {
	kind           string
	mapping        string
	maxRejectShare float64
	bounds         string
	noDedup        bool
}

func (f *inputFlags) register(fs interface {
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&f.kind, "kind", "", "table kind: measurements, sites, villages or subscriptions (default: detected from the header)")
	fs.StringVar(&f.mapping, "mapping", "", "JSON `file` mapping the file's own column names, units and spellings onto the contract")
	fs.Float64Var(&f.maxRejectShare, "max-reject-share", 0.05, "fail when more than this `share` of a file's rows are rejected (0..1)")
	fs.StringVar(&f.bounds, "bounds", "", "GeoJSON `file` with a (multi)polygon: reject points outside it")
	fs.BoolVar(&f.noDedup, "no-dedup", false, "do not reject exact duplicate rows (saves ~16 bytes of memory per row)")
}

// load reads the mapping and bounds files named by the flags.
func (f *inputFlags) load() (m *ingest.Mapping, mjson []byte, bounds orb.MultiPolygon, err error) {
	if f.kind != "" && !ingest.Kind(f.kind).Valid() {
		return nil, nil, nil, usageError{fmt.Sprintf("--kind %q: want measurements, sites, villages or subscriptions", f.kind)}
	}
	if f.maxRejectShare < 0 || f.maxRejectShare > 1 {
		return nil, nil, nil, usageError{fmt.Sprintf("--max-reject-share %g: want a share between 0 and 1", f.maxRejectShare)}
	}
	if f.mapping != "" {
		mjson, err = os.ReadFile(f.mapping)
		if err != nil {
			return nil, nil, nil, err
		}
		m, err = ingest.ParseMapping(mjson)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", f.mapping, err)
		}
	}
	if f.bounds != "" {
		bounds, err = readBounds(f.bounds)
		if err != nil {
			return nil, nil, nil, err
		}
	}
	return m, mjson, bounds, nil
}

// readBounds reads the union of the polygons of a GeoJSON file.
func readBounds(path string) (orb.MultiPolygon, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var mp orb.MultiPolygon
	add := func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Polygon:
			mp = append(mp, g)
		case orb.MultiPolygon:
			mp = append(mp, g...)
		}
	}
	if fc, err := geojson.UnmarshalFeatureCollection(b); err == nil && len(fc.Features) > 0 {
		for _, f := range fc.Features {
			add(f.Geometry)
		}
	} else if f, err := geojson.UnmarshalFeature(b); err == nil && f.Geometry != nil {
		add(f.Geometry)
	} else if g, err := geojson.UnmarshalGeometry(b); err == nil {
		add(g.Geometry())
	}
	if len(mp) == 0 {
		return nil, fmt.Errorf("%s: no Polygon or MultiPolygon found (want GeoJSON)", path)
	}
	return mp, nil
}

func (f *inputFlags) config(now time.Time, bounds orb.MultiPolygon) ingest.Config {
	cfg := ingest.Defaults("", now)
	cfg.Bounds = bounds
	cfg.Dedup = !f.noDedup
	return cfg
}

// progress prints rows and rows/s to stderr every two seconds while a long
// file is read; stop prints nothing for short files.
type progress struct {
	rows  atomic.Int64
	stop  chan struct{}
	done  chan struct{}
	start time.Time
}

func startProgress(e *env, name string) *progress {
	p := &progress{stop: make(chan struct{}), done: make(chan struct{}), start: time.Now()}
	go func() {
		defer close(p.done)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		var last int64
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				// Print only while rows are being read: a stage that has
				// finished reading and is computing stays quiet.
				n := p.rows.Load()
				if n == last {
					continue
				}
				last = n
				el := time.Since(p.start).Seconds()
				fmt.Fprintf(e.stderr, "%s: %d rows read (%.0f rows/s)\n", name, n, float64(n)/el)
			}
		}
	}()
	return p
}

// set records n rows read; it may be called from several goroutines, and
// keeps the largest count.
func (p *progress) set(n int64) {
	for {
		old := p.rows.Load()
		if n <= old || p.rows.CompareAndSwap(old, n) {
			return
		}
	}
}

func (p *progress) end() time.Duration {
	close(p.stop)
	<-p.done
	return time.Since(p.start)
}

const validateSynopsis = `validate [flags] FILE...

Checks every row of each file against the input contract (docs/data-contract.md)
without changing any dataset. Prints, per file, rows read, accepted and rejected
by reason with the first rejected rows; --quarantine writes every rejected row
(file, line, column, value, reason) to a CSV. Files may be CSV (comma or
semicolon, with or without BOM), OpenCelliD exports, Parquet or Arrow IPC, each
optionally gzip-compressed. --suggest-mapping prints a mapping for a file whose
column names differ from the contract, to review and pass back with --mapping.`

const validateExample = `  lomsong validate geodata/examples/measurements_viettel.csv
  lomsong validate --suggest-mapping carrier_dump.csv > mapping.json
  lomsong validate --mapping mapping.json --quarantine rejected.csv carrier_dump.csv`

func runValidate(ctx context.Context, args []string, e *env) error {
	fs := newFlags("validate", validateSynopsis, validateExample, e)
	var in inputFlags
	in.register(fs)
	quarantine := fs.String("quarantine", "", "write every rejected row to this CSV `file`")
	suggest := fs.Bool("suggest-mapping", false, "print a suggested mapping (JSON) for each file's header and exit")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	show := fs.Int("show", 10, "print the first `n` rejected rows per file")
	files, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError{"validate: no input files"}
	}
	m, _, bounds, err := in.load()
	if err != nil {
		return err
	}
	if *suggest {
		return suggestMappings(files, ingest.Kind(in.kind), e)
	}
	var qw *ingest.QuarantineWriter
	var qf *dataset.AtomicFile
	if *quarantine != "" {
		qf, err = dataset.CreateAtomic(*quarantine)
		if err != nil {
			return err
		}
		defer qf.Abort()
		if qw, err = ingest.NewQuarantineWriter(qf); err != nil {
			return err
		}
	}
	var refused []string
	var reports []any
	for _, path := range files {
		src, err := dataset.OpenSource(path, ingest.Kind(in.kind), m)
		if err != nil {
			return err
		}
		cfg := in.config(time.Now(), bounds)
		cfg.Source = filepath.Base(path)
		prog := startProgress(e, cfg.Source)
		cfg.Progress = prog.set
		var shown []ingest.Reject
		onReject := func(r ingest.Reject) error {
			if len(shown) < *show {
				shown = append(shown, r)
			}
			if qw != nil {
				return qw.Write(r)
			}
			return nil
		}
		var rep *ingest.Report
		switch src.Kind {
		case ingest.KindSites:
			rep, err = ingest.ReadSites(ctx, src.Records, m, cfg, func([]engine.Site) error { return nil }, onReject)
		case ingest.KindVillages:
			rep, err = ingest.ReadVillages(ctx, src.Records, m, cfg, func([]engine.Village) error { return nil }, onReject)
		case ingest.KindSubscriptions:
			rep, err = ingest.ReadSubscriptions(ctx, src.Records, m, cfg, func([]engine.Subscription) error { return nil }, onReject)
		default:
			rep, err = ingest.ReadMeasurements(ctx, src.Records, m, cfg, func(*engine.MeasurementBatch) error { return nil }, onReject)
		}
		elapsed := prog.end()
		src.Close()
		if err != nil {
			return err
		}
		res := &dataset.IngestResult{Path: path, Format: src.Format, Kind: src.Kind, Report: rep}
		if *asJSON {
			reports = append(reports, dataset.ReportJSON(res))
		} else {
			printReport(e, res, shown, elapsed, "--quarantine FILE writes them all")
		}
		if rep.RejectShare() > in.maxRejectShare {
			refused = append(refused, fmt.Sprintf("%s (%.2f%% rejected)", path, 100*rep.RejectShare()))
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(reports, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b)
	}
	if qw != nil {
		if err := qw.Flush(); err != nil {
			return err
		}
		if err := qf.Commit(); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintf(e.stdout, "quarantine: %d rejected rows written to %s\n", qw.Rows(), *quarantine)
		}
	}
	if len(refused) > 0 {
		return refusedError{fmt.Errorf("rejected-row share above --max-reject-share %.2f%% in %v", 100*in.maxRejectShare, refused)}
	}
	return nil
}

// printReport prints one file's counts, reasons and the shown rejected
// rows; hint says where the rest of the rejected rows are.
func printReport(e *env, r *dataset.IngestResult, shown []ingest.Reject, elapsed time.Duration, hint string) {
	rep := r.Report
	rate := ""
	if s := elapsed.Seconds(); s > 0.5 {
		rate = fmt.Sprintf(" in %.1fs (%.0f rows/s)", s, float64(rep.RowsRead)/s)
	}
	fmt.Fprintf(e.stdout, "%s [%s, %s]: %d rows read, %d accepted, %d rejected (%.2f%%)%s\n",
		r.Path, r.Format, r.Kind, rep.RowsRead, rep.Accepted, rep.Rejected, 100*rep.RejectShare(), rate)
	for _, reason := range rep.Reasons() {
		fmt.Fprintf(e.stdout, "  %-16s %d\n", reason, rep.ByReason[reason])
	}
	if len(rep.IgnoredColumns) > 0 {
		fmt.Fprintf(e.stdout, "  ignored columns (not in the contract; map them with --mapping if they are): %v\n", rep.IgnoredColumns)
	}
	if rep.DedupStoppedAtLine > 0 {
		fmt.Fprintf(e.stdout, "  duplicate detection stopped at line %d (memory cap reached)\n", rep.DedupStoppedAtLine)
	}
	for _, q := range shown {
		fmt.Fprintf(e.stdout, "  line %d, column %q, value %q: %s (%s)\n", q.Line, q.Column, q.Value, q.Reason, q.Detail)
	}
	if int64(len(shown)) < rep.Rejected && hint != "" {
		fmt.Fprintf(e.stdout, "  … %d more rejected rows (%s)\n", rep.Rejected-int64(len(shown)), hint)
	}
}

func suggestMappings(files []string, kind ingest.Kind, e *env) error {
	for _, path := range files {
		src, err := dataset.OpenSource(path, kind, nil)
		if err != nil {
			return err
		}
		header := src.Records.Header()
		k := src.Kind
		src.Close()
		m, missing := ingest.SuggestMapping(k, header)
		if len(files) > 1 {
			fmt.Fprintf(e.stdout, "// %s\n", path)
		}
		e.stdout.Write(m.JSON())
		if len(missing) > 0 {
			fmt.Fprintf(e.stderr, "%s: no column found for required %v: add them to \"columns\", or give a value in \"constants\" (e.g. {\"carrier\": \"viettel\"})\n", path, missing)
		}
	}
	return nil
}
