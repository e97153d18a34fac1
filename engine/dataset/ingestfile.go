package dataset

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// IngestOptions control IngestFile.
type IngestOptions struct {
	// Kind forces the table kind; "" detects it from the header (and from
	// Mapping.Kind when a mapping is given).
	Kind ingest.Kind
	// Mapping maps the file's own layout onto the contract (nil = none);
	// MappingJSON is its text, recorded in the manifest.
	Mapping     *ingest.Mapping
	MappingJSON []byte
	// Config is the validation configuration; its Source is set to the
	// file's base name.
	Config ingest.Config
	// MaxRejectShare refuses the source when more than this share of its
	// rows are rejected (DefaultMaxRejectShare when zero; NoRejects
	// refuses any rejected row; 1 accepts everything). RejectShare turns a
	// user's share into it.
	MaxRejectShare float64
	// HeldIn, when set, is another dataset the file's accepted
	// measurements are looked for in, as an ingest into HeldIn looks for
	// them: the release dataset a submission is validated for in a
	// staging dataset of its own (lomsong serve), so that the validation
	// says what certifying it would find there. What HeldIn holds is
	// reported (IngestResult.Held, HeldSame), not refused, and HeldIn is
	// only read; the dataset ingested into is then not looked in (a
	// staging dataset is new).
	HeldIn *Store
}

// DefaultMaxRejectShare is IngestOptions.MaxRejectShare's default.
const DefaultMaxRejectShare = 0.05

// NoRejects is the IngestOptions.MaxRejectShare that refuses a source
// with any rejected row: zero itself takes the default.
const NoRejects = math.SmallestNonzeroFloat64

// RejectShare returns the IngestOptions.MaxRejectShare for a share a
// user chose (lomsong ingest and serve --max-reject-share): share itself,
// NoRejects for 0. A share outside 0..1 (or NaN) is an error wrapping
// engine.ErrInvalidConfig.
func RejectShare(share float64) (float64, error) {
	switch {
	case !(share >= 0 && share <= 1):
		return 0, fmt.Errorf("reject share %g: want a share between 0 and 1: %w", share, engine.ErrInvalidConfig)
	case share == 0:
		return NoRejects, nil
	}
	return share, nil
}

// IngestResult says what became of one file.
type IngestResult struct {
	Path            string
	SHA256          string
	ContentSHA256   string // of the decoded content, when it differs from SHA256
	Format          string
	Kind            ingest.Kind
	AlreadyIngested bool
	Previous        Source // the earlier ingest, when AlreadyIngested
	// SameRows, with AlreadyIngested, says that the file's bytes are new
	// but its accepted measurements are those of Previous (the same
	// rows in another encoding): nothing was added.
	SameRows bool
	// Held, for an ingest with IngestOptions.HeldIn, is the error an
	// ingest of the file into HeldIn would be refused with for the rows
	// HeldIn holds already, nil when it holds none of them (or the file
	// holds no measurements). HeldSame, when not nil, is HeldIn's source
	// of the file's bytes, or of its rows in another wrapping: an ingest
	// into HeldIn would add nothing and not be refused (Held, when set,
	// counts its rows all the same).
	Held     *HeldRowsError
	HeldSame *Source
	// HeldErr is why HeldIn could not be looked in (Held and HeldSame are
	// then unknown).
	HeldErr    error
	Report     *ingest.Report
	Source     Source // the manifest entry, when committed
	RefusedDir string // where the report and quarantine went, when refused
	// OrphansDir, when set, is where data files the manifest did not list
	// were moved before this ingest (relative to the dataset), and
	// Orphaned lists them.
	OrphansDir string
	Orphaned   []string
}

// OtherReadingError is returned by IngestFile for bytes the dataset holds
// already, read with another mapping (another time zone, column mapping
// or preset). A dataset keeps one reading of a file: re-ingesting the same
// bytes is idempotent, so a corrected reading cannot be added beside the
// first, and saying "already ingested" would hide that the correction was
// not applied.
type OtherReadingError struct {
	Path     string
	Dataset  string // the dataset's directory, for the advice
	Previous Source // the earlier ingest
	Was, Now string // the two mappings, as canonical JSON ("" for none)
	// OptionsWas and OptionsNow are the two readings' other options
	// (readOptions: bounds, deduplication; "" for the defaults).
	OptionsWas, OptionsNow string
}

func (e *OtherReadingError) Error() string {
	dir := "DIR"
	if e.Dataset != "" {
		dir = shellquote.Quote(e.Dataset)
	}
	return e.Path + ": " + e.Reason() + ": to read it anew, take the first reading out with lomsong dataset retract " + dir + " " +
		e.Previous.SHA256[:min(16, len(e.Previous.SHA256))] + ", then ingest it again"
}

