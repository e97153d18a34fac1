package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/parallel"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// ReportTime is Vietnam's time (UTC+7, no daylight saving): a test's
// period is its calendar month there.
var ReportTime = time.FixedZone("ICT", 7*3600)

// PeriodOf returns the YYYY-MM period of a Unix-millisecond time.
func PeriodOf(unixMs int64) string {
	return time.UnixMilli(unixMs).In(ReportTime).Format("2006-01")
}

// periodCache is PeriodOf with the last month's bounds kept: rows come
// mostly in time order, so most rows need no time conversion.
type periodCache struct {
	lo, hi int64
	period string
}

// of returns PeriodOf(unixMs).
func (c *periodCache) of(unixMs int64) string {
	if unixMs < c.lo || unixMs >= c.hi || c.period == "" {
		c.period = PeriodOf(unixMs)
		t := time.UnixMilli(unixMs).In(ReportTime)
		start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, ReportTime)
		c.lo, c.hi = start.UnixMilli(), start.AddDate(0, 1, 0).UnixMilli()
	}
	return c.period
}

// stageRows is how many rows a partition buffers before it hands them to
// its Parquet writer; it bounds memory per open partition.
const stageRows = 8192

// partRowGroupRows bounds the rows of a store part's row groups. A Parquet
// writer holds its open row group in memory until it closes, so this (not
// the file's length) bounds the memory of each open (period, carrier)
// partition during an ingest. Readers stream row groups, so smaller groups
// cost them nothing measurable.
const partRowGroupRows = 1 << 17

// PartCodec compresses the store parts this version writes (parts written
// with other codecs read as well). LZ4_RAW rather than zstd: arrow/go v17
// creates a new zstd encoder for every page, which measured at a third of
// ingest CPU and most of its allocations; and rather than Snappy: parts are
// read far more often than written, and LZ4 blocks decode about 2.8× faster
// for about 2% more bytes (arrowio's codecs.go). Parts written with Snappy by
// earlier versions read as before.
const PartCodec = arrowio.LZ4Raw

// maxOpenParts bounds the partition files an ingest keeps open at once.
// Rows are staged per partition (stageRows) before they go to a file; a
// partition whose stage is full when maxOpenParts files are open has the
// least recently used partition's file finished (a part of its own) to
// make room, and that partition's later rows go to a further part. A
// source spread over many partitions thus holds a bounded number of files
// and gets at most one part per stageRows rows of a partition.
const maxOpenParts = 64

// MaxPartitions bounds the partitions one source's rows may fall in: a
// measurements file's (month, carrier) pairs, a site register's carriers.
// Each is a folder, a file and a manifest entry, and an ingest stages
// rows for each in memory, so a file whose carrier column holds another
// column's values (a device id, a cell name: every row a carrier of its
// own) would cost a file per row. A national month has a few carriers; a
// measurements file over every month since 2000 of every network of the
// world's MCC+MNC table stays far below the bound.
const MaxPartitions = 10000

// TooManyPartitionsError refuses a source whose rows fall in more than
// MaxPartitions partitions. Nothing is added to the dataset.
type TooManyPartitionsError struct {
	Name     string   // the source's file name
	Kind     string   // measurements or sites
	Limit    int      // the bound passed
	Carriers int      // distinct carriers met before the refusal
	Periods  int      // distinct months met (measurements)
	Examples []string // a few of the carriers met, sorted
}

func (e *TooManyPartitionsError) Error() string {
	what := fmt.Sprintf("more than %d carriers (%s)", e.Limit, strings.Join(e.Examples, ", "))
	if e.Kind == string(ingest.KindMeasurements) {
		what = fmt.Sprintf("more than %d (month, carrier) partitions: %d carriers over %s (carriers %s)",
			e.Limit, e.Carriers, plural.Count(e.Periods, "month", "months"), strings.Join(e.Examples, ", "))
	}
	return fmt.Sprintf("%s: its rows fall in %s, each a file of the dataset; is the carrier column another column's values "+
		"(a device or cell name)? Map the operator's column as carrier (--mapping); nothing was added to the dataset", e.Name, what)
}

