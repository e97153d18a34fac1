package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// dataset ls of a dataset of one source said "DS: 1 sources".
func TestDatasetLsSaysOneSourceInTheSingular(t *testing.T) {
	ds := filepath.Join(t.TempDir(), "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	stdout, errs, code := runCmd(t, "dataset", "ls", ds)
	if code != exitOK || !strings.Contains(stdout, ds+": 1 source\n") {
		t.Errorf("dataset ls of one source: %d\n%s\n%s", code, stdout, errs)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	if stdout, _, _ := runCmd(t, "dataset", "ls", ds); !strings.Contains(stdout, ds+": 2 sources\n") {
		t.Errorf("dataset ls of two sources:\n%s", stdout)
	}
}
