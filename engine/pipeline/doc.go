// Package pipeline runs lomsong's stages over a dataset in bounded batches
// with context cancellation: it composes the dataset's store (Store: a
// dataset directory, *dataset.Store, or rows held in memory,
// *dataset.Memory, on which this package's tests run the stages),
// H3 indexing (engine/hexgrid) and the pure computation packages, and
// shapes their results into output tables (engine/arrowio columns, CSV).
//
// Memory grows with the number of distinct keys (cell, carrier, tech), not
// with the number of rows: each of Aggregate's workers reads row groups
// into its own reused batch, indexes them and hands their rows to an
// aggregate.Group, whose partitions own disjoint keys (by analysis cell),
// so adding workers adds no key state.
//
// Which data an analysis sees is chosen by its options: the measurement
// periods (AggregateOptions.Periods) and the area (CoverageOptions.Area, a
// unit's hexes by centre containment). An area without evidence of its
// own (no site inside it, no measurement in one of its inner hexes:
// Area.ownEvidence) is an *EmptyAreaError rather than an empty or
// prediction-only result; a run over every province lists such a
// province in DeadZoneResult.NoData, and the scorecard leaves its target
// 1 unknown.
package pipeline
