package dataset

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/internal/shellquote"
)

// journalName is the commit journal: a commit writes it (atomically)
// before it places its first file and removes it once its manifest is in
// place, so that a commit stopped in between (a killed process, a power
// cut) is known whole, never from the files it happened to place.
const journalName = ".commit.json"

// journalVersion is the layout of the commit journal this package writes
// and reads.
const journalVersion = 1

// commitJournal is what a commit is about to do: move Files from its
// temporary directory into place and add Source to the manifest.
type commitJournal struct {
	Version int           `json:"version"`
	Tmp     string        `json:"tmp"`    // the commit's temporary directory (.tmp-…), in the dataset
	Source  Source        `json:"source"` // the record the commit adds to the manifest
	Files   []journalFile `json:"files"`  // every file it places: the source's parts and quarantine file
}

// journalFile is a file a commit places.
type journalFile struct {
	Tmp    string `json:"tmp"`              // its name in the temporary directory
	Path   string `json:"path"`             // its path in the dataset
	Bytes  int64  `json:"bytes"`            // its size
	SHA256 string `json:"sha256,omitempty"` // of its bytes (parts; not the quarantine file)
}

// errBadJournal is wrapped by the errors of a commit journal that does not
// parse or holds impossible values.
var errBadJournal = errors.New("malformed commit journal")

// errJournalLeft is returned by recoverCommit when the manifest the
// interrupted commit would add its source to is not there to add to: lost
// (manifest.json gone while other data files remain) or malformed. Open
// then reports the manifest as it does without a journal, and Repair,
// which rebuilds the manifest, completes the commit.
var errJournalLeft = errors.New("interrupted commit left for dataset repair")

// CommitRecovery says what became of a commit that was stopped (the
// process killed, the power cut) after it had begun to place its files:
// completed from its journal, or rolled back when some of its files were
// no longer anywhere.
type CommitRecovery struct {
	Source string // the interrupted commit's source file name ("" = there was none)
	SHA256 string // its SHA-256
	// Completed: its files are all in place and its source is in the
	// manifest, as if the commit had not been stopped.
	Completed bool
	// Rolled back (not Completed): Lost lists its files found neither in
	// its temporary directory nor in place; the files it had placed were
	// moved to Orphans (orphans/NNNN, relative to the dataset) with a
	// NOTE.txt, and the source is not recorded: the next ingest of the
	// file stores all of it.
	Lost    []string
	Orphans string
	Moved   []string
	// Retracted names the source of an interrupted retraction Open
	// completed (recoverRetract), whatever became of a commit.
	Retracted string
	// Pending names the journals Open found and could not act on (no
	// write access, a full disk; while another lomsong holds the lock
	// none is named, as that one is completing them): the dataset is read
	// as it was before them (less the files a retraction had moved aside
	// already) until its owner's next ingest, retract or repair completes
	// them. PendingCause says why they were left: the write refused ("no
	// write access to the dataset", "its file system is mounted
	// read-only", "no space left on device") or the error.
	Pending      []string
	PendingCause string
	// PendingRetraction: a retraction is among Pending (its files moved
	// aside already are missing from the dataset read until then).
	PendingRetraction bool
}

// pendingCause says in a few words why a journal could not be completed.
func pendingCause(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, syscall.EROFS):
		return "its file system is mounted read-only"
	case errors.Is(err, fs.ErrPermission):
		return "no write access to the dataset"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return syscall.ENOSPC.Error()
	}
	return err.Error()
}

// readJournal reads the commit journal of the dataset at dir: nil when
// there is none.
func readJournal(dir string) (*commitJournal, error) {
	b, err := os.ReadFile(filepath.Join(dir, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var j commitJournal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadJournal, err)
	}
	if err := j.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadJournal, err)
	}
	return &j, nil
}

