// Package engine holds lomsong's domain vocabulary: radio technologies,
// carriers, cell sites, columnar measurement batches, coverage thresholds and
// the error classes shared by every stage.
//
// Conventions that hold across the whole module:
//
//   - Coordinates are WGS84 longitude, latitude in degrees, in that order
//     (orb order). Only package hexgrid swaps them for H3.
//   - Units are carried in names: SignalDBm (dBm), HeightM (metres),
//     BandMHz (MHz), DLMbps (Mbit/s), LatencyMs (milliseconds),
//     TimeUnixMs (milliseconds since the Unix epoch, UTC).
//   - An optional float value that is absent is NaN, never zero.
//   - Measurements travel as struct-of-slices batches (MeasurementBatch); every
//     column of a batch has the same length.
//
// This package does no I/O, no logging and reads no clock.
package engine
