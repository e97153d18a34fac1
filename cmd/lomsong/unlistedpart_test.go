package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A source's whole record taken out of manifest.json (an older copy put
// back, an edit), its part still on disk: dataset verify names the file,
// but run analysed the month without its rows and said nothing. The
// analysis commands now warn, naming the file and dataset repair, which
// lists it again.
func TestRunWarnsOfPartsNotInTheManifest(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n")
	var dropped []string
	editManifest(t, ds, func(m map[string]any) {
		var kept []any
		for _, s := range m["sources"].([]any) {
			src := s.(map[string]any)
			if src["kind"] != "measurements" {
				kept = append(kept, s)
				continue
			}
			for _, p := range src["parts"].([]any) {
				dropped = append(dropped, p.(map[string]any)["path"].(string))
			}
		}
		if len(dropped) == 0 {
			t.Fatal("no measurements part in the manifest")
		}
		m["sources"] = kept
	})
	_, errs, _ := runCmd(t, "deadzones", "--dataset", ds, "--out", filepath.Join(dir, "dz"))
	if !strings.Contains(errs, "not in manifest.json and not read") || !strings.Contains(errs, dropped[0]) ||
		!strings.Contains(errs, "lomsong dataset repair "+ds) {
		t.Errorf("deadzones over a part the manifest does not list said:\n%s", errs)
	}
	if _, errs, code := runCmd(t, "dataset", "repair", ds); code != exitOK {
		t.Fatalf("repair: %d\n%s", code, errs)
	}
	stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10")
	if code != exitOK || strings.Contains(errs, "not in manifest.json") || !strings.Contains(stdout, "over 400 measurement rows") {
		t.Fatalf("run after repair: %d\n%s\n%s", code, stdout, errs)
	}
}
