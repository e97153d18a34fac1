package dataset

import (
	"context"
	"errors"
	"fmt"
	"github.com/paulmach/orb"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
)

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func opts() IngestOptions {
	return IngestOptions{Config: ingest.Defaults("", now)}
}

const mCSV = "ts,carrier,tech,lon,lat,signal_dbm,service\n" +
	"2026-09-30T16:59:59Z,viettel,4G,105.85,21.03,-98,\n" + // 23:59:59 local: September
	"2026-09-30T17:00:00Z,viettel,4G,105.85,21.03,-99,\n" + // 00:00 local 1 October
	"2026-10-02T08:00:00Z,mobifone,3G,105.85,21.03,,none\n" +
	"2026-10-02T08:00:00Z,mobifone,3G,105.85,21.03,-300,\n"

// otherDump is mCSV with its first signal set to sig (-90 to -99, not
// -95) and every row at longitude 105.8 and sig's last digit: another dump
// of the same partitions, none of whose rows mCSV or another sig's dump
// holds (a dataset holds a measurement once, see HeldRowsError).
func otherDump(sig string) string {
	return strings.ReplaceAll(strings.Replace(mCSV, "-98", sig, 1), "105.85", "105.8"+sig[len(sig)-1:])
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// snapshot returns every file under dir (except the lock) with its bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".lock" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	return out
}

