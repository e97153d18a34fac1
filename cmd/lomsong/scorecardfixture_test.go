package main

import (
	"path/filepath"
	"testing"
)

// subscriptionsDataset writes subscriptions, a subscriptions table, as
// subscriptions.csv and each further file (name, text) into a new
// temporary folder, and ingests them in one lomsong ingest into the
// dataset ds there; it returns the folder and the dataset.
func subscriptionsDataset(t *testing.T, subscriptions string, files ...[2]string) (dir, ds string) {
	t.Helper()
	dir = t.TempDir()
	ds = filepath.Join(dir, "ds")
	args := []string{"ingest", "--dataset", ds, writeFile(t, dir, "subscriptions.csv", []byte(subscriptions))}
	for _, f := range files {
		args = append(args, writeFile(t, dir, f[0], []byte(f[1])))
	}
	if _, errs, code := runCmd(t, args...); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	return dir, ds
}
