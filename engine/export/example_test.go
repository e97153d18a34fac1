package export_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine/export"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// A month's villages become a point layer; GeoParquetColumns gives its
// columns and the GeoParquet "geo" metadata (crs omitted: OGC:CRS84).
func ExampleGeoParquetColumns() {
	cell, _ := hexgrid.Index(103.45, 22.40, 8)
	m := &export.Month{Villages: []export.Village{
		{ID: "V1", Name: "Bản Một", Lon: 103.45, Lat: 22.40, Cell: cell, Households: 40, Level: "covered", PDead: 0.01, BestMeanDBm: -88.4, BestSigmaDB: 6.2},
		{ID: "V2", Name: "Bản Hai", Lon: 103.0, Lat: 21.5, Households: 7, Level: "no-signal", PDead: math.NaN(), BestMeanDBm: math.NaN(), BestSigmaDB: math.NaN()},
	}}
	layers, _ := export.Layers(m)
	villages := layers[slices.Index(export.LayerNames, "villages")]
	_, geo, _ := export.GeoParquetColumns(&villages)
	b, _ := json.Marshal(geo)
	fmt.Println(villages.Name, villages.Len(), villages.Geometry)
	fmt.Println(string(b))
	// Output:
	// villages 2 POINT
	// {"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":["Point"],"bbox":[103,21.5,103.45,22.4]}}}
}
