package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A village list ingested after another that holds some of its village
// ids replaces those villages' rows (the dataset's register rule), and
// ingest said nothing of it: a province's updated list changed
// households without a word, and a second list meant to add villages
// replaced the first's that shared an id. It now says how many villages
// take the new file's figures, with the first.
func TestIngestSaysVillagesReplaced(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "thon_2025.csv")
	writeProbe(t, first, villagesHeader+"V1,Bản A,03199,103.30,22.45,50\nV2,Bản B,03199,103.31,22.46,70\n")
	second := filepath.Join(dir, "thon_2026.csv")
	writeProbe(t, second, villagesHeader+"V1,Bản A,03199,103.30,22.45,55\nV2,Bản B,03199,103.31,22.46,70\nV3,Bản C,03199,103.32,22.47,20\n")
	ds := filepath.Join(dir, "ds")
	out, errs, code := runCmd(t, "ingest", "--dataset", ds, first)
	if code != exitOK || strings.Contains(out, "already in the dataset") {
		t.Fatalf("first: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "ingest", "--dataset", ds, second)
	if code != exitOK || !strings.Contains(out, "1 village already in the dataset now takes this file's figures, which replace the earlier file's (the first, V1: 50 → 55 households)") {
		t.Fatalf("second: exit %d\n%s\n%s", code, out, errs)
	}
	// The same figures again under another file: nothing replaced.
	again := filepath.Join(dir, "thon_2026_copy.csv")
	writeProbe(t, again, villagesHeader+"V3,Bản C,03199,103.32,22.47,20\n")
	if out, errs, code = runCmd(t, "ingest", "--dataset", ds, again); code != exitOK || strings.Contains(out, "already in the dataset") {
		t.Fatalf("same figures: exit %d\n%s\n%s", code, out, errs)
	}
}