func equalSnap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestIngestPartitionsAndManifest(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, t.TempDir(), "m.csv", mCSV)
	s, err := Open(filepath.Join(dir, "ds"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.IngestFile(context.Background(), in, IngestOptions{Config: ingest.Defaults("", now), MaxRejectShare: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Accepted != 3 || res.Report.Rejected != 1 || res.Kind != ingest.KindMeasurements || res.Format != "csv" {
		t.Fatalf("%+v", res.Report)
	}
	var paths []string
	for _, p := range res.Source.Parts {
		paths = append(paths, fmt.Sprintf("%s:%d", p.Path, p.Rows))
	}
	short := res.SHA256[:16]
	want := []string{
		"measurements/period=2026-09/carrier=viettel/part-" + short + ".parquet:1",
		"measurements/period=2026-10/carrier=mobifone/part-" + short + ".parquet:1",
		"measurements/period=2026-10/carrier=viettel/part-" + short + ".parquet:1",
	}
	if !slices.Equal(paths, want) {
		t.Fatalf("parts %v\nwant %v", paths, want)
	}
	// The manifest survives a reopen; the rows read back equal what went in.
	s2, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.Manifest(); len(got.Sources) != 1 || got.Sources[0].Quarantine == "" || got.Sources[0].RejectedBy["out_of_range"] != 1 {
		t.Fatalf("%+v", got)
	}
	var rows []engine.Measurement
	err = s2.ScanMeasurements(context.Background(), []string{"2026-10"}, nil, func(b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			rows = append(rows, b.Row(i))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Carrier != engine.MobiFone || rows[0].Service != engine.ServiceNone || rows[1].SignalDBm != -99 {
		t.Fatalf("%+v", rows)
	}
	q, _ := os.ReadFile(filepath.Join(s.Dir(), "quarantine", short+".csv"))
	if !strings.Contains(string(q), "m.csv,5,signal_dbm,-300,out_of_range") {
		t.Fatalf("quarantine:\n%s", q)
	}
	if sum := s2.Summary(); len(sum) != 3 || sum[0].Period != "2026-09" {
		t.Fatalf("%+v", sum)
	}
}

func TestReingestIsIdempotent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	in := writeFile(t, t.TempDir(), "m.csv", mCSV)
	s, _ := Open(dir)
	o := opts()
	o.MaxRejectShare = 1
	if _, err := s.IngestFile(context.Background(), in, o); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	// Same bytes under another name: already ingested, nothing changes.
	copyPath := writeFile(t, t.TempDir(), "renamed.csv", mCSV)
	for _, p := range []string{in, copyPath} {
		s, _ := Open(dir)
		res, err := s.IngestFile(context.Background(), p, o)
		if err != nil || !res.AlreadyIngested || res.Previous.Name != "m.csv" {
			t.Fatalf("%+v %v", res, err)
		}
	}
	if !equalSnap(before, snapshot(t, dir)) {
		t.Fatal("re-ingest changed the dataset")
	}

	// The same bytes read another way (times in UTC) are refused, saying
	// what differs, not "already ingested": the correction would not be
	// applied. The same mapping written differently is the same reading.
	utc := o
	utc.Mapping = &ingest.Mapping{Timezone: "UTC"}
	utc.MappingJSON = []byte(`{"timezone": "UTC"}`)
	s, _ = Open(dir)
	_, err := s.IngestFile(context.Background(), in, utc)
	var other *OtherReadingError
	if !errors.As(err, &other) || other.Previous.Name != "m.csv" || !strings.Contains(err.Error(), `timezone: the default → "UTC"`) {
		t.Fatalf("same bytes, another time zone: %v", err)
	}
	if !equalSnap(before, snapshot(t, dir)) {
		t.Fatal("a refused reading changed the dataset")
	}
	if got := mappingDiff(canonicalMapping([]byte("{\n \"timezone\":\"UTC\"}"), ""), canonicalMapping(utc.MappingJSON, "")); got != "" {
		t.Fatalf("one mapping written two ways differs in %q", got)
	}
	// Bounds or deduplication turned off keep other rows of the same
	// bytes: another reading too (both said "already ingested, nothing
	// changed", the correction not applied).
	bounded := o
	bounded.Config.Bounds = orb.MultiPolygon{{{{100, 8}, {110, 8}, {110, 24}, {100, 24}, {100, 8}}}}
	noDedup := o
	noDedup.Config.Dedup = false
	for name, c := range map[string]struct {
		opt  IngestOptions
		want string
	}{"bounds": {bounded, "other options (the defaults (no bounds, duplicates removed) → bounds "}, "no dedup": {noDedup, "→ no deduplication)"}} {
		s, _ = Open(dir)
		_, err := s.IngestFile(context.Background(), in, c.opt)
		if !errors.As(err, &other) || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("same bytes, %s: %v", name, err)
		}
	}
	if !equalSnap(before, snapshot(t, dir)) {
		t.Fatal("a refused reading changed the dataset")
	}

	// The manifest lost and rebuilt by repair: the reading is not
	// recorded, so no reading can be said to be another (it said the
	// file's own mapping was another): already ingested, with the record
	// marked recovered for the caller to say a reading now is not applied.
	if err := os.Remove(filepath.Join(dir, manifestName)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, prevManifestName))
	if _, err := Repair(dir, now); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []IngestOptions{o, utc} {
		s, _ = Open(dir)
		res, err := s.IngestFile(context.Background(), in, opt)
		if err != nil || !res.AlreadyIngested || res.Previous.Recovered == "" {
			t.Fatalf("after repair: %+v %v", res, err)
		}
	}
}

// TestCrashSafety injects a failure at every step of a commit and checks
// that the dataset is byte for byte as before, and that a later ingest of
// the same file then succeeds.
func TestCrashSafety(t *testing.T) {
	in1 := writeFile(t, t.TempDir(), "first.csv", mCSV)
	in2 := writeFile(t, t.TempDir(), "second.csv", otherDump("-97"))
	var steps []string
	{
		// Discover the steps of a commit.
		s, _ := Open(filepath.Join(t.TempDir(), "ds"))
		s.failpoint = func(step string) error { steps = append(steps, step); return nil }
		o := opts()
		o.MaxRejectShare = 1
		if _, err := s.IngestFile(context.Background(), in2, o); err != nil {
			t.Fatal(err)
		}
	}
	if len(steps) < 4 {
		t.Fatalf("steps %v", steps)
	}
	for _, failAt := range steps {
		t.Run(failAt, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			s, _ := Open(dir)
			o := opts()
			o.MaxRejectShare = 1
			if _, err := s.IngestFile(context.Background(), in1, o); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			injected := errors.New("injected failure")
			s.failpoint = func(step string) error {
				if step == failAt {
					return injected
				}
				return nil
			}
			_, err := s.IngestFile(context.Background(), in2, o)
			if failAt == "manifest-written" {
				// The manifest is in place: the source is committed, and
				// nothing after it fails the commit.
				if err != nil || len(s.Manifest().Sources) != 2 || fileExistsIn(dir, journalName) {
					t.Fatalf("failure after the manifest: %v, %d sources, journal left %v", err, len(s.Manifest().Sources), fileExistsIn(dir, journalName))
				}
				return
			}
			if !errors.Is(err, injected) {
				t.Fatalf("want injected failure, got %v", err)
			}
			if after := snapshot(t, dir); !equalSnap(before, after) {
				t.Fatalf("dataset changed by a failed ingest:\nbefore %v\nafter %v", keys(before), keys(after))
			}
			s.failpoint = nil
			s2, _ := Open(dir)
			res, err := s2.IngestFile(context.Background(), in2, o)
			if err != nil || res.AlreadyIngested || len(s2.Manifest().Sources) != 2 {
				t.Fatalf("retry: %+v %v", res, err)
			}
		})
	}
}

// TestLeftoversCollected simulates a crash that left unlisted files and a
// temporary directory: the next ingest removes the temporary directory and
// moves the unlisted files to orphans/.
func TestLeftoversCollected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	s, _ := Open(dir)
	o := opts()
	o.MaxRejectShare = 1
	if _, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), "a.csv", mCSV), o); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(dir, "measurements", "period=2026-10", "carrier=viettel", "part-deadbeefdeadbeef.parquet")
	os.WriteFile(orphan, []byte("half"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".tmp-0123456789abcdef-1"), 0o755)
	s2, _ := Open(dir)
	if _, err := s2.IngestFile(context.Background(), writeFile(t, t.TempDir(), "b.csv", otherDump("-90")), o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("unlisted part left in place")
	}
	moved := filepath.Join(dir, "orphans", "0001", "measurements", "period=2026-10", "carrier=viettel", "part-deadbeefdeadbeef.parquet")
	if b, err := os.ReadFile(moved); err != nil || string(b) != "half" {
		t.Fatalf("unlisted part not kept in orphans/: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp-0123456789abcdef-1")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("stale temp dir not removed")
	}
}

