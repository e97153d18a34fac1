package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataset repair of a healthy dataset says the manifest is as recorded
// and writes neither manifest.json nor manifest.prev.json; it said
// "manifest rebuilt" and replaced manifest.prev.json by a copy of the
// manifest, losing the record before it.
func TestDatasetRepairOfAHealthyDatasetSaysSo(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	read := func(name string) []byte {
		b, _ := os.ReadFile(filepath.Join(ds, name))
		return b
	}
	cur, prev := read("manifest.json"), read("manifest.prev.json")
	stdout, errs, code := runCmd(t, "dataset", "repair", ds)
	if code != exitOK || !strings.Contains(stdout, "manifest as recorded") || strings.Contains(stdout, "manifest rebuilt") {
		t.Fatalf("repair of a healthy dataset: %d\n%s\n%s", code, stdout, errs)
	}
	if !bytes.Equal(read("manifest.json"), cur) || !bytes.Equal(read("manifest.prev.json"), prev) {
		t.Errorf("repair of a healthy dataset rewrote manifest.json or manifest.prev.json")
	}
}
