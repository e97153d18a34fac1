package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCostsFileChangesNothing: a cost file that changes no figure
// ({}, or every figure at its default) is no error, but plan priced its
// sites with the default cost model while its user meant another: stderr
// says so, naming the file. A file that changes a figure says nothing of
// the kind.
func TestPlanCostsFileChangesNothing(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		warned        bool
	}{
		{"empty-object.json", "{}\n", true},
		{"defaults.json", `{"horizon_years": 10}`, true},
		{"changed.json", `{"radio_vnd": 700000000}`, false},
	} {
		path := writeFile(t, dir, c.name, []byte(c.content))
		out := filepath.Join(dir, "out-"+c.name)
		_, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--costs", path, "--out", out)
		if code != exitOK {
			t.Fatalf("--costs %s: exit %d\n%s", c.name, code, errs)
		}
		if _, err := os.Stat(filepath.Join(out, "plan.json")); err != nil {
			t.Errorf("--costs %s: %v", c.name, err)
		}
		warned := strings.Contains(errs, path+" changes no figure") && strings.Contains(errs, "the default cost model")
		if warned != c.warned {
			t.Errorf("--costs %s: said the file changes no figure: %v, want %v\nstderr: %s", c.name, warned, c.warned, errs)
		}
	}
}
