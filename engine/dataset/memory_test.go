package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
)

// memoryBatch is n measurements of three carriers over two months (Vietnam
// time), some without service.
func memoryBatch(n int, seed uint64) *engine.MeasurementBatch {
	r := rand.New(rand.NewPCG(seed, 7))
	carriers := []engine.Carrier{"viettel", "mobifone", "vinaphone"}
	t0 := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC).UnixMilli()
	b := &engine.MeasurementBatch{}
	for range n {
		m := engine.Measurement{
			TimeUnixMs: t0 + r.Int64N(25*86400*1000), Carrier: carriers[r.IntN(3)], Tech: engine.Tech(2 + r.IntN(3)),
			Lon: 105.8 + 0.05*r.Float64(), Lat: 21.0 + 0.05*r.Float64(), SignalDBm: -125 + 50*r.Float64(),
			RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: 50 * r.Float64(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
			DeviceID: fmt.Sprintf("d%02d", r.IntN(20)), Environment: engine.Environment(r.IntN(4)),
		}
		if r.IntN(10) == 0 {
			m.Service, m.SignalDBm = engine.ServiceNone, math.NaN()
		}
		b.Append(m)
	}
	return b
}

func memorySites(eirp float64) []engine.Site {
	var out []engine.Site
	for i, c := range []engine.Carrier{"viettel", "mobifone", "viettel"} {
		out = append(out, engine.Site{SiteID: fmt.Sprintf("S%d", i), Carrier: c, Tech: engine.Tech4G, Lon: 105.81 + 0.01*float64(i), Lat: 21.01,
			BandMHz: 1800, HeightM: 30, AzimuthDeg: math.NaN(), BeamwidthDeg: 360, TiltDeg: 2, EIRPDBm: eirp, Status: engine.StatusActive})
	}
	return out
}

var memoryVillages = []engine.Village{
	{ID: "V1", Name: "Bản Một", CommuneCode: "00001", Lon: 105.82, Lat: 21.02, Households: 40},
	{ID: "V2", Name: "Bản Hai", CommuneCode: "00001", Lon: 105.83, Lat: 21.03, Households: 12},
}

