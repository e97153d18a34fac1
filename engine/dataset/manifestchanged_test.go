package dataset

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// ManifestChanged tells a Store whose manifest another process rewrote
// (an ingest, a retract) from one whose own commit wrote it.
func TestManifestChanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ds")
	commit := func(s *Store, sha, name string, lon float64) {
		t.Helper()
		txn, err := s.Begin(strings.Repeat(sha, 32), name, "sites")
		if err != nil {
			t.Fatal(err)
		}
		if err := txn.WriteSites([]engine.Site{{SiteID: name, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: lon, Lat: 22.4, Status: engine.StatusActive}}); err != nil {
			t.Fatal(err)
		}
		if _, err := txn.Commit(Meta{IngestedAt: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	changed := func(s *Store) bool {
		t.Helper()
		c, err := s.ManifestChanged()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if changed(a) {
		t.Fatal("a new dataset without a manifest: changed")
	}
	commit(a, "a1", "a.csv", 103.2)
	if changed(a) {
		t.Fatal("after the store's own commit: changed")
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if changed(b) {
		t.Fatal("just opened: changed")
	}
	commit(a, "b2", "b.csv", 103.3)
	if !changed(b) {
		t.Fatal("another store committed a source: not changed")
	}
	// A commit through b reads the manifest afresh first: its own.
	commit(b, "c3", "c.csv", 103.4)
	if changed(b) || !changed(a) {
		t.Fatalf("after b's commit: b changed %v, a changed %v; want false, true", changed(b), changed(a))
	}
	if _, err := Retract(dir, "c.csv", "test", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if !changed(b) {
		t.Fatal("a source retracted: not changed")
	}
}
