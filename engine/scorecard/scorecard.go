package scorecard

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/internal/plural"
)

// Config holds the goals and rules of the scorecard.
type Config struct {
	// Goals: SmartphoneGoal 1.00, FibreGoal 0.80, TwoGOnlyGoal 0.05 (met
	// when below), SpeedGoal 0.30 (change year on year). Target 1's goal
	// is zero dead zones.
	SmartphoneGoal, FibreGoal, TwoGOnlyGoal, SpeedGoal float64
	// DeadZoneBasis is the measure of target 1 (villages by default).
	DeadZoneBasis Basis
	// Rule picks Result.Status (RulePoint by default).
	Rule Rule
	// Precision is the rounding of shares and changes before they are
	// compared with a goal and ranked: 0.001 (0.1 percentage point, the
	// precision the ministry reports) by default. 0 compares raw values.
	Precision float64
	// SpeedRequireFixed: target 5 needs both fixed and mobile changes
	// (true by default, as the target reads); false judges mobile alone
	// when no fixed figure is given.
	SpeedRequireFixed bool
	// Regression[t] is how much worse than last month a value may get
	// before a regression alert: 0 villages/households for target 1 (any
	// increase), 0.01 for smartphone and fibre shares, 0.005 for 2G-only,
	// 0.05 for the speed change.
	Regression [NumTargets]float64
	// EvidenceRatio is how many times more measurement rows one month's
	// dead zones may rest on than the other's before the comparison of
	// the two (target 1's change, its regression and the new dead-zone
	// alerts) is not like with like (Evidence.Compare): 2 by default.
	EvidenceRatio float64
	// National is the area code of the national row ("VN").
	National string
	// Areas, when set, are every area the national row stands for (the
	// boundary set's codes): an area absent from a month's inputs leaves
	// the national shares unknown and the national target 1 a lower
	// bound, instead of a nation made of the areas that happen to have
	// data.
	Areas []string
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{SmartphoneGoal: 1, FibreGoal: 0.8, TwoGOnlyGoal: 0.05, SpeedGoal: 0.3,
		Precision: 0.001, SpeedRequireFixed: true,
		Regression: [NumTargets]float64{0, 0.01, 0.01, 0.005, 0.05}, EvidenceRatio: 2, National: "VN"}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	bad := func(f string, a ...any) error {
		return fmt.Errorf("scorecard: "+f+": %w", append(a, engine.ErrInvalidConfig)...)
	}
	for _, g := range []float64{c.SmartphoneGoal, c.FibreGoal, c.TwoGOnlyGoal} {
		if !(g > 0 && g <= 1) {
			return bad("share goal %v outside (0, 1]", g)
		}
	}
	switch {
	case math.IsNaN(c.SpeedGoal) || math.IsInf(c.SpeedGoal, 0):
		return bad("speed goal %v", c.SpeedGoal)
	case !(c.Precision >= 0 && c.Precision < 0.1):
		return bad("precision %v outside [0, 0.1)", c.Precision)
	case c.DeadZoneBasis > BasisHouseholds || c.Rule > RuleBound:
		return bad("unknown basis or rule")
	case c.National == "":
		return bad("empty national code")
	case !(c.EvidenceRatio >= 1) || math.IsInf(c.EvidenceRatio, 0):
		return bad("evidence ratio %v below 1", c.EvidenceRatio)
	}
	for t, r := range c.Regression {
		if !(r >= 0) {
			return bad("regression tolerance of %s %v negative", Target(t), r)
		}
	}
	return nil
}

func (c Config) goal(t Target) float64 {
	switch t {
	case TargetSmartphone:
		return c.SmartphoneGoal
	case TargetFibre:
		return c.FibreGoal
	case TargetTwoGOnly:
		return c.TwoGOnlyGoal
	case TargetSpeed:
		return c.SpeedGoal
	}
	return 0
}

// DeadZones are one area's dead zones (no 3G/4G from any carrier) in a
// month. Absent counts are NaN; absent sets are nil (an empty non-nil set
// means none).
type DeadZones struct {
	Villages   float64  // villages with no 3G/4G
	Households float64  // households in dead-zone hexes
	Hexes      []string // dead-zone hex ids, for new-zone alerts
	VillageIDs []string // dead-zone village ids, for new-zone alerts
	// NoVillages and NoHouseholds say that the dead-zone run located no
	// village, or no populated hex, in the area (its villages lie outside
	// the boundaries, or the dataset has none of them): a count of zero on
	// that basis is then no evidence of "no dead zones", and target 1 on
	// it is unknown.
	NoVillages, NoHouseholds bool
	// VillagesPMF, when known, is the distribution of the number of the
	// area's villages truly without 3G/4G given each village's p_dead
	// (CountPMF): target 1's interval on the villages basis is its central
	// CountConfidence range, widened to hold Villages, the villages listed
	// at the cut (which the range can lie above: many villages a little
	// below the cut add up).
	VillagesPMF []float64
	// NoData, when set, says why the run did not analyse the area at all
	// (people live there, but no site or test lies there): target 1 is
	// unknown with this reason.
	NoData string
	// Partial says the counts cover only some of the areas they sum (the
	// national row when an area is not assessed): lower bounds, which can
	// prove target 1 not met but never met.
	Partial bool
	// Evidence, when known, is the month's measurements the figures rest
	// on: a month compared with one on other evidence (Evidence.Compare)
	// has its change and alerts qualified as not like with like.
	Evidence *Evidence
}

// Evidence is what a month's dead zones were measured with: the carriers
// with measurements in the month and their rows.
type Evidence struct {
	Carriers []string // ascending
	Rows     int64
}

