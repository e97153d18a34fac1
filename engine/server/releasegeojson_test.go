package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// A release's deadzones.geojson, as the file and as a province reads it
// (/provinces/{code}/deadzones.geojson), has coordinates of at most 6
// decimals (export.GeoJSONDecimals, RFC 7946 §11.2), as every GeoJSON
// lomsong deadzones writes: it carried the 15 to 17 decimals of the hex
// vertices. Its rings stay closed.
func TestReleaseDeadzonesCoordinateDecimals(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	rl := ts.release(t, "2024-10")
	if rl.Status != "published" {
		t.Fatalf("release: %+v", rl)
	}
	file, err := os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", rl.Number), "deadzones.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	code, served := ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/deadzones.geojson", "/api/v1/releases/{period}/provinces/{code}/deadzones.geojson", nil, "")
	if code != http.StatusOK {
		t.Fatalf("the province's dead zones: %d %.300s", code, served)
	}
	long := regexp.MustCompile(`\d\.\d{7,}`)
	for _, b := range []struct {
		what string
		body []byte
	}{{"deadzones.geojson", file}, {"/provinces/12/deadzones.geojson", served}} {
		var fc struct {
			Features []struct {
				Geometry struct {
					Type        string          `json:"type"`
					Coordinates json.RawMessage `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b.body, &fc); err != nil {
			t.Fatalf("%s: %v", b.what, err)
		}
		if len(fc.Features) == 0 {
			t.Fatalf("%s: no dead zones: the release does not test its coordinates", b.what)
		}
		for i, ft := range fc.Features {
			if m := long.Find(ft.Geometry.Coordinates); m != nil {
				t.Errorf("%s feature %d: coordinate %s has more than 6 decimals", b.what, i+1, m)
				break
			}
			var polys [][][][2]float64
			if err := json.Unmarshal(ft.Geometry.Coordinates, &polys); err != nil || ft.Geometry.Type != "MultiPolygon" {
				t.Fatalf("%s feature %d: %s: %v", b.what, i+1, ft.Geometry.Type, err)
			}
			for _, p := range polys {
				for _, r := range p {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Errorf("%s feature %d: ring not closed: %v", b.what, i+1, r)
					}
				}
			}
		}
	}
}
