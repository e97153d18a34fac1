package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/ingest"
)

// A source read the wrong way is taken out: its parts and quarantine
// leave the manifest for retracted/0001 (with a note), nothing is
// deleted, verify is clean, repair does not bring it back, and the same
// bytes are then ingested anew with another reading.
func TestRetract(t *testing.T) {
	ctx := context.Background()
	s, in, first := ingestedStore(t, "m.csv")
	dir, o := s.Dir(), ingestOpts()
	other := writeFile(t, t.TempDir(), "other.csv", "ts,carrier,tech,lon,lat,signal_dbm,service\n2026-10-05T08:00:00Z,viettel,4G,105.85,21.03,-90,\n")
	if _, err := s.IngestFile(ctx, other, o); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	for _, which := range []string{"nosuch", "12345678", first.SHA256[:6]} {
		if _, err := Retract(dir, which, "", now); !errors.Is(err, ErrNoSource) || !strings.Contains(err.Error(), "m.csv") {
			t.Fatalf("retract %q: %v", which, err)
		}
	}
	if !equalSnap(snapshot(t, dir), before) {
		t.Fatal("a refused retraction changed the dataset")
	}

	rep, err := Retract(dir, first.SHA256[:8], "read in the wrong zone", now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dir != "retracted/0001" || rep.Source.SHA256 != first.SHA256 || len(rep.Moved) != len(first.Source.Parts)+1 {
		t.Fatalf("report %+v", rep)
	}
	// Nothing lost: every file of the source is under retracted/0001 with
	// the same bytes.
	for _, f := range rep.Moved {
		b, err := os.ReadFile(filepath.Join(dir, "retracted", "0001", filepath.FromSlash(f)))
		if err != nil || string(b) != before[filepath.FromSlash(f)] {
			t.Fatalf("%s not moved whole: %v", f, err)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s still in place: %v", f, err)
		}
	}
	note, err := os.ReadFile(filepath.Join(dir, "retracted", "0001", "NOTE.txt"))
	if err != nil || !strings.Contains(string(note), "why: read in the wrong zone") || !strings.Contains(string(note), first.SHA256) {
		t.Fatalf("note: %s %v", note, err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if srcs := s.Manifest().Sources; len(srcs) != 1 || srcs[0].Name != "other.csv" {
		t.Fatalf("sources after: %+v", srcs)
	}
	if vr, err := s.Verify(ctx); err != nil || len(vr.Bad) != 0 {
		t.Fatalf("verify: %+v %v", vr, err)
	}
	if rr, err := Repair(dir, now); err != nil || rr.Recovered != 0 || rr.Kept != 1 {
		t.Fatalf("repair after a retraction: %+v %v", rr, err)
	}
	// The same bytes, read anew (another reading was refused before).
	o.Config.Source = ""
	s, _ = Open(dir)
	again, err := s.IngestFile(ctx, in, o)
	if err != nil || again.SHA256 != first.SHA256 {
		t.Fatalf("ingest again: %v", err)
	}
	// A second retraction goes to the next folder; the path the file was
	// ingested from names it too.
	if rep, err := Retract(dir, in, "", now); err != nil || rep.Dir != "retracted/0002" {
		t.Fatalf("second retraction: %+v %v", rep, err)
	}
}

// A retracted source moved back (as its note says) after the same rows
// were ingested again in other bytes: repair restores it, and says that
// its rows are those of the other source — a measurement read twice
// until one of them is retracted.
func TestRepairNamesRestoredSameRows(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ds")
	plain := "ts,carrier,tech,lon,lat,signal_dbm,service\n" +
		"2026-10-01T08:00:00+07:00,viettel,4G,103.2,22.4,-90,ok\n" +
		"2026-10-01T08:02:00+07:00,mobifone,3G,103.22,22.42,-101.5,ok\n"
	semi := "ts;carrier;tech;lon;lat;signal_dbm;service\n" +
		"2026-10-01T08:02:00+07:00;mobifone;3G;103.22;22.42;-101.5;ok\n" +
		"2026-10-01T08:00:00+07:00;viettel;4G;103.2;22.4;-90;ok\n"
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := IngestOptions{Config: ingest.Defaults("", now)}
	first, err := s.IngestFile(ctx, writeFile(t, t.TempDir(), "plain.csv", plain), o)
	if err != nil {
		t.Fatal(err)
	}
	if rr, err := Repair(dir, now); err != nil || len(rr.SameRows) != 0 {
		t.Fatalf("repair of one source: %+v %v", rr, err)
	}
	rep, err := Retract(dir, first.SHA256, "", now)
	if err != nil {
		t.Fatal(err)
	}
	s, _ = Open(dir)
	second, err := s.IngestFile(ctx, writeFile(t, t.TempDir(), "semi.csv", semi), o)
	if err != nil || second.AlreadyIngested {
		t.Fatalf("the same rows after the retraction: %+v %v", second, err)
	}
	for _, f := range rep.Moved {
		if err := os.Rename(filepath.Join(dir, rep.Dir, filepath.FromSlash(f)), filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Fatal(err)
		}
	}
	rr, err := Repair(dir, now)
	if err != nil || rr.Recovered != 1 {
		t.Fatalf("repair: %+v %v", rr, err)
	}
	if len(rr.SameRows) != 1 || !strings.Contains(rr.SameRows[0], first.SHA256+" (plain.csv): the same 2 rows as "+second.SHA256+" (semi.csv)") {
		t.Fatalf("repair's same rows: %q", rr.SameRows)
	}
}
