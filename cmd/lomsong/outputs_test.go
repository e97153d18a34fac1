package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/pipeline"
)

// failingWriter accepts n bytes, then fails like a full disk.
type failingWriter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// fillFiles returns a fill writing name → content through writeAtomic, the
// way the commands write their files; failAt names a file whose write fails
// half-way.
func fillFiles(files [][2]string, failAt string) func(string) error {
	return func(stage string) error {
		for _, f := range files {
			err := writeAtomic(filepath.Join(stage, f[0]), func(af *dataset.AtomicFile) error {
				var w io.Writer = af
				if f[0] == failAt {
					w = &failingWriter{w: af, n: len(f[1]) / 2}
				}
				_, err := io.WriteString(w, f[1])
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

func wantContent(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	for name, w := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != w {
			t.Errorf("%s = %q, %v; want %q", name, b, err, w)
		}
	}
}

func TestWriteSetReplacesTheWholeSet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644) // not lomsong's: stays
	if err := writeSet(context.Background(), dir, "zones", fillFiles([][2]string{{"a.csv", "a1"}, {"b.csv", "b1"}, {"c.geojson", "c1"}}, "")); err != nil {
		t.Fatal(err)
	}
	if err := writeSet(context.Background(), dir, "zones", fillFiles([][2]string{{"a.csv", "a2"}, {"b.csv", "b2"}}, "")); err != nil {
		t.Fatal(err)
	}
	wantContent(t, dir, map[string]string{"a.csv": "a2", "b.csv": "b2", "notes.txt": "mine"})
	want := []string{".lomsong-zones.json", ".lomsong-zones.lock", "a.csv", "b.csv", "notes.txt"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v (c.geojson of the previous set removed, nothing temporary)", got, want)
	}
	m, err := readSetManifest(dir, "zones")
	if err != nil || !slices.Equal(m.Files, []string{"a.csv", "b.csv"}) {
		t.Fatalf("manifest %+v %v", m, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a.csv")); fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

// A signal (the command's context done) before the commit point leaves
// the previous set as it was, and nothing temporary.
func TestWriteSetInterruptedKeepsThePreviousSet(t *testing.T) {
	dir := t.TempDir()
	if err := writeSet(context.Background(), dir, "zones", fillFiles([][2]string{{"a.csv", "a1"}}, "")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	fill := fillFiles([][2]string{{"a.csv", "a2"}, {"b.csv", "b2"}}, "")
	err := writeSet(ctx, dir, "zones", func(stage string) error {
		cancel() // the signal arrives while the set is being written
		return fill(stage)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	wantContent(t, dir, map[string]string{"a.csv": "a1"})
	if got, want := listDir(t, dir), []string{".lomsong-zones.json", ".lomsong-zones.lock", "a.csv"}; !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if !strings.Contains(err.Error(), "the previous ones kept") {
		t.Errorf("err %v: want the previous set said kept", err)
	}
	// A folder without a previous set: no "previous ones" to keep.
	fresh := t.TempDir()
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = writeSet(ctx, fresh, "zones", fill)
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "previous") || !strings.Contains(err.Error(), "the folder held none before") {
		t.Fatalf("fresh folder: %v", err)
	}
}

// An input that the set would replace (the same file through a link, or a
// user's own file of an output's name) is kept and the set not committed.
func TestWriteSetKeepsItsInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "b.csv")
	if err := os.WriteFile(in, []byte("the user's table"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.csv")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, []byte("x"), 0o644)
	fill := fillFiles([][2]string{{"a.csv", "a2"}, {"b.csv", "b2"}}, "")
	err := writeSet(context.Background(), dir, "zones", fill, other, link)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "b.csv in --out") {
		t.Fatalf("err %v, want a usage error naming b.csv", err)
	}
	wantContent(t, dir, map[string]string{"b.csv": "the user's table"})
	if got := listDir(t, dir); slices.Contains(got, "a.csv") {
		t.Fatalf("files %v: the set was committed", got)
	}
	// Inputs elsewhere (or not files at all) do not stop it.
	if err := writeSet(context.Background(), t.TempDir(), "zones", fill, other, "", filepath.Join(dir, "missing.csv")); err != nil {
		t.Fatal(err)
	}
}

// TestWriteSetKeepsForeignFiles: a file of a set's name that the set's
// previous run did not write (the user's own villages.csv in the folder
// given as --out) is not replaced: nothing is written, a usage error
// names it. The set's own files are replaced run after run, and a file
// of another name is left alone.
func TestWriteSetKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("the user's table"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("notes"), 0o644)
	fill := fillFiles([][2]string{{"a.csv", "a1"}, {"b.csv", "b1"}}, "")
	err := writeSet(context.Background(), dir, "zones", fill)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "b.csv already there and not written by an earlier lomsong zones here") {
		t.Fatalf("err %v, want a usage error naming b.csv", err)
	}
	wantContent(t, dir, map[string]string{"b.csv": "the user's table", "notes.txt": "notes"})
	if got := listDir(t, dir); slices.Contains(got, "a.csv") {
		t.Fatalf("files %v: the set was committed", got)
	}
	os.Remove(filepath.Join(dir, "b.csv"))
	for _, v := range []string{"1", "2"} {
		if err := writeSet(context.Background(), dir, "zones", fillFiles([][2]string{{"a.csv", "a" + v}, {"b.csv", "b" + v}}, "")); err != nil {
			t.Fatalf("run %s: %v", v, err)
		}
	}
	wantContent(t, dir, map[string]string{"a.csv": "a2", "b.csv": "b2", "notes.txt": "notes"})
}

// A write that fails in the middle of the set (the second of three files
// fails half-way) leaves the previous set exactly as it was, and nothing
// temporary.
func TestWriteSetFailureKeepsThePreviousSet(t *testing.T) {
	dir := t.TempDir()
	first := [][2]string{{"deadzones.geojson", "old zones"}, {"deadzones.csv", "old table"}, {"villages.csv", "old villages"}}
	if err := writeSet(context.Background(), dir, "deadzones", fillFiles(first, "")); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)
	second := [][2]string{{"deadzones.geojson", "new zones"}, {"deadzones.csv", "new table, longer"}, {"villages.csv", "new villages"}}
	err := writeSet(context.Background(), dir, "deadzones", fillFiles(second, "deadzones.csv"))
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("want the writer's error, got %v", err)
	}
	wantContent(t, dir, map[string]string{"deadzones.geojson": "old zones", "deadzones.csv": "old table", "villages.csv": "old villages"})
	if got := listDir(t, dir); !slices.Equal(got, before) {
		t.Fatalf("after the failure: %v, want %v", got, before)
	}
	// The next run writes the new set whole.
	if err := writeSet(context.Background(), dir, "deadzones", fillFiles(second, "")); err != nil {
		t.Fatal(err)
	}
	wantContent(t, dir, map[string]string{"deadzones.geojson": "new zones", "deadzones.csv": "new table, longer", "villages.csv": "new villages"})
}

// What a killed run leaves is removed by the next run of the same set; what
// belongs to others stays.
func TestWriteSetCleansLeftovers(t *testing.T) {
	dir := t.TempDir()
	if err := writeSet(context.Background(), dir, "aggregates", fillFiles([][2]string{{"aggregates.csv", "v1"}}, "")); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".lomsong-aggregates.tmp-12345")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "aggregates.csv"), []byte("half"), 0o644)
	os.WriteFile(filepath.Join(dir, ".aggregates.csv.tmp-777"), []byte("half"), 0o600)  // a killed single-file write
	os.WriteFile(filepath.Join(dir, ".report.html.tmp-1"), []byte("other"), 0o600)      // another set's
	os.MkdirAll(filepath.Join(dir, ".lomsong-coverage.tmp-9"), 0o755)                   // another set's
	os.WriteFile(filepath.Join(dir, "aggregates.csv.tmp-notes"), []byte("user"), 0o644) // not hidden: a user's file
	if err := writeSet(context.Background(), dir, "aggregates", fillFiles([][2]string{{"aggregates.csv", "v2"}}, "")); err != nil {
		t.Fatal(err)
	}
	want := []string{".lomsong-aggregates.json", ".lomsong-aggregates.lock", ".lomsong-coverage.tmp-9", ".report.html.tmp-1",
		"aggregates.csv", "aggregates.csv.tmp-notes"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	// A failing run cleans up too: the leftovers go even when the new set
	// cannot be written.
	os.MkdirAll(stale, 0o755)
	if err := writeSet(context.Background(), dir, "aggregates", fillFiles([][2]string{{"aggregates.csv", "v3"}}, "aggregates.csv")); err == nil {
		t.Fatal("want an error")
	}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	wantContent(t, dir, map[string]string{"aggregates.csv": "v2"})
}

