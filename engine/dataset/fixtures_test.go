package dataset

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/ingest"
)

// ingestOpts are the options of ingestedStore's ingest: the defaults at
// the tests' clock, at most half the rows rejected.
func ingestOpts() IngestOptions {
	return IngestOptions{Config: ingest.Defaults("", now), MaxRejectShare: 0.5}
}

// ingestedStore opens a new dataset, ds in a temporary folder, and
// ingests mCSV into it under ingestOpts from a file called name in
// another temporary folder (3 rows accepted, 1 rejected out of range).
// It returns the Store, the file's path and the ingest's result.
func ingestedStore(t *testing.T, name string) (*Store, string, *IngestResult) {
	t.Helper()
	in := writeFile(t, t.TempDir(), name, mCSV)
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.IngestFile(context.Background(), in, ingestOpts())
	if err != nil {
		t.Fatal(err)
	}
	return s, in, res
}