// rowsOf reads every measurement row of a store's periods and carriers,
// in scan order, as printed values.
func rowsOf(t *testing.T, scan func(context.Context, []string, []string, func(*engine.MeasurementBatch) error, ...arrowio.Option) error, periods, carriers []string) []string {
	t.Helper()
	var out []string
	err := scan(context.Background(), periods, carriers, func(b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			out = append(out, fmt.Sprintf("%+v", b.Row(i)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// printedSorted returns the rows as printed values, sorted: of one
// partition, the parts of several sources are read in the order of their
// names.
func printedSorted[T any](rows []T) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%+v", r))
	}
	slices.Sort(out)
	return out
}

// TestMemoryReadsAsADirectory adds the same sources to a Memory and to a
// dataset directory: they list the same partitions, read the same rows in
// the same order, and follow the same registers' rule (a register added
// again replaces its earlier rows).
func TestMemoryReadsAsADirectory(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMemory(func() time.Time { return now })
	b := memoryBatch(20000, 1)
	late := memoryBatch(3000, 2)
	commit := func(sha, kind string, f func(*Txn) error) {
		txn, err := s.Begin(strings.Repeat(sha, 32), kind, kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := f(txn); err != nil {
			t.Fatal(err)
		}
		if _, err := txn.Commit(Meta{IngestedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	commit("a1", "sites", func(x *Txn) error { return x.WriteSites(memorySites(58)) })
	commit("a2", "sites", func(x *Txn) error { return x.WriteSites(memorySites(61)[:1]) })
	commit("b1", "villages", func(x *Txn) error { return x.WriteVillages(memoryVillages) })
	commit("c1", "measurements", func(x *Txn) error { return x.WriteMeasurements(b) })
	commit("c2", "measurements", func(x *Txn) error { return x.WriteMeasurements(late) })
	for _, add := range []func() (Source, error){
		func() (Source, error) { return m.AddSites("sites-1", memorySites(58)) },
		func() (Source, error) { return m.AddSites("sites-2", memorySites(61)[:1]) },
		func() (Source, error) { return m.AddVillages("villages", memoryVillages) },
		func() (Source, error) { return m.AddMeasurements("tests", b) },
		func() (Source, error) { return m.AddMeasurements("late tests", late) },
	} {
		if _, err := add(); err != nil {
			t.Fatal(err)
		}
	}

	if got, want := m.Periods(), s.Periods(); !slices.Equal(got, want) || len(got) != 2 {
		t.Fatalf("periods %v, the directory's %v", got, want)
	}
	if got, want := m.Carriers([]string{"2026-09"}, nil), s.Carriers([]string{"2026-09"}, nil); !slices.Equal(got, want) {
		t.Fatalf("carriers %v, the directory's %v", got, want)
	}
	partitions := func(ps []Part) []string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s %s %s %d", p.Kind, p.Period, p.Carrier, p.Rows))
		}
		// Of one partition, the parts of several sources are in the
		// order of their names (each source's checksum): not compared.
		slices.Sort(out)
		return out
	}
	for _, kind := range []string{"measurements", "sites", "villages"} {
		if got, want := partitions(m.Parts(kind, nil, nil)), partitions(s.Parts(kind, nil, nil)); !slices.Equal(got, want) {
			t.Fatalf("%s parts %v, the directory's %v", kind, got, want)
		}
	}
	for _, f := range []struct{ periods, carriers []string }{{nil, nil}, {[]string{"2026-08"}, []string{"viettel"}}, {nil, []string{"mobifone"}}} {
		got, want := rowsOf(t, m.ScanMeasurements, f.periods, f.carriers), rowsOf(t, s.ScanMeasurements, f.periods, f.carriers)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Fatalf("%v %v: %d rows read, the directory %d, or not the same", f.periods, f.carriers, len(got), len(want))
		}
	}
	gotSites, _ := m.Sites(nil)
	wantSites, err := s.Sites(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := printedSorted(gotSites), printedSorted(wantSites); !slices.Equal(got, want) || len(got) != 3 {
		t.Fatalf("sites %+v, the directory's %+v", gotSites, wantSites)
	}
	n := 0
	for _, x := range gotSites {
		if x.EIRPDBm == 61 {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d sectors from the register added last, want 1 (S0 replaced)", n)
	}
	gotV, _ := m.Villages()
	wantV, err := s.Villages()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", gotV) != fmt.Sprintf("%+v", wantV) {
		t.Fatalf("villages %+v, the directory's %+v", gotV, wantV)
	}

	// The parallel scan reads the same rows, once each.
	var mu sync.Mutex
	var par []string
	err = m.ScanMeasurementsParallel(context.Background(), nil, nil, 3, func(_ int, b *engine.MeasurementBatch) error {
		mu.Lock()
		defer mu.Unlock()
		for i := 0; i < b.Len(); i++ {
			par = append(par, fmt.Sprintf("%+v", b.Row(i)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seq := rowsOf(t, m.ScanMeasurements, nil, nil)
	slices.Sort(par)
	slices.Sort(seq)
	if !slices.Equal(par, seq) {
		t.Fatalf("the parallel scan read %d rows, the scan %d, or not the same", len(par), len(seq))
	}
	fresh := NewMemory(nil)
	fresh.AddMeasurements("tests", b)
	rowsOf(t, fresh.ScanMeasurements, nil, nil)
	rowsOf(t, fresh.ScanMeasurements, []string{"2031-01"}, nil) // no part: no pass
	if st := fresh.Scans(); st != (ScanStats{Scans: 1, Rows: 20000}) {
		t.Fatalf("scans %+v, want one pass over 20000 rows", st)
	}
}

// TestMemorySourcesIdempotent: rows added again add nothing; other rows
// are another source whose parts have other checksums.
func TestMemorySourcesIdempotent(t *testing.T) {
	m := NewMemory(nil)
	b := memoryBatch(500, 3)
	first, err := m.AddMeasurements("a.csv", b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.AddMeasurements("a-copy.csv", b)
	if err != nil {
		t.Fatal(err)
	}
	if again.SHA256 != first.SHA256 || len(m.Manifest().Sources) != 1 {
		t.Fatalf("the same rows added twice: %d sources", len(m.Manifest().Sources))
	}
	c := memoryBatch(500, 3)
	c.SignalDBm[0]--
	other, err := m.AddMeasurements("b.csv", c)
	if err != nil {
		t.Fatal(err)
	}
	if other.SHA256 == first.SHA256 || len(m.Manifest().Sources) != 2 {
		t.Fatal("other rows were not another source")
	}
	sums := map[string]string{}
	for _, p := range first.Parts {
		sums[p.Period+p.Carrier] = p.SHA256
	}
	changed := 0
	for _, p := range other.Parts {
		if sums[p.Period+p.Carrier] != p.SHA256 {
			changed++
		}
	}
	if changed != 1 {
		t.Fatalf("%d partitions' checksums changed, want 1 (one row changed)", changed)
	}
	if _, err := m.AddVillages("empty", nil); err == nil {
		t.Fatal("a source without rows was added")
	}
}

// TestMemoryStages: outputs saved under a key are read back under it
// alone; another key says so; the keepStageOutputs most recent are kept.
func TestMemoryStages(t *testing.T) {
	m := NewMemory(nil)
	ref := StageRef{Period: "2026-09", Stage: "measure", Carrier: "viettel"}
	key := func(i int) string { return strings.Repeat(fmt.Sprintf("%x", i%16), 64) }
	if _, err := m.LoadStage(ref, key(1)); !errors.Is(err, ErrNoStage) {
		t.Fatalf("nothing saved: %v, want ErrNoStage", err)
	}
	if m.StageSavedOtherwise(ref, key(1)) {
		t.Fatal("nothing saved, yet saved otherwise")
	}
	for i := 1; i <= keepStageOutputs+1; i++ {
		rec, err := m.SaveStage(ref, key(i), []string{"x"}, []StageWrite{{Name: "a.bin", Write: writeString(fmt.Sprintf("out %d", i))}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Files) != 1 || rec.Files[0].Bytes != int64(len(fmt.Sprintf("out %d", i))) {
			t.Fatalf("record %+v", rec)
		}
	}
	if m.StageSaved(ref, key(1)) {
		t.Fatal("the oldest of more than keepStageOutputs outputs kept")
	}
	for i := 2; i <= keepStageOutputs+1; i++ {
		rec, err := m.LoadStage(ref, key(i))
		if err != nil {
			t.Fatal(err)
		}
		f, err := m.OpenStageFile(rec, "a.bin")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if string(got) != fmt.Sprintf("out %d", i) {
			t.Fatalf("key %d read %q", i, got)
		}
	}
	if !m.StageSavedOtherwise(ref, key(1)) || m.StageSaved(StageRef{Period: "2026-09", Stage: "measure", Carrier: "mobifone"}, key(2)) {
		t.Fatal("outputs of one carrier's stage seen as another's, or not as other keys'")
	}
	if _, err := m.SaveStage(ref, "short", nil, nil); err == nil {
		t.Fatal("a key that is not 64 hex digits was saved")
	}
	if _, err := m.SaveStage(ref, key(9), nil, []StageWrite{{Name: "a", Write: writeString("1")}, {Name: "a", Write: writeString("2")}}); err == nil {
		t.Fatal("a file name given twice was saved")
	}
}
