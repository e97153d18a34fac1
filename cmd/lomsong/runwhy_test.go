package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// After a late dump of the month, lomsong run says why it computes the
// stages again: their inputs are not those of their saved outputs. It
// said "no saved output for its inputs", as of a month never run, which
// does not tell the operator that the month's saved figures were
// superseded. ("changed since" was wrong the other way: after a
// retraction back to inputs whose output was removed, nothing changed.)
func TestRunSaysInputsChanged(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	first, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10")
	if code != exitOK || !strings.Contains(first, "no saved output for its inputs") || strings.Contains(first, "not those of its saved output") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, first, errs)
	}
	var late strings.Builder
	late.WriteString("ts,carrier,tech,lon,lat,signal_dbm,service\n")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&late, "2026-10-20T0%d:00:00Z,Viettel,4G,103.4%04d,22.4000,-95,ok\n", i, i)
	}
	in := filepath.Join(dir, "viettel_late.csv")
	if err := os.WriteFile(in, []byte(late.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, in); code != exitOK {
		t.Fatalf("ingest of the late dump: exit %d\n%s", code, errs)
	}
	again, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10")
	if code != exitOK {
		t.Fatalf("run after the late dump: exit %d\n%s", code, errs)
	}
	for _, line := range strings.Split(again, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "measure" && f[1] == "viettel" && !strings.Contains(line, "computed") {
			t.Errorf("viettel's pass after its late dump: %s", line)
		}
		computed := len(f) >= 3 && (f[1] == "computed" || f[2] == "computed") // a stage's row, with or without a carrier
		if computed && !strings.Contains(line, "its inputs are not those of its saved output") {
			t.Errorf("a stage computed again without saying its inputs are not those of its saved output: %s", line)
		}
	}
	if !strings.Contains(again, "its inputs are not those of its saved output") {
		t.Errorf("run after the late dump:\n%s", again)
	}
}
