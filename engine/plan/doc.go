// Package plan turns dead zones and candidate sites into a universal-service
// fund investment plan: which sites (or sharing agreements) to pay for first
// so that a fixed budget brings signal to the most households, with a
// worst-case guarantee and a proven bound on how far from optimal the plan
// can be.
//
// The flow is
//
//	GenerateCandidates(zones) ─┐
//	proposed candidates table ─┼─► Footprints (engine/predict) ─┐
//	                           └─► Costs.SiteCost (NPV, VND) ───┼─► Solve ─► Plan, Curve, CurveSVG
//	sharing/roaming agreements ─────────────────────────────────┘
//
// and Build runs it in one call.
//
// Units: money in Vietnamese đồng (VND, names end in VND), distances in
// metres (…M) or kilometres (…Km), households as float64 counts (rasters
// spread people fractionally). Coordinates are WGS84 lon, lat degrees, in
// that order. A footprint only counts dead hexes: households that already
// have 3G/4G from any carrier are not "new". A sharing agreement serves
// its own carrier's gap hexes (Sharing.Carrier): each carrier's gap in a
// hex is a separate element of the coverage problem, so one carrier's
// roaming never counts another carrier's customers.
//
// The optimisation is budgeted maximum coverage. Solve runs a lazy
// cost-benefit greedy guarded by the best single affordable option
// (worst case (1−1/e)/2·OPT), and on small instances a partial enumeration
// of every ≤3-option subset (worst case (1−1/e)·OPT); the best of those
// is then improved by 1-swaps (one option for another when the set covers
// more households, or as many for less, the budget refilled greedily),
// which never lowers the households. It bounds the optimum
// from above by the tightest of the coverable households, the online bound
// of Leskovec et al. (2007) and, on small instances, the LP relaxation
// (a Bland-rule tableau simplex whose dual certifies the bound, checked
// against gonum's lp.Simplex in tests); Solution.Gap is the resulting
// optimality gap.
//
// Invariants: results are deterministic — ties between equal households per
// VND go to the smaller option ID, the guard, the enumeration and the swaps
// meet the options in ID order (of equal plans the first so found is kept,
// whatever order the options came in), hexes are processed in cell order where
// order matters, and nothing depends on map iteration or worker count. The
// package is pure: values in, values out, no I/O, clock or global state;
// every function is safe for concurrent use.
package plan
