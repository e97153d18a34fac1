package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/flock"
	"github.com/lomsong/lomsong/internal/plural"
)

// Output sets. A command that writes several files writes them as one set:
// either every file of the new run is in place or every file of the previous
// run still is, never a mix. writeSet does it in the same way for every
// command:
//
//  1. fill writes the files into a fresh staging folder DIR/.lomsong-SET.tmp-*
//     (each file fsynced); the previous set stays untouched meanwhile;
//  2. the list of the new files (DIR/.lomsong-SET.json, the set's manifest) is
//     written into the staging folder, which is fsynced and renamed to
//     DIR/.lomsong-SET.ready: this rename is the commit point;
//  3. the files are renamed from the ready folder into DIR, files of the
//     previous set that the new one does not have are removed, the manifest is
//     moved last, DIR is fsynced and the ready folder removed.
//
// A run that fails or is interrupted before the commit point leaves the
// previous set as it was; a run killed after it (during the few renames of
// step 3) is completed by the next run of the same command, which also removes
// staging folders and temporary files that a killed run left behind. Runs of
// the same set into the same DIR exclude each other through a lock on
// DIR/.lomsong-SET.lock.

const (
	setPrefix   = ".lomsong-"
	setTmpInfix = ".tmp-"
)

// setManifest lists the files of the set in place and, for a guarded set
// (setGuard), what was recorded of each as written.
type setManifest struct {
	Set     string                       `json:"set"`
	Files   []string                     `json:"files"`
	Written map[string]export.FileRecord `json:"written,omitempty"`
}

// setGuard keeps a set's files that were changed in place from being
// replaced (or removed) by the next run: record says what to keep of
// each new file in the set's list, and check refuses, given what the
// previous run recorded (nil from a list without records), to replace
// the previous run's files. The rule is the format's (export).
type setGuard struct {
	record func(dir string, names []string) (map[string]export.FileRecord, error)
	check  func(dir string, names []string, recorded map[string]export.FileRecord) error
}

func setManifestName(set string) string { return setPrefix + set + ".json" }
func setReadyName(set string) string    { return setPrefix + set + ".ready" }
func setLockName(set string) string     { return setPrefix + set + ".lock" }

// writeSet writes the output set named set into dir atomically: fill writes
// the set's files (plain files, no folders) into the staging folder it is
// given. The set's name must be a plain word (programmer error otherwise).
// When ctx is done (a signal arrived) before the commit point, the set is
// not committed: the previous outputs stay and ctx's error is returned.
// inputs are the files the command read: a set that would replace one
// (its file of the same name in dir is that input, through any path or
// link) is not committed, so that no input is lost to its own output;
// nor is a set that would replace a file its previous run did not write
// (foreignAmongOutputs).
func writeSet(ctx context.Context, dir, set string, fill func(stage string) error, inputs ...string) error {
	return writeGuardedSet(ctx, dir, set, nil, fill, inputs...)
}

