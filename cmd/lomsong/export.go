package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/export/postgis"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/lomsong/lomsong/internal/shellquote"
)

const exportSynopsis = `export --dataset DIR --period YYYY-MM --format gpkg|geoparquet|postgis --out TARGET [flags]

Writes a month's results in formats GIS tools open directly, with hex and
zone polygons, village, site and plan points, province and commune names
beside their codes, households as whole numbers (exact totals in the
metadata) and money in whole đồng. The layers (docs/exports.md lists their
columns):

  coverage_hex      state per H3 hex × carrier × technology, with source and evidence
  coverage_best     best 3G/4G/5G state per hex, households, dead-zone flag, p_dead
                    (uncovered in a dead zone, whatever the coverage predicted)
  hexes             populated hexes with p_dead, status, dead zone and the
                    households it counts
  deadzones         dead-zone outlines with households without 3G/4G, area,
                    province, commune, villages and how many of them are served
                    (and of those, how many on an uncertain verdict)
  villages          village points with level (covered, 2g-only, no-signal,
                    uncertain), status, p_dead, best carrier/tech with its mean
                    and σ, commune and province
  sites             the site register (one point per sector and technology)
  plan              funded sites of the investment plan (--budget, priced with
                    the cost model, --costs changing its figures as in lomsong
                    plan) with rank and cost
  communes_summary  per commune: villages without signal and uncertain ones
                    (counted as served), their households, dead-zone households
                    (commune polygons with --communes)

--format gpkg        one OGC GeoPackage 1.3 file (--out F.gpkg), an R-tree index
                     per layer, QGIS styles for the state classes; an earlier
                     export at F is replaced whole; any other file (your own
                     GeoPackage, an export you added layers to) is refused
--format geoparquet  one GeoParquet 1.1 file per layer in --out DIR, replaced as a
                     set; a layer changed since the export wrote it (its size
                     and SHA-256 are recorded in DIR/.lomsong-geoparquet.json)
                     is refused: move it away, or choose another --out
--format postgis     --out postgres://…: one schema per release (lomsong_YYYY_MM,
                     _p<code> for --province) replaced in one transaction, GiST
                     indexes, a view per province and layer; the grants on the
                     schema and its tables are kept; a release that holds or
                     feeds your own tables, views or keys is refused

The month is read from the outputs lomsong run saved in the dataset
(DIR/stages/period=YYYY-MM), with the same options (and calibration:
DIR/calibration.json when it exists, or --calibration): after lomsong run
the export reads no measurement. A stage not saved, or saved from inputs
or options that have since changed, is computed and saved as lomsong run
would; stderr says which stages were read back and which computed. With
--read-only nothing is computed or saved: a month lomsong run has not
saved is refused (exit 3) with the lomsong run command that saves it.`

const exportExample = `  lomsong export --dataset lomsong-demo/dataset --province "lai chau" --period 2024-10 --format gpkg --out lomsong-demo/export/lomsong-2024-10.gpkg
  lomsong export --dataset ./ds --period 2026-10 --communes ../shared/data/vn_communes_2025.geojson --format geoparquet --out ./geoparquet
  lomsong export --dataset ./ds --period 2026-10 --format postgis --out 'postgres:///gis?host=/var/run/postgresql'`

