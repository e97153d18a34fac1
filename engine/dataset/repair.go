package dataset

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"

	"github.com/lomsong/lomsong/internal/flock"
)

// PartProblem is a listed part (or quarantine file) that failed Verify.
type PartProblem struct {
	Path    string
	Problem string
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Parts      int           // parts checked
	Rows       int64         // rows read from them
	Unhashed   int           // parts without a recorded checksum (earlier versions): rows and size checked only
	Bad        []PartProblem // in path order
	Unlisted   []string      // data files the manifest does not list (not read by anyone)
	Quarantine int           // quarantine files checked
	// Stages and StageFiles count the saved stage outputs checked and
	// their files (size, SHA-256 and CRC-32C against their stage.json).
	Stages, StageFiles int
	// StageStrays are files under the saved stages that no stage.json
	// lists (an output whose stage.json was removed, or a file added to
	// one): never read, and removed by the next save of their stage.
	StageStrays []string
	// Temporary are commits' temporary folders and files in the dataset's
	// top folder (.tmp-…): an ingest running now, or one that was stopped
	// (killed) and left them. Never read; the next ingest that adds rows,
	// and Repair, remove them.
	Temporary []string
}

// Verify checks every part the manifest lists: the file's size and
// SHA-256 against the manifest, its footer's row count against the
// manifest, its kind, period and carrier against its own metadata, and
// every row decoded, counted against the footer. It also
// checks that listed quarantine files exist, and lists data files the
// manifest does not, and checks every saved stage output's files against
// its stage.json. Problems with parts are in the report; the error is
// for the dataset as a whole (ctx, or a directory that cannot be listed).
func (s *Store) Verify(ctx context.Context) (VerifyReport, error) {
	var rep VerifyReport
	var parts []Part
	for _, short := range s.ShortSources() {
		// A part's entry gone from the record (its rows no longer read,
		// every listed part intact).
		rep.Bad = append(rep.Bad, PartProblem{manifestName, short + ": a part's entry is missing or wrong (lomsong dataset repair restores entries of parts still in the dataset)"})
	}
	owner := map[string]Source{} // each part's source
	for _, src := range s.manifest.Sources {
		parts = append(parts, src.Parts...)
		for _, p := range src.Parts {
			owner[p.Path] = src
		}
		if src.Quarantine != "" {
			rep.Quarantine++
			if st, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(src.Quarantine))); err != nil {
				rep.Bad = append(rep.Bad, PartProblem{src.Quarantine, fmt.Sprintf("quarantine file of %s: %v", src.Name, err)})
			} else if !st.Mode().IsRegular() {
				rep.Bad = append(rep.Bad, PartProblem{src.Quarantine, "quarantine file is not a regular file"})
			}
		}
	}
	slices.SortFunc(parts, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Parts++
		if p.SHA256 == "" {
			rep.Unhashed++
		}
		rows, err := s.verifyPart(ctx, p, owner[p.Path])
		rep.Rows += rows
		if err != nil {
			rep.Bad = append(rep.Bad, PartProblem{p.Path, err.Error()})
		}
	}
	slices.SortStableFunc(rep.Bad, func(a, b PartProblem) int { return strings.Compare(a.Path, b.Path) })
	un, err := s.unlistedNow()
	if err != nil {
		return rep, fmt.Errorf("dataset %s: %w", s.dir, err)
	}
	rep.Unlisted = un
	dirs, strays, err := s.savedStageDirs()
	if err != nil {
		return rep, err
	}
	if rep.Temporary, err = commitTemps(s.dir); err != nil {
		return rep, fmt.Errorf("dataset %s: %w", s.dir, err)
	}
	if s.failpoint != nil {
		if err := s.failpoint("verify: saved outputs listed"); err != nil {
			return rep, err
		}
	}
	// Each saved output is checked under its stage's lock, its stage.json
	// read again there: a lomsong run saving meanwhile sweeps older
	// outputs away and replaces one of the same key under that lock, and
	// an output found by the walk but gone when its files were opened was
	// reported damaged (verify failing while the run went well).
	for _, d := range dirs {
		lk := lockShared(filepath.Join(s.dir, filepath.FromSlash(d), ".."))
		rec, bad, gone, err := s.checkSavedStage(ctx, d)
		if lk != nil {
			flock.Unlock(lk)
		}
		if err != nil {
			return rep, err
		}
		if gone {
			continue
		}
		if rec.Dir != "" { // its stage.json was read
			rep.Stages++
			rep.StageFiles += len(rec.Files)
		}
		rep.Bad = append(rep.Bad, bad...)
	}
	// An output a save swept away while the walk read it had files seen
	// without their stage.json: strays only while they last.
	rep.StageStrays = slices.DeleteFunc(strays, func(rel string) bool {
		_, err := os.Lstat(filepath.Join(s.dir, filepath.FromSlash(rel)))
		return errors.Is(err, os.ErrNotExist)
	})
	slices.SortStableFunc(rep.Bad, func(a, b PartProblem) int { return strings.Compare(a.Path, b.Path) })
	return rep, nil
}

