package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// changeAt runs f once, the first time the progress written to it holds
// at.
type changeAt struct {
	at   string
	f    func()
	once sync.Once
	buf  bytes.Buffer
}

func (c *changeAt) Write(p []byte) (int, error) {
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.at) {
		c.once.Do(c.f)
	}
	return len(p), nil
}

// A source ingested into the dataset while lomsong run read it is in
// none of the run's figures, and the tables' provenance named the
// manifest with it: the run said its figures and wrote its tables (exit
// 0) as if of the dataset as it is. It is refused (exit 1) naming the
// dataset, with nothing written to --out; the next run takes the new
// source.
func TestRunRefusesADatasetChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	out := filepath.Join(dir, "out")
	var stdout bytes.Buffer
	stderr := &changeAt{at: "deadzones: started", f: func() {
		if _, errs, code := runCmd(t, "ingest", "--dataset", ds, "--mapping", filepath.Join(examples, "mapping_mobifone.json"),
			filepath.Join(examples, "measurements_mobifone_own_layout.csv")); code != exitOK {
			t.Errorf("ingest during the run: %d\n%s", code, errs)
		}
	}}
	ctx := context.Background()
	err := run(ctx, []string{"run", "--dataset", ds, "--period", "2026-10", "--out", out}, strings.NewReader(""), &stdout, stderr)
	code := exitCode(ctx, err, &stderr.buf)
	errs := stderr.buf.String()
	if code != exitFailure || !strings.Contains(errs, ds+" changed while the run read it") || strings.Contains(stdout.String(), "dead zones:") {
		t.Fatalf("run over a dataset changed while it read it: %d\n%s\n%s", code, stdout.String(), errs)
	}
	if _, err := os.Stat(filepath.Join(out, "deadzones", "villages.csv")); err == nil {
		t.Fatal("villages.csv written from the dataset as it was")
	}
	stdoutAgain, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK || !strings.Contains(errs, "measure mobifone: started") || strings.Contains(stdoutAgain, "mobifone: sites in the register but no measurements") {
		t.Fatalf("the run after: %d\n%s\n%s", code, stdoutAgain, errs)
	}
}
