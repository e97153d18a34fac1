package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A boundary file of many features with one malformed — a coordinate
// written as text, a ring without its brackets, an unknown geometry
// type — is refused naming that feature by index and code, and a JSON
// syntax error by line and column; the refusal named neither ("not a
// GeoJSON FeatureCollection: json: cannot unmarshal string into Go value
// of type float64"), nothing to find the one bad feature of 3,321 by.
func TestBoundaryMalformedFeatureIsNamed(t *testing.T) {
	dir := t.TempDir()
	good := func(i int) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"code":"%05d","name":"Xã %d"},"geometry":{"type":"Polygon","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.3]]]}}`, i, i)
	}
	file := func(bad string, at int) string {
		var fs []string
		for i := 0; i < 40; i++ {
			if i == at {
				fs = append(fs, bad)
				continue
			}
			fs = append(fs, good(i))
		}
		return "{\"type\":\"FeatureCollection\",\n\"features\":[\n" + strings.Join(fs, ",\n") + "]}"
	}
	cases := []struct{ name, in, want string }{
		{"text coordinate", file(`{"type":"Feature","properties":{"code":"03478","name":"Sìn Hồ"},"geometry":{"type":"Polygon","coordinates":[[["103.2","22.3"],[103.6,22.3],[103.6,22.7],[103.2,22.3]]]}}`, 17),
			`feature 17 (code "03478"): not a GeoJSON feature: json: cannot unmarshal string`},
		{"ring without brackets", file(`{"type":"Feature","properties":{"code":12,"name":"Lai Châu"},"geometry":{"type":"Polygon","coordinates":[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.3]]}}`, 31),
			`feature 31 (code "12"): not a GeoJSON feature`},
		{"unknown type", file(`{"type":"Feature","properties":{"name":"Sìn Hồ"},"geometry":{"type":"Polygonz","coordinates":[[[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.3]]]}}`, 3),
			`feature 3 (name "Sìn Hồ"): not a GeoJSON feature: geojson: invalid geometry`},
		{"syntax", file(`{"type":"Feature" "properties":{}}`, 2), `not a GeoJSON FeatureCollection: line 5, column 19: invalid character`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("b%d.geojson", i))
			if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, errs, code := runCmd(t, "areas", "--boundaries", path)
			if code != exitDataRefused || !strings.Contains(errs, path+": ") || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s\n%s", code, exitDataRefused, tc.want, stdout, errs)
			}
		})
	}
}
