package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanCostsAsWritten: plan --costs with an amount written with the
// dot separating thousands ({"radio_vnd": 700.000}) planned with radios
// at 700 đồng, and one given as null with the default, each exit 0. Both
// are refused naming the file and how to write the figure, and nothing is
// written. A price list per technology is refused saying the model has
// none (it listed the figures alone) and where a site's own cost goes.
func TestPlanCostsAsWritten(t *testing.T) {
	ds := exampleDataset(t)
	dir := t.TempDir()
	for _, c := range []struct{ name, content, want string }{
		{"dots.json", `{"radio_vnd": 700.000}`, `"radio_vnd" is 700.000: 700 đồng, or 700000 with the dot separating thousands? Write 700000 without separators`},
		{"null.json", `{"tower_civil_vnd": 1e9, "radio_vnd": null}`, `"radio_vnd" is null`},
		{"techs.json", `{"4G": {"radio_vnd": 7e8}, "5G": {"radio_vnd": 1.2e9}}`, "the cost model has no figures per technology: one standard new build (a 4G macro site) prices every candidate without a cost_vnd"},
	} {
		path := writeFile(t, dir, c.name, []byte(c.content))
		out := filepath.Join(dir, "out-"+c.name)
		stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--costs", path, "--out", out)
		if code == exitOK || !strings.Contains(errs, path+": ") || !strings.Contains(errs, c.want) {
			t.Errorf("--costs %s: exit %d, want a refusal naming it and saying %q\nstdout: %s\nstderr: %s", c.content, code, c.want, stdout, errs)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("--costs %s: %s written (%v)", c.content, out, err)
		}
	}
}
