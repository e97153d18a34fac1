package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/shareddata"
)

// TestBoundaryFileRefusedExit3: a boundary file refused for its data —
// the 63 provinces of 2019 with their 2025 province's code as code (codes
// repeated), a set without its code property, a province drawn as a bow
// tie — is data refused (exit 3), as an empty set and a table without a
// required column are, naming the file and the feature; it was exit 1.
func TestBoundaryFileRefusedExit3(t *testing.T) {
	b, err := os.ReadFile(shareddata.Path(t, "vn_provinces_2019_naturalearth.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	variant := func(name string, edit func(props map[string]any, geom map[string]any)) string {
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				Type       string         `json:"type"`
				Properties map[string]any `json:"properties"`
				Geometry   map[string]any `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		for _, f := range fc.Features {
			edit(f.Properties, f.Geometry)
		}
		out, err := json.Marshal(fc)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, name, out)
	}
	codes2025 := variant("codes2025.geojson", func(p, _ map[string]any) { p["code"] = p["code_2025"] })
	noCode := variant("nocode.geojson", func(p, _ map[string]any) { delete(p, "code") })
	bowTie := variant("bowtie.geojson", func(p, g map[string]any) {
		if p["code"] == "12" {
			g["type"] = "Polygon"
			g["coordinates"] = [][][2]float64{{{102.5, 22.0}, {103.5, 22.8}, {103.5, 22.0}, {102.5, 22.8}, {102.5, 22.0}}}
		}
	})
	ds := exampleDataset(t)
	for _, c := range []struct{ file, want string }{
		{codes2025, `duplicate code "`},
		{noCode, `feature 0: property "code": missing`},
		{bowTie, `(code "12"): a geometry of zero area: its outer ring around (102.50000, 22.00000) crosses itself`},
	} {
		for _, args := range [][]string{
			{"areas", "--boundaries", c.file},
			{"coverage", "--dataset", ds, "--boundaries", c.file, "--province", "12", "--out", filepath.Join(dir, "cov")},
		} {
			_, errs, code := runCmd(t, args...)
			if code != exitDataRefused || !strings.Contains(errs, c.file+": geodata: invalid boundaries") || !strings.Contains(errs, c.want) {
				t.Errorf("%s --boundaries %s: exit %d, want %d containing %q\n%s", args[0], filepath.Base(c.file), code, exitDataRefused, c.want, errs)
			}
		}
	}
}
