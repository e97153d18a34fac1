package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An --out folder inside the dataset is a usage error naming both, before
// anything is read or written: lomsong run --out DATASET/stages/x wrote
// its tables among the saved stages, and dataset verify then listed them
// as strays "the next save of their stage removes" (none does); under a
// data folder they were data files missing from the manifest, which
// dataset repair moves to orphans/.
func TestOutInsideTheDatasetRefused(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	link := filepath.Join(dir, "ds-link")
	if err := os.Symlink(ds, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
	}{
		{"run", []string{"run", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(ds, "stages", "x")}},
		{"run into the dataset", []string{"run", "--dataset", ds, "--period", "2026-10", "--out", ds}},
		{"run through a link", []string{"run", "--dataset", link, "--period", "2026-10", "--out", filepath.Join(ds, "out")}},
		{"deadzones", []string{"deadzones", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(ds, "measurements", "dz")}},
		{"plan", []string{"plan", "--dataset", ds, "--period", "2026-10", "--budget", "5e10", "--out", filepath.Join(ds, "plan")}},
		{"coverage", []string{"coverage", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(ds, "cov")}},
		{"scorecard", []string{"scorecard", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(ds, "sc")}},
		{"report", []string{"report", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(ds, "rep")}},
		{"aggregate", []string{"aggregate", "--dataset", ds, "--out", filepath.Join(ds, "agg")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs, code := runCmd(t, c.args...)
			if code != exitUsage || !strings.Contains(errs, "is inside the dataset") {
				t.Fatalf("%v: %d\n%s", c.args, code, errs)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(ds, "stages")); !os.IsNotExist(err) {
		t.Fatalf("the refused commands wrote into the dataset: %v", err)
	}
	// Beside the dataset is fine.
	if _, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "ds-out")); code != exitOK {
		t.Fatalf("run --out beside the dataset: %d\n%s", code, errs)
	}
}
