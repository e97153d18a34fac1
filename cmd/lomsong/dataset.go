package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lomsong/lomsong/engine/calfile"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/internal/plural"
)

const datasetSynopsis = `dataset ls|verify|repair DIR
dataset retract [--why TEXT] DIR SOURCE

ls      summarises a dataset: rows and files per kind, period and carrier, and
        every ingested source with its checksum and row counts.
verify  checks every part the manifest lists: its size and SHA-256, the row
        count in its footer and the rows actually read, against the manifest,
        and the kind, period and carrier the manifest lists against the
        part's own metadata (a record edited by hand, which repair corrects).
        Exits 1 listing the bad parts, 0 when all are verified.
repair  rebuilds manifest.json from the parts themselves (the metadata each
        part carries, or its path for parts of earlier versions) after the
        manifest was lost, damaged or replaced by an older copy. Recorded
        sources stay as recorded, their damaged or missing parts listed
        (exit 1: restore them, or retract the source and ingest it again);
        sources known only from their parts are marked "recovered"; files
        it cannot read are moved to DIR/orphans/ with a note, never deleted.
        An ingest stopped while committing (killed, a power cut) is
        completed from its journal, or rolled back whole when some of its
        files are lost (then ingest the file again); the next ingest, or
        any command that opens the dataset, does the same. Saved stage
        outputs that fail their checks are removed (derived data: the
        next command that needs one computes it again).
retract takes an ingested source out of the dataset — a dump read with the
        wrong --timezone or mapping, or one that should not have been
        ingested. SOURCE is its SHA-256 (8 hex digits or more suffice, as
        dataset ls prints it), the path of the file ingested (its bytes
        decide: a file of the same name with other bytes is refused), or
        its file name when one source alone has it. Its parts and quarantine leave the manifest and are moved to
        DIR/retracted/NNNN/ with a NOTE.txt (what, when, --why, how to
        restore): never deleted. The next lomsong run recomputes what read
        them; the same file may then be ingested again, read anew.`

const datasetExample = `  lomsong dataset ls ./ds
  lomsong dataset verify ./ds
  lomsong dataset repair ./ds
  lomsong dataset retract --why "timestamps were UTC" ./ds 3f9a1c27`

func runDataset(ctx context.Context, args []string, e *env) error {
	fs := newFlags("dataset", datasetSynopsis, datasetExample, e)
	why := fs.String("why", "", "retract: why the source is taken out (kept in the NOTE.txt beside its files)")
	if len(args) > 0 && args[0] == "retract" {
		// dataset retract [--why TEXT] DIR SOURCE: the flags after the
		// subcommand.
		pos, err := parseFlags(fs, args[1:], e)
		if err != nil {
			return err
		}
		if len(pos) != 2 {
			fs.Usage()
			return usageError{"dataset: want \"dataset retract [--why TEXT] DIR SOURCE\""}
		}
		return datasetRetract(pos[0], pos[1], *why, e)
	}
	pos, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(pos) > 0 && pos[0] != "ls" && pos[0] != "verify" && pos[0] != "repair" {
		fs.Usage()
		return usageError{fmt.Sprintf("dataset: unknown subcommand %q: want ls, verify, repair or retract (\"dataset ls|verify|repair DIR\" or \"dataset retract [--why TEXT] DIR SOURCE\")", pos[0])}
	}
	if len(pos) != 2 {
		fs.Usage()
		return usageError{"dataset: want \"dataset ls|verify|repair DIR\" or \"dataset retract [--why TEXT] DIR SOURCE\""}
	}
	if *why != "" {
		return usageError{"dataset: --why is for dataset retract"}
	}
	dir := pos[1]
	if err := datasetDirMissing(dir); err != nil {
		// A mistyped DIR is said to be missing as every command's
		// --dataset is (exit 1); an empty folder holds no dataset (exit 3).
		return err
	}
	switch pos[0] {
	case "verify":
		return datasetVerify(ctx, dir, e)
	case "repair":
		return datasetRepair(dir, e)
	}
	return datasetLs(dir, e)
}

