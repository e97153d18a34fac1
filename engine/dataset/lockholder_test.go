package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lomsong/lomsong/internal/flock"
)

// TestLockHolderProcess is not a test of its own: run by TestLockNamesHolder
// as another process, it takes the lock of the dataset named in
// LOMSONG_TEST_LOCK_DIR, says so, and holds it until its stdin closes.
func TestLockHolderProcess(t *testing.T) {
	dir := os.Getenv("LOMSONG_TEST_LOCK_DIR")
	if dir == "" {
		t.Skip("run by TestLockNamesHolder")
	}
	f, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// A writer refused because another process holds the dataset names that
// process: its PID, its command and since when. It said only which
// commands write a dataset. A record left by a process that has ended, or
// that does not parse, is not named: the refusal says what it said before.
func TestLockNamesHolder(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$")
	cmd.Env = append(os.Environ(), "LOMSONG_TEST_LOCK_DIR="+dir)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		in.Close()
		cmd.Wait()
		t.Fatalf("holder process: %q %v", line, err)
	}
	pid := cmd.Process.Pid
	_, err = lock(dir)
	want := fmt.Sprintf("(held by PID %d, %s '-test.run=^TestLockHolderProcess$', since ", pid, filepath.Base(os.Args[0]))
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), " UTC): nothing was changed; run this again once it has finished") {
		t.Errorf("lock held by process %d: %v\nwant it to contain %q", pid, err, want)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holder process: %v", err)
	}

	// The holder has ended without releasing the lock (it closed the file,
	// as a killed process's is closed): its record stays in the file while
	// another (here a lock taken without one) holds the lock.
	generic := "(lomsong ingest, lomsong dataset, or lomsong serve certifying a submission): nothing was changed"
	path := filepath.Join(dir, ".lock")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), fmt.Sprintf(`"pid":%d`, pid)) {
		t.Fatalf("lock file after the holder ended: %q %v", b, err)
	}
	held, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := flock.Wait(held, syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, content string }{
		{"a record of an ended process", string(b)},
		{"an empty file", ""},
		{"a file that does not parse", "1234 lomsong ingest\n"},
		{"a record of another command's PID", fmt.Sprintf(`{"pid":%d,"args":["lomsong","ingest"],"since":"2026-01-02T03:04:05Z"}`, os.Getpid())},
	} {
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := lock(dir); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), generic) || strings.Contains(err.Error(), "held by") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// The holder's command is cut to holderCommandMax characters, control
// characters are written as spaces, and the date is given when the lock
// was not taken today.
func TestLockHolderDescribe(t *testing.T) {
	now := time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)
	h := lockHolder{PID: 42, Args: []string{"/usr/local/bin/lomsong", "ingest", "--dataset", "bộ dữ liệu", "a\nb.csv"}, Since: time.Date(2026, 12, 6, 22, 51, 3, 0, time.UTC)}
	if got, want := h.describe(now), "held by PID 42, lomsong ingest --dataset 'bộ dữ liệu' 'a b.csv', since 22:51:03 UTC"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	h.Since = h.Since.AddDate(0, 0, -1)
	h.Args = append(h.Args, strings.Repeat("x.csv ", 40))
	got := h.describe(now)
	if !strings.HasSuffix(got, "…, since 2026-12-05 22:51:03 UTC") || len([]rune(strings.TrimSuffix(strings.TrimPrefix(got, "held by PID 42, "), ", since 2026-12-05 22:51:03 UTC"))) > holderCommandMax {
		t.Errorf("got %s", got)
	}
}

// A lock released empties its record: the next refusal names no one that
// no longer holds it, and the record takes no room on the disk.
func TestUnlockEmptiesRecord(t *testing.T) {
	dir := t.TempDir()
	f, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".lock")); !strings.Contains(string(b), fmt.Sprintf(`"pid":%d`, os.Getpid())) {
		t.Fatalf("while held: %q", b)
	}
	unlock(f)
	if b, err := os.ReadFile(filepath.Join(dir, ".lock")); err != nil || len(b) != 0 {
		t.Errorf("after unlock: %q %v", b, err)
	}
}