// A run killed after the commit point (the staged folder renamed to .ready)
// but before all files were moved is completed by the next run, even when
// that run then fails.
func TestWriteSetCompletesACommittedSet(t *testing.T) {
	dir := t.TempDir()
	if err := writeSet(context.Background(), dir, "plan", fillFiles([][2]string{{"plan.csv", "p1"}, {"curve.svg", "c1"}, {"old.csv", "o1"}}, "")); err != nil {
		t.Fatal(err)
	}
	// The killed run had staged plan.csv, curve.svg and plan.json, and had
	// moved plan.csv already.
	ready := filepath.Join(dir, setReadyName("plan"))
	os.MkdirAll(ready, 0o755)
	os.WriteFile(filepath.Join(dir, "plan.csv"), []byte("p2"), 0o644)
	os.WriteFile(filepath.Join(ready, "curve.svg"), []byte("c2"), 0o644)
	os.WriteFile(filepath.Join(ready, "plan.json"), []byte("j2"), 0o644)
	os.WriteFile(filepath.Join(ready, setManifestName("plan")), []byte(`{"set":"plan","files":["curve.svg","plan.csv","plan.json"]}`), 0o644)
	err := writeSet(context.Background(), dir, "plan", func(string) error { return errDiskFull })
	if !errors.Is(err, errDiskFull) {
		t.Fatal(err)
	}
	wantContent(t, dir, map[string]string{"plan.csv": "p2", "curve.svg": "c2", "plan.json": "j2"})
	want := []string{".lomsong-plan.json", ".lomsong-plan.lock", "curve.svg", "plan.csv", "plan.json"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
}

func TestWriteSetLock(t *testing.T) {
	dir := t.TempDir()
	err := writeSet(context.Background(), dir, "scorecard", func(string) error {
		return writeSet(context.Background(), dir, "scorecard", fillFiles(nil, ""))
	})
	if err == nil || !strings.Contains(err.Error(), "another lomsong run") {
		t.Fatalf("want the lock to refuse a second writer, got %v", err)
	}
	// Different sets in one folder do not exclude each other.
	err = writeSet(context.Background(), dir, "scorecard", func(string) error {
		return writeSet(context.Background(), dir, "report", fillFiles([][2]string{{"report.html", "r"}}, ""))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The deadzones command (the case of the issue): a run killed while
// writing leaves a staging folder and temporary files; the next run
// removes them and writes the whole set.
func TestDeadzonesOutputsAreASet(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\nV1,Bản A,,103.30,22.45,40\n"), 0o644)
	if _, _, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages); code != exitOK {
		t.Fatal(code)
	}
	out := filepath.Join(dir, "dz")
	if _, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--out", out); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	files := []string{"carrier_gaps.csv", "challenges.csv", "deadzones.csv", "deadzones.geojson", "deadzones_meta.json", "hexes.csv", "radiomap.json", "villages.csv"}
	want := append([]string{".lomsong-deadzones.json", ".lomsong-deadzones.lock"}, files...)
	if got := listDir(t, out); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	first := map[string]string{}
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(out, f))
		first[f] = string(b)
	}
	// What kill -9 in the middle of the write leaves.
	stale := filepath.Join(out, ".lomsong-deadzones.tmp-4242")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "deadzones.geojson"), []byte(`{"type":"Feat`), 0o644)
	os.WriteFile(filepath.Join(out, ".villages.csv.tmp-99"), []byte("zone_id,"), 0o600)
	if _, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--out", out); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	if got := listDir(t, out); !slices.Equal(got, want) {
		t.Fatalf("after a killed run and a new one: %v, want %v", got, want)
	}
	wantContent(t, out, first) // deterministic: the same set again
}