// reportRecovery tells the user what became of the commit an interrupted
// ingest had left (dataset.CommitRecovery; nothing when there was none).
func reportRecovery(w io.Writer, dir string, c dataset.CommitRecovery) {
	if c.Retracted != "" {
		fmt.Fprintf(w, "%s: the interrupted retraction of %s is completed: its files are in the folder its NOTE.txt names under %s\n", dir, c.Retracted, shellQuote(filepath.Join(dir, "retracted")))
	}
	if len(c.Pending) > 0 {
		read := "the dataset is read as it was before"
		if c.PendingRetraction {
			// The parts it had moved aside are missing from it until
			// then (dataset verify lists them).
			read += ", less the files a retraction had moved aside already (lomsong dataset verify lists them)"
		}
		fmt.Fprintf(w, "warning: %s: %s left undone, which this command could not complete (%s): %s; the next lomsong ingest, dataset retract or dataset repair %s that can write completes it\n",
			dir, strings.Join(c.Pending, " and "), c.PendingCause, read, shellQuote(dir))
	}
	if c.Source == "" {
		return
	}
	sha := dataset.ShortSHA(c.SHA256)
	if c.Completed {
		fmt.Fprintf(w, "%s: the interrupted ingest of %s (sha256 %s…) is completed: its source is recorded whole\n", dir, c.Source, sha)
		return
	}
	fmt.Fprintf(w, "%s: the interrupted ingest of %s (sha256 %s…) is rolled back: %d of its files were lost (e.g. %s)", dir, c.Source, sha, len(c.Lost), c.Lost[0])
	if len(c.Moved) > 0 {
		fmt.Fprintf(w, "; the %d it had placed are in %s (see NOTE.txt there)", len(c.Moved), shellQuote(filepath.Join(dir, c.Orphans)))
	}
	fmt.Fprintf(w, "; it is not recorded: ingest the file again to store all of it\n")
}

// openDataset opens the dataset at dir for a command that reads it: a
// directory that does not exist (a mistyped --dataset, most often) is an
// error that says so, not an empty dataset with no data. What the opening
// did with an interrupted ingest's commit is said on w. Commands that
// create the dataset (ingest, demo) open it with dataset.Open.
func openDataset(dir string, w io.Writer) (*dataset.Store, error) {
	if err := datasetDirMissing(dir); err != nil {
		return nil, err
	}
	s, err := dataset.Open(dir)
	if err == nil {
		reportRecovery(w, dir, s.OpenRecovery())
	}
	return s, err
}

// datasetDirMissing is the error of a dataset folder that is not there,
// or not a folder: a failure (exit 1) that says so, the same for every
// command's --dataset and for lomsong dataset ls, verify, repair and
// retract; nil for a folder.
func datasetDirMissing(dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: no dataset here (not a directory); create one with lomsong ingest --dataset %s FILE... or lomsong demo", dir, shellQuote(dir))
	}
	return nil
}

// openForAnalysis opens the dataset at dir for a command that analyses
// its data, refusing one whose manifest no longer describes its parts
// (dataset.Store.CheckListed: a part's entry lost, a record edited to
// another period, carrier or kind). Part files the manifest does not list
// are warned of on stderr (dataset.Store.UnlistedNote): their rows are
// left out. It records dir in e, so that a part found damaged later
// is said with what to do (damagedPartAdvice). dataset ls, verify, repair
// and retract open it as it is. A folder with no manifest.json is no
// dataset (openExisting).
func openForAnalysis(e *env, dir string) (*dataset.Store, error) {
	w := e.stderr
	if err := datasetDirMissing(dir); err != nil {
		return nil, err
	}
	// A folder without a manifest holds no dataset (exit 3), said as
	// dataset ls says it, naming the dataset inside it when there is one:
	// a demo's output folder given for its dataset/ was told to ingest a
	// site register into it.
	s, err := openExisting(dir, w)
	if err != nil {
		return nil, err
	}
	e.dataset = dir
	if err := s.CheckListed(); err != nil {
		return nil, err
	}
	note, err := s.UnlistedNote()
	if err != nil {
		return nil, err
	}
	if note != "" {
		fmt.Fprintf(w, "warning: %s\n", note)
	}
	return s, nil
}

