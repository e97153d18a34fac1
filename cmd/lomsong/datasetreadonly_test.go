package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ingest, retract and repair by a user who may read the dataset but not
// write it are refused saying so and who may; they said "open DS/.lock:
// permission denied", the lock file being the first thing written. The
// dataset is unchanged.
func TestDatasetWriteByAReader(t *testing.T) {
	dir, ds, reader := readerOfDataset(t, nil)
	src, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "september.csv")
	if err := os.WriteFile(in, []byte(strings.ReplaceAll(string(src), "2026-10-", "2026-09-")), 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", "--dataset", ds, in},
		{"dataset", "retract", ds, "villages.csv"},
		{"dataset", "repair", ds},
	} {
		_, errs, code := reader(args...)
		if code != exitFailure || !strings.Contains(errs, "this user may not write to it") || !strings.Contains(errs, "run them as its owner") {
			t.Errorf("%s by a reader: exit %d\n%s", strings.Join(args[:2], " "), code, errs)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(ds, "manifest.json")); string(after) != string(before) {
		t.Error("the manifest changed")
	}
}
