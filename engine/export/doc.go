// Package export writes a month of lomsong's results in the formats GIS
// tools open directly: an OGC GeoPackage 1.3 file (WriteGeoPackage, through
// engine/sqlitedb), GeoParquet 1.1 (WriteGeoParquet, through
// engine/arrowio) and, in the subpackage postgis, a PostGIS schema.
//
// Every format is written from the same Month (the plain data of one
// month: coverage per hex, carrier and technology, the best state per hex,
// dead-zone outlines, villages, sites, the investment plan and the commune
// summaries) turned into the same Layers, so the three formats hold the
// same tables, columns and features in the same order.
//
// The GeoJSON files the commands write beside them are rounded by
// RoundGeoJSON and written by WriteFeatureCollection: the bytes orb's
// FeatureCollection.MarshalJSON makes, the features marshalled on
// runtime.GOMAXPROCS(0) goroutines and streamed in their order, a few
// chunks of them in memory at a time.
//
// Conventions of the tables (docs/exports.md lists every column):
//
//   - Coordinates are WGS84 longitude/latitude (EPSG:4326 in GeoPackage and
//     PostGIS; GeoParquet omits crs, which its specification defines as
//     OGC:CRS84, the same datum with longitude first).
//   - Households and people are whole numbers, each row rounded to the
//     nearest integer; the exact totals before rounding are kept in the
//     metadata (Meta.Totals), so sums of rounded rows can be traced.
//   - Money is whole đồng (VND), rounded to the nearest đồng.
//   - Province and commune names stand beside their codes.
//   - A real value that is unknown (for example p_dead of a village decided
//     by its hexes) is NULL, never 0.
package export
