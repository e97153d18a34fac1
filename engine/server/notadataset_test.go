package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
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
}