func runExport(ctx context.Context, args []string, e *env) error {
	fs := newFlags("export", exportSynopsis, exportExample, e)
	var cf coverageFlags
	cf.register(fs)
	var period periodFlag
	fs.Var(&period, "period", "the `month` to export (YYYY-MM)")
	format := fs.String("format", "", "output `format`: gpkg, geoparquet or postgis")
	out := fs.String("out", "", "`target`: a .gpkg file, a folder (geoparquet) or a postgres:// connection string")
	communes, communeParent := registerCommunes(fs, "GeoJSON `file` of communes (e.g. ../shared/data/vn_communes_2025.geojson): commune names, attribution and the communes_summary polygons")
	budget := vndVar(fs, "budget", 500e9, "investment plan budget in `VND`")
	costs := fs.String("costs", "", costsUsage)
	readOnly := fs.Bool("read-only", false, "only read the month's saved outputs (lomsong run): refuse, computing and saving nothing, when they are not saved or not current")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if !period.set || *out == "" || *format == "" {
		fs.Usage()
		return requiredFlags("export", flagNeed{"--period YYYY-MM", !period.set}, flagNeed{"--format gpkg|geoparquet|postgis", *format == ""}, flagNeed{"--out", *out == ""})
	}
	// The files the export reads besides the dataset: none may be one of
	// the files it writes.
	exportInputs := []string{cf.population, cf.calibration, cf.bounds.boundaries, *communes}
	switch *format {
	case "gpkg":
		if !strings.HasSuffix(strings.ToLower(*out), ".gpkg") {
			return usageError{fmt.Sprintf("export: --format gpkg writes a .gpkg file; --out %q does not end in .gpkg", *out)}
		}
		if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
			return usageError{fmt.Sprintf("export: --out %s is a directory; --format gpkg wants the path of the .gpkg file to write", *out)}
		}
		if err := outOutsideDataset("export", *out, cf.dataset); err != nil {
			return err
		}
		if err := exportFolderWritable(*out, filepath.Dir(*out)); err != nil {
			return err
		}
		if err := replaceableGeoPackage(ctx, *out); err != nil {
			return err
		}
	case "geoparquet":
		if fi, err := os.Stat(*out); err == nil && !fi.IsDir() {
			return usageError{fmt.Sprintf("export: --out %s is a file; --format geoparquet writes a folder of .parquet files", *out)}
		}
		if err := outOutsideDataset("export", *out, cf.dataset); err != nil {
			return err
		}
		if err := exportFolderWritable(*out, *out); err != nil {
			return err
		}
		if err := geoParquetFree(*out, exportInputs...); err != nil {
			return err
		}
	case "postgis":
		if !strings.HasPrefix(*out, "postgres://") && !strings.HasPrefix(*out, "postgresql://") && !strings.Contains(*out, "=") {
			return usageError{fmt.Sprintf("export: --format postgis wants --out postgres://… (or key=value connection settings), got %q", redactPassword(*out))}
		}
		if err := postgis.CheckConnString(*out); err != nil {
			return usageError{fmt.Sprintf("export: --out %q: not PostgreSQL connection settings: %s", redactPassword(*out), redactPassword(err.Error()))}
		}
		// The database is reached, has PostGIS, and the role may write the
		// release schema, before the month is computed for it.
		meta := export.Meta{Period: period.p.String()}
		if cf.province != "" {
			// The release's schema is named by the province's code, which
			// the boundaries give.
			if err := inputFilesReadable(fs); err != nil {
				return err
			}
			provinces, err := cf.bounds.load()
			if err != nil {
				return err
			}
			unit, err := lookupAreaProvince(provinces, cf.province)
			if err != nil {
				return err
			}
			meta.Province = unit.Code
		}
		schema, err := postgis.SchemaName(meta)
		if err != nil {
			return err
		}
		if err := postgis.CheckRelease(ctx, *out, schema); err != nil {
			return err
		}
	default:
		return usageError{fmt.Sprintf("export: --format %q: want gpkg, geoparquet or postgis", *format)}
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	if err := budgetFlag("export", *budget); err != nil {
		return err
	}
	costModel, err := planCosts(e, *costs)
	if err != nil {
		return err
	}
	var communeSet *geodata.BoundarySet
	if *communes != "" {
		var err error
		provinces, err := cf.bounds.load()
		if err != nil {
			return err
		}
		if communeSet, err = loadCommunes(e, *communes, *communeParent, provinces); err != nil {
			return err
		}
	}
	start := time.Now()
	m, how, err := loadMonth(ctx, e, &cf, period.p, communeSet, *budget, costModel, *readOnly, savingRunCommand(&cf, period.p, *communes, *communeParent))
	if err != nil {
		return err
	}
	if communeSet != nil {
		// As lomsong deadzones: a commune file that gives no village a
		// commune (another province's communes) makes every commune
		// figure empty.
		places := make([]deadzone.PlaceAdmin, len(m.Villages))
		for i, v := range m.Villages {
			places[i] = deadzone.PlaceAdmin{Province: v.Province, Commune: v.Commune}
		}
		if err := communesRefused(deadzone.CheckCommunes(places, communeSet).Err(), *communes); err != nil {
			return err
		}
	}
	// The stages' outputs the month was built from are garbage now, and
	// the month's rows once the layers are built (only its metadata is
	// read below): collecting at each of these two points sets the
	// collector's next target from what is live after it, not from both
	// sets at once; the layers are then written in a write phase
	// (writePhase). The country month: peak RSS 1,228-1,253 -> 981-999
	// MiB, the same wall time, 1.4 CPU s more.
	runtime.GC()
	layers, err := export.Layers(m)
	if err != nil {
		return err
	}
	meta, noPlan, overBudget := m.Meta, m.NoPlan, m.OverBudget
	defer writePhase()()
	computed := time.Since(start)
	start = time.Now()
	var where string
	switch *format {
	case "gpkg":
		dir, name := filepath.Dir(*out), filepath.Base(*out)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		// One export into a file at a time; the temporary files of an
		// earlier one killed before its rename are removed.
		unlock, err := lockSet(dir, name)
		if err != nil {
			return err
		}
		defer unlock()
		if err := removeFileTemps(dir, []string{name}); err != nil {
			return err
		}
		prev, statErr := os.Stat(*out)
		replaced := statErr == nil
		held := heldExport(ctx, *out, meta)
		t0 := time.Now()
		progress := func(layer string, features int) {
			fmt.Fprintf(e.stderr, "export: writing %s (%s, at %.1fs)\n", layer, plural.Count(features, "feature", "features"), time.Since(t0).Seconds())
		}
		if err := export.WriteGeoPackageProgress(ctx, *out, layers, meta, progress); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return keptFileError(*out, "GeoPackage", prev, err)
		}
		st, err := os.Stat(*out)
		if err != nil {
			return err
		}
		where = fmt.Sprintf("%s (%.1f MB)", *out, float64(st.Size())/1e6)
		if replaced {
			where += ", replacing the GeoPackage that was there" + held
		}
	case "geoparquet":
		held := heldExport(ctx, filepath.Join(*out, "villages.parquet"), meta)
		t0 := time.Now()
		progress := func(layer string, features int) {
			fmt.Fprintf(e.stderr, "export: writing %s (%s, at %.1fs)\n", layer, plural.Count(features, "feature", "features"), time.Since(t0).Seconds())
		}
		if err := writeGuardedSet(ctx, *out, "geoparquet", geoParquetGuard, func(stage string) error {
			return export.WriteGeoParquetProgress(ctx, stage, layers, meta, progress)
		}, exportInputs...); err != nil {
			return err
		}
		var size int64
		for _, l := range layers {
			if st, err := os.Stat(filepath.Join(*out, l.Name+".parquet")); err == nil {
				size += st.Size()
			}
		}
		where = fmt.Sprintf("%s/{%s}.parquet (%.1f MB)", *out, strings.Join(export.LayerNames, ","), float64(size)/1e6)
		if held != "" {
			where += ", replacing the layers that were there" + held
		}
	case "postgis":
		st, err := postgis.Write(ctx, *out, layers, meta)
		if errors.Is(err, export.ErrNotReplaceable) {
			return usageError{fmt.Sprintf("export: %v", err)}
		}
		if err != nil {
			return err
		}
		where = fmt.Sprintf("schema %s (%d tables, %d province views)", st.Schema, len(st.Rows), st.Views)
		if st.Replaced != nil {
			where += ", " + st.Replaced.Summary(meta)
		}
	}
	for _, l := range layers {
		fmt.Fprintf(e.stdout, "  %-17s %8d %s\n", l.Name, l.Len(), strings.ToLower(string(l.Geometry)))
	}
	if noPlan != "" {
		fmt.Fprintf(e.stdout, "plan: no site funded: %s", noPlan)
		if overBudget {
			fmt.Fprintf(e.stdout, "; raise --budget (lomsong plan lists the candidates and their costs)")
		}
		fmt.Fprintln(e.stdout)
	}
	fmt.Fprintf(e.stdout, "exported %s to %s: %s in %.1fs, written in %.1fs\n", meta.Period, where, how, computed.Seconds(), time.Since(start).Seconds())
	return nil
}

