// Package coverage fuses measured and predicted evidence into one coverage
// state per (hex, carrier, tech): covered, weak or uncovered, with the
// evidence that decided it (DESIGN.md, "Coverage rules").
//
// # Flow
//
// Measured evidence comes as aggregate.Row values (engine/aggregate),
// predictions as PredictedCell values, which FromBestServer builds from a
// predict.BestServer result. Calibrate compares the two per carrier and
// technology (how much each register over- or under-predicts) and fits a
// correction; ApplyCalibration and SigmaFromCalibration feed it back. Fuse
// decides every key; BestByHex reduces the states to the best 3G/4G/5G
// service per hex for dead-zone detection; FeatureCollection renders
// states as GeoJSON hexagons; Config.Metadata records the rules for every
// output.
//
// # Decision rules
//
// Fuse documents them in full. In short, with the defaults: a key with at
// least 5 valid outdoor or in-vehicle tests is decided by its measurements
// with a one-sided exact binomial test of its failure share against 10%
// at α = 0.05 (uncovered when significant, weak when above 10% but not
// significant, covered otherwise); a key with fewer tests is decided by
// the best server's predicted signal minus 1.2816·σ (90% location
// reliability) against the covered and no-service thresholds; a key with
// neither is uncovered. Indoor tests never decide.
//
// # Statistics
//
// UpperTail computes binomial tails with gonum's distuv.Binomial;
// UpperTailExact computes them independently by summing the probability
// mass function in log space, and the tests require both to match
// published values (binomial tables; R's 1 − pbinom(k − 1, n, p)).
//
// # Units and conventions
//
// Signals in dBm (RSRP for 4G/5G, RSCP for 3G, RSSI for 2G), σ and margins
// in dB, distances in metres, cells as H3 indexes at Config.Resolution.
// Absent float values are NaN (null in GeoJSON). GeoJSON coordinates are
// lon, lat.
//
// # Determinism and concurrency
//
// Outputs are sorted by cell, carrier and tech (Calibrate by carrier and
// tech), with no dependence on input order or map iteration. The package
// is pure: no I/O, no logging, no clock, no global state; every function
// is safe for concurrent use.
package coverage
