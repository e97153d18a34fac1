// Package deadzone finds lõm sóng: populated places that no carrier
// serves with 3G, 4G or 5G. It attributes hexes to administrative units,
// groups dead hexes into zones, lists each carrier's gaps next to its
// competitors' coverage, and gives every village a service status with the
// ministry's count of villages without signal.
//
// # Inputs
//
// Input holds population per hex (population.Cell), coverage per (hex,
// carrier, technology) as HexCoverage, and optionally each hex's province
// and commune (Admin, from Attribute or CoverUnits and AdminMap), villages
// and the site register. HexCoverage is deliberately minimal: callers
// adapt fused coverage states into it (covered → Covered true; weak,
// uncovered or unknown → false or no row). All cells of one Input must be
// at one resolution, normally 8.
//
// # Rules
//
//   - A hex is populated when its households are > 0.
//   - Its level is Covered when some carrier covers it with 3G, 4G or 5G,
//     Only2G when the best is 2G, NoSignal otherwise. Only2G and NoSignal
//     populated hexes are dead (a 2G-only hex is a dead zone). A hex with
//     a verdict (Input.PDead) is Covered exactly when its P(dead) is below
//     Input.Cut (default 0.5).
//   - With Input.HouseholdsAtVillages (the households per hex are its
//     villages') and Input.Judged, a hex holding villages is dead only as
//     far as its villages are: its households without 3G/4G are those of
//     its villages without signal (plus any beyond its villages' when the
//     hex is dead by its own level); it is dead when they are above zero,
//     whatever its P(dead) (their households-weighted mean), and a zone
//     counts them (Zone.CellHouseholds), never a served village's. A
//     zone names its villages judged served (Zone.Served).
//   - A zone is a connected component of dead hexes under H3 adjacency
//     (grid distance 1). Its id is "DZ-" and the hexadecimal form of its
//     smallest cell, so identical input gives identical ids. With verdicts
//     it carries its hexes' P(dead): the households-weighted mean (the
//     expected share of its households without 3G/4G) and the least.
//   - A carrier's gap is a populated hex without that carrier's 3G/4G/5G;
//     it is shareable when another carrier covers it.
//   - A village's level is its verdict's when VillageOptions.Local gives
//     one (Covered when P(dead) < VillageOptions.Cut), else the best of its
//     own hex and the hexes whose centre lies within
//     VillageOptions.RadiusM (default 500 m); it is "without signal"
//     unless Covered. A village counted as served on a verdict above 0.2
//     (status uncertain or worse) is Uncertain: counted apart per unit
//     (VillageCount.Add, VillageCount.Uncertain) and per dead zone among
//     its Served (ZonesUncertain), and published as level "uncertain"
//     (LevelName). Every table, layer and report counts them with these.
//
// # The verdict
//
// Decide turns a joint Gaussian posterior of the signal of every (carrier,
// technology) at a point (Posterior: calibrated prediction plus the radio
// map's residual, carriers correlated through the shared location
// component) into P(dead) = P(no 3G/4G/5G key reaches its covered
// threshold): the closed form Π Φ((t − μ)/σ) for independent keys, else
// Monte Carlo over VerdictConfig.Draws draws (default 2000, standard
// error ≤ 0.011; up to eight times more while the estimate is within two
// standard errors of the cut) seeded per place (Seed of its id), so verdicts do not
// depend on order. A place is without signal when P(dead) ≥ the cut,
// 0.5 by default or 1/(1 + C) for a miss cost C (CutFromMissCost).
// StatusOf bins P(dead): confirmed_served ≤ 0.05 < likely_served ≤ 0.2 <
// uncertain < 0.8 ≤ likely_dead < 0.95 ≤ confirmed_dead, independent of
// the cut.
//
// Evidence says what each test is evidence of: an exact reading, or an
// upper bound — at the reporting floor for a reading at or below it, at
// every usable technology's no-service level for a phone without service
// (its own technology only for a drive test or scanner), at the
// no-service level of the technologies a smartphone did not camp on.
// IndoorLossPaired fits the building loss added to indoor tests from indoor
// phone readings and bounds paired with outdoor readings at their place (a
// Tobit fit; default 12 dB where too few pairs).
//
// # Attribution
//
// Attribute assigns given hexes (for example the populated ones) to the
// units of a geodata.BoundarySet; CoverUnits covers every unit. A hex whose
// centre lies in exactly one unit belongs to it; a hex whose centre lies in
// none or in several (gaps and overlaps of simplified borders) goes to the
// unit holding most of its area, estimated from the 49 centres of its
// descendants two resolutions finer (point-in-polygon, bounding boxes
// first). Ties go to the lowest code.
//
// Provinces and communes nest: AdminCells gives a hex its province, then a
// commune among that province's communes only (the communes whose
// ParentCode is the province), so a hex never lands in another province's
// commune through a sliver or overlap. AttributePlaces does the same for
// villages at their own point: the village's commune code is taken only
// when the commune set has it under the province the point lies in, else
// the commune of that province holding the point; a point in no unit is
// AttributedOutside ("outside_all_units") and listed so, never dropped.
//
// # Units and order
//
// Coordinates are WGS84 lon, lat (orb order); areas km², distances metres
// (great circle on H3's sphere). Every output slice has a documented
// order with explicit tie-breaks; nothing depends on map iteration order.
//
// The package does no I/O, reads no clock and holds no global state; its
// functions are safe for concurrent use on inputs that are not modified.
package deadzone
