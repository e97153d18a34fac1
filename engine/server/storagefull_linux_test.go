package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A full disk is the operator's to fix, never the carrier's fault: an
// upload that finds no room is 507 saying nothing was kept (it was a bare
// 500 "internal error"), a validation that runs out of room goes back to
// the queue and is validated once there is room again (it failed the
// submission for good, error_code service, its carrier left to send the
// file again), and a certification is 507 with the submission still
// accepted. The dataset sits on a small tmpfs, so the test needs the
// privilege to mount one (root in a container, say); it skips without.
func TestFullDiskLosesNoSubmission(t *testing.T) {
	f := world(t)
	data := f.measurements["viettel"]
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (%v): run as root to test a full disk", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	dir := filepath.Join(mnt, "ds")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, tok, err := AddUser(ctx, dir, NewUser{Name: "vt", Role: RoleCarrier, Carrier: "viettel"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	s, err := New(ctx, Options{Dataset: dir, Logger: slog.New(slog.NewJSONHandler(logs, nil)), RatePerSecond: 1e6, Burst: 1 << 20,
		StorageRetry: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	ts := &testService{s: s, ts: srv, dir: dir, tokens: map[string]string{"vt": tok}}

	// fill takes every free byte of the file system but keep. The
	// service's state database needs a few pages to record what happens;
	// the validation's and the certification's Parquet part (46 kB) does
	// not fit in roomForTheState.
	const roomForTheState = 24 << 10
	filler := filepath.Join(mnt, "filler")
	fill := func(keep int64) {
		t.Helper()
		os.Remove(filler)
		var st syscall.Statfs_t
		if err := syscall.Statfs(mnt, &st); err != nil {
			t.Fatal(err)
		}
		free := int64(st.Bavail)*st.Bsize - keep
		if err := os.WriteFile(filler, make([]byte, max(free, 0)), 0o644); err != nil && !errors.Is(err, syscall.ENOSPC) {
			t.Fatal(err)
		}
	}
	full := func(what string, code int, b []byte) {
		t.Helper()
		if code != http.StatusInsufficientStorage || !strings.Contains(string(b), "no space left on device") ||
			!strings.Contains(string(b), "operator has been told") || strings.Contains(string(b), mnt) {
			t.Errorf("%s on a full disk: %d %s, want 507 saying there is no space, without the service's paths", what, code, b)
		}
	}

	fill(0)
	code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements&name=vt.csv", "/api/v1/submissions", strings.NewReader(string(data)), "text/csv")
	full("an upload", code, b)
	if left := ts.spoolEntries(t); len(left) != 0 {
		t.Errorf("the refused upload left %v in the spool", left)
	}

	os.Remove(filler)
	id := ts.submit(t, "vt", "measurements", "vt.csv", data)
	if sub := ts.wait(t, "vt", id); sub.Status != "accepted" {
		t.Fatalf("with room: %+v", sub)
	}
	// Validated again on a full disk (as after a restart that found it
	// validating): back to the queue, not failed.
	if err := os.RemoveAll(filepath.Join(dir, StateDir, "submissions", fmt.Sprint(id))); err != nil {
		t.Fatal(err)
	}
	fill(roomForTheState)
	if _, err := s.db.Exec(`UPDATE submissions SET status = 'queued' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	waitLog(t, logs, "the submission goes back to the queue and validation resumes later")
	var status, code2 string
	var attempts int
	if err := s.db.QueryRow(`SELECT status, error_code, attempts FROM submissions WHERE id = ?`, id).Scan(&status, &code2, &attempts); err != nil {
		t.Fatal(err)
	}
	if status != "queued" || code2 != "" || attempts != 1 {
		t.Errorf("a validation on a full disk left the submission %s (error_code %q, attempts %d), want queued, no error, attempts 1", status, code2, attempts)
	}
	os.Remove(filler)
	if sub := ts.wait(t, "vt", id); sub.Status != "accepted" {
		t.Fatalf("once there is room again: %+v", sub)
	}

	// No room even for the service's own records (its state database's
	// write before the dataset's): 507 too, not 500 "internal error".
	fill(0)
	code, b = ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
	full("a certification with no room for the service's records", code, b)
	if sub := ts.wait(t, "vt", id); sub.Status != "accepted" {
		t.Fatalf("after a certification with no room for the records: %+v", sub)
	}
	fill(roomForTheState)
	code, b = ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
	full("a certification", code, b)
	if sub := ts.wait(t, "vt", id); sub.Status != "accepted" {
		t.Fatalf("after a certification on a full disk: %+v", sub)
	}
	os.Remove(filler)
	code, b = ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
	var sub Submission
	json.Unmarshal(b, &sub)
	if code != http.StatusOK || sub.Status != "certified" {
		t.Fatalf("certify once there is room: %d %s", code, b)
	}
}
