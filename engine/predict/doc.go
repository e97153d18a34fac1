// Package predict turns a site register into predicted signal levels: radio
// propagation models (free space, Okumura–Hata, COST-231 Hata, 3GPP TR 38.901
// RMa and UMa), the 3GPP sector antenna pattern, per-technology link budgets,
// a best-server search over target points, a least-squares calibration of
// predictions against measurements, and per-site offsets (CalibrateSites):
// measurements attributed to their serving site by the serving cell's
// identifiers, else to the best server, with empirical-Bayes shrinkage
// toward each network's mean (Shrink).
//
// Units are carried in names: frequencies in MHz (FreqMHz), heights and
// distances in metres (HeightM, DistanceM) unless a name says km, losses and
// gains in dB, powers in dBm, angles in degrees. Coordinates are WGS84
// longitude, latitude in degrees, in that order.
//
// Every propagation formula is documented where it is defined: its source,
// formula, validity range and the assumptions lomsong adds. A call outside a
// model's validity range returns an error wrapping engine.ErrOutOfRange,
// unless the caller opts into a documented extension with Extensions; no
// model silently returns a number outside its range.
//
// The package is pure: values in, values out, no I/O, no clock, no global
// state. Every function is safe for concurrent use. BestServer runs in
// parallel and returns the same result for any number of workers.
package predict