// Compare says why dead zones measured with cur cannot be compared like
// with like with those measured with prev (period prevP, this month curP),
// or "" when they can. The rule: the same carriers have measurements in
// both months, and neither month has more than ratio times the other's
// rows. A carrier missing in one month removes its evidence (its served
// villages turn into dead zones, or the reverse) and a much smaller month
// leaves many villages to the prediction alone: either moves the count
// with no change on the ground. A nil Evidence is not known and compares.
func (cur *Evidence) Compare(prev *Evidence, curP, prevP penetration.Period, ratio float64) string {
	if cur == nil || prev == nil {
		return ""
	}
	var why []string
	onlyIn := func(a, b []string) []string {
		var out []string
		for _, c := range a {
			if !slices.Contains(b, c) {
				out = append(out, c)
			}
		}
		return out
	}
	if m := onlyIn(cur.Carriers, prev.Carriers); len(m) > 0 {
		why = append(why, fmt.Sprintf("%s has no measurements of %s", prevP, strings.Join(m, ", ")))
	}
	if m := onlyIn(prev.Carriers, cur.Carriers); len(m) > 0 {
		why = append(why, fmt.Sprintf("%s has no measurements of %s", curP, strings.Join(m, ", ")))
	}
	a, b := float64(cur.Rows), float64(prev.Rows)
	if a > ratio*b || b > ratio*a {
		why = append(why, fmt.Sprintf("%d measurement rows in %s against %d in %s, more than %g times as many in one", prev.Rows, prevP, cur.Rows, curP, ratio))
	}
	if len(why) == 0 {
		return ""
	}
	return "not like with like: " + strings.Join(why, "; ")
}

// unassessed returns why d says nothing on cfg's basis, or "".
func (d *DeadZones) unassessed(cfg Config) string {
	switch {
	case d.NoData != "":
		return d.NoData
	case cfg.DeadZoneBasis == BasisHouseholds && d.NoHouseholds:
		return "no populated hex of the area in the dead-zone run"
	case cfg.DeadZoneBasis != BasisHouseholds && d.NoVillages:
		return "no village of the area in the dead-zone run (its villages lie outside the boundaries, or the dataset has none)"
	}
	return ""
}

// AreaInput is everything known about one area in one month. A nil
// pointer or an estimate with a NaN value is missing data: its target is
// unknown.
type AreaInput struct {
	Area   string
	Period penetration.Period
	// Households weights the area in the national row; NaN when unknown.
	Households        float64
	DeadZones         *DeadZones
	Smartphone, Fibre *penetration.Estimate
	TwoGOnly          *penetration.Estimate
	// Only2GSubscribers and MobileSubscribers are the counts behind
	// TwoGOnly: the national share is the proportion of their sums over
	// the areas (a share of the nation's phones; a household-weighted mean
	// of the areas' shares would weigh phones by households). Zero when
	// not given: the national share is then unknown, saying so.
	Only2GSubscribers, MobileSubscribers float64
	SpeedMobile, SpeedFixed              *penetration.Estimate // year-on-year change of median download
	// Missing says, per target, why its inputs are absent for this month
	// (e.g. "no measurements in 2024-09"), when the caller knows; a target
	// without its input gets a generic reason otherwise.
	Missing [NumTargets]string
}

// DeadZoneInputs says which inputs target 1 of a month has: the site
// register, the month's own measurements and households per hex (a
// population or villages table).
type DeadZoneInputs struct {
	Sites, Measurements, Households bool
}

// Missing returns why target 1 cannot be scored for month p from these
// inputs, or "" when it can. Dead zones of a month are judged on that
// month's measurements: without them the figure would be the prediction
// alone, and comparing it with a measured month would report a change that
// is only the difference between the two kinds of evidence.
func (in DeadZoneInputs) Missing(p penetration.Period) string {
	var why []string
	if !in.Sites {
		why = append(why, "no sites in the dataset")
	}
	if !in.Measurements {
		why = append(why, "no measurements in "+p.String())
	}
	if !in.Households {
		why = append(why, "no households per hex (no population or villages table)")
	}
	return strings.Join(why, "; ")
}

// Result is one target's figure for one area and month.
type Result struct {
	Target              Target
	Value, Lower, Upper float64 // NaN when unknown
	// Interval says what [Lower, Upper] is: a penetration.IntervalKind
	// ("exact", "wilson", "beta-posterior", "beta-jeffreys", "beta-prior", "bootstrap", "sensitivity")
	// or one of this package's (IntervalCount, IntervalListed,
	// IntervalWeightedBounds, IntervalLowerBound, IntervalMixed); "none"
	// without a value, "" when the input did not say. Confidence is its
	// nominal coverage (0.95, 0.90), 0 when it is no confidence interval
	// (exact, a sensitivity range, a bound). IntervalText says it in words.
	Interval   penetration.IntervalKind
	Confidence float64
	// Method and Assumptions are those of the estimate behind Value.
	Method      string
	Assumptions []string
	Goal        float64
	Status      Status // by Config.Rule
	StatusPoint Status // judged on Value
	StatusBound Status // judged on the conservative bound
	// Change is Value − last month's Value; NaN when either is missing,
	// and for target 5 when the two rest on different halves
	// (Row.SpeedBasis; an issue says so).
	Change float64
	// ChangeNotLikeWithLike, when set, says why Change compares months
	// measured on other evidence (Evidence.Compare: other carriers, far
	// fewer rows): the change is shown with it, not as better or worse.
	ChangeNotLikeWithLike string
	Rank                  int // 1 = best among areas this month; 0 when unknown or national
	// Impossible: Value cannot be the quantity (penetration.Estimate's
	// Impossible, a share above 100%): shown, never judged or ranked.
	Impossible bool
	// OneHalf: target 5's Value is one half's change alone, shown
	// because it is below the goal while the other half is unknown: an
	// upper bound of the figure, not the figure, so not ranked (ranked
	// on it, a province whose one known half failed was #1 above those
	// whose both halves were known).
	OneHalf bool
	// HouseholdsProjected: the share's households are the census
	// projection's (the area gives no household count).
	HouseholdsProjected bool
	Issues              []string
	// Reason says why Status is unknown ("" when it is known): the
	// input missing for the month, or the estimate's issues.
	Reason string
}

