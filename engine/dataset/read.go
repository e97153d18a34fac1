package dataset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/parallel"
)

// SummaryRow totals the listed parts of one (kind, period, carrier).
type SummaryRow struct {
	Kind    string
	Period  string
	Carrier string
	Parts   int
	Rows    int64
	Bytes   int64
}

// Summary totals the dataset per kind, period and carrier, sorted.
func (s *Store) Summary() []SummaryRow {
	idx := map[[3]string]int{}
	var out []SummaryRow
	for _, src := range s.manifest.Sources {
		for _, p := range src.Parts {
			k := [3]string{p.Kind, p.Period, p.Carrier}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, SummaryRow{Kind: p.Kind, Period: p.Period, Carrier: p.Carrier})
			}
			out[i].Parts++
			out[i].Rows += p.Rows
			out[i].Bytes += p.Bytes
		}
	}
	slices.SortFunc(out, func(a, b SummaryRow) int {
		return strings.Compare(a.Kind+"\x00"+a.Period+"\x00"+a.Carrier, b.Kind+"\x00"+b.Period+"\x00"+b.Carrier)
	})
	return out
}

// Periods returns the distinct measurement periods, ascending.
func (s *Store) Periods() []string { return periodsOf(s.Parts("measurements", nil, nil)) }

// Carriers returns the distinct carriers of the measurement parts Parts
// lists for periods and carriers (nil = all), ascending.
func (s *Store) Carriers(periods, carriers []string) []string {
	return carriersOf(s.Parts("measurements", periods, carriers))
}

// periodsOf returns the distinct periods of parts, ascending.
func periodsOf(parts []Part) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p.Period)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// carriersOf returns the distinct carriers of parts, ascending.
func carriersOf(parts []Part) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p.Carrier)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ScanMeasurements streams the rows of the listed measurement parts
// (filtered as in Parts) in path order, calling fn with each batch. The
// batch is reused after fn returns. Options go to the Parquet reader (for
// example arrowio.WithColumns to read fewer columns).
func (s *Store) ScanMeasurements(ctx context.Context, periods, carriers []string, fn func(*engine.MeasurementBatch) error, opts ...arrowio.Option) error {
	var r *arrowio.MeasurementReader // reset from part to part
	parts := s.Parts("measurements", periods, carriers)
	s.countScan(parts)
	for _, p := range parts {
		var err error
		if r, err = s.scanPart(ctx, p, r, fn, opts); err != nil {
			return err
		}
	}
	return nil
}

// scanPart reads part p with r (nil: a new reader) and returns the reader.
// It checks the part against the manifest: size, checksum, the footer's
// row count and the rows read.
func (s *Store) scanPart(ctx context.Context, p Part, r *arrowio.MeasurementReader, fn func(*engine.MeasurementBatch) error, opts []arrowio.Option) (*arrowio.MeasurementReader, error) {
	if err := s.checkPart(p, false); err != nil {
		return nil, err
	}
	f, r, err := s.openPart(p, r, opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows int64
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows += int64(r.Batch().Len())
		if err := fn(r.Batch()); err != nil {
			return nil, err
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", p.Path, err)
	}
	if rows != p.Rows {
		return nil, fmt.Errorf("dataset: %s: %d rows read, the manifest lists %d: %w", p.Path, rows, p.Rows, ErrCorruptPart)
	}
	return r, nil
}

// ErrCorruptPart is wrapped by the errors of a part that does not match
// what the manifest records of it (size, checksum, rows).
var ErrCorruptPart = errors.New("part does not match the manifest")

// ErrCorruptStage is wrapped by the errors of a saved stage output file
// that does not match its stage.json (a stage record, not the manifest,
// lists it). It is an ErrCorruptPart too: errors.Is(err, ErrCorruptPart)
// holds, so that whatever takes a damaged part out of use takes it too.
var ErrCorruptStage error = corruptStage{}

type corruptStage struct{}

func (corruptStage) Error() string        { return "saved output does not match its stage.json" }
func (corruptStage) Is(target error) bool { return target == ErrCorruptPart }

// ErrTakenOutWhileRead is wrapped by the error of a part the Store's
// manifest lists that is gone because another process committed a
// change since (a retract moved it out, a repair set it aside): the
// dataset is sound, the command read it as it was.
var ErrTakenOutWhileRead = errors.New("taken out of the dataset while this command read it")

// unreadablePart is the error of a listed part's file that did not open:
// one another command took out since this Store read the manifest
// (ErrTakenOutWhileRead), or else one unreadable.
func (s *Store) unreadablePart(p Part, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		if changed, cerr := s.ManifestChanged(); cerr == nil && changed {
			return fmt.Errorf("dataset %s: %s: %w (a retract, repair or ingest was committed since it began; the dataset is as that change left it): run the command again", s.dir, p.Path, ErrTakenOutWhileRead)
		}
	}
	return fmt.Errorf("dataset: %w: %w", ErrPartUnreadable, err)
}

