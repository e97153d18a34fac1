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
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/lomsong/lomsong/internal/shellquote"
)

// retractedDir is where retracted sources' files are moved.
const retractedDir = "retracted"

// ErrNoSource is returned by Retract when no source, or more than one,
// answers to the name given.
var ErrNoSource = errors.New("no single source answers to that name")

// RetractReport says what Retract did.
type RetractReport struct {
	Source Source   // the source taken out of the manifest
	Dir    string   // where its files went, relative to the dataset (retracted/NNNN)
	Moved  []string // its files, relative to the dataset
	// Missing are those of its files that were gone before the
	// retraction (not moved; its NOTE.txt names them).
	Missing []string
}

// Retract takes an ingested source out of the dataset: a carrier's dump
// read with a wrong time zone or mapping, or one that should not have
// been ingested. which names it: its SHA-256, a prefix of it of at least
// 8 hex digits, the path of a file with its bytes (a file with other
// bytes is refused, whatever its name), or its recorded name (or a path
// ending in it) when one source alone has it. Its parts and quarantine file leave the manifest
// and are moved, with their paths, to retracted/NNNN/ beside a NOTE.txt
// saying what, when and why and how to restore them: nothing is deleted. Saved stage outputs are
// keyed by the parts they read, so the next run recomputes those that
// read the source. The same bytes may then be ingested again, read anew.
//
// It holds the dataset's lock (ErrLocked while an ingest runs). A journal
// (.retract.json) names the files and their folder before the first is
// moved, and the manifest is written after the last: a retraction stopped
// between the two is completed by the next retract, ingest or repair
// (recoverRetract), into the same folder.
func Retract(dir, which, why string, when time.Time) (RetractReport, error) {
	var rep RetractReport
	lf, err := lock(dir)
	if err != nil {
		return rep, err
	}
	defer unlock(lf)
	// An interrupted ingest's commit first (the source to retract may be
	// its): errJournalLeft is a manifest lost or malformed, which Open
	// reports.
	if _, err := (&Store{dir: dir}).recoverCommit(when); err != nil && !errors.Is(err, errJournalLeft) {
		return rep, err
	}
	if _, err := (&Store{dir: dir}).recoverRetract(); err != nil {
		return rep, err
	}
	s, err := Open(dir)
	if err != nil {
		return rep, err
	}
	if fileExistsIn(dir, journalName) {
		return rep, fmt.Errorf("dataset %s: an interrupted ingest's commit could not be completed; lomsong dataset repair %s completes it", dir, shellquote.Quote(dir))
	}
	m := s.manifest
	idx, err := findSource(m.Sources, which)
	if fi, serr := os.Stat(which); serr == nil && fi.Mode().IsRegular() {
		// A file's path names the source of its bytes, whatever its
		// name: october/measurements.csv, never ingested, is not the
		// September dump ingested as september/measurements.csv.
		sum, herr := SHA256File(which)
		if herr != nil {
			return rep, herr
		}
		if src, ok := s.Lookup(sum); ok {
			idx = slices.IndexFunc(m.Sources, func(x Source) bool { return x.SHA256 == src.SHA256 })
			err = nil
		} else if err == nil {
			o := m.Sources[idx]
			return rep, fmt.Errorf("dataset %s: %w: %s was not ingested into it: its SHA-256 %s is no source's; the source %s is other bytes (sha256 %s, ingested %s): give its SHA-256 to retract it",
				dir, ErrNoSource, which, sum[:16], o.Name, o.SHA256[:min(16, len(o.SHA256))], o.IngestedAt.UTC().Format("2006-01-02 15:04"))
		}
	}
	if err != nil {
		return rep, fmt.Errorf("dataset %s: %w", dir, err)
	}
	src := m.Sources[idx]
	for _, p := range src.Parts {
		rep.Moved = append(rep.Moved, p.Path)
	}
	if src.Quarantine != "" {
		rep.Moved = append(rep.Moved, src.Quarantine)
	}
	var present []string
	for _, f := range rep.Moved {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err == nil {
			present = append(present, f)
		} else {
			rep.Missing = append(rep.Missing, f)
		}
	}
	var note strings.Builder
	fmt.Fprintf(&note, "These files were a source of the dataset, retracted: its rows are no longer read.\n")
	fmt.Fprintf(&note, "source: %s (sha256 %s, kind %s), ingested %s: %d rows read, %d accepted, %d rejected\n",
		src.Name, src.SHA256, src.Kind, src.IngestedAt.UTC().Format(time.RFC3339), src.RowsRead, src.Accepted, src.Rejected)
	if len(src.Mapping) > 0 {
		fmt.Fprintf(&note, "read with the mapping: %s\n", src.Mapping)
	}
	fmt.Fprintf(&note, "why: %s\n", cmp.Or(why, "not given"))
	fmt.Fprintf(&note, "when: %s\n", when.UTC().Format(time.RFC3339))
	fmt.Fprintf(&note, "files (moved here with their paths in the dataset):\n")
	for _, f := range present {
		fmt.Fprintf(&note, "  %s\n", f)
	}
	if len(present) < len(rep.Moved) {
		fmt.Fprintf(&note, "already missing when retracted:\n")
		for _, f := range rep.Moved {
			if !slices.Contains(present, f) {
				fmt.Fprintf(&note, "  %s\n", f)
			}
		}
	}
	fmt.Fprintf(&note, "To restore the source, move the files back to the same paths in the dataset and run: lomsong dataset repair DIR\n"+
		"(its record is then rebuilt from the parts; reject reasons and mapping are not recovered).\n"+
		"If the same file was ingested again since, its new parts are at those paths: do not move these over them.\n")
	if rep.Dir, err = s.nextAside(retractedDir); err != nil {
		return rep, err
	}
	// The journal first: a retraction stopped after it (killed, the
	// power cut) is completed by the next retract, ingest or repair
	// (recoverRetract), the files it had not moved yet moved into the same
	// folder; without it, a manifest naming moved parts was left, and a
	// second retract split the source's files over two folders.
	j := retractJournal{SHA256: src.SHA256, Name: src.Name, Dir: rep.Dir, Files: present, Note: note.String()}
	if err := writeFileAtomic(filepath.Join(dir, retractJournalName), mustJSONValue(j)); err != nil {
		return rep, fmt.Errorf("dataset %s: writing %s: %w", dir, retractJournalName, err)
	}
	if err := s.finishRetract(j); err != nil {
		return rep, fmt.Errorf("dataset %s: retracting %s: %w (lomsong dataset retract or repair completes it)", dir, src.Name, err)
	}
	rep.Source = src
	return rep, nil
}

