package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// inputFlags are the flags shared by validate and ingest: both read
// through the same ingest.Config, so they accept and refuse the same rows
// and files.
type inputFlags struct {
	// command names the command in an error about its files.
	command string
	// argKinds lets --kind name a command's own input table (claims,
	// candidates): validate checks them, ingest does not store them.
	argKinds       bool
	kind           string
	mapping        string
	preset         string
	timezone       string
	maxRejectShare float64
	bounds         string
	noDedup        bool
	limitFlags
}

// limitFlags are the flags of the limits one input may take
// (ingest.Limits): validate and ingest read files under them, serve reads
// submissions under them, so all three refuse the same files.
type limitFlags struct {
	maxLine         byteSize
	maxDecompressed byteSize
	maxGzipRatio    float64
	maxSpill        byteSize
}

// register registers the limit flags with their defaults
// (ingest.DefaultLimits).
func (f *limitFlags) register(fs interface {
	Float64Var(*float64, string, float64, string)
	Var(flag.Value, string, string)
}) {
	f.maxLine, f.maxDecompressed, f.maxSpill = ingest.DefaultMaxLineBytes, ingest.DefaultMaxDecompressedBytes, ingest.DefaultMaxSpillBytes
	fs.Var(&f.maxLine, "max-line-bytes", "largest `size` of a CSV row (plain bytes or with KiB, MiB, GiB); a longer row is quarantined as line_too_long and reading goes on at the next line; no line end within 64 times it stops the file")
	fs.Var(&f.maxDecompressed, "max-decompressed-bytes", "refuse a gzip file that decompresses to more than this `size`")
	fs.Float64Var(&f.maxGzipRatio, "max-gzip-ratio", ingest.DefaultMaxGzipRatio, "refuse a gzip file that decompresses to more than this `ratio` times its compressed size, after its first 8 MiB")
	fs.Var(&f.maxSpill, "max-spill-bytes", "largest temporary file `size` a gzip-compressed Parquet file is decompressed into (also at most 100 times its compressed size)")
}

// limitFlagNames are the flags of ingest.Limits' fields.
var limitFlagNames = map[string]string{
	"MaxLineBytes":         "--max-line-bytes",
	"MaxDecompressedBytes": "--max-decompressed-bytes",
	"MaxGzipRatio":         "--max-gzip-ratio",
	"MaxSpillBytes":        "--max-spill-bytes",
}

// check refuses limit flags out of range (a usage error): the range
// rule is ingest.Limits.CheckRange's, the service's too.
func (f *limitFlags) check() error {
	err := f.limits().CheckRange()
	var le *ingest.LimitError
	if errors.As(err, &le) {
		name := limitFlagNames[le.Field]
		if name == "" {
			name = le.Field
		}
		return usageError{fmt.Sprintf("%s %s: want %s", name, le.Value, le.Want)}
	}
	return err
}

func (f *limitFlags) limits() ingest.Limits {
	l := ingest.DefaultLimits()
	l.MaxLineBytes, l.MaxDecompressedBytes, l.MaxGzipRatio, l.MaxSpillBytes = int(f.maxLine), int64(f.maxDecompressed), f.maxGzipRatio, int64(f.maxSpill)
	return l
}

func (f *inputFlags) register(fs interface {
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
	BoolVar(*bool, string, bool, string)
	Var(flag.Value, string, string)
}) {
	f.limitFlags.register(fs)
	kinds := "measurements, sites, villages or subscriptions"
	if f.argKinds {
		kinds = "measurements, sites, villages, subscriptions, or a command's own claims (deadzones --claims) or candidates (plan --candidates)"
	}
	fs.StringVar(&f.kind, "kind", "", "table kind: "+kinds+" (default: detected from the header)")
	fs.StringVar(&f.mapping, "mapping", "", "JSON `file` mapping the file's own column names, units and spellings onto the contract")
	fs.StringVar(&f.preset, "preset", "", "read a tool's documented export layout: `name` "+strings.Join(ingest.PresetNames(), " or ")+" (instead of --mapping)")
	fs.StringVar(&f.timezone, "timezone", "", "`zone` of timestamps written without an offset (IANA name or offset like UTC+7); overrides the mapping's; default Asia/Ho_Chi_Minh (UTC+7)")
	fs.Float64Var(&f.maxRejectShare, "max-reject-share", 0.05, "fail when more than this `share` of a file's rows are rejected (0..1)")
	fs.StringVar(&f.bounds, "bounds", "", "GeoJSON `file` with a (multi)polygon: reject points outside it (without it, a measurement outside Viet Nam's mainland, Hoàng Sa and Trường Sa is rejected)")
	fs.BoolVar(&f.noDedup, "no-dedup", false, "do not reject repeated rows (a measurement whose values repeat an earlier row's, however written; saves ~16 bytes of memory per row)")
}