// verifyBatchRows is the batch of Verify's measurement reader: it only
// counts rows, so a small batch saves allocating and clearing a large one
// per part.
const verifyBatchRows = 1024

// verifyPart checks one part and returns the rows it read.
func (s *Store) verifyPart(ctx context.Context, p Part, src Source) (int64, error) {
	if err := s.checkPart(p, true); err != nil {
		return 0, unwrapDataset(err, p.Path)
	}
	f, err := os.Open(s.Path(p))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	footer, meta, err := arrowio.ParquetFooter(f, st.Size())
	if err != nil {
		return 0, err
	}
	if footer != p.Rows {
		return 0, fmt.Errorf("footer declares %d rows, the manifest lists %d", footer, p.Rows)
	}
	if d := recordDisagrees(p, meta); d != "" {
		return 0, fmt.Errorf("%s: the record was edited; lomsong dataset repair corrects it from the part", d)
	}
	if sha := meta[metaSourceSHA]; isHex(sha, 64) && sha != src.SHA256 {
		// The source's record edited (its sha256): an ingest of the file
		// would take it for another and collide with its own parts.
		return 0, fmt.Errorf("written for the source of sha256 %s, but the manifest records %s (%s) as %s: the record was edited", sha, src.Name, p.Path, src.SHA256)
	}
	var rows int64
	switch p.Kind {
	case string(ingest.KindMeasurements):
		r, err := arrowio.NewMeasurementReader(f, st.Size(), arrowio.WithBatchRows(verifyBatchRows))
		if err != nil {
			return 0, err
		}
		for r.Next() {
			if err := ctx.Err(); err != nil {
				return rows, err
			}
			rows += int64(r.Batch().Len())
		}
		if err := r.Err(); err != nil {
			return rows, err
		}
	case string(ingest.KindSites):
		sites, err := arrowio.ReadSites(f, st.Size())
		if err != nil {
			return 0, err
		}
		rows = int64(len(sites))
	default:
		t, err := arrowio.OpenTable(f, st.Size())
		if err != nil {
			return 0, err
		}
		for t.Next() {
			rows += int64(len(t.Rows()))
		}
		err = t.Err()
		t.Close()
		if err != nil {
			return rows, err
		}
	}
	if rows != p.Rows {
		return rows, fmt.Errorf("%d rows read, the manifest lists %d", rows, p.Rows)
	}
	return rows, nil
}

// recordDisagrees says where a part's record (its kind, period and
// carrier) disagrees with what the part's own metadata says it holds, or
// "" when they agree or the part carries no metadata (written by an
// earlier version). The readers take a part's period and carrier from its
// record: a record whose period was edited from 2024-10 to 2024-09 has
// October's tests read as September's, every checksum passing.
func recordDisagrees(p Part, meta map[string]string) string {
	if !isHex(meta[metaSourceSHA], 64) {
		return ""
	}
	var d []string
	for _, f := range []struct{ what, listed, own string }{
		{"kind", p.Kind, meta[metaKind]},
		{"period", p.Period, meta[metaPeriod]},
		{"carrier", p.Carrier, meta[metaCarrier]},
	} {
		if f.listed != f.own {
			d = append(d, fmt.Sprintf("the manifest lists %s %q, the part's own metadata says %q", f.what, f.listed, f.own))
		}
	}
	return strings.Join(d, "; ")
}

