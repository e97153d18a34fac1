package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDataContractNamesCellRuleOutputs: docs/data-contract.md's "Which
// hexagon a test counts in" names every coverage and dead-zone output
// whose metadata states lomsong.cell_rule or lomsong.village_cell_rule,
// and the village rule itself; it said only the aggregates stated the
// rule, and nothing of the villages'.
func TestDataContractNamesCellRuleOutputs(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "data-contract.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(raw), "**Which hexagon a test counts in.**")
	if !ok {
		t.Fatal(`docs/data-contract.md has no "Which hexagon a test counts in"`)
	}
	sec, _, _ = strings.Cut(sec, "\n### ")
	flat := strings.Join(strings.Fields(sec), " ")
	if !strings.Contains(flat, "A **village** counts in `LatLngToCell(lon, lat, R)` of its point") {
		t.Errorf("the section does not state the villages' cell rule:\n%s", sec)
	}

	ds := exampleDataset(t)
	dir := t.TempDir()
	cov, dz := filepath.Join(dir, "cov"), filepath.Join(dir, "dz")
	if out, errs, code := runBinary(t, "coverage", "--dataset", ds, "--geojson-layers", "viettel:4G", "--out", cov); code != exitOK {
		t.Fatalf("coverage: exit %d\n%s\n%s", code, out, errs)
	}
	if out, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--out", dz); code != exitOK {
		t.Fatalf("deadzones: exit %d\n%s\n%s", code, out, errs)
	}
	// The JSON outputs holding a rule, found by what they hold, not by a list.
	rules := map[string][]string{} // rule key → file names (a layer as its pattern)
	layer := regexp.MustCompile(`^coverage_[a-z]+_[0-9]G\.geojson$`)
	for _, d := range []string{cov, dz} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			name := e.Name()
			if !strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".geojson") {
				continue
			}
			m := jsonMetadata(t, filepath.Join(d, name))
			if layer.MatchString(name) {
				name = "--geojson-layers"
			}
			for _, k := range []string{"lomsong.cell_rule", "lomsong.village_cell_rule"} {
				if m[k] != "" {
					rules[k] = append(rules[k], name)
				}
			}
		}
	}
	if len(rules["lomsong.cell_rule"]) < 5 || len(rules["lomsong.village_cell_rule"]) < 2 {
		t.Fatalf("outputs stating a rule: %v", rules)
	}
	for k, files := range rules {
		_, after, ok := strings.Cut(flat, "`"+k+"`")
		if !ok {
			t.Errorf("the section does not name %s", k)
			continue
		}
		// The files are named after the key, before the next key or the end.
		after, _, _ = strings.Cut(after, "`lomsong.")
		for _, f := range files {
			if !strings.Contains(after, f) {
				t.Errorf("the section does not name %s among the outputs stating %s", f, k)
			}
		}
	}
}
