package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// A file that is not a table given to population --h3 or --points is
// refused saying what it is: a GeoTIFF (the raster meant for --raster)
// had its first line printed back as the table's "columns", binary bytes
// on the terminal, and a GeoJSON file of points was refused as '"{" is
// not a number' in column lon.
func TestPopulationTableFlagGivenAnotherFile(t *testing.T) {
	dir := t.TempDir()
	tiff := append([]byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"), []byte("\x0f\x00\x00\x01\x03\x00\x01,\x99\xfe\xff,3\n")...)
	cases := []struct {
		name, flag string
		data       []byte
		want       string
	}{
		{"bigtiff to --h3", "--h3", tiff, "a TIFF image, not a table: a GeoTIFF raster of people per pixel is read by lomsong population --raster"},
		{"tiff to --points", "--points", []byte("II*\x00\x08\x00\x00\x00,\x00\x01\n1,2,3\n"), "a TIFF image, not a table"},
		{"geojson to --points", "--points", []byte(`  {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"population":5},"geometry":{"type":"Point","coordinates":[103.4,22.4]}}]}`), "a JSON document (GeoJSON?), not a table"},
		{"binary to --h3", "--h3", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR,1\n"), "binary bytes in its first line: not a CSV table"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(dir, string(rune('a'+i))+".dat")
			if err := os.WriteFile(in, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out"+string(rune('a'+i)))
			stdout, errs, code := runCmd(t, "population", tc.flag, in, "--out", out)
			if code != exitDataRefused || !strings.Contains(errs, in+": ") || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s\n%q", code, exitDataRefused, tc.want, stdout, errs)
			}
			if !utf8.ValidString(errs) || strings.ContainsAny(errs, "\x00\x01\x08\x1a") {
				t.Errorf("binary bytes on stderr: %q", errs)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s written: %v", out, err)
			}
		})
	}
}
