package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A carrier's dump of the next month ingested while lomsong run computes
// October is none of October's inputs: the run ends (exit 0) with its
// summary and tables, where it was refused as of a dataset changed under
// it and had to be run again. A change to October's own inputs still
// refuses it (TestRunRefusesADatasetChangedWhileRead).
func TestRunGoesOnPastAnotherMonthsIngest(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	src, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	november := filepath.Join(dir, "viettel_2026-11.csv")
	if err := os.WriteFile(november, []byte(strings.ReplaceAll(string(src), "2026-10-", "2026-11-")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout bytes.Buffer
	stderr := &changeAt{at: "deadzones: started", f: func() {
		if _, errs, code := runCmd(t, "ingest", "--dataset", ds, november); code != exitOK {
			t.Errorf("ingest of November during the run: %d\n%s", code, errs)
		}
	}}
	ctx := context.Background()
	err = run(ctx, []string{"run", "--dataset", ds, "--period", "2026-10", "--out", out}, strings.NewReader(""), &stdout, stderr)
	code := exitCode(ctx, err, &stderr.buf)
	if code != exitOK || !strings.Contains(stdout.String(), "dead zones:") {
		t.Fatalf("run of October with November ingested meanwhile: exit %d\n%s\n%s", code, stdout.String(), stderr.buf.String())
	}
	if _, err := os.Stat(filepath.Join(out, "deadzones", "villages.csv")); err != nil {
		t.Errorf("the run's tables: %v", err)
	}
	if ls, _, _ := runCmd(t, "dataset", "ls", ds); !strings.Contains(ls, "2026-11") {
		t.Errorf("November was not ingested:\n%s", ls)
	}
}
