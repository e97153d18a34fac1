package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// The outputs of a command name the manifest it read: an ingest committed
// by another process while it ran is said, and their metadata keeps the
// manifest read (they were stamped with the new manifest's checksum,
// tables of the dataset as it was under the dataset as it is).
func TestOutputMetaNamesTheManifestRead(t *testing.T) {
	ds := exampleDataset(t)
	store, err := dataset.Open(ds)
	if err != nil {
		t.Fatal(err)
	}
	read := store.ManifestSHA256()
	before, err := manifestSHA256(ds)
	if err != nil || before != read || len(read) != 64 {
		t.Fatalf("the store read %q, the file is %q (%v)", read, before, err)
	}
	periods := store.Periods()
	var w bytes.Buffer
	if m, err := outputMeta(&w, store, periods); err != nil || m.ManifestSHA256 != read || w.Len() != 0 {
		t.Fatalf("unchanged: %q, %v, warning %q", m.ManifestSHA256, err, w.String())
	}
	// Another process ingests the month's measurements of another carrier.
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, "--mapping", filepath.Join(examples, "mapping_mobifone.json"),
		filepath.Join(examples, "measurements_mobifone_own_layout.csv")); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	now, _ := manifestSHA256(ds)
	if now == read {
		t.Fatal("the ingest left the manifest as it was")
	}
	m, err := outputMeta(&w, store, periods)
	if err != nil {
		t.Fatal(err)
	}
	if m.ManifestSHA256 != read {
		t.Errorf("metadata names manifest %s, want the one read, %s (not the new %s)", m.ManifestSHA256, read, now)
	}
	if !strings.Contains(w.String(), "changed while this command read it") || !strings.Contains(w.String(), read) {
		t.Errorf("no warning of the change: %q", w.String())
	}
}
