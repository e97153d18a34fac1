package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A retraction killed after its journal and before its manifest is
// completed by the next command that opens the dataset, which says so:
// dataset ls showed the source whole, its parts already moved.
func TestRetractStoppedCompletedOnOpen(t *testing.T) {
	_, ds := ingestOneTest(t, "2024-10-31 20:00:00")
	m := readManifest(t, ds)
	if len(m.Sources) != 1 || len(m.Sources[0].Parts) != 1 {
		t.Fatalf("manifest: %+v", m)
	}
	src := m.Sources[0]
	j, _ := json.Marshal(map[string]any{"sha256": src.SHA256, "name": src.Name, "dir": "retracted/0001",
		"files": []string{src.Parts[0].Path}, "note": "taken out: wrong time zone\n"})
	if err := os.WriteFile(filepath.Join(ds, ".retract.json"), j, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runCmd(t, "dataset", "ls", ds)
	if code != exitOK || !strings.Contains(errs, "the interrupted retraction of m.csv is completed") || strings.Contains(stdout, "m.csv") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	if _, err := os.Stat(filepath.Join(ds, "retracted", "0001", filepath.FromSlash(src.Parts[0].Path))); err != nil {
		t.Errorf("the part is not in retracted/0001: %v", err)
	}
	if note, err := os.ReadFile(filepath.Join(ds, "retracted", "0001", "NOTE.txt")); err != nil || !strings.Contains(string(note), "wrong time zone") {
		t.Errorf("NOTE.txt: %q %v", note, err)
	}
	if _, errs, code := runCmd(t, "dataset", "verify", ds); code != exitOK {
		t.Errorf("verify after: exit %d\n%s", code, errs)
	}
}

// testManifest is what the tests read of a dataset's manifest.json.
type testManifest struct {
	Sources []struct {
		SHA256 string `json:"sha256"`
		Name   string `json:"name"`
		Parts  []struct {
			Path string `json:"path"`
		} `json:"parts"`
	} `json:"sources"`
}

// readManifest reads the manifest of the dataset at ds.
func readManifest(t *testing.T, ds string) testManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m testManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, b)
	}
	return m
}
