package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// stoppedRetraction leaves the dataset as a retraction of its one source
// killed after its first file moved: the journal written, one file in
// retracted/0001, the manifest still listing the source.
func stoppedRetraction(t *testing.T) (*Store, Source) {
	t.Helper()
	s, _, res := ingestedStore(t, "m.csv")
	src := res.Source
	var files []string
	for _, p := range src.Parts {
		files = append(files, p.Path)
	}
	files = append(files, src.Quarantine)
	j := retractJournal{SHA256: src.SHA256, Name: src.Name, Dir: "retracted/0001", Files: files, Note: "retracted for the test\n"}
	if err := writeFileAtomic(filepath.Join(s.Dir(), retractJournalName), mustJSONValue(j)); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(s.Dir(), "retracted", "0001", filepath.FromSlash(files[0]))
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(s.Dir(), filepath.FromSlash(files[0])), to); err != nil {
		t.Fatal(err)
	}
	return s, src
}

// wantRetracted checks the retraction completed: the source out of the
// manifest, every file of it in retracted/0001 beside its NOTE, no second
// folder, the journal gone.
func wantRetracted(t *testing.T, dir string, src Source) {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(s.Manifest().Sources, func(x Source) bool { return x.SHA256 == src.SHA256 }) {
		t.Error("the source is still in the manifest")
	}
	for _, p := range append([]string{"NOTE.txt", src.Quarantine}, func() (out []string) {
		for _, p := range src.Parts {
			out = append(out, p.Path)
		}
		return
	}()...) {
		if _, err := os.Stat(filepath.Join(dir, "retracted", "0001", filepath.FromSlash(p))); err != nil {
			t.Errorf("retracted/0001/%s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "retracted", "0002")); err == nil {
		t.Error("a second retracted folder")
	}
	if fileExistsIn(dir, retractJournalName) {
		t.Error("the journal is left")
	}
	if rep, err := s.Verify(t.Context()); err != nil || len(rep.Bad) > 0 || len(rep.Unlisted) > 0 {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

// A retraction killed between its first move and its manifest left a
// manifest naming moved parts (dataset ls showed the source whole), its
// NOTE listing files not yet moved, and a second retract split the
// files over two folders. Its journal now lets the next open, ingest,
// retract or repair complete it into its folder.
func TestRetractStoppedIsCompleted(t *testing.T) {
	t.Run("open", func(t *testing.T) {
		s, src := stoppedRetraction(t)
		o, err := Open(s.Dir())
		if err != nil {
			t.Fatal(err)
		}
		if got := o.OpenRecovery(); got.Retracted != src.Name || len(got.Pending) > 0 {
			t.Errorf("open: %+v", got)
		}
		wantRetracted(t, s.Dir(), src)
		if b, err := os.ReadFile(filepath.Join(s.Dir(), "retracted", "0001", "NOTE.txt")); err != nil || !strings.Contains(string(b), "retracted for the test") {
			t.Errorf("NOTE.txt: %q %v", b, err)
		}
	})
	t.Run("repair", func(t *testing.T) {
		s, src := stoppedRetraction(t)
		rep, err := Repair(s.Dir(), now)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Retracted != src.Name || len(rep.Missing) > 0 {
			t.Errorf("repair: %+v", rep)
		}
		wantRetracted(t, s.Dir(), src)
	})
	t.Run("retract again", func(t *testing.T) {
		s, src := stoppedRetraction(t)
		if _, err := Retract(s.Dir(), src.SHA256, "again", now); err == nil {
			t.Error("a second retract of the source the first completed: want no source")
		}
		wantRetracted(t, s.Dir(), src)
	})
}

// A whole retraction leaves no journal, and its NOTE lists the files.
func TestRetractLeavesNoJournal(t *testing.T) {
	s, _, res := ingestedStore(t, "m.csv")
	rep, err := Retract(s.Dir(), res.Source.SHA256, "test", now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dir != "retracted/0001" || fileExistsIn(s.Dir(), retractJournalName) {
		t.Errorf("dir %s, journal left %v", rep.Dir, fileExistsIn(s.Dir(), retractJournalName))
	}
	wantRetracted(t, s.Dir(), res.Source)
}

// A file system mounted read-only is said as such, not as a matter of
// the dataset's owner (root was told to run as the owner).
func TestNotWritableAdvice(t *testing.T) {
	ro := &os.PathError{Op: "open", Path: "ds/.lock", Err: syscall.EROFS}
	denied := &os.PathError{Op: "open", Path: "ds/.lock", Err: syscall.EACCES}
	if !IsNotWritable(ro) || !IsNotWritable(denied) {
		t.Fatal("IsNotWritable")
	}
	if got := NotWritableAdvice(ro, "run it"); !strings.Contains(got, "mounted read-only") || strings.Contains(got, "owner") {
		t.Errorf("read-only: %q", got)
	}
	if got := NotWritableAdvice(denied, "run it"); got != "this user may not write to it: run it as its owner" {
		t.Errorf("denied: %q", got)
	}
}

// A journal Open cannot complete is named with why: a full disk was told
// "no write access to the dataset". Here the dataset is mounted
// read-only (a bind mount: the test needs the privilege, and skips
// without).
func TestPendingJournalSaysWhy(t *testing.T) {
	s, _ := stoppedRetraction(t)
	dir := s.Dir()
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount (%v): run as root to test a read-only dataset", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("cannot remount read-only (%v)", err)
	}
	o, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := o.OpenRecovery()
	if len(got.Pending) != 1 || !strings.Contains(got.Pending[0], "a retraction") || !got.PendingRetraction || got.PendingCause != "its file system is mounted read-only" {
		t.Errorf("pending %q, cause %q; want the retraction, left as its file system is mounted read-only", got.Pending, got.PendingCause)
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, "no space left on device"},
		{&os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, "no space left on device"},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EACCES}, "no write access to the dataset"},
		{&os.PathError{Op: "open", Path: "x", Err: syscall.EROFS}, "its file system is mounted read-only"},
	} {
		if got := pendingCause(c.err); got != c.want {
			t.Errorf("pendingCause(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// Files moved aside by a run stopped before its end are never left
// without a NOTE.txt: one saying they were being moved is written before
// the first move (a repair killed half-way left 21 files in orphans/0001
// with none). Here the run stops at a file that is gone.
func TestMoveAsideStoppedLeavesANote(t *testing.T) {
	s, src := stoppedRetraction(t)
	// stoppedRetraction moved the source's first file already; its other
	// files are in place.
	files := []string{src.Parts[len(src.Parts)-1].Path, "measurements/gone.parquet", src.Quarantine}
	if _, err := s.moveAside(orphansDir, files, "why: a test\n"); err == nil {
		t.Fatal("a file that is gone was moved")
	}
	notes, _ := filepath.Glob(filepath.Join(s.Dir(), orphansDir, "*", "NOTE.txt"))
	if len(notes) != 1 {
		t.Fatalf("notes: %v", notes)
	}
	b, err := os.ReadFile(notes[0])
	if err != nil || !strings.HasPrefix(string(b), "why: a test\n") || !strings.Contains(string(b), "was not moved, the run that moved them having stopped before its end") {
		t.Errorf("NOTE.txt of a stopped move: %q (%v)", b, err)
	}
	moved := filepath.Join(filepath.Dir(notes[0]), filepath.FromSlash(files[0]))
	if _, err := os.Stat(moved); err != nil {
		t.Errorf("the first file was not moved: %v", err)
	}
}
