package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/pipeline"
)

const aggregateSynopsis = `aggregate --dataset DIR --out DIR [flags]

Streams every measurement of the dataset through H3 indexing and computes, per
(cell, carrier, technology), mergeable statistics: tests, tests at or above the
coverage threshold and below the no-service level (all and outdoor/vehicle only),
signal quantiles (nearest-rank, in whole dBm: of the signals rounded to the nearest
dBm, within 0.5 dB of the raw values' and kept between their min and max; min, max
and mean to 0.001 dB), download/upload medians (within 4.6%: a 4% sketch, three significant digits), distinct devices (of the rows
with a device_id, scanners left out; devices and devices_exact are empty, not 0, for a key
without one), first/last time,
distinct 4-hour windows, and which of the 7 finer child cells were hit (the
spatial spread of the FCC challenge process). Writes OUT/aggregates.parquet and
OUT/aggregates.csv (one row per key, with the cell centre's lon/lat, so the CSV
opens in QGIS as points); the thresholds, resolution and cell rule (a test's
cell is the parent of its res+1 cell, not its cell at res) are in the Parquet
metadata. Work runs on all cores; memory grows with the number of keys, not rows.`

const aggregateExample = `  lomsong aggregate --dataset lomsong-demo/dataset --res 8 --out lomsong-demo/aggregates
  lomsong aggregate --dataset ./ds --period 2026-10 --carrier viettel --out ./agg`

func runAggregate(ctx context.Context, args []string, e *env) error {
	fs := newFlags("aggregate", aggregateSynopsis, aggregateExample, e)
	dir := fs.String("dataset", "", "dataset `directory`")
	out := fs.String("out", "", "output `directory`")
	res := fs.Int("res", 8, "H3 `resolution` of the analysis cells (0..14; children at res+1 give the spatial spread)")
	var periods periodListFlag
	fs.Var(&periods, "period", "only these `months` (comma-separated YYYY-MM; default: every month)")
	carrier := fs.String("carrier", "", "only these `carriers` (comma-separated identifiers, e.g. viettel,mobifone)")
	workers := fs.Int("workers", 0, fmt.Sprintf("worker goroutines (0 = all cores; at most %d)", maxWorkers))
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		fs.Usage()
		return requiredFlags("aggregate", flagNeed{"--dataset DIR", *dir == ""}, flagNeed{"--out DIR", *out == ""})
	}
	if err := outDirUsable("aggregate", *out, "aggregates.parquet and aggregates.csv"); err != nil {
		return err
	}
	if err := outOutsideDataset("aggregate", *out, *dir); err != nil {
		return err
	}
	if err := outputsFree(*out, "aggregates", []string{"aggregates.parquet", "aggregates.csv"}); err != nil {
		return err
	}
	if err := setUnlocked(*out, "aggregates"); err != nil {
		return err
	}
	if *workers < 0 || *workers > maxWorkers {
		return usageError{fmt.Sprintf("aggregate: --workers %d: want 0 (one per core) to %d", *workers, maxWorkers)}
	}
	cfg := aggregate.DefaultConfig()
	cfg.Resolution = *res
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	store, err := openForAnalysis(e, *dir)
	if err != nil {
		return err
	}
	if len(store.Parts("measurements", nil, nil)) == 0 {
		return refusedError{fmt.Errorf("%s: no measurements in the dataset (ingest some with lomsong ingest --dataset %s FILE...)", *dir, shellQuote(*dir))}
	}
	if have := store.Periods(); len(periods) > 0 {
		for _, p := range periods {
			if !slices.Contains(have, p) {
				return refusedError{fmt.Errorf("no measurements in period %s in %s (months with measurements: %s)", p, *dir, monthList(have))}
			}
		}
	}
	// Carriers are named as ingest names them ("Viettel", "VNPT" → viettel,
	// vinaphone); one without measurements is refused, not answered with
	// an empty table.
	var carriers []string
	have := store.Carriers(periods, nil)
	for _, name := range splitList(*carrier) {
		c, err := engine.ParseCarrier(name)
		if err != nil {
			return usageError{fmt.Sprintf("aggregate: --carrier %q: %v", name, err)}
		}
		if !slices.Contains(have, string(c)) {
			return refusedError{fmt.Errorf("aggregate: --carrier %s: no measurements of %s in %s (carriers with measurements: %s)",
				name, c, *dir, strings.Join(have, ", "))}
		}
		carriers = append(carriers, string(c))
	}
	opt := pipeline.AggregateOptions{Config: cfg, Workers: *workers, Periods: periods, Carriers: carriers}
	prog := startProgress(e, "aggregate")
	opt.Progress = prog.set
	agg, rows, err := pipeline.Aggregate(ctx, store, opt)
	elapsed := prog.end()
	if err != nil {
		return err
	}
	meta := aggregateMeta(cfg, opt)
	if err := addProvenance(e.stderr, meta, store, periods); err != nil {
		return err
	}
	sk := agg.Skipped()
	pqPath, csvPath := filepath.Join(*out, "aggregates.parquet"), filepath.Join(*out, "aggregates.csv")
	var nkeys int
	err = writeSet(ctx, *out, "aggregates", func(stage string) error {
		pqf, err := dataset.CreateAtomic(filepath.Join(stage, "aggregates.parquet"))
		if err != nil {
			return err
		}
		defer pqf.Abort()
		csvf, err := dataset.CreateAtomic(filepath.Join(stage, "aggregates.csv"))
		if err != nil {
			return err
		}
		defer csvf.Abort()
		if nkeys, err = pipeline.WriteAggregates(pqf, csvf, agg.Order(), meta); err != nil {
			return fmt.Errorf("%s: %w", *out, err)
		}
		// The key state is not needed any more: it is handed back to the
		// system while the fsyncs below wait on the disk, instead of when
		// the process exits (the kernel frees ~600 MiB of pages at 10 M
		// rows, ~0.1 s that the exit, and so the command, would wait on).
		agg = nil
		go debug.FreeOSMemory()
		// Both files are committed at once: their fsyncs overlap (the
		// CSV's, three times the bytes, is the longer).
		pqDone := make(chan error, 1)
		go func() { pqDone <- pqf.Commit() }()
		cerr := csvf.Commit()
		return errors.Join(<-pqDone, cerr)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d rows read in %.1fs (%.0f rows/s), %d keys (cell × carrier × tech) at H3 res %d\n",
		rows, elapsed.Seconds(), float64(rows)/max(elapsed.Seconds(), 1e-9), nkeys, cfg.Resolution)
	if sk.Total() > 0 {
		fmt.Fprintf(e.stdout, "skipped %d rows: %d without a cell, %d without a technology, %d without a carrier\n",
			sk.Total(), sk.NoCell, sk.NoTech, sk.NoCarrier)
	}
	fmt.Fprintf(e.stdout, "wrote %s and %s\n", pqPath, csvPath)
	return nil
}

