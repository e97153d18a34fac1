package dataset

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
)

// Memory is a dataset held in memory: what the stage runners of
// engine/pipeline read and save, as they do a dataset directory (Store),
// without files. It serves their tests, which run the stages on rows made
// in the test, and programs that hold their rows already.
//
// Sources are added as rows (AddSites, AddVillages, AddSubscriptions,
// AddMeasurements) and listed as a directory lists them: measurement
// parts per (period, carrier), site parts per carrier, one part per
// register; each part's path names its partition and its source, its
// checksums are those of its rows (gob-encoded), so that the stages'
// keys change exactly when the rows they read change. Rows are taken as
// given: they are typed values, checked by whoever made them (ingest
// validates files; a Memory holds no file). Registers follow the
// directory's rule: of a key (sector, village id, area and month) several
// sources list, the rows of the source added last are read.
//
// Stage outputs are saved in memory, the keepStageOutputs most recent of
// each stage, and never fail their checks. A Memory is safe for use by
// several goroutines at once.
type Memory struct {
	mu       sync.RWMutex
	manifest Manifest
	rows     map[string]any // part path → *engine.MeasurementBatch, []engine.Site, []engine.Village, []engine.Subscription
	stages   map[string][]memStage
	scans    scanCounter
	clock    func() time.Time
}

// memStage is a saved output of a Memory: its record and its files.
type memStage struct {
	rec   StageRecord
	files map[string][]byte
}

// NewMemory returns an empty Memory. Sources added to it are recorded as
// added at clock() (nil: time.Now).
func NewMemory(clock func() time.Time) *Memory {
	if clock == nil {
		clock = time.Now
	}
	return &Memory{manifest: Manifest{Version: ManifestVersion}, rows: map[string]any{}, stages: map[string][]memStage{}, clock: clock}
}

// memScanRows is how many rows a batch of a Memory's scans holds at most.
const memScanRows = 8192

// memPart is a part of a source being added: its listing and its rows.
type memPart struct {
	part Part
	rows any
}

// AddMeasurements adds a source of measurements named name: its rows
// partitioned by period (PeriodOf, Vietnam time) and carrier. Adding rows
// a source already holds (the same rows under the same kind) adds
// nothing and returns that source, as a directory's ingest of a file it
// holds does.
func (m *Memory) AddMeasurements(name string, b *engine.MeasurementBatch) (Source, error) {
	type key struct {
		period  string
		carrier engine.Carrier
	}
	by := map[key]*engine.MeasurementBatch{}
	var keys []key
	for i := 0; i < b.Len(); i++ {
		k := key{PeriodOf(b.TimeUnixMs[i]), b.Carrier[i]}
		pb := by[k]
		if pb == nil {
			pb = &engine.MeasurementBatch{}
			by[k] = pb
			keys = append(keys, k)
		}
		pb.AppendRow(b, i)
	}
	parts := make([]memPart, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, memPart{Part{Path: fmt.Sprintf("measurements/period=%s/carrier=%s/", k.period, slug(string(k.carrier))),
			Kind: "measurements", Period: k.period, Carrier: string(k.carrier), Rows: int64(by[k].Len())}, by[k]})
	}
	return m.add(name, "measurements", int64(b.Len()), parts)
}

// AddSites adds a site register named name: its rows partitioned by
// carrier. A sector it lists replaces the rows of registers added before.
func (m *Memory) AddSites(name string, sites []engine.Site) (Source, error) {
	by := map[engine.Carrier][]engine.Site{}
	var carriers []engine.Carrier
	for _, s := range sites {
		if _, ok := by[s.Carrier]; !ok {
			carriers = append(carriers, s.Carrier)
		}
		by[s.Carrier] = append(by[s.Carrier], s)
	}
	parts := make([]memPart, 0, len(carriers))
	for _, c := range carriers {
		parts = append(parts, memPart{Part{Path: fmt.Sprintf("sites/carrier=%s/", slug(string(c))), Kind: "sites",
			Carrier: string(c), Rows: int64(len(by[c]))}, by[c]})
	}
	return m.add(name, "sites", int64(len(sites)), parts)
}

