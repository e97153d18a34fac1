package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A part's entry taken out of manifest.json by hand (or an older
// manifest put back) leaves its rows unread by every command, its file
// still on disk: run analysed the month without that carrier's sites (or
// tests), saved it and exited 0 as if the month were complete. The
// analysis commands refuse such a dataset, naming the source and
// pointing to dataset repair, which lists the part again.
func TestRunRefusesASourceMissingAPartEntry(t *testing.T) {
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n")
	dropped := ""
	editManifest(t, ds, func(m map[string]any) {
		for _, s := range m["sources"].([]any) {
			src := s.(map[string]any)
			if src["kind"] != "sites" {
				continue
			}
			parts := src["parts"].([]any)
			dropped = parts[0].(map[string]any)["path"].(string)
			src["parts"] = parts[1:]
		}
		if dropped == "" {
			t.Fatal("no sites part in the manifest")
		}
	})
	for _, args := range [][]string{
		{"run", "--dataset", ds, "--period", "2026-10"},
		{"deadzones", "--dataset", ds, "--period", "2026-10", "--out", filepath.Join(dir, "dz")},
		{"aggregate", "--dataset", ds, "--out", filepath.Join(dir, "agg")},
	} {
		stdout, errs, code := runCmd(t, args...)
		if code != exitFailure || !strings.Contains(errs, "manifest.json") || !strings.Contains(errs, "sites.csv") ||
			!strings.Contains(errs, "dataset repair") {
			t.Errorf("%s over a manifest without a part's entry: %d\n%s\n%s", args[0], code, stdout, errs)
		}
	}
	if fileExists(filepath.Join(dir, "dz", "villages.csv")) {
		t.Error("deadzones wrote its tables from a dataset missing a part's entry")
	}
	if _, errs, code := runCmd(t, "dataset", "repair", ds); code != exitOK {
		t.Fatalf("repair: %d\n%s", code, errs)
	}
	stdout, errs, code := runCmd(t, "run", "--dataset", ds, "--period", "2026-10")
	if code != exitOK || !strings.Contains(stdout, "over 400 measurement rows") {
		t.Fatalf("run after repair: %d\n%s\n%s", code, stdout, errs)
	}
}

// editManifest reads ds's manifest.json as generic JSON, lets edit change
// it, and writes it back: a manifest edited by hand.
func editManifest(t *testing.T, ds string, edit func(m map[string]any)) {
	t.Helper()
	mpath := filepath.Join(ds, "manifest.json")
	b, err := os.ReadFile(mpath)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, _ = json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(mpath, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
