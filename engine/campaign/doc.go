// Package campaign plans where field teams measure next: which villages
// to test, by which team, on which day and in which order, so that a
// month of drive and walk tests removes as many misclassified households
// from the dead-zone verdict as it can.
//
// # Value of information
//
// A village has h households and a probability p that it is a dead zone
// (p_dead, from the dead-zone verdict). The verdict is a decision: declare
// the village dead or served. Declaring it served when it is dead (a
// miss) costs C per household (Config.MissCost, default 1); declaring it
// dead when it is served (a false alarm) costs 1. With a = C·p and
// b = 1 − p, the Bayes risk now, in expected misclassified households
// (weighted by C), is
//
//	R₀ = h · min(a, b)
//
// (the cheaper decision is taken: dead from p = 1/(1+C), the cut that
// deadzone.CutFromMissCost gives the verdict for the same C). A test day at the village is modelled
// as a binary test that tells dead from served with a residual error ε
// (Config.ResidualError, default 0.05): it says "dead" with probability
// 1 − ε when the village is dead and ε when it is served, symmetrically.
// Averaging the best decision after each outcome over the outcomes
// (pre-posterior analysis) gives the risk after the test
//
//	R₁ = h · [ min(a(1−ε), bε) + min(aε, b(1−ε)) ]
//
// and the value of measuring the village is V = R₀ − R₁ ≥ 0 (R is concave
// in the joint probabilities). V is zero when neither outcome would change
// the decision (for example p = 0.01, C = 1, ε = 0.05: both outcomes leave
// the village served) and largest at the decision boundary p = 1/(1+C):
// with C = 1, p = 0.5, ε = 0.05, h = 100: R₀ = 50, R₁ = 5, V = 45. With
// ε = 0 the test settles the verdict and V = R₀. Differences below 1e-12
// of h·max(a, b) are rounding and count as 0.
//
// # Plan
//
// K teams (Config.Teams) work N days (Config.Days). A team-day has a time
// budget (Config.DayHours, default 8 h) spent travelling and measuring; a
// village takes Config.MeasureHours (default 1.5 h) of tests. Travel is
// along the great circle (haversine on a sphere of radius 6371.0088 km,
// the IUGG mean) times a detour factor (Config.DetourFactor, default 1.4)
// at Config.SpeedKmh (default 30 km/h): a road-less approximation that
// underestimates mountain travel where roads wind far more than 1.4 times
// the straight line, and overestimates it along straight valley roads.
//
// Each team starts day 1 at Config.Start (the caller passes a town; when
// Start is unset the plan starts at the village nearest the mean lon/lat
// of the villages, DefaultStart: the mean itself may lie outside the
// area, across a border or in the sea).
// Without Config.ReturnToBase a team lodges where its day ends and starts
// the next day there; with it, every day is a round trip from Start and
// its return is counted in the budget.
//
// Team-days are planned in order (day 1 of team 1, day 1 of team 2, …,
// day 2 of team 1, …). A team-day is filled greedily: among the villages
// not yet chosen with V > 0, the one with the highest value per hour,
// V / (MeasureHours + marginal travel hours), where the marginal travel is
// that of its cheapest insertion into the day's route, is added if the
// day still fits its budget; ties go to the larger V, then the smaller
// village ID, then the earlier input row. When nothing more fits, the
// route is reordered: nearest neighbour from the day's start (ties to the
// earlier village of the route), improved by 2-opt and or-opt (TwoOpt,
// OrOpt: reversing a stretch of the route, or moving one to three
// consecutive villages elsewhere in it; first improvement, until no move
// shortens it by more than 1e-9 km), and compared with the insertion
// order improved likewise; the shorter is kept (the nearest-neighbour
// order unless the other is shorter by more than 1e-9 km). Or-opt finds
// what 2-opt cannot: a far village east of the start visited last after
// the villages west of it, which belongs first. If reordering freed time
// the greedy fill continues, then reorders again, until a fill adds
// nothing. Neither move lengthens a route, so the day's hours never
// exceed the budget.
//
// # Outputs
//
// Plan.Ranked lists every village with V > 0 by V (largest first; ties to
// more households, then smaller ID, then input order), with its team, day
// and place in the day's route when chosen (zero otherwise). Plan.Routes
// holds one Route per team-day that visits at least one village, by day,
// then team.
//
// # Units and order
//
// Coordinates are WGS84 lon, lat degrees (orb order); distances km; times
// hours; households float64. The package is pure: values in, values out,
// no I/O, clock or global state, and Build is deterministic and safe for
// concurrent use.
package campaign
