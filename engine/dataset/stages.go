package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/lomsong/lomsong/internal/flock"
)

// Saved stage outputs.
//
// A stage (the pipeline's aggregation of one carrier's month, the month's
// coverage, its dead zones, ...) saves what it computed so that a later
// stage or command reads it instead of recomputing it. Layout:
//
//	stages/period=YYYY-MM/STAGE[/carrier=C]/KEY16/stage.json
//	stages/period=YYYY-MM/STAGE[/carrier=C]/KEY16/FILE...
//
// KEY16 is the first 16 hex digits of the output's key, a SHA-256 the
// caller derives from everything the output depends on (the SHA-256 of the
// input parts or the keys of the saved outputs it read, a hash of the
// stage's configuration and the stage's format version): an output is
// reused only when its full key equals the key the caller computes now.
// stage.json records the full key, the inputs named by the caller, and
// every file's size, SHA-256 and CRC-32C, as the manifest does for parts.
//
// An output appears whole or not at all: its files and stage.json are
// written to a temporary directory beside it, fsynced, and the directory
// is renamed into place; of the outputs of the same stage with other keys
// the most recent keepStageOutputs−1 are kept and older ones removed. Saved outputs are derived data that the next run
// rebuilds from the parts, so unlike data files they are deleted when
// stale; they live outside the data directories, and ingest, repair and
// the orphan sweep never touch them. Readers check each file's size and
// CRC-32C before using it (ErrCorruptPart names the file); Verify checks
// size, SHA-256 and CRC-32C of every saved file.

// StageDir is the directory of saved stage outputs, relative to the dataset.
const StageDir = "stages"

// stageRecordName is the file that describes a saved output.
const stageRecordName = "stage.json"

// StageVersion is the layout version of stage.json.
const StageVersion = 1

// StageRef names a saved stage output: the period, the stage and, for
// outputs kept per carrier, the carrier.
type StageRef struct {
	Period  string // YYYY-MM
	Stage   string // a-z, 0-9, '-', '_'
	Carrier string // "" for outputs of the whole period
}

func (r StageRef) String() string {
	s := r.Period + "/" + r.Stage
	if r.Carrier != "" {
		s += "/" + r.Carrier
	}
	return s
}

// StageFile is one file of a saved output.
type StageFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
	CRC32C string `json:"crc32c"`
}

// StageRecord describes a saved output (its stage.json).
type StageRecord struct {
	Version int    `json:"version"`
	Stage   string `json:"stage"`
	Period  string `json:"period"`
	Carrier string `json:"carrier,omitempty"`
	// Key is the SHA-256 (hex) of everything the output depends on.
	Key string `json:"key"`
	// Inputs name what the key was derived from (for people; the key
	// decides reuse).
	Inputs []string    `json:"inputs,omitempty"`
	Files  []StageFile `json:"files"`
	// Dir is the output's directory relative to the dataset
	// ('/'-separated); not stored.
	Dir string `json:"-"`
}

// StageWrite is one file to save: Write writes its content.
type StageWrite struct {
	Name  string
	Write func(io.Writer) error
}

func validStageName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') || (i == 0 && c == '.') {
			return false
		}
	}
	return true
}

func validPeriod(p string) bool {
	if len(p) != 7 || p[4] != '-' {
		return false
	}
	for i, c := range []byte(p) {
		if i != 4 && !('0' <= c && c <= '9') {
			return false
		}
	}
	return p[5:] >= "01" && p[5:] <= "12"
}

// stageDir returns the directory of a stage's outputs, relative to the
// dataset, '/'-separated.
func (r StageRef) dir() (string, error) {
	if !validPeriod(r.Period) {
		return "", fmt.Errorf("dataset: stage period %q is not YYYY-MM", r.Period)
	}
	if !validStageName(r.Stage) {
		return "", fmt.Errorf("dataset: stage name %q is not 1-64 of a-z, 0-9, '-', '_', '.'", r.Stage)
	}
	d := path.Join(StageDir, "period="+r.Period, r.Stage)
	if r.Carrier != "" {
		d = path.Join(d, "carrier="+slug(r.Carrier))
	}
	return d, nil
}

