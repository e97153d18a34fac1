package dataset

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// ErrHeldRows is wrapped by HeldRowsError.
var ErrHeldRows = errors.New("measurements the dataset holds already")

// HeldSource is an earlier source holding some of a refused file's rows.
type HeldSource struct {
	Source Source
	Rows   int64 // the refused file's rows it holds
}

// HeldRowsError refuses a measurements file some of whose accepted rows
// the dataset holds already, from files ingested before: a carrier's dump
// of the month so far sent again with the rest of the month, or a late
// dump overlapping the first. Added, every such test would count twice
// (towards a hex's measured evidence, the radio map's readings near a
// village, the speed medians). Nothing is added.
type HeldRowsError struct {
	Path     string
	Dataset  string // the dataset's directory, for the advice
	Rows     int64  // the file's accepted rows the dataset holds already
	Accepted int64  // the file's accepted rows
	Sources  []HeldSource
	// Lines are those rows, by their line in the file (the row number of
	// a columnar file), each with the source that holds it.
	Lines []HeldLine
	// Dir is where an ingest wrote them as the refused file's quarantine
	// (DIR/rejected/H/quarantine.csv, reason in_dataset), "" when it did not.
	Dir string
}

// HeldLine is a row of a file that a dataset holds already: its line in
// the file (the row number of a columnar file) and the index in
// HeldRowsError.Sources of the source holding it.
type HeldLine struct {
	Line   int64
	Source int
}

// ReasonInDataset is the quarantine reason of a row a dataset holds
// already (HeldRowsError.Rejects): not a fault of the row, which is
// valid, but a measurement the dataset counts once.
const ReasonInDataset ingest.Reason = "in_dataset"

// Rejects returns the held rows as quarantine rows of the file named
// source, by line, each naming the earlier source that holds it.
func (e *HeldRowsError) Rejects(source string) []ingest.Reject {
	details := make([]string, len(e.Sources))
	for i, h := range e.Sources {
		details[i] = fmt.Sprintf("the same measurement as a row of %s (ingested %s, sha256 %s…), which the dataset holds already",
			h.Source.Name, h.Source.IngestedAt.Format("2006-01-02 15:04 MST"), ShortSHA(h.Source.SHA256))
	}
	out := make([]ingest.Reject, len(e.Lines))
	for i, l := range e.Lines {
		out[i] = ingest.Reject{Source: source, Line: l.Line, Reason: ReasonInDataset, Detail: details[l.Source]}
	}
	return out
}

func (e *HeldRowsError) Error() string {
	dir := "DIR"
	if e.Dataset != "" {
		dir = shellquote.Quote(e.Dataset)
	}
	listed := ""
	if e.Dir != "" {
		listed = " (the rows held are listed by line in " + filepath.Join(e.Dir, "quarantine.csv") + ", reason " + string(ReasonInDataset) + ")"
	}
	if e.Rows >= e.Accepted {
		// Nothing new: retracting the earlier source and ingesting this
		// file would lose the earlier's other rows.
		return e.Path + ": " + e.Reason() + "; every accepted row of it is held already, so it adds nothing" + listed
	}
	if k, ok := e.correction(); ok {
		// As many rows as the earlier source, k of them in place of k of
		// its: a corrected copy, most likely. Its k rows sent alone would
		// keep the readings they correct beside them.
		h := e.Sources[0]
		return e.Path + ": " + e.Reason() + listed + fmt.Sprintf(": it has as many rows as %s and all of them but %d; "+
			"if it is a corrected copy (%s changed), take %s out with %s and ingest this file again; "+
			"if its %d %s new measurements, ingest a file of them alone",
			h.Source.Name, k, plural.Count(k, "row", "rows"), h.Source.Name, e.Retract(dir), k, plural.Noun(k, "other row is", "other rows are"))
	}
	if !e.holdsEveryEarlierRow() {
		return e.Path + ": " + e.Reason() + ": ingest a file of its new rows alone" + listed +
			" (it does not hold every row of the earlier source, so taking that out would lose the rows only it holds)"
	}
	return e.Path + ": " + e.Reason() + ": ingest a file of the new rows alone" + listed + ", or, as this file holds every row of the earlier one " +
		"(a dump sent again, completed), take that out with " + e.Retract(dir) + " and ingest this file again"
}

