package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/flock"
)

// An ingest or a retract while another writes the dataset is refused
// saying what holds it and what to do; it said "dataset DS: dataset is
// locked by another ingest", also for a retract. The dataset is unchanged.
func TestDatasetWriteWhileLocked(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	before, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	lock, err := flock.TryLock(filepath.Join(ds, ".lock")) // as another lomsong ingest holds it
	if err != nil {
		t.Fatal(err)
	}
	defer flock.Unlock(lock)
	for _, args := range [][]string{
		{"ingest", "--dataset", ds, filepath.Join(examples, "measurements_viettel.csv")},
		{"dataset", "retract", ds, "sites.csv"},
	} {
		_, errs, code := runBinary(t, args...)
		if code != exitFailure || !strings.Contains(errs, "another ingest, retract or repair is writing it") ||
			!strings.Contains(errs, "nothing was changed; run this again once it has finished") {
			t.Errorf("%s while the dataset is locked: exit %d\n%s", strings.Join(args[:2], " "), code, errs)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(ds, "manifest.json")); string(after) != string(before) {
		t.Error("the manifest changed")
	}
}