// Row is one area's (or the nation's) scorecard for one month.
type Row struct {
	Area     string
	Period   penetration.Period
	National bool
	Targets  [NumTargets]Result
	// Parts of targets 1 and 5 (NaN when unknown).
	DeadZoneVillages, DeadZoneHouseholds float64
	SpeedMobile, SpeedFixed              float64
	Met, NotMet, Unknown                 int
}

// AlertKind says what an alert is about.
type AlertKind string

// Alert kinds.
const (
	AlertNewDeadZoneHexes    AlertKind = "new_dead_zone_hexes"
	AlertNewDeadZoneVillages AlertKind = "new_dead_zone_villages"
	AlertRegression          AlertKind = "regression"
)

// Alert flags a change since the previous month.
type Alert struct {
	Area   string
	Period penetration.Period
	Kind   AlertKind
	Target Target   // the target concerned (TargetDeadZones for new zones)
	Items  []string // new hex or village ids, sorted
	// Previous and Current values (regression) or counts (new zones).
	Previous, Current float64
	Message           string
	// NotLikeWithLike, when set, says why the two months' dead zones rest
	// on different evidence (Evidence.Compare): the alert may be no change
	// on the ground. It is said in Message too.
	NotLikeWithLike string
}

// Card is a built scorecard: rows sorted by period, the national row
// first, then area code; alerts sorted by period, area, kind and target.
type Card struct {
	// Period is the month the card was made for (the one scored; its
	// rows hold earlier months too, for trends), zero when the maker did
	// not say. Build leaves it zero: the caller that scores a month sets it.
	Period penetration.Period
	Rows   []Row
	Alerts []Alert
	Config Config
	// Excluded are the subscriptions' area codes that are no area of the
	// boundary set scored: their rows are not scored, ranked or added to
	// the national row (a former province's code, a code without its
	// leading zero, one that does not exist).
	Excluded []ExcludedArea
	// Summed are the months whose subscriptions were written on the
	// areas before a boundary change and were summed onto the areas
	// scored (pipeline.Scorecard).
	Summed []SummedMonth
	// Names are the areas' names by code (the boundary set's, with the
	// national row's under Config.National), written beside the codes in
	// the table and the files; an area without one has an empty name.
	// Build leaves it nil: the caller that knows the boundary set sets it
	// (pipeline.Scorecard, from the set it scores the areas of).
	Names map[string]string
}

// SummedMonth is a month whose subscriptions name areas of an earlier
// boundary set: Rows rows of Areas former areas, summed onto Into areas
// of the set scored. Why says so in words.
type SummedMonth struct {
	Period            string
	Rows, Areas, Into int
	Why               string
}

// ExcludedArea is an area code left out of a card, with its rows and why.
type ExcludedArea struct {
	Area string
	Rows int
	Why  string
}

// ForArea returns the card of one area: its rows and alerts only (the
// national rows, which sum every area, left out). A card asked for one
// province shows that province, whatever else the dataset holds.
func (c *Card) ForArea(code string) *Card {
	out := &Card{Period: c.Period, Config: c.Config, Names: c.Names}
	for _, r := range c.Rows {
		if r.Area == code && !r.National {
			out.Rows = append(out.Rows, r)
		}
	}
	for _, a := range c.Alerts {
		if a.Area == code {
			out.Alerts = append(out.Alerts, a)
		}
	}
	return out
}

type key struct {
	area   string
	period penetration.Period
}

