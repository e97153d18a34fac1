package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A calibration.json an earlier lomsong wrote records no sources it was
// fitted on (nor an off-air check): it was read as though every register
// came in after it ("made before these files came into the dataset: the
// register sites.csv", false), and the files that did were not named.
// It is said to be an earlier build's, with calibrate to run again.
func TestCalibrationOfAnEarlierBuild(t *testing.T) {
	ds := exampleDataset(t)
	if _, errs, code := runCmd(t, "calibrate", "--dataset", ds); code != exitOK {
		t.Fatalf("calibrate: %d %s", code, errs)
	}
	path := filepath.Join(ds, "calibration.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "fitted_on_sources")
	delete(m, "fitted_on_periods")
	delete(m, "off_air")
	b, _ = json.Marshal(m)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCmd(t, "coverage", "--dataset", ds, "--out", filepath.Join(t.TempDir(), "cov"))
	if code != exitOK || !strings.Contains(errs, path+" was written by an earlier lomsong: it records neither the files it was fitted on nor an off-air check") ||
		strings.Contains(errs, "was made before these files came into the dataset") {
		t.Fatalf("coverage with an earlier build's calibration: exit %d\n%s", code, errs)
	}
}
