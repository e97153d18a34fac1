package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A demo's output folder given for its dataset (OUT instead of
// OUT/dataset) was told "no sites in the dataset: ingest a site register
// first (lomsong ingest --dataset OUT sites.csv)"; the folder above it,
// with --out beside OUT, was "a dataset" --out lay inside. Both are no
// dataset (exit 3), and the message names the one inside.
func TestBinaryNoDatasetHere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	top := filepath.Join(dir, "demo")
	ds := filepath.Join(top, "dataset")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"deadzones", "--dataset", top, "--out", filepath.Join(dir, "out")}, top + ": no dataset here: manifest.json missing from the dataset; the dataset is " + ds},
		{[]string{"coverage", "--dataset", dir, "--out", filepath.Join(dir, "out")}, dir + ": no dataset here"},
		{[]string{"aggregate", "--dataset", top, "--out", filepath.Join(dir, "out")}, "the dataset is " + ds},
	} {
		_, errs, code := runBinary(t, c.args...)
		if code != exitDataRefused || !strings.Contains(errs, c.want) || strings.Contains(errs, "inside the dataset") || strings.Contains(errs, "ingest a site register") {
			t.Errorf("%s: exit %d (want %d), want %q in\n%s", strings.Join(c.args, " "), code, exitDataRefused, c.want, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("--out made: %v", err)
	}
}
