package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRepeatedFlagRefused: a flag given twice with different values
// (a script's defaults followed by the caller's, a month pasted twice) is
// a usage error naming both values; the flag package took the last one
// without a word, so "plan --budget 500e9 ... --budget 2e9" planned 2e9.
// The same value given twice is no conflict.
func TestRepeatedFlagRefused(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "--dataset", ds, "--budget", "500e9", "--out", filepath.Join(dir, "p"), "--budget", "2e9"}, `--budget given twice ("500e9", then "2e9")`},
		{[]string{"scorecard", "--dataset", ds, "--period=2026-09", "--out", filepath.Join(dir, "s"), "-period", "2026-10"}, `--period given twice ("2026-09", then "2026-10")`},
		{[]string{"aggregate", "--dataset", ds, "--out", filepath.Join(dir, "a"), "--dataset", filepath.Join(dir, "other")}, "--dataset given twice"},
		{[]string{"validate", filepath.Join(examples, "sites.csv"), "--kind", "sites", "--kind=villages"}, "--kind given twice"},
	} {
		stdout, errs, code := runBinary(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, want %d and %q\nstdout: %s\nstderr: %s", c.args, code, exitUsage, c.want, stdout, errs)
		}
	}
	// The same value twice, and a bool flag before a value flag, are taken.
	if _, errs, code := runBinary(t, "aggregate", "--dataset", ds, "--dataset", ds, "--workers", "1", "--out", filepath.Join(dir, "a2")); code != exitOK {
		t.Errorf("aggregate with --dataset given twice alike: exit %d\n%s", code, errs)
	}
	if _, errs, code := runBinary(t, "validate", "--json", "--show", "1", "--show", "1", filepath.Join(examples, "sites.csv")); code != exitOK && code != exitDataRefused {
		t.Errorf("validate --json --show 1 --show 1: exit %d\n%s", code, errs)
	}
}