// correction reports whether the file looks like a corrected copy of the
// one earlier source it overlaps: as many accepted rows as that source,
// so that its k > 0 rows of its own (all its held rows being that
// source's) are as many as the source's rows it lacks. The counts cannot
// tell a correction from k new measurements that happen to be as many,
// so the advice gives both readings.
func (e *HeldRowsError) correction() (int64, bool) {
	if len(e.Sources) != 1 {
		return 0, false
	}
	k := e.Accepted - e.Rows
	return k, k > 0 && e.Sources[0].Source.Accepted == e.Accepted
}

// holdsEveryEarlierRow reports whether the file holds every accepted row
// of each earlier source it overlaps (a dump sent again, completed): only
// then does retracting those and ingesting the file lose nothing.
func (e *HeldRowsError) holdsEveryEarlierRow() bool {
	for _, h := range e.Sources {
		if h.Source.Accepted <= 0 || h.Rows < h.Source.Accepted {
			return false
		}
	}
	return len(e.Sources) > 0
}

// Reason is the error without the file's path and the advice: how many of
// its rows the dataset holds, in which sources, and that nothing was added.
func (e *HeldRowsError) Reason() string {
	return fmt.Sprintf("%s; a dataset holds a measurement once, so nothing was added", e.Found())
}

// Found says how many of the file's rows the dataset holds, in which
// sources: the Reason without what became of the file, for a report of
// what an ingest would find (IngestResult.Held).
func (e *HeldRowsError) Found() string {
	var held []string
	for _, h := range e.Sources {
		held = append(held, fmt.Sprintf("%d of %s, ingested %s, sha256 %s…", h.Rows, h.Source.Name,
			h.Source.IngestedAt.Format("2006-01-02 15:04 MST"), ShortSHA(h.Source.SHA256)))
	}
	return fmt.Sprintf("%d of its %s are measurements the dataset holds already (%s)",
		e.Rows, plural.Count(e.Accepted, "accepted row", "accepted rows"), strings.Join(held, "; "))
}

// Retract is the command that takes the earlier sources out of the
// dataset in dir (a path quoted for a shell).
func (e *HeldRowsError) Retract(dir string) string {
	if len(e.Sources) > 1 {
		return "lomsong dataset retract " + dir + " SOURCE for each of them"
	}
	return "lomsong dataset retract " + dir + " " + ShortSHA(e.Sources[0].Source.SHA256)
}

func (e *HeldRowsError) Unwrap() error { return ErrHeldRows }

// ShortSHA is a checksum's first 16 hex digits, as dataset ls lists a
// source and dataset retract takes it.
func ShortSHA(s string) string { return s[:min(16, len(s))] }

// rowKeys collects the row hashes of the measurements an ingest writes
// to partitions (period, carrier) the dataset holds parts of already (rows
// of another partition cannot be held), with the line each was read from,
// up to max rows (those after are not checked): a month's first dump
// keeps none.
type rowKeys struct {
	max     int
	keys    []heldKey
	held    map[partKey]bool // partitions with parts of earlier sources
	kept    map[partKey]bool // those of them keys were kept of
	periods periodCache      // of the rows added
}

// heldKey is the hash of an accepted row (rowHash) and its line.
type heldKey struct {
	h    [2]uint64
	line int64
}