// tooManyPartitions returns the refusal for the carriers and periods met.
func (t *Txn) tooManyPartitions(limit int, carriers []engine.Carrier, periods int) error {
	slices.Sort(carriers)
	carriers = slices.Compact(carriers)
	e := &TooManyPartitionsError{Name: t.name, Kind: t.kind, Limit: limit, Carriers: len(carriers), Periods: periods}
	for _, c := range carriers[:min(5, len(carriers))] {
		e.Examples = append(e.Examples, string(c))
	}
	if len(carriers) > 5 {
		e.Examples = append(e.Examples, "…")
	}
	return e
}

// partitionLimit is MaxPartitions, or the store's test bound.
func (t *Txn) partitionLimit() int {
	if t.s.maxPartitions > 0 {
		return t.s.maxPartitions
	}
	return MaxPartitions
}

// Metadata keys of the key-value metadata written into every part, from
// which Repair rebuilds a lost manifest.
const (
	metaKind          = "lomsong.kind"
	metaCarrier       = "lomsong.carrier"
	metaPeriod        = "lomsong.period"
	metaSourceSHA     = "lomsong.source_sha256"
	metaContentSHA    = "lomsong.source_content_sha256"
	metaSourceName    = "lomsong.source_name"
	metaSourceFormat  = "lomsong.source_format"
	metaSourceIngest  = "lomsong.source_ingested_at"
	metaManifestLabel = "lomsong.table"
)

// SourceInfo identifies a source to BeginSource.
type SourceInfo struct {
	SHA256        string // of the file's bytes (hex)
	ContentSHA256 string // of its decoded content, if compressed ("" = same as SHA256)
	Name          string // file name
	Kind          string // "measurements", "sites", "villages" or "subscriptions"
	Format        string
	IngestedAt    time.Time
}

// Txn is one ingest of one source: rows go to private temporary files and
// become visible only when Commit writes the manifest.
type Txn struct {
	s      *Store
	lockf  *os.File
	info   SourceInfo
	sha    string
	short  string
	name   string
	kind   string
	tmp    string
	parts  map[partKey]*partWriter // every partition met, its file open or not
	open   int                     // partitions with an open file
	seqs   map[partKey]int         // parts started per partition
	done   []Part                  // finished parts, in temporary files
	moves  []placed
	nfiles int // temporary files created
	tick   uint64
	sites  map[engine.Carrier][]engine.Site
	vills  []engine.Village
	subs   []engine.Subscription
	qfile  *os.File
	qw     *ingest.QuarantineWriter
	qsize  int64 // bytes of the quarantine file, once closed
	closed bool

	orphans  string   // where BeginSource moved unlisted files ("" = none)
	orphaned []string // those files

	periods periodCache // of the rows routed
}

type partKey struct {
	period  string
	carrier engine.Carrier
}

// partWriter is a partition of the source: rows staged in memory and,
// while open, the file they go to (w and f nil when closed).
type partWriter struct {
	key   partKey
	f     *hashFile
	w     *arrowio.MeasurementWriter
	stage engine.MeasurementBatch
	rel   string
	tmp   string
	used  uint64 // tick of the last row routed here
}

// Begin starts ingesting a source with the given SHA-256 (hex), file name
// and kind; it is BeginSource without the decoded checksum, format and time.
func (s *Store) Begin(sha, name, kind string) (*Txn, error) {
	return s.BeginSource(SourceInfo{SHA256: sha, Name: name, Kind: kind})
}

