package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// A feature collection is written as it marshals itself, byte for byte
// what an Encoder writes (HTML-escaped names, a final newline), without
// reading its output a second time.
func TestWriteJSONFileMarshalerSameBytes(t *testing.T) {
	fc := geojson.NewFeatureCollection()
	for i, name := range []string{"Bản <Nậm> & Co", "Thôn \u2028 Mới", `quote " and \ slash`} {
		f := geojson.NewFeature(orb.Polygon{{{102.1, 22.1}, {102.2, 22.1}, {102.2, 22.2 + float64(i)}, {102.1, 22.1}}})
		f.Properties["name"] = name
		f.Properties["households"] = 120.5
		f.Properties["p_dead"] = nil
		fc.Append(f)
	}
	path := filepath.Join(t.TempDir(), "x.geojson")
	if err := writeJSONFile(path, fc); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(fc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("written:\n%s\nan Encoder writes:\n%s", got, want.Bytes())
	}
	if !bytes.Contains(got, []byte(`\u003cNậm\u003e \u0026 Co`)) || !bytes.HasSuffix(got, []byte("}\n")) {
		t.Fatalf("names not escaped as JSON for HTML, or no final newline: %s", got)
	}
}

// A feature collection with a feature that cannot be marshalled (a NaN
// property) is an error naming the file and the feature, and the file is
// not written.
func TestWriteJSONFileFeatureError(t *testing.T) {
	fc := geojson.NewFeatureCollection()
	for i := range 3000 {
		f := geojson.NewFeature(orb.Point{102 + float64(i)/1000, 22})
		f.Properties["p_dead"] = 0.5
		if i == 2345 {
			f.Properties["p_dead"] = math.NaN()
		}
		fc.Append(f)
	}
	path := filepath.Join(t.TempDir(), "coverage_best.geojson")
	err := writeJSONFile(path, fc)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "feature 2345") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("error %v, want one naming %s, feature 2345 and its NaN", err, path)
	}
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("%s written after the error (%v)", path, serr)
	}
}