// writeGuardedSet is writeSet with guard (none when nil): before the new
// files are written, guard.check is given the previous run's files and
// what it recorded of them, and its error is returned with nothing
// written; the new set's list records guard.record of its files.
func writeGuardedSet(ctx context.Context, dir, set string, guard *setGuard, fill func(stage string) error, inputs ...string) error {
	if set == "" || strings.ContainsAny(set, `/\.`) {
		panic("lomsong: invalid output set name " + set)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	unlock, err := lockSet(dir, set)
	if err != nil {
		return err
	}
	defer unlock()
	if err := recoverSet(dir, set); err != nil {
		return fmt.Errorf("%s: previous %s outputs: %w", dir, set, err)
	}
	if guard != nil {
		prev, err := readSetManifest(dir, set)
		if err != nil {
			return err
		}
		if err := guard.check(dir, prev.Files, prev.Written); err != nil {
			return err
		}
	}
	stage, err := os.MkdirTemp(dir, setPrefix+set+setTmpInfix)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(stage)
		}
	}()
	if err := os.Chmod(stage, dataset.DirMode()); err != nil {
		return err
	}
	if err := fill(stage); err != nil {
		return unstagedError(dir, set, stage, err)
	}
	if err := ctx.Err(); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, setManifestName(set))); serr != nil {
			// No previous set to keep: "the previous ones kept" of a
			// fresh folder sent the user looking for them.
			return fmt.Errorf("%s: %s outputs not written (the folder held none before): %w", dir, set, err)
		}
		return fmt.Errorf("%s: %s outputs not written, the previous ones kept: %w", dir, set, err)
	}
	entries, err := os.ReadDir(stage)
	if err != nil {
		return err
	}
	m := setManifest{Set: set, Files: []string{}}
	for _, e := range entries {
		if isTempName(e.Name()) {
			continue
		}
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s outputs: %s is not a plain file", set, e.Name())
		}
		m.Files = append(m.Files, e.Name())
	}
	if slices.Contains(m.Files, setManifestName(set)) {
		return fmt.Errorf("%s outputs: %s is a reserved name", set, setManifestName(set))
	}
	if err := inputAmongOutputs(dir, m.Files, inputs); err != nil {
		return err
	}
	if err := foreignAmongOutputs(dir, set, m.Files); err != nil {
		return err
	}
	if guard != nil {
		if m.Written, err = guard.record(stage, m.Files); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := dataset.WriteFileAtomic(filepath.Join(stage, setManifestName(set)), append(data, '\n')); err != nil {
		return err
	}
	if err := dataset.SyncDir(stage); err != nil {
		return err
	}
	if err := os.Rename(stage, filepath.Join(dir, setReadyName(set))); err != nil {
		return err
	}
	committed = true
	if err := dataset.SyncDir(dir); err != nil {
		return err
	}
	return finishSet(dir, set)
}

// unstagedError is the error of a fill that could not write a file of the
// set (the disk full, a quota reached, an I/O error): named by the file's
// place in dir, not by the staging folder's temporary names it was
// written under (DIR/.lomsong-SET.tmp-N/.NAME.tmp-M, gone when the
// command ends), and saying that nothing in dir was replaced. A full disk
// was reported as "DIR/.lomsong-population.tmp-699015858/population.parquet:
// arrowio: closing row group: write DIR/.lomsong-population.tmp-699015858/
// .population.parquet.tmp-1741942839: no space left on device", which
// left the user to guess whether population.parquet was now cut short.
// Other errors are returned as they are.
func unstagedError(dir, set, stage string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Path, stage+string(filepath.Separator)) {
		return err
	}
	name := filepath.Base(pe.Path)
	if isTempName(name) {
		name = strings.TrimPrefix(name[:strings.Index(name, setTmpInfix)], ".")
	}
	return fmt.Errorf("%s: %w: nothing was written to %s (its %s outputs, if any, are as they were)", filepath.Join(dir, name), pe.Err, dir, set)
}