func TestMaxRejectShare(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	s, _ := Open(dir)
	in := writeFile(t, t.TempDir(), "m.csv", mCSV) // 1 of 4 rows rejected: 25%
	res, err := s.IngestFile(context.Background(), in, opts())
	var tm *TooManyRejectsError
	if !errors.As(err, &tm) || tm.Share != 0.25 {
		t.Fatalf("want TooManyRejectsError, got %v", err)
	}
	if len(s.Manifest().Sources) != 0 {
		t.Fatal("refused source was added")
	}
	if _, err := os.Stat(filepath.Join(res.RefusedDir, "quarantine.csv")); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(filepath.Join(res.RefusedDir, "report.json"))
	if !strings.Contains(string(rep), `"rejected": 1`) {
		t.Fatalf("report: %s", rep)
	}
	if _, err := os.Stat(filepath.Join(dir, "measurements")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("refused source left data")
	}
}

func TestLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	s, _ := Open(dir)
	txn, err := s.Begin(strings.Repeat("a", 64), "x.csv", "measurements")
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Abort()
	s2, _ := Open(dir)
	if _, err := s2.Begin(strings.Repeat("b", 64), "y.csv", "measurements"); !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
}

func TestPeriodOf(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 10, 31, 16, 59, 59, 0, time.UTC), "2026-10"},
		{time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC), "2026-11"},
		{time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), "2027-01"},
	} {
		if got := PeriodOf(c.t.UnixMilli()); got != c.want {
			t.Errorf("%v: %s want %s", c.t, got, c.want)
		}
	}
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

func TestAtomicFileMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out", "x.csv")
	f, err := CreateAtomic(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("a\n"))
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("file visible before Commit")
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("%v %v", st.Mode(), err)
	}
	if err := WriteFileAtomic(p, []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Fatal(st.Mode())
	}
}

// The refusal of another reading names the entry that differs and shows
// both values around the difference, not two identical starts.
func TestMappingDiffShowsTheDifference(t *testing.T) {
	long := strings.Repeat("x", 100)
	was := `{"timezone":"UTC","units":{"dl_mbps":"kbps","ts":"layout:` + long + `.000"}}`
	now := `{"timezone":"UTC","units":{"dl_mbps":"kbps","ts":"layout:` + long + `.999"}}`
	got := mappingDiff(was, now)
	if !strings.HasPrefix(got, "units.ts: ") || !strings.Contains(got, `.000"`) || !strings.Contains(got, `.999"`) || strings.Contains(got, "dl_mbps") {
		t.Errorf("mappingDiff = %q", got)
	}
	if got := mappingDiff(`{"timezone":"UTC"}`, `{"timezone":"Asia/Ho_Chi_Minh"}`); got != `timezone: "UTC" → "Asia/Ho_Chi_Minh"` {
		t.Errorf("mappingDiff = %q", got)
	}
}

