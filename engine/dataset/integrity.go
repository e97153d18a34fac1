package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// dataTops are the directories of the dataset that hold data files: every
// file under them is either listed in the manifest or an orphan.
var dataTops = []string{"measurements", "sites", "villages", "subscriptions", "quarantine"}

// orphansDir is where files the manifest does not list are moved.
const orphansDir = "orphans"

// dataFiles returns the '/'-separated paths, relative to dir and sorted, of
// the regular files under dir's data directories. A directory that does
// not exist has none.
func dataFiles(dir string) ([]string, error) {
	var out []string
	for _, top := range dataTops {
		root := filepath.Join(dir, top)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validRel reports whether p is a clean '/'-separated path inside one of
// the dataset's data directories.
func validRel(p string) bool {
	if p == "" || strings.ContainsRune(p, '\\') || strings.ContainsRune(p, 0) || path.Clean(p) != p || path.IsAbs(p) {
		return false
	}
	top, rest, ok := strings.Cut(p, "/")
	return ok && rest != "" && slices.Contains(dataTops, top) && !slices.Contains(strings.Split(rest, "/"), "..")
}

// parseManifest decodes a manifest and checks what the code relies on:
// the version, checksums of 64 hex digits (16 for sources Repair could
// only name), part paths inside the dataset, counts that are not negative.
func parseManifest(b []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if m.Version != ManifestVersion {
		return Manifest{}, fmt.Errorf("%w: version %d, this lomsong reads version %d", ErrBadManifest, m.Version, ManifestVersion)
	}
	// A source or part listed twice would be read twice: every count and
	// statistic doubled, with every check passing.
	sources, paths := map[string]int{}, map[string]int{}
	for i, src := range m.Sources {
		where := fmt.Sprintf("source %d (%q)", i+1, src.Name)
		for _, sum := range []string{src.SHA256, src.ContentSHA256} {
			if sum == "" {
				continue
			}
			if j, ok := sources[sum]; ok {
				return Manifest{}, fmt.Errorf("%w: %s: the same checksum as source %d (%q): a source listed twice", ErrBadManifest, where, j+1, m.Sources[j].Name)
			}
			sources[sum] = i
		}
		for _, p := range src.Parts {
			if j, ok := paths[p.Path]; ok {
				return Manifest{}, fmt.Errorf("%w: %s: part %s is listed already (source %d, %q): a part listed twice", ErrBadManifest, where, p.Path, j+1, m.Sources[j].Name)
			}
			paths[p.Path] = i
		}
		if !isHex(src.SHA256, 64) && !(src.Recovered != "" && isHex(src.SHA256, 16)) {
			return Manifest{}, fmt.Errorf("%w: %s: sha256 %q is not 64 lowercase hex digits", ErrBadManifest, where, src.SHA256)
		}
		if src.ContentSHA256 != "" && !isHex(src.ContentSHA256, 64) {
			return Manifest{}, fmt.Errorf("%w: %s: content_sha256 %q is not 64 lowercase hex digits", ErrBadManifest, where, src.ContentSHA256)
		}
		if src.Quarantine != "" && !validRel(src.Quarantine) {
			return Manifest{}, fmt.Errorf("%w: %s: quarantine path %q is not inside the dataset", ErrBadManifest, where, src.Quarantine)
		}
		if src.RowsRead < 0 || src.Accepted < 0 || src.Rejected < 0 {
			return Manifest{}, fmt.Errorf("%w: %s: negative row count", ErrBadManifest, where)
		}
		for _, p := range src.Parts {
			switch {
			case !validRel(p.Path):
				return Manifest{}, fmt.Errorf("%w: %s: part path %q is not inside the dataset", ErrBadManifest, where, p.Path)
			case !ingest.Kind(p.Kind).Valid():
				return Manifest{}, fmt.Errorf("%w: %s: part %s: unknown kind %q", ErrBadManifest, where, p.Path, p.Kind)
			case p.SHA256 != "" && !isHex(p.SHA256, 64):
				return Manifest{}, fmt.Errorf("%w: %s: part %s: sha256 %q is not 64 lowercase hex digits", ErrBadManifest, where, p.Path, p.SHA256)
			case p.CRC32C != "" && !isHex(p.CRC32C, 8):
				return Manifest{}, fmt.Errorf("%w: %s: part %s: crc32c %q is not 8 lowercase hex digits", ErrBadManifest, where, p.Path, p.CRC32C)
			case p.Rows < 0 || p.Bytes < 0:
				return Manifest{}, fmt.Errorf("%w: %s: part %s: negative rows or bytes", ErrBadManifest, where, p.Path)
			}
		}
	}
	return m, nil
}

// maxSlugBytes bounds a partition directory name: far below the 255 bytes
// file systems allow, so that the "carrier=" prefix and any suffix fit.
const maxSlugBytes = 64

// slugKeepBytes is how much of an altered name a slug keeps before its
// hash suffix.
const slugKeepBytes = 40

// slug returns a safe directory name for a partition value (a carrier). A
// value of at most maxSlugBytes lowercase ASCII letters, digits, '-', '_'
// and '.' (not starting with '.') is its own name, as in earlier versions.
// Any other value keeps its first safe characters (others become '_',
// capitals are lowered, at most slugKeepBytes) and ends with '~' and the
// first 8 hex digits of the SHA-256 of its bytes: distinct values get
// distinct names however they are truncated or altered (invalid UTF-8
// included), and no unaltered name contains '~'.
func slug(v string) string {
	safe := func(c byte) bool {
		return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
	}
	ok := v != "" && len(v) <= maxSlugBytes && v[0] != '.'
	for i := 0; ok && i < len(v); i++ {
		ok = safe(v[i])
	}
	if ok {
		return v
	}
	b := make([]byte, 0, slugKeepBytes+9)
	for i := 0; i < len(v) && len(b) < slugKeepBytes; {
		_, size := utf8.DecodeRuneInString(v[i:]) // an invalid byte has size 1
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if size > 1 || !safe(c) || (len(b) == 0 && c == '.') {
			c = '_' // one per character, or per byte that is not UTF-8
		}
		b = append(b, c)
		i += size
	}
	h := sha256.Sum256([]byte(v))
	return string(b) + "~" + hex.EncodeToString(h[:4])
}

// fileSums are a file's size and checksums as the manifest records them.
type fileSums struct {
	bytes  int64
	sha256 string // hex
	crc32c string // 8 hex digits, CRC-32C (Castagnoli)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// summer computes fileSums of the bytes written to it.
type summer struct {
	sha hash.Hash // nil: no SHA-256
	crc uint32
	n   int64
}

func newSummer(withSHA bool) *summer {
	s := &summer{}
	if withSHA {
		s.sha = sha256.New()
	}
	return s
}

func (s *summer) Write(p []byte) (int, error) {
	if s.sha != nil {
		s.sha.Write(p)
	}
	s.crc = crc32.Update(s.crc, castagnoli, p)
	s.n += int64(len(p))
	return len(p), nil
}

func (s *summer) sums() fileSums {
	out := fileSums{bytes: s.n, crc32c: fmt.Sprintf("%08x", s.crc)}
	if s.sha != nil {
		out.sha256 = hex.EncodeToString(s.sha.Sum(nil))
	}
	return out
}

// sumsOf reads r to its end and returns its size, CRC-32C and, if withSHA,
// SHA-256.
func sumsOf(r io.Reader, withSHA bool) (fileSums, error) {
	s := newSummer(withSHA)
	_, err := io.Copy(s, r)
	return s.sums(), err
}

// hashFile writes to a file and sums what it writes. It has no Close, so
// that writers which close their sink leave the file to be fsynced.
type hashFile struct {
	f *os.File
	s *summer
}

func newHashFile(f *os.File) *hashFile { return &hashFile{f: f, s: newSummer(true)} }

func (w *hashFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.s.Write(p[:n])
	return n, err
}

// finish fsyncs and closes the file and returns its size and checksums.
func (w *hashFile) finish() (fileSums, error) {
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return fileSums{}, err
	}
	if err := w.f.Close(); err != nil {
		return fileSums{}, err
	}
	return w.s.sums(), nil
}

// hashOf returns the SHA-256 of r's bytes and their count.
func hashOf(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// moveOrphans moves files (paths relative to the dataset) to
// orphans/NNNN/, keeping their relative paths, with a NOTE.txt that says
// why and when (when may be zero: not known). It returns the directory,
// relative to the dataset.
func (s *Store) moveOrphans(files []string, why string, when time.Time) (string, error) {
	var note strings.Builder
	fmt.Fprintf(&note, "These files were in the dataset but its manifest did not list them, so no reader saw them.\n")
	fmt.Fprintf(&note, "why: %s\n", why)
	noteWhenAndFiles(&note, when, files)
	fmt.Fprintf(&note, "To restore them, move them back to the same paths in the dataset and run: lomsong dataset repair DIR\n")
	return s.moveAside(orphansDir, files, note.String())
}

// noteWhenAndFiles writes the part every NOTE.txt beside files set aside
// shares: when they were (zero: not known) and the files, with their
// paths in the dataset.
func noteWhenAndFiles(b *strings.Builder, when time.Time, files []string) {
	if when.IsZero() {
		fmt.Fprintf(b, "when: not recorded\n")
	} else {
		fmt.Fprintf(b, "when: %s\n", when.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(b, "files (moved here with their paths in the dataset):\n")
	for _, f := range files {
		fmt.Fprintf(b, "  %s\n", f)
	}
}

// moveAside moves files (paths relative to the dataset) to top/NNNN/ (the
// next number), keeping their relative paths, with NOTE.txt holding note,
// and syncs the directories. It returns the directory, relative to the
// dataset. Nothing is deleted.
func (s *Store) moveAside(top string, files []string, note string) (string, error) {
	rel, err := s.nextAside(top)
	if err != nil {
		return "", err
	}
	return rel, s.moveInto(rel, files, note)
}

// nextAside returns top/NNNN, the next number under top (relative to the
// dataset), without making it.
func (s *Store) nextAside(top string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, top))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	seq := 0
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && n > seq {
			seq = n
		}
	}
	return fmt.Sprintf("%s/%04d", top, seq+1), nil
}

// moveInto moves files (paths relative to the dataset) still at their
// paths into rel (relative to the dataset, made when missing), keeping
// their relative paths, then writes rel/NOTE.txt holding note (after the
// moves: a NOTE names files that are there), and syncs the directories.
// A NOTE saying the files are being moved is written before the first
// move, so that a run stopped half-way (killed) never leaves files
// without one: a repair killed so left them without a word, and the next
// repair moved the rest to another folder and wrote nothing of them.
func (s *Store) moveInto(rel string, files []string, note string) error {
	dst := filepath.Join(s.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(dst, "NOTE.txt")); errors.Is(err, fs.ErrNotExist) {
		if err := writeFileAtomic(filepath.Join(dst, "NOTE.txt"), []byte(note+notePartial)); err != nil {
			return err
		}
	}
	dirs := map[string]bool{dst: true, filepath.Dir(dst): true}
	for _, f := range files {
		to := filepath.Join(dst, filepath.FromSlash(f))
		from := filepath.Join(s.dir, filepath.FromSlash(f))
		if _, err := os.Lstat(from); errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Lstat(to); err == nil {
				continue // moved by the run this one completes
			}
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
		dirs[filepath.Dir(to)], dirs[filepath.Dir(from)] = true, true
	}
	if err := writeFileAtomic(filepath.Join(dst, "NOTE.txt"), []byte(note)); err != nil {
		return err
	}
	for _, d := range sortedDirs(dirs) {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// notePartial ends the NOTE.txt written before a folder's files are moved
// into it (moveInto): it stays only when the run that moved them stopped
// before its end.
const notePartial = "(Written as these files were being moved here: a file listed above that is not in this folder was not moved, the run that moved them having stopped before its end. It is in the dataset still, or a later run moved it into a folder of its own.)\n"

// listed returns the set of files the manifest lists.
func (m Manifest) listed() map[string]bool {
	out := map[string]bool{}
	for _, src := range m.Sources {
		for _, p := range src.Parts {
			out[p.Path] = true
		}
		if src.Quarantine != "" {
			out[src.Quarantine] = true
		}
	}
	return out
}

// Unlisted returns the data files under the dataset's data directories
// that its manifest does not list (and no reader sees), by path: the
// manifest as it is now, not only as it was when the store was opened
// (see unlistedNow).
func (s *Store) Unlisted() ([]string, error) { return s.unlistedNow() }

// unlisted returns the data files the manifest does not list.
func (s *Store) unlisted() ([]string, error) {
	files, err := dataFiles(s.dir)
	if err != nil {
		return nil, err
	}
	listed := s.manifest.listed()
	var out []string
	for _, f := range files {
		if !listed[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// unlistedNow is unlisted for a store opened before another process's
// ingest committed (dataset verify, dataset ls or an analysis running
// while lomsong ingest adds a file): the files on disk are listed first,
// then the journal of a commit under way and the manifest are read
// again, and a file either names is not unlisted. A commit writes its
// journal before it places its first file and removes it after writing
// the manifest, so a file it placed before the listing is in the journal
// read after it or in the manifest read after that. Without it, every
// part an ingest committed while dataset verify read the parts (seconds
// on a large dataset) was reported as on disk but not in the manifest,
// verify failing and advising a repair of a dataset that was whole.
func (s *Store) unlistedNow() ([]string, error) {
	files, err := dataFiles(s.dir)
	if err != nil {
		return nil, err
	}
	listed := s.manifest.listed()
	if j, err := readJournal(s.dir); err == nil && j != nil {
		for p := range j.paths() {
			listed[p] = true
		}
	}
	if b, err := os.ReadFile(filepath.Join(s.dir, manifestName)); err == nil {
		if m, err := parseManifest(b); err == nil {
			for p := range m.listed() {
				listed[p] = true
			}
		}
	}
	var out []string
	for _, f := range files {
		if !listed[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// UnlistedParts returns the part files under the dataset's data folders
// that the manifest does not list (quarantine files left out), in path
// order: rows no command reads. Most often a source's record lost from
// manifest.json (edited by hand, or an older copy put back), which Repair
// lists again; the next ingest moves them to orphans/. None are returned
// while an ingest's commit is placing its files (its journal is there):
// they are listed once it writes the manifest.
func (s *Store) UnlistedParts() ([]string, error) {
	if fileExistsIn(s.dir, journalName) {
		return nil, nil
	}
	un, err := s.unlistedNow()
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", s.dir, err)
	}
	return slices.DeleteFunc(un, func(rel string) bool { return strings.HasPrefix(rel, "quarantine/") }), nil
}

// ShortSources describes the sources whose listed parts do not hold the
// rows the source records as accepted ("source NAME (sha256 PREFIX…)
// records N accepted rows, its listed parts hold M"), in manifest order: a
// part's entry gone from manifest.json (edited by hand, or an older copy
// put back), its rows read by no command while every listed part is
// intact. An analysis of such a dataset would pass for one of all its
// data; Verify reports the same, and Repair lists the parts still in the
// dataset again. It reads the manifest only.
func (s *Store) ShortSources() []string {
	var out []string
	for _, src := range s.manifest.Sources {
		if rows := src.partRows(); rows != src.Accepted {
			out = append(out, fmt.Sprintf("source %s (sha256 %s…) records %d accepted rows, its listed parts hold %d",
				src.Name, src.SHA256[:min(16, len(src.SHA256))], src.Accepted, rows))
		}
	}
	return out
}

// MisrecordedParts describes the parts whose record names another kind,
// period or carrier than the folders the part lies in ("PATH is listed as
// period 2024-09"), in manifest order: a record edited by hand. Readers
// take a part's period and carrier from its record, so such a part's rows
// would be read as another month's or carrier's, every checksum passing;
// Verify reports it from the part's own metadata, and Repair corrects the
// record from it. A carrier whose name is not its own folder name (one
// with capitals or spaces) is not compared: earlier versions named its
// folder otherwise. It reads the manifest only.
func (s *Store) MisrecordedParts() []string {
	var out []string
	for _, src := range s.manifest.Sources {
		for _, p := range src.Parts {
			elems := strings.Split(p.Path, "/")
			var d []string
			if elems[0] != p.Kind {
				d = append(d, fmt.Sprintf("kind %q", p.Kind))
			}
			var period, carrier string
			var hasCarrier bool
			for _, e := range elems[1 : len(elems)-1] {
				if v, ok := strings.CutPrefix(e, "period="); ok {
					period = v
				}
				if v, ok := strings.CutPrefix(e, "carrier="); ok {
					carrier, hasCarrier = v, true
				}
			}
			if period != p.Period {
				d = append(d, fmt.Sprintf("period %q", p.Period))
			}
			if hasCarrier && carrier != p.Carrier && slug(p.Carrier) == p.Carrier {
				d = append(d, fmt.Sprintf("carrier %q", p.Carrier))
			}
			if len(d) > 0 {
				out = append(out, fmt.Sprintf("%s is listed as %s", p.Path, strings.Join(d, ", ")))
			}
		}
	}
	return out
}

// ErrManifestDisagrees is the error of CheckListed: manifest.json no
// longer describes the dataset's parts (a part's entry lost, or its record
// edited to another kind, period or carrier), and an analysis would leave
// rows out or count them in another month or carrier, every checksum
// passing.
var ErrManifestDisagrees = errors.New("manifest.json does not describe the parts")

// manifestDisagrees is CheckListed's error: its message says what and
// what to do, and it wraps ErrManifestDisagrees.
type manifestDisagrees struct{ msg string }

func (e *manifestDisagrees) Error() string { return e.msg }
func (e *manifestDisagrees) Unwrap() error { return ErrManifestDisagrees }

// CheckListed refuses an analysis of the dataset whose manifest lost a
// part's entry (ShortSources): the part's rows would be left out of every
// stage without a word, and the month saved and reported as if complete;
// and one whose record of a part names another period, carrier or kind
// than its folders (MisrecordedParts): its rows would be counted in
// another month or carrier. The error, wrapping ErrManifestDisagrees,
// names manifest.json, the first parts and the dataset verify and repair
// commands. It reads the manifest only. Every command that analyses a
// dataset (lomsong run and the others, a release of lomsong serve) calls
// it before it reads.
func (s *Store) CheckListed() error {
	list := func(l []string) string {
		out := strings.Join(l[:min(3, len(l))], "; ")
		if len(l) > 3 {
			out += "; …"
		}
		return out
	}
	q := shellquote.Quote(s.dir)
	if short := s.ShortSources(); len(short) > 0 {
		return &manifestDisagrees{fmt.Sprintf("%s: a part's entry is missing (%s): an analysis would leave its rows out; lomsong dataset verify %s names the files not listed, lomsong dataset repair %s lists them again",
			filepath.Join(s.dir, manifestName), list(short), q, q)}
	}
	if mis := s.MisrecordedParts(); len(mis) > 0 {
		return &manifestDisagrees{fmt.Sprintf("%s: a part's record was edited (%s, not what its folders say): an analysis would read its rows as another kind's, month's or carrier's; lomsong dataset verify %s names them, lomsong dataset repair %s corrects the records from the parts",
			filepath.Join(s.dir, manifestName), list(mis), q, q)}
	}
	return nil
}

// UnlistedNote says, for an analysis of the dataset, which part files the
// manifest does not list (UnlistedParts) and that their rows are left out
// of it, with what to do; "" when there are none. lomsong run and the
// other analysis commands warn with it; a release of lomsong serve, which
// publishes for good, is refused with it.
func (s *Store) UnlistedNote() (string, error) {
	un, err := s.UnlistedParts()
	if err != nil || len(un) == 0 {
		return "", err
	}
	list := strings.Join(un[:min(3, len(un))], ", ")
	if len(un) > 3 {
		list += ", …"
	}
	q := shellquote.Quote(s.dir)
	return fmt.Sprintf("%s: %s not in manifest.json and not read (%s): %s left out of this analysis; if a source's record was lost from the manifest (an older copy put back, an edit), lomsong dataset repair %s lists %s again — before any ingest, which moves %s to %s",
		s.dir, plural.Count(len(un), "part file is", "part files are"), list, plural.Noun(len(un), "its rows are", "their rows are"),
		q, plural.Noun(len(un), "it", "them"), plural.Noun(len(un), "it", "them"), shellquote.Quote(filepath.Join(s.dir, orphansDir))), nil
}

// DamagedParts returns the parts of the measurements of periods (every
// period when nil) and of the registers whose files are missing or of
// another size than recorded: a look at the file sizes only (dataset
// verify checks checksums and rows). A run whose stages are all current
// reads no part, so it would not notice them otherwise.
func (s *Store) DamagedParts(periods []string) []string {
	bad := s.damaged(s.Parts("measurements", periods, nil))
	for _, kind := range []string{"sites", "villages", "subscriptions"} {
		bad = append(bad, s.damaged(s.Parts(kind, nil, nil))...)
	}
	slices.Sort(bad)
	return bad
}

// damaged describes the parts whose files are missing or of another size
// than recorded.
func (s *Store) damaged(parts []Part) []string {
	var bad []string
	for _, p := range parts {
		st, err := os.Stat(s.Path(p))
		switch {
		case err != nil:
			bad = append(bad, p.Path+" (missing)")
		case st.Size() != p.Bytes:
			bad = append(bad, fmt.Sprintf("%s (%d bytes, recorded %d)", p.Path, st.Size(), p.Bytes))
		}
	}
	return bad
}
