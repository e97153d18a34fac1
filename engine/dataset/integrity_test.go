package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/ingest"
)

// ingestAll ingests texts (name → CSV) in order into a new dataset and
// returns its directory.
func ingestAll(t *testing.T, dir string, files ...[2]string) {
	t.Helper()
	o := opts()
	o.MaxRejectShare = 1
	for _, f := range files {
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), f[0], f[1]), o); err != nil {
			t.Fatalf("%s: %v", f[0], err)
		}
	}
}

var (
	fileA = [2]string{"a.csv", mCSV}
	fileB = [2]string{"b.csv", otherDump("-91")}
	fileC = [2]string{"c.csv", otherDump("-92")}
)

func scanCount(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.ScanMeasurements(context.Background(), nil, nil, func(b *engine.MeasurementBatch) error {
		n += b.Len()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLostManifestRefusesWrites: a dataset whose manifest was deleted is
// not an empty dataset: opening it fails with how to recover, an ingest
// writes nothing, and every part is still there.
func TestLostManifestRefusesWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA, fileB)
	if err := os.Remove(filepath.Join(dir, manifestName)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := Open(dir)
	if !errors.Is(err, ErrNoManifest) || !strings.Contains(err.Error(), "lomsong dataset repair "+dir) {
		t.Fatalf("Open: %v", err)
	}
	s := &Store{dir: dir, manifest: Manifest{Version: ManifestVersion}} // as a stale handle would be
	o := opts()
	o.MaxRejectShare = 1
	if _, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), "c.csv", fileC[1]), o); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("ingest into a dataset without manifest: %v", err)
	}
	if after := snapshot(t, dir); !equalSnap(before, after) {
		t.Fatalf("refused ingest changed the dataset:\nbefore %v\nafter %v", keys(before), keys(after))
	}
	// An empty directory is still an empty dataset.
	empty := t.TempDir()
	if s, err := Open(empty); err != nil || len(s.Manifest().Sources) != 0 {
		t.Fatalf("empty directory: %v", err)
	}
}

// TestOlderManifestOrphansNotDeleted restores an older manifest and
// ingests: the parts the older manifest does not list are moved to
// orphans/ with a note, byte for byte, not deleted; manifest.prev.json
// holds the manifest each commit replaced.
func TestOlderManifestOrphansNotDeleted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	old, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, prevManifestName)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("manifest.prev.json after the first commit")
	}
	ingestAll(t, dir, fileB)
	if prev, _ := os.ReadFile(filepath.Join(dir, prevManifestName)); !bytes.Equal(prev, old) {
		t.Fatalf("manifest.prev.json is not the manifest the commit replaced:\n%s", prev)
	}
	s, _ := Open(dir)
	var bParts []Part
	for _, src := range s.Manifest().Sources {
		if src.Name == "b.csv" {
			bParts = src.Parts
		}
	}
	withB := snapshot(t, dir)
	if err := os.WriteFile(filepath.Join(dir, manifestName), old, 0o644); err != nil {
		t.Fatal(err)
	}
	s3, _ := Open(dir)
	o := opts()
	o.MaxRejectShare = 1
	res, err := s3.IngestFile(context.Background(), writeFile(t, t.TempDir(), fileC[0], fileC[1]), o)
	if err != nil || res.OrphansDir != "orphans/0001" || len(res.Orphaned) != len(bParts)+1 { // and b's quarantine
		t.Fatalf("ingest over an older manifest: %+v %v", res, err)
	}
	for _, p := range bParts {
		if _, err := os.Stat(s.Path(p)); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s still in place: %v", p.Path, err)
		}
		moved, err := os.ReadFile(filepath.Join(dir, "orphans", "0001", filepath.FromSlash(p.Path)))
		if err != nil || string(moved) != withB[filepath.FromSlash(p.Path)] {
			t.Fatalf("%s not moved intact to orphans/0001: %v", p.Path, err)
		}
	}
	note, err := os.ReadFile(filepath.Join(dir, "orphans", "0001", "NOTE.txt"))
	if err != nil || !strings.Contains(string(note), "c.csv") || !strings.Contains(string(note), "2026-11-01T12:00:00Z") ||
		!strings.Contains(string(note), "dataset repair") {
		t.Fatalf("note: %s %v", note, err)
	}
}