// AddVillages adds a village register named name. A village id it lists
// replaces the rows of registers added before.
func (m *Memory) AddVillages(name string, v []engine.Village) (Source, error) {
	return m.add(name, "villages", int64(len(v)), []memPart{{Part{Path: "villages/", Kind: "villages", Rows: int64(len(v))}, slices.Clone(v)}})
}

// AddSubscriptions adds a subscription table named name. An (area, month)
// it lists replaces the rows of tables added before.
func (m *Memory) AddSubscriptions(name string, s []engine.Subscription) (Source, error) {
	return m.add(name, "subscriptions", int64(len(s)), []memPart{{Part{Path: "subscriptions/", Kind: "subscriptions", Rows: int64(len(s))}, slices.Clone(s)}})
}

// add records a source of kind with parts whose paths are their
// partition's directory (the part's name is appended here, from the
// source's checksum).
func (m *Memory) add(name, kind string, rows int64, parts []memPart) (Source, error) {
	if rows == 0 {
		return Source{}, fmt.Errorf("dataset: %s: no rows", name)
	}
	src := newSummer(true)
	io.WriteString(src, kind+"\x00")
	for i := range parts {
		s := newSummer(true)
		writeValue(s, reflect.ValueOf(parts[i].rows))
		parts[i].part.setSums(s.sums())
		io.WriteString(src, parts[i].part.Path+"\x00"+parts[i].part.SHA256+"\x00")
	}
	sha := hex.EncodeToString(src.sha.Sum(nil))
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.manifest.Sources {
		if s.SHA256 == sha {
			return s, nil
		}
	}
	out := Source{SHA256: sha, Name: name, Kind: kind, Format: "memory", IngestedAt: m.clock().UTC(), RowsRead: rows, Accepted: rows}
	for _, p := range parts {
		p.part.Path += "part-" + sha[:16] + ".gob"
		m.rows[p.part.Path] = p.rows
		out.Parts = append(out.Parts, p.part)
	}
	slices.SortFunc(out.Parts, func(a, b Part) int { return strings.Compare(a.Path, b.Path) })
	m.manifest.Sources = append(m.manifest.Sources, out)
	return out, nil
}

// Manifest returns a copy of the sources, in the order they were added.
func (m *Memory) Manifest() Manifest {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := Manifest{Version: m.manifest.Version, Sources: slices.Clone(m.manifest.Sources)}
	for i := range out.Sources {
		out.Sources[i].Parts = slices.Clone(out.Sources[i].Parts)
	}
	return out
}

// Parts lists the parts of kind of periods and carriers (nil = all), in
// path order.
func (m *Memory) Parts(kind string, periods, carriers []string) []Part {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return listParts(&m.manifest, kind, periods, carriers)
}

// Periods returns the distinct measurement periods, ascending.
func (m *Memory) Periods() []string { return periodsOf(m.Parts("measurements", nil, nil)) }

// Carriers returns the distinct carriers of the measurement parts of
// periods and carriers (nil = all), ascending.
func (m *Memory) Carriers(periods, carriers []string) []string {
	return carriersOf(m.Parts("measurements", periods, carriers))
}

