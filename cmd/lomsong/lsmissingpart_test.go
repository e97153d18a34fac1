package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A listed part gone: dataset ls warns that the rows it counts cannot be
// read (it listed the source whole without a word), and a retraction of
// the source says the file was already missing (it counted it among
// those it moved).
func TestLsAndRetractSayAPartIsMissing(t *testing.T) {
	_, ds := ingestOneTest(t, "2024-10-31 20:00:00")
	m := readManifest(t, ds)
	if len(m.Sources) != 1 || len(m.Sources[0].Parts) != 1 {
		t.Fatalf("manifest: %+v", m)
	}
	part := m.Sources[0].Parts[0].Path
	if err := os.Remove(filepath.Join(ds, filepath.FromSlash(part))); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runCmd(t, "dataset", "ls", ds)
	if code != exitOK || !strings.Contains(stdout, "warning: 1 listed part is missing or not of its recorded size (e.g. "+part) || !strings.Contains(stdout, "lomsong dataset verify") {
		t.Errorf("ls: exit %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code = runCmd(t, "dataset", "retract", ds, "m.csv")
	if code != exitOK || !strings.Contains(stdout, "1 part, 1 row no longer read (1 file already missing: not moved)") {
		t.Errorf("retract: exit %d\n%s\n%s", code, stdout, errs)
	}
}
