package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
)

// The rows an ingest keeps to look for in the dataset are those of the
// partitions (month, carrier) the dataset has parts of: none for a new
// dataset, none for the first dump of a month, a late dump's alone.
func TestRowKeysOnlyOfHeldPartitions(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "ds"))
	if err != nil {
		t.Fatal(err)
	}
	if k := s.newRowKeys(100); k != nil {
		t.Fatalf("a dataset without measurements keeps row keys: %+v", k)
	}
	if _, err := s.IngestFile(context.Background(), writeFile(t, dir, "a.csv", mCSV), IngestOptions{Config: ingest.Defaults("", now), MaxRejectShare: 0.5}); err != nil {
		t.Fatal(err)
	}
	k := s.newRowKeys(100)
	if k == nil {
		t.Fatal("no collector for a dataset holding measurements")
	}
	var rows []engine.Measurement
	add := func(ts string, carrier engine.Carrier) {
		tm, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, engine.Measurement{TimeUnixMs: tm.UnixMilli(), Carrier: carrier, Tech: engine.Tech4G, Lon: 105.9, Lat: 21.0, SignalDBm: -90})
	}
	add("2026-10-05T08:00:00+07:00", "viettel")   // October's viettel: held
	add("2026-10-05T08:00:00+07:00", "vinaphone") // no vinaphone part
	add("2026-11-05T08:00:00+07:00", "viettel")   // no November part
	add("2026-10-01T00:00:00+07:00", "mobifone")  // October's mobifone: held
	add("2026-09-30T23:59:59+07:00", "mobifone")  // September's mobifone: none
	for i := range rows {
		k.keep(int64(i+2), &rows[i])
	}
	if len(k.keys) != 2 {
		t.Fatalf("kept %d row keys, want 2 (October's viettel and mobifone rows)", len(k.keys))
	}
	k2 := s.newRowKeys(1)
	for i := range rows {
		k2.keep(int64(i+2), &rows[i])
	}
	if len(k2.keys) != 1 {
		t.Errorf("kept %d row keys under a bound of 1", len(k2.keys))
	}
}

// The look for a late dump's rows reads the parts of the months and
// carriers the dump holds rows of, and no other: a damaged part of
// another month is not read (it failed the ingest), and the dump is
// refused for its one row held in October.
func TestHeldRowsReadsOnlyTheDumpsPartitions(t *testing.T) {
	s, _, _ := ingestedStore(t, "a.csv")
	dir, opt := t.TempDir(), ingestOpts()
	damaged := 0
	for _, p := range s.Manifest().Sources[0].Parts {
		if p.Period == "2026-09" {
			if err := os.WriteFile(s.Path(p), []byte("not a part"), 0o644); err != nil {
				t.Fatal(err)
			}
			damaged++
		}
	}
	if damaged != 1 {
		t.Fatalf("%d September parts, want 1", damaged)
	}
	late := "ts,carrier,tech,lon,lat,signal_dbm,service\n" +
		"2026-09-30T17:00:00Z,viettel,4G,105.85,21.03,-99,\n" + // a.csv's October viettel row
		"2026-10-03T08:00:00Z,viettel,4G,105.86,21.04,-97,\n"
	_, err := s.IngestFile(context.Background(), writeFile(t, dir, "late.csv", late), opt)
	var held *HeldRowsError
	if !errors.As(err, &held) || held.Rows != 1 || held.Accepted != 2 {
		t.Fatalf("a late October dump with one row held: %v", err)
	}
}

