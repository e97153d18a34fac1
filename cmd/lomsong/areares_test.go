package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProvinceTooFineResolution: --province with a --res at which the
// province's outline holds billions of hexes is a usage error naming both
// flags and the finest resolution the province fits at, found before the
// hexes are listed: listing Lai Châu's at resolution 14 ran out of memory
// (a crash, exit 1) and at 11 took tens of GB.
func TestProvinceTooFineResolution(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"coverage 14", []string{"coverage", "--dataset", ds, "--province", "lai chau", "--res", "14", "--out", filepath.Join(dir, "cov")},
			`--res 14 with --province "lai chau": pipeline: Lai Châu (12)`},
		{"calibrate 12", []string{"calibrate", "--dataset", ds, "--province", "12", "--res", "12", "--out", filepath.Join(dir, "cal.json")},
			`--res 12 with --province "12": pipeline: Lai Châu (12)`},
		{"deadzones 11", []string{"deadzones", "--dataset", ds, "--province", "Lai Châu", "--res", "11", "--out", filepath.Join(dir, "dz")},
			`--res 11 with --province "Lai Châu": pipeline: Lai Châu (12)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, errs, code := runBinary(t, c.args...)
			if code != exitUsage || !strings.Contains(errs, c.want) || !strings.Contains(errs, "analyse it at resolution 10 or coarser") {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, exitUsage, stdout, errs, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a usage error wrote %v", entries)
	}
}
