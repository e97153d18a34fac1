package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/export"
)

// An export records the dataset it was made from (metadata "dataset"). It
// recorded the --dataset argument as typed, so "--dataset ds" run from the
// dataset's parent wrote "ds": a name that says nothing once the file is
// elsewhere, two exports of the same month differing in their bytes by the
// directory they were run from, and a PostGIS re-export of the same
// release from another directory saying it replaced one "exported from
// dataset ds". The folder is recorded as an absolute path, however given.
func TestExportRecordsTheDatasetFolderWhereverRunFrom(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	bin := lomsongBinary(t)
	export1 := func(workDir, dataset, out string) {
		t.Helper()
		cmd := exec.Command(bin, "export", "--dataset", dataset, "--province", "lai chau", "--period", "2026-10",
			"--format", "gpkg", "--out", out)
		cmd.Dir = workDir
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("export --dataset %s from %s: %v\n%s", dataset, workDir, err, errb.String())
		}
	}
	rel, abs := filepath.Join(dir, "rel.gpkg"), filepath.Join(dir, "abs.gpkg")
	export1(dir, "ds", rel)
	export1(filepath.Join(ds, "villages"), "..", filepath.Join(dir, "up.gpkg"))
	export1("/", ds+string(filepath.Separator), abs)
	for _, p := range []string{rel, filepath.Join(dir, "up.gpkg"), abs} {
		m, err := export.ReadMeta(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if m.Dataset != ds {
			t.Errorf("%s: dataset %q, want %q", filepath.Base(p), m.Dataset, ds)
		}
	}
	a, err := os.ReadFile(rel)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same month exported with --dataset ds and --dataset DIR/ds/ differs")
	}
}
