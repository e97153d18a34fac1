package dataset

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// A source retracted while another command reads the dataset is gone
// from under it: its parts are read as taken out by that change
// (ErrTakenOutWhileRead, "run the command again"), not as a part of the
// manifest unreadable, which sent the user to repair a sound dataset. A
// part missing with the manifest unchanged is still unreadable.
func TestPartTakenOutWhileRead(t *testing.T) {
	s, _, _ := ingestedStore(t, "a.csv")
	dir, ds, opt := t.TempDir(), s.Dir(), ingestOpts()
	late, err := s.IngestFile(context.Background(), writeFile(t, dir, "b.csv", otherDump("-91")), opt)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := Open(ds) // a run, a report… reading the dataset
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Retract(ds, late.SHA256[:12], "", now); err != nil {
		t.Fatal(err)
	}
	scan := func(s *Store) error {
		return s.ScanMeasurements(context.Background(), nil, nil, func(*engine.MeasurementBatch) error { return nil })
	}
	err = scan(reader)
	if !errors.Is(err, ErrTakenOutWhileRead) || !strings.Contains(err.Error(), "run the command again") || strings.Contains(err.Error(), "unreadable") {
		t.Fatalf("a part retracted while read: %v", err)
	}
	if err := scan(reader.reopen(t)); err != nil {
		t.Fatalf("the dataset opened again: %v", err)
	}

	// A part lost with the manifest unchanged is the dataset's damage.
	fresh := reader.reopen(t)
	p := fresh.Manifest().Sources[0].Parts[0]
	if err := os.Remove(fresh.Path(p)); err != nil {
		t.Fatal(err)
	}
	if err := scan(fresh); errors.Is(err, ErrTakenOutWhileRead) || err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Errorf("a part lost, the manifest unchanged: %v", err)
	}
}

// reopen opens the Store's dataset again.
func (s *Store) reopen(t *testing.T) *Store {
	t.Helper()
	o, err := Open(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
