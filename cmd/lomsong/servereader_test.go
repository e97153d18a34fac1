package main

import (
	"strings"
	"testing"
)

// lomsong serve and lomsong users run by a user who may read the dataset
// but not write it (or on a read-only file system) are refused saying so
// and who may, as ingest is: they said "mkdir DS/serve: permission
// denied", "serve: locking DS/serve/serve.lock: permission denied" or
// "sqlite DS/serve/state.db: attempt to write a readonly database".
func TestServeAndUsersByAReader(t *testing.T) {
	check := func(t *testing.T, reader func(args ...string) (string, string, int), ds string) {
		t.Helper()
		for _, args := range [][]string{
			{"serve", "--dataset", ds, "--listen", "127.0.0.1:0"},
			{"users", "add", "--dataset", ds, "--role", "ministry", "alice"},
		} {
			_, errs, code := reader(args...)
			if code != exitFailure || !strings.Contains(errs, "dataset "+ds+": this user may not write to it") ||
				!strings.Contains(errs, "as its owner") {
				t.Errorf("%s by a reader: exit %d\n%s", strings.Join(args[:2], " "), code, errs)
			}
		}
	}
	t.Run("no service state yet", func(t *testing.T) {
		_, ds, reader := readerOfDataset(t, nil)
		check(t, reader, ds)
		// Nothing to list: said so, nothing created.
		if out, errs, code := reader("users", "ls", "--dataset", ds); code != exitOK || !strings.Contains(out, "no users") {
			t.Errorf("users ls by a reader: exit %d\n%s%s", code, out, errs)
		}
	})
	t.Run("service state made by the owner", func(t *testing.T) {
		_, ds, reader := readerOfDataset(t, func(ds string) {
			if _, errs, code := runCmd(t, "users", "add", "--dataset", ds, "--role", "ministry", "bob"); code != exitOK {
				t.Fatalf("users add as the owner: %d\n%s", code, errs)
			}
		})
		check(t, reader, ds)
		_, errs, code := reader("users", "ls", "--dataset", ds)
		if code != exitFailure || !strings.Contains(errs, "this user may not write to it") || strings.Contains(errs, "readonly database") {
			t.Errorf("users ls by a reader: exit %d\n%s", code, errs)
		}
	})
}