// TestMalformedManifest: impossible values in a manifest are errors that
// name the manifest, never a panic.
func TestMalformedManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	good, _ := os.ReadFile(filepath.Join(dir, manifestName))
	s, _ := Open(dir)
	src := s.Manifest().Sources[0]
	cases := []struct{ name, from, to string }{
		{"short source checksum", `"sha256": "` + src.SHA256 + `"`, `"sha256": "abc"`},
		{"part outside the dataset", `"path": "` + src.Parts[0].Path + `"`, `"path": "../../etc/passwd"`},
		{"part checksum not hex", `"sha256": "` + src.Parts[0].SHA256 + `"`, `"sha256": "` + strings.Repeat("z", 64) + `"`},
		{"negative rows", `"rows": ` + fmt.Sprint(src.Parts[0].Rows), `"rows": -1`},
		{"unknown kind", `"kind": "measurements",` + "\n" + `          "period"`, `"kind": "x",` + "\n" + `          "period"`},
		{"not json", `{`, `[`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not in the manifest", tc.from)
			}
			os.WriteFile(filepath.Join(dir, manifestName), []byte(bad), 0o644)
			_, err := Open(dir)
			if !errors.Is(err, ErrBadManifest) || !strings.Contains(err.Error(), "manifest.json") {
				t.Fatalf("Open: %v", err)
			}
		})
	}
	// A part or a source listed twice would be read twice (every count
	// doubled, every check passing).
	for name, edit := range map[string]func(m *Manifest){
		"part listed twice":   func(m *Manifest) { m.Sources[0].Parts = append(m.Sources[0].Parts, m.Sources[0].Parts[0]) },
		"source listed twice": func(m *Manifest) { m.Sources = append(m.Sources, m.Sources[0]) },
	} {
		t.Run(name, func(t *testing.T) {
			m, err := parseManifest(good)
			if err != nil {
				t.Fatal(err)
			}
			edit(&m)
			b, _ := json.Marshal(m)
			os.WriteFile(filepath.Join(dir, manifestName), b, 0o644)
			if _, err := Open(dir); !errors.Is(err, ErrBadManifest) || !strings.Contains(err.Error(), "listed twice") {
				t.Fatalf("Open: %v", err)
			}
		})
	}
}

func gz(t *testing.T, text string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(text))
	w.Close()
	return b.String()
}

// TestCompressedCopyIsTheSameSource: a file and its gzip copy, in either
// order, are one source.
func TestCompressedCopyIsTheSameSource(t *testing.T) {
	for _, order := range [][2]string{{"m.csv", "m.csv.gz"}, {"m.csv.gz", "m.csv"}} {
		t.Run(order[0]+" first", func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			text := map[string]string{"m.csv": mCSV, "m.csv.gz": gz(t, mCSV)}
			s, _ := Open(dir)
			o := opts()
			o.MaxRejectShare = 1
			first, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), order[0], text[order[0]]), o)
			if err != nil {
				t.Fatal(err)
			}
			rows := scanCount(t, s)
			res, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), order[1], text[order[1]]), o)
			if err != nil || !res.AlreadyIngested || res.Previous.SHA256 != first.SHA256 {
				t.Fatalf("second copy: %+v %v", res, err)
			}
			if got := scanCount(t, s); got != rows || len(s.Manifest().Sources) != 1 {
				t.Fatalf("rows %d → %d, %d sources", rows, got, len(s.Manifest().Sources))
			}
			gzSrc := first
			if order[0] == "m.csv" {
				gzSrc = res
			}
			if gzSrc.ContentSHA256 == "" || gzSrc.ContentSHA256 == gzSrc.SHA256 {
				t.Fatalf("compressed source's checksums: %+v", gzSrc)
			}
		})
	}
}

// TestRewrappedTextIsTheSameSource: a CSV file saved again with Windows
// line ends, with a byte-order mark, both, without its final line end or
// with blank lines after its last row, or gzip-compressed so, is the
// source already ingested, in either order; a file whose rows differ is
// not.
func TestRewrappedTextIsTheSameSource(t *testing.T) {
	crlf := strings.ReplaceAll(mCSV, "\n", "\r\n")
	bom := "\ufeff" + mCSV
	variants := map[string]string{"lf.csv": mCSV, "crlf.csv": crlf, "bom.csv": bom, "bomcrlf.csv": "\ufeff" + crlf, "crlf.csv.gz": gz(t, crlf),
		"noend.csv": strings.TrimSuffix(mCSV, "\n"), "blank.csv": mCSV + "\n\n", "bomcrlfblank.csv": "\ufeff" + crlf + "\r\n"}
	for _, first := range []string{"lf.csv", "crlf.csv", "bomcrlf.csv"} {
		t.Run(first+" first", func(t *testing.T) {
			s, _ := Open(filepath.Join(t.TempDir(), "ds"))
			o := opts()
			o.MaxRejectShare = 1
			if _, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), first, variants[first]), o); err != nil {
				t.Fatal(err)
			}
			rows := scanCount(t, s)
			for _, name := range []string{"lf.csv", "crlf.csv", "bom.csv", "bomcrlf.csv", "crlf.csv.gz", "noend.csv", "blank.csv", "bomcrlfblank.csv"} {
				res, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), name, variants[name]), o)
				if err != nil || !res.AlreadyIngested {
					t.Fatalf("%s after %s: %+v %v", name, first, res, err)
				}
			}
			if got := scanCount(t, s); got != rows || len(s.Manifest().Sources) != 1 {
				t.Fatalf("rows %d → %d, %d sources", rows, got, len(s.Manifest().Sources))
			}
			// A lone CR inside the rows is content, not a line end.
			other := strings.Replace(mCSV, "\n", "\r", 1) + "\n"
			if res, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), "cr.csv", other), o); err == nil && res.AlreadyIngested {
				t.Fatalf("a file with a lone CR taken for the source: %+v", res)
			}
		})
	}
}

