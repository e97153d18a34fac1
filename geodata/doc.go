// Package geodata holds boundary sets as data and the facts lomsong embeds.
//
// A BoundarySet is a named, versioned set of administrative units (code,
// name, optional parent code, MultiPolygon geometry in WGS84 lon/lat, and
// its bounding box). Nothing in lomsong is hard-coded to one set: any GeoJSON
// FeatureCollection can be loaded with LoadBoundaries.
//
// Embedded data (see README.md for attribution):
//
//   - Provinces2019: the 63 provinces in force from 2008 to 30 June 2025
//     (Natural Earth admin-1, public domain; coarse geometry).
//   - Census2019: per-province figures of the 1 April 2019 census
//     (General Statistics Office of Viet Nam): population, urban population,
//     households total/urban/rural.
//   - Crosswalk: the official 63 → 34 mapping of Resolution 202/2025/QH15.
//     Whole old provinces merged, so Provinces2025 is derived exactly: each
//     2025 unit's geometry is the MultiPolygon made of its members' polygons
//     (no clipping, shared borders stay inside), and Census2025 sums the
//     members' figures.
//
// Names are matched accent- and case-insensitively with engine.Fold, so
// "lai chau", "Lai Châu" and the code "12" all find the same unit; a name
// that several units share is an *AmbiguousError listing the candidates.
//
// Units are kept sorted by code; every result is deterministic. A
// BoundarySet is immutable after construction and safe for concurrent use.
// The embedded sets are parsed on first use and cached; functions returning
// them hand out fresh copies of the unit slices' headers but share geometry,
// which callers must not modify.
package geodata
