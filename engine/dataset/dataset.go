package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/internal/flock"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// ManifestVersion is the layout version this package writes and reads.
const ManifestVersion = 1

// Manifest lists every ingested source.
type Manifest struct {
	Version int      `json:"version"`
	Sources []Source `json:"sources"`
}

// Source is one ingested input file.
type Source struct {
	SHA256         string           `json:"sha256"`
	Name           string           `json:"name"`
	Kind           string           `json:"kind"`
	Format         string           `json:"format"`
	IngestedAt     time.Time        `json:"ingested_at"`
	RowsRead       int64            `json:"rows_read"`
	Accepted       int64            `json:"accepted"`
	Rejected       int64            `json:"rejected"`
	RejectedBy     map[string]int64 `json:"rejected_by_reason,omitempty"`
	IgnoredColumns []string         `json:"ignored_columns,omitempty"`
	Mapping        json.RawMessage  `json:"mapping,omitempty"`
	// ReadOptions are the options besides the mapping that change which
	// rows are kept (readOptions: the --bounds geometry's checksum,
	// deduplication off); absent for the defaults and in manifests of
	// earlier versions.
	ReadOptions string `json:"read_options,omitempty"`
	Quarantine  string `json:"quarantine,omitempty"`
	Parts       []Part `json:"parts"`
	// ContentSHA256 is the SHA-256 of the decoded content (after gzip);
	// absent when it equals SHA256 and in manifests of earlier versions.
	ContentSHA256 string `json:"content_sha256,omitempty"`
	// RowsDigest is the digest of a measurements source's accepted rows
	// as a multiset (rowsDigest: order-free, of the values read): a later
	// file of other bytes holding the same measurements (re-saved in
	// another layout, converted to Parquet) is not added again. Absent
	// for other kinds and in manifests of earlier versions.
	RowsDigest string `json:"rows_digest,omitempty"`
	// Recovered, when set, says how Repair rebuilt this record and what it
	// could not recover. SHA256 may then hold only the 16 hex digits that
	// name the source's files.
	Recovered string `json:"recovered,omitempty"`
}

// partRows returns the rows its parts hold, as their entries record them.
func (s Source) partRows() int64 {
	var n int64
	for _, p := range s.Parts {
		n += p.Rows
	}
	return n
}

// Part is one Parquet file of accepted rows.
type Part struct {
	Path    string `json:"path"` // relative to the dataset directory, '/'-separated
	Kind    string `json:"kind"`
	Period  string `json:"period,omitempty"` // YYYY-MM, measurements only
	Carrier string `json:"carrier"`
	Rows    int64  `json:"rows"`
	Bytes   int64  `json:"bytes"`
	// SHA256 and CRC32C (8 hex digits, Castagnoli) are checksums of the
	// file's bytes, absent in parts of earlier versions: Verify checks
	// both, readers the CRC-32C, which catches every burst of up to 32
	// flipped bits at a tenth of a scan's CPU where SHA-256 costs about
	// 40% (see doc.go).
	SHA256 string `json:"sha256,omitempty"`
	CRC32C string `json:"crc32c,omitempty"`
}

// setSums records a file's size and checksums.
func (p *Part) setSums(s fileSums) { p.Bytes, p.SHA256, p.CRC32C = s.bytes, s.sha256, s.crc32c }

// ErrAlreadyIngested is returned by Begin for a source whose SHA-256 is
// already in the manifest.
var ErrAlreadyIngested = errors.New("already ingested")

// ErrLocked is returned when another ingest, retract or repair holds the
// dataset.
var ErrLocked = errors.New("locked by another writer")