// TestTextNorm: the normalisation is the same whatever the writes'
// boundaries (a BOM or a CRLF split across two writes).
func TestTextNorm(t *testing.T) {
	for _, in := range []string{"", "a", "ab", "\ufeff", "\ufeffa\r\nb\r", "x\r\r\ny\r\n", "\r\n\r\n", "a\rb",
		"a\nb\n", "a\nb", "a\nb\n\n\n", "a\r\nb\r\n\r\n", "a\n\nb\n", "\ufeff\n"} {
		// BOM dropped, CRLF as LF, the end as one LF (text without any
		// other character stays empty).
		want := strings.TrimRight(strings.TrimPrefix(strings.ReplaceAll(in, "\r\n", "\n"), "\ufeff"), "\n")
		if want != "" {
			want += "\n"
		}
		for cut := 0; cut <= len(in); cut++ {
			var b bytes.Buffer
			tn := &textNorm{w: &b}
			tn.Write([]byte(in[:cut]))
			tn.Write([]byte(in[cut:]))
			tn.flush()
			if b.String() != want {
				t.Fatalf("%q cut at %d: %q, want %q", in, cut, b.String(), want)
			}
		}
	}
}

// TestHeaderOnlyRefused: a file with a header and no rows is refused and
// leaves no trace.
func TestHeaderOnlyRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	before := snapshot(t, dir)
	s, _ := Open(dir)
	for name, text := range map[string]string{"h.csv": "ts,carrier,tech,lon,lat,signal_dbm,service\n", "h.csv.gz": gz(t, "site_id,carrier,tech,lon,lat\n")} {
		_, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), name, text), opts())
		var nd *NoDataError
		if !errors.Is(err, ErrNoDataRows) || !errors.As(err, &nd) || !strings.Contains(err.Error(), name+": no data rows") {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if after := snapshot(t, dir); !equalSnap(before, after) {
		t.Fatalf("refused file changed the dataset:\nbefore %v\nafter %v", keys(before), keys(after))
	}
}

