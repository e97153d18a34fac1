package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A --raster that is not a TIFF, or a TIFF cut short, is data refused
// (exit 3) naming the file and the problem, as an empty raster and one in
// another CRS are; it was a failure of the command (exit 1), which a
// script reads as worth retrying.
func TestPopulationRasterNotATIFFIsRefused(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"), `raster: malformed TIFF: byte-order mark "\x89P", want II or MM`},
		{"csv", []byte("lon,lat,population\n103.4,22.4,10\n"), "raster: malformed TIFF"},
		{"bigtiff cut short", []byte("II+\x00\x08\x00\x00\x00\x5a\xf1\x1c\x00\x00\x00\x00\x00"), "raster: malformed TIFF: first IFD offset 1896794 outside the file (16 bytes)"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(dir, string(rune('a'+i))+".tif")
			if err := os.WriteFile(in, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out"+string(rune('a'+i)))
			stdout, errs, code := runCmd(t, "population", "--raster", in, "--out", out)
			if code != exitDataRefused || !strings.Contains(errs, in+": "+tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s\n%s", code, exitDataRefused, tc.want, stdout, errs)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s written: %v", out, err)
			}
		})
	}
}