// load reads the mapping and bounds files named by the flags.
func (f *inputFlags) load() (m *ingest.Mapping, mjson []byte, bounds orb.MultiPolygon, err error) {
	if k := ingest.Kind(f.kind); f.kind != "" && !k.Valid() && !(f.argKinds && k.IsArg()) {
		want := "measurements, sites, villages or subscriptions"
		if f.argKinds {
			want = "measurements, sites, villages, subscriptions, claims or candidates"
		}
		return nil, nil, nil, usageError{fmt.Sprintf("--kind %q: want %s", f.kind, want)}
	}
	if f.maxRejectShare < 0 || f.maxRejectShare > 1 {
		return nil, nil, nil, usageError{fmt.Sprintf("--max-reject-share %g: want a share between 0 and 1", f.maxRejectShare)}
	}
	if err := f.limitFlags.check(); err != nil {
		return nil, nil, nil, err
	}
	if f.mapping != "" && f.preset != "" {
		return nil, nil, nil, usageError{"--mapping and --preset: give one of them"}
	}
	for _, in := range [][2]string{{"bounds", f.bounds}, {"mapping", f.mapping}} {
		if err := inputFileReadable(f.command, in[0], in[1]); err != nil {
			return nil, nil, nil, err
		}
	}
	if f.mapping != "" {
		mjson, err = readCapped(f.mapping, ingest.MaxMappingBytes)
		if err != nil {
			return nil, nil, nil, err
		}
		m, err = ingest.ParseMapping(mjson)
		if errors.Is(err, ingest.ErrMappingNotJSON) {
			// Refused for its data (exit 3), as an empty input file is.
			return nil, nil, nil, refusedError{fmt.Errorf("--mapping %s: %w", f.mapping, err)}
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", f.mapping, err)
		}
	}
	if f.preset != "" {
		if m, err = ingest.Preset(f.preset); err != nil {
			return nil, nil, nil, usageError{"--preset: " + err.Error()}
		}
		mjson = m.JSON()
	}
	if f.timezone != "" {
		if _, err := ingest.LoadZone(f.timezone); err != nil {
			return nil, nil, nil, usageError{fmt.Sprintf("--timezone %q: %v", f.timezone, err)}
		}
		if m == nil {
			m = &ingest.Mapping{}
		}
		m.Timezone = f.timezone
		mjson = m.JSON() // the manifest records the zone the times were read in
	}
	if f.bounds != "" {
		bounds, err = readBounds(f.bounds)
		if err != nil {
			return nil, nil, nil, err
		}
	}
	return m, mjson, bounds, nil
}

// maxBoundsBytes caps a --bounds file (Vietnam's 3,321 communes are 16 MB
// of GeoJSON).
const maxBoundsBytes = 64 << 20

// readCapped reads a whole file of at most max bytes.
func readCapped(path string, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes, the limit for this file: %w", path, max, ingest.ErrTooLarge)
	}
	return b, nil
}

