package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCostsFileRefused: plan --costs refuses, naming the file and
// what is wrong, a cost file whose figures would be read otherwise than
// written: a figure named twice (the last one was taken), a second JSON
// object after the first (ignored), an empty file ("EOF"), and the
// plan.json its help points to for the defaults (refused as a misspelt
// key, "unknown field \"bound_method\""); nothing is written. An unknown
// key lists the figures there are. One figure changed is still taken.
func TestPlanCostsFileRefused(t *testing.T) {
	t.Parallel()
	ds := exampleDataset(t)
	dir := t.TempDir()
	planJSON := writeFile(t, dir, "plan.json", []byte(`{"budget_vnd": 500000000000, "costs": {"radio_vnd": 600000000}, "bound_method": "coverable", "sites_funded": 3}`))
	for _, c := range []struct {
		name, content string
		want          []string
	}{
		{"twice.json", "{\"radio_vnd\": 700000000,\n \"tower_civil_vnd\": 1e9,\n \"radio_vnd\": 600000000}", []string{`"radio_vnd" is given twice`}},
		{"two.json", "{\"radio_vnd\": 700000000}\n{\"radio_vnd\": 900000000}\n", []string{"after its JSON object", "one object"}},
		{"empty.json", " \n", []string{"empty", `{"radio_vnd": 600000000}`}},
		{"misspelt.json", `{"tower_vnd": 1e9}`, []string{`unknown field "tower_vnd"`, "tower_civil_vnd", "discount_rate"}},
	} {
		path := writeFile(t, dir, c.name, []byte(c.content))
		out := filepath.Join(dir, "out-"+c.name)
		stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--costs", path, "--out", out)
		ok := code != exitOK && strings.Contains(errs, path+": ") && stdout == ""
		for _, w := range c.want {
			ok = ok && strings.Contains(errs, w)
		}
		if !ok {
			t.Errorf("--costs %s: exit %d, want a refusal naming it and %q\nstdout: %s\nstderr: %s", c.name, code, c.want, stdout, errs)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("--costs %s: %s written (%v)", c.name, out, err)
		}
	}
	_, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--costs", planJSON, "--out", filepath.Join(dir, "out-plan"))
	if code == exitOK || !strings.Contains(errs, planJSON+": ") || !strings.Contains(errs, "a plan's summary") || !strings.Contains(errs, `"costs"`) {
		t.Errorf("--costs plan.json: exit %d\n%s", code, errs)
	}
	one := writeFile(t, dir, "one.json", []byte("\xef\xbb\xbf{\"radio_vnd\": 700000000}\n"))
	out := filepath.Join(dir, "out-one")
	if _, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--costs", one, "--out", out); code != exitOK {
		t.Fatalf("--costs one.json: exit %d\n%s", code, errs)
	}
	if b, err := os.ReadFile(filepath.Join(out, "plan.json")); err != nil || !strings.Contains(string(b), `"radio_vnd":700000000`) {
		t.Errorf("plan.json with one figure changed: %v\n%s", err, b)
	}
}
