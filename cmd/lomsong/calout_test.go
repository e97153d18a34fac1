package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCalibrateNeverReplacesAnInput: calibrate --out naming the dataset's
// manifest.json, or the --population table it reads, is refused (exit 2)
// before any work and leaves the file as it was; it replaced the manifest
// with the fits (the dataset no longer opened) and the table with JSON.
// A calibration file is still replaced by the next calibration.
func TestCalibrateNeverReplacesAnInput(t *testing.T) {
	ds := exampleDataset(t)
	manifest := filepath.Join(ds, "manifest.json")
	pop := writeFile(t, t.TempDir(), "population.csv", []byte("lon,lat,population\n103.30,22.45,120\n103.52,22.52,80\n103.10,22.05,150\n"))
	popTable := filepath.Join(t.TempDir(), "pop")
	if _, errs, code := runCmd(t, "population", "--points", pop, "--out", popTable); code != exitOK {
		t.Fatalf("population: exit %d\n%s", code, errs)
	}
	table := filepath.Join(popTable, "population.csv")
	for _, c := range []struct {
		name string
		args []string
		file string
		want string
	}{
		// The manifest lies inside the dataset, where no --out but its
		// calibration.json may go.
		{"manifest", []string{"calibrate", "--dataset", ds, "--out", manifest}, manifest, manifest + " is inside the dataset"},
		{"population table", []string{"calibrate", "--dataset", ds, "--population", table, "--out", table}, table, table + " is there and is not a calibration file"},
	} {
		before, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		stdout, errs, code := runCmd(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%s as --out: exit %d, want %d refusing it\n%s\n%s", c.name, code, exitUsage, stdout, errs)
		}
		if after, err := os.ReadFile(c.file); err != nil || !bytes.Equal(after, before) {
			t.Errorf("%s as --out: the file changed (%v)", c.name, err)
		}
	}
	if _, errs, code := runCmd(t, "dataset", "verify", ds); code != exitOK {
		t.Errorf("dataset verify after the refusals: exit %d\n%s", code, errs)
	}
	for i := 0; i < 2; i++ {
		if _, errs, code := runCmd(t, "calibrate", "--dataset", ds); code != exitOK {
			t.Fatalf("calibrate (run %d, the file there from the first): exit %d\n%s", i+1, code, errs)
		}
	}
}