// loadMonth reads the month to export, its dead zones and the plan over
// them, through the month's saved stages: pipeline.Run with lomsong run's
// options (monthRunOptions), so that what lomsong run saved is read back
// with no pass over the measurements, and a stage not saved or not current
// is computed and saved as lomsong run would. With readOnly nothing is
// computed: a month whose dead zones are not saved is refused, naming the
// command (run) that saves them; a plan not saved for this budget is
// computed for the export from the saved dead zones and not saved. It
// says on stderr which stages were read back and which computed, and
// returns the month and a phrase for the summary line. It is the one
// place that decides where an export's results come from.
func loadMonth(ctx context.Context, e *env, cf *coverageFlags, p penetration.Period, communes *geodata.BoundarySet, budget float64, costs plan.Costs, readOnly bool, run string) (*export.Month, string, error) {
	cf.period, cf.latestPeriod = periodFlag{p: p, set: true}, true
	store, copt, _, provinces, err := cf.prepare(e, false)
	var refused refusedError
	if errors.As(err, &refused) {
		return nil, "", refusedError{fmt.Errorf("export: nothing to export for %s: %w", p, refused.err)}
	}
	if err != nil {
		return nil, "", err
	}
	if len(copt.Population) == 0 {
		return nil, "", refusedError{fmt.Errorf("export: nothing to export for %s: no households per hex (no population or villages table)", p)}
	}
	opt := monthRunOptions(p.String(), copt, provinces, communes, budget, costs)
	// No layer holds the challenges: no claim to adjudicate (every
	// predicted key of the country takes seconds and ~100 MB).
	opt.DeadZones.Claims = []challenge.Claim{}
	opt.ReadOnly = readOnly
	if !readOnly {
		opt.Progress = newRunProgress(e.stderr).report
	}
	sum, err := pipeline.Run(ctx, store, opt)
	var ns *pipeline.NotSavedError
	var nd *pipeline.NoPeriodDataError
	planOnly := false
	switch {
	case errors.As(err, &nd):
		return nil, "", refusedError{fmt.Errorf("export: nothing to export for %s: %w", p, err)}
	case errors.As(err, &ns) && ns.Stage == pipeline.StagePlan:
		// The dead zones are saved; the plan of this budget and
		// these costs is not. It
		// reads no measurement: compute it for this export only.
		planOnly = true
		po := *opt.Plan
		opt.Plan = nil
		if sum, err = pipeline.Run(ctx, store, opt); err != nil {
			return nil, "", err
		}
		if sum.Plan, err = pipeline.Plan(sum.DeadZones, sum.DeadZones.Coverage.Sites, po); err != nil {
			return nil, "", err
		}
	case errors.As(err, &ns):
		return nil, "", refusedError{fmt.Errorf("export: --read-only: %s is not saved in %s (stage %s: %s); save it first with: %s (or export without --read-only, which computes and saves it)",
			p, cf.dataset, ns.Stage, ns.Why, run)}
	case err != nil:
		return nil, "", err
	}
	var read, current, computed []string
	for _, s := range sum.Stages {
		name := s.Stage
		if s.Carrier != "" {
			name += " " + s.Carrier
		}
		switch {
		case s.Missing:
			current = append(current, name+" (its saved output missing)")
		case s.NotRead:
			current = append(current, name)
		case s.Reused:
			read = append(read, name)
		default:
			computed = append(computed, fmt.Sprintf("%s (%s)", name, s.Why))
		}
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "none"
		}
		return strings.Join(xs, ", ")
	}
	unsaved, stages := "", len(read)+len(current)+len(computed)
	if planOnly {
		unsaved = "; computed for this export only (--read-only saves nothing): plan (no saved plan of this budget and costs)"
		stages++
	}
	notNeeded, notNeededCount := "", ""
	if len(current) > 0 {
		notNeeded = "; current and not needed: " + list(current)
		notNeededCount = fmt.Sprintf(" (%d current and not needed)", len(current))
	}
	fmt.Fprintf(e.stderr, "export %s: read back: %s%s; computed and saved: %s%s; %s over %s\n",
		p, list(read), notNeeded, list(computed), unsaved, plural.Count(sum.Scans.Scans, "pass", "passes"), plural.Count(sum.Scans.Rows, "measurement row", "measurement rows"))
	how := fmt.Sprintf("%d of %s read back%s, %s over the measurements,", len(read), plural.Count(stages, "stage", "stages"), notNeededCount, plural.Count(sum.Scans.Scans, "pass", "passes"))
	meta, err := cf.outputMeta(e)
	if err != nil {
		return nil, "", err
	}
	meta.Period, meta.Resolution = p.String(), cf.res
	meta.Province = cf.provinceCode
	m, err := export.Build(export.Input{DeadZones: sum.DeadZones, Plan: sum.Plan, Provinces: provinces, Communes: communes, Meta: meta,
		OffAir: copt.OffAir})
	return m, how, err
}

