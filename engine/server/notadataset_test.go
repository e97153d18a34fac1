package server

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUsersRefuseAFolderNotADataset: users add (and serve) on a folder
// holding files but no dataset — a demo's output, whose dataset is in
// dataset/ — is refused, naming the dataset inside; an empty folder (a new
// dataset) and a dataset's own folder are taken. It made DIR/serve there
// and printed a token, exit 0.
func TestUsersRefuseAFolderNotADataset(t *testing.T) {
	ctx := context.Background()
	demo := t.TempDir()
	os.WriteFile(filepath.Join(demo, "report.html"), []byte("<html></html>"), 0o644)
	os.MkdirAll(filepath.Join(demo, "dataset"), 0o755)
	os.WriteFile(filepath.Join(demo, "dataset", "manifest.json"), []byte(`{"version": 1}`), 0o644)
	_, _, err := AddUser(ctx, demo, NewUser{Name: "cuc", Role: RoleMinistry}, time.Now())
	if !errors.Is(err, ErrNotADataset) || !strings.Contains(err.Error(), filepath.Join(demo, "dataset")) {
		t.Fatalf("users add on a demo's output: %v", err)
	}
	if _, err := os.Stat(filepath.Join(demo, StateDir)); err == nil {
		t.Error("the refused folder got a service state")
	}
	if _, err := New(ctx, Options{Dataset: demo, Logger: quietLogger()}); !errors.Is(err, ErrNotADataset) {
		t.Errorf("serve on a demo's output: %v", err)
	}
	for _, dir := range []string{t.TempDir(), filepath.Join(demo, "dataset")} {
		if _, _, err := AddUser(ctx, dir, NewUser{Name: "cuc", Role: RoleMinistry}, time.Now()); err != nil {
			t.Errorf("users add on %s: %v", dir, err)
		}
	}
}

// A dataset whose manifest.json cannot be read is refused by users add
// and serve, with its repair, and gets no service state: both started on
// 200 random bytes as on a dataset, exit 0.
func TestUsersRefuseADamagedManifest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("\x00\xffnot json"), 0o644)
	_, _, err := AddUser(ctx, dir, NewUser{Name: "cuc", Role: RoleMinistry}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "lomsong dataset repair") {
		t.Fatalf("users add on a damaged manifest: %v", err)
	}
	if _, err := New(ctx, Options{Dataset: dir, Logger: quietLogger()}); err == nil || !strings.Contains(err.Error(), "malformed manifest") {
		t.Errorf("serve on a damaged manifest: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, StateDir)); err == nil {
		t.Error("the refused dataset got a service state")
	}
	// users ls too (it said "no users"), and on a folder that is no
	// dataset; an empty folder has no users, said as such.
	if _, err := ListUsers(ctx, dir); err == nil || !strings.Contains(err.Error(), "lomsong dataset repair") {
		t.Errorf("users ls on a damaged manifest: %v", err)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("hi"), 0o644)
	if _, err := ListUsers(ctx, other); !errors.Is(err, ErrNotADataset) {
		t.Errorf("users ls on a folder that is no dataset: %v", err)
	}
	if us, err := ListUsers(ctx, t.TempDir()); err != nil || len(us) != 0 {
		t.Errorf("users ls on an empty folder: %v %v", us, err)
	}
}

// A dataset on a file system mounted read-only is refused saying so, as
// ingest says it (it said "this user may not write to it", sending root
// looking for another user).
func TestNotWritableSaysReadOnly(t *testing.T) {
	err := notWritable("DS", &fs.PathError{Op: "mkdir", Path: "DS/serve", Err: syscall.EROFS}, "DS/serve", "lomsong serve keeps", "run it")
	if msg := err.Error(); !strings.Contains(msg, "its file system is mounted read-only: run it once it is mounted read-write") ||
		strings.Contains(msg, "may not write") || !strings.Contains(msg, "lomsong serve keeps the service's state in DS/serve") {
		t.Errorf("read-only: %s", msg)
	}
	err = notWritable("DS", &fs.PathError{Op: "mkdir", Path: "DS/serve", Err: syscall.EACCES}, "DS/serve", "lomsong serve keeps", "run it")
	if msg := err.Error(); !strings.Contains(msg, "this user may not write to it: run it as its owner") {
		t.Errorf("no write access: %s", msg)
	}
}
