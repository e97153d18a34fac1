package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuggestMappingNoRows: a file in a carrier's own layout with a header
// and no data rows gives a mapping from the column names alone, checked
// against no row (the unit of its Unix times, its spellings): it is printed,
// but the suggestion is refused (exit 3) saying so, as validate refuses
// the file ("no data rows"). It exited 0, the mapping's units never tried.
func TestSuggestMappingNoRows(t *testing.T) {
	dir := t.TempDir()
	header := "Thoi_gian;Nha_mang;Kinh_do;Vi_do;RAT;Level_ASU;DL_kbps\n"
	empty := filepath.Join(dir, "dump_header.csv")
	writeProbe(t, empty, header)
	out, errs, code := runBinary(t, "validate", "--suggest-mapping", empty)
	if code != exitDataRefused || !strings.Contains(out, `"Nha_mang": "carrier"`) ||
		!strings.Contains(errs, empty+": no data rows") || !strings.Contains(errs, "checked against no row") {
		t.Errorf("header only: exit %d, want %d with the mapping printed and why\nstdout: %s\nstderr: %s", code, exitDataRefused, out, errs)
	}
	// With a row the same header's mapping is tried and complete.
	full := filepath.Join(dir, "dump.csv")
	writeProbe(t, full, header+"1790816400;Mobifone;103.47067;22.49144;LTE;25;7927\n")
	if out, errs, code := runBinary(t, "validate", "--suggest-mapping", full); code != exitOK || !strings.Contains(out, `"ts": "unix_s"`) {
		t.Errorf("with a row: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

// TestSuggestMappingFlagsItIgnores: --suggest-mapping prints a mapping
// and nothing else, so a flag it would ignore is a usage error naming
// it: --mapping or --preset (the suggestion is inferred, not theirs),
// --quarantine or --report (no file was written, exit 0), --json (the
// mapping is JSON already, not the report asked for).
func TestSuggestMappingFlagsItIgnores(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(examples, "measurements_mobifone_own_layout.csv")
	for _, extra := range [][]string{
		{"--mapping", filepath.Join(examples, "mapping_mobifone.json")},
		{"--preset", "gnettrack"},
		{"--quarantine", filepath.Join(dir, "rejected.csv")},
		{"--report", filepath.Join(dir, "report.json")},
		{"--json"},
	} {
		args := append([]string{"validate", "--suggest-mapping"}, extra...)
		args = append(args, in)
		stdout, errs, code := runBinary(t, args...)
		if code != exitUsage || !strings.Contains(errs, "--suggest-mapping") || !strings.Contains(errs, extra[0]) || stdout != "" {
			t.Errorf("%v: exit %d, want %d naming %s\nstdout: %s\nstderr: %s", args, code, exitUsage, extra[0], stdout, errs)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("files written: %v", names)
	}
}
