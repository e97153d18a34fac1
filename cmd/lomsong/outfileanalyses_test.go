package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalysisOutIsAFile: plan, scorecard, deadzones and report given an
// --out that is a file (or lies under one) refuse it as a usage error
// (exit 2) naming --out before any work, and leave the file as it was;
// they ran the whole analysis (hours for the country), then failed with
// exit 1 and "mkdir …: not a directory".
func TestAnalysisOutIsAFile(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	notes := writeFile(t, dir, "notes.txt", []byte("field notes\n"))
	for _, out := range []string{notes, filepath.Join(notes, "sub")} {
		for _, args := range [][]string{
			{"plan", "--dataset", ds, "--budget", "500e9", "--out", out},
			{"scorecard", "--dataset", ds, "--period", "2026-10", "--out", out},
			{"deadzones", "--dataset", ds, "--out", out},
			{"report", "--dataset", ds, "--period", "2026-10", "--out", out},
		} {
			stdout, errs, code := runBinary(t, args...)
			if code != exitUsage || !strings.Contains(errs, "--out "+out) || !strings.Contains(errs, "is a file") ||
				stdout != "" || strings.Contains(errs, "period:") || strings.Contains(errs, "using calibration") || strings.Contains(errs, "predicting uncalibrated") {
				t.Errorf("%s --out %s: exit %d, want %d refusing it before any work\nstdout: %s\nstderr: %s", args[0], out, code, exitUsage, stdout, errs)
			}
		}
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "field notes\n" {
		t.Errorf("the file given as --out: %q, %v", b, err)
	}
}
