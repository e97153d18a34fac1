package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/plural"
)

const ingestSynopsis = `ingest --dataset DIR [flags] FILE...

Validates each file (as validate does) and adds its accepted rows to the dataset
in DIR as Parquet, partitioned by kind, period (YYYY-MM, Vietnam time) and
carrier, with a manifest of every source (SHA-256, rows accepted, rejected per
reason). Rejected rows go to DIR/quarantine/. Each file is added atomically:
an interrupted or failed ingest leaves the dataset exactly as it was, and a
file whose bytes were ingested before is reported and skipped. A dataset
holds a measurement once: a file of measurements some of whose accepted rows
it holds already from another file (a dump sent again with the rest of the
month, a late dump overlapping the first) is not added, naming the files that
hold them (exit 3), its rows held listed by line in DIR/rejected/ (reason
in_dataset); ingest the new rows alone, or retract the earlier file
when this one holds all its rows. --no-dedup turns this check off with the
check for repeats within a file. A file whose
rejected share is above --max-reject-share is not added; its report and
quarantine go to DIR/rejected/ and the command exits with status 3. A file
that is not added is named when several are given — NOT ADDED when unreadable
(not CSV, Parquet or Arrow; a damaged gzip), REFUSED when refused for its data
(empty, a header without a required column, no data rows) — and the next file
goes on; the command then exits 3 when every file not added was refused for its
data, else 1. Rows and files are checked exactly as validate checks them, under the same limits
(--max-line-bytes, --max-decompressed-bytes, --max-gzip-ratio, --max-spill-bytes).`

const ingestExample = `  lomsong ingest --dataset ./ds geodata/examples/sites.csv geodata/examples/villages.csv geodata/examples/measurements_viettel.csv
  lomsong ingest --dataset ./ds --mapping mobifone.json mobifone_2026-10.csv.gz
  lomsong dataset ls ./ds`

