package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// deadzones.geojson carries every column of deadzones.csv with its value
// (numbers as deadzones.csv's, or rounded to 4 decimals), and
// villages_uncertain equals the export's deadzones layer's: the GeoJSON
// lacked villages_uncertain, village_ids, nearest_sites, carriers_2g, the
// centroid and the provinces' and communes' shares, and deadzones.csv
// villages_uncertain. The demo of seed 2 has zones with villages served
// on an uncertain verdict.
func TestDeadzonesGeoJSONCarriesTheTablesColumns(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes several seconds")
	}
	out := filepath.Join(t.TempDir(), "demo")
	if _, errs, code := runBinary(t, "demo", "--seed", "2", "--out", out); code != exitOK {
		t.Fatalf("demo: exit %d\n%s", code, errs)
	}
	features := featureProps(t, filepath.Join(out, "deadzones", "deadzones.geojson"))
	recs := csvRows(t, filepath.Join(out, "deadzones", "deadzones.csv"))
	if len(recs)-1 != len(features) || len(features) == 0 {
		t.Fatalf("%d zones in deadzones.csv, %d in deadzones.geojson", len(recs)-1, len(features))
	}
	byID := map[string]map[string]any{}
	for _, props := range features {
		byID[fmt.Sprint(props["zone_id"])] = props
	}
	for _, r := range recs[1:] {
		p := byID[r[0]]
		if p == nil {
			t.Fatalf("zone %s of deadzones.csv is not in deadzones.geojson", r[0])
		}
		for j, col := range recs[0] {
			v, ok := p[col]
			if !ok {
				t.Errorf("zone %s: deadzones.geojson has no %s (deadzones.csv: %q)", r[0], col, r[j])
				continue
			}
			switch v := v.(type) {
			case float64:
				c, err := strconv.ParseFloat(r[j], 64)
				if err != nil || math.Abs(c-v) > 5e-5 {
					t.Errorf("zone %s %s: deadzones.geojson %v, deadzones.csv %q", r[0], col, v, r[j])
				}
			default:
				if fmt.Sprint(v) != r[j] {
					t.Errorf("zone %s %s: deadzones.geojson %v, deadzones.csv %q", r[0], col, v, r[j])
				}
			}
		}
	}
	db, err := sqlitedb.Open(context.Background(), filepath.Join(out, "export", "lomsong-2024-10.gpkg"), sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT zone_id, villages_uncertain FROM deadzones`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, uncertain := 0, 0.0
	for rows.Next() {
		var id string
		var u int64
		if err := rows.Scan(&id, &u); err != nil {
			t.Fatal(err)
		}
		n++
		if got, ok := byID[id]["villages_uncertain"].(float64); !ok || got != float64(u) {
			t.Errorf("zone %s: villages_uncertain %v in deadzones.geojson, %d in the GeoPackage", id, byID[id]["villages_uncertain"], u)
		}
		uncertain += float64(u)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(features) || uncertain == 0 {
		t.Fatalf("%d zones in the GeoPackage (%d in deadzones.geojson), %v villages uncertain: the world does not test villages_uncertain", n, len(features), uncertain)
	}
}