// BeginSource starts ingesting a source. It takes the dataset's lock,
// completes or rolls back the commit of an earlier interrupted ingest
// (its journal), re-reads the manifest, returns ErrAlreadyIngested when
// either checksum is listed, removes the temporary files of an earlier
// crashed ingest and moves data files the manifest does not list to
// orphans/ (never deleting them). What info says is written into every
// part's metadata.
func (s *Store) BeginSource(info SourceInfo) (*Txn, error) {
	sha, kind := info.SHA256, info.Kind
	if !isHex(sha, 64) {
		return nil, fmt.Errorf("dataset: checksum %q is not 64 lowercase hex digits", sha)
	}
	if info.ContentSHA256 == sha {
		info.ContentSHA256 = ""
	}
	if info.ContentSHA256 != "" && !isHex(info.ContentSHA256, 64) {
		return nil, fmt.Errorf("dataset: content checksum %q is not 64 lowercase hex digits", info.ContentSHA256)
	}
	if !ingest.Kind(kind).Valid() {
		return nil, fmt.Errorf("dataset: unknown kind %q", kind)
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("dataset %s: %w", s.dir, err)
	}
	lf, err := lock(s.dir)
	if err != nil {
		return nil, err
	}
	if _, err := s.recoverRetract(); err != nil {
		unlock(lf)
		return nil, err
	}
	rec, err := s.recoverCommit(info.IngestedAt)
	if err != nil && !errors.Is(err, errJournalLeft) {
		// errJournalLeft: the manifest is lost or malformed, which Open
		// reports with how to repair it.
		unlock(lf)
		return nil, err
	}
	fresh, err := Open(s.dir)
	if err != nil {
		unlock(lf)
		return nil, err
	}
	if fileExistsIn(s.dir, journalName) {
		unlock(lf)
		return nil, fmt.Errorf("dataset %s: an interrupted ingest's commit could not be completed; lomsong dataset repair %s completes it", s.dir, shellquote.Quote(s.dir))
	}
	s.manifest, s.manifestSHA = fresh.manifest, fresh.manifestSHA
	if _, ok := s.Lookup(sha); ok {
		unlock(lf)
		return nil, ErrAlreadyIngested
	}
	if _, ok := s.Lookup(info.ContentSHA256); ok {
		unlock(lf)
		return nil, ErrAlreadyIngested
	}
	orphans, moved, err := s.collectGarbage(info)
	if err != nil {
		unlock(lf)
		return nil, fmt.Errorf("dataset %s: cleaning up an earlier interrupted ingest: %w", s.dir, err)
	}
	if rec.Orphans != "" {
		// The files of an interrupted commit rolled back, set aside with
		// a note of their own.
		if orphans != "" {
			orphans = rec.Orphans + ", " + orphans
		} else {
			orphans = rec.Orphans
		}
		moved = append(slices.Clone(rec.Moved), moved...)
	}
	short := sha[:16]
	tmp, err := os.MkdirTemp(s.dir, ".tmp-"+short+"-")
	if err != nil {
		unlock(lf)
		return nil, err
	}
	t := &Txn{s: s, lockf: lf, info: info, sha: sha, short: short, name: info.Name, kind: kind, tmp: tmp,
		parts: map[partKey]*partWriter{}, seqs: map[partKey]int{}, sites: map[engine.Carrier][]engine.Site{},
		orphans: orphans, orphaned: moved}
	t.qfile, err = os.Create(filepath.Join(tmp, "quarantine.csv"))
	if err == nil {
		t.qw, err = ingest.NewQuarantineWriter(t.qfile)
	}
	if err != nil {
		t.Abort()
		return nil, err
	}
	return t, nil
}