// savingRunCommand is the lomsong run command line that saves the month an
// export with these flags reads: the flags that enter the saved stages'
// keys.
func savingRunCommand(cf *coverageFlags, p penetration.Period, communes, communeParent string) string {
	args := []string{"lomsong run --dataset", shellQuote(cf.dataset), "--period", p.String()}
	if b := cf.bounds.boundaries; b != "" && b != "provinces2025" {
		args = append(args, "--boundaries", shellQuote(b))
	}
	if cf.province != "" {
		args = append(args, "--province", shellQuote(cf.province))
	}
	if cf.res != 8 {
		args = append(args, "--res", strconv.Itoa(cf.res))
	}
	if cf.population != "" {
		args = append(args, "--population", shellQuote(cf.population))
	}
	if cf.calibration != "" {
		args = append(args, "--calibration", shellQuote(cf.calibration))
	}
	if communes != "" {
		args = append(args, "--communes", shellQuote(communes))
		if communeParent != "provinceCode" {
			args = append(args, "--commune-parent-prop", shellQuote(communeParent))
		}
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string { return shellquote.Quote(s) }

// outputMeta is the provenance every output's metadata records: this
// build of lomsong, the dataset folder as an absolute path (the argument
// as typed, "ds" or "..", names nothing once the file is elsewhere, and
// would make the same month's files differ by the directory they were
// made from) and the SHA-256 of the dataset's manifest.
func outputMeta(w io.Writer, store *dataset.Store, periods []string) (export.Meta, error) {
	b := currentBuild()
	abs, err := filepath.Abs(store.Dir())
	if err != nil {
		return export.Meta{}, fmt.Errorf("dataset %s: %w", store.Dir(), err)
	}
	m := export.Meta{Version: b.Version, Commit: b.Commit, BuildDate: b.BuildDate, Dataset: abs, ManifestSHA256: store.ManifestSHA256()}
	// The outputs are of the manifest the command read: one another
	// process committed since (an ingest, retract or repair) is not in
	// them, nor named in their metadata (it was: tables of the dataset as
	// it was, under the new manifest's checksum).
	if changed, err := store.ChangedFor(periods); err != nil {
		return m, err
	} else if changed {
		fmt.Fprintf(w, "warning: %s changed while this command read it (an ingest, retract or repair was committed since it began): its outputs are of the dataset as it was, whose manifest (SHA-256 %s) their metadata names; run it again for the dataset as it is now\n",
			store.Dir(), m.ManifestSHA256)
	}
	return m, nil
}

// addProvenance records in a table's metadata (Parquet key-value
// metadata, or a JSON sidecar) the build and the manifest of the dataset
// the command read (outputMeta).
func addProvenance(w io.Writer, meta map[string]string, store *dataset.Store, periods []string) error {
	m, err := outputMeta(w, store, periods)
	if err != nil {
		return err
	}
	meta["lomsong.version"], meta["lomsong.commit"], meta["lomsong.build_date"] = m.Version, m.Commit, m.BuildDate
	meta["lomsong.dataset_manifest_sha256"] = m.ManifestSHA256
	return nil
}

// exportFiles lists the exports beside a report in folder out, for the
// report to link to: the GeoPackage (.gpkg) and GeoParquet (.parquet)
// files anywhere under OUT/export (export --out OUT/export, or
// OUT/export/geoparquet, or a folder of the user's choosing there) whose
// metadata holds the report's month (want: its period, province and
// resolution; export.Meta.Matches), a stale one marked as such. skipped
// says why each other file there is not linked (hidden files, such as an
// output set's list, aside).
func exportFiles(ctx context.Context, out string, want export.Meta) (files []report.File, skipped []string) {
	var found []string
	root := filepath.Join(out, "export")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			if p != root || !errors.Is(err, fs.ErrNotExist) {
				skipped = append(skipped, err.Error())
			}
			return nil
		case strings.HasPrefix(d.Name(), ".") && p != root:
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case d.IsDir():
			return nil
		}
		if ext := strings.ToLower(filepath.Ext(p)); ext == ".gpkg" || ext == ".parquet" {
			found = append(found, p)
		} else {
			rel, _ := filepath.Rel(out, p)
			skipped = append(skipped, filepath.ToSlash(rel)+": neither a GeoPackage (.gpkg) nor a GeoParquet (.parquet) file")
		}
		return nil
	})
	for _, p := range found {
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		got, err := export.ReadMeta(ctx, p)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		ok, stale, why := want.Matches(got)
		if !ok {
			skipped = append(skipped, fmt.Sprintf("%s: an export of %s, not of this report's", rel, why))
			continue
		}
		f := report.File{Name: filepath.Base(p), Href: rel,
			Text: "GeoPackage: every layer with its QGIS style (open it in QGIS: Layer → Add Layer → Add Vector Layer)"}
		if strings.EqualFold(filepath.Ext(p), ".parquet") {
			f.Text = "GeoParquet 1.1 layer " + strings.TrimSuffix(filepath.Base(p), ".parquet") + " (DuckDB, GeoPandas, QGIS)"
		}
		if stale {
			f.Text += "; made from an earlier state of the dataset (lomsong export again to bring it up to date)"
		}
		files = append(files, f)
	}
	return files, skipped
}

