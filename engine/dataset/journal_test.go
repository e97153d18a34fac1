package dataset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// manyPartsCSV is a file of rows over 2 carriers and 2 months, with 3
// rows rejected (a quarantine file): with small stages and few open files
// it makes 7 parts, some partitions two.
func manyPartsCSV() string {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "2026-%02d-%02dT08:%02d:00Z,op%d,4G,%.4f,21.03,%d\n", 9+i%2, 1+i%27, i%60, (i/2)%2, 105+float64(i)/1000, -60-i%50)
	}
	b.WriteString("2026-10-02T08:00:00Z,op1,4G,105.85,21.03,-300\n")
	b.WriteString("2026-10-02T08:00:00Z,op1,4G,205.85,21.03,-90\n")
	b.WriteString("not a time,op1,4G,105.85,21.03,-90\n")
	return b.String()
}

// copyTree copies the files and directories under src to dst: the disk
// as a process killed at that moment leaves it.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rowCounts counts the measurement rows the dataset's readers see, by row.
func rowCounts(t *testing.T, s *Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	if err := s.ScanMeasurements(context.Background(), nil, nil, func(b *engine.MeasurementBatch) error {
		for i := 0; i < b.Len(); i++ {
			out[rowKey(b.Row(i))]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// smallParts makes a store write many parts (a few rows per stage, few
// open files), as a dump over thousands of carriers does.
func smallParts(s *Store) *Store {
	s.stageRows, s.maxOpenParts = 8, 2
	return s
}

// TestKilledCommitRecovered stops a commit at every step, as a SIGKILL or
// a power cut does (the dataset is copied as it is at that step, temporary
// directory and journal included), then recovers it the ways a user
// would: opening the dataset (dataset verify, ls), ingesting the file
// again, dataset repair, each also with the commit's temporary directory
// gone (its files cannot all be placed: rolled back). Afterwards, and after
// ingesting the file once more, every row of the file is stored exactly
// once, the source is recorded once with all its rows, verify finds
// nothing wrong and nothing unlisted, and no journal or temporary
// directory is left. Both into a dataset with a source already, and as
// the first ingest of a new one (no manifest yet).
func TestKilledCommitRecovered(t *testing.T) {
	in := writeFile(t, t.TempDir(), "dump.csv", manyPartsCSV())
	o := opts()
	o.MaxRejectShare = 1
	ctx := context.Background()

	for _, base := range []struct {
		name  string
		files [][2]string
	}{{"existing", [][2]string{fileA}}, {"new", nil}} {
		t.Run(base.name, func(t *testing.T) {
			// The dataset a commit that was not stopped gives.
			want := filepath.Join(t.TempDir(), "ds")
			ingestAll(t, want, base.files...)
			ws, _ := Open(want)
			var steps []string
			smallParts(ws).failpoint = func(step string) error { steps = append(steps, step); return nil }
			res, err := ws.IngestFile(ctx, in, o)
			if err != nil {
				t.Fatal(err)
			}
			wantRows, wantSrc := rowCounts(t, ws), res.Source
			if len(wantSrc.Parts) < 6 || wantSrc.Quarantine == "" {
				t.Fatalf("%d parts, quarantine %q: the test wants many parts and a quarantine file", len(wantSrc.Parts), wantSrc.Quarantine)
			}

			// A copy of the dataset stopped at each step.
			stopped := map[string]string{}
			dir := filepath.Join(t.TempDir(), "ds")
			ingestAll(t, dir, base.files...)
			s, _ := Open(dir)
			n := 0
			smallParts(s).failpoint = func(step string) error {
				n++
				cp := filepath.Join(t.TempDir(), fmt.Sprintf("stopped-%03d", n))
				copyTree(t, dir, cp)
				stopped[step] = cp
				return nil
			}
			if _, err := s.IngestFile(ctx, in, o); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(rowCounts(t, s), wantRows) {
				t.Fatal("the ingest observed differs from the one not observed")
			}

			repair := func(t *testing.T, dir string) {
				_, err := Repair(dir, now)
				if errors.Is(err, ErrNotDataset) && !fileExistsIn(dir, journalName) {
					// Stopped before its journal, in a new dataset:
					// nothing was placed, nothing to repair.
					return
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			recoveries := []struct {
				name     string
				lostTemp bool // the commit's temporary directory removed (some files in no place)
				recover  func(t *testing.T, dir string)
			}{
				{"open", false, func(t *testing.T, dir string) {
					journal := fileExistsIn(dir, journalName)
					s, err := Open(dir)
					if err != nil {
						t.Fatal(err)
					}
					// What Open did is there for the command to say.
					if rec := s.OpenRecovery(); journal && (rec.Source != wantSrc.Name || rec.SHA256 != wantSrc.SHA256) || !journal && rec.Source != "" {
						t.Fatalf("OpenRecovery %+v (journal %v)", rec, journal)
					}
				}},
				{"ingest", false, func(t *testing.T, dir string) {
					// A store read before the commit stopped: the ingest's
					// own recovery, under the lock, is what sees the journal.
					s := smallParts(&Store{dir: dir, manifest: Manifest{Version: ManifestVersion}})
					if _, err := s.IngestFile(ctx, in, o); err != nil {
						t.Fatal(err)
					}
				}},
				{"repair", false, repair},
				{"open-temp-lost", true, func(t *testing.T, dir string) {
					if _, err := Open(dir); err != nil {
						t.Fatal(err)
					}
				}},
				{"repair-temp-lost", true, repair},
			}
			for _, step := range steps {
				for _, r := range recoveries {
					t.Run(step+"/"+r.name, func(t *testing.T) {
						t.Parallel()
						dir := filepath.Join(t.TempDir(), "ds")
						copyTree(t, stopped[step], dir)
						if r.lostTemp {
							tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
							for _, d := range tmps {
								os.RemoveAll(d)
							}
						}
						r.recover(t, dir)
						// A commit stopped before its journal placed nothing;
						// its temporary directory is the next ingest's to remove.
						checkDataset(t, dir, "after recovery", !fileExistsIn(stopped[step], journalName))
						s, err := Open(dir)
						if err != nil {
							t.Fatal(err)
						}
						if _, err := smallParts(s).IngestFile(ctx, in, o); err != nil {
							t.Fatalf("ingest again: %v", err)
						}
						checkDataset(t, dir, "after ingesting the file again", false)
						s, _ = Open(dir)
						if got := rowCounts(t, s); !maps.Equal(got, wantRows) {
							t.Fatalf("rows stored: %d distinct, want %d (each once)", len(got), len(wantRows))
						}
						src, ok := s.Lookup(wantSrc.SHA256)
						if !ok || src.Accepted != wantSrc.Accepted || src.Rejected != wantSrc.Rejected || len(src.Parts) != len(wantSrc.Parts) ||
							src.Recovered != "" || len(s.Manifest().Sources) != len(base.files)+1 {
							t.Fatalf("source recorded as %+v (found %v), want %d accepted, %d rejected, %d parts, not rebuilt", src, ok,
								wantSrc.Accepted, wantSrc.Rejected, len(wantSrc.Parts))
						}
					})
				}
			}
		})
	}
}

// checkDataset checks that the dataset at dir opens, passes verify with
// nothing unlisted, and holds no commit journal or (unless tmpOK)
// temporary directory.
func checkDataset(t *testing.T, dir, when string, tmpOK bool) {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	rep, err := s.Verify(context.Background())
	if err != nil || len(rep.Bad) > 0 || len(rep.Unlisted) > 0 {
		t.Fatalf("%s: verify: %v, bad %v, unlisted %v", when, err, rep.Bad, rep.Unlisted)
	}
	if fileExistsIn(dir, journalName) {
		t.Fatalf("%s: the commit journal is left", when)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmps) > 0 && !tmpOK {
		t.Fatalf("%s: temporary directories left: %v", when, tmps)
	}
}

// TestKilledCommitRolledBackNote: a commit whose files cannot all be
// placed is rolled back with a note that says why and not to move the
// files back, and the ingest that found it reports where they went.
func TestKilledCommitRolledBackNote(t *testing.T) {
	in := writeFile(t, t.TempDir(), "dump.csv", manyPartsCSV())
	o := opts()
	o.MaxRejectShare = 1
	dir := filepath.Join(t.TempDir(), "ds")
	ingestAll(t, dir, fileA)
	s, _ := Open(dir)
	cp := filepath.Join(t.TempDir(), "ds")
	placed := 0
	smallParts(s).failpoint = func(step string) error {
		if strings.HasPrefix(step, "placed ") {
			if placed++; placed == 5 {
				copyTree(t, dir, cp)
				return errors.New("stop")
			}
		}
		return nil
	}
	if _, err := s.IngestFile(context.Background(), in, o); err == nil {
		t.Fatal("no error from the stopped ingest")
	}
	tmps, _ := filepath.Glob(filepath.Join(cp, ".tmp-*"))
	for _, d := range tmps {
		os.RemoveAll(d)
	}
	s2 := &Store{dir: cp, manifest: Manifest{Version: ManifestVersion}}
	res, err := s2.IngestFile(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyIngested || res.OrphansDir != "orphans/0001" || len(res.Orphaned) != 5 {
		t.Fatalf("ingest after the rollback: already %v, orphans %q %v", res.AlreadyIngested, res.OrphansDir, res.Orphaned)
	}
	note, err := os.ReadFile(filepath.Join(cp, "orphans", "0001", "NOTE.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dump.csv", "could not be completed", "not recorded", "Do not move them back"} {
		if !strings.Contains(string(note), want) {
			t.Errorf("note lacks %q:\n%s", want, note)
		}
	}
	checkDataset(t, cp, "after the ingest", false)
}
