package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappingKeyGivenTwice: a mapping that names a key twice in one
// object ("carrier" in "constants" left from the file it was copied from,
// a column mapped twice) is refused naming the key and where, by validate
// and ingest, with nothing ingested. The JSON decoder kept the last
// value: MobiFone's 200 tests were ingested as Viettel's without a word.
func TestMappingKeyGivenTwice(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(examples, "mapping_mobifone.json"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(examples, "measurements_mobifone_own_layout.csv")
	for _, c := range []struct{ name, old, new, want string }{
		{"carrier.json", `"carrier": "MobiFone",`, `"carrier": "MobiFone",` + "\n    \"carrier\": \"Viettel\",", `constants: "carrier" is given twice`},
		{"column.json", `"RAT": "tech",`, `"RAT": "tech",` + "\n    \"RAT\": \"\",", `columns: "RAT" is given twice`},
		{"kind.json", `"kind": "measurements",`, `"kind": "measurements", "kind": "sites",`, `"kind" is given twice`},
	} {
		if !strings.Contains(string(src), c.old) {
			t.Fatalf("%s: %q not in the example mapping", c.name, c.old)
		}
		mapping := writeFile(t, dir, c.name, []byte(strings.Replace(string(src), c.old, c.new, 1)))
		ds := filepath.Join(dir, "ds-"+c.name)
		for _, args := range [][]string{{"validate", "--mapping", mapping, in}, {"ingest", "--dataset", ds, "--mapping", mapping, in}} {
			stdout, errs, code := runBinary(t, args...)
			if code == exitOK || !strings.Contains(errs, mapping+": ") || !strings.Contains(errs, c.want) || strings.Contains(stdout, "accepted") {
				t.Errorf("%s %s: exit %d, want a refusal naming %q\nstdout: %s\nstderr: %s", args[0], c.name, code, c.want, stdout, errs)
			}
		}
		if _, err := os.Stat(filepath.Join(ds, "manifest.json")); !os.IsNotExist(err) {
			t.Errorf("%s: a dataset was written (%v)", c.name, err)
		}
	}
}