// keptFileError says, of a file written whole into a temporary file beside
// path and renamed onto it (an export's GeoPackage), that the write's
// failure err left path as it was — when it did: prev is the file there
// before (nil when there was none), and path must still be that file, or
// still be absent. A failure on a full disk read "geopackage F.gpkg:
// database or disk is full (13)", leaving the user to guess whether F.gpkg
// was now cut short. As unstagedError does for a set, the error names the
// file where it would have been, not the temporary one, and says nothing
// was written to it; any other error (path replaced after all) is returned
// as it is.
func keptFileError(path, what string, prev fs.FileInfo, err error) error {
	now, serr := os.Stat(path)
	kept := ""
	switch {
	case prev == nil && errors.Is(serr, fs.ErrNotExist):
	case prev != nil && serr == nil && os.SameFile(prev, now) && now.Size() == prev.Size() && now.ModTime().Equal(prev.ModTime()):
		kept = " (the " + what + " there is as it was)"
	default:
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && filepath.Dir(pe.Path) == filepath.Dir(path) && strings.HasPrefix(filepath.Base(pe.Path), "."+filepath.Base(path)+setTmpInfix) {
		err = fmt.Errorf("%s: %w", path, pe.Err)
	} else if !strings.Contains(err.Error(), path) {
		err = fmt.Errorf("%s: %w", path, err)
	}
	return fmt.Errorf("%w: nothing was written to %s%s", err, path, kept)
}

// inputAmongOutputs refuses (a usage error) an input that is one of the
// files named in dir: writing them would replace it.
func inputAmongOutputs(dir string, names, inputs []string) error {
	for _, in := range inputs {
		if in == "" || !fileExists(in) {
			continue // not a file read: nothing to lose
		}
		for _, name := range names {
			if samePath(in, filepath.Join(dir, name)) {
				return usageError{fmt.Sprintf("%s is the input read, and %s in --out %s would replace it: nothing written; give another --out (or copy the input elsewhere first)",
					in, name, dir)}
			}
		}
	}
	return nil
}

// outputsFree checks, before any work, that a set's outputs (names, those
// it always writes) may be written into dir: none would replace an input
// read, or a file there the set's previous run did not write. writeSet
// checks the files actually written again; this spares a whole analysis
// refused at its end. A dir not there yet is free.
func outputsFree(dir, set string, names []string, inputs ...string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	if err := inputAmongOutputs(dir, names, inputs); err != nil {
		return err
	}
	return foreignAmongOutputs(dir, set, names)
}

// setUnlocked refuses, before any work, a set whose lock another run holds
// in dir (the error writeSet gives then): the analysis commands computed
// the whole month and only then found the lock, their work lost. The lock
// is taken and let go at once, so writeSet takes it again and a run that
// takes it in between is still found there. A dir the set was never
// written in (no lock file) is free.
func setUnlocked(dir, set string) error {
	if _, err := os.Lstat(filepath.Join(dir, setLockName(set))); err != nil {
		return nil
	}
	unlock, err := lockSet(dir, set)
	if err != nil {
		return err
	}
	unlock()
	return nil
}

// foreignAmongOutputs refuses (a usage error) a set whose file of some
// name would replace a file in dir that the set's previous run did not
// write (its manifest does not list it): the user's own villages.csv in
// the folder given as --out, another tool's plan.csv. Files of the set's
// previous run are replaced, as the set's rule is.
func foreignAmongOutputs(dir, set string, names []string) error {
	prev, err := readSetManifest(dir, set)
	if err != nil {
		return err
	}
	var foreign []string
	for _, name := range names {
		if slices.Contains(prev.Files, name) {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			foreign = append(foreign, name)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	return usageError{fmt.Sprintf("%s: %s already there and not written by an earlier lomsong %s here (%s does not list it): not replaced, nothing written; move it, or give another --out",
		dir, strings.Join(foreign, ", "), set, setManifestName(set))}
}

// recoverSet completes a set that a killed run had committed and removes what
// runs killed before their commit left: staging folders and the temporary
// files of single-file writes (.NAME.tmp-*) of the set's files.
func recoverSet(dir, set string) error {
	if _, err := os.Stat(filepath.Join(dir, setReadyName(set))); err == nil {
		if err := finishSet(dir, set); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), setPrefix+set+setTmpInfix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	old, err := readSetManifest(dir, set)
	if err != nil {
		return err
	}
	return removeFileTemps(dir, old.Files)
}

// finishSet moves a committed set from its ready folder into dir. It is
// idempotent: a run killed half-way is finished by the next one.
func finishSet(dir, set string) error {
	ready := filepath.Join(dir, setReadyName(set))
	data, err := os.ReadFile(filepath.Join(ready, setManifestName(set)))
	if errors.Is(err, fs.ErrNotExist) {
		// The manifest was moved last: only the empty folder is left.
		return os.RemoveAll(ready)
	}
	if err != nil {
		return err
	}
	var next setManifest
	if err := json.Unmarshal(data, &next); err != nil {
		return fmt.Errorf("%s: %w", setManifestName(set), err)
	}
	for _, name := range next.Files {
		err := os.Rename(filepath.Join(ready, name), filepath.Join(dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // moved by an earlier, killed run
			return err
		}
	}
	prev, err := readSetManifest(dir, set)
	if err != nil {
		return err
	}
	for _, name := range prev.Files {
		if !slices.Contains(next.Files, name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.Rename(filepath.Join(ready, setManifestName(set)), filepath.Join(dir, setManifestName(set))); err != nil {
		return err
	}
	if err := dataset.SyncDir(dir); err != nil {
		return err
	}
	if err := os.RemoveAll(ready); err != nil {
		return err
	}
	return removeFileTemps(dir, append(prev.Files, next.Files...))
}

// readSetManifest reads the manifest of the set in place; a set written
// before manifests existed (or never) has none and lists no files.
func readSetManifest(dir, set string) (setManifest, error) {
	var m setManifest
	data, err := os.ReadFile(filepath.Join(dir, setManifestName(set)))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", setManifestName(set), err)
	}
	return m, nil
}

// removeFileTemps removes the temporary files (.NAME.tmp-*) that an
// interrupted single-file write of one of names left in dir.
func removeFileTemps(dir string, names []string) error {
	for _, name := range names {
		tmps, err := filepath.Glob(filepath.Join(dir, "."+globEscape(name)+setTmpInfix+"*"))
		if err != nil {
			return err
		}
		for _, t := range tmps {
			if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// isTempName reports whether name is a temporary file of a single-file write.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, setTmpInfix)
}

// lockSet takes the set's lock in dir, or fails at once when another run
// holds it.
func lockSet(dir, set string) (func(), error) {
	f, err := flock.TryLock(filepath.Join(dir, setLockName(set)))
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("%s: another lomsong run is writing the %s outputs here (it holds %s): nothing was written to the folder; run this command again once that one has finished",
			dir, set, setLockName(set))
	}
	if err != nil {
		return nil, err
	}
	return func() { flock.Unlock(f) }, nil
}

// writeSingle writes one file whose name the user chose (so it is no fixed
// set) atomically, after removing the temporary files that an interrupted
// earlier write of it left.
func writeSingle(path string, v any) error {
	if err := removeFileTemps(filepath.Dir(path), []string{filepath.Base(path)}); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeJSONFile(path, v)
}

// checkArgTable refuses (exit 3) a command's own input table that
// dataset.ArgTable.Check refuses, and otherwise says on stderr how many of
// its rows were rejected and where they are listed (quarantine, a file of
// the command's output set).
//
// A table refused for its share of rejected rows still has its rejected
// rows written, into out/rejected/ (an output set of its own, as ingest
// writes a refused file's into the dataset's rejected/), and the error
// names that file.
func checkArgTable(e *env, t *dataset.ArgTable, quarantine, out string) error {
	if err := t.Check(); err != nil {
		if len(t.Rejects) == 0 {
			return refusedError{err}
		}
		dir := filepath.Join(out, "rejected")
		// The rejected rows are written even after a signal: they are
		// what the refusal points to.
		if werr := writeSet(context.Background(), dir, "rejected", func(stage string) error {
			return writeArgQuarantine(stage, t, quarantine)
		}); werr != nil {
			return refusedError{fmt.Errorf("%w (its %s could not be written: %v)", err, plural.Count(len(t.Rejects), "rejected row", "rejected rows"), werr)}
		}
		return refusedError{fmt.Errorf("%w; its %s, each with its line, column and reason: %s", err, plural.Count(len(t.Rejects), "rejected row", "rejected rows"), filepath.Join(dir, quarantine))}
	}
	if r := t.Report; r.Rejected > 0 {
		fmt.Fprintf(e.stderr, "%s: %d of %d rows rejected (%s); each with its line, column and reason in %s among the outputs\n",
			t.Path, r.Rejected, r.RowsRead, t.RejectedByReason(), quarantine)
	}
	if line := otherCarriers(t.Report.OtherCarriers); line != "" {
		// A misspelt carrier is kept under its own name (validate says
		// so): its claims then match no test.
		fmt.Fprintf(e.stderr, "warning: %s: carriers lomsong does not know, kept under their own names: %s (%s)\n", t.Path, line, t.Report.OtherCarriersAdvice)
	}
	if r := t.Report; r.OutsideVietNam > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %d of %d accepted rows lie outside Viet Nam (its mainland, Hoàng Sa and Trường Sa): read as given; if they are mistyped, fix them (lomsong validate names them with --bounds FILE)\n",
			t.Path, r.OutsideVietNam, r.Accepted)
	}
	if r := t.Report; r.HeightsOutsideModel > 0 || r.BandsOutsideModel > 0 {
		// A proposed 5 m rooftop mast or a 600 m one: planned, at the
		// models' nearer bound, and said (it stopped the plan before).
		var what []string
		if n := r.HeightsOutsideModel; n > 0 {
			what = append(what, fmt.Sprintf("%d with height_m outside the propagation models' %s", n, modelHeights()))
		}
		if n := r.BandsOutsideModel; n > 0 {
			what = append(what, fmt.Sprintf("%d with band_mhz outside their range (%s)", n, modelBands()))
		}
		fmt.Fprintf(e.stderr, "warning: %s: of %d accepted rows, %s: predicted at the nearer bound\n", t.Path, r.Accepted, strings.Join(what, " and "))
	}
	return nil
}

// clearRejected removes, once a run has written its outputs into out,
// the rejected rows of its table (quarantine) that an earlier refused run
// of the same command left in out/rejected/ (checkArgTable): they belong
// to a run whose outputs are no longer there, and the folder would show
// them beside the new ones. The rejected set is left alone when it lists
// anything else (another command's table refused later); the folder is
// removed when nothing else is in it.
func clearRejected(out, quarantine string) error {
	dir := filepath.Join(out, "rejected")
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	const set = "rejected"
	unlock, err := lockSet(dir, set)
	if err != nil {
		return err
	}
	err = func() error {
		defer unlock()
		if err := recoverSet(dir, set); err != nil {
			return err
		}
		m, err := readSetManifest(dir, set)
		if err != nil || !slices.Equal(m.Files, []string{quarantine}) {
			return err
		}
		// The file first, its listing last: a run killed between the
		// two leaves a listing of a file not there, which the next run
		// removes.
		if err := os.Remove(filepath.Join(dir, quarantine)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Remove(filepath.Join(dir, setManifestName(set))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return dataset.SyncDir(dir)
	}()
	if err != nil {
		return fmt.Errorf("%s: the rejected rows of an earlier refused run: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != setLockName(set) {
		return nil // something else is there: the folder stays
	}
	os.Remove(filepath.Join(dir, setLockName(set)))
	os.Remove(dir)
	return nil
}

// writeArgQuarantine writes the rejected rows of a command's own input
// table into the output set's staging folder (nothing when none were).
func writeArgQuarantine(stage string, t *dataset.ArgTable, name string) error {
	if t == nil || len(t.Rejects) == 0 {
		return nil
	}
	return writeAtomic(filepath.Join(stage, name), func(f *dataset.AtomicFile) error {
		q, err := ingest.NewQuarantineWriter(f)
		if err != nil {
			return err
		}
		for _, r := range t.Rejects {
			if err := q.Write(r); err != nil {
				return err
			}
		}
		return q.Flush()
	})
}

// outDirUsable refuses, before any work, an --out that cannot be the
// folder command writes its outputs (what) into: a file of that name, or
// a file where one of its parent folders would be (a usage error); or, in
// the nearest folder of that path there is, no right to create a file (a
// read-only file system, another user's folder: a failure naming that
// folder and --out). Writing failed there with exit 1, "mkdir …: not a
// directory" or "mkdir OUT: permission denied", after the whole
// computation.
func outDirUsable(command, out, what string) error {
	return folderUsable(command, "out", out, out, what)
}

// maxNameBytes and maxPathBytes are the longest file name and path Linux
// file systems take (NAME_MAX, PATH_MAX less its terminating byte).
const (
	maxNameBytes = 255
	maxPathBytes = 4095
)

// folderUsable is outDirUsable for any flag whose value (its target)
// is written in the folder dir: the target itself for a folder of
// outputs (--out), the target's folder for a file (validate --quarantine
// FILE, --report FILE), named with the flag and its value. A file where
// dir or one of its parent folders would be is a usage error.
func folderUsable(command, flag, target, dir, what string) error {
	want := filepath.Clean(dir)
	// A name no file system takes failed when the outputs were written,
	// after the whole computation ("mkdir OUTbbb…: file name too long").
	if abs, err := filepath.Abs(want); err == nil && len(abs) > maxPathBytes {
		return usageError{fmt.Sprintf("%s: --%s %s: the path is %d bytes, more than the %d a path may have; nothing was computed", command, flag, target, len(abs), maxPathBytes)}
	}
	for _, e := range strings.Split(want, string(filepath.Separator)) {
		if len(e) > maxNameBytes {
			return usageError{fmt.Sprintf("%s: --%s %s: the name %.40s… is %d bytes, more than the %d a file name may have; nothing was computed", command, flag, target, e, len(e), maxNameBytes)}
		}
	}
	for p := want; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			if err := canCreateIn(p); err != nil {
				return fmt.Errorf("%s: --%s %s: cannot write in the folder %s: %w; nothing was computed", command, flag, target, p, err)
			}
			return nil
		case err == nil && p == filepath.Clean(target):
			return usageError{fmt.Sprintf("%s: --%s %s is a file; --%s names the folder to write %s into (give a folder, new or existing)", command, flag, target, flag, what)}
		case err == nil && want != filepath.Clean(target):
			return usageError{fmt.Sprintf("%s: --%s %s: %s is a file, not a folder; --%s names the file to write %s into, in a folder", command, flag, target, p, flag, what)}
		case err == nil:
			return usageError{fmt.Sprintf("%s: --%s %s: %s is a file, not a folder; --%s names the folder to write %s into", command, flag, target, p, flag, what)}
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// canCreateIn reports why a file cannot be created in the folder dir
// (the system's reason alone, e.g. "permission denied" or "read-only file
// system"), nil when one can: it creates and removes a hidden file there.
func canCreateIn(dir string) error {
	f, err := os.CreateTemp(dir, ".lomsong-out-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// outOutsideDataset refuses (a usage error) an --out folder that is the
// dataset's folder or lies inside it: the dataset's folders hold its
// parts and saved stages, and a command's tables written there were
// listed by dataset verify as strays "the next save of their stage
// removes" (under stages/, which no save does) or as data files missing
// from the manifest (under a data folder, which dataset repair moves to
// orphans/). dataset "" (no --dataset given) passes.
func outOutsideDataset(command, out, dataset string) error {
	if out == "" || dataset == "" {
		return nil
	}
	o, err1 := filepath.Abs(out)
	d, err2 := filepath.Abs(dataset)
	if err1 != nil || err2 != nil {
		return nil
	}
	// Through symbolic links where the folders exist (a link to the
	// dataset is the dataset).
	o, d = resolvedPath(o), resolvedPath(d)
	if fi, err := os.Stat(d); err == nil && fi.IsDir() && !fileExists(filepath.Join(d, "manifest.json")) {
		// A folder that holds no dataset: the command refuses it as such
		// (exit 3, naming the dataset inside it when there is one) rather
		// than calling it a dataset here.
		return nil
	}
	if rel, err := filepath.Rel(d, o); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usageError{fmt.Sprintf("%s: --out %s is inside the dataset %s: write the outputs to a folder outside it (the dataset's folders hold its parts and saved stages, which dataset verify and repair check)", command, out, dataset)}
	}
	return nil
}

// sameFile says whether the paths a and b name one file, through their
// absolute forms with the symbolic links of their existing prefixes
// resolved ("ds/x" and "/work/ds/x").
func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && resolvedPath(aa) == resolvedPath(bb)
}

// resolvedPath is the absolute path p with the symbolic links of its
// longest existing prefix resolved.
func resolvedPath(p string) string {
	rest := ""
	for q := p; ; q = filepath.Dir(q) {
		if r, err := filepath.EvalSymlinks(q); err == nil {
			return filepath.Join(r, rest)
		}
		if filepath.Dir(q) == q {
			return p
		}
		rest = filepath.Join(filepath.Base(q), rest)
	}
}