// takeOwnMetadata sets a part's kind, period and carrier to those its own
// metadata gives (recordDisagrees).
func (p *Part) takeOwnMetadata(meta map[string]string) {
	p.Kind, p.Period, p.Carrier = meta[metaKind], meta[metaPeriod], meta[metaCarrier]
}

// unwrapDataset strips the "dataset: PATH: " prefix of checkPart's errors,
// for reports that name the part already.
func unwrapDataset(err error, p string) error {
	msg := strings.TrimPrefix(err.Error(), "dataset: ")
	msg = strings.TrimPrefix(msg, p+": ")
	return errors.New(msg)
}

// RepairReport is what Repair did.
type RepairReport struct {
	Kept      int    // sources taken whole from manifest.json or manifest.prev.json
	Recovered int    // sources rebuilt from their parts' metadata or paths
	Parts     int    // parts listed in the new manifest
	Orphans   string // where unreadable files were moved ("" = none), relative to the dataset
	Moved     []string
	// Damaged lists parts of kept sources whose files no longer match
	// their records (size, rows or checksums): they stay listed as
	// recorded, so that verify and readers report them.
	Damaged []string
	// Retracted names the source of an interrupted retraction repair
	// completed ("" when there was none).
	Retracted string
	// Missing lists parts (and quarantine files) of recorded sources
	// whose files are gone: the sources stay listed as recorded (a
	// source is never rebuilt smaller from the parts that remain, which
	// would hide the lost rows), so that verify and readers report them.
	Missing []string
	// Corrected lists parts whose files are the bytes recorded (same
	// SHA-256) but whose recorded size, row count, kind, period or
	// carrier was wrong (a hand edit), and parts of a kept source whose
	// entry its record had lost: the record is corrected from the file.
	Corrected []string
	// Recounted lists sources whose parts are all intact but whose
	// record's accepted rows (and so rows read) disagreed with them (a
	// hand edit): the counts are now the parts' ("name: accepted A → B").
	Recounted []string
	// SameRows lists the sources rebuilt from their parts whose rows are,
	// as a set, those of another source ("A: the same N rows as B"): a
	// measurement read twice. Both stay listed (repair loses nothing);
	// one is for the user to take out with Retract.
	SameRows []string
	// Commit is what became of the commit of an ingest that was stopped
	// (Commit.Source "" when there was none): completed from its journal
	// (its source is among those Kept), or rolled back.
	Commit CommitRecovery
	// Removed are the temporary folders and files stopped ingests left in
	// the dataset's top folder (VerifyReport.Temporary), removed once the
	// manifest is rebuilt: no reader ever read them.
	Removed []string
	// StagesRemoved are the saved stage outputs (their directories) that
	// failed their checks, removed: derived data, computed again by the
	// next command that needs them (VerifyReport.Bad lists their files).
	StagesRemoved []string
	// Unchanged: the rebuilt manifest is manifest.json byte for byte, so
	// neither it nor manifest.prev.json was written.
	Unchanged bool
}

// partFile is a data file found by Repair.
type partFile struct {
	rel  string
	sums fileSums
	rows int64
	meta map[string]string
}

var partNameRE = regexp.MustCompile(`^part-([0-9a-f]{16})(-[0-9]+)?\.parquet$`)
var quarantineNameRE = regexp.MustCompile(`^quarantine/([0-9a-f]{16})\.csv$`)