// damagedPartAdvice adds to err, when a part of the dataset at dir was
// found damaged or missing as the command read it (its file unreadable,
// or not what the manifest records; a saved stage output is computed
// again instead), what to do: the readers' errors name the part alone.
func damagedPartAdvice(err error, dir string) error {
	if err == nil || dir == "" || errors.Is(err, dataset.ErrCorruptStage) ||
		!errors.Is(err, dataset.ErrCorruptPart) && !errors.Is(err, dataset.ErrPartUnreadable) {
		return err
	}
	return fmt.Errorf("%w; lomsong dataset verify %s lists every damaged part: restore it from a copy, or take its source out with lomsong dataset retract %s SOURCE and ingest its file again",
		err, shellQuote(dir), shellQuote(dir))
}

// openExisting opens the dataset at dir for dataset ls and verify: a
// directory without a manifest (and without data files, which Open
// refuses pointing to repair) is no dataset, not an empty one that
// verifies clean — most often it is the directory above one (a demo's
// output, whose dataset is OUT/dataset).
func openExisting(dir string, w io.Writer) (*dataset.Store, error) {
	s, err := dataset.Open(dir)
	if err != nil {
		return nil, err
	}
	reportRecovery(w, dir, s.OpenRecovery())
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); errors.Is(err, os.ErrNotExist) {
		hint := datasetsInside(dir)
		if hint == "" {
			hint = "; create one with lomsong ingest --dataset " + shellQuote(dir) + " FILE... or lomsong demo"
		}
		return nil, fmt.Errorf("%s: no dataset here: manifest.json %w%s", dir, pipeline.ErrMissingData, hint)
	}
	return s, nil
}

// datasetsInside names the datasets in dir's subdirectories (a demo's
// output holds its dataset in dataset/), for an error about dir: "" when
// there are none.
func datasetsInside(dir string) string {
	des, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	var subs []string
	for _, d := range des { // sorted by name
		if sub := filepath.Join(dir, d.Name()); d.IsDir() && fileExists(filepath.Join(sub, "manifest.json")) {
			subs = append(subs, sub)
		}
	}
	switch len(subs) {
	case 0:
		return ""
	case 1:
		return "; the dataset is " + subs[0] + " (a demo's output holds its dataset in dataset/)"
	}
	return "; datasets inside it: " + strings.Join(subs, ", ")
}

