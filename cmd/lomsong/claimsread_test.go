package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/dataset"
)

// deadzones --claims says what became of the file: its rows, the distinct
// claims they make (spellings of one carrier and technology are one), how
// many have tests (challenges.csv) and how many none; a carrier lomsong
// does not know is warned of, as validate does (a misspelt "vietel"
// vanished without a word); and deadzones_meta.json names the file and
// its SHA-256 (a refused later run left the earlier outputs, with nothing
// saying which claims made them).
func TestDeadzonesClaimsAccounted(t *testing.T) {
	ds := exampleDataset(t)
	dir := t.TempDir()
	claims := filepath.Join(dir, "claims.csv")
	os.WriteFile(claims, []byte("cell,carrier,tech\n88415c3a17fffff,viettel,4G\n88415c3a17fffff,Viettel,LTE\n88415c3a17fffff,vietel,4G\n"), 0o644)
	out := filepath.Join(dir, "dz")
	stdout, errs, code := runBinary(t, "deadzones", "--dataset", ds, "--claims", claims, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "warning: "+claims+": carriers lomsong does not know, kept under their own names: vietel (1 row)") {
		t.Errorf("no warning of the misspelt carrier:\n%s", errs)
	}
	rows := csvRows(t, filepath.Join(out, "challenges.csv"))
	if h := rows[0]; h[len(h)-1] != "excluded" {
		t.Errorf("challenges.csv header %q: want the tests not counted (excluded) last", h)
	}
	with := 0
	for _, r := range rows[1:] {
		if r[1] == "8" {
			with++
		}
	}
	want := fmt.Sprintf("claims of %s: 3 rows accepted, 2 claims (hex, carrier, technology); %d with tests of the month (challenges.csv), %d without a test: not adjudicated", claims, with, 2-with)
	if !strings.Contains(stdout, want) || with > 1 {
		t.Errorf("want %q (the misspelt carrier's claim has no test):\n%s", want, stdout)
	}
	if !strings.Contains(stdout, ",claims.quarantine.csv}") {
		t.Errorf("the files written leave out claims.quarantine.csv:\n%s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "deadzones_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	sum, err := dataset.SHA256File(claims)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	var walk func(v any)
	walk = func(v any) {
		if m, ok := v.(map[string]any); ok {
			if m["lomsong.claims"] == claims && m["lomsong.claims_sha256"] == sum {
				found = append(found, "yes")
			}
			for _, x := range m {
				walk(x)
			}
		}
	}
	walk(meta)
	if len(found) == 0 {
		t.Errorf("deadzones_meta.json does not name the claims file and its SHA-256 %s:\n%s", sum, b)
	}
}

// A claims table is read without a mapping: --suggest-mapping says which
// columns to rename (it printed a mapping of kind claims that --mapping
// then refused), and a header without a required column is told the same.
func TestSuggestMappingClaimsRenames(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "other.csv")
	os.WriteFile(f, []byte("hex,operator,technology\n88415c3a17fffff,viettel,4G\n"), 0o644)
	stdout, errs, code := runCmd(t, "validate", "--kind", "claims", "--suggest-mapping", f)
	if code != exitDataRefused || strings.TrimSpace(stdout) != "" ||
		!strings.Contains(errs, `a claims table is read without a mapping (no --mapping takes it): rename its header's columns: "operator" → carrier, "technology" → tech; no column found for cell: add it`) {
		t.Fatalf("exit %d\nstdout %q\n%s", code, stdout, errs)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("cell,carrier,tech\n88415c3a17fffff,viettel,4G\n"), 0o644)
	if _, errs, code := runCmd(t, "validate", "--suggest-mapping", good); code != exitOK || !strings.Contains(errs, "it needs no mapping") {
		t.Fatalf("a claims header as the contract names it: exit %d\n%s", code, errs)
	}
	if out, errs, code := runCmd(t, "validate", "--kind", "claims", f); code != exitDataRefused || strings.Contains(out+errs, "give a mapping") ||
		!strings.Contains(out+errs, "a claims table is read without a mapping") {
		t.Fatalf("validate --kind claims of a header without cell: exit %d\n%s%s", code, out, errs)
	}
}