// Build scores every (area, month) of inputs, adds a national row per
// month and derives ranks, month-on-month changes and alerts. A target
// whose input is missing is unknown with its Reason, never not met or zero;
// changes and alerts compare only months that both have the figure.
//
// The national row is the input whose Area is Config.National when given;
// otherwise it is aggregated from the month's areas: dead-zone counts are
// summed, shares are household-weighted means of the areas' values and of
// their bounds (IntervalWeightedBounds: as wide as the nation's own
// interval when the areas' errors move together, wider when they are
// independent; no confidence level of its own), and each is unknown unless
// every area of the month has the figure (and its households); the
// 2G-only share is that of the areas' summed subscriptions (a share of
// phones, not of households), with its Wilson interval; speed changes do
// not aggregate from medians and stay unknown; dead-zone hex and
// village sets are not aggregated, so the national row has no new-zone
// alerts. Areas must be
// codes of one level (provinces or communes) for ranks to mean anything.
// It returns an error for an invalid configuration or a repeated (area,
// month).
func Build(inputs []AreaInput, cfg Config) (*Card, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	seen := map[key]bool{}
	periods := map[penetration.Period][]int{}
	hasNational := map[penetration.Period]bool{}
	for i, in := range inputs {
		k := key{in.Area, in.Period}
		if in.Area == "" || in.Period.IsZero() {
			return nil, fmt.Errorf("scorecard: input %d: empty area or period: %w", i, engine.ErrInvalidValue)
		}
		if seen[k] {
			return nil, fmt.Errorf("scorecard: area %s period %s given twice: %w", in.Area, in.Period, engine.ErrInvalidValue)
		}
		seen[k] = true
		if in.Area == cfg.National {
			hasNational[in.Period] = true
		}
		periods[in.Period] = append(periods[in.Period], i)
	}
	all := append([]AreaInput(nil), inputs...)
	for p, idx := range periods {
		if !hasNational[p] {
			all = append(all, national(inputs, idx, p, cfg))
		}
	}
	rows := make([]Row, len(all))
	byKey := make(map[key]int, len(all))
	for i, in := range all {
		rows[i] = score(in, cfg)
		byKey[key{in.Area, in.Period}] = i
	}
	slices.SortFunc(rows, compareRows)
	idx := make(map[key]int, len(rows))
	for i, r := range rows {
		idx[key{r.Area, r.Period}] = i
	}
	rank(rows, cfg)
	var alerts []Alert
	for i := range rows {
		r := &rows[i]
		j, ok := idx[key{r.Area, r.Period.AddMonths(-1)}]
		if !ok {
			continue
		}
		prev := &rows[j]
		for t := range r.Targets {
			// A share the estimators call impossible (above 100%) is
			// shown, not judged: nor is a change from or to it.
			if !r.Targets[t].Impossible && !prev.Targets[t].Impossible {
				r.Targets[t].Change = r.Targets[t].Value - prev.Targets[t].Value
			}
		}
		cur, old := all[byKey[key{r.Area, r.Period}]], all[byKey[key{prev.Area, prev.Period}]]
		// Dead zones measured on other evidence (another set of carriers,
		// far fewer rows) are compared, but said not to be like with like.
		var unlike string
		if c, o := cur.DeadZones, old.DeadZones; c != nil && o != nil {
			unlike = c.Evidence.Compare(o.Evidence, r.Period, prev.Period, cfg.EvidenceRatio)
		}
		if dz := &r.Targets[TargetDeadZones]; unlike != "" && !math.IsNaN(dz.Change) {
			dz.Issues = append(dz.Issues, fmt.Sprintf("change since %s %s", prev.Period, unlike))
			dz.ChangeNotLikeWithLike = unlike
		}
		// Target 5's figures resting on different halves (one alone, the
		// other, or both) are two kinds of figure: no change between
		// them, and no regression.
		speedUnlike := speedUnlike(prev, r)
		if sp := &r.Targets[TargetSpeed]; speedUnlike != "" {
			sp.Change = nan()
			sp.Issues = append(sp.Issues, speedUnlike)
		}
		// Targets 2–4 estimated by two methods in the two months (a
		// survey in one, the household model alone in the other) are two
		// kinds of figure too: their difference is one of method.
		var methodUnlike [NumTargets]bool
		for _, t := range []Target{TargetSmartphone, TargetFibre, TargetTwoGOnly} {
			if why := otherMethod(prev, r, t); why != "" {
				x := &r.Targets[t]
				x.Change = nan()
				x.Issues = append(x.Issues, why)
				methodUnlike[t] = true
			}
		}
		for _, a := range regressions(prev, r, cfg) {
			if a.Target == TargetSpeed && speedUnlike != "" || methodUnlike[a.Target] {
				continue
			}
			if a.Target == TargetDeadZones {
				a.qualify(unlike)
			}
			alerts = append(alerts, a)
		}
		// New dead-zone hexes and villages against a previous month that
		// was assessed on that basis: one with none (nil ids) makes every
		// current one new; one not assessed, or a partial sum, says
		// nothing of what is new.
		if c, o := cur.DeadZones, old.DeadZones; c != nil && o != nil && !c.Partial && !o.Partial {
			if !c.NoHouseholds && !o.NoHouseholds {
				if a, ok := newItems(r, AlertNewDeadZoneHexes, "hex", "hexes", c.Hexes, o.Hexes); ok {
					a.qualify(unlike)
					alerts = append(alerts, a)
				}
			}
			if !c.NoVillages && !o.NoVillages {
				if a, ok := newItems(r, AlertNewDeadZoneVillages, "village", "villages", c.VillageIDs, o.VillageIDs); ok {
					a.qualify(unlike)
					alerts = append(alerts, a)
				}
			}
		}
	}
	slices.SortStableFunc(alerts, func(a, b Alert) int {
		return cmp.Or(comparePeriod(a.Period, b.Period), cmp.Compare(a.Area, b.Area),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Target, b.Target))
	})
	return &Card{Rows: rows, Alerts: alerts, Config: cfg}, nil
}

// otherMethod says why target t's figures of prev and cur are not like
// with like — the estimates behind them are of different methods — or ""
// when they are (or either is unknown or does not say its method).
// The empirical-Bayes prior of an area without a survey has the model
// share as its value: the same figure as the model's (its interval aside).
func otherMethod(prev, cur *Row, t Target) string {
	p, c := prev.Targets[t], cur.Targets[t]
	value := func(m string) string {
		if m == penetration.MethodSmartphoneEBPrior {
			return penetration.MethodSmartphoneModel
		}
		return m
	}
	if math.IsNaN(p.Value) || math.IsNaN(c.Value) || p.Method == "" || c.Method == "" || value(p.Method) == value(c.Method) {
		return ""
	}
	return fmt.Sprintf("no change since %s: two kinds of figure, by %q then and by %q now", prev.Period, p.Method, c.Method)
}

func comparePeriod(a, b penetration.Period) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month))
}

func compareRows(a, b Row) int {
	return cmp.Or(comparePeriod(a.Period, b.Period), boolFirst(a.National, b.National), cmp.Compare(a.Area, b.Area))
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// round rounds v to the configured precision (half away from zero, as
// RoundHalfAway).
func (c Config) round(v float64) float64 {
	if c.Precision == 0 || math.IsNaN(v) {
		return v
	}
	return RoundHalfAway(v, c.Precision)
}

// RoundHalfAway rounds v to a multiple of step, half away from zero, as
// its decimal reading does: v/step is taken to 15 significant digits
// first (a double holds 15 exactly), so that a share or change a last
// bit below a half in binary (129.95/100 − 1 = 0.29949999999999993, read
// as 29.9% and not met) rounds as its decimal 0.2995 does, to 30.0%.
func RoundHalfAway(v, step float64) float64 {
	x := v / step
	if d, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64); err == nil {
		x = d
	}
	return math.Round(x) * step
}

