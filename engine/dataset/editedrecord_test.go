package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A source's sha256 edited in the manifest past its first 16 digits (the
// part names keep those): verify passed, and an ingest of the same file,
// taken for a new one, renamed its parts over the listed ones and wrote a
// manifest listing each part twice, that no command could read. Verify
// now checks the record against the parts' own metadata, the ingest
// refuses to place a file over another, and repair takes the parts'
// sha256 back.
func TestEditedSourceSHA(t *testing.T) {
	// A register: known by its file's sha256 alone (measurements are
	// also known by their rows' digest).
	in := writeFile(t, t.TempDir(), "sites.csv", "site_id,carrier,tech,lon,lat\nA,viettel,4G,105.8,21.0\nB,mobifone,3G,105.9,21.1\n")
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IngestFile(context.Background(), in, ingestOpts()); err != nil {
		t.Fatal(err)
	}
	dir := s.Dir()
	mpath := filepath.Join(dir, manifestName)
	b, err := os.ReadFile(mpath)
	if err != nil {
		t.Fatal(err)
	}
	sha := s.Manifest().Sources[0].SHA256
	edited := sha[:40] + map[bool]string{true: "1", false: "0"}[sha[40] == '0'] + sha[41:]
	if err := os.WriteFile(mpath, []byte(strings.ReplaceAll(string(b), sha, edited)), 0o644); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(dir, filepath.FromSlash(s.Manifest().Sources[0].Parts[0].Path))
	before, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Bad) == 0 || !strings.Contains(rep.Bad[0].Problem, "written for the source of sha256 "+sha) {
		t.Errorf("verify: %+v, want the part said written for %s", rep.Bad, sha)
	}
	_, err = s.IngestFile(context.Background(), in, ingestOpts())
	if !errors.Is(err, ErrManifestDisagrees) || !strings.Contains(err.Error(), "is listed already") || !strings.Contains(err.Error(), "nothing was added") {
		t.Fatalf("ingest of the same file: %v, want refused", err)
	}
	if after, err := os.ReadFile(part); err != nil || string(after) != string(before) {
		t.Fatalf("the listed part was replaced (%v)", err)
	}
	if s, err = Open(dir); err != nil {
		t.Fatalf("the manifest after the refused ingest: %v", err)
	}
	if n := len(s.Manifest().Sources); n != 1 {
		t.Fatalf("%d sources after the refused ingest, want 1", n)
	}

	r, err := Repair(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Corrected) == 0 {
		t.Errorf("repair corrected nothing: %+v", r)
	}
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	if got := s.Manifest().Sources[0].SHA256; got != sha {
		t.Errorf("source sha256 after repair %s, want the parts' %s", got, sha)
	}
	if rep, err := s.Verify(context.Background()); err != nil || len(rep.Bad) > 0 {
		t.Errorf("verify after repair: %+v, %v", rep.Bad, err)
	}
	res, err := s.IngestFile(context.Background(), in, ingestOpts())
	if err != nil || !res.AlreadyIngested {
		t.Errorf("ingest after repair: %+v, %v; want already ingested", res, err)
	}
}

// A source's quarantine file (the rows it rejected, the user's too)
// deleted: repair said nothing of it and succeeded, verify failed on it
// for ever, and an ingest of the file answered "already ingested". Repair
// now lists it missing, and the ingest says the source lacks it.
func TestRepairMissingQuarantine(t *testing.T) {
	s, in, res := ingestedStore(t, "m.csv")
	q := res.Source.Quarantine
	if q == "" {
		t.Fatal("the fixture rejects no row: no quarantine file")
	}
	dir := s.Dir()
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(q))); err != nil {
		t.Fatal(err)
	}
	rep, err := Repair(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Missing, []string{q}) || rep.Kept != 1 {
		t.Errorf("repair: %+v, want %s missing", rep, q)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.IngestFile(context.Background(), in, ingestOpts())
	if err == nil || !strings.Contains(err.Error(), q+" (its rejected rows)") || !strings.Contains(err.Error(), "dataset retract") {
		t.Errorf("ingest of the file again: %v", err)
	}
}
