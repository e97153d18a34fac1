package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Carrier and drive-test exports (engine/ingest/testdata) are read as they
// come: the suggested mapping is JSON alone on stdout and ingests them
// without edits; the presets read them too.
func TestSuggestedMappingIngestsExports(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		file, report string
	}{
		{"gnettrack.txt", "6 rows with idle bitrates"},
		{"vn_drivetest.csv", "6 times without offset read as Asia/Ho_Chi_Minh (UTC+7)"},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "engine", "ingest", "testdata", c.file)
			out, errs, code := runCmd(t, "validate", "--suggest-mapping", path)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("stdout is not one JSON mapping: %v\n%s", err, out)
			}
			mapping := filepath.Join(dir, c.file+".json")
			if err := os.WriteFile(mapping, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			out, errs, code = runCmd(t, "ingest", "--dataset", filepath.Join(dir, "ds"), "--mapping", mapping, "--max-reject-share", "0", path)
			if code != exitOK || !strings.Contains(out, " 0 rejected") || !strings.Contains(out, c.report) {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
		})
	}
	preset := filepath.Join("..", "..", "engine", "ingest", "testdata", "vn_drivetest.csv")
	out, errs, code := runCmd(t, "validate", "--preset", "vn-drivetest", "--timezone", "UTC", "--max-reject-share", "0", preset)
	if code != exitOK || !strings.Contains(out, "6 times without offset read as UTC") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"validate", "--preset", "tems-investigation", preset},
		{"validate", "--timezone", "Mars/Olympus", preset},
		{"validate", "--preset", "gnettrack", "--mapping", "x.json", preset},
	} {
		if _, errs, code := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, errs)
		}
	}
}
