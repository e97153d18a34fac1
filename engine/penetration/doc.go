// Package penetration estimates, per administrative area and month, the
// household and device shares behind the provincial targets: households
// with fibre, households with at least one smartphone or tablet, 2G-only
// phones, and the year-on-year change of download speeds.
//
// Every estimator returns an Estimate: a value, an interval with its
// kind and confidence, the method, the assumptions it rests on and the
// data problems it found. An absent value is NaN, never zero, and a share
// above 100% is kept and reported in Issues, never clipped.
//
// # Estimators and their assumptions
//
//   - FibreShare: fibre households / households, administrative counts
//     with no sampling error (exact interval). Missing households are
//     projected from the 2019 census (Projection: compound growth, default
//     1.5%/yr, from 1 April 2019 to the middle of the month) and the
//     interval becomes the sensitivity range over growth ± 1 point/yr.
//     FibreShareSurvey gives a Wilson interval for survey counts.
//   - SmartphoneModel.Share: 1 − E[(1 − p)^K], p = smartphone subscribers
//     / SIMs per user / adults, adults = households × persons per
//     household × adult share (defaults 0.75, 1.3 SIMs per user, K = 1 +
//     Poisson with mean adults per household). The interval is the
//     sensitivity range over 1.1–1.6 SIMs per user.
//   - Shrinkage / SmartphoneHouseholds: empirical-Bayes beta-binomial
//     combination of the model share with survey counts, prior strength
//     by the method of moments across the areas of one period, posterior
//     mean and 90% equal-tailed credible interval.
//   - TwoGOnlyShare and TwoGOnlyDevices: Wilson score intervals (95% is
//     the caller's usual choice) for subscriptions and for distinct
//     measured phones (CountDevices).
//   - GroupSpeeds and Bootstrap.YoY/Changes: median download speed per
//     (area, carrier, month, fixed/mobile) and the change against the same
//     month a year before with a seeded percentile bootstrap interval
//     (default 2000 resamples, 95%).
//
// # Units
//
// Shares are fractions in [0, 1] (above 1 only as a flagged data
// problem); speeds are Mbit/s; speed changes are fractions (0.30 = up
// 30%); counts are households, subscriptions or devices; periods are
// calendar months (Period), times UTC.
//
// # Determinism and concurrency
//
// The package does no I/O, no logging, reads no clock and uses no global
// randomness: the bootstrap takes a caller-seeded *rand.Rand, and the same
// inputs and seed give identical outputs. Functions are safe for
// concurrent use on distinct arguments; a *rand.Rand must not be shared
// between goroutines.
package penetration