// partMeta is the key-value metadata of a part of this source.
func (t *Txn) partMeta(kind, period, carrier string) map[string]string {
	m := map[string]string{metaKind: kind, metaSourceSHA: t.sha, metaSourceName: t.name}
	if period != "" {
		m[metaPeriod] = period
	}
	if kind == string(ingest.KindMeasurements) || kind == string(ingest.KindSites) {
		m[metaCarrier] = carrier
	}
	if t.info.ContentSHA256 != "" {
		m[metaContentSHA] = t.info.ContentSHA256
	}
	if t.info.Format != "" {
		m[metaSourceFormat] = t.info.Format
	}
	if !t.info.IngestedAt.IsZero() {
		m[metaSourceIngest] = t.info.IngestedAt.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// partName returns the name of the seq-th part of this source in a
// partition: part-H.parquet, then part-H-1.parquet, ...
func (t *Txn) partName(seq int) string {
	if seq == 0 {
		return "part-" + t.short + ".parquet"
	}
	return fmt.Sprintf("part-%s-%d.parquet", t.short, seq)
}

// tmpFile creates a new temporary file in the transaction's directory.
func (t *Txn) tmpFile() (*os.File, error) {
	t.nfiles++
	return os.Create(filepath.Join(t.tmp, fmt.Sprintf("f%d.parquet", t.nfiles)))
}

// Reject records a quarantined row.
func (t *Txn) Reject(r ingest.Reject) error { return t.qw.Write(r) }

// WriteMeasurements routes the rows of b to their (period, carrier) partitions.
func (t *Txn) WriteMeasurements(b *engine.MeasurementBatch) error {
	stage := stageRows
	if t.s.stageRows > 0 {
		stage = t.s.stageRows
	}
	for i := 0; i < b.Len(); i++ {
		k := partKey{t.periods.of(b.TimeUnixMs[i]), b.Carrier[i]}
		pw := t.parts[k]
		if pw == nil {
			if limit := t.partitionLimit(); len(t.parts) >= limit {
				carriers := make([]engine.Carrier, 0, len(t.parts)+1)
				periods := map[string]bool{k.period: true}
				carriers = append(carriers, k.carrier)
				for o := range t.parts {
					carriers = append(carriers, o.carrier)
					periods[o.period] = true
				}
				return t.tooManyPartitions(limit, carriers, len(periods))
			}
			pw = &partWriter{key: k}
			t.parts[k] = pw
		}
		t.tick++
		pw.used = t.tick
		pw.stage.AppendRow(b, i)
		if pw.stage.Len() >= stage {
			if err := t.flush(pw); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes a partition's staged rows to its file, opening a new part
// if it has none open.
func (t *Txn) flush(pw *partWriter) error {
	if pw.w == nil {
		if err := t.openPart(pw); err != nil {
			return err
		}
	}
	if err := pw.w.Write(&pw.stage); err != nil {
		return fmt.Errorf("dataset: writing %s: %w", pw.rel, err)
	}
	pw.stage.Reset()
	return nil
}

// openPart starts the partition's next part, first finishing the least
// recently used open part if maxOpenParts are open. A partition's rows
// are staged in memory until stageRows have come (or the commit), so a
// source spread over many partitions opens a part per stageRows rows at
// most, not per row.
func (t *Txn) openPart(pw *partWriter) error {
	limit := maxOpenParts
	if t.s.maxOpenParts > 0 {
		limit = t.s.maxOpenParts
	}
	if t.open >= limit {
		var lru *partWriter
		for _, o := range t.parts {
			if o.w != nil && o != pw && (lru == nil || o.used < lru.used) {
				lru = o
			}
		}
		if err := t.finishPart(lru); err != nil {
			return err
		}
	}
	k := pw.key
	seq := t.seqs[k]
	t.seqs[k] = seq + 1
	rel := fmt.Sprintf("measurements/period=%s/carrier=%s/%s", k.period, slug(string(k.carrier)), t.partName(seq))
	f, err := t.tmpFile()
	if err != nil {
		return err
	}
	rows := partRowGroupRows
	if t.s.rowGroupRows > 0 {
		rows = t.s.rowGroupRows
	}
	hf := newHashFile(f)
	w, err := arrowio.NewMeasurementWriter(hf, arrowio.WithCodec(PartCodec), arrowio.WithRowGroupRows(rows),
		arrowio.WithMetadata(t.partMeta(t.kind, k.period, string(k.carrier))))
	if err != nil {
		f.Close()
		return fmt.Errorf("dataset: writing %s: %w", rel, err)
	}
	pw.f, pw.w, pw.rel, pw.tmp = hf, w, rel, f.Name()
	t.open++
	return nil
}

// finishPart closes a partition's open part (its staged rows stay staged
// for the next part) and records it as a finished part.
func (t *Txn) finishPart(pw *partWriter) error {
	if err := pw.w.Close(); err != nil {
		return fmt.Errorf("dataset: closing %s: %w", pw.rel, err)
	}
	sums, err := pw.f.finish()
	if err != nil {
		return fmt.Errorf("dataset: closing %s: %w", pw.rel, err)
	}
	p := Part{Path: pw.rel, Kind: t.kind, Period: pw.key.period, Carrier: string(pw.key.carrier), Rows: pw.w.Rows()}
	p.setSums(sums)
	t.done = append(t.done, p)
	t.moves = append(t.moves, placed{pw.tmp, pw.rel})
	pw.f, pw.w = nil, nil
	if pw.stage.Len() == 0 {
		pw.stage = engine.MeasurementBatch{} // a closed partition holds no buffers
	}
	t.open--
	return nil
}

// WriteSites adds sites; they are written per carrier at Commit.
func (t *Txn) WriteSites(sites []engine.Site) error {
	for _, s := range sites {
		if _, ok := t.sites[s.Carrier]; !ok {
			if limit := t.partitionLimit(); len(t.sites) >= limit {
				carriers := []engine.Carrier{s.Carrier}
				for c := range t.sites {
					carriers = append(carriers, c)
				}
				return t.tooManyPartitions(limit, carriers, 0)
			}
		}
		t.sites[s.Carrier] = append(t.sites[s.Carrier], s)
	}
	return nil
}

// WriteVillages adds villages; they are written at Commit.
func (t *Txn) WriteVillages(v []engine.Village) error {
	t.vills = append(t.vills, v...)
	return nil
}

// WriteSubscriptions adds subscription rows; they are written at Commit.
func (t *Txn) WriteSubscriptions(s []engine.Subscription) error {
	t.subs = append(t.subs, s...)
	return nil
}

// Meta describes the source for the manifest.
type Meta struct {
	Format     string
	IngestedAt time.Time
	Report     *ingest.Report
	Mapping    []byte // the mapping file used, if any (JSON)
	// ReadOptions is Source.ReadOptions (readOptions of the ingest's
	// configuration).
	ReadOptions string
	// RowsDigest is Source.RowsDigest ("" for none).
	RowsDigest string
}

type placed struct{ tmp, final string }

func (t *Txn) fail(step string) error {
	if t.s.failpoint != nil {
		return t.s.failpoint(step)
	}
	return nil
}

// closeParts finishes every partition file in the temporary directory and
// returns the parts (sorted by path) and the files to place.
func (t *Txn) closeParts() ([]Part, []placed, error) {
	keys := make([]partKey, 0, len(t.parts))
	for k := range t.parts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b partKey) int {
		if c := strings.Compare(a.period, b.period); c != 0 {
			return c
		}
		return strings.Compare(string(a.carrier), string(b.carrier))
	})
	for _, k := range keys {
		pw := t.parts[k]
		if pw.stage.Len() > 0 {
			if err := t.flush(pw); err != nil {
				return nil, nil, err
			}
		}
		if pw.w != nil {
			if err := t.finishPart(pw); err != nil {
				return nil, nil, err
			}
		}
	}
	parts, moves := t.done, t.moves
	carriers := make([]engine.Carrier, 0, len(t.sites))
	for c := range t.sites {
		carriers = append(carriers, c)
	}
	slices.Sort(carriers)
	// Each carrier's sites to a part of its own, the parts encoded side
	// by side (their files created first, in the carriers' order).
	files := make([]*os.File, len(carriers))
	for i := range carriers {
		f, err := t.tmpFile()
		if err != nil {
			for _, o := range files[:i] {
				o.Close()
			}
			return nil, nil, err
		}
		files[i] = f
	}
	siteParts := make([]Part, len(carriers))
	errs := make([]error, len(carriers))
	parallel.For(len(carriers), 0, func(i int) {
		c, f := carriers[i], files[i]
		rel := fmt.Sprintf("sites/carrier=%s/%s", slug(string(c)), t.partName(0))
		hf := newHashFile(f)
		if err := arrowio.WriteSites(hf, t.sites[c], arrowio.WithCodec(PartCodec),
			arrowio.WithMetadata(t.partMeta(t.kind, "", string(c)))); err != nil {
			f.Close()
			errs[i] = fmt.Errorf("dataset: writing %s: %w", rel, err)
			return
		}
		sums, err := hf.finish()
		if err != nil {
			errs[i] = err
			return
		}
		siteParts[i] = Part{Path: rel, Kind: t.kind, Carrier: string(c), Rows: int64(len(t.sites[c]))}
		siteParts[i].setSums(sums)
	})
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	for i, p := range siteParts {
		parts = append(parts, p)
		moves = append(moves, placed{files[i].Name(), p.Path})
	}
	for _, tab := range []struct {
		kind string
		n    int
		cols func() []arrowio.Column
	}{
		{string(ingest.KindVillages), len(t.vills), func() []arrowio.Column { return villageColumns(t.vills) }},
		{string(ingest.KindSubscriptions), len(t.subs), func() []arrowio.Column { return subscriptionColumns(t.subs) }},
	} {
		if tab.n == 0 {
			continue
		}
		rel := fmt.Sprintf("%s/%s", tab.kind, t.partName(0))
		f, err := t.tmpFile()
		if err != nil {
			return nil, nil, err
		}
		hf := newHashFile(f)
		meta := t.partMeta(tab.kind, "", "")
		meta[metaManifestLabel] = tab.kind
		if err := arrowio.WriteTable(hf, tab.cols(), meta); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("dataset: writing %s: %w", rel, err)
		}
		sums, err := hf.finish()
		if err != nil {
			return nil, nil, err
		}
		p := Part{Path: rel, Kind: tab.kind, Rows: int64(tab.n)}
		p.setSums(sums)
		parts = append(parts, p)
		moves = append(moves, placed{f.Name(), rel})
	}
	slices.SortFunc(parts, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(moves, func(a, b placed) int { return strings.Compare(a.final, b.final) })
	return parts, moves, nil
}

func syncClose(f *os.File) (int64, error) {
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.Size(), f.Close()
}

// Commit makes the source visible: it finishes the partition files,
// writes the commit journal (every file it places, and the source's
// record), places the files, writes the manifest and removes the journal.
// On any error, everything it placed is removed again and the dataset is
// as it was. A commit stopped before its end (the process killed, the
// power cut) is completed from its journal, or rolled back whole when its
// files are no longer all there, by the next Open, ingest or Repair.
func (t *Txn) Commit(meta Meta) (src Source, err error) {
	if t.closed {
		return Source{}, errors.New("dataset: transaction already finished")
	}
	defer t.Abort()
	parts, moves, err := t.closeParts()
	if err != nil {
		return Source{}, err
	}
	if err := t.qw.Flush(); err != nil {
		return Source{}, err
	}
	qsize, err := syncClose(t.qfile)
	if err != nil {
		return Source{}, err
	}
	t.qfile, t.qsize = nil, qsize
	if t.qw.Rows() > 0 {
		moves = append(moves, placed{filepath.Join(t.tmp, "quarantine.csv"), "quarantine/" + t.short + ".csv"})
	}
	src = Source{SHA256: t.sha, Name: t.name, Kind: t.kind, Format: meta.Format,
		IngestedAt: meta.IngestedAt.UTC(), Parts: parts, ContentSHA256: t.info.ContentSHA256}
	if parts == nil {
		src.Parts = []Part{}
	}
	if meta.Report == nil {
		// Rows written without a validation report (a generator, a
		// test): every row written was accepted.
		src.Accepted = src.partRows()
		src.RowsRead = src.Accepted
	}
	if r := meta.Report; r != nil {
		src.RowsRead, src.Accepted, src.Rejected = r.RowsRead, r.Accepted, r.Rejected
		src.IgnoredColumns = r.IgnoredColumns
		if len(r.ByReason) > 0 {
			src.RejectedBy = map[string]int64{}
			for k, v := range r.ByReason {
				src.RejectedBy[string(k)] = v
			}
		}
	}
	if t.qw.Rows() > 0 {
		src.Quarantine = "quarantine/" + t.short + ".csv"
	}
	if len(meta.Mapping) > 0 {
		src.Mapping = json.RawMessage(meta.Mapping)
	}
	src.ReadOptions = meta.ReadOptions
	src.RowsDigest = meta.RowsDigest
	if err := t.fail("parts-written"); err != nil {
		return Source{}, err
	}
	// The journal names every file before the first is placed: a commit
	// stopped from here on is completed, or rolled back whole, by the next
	// open, ingest or repair (journal.go), never taken for a smaller
	// source from the files it happened to place.
	j := &commitJournal{Version: journalVersion, Tmp: filepath.Base(t.tmp), Source: src}
	for _, m := range moves {
		f := journalFile{Tmp: filepath.Base(m.tmp), Path: m.final, Bytes: t.qsize} // the quarantine file
		if k := slices.IndexFunc(parts, func(p Part) bool { return p.Path == m.final }); k >= 0 {
			f.Bytes, f.SHA256 = parts[k].Bytes, parts[k].SHA256
		}
		j.Files = append(j.Files, f)
	}
	// A file is never placed over another: the names hold the source's
	// hash, so one there already is this source's under a record edited
	// by hand (a sha256 changed past its first 16 digits), and a rename
	// would replace the rows it holds without a word.
	listed := t.s.manifest.listed()
	for _, m := range moves {
		if listed[m.final] {
			owner := ""
			for _, o := range t.s.manifest.Sources {
				if o.Quarantine == m.final || slices.ContainsFunc(o.Parts, func(p Part) bool { return p.Path == m.final }) {
					owner = o.Name
					break
				}
			}
			return Source{}, fmt.Errorf("dataset %s: %s is listed already, as %s's, under another sha256 than this file's (%s): was the manifest's record of %s edited? nothing was added; lomsong dataset verify %s checks the record against the parts: %w",
				t.s.dir, m.final, owner, t.sha, owner, t.s.dir, ErrManifestDisagrees)
		}
		if _, err := os.Lstat(filepath.Join(t.s.dir, filepath.FromSlash(m.final))); err == nil {
			return Source{}, fmt.Errorf("dataset %s: %s is there already, listed by no source: nothing was added; lomsong dataset repair %s moves it aside (or lists it, when it is a part of a source recorded): %w",
				t.s.dir, m.final, t.s.dir, ErrManifestDisagrees)
		}
	}
	if err := syncDir(t.tmp); err != nil {
		return Source{}, err
	}
	var done []string
	journaled := false // the journal is written: removed on failure after the files placed
	visible := false   // the new manifest is in place: what it lists stays
	defer func() {
		if err != nil && !visible {
			removed := true
			for _, p := range done {
				if rerr := os.Remove(filepath.Join(t.s.dir, filepath.FromSlash(p))); rerr != nil {
					removed = false
				}
			}
			if journaled && removed {
				// Kept otherwise, so that the next recovery rolls back
				// the files left.
				t.s.dropJournal("")
			}
		}
	}()
	if err = t.s.writeJournal(j); err != nil {
		os.Remove(filepath.Join(t.s.dir, journalName))
		return Source{}, err
	}
	journaled = true
	if err = t.fail("journal-written"); err != nil {
		return Source{}, err
	}
	dirs := map[string]bool{}
	for _, m := range moves {
		final := filepath.Join(t.s.dir, filepath.FromSlash(m.final))
		if err = os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return Source{}, err
		}
		if err = os.Rename(m.tmp, final); err != nil {
			return Source{}, err
		}
		done = append(done, m.final)
		dirs[filepath.Dir(final)] = true
		if err = t.fail("placed " + m.final); err != nil {
			return Source{}, err
		}
	}
	for _, d := range sortedDirs(dirs) {
		if err = syncDir(d); err != nil {
			return Source{}, err
		}
	}
	m := t.s.manifest
	m.Sources = append(slices.Clone(m.Sources), src)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Source{}, err
	}
	if err = t.fail("before-manifest"); err != nil {
		return Source{}, err
	}
	manifest := append(data, '\n')
	if err = t.s.keepPrevious(); err != nil {
		return Source{}, err
	}
	if err = writeFileAtomic(filepath.Join(t.s.dir, manifestName), manifest); err != nil {
		// The rename may have happened before the failure (a directory
		// fsync that failed): then the source is committed and its parts
		// must stay; report the error all the same.
		if cur, rerr := os.ReadFile(filepath.Join(t.s.dir, manifestName)); rerr == nil && string(cur) == string(manifest) {
			visible = true
			t.s.manifest, t.s.manifestSHA = m, sha256Hex(manifest)
			t.s.dropJournal("")
			return src, fmt.Errorf("dataset: %s committed, but making it durable failed: %w", t.name, err)
		}
		return Source{}, err
	}
	visible = true
	t.s.manifest, t.s.manifestSHA = m, sha256Hex(manifest)
	// A step to observe only (tests stop a copy of the dataset here): the
	// source is committed whatever comes after.
	_ = t.fail("manifest-written")
	// A journal left (its removal failed or did not reach the disk)
	// names a source the manifest lists: the next recovery removes it.
	_ = t.s.dropJournal("")
	return src, nil
}

func sortedDirs(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// Refuse ends the transaction without adding the source: its quarantine
// and the report (JSON) are kept under rejected/H/ for the user to read,
// and no data is added. It returns the directory it wrote.
func (t *Txn) Refuse(report []byte) (string, error) {
	if t.closed {
		return "", errors.New("dataset: transaction already finished")
	}
	defer t.Abort()
	if err := t.qw.Flush(); err != nil {
		return "", err
	}
	if _, err := syncClose(t.qfile); err != nil {
		return "", err
	}
	t.qfile = nil
	dir := filepath.Join(t.s.dir, "rejected", t.short)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := copyFileAtomic(filepath.Join(t.tmp, "quarantine.csv"), filepath.Join(dir, "quarantine.csv")); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, "report.json"), report); err != nil {
		return "", err
	}
	return dir, nil
}

func copyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := CreateAtomic(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Abort()
		return err
	}
	return out.Commit()
}

// Abort discards the transaction's temporary files and releases the lock.
// It is safe to call more than once and after Commit.
func (t *Txn) Abort() {
	if t.closed {
		return
	}
	t.closed = true
	for _, pw := range t.parts {
		if pw.f != nil {
			pw.f.f.Close()
		}
	}
	if t.qfile != nil {
		t.qfile.Close()
	}
	os.RemoveAll(t.tmp)
	unlock(t.lockf)
}

// collectGarbage removes the temporary directories of crashed ingests
// (never listed, never seen by readers) and moves the data files the
// manifest does not list to orphans/, with a note: the parts a crashed
// ingest placed before its manifest, or parts a lost or older manifest
// does not know. It never deletes a data file. It runs under the lock.
func (s *Store) collectGarbage(info SourceInfo) (dir string, moved []string, err error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return "", nil, err
	}
	for _, e := range entries {
		if isCommitTemp(e.Name()) {
			if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
				return "", nil, err
			}
		}
	}
	files, err := s.unlisted()
	if err != nil || len(files) == 0 {
		return "", nil, err
	}
	why := fmt.Sprintf("the ingest of %s (sha256 %s) found them unlisted: left by an interrupted ingest, or listed by a manifest that was lost or replaced", info.Name, info.SHA256)
	dir, err = s.moveOrphans(files, why, info.IngestedAt)
	return dir, files, err
}

// isCommitTemp reports whether name (an entry of the dataset's top
// folder) is a commit's temporary directory or file: an ingest's
// .tmp-… folder, or a manifest's or journal's file being written. Never
// read; an ingest that stopped leaves it behind.
func isCommitTemp(name string) bool {
	return strings.HasPrefix(name, ".tmp-") || strings.HasPrefix(name, "."+manifestName+".tmp-") ||
		strings.HasPrefix(name, "."+prevManifestName+".tmp-") || strings.HasPrefix(name, "."+journalName+".tmp-")
}

// commitTemps lists the commits' temporary entries of the dataset's top
// folder (isCommitTemp), sorted.
func commitTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if isCommitTemp(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Orphans returns where BeginSource moved data files the manifest did not
// list (relative to the dataset; "" when there were none) and those files.
func (t *Txn) Orphans() (string, []string) { return t.orphans, t.orphaned }