// retractJournalName is the journal of a retraction under way: what
// Retract moves and where.
const retractJournalName = ".retract.json"

// retractJournal is what a retraction does: the source (its sha256 and
// name) taken out of the manifest, its files moved into Dir with Note.
type retractJournal struct {
	SHA256 string   `json:"sha256"`
	Name   string   `json:"name"`
	Dir    string   `json:"dir"`
	Files  []string `json:"files"`
	Note   string   `json:"note"`
}

// finishRetract carries out j: the files still at their paths moved into
// j.Dir (NOTE.txt written after them), the source taken out of the
// manifest when it is still there, and the journal removed.
func (s *Store) finishRetract(j retractJournal) error {
	n, ok := strings.CutPrefix(j.Dir, retractedDir+"/")
	if !ok || len(n) < 4 || strings.Trim(n, "0123456789") != "" || slices.ContainsFunc(j.Files, func(f string) bool { return !validRel(f) }) {
		return fmt.Errorf("%s names paths outside the dataset's: set it aside by hand", retractJournalName)
	}
	if err := s.moveInto(j.Dir, j.Files, j.Note); err != nil {
		return fmt.Errorf("moving the files aside: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, manifestName))
	if err != nil {
		return err
	}
	m, err := parseManifest(b)
	if err != nil {
		return err
	}
	if idx := slices.IndexFunc(m.Sources, func(x Source) bool { return x.SHA256 == j.SHA256 }); idx >= 0 {
		m.Sources = slices.Delete(slices.Clone(m.Sources), idx, idx+1)
		data := mustJSON(m)
		if _, err := parseManifest(data); err != nil {
			return fmt.Errorf("the manifest without %s fails its own checks: %w", j.Name, err)
		}
		s.manifest = m
		if err := s.keepPrevious(); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(s.dir, manifestName), data); err != nil {
			return fmt.Errorf("writing the manifest: %w", err)
		}
	}
	if err := os.Remove(filepath.Join(s.dir, retractJournalName)); err != nil {
		return err
	}
	return syncDir(s.dir)
}

// recoverRetract completes a retraction stopped after its journal was
// written (the caller holds the dataset's lock): the source it names is
// taken out, its files moved where the journal says. It returns the
// journal's source name ("" when there was none to complete).
func (s *Store) recoverRetract() (string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, retractJournalName))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var j retractJournal
	if err := json.Unmarshal(b, &j); err != nil || !isHex(j.SHA256, 64) {
		return "", fmt.Errorf("dataset %s: %s cannot be read (%v): an interrupted retraction; move the file aside and run lomsong dataset repair %s", s.dir, retractJournalName, err, shellquote.Quote(s.dir))
	}
	if err := s.finishRetract(j); err != nil {
		return "", fmt.Errorf("dataset %s: completing the interrupted retraction of %s: %w", s.dir, j.Name, err)
	}
	return j.Name, nil
}

// findSource returns the index of the one source which names (see
// Retract), or an error wrapping ErrNoSource that lists the candidates.
func findSource(sources []Source, which string) (int, error) {
	which = strings.TrimSpace(which)
	var hits []int
	lower := strings.ToLower(which)
	if len(lower) >= 8 && isHex(lower, len(lower)) {
		for i, s := range sources {
			if strings.HasPrefix(s.SHA256, lower) {
				hits = append(hits, i)
			}
		}
	}
	if len(hits) == 0 {
		// Names compared in Unicode normal form C: a name typed or pasted
		// decomposed (macOS, some editors) is the same name.
		nfc := norm.NFC.String
		w := nfc(which)
		for i, s := range sources {
			name := nfc(s.Name)
			if name == w || filepath.Base(name) == w || name == filepath.Base(w) {
				hits = append(hits, i)
			}
		}
	}
	describe := func(ix []int) string {
		var b strings.Builder
		for _, i := range ix {
			s := sources[i]
			fmt.Fprintf(&b, "\n  %s  %s (%s, %d rows, ingested %s)", s.SHA256[:min(16, len(s.SHA256))], s.Name, s.Kind, s.Accepted,
				s.IngestedAt.UTC().Format("2006-01-02 15:04"))
		}
		return b.String()
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		all := make([]int, len(sources))
		for i := range all {
			all[i] = i
		}
		if len(all) > 20 {
			all = all[len(all)-20:]
		}
		return 0, fmt.Errorf("%w: %q is neither a source's name nor the start (8 hex digits or more) of its SHA-256; the sources (lomsong dataset ls lists all):%s",
			ErrNoSource, which, describe(all))
	default:
		return 0, fmt.Errorf("%w: %d sources answer to %q; give the SHA-256 (its first 8 hex digits or more) of one:%s",
			ErrNoSource, len(hits), which, describe(hits))
	}
}
