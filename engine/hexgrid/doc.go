// Package hexgrid is lomsong's only door to H3 (github.com/uber/h3-go/v4,
// cgo). It indexes columns of longitude/latitude into cells, covers
// polygons with cells, and returns cell boundaries, centres, parents,
// children and neighbours.
//
// Coordinates outside this package are lon, lat (orb order); H3 wants
// lat, lng. This package owns that swap: every exported function takes and
// returns lon, lat.
//
// Cells are plain uint64 H3 indexes (type Cell), so that other packages
// never import h3-go. The zero Cell is invalid and marks a point that could
// not be indexed (NaN or infinite coordinates).
//
// Indexing (the hot path): IndexInto does not call h3-go per point. A
// pure-Go port of H3's latLngToCell (fast.go) projects each point onto its
// icosahedron face with three dot products and one division (the gnomonic
// projection H3 computes with acos, atan2 and tan; sin and cos come from a
// whole-degree table and short polynomials), rounds to the nearest hex
// without branches, and derives the index digits four resolutions at a
// time from small tables. It works on blocks of 256 rows, one short loop
// per step (unit vector, projection, hex, each group of digits, base
// cell), so that the processor overlaps the rows' long chains of
// dependent arithmetic. Its result is exactly h3-go's: every
// floating-point decision (nearest face, containing hex) carries a margin
// that bounds the rounding difference between the two computations, and a
// point inside a margin is indexed by h3-go itself. On random points over
// Vietnam at resolution 8 that happens for none of ten million.
// IndexIntoH3 is the all-h3-go reference. On one core IndexInto takes
// about 23–26 ns per point at resolutions 8 and 9 against 385–425 for
// h3-go's LatLngToCell, measured side by side on a busy shared 2-core VM
// (BenchmarkIndexInto, BenchmarkH3LatLngToCell). IndexInto allocates
// nothing; a 2°×2° face lookup table (64 KiB) is built on first use in
// about a millisecond.
//
// Concurrency: every function is safe for concurrent use; h3-go holds no
// shared mutable state, and the lookup tables are read-only once built.
package hexgrid