func TestSlug(t *testing.T) {
	long := strings.Repeat("v", 300)
	cases := []struct {
		in, want string // want "" = altered: checked by its shape
	}{
		{"viettel", "viettel"},
		{"vn-mobile_2.0", "vn-mobile_2.0"},
		{strings.Repeat("x", maxSlugBytes), strings.Repeat("x", maxSlugBytes)},
		{strings.Repeat("x", maxSlugBytes+1), ""},
		{long, ""},
		{"Viettel", ""},
		{"../up", ""},
		{".hidden", ""},
		{"a/b", ""},
		{"", ""},
		{"Hà Nội", ""},
		{"a\xffb", ""},
		{"a\xfeb", ""},
	}
	seen := map[string]string{}
	for _, tc := range cases {
		got := slug(tc.in)
		if tc.want != "" && got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.want == "" && (!strings.Contains(got, "~") || len(got) > slugKeepBytes+9) {
			t.Errorf("slug(%q) = %q: want a truncated name with a hash suffix", tc.in, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0) {
				t.Errorf("slug(%q) = %q holds %q", tc.in, got, c)
			}
		}
		if got == "" || got[0] == '.' {
			t.Errorf("slug(%q) = %q", tc.in, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("slug(%q) = slug(%q) = %q", tc.in, prev, got)
		}
		seen[got] = tc.in
	}
}

// TestManyPartitions ingests a long carrier name and more (period,
// carrier) partitions than an ingest keeps open: every row is kept, a
// partition evicted and reopened has several parts, and names fit.
func TestManyPartitions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service\n")
	long := strings.Repeat("carrier", 40) // 280 bytes
	rows := 0
	for round := 0; round < 3; round++ {
		for c := 0; c < 12; c++ {
			name := fmt.Sprintf("c%02d", c)
			if c == 0 {
				name = long
			}
			fmt.Fprintf(&b, "2026-10-0%dT08:00:00Z,%s,4G,105.85,21.03,-%d,\n", 1+round, name, 80+c)
			rows++
		}
	}
	s, _ := Open(dir)
	s.maxOpenParts, s.stageRows = 5, 1 // every row goes to its file at once
	res, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), "many.csv", b.String()), opts())
	if err != nil {
		t.Fatal(err)
	}
	if got := scanCount(t, s); got != rows {
		t.Fatalf("%d rows stored of %d", got, rows)
	}
	perCarrier := map[string]int64{}
	files := map[string]int{}
	for _, p := range res.Source.Parts {
		perCarrier[p.Carrier] += p.Rows
		files[p.Carrier]++
		for _, e := range strings.Split(p.Path, "/") {
			if len(e) > 80 {
				t.Errorf("path element of %d bytes: %s", len(e), e)
			}
		}
	}
	if len(perCarrier) != 12 || perCarrier[long] != 3 || files["c05"] < 2 {
		t.Fatalf("rows per carrier %v, parts per carrier %v", perCarrier, files)
	}
	if rep, err := s.Verify(context.Background()); err != nil || len(rep.Bad) > 0 || rep.Rows != int64(rows) {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// TestOpenPartsBounded writes rows of 60 partitions in turn and counts
// the process's open files: an ingest holds at most maxOpenParts part
// files, and with the default staging each partition gets one part.
func TestOpenPartsBounded(t *testing.T) {
	fds := func() int {
		e, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd:", err)
		}
		return len(e)
	}
	for _, stage := range []int{1, 0} {
		t.Run(fmt.Sprintf("stage=%d", stage), func(t *testing.T) {
			s, _ := Open(filepath.Join(t.TempDir(), "ds"))
			s.maxOpenParts, s.stageRows = 8, stage
			txn, err := s.Begin(strings.Repeat("cd", 32), "many.csv", "measurements")
			if err != nil {
				t.Fatal(err)
			}
			defer txn.Abort()
			base := fds()
			b := &engine.MeasurementBatch{}
			most := 0
			for round := 0; round < 3; round++ {
				for c := 0; c < 60; c++ {
					b.Reset()
					b.Append(engine.Measurement{TimeUnixMs: 1790000000000, Carrier: engine.Carrier(fmt.Sprintf("c%03d", c)),
						Tech: engine.Tech4G, Lon: 105, Lat: 21, SignalDBm: -90})
					if err := txn.WriteMeasurements(b); err != nil {
						t.Fatal(err)
					}
					most = max(most, fds()-base)
				}
			}
			if most > 8 {
				t.Fatalf("%d files open beyond the transaction's own, limit 8", most)
			}
			src, err := txn.Commit(Meta{IngestedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			wantParts := 60
			if stage == 1 {
				wantParts = 3 * 60 // every row evicted before its partition's next
			}
			if len(src.Parts) != wantParts {
				t.Fatalf("%d parts, want %d", len(src.Parts), wantParts)
			}
			if n := scanCount(t, s); n != 180 {
				t.Fatalf("%d rows stored of 180", n)
			}
		})
	}
}

// TestVerify checks a sound dataset, then damages parts in the ways the
// manifest records: size, checksum, rows.
func TestVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA, [2]string{"sites.csv", "site_id,carrier,tech,lon,lat\nA,viettel,4G,105.8,21.0\n"})
	s, _ := Open(dir)
	rep, err := s.Verify(context.Background())
	if err != nil || len(rep.Bad) != 0 || rep.Parts != 4 || rep.Rows != 4 || rep.Unhashed != 0 {
		t.Fatalf("sound dataset: %+v %v", rep, err)
	}
	parts := s.Parts("measurements", nil, nil)
	os.WriteFile(s.Path(parts[0]), []byte("PAR1 not really"), 0o644)
	site := s.Parts("sites", nil, nil)[0]
	b, _ := os.ReadFile(s.Path(site))
	b[len(b)/2] ^= 0x10
	os.WriteFile(s.Path(site), b, 0o644)
	rep, err = s.Verify(context.Background())
	if err != nil || len(rep.Bad) != 2 || rep.Bad[0].Path != parts[0].Path || rep.Bad[1].Path != site.Path ||
		!strings.Contains(rep.Bad[1].Problem, "sha256") {
		t.Fatalf("damaged dataset: %+v %v", rep, err)
	}
	// A manifest that lists a wrong row count: the part does not match,
	// nor does its source's accepted count the sum of its parts.
	s.manifest.Sources[0].Parts[1].Rows++
	rep, _ = s.Verify(context.Background())
	if len(rep.Bad) != 4 || rep.Bad[0].Path != manifestName || !strings.Contains(rep.Bad[0].Problem, "records 3 accepted rows, its listed parts hold 4") ||
		!strings.Contains(rep.Bad[2].Problem, "rows") {
		t.Fatalf("row count: %+v", rep)
	}
	if err := s.ScanMeasurements(context.Background(), []string{"2026-10"}, nil, func(*engine.MeasurementBatch) error { return nil }); !errors.Is(err, ErrCorruptPart) {
		t.Fatalf("scan of a part whose rows differ from the manifest: %v", err)
	}
}

