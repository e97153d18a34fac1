package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An H3 table of one resolution but for a row is refused naming that
// row's line and cell and the first row's: the refusal named the
// table's lowest cell and a cell of the other resolution, most often a
// good row, with no line to find the bad one in a Kontur file of 68,000
// headerless rows.
func TestPopulationH3MixedResolutionNamesTheRow(t *testing.T) {
	dir := t.TempDir()
	tab := filepath.Join(dir, "kontur.csv")
	// Lines 1–3 at resolution 8 (Lai Châu), line 4 at 7 (its parent).
	if err := os.WriteFile(tab, []byte("8865b6d4a7fffff,10\n8865b6d4a5fffff,20\n8865b6d4a1fffff,5\n8765b6d4affffff,7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pop")
	stdout, errs, code := runCmd(t, "population", "--h3", tab, "--out", out)
	if code != exitDataRefused {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitDataRefused, stdout, errs)
	}
	for _, want := range []string{tab + ": population: line 4, column h3: cell 8765b6d4affffff is of resolution 7", "(8865b6d4a7fffff, line 1) of 8"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s written: %v", out, err)
	}
}
