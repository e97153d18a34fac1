package main

import (
	"strings"
	"testing"
)

// A part's period edited in manifest.json by hand (October's tests listed
// as September's, the part still under period=2026-10/) passed dataset
// verify, every checksum and row count being the recorded ones; run
// --period 2026-09 analysed October's tests as September's and run
// --period 2026-10 the month without them, both exiting 0, and repair kept
// the record. Verify now compares each record with the part's own
// metadata, the analysis commands refuse a record that disagrees with its
// part's folders, and repair corrects it from the part.
func TestPartRecordEditedByHand(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	edited := ""
	editManifest(t, ds, func(m map[string]any) {
		for _, s := range m["sources"].([]any) {
			for _, p := range s.(map[string]any)["parts"].([]any) {
				part := p.(map[string]any)
				if part["kind"] == "measurements" && part["period"] == "2026-10" && edited == "" {
					part["period"] = "2026-09"
					edited = part["path"].(string)
				}
			}
		}
		if edited == "" {
			t.Fatal("no measurements part of 2026-10 in the manifest")
		}
	})

	for _, period := range []string{"2026-09", "2026-10"} {
		stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", period)
		if code != exitFailure || !strings.Contains(errs, "manifest.json") || !strings.Contains(errs, edited) ||
			!strings.Contains(errs, `period "2026-09"`) || !strings.Contains(errs, "dataset repair") {
			t.Errorf("run --period %s over a part listed under another month: %d\n%s\n%s", period, code, stdout, errs)
		}
	}
	stdout, errs, code := runCmd(t, "dataset", "verify", ds)
	if code != exitFailure || !strings.Contains(stdout+errs, edited) ||
		!strings.Contains(stdout+errs, `the manifest lists period "2026-09", the part's own metadata says "2026-10"`) {
		t.Errorf("verify of a part listed under another month: %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code = runCmd(t, "dataset", "repair", ds)
	if code != exitOK || !strings.Contains(stdout, "CORRECTED "+edited) {
		t.Fatalf("repair: %d\n%s\n%s", code, stdout, errs)
	}
	if stdout, errs, code := runCmd(t, "dataset", "verify", ds); code != exitOK {
		t.Errorf("verify after repair: %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code = runCmd(t, "run", "--dataset", ds, "--period", "2026-10")
	if code != exitOK || !strings.Contains(stdout, "over 400 measurement rows") {
		t.Fatalf("run after repair: %d\n%s\n%s", code, stdout, errs)
	}
}
