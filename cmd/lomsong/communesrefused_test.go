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

// A --communes file whose codes are JSON numbers (a spreadsheet's or
// QGIS's export of a code column taken for numbers: 03478 written 3478)
// is read with a warning, as --boundaries warns of such a file: its codes
// lost their leading zero and match no village's commune_code. Nothing
// was said; the villages took the codes without their zero.
func TestCommunesNumericCodesWarned(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":12001,"name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]]]}},
{"type":"Feature","properties":{"code":"3478","name":"Xã Hai","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.4,22.4],[102.7,22.4],[102.7,22.7],[102.4,22.7],[102.4,22.4]]]}},
{"type":"Feature","properties":{"code":3479,"name":"Xã Ba","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[[[102.9,22.0],[103.2,22.0],[103.2,22.2],[102.9,22.2],[102.9,22.0]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, errs, code := runCmd(t, "deadzones", "--dataset", ds, "--province", "lai chau", "--period", "2026-10", "--communes", communes, "--out", filepath.Join(dir, "dz"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	want := "warning: " + communes + " gives 2 of its 3 commune codes as numbers (e.g. 12001), not text: a leading zero is lost there"
	if !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
}