// Mappings that only spell out defaults read a file alike: the same
// canonical form, so re-ingesting with them is "already ingested".
func TestCanonicalMappingDefaults(t *testing.T) {
	base := canonicalMapping([]byte(`{"units": {"ts": "layout:2006-01-02 15:04"}}`), ingest.KindMeasurements)
	for _, js := range []string{
		`{"kind": "measurements", "units": {"ts": "layout:2006-01-02 15:04", "signal_dbm": "dbm", "dl_mbps": "mbps"}}`,
		`{"units": {"ts": "layout:2006-01-02 15:04"}, "timezone": "Asia/Ho_Chi_Minh", "decimal": ".", "speed_rule": "any"}`,
		`{"units": {"ts": "layout:2006-01-02 15:04"}, "timezone": "UTC+7"}`,
		`{"units": {"ts": "layout:2006-01-02 15:04"}, "columns": {"ts": "ts", "Signal_dBm": "signal_dbm"}}`,
	} {
		if got := canonicalMapping([]byte(js), ingest.KindMeasurements); got != base {
			t.Errorf("%s: %s, want %s", js, got, base)
		}
	}
	if got := canonicalMapping([]byte(`{"units": {"ts": "layout:2006-01-02 15:04"}, "timezone": "UTC"}`), ingest.KindMeasurements); got == base {
		t.Error("UTC read as Vietnam time")
	}
	// A villages file: its own kind restated reads alike, another differs.
	if got := canonicalMapping([]byte(`{"kind": "villages"}`), ingest.KindVillages); got != "" {
		t.Errorf("kind villages restated: %q", got)
	}
	if got := canonicalMapping([]byte(`{"kind": "measurements"}`), ingest.KindVillages); got == "" {
		t.Error("a villages file read as measurements reads alike")
	}
}

// TestReingestSameBounds: a file ingested with --bounds records them; the
// same bytes with the same bounds are already ingested.
func TestReingestSameBounds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	in := writeFile(t, t.TempDir(), "m.csv", mCSV)
	s, _ := Open(dir)
	o := opts()
	o.MaxRejectShare = 1
	o.Config.Bounds = orb.MultiPolygon{{{{100, 8}, {110, 8}, {110, 24}, {100, 24}, {100, 8}}}}
	res, err := s.IngestFile(context.Background(), in, o)
	if err != nil || !strings.HasPrefix(res.Source.ReadOptions, "bounds ") {
		t.Fatalf("%+v %v", res.Source.ReadOptions, err)
	}
	s, _ = Open(dir)
	res, err = s.IngestFile(context.Background(), in, o)
	if err != nil || !res.AlreadyIngested {
		t.Fatalf("the same bytes and bounds: %+v %v", res, err)
	}
}

// TestRejectShare: a user's share of 0 refuses a file with one rejected
// row (NoRejects), not the default's 5%; a share outside 0..1 is refused.
func TestRejectShare(t *testing.T) {
	for _, c := range []struct {
		in, want float64
		ok       bool
	}{{0, NoRejects, true}, {0.05, 0.05, true}, {1, 1, true}, {-0.1, 0, false}, {1.5, 0, false}, {math.NaN(), 0, false}} {
		got, err := RejectShare(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("RejectShare(%g) = %g, %v; want %g, ok %v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("RejectShare(%g): %v does not wrap ErrInvalidConfig", c.in, err)
		}
	}
	// One of 30 rows rejected (3.3%, under the default's 5%): refused
	// under NoRejects, accepted under a share of 0.1 and the default.
	rows := "ts,carrier,tech,lon,lat,signal_dbm,service\n"
	for i := range 29 {
		rows += fmt.Sprintf("2026-10-01T08:%02d:00+07:00,viettel,4G,103.4,22.3,-90,ok\n", i)
	}
	rows += "2026-10-01T09:00:00+07:00,viettel,4G,103.4,22.3,-999,ok\n"
	for _, c := range []struct {
		share   float64
		refused bool
	}{{0, true}, {0.1, false}, {-1, false}} {
		s, _ := Open(filepath.Join(t.TempDir(), "ds"))
		o := opts()
		var err error
		if c.share >= 0 { // -1: the zero option, the default
			if o.MaxRejectShare, err = RejectShare(c.share); err != nil {
				t.Fatal(err)
			}
		}
		_, err = s.IngestFile(context.Background(), writeFile(t, t.TempDir(), "m.csv", rows), o)
		var tm *TooManyRejectsError
		if errors.As(err, &tm) != c.refused {
			t.Errorf("share %g: refused %v, want %v (%v)", c.share, err != nil, c.refused, err)
		}
	}
}
