package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// Every GeoJSON file lomsong writes has coordinates of at most 6
// decimals (RFC 7946 §11.2: about 11 cm), and its polygons' exterior
// rings counter-clockwise: deadzones.geojson, coverage_best.geojson and
// plan's footprints.geojson had the 15 to 17 decimals of the hex
// vertices, and campaign.geojson's routes a start of 14 or 15 (the
// villages' household-weighted centre), nearly doubling the hex files.
func TestGeoJSONCoordinateDecimals(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), filepath.Join(examples, "villages.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, errs)
	}
	runs := [][]string{
		{"deadzones", "--dataset", ds, "--out", filepath.Join(dir, "dz")},
		{"coverage", "--dataset", ds, "--geojson-layers", "viettel:4G", "--out", filepath.Join(dir, "cov")},
		{"campaign", "--dataset", ds, "--days", "1", "--out", filepath.Join(dir, "camp")},
		{"plan", "--dataset", ds, "--budget", "5e10", "--out", filepath.Join(dir, "plan")},
	}
	for _, args := range runs {
		if _, errs, code := runBinary(t, args...); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", args[0], code, errs)
		}
	}
	long := regexp.MustCompile(`\d\.\d{7,}`)
	for _, f := range []struct {
		path string
		kind string // a geometry type the file must hold
	}{
		{"dz/deadzones.geojson", "MultiPolygon"},
		{"cov/coverage_best.geojson", "Polygon"},
		{"cov/coverage_viettel_4G.geojson", "Polygon"},
		{"camp/campaign.geojson", "LineString"},
		{"plan/footprints.geojson", "MultiPolygon"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.path))
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Geometry json.RawMessage `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		kinds := map[string]int{}
		for i, ft := range fc.Features {
			var g struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			}
			if err := json.Unmarshal(ft.Geometry, &g); err != nil {
				t.Fatalf("%s feature %d: %v", f.path, i+1, err)
			}
			kinds[g.Type]++
			if m := long.Find(g.Coordinates); m != nil {
				t.Errorf("%s feature %d (%s): coordinate %s has more than 6 decimals", f.path, i+1, g.Type, m)
				break
			}
			var polys [][][][2]float64
			switch g.Type {
			case "Polygon":
				var p [][][2]float64
				if err := json.Unmarshal(g.Coordinates, &p); err != nil {
					t.Fatal(err)
				}
				polys = append(polys, p)
			case "MultiPolygon":
				if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range polys {
				r := p[0]
				a := 0.0
				for j := 0; j+1 < len(r); j++ {
					a += r[j][0]*r[j+1][1] - r[j+1][0]*r[j][1]
				}
				if r[0] != r[len(r)-1] || a <= 0 {
					t.Errorf("%s feature %d: exterior ring not closed or not counter-clockwise (signed area %g)", f.path, i+1, a/2)
				}
			}
		}
		if kinds[f.kind] == 0 {
			t.Errorf("%s: no %s among %v: the example dataset no longer exercises it", f.path, f.kind, kinds)
		}
	}
}