// TestByteFlips flips one random byte of a part, 100 times: verify and
// every reader must catch each flip.
func TestByteFlips(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, [2]string{"r.csv", randomCSV(400, 7)}, [2]string{"sites.csv", "site_id,carrier,tech,lon,lat\nA,viettel,4G,105.8,21.0\nB,viettel,3G,105.9,21.1\n"})
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var targets []Part
	for _, src := range s.Manifest().Sources {
		targets = append(targets, src.Parts...)
	}
	for i := 0; i < 100; i++ {
		p := targets[r.IntN(len(targets))]
		orig, err := os.ReadFile(s.Path(p))
		if err != nil {
			t.Fatal(err)
		}
		b := bytes.Clone(orig)
		at := r.IntN(len(b))
		b[at] ^= byte(1 + r.IntN(255))
		os.WriteFile(s.Path(p), b, 0o644)
		rep, err := s.Verify(context.Background())
		if err != nil || len(rep.Bad) != 1 || rep.Bad[0].Path != p.Path {
			t.Errorf("flip %d at byte %d of %s: verify %+v %v", i, at, p.Path, rep.Bad, err)
		}
		if p.Kind == "sites" {
			_, err = s.Sites(nil)
		} else {
			err = s.ScanMeasurements(context.Background(), nil, nil, func(*engine.MeasurementBatch) error { return nil })
			perr := s.ScanMeasurementsParallel(context.Background(), nil, nil, 2, func(int, *engine.MeasurementBatch) error { return nil })
			if perr == nil || !strings.Contains(perr.Error(), p.Path) {
				t.Errorf("flip %d at byte %d of %s: parallel scan: %v", i, at, p.Path, perr)
			}
		}
		if err == nil || !strings.Contains(err.Error(), p.Path) {
			t.Errorf("flip %d at byte %d of %s: reader: %v", i, at, p.Path, err)
		}
		os.WriteFile(s.Path(p), orig, 0o644)
	}
}