// Reason is the error without the file's path and the advice: when the
// file was ingested, what the mappings differ in, and that nothing was
// added.
func (e *OtherReadingError) Reason() string {
	var diffs []string
	if e.Was != e.Now {
		diffs = append(diffs, "another mapping ("+mappingDiff(e.Was, e.Now)+")")
	}
	if e.OptionsWas != e.OptionsNow {
		show := func(s string) string {
			if s == "" {
				return "the defaults (no bounds, duplicates removed)"
			}
			return s
		}
		diffs = append(diffs, "other options ("+show(e.OptionsWas)+" → "+show(e.OptionsNow)+")")
	}
	return fmt.Sprintf("these bytes were ingested on %s as %s read with %s; "+
		"a dataset keeps one reading of a file, so nothing was added",
		e.Previous.IngestedAt.Format("2006-01-02 15:04 MST"), e.Previous.Name, strings.Join(diffs, " and "))
}

// mappingDiff lists the keys two canonical mappings differ in, "key: then
// → now", down to the entries of an object-valued key ("units.ts: …"),
// each value cut to 80 bytes around where the two differ.
func mappingDiff(was, now string) string {
	var parts []string
	diffJSON("", was, now, &parts)
	return strings.Join(parts, "; ")
}

// diffJSON appends to parts the differences of two JSON objects' keys
// under prefix (a top-level key's entries once: deeper objects are
// compared whole).
func diffJSON(prefix, was, now string, parts *[]string) {
	fields := func(s string) map[string]string {
		out := map[string]string{}
		var m map[string]json.RawMessage
		if s == "" || json.Unmarshal([]byte(s), &m) != nil {
			if s != "" {
				out["mapping"] = s
			}
			return out
		}
		for k, v := range m {
			out[k] = string(v)
		}
		return out
	}
	a, b := fields(was), fields(now)
	both := maps.Clone(a) // for its keys: those of either mapping
	maps.Copy(both, b)
	keys := slices.Sorted(maps.Keys(both))
	for _, k := range keys {
		x, y := a[k], b[k]
		if x == y {
			continue
		}
		if prefix == "" && strings.HasPrefix(x, "{") && strings.HasPrefix(y, "{") {
			diffJSON(k+".", x, y, parts)
			continue
		}
		// Cut both at the same place, around the first byte they differ
		// in: cut at their start, two long values can read the same.
		at := 0
		for at < min(len(x), len(y)) && x[at] == y[at] {
			at++
		}
		show := func(v string) string {
			if v == "" {
				// Not in the mapping: the default (for timezone,
				// Vietnam time; it read "none" where UTC+7 was given).
				return "the default"
			}
			from := 0
			if len(v) > 80 {
				from = min(max(0, at-40), len(v)-80)
			}
			to := min(len(v), from+80)
			for from > 0 && from < len(v) && !utf8.RuneStart(v[from]) {
				from++ // whole characters only
			}
			for to < len(v) && !utf8.RuneStart(v[to]) {
				to++
			}
			out := v[from:to]
			if from > 0 {
				out = "…" + out
			}
			if to < len(v) {
				out += "…"
			}
			return out
		}
		*parts = append(*parts, fmt.Sprintf("%s%s: %s → %s", prefix, k, show(x), show(y)))
	}
}

// sameReading returns an *OtherReadingError when opt reads the file with
// another mapping than prev was read with (compared as canonical JSON, so
// layout and key order do not matter). A source whose record dataset
// repair rebuilt (Recovered) has no recorded reading to compare: nil, and
// the caller says that a reading given now is not applied.
func (s *Store) sameReading(path string, prev Source, opt IngestOptions) error {
	if prev.Recovered != "" {
		return nil
	}
	now := opt.MappingJSON
	if now == nil && opt.Mapping != nil {
		now = opt.Mapping.JSON()
	}
	kind := ingest.Kind(prev.Kind)
	was, is := canonicalMapping(prev.Mapping, kind), canonicalMapping(now, kind)
	optWas, optNow := prev.ReadOptions, readOptions(opt.Config)
	if was == is && optWas == optNow {
		return nil
	}
	return &OtherReadingError{Path: path, Dataset: s.dir, Previous: prev, Was: was, Now: is, OptionsWas: optWas, OptionsNow: optNow}
}