// percent writes a share or a change of one as a percentage to one
// decimal, rounded as the judgement rounds it (RoundHalfAway).
func percent(v float64) string {
	return strconv.FormatFloat(100*RoundHalfAway(v, 0.001), 'f', 1, 64)
}

// judge returns the status of value v against target t's goal.
func (c Config) judge(t Target, v float64) Status {
	if math.IsNaN(v) {
		return StatusUnknown
	}
	v = c.round(v)
	g := c.goal(t)
	var ok bool
	switch t {
	case TargetDeadZones:
		ok = v == 0
	case TargetTwoGOnly:
		ok = v < g-c.Precision/2 // below the goal at the reported precision
	default:
		ok = v >= g-c.Precision/2
	}
	if ok {
		return StatusMet
	}
	return StatusNotMet
}

func nan() float64 { return math.NaN() }

// minKnown is the smaller of two interval bounds, an unknown (NaN) one
// standing for the value itself (a half without an interval).
func minKnown(a, b, value float64) float64 {
	if math.IsNaN(a) {
		a = value
	}
	if math.IsNaN(b) {
		b = value
	}
	return min(a, b)
}

func estimateResult(t Target, e *penetration.Estimate, cfg Config) Result {
	r := Result{Target: t, Value: nan(), Lower: nan(), Upper: nan(), Goal: cfg.goal(t), Change: nan(), Interval: penetration.IntervalNone}
	if e == nil {
		return r
	}
	r.Issues = append([]string(nil), e.Issues...)
	r.HouseholdsProjected = e.HouseholdsProjected
	r.Method = e.Method
	if !e.Known() {
		return r
	}
	r.Value, r.Lower, r.Upper = e.Value, e.Lower, e.Upper
	r.Interval, r.Confidence, r.Assumptions = e.Interval, e.Confidence, slices.Clone(e.Assumptions)
	if e.Impossible {
		r.Impossible = true
		return r
	}
	r.StatusPoint = cfg.judge(t, r.Value)
	if t.higherBetter() {
		r.StatusBound = cfg.judge(t, r.Lower)
	} else {
		r.StatusBound = cfg.judge(t, r.Upper)
	}
	return r
}