// Store is an opened dataset directory.
type Store struct {
	dir      string
	manifest Manifest
	// failpoint, when set (tests only), is called at each named step of a
	// commit, of Verify and of the removal of damaged saved outputs; a
	// non-nil error aborts it there.
	failpoint func(step string) error
	// rowGroupRows, when positive (tests only), replaces partRowGroupRows.
	rowGroupRows int
	// maxOpenParts and stageRows, when positive (tests only), replace
	// the constants of those names.
	maxOpenParts int
	stageRows    int
	// maxPartitions, when positive (tests only), replaces MaxPartitions.
	maxPartitions int
	// scans counts passes over measurement rows (Scans).
	scans scanCounter
	// onUnsaved receives the stages that could not be saved for want of
	// write access (OnUnsaved).
	onUnsaved func(ref StageRef, err error)
	// onDamaged receives the saved outputs found damaged when read
	// (OnDamagedStage).
	onDamaged func(ref StageRef, err error)
	// opened is what Open did with an interrupted commit (OpenRecovery).
	opened CommitRecovery
	// manifestSHA is the SHA-256 (hex) of the manifest file manifest was
	// read from or last written as ("" when there was none): what
	// ManifestChanged compares the file on disk with.
	manifestSHA string
}

// ManifestSHA256 is the SHA-256 (hex) of the manifest this Store read
// (or last wrote): the dataset as a command over it saw it, which its
// outputs' metadata names ("" without a manifest).
func (s *Store) ManifestSHA256() string { return s.manifestSHA }

// ManifestChanged reports whether the dataset's manifest.json is no
// longer the one this Store read (at Open, or as its own last commit
// wrote it): another process committed an ingest, a retract or a repair
// since. The Store goes on reading the parts its manifest lists, so what
// it computed since is of the dataset as it was, not as it is.
func (s *Store) ManifestChanged() (bool, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, manifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s.manifestSHA != "", nil
	case err != nil:
		return false, fmt.Errorf("dataset %s: %w", s.dir, err)
	}
	return sha256Hex(b) != s.manifestSHA, nil
}

// ChangedFor reports whether a change another process committed since
// this Store read the manifest (ManifestChanged) touches what a command
// over the months periods reads: a part of the sites, villages or
// subscriptions, or of the measurements of one of periods, added, taken
// out or replaced, or their sources' order changed. Measurements of
// other months (another month's dump ingested or retracted meanwhile)
// are not its inputs.
func (s *Store) ChangedFor(periods []string) (bool, error) {
	changed, err := s.ManifestChanged()
	if err != nil || !changed {
		return changed, err
	}
	b, err := os.ReadFile(filepath.Join(s.dir, manifestName))
	if err != nil {
		return true, nil // lost since: everything changed
	}
	now, err := parseManifest(b)
	if err != nil {
		return true, nil
	}
	return !slices.Equal(partsRead(s.manifest, periods), partsRead(now, periods)), nil
}

// partsRead lists, in the manifest's order, the parts of m a command over
// periods reads: every part but the measurements of other months.
func partsRead(m Manifest, periods []string) []string {
	var out []string
	for _, src := range m.Sources {
		for _, p := range src.Parts {
			if src.Kind == "measurements" && !slices.Contains(periods, p.Period) {
				continue
			}
			out = append(out, src.SHA256+" "+p.Path+" "+p.SHA256+" "+p.CRC32C+" "+strconv.FormatInt(p.Bytes, 10)+" "+strconv.FormatInt(p.Rows, 10))
		}
	}
	return out
}

// sha256Hex is the SHA-256 of b in hex.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// OpenRecovery says what Open did with the commit an interrupted ingest
// had left: completed or rolled back (Source "" when there was none, or
// Open left it to the next ingest or repair), for the command to tell its
// user.
func (s *Store) OpenRecovery() CommitRecovery { return s.opened }

const (
	manifestName     = "manifest.json"
	prevManifestName = "manifest.prev.json"
)

// ErrNoManifest is returned by Open for a directory that holds data files
// but no manifest: the manifest was lost, and treating the directory as
// empty would hide (and a write would discard) every part in it.
var ErrNoManifest = errors.New("data files but no manifest.json")

// ErrNotDataset is returned by Repair for a directory with neither a
// manifest nor data files: nothing to repair, and a manifest written
// there would make a wrong directory look like a sound, empty dataset.
var ErrNotDataset = errors.New("no manifest and no data files: not a dataset")

// ErrBadManifest is wrapped by the errors of a manifest that does not
// parse or holds impossible values.
var ErrBadManifest = errors.New("malformed manifest")

