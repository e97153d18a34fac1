package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A --boundaries file that is not there is named with its flag, before
// anything is read, by every command that takes one; it was "open FILE:
// no such file or directory", which named neither the flag nor that it
// also takes the embedded sets' names.
func TestBoundariesFileMissing(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\n")
	missing := filepath.Join(dir, "provinces.geojson")
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"areas"},
		{"coverage", "--dataset", ds, "--out", out},
		{"deadzones", "--dataset", ds, "--out", out},
		{"scorecard", "--dataset", ds, "--period", "2026-10", "--out", out},
		{"calibrate", "--dataset", ds, "--out", filepath.Join(out, "cal.json")},
	} {
		stdout, errs, code := runBinary(t, append(args, "--boundaries", missing)...)
		want := "--boundaries " + missing + ": no such file or directory (it takes provinces2025, provinces2019 or a GeoJSON file)"
		if code != exitFailure || !strings.Contains(errs, want) || stdout != "" {
			t.Errorf("%s: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", args[0], code, exitFailure, want, stdout, errs)
		}
	}
}