// readOptions describes the options of cfg besides the mapping that
// change which of a file's rows are kept — the --bounds geometry (by a
// checksum of its coordinates) and deduplication turned off — as
// Source.ReadOptions records them: "" for the defaults.
func readOptions(cfg ingest.Config) string {
	var parts []string
	if len(cfg.Bounds) > 0 {
		h := sha256.New()
		var b [8]byte
		for _, p := range cfg.Bounds {
			for _, r := range p {
				binary.LittleEndian.PutUint64(b[:], uint64(len(r)))
				h.Write(b[:])
				for _, q := range r {
					binary.LittleEndian.PutUint64(b[:], math.Float64bits(q[0]))
					h.Write(b[:])
					binary.LittleEndian.PutUint64(b[:], math.Float64bits(q[1]))
					h.Write(b[:])
				}
			}
		}
		parts = append(parts, "bounds "+hex.EncodeToString(h.Sum(nil))[:16])
	}
	if !cfg.Dedup {
		parts = append(parts, "no deduplication")
	}
	return strings.Join(parts, "; ")
}

// canonicalMapping returns a mapping's JSON as ingest.Mapping writes it,
// compacted, "" for none (or an empty one); text that does not parse is
// compared as it is.
func canonicalMapping(b []byte, kind ingest.Kind) string {
	if len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	m, err := ingest.ParseMapping(b)
	if err != nil {
		return string(b)
	}
	var c, empty bytes.Buffer
	json.Compact(&c, m.Canonical(kind).JSON())
	json.Compact(&empty, (&ingest.Mapping{}).JSON())
	if c.String() == empty.String() {
		return ""
	}
	return c.String()
}

// TooManyRejectsError is returned when a source's reject share exceeds the
// limit. The report and quarantine are written to Dir; the dataset is
// unchanged.
type TooManyRejectsError struct {
	Path  string
	Share float64
	Limit float64
	Dir   string
	// WiFi is the Wi-Fi tests set aside, which Share leaves out.
	WiFi int64
}

func (e *TooManyRejectsError) Error() string {
	of := "rows"
	if e.WiFi > 0 {
		of = fmt.Sprintf("rows besides the %s", plural.Count(e.WiFi, "Wi-Fi test set aside", "Wi-Fi tests set aside"))
	}
	return fmt.Sprintf("%s: %.2f%% of %s rejected, above the limit of %.2f%% (--max-reject-share); nothing was added to the dataset; see %s",
		e.Path, 100*e.Share, of, 100*e.Limit, e.Dir)
}

// ChangedWhileReadError refuses a file that changed while it was ingested
// (a dump still being written or copied): its checksum and its rows would
// be of different contents, and the complete file, ingested later, would
// add the rows read now a second time. Nothing is added.
type ChangedWhileReadError struct {
	Path          string
	Before, After int64 // sizes in bytes
}

func (e *ChangedWhileReadError) Error() string {
	return fmt.Sprintf("%s: the file changed while it was read (%d bytes when ingest began, %d at the end): is it still being written or copied? "+
		"Nothing was added to the dataset; ingest it once it is complete", e.Path, e.Before, e.After)
}

// fileType names a file mode's type.
func fileType(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "not a regular file"
}

// unchangedSince checks that the regular file at path is the file before
// describes, of its size and modification time.
func unchangedSince(path string, before os.FileInfo) error {
	if !before.Mode().IsRegular() {
		return nil
	}
	after, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: after reading it: %w", path, err)
	}
	if !os.SameFile(before, after) || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return &ChangedWhileReadError{Path: path, Before: before.Size(), After: after.Size()}
	}
	return nil
}

// ErrNoDataRows is wrapped by NoDataError.
var ErrNoDataRows = errors.New("no data rows")

// NoDataError is returned for a source that holds a header but no data
// rows: it is refused and nothing is recorded.
type NoDataError struct {
	Path  string
	Blank int64 // the blank rows skipped (ingest.Report.BlankRows)
	// WiFi is the rows set aside as Wi-Fi tests (ingest.Report.NotCellular),
	// when they are all its rows: no mobile-network row.
	WiFi int64
}

func (e *NoDataError) Error() string {
	return fmt.Sprintf("%s: %v (%s); nothing was added to the dataset", e.Path, ErrNoDataRows, OnlyHeader(e.Blank, e.WiFi))
}

// NoDataRows reports whether a file's report has no data rows: none read,
// or only Wi-Fi tests, set aside (no mobile-network row).
func NoDataRows(r *ingest.Report) bool {
	return r.RowsRead == r.NotCellular()
}

// OnlyHeader says what a file without data rows holds: "only a header",
// and the blank rows skipped and the Wi-Fi tests set aside when there
// were any.
func OnlyHeader(blank, wifi int64) string {
	var more []string
	if blank > 0 {
		more = append(more, plural.Count(blank, "blank row", "blank rows"))
	}
	if wifi > 0 {
		more = append(more, plural.Count(wifi, "Wi-Fi test set aside", "Wi-Fi tests set aside"))
	}
	if len(more) == 0 {
		return "only a header"
	}
	return "only a header and " + strings.Join(more, " and ")
}

