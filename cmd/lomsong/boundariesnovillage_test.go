package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/shareddata"
)

// TestBoundariesHoldingNoVillage: a --boundaries file none of whose areas
// holds a village of the dataset (a polygon in the Mekong delta for a
// dataset of Lai Châu) is refused (exit 3) by every command that attributes
// villages to its areas, naming the file and saying no village falls
// inside them, with nothing written; they exited 0 with every village
// unattributed. coverage and calibrate, which read the boundaries only to
// find --province, go on and say so. The provinces of 2025 are taken.
func TestBoundariesHoldingNoVillage(t *testing.T) {
	dir := t.TempDir()
	far := writeFile(t, dir, "far.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",`+
		`"properties":{"code":"99","name":"Far"},"geometry":{"type":"Polygon","coordinates":[[[106.0,10.0],[106.5,10.0],[106.5,10.5],[106.0,10.5],[106.0,10.0]]]}}]}`))
	ds := exampleDataset(t)
	out := filepath.Join(dir, "out")
	want := "--boundaries " + far + ": no village of the dataset falls inside its 1 area (none of the 3 villages of " + ds
	for _, args := range [][]string{
		{"deadzones", "--out", out},
		{"run", "--out", out},
		{"scorecard", "--period", "2026-10", "--out", out},
		{"report", "--period", "2026-10", "--out", out},
		{"export", "--period", "2026-10", "--format", "gpkg", "--out", out + ".gpkg"},
		{"plan", "--budget", "500e9", "--out", out},
		{"campaign", "--days", "1", "--out", out},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, errs, code := runCmd(t, append(args, "--dataset", ds, "--boundaries", far)...)
			if code != exitDataRefused || !strings.Contains(errs, want) {
				t.Errorf("exit %d, want %d with %q\n%s", code, exitDataRefused, want, errs)
			}
			for _, p := range []string{out, out + ".gpkg"} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s written", p)
				}
			}
		})
	}
	for _, args := range [][]string{
		{"coverage", "--out", out},
		{"calibrate", "--out", filepath.Join(dir, "calibration.json")},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, errs, code := runCmd(t, append(args, "--dataset", ds, "--boundaries", far)...)
			if code != exitOK || !strings.Contains(errs, "warning: "+want) ||
				!strings.Contains(errs, "this command reads the boundaries only to find --province: the result is the same without them") {
				t.Errorf("exit %d\n%s", code, errs)
			}
		})
	}
	t.Run("provinces of 2025", func(t *testing.T) {
		_, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--boundaries", shareddata.Path(t, "vn_provinces_2025.geojson"), "--out", filepath.Join(dir, "dz"))
		if code != exitOK || strings.Contains(errs, "no village of the dataset falls inside") {
			t.Errorf("exit %d\n%s", code, errs)
		}
	})
}
