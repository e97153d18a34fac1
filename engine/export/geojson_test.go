package export

import (
	"encoding/json"
	"math"
	"regexp"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// RoundGeoJSON leaves at most 6 decimals in every coordinate, within half
// a millionth of a degree of the point, rings closed and counter-clockwise
// as they were, a hole still clockwise, and the properties as they were.
func TestRoundGeoJSON(t *testing.T) {
	c, err := hexgrid.Index(103.3, 22.4, 8)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := c.Disk(1)
	if err != nil {
		t.Fatal(err)
	}
	var ring6 []hexgrid.Cell // the disk without its centre: a polygon with a hole
	for _, d := range disk {
		if d != c {
			ring6 = append(ring6, d)
		}
	}
	mp, err := hexgrid.Outline(ring6)
	if err != nil {
		t.Fatal(err)
	}
	hex, err := c.Boundary()
	if err != nil {
		t.Fatal(err)
	}
	ctr, err := c.Center()
	if err != nil {
		t.Fatal(err)
	}
	geoms := []orb.Geometry{mp, orb.Polygon{hex}, ctr, orb.LineString{ctr, hex[0], hex[3]}}
	fc := geojson.NewFeatureCollection()
	for _, g := range geoms {
		f := geojson.NewFeature(orb.Clone(g))
		f.Properties["lon"] = ctr[0]
		fc.Append(f)
	}
	if RoundGeoJSON(fc) != fc {
		t.Fatal("RoundGeoJSON does not return its collection")
	}
	for i, f := range fc.Features {
		if f.Properties["lon"] != ctr[0] {
			t.Errorf("feature %d: property lon %v, want %v as given", i, f.Properties["lon"], ctr[0])
		}
		if m := regexp.MustCompile(`\d\.\d{7,}`).Find(mustJSON(t, geojson.NewGeometry(f.Geometry))); m != nil {
			t.Errorf("feature %d: coordinate %s has more than %d decimals", i, m, GeoJSONDecimals)
		}
	}
	got := fc.Features[0].Geometry.(orb.MultiPolygon)
	if len(got) != 1 || len(got[0]) != 2 {
		t.Fatalf("the outline of 6 hexes round one: %d polygons", len(got))
	}
	for k, r := range got[0] {
		if r[0] != r[len(r)-1] {
			t.Errorf("ring %d is no longer closed", k)
		}
		if want := k == 0; (ringArea(r) > 0) != want {
			t.Errorf("ring %d: signed area %g: the exterior must stay counter-clockwise, a hole clockwise", k, ringArea(r))
		}
		for j, p := range r {
			q := mp[0][k][j]
			if math.Abs(p[0]-q[0]) > 5e-7 || math.Abs(p[1]-q[1]) > 5e-7 {
				t.Errorf("ring %d point %d: %v rounded to %v", k, j, q, p)
			}
		}
	}
	if RoundGeoJSON(nil) != nil {
		t.Error("a nil collection")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ringArea is the ring's signed area in square degrees (shoelace):
// positive counter-clockwise.
func ringArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}
