package dataset

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Repair of a healthy dataset rebuilds the manifest as recorded: it
// writes nothing, and manifest.prev.json keeps the record before the last
// commit. It was replaced by a copy of the current manifest, the previous
// generation lost, and the command said "manifest rebuilt".
func TestRepairOfAHealthyDatasetKeepsThePreviousManifest(t *testing.T) {
	s, _, _ := ingestedStore(t, "m.csv")
	if _, err := s.IngestFile(context.Background(), writeFile(t, t.TempDir(), "n.csv", otherDump("-91")), ingestOpts()); err != nil {
		t.Fatal(err)
	}
	dir := s.Dir()
	cur, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	prev, err := os.ReadFile(filepath.Join(dir, prevManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(cur, prev) {
		t.Fatal("the fixture's manifest.prev.json is the manifest itself: nothing to tell apart")
	}
	rep, err := Repair(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Unchanged || rep.Kept != 2 || rep.Recovered != 0 {
		t.Errorf("repair of a healthy dataset: %+v, want Unchanged with its two sources kept", rep)
	}
	for name, want := range map[string][]byte{manifestName: cur, prevManifestName: prev} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s changed by the repair of a healthy dataset (%v)", name, err)
		}
	}
}
