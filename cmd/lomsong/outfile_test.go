package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutIsAFile: population, coverage and aggregate given an --out that
// is a file (or lies under one) refuse it as a usage error (exit 2)
// before any work, and leave the file as it was; they computed
// everything, then failed with exit 1 ("mkdir …: not a directory").
func TestOutIsAFile(t *testing.T) {
	ds := exampleDataset(t)
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", []byte("field notes\n"))
	points := writeFile(t, dir, "points.csv", []byte("lon,lat,population\n103.30,22.45,120\n"))
	for _, out := range []string{notes, filepath.Join(notes, "sub")} {
		for _, args := range [][]string{
			{"population", "--points", points, "--out", out},
			{"coverage", "--dataset", ds, "--out", out},
			{"aggregate", "--dataset", ds, "--out", out},
		} {
			stdout, errs, code := runCmd(t, args...)
			if code != exitUsage || !strings.Contains(errs, "--out "+out) || !strings.Contains(errs, "is a file") || stdout != "" {
				t.Errorf("%s --out %s: exit %d, want %d refusing it before any work\nstdout: %s\nstderr: %s", args[0], out, code, exitUsage, stdout, errs)
			}
		}
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "field notes\n" {
		t.Errorf("the file given as --out: %q, %v", b, err)
	}
}
