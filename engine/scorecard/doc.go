// Package scorecard scores every area (province or commune) and the nation,
// month by month, against the five provincial targets of 2022:
//
//  1. no 3G/4G dead zones — value: villages with no 3G/4G from any carrier
//     (BasisVillages, the ministry's statistic; BasisHouseholds counts
//     households in dead-zone hexes instead); met when the count is 0;
//  2. 100% of households with a smartphone or tablet — met when the share
//     reaches SmartphoneGoal (1.00);
//  3. 80% of households with fibre — met at FibreGoal (0.80) or above;
//  4. 2G-only phones below 5% — met when strictly below TwoGOnlyGoal;
//     nationally the share of the areas' summed subscriptions
//     (AreaInput.Only2GSubscribers over MobileSubscribers), a share of
//     phones, where targets 2 and 3 weigh the areas' shares by households;
//  5. fixed and mobile download speeds up at least 30% year on year — met
//     when both changes reach SpeedGoal (0.30); the value shown is the
//     smaller of the two. The mobile change compares like with like
//     (SpeedChange): each carrier's and technology's median with its own a
//     year before, averaged with the weights of the current month's tests,
//     the strata measured in one month only named in the issues.
//
// # Status rules
//
// A target with missing data is unknown: never a made-up zero, and a
// missing part of target 5 makes it unknown unless the other part is
// already not met. Target 1 of an area the dead-zone run located nothing
// in (DeadZones.NoVillages, or NoHouseholds on that basis: its villages
// lie outside the boundaries, or the dataset has none) is unknown, not a
// count of zero; nationally the other areas' sum is then a lower bound
// (DeadZones.Partial), which shows the target not met when it is above
// zero ("≥ N") and leaves it unknown otherwise. Every Result carries two statuses: StatusPoint judges
// the point estimate (as the ministry reports), StatusBound the
// conservative end of the interval (the lower bound of targets 2, 3 and 5,
// the upper bound of target 4), met only when the data show it; Config.Rule
// picks which one is Status (RulePoint by default). Shares and changes are
// rounded to Config.Precision (0.1 percentage point) before comparison and
// ranking, so 79.96% counts as 80.0%. Under RuleBound target 2 is met only
// by an interval whose lower end reaches 100%, which survey-based
// intervals never do: read StatusPoint for it.
//
// # Ranks, changes and alerts
//
// Ranks order the month's areas (not the national row) per target, best
// first; equal rounded values share a rank (1, 2, 2, 4) and are listed by
// area code. A target with a value for one area only (a province's own
// card, whose dead zones are its own alone) is not ranked. Change is this month's value minus last month's for the same
// area (NaN when either is missing). Alerts: new dead-zone hexes and
// villages (sets of this month minus last month's, when both are given)
// and regressions (met last month and not met now, or worse by more than
// Config.Regression). When the two months' dead zones rest on other
// evidence (DeadZones.Evidence: another set of carriers with measurements,
// or more than Config.EvidenceRatio times the rows in one month), target
// 1's change, its regression and the new-zone alerts are still given but
// marked not like with like, naming the carriers missing in which month
// (Alert.NotLikeWithLike, an issue of target 1): the change may be one of
// evidence, not on the ground. Targets 2–4 estimated by different methods
// in the two months (a survey in one, the household model alone in the
// other) and target 5 resting on different halves are two kinds of
// figure: no change and no regression between them, an issue saying so.
//
// # Intervals
//
// Each Result says what its [Lower, Upper] is (Result.Interval and
// Confidence, in words IntervalText), as the estimate behind it gave it:
// a 95% Wilson interval (2G-only), a 90% beta posterior (smartphones with
// surveys), a sensitivity range over a model parameter, not a confidence
// interval (smartphones without surveys, projected households), exact
// administrative counts (fibre), a 95% percentile bootstrap (speeds);
// target 1's is IntervalCount. The national shares' bounds are the
// areas' household-weighted bounds (IntervalWeightedBounds). The table
// lists the kinds shown; the files give them per target.
//
// # Outputs
//
// Rows are sorted by month, the national row first, then area code;
// Table, WriteCSV and WriteJSON render them deterministically (missing
// numbers are empty CSV cells and JSON null); WriteJSON also records the
// month the card was made for (Card.Period), which its rows' latest month
// need not be. The package is pure: no
// I/O besides the given writers, no clock, no randomness.
package scorecard
