// Package pipeline runs lomsong's stages over a dataset in bounded batches
// with context cancellation: it composes the dataset store (engine/dataset),
// H3 indexing (engine/hexgrid) and the pure computation packages, and
// shapes their results into output tables (engine/arrowio columns, CSV).
//
// Memory grows with the number of distinct keys (cell, carrier, tech), not
// with the number of rows: batches are read one at a time and copied into a
// fixed pool of worker buffers. Aggregate's workers own disjoint
// partitions of the keys (by analysis cell, see aggregate.Parallel), so
// adding workers adds no key state.
package pipeline
