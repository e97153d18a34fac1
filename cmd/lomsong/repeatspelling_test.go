package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The same test written twice in one file — its time in another offset,
// -95.0 for -95, LTE for 4G, the carrier's other spelling — is counted
// once by validate and ingest alike: the second copy is a duplicate, its
// text in the quarantine. Both copies were accepted and stored, though
// the same two rows in two files were one measurement to the dataset.
func TestRepeatInAnotherSpellingOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service,source\n")
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&b, "2026-10-01T%02d:%02d:00+07:00,viettel,4G,105.8%02d,21.0,-95,ok,crowd\n", 8+i/60, i%60, i)
	}
	respelled := []string{
		"2026-10-01T01:00:00Z,viettel,4G,105.800,21.0,-95,ok,crowd",                  // row 1 in UTC
		"2026-10-01T08:01:00+07:00,Viettel Telecom,LTE,105.801,21.00,-95.0,ok,crowd", // row 2
	}
	for _, r := range respelled {
		b.WriteString(r + "\n")
	}
	in := writeFile(t, dir, "m.csv", []byte(b.String()))

	q := filepath.Join(dir, "q.csv")
	stdout, errs, code := runBinary(t, "validate", "--quarantine", q, in)
	if code != exitOK || !strings.Contains(stdout, "82 rows read, 80 accepted, 2 rejected") {
		t.Fatalf("validate: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
	quarantine, err := os.ReadFile(q)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range respelled {
		want := fmt.Sprintf("m.csv,%d,,%q,duplicate,", 82+i, r)
		if !strings.Contains(string(quarantine), want) {
			t.Errorf("quarantine lacks %s\n%s", want, quarantine)
		}
	}

	ds := filepath.Join(dir, "ds")
	stdout, errs, code = runBinary(t, "ingest", "--dataset", ds, in)
	if code != exitOK || !strings.Contains(stdout, "82 rows read, 80 accepted, 2 rejected") {
		t.Fatalf("ingest: exit %d\nstdout: %s\nstderr: %s", code, stdout, errs)
	}
	manifest, err := os.ReadFile(filepath.Join(ds, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(manifest), `"accepted": 80,`) || !strings.Contains(string(manifest), `:80"`) {
		t.Errorf("the dataset holds other than 80 rows:\n%s", manifest)
	}
}