func (e *NoDataError) Unwrap() error { return ErrNoDataRows }

// textHeaderCheck refuses a text file that is no table (binary bytes, an
// empty file, a header not UTF-8 or too long, lines ending in CR alone)
// from its first line, as OpenSource does, before sourceChecksums reads
// all of it: a 1 GB file of zeros was read whole, seconds for validate's
// instant refusal. A file that does not open as text here is left to the
// checksums and OpenSource, which say why.
func textHeaderCheck(path string, opt IngestOptions) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	r, _, err := ingest.MaybeGunzipWith(f, opt.Config.Limits)
	if err != nil {
		f.Close()
		return nil
	}
	head, _ := bufio.NewReaderSize(r, 64).Peek(8)
	f.Close()
	if ingest.Sniff(head) != ingest.FormatCSV {
		return nil
	}
	src, err := OpenSource(path, opt.Kind, opt.Mapping, opt.Config.Limits)
	if err != nil {
		return err
	}
	return src.Close()
}

// damagedGzip reports whether err is a gzip stream's damage (cut off, a
// bad checksum, corrupt deflate data), not a decompression limit.
func damagedGzip(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &corrupt)
}

// checkRows reads path's rows as validate does, without writing anything,
// and returns the error that stops them, if any.
func checkRows(ctx context.Context, path string, opt IngestOptions) error {
	src, err := OpenSource(path, opt.Kind, opt.Mapping, opt.Config.Limits)
	if err != nil {
		return err
	}
	defer src.Close()
	cfg := opt.Config
	cfg.Source = filepath.Base(path)
	_, err = ingest.Check(ctx, src.Kind, src.Records, opt.Mapping, cfg, nil)
	return err
}