// writeValue writes v to w in a fixed binary form (each string and slice
// after its length, numbers in 8 bytes, a pointer's value after a mark of
// its presence), for the checksums of a Memory's parts. Not gob: gob
// numbers the types a process meets in the order it meets them, and the
// stage runners keep that order fixed for their saved outputs' bytes.
func writeValue(w io.Writer, v reflect.Value) {
	var buf [8]byte
	u64 := func(x uint64) {
		binary.LittleEndian.PutUint64(buf[:], x)
		w.Write(buf[:])
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			u64(0)
			return
		}
		u64(1)
		writeValue(w, v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			writeValue(w, v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		u64(uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			writeValue(w, v.Index(i))
		}
	case reflect.String:
		u64(uint64(v.Len()))
		io.WriteString(w, v.String())
	case reflect.Float32, reflect.Float64:
		u64(math.Float64bits(v.Float()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		u64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u64(v.Uint())
	case reflect.Bool:
		if v.Bool() {
			u64(1)
		} else {
			u64(0)
		}
	default:
		panic(fmt.Sprintf("dataset: a Memory's rows hold a %s", v.Type()))
	}
}

// memRegister returns a copy of the rows of the parts of kind (filtered by
// carriers), in path order, with each row's source's position in the
// manifest.
func memRegister[T any](m *Memory, kind string, carriers []string) ([]T, []int32) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	order := sourceOrderOf(&m.manifest)
	var out []T
	var src []int32
	for _, p := range listParts(&m.manifest, kind, nil, carriers) {
		rows := m.rows[p.Path].([]T)
		out = append(out, rows...)
		src = appendSource(src, len(rows), order[p.Path])
	}
	return out, src
}

// Sites returns the sites of carriers (nil = all): of a sector several
// registers list, the rows of the one added last.
func (m *Memory) Sites(carriers []string) ([]engine.Site, error) {
	out, src := memRegister[engine.Site](m, "sites", carriers)
	return latestSource(out, src, siteSector), nil
}

// Villages returns the villages: of an id several registers list, the
// rows of the one added last.
func (m *Memory) Villages() ([]engine.Village, error) {
	out, src := memRegister[engine.Village](m, "villages", nil)
	return latestSource(out, src, villageKey), nil
}

// Subscriptions returns the subscription rows: of an (area, month)
// several tables list, the rows of the one added last.
func (m *Memory) Subscriptions() ([]engine.Subscription, error) {
	out, src := memRegister[engine.Subscription](m, "subscriptions", nil)
	return latestSource(out, src, subscriptionKey), nil
}

// memUnit is a run of rows of a measurement part a scan hands out.
type memUnit struct {
	b      *engine.MeasurementBatch
	lo, hi int
}

// scanUnits lists the runs of memScanRows rows of the measurement parts
// of periods and carriers, in path order, and counts the pass.
func (m *Memory) scanUnits(periods, carriers []string) []memUnit {
	m.mu.RLock()
	parts := listParts(&m.manifest, "measurements", periods, carriers)
	var units []memUnit
	for _, p := range parts {
		b := m.rows[p.Path].(*engine.MeasurementBatch)
		for lo := 0; lo < b.Len(); lo += memScanRows {
			units = append(units, memUnit{b, lo, min(lo+memScanRows, b.Len())})
		}
	}
	m.mu.RUnlock()
	if len(parts) > 0 {
		m.scans.scans.Add(1)
		for _, p := range parts {
			m.scans.rows.Add(p.Rows)
		}
	}
	return units
}

// fill makes dst a copy of the unit's rows: fn may not change the rows
// held.
func (u memUnit) fill(dst *engine.MeasurementBatch) {
	dst.Reset()
	for i := u.lo; i < u.hi; i++ {
		dst.AppendRow(u.b, i)
	}
}

// ScanMeasurements calls fn with the rows of the measurement parts of
// periods and carriers (nil = all), in path order, memScanRows rows at
// most at a time; the batch is reused after fn returns. Every column is
// given whatever the options ask for.
func (m *Memory) ScanMeasurements(ctx context.Context, periods, carriers []string, fn func(*engine.MeasurementBatch) error, _ ...arrowio.Option) error {
	var b engine.MeasurementBatch
	for _, u := range m.scanUnits(periods, carriers) {
		if err := ctx.Err(); err != nil {
			return err
		}
		u.fill(&b)
		if err := fn(&b); err != nil {
			return err
		}
	}
	return nil
}

// ScanMeasurementsParallel is ScanMeasurements on workers goroutines
// (fewer than 1 means 1), each with its own batch: the runs of rows are
// handed out in path order, and fn(worker, batch) runs concurrently for
// distinct workers. The first error stops every worker and is returned
// once all have stopped.
func (m *Memory) ScanMeasurementsParallel(ctx context.Context, periods, carriers []string, workers int, fn func(worker int, b *engine.MeasurementBatch) error, _ ...arrowio.Option) error {
	units := m.scanUnits(periods, carriers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	errs := make([]error, max(workers, 1))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			var b engine.MeasurementBatch
			for {
				i := int(next.Add(1) - 1)
				if i >= len(units) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				units[i].fill(&b)
				if err := fn(w, &b); err != nil {
					errs[w] = err
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	// An error of fn before the cancellation it caused in the others.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Scans returns the passes over measurement rows made so far.
func (m *Memory) Scans() ScanStats {
	return ScanStats{Scans: m.scans.scans.Load(), Rows: m.scans.rows.Load()}
}

// SaveStage saves the files of an output of ref under key, replacing one
// saved under that key; of ref's outputs the keepStageOutputs most
// recently saved are kept.
func (m *Memory) SaveStage(ref StageRef, key string, inputs []string, files []StageWrite) (StageRecord, error) {
	rec, err := newStageRecord(ref, key, inputs, files)
	if err != nil {
		return StageRecord{}, err
	}
	rel := path.Dir(rec.Dir)
	saved := memStage{rec: rec, files: map[string][]byte{}}
	for _, f := range files {
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			return StageRecord{}, fmt.Errorf("dataset: saving stage %s: %s: %w", ref, f.Name, err)
		}
		s := newSummer(true)
		s.Write(buf.Bytes())
		sums := s.sums()
		saved.files[f.Name] = buf.Bytes()
		saved.rec.Files = append(saved.rec.Files, StageFile{Name: f.Name, Bytes: sums.bytes, SHA256: sums.sha256, CRC32C: sums.crc32c})
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := slices.DeleteFunc(m.stages[rel], func(o memStage) bool { return o.rec.Key == key })
	kept = append(kept, saved)
	if len(kept) > keepStageOutputs {
		kept = slices.Delete(kept, 0, len(kept)-keepStageOutputs)
	}
	m.stages[rel] = kept
	return saved.rec, nil
}

// stage returns the output of ref saved under key.
func (m *Memory) stage(ref StageRef, key string) (memStage, error) {
	rel, err := stageDirOf(ref, key)
	if err != nil {
		return memStage{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, o := range m.stages[rel] {
		if o.rec.Key == key {
			return o, nil
		}
	}
	return memStage{}, fmt.Errorf("dataset: stage %s: %w", ref, ErrNoStage)
}

// LoadStage returns the record of the output of ref saved under key; the
// error wraps ErrNoStage when there is none.
func (m *Memory) LoadStage(ref StageRef, key string) (StageRecord, error) {
	o, err := m.stage(ref, key)
	return o.rec, err
}

// StageSaved reports whether an output of ref is saved under key.
func (m *Memory) StageSaved(ref StageRef, key string) bool {
	_, err := m.stage(ref, key)
	return err == nil
}

// StageSavedOtherwise reports whether an output of ref is saved under a
// key other than key.
func (m *Memory) StageSavedOtherwise(ref StageRef, key string) bool {
	return len(m.SavedStageOthers(ref, key)) > 0
}

// SavedStageOthers returns the records of the outputs of ref saved under
// keys other than key, most recently saved first (Store.SavedStageOthers).
func (m *Memory) SavedStageOthers(ref StageRef, key string) []StageRecord {
	rel, err := stageDirOf(ref, key)
	if err != nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []StageRecord
	kept := m.stages[rel]
	for i := len(kept) - 1; i >= 0; i-- {
		if kept[i].rec.Key != key {
			out = append(out, kept[i].rec)
		}
	}
	return out
}

// OpenStageFile opens a file of a saved output returned by LoadStage.
func (m *Memory) OpenStageFile(rec StageRecord, name string) (io.ReadCloser, error) {
	o, err := m.stage(StageRef{Period: rec.Period, Stage: rec.Stage, Carrier: rec.Carrier}, rec.Key)
	if err != nil {
		return nil, err
	}
	b, ok := o.files[name]
	if !ok {
		return nil, fmt.Errorf("dataset: saved output %s has no file %q", rec.Dir, name)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// CheckStagesWritable reports nil: a Memory can always save.
func (m *Memory) CheckStagesWritable() error { return nil }

// SavesRequired reports true: a save that fails stops the stage runners
// (a Memory's saves fail only on an output that cannot be encoded).
func (m *Memory) SavesRequired() bool { return true }

// ReportUnsaved reports false: the runners return the save's error.
func (m *Memory) ReportUnsaved(StageRef, error) bool { return false }

// ReportDamagedStage does nothing: a Memory's saved outputs are held as
// they were written, and one that does not decode (saved by the same
// process) is computed again by the runners, which say why.
func (m *Memory) ReportDamagedStage(StageRef, error) {}
