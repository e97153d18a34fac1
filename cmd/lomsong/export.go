package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/export/postgis"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/engine/report"
	"github.com/lomsong/lomsong/geodata"
)

const exportSynopsis = `export --dataset DIR --period YYYY-MM --format gpkg|geoparquet|postgis --out TARGET [flags]

Writes a month's results in formats GIS tools open directly, with hex and
zone polygons, village, site and plan points, province and commune names
beside their codes, households as whole numbers (exact totals in the
metadata) and money in whole đồng. The layers (docs/exports.md lists their
columns):

  coverage_hex      state per H3 hex × carrier × technology, with source and evidence
  coverage_best     best 3G/4G/5G state per hex, households, dead-zone flag
  deadzones         dead-zone outlines with households, area, province, commune
  villages          village points with status, p_dead, commune and province
  sites             the site register (one point per sector and technology)
  plan              funded sites of the investment plan (--budget) with rank and cost
  communes_summary  per commune: villages without signal, dead-zone households
                    (commune polygons with --communes)

--format gpkg        one OGC GeoPackage 1.3 file (--out F.gpkg), an R-tree index
                     per layer, QGIS styles for the state classes
--format geoparquet  one GeoParquet 1.1 file per layer in --out DIR
--format postgis     --out postgres://…: one schema per release (lomsong_YYYY_MM,
                     _p<code> for --province) replaced in one transaction, GiST
                     indexes, a view per province and layer

The month is computed as lomsong deadzones and plan compute it.`

const exportExample = `  lomsong export --dataset lomsong-demo/dataset --period 2024-10 --format gpkg --out lomsong-demo/export/lomsong-2024-10.gpkg
  lomsong export --dataset ./ds --period 2026-11 --communes ../shared/data/vn_communes_2025.geojson --format geoparquet --out ./geoparquet
  lomsong export --dataset ./ds --period 2026-11 --format postgis --out 'postgres:///gis?host=/var/run/postgresql'`

func runExport(ctx context.Context, args []string, e *env) error {
	fs := newFlags("export", exportSynopsis, exportExample, e)
	var cf coverageFlags
	cf.register(fs)
	var period periodFlag
	fs.Var(&period, "period", "the `month` to export (YYYY-MM)")
	format := fs.String("format", "", "output `format`: gpkg, geoparquet or postgis")
	out := fs.String("out", "", "`target`: a .gpkg file, a folder (geoparquet) or a postgres:// connection string")
	communes := fs.String("communes", "", "GeoJSON `file` of communes (e.g. ../shared/data/vn_communes_2025.geojson): commune names, attribution and the communes_summary polygons")
	communeParent := fs.String("commune-parent-prop", "provinceCode", "property of --communes holding the province code")
	budget := fs.Float64("budget", 500e9, "investment plan budget in `VND`")
	if _, err := parseFlags(fs, args, e); err != nil {
		return err
	}
	if !period.set || *out == "" || *format == "" {
		fs.Usage()
		return usageError{"export: --period YYYY-MM, --format and --out are required"}
	}
	switch *format {
	case "gpkg":
		if !strings.HasSuffix(strings.ToLower(*out), ".gpkg") {
			return usageError{fmt.Sprintf("export: --format gpkg writes a .gpkg file; --out %q does not end in .gpkg", *out)}
		}
	case "geoparquet":
	case "postgis":
		if !strings.HasPrefix(*out, "postgres://") && !strings.HasPrefix(*out, "postgresql://") && !strings.Contains(*out, "=") {
			return usageError{fmt.Sprintf("export: --format postgis wants --out postgres://… (or key=value connection settings), got %q", *out)}
		}
	default:
		return usageError{fmt.Sprintf("export: --format %q: want gpkg, geoparquet or postgis", *format)}
	}
	if !(*budget > 0) {
		return usageError{fmt.Sprintf("export: --budget %g: want a positive amount", *budget)}
	}
	var communeSet *geodata.BoundarySet
	if *communes != "" {
		f, err := os.Open(*communes)
		if err != nil {
			return err
		}
		communeSet, err = geodata.LoadBoundaries(f, "code", "name", *communeParent)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *communes, err)
		}
	}
	start := time.Now()
	m, err := loadMonth(ctx, e, &cf, period.p, communeSet, *budget)
	if err != nil {
		return err
	}
	layers, err := export.Layers(m)
	if err != nil {
		return err
	}
	computed := time.Since(start)
	start = time.Now()
	var where string
	switch *format {
	case "gpkg":
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return err
		}
		if err := export.WriteGeoPackage(ctx, *out, layers, m.Meta); err != nil {
			return err
		}
		st, err := os.Stat(*out)
		if err != nil {
			return err
		}
		where = fmt.Sprintf("%s (%.1f MB)", *out, float64(st.Size())/1e6)
	case "geoparquet":
		if err := writeSet(*out, "geoparquet", func(stage string) error { return export.WriteGeoParquet(stage, layers, m.Meta) }); err != nil {
			return err
		}
		var size int64
		for _, l := range layers {
			if st, err := os.Stat(filepath.Join(*out, l.Name+".parquet")); err == nil {
				size += st.Size()
			}
		}
		where = fmt.Sprintf("%s/{%s}.parquet (%.1f MB)", *out, strings.Join(export.LayerNames, ","), float64(size)/1e6)
	case "postgis":
		st, err := postgis.Write(ctx, *out, layers, m.Meta)
		if err != nil {
			return err
		}
		where = fmt.Sprintf("schema %s (%d tables, %d province views)", st.Schema, len(st.Rows), st.Views)
	}
	for _, l := range layers {
		fmt.Fprintf(e.stdout, "  %-17s %8d %s\n", l.Name, l.Len(), strings.ToLower(string(l.Geometry)))
	}
	fmt.Fprintf(e.stdout, "exported %s to %s: computed in %.1fs, written in %.1fs\n", m.Meta.Period, where, computed.Seconds(), time.Since(start).Seconds())
	return nil
}