// check checks what recovery relies on: a temporary directory of the
// dataset's own, files inside the data directories, and a source whose
// every part and quarantine file is among them.
func (j *commitJournal) check() error {
	if j.Version != journalVersion {
		return fmt.Errorf("version %d, this lomsong reads version %d", j.Version, journalVersion)
	}
	if !strings.HasPrefix(j.Tmp, ".tmp-") || strings.ContainsAny(j.Tmp, `/\`) || j.Tmp != filepath.Base(j.Tmp) {
		return fmt.Errorf("temporary directory %q is not one of the dataset's", j.Tmp)
	}
	if _, err := parseManifest(mustJSON(Manifest{Version: ManifestVersion, Sources: []Source{j.Source}})); err != nil {
		return fmt.Errorf("its source: %w", err)
	}
	paths := map[string]bool{}
	for _, f := range j.Files {
		if !validRel(f.Path) || paths[f.Path] {
			return fmt.Errorf("file path %q is not inside the dataset, or repeated", f.Path)
		}
		if f.Tmp == "" || strings.ContainsAny(f.Tmp, `/\`) || f.Tmp == "." || f.Tmp == ".." || f.Bytes < 0 {
			return fmt.Errorf("file %s: temporary name %q or size %d impossible", f.Path, f.Tmp, f.Bytes)
		}
		paths[f.Path] = true
	}
	for _, p := range j.Source.Parts {
		if !paths[p.Path] {
			return fmt.Errorf("part %s of its source is not among its files", p.Path)
		}
	}
	if q := j.Source.Quarantine; q != "" && !paths[q] {
		return fmt.Errorf("quarantine file %s of its source is not among its files", q)
	}
	return nil
}

// paths returns the set of the dataset paths of the journal's files.
func (j *commitJournal) paths() map[string]bool {
	out := make(map[string]bool, len(j.Files))
	for _, f := range j.Files {
		out[f.Path] = true
	}
	return out
}

// writeJournal writes the commit journal (temp file, fsync, rename, fsync
// of the directory).
func (s *Store) writeJournal(j *commitJournal) error {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, journalName), append(b, '\n'))
}

// dropJournal removes the commit journal, then the commit's temporary
// directory. A journal whose removal did not reach the disk names a
// source the manifest lists, which the next recovery just removes.
func (s *Store) dropJournal(tmp string) error {
	if err := os.Remove(filepath.Join(s.dir, journalName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	if tmp != "" {
		return os.RemoveAll(filepath.Join(s.dir, tmp))
	}
	return nil
}

// fileState is where a journal's file is.
type fileState uint8

const (
	filePlaced  fileState = iota // at its path, its size and SHA-256 the journal's
	filePending                  // still in the temporary directory
	fileLost                     // in neither place (or something else at its path)
)

// state finds where a journal's file is. A file at its path is the
// commit's when its size and SHA-256 are the journal's; the quarantine
// file, whose SHA-256 the journal does not hold, by its size.
func (s *Store) state(j *commitJournal, f journalFile) (fileState, error) {
	final := filepath.Join(s.dir, filepath.FromSlash(f.Path))
	if st, err := os.Lstat(final); err == nil {
		if st.Mode().IsRegular() && st.Size() == f.Bytes {
			if f.SHA256 == "" {
				return filePlaced, nil
			}
			file, err := os.Open(final)
			if err != nil {
				return 0, err
			}
			sum, _, err := hashOf(file)
			file.Close()
			if err != nil {
				return 0, err
			}
			if sum == f.SHA256 {
				return filePlaced, nil
			}
		}
		// Something else at its path: never overwritten.
		return fileLost, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	st, err := os.Lstat(filepath.Join(s.dir, j.Tmp, f.Tmp))
	switch {
	case err == nil && st.Mode().IsRegular() && st.Size() == f.Bytes:
		return filePending, nil
	case err == nil || errors.Is(err, fs.ErrNotExist):
		return fileLost, nil
	}
	return 0, err
}

// settle brings the files of an interrupted commit to one end, under the
// lock: when every file is in place or still in the temporary directory,
// it places the rest and reports true (the caller then records the
// source); otherwise it moves the files the commit had placed to
// orphans/NNNN/ with a note, removes the journal and reports false.
func (s *Store) settle(j *commitJournal, rec *CommitRecovery, when time.Time) (bool, error) {
	rec.Source, rec.SHA256 = j.Source.Name, j.Source.SHA256
	states := make([]fileState, len(j.Files))
	var placed []string
	for i, f := range j.Files {
		st, err := s.state(j, f)
		if err != nil {
			return false, fmt.Errorf("dataset %s: completing the interrupted ingest of %s: %w", s.dir, j.Source.Name, err)
		}
		states[i] = st
		switch st {
		case filePlaced:
			placed = append(placed, f.Path)
		case fileLost:
			rec.Lost = append(rec.Lost, f.Path)
		}
	}
	if len(rec.Lost) == 0 {
		dirs := map[string]bool{}
		for i, f := range j.Files {
			if states[i] != filePending {
				continue
			}
			final := filepath.Join(s.dir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
				return false, err
			}
			if err := os.Rename(filepath.Join(s.dir, j.Tmp, f.Tmp), final); err != nil {
				return false, fmt.Errorf("dataset %s: completing the interrupted ingest of %s: %w", s.dir, j.Source.Name, err)
			}
			dirs[filepath.Dir(final)] = true
		}
		for _, d := range sortedDirs(dirs) {
			if err := syncDir(d); err != nil {
				return false, err
			}
		}
		return true, nil
	}
	if len(placed) > 0 {
		o, err := s.moveAside(orphansDir, placed, rollbackNote(j, rec.Lost, placed, when))
		if err != nil {
			return false, fmt.Errorf("dataset %s: rolling back the interrupted ingest of %s: %w", s.dir, j.Source.Name, err)
		}
		rec.Orphans, rec.Moved = o, placed
	}
	return false, s.dropJournal(j.Tmp)
}

// rollbackNote is the NOTE.txt beside the files of a commit rolled back.
func rollbackNote(j *commitJournal, lost, placed []string, when time.Time) string {
	var b strings.Builder
	src := j.Source
	fmt.Fprintf(&b, "These files are what an interrupted ingest had placed of %s (sha256 %s, %s, ingest started %s) before it was stopped.\n",
		src.Name, src.SHA256, src.Kind, src.IngestedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Its commit could not be completed: %d of its %d files were neither in its temporary directory nor in place, e.g. %s.\n",
		len(lost), len(j.Files), lost[0])
	fmt.Fprintf(&b, "The source was not recorded, so that no reader sees part of its rows as if they were all of it: ingest the file again to store all of it.\n")
	noteWhenAndFiles(&b, when, placed)
	fmt.Fprintf(&b, "Do not move them back: a source rebuilt from them would lack the rows of the files lost.\n")
	return b.String()
}

// recoverCommit completes or rolls back the commit an interrupted ingest
// left (see CommitRecovery), under the lock; when is written into a
// rollback's note (zero: not known). It returns errJournalLeft, changing
// nothing, when the manifest the source goes into is lost or malformed.
func (s *Store) recoverCommit(when time.Time) (CommitRecovery, error) {
	var rec CommitRecovery
	j, err := readJournal(s.dir)
	if err != nil {
		return rec, fmt.Errorf("dataset %s: %s: %w; lomsong dataset repair %s sets it aside", s.dir, journalName, err, shellquote.Quote(s.dir))
	}
	if j == nil {
		return rec, nil
	}
	m := Manifest{Version: ManifestVersion}
	b, err := os.ReadFile(filepath.Join(s.dir, manifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The commit's was the first source (a commit starts only on a
		// manifest, or on a directory with no data file): unless data
		// files other than its own are here, the manifest was lost since.
		files, err := dataFiles(s.dir)
		if err != nil {
			return rec, err
		}
		mine := j.paths()
		if slices.ContainsFunc(files, func(f string) bool { return !mine[f] }) {
			return rec, errJournalLeft
		}
	case err != nil:
		return rec, err
	default:
		if m, err = parseManifest(b); err != nil {
			return rec, errJournalLeft
		}
	}
	rec.Source, rec.SHA256 = j.Source.Name, j.Source.SHA256
	if slices.ContainsFunc(m.Sources, func(src Source) bool { return src.SHA256 == j.Source.SHA256 }) {
		// Stopped after its manifest was in place.
		rec.Completed = true
		return rec, s.dropJournal(j.Tmp)
	}
	complete, err := s.settle(j, &rec, when)
	if err != nil || !complete {
		return rec, err
	}
	m.Sources = append(m.Sources, j.Source)
	data := mustJSON(m)
	if _, err := parseManifest(data); err != nil {
		return rec, fmt.Errorf("dataset %s: the manifest with the interrupted ingest of %s fails its own checks: %w", s.dir, j.Source.Name, err)
	}
	if err := s.keepPrevious(); err != nil {
		return rec, err
	}
	if err := writeFileAtomic(filepath.Join(s.dir, manifestName), data); err != nil {
		return rec, fmt.Errorf("dataset %s: writing the manifest: %w", s.dir, err)
	}
	rec.Completed = true
	return rec, s.dropJournal(j.Tmp)
}

// recoverOnOpen is Open's recovery of an interrupted commit: only when it
// takes the lock at once (another process holding it may be committing
// now) and may write (a reader without write access reads the dataset as
// it was before that commit). It returns what it did (Source "" when it
// did nothing); its errors are left to the next ingest or repair, which
// recover under the lock and report them.
func recoverOnOpen(dir string) CommitRecovery {
	var rec CommitRecovery
	lf, err := lock(dir)
	if errors.Is(err, ErrLocked) {
		// Another lomsong holds the lock: an ingest committing now, or
		// one that completes the journal under it.
		return rec
	}
	why := err // the lock's refusal (no write access), or what stopped a completion
	if err == nil {
		s := &Store{dir: dir}
		retracted, rerr := s.recoverRetract()
		why = rerr
		if rerr == nil {
			if rec, err = s.recoverCommit(time.Time{}); err != nil {
				rec, why = CommitRecovery{}, err
			}
		}
		rec.Retracted = retracted
		unlock(lf)
	}
	// What is left undone (a reader without write access: the dataset
	// as it was before), said rather than read in silence.
	for _, j := range []struct{ name, what string }{{retractJournalName, "a retraction"}, {journalName, "an ingest"}} {
		if fileExistsIn(dir, j.name) {
			rec.Pending = append(rec.Pending, fmt.Sprintf("%s (%s stopped before its end)", j.name, j.what))
			rec.PendingRetraction = rec.PendingRetraction || j.name == retractJournalName
		}
	}
	if len(rec.Pending) > 0 {
		rec.PendingCause = cmp.Or(pendingCause(why), "not completed")
	}
	return rec
}

// withoutJournalFiles drops from files (data files of a dataset without a
// manifest) those of the commit journal's: the files a first commit is
// placing now, or left by an interrupted first commit that Open could not
// complete.
func withoutJournalFiles(dir string, files []string) []string {
	j, err := readJournal(dir)
	if err != nil || j == nil {
		return files
	}
	mine := j.paths()
	return slices.DeleteFunc(files, func(f string) bool { return mine[f] })
}