func score(in AreaInput, cfg Config) Row {
	row := Row{Area: in.Area, Period: in.Period, National: in.Area == cfg.National,
		DeadZoneVillages: nan(), DeadZoneHouseholds: nan(), SpeedMobile: nan(), SpeedFixed: nan()}
	// Target 1: counts are exact, so the bound equals the value.
	dz := Result{Target: TargetDeadZones, Value: nan(), Lower: nan(), Upper: nan(), Change: nan(), Interval: penetration.IntervalNone}
	if d := in.DeadZones; d != nil {
		dz.Method = MethodDeadZoneVillages
		if cfg.DeadZoneBasis == BasisHouseholds {
			dz.Method = MethodDeadZoneHouseholds
		}
		row.DeadZoneVillages, row.DeadZoneHouseholds = d.Villages, d.Households
		v := d.Villages
		if cfg.DeadZoneBasis == BasisHouseholds {
			v = d.Households
		}
		// A count of a unit the run located none of says nothing.
		if d.NoVillages {
			row.DeadZoneVillages = nan()
		}
		if d.NoHouseholds {
			row.DeadZoneHouseholds = nan()
		}
		if why := d.unassessed(cfg); why != "" {
			dz.Issues = append(dz.Issues, why)
		} else if d.Partial {
			// A lower bound: above the goal it is not met, else unknown.
			row.DeadZoneVillages, row.DeadZoneHouseholds = nan(), nan()
			if v > cfg.goal(TargetDeadZones) {
				dz.Lower, dz.Interval = v, IntervalLowerBound
				dz.StatusPoint, dz.StatusBound = StatusNotMet, StatusNotMet
				dz.Issues = append(dz.Issues, fmt.Sprintf("at least %v: the areas not assessed are not counted", v))
			}
		} else if v < 0 {
			dz.Issues = append(dz.Issues, fmt.Sprintf("negative dead-zone %s count %v", cfg.DeadZoneBasis, v))
		} else if !math.IsNaN(v) {
			dz.Value, dz.Lower, dz.Upper, dz.Interval = v, v, v, IntervalListed
			dz.StatusPoint = cfg.judge(TargetDeadZones, v)
			dz.StatusBound = dz.StatusPoint
			if cfg.DeadZoneBasis != BasisHouseholds && d.VillagesPMF != nil {
				// The range of the villages truly without 3G/4G, widened
				// to hold the count listed (which many villages a little
				// below the cut can leave under the range: value, lower and
				// upper stay ordered for every reader of the files); its
				// conservative end is the upper one (met only when even it
				// is 0).
				lo, hi := CountInterval(d.VillagesPMF, CountConfidence)
				dz.Lower, dz.Upper = min(lo, v), max(hi, v)
				dz.Interval, dz.Confidence = IntervalCount, CountConfidence
				dz.StatusBound = cfg.judge(TargetDeadZones, dz.Upper)
			}
		}
	}
	row.Targets[TargetDeadZones] = dz
	row.Targets[TargetSmartphone] = estimateResult(TargetSmartphone, in.Smartphone, cfg)
	row.Targets[TargetFibre] = estimateResult(TargetFibre, in.Fibre, cfg)
	row.Targets[TargetTwoGOnly] = estimateResult(TargetTwoGOnly, in.TwoGOnly, cfg)
	// Target 5: both fixed and mobile must rise by the goal; the value is
	// the smaller (binding) change, with its interval.
	mob := estimateResult(TargetSpeed, in.SpeedMobile, cfg)
	fix := estimateResult(TargetSpeed, in.SpeedFixed, cfg)
	row.SpeedMobile, row.SpeedFixed = mob.Value, fix.Value
	sp := mob
	if cfg.SpeedRequireFixed || in.SpeedFixed != nil {
		sp.StatusPoint = and(mob.StatusPoint, fix.StatusPoint)
		sp.StatusBound = and(mob.StatusBound, fix.StatusBound)
		sp.Issues = append(append([]string(nil), mob.Issues...), fix.Issues...)
		switch {
		case math.IsNaN(mob.Value) && math.IsNaN(fix.Value):
			sp.Value, sp.Lower, sp.Upper = nan(), nan(), nan()
			sp.Interval, sp.Confidence, sp.Assumptions = penetration.IntervalNone, 0, nil
		case math.IsNaN(mob.Value) || math.IsNaN(fix.Value):
			// One half known: below the goal it decides (not met) and is
			// the value shown, saying the other is unknown; otherwise the
			// target is unknown.
			known, other, otherName := fix, mob, "mobile"
			if math.IsNaN(fix.Value) {
				known, other, otherName = mob, fix, "fixed"
			}
			sp.Value, sp.Lower, sp.Upper = nan(), nan(), nan()
			sp.Interval, sp.Confidence, sp.Method, sp.Assumptions = penetration.IntervalNone, 0, "", nil
			if cfg.Rule.pick(sp.StatusPoint, sp.StatusBound) == StatusNotMet {
				sp.Value, sp.Lower, sp.Upper = known.Value, known.Lower, known.Upper
				sp.Interval, sp.Confidence, sp.Method, sp.Assumptions = known.Interval, known.Confidence, known.Method, known.Assumptions
				sp.OneHalf = true
				why := otherName + " speeds unknown"
				if len(other.Issues) > 0 {
					why += " (" + strings.Join(other.Issues, "; ") + ")"
				} else {
					why += " (" + unknownReason(in, TargetSpeed, nil, cfg) + ")"
				}
				// The unknown half's issues are in why: not twice.
				sp.Issues = append(slices.Clone(known.Issues), why+": the other half alone is below the goal")
			}
		default:
			// Both known: the smaller change is the value, and the
			// interval is that of the smaller of the two (each bound the
			// smaller of the halves' bounds), as the bound rule judges
			// both halves' lower ends.
			sp.Value = min(mob.Value, fix.Value)
			sp.Lower, sp.Upper = minKnown(mob.Lower, fix.Lower, sp.Value), minKnown(mob.Upper, fix.Upper, sp.Value)
			// A reported (exact) half adds no sampling error: the
			// interval is the other half's kind; two of one kind keep it.
			switch {
			case fix.Interval == penetration.IntervalExact || fix.Interval == mob.Interval:
			case mob.Interval == penetration.IntervalExact:
				sp.Interval, sp.Confidence = fix.Interval, fix.Confidence
			default:
				sp.Interval, sp.Confidence = IntervalMixed, 0
			}
			sp.Method = "the smaller of the mobile change (" + mob.Method + ") and the fixed change (" + fix.Method + ")"
			sp.Assumptions = append(slices.Clone(mob.Assumptions), fix.Assumptions...)
		}
	}
	row.Targets[TargetSpeed] = sp
	for t := range row.Targets {
		r := &row.Targets[t]
		r.Status = cfg.Rule.pick(r.StatusPoint, r.StatusBound)
		if r.Status == StatusUnknown {
			r.Reason = unknownReason(in, Target(t), r.Issues, cfg)
		}
		switch r.Status {
		case StatusMet:
			row.Met++
		case StatusNotMet:
			row.NotMet++
		default:
			row.Unknown++
		}
	}
	return row
}

// unknownReason says why target t of in is unknown: the caller's reason
// for a missing input, the estimate's issues, or what is absent.
func unknownReason(in AreaInput, t Target, issues []string, cfg Config) string {
	if in.Missing[t] != "" {
		return in.Missing[t]
	}
	var absent bool
	switch t {
	case TargetDeadZones:
		if in.DeadZones == nil {
			// A month the card did not compute (a card computes its month's
			// and the month before's dead zones, and reads the other
			// months' that lomsong run saved): not "no data".
			return fmt.Sprintf("no dead-zone figures for %s in this card: lomsong run --period %s saves them (a card computes its own month's and the month before's dead zones, and reads another month's where a run on the same options saved them and they are current)", in.Period, in.Period)
		}
	case TargetSmartphone:
		absent = in.Smartphone == nil
	case TargetFibre:
		absent = in.Fibre == nil
	case TargetTwoGOnly:
		absent = in.TwoGOnly == nil
	case TargetSpeed:
		// Each half without its input says so, and the other half's
		// reason follows when it is unknown too: both halves are needed.
		var why []string
		if in.SpeedMobile == nil {
			why = append(why, fmt.Sprintf("no mobile speed tests in %s nor in %s, the same month a year before", in.Period, in.Period.AddMonths(-12)))
		}
		if in.SpeedFixed == nil && cfg.SpeedRequireFixed {
			why = append(why, "no fixed download speeds (the subscriptions' fixed_median_dl_mbps: the target needs fixed and mobile)")
		}
		if len(why) > 0 {
			for _, e := range []*penetration.Estimate{in.SpeedMobile, in.SpeedFixed} {
				if e != nil && !e.Known() {
					why = append(why, e.Issues...)
				}
			}
			return strings.Join(why, "; ")
		}
	}
	if absent {
		return fmt.Sprintf("no subscriptions for %s", in.Period)
	}
	if len(issues) > 0 {
		return strings.Join(issues, "; ")
	}
	return "not enough data"
}

