package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForeignOutputRefusedBeforeWork: plan, scorecard and aggregate given
// an --out folder holding a file of one of their outputs' names that an
// earlier run of theirs did not write (the user's own plan.csv) refuse
// it before reading the dataset (exit 2), the file kept; they refused it
// only once the whole analysis was done, hours for the country. The
// refusal is given with a dataset whose measurements cannot be read: it
// comes before they are.
func TestForeignOutputRefusedBeforeWork(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	damaged := damagedMeasurements(t, dir)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"plan.csv", []string{"plan", "--budget", "500e9"}},
		{"scorecard.json", []string{"scorecard", "--period", "2026-10"}},
		{"aggregates.csv", []string{"aggregate"}},
	} {
		out := filepath.Join(dir, c.args[0])
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		mine := writeFile(t, out, c.name, []byte("my own table\n"))
		stdout, errs, code := runBinary(t, append(c.args, "--dataset", damaged, "--out", out)...)
		if code != exitUsage || !strings.Contains(errs, c.name+" already there") || stdout != "" ||
			strings.Contains(errs, "period:") || strings.Contains(errs, "predicting") || strings.Contains(errs, "using calibration") || strings.Contains(errs, "rows read") {
			t.Errorf("%s --out %s: exit %d, want %d refusing before any work\nstdout: %s\nstderr: %s", c.args[0], out, code, exitUsage, stdout, errs)
		}
		if b, _ := os.ReadFile(mine); string(b) != "my own table\n" {
			t.Errorf("%s: %q", mine, b)
		}
		// Its own earlier outputs are no obstacle.
		os.Remove(mine)
		for range 2 {
			if _, errs, code := runBinary(t, append(c.args, "--dataset", ds, "--out", out)...); code != exitOK {
				t.Fatalf("%s: exit %d\n%s", c.args[0], code, errs)
			}
		}
	}
}

// damagedMeasurements copies the example dataset to dir/damaged with every
// measurement part cut to 100 bytes: a command that reads the
// measurements fails on it, so a refusal given with it came first.
func damagedMeasurements(t *testing.T, dir string) string {
	t.Helper()
	damaged := filepath.Join(dir, "damaged")
	if err := os.CopyFS(damaged, os.DirFS(exampleDataset(t))); err != nil {
		t.Fatal(err)
	}
	parts, _ := filepath.Glob(filepath.Join(damaged, "measurements", "*", "*", "*.parquet"))
	if len(parts) == 0 {
		t.Fatal("no measurement part")
	}
	for _, p := range parts {
		if err := os.Truncate(p, 100); err != nil {
			t.Fatal(err)
		}
	}
	return damaged
}