// newRowKeys returns a collector for an ingest into s, nil when no
// measurements are in it.
func (s *Store) newRowKeys(max int) *rowKeys {
	held := map[partKey]bool{}
	for _, src := range s.Manifest().Sources {
		if src.Kind != "measurements" {
			continue
		}
		for _, p := range src.Parts {
			held[partKey{p.Period, engine.Carrier(p.Carrier)}] = true
		}
	}
	if len(held) == 0 {
		return nil
	}
	return &rowKeys{max: max, held: held, kept: map[partKey]bool{}}
}

// keep keeps the hash of m, an accepted row read from line
// (ingest.Config.AcceptedMeasurement), when it is of a held partition and
// fewer than max are kept. Its hash is the stored row's (rowHash).
func (k *rowKeys) keep(line int64, m *engine.Measurement) {
	if len(k.keys) >= k.max {
		return
	}
	if pk := (partKey{k.periods.of(m.TimeUnixMs), m.Carrier}); k.held[pk] {
		k.keys = append(k.keys, heldKey{m.ValueHash(), line})
		k.kept[pk] = true
	}
}

// cmpRowHash orders row hashes by their first word, then their second.
func cmpRowHash(a, b [2]uint64) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// heldRows returns a HeldRowsError when rows of an ingest (k) are rows of
// the measurements sources the manifest lists. It reads the parts of those
// sources in the partitions k kept rows of, and no other. It is the one
// test of "the dataset holds this row already": an ingest into the
// dataset is refused by it, and a staging ingest validated for the
// dataset (IngestOptions.HeldIn) reports it.
func (s *Store) heldRows(ctx context.Context, path string, accepted int64, k *rowKeys) (*HeldRowsError, error) {
	if len(k.keys) == 0 {
		return nil, nil
	}
	keys := k.keys
	slices.SortFunc(keys, func(a, b heldKey) int { return cmpRowHash(a.h, b.h) })
	// by[j] is the index in held of the first source found holding key
	// j, -1 while none is.
	by := make([]int32, len(keys)) // 4 bytes a key, beside its 24
	for j := range by {
		by[j] = -1
	}
	var held []HeldSource
	var r *arrowio.MeasurementReader
	for _, src := range s.Manifest().Sources {
		if src.Kind != "measurements" {
			continue
		}
		var n int64
		for _, p := range src.Parts {
			if !k.kept[partKey{p.Period, engine.Carrier(p.Carrier)}] {
				continue
			}
			var err error
			r, err = s.scanPart(ctx, p, r, func(b *engine.MeasurementBatch) error {
				for i := 0; i < b.Len(); i++ {
					h := rowHash(b, i)
					j, ok := slices.BinarySearchFunc(keys, h, func(a heldKey, h [2]uint64) int { return cmpRowHash(a.h, h) })
					for ; ok && j < len(keys) && keys[j].h == h; j++ {
						if by[j] < 0 {
							by[j] = int32(len(held))
							n++
						}
					}
				}
				return nil
			}, nil)
			if err != nil {
				return nil, fmt.Errorf("%s: looking for its rows in %s (ingested before), nothing was added: %w", path, src.Name, err)
			}
		}
		if n > 0 {
			held = append(held, HeldSource{Source: src, Rows: n})
		}
	}
	if len(held) == 0 {
		return nil, nil
	}
	// The sources by the rows they hold, most first; the lines by line.
	order := make([]int, len(held))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(held[b].Rows, held[a].Rows) })
	rank := make([]int, len(held))
	sorted := make([]HeldSource, len(held))
	for to, from := range order {
		rank[from], sorted[to] = to, held[from]
	}
	var lines []HeldLine
	for j, src := range by {
		if src >= 0 {
			lines = append(lines, HeldLine{Line: keys[j].line, Source: rank[src]})
		}
	}
	slices.SortFunc(lines, func(a, b HeldLine) int { return cmp.Compare(a.Line, b.Line) })
	return &HeldRowsError{Path: path, Dataset: s.dir, Rows: int64(len(lines)), Accepted: accepted, Sources: sorted, Lines: lines}, nil
}