// national aggregates the month's area inputs (see Build).
func national(inputs []AreaInput, idx []int, p penetration.Period, cfg Config) AreaInput {
	out := AreaInput{Area: cfg.National, Period: p, Households: 0}
	// Target 1 sums the areas' counts; with an area not assessed the sum
	// is a lower bound (Partial), with an area without figures unknown.
	dz := &DeadZones{VillagesPMF: []float64{1}}
	for _, i := range idx {
		in := inputs[i]
		if in.DeadZones == nil {
			dz.Villages, dz.Households = nan(), nan()
			break
		}
		if in.DeadZones.unassessed(cfg) != "" {
			dz.Partial = true
			continue
		}
		dz.Villages += in.DeadZones.Villages
		dz.Households += in.DeadZones.Households
		// The areas' counts are independent sums: the nation's
		// distribution is their convolution.
		if dz.VillagesPMF != nil && in.DeadZones.VillagesPMF != nil {
			dz.VillagesPMF = Convolve(dz.VillagesPMF, in.DeadZones.VillagesPMF)
		} else {
			dz.VillagesPMF = nil
		}
	}
	// The month's evidence is the dataset's, the same for every area.
	for _, i := range idx {
		if d := inputs[i].DeadZones; d != nil && d.Evidence != nil {
			dz.Evidence = d.Evidence
			break
		}
	}
	out.DeadZones = dz
	// A figure missing in some areas is missing nationally: say where.
	scored := make([]Row, len(idx))
	for k, i := range idx {
		scored[k] = score(inputs[i], cfg)
	}
	for _, t := range Targets {
		// Each reason with the number of areas it holds for, in the
		// areas' order: the first area's reason alone read as every
		// area's.
		var why []string
		var count []int
		var n int
		for k, i := range idx {
			if r := scored[k].Targets[t]; math.IsNaN(r.Value) || r.Impossible {
				n++
				reason := cmp.Or(r.Reason, unknownReason(inputs[i], t, r.Issues, cfg))
				if j := slices.Index(why, reason); j >= 0 {
					count[j]++
				} else {
					why = append(why, reason)
					count = append(count, 1)
				}
			}
		}
		switch {
		case n == 0:
		case len(why) == 1 && n == len(idx):
			out.Missing[t] = why[0]
		case len(why) == 1:
			out.Missing[t] = fmt.Sprintf("unknown in %s of %s areas (%s)", plural.Grouped(n), plural.Grouped(len(idx)), why[0])
		default:
			parts := make([]string, len(why))
			for j, w := range why {
				parts[j] = fmt.Sprintf("%s: %s", plural.CountGrouped(count[j], "area", "areas"), w)
			}
			out.Missing[t] = fmt.Sprintf("unknown in %s of %s areas (%s)", plural.Grouped(n), plural.Grouped(len(idx)), strings.Join(parts, "; "))
		}
	}
	if out.Missing[TargetSpeed] == "" {
		out.Missing[TargetSpeed] = "speed changes do not aggregate from the areas' medians"
	}
	share := func(t Target, get func(AreaInput) *penetration.Estimate) *penetration.Estimate {
		var w, v, lo, hi float64
		exact, projected := true, false
		for _, i := range idx {
			in := inputs[i]
			e := get(in)
			if e == nil || !e.Known() || e.Impossible {
				return nil // said above, with the area's reason
			}
			exact = exact && e.Interval == penetration.IntervalExact
			projected = projected || e.HouseholdsProjected
			if !(in.Households > 0) {
				// Its share is known (a survey), but it cannot be weighed.
				if out.Missing[t] == "" {
					out.Missing[t] = fmt.Sprintf("area %s has no household count to weigh its share by in %s", in.Area, p)
				}
				return nil
			}
			w += in.Households
			v += in.Households * e.Value
			lo += in.Households * e.Lower
			hi += in.Households * e.Upper
		}
		if w == 0 {
			return nil
		}
		kind := IntervalWeightedBounds // no confidence level of its own
		if exact {
			kind = penetration.IntervalExact // a ratio of the summed counts
		}
		return &penetration.Estimate{Value: v / w, Lower: lo / w, Upper: hi / w, Interval: kind,
			HouseholdsProjected: projected, Method: "household-weighted mean of the areas' estimates and bounds"}
	}
	out.Smartphone = share(TargetSmartphone, func(a AreaInput) *penetration.Estimate { return a.Smartphone })
	out.Fibre = share(TargetFibre, func(a AreaInput) *penetration.Estimate { return a.Fibre })
	out.TwoGOnly = nationalTwoGOnly(inputs, idx, &out)
	if absent := absentAreas(inputs, idx, cfg); absent > 0 {
		why := fmt.Sprintf("no data for %s of %s areas in %s", plural.Grouped(absent), plural.Grouped(len(cfg.Areas)), p)
		for _, t := range []Target{TargetSmartphone, TargetFibre, TargetTwoGOnly} {
			out.Missing[t] = why
		}
		out.Smartphone, out.Fibre, out.TwoGOnly = nil, nil, nil
		out.DeadZones.Partial = true
	}
	return out
}

