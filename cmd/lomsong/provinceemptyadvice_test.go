package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A --province holding no site and no test of the month is refused (exit
// 3) by the command asked, naming itself and the flag and saying what to
// do. Each said "lomsong: pipeline: no measurements or sites in Hà Nội
// (01) (period 2026-10)": the engine's package, not the command, and no
// way on.
func TestProvinceWithoutDataSaysWhatToDo(t *testing.T) {
	ds := exampleDataset(t)
	out := filepath.Join(t.TempDir(), "out")
	for _, c := range [][]string{
		{"calibrate", "--dataset", ds, "--out", filepath.Join(out, "cal.json")},
		{"coverage", "--dataset", ds, "--out", filepath.Join(out, "cov")},
		{"deadzones", "--dataset", ds, "--out", filepath.Join(out, "dz")},
		{"campaign", "--dataset", ds, "--days", "1", "--out", filepath.Join(out, "campaign")},
		{"run", "--dataset", ds, "--period", "2026-10"},
	} {
		t.Run(c[0], func(t *testing.T) {
			stdout, errs, code := runBinary(t, append(c, "--province", "ha noi")...)
			want := "lomsong: " + c[0] + ": --province: no measurements or sites in Hà Nội (01) (period 2026-10): nothing of its own to analyse: " +
				"name a province whose registered sites or tests of the month the dataset holds, or leave --province out to analyse every province that has them\n"
			if code != exitDataRefused || !strings.HasSuffix(errs, want) || strings.Contains(errs, "pipeline:") {
				t.Fatalf("exit %d (want %d), stderr should end %q:\n%s\n%s", code, exitDataRefused, want, stdout, errs)
			}
		})
	}
	if fileExists(out) {
		t.Fatal("a refused run wrote output")
	}
}