// Open reads the dataset at dir. A directory without a manifest (or one
// that does not exist yet) is an empty dataset, created on the first
// commit, as long as it holds no data files: with data files but no
// manifest the error wraps ErrNoManifest and says how to recover. A
// manifest that does not parse or fails its checks (checksums of 64 hex
// digits, part paths inside the dataset) is an error wrapping
// ErrBadManifest.
//
// An ingest whose commit was stopped (the process killed, the power cut)
// left a commit journal: Open completes that commit, or rolls it back
// whole (see CommitRecovery), when it can take the dataset's lock at once
// and write; otherwise (an ingest running, a reader without write access)
// it reads the dataset as it was before that commit.
func Open(dir string) (*Store, error) {
	var rec CommitRecovery
	if fileExistsIn(dir, journalName) || fileExistsIn(dir, retractJournalName) {
		rec = recoverOnOpen(dir)
	}
	s := &Store{dir: dir, manifest: Manifest{Version: ManifestVersion}, opened: rec}
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	switch {
	case errors.Is(err, os.ErrNotExist):
		if files, herr := dataFiles(dir); herr != nil {
			return nil, fmt.Errorf("dataset %s: %w", dir, herr)
		} else if files = withoutJournalFiles(dir, files); len(files) > 0 {
			return nil, fmt.Errorf("dataset %s: %w (%d files, e.g. %s); nothing was read or written; "+
				"rebuild the manifest from the parts with: lomsong dataset repair %s", dir, ErrNoManifest, len(files), files[0], shellquote.Quote(dir))
		}
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("dataset %s: %w", dir, err)
	}
	m, err := parseManifest(b)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %s: %w; rebuild it from the parts with: lomsong dataset repair %s", dir, manifestName, err, shellquote.Quote(dir))
	}
	s.manifest, s.manifestSHA = m, sha256Hex(b)
	return s, nil
}

// Dir returns the dataset directory.
func (s *Store) Dir() string { return s.dir }

// Manifest returns a copy of the manifest.
func (s *Store) Manifest() Manifest {
	m := s.manifest
	m.Sources = slices.Clone(m.Sources)
	return m
}

// Lookup returns the source with the given SHA-256, if ingested: the
// checksum of its bytes, or of its decoded content (so that a file and its
// gzip-compressed copy are one source). A source recovered with only the
// first 16 hex digits of its checksum matches every checksum with that
// prefix.
func (s *Store) Lookup(sha string) (Source, bool) {
	if sha == "" {
		return Source{}, false
	}
	for _, src := range s.manifest.Sources {
		if src.SHA256 == sha || src.ContentSHA256 == sha ||
			(src.Recovered != "" && len(src.SHA256) == 16 && strings.HasPrefix(sha, src.SHA256)) {
			return src, true
		}
	}
	return Source{}, false
}

// Parts returns the listed parts of a kind ("measurements" or "sites"),
// optionally limited to periods and carriers (nil = all), sorted by path.
func (s *Store) Parts(kind string, periods, carriers []string) []Part {
	return listParts(&s.manifest, kind, periods, carriers)
}