func runIngest(ctx context.Context, args []string, e *env) error {
	fs := newFlags("ingest", ingestSynopsis, ingestExample, e)
	in := inputFlags{command: "ingest"}
	in.register(fs)
	dir := fs.String("dataset", "", "dataset `directory` (created if absent)")
	files, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return usageError{"ingest: --dataset DIR is required"}
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError{"ingest: no input files"}
	}
	if err := notDirectories("ingest", files); err != nil {
		return err
	}
	m, mjson, bounds, err := in.load()
	if err != nil {
		return err
	}
	rejectShare, err := dataset.RejectShare(in.maxRejectShare)
	if err != nil {
		return usageError{"ingest: --max-reject-share: " + err.Error()}
	}
	store, err := dataset.Open(*dir)
	if err != nil {
		return err
	}
	reportRecovery(e.stderr, *dir, store.OpenRecovery())
	var refused, failed []error
	// The villages in force, to tell which a villages file replaces (a
	// register ingested again replaces the rows of its village ids).
	villages, villagesErr := store.Villages()
	for _, path := range files {
		opt := dataset.IngestOptions{Kind: ingest.Kind(in.kind), Mapping: m, MappingJSON: mjson,
			Config: in.config(e.now(), bounds), MaxRejectShare: rejectShare}
		prog := startProgress(e, path)
		opt.Config.Progress = prog.set
		res, err := store.IngestFile(ctx, path, opt)
		elapsed := prog.end()
		if res != nil && res.OrphansDir != "" {
			fmt.Fprintf(e.stdout, "%s: %s the manifest did not list moved to %s/%s (see NOTE.txt there)\n",
				*dir, plural.Count(len(res.Orphaned), "file", "files"), *dir, res.OrphansDir)
		}
		var tm *dataset.TooManyRejectsError
		switch {
		case errors.As(err, &tm):
			printReport(e, res, nil, elapsed, "")
			fmt.Fprintf(e.stdout, "  REFUSED: %v\n", err)
			refused = append(refused, err)
			continue
		case errors.Is(err, dataset.ErrNoDataRows), errors.As(err, new(*dataset.TooManyPartitionsError)):
			err = withPath(path, err)
			fmt.Fprintf(e.stdout, "%s: REFUSED: %v\n", path, err)
			refused = append(refused, err)
			continue
		case err != nil && ctx.Err() == nil:
			// This file is not added (an ingest is atomic per file); the
			// others go on, and the end names every file not taken.
			if len(files) > 1 {
				label := "NOT ADDED"
				if isRefusal(err) {
					label = "REFUSED" // for what it holds (exit 3), as a file of no data rows
				}
				fmt.Fprintf(e.stdout, "%s\n", namedError(path, label, err))
			}
			failed = append(failed, withPath(path, err))
			continue
		case err != nil:
			return err
		case res.AlreadyIngested:
			// The recorded source's checksum, as dataset ls shows it and
			// dataset retract takes it: another wrapping of the same rows
			// (gzip, line endings) has a checksum of its own.
			prev := dataset.ShortSHA(res.Previous.SHA256)
			if res.SameRows {
				// Other bytes, the same measurements: a re-saved or
				// converted copy, which would count every test twice.
				fmt.Fprintf(e.stdout, "%s: its %d accepted rows are the measurements of %s, ingested on %s (sha256 %s…), in another encoding; nothing changed (a dataset holds a measurement once)\n",
					path, res.Report.Accepted, res.Previous.Name, res.Previous.IngestedAt.Format(time.RFC3339), prev)
				continue
			}
			if res.SHA256 != res.Previous.SHA256 {
				// Matched by its decoded content (another compression,
				// line endings, a byte-order mark): its own checksum is
				// not the one dataset ls lists.
				fmt.Fprintf(e.stdout, "%s: its content is that of %s, ingested on %s (sha256 %s…), in another wrapping (compression, line endings or byte-order mark; this file's sha256 %s…); nothing changed\n",
					path, res.Previous.Name, res.Previous.IngestedAt.Format(time.RFC3339), prev, dataset.ShortSHA(res.SHA256))
			} else {
				fmt.Fprintf(e.stdout, "%s: already ingested on %s as %s (sha256 %s…); nothing changed\n",
					path, res.Previous.IngestedAt.Format(time.RFC3339), res.Previous.Name, prev)
			}
			if n := res.Previous.RejectedBy[string(ingest.ReasonFutureTime)]; n > 0 && e.now().After(res.Previous.IngestedAt) {
				// Rows in the future then may be in the past now, but a
				// dataset keeps one reading of a file: they come in only
				// when the first reading is taken out.
				fmt.Fprintf(e.stdout, "  %d of its rows were rejected as future_time at that ingest (later than its time); those no longer in the future would be read now: "+
					"to read them, lomsong dataset retract %s %s, then ingest it again\n", n, shellQuote(*dir), prev)
			}
			if res.Previous.Recovered != "" {
				fmt.Fprintf(e.stderr, "warning: %s: its record was rebuilt by lomsong dataset repair, so how it was read is not known: "+
					"a reading given now (--mapping, --timezone, a preset) is not applied; to read it anew, lomsong dataset retract %s %s, then ingest it again\n",
					path, shellQuote(*dir), prev)
			}
			continue
		}
		printReport(e, res, nil, elapsed, "")
		fmt.Fprintf(e.stdout, "  added %s", plural.Count(len(res.Source.Parts), "partition file", "partition files"))
		if res.Source.Quarantine != "" {
			fmt.Fprintf(e.stdout, "; rejected rows in %s/%s", *dir, res.Source.Quarantine)
		}
		fmt.Fprintln(e.stdout)
		if res.Kind == ingest.KindVillages && villagesErr == nil {
			now, err := store.Villages()
			if err == nil {
				reportReplacedVillages(e, villages, now)
			}
			villages, villagesErr = now, err
		}
	}
	notTaken := len(failed) + len(refused)
	if len(refused) > 0 {
		failed = append(failed, refusedError{errors.Join(refused...)})
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(files) == 1:
		return failed[0]
	}
	return filesError{errs: failed, notTaken: notTaken, total: len(files)}
}

// reportReplacedVillages says which villages already in the dataset a
// villages file gave other figures (households, place, name or commune):
// its rows replace theirs, as a register ingested again does, and a user
// who meant to add a list learns that its ids were taken already.
func reportReplacedVillages(e *env, before, after []engine.Village) {
	was := make(map[string]engine.Village, len(before))
	for _, v := range before {
		was[v.ID] = v
	}
	n, households := 0, ""
	for _, v := range after {
		old, ok := was[v.ID]
		if !ok || old == v {
			continue
		}
		if n == 0 {
			households = fmt.Sprintf("%s: %g → %g households", v.ID, old.Households, v.Households)
			if old.Households == v.Households {
				households = v.ID + ": households unchanged, its place, name or commune changed"
			}
		}
		n++
	}
	if n > 0 {
		fmt.Fprintf(e.stdout, "  %s already in the dataset now %s this file's figures, which replace the earlier file's (the first, %s); lomsong dataset ls lists the villages in force\n",
			plural.Count(n, "village", "villages"), plural.Noun(n, "takes", "take"), households)
	}
}
