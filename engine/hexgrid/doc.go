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
// Concurrency: every function is safe for concurrent use; h3-go holds no
// shared mutable state.
package hexgrid
