package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A stage computed again alone — its saved output removed, the other
// stages read back first — saves the same bytes as the full run did. Gob
// numbers types in the order a process meets them, so a process that
// had decoded other stages first wrote the same content as other bytes
// (engine/pipeline's gobtypes.go fixes the order).
func TestStageRecomputedAloneSavesSameBytes(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), filepath.Join(examples, "villages.csv")); code != exitOK {
		t.Fatalf("ingest: %d\n%s", code, errs)
	}
	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK {
		t.Fatalf("run: %d\n%s", code, errs)
	}
	period := filepath.Join(ds, "stages", "period=2026-10")
	saved := map[string][]byte{}
	filepath.WalkDir(period, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "output.gob" {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			saved[p] = b
		}
		return nil
	})
	stages, err := os.ReadDir(period)
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, st := range stages {
		if strings.HasPrefix(st.Name(), "coverage") || strings.HasPrefix(st.Name(), "deadzones") {
			if err := os.RemoveAll(filepath.Join(period, st.Name())); err != nil {
				t.Fatal(err)
			}
			removed++
		}
	}
	if removed != 2 || len(saved) < 4 {
		t.Fatalf("stages %v, saved outputs %d: want a coverage and a dead-zone stage among them", stages, len(saved))
	}
	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10"); code != exitOK {
		t.Fatalf("second run: %d\n%s", code, errs)
	}
	for p, want := range saved {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v (not saved again at the same key)", p, err)
		}
		if !bytes.Equal(got, want) {
			rel, _ := filepath.Rel(period, p)
			t.Errorf("%s: %d bytes saved again alone, %d by the full run: not the same bytes", rel, len(got), len(want))
		}
	}
}