// readBounds reads the union of the polygons of a GeoJSON file.
func readBounds(path string) (orb.MultiPolygon, error) {
	b, err := readCapped(path, maxBoundsBytes)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // a byte-order mark is no JSON error
	var mp orb.MultiPolygon
	var bad error
	add := func(g orb.Geometry, what string) {
		var part orb.MultiPolygon
		switch g := g.(type) {
		case orb.Polygon:
			part = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			part = g
		default:
			return
		}
		// An empty polygon crashed the containment test; one in metres
		// rejected every row as outside the bounds without saying why.
		if err := geodata.CheckLonLat(part); err != nil && bad == nil {
			bad = fmt.Errorf("%s: %s: %w", path, what, err)
		}
		mp = append(mp, part...)
	}
	if fc, err := geojson.UnmarshalFeatureCollection(b); err == nil && len(fc.Features) > 0 {
		for i, f := range fc.Features {
			add(f.Geometry, fmt.Sprintf("feature %d", i))
		}
	} else if f, err := geojson.UnmarshalFeature(b); err == nil && f.Geometry != nil {
		add(f.Geometry, "the feature")
	} else if g, err := geojson.UnmarshalGeometry(b); err == nil {
		add(g.Geometry(), "the geometry")
	} else {
		return nil, fmt.Errorf("%s: not GeoJSON: %w", path, err)
	}
	if bad != nil {
		return nil, bad
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
	cfg.Limits = f.limits()
	return cfg
}

// byteSize is a flag value in bytes, written as a plain number or with a
// binary suffix: 512KiB, 1MiB, 4GiB (K, M, G and KB, MB, GB mean the same).
type byteSize int64

func (b *byteSize) String() string {
	switch v := int64(*b); {
	case v != 0 && v%(1<<30) == 0:
		return strconv.FormatInt(v>>30, 10) + "GiB"
	case v != 0 && v%(1<<20) == 0:
		return strconv.FormatInt(v>>20, 10) + "MiB"
	case v != 0 && v%(1<<10) == 0:
		return strconv.FormatInt(v>>10, 10) + "KiB"
	default:
		return strconv.FormatInt(v, 10)
	}
}

func (b *byteSize) Set(s string) error {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("%q: want a size in bytes such as 1048576, 1MiB or 4GiB", s)
	}
	*b = byteSize(n * mult)
	return nil
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
by reason with the first rejected rows; --quarantine FILE writes every rejected
row (file, line, column, value, reason) to one CSV, and --quarantine DIR (an
existing directory) writes DIR/<input file name>.quarantine.csv per input. Files
may be CSV (comma, semicolon or tab, with or without BOM), OpenCelliD exports, Parquet
or Arrow IPC, each optionally gzip-compressed. --suggest-mapping prints a
mapping (JSON only, on stdout) for a file whose column names differ from the
contract, inferred from its header (first 10,000 columns) and first 1,000 rows,
to review and pass back with --mapping; what it could not map goes to stderr,
and it exits 3 when a required column is unmapped. --preset reads a tool's
export layout (docs/data-contract.md, Presets). Times without an offset are read in
the mapping's timezone, else Vietnam time (UTC+7); --timezone overrides both.

Hostile input costs bounded memory and disk: a CSV row longer than
--max-line-bytes is quarantined as line_too_long; a gzip file over
--max-decompressed-bytes or --max-gzip-ratio, a gzip-compressed Parquet file
over --max-spill-bytes, and a file that is not text, CSV, Parquet or Arrow are
refused with an error naming the file. validate and ingest apply the same rules.
A file that cannot be read (not CSV, Parquet or Arrow; a damaged gzip) is named
NOT READ (an "error" entry in --json), one refused for what it holds (empty, a
header without a required column, no data rows, a rejected share above
--max-reject-share) REFUSED, and the next file goes on; the exit code is then 1
when a file was not read, else 3. In --json and --report each file has its
"verdict": accepted, refused (with "refused_why") or not_read (with "error").`

const validateExample = `  lomsong validate geodata/examples/measurements_viettel.csv
  lomsong validate --suggest-mapping carrier_dump.csv > mapping.json
  lomsong validate --preset gnettrack --timezone Asia/Ho_Chi_Minh gnettrack_log.txt
  lomsong validate --mapping mapping.json --quarantine rejected.csv carrier_dump.csv
  lomsong validate --preset vn-drivetest --report report.json do_kiem.csv
  lomsong validate --quarantine rejected/ --max-line-bytes 4MiB dump_a.csv.gz dump_b.csv.gz
  lomsong validate --kind candidates proposals.csv   (the table lomsong plan --candidates reads)`

func runValidate(ctx context.Context, args []string, e *env) error {
	fs := newFlags("validate", validateSynopsis, validateExample, e)
	in := inputFlags{argKinds: true, command: "validate"}
	in.register(fs)
	quarantine := fs.String("quarantine", "", "write every rejected row to this CSV `file`; or, when it names an existing directory or ends in /, each input's rejected rows to DIR/<input file name>.quarantine.csv; an existing file is replaced only when it is a quarantine lomsong wrote, never an input")
	suggest := fs.Bool("suggest-mapping", false, "print a suggested mapping (JSON) for each file's header, tried on its first rows, and exit (exit 3 when incomplete, or the file has no rows; not with --mapping, --preset, --quarantine, --report, --json or --show)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	reportPath := fs.String("report", "", "also write the report as JSON to this `file` (one object per input, with its counts: rows read, accepted and quarantined, per reason, times without offset, decimal mark, idle speed rows); written whole or not at all; an existing file is replaced only when it is such a report, never an input")
	show := fs.Int("show", 10, "print the first `n` rejected rows per file")
	claimsRes := fs.Int("res", 8, "H3 analysis `resolution` a claims table's cells must be at (that of lomsong deadzones --res)")
	files, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError{"validate: no input files"}
	}
	if err := notDirectories("validate", files); err != nil {
		return err
	}
	if *show < 0 {
		return usageError{fmt.Sprintf("validate: --show %d: want a number of rows, 0 or more", *show)}
	}
	if *suggest {
		// --suggest-mapping prints an inferred mapping and nothing else:
		// a flag it would ignore is named rather than dropped.
		var ignored []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "mapping", "preset":
				ignored = append(ignored, "--"+f.Name+" (the suggestion is inferred from the file, not from a given mapping: validate with --"+f.Name+" alone to check it)")
			case "quarantine", "report", "json", "show":
				ignored = append(ignored, "--"+f.Name+" (no rows are validated: run validate again with the mapping to get it)")
			}
		})
		if len(ignored) > 0 {
			return usageError{fmt.Sprintf("validate: --suggest-mapping prints a mapping only; it would ignore %s", strings.Join(ignored, " and "))}
		}
	}
	if *claimsRes < 1 || *claimsRes > 15 {
		return usageError{fmt.Sprintf("validate: --res %d: an analysis resolution is 1..15 (lomsong deadzones --res; default 8)", *claimsRes)}
	}
	m, _, bounds, err := in.load()
	if err != nil {
		return err
	}
	if *suggest {
		return suggestMappings(files, ingest.Kind(in.kind), in.limits(), e)
	}
	var qw *ingest.QuarantineWriter
	var qf *dataset.AtomicFile
	// openQuarantine starts a quarantine file; closeQuarantine commits it.
	openQuarantine := func(path string) error {
		var err error
		if qf, err = dataset.CreateAtomic(path); err != nil {
			return err
		}
		qw, err = ingest.NewQuarantineWriter(qf)
		return err
	}
	closeQuarantine := func(path string) error {
		if err := qw.Flush(); err != nil {
			return err
		}
		if err := qf.Commit(); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintf(e.stdout, "quarantine: %s written to %s\n", plural.Count(qw.Rows(), "rejected row", "rejected rows"), path)
		}
		qw, qf = nil, nil
		return nil
	}
	defer func() {
		if qf != nil {
			qf.Abort()
		}
	}()
	if err := checkValidateOutputs(files, *quarantine, *reportPath); err != nil {
		return err
	}
	if err := validateTargetsWritable(*quarantine, *reportPath); err != nil {
		return err
	}
	qdir := ""
	if q := *quarantine; q != "" && os.IsPathSeparator(q[len(q)-1]) {
		// A name ending in a separator is a directory, even if it does not exist yet.
		if err := os.MkdirAll(q, 0o755); err != nil {
			return err
		}
	}
	if st, err := os.Stat(*quarantine); *quarantine != "" && err == nil && st.IsDir() {
		qdir = *quarantine
		seen := map[string]string{}
		for _, path := range files {
			name := quarantineName(path)
			if prev, ok := seen[name]; ok {
				return usageError{fmt.Sprintf("--quarantine %s: %s and %s would both write %s; give a file instead of a directory", shellQuote(qdir), shellQuote(prev), shellQuote(path), shellQuote(name))}
			}
			seen[name] = path
		}
	} else if *quarantine != "" {
		if err := openQuarantine(*quarantine); err != nil {
			return err
		}
	}
	// Each file's name in the quarantine's source column and the messages:
	// its base name, or the path as given when two files share one (a
	// single --quarantine FILE would not tell their rows apart).
	labels := map[string]string{}
	byBase := map[string]int{}
	for _, path := range files {
		byBase[filepath.Base(path)]++
	}
	for _, path := range files {
		labels[path] = filepath.Base(path)
		if byBase[filepath.Base(path)] > 1 {
			labels[path] = path
		}
	}
	var refused []string
	var failed []error // files that could not be read: the others go on
	var reports []any
	notRead := func(path string, err error) {
		failed = append(failed, withPath(path, err))
		// A file refused for what it holds (empty, a header without a
		// required column) is named so, as the exit code 3 it makes
		// says; one that could not be read at all makes 1.
		label, entry := "NOT READ", map[string]string{"path": path, "verdict": "not_read", "error": err.Error()}
		if isRefusal(err) {
			label, entry = "REFUSED", map[string]string{"path": path, "verdict": "refused", "refused_why": err.Error()}
		}
		if *asJSON || *reportPath != "" {
			reports = append(reports, entry)
		}
		if !*asJSON && len(files) > 1 {
			fmt.Fprintf(e.stdout, "%s\n", namedError(path, label, err))
		}
		if qdir != "" && qf != nil {
			qf.Abort()
			qw, qf = nil, nil
		}
	}
	for _, path := range files {
		if qdir != "" {
			if err := openQuarantine(filepath.Join(qdir, quarantineName(path))); err != nil {
				return err
			}
		}
		cfg := in.config(e.now(), bounds)
		cfg.CellRes = *claimsRes
		src, err := dataset.OpenSource(path, ingest.Kind(in.kind), m, cfg.Limits)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			notRead(path, err)
			continue
		}
		// A command's own table (claims, candidates: given by --kind or
		// read from its header) takes no mapping.
		cfg.NoMapping = src.Kind.IsArg()
		cfg.Source = labels[path]
		prog := startProgress(e, cfg.Source)
		cfg.Progress = prog.set
		var shown []ingest.Reject
		var sinkErr error // the quarantine's own write error: ends the command
		onReject := func(r ingest.Reject) error {
			if len(shown) < *show {
				shown = append(shown, r)
			}
			if qw != nil {
				sinkErr = qw.Write(r)
				return sinkErr
			}
			return nil
		}
		rep, err := ingest.Check(ctx, src.Kind, src.Records, m, cfg, onReject)
		elapsed := prog.end()
		src.Close()
		if err != nil {
			if ctx.Err() != nil || sinkErr != nil {
				return err
			}
			notRead(path, err)
			continue
		}
		res := &dataset.IngestResult{Path: path, Format: src.Format, Kind: src.Kind, Report: rep}
		why := ""
		switch {
		case dataset.NoDataRows(rep):
			// The rule ingest applies: a file without data rows (or with
			// Wi-Fi tests alone) is refused.
			why = fmt.Sprintf("%v (%s)", dataset.ErrNoDataRows, dataset.OnlyHeader(rep.BlankRows, rep.NotCellular()))
			refused = append(refused, fmt.Sprintf("%s: %s", path, why))
		case rep.RejectShare() > in.maxRejectShare:
			why = fmt.Sprintf("%.2f%% rejected, above --max-reject-share %.2f%%", 100*rep.RejectShare(), 100*in.maxRejectShare)
			refused = append(refused, fmt.Sprintf("%s (%.2f%% rejected)", path, 100*rep.RejectShare()))
		}
		if *asJSON || *reportPath != "" {
			// Each file's verdict, so that a script knows which file made
			// the exit code 3 without redoing the rule.
			r := dataset.ReportJSON(res).(map[string]any)
			r["verdict"] = "accepted"
			if why != "" {
				r["verdict"], r["refused_why"] = "refused", why
			}
			reports = append(reports, r)
		}
		if !*asJSON {
			printReport(e, res, shown, elapsed, "--quarantine FILE writes them all")
		}
		if qdir != "" {
			if err := closeQuarantine(filepath.Join(qdir, quarantineName(path))); err != nil {
				return err
			}
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(reports, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b)
	}
	if *reportPath != "" {
		if err := writeSingle(*reportPath, reports); err != nil {
			return err
		}
	}
	if qw != nil {
		if err := closeQuarantine(*quarantine); err != nil {
			return err
		}
	}
	notTaken := len(failed) + len(refused)
	if len(refused) > 0 {
		err := refusedError{fmt.Errorf("refused (no data rows, or rejected-row share above --max-reject-share %.2f%%): %s", 100*in.maxRejectShare, strings.Join(refused, "; "))}
		if len(failed) == 0 {
			return err
		}
		failed = append(failed, err)
	}
	if len(files) == 1 && len(failed) == 1 {
		return failed[0]
	}
	if len(failed) > 0 {
		return filesError{errs: failed, notTaken: notTaken, total: len(files)}
	}
	return nil
}

// checkValidateOutputs refuses, as a usage error and before anything is
// written, a --quarantine or --report file that would replace an input
// (the same file under any spelling or link: a --quarantine taken for a
// switch, "validate --quarantine dump_a.csv dump_b.csv", would replace
// dump_a.csv), the two naming one file, and an existing file that is not
// a quarantine or a report lomsong wrote: validate replaces its own
// earlier outputs (and an empty file), never a user's other file. With
// --quarantine DIR the files checked are DIR/<input file name>.quarantine.csv.
// validateTargetsWritable refuses, before any file is read, a
// --quarantine or --report whose folder the user may not write in (a
// read-only file system, another user's folder), naming the flag and the
// folder; the quarantine said "open DIR/.q.csv.tmp-NNN: permission
// denied" after reading every input, naming a temporary file. A
// --quarantine that is a folder (existing, or ending in /) is that
// folder; a file is written in its folder.
func validateTargetsWritable(quarantine, report string) error {
	if q := quarantine; q != "" {
		dir := filepath.Dir(q)
		if st, err := os.Stat(q); os.IsPathSeparator(q[len(q)-1]) || (err == nil && st.IsDir()) {
			dir = q
		}
		if err := folderUsable("validate", "quarantine", q, dir, "the rejected rows"); err != nil {
			return err
		}
	}
	if report != "" {
		return folderUsable("validate", "report", report, filepath.Dir(report), "the report")
	}
	return nil
}

func checkValidateOutputs(files []string, quarantine, report string) error {
	type output struct {
		flag, path, what string
		ours             func(io.Reader) bool
	}
	var outs []output
	if quarantine != "" {
		qdir := os.IsPathSeparator(quarantine[len(quarantine)-1])
		if st, err := os.Stat(quarantine); err == nil && st.IsDir() {
			qdir = true
		}
		if qdir {
			for _, p := range files {
				outs = append(outs, output{"--quarantine", filepath.Join(quarantine, quarantineName(p)), "a quarantine", isQuarantine})
			}
		} else {
			outs = append(outs, output{"--quarantine", quarantine, "a quarantine", isQuarantine})
		}
	}
	if report != "" {
		outs = append(outs, output{"--report", report, "a validation report", isValidationReport})
	}
	for _, o := range outs {
		if o.flag == "--quarantine" && report != "" && samePath(o.path, report) {
			return usageError{fmt.Sprintf("validate: --report %s and --quarantine write the same file %s: give each a file of its own", shellQuote(report), shellQuote(o.path))}
		}
		for _, in := range files {
			if samePath(o.path, in) {
				what, eg := "the rejected rows", "a new file (e.g. --quarantine rejected.csv) or a directory"
				if o.flag == "--report" {
					what, eg = "the report", "a new file (e.g. --report report.json)"
				}
				same := ""
				if o.path != in {
					same = " (" + shellQuote(in) + ")"
				}
				return usageError{fmt.Sprintf("validate: %s %s is one of the input files%s: writing %s there would replace it. Give %s %s; nothing was written",
					o.flag, shellQuote(o.path), same, what, o.flag, eg)}
			}
		}
		st, err := os.Stat(o.path)
		if err != nil {
			continue // a new file (an unreadable path fails when written)
		}
		if st.IsDir() {
			return usageError{fmt.Sprintf("validate: %s %s is a directory: give a file", o.flag, shellQuote(o.path))}
		}
		f, err := os.Open(o.path)
		if err != nil {
			return err
		}
		ours := o.ours(f)
		f.Close()
		if !ours {
			eg := "--quarantine rejected.csv"
			if o.flag == "--report" {
				eg = "--report report.json"
			}
			return usageError{fmt.Sprintf("validate: %s %s exists and is not %s lomsong wrote: it is not replaced (%s takes the file to write to, e.g. %s); move it, or give another file name; nothing was written",
				o.flag, shellQuote(o.path), o.what, o.flag, eg)}
		}
	}
	return nil
}

// samePath reports whether a and b name the same file: the same file on
// disk (os.SameFile: another spelling, a hard or symbolic link), or the
// same absolute path when either does not exist yet.
func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// isQuarantine reports whether r holds a quarantine lomsong wrote (its
// first line is ingest.QuarantineHeader), or nothing.
func isQuarantine(r io.Reader) bool {
	want := strings.Join(ingest.QuarantineHeader, ",")
	head := make([]byte, len(want)+1)
	n, _ := io.ReadFull(r, head)
	if n == 0 {
		return true
	}
	rest, ok := strings.CutPrefix(string(head[:n]), want)
	return ok && (rest == "" || rest[0] == '\n' || rest[0] == '\r')
}

// maxReportCheckBytes caps what isValidationReport reads of an existing
// file (a report is about 2 KB per input).
const maxReportCheckBytes = 256 << 20

// isValidationReport reports whether r holds a report validate wrote
// (--report, or --json's output saved): a JSON array of objects, each with
// a "path" and its "counts" (or "rows_read", as earlier reports wrote
// them) or its "error"; or nothing.
func isValidationReport(r io.Reader) bool {
	br := bufio.NewReader(io.LimitReader(r, maxReportCheckBytes))
	if _, err := br.Peek(1); err == io.EOF {
		return true
	}
	dec := json.NewDecoder(br)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return false
	}
	for dec.More() {
		var e struct {
			Path     *string         `json:"path"`
			Counts   json.RawMessage `json:"counts"`
			RowsRead json.RawMessage `json:"rows_read"`
			Error    *string         `json:"error"`
		}
		if err := dec.Decode(&e); err != nil || e.Path == nil || e.Counts == nil && e.RowsRead == nil && e.Error == nil {
			return false
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return false
	}
	_, err := dec.Token()
	return err == io.EOF
}

// namedError renders a file's error as "PATH: WHAT: error": the error
// named by path as withPath names it (no path repeated, nor its base
// name), with what said after the path.
func namedError(path, what string, err error) string {
	msg := strings.TrimPrefix(withPath(path, err).Error(), path+": ")
	return path + ": " + what + ": " + msg
}

// quarantineName is the name of an input's quarantine file in a
// --quarantine directory.
func quarantineName(path string) string { return filepath.Base(path) + ".quarantine.csv" }

// printReport prints one file's counts, reasons and the shown rejected
// rows; hint says where the rest of the rejected rows are.
// modelHeights and modelBands say the base-station heights and the bands
// the propagation models take (predict.ModelHeightM, ModelBandMHz), as
// validate's report and plan's warning on proposed sites name them.
func modelHeights() string {
	return fmt.Sprintf("%g–%g m", predict.BaseHeightMinM, predict.BaseHeightMaxM)
}

func modelBands() string {
	return fmt.Sprintf("5G %g–%g MHz, other technologies up to %g MHz", predict.BandMinMHz5G, predict.BandMaxMHz, predict.BandMaxMHz)
}

func printReport(e *env, r *dataset.IngestResult, shown []ingest.Reject, elapsed time.Duration, hint string) {
	rep := r.Report
	rate := ""
	if s := elapsed.Seconds(); s > 0.5 {
		rate = fmt.Sprintf(" in %.1fs (%.0f rows/s)", s, float64(rep.RowsRead)/s)
	}
	share := fmt.Sprintf("%.2f%%", 100*rep.RejectShare())
	if n := rep.NotCellular(); n > 0 {
		// The share --max-reject-share is held to leaves them out.
		share = fmt.Sprintf("%s of the other rows; %s set aside", share, plural.Count(n, "Wi-Fi test", "Wi-Fi tests"))
		if n == rep.RowsRead {
			share = fmt.Sprintf("no other row; %s set aside", plural.Count(n, "Wi-Fi test", "Wi-Fi tests"))
		}
	}
	fmt.Fprintf(e.stdout, "%s [%s, %s]: %s read, %d accepted, %d rejected (%s)%s\n",
		r.Path, r.Format, r.Kind, plural.Count(rep.RowsRead, "row", "rows"), rep.Accepted, rep.Rejected, share, rate)
	for _, reason := range rep.Reasons() {
		fmt.Fprintf(e.stdout, "  %-16s %d\n", reason, rep.ByReason[reason])
	}
	if n := rep.NotCellular(); n > 0 {
		fmt.Fprintf(e.stdout, "  %s set aside: not mobile-network evidence (quarantined as %s; not counted toward --max-reject-share)\n",
			plural.Count(n, "Wi-Fi test", "Wi-Fi tests"), ingest.ReasonNotCellular)
	}
	if n := rep.BlankRows; n > 0 {
		fmt.Fprintf(e.stdout, "  %s skipped (empty lines, or delimiters alone as a spreadsheet writes after its data): no rows, not counted as read\n",
			plural.Count(n, "blank row", "blank rows"))
	}
	for _, line := range rep.UnmappedSummary() {
		fmt.Fprintf(e.stdout, "  unmapped values, %s: %s\n", line, rep.UnmappedAdvice)
	}
	if line := rep.TechNotAnalysedSummary(); line != "" {
		fmt.Fprintf(e.stdout, "  %s\n", line)
	}
	if rep.NaiveTimes > 0 {
		fmt.Fprintf(e.stdout, "  %s without offset read as %s\n", plural.Count(rep.NaiveTimes, "time", "times"), rep.Zone)
	}
	if line := rep.MidnightAdvice(); line != "" {
		fmt.Fprintf(e.stdout, "  warning: %s\n", line)
	}
	if rep.IdleSpeeds > 0 {
		fmt.Fprintf(e.stdout, "  %s with idle bitrates (no transfer running): kept, not counted as speed tests\n", plural.Count(rep.IdleSpeeds, "row", "rows"))
	}
	if n := rep.DeviceIDsWithheld; n > 0 {
		fmt.Fprintf(e.stdout, "  %s, which the contract forbids (%s; send pseudonyms)\n",
			plural.Count(n, "device_id withheld: it looked like a phone number or IMEI", "device_ids withheld: they looked like phone numbers or IMEIs"),
			plural.Noun(n, "its row kept without it", "rows kept without them"))
	}
	if n := rep.NoServiceWithoutTech; n > 0 {
		fmt.Fprintf(e.stdout, "  %s without a technology: stored as 4G (2G for feature phones), the highest technology the phone searches; a phone's no-service row bounds every technology it could camp on\n",
			plural.Count(n, "no-service row", "no-service rows"))
	}
	if line := otherCarriers(rep.OtherCarriers); line != "" {
		fmt.Fprintf(e.stdout, "  carriers lomsong does not know, kept under their own names: %s (%s)\n", line, rep.OtherCarriersAdvice)
	}
	if n := rep.OutsideVietNam; n > 0 {
		fmt.Fprintf(e.stdout, "  %d of %d accepted rows (%.1f%%) lie outside Viet Nam (its mainland, Hoàng Sa and Trường Sa): kept; if this is another country's file, do not ingest it, and --bounds FILE rejects points outside a polygon\n",
			n, rep.Accepted, 100*float64(n)/float64(rep.Accepted))
	}
	one, many := "site row", "site rows"
	if rep.Kind == ingest.KindCandidates {
		one, many = "candidate row", "candidate rows"
	}
	if n := rep.HeightsOutsideModel; n > 0 {
		fmt.Fprintf(e.stdout, "  %s with height_m outside the propagation models' %s: kept, predicted at the nearer bound\n",
			plural.Count(n, one, many), modelHeights())
	}
	if n := rep.BandsOutsideModel; n > 0 {
		fmt.Fprintf(e.stdout, "  %s with band_mhz outside the propagation models' range (%s): kept, predicted at the nearer bound\n",
			plural.Count(n, one, many), modelBands())
	}
	if n := rep.EIRPImplausible; n > 0 {
		fmt.Fprintf(e.stdout, "  %s with eirp_dbm above %g dBm (%.1f kW), more than any cell site radiates: kept as given; check the unit and the value (such a mast outshines its neighbours in every prediction)\n",
			plural.Count(n, "site row", "site rows"), float64(ingest.MaxPlausibleEIRPDBm), math.Pow(10, ingest.MaxPlausibleEIRPDBm/10.0)/1e6)
	}
	if n := rep.SiteIDsApart; n > 0 {
		fmt.Fprintf(e.stdout, "  warning: %s of one carrier at positions more than %g m apart (one mast's sectors stand together): kept, and taken as separate masts; check the register for mistyped or reused ids: %s\n",
			plural.Count(n, "site id", "site ids"), float64(predict.MastSpreadM), strings.Join(rep.SiteIDsApartExamples, "; "))
	}
	if n := len(rep.IgnoredColumns); n > 0 {
		cols, more := rep.IgnoredColumns, ""
		if n > 40 {
			cols, more = cols[:40], fmt.Sprintf(" and %d more", n-40)
		}
		// Quoted: a name may hold spaces or commas ("Toc do (Mbps)"), and
		// an unnamed column (a spreadsheet's trailing empty cells) is "".
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = strconv.Quote(c)
		}
		fmt.Fprintf(e.stdout, "  ignored columns (not in the contract, or a name repeated after the column read; map them with --mapping if they hold contract data): %s%s\n", strings.Join(quoted, ", "), more)
	}
	if rep.DedupStoppedAtLine > 0 {
		fmt.Fprintf(e.stdout, "  duplicate detection stopped at line %d (memory cap reached)\n", rep.DedupStoppedAtLine)
	}
	for _, q := range shown {
		fmt.Fprintf(e.stdout, "  line %d, column %q, value %s: %s (%s)\n", q.Line, q.Column, q.QuotedValue(), q.Reason, q.Detail)
	}
	if int64(len(shown)) < rep.Rejected && hint != "" {
		fmt.Fprintf(e.stdout, "  … %s (%s)\n", plural.Count(rep.Rejected-int64(len(shown)), "more rejected row", "more rejected rows"), hint)
	}
}

// suggestMappings prints one suggested mapping (JSON) per file on stdout,
// and on stderr what could not be settled. It returns a refusedError
// (exit 3) when a file's suggestion lacks a required column: the JSON is
// then incomplete and would not ingest as it is.
func suggestMappings(files []string, kind ingest.Kind, lim ingest.Limits, e *env) error {
	var incomplete []string
	for _, path := range files {
		src, err := dataset.OpenSource(path, kind, nil, lim)
		encoding := ""
		if errors.Is(err, ingest.ErrHeaderNotUTF8) {
			// Excel's "CSV" on a Vietnamese Windows is Windows-1258, unless
			// the names read as Vietnamese in TCVN3 or VNI, the legacy
			// fonts' encodings: read so, and say it, with the names it
			// gives to check.
			encoding = ingest.EncodingWindows1258
			var he *ingest.HeaderNotUTF8Error
			if errors.As(err, &he) && he.Encoding != "" {
				encoding = he.Encoding
			}
			src, err = dataset.OpenSource(path, kind, &ingest.Mapping{Encoding: encoding}, lim)
		}
		if err != nil {
			return err
		}
		header := src.Records.Header()
		k := src.Kind
		var samples [][]string
		held := 0
		for len(samples) < ingest.MaxSuggestSamples && held < ingest.MaxSuggestSampleBytes && src.Records.Next() {
			if rec := src.Records.Record(); rec != nil {
				samples = append(samples, slices.Clone(rec))
				for _, f := range rec {
					held += len(f) + 16
				}
			}
		}
		err = src.Records.Err()
		src.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		// A header in ASCII over values that are not UTF-8 (a village
		// list's names in TCVN3): the values tell the encoding.
		valuesEnc, valuesRead := "", []string(nil)
		if encoding == "" {
			valuesEnc, valuesRead = ingest.SamplesEncoding(samples)
		}
		if len(header) > ingest.MaxSuggestColumns {
			fmt.Fprintf(e.stderr, "%s: the header has %d columns; only the first %d are considered\n", path, len(header), ingest.MaxSuggestColumns)
		}
		sg := ingest.Suggest(k, header, samples)
		const otherEncodings = `Windows-1258, TCVN3 and VNI can read the same bytes as other letters: if these are wrong, give another "encoding", "windows-1258", "tcvn3" or "vni", or re-save the file as UTF-8`
		if encoding != "" {
			sg.Mapping.Encoding = encoding
			sg.Notes = append([]string{fmt.Sprintf("encoding: the header is not UTF-8; read as %s, its names are %s: check them (%s)",
				ingest.LegacyEncodingName(encoding), quotedList(firstN(header, 6)), otherEncodings)}, sg.Notes...)
		} else if valuesEnc != "" {
			encoding = valuesEnc
			sg.Mapping.Encoding = encoding
			sg.Notes = append([]string{fmt.Sprintf("encoding: values of the sampled rows are not UTF-8 and read as %s text, %s: check them (%s)",
				ingest.LegacyEncodingName(encoding), quotedList(firstN(valuesRead, 4)), otherEncodings)}, sg.Notes...)
		}
		if k.IsArg() {
			// A command's own table (claims, candidates) is read without a
			// mapping: the suggestion is the header to write.
			if why := argTableRenames(k, header, sg, encoding); why != "" {
				fmt.Fprintf(e.stderr, "%s: %s\n", path, why)
				incomplete = append(incomplete, fmt.Sprintf("%s (a %s table is read without a mapping: rename its columns)", path, k))
			} else {
				fmt.Fprintf(e.stderr, "%s: a %s table whose header names the contract's columns: it needs no mapping (lomsong validate --kind %s %s checks its rows)\n", path, k, k, path)
			}
			continue
		}
		if kind == "" && k == ingest.KindMeasurements && len(sg.Missing) > 0 {
			// Detected as measurements only for want of a better guess: a
			// register in its own layout (no time or signal, but azimuth,
			// tilt, EIRP, height) is complete as sites.
			if alt := ingest.Suggest(ingest.KindSites, header, samples); len(alt.Missing) == 0 {
				k, sg = ingest.KindSites, alt
				fmt.Fprintf(e.stderr, "%s: read as a site register: its columns map onto the sites contract, not onto measurements; give --kind to choose\n", path)
			}
		}
		// A mapping (or a preset) is tried on the sampled rows: one that
		// accepts none of them does not read the file, whatever its
		// columns (a time of day without a date, a status column of
		// dashes read as the speed-test flag).
		cfg := ingest.Defaults(filepath.Base(path), e.now())
		cfg.Limits = lim
		try := func(m *ingest.Mapping) (ok bool, why string) {
			if len(samples) == 0 {
				return true, ""
			}
			acc, reasons, first, err := ingest.TrySample(context.Background(), k, header, samples, m, cfg)
			if err != nil {
				return false, err.Error()
			}
			if acc > 0 {
				return true, ""
			}
			why = fmt.Sprintf("rejects all %d sampled rows (%s", len(samples), reasons[0])
			if first != nil {
				why += fmt.Sprintf("; first: line %d, column %q, value %s: %s", first.Line, first.Column, first.QuotedValue(), first.Detail)
			}
			return false, why + ")"
		}
		mapOK, mapWhy := true, ""
		if len(sg.Missing) == 0 {
			mapOK, mapWhy = try(sg.Mapping)
		}
		if sg.Preset != "" && len(sg.PresetIgnores) > 0 {
			// The preset would leave unread a column the suggestion reads
			// (a service column, the no-service tests): not recommended.
			fmt.Fprintf(e.stderr, "%s: the header looks like the %s export layout, but --preset %s would ignore %s, which the suggested mapping reads: use the mapping\n",
				path, sg.Preset, sg.Preset, quotedList(sg.PresetIgnores))
		} else if sg.Preset != "" && encoding != "" {
			fmt.Fprintf(e.stderr, "%s: the header is the %s export layout, in %s: --preset %s reads UTF-8 only; use the suggested mapping, which says its encoding\n", path, sg.Preset, encoding, sg.Preset)
		} else if sg.Preset != "" {
			pm, err := ingest.Preset(sg.Preset)
			if err != nil {
				return err
			}
			presetOK, why := try(pm)
			if presetOK {
				fmt.Fprintf(e.stderr, "%s: the header is the %s export layout: --preset %s reads it as documented\n", path, sg.Preset, sg.Preset)
			} else {
				fmt.Fprintf(e.stderr, "%s: the header looks like the %s export layout, but --preset %s %s\n", path, sg.Preset, sg.Preset, why)
			}
			if presetOK && !mapOK {
				// The samples contradict what was inferred beyond the
				// preset: the preset's own mapping is the suggestion.
				fmt.Fprintf(e.stderr, "%s: the mapping inferred beyond the preset %s: the preset's own mapping is printed\n", path, mapWhy)
				sg.Mapping, mapOK = pm, true
			}
		}
		e.stdout.Write(sg.Mapping.JSON())
		for _, n := range sg.Notes {
			fmt.Fprintf(e.stderr, "%s: %s\n", path, n)
		}
		if len(sg.Missing) > 0 {
			fmt.Fprintf(e.stderr, "%s: no column found for required %v: add them to \"columns\", or give a value in \"constants\" (e.g. {\"carrier\": \"viettel\"})\n", path, sg.Missing)
			incomplete = append(incomplete, fmt.Sprintf("%s (required columns unmapped: %s)", path, strings.Join(sg.Missing, ", ")))
		} else if !mapOK {
			fmt.Fprintf(e.stderr, "%s: the suggested mapping %s: edit it before ingesting\n", path, mapWhy)
			incomplete = append(incomplete, fmt.Sprintf("%s (the mapping %s)", path, mapWhy))
		} else if len(samples) == 0 {
			// A header alone: the mapping is from the column names, its
			// units, spellings and time formats tried on no row. validate
			// refuses such a file too ("no data rows").
			fmt.Fprintf(e.stderr, "%s: no data rows (only a header): the mapping is from the column names alone, its units, spellings and formats checked against no row; suggest it from a file with rows\n", path)
			incomplete = append(incomplete, fmt.Sprintf("%s (no data rows: the mapping checked against no row)", path))
		}
	}
	if len(incomplete) > 0 {
		return refusedError{fmt.Errorf("suggested mapping incomplete: %s", strings.Join(incomplete, "; "))}
	}
	return nil
}

// argTableRenames says how to rename the header of a command's own table
// (claims, candidates), which is read without a mapping, from the
// suggestion's columns; "" when its header already names them.
func argTableRenames(k ingest.Kind, header []string, sg *ingest.Suggestion, encoding string) string {
	var renames []string
	for _, src := range header {
		dst, ok := sg.Mapping.Columns[src]
		if ok && !strings.EqualFold(strings.TrimSpace(src), dst) {
			renames = append(renames, fmt.Sprintf("%q → %s", src, dst))
		}
	}
	var parts []string
	if len(renames) > 0 {
		parts = append(parts, "rename its header's columns: "+strings.Join(renames, ", "))
	}
	if len(sg.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("no column found for %s: add %s", strings.Join(sg.Missing, ", "), plural.Noun(len(sg.Missing), "it", "them")))
	}
	if encoding != "" {
		parts = append(parts, fmt.Sprintf("re-save it as UTF-8 (it reads as %s)", ingest.LegacyEncodingName(encoding)))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("a %s table is read without a mapping (no --mapping takes it): %s", k, strings.Join(parts, "; "))
}

// quotedList quotes names and joins them with commas.
func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// notDirectories refuses an input path that is a directory (a usage
// error: the files in it were meant), which would otherwise be read as an
// empty input.
func notDirectories(cmd string, files []string) error {
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.IsDir() {
			// The example is for pasting: the directory quoted for the
			// shell, the pattern not.
			dir := filepath.Clean(f)
			if !os.IsPathSeparator(dir[len(dir)-1]) {
				dir += string(filepath.Separator)
			}
			return usageError{fmt.Sprintf("%s: %s is a directory; give the files in it (e.g. %s*.csv)", cmd, shellQuote(f), shellQuote(dir))}
		}
	}
	return nil
}

// otherCarriers lists a report's carriers lomsong does not know by name
// with their rows, most rows first (ties by name).
func otherCarriers(m map[engine.Carrier]int64) string {
	cs := slices.Collect(maps.Keys(m))
	slices.SortFunc(cs, func(a, b engine.Carrier) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (%s)", c, plural.Count(m[c], "row", "rows"))
	}
	return strings.Join(parts, ", ")
}