// Repair rebuilds the manifest of the dataset at dir from the files in it,
// under the dataset's lock; when is the time written into the orphans'
// note. A source recorded in manifest.json or manifest.prev.json (those
// that parse) whose part files are all present is kept as recorded; its
// parts that no longer match their records are listed in Damaged, never
// given new checksums — unless the file's SHA-256 is the one recorded,
// when the record's size and row count are corrected from the file, and
// its kind, period and carrier from the file's own metadata (Corrected).
// A source recorded in manifest.json with part files gone, or in
// manifest.prev.json with some of them left, is kept as recorded too, the
// gone parts listed in Missing: rebuilt from what remains it
// would pass for whole with fewer rows. Every other part becomes part of a
// source rebuilt from the metadata written into each part (kind, carrier,
// period, the source's checksums, name, format and ingest time), or, for
// parts of earlier versions without it, from its path (kind, period=,
// carrier=, and the 16 hex digits of part-H.parquet); such sources say
// so in Recovered, and their rejected count is that of their quarantine
// file. Files that are not readable parts are moved to orphans/ with a
// note; a manifest.json that does not parse goes with them. The previous
// manifest is kept as manifest.prev.json. Saved stage outputs that fail
// their checks are removed (StagesRemoved): derived data, computed again
// by the next command that needs them.
//
// An ingest's commit that was stopped (its journal is there) is settled
// first (Commit in the report): its source is recorded whole from the
// journal once its files are all placed, or, some of them lost, the files
// it had placed go to orphans/ with a note and its source is not
// recorded, so that the next ingest of the file stores all of it. Its
// files are never rebuilt into a source of the rows they happen to hold.
func Repair(dir string, when time.Time) (RepairReport, error) {
	var rep RepairReport
	st, err := os.Stat(dir)
	if err != nil {
		return rep, fmt.Errorf("dataset %s: %w", dir, err)
	}
	if !st.IsDir() {
		return rep, fmt.Errorf("dataset %s: not a directory", dir)
	}
	if !fileExistsIn(dir, manifestName) && !fileExistsIn(dir, prevManifestName) && !fileExistsIn(dir, journalName) {
		if files, err := dataFiles(dir); err == nil && len(files) == 0 {
			return rep, fmt.Errorf("dataset %s: %w", dir, ErrNotDataset)
		}
	}
	lf, err := lock(dir)
	if err != nil {
		return rep, err
	}
	defer unlock(lf)
	s := &Store{dir: dir, manifest: Manifest{Version: ManifestVersion}}
	// An interrupted retraction first: its source is taken out whole.
	if rep.Retracted, err = s.recoverRetract(); err != nil {
		return rep, err
	}

	var candidates []Source
	curBytes, curErr := os.ReadFile(filepath.Join(dir, manifestName))
	curOK := false
	if curErr == nil {
		if m, err := parseManifest(curBytes); err == nil {
			candidates, curOK = append(candidates, m.Sources...), true
		}
	}
	current := len(candidates) // candidates[:current] are the current manifest's

	// An interrupted commit first: its source is recorded whole, from its
	// journal, once its files are all in place; or, some of them lost, the
	// files it placed are set aside and its source is not recorded. Never
	// rebuilt from the files it happened to place.
	j, err := readJournal(dir)
	if errors.Is(err, errBadJournal) {
		o, merr := s.moveAside(orphansDir, []string{journalName},
			fmt.Sprintf("dataset repair could not read this commit journal (%v); the files it names, if any were placed, are rebuilt from their metadata\n", err))
		if merr != nil {
			return rep, fmt.Errorf("dataset %s: setting %s aside: %w", dir, journalName, merr)
		}
		rep.Orphans, rep.Moved = o, []string{journalName}
		j, err = nil, nil
	}
	if err != nil {
		return rep, fmt.Errorf("dataset %s: %w", dir, err)
	}
	if j != nil {
		rep.Commit.Source, rep.Commit.SHA256 = j.Source.Name, j.Source.SHA256
		if slices.ContainsFunc(candidates[:current], func(c Source) bool { return c.SHA256 == j.Source.SHA256 }) {
			rep.Commit.Completed = true // stopped after its manifest was in place
		} else {
			complete, err := s.settle(j, &rep.Commit, when)
			if err != nil {
				return rep, err
			}
			if complete {
				candidates = slices.Insert(candidates, current, j.Source)
				current++
				rep.Commit.Completed = true
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, prevManifestName)); err == nil {
		if m, err := parseManifest(b); err == nil {
			candidates = append(candidates, m.Sources...)
		}
	}

	files, err := dataFiles(dir)
	if err != nil {
		return rep, fmt.Errorf("dataset %s: %w", dir, err)
	}
	found := map[string]*partFile{}
	present := map[string]bool{}
	unreadable := map[string]error{}
	quarantines := map[string]bool{}
	var bad []string
	var why []string
	for _, rel := range files {
		present[rel] = true
		if strings.HasPrefix(rel, "quarantine/") {
			quarantines[rel] = true
			continue
		}
		pf, err := readPartFile(dir, rel)
		if err != nil {
			unreadable[rel] = err
			continue
		}
		found[rel] = pf
	}

	// A recorded source whose part files are all present is kept as
	// recorded, damaged parts included: repair rebuilds the manifest, it
	// does not bless bytes that no longer match their checksums. Such
	// parts are reported, and verify and readers go on failing on them.
	used := map[string]bool{}
	var sources []Source
	seen := map[string]bool{}
	intactSources := map[string]bool{} // kept sources every listed part of which is intact
	for ci, c := range candidates {
		if seen[c.SHA256] {
			continue
		}
		whole, some := true, false
		for _, p := range c.Parts {
			if used[p.Path] {
				whole = false
				break
			}
			if !present[p.Path] {
				whole = false
			} else {
				some = true
			}
		}
		// A source with parts gone stays as recorded when the current
		// manifest lists it, or when some of its parts remain: rebuilt
		// from those alone it would look whole with fewer rows. Only a
		// source of the previous manifest none of whose parts remain (a
		// retracted source: its files were moved out) is dropped.
		keepMissing := !whole && (ci < current || some) && !slices.ContainsFunc(c.Parts, func(p Part) bool { return used[p.Path] })
		if !whole && !keepMissing {
			continue
		}
		seen[c.SHA256] = true
		c.Parts = slices.Clone(c.Parts)
		corrected, intact := false, true
		for i, p := range c.Parts {
			used[p.Path] = true
			pf := found[p.Path]
			switch {
			case !present[p.Path]:
				intact = false
				rep.Missing = append(rep.Missing, p.Path)
			case pf != nil && p.SHA256 != "" && pf.sums.sha256 == p.SHA256 && (pf.sums.bytes != p.Bytes || pf.rows != p.Rows ||
				(p.CRC32C != "" && pf.sums.crc32c != p.CRC32C) || recordDisagrees(p, pf.meta) != ""):
				// The bytes recorded, with a wrong size, count, CRC,
				// kind, period or carrier in the record: the record is
				// what was damaged.
				c.Parts[i].setSums(pf.sums)
				c.Parts[i].Rows = pf.rows
				if recordDisagrees(p, pf.meta) != "" {
					c.Parts[i].takeOwnMetadata(pf.meta)
				}
				rep.Corrected = append(rep.Corrected, p.Path)
				corrected = true
			case pf == nil || pf.sums.bytes != p.Bytes || pf.rows != p.Rows ||
				(p.SHA256 != "" && pf.sums.sha256 != p.SHA256) || (p.CRC32C != "" && pf.sums.crc32c != p.CRC32C):
				intact = false
				rep.Damaged = append(rep.Damaged, p.Path)
			case p.SHA256 == "" || p.CRC32C == "":
				c.Parts[i].setSums(pf.sums) // a part of an earlier version, intact as far as it was recorded
			}
		}
		if corrected {
			c.Accepted = c.partRows()
			c.RowsRead = c.Accepted + c.Rejected
		}
		if own := partsSourceSHA(c.Parts, found); intact && own != "" && own != c.SHA256 && !seen[own] &&
			!slices.ContainsFunc(candidates[:current], func(o Source) bool { return o.SHA256 == own }) {
			// The source's sha256 edited in the record, its parts intact
			// and all written for another: an ingest of its file would
			// not know it (the Commit refuses to place its parts over
			// them). The parts say which.
			c.SHA256 = own
			seen[own] = true
			rep.Corrected = append(rep.Corrected, c.Parts[0].Path)
		}
		if intact {
			intactSources[c.SHA256] = true
		}
		if c.Quarantine != "" && quarantines[c.Quarantine] {
			used[c.Quarantine] = true
		} else if c.Quarantine != "" && !present[c.Quarantine] {
			// The rejected rows the user gave, gone: said as a part's
			// loss is (repair said nothing and succeeded, verify failing
			// on it for ever, an ingest of the file "already ingested").
			rep.Missing = append(rep.Missing, c.Quarantine)
		}
		sources = append(sources, c)
		rep.Kept++
	}
	for _, rel := range files {
		if err := unreadable[rel]; err != nil && !used[rel] {
			bad = append(bad, rel)
			why = append(why, fmt.Sprintf("%s: %v", rel, err))
		}
	}
	slices.Sort(rep.Damaged)
	slices.Sort(rep.Missing)
	slices.Sort(rep.Corrected)

	// Group the other parts by their source.
	bySource := map[string]*Source{}
	var order []string
	rels := make([]string, 0, len(found))
	for rel := range found {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	for _, rel := range rels {
		if used[rel] {
			continue
		}
		pf := found[rel]
		p, key, info, err := recoverPart(pf)
		if err != nil {
			bad = append(bad, rel)
			why = append(why, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		if k := slices.IndexFunc(sources, func(c Source) bool { return c.SHA256 == key }); k >= 0 {
			// A part of a kept source whose entry was lost from its
			// record: the entry is restored (a source rebuilt beside it
			// would list the source twice).
			sources[k].Parts = append(sources[k].Parts, p)
			slices.SortFunc(sources[k].Parts, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
			rep.Corrected = append(rep.Corrected, rel)
			used[rel] = true
			continue
		}
		src := bySource[key]
		if src == nil {
			src = &Source{SHA256: key, Name: info.Name, Kind: p.Kind, Format: info.Format, IngestedAt: info.IngestedAt,
				ContentSHA256: info.ContentSHA256}
			bySource[key] = src
			order = append(order, key)
		}
		src.Parts = append(src.Parts, p)
		src.Accepted += p.Rows
		used[rel] = true
	}
	// A kept source whose parts are all intact, their lost entries
	// restored, holds its parts' rows, whatever its record says (a hand
	// edit of its counts).
	for k := range sources {
		c := &sources[k]
		if rows := c.partRows(); intactSources[c.SHA256] && rows != c.Accepted {
			rep.Recounted = append(rep.Recounted, fmt.Sprintf("%s: accepted %d → %d", c.Name, c.Accepted, rows))
			c.Accepted = rows
			c.RowsRead = c.Accepted + c.Rejected
		}
	}
	// Quarantine files of sources none of whose parts remain (or that had
	// none: every row rejected).
	for q := range quarantines {
		if used[q] {
			continue
		}
		m := quarantineNameRE.FindStringSubmatch(q)
		if m == nil {
			bad = append(bad, q)
			why = append(why, q+": not named as a quarantine file")
			continue
		}
		short := m[1]
		key := ""
		for _, k := range order {
			if strings.HasPrefix(k, short) {
				key = k
			}
		}
		if key == "" {
			key = short
			bySource[key] = &Source{SHA256: short, Parts: []Part{}}
			order = append(order, key)
		}
		bySource[key].Quarantine = q
	}
	slices.Sort(order)
	rebuiltFrom := len(sources)
	for _, k := range order {
		src := bySource[k]
		if src.Quarantine != "" {
			n, err := countQuarantine(filepath.Join(dir, filepath.FromSlash(src.Quarantine)))
			if err != nil {
				return rep, fmt.Errorf("dataset %s: %s: %w", dir, src.Quarantine, err)
			}
			src.Rejected = n
		}
		src.RowsRead = src.Accepted + src.Rejected
		src.Recovered = "rebuilt by dataset repair"
		switch {
		case len(src.SHA256) == 16:
			src.Recovered += " from the parts' paths (written before parts carried metadata): name, format, time, checksums and reasons not known"
		default:
			src.Recovered += " from the parts' metadata: reject reasons, ignored columns and mapping not known"
		}
		if src.Quarantine != "" {
			src.Recovered += "; rejected rows counted in the quarantine file"
		}
		if len(src.Parts) == 0 {
			src.Recovered += "; no part remains, only the quarantine file (kind not known)"
		}
		slices.SortFunc(src.Parts, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
		sources = append(sources, *src)
		rep.Recovered++
	}
	for _, src := range sources {
		rep.Parts += len(src.Parts)
	}
	rep.SameRows = s.sameRows(sources, rebuiltFrom)
	if curErr == nil && !curOK {
		// Kept with the orphans, so that nothing is lost.
		bad = append(bad, manifestName)
		why = append(why, manifestName+": does not parse, replaced by the rebuilt manifest")
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		note := "dataset repair could not use them:\n  " + strings.Join(why, "\n  ")
		o, err := s.moveOrphans(bad, note, when)
		if err != nil {
			return rep, fmt.Errorf("dataset %s: moving unreadable files: %w", dir, err)
		}
		if rep.Orphans != "" {
			o = rep.Orphans + ", " + o
		}
		rep.Orphans, rep.Moved = o, append(rep.Moved, bad...)
	}
	m := Manifest{Version: ManifestVersion, Sources: sources}
	if m.Sources == nil {
		m.Sources = []Source{}
	}
	if _, err := parseManifest(mustJSON(m)); err != nil {
		return rep, fmt.Errorf("dataset %s: the rebuilt manifest fails its own checks: %w", dir, err)
	}
	if b := mustJSON(m); curOK && bytes.Equal(b, curBytes) {
		// The manifest as recorded: nothing written, and manifest.prev.json
		// keeps the generation before it (replaced by a copy of the
		// current one, the previous record would be lost).
		rep.Unchanged = true
	} else {
		if curOK {
			if err := s.keepPrevious(); err != nil {
				return rep, err
			}
		}
		if err := writeFileAtomic(filepath.Join(dir, manifestName), b); err != nil {
			return rep, fmt.Errorf("dataset %s: writing the manifest: %w", dir, err)
		}
	}
	if j != nil && rep.Commit.Completed {
		if err := s.dropJournal(j.Tmp); err != nil {
			return rep, fmt.Errorf("dataset %s: removing the completed commit's journal: %w", dir, err)
		}
	}
	// What stopped ingests left in the top folder, now that their commit
	// (if any) is settled and the lock keeps a new one out.
	temps, err := commitTemps(dir)
	if err != nil {
		return rep, fmt.Errorf("dataset %s: %w", dir, err)
	}
	for _, t := range temps {
		if err := os.RemoveAll(filepath.Join(dir, t)); err != nil {
			return rep, fmt.Errorf("dataset %s: removing %s left by a stopped ingest: %w", dir, t, err)
		}
		rep.Removed = append(rep.Removed, t)
	}
	if rep.StagesRemoved, err = s.removeDamagedStages(); err != nil {
		return rep, fmt.Errorf("dataset %s: %w", dir, err)
	}
	return rep, nil
}

// sameRows names the measurements sources of sources[from:] (those
// rebuilt by Repair, which carry no rows digest) whose rows, as a set, are
// those of another source: the order-free digest Ingest compares a new
// file's rows with. A source whose parts cannot be read is left out (it
// is reported as damaged).
func (s *Store) sameRows(sources []Source, from int) []string {
	digests := make([]string, len(sources))
	digest := func(i int) string {
		if digests[i] == "" {
			digests[i] = "-"
			if d, err := s.rowsDigestOf(context.Background(), sources[i]); err == nil {
				digests[i] = d
			}
		}
		return digests[i]
	}
	var out []string
	for i := from; i < len(sources); i++ {
		a := sources[i]
		if a.Kind != string(ingest.KindMeasurements) || a.partRows() == 0 {
			continue
		}
		for j, b := range sources {
			// A pair of rebuilt sources is named once, by the later one.
			if j >= i || b.Kind != a.Kind || b.partRows() != a.partRows() {
				continue
			}
			if d := digest(i); d != "-" && d == digest(j) {
				out = append(out, fmt.Sprintf("%s: the same %d rows as %s", sourceLabel(a), a.partRows(), sourceLabel(b)))
				break
			}
		}
	}
	return out
}

// sourceLabel names a source in a report: its checksum, and its file's
// name when known.
// partsSourceSHA is the source sha256 every one of parts was written for
// (their metadata, found by path), or "" when one is not found or they
// name none or several.
func partsSourceSHA(parts []Part, found map[string]*partFile) string {
	own := ""
	for _, p := range parts {
		pf := found[p.Path]
		if pf == nil {
			return ""
		}
		sha := pf.meta[metaSourceSHA]
		if !isHex(sha, 64) || own != "" && sha != own {
			return ""
		}
		own = sha
	}
	return own
}

func sourceLabel(src Source) string {
	if src.Name == "" {
		return src.SHA256
	}
	return src.SHA256 + " (" + src.Name + ")"
}

// readPartFile hashes a data file and reads its Parquet footer.
func readPartFile(dir, rel string) (*partFile, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums, err := sumsOf(f, true)
	if err != nil {
		return nil, err
	}
	rows, meta, err := arrowio.ParquetFooter(f, sums.bytes)
	if err != nil {
		return nil, err
	}
	return &partFile{rel: rel, sums: sums, rows: rows, meta: meta}, nil
}

// recoverPart rebuilds a part's record from its metadata or, failing
// that, its path, and returns the key of its source (its SHA-256, or the
// 16 hex digits of its name).
func recoverPart(pf *partFile) (Part, string, SourceInfo, error) {
	elems := strings.Split(pf.rel, "/")
	top, base := elems[0], elems[len(elems)-1]
	p := Part{Path: pf.rel, Kind: top, Rows: pf.rows}
	p.setSums(pf.sums)
	if top == string(ingest.KindMeasurements) || top == string(ingest.KindSites) {
		for _, e := range elems[1 : len(elems)-1] {
			if v, ok := strings.CutPrefix(e, "period="); ok {
				p.Period = v
			}
			if v, ok := strings.CutPrefix(e, "carrier="); ok {
				p.Carrier = v
			}
		}
	}
	var info SourceInfo
	if key := pf.meta[metaSourceSHA]; isHex(key, 64) {
		if k := pf.meta[metaKind]; k != top {
			return Part{}, "", info, fmt.Errorf("metadata says kind %q, the file is under %s/", k, top)
		}
		if c, ok := pf.meta[metaCarrier]; ok {
			p.Carrier = c
		}
		if v, ok := pf.meta[metaPeriod]; ok {
			p.Period = v
		}
		info.Name, info.Format = pf.meta[metaSourceName], pf.meta[metaSourceFormat]
		if c := pf.meta[metaContentSHA]; isHex(c, 64) {
			info.ContentSHA256 = c
		}
		if t, err := time.Parse(time.RFC3339Nano, pf.meta[metaSourceIngest]); err == nil {
			info.IngestedAt = t
		}
		return p, key, info, nil
	}
	m := partNameRE.FindStringSubmatch(base)
	if m == nil {
		return Part{}, "", info, errors.New("no source in its metadata and not named part-H.parquet")
	}
	if (top == string(ingest.KindMeasurements) && p.Period == "") || (top == string(ingest.KindSites) && p.Carrier == "") {
		return Part{}, "", info, errors.New("no source in its metadata and no period=/carrier= in its path")
	}
	return p, m[1], info, nil
}

// countQuarantine counts the rows of a quarantine CSV file (without its
// header).
func countQuarantine(p string) (int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		n++
	}
	return max(n-1, 0), nil
}

// mustJSON renders a manifest as the files hold it. It panics only if
// the types above stop being marshallable, a programmer error.
func mustJSON(m Manifest) []byte { return mustJSONValue(m) }

// mustJSONValue is v as indented JSON with a final line end; v must
// marshal (programmer error otherwise).
func mustJSONValue(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// fileExistsIn reports whether dir holds a file name.
func fileExistsIn(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}
