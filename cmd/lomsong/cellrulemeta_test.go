package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// cellRuleAt is lomsong.cell_rule at analysis resolution res.
func cellRuleAt(res string) string {
	child := map[string]string{"8": "9", "7": "8"}[res]
	return "a test's cell is the H3 parent at res " + res + " of its res-" + child + " cell, not LatLngToCell at res " + res
}

// jsonMetadata returns the "metadata" member of a JSON file.
func jsonMetadata(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Metadata map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v.Metadata
}

// TestDeadzonesMetaStatesRules: a test counts in the H3 parent at res R
// of its res-R+1 cell, not in LatLngToCell at R (about 7% of points
// differ), while a village counts in its point's cell at R; only
// aggregates.parquet said which rule it used. deadzones_meta.json had the
// provenance alone (no rule, threshold or resolution) and
// deadzones.geojson no metadata; both now hold the coverage rules and the
// two cell rules, at the resolution asked for.
func TestDeadzonesMetaStatesRules(t *testing.T) {
	ds := exampleDataset(t)
	for _, res := range []string{"8", "7"} {
		dz := filepath.Join(t.TempDir(), "dz")
		if out, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--res", res, "--out", dz); code != exitOK {
			t.Fatalf("deadzones --res %s: exit %d\n%s\n%s", res, code, out, errs)
		}
		for _, name := range []string{"deadzones_meta.json", "deadzones.geojson"} {
			m := jsonMetadata(t, filepath.Join(dz, name))
			if got, want := m["lomsong.cell_rule"], cellRuleAt(res); got != want {
				t.Errorf("--res %s: %s: lomsong.cell_rule %q, want %q", res, name, got, want)
			}
			if got, want := m["lomsong.village_cell_rule"], "a village's cell (villages.csv cell, and the hex its households count in when the villages are the population) is LatLngToCell of its point at res "+res; got != want {
				t.Errorf("--res %s: %s: lomsong.village_cell_rule %q, want %q", res, name, got, want)
			}
			if m["coverage.resolution"] != res || m["coverage.covered_dbm.4G"] != "-105" || m["lomsong.table"] != "deadzones" ||
				m["lomsong.dataset_manifest_sha256"] == "" || m["lomsong.periods"] != "2026-10" {
				t.Errorf("--res %s: %s: metadata %v", res, name, m)
			}
		}
	}
}

// TestCoverageMetaStatesCellRule: coverage.parquet, coverage_meta.json and
// the GeoJSON files (coverage_best and a --geojson-layers layer) publish
// hexes whose tests count in the res-R parent of their res-R+1 cell;
// only aggregates.parquet said so. Each now records lomsong.cell_rule
// at the resolution asked for.
func TestCoverageMetaStatesCellRule(t *testing.T) {
	ds := exampleDataset(t)
	for _, res := range []string{"8", "7"} {
		cov := filepath.Join(t.TempDir(), "cov")
		if out, errs, code := runBinary(t, "coverage", "--dataset", ds, "--res", res, "--geojson-layers", "viettel:4G", "--out", cov); code != exitOK {
			t.Fatalf("coverage --res %s: exit %d\n%s\n%s", res, code, out, errs)
		}
		f, err := os.Open(filepath.Join(cov, "coverage.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		_, pq, err := arrowio.ParquetFooter(f, st.Size())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := pq["lomsong.cell_rule"], cellRuleAt(res); got != want {
			t.Errorf("--res %s: coverage.parquet: lomsong.cell_rule %q, want %q", res, got, want)
		}
		for _, name := range []string{"coverage_meta.json", "coverage_best.geojson", "coverage_viettel_4G.geojson"} {
			m := jsonMetadata(t, filepath.Join(cov, name))
			if got, want := m["lomsong.cell_rule"], cellRuleAt(res); got != want {
				t.Errorf("--res %s: %s: lomsong.cell_rule %q, want %q", res, name, got, want)
			}
			if m["coverage.resolution"] != res {
				t.Errorf("--res %s: %s: coverage.resolution %q", res, name, m["coverage.resolution"])
			}
		}
	}
}