// listParts lists the parts of man of kind, periods and carriers (nil =
// all), in path order.
func listParts(man *Manifest, kind string, periods, carriers []string) []Part {
	var out []Part
	for _, src := range man.Sources {
		for _, p := range src.Parts {
			if p.Kind != kind {
				continue
			}
			if periods != nil && !slices.Contains(periods, p.Period) {
				continue
			}
			if carriers != nil && !slices.Contains(carriers, p.Carrier) {
				continue
			}
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// Path returns the absolute path of a part.
func (s *Store) Path(p Part) string { return filepath.Join(s.dir, filepath.FromSlash(p.Path)) }

// lock takes an exclusive, non-blocking flock on dir/.lock.
// The holder writes its process ID, command and the time into the file
// (writeHolder), and a writer it refuses names it from there; a record
// that cannot be read, or is stale, leaves the refusal saying which
// commands write a dataset.
func lock(dir string) (*os.File, error) {
	path := filepath.Join(dir, ".lock")
	f, err := flock.TryLock(path)
	if errors.Is(err, flock.ErrHeld) {
		who := "lomsong ingest, lomsong dataset, or lomsong serve certifying a submission"
		if h, ok := readHolder(path); ok {
			who = h.describe(time.Now())
		}
		return nil, fmt.Errorf("dataset %s: another ingest, retract or repair is writing it (%s): "+
			"nothing was changed; run this again once it has finished (%w)", dir, who, ErrLocked)
	}
	if IsNotWritable(err) {
		return nil, fmt.Errorf("dataset %s: %s (%w)", dir, NotWritableAdvice(err, "ingest, retract and repair write into the dataset: run them"), err)
	}
	if err == nil {
		writeHolder(f, time.Now())
	}
	return f, err
}

// lockWait takes an exclusive flock on dir/.lock, waiting for another
// holder to release it; it records itself as the holder as lock does.
func lockWait(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock.Wait(f, syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	writeHolder(f, time.Now())
	return f, nil
}

// lockShared takes a shared flock on dir/.lock, waiting for an exclusive
// holder (a save) to release it; nil when there is no lock file (nothing
// was ever saved there) or it cannot be opened (a read-only dataset, which
// nothing saves into).
func lockShared(dir string) *os.File {
	f, err := os.Open(filepath.Join(dir, ".lock"))
	if err != nil {
		return nil
	}
	if err := flock.Wait(f, syscall.LOCK_SH); err != nil {
		f.Close()
		return nil
	}
	return f
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory: write, fsync, rename, fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if err := tmp.Chmod(FileMode()); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return syncDir(dir)
}

// SyncDir flushes a directory's entries (a rename or a new file in it) to
// disk; file systems that cannot sync a directory (EINVAL) are accepted.
func SyncDir(dir string) error { return syncDir(dir) }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// keepPrevious makes the current manifest (if any) manifest.prev.json: a
// hard link renamed into place, so that the previous manifest is kept
// whole whatever happens to the new one.
func (s *Store) keepPrevious() error {
	cur := filepath.Join(s.dir, manifestName)
	tmp := filepath.Join(s.dir, "."+prevManifestName+".tmp-link")
	os.Remove(tmp)
	if err := os.Link(cur, tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("dataset %s: keeping the previous manifest: %w", s.dir, err)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, prevManifestName)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("dataset %s: keeping the previous manifest: %w", s.dir, err)
	}
	// A rename onto another link of the same file (manifest.prev.json
	// already the manifest, after a recovery) does nothing: the link
	// made for it stayed behind.
	os.Remove(tmp)
	return nil
}

// WriteFileAtomic is writeFileAtomic for callers outside the package
// (reports and outputs that must never be seen half-written).
func WriteFileAtomic(path string, data []byte) error { return writeFileAtomic(path, data) }

// AtomicFile is a file that appears at its path only when Commit succeeds.
type AtomicFile struct {
	f    *os.File
	path string
	done bool
}

// CreateAtomic starts writing path through a temporary file beside it.
func CreateAtomic(path string) (*AtomicFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	// CreateTemp makes the file private (0600); outputs are for others to
	// read, unless the umask says otherwise.
	if err := f.Chmod(FileMode()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &AtomicFile{f: f, path: path}, nil
}

// Write implements io.Writer.
func (a *AtomicFile) Write(p []byte) (int, error) { return a.f.Write(p) }

// Commit fsyncs, closes and renames the file into place.
func (a *AtomicFile) Commit() error {
	if a.done {
		return errors.New("atomic file already closed")
	}
	a.done = true
	name := a.f.Name()
	if err := a.f.Sync(); err != nil {
		a.f.Close()
		os.Remove(name)
		return err
	}
	if err := a.f.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, a.path); err != nil {
		os.Remove(name)
		return err
	}
	return syncDir(filepath.Dir(a.path))
}

// Abort discards the file. It is safe to call after Commit (then it does nothing).
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	name := a.f.Name()
	a.f.Close()
	os.Remove(name)
}

var _ io.Writer = (*AtomicFile)(nil)
