package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// The GSO's 2025 commune file holds two pairs of slivers a few square
// metres wide that simplification left on the wrong side of a border:
// Bạch Đích (00832) and Thạnh Phú (31249) have a hole lying outside their
// outer ring, Yên Minh (00820) and Cờ Đỏ (31261) a polygon inside their
// main one. Neither changes which points the commune holds, but a GIS
// reads both as invalid ("Hole lies outside shell", "Nested shells"), and
// the export's communes_summary wrote them as read: ST_IsValid failed on
// those communes in GDAL and PostGIS. They are dropped when the file is
// read, and the villages stay in their communes.
func TestExportCommuneOutlinesWithoutStrayRings(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	communes := filepath.Join(dir, "communes.geojson")
	// C1 holds V1 and V2, with a hole east of its outer ring; C2 holds V4,
	// with a triangle inside its square given first.
	if err := os.WriteFile(communes, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"C1","name":"Xã Một","provinceCode":"12"},"geometry":{"type":"Polygon","coordinates":[
 [[103.2,22.3],[103.6,22.3],[103.6,22.7],[103.2,22.7],[103.2,22.3]],
 [[103.70,22.50],[103.70,22.51],[103.71,22.50],[103.70,22.50]]]}},
{"type":"Feature","properties":{"code":"C2","name":"Xã Hai","provinceCode":"12"},"geometry":{"type":"MultiPolygon","coordinates":[
 [[[102.50,22.50],[102.51,22.50],[102.50,22.51],[102.50,22.50]]],
 [[[102.4,22.4],[102.7,22.4],[102.7,22.7],[102.4,22.7],[102.4,22.4]]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	gpkg, outlines := exportCommuneOutlines(t, dir, ds, communes)
	// Per commune: its polygons' ring counts and the outer rings' size.
	got := map[string][]int{}
	for code, mp := range outlines {
		for _, p := range mp {
			got[code] = append(got[code], len(p))
			if len(p[0]) != 5 {
				t.Errorf("%s: outer ring %v, want the commune's square", code, p[0])
			}
		}
	}
	for _, c := range []string{"C1", "C2"} {
		if !slices.Equal(got[c], []int{1}) {
			t.Errorf("%s: polygons with %v rings, want one polygon of one ring", c, got[c])
		}
	}
	db, err := sqlitedb.Open(context.Background(), gpkg, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The villages keep their communes.
	vrows, err := db.Query(`SELECT commune_code, count(*) FROM villages GROUP BY commune_code ORDER BY commune_code`)
	if err != nil {
		t.Fatal(err)
	}
	defer vrows.Close()
	var per []string
	for vrows.Next() {
		var c string
		var n int
		if err := vrows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		per = append(per, fmt.Sprintf("%s:%d", c, n))
	}
	if err := vrows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(per, "C1:2") || !slices.Contains(per, "C2:1") {
		t.Errorf("villages per commune %v, want C1 two, C2 one", per)
	}
}