// ScanStats count the passes over measurement rows a Store made: Scans is
// the number of ScanMeasurements and ScanMeasurementsParallel calls that
// read at least one part, Rows the rows they read.
type ScanStats struct {
	Scans int64
	Rows  int64
}

type scanCounter struct{ scans, rows atomic.Int64 }

// Scans returns the measurement scans made through this Store so far.
func (s *Store) Scans() ScanStats {
	return ScanStats{Scans: s.scans.scans.Load(), Rows: s.scans.rows.Load()}
}

// IsNotWritable reports whether err is the refusal to write into a
// dataset the process may read but not write: permission denied, or a
// read-only file system.
func IsNotWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// NotWritableAdvice says why a write IsNotWritable refused failed and who
// can write: a file system mounted read-only is no matter of its owner
// (the advice to run as the owner sent root looking for another user).
func NotWritableAdvice(err error, what string) string {
	if errors.Is(err, syscall.EROFS) {
		return fmt.Sprintf("its file system is mounted read-only: %s once it is mounted read-write, or on a copy", what)
	}
	return fmt.Sprintf("this user may not write to it: %s as its owner", what)
}

// OnUnsaved sets what becomes of a stage output a reader of the dataset
// cannot save (IsNotWritable): with f set, the stage runners report it
// to f and go on with the output computed (a user with read access alone
// can still ask for another cut or budget, at the cost of the
// computation: nothing is saved for the next command); unset, the save's
// error stops them (lomsong run, whose purpose is the saved month). f may
// be called from several goroutines at once. Call OnUnsaved before the
// Store is shared.
func (s *Store) OnUnsaved(f func(ref StageRef, err error)) { s.onUnsaved = f }

// ReportUnsaved hands a stage that could not be saved for err to the
// OnUnsaved function and reports true, or reports false (the caller
// returns err) when there is none or err is not IsNotWritable.
func (s *Store) ReportUnsaved(ref StageRef, err error) bool {
	if s.onUnsaved == nil || !IsNotWritable(err) {
		return false
	}
	s.onUnsaved(ref, err)
	return true
}

// OnDamagedStage sets f to be told of each saved output a reader of the
// dataset found damaged and did not use (ReportDamagedStage): a file not
// matching its stage.json, or one that does not decode. The stage
// runners compute such an output again (and save it) or refuse, as for
// one never saved, and say nothing themselves; f lets a command name the
// file, since the damage (a failing disk, a hand edit) may not be the
// only one. f may be called from several goroutines at once. Call
// OnDamagedStage before the Store is shared.
func (s *Store) OnDamagedStage(f func(ref StageRef, err error)) { s.onDamaged = f }

// ReportDamagedStage hands a saved output of ref that was found damaged
// for err, and not used, to the OnDamagedStage function, if any.
func (s *Store) ReportDamagedStage(ref StageRef, err error) {
	if s.onDamaged != nil {
		s.onDamaged(ref, err)
	}
}

// SavesRequired reports whether a stage the dataset cannot save stops the
// stage runners (no OnUnsaved function set), rather than being computed
// for the caller alone.
func (s *Store) SavesRequired() bool { return s.onUnsaved == nil }