// geoParquetGuard keeps a GeoParquet folder's layers changed in place
// from being replaced by a re-export (export.CheckGeoParquetReplaceable),
// a usage error naming them; the set's list records each file written.
var geoParquetGuard = &setGuard{
	record: export.RecordFiles,
	check: func(dir string, names []string, recorded map[string]export.FileRecord) error {
		err := export.CheckGeoParquetReplaceable(dir, names, recorded)
		if errors.Is(err, export.ErrNotReplaceable) {
			return usageError{fmt.Sprintf("export: --out %v; nothing is written: move the file out of the folder (or remove it) to export here again, or choose another --out", err)}
		}
		return err
	},
}

// exportFolderWritable refuses, before the month is computed, an --out
// (out, as given) whose folder dir the export could not write in: a file
// where dir or one of its parent folders would be (a usage error), or,
// in the nearest folder of that path there is, no right to create a file
// (a read-only file system, another user's folder): that folder is named.
// Both were said only once the month was computed, as "mkdir …: not a
// directory" or "open DIR/.lomsong-F.lock: permission denied". The check
// creates and removes a hidden file there.
func exportFolderWritable(out, dir string) error {
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir():
			return usageError{fmt.Sprintf("export: --out %s: %s is a file, not a folder", out, p)}
		case err == nil:
			f, err := os.CreateTemp(p, ".lomsong-export-check-*")
			if err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return fmt.Errorf("export: --out %s: cannot write in the folder %s: %w; nothing was computed", out, p, err)
			}
			f.Close()
			return os.Remove(f.Name())
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			// ENOTDIR: a file is among the parents, found further up.
			return fmt.Errorf("export: --out %s: %w", out, err)
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// heldExport says, as " (…)", what the export at path held when it is
// not the month meta describes: another month, province or resolution
// ("an export of the month 2024-09"), or the month exported from another
// dataset folder; "" for no export there, or one of the same month from
// the same dataset. The summary line says what was replaced, as a PostGIS
// release's replacement does: an earlier month's GeoPackage replaced by a
// mistyped --period went unsaid.
func heldExport(ctx context.Context, path string, meta export.Meta) string {
	old, err := export.ReadMeta(ctx, path)
	if err != nil {
		return ""
	}
	if ok, _, why := meta.Matches(old); !ok {
		return " (an export of " + why + ")"
	}
	if old.Dataset != "" && old.Dataset != meta.Dataset {
		return " (exported from dataset " + old.Dataset + ")"
	}
	return ""
}