// sourceChecksums reads a file once and returns the hex SHA-256 of its
// bytes and of its decoded content: after gzip decompression and, for a
// text (CSV) file, without a leading UTF-8 byte-order mark, with CRLF
// line ends read as LF and with the text's end as one LF (none, or blank
// lines after the last row, are the same end), the ways an export or a
// copy re-wraps the same rows (the CSV reader reads them alike). A file and its compressed copy,
// or its copy saved with Windows line ends, have the same content
// checksum; a file that needs neither has content = raw. Decompression is
// bounded by lim, as when the file is read.
func sourceChecksums(path string, lim ingest.Limits) (raw, content string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	rh := sha256.New()
	tee := io.TeeReader(f, rh)
	r, _, err := ingest.MaybeGunzipWith(tee, lim)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	ch := sha256.New()
	var w io.Writer = ch
	if head, _ := br.Peek(8); ingest.Sniff(head) == ingest.FormatCSV {
		w = &textNorm{w: ch}
	}
	if _, err := io.Copy(w, br); err != nil {
		return "", "", fmt.Errorf("%s: decoding: %w", path, err)
	}
	if tn, ok := w.(*textNorm); ok {
		tn.flush()
	}
	if _, err := io.Copy(io.Discard, tee); err != nil { // the rest of a gzip file's bytes
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(rh.Sum(nil)), hex.EncodeToString(ch.Sum(nil)), nil
}

// textNorm writes text to w without a leading UTF-8 byte-order mark, with
// every CRLF as LF (a lone CR is kept), and ending in exactly one LF (a
// text without a final line end, or with blank lines after its last, ends
// as one that has one: an editor's or a spreadsheet's save). A text that
// already ends in one LF is written unchanged but for BOM and CRLF, so
// that the checksums of sources ingested before this rule still match.
type textNorm struct {
	w        io.Writer
	head     []byte // the first bytes, until three are seen
	headDone bool
	cr       bool // a CR held back: written unless an LF follows
	lfs      int  // LFs held back: written before more text, one at the end
	any      bool // text other than LFs was written
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

func (t *textNorm) Write(p []byte) (int, error) {
	n := len(p)
	if !t.headDone {
		take := min(3-len(t.head), len(p))
		t.head, p = append(t.head, p[:take]...), p[take:]
		if len(t.head) < 3 {
			return n, nil
		}
		t.headDone = true
		if !bytes.Equal(t.head, utf8BOM) {
			if err := t.write(t.head); err != nil {
				return 0, err
			}
		}
	}
	if err := t.write(p); err != nil {
		return 0, err
	}
	return n, nil
}

func (t *textNorm) write(p []byte) error {
	for len(p) > 0 {
		if t.cr {
			t.cr = false
			if p[0] != '\n' {
				if err := t.emit([]byte{'\r'}); err != nil {
					return err
				}
			}
		}
		i := bytes.IndexByte(p, '\r')
		if i < 0 {
			return t.emit(p)
		}
		if err := t.emit(p[:i]); err != nil {
			return err
		}
		t.cr, p = true, p[i+1:]
	}
	return nil
}

var newlines = bytes.Repeat([]byte{'\n'}, 64)

// emit writes text after CRLF folding, holding back a final run of LFs.
func (t *textNorm) emit(p []byte) error {
	last := len(p) - 1
	for last >= 0 && p[last] == '\n' {
		last--
	}
	if last < 0 {
		t.lfs += len(p)
		return nil
	}
	for t.lfs > 0 {
		n := min(t.lfs, len(newlines))
		if _, err := t.w.Write(newlines[:n]); err != nil {
			return err
		}
		t.lfs -= n
	}
	if _, err := t.w.Write(p[:last+1]); err != nil {
		return err
	}
	t.any, t.lfs = true, len(p)-1-last
	return nil
}

// flush writes what is held back at the end of the text: fewer than
// three bytes in all, or a final CR.
func (t *textNorm) flush() {
	if !t.headDone {
		t.headDone = true
		t.write(t.head)
	}
	if t.cr {
		t.cr = false
		t.emit([]byte{'\r'})
	}
	if t.any {
		t.w.Write(newlines[:1])
	}
}

// SHA256File returns the hex SHA-256 of a file's bytes.
func SHA256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sourceIntact checks that the parts of an ingested source are on disk at
// their recorded sizes (a full check is dataset verify's): "already
// ingested, nothing changed" of a file whose rows are gone would say the
// rows are there.
func (s *Store) sourceIntact(path string, src Source) error {
	bad := s.damaged(src.Parts)
	if src.Quarantine != "" {
		// Its rejected rows are the user's too.
		if _, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(src.Quarantine))); err != nil {
			bad = append(bad, src.Quarantine+" (its rejected rows)")
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%s: already ingested as %s (sha256 %s…), but %s damaged or missing: %s; nothing was added. "+
		"Restore them from a copy, or take the source out with lomsong dataset retract %s %s and ingest the file again",
		path, src.Name, src.SHA256[:min(16, len(src.SHA256))], plural.Count(len(bad), "of its files is", "of its files are"), strings.Join(bad, ", "), shellquote.Quote(s.dir), src.SHA256[:min(16, len(src.SHA256))])
}

// IngestFile validates one input file and adds its accepted rows to the
// dataset atomically. A file whose SHA-256 is already listed changes
// nothing and is reported as AlreadyIngested.
func (s *Store) IngestFile(ctx context.Context, path string, opt IngestOptions) (*IngestResult, error) {
	if opt.MaxRejectShare == 0 {
		opt.MaxRejectShare = DefaultMaxRejectShare
	}
	before, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !before.Mode().IsRegular() {
		// A pipe, socket or device can be read once; ingest reads a file
		// for its checksum and then for its rows (a named pipe's second
		// open waited for a writer for ever).
		return nil, fmt.Errorf("%s: not a regular file (%s): ingest reads a file twice, for its checksum and its rows; write it to a file first (lomsong validate reads it once): %w",
			path, fileType(before.Mode()), engine.ErrUnsupportedFormat)
	}
	if err := textHeaderCheck(path, opt); err != nil {
		return nil, err
	}
	sha, content, err := sourceChecksums(path, opt.Config.Limits)
	if err != nil {
		if damagedGzip(err) {
			// Said as validate says it, with the line reached before the
			// damage ("line 90: gzip: the file is cut short, …"), by
			// reading the file as validate does up to it; and that none of
			// it was taken in: the checksums read the whole file before any
			// row is written.
			if cerr := checkRows(ctx, path, opt); cerr != nil {
				err = cerr
			}
			return nil, fmt.Errorf("%w; nothing of it was ingested", err)
		}
		return nil, err
	}
	res := &IngestResult{Path: path, SHA256: sha}
	if content != sha {
		res.ContentSHA256 = content
	}
	for _, sum := range []string{sha, content} {
		if prev, ok := s.Lookup(sum); ok {
			if err := s.sameReading(path, prev, opt); err != nil {
				return nil, err
			}
			if err := s.sourceIntact(path, prev); err != nil {
				return nil, err
			}
			res.AlreadyIngested, res.Previous = true, prev
			return res, nil
		}
	}
	src, err := OpenSource(path, opt.Kind, opt.Mapping, opt.Config.Limits)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if src.Kind.IsArg() {
		return nil, &ArgTableError{Path: path, Kind: src.Kind}
	}
	res.Format, res.Kind = src.Format, src.Kind
	txn, err := s.BeginSource(SourceInfo{SHA256: sha, ContentSHA256: content, Name: filepath.Base(path),
		Kind: string(src.Kind), Format: src.Format, IngestedAt: opt.Config.Now})
	if errors.Is(err, ErrAlreadyIngested) {
		prev, ok := s.Lookup(sha)
		if !ok {
			prev, _ = s.Lookup(content)
		}
		if err := s.sameReading(path, prev, opt); err != nil {
			return nil, err
		}
		if err := s.sourceIntact(path, prev); err != nil {
			return nil, err
		}
		res.AlreadyIngested, res.Previous = true, prev
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	defer txn.Abort()
	res.OrphansDir, res.Orphaned = txn.Orphans()
	cfg := opt.Config
	cfg.Source = filepath.Base(path)
	var rep *ingest.Report
	var digest *rowsDigest // of the accepted measurements
	var keys *rowKeys      // their row hashes, to find rows held already
	lookIn := s            // the dataset they are looked for in
	if opt.HeldIn != nil {
		lookIn = opt.HeldIn
	}
	switch src.Kind {
	case ingest.KindSites:
		rep, err = ingest.ReadSites(ctx, src.Records, opt.Mapping, cfg, txn.WriteSites, txn.Reject)
	case ingest.KindVillages:
		rep, err = ingest.ReadVillages(ctx, src.Records, opt.Mapping, cfg, txn.WriteVillages, txn.Reject)
	case ingest.KindSubscriptions:
		rep, err = ingest.ReadSubscriptions(ctx, src.Records, opt.Mapping, cfg, txn.WriteSubscriptions, txn.Reject)
	default:
		digest = &rowsDigest{}
		if cfg.Dedup {
			// The rows the dataset holds already, from other files, are
			// looked for as repeats within the file are, under the same
			// bound (the first DedupMaxRows rows of a partition the
			// dataset has parts of; 24 bytes each, their hash and line,
			// and 4 more while the dataset's parts are read). The hashes
			// are kept as the rows are read, with their lines, which the
			// batches do not carry, so that the rows held are named.
			if keys = lookIn.newRowKeys(cfg.DedupMaxRows); keys != nil {
				next := cfg.AcceptedMeasurement
				cfg.AcceptedMeasurement = func(line int64, m *engine.Measurement) {
					keys.keep(line, m)
					if next != nil {
						next(line, m)
					}
				}
			}
		}
		write := func(b *engine.MeasurementBatch) error {
			digest.add(b)
			return txn.WriteMeasurements(b)
		}
		rep, err = ingest.ReadMeasurements(ctx, src.Records, opt.Mapping, cfg, write, txn.Reject)
	}
	if err == nil {
		// Interrupted after the last row was read: the caller reports an
		// interrupt, so nothing may be added (nor a refusal written).
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if err := unchangedSince(path, before); err != nil {
		return nil, err
	}
	res.Report = rep
	if NoDataRows(rep) {
		return res, &NoDataError{Path: path, Blank: rep.BlankRows, WiFi: rep.NotCellular()}
	}
	if share := rep.RejectShare(); share > opt.MaxRejectShare {
		js, _ := json.MarshalIndent(ReportJSON(res), "", "  ")
		dir, err := txn.Refuse(append(js, '\n'))
		if err != nil {
			return nil, err
		}
		res.RefusedDir = dir
		return res, &TooManyRejectsError{Path: path, Share: share, Limit: opt.MaxRejectShare, Dir: dir, WiFi: rep.NotCellular()}
	}
	meta := Meta{Format: src.Format, IngestedAt: cfg.Now, Report: rep, Mapping: opt.MappingJSON, ReadOptions: readOptions(opt.Config)}
	if digest != nil && digest.n > 0 {
		meta.RowsDigest = digest.String()
		// The same measurements in other bytes (re-saved, converted): a
		// dataset holds a measurement once, as it holds a file once.
		prev, ok, err := s.sourceOfRows(ctx, meta.RowsDigest, digest.n)
		if err != nil {
			return nil, err
		}
		if ok {
			res.AlreadyIngested, res.SameRows, res.Previous = true, true, prev
			return res, nil // the deferred Abort discards what was written
		}
	}
	if opt.HeldIn != nil && digest != nil {
		if err := opt.HeldIn.reportHeld(ctx, path, res, meta.RowsDigest, digest.n, keys, opt); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			// HeldIn unreadable (a part taken out while it was read) is
			// not the file's fault: said, and the ingest goes on.
			res.Held, res.HeldSame, res.HeldErr = nil, nil, err
		}
		keys = nil
	}
	if keys != nil {
		held, err := s.heldRows(ctx, path, rep.Accepted, keys)
		if err != nil {
			return res, err
		}
		if held != nil {
			// The rows held go to the refused file's quarantine by line,
			// beside its rejected rows, so that the user can make the file
			// of the new rows alone.
			for _, r := range held.Rejects(cfg.Source) {
				if err := txn.Reject(r); err != nil {
					return nil, err
				}
			}
			js, _ := json.MarshalIndent(ReportJSON(res), "", "  ")
			dir, err := txn.Refuse(append(js, '\n'))
			if err != nil {
				return nil, err
			}
			res.RefusedDir, held.Dir = dir, dir
			return res, held
		}
		keys = nil
	}
	res.Source, err = txn.Commit(meta)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sourceOfRows returns the measurements source of s whose rows are those
// of the digest d of n rows (rowsDigest.String), if any.
func (s *Store) sourceOfRows(ctx context.Context, d string, n int64) (Source, bool, error) {
	for _, prev := range s.Manifest().Sources {
		if prev.Kind != string(ingest.KindMeasurements) || prev.partRows() != n {
			continue
		}
		got, err := s.rowsDigestOf(ctx, prev)
		if err != nil {
			return Source{}, false, err
		}
		if got == d {
			return prev, true, nil
		}
	}
	return Source{}, false, nil
}

// reportHeld sets res.Held and res.HeldSame to what an ingest of the file
// at path (res, read with opt; its accepted measurements of digest d of n
// rows, keys kept of them) into s would find s holds: its bytes or its
// rows (HeldSame, as IngestFile finds them), and rows it holds already
// (Held, as heldRows finds them).
func (s *Store) reportHeld(ctx context.Context, path string, res *IngestResult, d string, n int64, keys *rowKeys, opt IngestOptions) error {
	for _, sum := range []string{res.SHA256, res.ContentSHA256} {
		if prev, ok := s.Lookup(sum); ok && sum != "" && s.sameReading(path, prev, opt) == nil {
			res.HeldSame = &prev
			break
		}
	}
	if res.HeldSame == nil && n > 0 {
		prev, ok, err := s.sourceOfRows(ctx, d, n)
		if err != nil {
			return err
		}
		if ok {
			res.HeldSame = &prev
		}
	}
	if keys != nil {
		held, err := s.heldRows(ctx, path, res.Report.Accepted, keys)
		if err != nil {
			return err
		}
		res.Held = held
	}
	return nil
}

// rowsDigestOf returns a measurements source's rows digest: its record's,
// or, for a source recorded without one (by an earlier version, or
// rebuilt by dataset repair), the digest of the rows its parts hold, which
// are the rows it accepted.
func (s *Store) rowsDigestOf(ctx context.Context, src Source) (string, error) {
	if src.RowsDigest != "" {
		return src.RowsDigest, nil
	}
	var d rowsDigest
	var r *arrowio.MeasurementReader
	for _, p := range src.Parts {
		var err error
		if r, err = s.scanPart(ctx, p, r, func(b *engine.MeasurementBatch) error { d.add(b); return nil }, nil); err != nil {
			return "", err
		}
	}
	return d.String(), nil
}

// ReportJSON renders a result as a JSON-friendly value with reasons in a
// stable order.
func ReportJSON(r *IngestResult) any {
	type reason struct {
		Reason string `json:"reason"`
		Rows   int64  `json:"rows"`
	}
	out := map[string]any{"path": r.Path, "sha256": r.SHA256, "format": r.Format, "kind": r.Kind,
		"already_ingested": r.AlreadyIngested}
	if r.ContentSHA256 != "" {
		out["content_sha256"] = r.ContentSHA256
	}
	if r.Report != nil {
		var reasons []reason
		for _, k := range r.Report.Reasons() {
			reasons = append(reasons, reason{string(k), r.Report.ByReason[k]})
		}
		out["rows_read"], out["accepted"], out["rejected"] = r.Report.RowsRead, r.Report.Accepted, r.Report.Rejected
		out["rejected_by_reason"] = reasons
		out["ignored_columns"] = r.Report.IgnoredColumns
		if r.Report.DedupStoppedAtLine > 0 {
			out["dedup_stopped_at_line"] = r.Report.DedupStoppedAtLine
		}
		out["counts"] = r.Report.Counts()
	}
	return out
}

// OpenedSource is an opened input file: its format, kind and rows.
type OpenedSource struct {
	Format  string
	Kind    ingest.Kind
	Records ingest.Records
	closers []func() error
}

// Close releases the file (and any decompressed temporary copy).
func (o *OpenedSource) Close() error {
	var first error
	for i := len(o.closers) - 1; i >= 0; i-- {
		if err := o.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// OpenSource opens an input file of any supported format (CSV, OpenCelliD
// export, Parquet, Arrow IPC, each optionally gzip-compressed) and
// decides its kind: kind if given, else the mapping's kind, else from the
// header (OpenCelliD and site_id → sites, otherwise measurements). lim
// bounds what reading it may cost (line length, decompression, the
// temporary copy of a gzip-compressed Parquet file).
func OpenSource(path string, kind ingest.Kind, m *ingest.Mapping, lim ingest.Limits) (*OpenedSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	o := &OpenedSource{closers: []func() error{f.Close}}
	fail := func(err error) (*OpenedSource, error) {
		o.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, gz, err := ingest.MaybeGunzipWith(f, lim)
	if err != nil {
		return fail(err)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(8)
	if len(head) < 8 && err != nil && err != io.EOF {
		// A gzip stream over a limit (or corrupt) within its first
		// bytes: said as sourceChecksums says it, not as an empty file.
		return fail(fmt.Errorf("decoding: %w", err))
	}
	format := ingest.Sniff(head)
	suffix := ""
	if gz {
		suffix = "+gzip"
	}
	o.Format = format.String() + suffix
	switch format {
	case ingest.FormatCSV:
		if len(head) == 0 {
			return fail(ingest.ErrEmptyInput)
		}
		first, _ := br.Peek(4096)
		line := string(first)
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimPrefix(line, "\ufeff")
		if ingest.LooksLikeOpenCellID(line) && kind != ingest.KindMeasurements {
			o.Format = "opencellid" + suffix
			opt := ingest.CSVOptions{Comma: ',', MaxLineBytes: lim.MaxLineBytes, Encoding: m.CSVEncoding()}
			if !strings.EqualFold(strings.SplitN(line, ",", 2)[0], "radio") {
				opt.Header = ingest.OpenCellIDHeader
			}
			rec, err := ingest.NewCSV(br, opt)
			if err != nil {
				return fail(err)
			}
			o.Kind, o.Records = ingest.KindSites, ingest.NewOpenCellID(rec)
			return o, nil
		}
		rec, err := ingest.NewCSV(br, ingest.CSVOptions{MaxLineBytes: lim.MaxLineBytes, Encoding: m.CSVEncoding()})
		if err != nil {
			return fail(err)
		}
		o.Records = rec
	default:
		if g, ok := r.(*ingest.GzipReader); ok && format == ingest.FormatParquet {
			g.LimitSpill(lim) // Parquet is decompressed to a temporary file: cap it
		}
		rec, closer, err := openColumnar(format, f, br, gz, lim.WithDefaults().MaxLineBytes)
		if err != nil {
			return fail(err)
		}
		if closer != nil {
			o.closers = append(o.closers, closer)
		}
		o.Records = rec
	}
	o.Kind = detectKind(kind, m, o.Records.Header())
	return o, nil
}

// ArgTableError refuses to store a command's own input table (claims,
// candidates), read from its header: the dataset holds the contract's
// tables, and the command reads that file itself.
type ArgTableError struct {
	Path string
	Kind ingest.Kind
}

func (e *ArgTableError) Error() string {
	cmd := map[ingest.Kind]string{ingest.KindClaims: "lomsong deadzones --claims", ingest.KindCandidates: "lomsong plan --candidates"}[e.Kind]
	return fmt.Sprintf("%s: a %s table, from its header: a dataset does not store it; give it to %s (lomsong validate --kind %s checks it), or --kind to read it as another table",
		e.Path, e.Kind, cmd, e.Kind)
}

func detectKind(kind ingest.Kind, m *ingest.Mapping, header []string) ingest.Kind {
	if kind != "" {
		return kind
	}
	if m != nil && m.Kind != "" {
		return m.Kind
	}
	has := func(name string) bool {
		return slices.ContainsFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), name) })
	}
	switch {
	case has("site_id"):
		return ingest.KindSites
	case has("village_id"):
		return ingest.KindVillages
	case has("area_code") && has("period"):
		return ingest.KindSubscriptions
	case has("candidate_id"):
		return ingest.KindCandidates
	case has("cell") && has("carrier") && has("tech") && !has("lon") && !has("lat"):
		// No measurement has a cell but no position: a claims table.
		return ingest.KindClaims
	}
	if m != nil {
		for src, dst := range m.Columns {
			if dst == "site_id" && slices.ContainsFunc(header, func(h string) bool { return strings.EqualFold(h, src) }) {
				return ingest.KindSites
			}
		}
	}
	return ingest.KindMeasurements
}
