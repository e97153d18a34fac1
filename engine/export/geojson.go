package export

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// GeoJSONDecimals is the number of decimals of the longitudes and
// latitudes lomsong writes in GeoJSON: 6, about 11 cm, the precision RFC
// 7946 §11.2 gives as enough (an H3 hex of resolution 8 has edges of
// about 500 m; the villages and sites are given to 6 decimals). The
// 15 to 17 decimals of a float64 measure nothing, and make a file of hex
// polygons nearly twice as large. GeoPackage, GeoParquet and PostGIS keep
// the full float64: their size does not grow with the digits.
const GeoJSONDecimals = 6

// RoundGeoJSON rounds the coordinates of every feature's geometry of fc
// to GeoJSONDecimals, in place, and returns fc. A ring stays closed (its
// first and last points are the same point, rounded alike); two hexes'
// shared vertex, computed for each hex, rounds to one point. Properties
// are left as they are.
func RoundGeoJSON(fc *geojson.FeatureCollection) *geojson.FeatureCollection {
	if fc == nil {
		return nil
	}
	f := math.Pow(10, GeoJSONDecimals)
	for _, ft := range fc.Features {
		if ft != nil && ft.Geometry != nil {
			ft.Geometry = orb.Round(ft.Geometry, int(f))
		}
	}
	return fc
}