// A file ingested into a staging dataset with HeldIn, the dataset it is
// validated for, reports what an ingest into HeldIn would find there —
// the rows HeldIn holds already, by line and source, or that it holds
// the file itself — and is not refused for it; the staging dataset gets
// its rows. An ingest into HeldIn is refused naming the same lines.
func TestHeldInReportsWhatTheIngestWouldFind(t *testing.T) {
	release, in, _ := ingestedStore(t, "a.csv")
	dir := t.TempDir()
	late := "ts,carrier,tech,lon,lat,signal_dbm,service\n" +
		"2026-10-03T08:00:00Z,viettel,4G,105.86,21.04,-97,\n" + // new
		"2026-09-30T17:00:00Z,viettel,4G,105.85,21.03,-99,\n" + // a.csv's line 3
		"2026-10-02T08:00:00Z,mobifone,3G,105.85,21.03,,none\n" // a.csv's line 4
	path := writeFile(t, dir, "late.csv", late)
	staging := func() *Store {
		s, err := Open(filepath.Join(t.TempDir(), "staging"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	opt := ingestOpts()
	opt.HeldIn = release
	res, err := staging().IngestFile(context.Background(), path, opt)
	if err != nil {
		t.Fatalf("a late dump validated in staging: %v", err)
	}
	if res.Source.SHA256 == "" || res.HeldSame != nil || res.HeldErr != nil {
		t.Fatalf("staged: %+v", res)
	}
	h := res.Held
	wantLines := []HeldLine{{3, 0}, {4, 0}}
	if h == nil || h.Rows != 2 || h.Accepted != 3 || len(h.Sources) != 1 || h.Sources[0].Source.Name != "a.csv" || !slices.Equal(h.Lines, wantLines) {
		t.Fatalf("held: %+v, want lines 3 and 4 of a.csv's rows", h)
	}
	q := h.Rejects("late.csv")
	if len(q) != 2 || q[0].Line != 3 || q[0].Reason != ReasonInDataset || !strings.Contains(q[0].Detail, "a row of a.csv") {
		t.Fatalf("as quarantine rows: %+v", q)
	}
	// Ingested into the release dataset, it is refused naming the same.
	_, err = release.IngestFile(context.Background(), path, ingestOpts())
	var refused *HeldRowsError
	if !errors.As(err, &refused) || refused.Rows != h.Rows || !slices.Equal(refused.Lines, h.Lines) {
		t.Fatalf("ingested into the release dataset: %v, want refused for lines %v", err, h.Lines)
	}
	// The file the release dataset holds, staged: HeldSame, not refused.
	res, err = staging().IngestFile(context.Background(), in, opt)
	if err != nil || res.HeldSame == nil || res.HeldSame.Name != "a.csv" || res.Held == nil || res.Held.Rows != res.Report.Accepted {
		t.Fatalf("a.csv staged again: %+v, %v", res, err)
	}
}

// The advice fits the overlap: a file all of whose rows are held adds
// nothing (retracting the earlier source would lose its other rows); one
// holding part of an earlier source is told to send its new rows alone;
// only one holding every row of the earlier sources is told it may
// replace them.
func TestHeldRowsAdvice(t *testing.T) {
	earlier := Source{Name: "m40.csv", SHA256: strings.Repeat("a", 64), Accepted: 40}
	for _, c := range []struct {
		name         string
		e            HeldRowsError
		want, absent string
	}{
		{"a subset of the earlier", HeldRowsError{Path: "m20.csv", Rows: 20, Accepted: 20, Sources: []HeldSource{{earlier, 20}}},
			"it adds nothing", "retract"},
		{"part of the earlier, new rows too", HeldRowsError{Path: "mix.csv", Rows: 10, Accepted: 30, Sources: []HeldSource{{earlier, 10}}},
			"ingest a file of its new rows alone", "dataset retract"},
		{"the earlier completed", HeldRowsError{Path: "m60.csv", Rows: 40, Accepted: 60, Sources: []HeldSource{{earlier, 40}}},
			"lomsong dataset retract DIR aaaaaaaaaaaaaaaa and ingest this file again", "adds nothing"},
		// A corrected copy: sent alone, its 2 rows would stand beside the
		// 2 readings they correct.
		{"a corrected copy", HeldRowsError{Path: "m40c.csv", Rows: 38, Accepted: 40, Sources: []HeldSource{{earlier, 38}}},
			"if it is a corrected copy (2 rows changed), take m40.csv out with lomsong dataset retract DIR aaaaaaaaaaaaaaaa and ingest this file again; if its 2 other rows are new", "does not hold every row"},
		{"more rows than the earlier", HeldRowsError{Path: "m42.csv", Rows: 38, Accepted: 42, Sources: []HeldSource{{earlier, 38}}},
			"ingest a file of its new rows alone", "corrected copy"},
	} {
		msg := c.e.Error()
		if !strings.Contains(msg, c.want) || strings.Contains(msg, c.absent) {
			t.Errorf("%s: %q; want %q, not %q", c.name, msg, c.want, c.absent)
		}
	}
}