// ErrPartUnreadable is wrapped by the error of a part the manifest lists
// whose file cannot be opened (gone, or not readable), the manifest
// unchanged since the command read it.
var ErrPartUnreadable = errors.New("part listed in the manifest is unreadable")

// checkPart checks a listed part's file against the manifest: its size,
// and its CRC-32C when the manifest records one, else its SHA-256 when it
// records that (parts of earlier versions have neither). With full, it
// checks the SHA-256 as well. It reads the whole file.
func (s *Store) checkPart(p Part, full bool) error {
	f, err := os.Open(s.Path(p))
	if err != nil {
		return s.unreadablePart(p, err)
	}
	defer f.Close()
	withSHA := p.SHA256 != "" && (full || p.CRC32C == "")
	sums, err := sumsOf(f, withSHA)
	if err != nil {
		return fmt.Errorf("dataset: %s: %w", p.Path, err)
	}
	switch {
	case sums.bytes != p.Bytes:
		return fmt.Errorf("dataset: %s: %d bytes, the manifest lists %d: %w", p.Path, sums.bytes, p.Bytes, ErrCorruptPart)
	case withSHA && sums.sha256 != p.SHA256:
		return fmt.Errorf("dataset: %s: sha256 %s, the manifest lists %s: %w", p.Path, sums.sha256, p.SHA256, ErrCorruptPart)
	case p.CRC32C != "" && sums.crc32c != p.CRC32C:
		return fmt.Errorf("dataset: %s: crc32c %s, the manifest lists %s: %w", p.Path, sums.crc32c, p.CRC32C, ErrCorruptPart)
	}
	return nil
}

