// Package population puts population (and households) onto H3 cells at a
// chosen resolution, conserving totals. Three inputs are accepted, as in
// lomsong's input contract:
//
//   - a gridded raster (WorldPop GeoTIFF, read by engine/raster):
//     FromRaster / RasterDistributor;
//   - an H3 table h3,population[,households] (e.g. Kontur Population):
//     ReadH3Table, then Aggregate to a coarser resolution or Split to a
//     finer one;
//   - a point table lon,lat,population[,households]: ReadPoints, FromPoints.
//
// # Raster method and its error
//
// Each populated pixel is split into k×k sub-points on a regular grid
// (the centres of k×k equal sub-pixels); each sub-point carries
// value/k² and is assigned to the H3 cell containing it (hexgrid.IndexInto,
// batched). k is chosen per raster row so that, on average, every cell
// receives at least MinSubPoints sub-points: k = ⌈√(MinSubPoints ·
// pixel area / mean cell area)⌉, clamped to 1..MaxK. Pixel area uses a
// spherical Earth (radius 6371.007 km, as H3) and the row's latitude.
//
// The total is conserved exactly up to float64 rounding: every pixel's
// value is divided among its sub-points and every sub-point lands in one
// cell. The method assumes population is uniform within a pixel; the
// spatial error is a quantisation of each pixel into k² parts, so mass is
// displaced by at most half a sub-pixel diagonal (≈ 0.71·pixel size / k;
// for WorldPop 30″ pixels at resolution 8, k = 3 and the bound is about
// 0.22 km, half a res-8 edge). The error in a cell's share relative to exact
// pixel–hexagon overlap areas shrinks like 1/k; raise MinSubPoints for a
// finer split. Nodata, NaN and zero pixels carry nothing; a negative value
// is an error.
//
// # Households
//
// Unless the input gives households, AssignHouseholds sets them as
// population / average household size of the area the cell centre falls
// in (geodata.HouseholdSizer gives the 2019 census provinces), with a
// fallback size for centres outside every area (sea, borders).
//
// # Output
//
// Every function returns []Cell sorted by cell index, one entry per cell,
// deterministically. Coordinates are WGS84 lon, lat degrees. The package
// is pure: no files, no logging; readers take io.Reader.
package population