// nationalTwoGOnly is the share of 2G-only phones of the areas idx
// together: their 2G-only subscriptions over their mobile subscriptions
// (penetration.TwoGOnlyShare of the sums), or nil when an area's share is
// unknown (out.Missing already says why) or given without its counts.
func nationalTwoGOnly(inputs []AreaInput, idx []int, out *AreaInput) *penetration.Estimate {
	var s penetration.Subscription
	for _, i := range idx {
		in := inputs[i]
		if e := in.TwoGOnly; e == nil || !e.Known() || e.Impossible {
			return nil
		}
		if !(in.MobileSubscribers > 0) || math.IsNaN(in.Only2GSubscribers) {
			if out.Missing[TargetTwoGOnly] == "" {
				out.Missing[TargetTwoGOnly] = fmt.Sprintf("area %s gives its 2G-only share without its subscriber counts in %s", in.Area, in.Period)
			}
			return nil
		}
		s.Only2GSubscribers += in.Only2GSubscribers
		s.MobileSubscribers += in.MobileSubscribers
	}
	if s.MobileSubscribers == 0 {
		return nil
	}
	e := penetration.TwoGOnlyShare(s, 0.95)
	return &e
}

// absentAreas counts the areas of cfg.Areas with no input among idx.
func absentAreas(inputs []AreaInput, idx []int, cfg Config) int {
	have := map[string]bool{}
	for _, i := range idx {
		have[inputs[i].Area] = true
	}
	n := 0
	for _, a := range cfg.Areas {
		if !have[a] {
			n++
		}
	}
	return n
}

// rank orders the month's non-national rows per target, best first, on
// values rounded to Config.Precision; a target with a value for fewer
// than two areas is not ranked. Equal values share a rank and the
// next rank skips (1, 2, 2, 4); rows are already sorted by area code, so
// ties are listed in code order.
func rank(rows []Row, cfg Config) {
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && rows[end].Period == rows[start].Period {
			end++
		}
		for t := range Targets {
			var ids []int
			for i := start; i < end; i++ {
				if r := rows[i].Targets[t]; !rows[i].National && !math.IsNaN(r.Value) && !r.Impossible && !r.OneHalf {
					ids = append(ids, i)
				}
			}
			val := func(i int) float64 {
				v := cfg.round(rows[i].Targets[t].Value)
				if Target(t).higherBetter() {
					return -v
				}
				return v
			}
			if len(ids) < 2 {
				// A rank among one area says nothing: a province's own card
				// ranked it first of one on its dead zones (the month's only
				// area analysed for them), the worst of 34 in the national
				// card.
				continue
			}
			slices.SortStableFunc(ids, func(a, b int) int { return cmp.Compare(val(a), val(b)) })
			for k, i := range ids {
				if k > 0 && val(i) == val(ids[k-1]) {
					rows[i].Targets[t].Rank = rows[ids[k-1]].Targets[t].Rank
				} else {
					rows[i].Targets[t].Rank = k + 1
				}
			}
		}
		start = end
	}
}

func regressions(prev, cur *Row, cfg Config) []Alert {
	var out []Alert
	for t := range Targets {
		p, c := prev.Targets[t], cur.Targets[t]
		if p.Impossible || c.Impossible {
			continue // not judged, so not compared
		}
		worse := c.Value - p.Value
		if Target(t).higherBetter() {
			worse = -worse
		}
		var msg string
		switch {
		case p.Status == StatusMet && c.Status == StatusNotMet:
			msg = fmt.Sprintf("%s: met in %s, not met in %s", Target(t), prev.Period, cur.Period)
		case worse > cfg.Regression[t]+1e-12:
			msg = fmt.Sprintf("%s: worse by %s since %s (%s → %s; tolerance %s)", Target(t), change(Target(t), worse, cfg),
				prev.Period, level(Target(t), p.Value, cfg), level(Target(t), c.Value, cfg), change(Target(t), cfg.Regression[t], cfg))
		default:
			continue
		}
		out = append(out, Alert{Area: cur.Area, Period: cur.Period, Kind: AlertRegression, Target: Target(t),
			Previous: p.Value, Current: c.Value, Message: msg})
	}
	return out
}

// level says a target's value in its unit, as the tables show it: a
// count of villages or households for target 1, a percentage for the
// shares and the speed change.
func level(t Target, v float64, cfg Config) string {
	if t == TargetDeadZones {
		return counted(v, cfg.DeadZoneBasis)
	}
	return percent(v) + "%"
}

// change says a difference of a target's values in its unit: villages or
// households for target 1, percentage points for the others (a share's
// change is not a share: "3.0 pp", not "0.02998" nor "3.0%").
func change(t Target, d float64, cfg Config) string {
	if t == TargetDeadZones {
		return counted(d, cfg.DeadZoneBasis)
	}
	return percent(d) + " pp"
}

// counted says n villages or households, whole.
func counted(n float64, b Basis) string {
	s := strconv.FormatFloat(n, 'f', 0, 64)
	if s == "1" {
		return s + " " + strings.TrimSuffix(b.String(), "s")
	}
	return s + " " + b.String()
}

// qualify marks a as not like with like for the reason why ("" leaves it
// as it is).
func (a *Alert) qualify(why string) {
	if why == "" {
		return
	}
	a.NotLikeWithLike = why
	a.Message += " (" + why + ")"
}

// newItems is the alert of the items of cur not in prev (hexes or
// villages, one and many naming one item and several).
func newItems(r *Row, kind AlertKind, one, many string, cur, prev []string) (Alert, bool) {
	old := make(map[string]bool, len(prev))
	for _, s := range prev {
		old[s] = true
	}
	var items []string
	for _, s := range cur {
		if !old[s] {
			items = append(items, s)
		}
	}
	if len(items) == 0 {
		return Alert{}, false
	}
	slices.Sort(items)
	items = slices.Compact(items)
	return Alert{Area: r.Area, Period: r.Period, Kind: kind, Target: TargetDeadZones, Items: items,
		Previous: float64(len(prev)), Current: float64(len(cur)),
		Message: fmt.Sprintf("%s since %s", plural.Count(len(items), "new dead-zone "+one, "new dead-zone "+many), r.Period.AddMonths(-1))}, true
}
