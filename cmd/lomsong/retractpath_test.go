package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRetractByPathOfAnotherFile: dataset retract given the path of a
// file answers with the source of those bytes. A file never ingested
// that shares its name with one that was (october/measurements.csv, the
// September dump ingested as september/measurements.csv) is refused
// (exit 2), the dataset unchanged; its name alone retracted September's
// rows. Two sources of one name are told apart by the file's bytes.
func TestRetractByPathOfAnotherFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	for _, m := range []string{"september", "october", "november"} {
		if err := os.Mkdir(filepath.Join(dir, m), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sep := writeFile(t, filepath.Join(dir, "september"), "measurements.csv", []byte(strings.Join(lines[:40], "")))
	oct := writeFile(t, filepath.Join(dir, "october"), "measurements.csv", []byte(lines[0]+strings.Join(lines[40:80], "")))
	// November without the example's repeat of a row of September (a
	// dataset holds a measurement once: it would refuse the file).
	var novLines []string
	for _, l := range lines[80:] {
		if !slices.Contains(lines[1:40], l) {
			novLines = append(novLines, l)
		}
	}
	nov := writeFile(t, filepath.Join(dir, "november"), "measurements.csv", []byte(lines[0]+strings.Join(novLines, "")))
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, sep); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	manifest, _ := os.ReadFile(filepath.Join(ds, "manifest.json"))
	stdout, errs, code := runBinary(t, "dataset", "retract", ds, oct)
	if code != exitUsage || !strings.Contains(errs, oct) || !strings.Contains(errs, "not ingested") || strings.Contains(stdout, "retracted") {
		t.Errorf("retract %s: exit %d, want %d refusing a file never ingested\nstdout: %s\nstderr: %s", oct, code, exitUsage, stdout, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(ds, "manifest.json")); string(after) != string(manifest) {
		t.Errorf("the manifest changed")
	}
	// November ingested too: two sources named measurements.csv, each
	// found by its file's bytes.
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, nov); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	if _, errs, code := runBinary(t, "dataset", "retract", ds, "measurements.csv"); code != exitUsage || !strings.Contains(errs, "2 sources answer") {
		t.Errorf("retract by the shared name: exit %d\n%s", code, errs)
	}
	stdout, errs, code = runBinary(t, "dataset", "retract", ds, nov)
	if code != exitOK || !strings.Contains(stdout, "retracted measurements.csv") || !strings.Contains(stdout, "rows no longer read") {
		t.Fatalf("retract %s: exit %d\nstdout: %s\nstderr: %s", nov, code, stdout, errs)
	}
	out, _, _ := runBinary(t, "dataset", "ls", ds)
	if !strings.Contains(out, "39") || strings.Count(out, "measurements.csv") != 1 {
		t.Errorf("after retracting November, September's 39 rows should remain:\n%s", out)
	}
}
