package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestForeignOutputRefusedBeforeAnalysis: deadzones, report, coverage and
// run --out, given an --out folder holding a file of one of their outputs'
// names that no earlier run of theirs wrote (the user's own villages.csv),
// or an input read (--claims saved as one of the outputs), refuse it
// before the dataset is read (exit 2), the file kept, as plan, scorecard
// and aggregate do; they refused it only once the whole analysis was
// done. The dataset's measurements cannot be read: the refusal comes
// before they are.
func TestForeignOutputRefusedBeforeAnalysis(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	damaged := damagedMeasurements(t, dir)
	for i, c := range []struct {
		file string // the user's file, under --out
		want string // in the refusal
		args []string
	}{
		{"villages.csv", "villages.csv already there", []string{"deadzones"}},
		{"challenges.csv", "is the input read", []string{"deadzones", "--claims", "@"}},
		{"report.html", "report.html already there", []string{"report", "--period", "2026-10"}},
		{"coverage_best.geojson", "coverage_best.geojson already there", []string{"coverage"}},
		{"coverage_viettel_4G.geojson", "coverage_viettel_4G.geojson already there", []string{"coverage", "--geojson-layers", "viettel:4G"}},
		{"deadzones/hexes.csv", "hexes.csv already there", []string{"run"}},
		{"plan/plan.json", "plan.json already there", []string{"run", "--budget", "500e9"}},
	} {
		out := filepath.Join(dir, "out", strings.ReplaceAll(c.file, "/", "-"))
		if err := os.MkdirAll(filepath.Dir(filepath.Join(out, c.file)), 0o755); err != nil {
			t.Fatal(err)
		}
		mine := writeFile(t, filepath.Dir(filepath.Join(out, c.file)), filepath.Base(c.file), []byte("cell,carrier,tech\n"))
		args := append([]string{}, c.args...)
		for j, a := range args {
			if a == "@" {
				args[j] = mine
			}
		}
		stdout, errs, code := runBinary(t, append(args, "--dataset", damaged, "--out", out)...)
		if code != exitUsage || !strings.Contains(errs, c.want) || stdout != "" ||
			strings.Contains(errs, "period:") || strings.Contains(errs, "predicting") || strings.Contains(errs, "using calibration") || strings.Contains(errs, "rows read") {
			t.Errorf("%d: %v --out %s: exit %d, want %d refusing before any work (%q)\nstdout: %s\nstderr: %s", i, args, out, code, exitUsage, c.want, stdout, errs)
		}
		if b, _ := os.ReadFile(mine); string(b) != "cell,carrier,tech\n" {
			t.Errorf("%s: %q", mine, b)
		}
	}
	// Their own earlier outputs are no obstacle.
	for _, args := range [][]string{{"deadzones"}, {"coverage"}, {"report", "--period", "2026-10"}, {"run", "--budget", "500e9"}} {
		out := filepath.Join(dir, "again", args[0])
		for range 2 {
			if _, errs, code := runBinary(t, append(args, "--dataset", ds, "--out", out)...); code != exitOK {
				t.Fatalf("%v: exit %d\n%s", args, code, errs)
			}
		}
	}
}