// TestRepair loses the manifest of a dataset with every kind of part, a
// part of an earlier version without metadata and a file that is no part,
// and rebuilds it.
func TestRepair(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA,
		[2]string{"sites.csv", "site_id,carrier,tech,lon,lat\nA,viettel,4G,105.8,21.0\n"},
		[2]string{"villages.csv", "village_id,name,commune_code,lon,lat,households\nV1,Bản Nà Hừ,03123,103.2,22.4,54\n"})
	s, _ := Open(dir)
	want := s.Manifest()
	summary := s.Summary()
	// A part as earlier versions wrote it: no metadata.
	legacy := "measurements/period=2026-08/carrier=vnpt/part-0123456789abcdef.parquet"
	var buf bytes.Buffer
	mw, _ := arrowio.NewMeasurementWriter(&buf)
	mb := &engine.MeasurementBatch{}
	mb.Append(engine.Measurement{TimeUnixMs: 1785000000000, Carrier: "vnpt", Tech: engine.Tech4G, Lon: 105, Lat: 21, SignalDBm: -90})
	if err := mw.Write(mb); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	os.MkdirAll(filepath.Dir(filepath.Join(dir, legacy)), 0o755)
	os.WriteFile(filepath.Join(dir, legacy), buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "sites", "junk.parquet"), []byte("half a part"), 0o644)

	os.Remove(filepath.Join(dir, manifestName))
	os.Remove(filepath.Join(dir, prevManifestName))
	rep, err := Repair(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kept != 0 || rep.Recovered != 4 || rep.Parts != 6 || len(rep.Moved) != 1 || rep.Moved[0] != "sites/junk.parquet" {
		t.Fatalf("repair: %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(dir, rep.Orphans, "sites", "junk.parquet")); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := s2.Manifest()
	for _, w := range want.Sources {
		g, ok := s2.Lookup(w.SHA256)
		if !ok || g.Name != w.Name || g.Kind != w.Kind || g.Format != w.Format || !g.IngestedAt.Equal(w.IngestedAt) ||
			g.Accepted != w.Accepted || g.Rejected != w.Rejected || g.Quarantine != w.Quarantine || g.Recovered == "" ||
			fmt.Sprint(g.Parts) != fmt.Sprint(w.Parts) {
			t.Errorf("source %s:\nwant %+v\ngot  %+v", w.Name, w, g)
		}
	}
	old, ok := s2.Lookup("0123456789abcdef" + strings.Repeat("0", 48))
	if !ok || len(old.Parts) != 1 || old.Parts[0].Carrier != "vnpt" || old.Parts[0].Period != "2026-08" || old.Parts[0].Rows != 1 {
		t.Fatalf("legacy part: %+v (%d sources)", old, len(got.Sources))
	}
	if rep, err := s2.Verify(context.Background()); err != nil || len(rep.Bad) != 0 || len(rep.Unlisted) != 0 {
		t.Fatalf("verify after repair: %+v %v", rep, err)
	}
	sum2 := s2.Summary()
	if len(sum2) != len(summary)+1 {
		t.Fatalf("summary %v → %v", summary, sum2)
	}
	// The sources are known again: re-ingesting them changes nothing.
	o := opts()
	o.MaxRejectShare = 1
	res, err := s2.IngestFile(context.Background(), writeFile(t, t.TempDir(), "a.csv", mCSV), o)
	if err != nil || !res.AlreadyIngested {
		t.Fatalf("re-ingest after repair: %+v %v", res, err)
	}
	// A second repair keeps every source as recorded: the manifest as it
	// is, nothing written (TestRepairOfAHealthyDatasetKeepsThePreviousManifest).
	before, _ := os.ReadFile(filepath.Join(dir, manifestName))
	rep, err = Repair(dir, now)
	if err != nil || rep.Kept != 4 || rep.Recovered != 0 || len(rep.Moved) != 0 || !rep.Unchanged {
		t.Fatalf("second repair: %+v %v", rep, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, manifestName)); !bytes.Equal(b, before) {
		t.Fatal("second repair rewrote the manifest it kept")
	}
}

// TestRepairDamagedManifest: a manifest that does not parse is kept with
// the orphans and replaced by one rebuilt from the parts, taking the
// sources of manifest.prev.json as recorded.
func TestRepairDamagedManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA, fileB)
	s, _ := Open(dir)
	want := s.Manifest()
	os.WriteFile(filepath.Join(dir, manifestName), []byte(`{"version": 1, "sources": [{"sha256": "abc"`), 0o644)
	rep, err := Repair(dir, now)
	if err != nil || rep.Kept != 1 || rep.Recovered != 1 || len(rep.Moved) != 1 || rep.Moved[0] != manifestName {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := s2.Lookup(want.Sources[0].SHA256); a.Recovered != "" || fmt.Sprint(a) != fmt.Sprint(want.Sources[0]) {
		t.Fatalf("source kept from manifest.prev.json:\nwant %+v\ngot  %+v", want.Sources[0], a)
	}
	if b, _ := s2.Lookup(want.Sources[1].SHA256); b.Recovered == "" || b.Accepted != want.Sources[1].Accepted {
		t.Fatalf("source rebuilt: %+v", b)
	}
	if _, err := os.Stat(filepath.Join(dir, rep.Orphans, manifestName)); err != nil {
		t.Fatal(err)
	}
}

// TestRepairKeepsDamageVisible: a recorded source with a damaged part is
// kept as recorded, the part reported, its checksum not replaced by that
// of the damaged bytes.
func TestRepairKeepsDamageVisible(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	s, _ := Open(dir)
	p := s.Parts("measurements", nil, nil)[0]
	b, _ := os.ReadFile(s.Path(p))
	b[len(b)/2] ^= 4
	os.WriteFile(s.Path(p), b, 0o644)
	rep, err := Repair(dir, now)
	if err != nil || rep.Kept != 1 || len(rep.Damaged) != 1 || rep.Damaged[0] != p.Path || len(rep.Moved) != 0 {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	s2, _ := Open(dir)
	if v, _ := s2.Verify(context.Background()); len(v.Bad) != 1 || v.Bad[0].Path != p.Path {
		t.Fatalf("verify after repair: %+v", v)
	}
	// Unreadable too: kept listed, not moved.
	os.WriteFile(s.Path(p), []byte("not a part"), 0o644)
	rep, err = Repair(dir, now)
	if err != nil || rep.Kept != 1 || len(rep.Damaged) != 1 || len(rep.Moved) != 0 {
		t.Fatalf("repair of an unreadable part: %+v %v", rep, err)
	}
}

// TestShortParquetInputRefused: an input Parquet file whose footer
// declares 5,000 rows where its row group holds 4,000 is an error naming
// the file, not a source of 4,000 rows.
func TestShortParquetInputRefused(t *testing.T) {
	const n = 4000
	ts, carrier, tech := make([]int64, n), make([]string, n), make([]string, n)
	lon, lat, sig := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range ts {
		ts[i], carrier[i], tech[i] = 1790000000000+int64(i)*1000, "viettel", "4G"
		lon[i], lat[i], sig[i] = 105.8, 21.0, -90
	}
	var buf bytes.Buffer
	if err := arrowio.WriteTable(&buf, []arrowio.Column{{Name: "ts", TimeUnixMs: ts}, {Name: "carrier", String: carrier},
		{Name: "tech", String: tech}, {Name: "lon", Float64: lon}, {Name: "lat", Float64: lat}, {Name: "signal_dbm", Float64: sig}}, nil); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	// FileMetaData's num_rows (field 3, i64: header 0x16) as a zigzag
	// varint: 4000 is C0 3E, 5000 is 90 4E.
	flen := int(data[len(data)-8]) | int(data[len(data)-7])<<8 | int(data[len(data)-6])<<16 | int(data[len(data)-5])<<24
	footer := data[len(data)-8-flen : len(data)-8]
	i := bytes.Index(footer, []byte{0x16, 0xC0, 0x3E})
	if i < 0 {
		t.Fatal("num_rows not found in the footer")
	}
	footer[i+1], footer[i+2] = 0x90, 0x4E
	in := writeFile(t, t.TempDir(), "short.parquet", string(data))
	dir := filepath.Join(t.TempDir(), "ds")
	s, _ := Open(dir)
	_, err := s.IngestFile(context.Background(), in, opts())
	if !errors.Is(err, engine.ErrUnsupportedFormat) || !strings.Contains(err.Error(), "short.parquet") ||
		!strings.Contains(err.Error(), "declares 5000 rows") {
		t.Fatalf("want an error naming the file and its row counts, got %v", err)
	}
	if len(s.Manifest().Sources) != 0 {
		t.Fatal("a short file was recorded")
	}
}

// TestRegistersReplacedBySource: a register ingested again replaces the
// earlier rows of its keys instead of adding to them — a site's sectors
// (carrier, site id, technology) with their status changed, a village by
// id with its households corrected, a subscription row by (area, month) —
// while rows of one source that share a key (a site's sectors) are all
// kept and keys the later file leaves out stay as they were.
func TestRegistersReplacedBySource(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(filepath.Join(dir, "ds"))
	o := opts()
	const sitesHeader = "site_id,carrier,tech,lon,lat,band_mhz,height_m,azimuth_deg,status\n"
	for _, f := range []struct{ name, text string }{
		{"sites.csv", sitesHeader +
			"S1,viettel,4G,103.30,22.40,1800,35,0,active\nS1,viettel,4G,103.30,22.40,1800,35,120,active\nS1,viettel,4G,103.30,22.40,1800,35,240,active\n" +
			"S2,viettel,4G,103.40,22.40,1800,35,0,active\nS1,mobifone,4G,103.50,22.40,1800,35,0,active\n"},
		{"villages.csv", "village_id,name,lon,lat,households\nV1,A,103.30,22.41,40\nV2,B,103.40,22.41,25\n"},
		{"subscriptions.csv", "area_code,period,households,fiber_households\n12,2026-09,1000,500\n12,2026-10,1000,510\n"},
		// The updates: Viettel's S1 down (all three sectors), V1's households
		// corrected, October's fibre corrected.
		{"sites_update.csv", sitesHeader +
			"S1,viettel,4G,103.30,22.40,1800,35,0,down\nS1,viettel,4G,103.30,22.40,1800,35,120,down\nS1,viettel,4G,103.30,22.40,1800,35,240,down\n"},
		{"villages_update.csv", "village_id,name,lon,lat,households\nV1,A,103.30,22.41,44\n"},
		{"subscriptions_update.csv", "area_code,period,households,fiber_households\n12,2026-10,1000,520\n"},
	} {
		if _, err := s.IngestFile(context.Background(), writeFile(t, dir, f.name, f.text), o); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
	sites, err := s.Sites(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sites {
		got = append(got, fmt.Sprintf("%s/%s/%v/%s", st.Carrier, st.SiteID, st.AzimuthDeg, st.Status))
	}
	slices.Sort(got)
	if want := []string{"mobifone/S1/0/active", "viettel/S1/0/down", "viettel/S1/120/down", "viettel/S1/240/down", "viettel/S2/0/active"}; !slices.Equal(got, want) {
		t.Errorf("sites %v, want %v", got, want)
	}
	villages, err := s.Villages()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(villages, func(a, b engine.Village) int { return strings.Compare(a.ID, b.ID) })
	if len(villages) != 2 || villages[0].ID != "V1" || villages[0].Households != 44 || villages[1].ID != "V2" {
		t.Errorf("villages %+v", villages)
	}
	subs, err := s.Subscriptions()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(subs, func(a, b engine.Subscription) int { return strings.Compare(a.Period, b.Period) })
	if len(subs) != 2 || subs[0].Period != "2026-09" || subs[1].Period != "2026-10" || subs[1].FiberHouseholds != 520 {
		t.Errorf("subscriptions %+v", subs)
	}
}

// A part deleted from a source: repair keeps the source as recorded and
// lists the part as missing (it rebuilt the source from the part left,
// one row of four, and verify then passed: the rows were gone silently);
// re-ingesting the file says its parts are damaged instead of "already
// ingested"; a record edited by hand over an intact part is corrected
// from the part.
func TestRepairMissingPartAndEditedRecord(t *testing.T) {
	ctx := context.Background()
	s, in, res := ingestedStore(t, "m.csv")
	dir, o := s.Dir(), ingestOpts()
	parts := res.Source.Parts
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(parts[0].Path))); err != nil {
		t.Fatal(err)
	}
	rep, err := Repair(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kept != 1 || rep.Recovered != 0 || len(rep.Missing) != 1 || rep.Missing[0] != parts[0].Path {
		t.Fatalf("repair: %+v", rep)
	}
	s, _ = Open(dir)
	if got := s.Manifest().Sources; len(got) != 1 || got[0].Accepted != res.Source.Accepted || len(got[0].Parts) != len(parts) {
		t.Fatalf("the source was not kept as recorded: %+v", got)
	}
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) == 0 {
		t.Fatalf("verify passed a dataset with a part gone: %+v %v", vr, err)
	}
	if _, err := s.IngestFile(ctx, in, o); err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "dataset retract") {
		t.Fatalf("ingest of the file again: %v", err)
	}

	// Another dataset: a part's row count edited in the manifest.
	dir2 := filepath.Join(t.TempDir(), "ds")
	s2, _ := Open(dir2)
	res2, err := s2.IngestFile(ctx, in, o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir2, manifestName))
	m, _ := parseManifest(b)
	m.Sources[0].Parts[0].Rows += 5
	os.WriteFile(filepath.Join(dir2, manifestName), mustJSON(m), 0o644)
	rep, err = Repair(dir2, now)
	if err != nil || len(rep.Corrected) != 1 || len(rep.Damaged) != 0 || len(rep.Missing) != 0 {
		t.Fatalf("repair of an edited record: %+v %v", rep, err)
	}
	s2, _ = Open(dir2)
	if got := s2.Manifest().Sources[0]; got.Parts[0].Rows != res2.Source.Parts[0].Rows || got.Accepted != res2.Source.Accepted {
		t.Fatalf("record not corrected: %+v", got)
	}
	if vr, err := s2.Verify(ctx); err != nil || len(vr.Bad) != 0 {
		t.Fatalf("verify after the correction: %+v %v", vr, err)
	}
}