// loadMonth computes the month to export: the dead zones of the period and
// the plan over them, as lomsong deadzones and plan compute them. It is the
// one place that decides where an export's results come from.
func loadMonth(ctx context.Context, e *env, cf *coverageFlags, p penetration.Period, communes *geodata.BoundarySet, budget float64) (*export.Month, error) {
	store, copt, _, provinces, err := cf.prepare(e, false)
	if err != nil {
		return nil, err
	}
	prog := startProgress(e, "export "+p.String()+": measurements")
	copt.Aggregate.Progress = prog.set
	dz, missing, err := pipeline.MonthDeadZones(ctx, store, pipeline.DeadZoneOptions{Coverage: copt, Provinces: provinces, Communes: communes,
		Villages: deadzone.DefaultVillageOptions(), Challenge: challenge.DefaultConfig(), Claims: []challenge.Claim{}}, p)
	prog.end()
	if err != nil {
		return nil, err
	}
	if missing != "" {
		return nil, refusedError{fmt.Errorf("export: nothing to export for %s: %s", p, missing)}
	}
	pr, err := pipeline.Plan(dz, dz.Coverage.Sites, pipeline.PlanOptions{Config: plan.DefaultConfig(),
		Candidates: plan.DefaultCandidateConfig(), BudgetVND: budget, SharingAgreementVND: 200e6, SharingPerHexVND: 5e6})
	if err != nil {
		return nil, err
	}
	meta, err := outputMeta(cf.dataset)
	if err != nil {
		return nil, err
	}
	meta.Period, meta.Resolution = p.String(), cf.res
	if cf.province != "" {
		u, err := provinces.Lookup(cf.province)
		if err != nil {
			return nil, err
		}
		meta.Province = u.Code
	}
	return export.Build(export.Input{DeadZones: dz, Plan: pr, Provinces: provinces, Communes: communes, Meta: meta})
}

// outputMeta is the provenance every output's metadata records: this
// build of lomsong and the SHA-256 of the dataset's manifest.
func outputMeta(datasetDir string) (export.Meta, error) {
	b := currentBuild()
	m := export.Meta{Version: b.Version, Commit: b.Commit, BuildDate: b.BuildDate, Dataset: datasetDir}
	sum, err := manifestSHA256(datasetDir)
	if err != nil {
		return m, err
	}
	m.ManifestSHA256 = sum
	return m, nil
}

// manifestSHA256 returns the hex SHA-256 of DIR/manifest.json.
func manifestSHA256(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return "", fmt.Errorf("dataset %s: manifest: %w", dir, err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// addProvenance records in a table's metadata (Parquet key-value
// metadata, coverage_meta.json) the build of lomsong and the SHA-256 of
// the dataset's manifest: lomsong.version, lomsong.commit,
// lomsong.build_date, lomsong.dataset_manifest_sha256.
func addProvenance(meta map[string]string, datasetDir string) error {
	m, err := outputMeta(datasetDir)
	if err != nil {
		return err
	}
	meta["lomsong.version"], meta["lomsong.commit"], meta["lomsong.build_date"] = m.Version, m.Commit, m.BuildDate
	meta["lomsong.dataset_manifest_sha256"] = m.ManifestSHA256
	return nil
}

// exportFiles lists the exports beside a report in folder out, for the
// report to link to: OUT/export/*.gpkg and the GeoParquet files of
// OUT/export/geoparquet, by name.
func exportFiles(out string) []report.File {
	var files []report.File
	gpkg, _ := filepath.Glob(filepath.Join(out, "export", "*.gpkg"))
	for _, p := range gpkg {
		files = append(files, report.File{Name: filepath.Base(p), Href: "export/" + filepath.Base(p),
			Text: "GeoPackage: every layer with its QGIS style (open it in QGIS: Layer → Add Layer → Add Vector Layer)"})
	}
	pq, _ := filepath.Glob(filepath.Join(out, "export", "geoparquet", "*.parquet"))
	for _, p := range pq {
		files = append(files, report.File{Name: filepath.Base(p), Href: "export/geoparquet/" + filepath.Base(p),
			Text: "GeoParquet 1.1 layer " + strings.TrimSuffix(filepath.Base(p), ".parquet") + " (DuckDB, GeoPandas, QGIS)"})
	}
	return files
}
