package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func TestStageSaveLoadVerify(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	ref := StageRef{Period: "2026-09", Stage: "measure", Carrier: "viettel"}
	k1, k2 := strings.Repeat("a1", 32), strings.Repeat("b2", 32)
	if _, err := s.LoadStage(ref, k1); !errors.Is(err, ErrNoStage) {
		t.Fatalf("nothing saved: %v, want ErrNoStage", err)
	}
	rec, err := s.SaveStage(ref, k1, []string{"part x"}, []StageWrite{{Name: "a.bin", Write: writeString("hello")}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Dir != "stages/period=2026-09/measure/carrier=viettel/"+k1[:16] || len(rec.Files) != 1 || rec.Files[0].Bytes != 5 {
		t.Fatalf("record %+v", rec)
	}
	checkStageReadable(t, s, rec)
	got, err := s.LoadStage(ref, k1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.OpenStageFile(got, "a.bin")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "hello" {
		t.Fatalf("read %q", b)
	}
	// Another key is not reused; outputs of other keys are kept up to
	// keepStageOutputs, the oldest removed first.
	if _, err := s.LoadStage(ref, k2); !errors.Is(err, ErrNoStage) {
		t.Fatalf("other key: %v, want ErrNoStage", err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(s.Dir(), filepath.FromSlash(rec.Dir), "stage.json"), old, old); err != nil {
		t.Fatal(err)
	}
	for i := range keepStageOutputs {
		k := strings.Repeat(fmt.Sprintf("%02x", 0x30+i), 32)
		if _, err := s.SaveStage(ref, k, nil, []StageWrite{{Name: "a.bin", Write: writeString("x")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadStage(ref, k1); (err == nil) != (i < keepStageOutputs-1) {
			t.Fatalf("after %d more outputs, the oldest: %v", i+1, err)
		}
	}
	if _, err := s.SaveStage(ref, k2, nil, []StageWrite{{Name: "a.bin", Write: writeString("world!")}}); err != nil {
		t.Fatal(err)
	}
	for i := range keepStageOutputs {
		k := strings.Repeat(fmt.Sprintf("%02x", 0x30+i), 32)
		os.RemoveAll(filepath.Join(s.Dir(), "stages/period=2026-09/measure/carrier=viettel", k[:16]))
	}
	// A file whose writer fails leaves nothing behind and the saved output as it was.
	boom := errors.New("boom")
	if _, err := s.SaveStage(ref, k1, nil, []StageWrite{{Name: "a.bin", Write: func(io.Writer) error { return boom }}}); !errors.Is(err, boom) {
		t.Fatalf("failing writer: %v", err)
	}
	if _, err := s.LoadStage(ref, k2); err != nil {
		t.Fatalf("output lost by a failed save: %v", err)
	}
	rep, err := s.Verify(context.Background())
	if err != nil || rep.Stages != 1 || rep.StageFiles != 1 || len(rep.Bad) != 0 || len(rep.StageStrays) != 0 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	// Files no stage.json lists — an output whose stage.json is gone, a
	// file added to a listed one — are told, not taken for outputs.
	parent := filepath.Join(s.Dir(), "stages/period=2026-09/measure/carrier=viettel")
	os.MkdirAll(filepath.Join(parent, "0123456789abcdef"), 0o755)
	os.WriteFile(filepath.Join(parent, "0123456789abcdef", "output.gob"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(parent, k2[:16], "extra.bin"), []byte("y"), 0o644)
	rep, err = s.Verify(context.Background())
	wantStrays := []string{"stages/period=2026-09/measure/carrier=viettel/0123456789abcdef/output.gob",
		"stages/period=2026-09/measure/carrier=viettel/" + k2[:16] + "/extra.bin"}
	slices.Sort(wantStrays)
	if err != nil || rep.Stages != 1 || len(rep.Bad) != 0 || !slices.Equal(rep.StageStrays, wantStrays) {
		t.Fatalf("verify with strays: %+v, %v; want strays %v", rep, err, wantStrays)
	}
	os.RemoveAll(filepath.Join(parent, "0123456789abcdef"))
	os.Remove(filepath.Join(parent, k2[:16], "extra.bin"))
	// A flipped byte is caught by readers and Verify, naming the file and
	// its stage.json (not the manifest, which does not list it).
	p := filepath.Join(s.Dir(), "stages/period=2026-09/measure/carrier=viettel", k2[:16], "a.bin")
	if err := os.WriteFile(p, []byte("World!"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadStage(ref, k2); !errors.Is(err, ErrCorruptPart) || !errors.Is(err, ErrCorruptStage) || !strings.Contains(err.Error(), "a.bin") ||
		!strings.Contains(err.Error(), "does not match its stage.json") || strings.Contains(err.Error(), "manifest") {
		t.Fatalf("corrupt file: %v", err)
	}
	rep, err = s.Verify(context.Background())
	if err != nil || len(rep.Bad) != 1 || !strings.HasSuffix(rep.Bad[0].Path, "/a.bin") {
		t.Fatalf("verify of a corrupt file: %+v, %v", rep, err)
	}
	// A directory where the file was is damage too (it failed every
	// later run with "is a directory"), and a save replaces it.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadStage(ref, k2); !errors.Is(err, ErrCorruptPart) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("a directory for the file: %v", err)
	}
	if _, err := s.SaveStage(ref, k2, nil, []StageWrite{{Name: "a.bin", Write: writeString("world!")}}); err != nil {
		t.Fatalf("saving over a damaged output: %v", err)
	}
	if _, err := s.LoadStage(ref, k2); err != nil {
		t.Fatalf("after the save: %v", err)
	}
	// Bad refs and keys are refused.
	for _, r := range []StageRef{{Period: "2026-13", Stage: "x"}, {Period: "2026-01", Stage: "../x"}, {Period: "2026-01", Stage: ""}} {
		if _, err := s.SaveStage(r, k1, nil, nil); err == nil {
			t.Errorf("ref %+v accepted", r)
		}
	}
	if _, err := s.SaveStage(ref, "abc", nil, nil); err == nil {
		t.Error("short key accepted")
	}
}

func TestScansCounted(t *testing.T) {
	s := scanStore(t, 3000, 500)
	if st := s.Scans(); st.Scans != 0 || st.Rows != 0 {
		t.Fatalf("fresh store: %+v", st)
	}
	if err := s.ScanMeasurementsParallel(context.Background(), nil, nil, 2, func(int, *engine.MeasurementBatch) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ScanMeasurements(context.Background(), []string{"1999-01"}, nil, func(*engine.MeasurementBatch) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if st := s.Scans(); st.Scans != 1 || st.Rows != 3000 {
		t.Fatalf("after one scan and one of nothing: %+v", st)
	}
}

// Runs of one dataset at once save the same stages: saves through two
// stores (two processes) of one stage, with the same keys and others, all
// succeed and leave loadable outputs (a save's sweep removed the other's
// save in progress, and two renames onto one key raced).
func TestStageSavesAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
	}
	ref := StageRef{Period: "2026-09", Stage: "coverage"}
	errs := make(chan error, 64)
	done := make(chan bool)
	for g := range 8 {
		go func() {
			defer func() { done <- true }()
			for i := range 8 {
				key := strings.Repeat(fmt.Sprintf("%02x", (g+i)%5), 32)
				big := strings.Repeat("x", 1<<16)
				if _, err := stores[g%2].SaveStage(ref, key, nil, []StageWrite{{Name: "a.bin", Write: writeString(big)}, {Name: "b.bin", Write: writeString(key)}}); err != nil {
					errs <- err
					return
				}
				if _, err := stores[(g+1)%2].LoadStage(ref, key); err != nil && !errors.Is(err, ErrNoStage) {
					errs <- fmt.Errorf("load: %w", err)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	key := strings.Repeat("04", 32)
	if _, err := stores[0].SaveStage(ref, key, nil, []StageWrite{{Name: "a.bin", Write: writeString("last")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[1].LoadStage(ref, key); err != nil {
		t.Fatal(err)
	}
}

// checkStageReadable: a saved output's folder is 0755 (not the 0700 of
// os.MkdirTemp) and its files are as readable as a file the process
// creates (the parts', 0644 under the usual umask), so that another user
// of a shared dataset can read it back.
func checkStageReadable(t *testing.T, s *Store, rec StageRecord) {
	t.Helper()
	dir := filepath.Join(s.Dir(), filepath.FromSlash(rec.Dir))
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Fatalf("saved stage folder %s has mode %v, want 0755", rec.Dir, fi.Mode().Perm())
	}
	ref, err := os.Create(filepath.Join(t.TempDir(), "ref"))
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	rfi, err := os.Stat(ref.Name())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{stageRecordName}
	for _, f := range rec.Files {
		names = append(names, f.Name)
	}
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if want := rfi.Mode().Perm() & 0o044; fi.Mode().Perm()&want != want {
			t.Fatalf("saved stage file %s has mode %v, want at least the read bits %v", n, fi.Mode().Perm(), want)
		}
	}
}
