package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCampaignStartNotFoundBeforeTheVerdict: a --start no village of the
// dataset answers to is refused (exit 2) before the verdict reads the
// month's measurements, which on a country's month takes minutes. The
// measurements' part is damaged here, so that reading it first would end
// the command with that error (exit 1) instead.
func TestCampaignStartNotFoundBeforeTheVerdict(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "villages.csv"), filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	out := filepath.Join(dir, "camp")
	parts, err := filepath.Glob(filepath.Join(ds, "measurements", "*", "*", "*.parquet"))
	if err != nil || len(parts) != 1 {
		t.Fatalf("measurement parts %v (%v), want 1", parts, err)
	}
	b, err := os.ReadFile(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(parts[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	// A start that is found goes on to the verdict, which finds the part
	// damaged.
	if _, errs, code := runCmd(t, "campaign", "--dataset", ds, "--days", "1", "--start", "V12-00080", "--out", out); code != exitFailure || !strings.Contains(errs, "does not match the manifest") {
		t.Fatalf("--start V12-00080 over a damaged part: exit %d, want %d saying it does not match the manifest: %s", code, exitFailure, errs)
	}
	_, errs, code := runCmd(t, "campaign", "--dataset", ds, "--days", "1", "--start", "Nowhere At All", "--out", out)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d: %s", code, exitUsage, errs)
	}
	if !strings.Contains(errs, `--start: no village id, name or town "Nowhere At All" among the 77 villages`) {
		t.Errorf("stderr does not name the start not found among the dataset's 77 villages:\n%s", errs)
	}
}