// CheckStagesWritable reports whether a stage output could be saved now:
// it makes the stages directory if need be and a file in it, removed at
// once. A runner that must save what it computes asks before a stage's
// work, not after it: a reader of the dataset (IsNotWritable) running
// lomsong run learnt it could not save the month after the pass over
// the month's measurements.
func (s *Store) CheckStagesWritable() error {
	dir := filepath.Join(s.dir, StageDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("dataset: saved stage outputs: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-probe-")
	if err != nil {
		return fmt.Errorf("dataset: saved stage outputs: %w", err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// SaveStage saves the files of a stage output under key (64 hex digits),
// replacing any output of the same ref: see the package's notes on saved
// stage outputs. inputs are recorded in stage.json for people to read.
func (s *Store) SaveStage(ref StageRef, key string, inputs []string, files []StageWrite) (StageRecord, error) {
	rec, err := newStageRecord(ref, key, inputs, files)
	if err != nil {
		return StageRecord{}, err
	}
	parent := filepath.Join(s.dir, filepath.FromSlash(path.Dir(rec.Dir)))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return StageRecord{}, err
	}
	// Saves of one stage take turns (runs of one dataset at once — two
	// commands, or a command and the service — save the same stages): the
	// sweep below removes the leftovers of interrupted saves, and without
	// the lock it removed another process's save in progress, and two
	// renames onto one key raced.
	lk, err := lockWait(parent)
	if err != nil {
		return StageRecord{}, fmt.Errorf("dataset: saving stage %s: %w", ref, err)
	}
	defer unlock(lk)
	tmp, err := os.MkdirTemp(parent, ".tmp-")
	if err != nil {
		return StageRecord{}, err
	}
	fail := func(err error) (StageRecord, error) {
		os.RemoveAll(tmp)
		return StageRecord{}, fmt.Errorf("dataset: saving stage %s: %w", ref, err)
	}
	// MkdirTemp makes the folder private (0700) and the rename below
	// keeps it: saved outputs are read like the parts, by whoever may
	// read the dataset (export --read-only, report of another user).
	if err := os.Chmod(tmp, DirMode()); err != nil {
		return fail(err)
	}
	for _, f := range files {
		fh, err := os.Create(filepath.Join(tmp, f.Name))
		if err != nil {
			return fail(err)
		}
		hf := newHashFile(fh)
		if err := f.Write(hf); err != nil {
			fh.Close()
			return fail(fmt.Errorf("%s: %w", f.Name, err))
		}
		sums, err := hf.finish()
		if err != nil {
			return fail(err)
		}
		rec.Files = append(rec.Files, StageFile{Name: f.Name, Bytes: sums.bytes, SHA256: sums.sha256, CRC32C: sums.crc32c})
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fail(err)
	}
	if err := writeFileAtomic(filepath.Join(tmp, stageRecordName), append(b, '\n')); err != nil {
		return fail(err)
	}
	final := filepath.Join(parent, key[:16])
	if _, err := os.Stat(final); err == nil {
		// The same key saved before (or by a run at the same time): move
		// it aside, so that the rename below cannot meet a directory.
		old, err := os.MkdirTemp(parent, ".old-")
		if err != nil {
			return fail(err)
		}
		if err := os.Rename(final, filepath.Join(old, "out")); err != nil {
			os.RemoveAll(old)
			return fail(err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return fail(err)
	}
	if err := syncDir(parent); err != nil {
		return StageRecord{}, fmt.Errorf("dataset: saving stage %s: %w", ref, err)
	}
	s.sweepStage(parent, key[:16])
	return rec, nil
}

// stageDirOf returns the directory of ref's outputs (relative to the
// dataset), after checking ref, and key: 64 lowercase hex digits.
func stageDirOf(ref StageRef, key string) (string, error) {
	rel, err := ref.dir()
	if err != nil {
		return "", err
	}
	if !isHex(key, 64) {
		return "", fmt.Errorf("dataset: stage %s: key %q is not 64 lowercase hex digits", ref, key)
	}
	return rel, nil
}

// newStageRecord returns the record of an output of ref saved under key,
// its files not yet listed, after checking ref, key (64 lowercase hex
// digits) and the files' names (valid, none repeated, none stage.json).
func newStageRecord(ref StageRef, key string, inputs []string, files []StageWrite) (StageRecord, error) {
	rel, err := stageDirOf(ref, key)
	if err != nil {
		return StageRecord{}, err
	}
	names := map[string]bool{stageRecordName: true}
	for _, f := range files {
		if !validStageName(f.Name) || names[f.Name] {
			return StageRecord{}, fmt.Errorf("dataset: stage %s: file name %q is invalid or repeated", ref, f.Name)
		}
		names[f.Name] = true
	}
	return StageRecord{Version: StageVersion, Stage: ref.Stage, Period: ref.Period, Carrier: ref.Carrier, Key: key,
		Inputs: slices.Clone(inputs), Dir: rel + "/" + key[:16]}, nil
}

// keepStageOutputs is how many outputs of one stage (ref) are kept: the
// one just saved and the most recently saved others, so that analyses
// that alternate (calibrated and not, one province and the country) do
// not evict each other.
const keepStageOutputs = 4

// sweepStage removes leftovers of interrupted saves and all but the
// keepStageOutputs most recently saved outputs in parent (by their
// stage.json's modification time, the file system's clock), never keep.
// Errors are ignored: the sweep is redone at the next save.
func (s *Store) sweepStage(parent, keep string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	type out struct {
		name string
		mod  int64
	}
	var others []out
	for _, e := range entries {
		n := e.Name()
		switch {
		case !e.IsDir() || n == keep || strings.HasPrefix(n, "carrier="):
		case strings.HasPrefix(n, ".old-") || strings.HasPrefix(n, ".tmp-"):
			os.RemoveAll(filepath.Join(parent, n))
		default:
			var mod int64
			if st, err := os.Stat(filepath.Join(parent, n, stageRecordName)); err == nil {
				mod = st.ModTime().UnixNano()
			}
			others = append(others, out{n, mod})
		}
	}
	slices.SortFunc(others, func(a, b out) int {
		if a.mod != b.mod {
			return cmpInt64(b.mod, a.mod)
		}
		return strings.Compare(a.name, b.name)
	})
	for i, o := range others {
		if i >= keepStageOutputs-1 {
			os.RemoveAll(filepath.Join(parent, o.name))
		}
	}
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ErrNoStage is returned by LoadStage when no output with the key is saved.
var ErrNoStage = errors.New("no saved output with this key")

// LoadStage returns the record of the saved output of ref with key, after
// checking every file's size and CRC-32C; the error wraps ErrNoStage when
// there is none (or only one with another key) and ErrCorruptPart when a
// file does not match its record. Read the files with OpenStageFile.
func (s *Store) LoadStage(ref StageRef, key string) (StageRecord, error) {
	// A save of the stage (another run of the dataset) replaces and
	// sweeps outputs under the stage's lock: the record and its files are
	// read between saves, not during one.
	if rel, err := ref.dir(); err == nil {
		if lk := lockShared(filepath.Join(s.dir, filepath.FromSlash(rel))); lk != nil {
			defer flock.Unlock(lk)
		}
	}
	rec, err := s.stageRecord(ref, key)
	if err != nil {
		return StageRecord{}, err
	}
	for _, f := range rec.Files {
		if err := s.checkStageFile(rec, f, false); err != nil {
			return StageRecord{}, err
		}
	}
	return rec, nil
}

// StageSaved reports whether an output of ref with key is saved, from its
// record and its files' sizes alone (LoadStage also checks their
// CRC-32C, reading them whole): for saying what is on disk, not for
// reading it.
func (s *Store) StageSaved(ref StageRef, key string) bool {
	rec, err := s.stageRecord(ref, key)
	if err != nil {
		return false
	}
	for _, f := range rec.Files {
		fi, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(rec.Dir), f.Name))
		if err != nil || fi.Size() != f.Bytes {
			return false
		}
	}
	return true
}

// stageRecord returns the record of the saved output of ref with key, its
// files unchecked; the error wraps ErrNoStage when there is none (or only
// one with another key).
func (s *Store) stageRecord(ref StageRef, key string) (StageRecord, error) {
	rel, err := stageDirOf(ref, key)
	if err != nil {
		return StageRecord{}, err
	}
	rec, err := s.readStageRecord(rel + "/" + key[:16])
	if errors.Is(err, fs.ErrNotExist) {
		return StageRecord{}, fmt.Errorf("dataset: stage %s: %w", ref, ErrNoStage)
	}
	if err != nil {
		return StageRecord{}, err
	}
	if rec.Key != key {
		return StageRecord{}, fmt.Errorf("dataset: stage %s: %w", ref, ErrNoStage)
	}
	return rec, nil
}

// OpenStageFile opens a file of a saved output returned by LoadStage.
func (s *Store) OpenStageFile(rec StageRecord, name string) (io.ReadCloser, error) {
	for _, f := range rec.Files {
		if f.Name == name {
			fh, err := os.Open(filepath.Join(s.dir, filepath.FromSlash(rec.Dir), name))
			if err != nil {
				return nil, err
			}
			return fh, nil
		}
	}
	return nil, fmt.Errorf("dataset: saved output %s has no file %q", rec.Dir, name)
}

func (s *Store) readStageRecord(dir string) (StageRecord, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(dir), stageRecordName))
	if err != nil {
		return StageRecord{}, err
	}
	var rec StageRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return StageRecord{}, fmt.Errorf("dataset: %s/%s: %w: %w", dir, stageRecordName, ErrCorruptStage, err)
	}
	if rec.Version != StageVersion || !isHex(rec.Key, 64) {
		return StageRecord{}, fmt.Errorf("dataset: %s/%s: version %d or key %q not of this lomsong: %w", dir, stageRecordName, rec.Version, rec.Key, ErrCorruptStage)
	}
	for _, f := range rec.Files {
		if !validStageName(f.Name) || f.Name == stageRecordName || !isHex(f.SHA256, 64) || !isHex(f.CRC32C, 8) {
			return StageRecord{}, fmt.Errorf("dataset: %s/%s: file %q: bad name or checksums: %w", dir, stageRecordName, f.Name, ErrCorruptStage)
		}
	}
	rec.Dir = dir
	return rec, nil
}

// checkStageFile checks a saved file's size and CRC-32C (and with full its
// SHA-256) against its record.
func (s *Store) checkStageFile(rec StageRecord, f StageFile, full bool) error {
	rel := rec.Dir + "/" + f.Name
	fh, err := os.Open(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("dataset: saved output file %s: %w: %w", rel, ErrCorruptStage, err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && !fi.Mode().IsRegular() {
		// Derived data gone wrong (a directory or device where the file
		// was): damaged like a short file, so the stage is computed again.
		return fmt.Errorf("dataset: saved output file %s is not a regular file (%s): %w", rel, fi.Mode().Type(), ErrCorruptStage)
	}
	sums, err := sumsOf(fh, full)
	switch {
	case err != nil:
		return fmt.Errorf("dataset: %s: %w", rel, err)
	case sums.bytes != f.Bytes:
		return fmt.Errorf("dataset: %s: %d bytes, its stage.json lists %d: %w", rel, sums.bytes, f.Bytes, ErrCorruptStage)
	case sums.crc32c != f.CRC32C:
		return fmt.Errorf("dataset: %s: crc32c %s, its stage.json lists %s: %w", rel, sums.crc32c, f.CRC32C, ErrCorruptStage)
	case full && sums.sha256 != f.SHA256:
		return fmt.Errorf("dataset: %s: sha256 %s, its stage.json lists %s: %w", rel, sums.sha256, f.SHA256, ErrCorruptStage)
	}
	return nil
}

// SavedStages returns the record of every saved output (whatever its key),
// sorted by directory. A stage.json that does not parse is returned as a
// problem rather than an error.
func (s *Store) SavedStages() ([]StageRecord, []PartProblem, error) {
	recs, bad, _, err := s.savedStages()
	return recs, bad, err
}

// savedStages is SavedStages, with the files under the saved stages that
// no stage.json lists (sorted): an output directory without its
// stage.json, or a file its stage.json does not name. The stages' locks
// and the hidden directories of saves in progress are not strays.
func (s *Store) savedStages() ([]StageRecord, []PartProblem, []string, error) {
	var recs []StageRecord
	var bad []PartProblem
	var files []string // every other file, relative to the dataset
	root := filepath.Join(s.dir, StageDir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir // a save in progress or interrupted
		}
		if d.IsDir() || d.Name() == ".lock" {
			return nil
		}
		relFile, err := filepath.Rel(s.dir, p)
		if err != nil {
			return err
		}
		relFile = filepath.ToSlash(relFile)
		if d.Name() != stageRecordName {
			files = append(files, relFile)
			return nil
		}
		rec, err := s.readStageRecord(path.Dir(relFile))
		if err != nil {
			bad = append(bad, PartProblem{Path: relFile, Problem: err.Error()})
			return nil
		}
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("dataset %s: %w", s.dir, err)
	}
	slices.SortFunc(recs, func(a, b StageRecord) int { return strings.Compare(a.Dir, b.Dir) })
	listed := map[string]bool{}
	for _, rec := range recs {
		for _, f := range rec.Files {
			listed[rec.Dir+"/"+f.Name] = true
		}
	}
	unread := map[string]bool{} // directories whose stage.json did not parse
	for _, b := range bad {
		unread[path.Dir(b.Path)] = true
	}
	var strays []string
	for _, f := range files {
		if !listed[f] && !unread[path.Dir(f)] {
			strays = append(strays, f)
		}
	}
	slices.Sort(strays)
	return recs, bad, strays, nil
}

// removeDamagedStages removes the saved outputs whose stage.json does not
// parse or whose files do not match it (size, CRC-32C, SHA-256), each
// checked and removed under its stage's lock, and returns their
// directories, relative to the dataset. No stage reads such an output,
// and none is saved again over it while the stages after it are current
// (the month's predictions, a carrier's evidence predictions): dataset
// verify failed on it after any number of runs. Saved outputs are
// derived data: the next command that needs one computes it again.
//
// A lomsong run of the dataset saves stages meanwhile, each save under
// its stage's lock: it sweeps older outputs away and replaces an output
// of the same key (moved aside, then the new one renamed in). Checked
// outside the lock, such an output was found with its files gone, and
// repair reported it damaged, or removed the good output saved over it.
func (s *Store) removeDamagedStages() ([]string, error) {
	dirs, _, err := s.savedStageDirs()
	if err != nil {
		return nil, err
	}
	if s.failpoint != nil {
		if err := s.failpoint("repair: saved outputs listed"); err != nil {
			return nil, err
		}
	}
	var removed []string
	for _, d := range dirs {
		abs := filepath.Join(s.dir, filepath.FromSlash(d))
		lk, err := lockWait(filepath.Dir(abs))
		if err != nil {
			return nil, fmt.Errorf("dataset: removing the damaged saved output %s: %w", d, err)
		}
		_, bad, gone, err := s.checkSavedStage(context.Background(), d)
		if err == nil && !gone && len(bad) > 0 {
			if err = os.RemoveAll(abs); err == nil {
				removed = append(removed, d)
			}
		}
		unlock(lk)
		if err != nil {
			return nil, fmt.Errorf("dataset: removing the damaged saved output %s: %w", d, err)
		}
	}
	return removed, nil
}

// savedStageDirs returns the directories (relative to the dataset) of the
// saved outputs found, sorted: those whose stage.json was read and those
// whose stage.json did not parse; and the strays of savedStages.
func (s *Store) savedStageDirs() ([]string, []string, error) {
	recs, bad, strays, err := s.savedStages()
	if err != nil {
		return nil, nil, err
	}
	var dirs []string
	for _, b := range bad {
		dirs = append(dirs, path.Dir(b.Path))
	}
	for _, rec := range recs {
		dirs = append(dirs, rec.Dir)
	}
	slices.Sort(dirs)
	return slices.Compact(dirs), strays, nil
}

// checkSavedStage reads the stage.json of the saved output in dir
// (relative to the dataset) and checks its files against it (size,
// CRC-32C and SHA-256): the record, the problems found (none when the
// output is whole), and gone when the output is no longer there (its
// stage.json absent: swept or replaced by a save since it was found).
// The caller holds the stage's lock, so that no save is under way.
func (s *Store) checkSavedStage(ctx context.Context, dir string) (StageRecord, []PartProblem, bool, error) {
	rec, err := s.readStageRecord(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return StageRecord{}, nil, true, nil
	}
	if err != nil {
		return StageRecord{}, []PartProblem{{Path: dir + "/" + stageRecordName, Problem: err.Error()}}, false, nil
	}
	var bad []PartProblem
	for _, f := range rec.Files {
		if err := ctx.Err(); err != nil {
			return rec, bad, false, err
		}
		if err := s.checkStageFile(rec, f, true); err != nil {
			bad = append(bad, PartProblem{Path: rec.Dir + "/" + f.Name, Problem: err.Error()})
		}
	}
	return rec, bad, false, nil
}
