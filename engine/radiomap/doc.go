// Package radiomap estimates a spatial residual field from every test: the
// signal of a carrier's technology (a Key) at any point is the calibrated
// prediction (engine/predict with the coverage calibration, computed by
// the caller) plus a residual, and this package gives the joint posterior
// of the residuals of any keys at any point by local Gaussian-process
// regression (kriging) of the tests' residuals, measured − predicted.
//
// # Model
//
// The residual of key k (a carrier c's technology) at point x is
// r_k(x) = s(x) + v_c(x) + u_k(x) + ε: s is shared by all keys (terrain
// and clutter shadow every carrier at a place), v_c by the technologies
// of one carrier (co-sited layers: their paths cross the same
// obstacles), u_k belongs to key k, ε is the test's own white error
// (variance Model.NuggetDB2 + Obs.NoiseDB²). s, v_c and u_k are
// independent zero-mean Gaussian fields with exponential covariances,
// sill · exp(−d/range) (Model documents the parameters). The exponential
// is the covariance of the Gudmundson (1991) model of log-normal
// shadowing, the usual choice for shadow fading; it is not differentiable
// at 0, which suits a field with sharp terrain edges. Posteriors concern
// the noise-free residual s + v_c + u_k: add the nugget (and a test's
// noise) to predict what one new test would read.
//
// # Kriging
//
// Map.At conditions on the nearest Options.MaxNeighbours tests (any key)
// within Options.MaxDistM, joined by the nearest Options.PerKeyNeighbours
// of each queried key so a dense carrier's tests do not crowd out another
// carrier's: local kriging, the usual approximation of the global GP that
// ignores tests beyond the neighbourhood, whose weights are small when the
// neighbourhood spans several ranges. Exact tests condition
// by Gaussian conditioning (Cholesky). With Options.MeanPriorSigmaDB > 0
// every key also has an unknown constant mean with that prior σ, which
// for a large σ reproduces ordinary kriging (the Bayesian limit of
// universal kriging; Rasmussen & Williams 2006, §2.7); 0 is simple kriging
// around zero, the calibrated prediction being unbiased by construction.
//
// Censored tests (Censor Upper: the signal is at most a bound) are
// incorporated after the exact ones, nearest first, by a Tobit likelihood
// P(y ≤ b | f) = Φ((b − f)/τ) and moment matching. The first pass is
// assumed density filtering (Minka 2001): each test's predictive
// N(μ, s² + τ²) given everything before it is truncated above at its
// bound, its mean and variance become μ − σλ and σ²(1 − αλ − λ²)
// (α = (b − μ)/σ, λ = φ(α)/Φ(α)), and the joint Gaussian of the target
// keys and the remaining censored tests is updated to match —
// equivalently, conditioned on a Gaussian pseudo-observation with those
// moments. One censored test gives the exact posterior mean and
// covariance. With several, one pass is order-dependent and
// overconfident, so by default further passes revisit each test against
// the others' current pseudo-observations (expectation propagation,
// Rasmussen & Williams 2006, §3.6) until they settle
// (Options.CensoredSweeps; 1 keeps the single pass). Against quadrature of
// the exact posterior with two censored tests, EP's mean and σ are within
// 0.3% of the posterior σ, one-pass ADF's mean within 1% and its σ 1–3%
// low; on simulated fields with three tests in four censored, 90%
// intervals hold 0.90 of held-out truths with EP and 0.87 with one pass.
//
// # Fit
//
// Fit estimates a Model from the exact tests: empirical semivariograms of
// pairs of one key (which see every component and the nugget), of pairs
// of two technologies of one carrier (which vary with the shared and
// carrier parts) and of pairs of two carriers (which vary only with the
// shared part), from a bounded, seeded sample of pairs, and a weighted
// least-squares fit with Cressie's weights. Each test's own NoiseDB is
// taken off the pairs, so the fitted nugget is what remains beyond it.
// Censored tests are not used here; FitMarginal sets the variance's level
// with them. Fit documents the details; FitReport carries the
// semivariograms for the outputs' metadata.
//
// # Means and the variance's level
//
// FitMarginal estimates each key's constant mean residual (the offset its
// calibration missed) and one scale of the model's variances from every
// test, censored ones included, by a Tobit likelihood: exact readings
// alone are a truncated sample (phones report a technology only where it
// clears the camping level), whose mean is too high and whose spread,
// the only thing the variogram sees, too low. A censored test weighs as
// a mixture with a small share of reports unrelated to the signal
// (SpuriousCensoredShare), so that no-service reports contradicting
// their surroundings (a faulty dump) cannot take the one scale, and with
// it every carrier's σ, to its bound. Options.KeyMeans makes the
// map krige r − m_k around those means. On the demo province the means
// moved 3G by up to 4 dB and the scale was 1.2; posterior z-scores of the
// true village signals went from a standard deviation of 1.15 to 1.04.
//
// Map.CrossValidate scores a map on its own exact tests by leave-one-out
// prediction (standardised errors, 90% interval coverage), a check of
// model and map on real data for the outputs' metadata.
//
// # Units and conventions
//
// Residuals, means and σ in dB; variances (sills, nugget, Cov) in dB²;
// distances and ranges in metres, great-circle on the sphere of radius
// EarthRadiusM (H3's, as elsewhere in lomsong). Coordinates are WGS84
// longitude, latitude in degrees, in that order.
//
// # Index and cost
//
// New builds a static 3-d tree over the tests' positions on the sphere
// (chord distance is monotone in great-circle distance, so neighbours are
// exact, with no projection and no trouble near the antimeridian); tests
// at one position one after another (a cell's readings) are one point of
// it, whose distance a search measures once for all of them. The
// build is deterministic (ties broken by input order) and O(n log n);
// neighbour sets are the k nearest by distance (of any key, and of each
// queried key through one tree per key), ties by input order, so results
// do not depend on the trees' shapes. At costs O(log n + k³) for k
// neighbours: linear in the number of query points.
//
// # Concurrency
//
// A Map is immutable after New; At is safe for concurrent use (scratch
// buffers come from a sync.Pool) and deterministic.
//
// The package is pure: values in, values out, no I/O, clock or global
// random state.
package radiomap