// geoParquetFree refuses, before the month is computed, a GeoParquet
// --out folder dir whose layer files the export may not replace: one that
// is a file the export reads (inputs), one an earlier export there did
// not write, one changed since an export wrote it (geoParquetGuard).
// writeGuardedSet checks them again as it writes; they were found only
// then, once the month was computed.
func geoParquetFree(dir string, inputs ...string) error {
	names := make([]string, len(export.LayerNames))
	for i, n := range export.LayerNames {
		names[i] = n + ".parquet"
	}
	if err := outputsFree(dir, "geoparquet", names, inputs...); err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	prev, err := readSetManifest(dir, "geoparquet")
	if err != nil {
		return err
	}
	return geoParquetGuard.check(dir, prev.Files, prev.Written)
}

// replaceableGeoPackage refuses to replace a file at path that an export
// may not replace whole (export.CheckReplaceable): a file that is not a
// GeoPackage an export wrote, or one a user added layers to.
func replaceableGeoPackage(ctx context.Context, path string) error {
	err := export.CheckReplaceable(ctx, path)
	if errors.Is(err, export.ErrNotReplaceable) {
		return usageError{fmt.Sprintf("export: --out %v, nothing is written: move it, or choose another --out", err)}
	}
	return err
}

// urlPassword and keyPassword find the password of a connection string:
// postgres://user:PASSWORD@host, password=PASSWORD (or quoted).
var (
	urlPassword = regexp.MustCompile(`(://[^:/@]*:)[^/]*@`)
	keyPassword = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
)

// redactPassword is a connection string as a message may quote it: its
// password written xxxxx, as the PostgreSQL driver quotes one it cannot
// parse, so that a mistyped --out does not put the password in a log.
func redactPassword(conn string) string {
	conn = urlPassword.ReplaceAllString(conn, "${1}xxxxx@")
	return keyPassword.ReplaceAllString(conn, "${1}xxxxx")
}
