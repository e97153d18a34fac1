package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A --communes file that cannot be used (coordinates latitude first, a
// feature without its code) is data refused (exit 3) by deadzones, export
// and run, as the same file given to --boundaries is; it was a failure of
// the command (exit 1).
func TestCommunesFileRefusedAsData(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	swapped := filepath.Join(dir, "swapped.geojson")
	if err := os.WriteFile(swapped, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"03478","name":"Sìn Hồ","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[22.3,103.2],[22.3,103.6],[22.7,103.6],[22.3,103.2]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	nocode := filepath.Join(dir, "nocode.geojson")
	if err := os.WriteFile(nocode, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ma_xa":"03478","name":"Sìn Hồ","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.3]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{swapped, "coordinate (22.3, 103.2) is not a longitude and latitude"},
		{nocode, `feature 0: property "code": missing`},
	} {
		for _, args := range [][]string{
			{"deadzones", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", tc.file, "--out", filepath.Join(dir, "dz")},
			{"export", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", tc.file, "--format", "gpkg", "--out", filepath.Join(dir, "m.gpkg")},
			{"run", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", tc.file, "--out", filepath.Join(dir, "run")},
		} {
			stdout, errs, code := runCmd(t, args...)
			if code != exitDataRefused || !strings.Contains(errs, tc.file+": ") || !strings.Contains(errs, tc.want) {
				t.Errorf("%s --communes %s: exit %d, want %d and %q:\n%s\n%s", args[0], filepath.Base(tc.file), code, exitDataRefused, tc.want, stdout, errs)
			}
		}
	}
}