// openPart opens a measurement part and a reader of it: r reset to the
// part, or a new reader if r is nil. The file must have the size and its
// footer declare the rows the manifest lists. The caller closes the file.
func (s *Store) openPart(p Part, r *arrowio.MeasurementReader, opts []arrowio.Option) (*os.File, *arrowio.MeasurementReader, error) {
	f, err := os.Open(s.Path(p))
	if err != nil {
		return nil, nil, s.unreadablePart(p, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	switch {
	case st.Size() != p.Bytes:
		err = fmt.Errorf("%d bytes, the manifest lists %d: %w", st.Size(), p.Bytes, ErrCorruptPart)
	case r == nil:
		r, err = arrowio.NewMeasurementReader(f, st.Size(), opts...)
	default:
		err = r.Reset(f, st.Size())
	}
	if err == nil && r.NumRows() != p.Rows {
		err = fmt.Errorf("footer declares %d rows, the manifest lists %d: %w", r.NumRows(), p.Rows, ErrCorruptPart)
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("dataset: %s: %w", p.Path, err)
	}
	return f, r, nil
}

// ScanMeasurementsParallel streams the rows of the listed measurement parts
// (filtered as in Parts) on workers goroutines; fewer than 1 means 1. The
// units of work are the parts' row groups, handed out one at a time in a
// fixed order: parts in path order, row groups ascending. Each worker reads
// through its own file handle and reader and calls fn(worker, batch), with
// worker in 0..workers-1, on its own goroutine: fn runs concurrently for
// distinct workers, never for the same one. The batch belongs to the
// worker's reader and is valid only until fn returns. Which worker reads
// which row group, and so the order of rows across workers, depends on
// timing; the rows read are those of ScanMeasurements. Options go to the
// Parquet reader.
//
// The first error stops every worker and is returned once all have
// stopped: an error of fn as it is, an error reading a part wrapped with
// the part's path, or ctx's error.
func (s *Store) ScanMeasurementsParallel(ctx context.Context, periods, carriers []string, workers int, fn func(worker int, b *engine.MeasurementBatch) error, opts ...arrowio.Option) error {
	workers = max(workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := s.Parts("measurements", periods, carriers)
	s.countScan(parts)
	pl := &scanPlan{s: s, parts: parts, opts: opts, n: -1,
		checked: make([]sync.Once, len(parts)), checkErr: make([]error, len(parts)), rows: make([]atomic.Int64, len(parts))}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sr := &scanReader{part: -1}
			defer sr.close()
			if err := pl.work(ctx, w, sr, fn); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	for i, p := range pl.parts {
		if n := pl.rows[i].Load(); n != p.Rows {
			return fmt.Errorf("dataset: %s: %d rows read, the manifest lists %d: %w", p.Path, n, p.Rows, ErrCorruptPart)
		}
	}
	return nil
}

// scanPlan hands out the row groups of parts to the workers of
// ScanMeasurementsParallel. The row groups of a part are known once a
// reader has opened it: the worker that takes a part's first row group
// opens it while holding the plan.
type scanPlan struct {
	s     *Store
	parts []Part
	opts  []arrowio.Option

	// checked[i] checks parts[i] against the manifest once, on the first
	// worker to read it, before any of its rows is handed out; checkErr[i]
	// is the result. rows[i] counts the
	// rows read from it.
	checked  []sync.Once
	checkErr []error
	rows     []atomic.Int64

	mu sync.Mutex
	p  int // part of the next unit
	rg int // row group of the next unit
	n  int // row groups of parts[p], -1 until opened
}

// scanReader is a worker's open part. Its reader is reset from part to
// part, keeping its buffers.
type scanReader struct {
	part int // index in scanPlan.parts, -1 if none
	f    *os.File
	r    *arrowio.MeasurementReader
}

func (sr *scanReader) close() {
	if sr.f != nil {
		sr.f.Close()
	}
	sr.part, sr.f = -1, nil
}

// open makes part i of the plan sr's open part.
func (pl *scanPlan) open(sr *scanReader, i int) error {
	if sr.part == i {
		return nil
	}
	sr.close()
	f, r, err := pl.s.openPart(pl.parts[i], sr.r, pl.opts)
	if err != nil {
		return err
	}
	sr.part, sr.f, sr.r = i, f, r
	return nil
}

// next returns the next unit of work, opening its part on sr when its row
// groups are not known yet. ok is false when no work is left.
func (pl *scanPlan) next(sr *scanReader) (part, rg int, ok bool, err error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for pl.p < len(pl.parts) {
		if pl.n < 0 {
			if err := pl.open(sr, pl.p); err != nil {
				pl.p = len(pl.parts) // hand out nothing more
				return 0, 0, false, err
			}
			pl.n = sr.r.NumRowGroups()
		}
		if pl.rg < pl.n {
			part, rg = pl.p, pl.rg
			pl.rg++
			return part, rg, true, nil
		}
		pl.p, pl.rg, pl.n = pl.p+1, 0, -1
	}
	return 0, 0, false, nil
}

// work reads units of the plan until none is left, ctx is done or an
// error occurs.
func (pl *scanPlan) work(ctx context.Context, w int, sr *scanReader, fn func(int, *engine.MeasurementBatch) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		part, rg, ok, err := pl.next(sr)
		if err != nil || !ok {
			return err
		}
		if err := pl.open(sr, part); err != nil {
			return err
		}
		// Checked outside the plan's lock: workers on other parts go on.
		pl.checked[part].Do(func() { pl.checkErr[part] = pl.s.checkPart(pl.parts[part], false) })
		if err := pl.checkErr[part]; err != nil {
			return err
		}
		r := sr.r
		if err := r.SetRowGroups(rg, rg+1); err != nil {
			return fmt.Errorf("dataset: %s: %w", pl.parts[part].Path, err)
		}
		for r.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			pl.rows[part].Add(int64(r.Batch().Len()))
			if err := fn(w, r.Batch()); err != nil {
				return err
			}
		}
		if err := r.Err(); err != nil {
			return fmt.Errorf("dataset: %s: %w", pl.parts[part].Path, err)
		}
	}
}

// Sites reads every listed site part (filtered by carrier, nil = all), in
// path order; of a sector (carrier, site id, technology) listed by several
// sources, the rows of the source ingested last (latestSource).
func (s *Store) Sites(carriers []string) ([]engine.Site, error) {
	parts := s.Parts("sites", nil, carriers)
	// Sized once from the manifest's row counts (each checked as its part
	// is read): grown by appends, a country's 625,695 rows held up to
	// twice their 72 MB. A count beyond any register is not trusted for
	// the size (arrowio.MaxSizedSites).
	var rows int64
	for _, p := range parts {
		rows = min(rows+min(max(p.Rows, 0), arrowio.MaxSizedSites), arrowio.MaxSizedSites)
	}
	var out []engine.Site
	if rows > 0 {
		out = make([]engine.Site, 0, rows)
	}
	order := s.sourceOrder()
	var src []int32
	if rows < arrowio.MaxSizedSites && len(parts) > 1 && sitesInParallel {
		// Every part's rows have their place (its manifest count): the
		// parts are read beside each other, each into its own, and a part
		// of another count is refused as one read alone would be.
		out = out[:rows]
		at := make([]int64, len(parts)+1)
		for i, p := range parts {
			at[i+1] = at[i] + max(p.Rows, 0)
		}
		err := parallel.Chunks(len(parts), 1, 0, func(i, _ int) error {
			_, err := s.appendSitesPart(out[at[i]:at[i]:at[i+1]], parts[i])
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			src = appendSource(src, int(max(p.Rows, 0)), order[p.Path])
		}
	} else {
		for _, p := range parts {
			before := len(out)
			var err error
			if out, err = s.appendSitesPart(out, p); err != nil {
				return nil, err
			}
			src = appendSource(src, len(out)-before, order[p.Path])
		}
	}
	// A register ingested again (a status changed, a position corrected)
	// replaces the earlier rows of its sectors.
	return latestSource(out, src, siteSector), nil
}

// sitesInParallel is whether Sites reads its parts beside each other (a
// variable for the tests, which compare with the reads one by one).
var sitesInParallel = true

// appendSitesPart appends the site rows of part p to out, checked against
// the manifest's count of them.
func (s *Store) appendSitesPart(out []engine.Site, p Part) ([]engine.Site, error) {
	if err := s.checkPart(p, false); err != nil {
		return nil, err
	}
	f, err := os.Open(s.Path(p))
	if err != nil {
		return nil, s.unreadablePart(p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	before := len(out)
	out, err = arrowio.AppendSites(out, f, st.Size())
	if err == nil && int64(len(out)-before) != p.Rows {
		err = fmt.Errorf("%d rows read, the manifest lists %d: %w", len(out)-before, p.Rows, ErrCorruptPart)
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", p.Path, err)
	}
	return out, nil
}

// sector is the key of a register's site rows: a later register's rows
// of a sector replace an earlier one's.
type sector struct {
	carrier engine.Carrier
	id      string
	tech    engine.Tech
}

func siteSector(v *engine.Site) sector { return sector{v.Carrier, v.SiteID, v.Tech} }

// countScan records a pass over parts in the Store's ScanStats (a pass
// over no part is none).
func (s *Store) countScan(parts []Part) {
	if len(parts) == 0 {
		return
	}
	s.scans.scans.Add(1)
	for _, p := range parts {
		s.scans.rows.Add(p.Rows)
	}
}