// calibrate's single file (its name is the user's) removes the temporary
// files an interrupted write of it left, and only those.
func TestWriteSingleCleansItsTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cal.json")
	os.WriteFile(filepath.Join(dir, ".cal.json.tmp-31337"), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(dir, ".other.json.tmp-1"), []byte("{"), 0o600)
	if err := writeSingle(path, map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if got, want := listDir(t, dir), []string{".other.json.tmp-1", "cal.json"}; !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	wantContent(t, dir, map[string]string{"cal.json": "{\"n\":1}\n"})
}

// TestPrintNoDataCountsProvinces: the places outside every province are
// no province; the summary line says so, and each area keeps its reason.
func TestPrintNoDataCountsProvinces(t *testing.T) {
	var b strings.Builder
	printNoData(&b, []pipeline.NoDataArea{
		{Name: pipeline.OutsideEveryProvince, Why: pipeline.OutsideWhy, Hexes: 2, Households: 50, Villages: 1},
		{Code: "01", Name: "Hà Nội", Why: pipeline.NoDataWhy, Hexes: 3, Households: 300, Villages: 2},
	})
	if got := b.String(); !strings.Contains(got, "(provinces: 1 and places outside every province); left out, with no site or test near (populated hexes: 5, households: 350, villages: 3;") {
		t.Errorf("summary:\n%s", got)
	}
}