// A part's entry removed from its source's record, the file left: verify
// fails (it passed, the rows unread), and repair puts the entry back (it
// failed, rebuilding a second source of the same checksum).
func TestRepairRestoresLostPartEntry(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ds")
	in := writeFile(t, t.TempDir(), "m.csv", mCSV)
	s, _ := Open(dir)
	res, err := s.IngestFile(ctx, in, IngestOptions{Config: ingest.Defaults("", now), MaxRejectShare: 0.5})
	if err != nil || len(res.Source.Parts) < 2 {
		t.Fatalf("%v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, manifestName))
	m, _ := parseManifest(b)
	lost := m.Sources[0].Parts[0].Path
	m.Sources[0].Parts = m.Sources[0].Parts[1:]
	os.WriteFile(filepath.Join(dir, manifestName), mustJSON(m), 0o644)
	s, _ = Open(dir)
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) != 1 || vr.Bad[0].Path != manifestName {
		t.Fatalf("verify with a part's entry lost: %+v %v", vr, err)
	}
	rep, err := Repair(dir, now)
	if err != nil || len(rep.Corrected) != 1 || rep.Corrected[0] != lost || rep.Kept != 1 || rep.Recovered != 0 {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	s, _ = Open(dir)
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) != 0 || len(s.Manifest().Sources[0].Parts) != len(res.Source.Parts) {
		t.Fatalf("verify after repair: %+v %v", vr, err)
	}
}

// A source's counts edited in its record, every part intact: verify
// fails, repair recounts the source from its parts (it kept the record,
// so verify kept failing), and verify passes.
func TestRepairRecountsEditedSource(t *testing.T) {
	ctx := context.Background()
	s, _, res := ingestedStore(t, "m.csv")
	dir := s.Dir()
	b, _ := os.ReadFile(filepath.Join(dir, manifestName))
	m, _ := parseManifest(b)
	m.Sources[0].Accepted, m.Sources[0].RowsRead = 1, 5
	os.WriteFile(filepath.Join(dir, manifestName), mustJSON(m), 0o644)
	s, _ = Open(dir)
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) != 1 {
		t.Fatalf("verify of the edited record: %+v %v", vr, err)
	}
	rep, err := Repair(dir, now)
	if err != nil || len(rep.Recounted) != 1 || len(rep.Corrected) != 0 || rep.Kept != 1 {
		t.Fatalf("repair: %+v %v", rep, err)
	}
	s, _ = Open(dir)
	got := s.Manifest().Sources[0]
	if got.Accepted != res.Source.Accepted || got.RowsRead != res.Source.RowsRead {
		t.Fatalf("recounted %d accepted of %d read, want %d of %d", got.Accepted, got.RowsRead, res.Source.Accepted, res.Source.RowsRead)
	}
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) != 0 {
		t.Fatalf("verify after repair: %+v %v", vr, err)
	}
}

// TestInterruptedIngestAddsNothing: an ingest whose context is cancelled
// (the command's interrupt) adds nothing, also when the file's rows were
// all read before it noticed (a small file, or one whose rows come slowly):
// the command reports the interrupt, so the file must not be in the
// dataset.
func TestInterruptedIngestAddsNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	before := snapshot(t, dir)
	s, _ := Open(dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := opts()
	o.MaxRejectShare = 1
	_, err := s.IngestFile(ctx, writeFile(t, t.TempDir(), "b.csv", otherDump("-97")), o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ingest: %v", err)
	}
	if after := snapshot(t, dir); !equalSnap(before, after) {
		t.Fatalf("cancelled ingest changed the dataset:\nbefore %v\nafter %v", keys(before), keys(after))
	}
}