// aggregateMeta records the configuration in the output's metadata.
func aggregateMeta(cfg aggregate.Config, opt pipeline.AggregateOptions) map[string]string {
	m := map[string]string{
		"lomsong.table":      "aggregates",
		"lomsong.resolution": strconv.Itoa(cfg.Resolution),
		"lomsong.cell_rule":  cellRule(cfg.Resolution),
		"lomsong.periods":    allOr(opt.Periods),
		"lomsong.carriers":   allOr(opt.Carriers),
	}
	for _, t := range engine.Techs {
		m["lomsong.covered_dbm."+t.String()] = strconv.FormatFloat(cfg.Thresholds.Covered(t), 'g', -1, 64)
		m["lomsong.no_service_dbm."+t.String()] = strconv.FormatFloat(cfg.Thresholds.NoService(t), 'g', -1, 64)
	}
	return m
}

// cellRule says which hexagon a test counts in at analysis resolution
// res (docs/data-contract.md, "Which hexagon a test counts in"): the
// metadata of every output whose cells hold tests states it, as
// lomsong.cell_rule (coverage's through coverage.Config.Metadata).
func cellRule(res int) string { return aggregate.CellRule(res) }

// allOr writes a filter's values comma-separated, "all" when there is no
// filter (every month or carrier in the dataset).
func allOr(values []string) string {
	if len(values) == 0 {
		return "all"
	}
	return strings.Join(values, ",")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// writeAtomic writes a file through dataset.AtomicFile: it appears only
// when fill succeeds.
func writeAtomic(path string, fill func(*dataset.AtomicFile) error) error {
	f, err := dataset.CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Commit()
}

// writeCols writes result columns as CSV (see pipeline.WriteCSV).
func writeCols(w io.Writer, cols []arrowio.Column) error { return pipeline.WriteCSV(w, cols) }

// maxWorkers bounds --workers: each worker holds its own partial
// aggregates, so thousands of them cost memory and time for nothing (a
// machine has tens of cores, not thousands).
const maxWorkers = 256