func datasetLs(dir string, e *env) error {
	s, err := openExisting(dir, e.stderr)
	if err != nil {
		return err
	}
	man := s.Manifest()
	un, err := s.Unlisted()
	if err != nil {
		return err
	}
	if len(un) > 0 {
		// Said first: the summary below counts what is read, not these.
		fmt.Fprintf(e.stdout, "warning: %s on disk %s not in the manifest and %s not read (e.g. %s): lomsong dataset repair %s lists them again\n",
			plural.Count(len(un), "data file", "data files"), plural.Noun(len(un), "is", "are"), plural.Noun(len(un), "is", "are"), un[0], shellQuote(dir))
	}
	if len(man.Sources) == 0 {
		fmt.Fprintf(e.stdout, "%s: no data in the manifest; add files with lomsong ingest --dataset %s FILE...\n", dir, shellQuote(dir))
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(e.stdout, "%s: %s\n\n", dir, plural.Count(len(man.Sources), "source", "sources"))
	fmt.Fprintln(tw, "kind\tperiod\tcarrier\tfiles\trows\tMB\t")
	var total int64
	stored := map[string]int64{} // rows per kind
	for _, r := range s.Summary() {
		period := r.Period
		if period == "" {
			period = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.1f\t\n", r.Kind, period, r.Carrier, r.Parts, r.Rows, float64(r.Bytes)/1e6)
		total += r.Rows
		stored[r.Kind] += r.Rows
	}
	fmt.Fprintf(tw, "total\t\t\t\t%d\t\t\n", total)
	tw.Flush()
	if bad := s.DamagedParts(nil); len(bad) > 0 {
		// The table counts the rows recorded: a part gone or cut short
		// was listed whole, without a word.
		fmt.Fprintf(e.stdout, "warning: %s missing or not of %s recorded size (e.g. %s): %s rows %s counted above but cannot be read; lomsong dataset verify %s names %s\n",
			plural.Count(len(bad), "listed part is", "listed parts are"), plural.Noun(len(bad), "its", "their"), bad[0], plural.Noun(len(bad), "its", "their"), plural.Noun(len(bad), "is", "are"), shellQuote(dir), plural.Noun(len(bad), "it", "them"))
	}
	// Registers ingested again replace their earlier rows: the rows
	// stored are not the sectors or villages in force.
	registers := map[string]int{}
	for _, src := range man.Sources {
		registers[src.Kind]++
	}
	for _, r := range []struct {
		kind, what, key string
		count           func() (int, error)
	}{
		{"sites", "rows", "carrier's site and technology", func() (int, error) { v, err := s.Sites(nil); return len(v), err }},
		{"villages", "villages", "village id", func() (int, error) { v, err := s.Villages(); return len(v), err }},
	} {
		if registers[r.kind] < 2 {
			continue
		}
		n, err := r.count()
		if err != nil {
			return err
		}
		if int64(n) != stored[r.kind] {
			fmt.Fprintf(e.stdout, "%s: %d rows stored from %d files, %d %s in force (a later file's rows of a %s replace the earlier file's)\n",
				r.kind, stored[r.kind], registers[r.kind], n, r.what, r.key)
		}
	}
	fmt.Fprintln(e.stdout, "\nsources:")
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ingested\tname\tkind\tformat\tread\taccepted\trejected\tsha256")
	recovered := 0
	for _, src := range man.Sources {
		sha := src.SHA256[:16] // Open checked it has at least 16 hex digits
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s…\n", src.IngestedAt.Format(time.RFC3339), src.Name, src.Kind,
			src.Format, src.RowsRead, src.Accepted, src.Rejected, sha)
		if src.Recovered != "" {
			recovered++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if recovered > 0 {
		fmt.Fprintf(e.stdout, "\n%s rebuilt by dataset repair; %s incomplete (see \"recovered\" in manifest.json)\n", plural.Count(recovered, "source", "sources"), plural.Noun(recovered, "its record is", "their records are"))
	}
	return nil
}

func datasetVerify(ctx context.Context, dir string, e *env) error {
	s, err := openExisting(dir, e.stderr)
	if err != nil {
		return err
	}
	rep, err := s.Verify(ctx)
	if err != nil {
		return err
	}
	for _, b := range rep.Bad {
		fmt.Fprintf(e.stdout, "BAD %s: %s\n", b.Path, b.Problem)
	}
	if len(rep.Unlisted) > 0 {
		fmt.Fprintf(e.stdout, "%s under the data directories %s not in the manifest and %s not read (e.g. %s); lomsong dataset repair %s lists a readable part again and moves any other file to orphans/, beside a NOTE.txt\n",
			plural.Count(len(rep.Unlisted), "file", "files"), isAre(len(rep.Unlisted)), isAre(len(rep.Unlisted)), rep.Unlisted[0], shellQuote(dir))
	}
	if rep.Unhashed > 0 {
		fmt.Fprintf(e.stdout, "%s written by an earlier version %s no recorded checksum: size and rows checked only\n", plural.Count(rep.Unhashed, "part", "parts"), plural.Noun(rep.Unhashed, "has", "have"))
	}
	if n := len(rep.Temporary); n > 0 {
		fmt.Fprintf(e.stdout, "%s of an ingest in %s (e.g. %s): an ingest running now, or one that was stopped; never read; the next ingest that adds rows, or lomsong dataset repair %s, removes %s\n",
			plural.Count(n, "temporary folder or file", "temporary folders or files"), dir, rep.Temporary[0], shellQuote(dir), plural.Noun(n, "it", "them"))
	}
	if n := len(rep.StageStrays); n > 0 {
		fmt.Fprintf(e.stdout, "%s under %s/ %s in no saved output's stage.json (e.g. %s): never read; the next save of %s stage removes %s, and the stage is computed again where its output is incomplete\n",
			plural.Count(n, "file", "files"), dataset.StageDir, isAre(n), rep.StageStrays[0], plural.Noun(n, "its", "their"), plural.Noun(n, "it", "them"))
	}
	if len(rep.Bad) > 0 {
		stages := 0
		for _, b := range rep.Bad {
			if strings.HasPrefix(b.Path, dataset.StageDir+"/") {
				stages++
			}
		}
		advice := ""
		if stages > 0 {
			// Nothing recomputes a damaged output while the stages after
			// it are current: without a way out, verify failed after any
			// number of runs.
			advice = fmt.Sprintf(" (%d of them saved stage outputs: derived data, which lomsong dataset repair %s removes and the next command that needs them computes again)", stages, shellQuote(dir))
		}
		return fmt.Errorf("dataset %s: %d of %d parts, quarantine and saved stage files failed verification%s", dir, len(rep.Bad), rep.Parts+rep.Quarantine+rep.StageFiles, advice)
	}
	if len(rep.Unlisted) > 0 {
		// Data on disk that no reader sees: the manifest lost them.
		return fmt.Errorf("dataset %s: %s verified, but %s on disk %s not in the manifest and %s not read: lomsong dataset repair %s lists a readable part again and moves any other file to orphans/",
			dir, plural.Count(rep.Parts, "part", "parts"), plural.Count(len(rep.Unlisted), "file", "files"), isAre(len(rep.Unlisted)), isAre(len(rep.Unlisted)), shellQuote(dir))
	}
	fmt.Fprintf(e.stdout, "%d parts verified (%d rows)\n", rep.Parts, rep.Rows)
	if rep.Stages > 0 {
		fmt.Fprintf(e.stdout, "%d saved stage outputs verified (%d files)\n", rep.Stages, rep.StageFiles)
	}
	return nil
}

func datasetRetract(dir, which, why string, e *env) error {
	if _, err := openDataset(dir, e.stderr); err != nil {
		return err
	}
	rep, err := dataset.Retract(dir, which, why, e.now())
	if errors.Is(err, dataset.ErrNoSource) {
		return usageError{err.Error()}
	}
	if err != nil {
		return err
	}
	src := rep.Source
	missing := ""
	if n := len(rep.Missing); n > 0 {
		// Counted with the source's record, but gone before (its NOTE
		// names them).
		missing = fmt.Sprintf(" (%s already missing: not moved)", plural.Count(n, "file", "files"))
	}
	fmt.Fprintf(e.stdout, "%s: retracted %s (%s, sha256 %s, ingested %s): %s, %s no longer read%s\n",
		dir, src.Name, src.Kind, src.SHA256, src.IngestedAt.UTC().Format("2006-01-02 15:04 UTC"), plural.Count(len(src.Parts), "part", "parts"), plural.Count(src.Accepted, "row", "rows"), missing)
	fmt.Fprintf(e.stdout, "its files: %s (with NOTE.txt; to restore, move them back and run lomsong dataset repair %s)\n",
		filepath.Join(dir, filepath.FromSlash(rep.Dir)), shellQuote(dir))
	if src.Kind == "measurements" || src.Kind == "sites" {
		fmt.Fprintf(e.stdout, "the next lomsong run recomputes the stages that read it")
		// The calibration file names the sources it was fitted on
		// (fitted_on_sources); one written before that field did not: then
		// one written after the source was ingested most likely read it,
		// one written before cannot have.
		calPath := filepath.Join(dir, "calibration.json")
		if f, _, err := calfile.ReadCalibrationFile(calPath); err == nil && len(f.FittedOn) > 0 {
			if slices.Contains(f.FittedOn, src.SHA256) {
				fmt.Fprintf(e.stdout, "; %s was fitted with it (fitted_on_sources): lomsong calibrate --dataset %s fits it again", calPath, shellQuote(dir))
			}
		} else if st, err := os.Stat(calPath); err == nil && !st.ModTime().Before(src.IngestedAt) {
			fmt.Fprintf(e.stdout, "; %s was written after it was ingested, so most likely fitted with it: lomsong calibrate --dataset %s fits it again",
				calPath, shellQuote(dir))
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func datasetRepair(dir string, e *env) error {
	rep, err := dataset.Repair(dir, e.now()) // SOURCE_DATE_EPOCH, as every time written
	if errors.Is(err, dataset.ErrNotDataset) {
		return refusedError{fmt.Errorf("%w%s", err, datasetsInside(dir))}
	}
	if err != nil {
		return err
	}
	reportRecovery(e.stdout, dir, rep.Commit)
	if rep.Unchanged {
		fmt.Fprintf(e.stdout, "%s: manifest as recorded (%s, %s): not rewritten, and manifest.prev.json, the record before it, kept\n",
			dir, plural.Count(rep.Kept, "source", "sources"), plural.Count(rep.Parts, "part", "parts"))
	} else {
		fmt.Fprintf(e.stdout, "%s: manifest rebuilt: %s kept as recorded, %d rebuilt from their parts, %s\n",
			dir, plural.Count(rep.Kept, "source", "sources"), rep.Recovered, plural.Count(rep.Parts, "part", "parts"))
	}
	if len(rep.Moved) > 0 {
		fmt.Fprintf(e.stdout, "%s moved to %s/%s (see NOTE.txt there)\n", plural.Count(len(rep.Moved), "unreadable file", "unreadable files"), dir, rep.Orphans)
	}
	if len(rep.Removed) > 0 {
		fmt.Fprintf(e.stdout, "removed %s stopped ingests had left (never read): %s\n", plural.Count(len(rep.Removed), "temporary folder or file", "temporary folders or files"), strings.Join(rep.Removed, ", "))
	}
	if len(rep.StagesRemoved) > 0 {
		fmt.Fprintf(e.stdout, "removed %s (derived data: the next command that needs one computes it again): %s\n",
			plural.Count(len(rep.StagesRemoved), "damaged saved stage output", "damaged saved stage outputs"), strings.Join(rep.StagesRemoved, ", "))
	}
	for _, p := range rep.Corrected {
		fmt.Fprintf(e.stdout, "CORRECTED %s: its record is now the file's (the bytes recorded with a wrong size, row count, kind, period or carrier, a part its source's record had lost, or its source's sha256 edited: the source's record is its parts')\n", p)
	}
	for _, p := range rep.Recounted {
		fmt.Fprintf(e.stdout, "CORRECTED source %s (its parts' rows, every part intact; rows read = accepted + rejected)\n", p)
	}
	for _, p := range rep.Damaged {
		fmt.Fprintf(e.stdout, "DAMAGED %s\n", p)
	}
	for _, p := range rep.Missing {
		fmt.Fprintf(e.stdout, "MISSING %s\n", p)
	}
	for _, p := range rep.SameRows {
		fmt.Fprintf(e.stdout, "SAME ROWS source %s: each of these measurements is now read twice; take one source out with lomsong dataset retract %s SHA256\n",
			p, shellQuote(dir))
	}
	if n := len(rep.Damaged) + len(rep.Missing); n > 0 {
		return fmt.Errorf("dataset %s: %s damaged or missing; %s listed as recorded, so that no reader takes the rest for the whole "+
			"(see lomsong dataset verify %s): restore %s from a copy, or take %s source out with lomsong dataset retract %s SHA256 and ingest its file again",
			dir, plural.Count(n, "listed file (a part or a quarantine file) is", "listed files (parts or quarantine files) are"), plural.Noun(n, "it stays", "they stay"), shellQuote(dir), plural.Noun(n, "it", "them"), plural.Noun(n, "its", "their"), shellQuote(dir))
	}
	return nil
}

// isAre is the verb a count of n takes: "is" for one, "are" otherwise.
func isAre(n int) string { return plural.Noun(n, "is", "are") }
