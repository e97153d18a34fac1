package plan

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Sharing is a sharing or roaming agreement of one carrier: for its cost,
// that carrier's customers in its hexes (its gaps, where another carrier
// already has coverage) get service without a new site. It closes
// Carrier's gap and no other: another carrier's gap in the same hex stays
// open until that carrier's own agreement (or nothing — a site only counts
// dead hexes). Its cost is AgreementVND + PerHexVND·len(Hexes), taken as a
// net present value like a site's.
type Sharing struct {
	ID string
	// Carrier is the carrier with the gap, whose customers the agreement
	// serves. Agreements of one carrier (the empty name is one too) close
	// the same gap where their hexes meet; other carriers' never do.
	Carrier      engine.Carrier
	Hexes        []Hex
	AgreementVND float64
	PerHexVND    float64
}

// CostVND returns the agreement's cost.
func (s Sharing) CostVND() float64 { return s.AgreementVND + s.PerHexVND*float64(len(s.Hexes)) }

// Config configures Build.
type Config struct {
	Footprint FootprintConfig
	Costs     Costs
	Solve     SolveConfig
}

// DefaultConfig returns the documented defaults of each part.
func DefaultConfig() Config {
	return Config{Footprint: DefaultFootprintConfig(), Costs: DefaultCosts(), Solve: DefaultSolveConfig()}
}

// Validate checks every part.
func (c Config) Validate() error {
	if err := c.Footprint.Validate(); err != nil {
		return err
	}
	if err := c.Costs.Validate(); err != nil {
		return err
	}
	return c.Solve.Validate()
}

// Step is one funded option, in plan order.
type Step struct {
	Rank                int // from 1
	CandidateID         string
	Source              Source
	Lon, Lat            float64 // a site's position; a sharing agreement's mean hex centre
	NewHouseholds       float64 // households this step adds to the steps before it
	CumHouseholds       float64
	CostVND             float64
	CumCostVND          float64
	CostPerHouseholdVND float64 // CostVND / NewHouseholds
	Power, Backhaul     string  // the cost model's choices; empty for overrides and sharing
}

// NewlyCovered returns the dead-zone households this step newly covers:
// its NewHouseholds for a site, 0 for a sharing agreement (its households
// are served by another carrier's network, not newly covered).
func (s Step) NewlyCovered() float64 {
	if s.Source == SourceSharing {
		return 0
	}
	return s.NewHouseholds
}

// ServedBySharing returns the households a sharing agreement's step adds
// (0 for a site).
func (s Step) ServedBySharing() float64 {
	if s.Source == SourceSharing {
		return s.NewHouseholds
	}
	return 0
}

// CurvePoint is a point of the households-versus-budget curve: spending
// CostVND on the plan's first steps reaches Households.
type CurvePoint struct {
	CostVND    float64
	Households float64
}

// Plan is a ranked investment plan.
type Plan struct {
	BudgetVND       float64
	Steps           []Step
	TotalHouseholds float64
	TotalCostVND    float64
	// DeadHouseholds is what the options could reach: the households of
	// all dead hexes plus, for every carrier with a sharing agreement,
	// those of its gap hexes (a hex where two carriers have a gap counts
	// once for each).
	DeadHouseholds float64
	// UpperBound is a proven upper bound on the households any selection
	// within the budget can reach; Gap = (UpperBound − TotalHouseholds) /
	// UpperBound; BoundMethod says which bound was tightest (see Solution).
	UpperBound  float64
	Gap         float64
	BoundMethod string
	// Guarantee is the worst case of the algorithm that ran, and
	// GuaranteeFactor its factor of the optimum.
	Guarantee       string
	GuaranteeFactor float64
	// Curve starts at (0, 0) and has one point per step.
	Curve []CurvePoint
	// WhyNotFunded says of each option why it is not funded (WhyNotFunded),
	// "" for a funded one: the candidates in Build's order, then the
	// sharing agreements.
	WhyNotFunded []string
}

// Why an option is not funded (Plan.WhyNotFunded). The budget cases say
// the amounts (whole đồng): "it costs 3000000000 VND, more than the whole
// budget", "not chosen within the budget: it costs 2937457733 VND, more
// than the 2524502498 VND left after the funded options".
const (
	WhyReachesNothing = "its footprint reaches no dead hex"
	WhyAllCovered     = "every dead hex it reaches is covered by the funded options"
	WhyAddsNothing    = "it adds no household to the funded options"
	WhyOverBudget     = "more than the whole budget"
	WhyNotChosen      = "not chosen within the budget"
)

// whyNotFunded returns, per option of inst, why it is not among chosen
// (see the Why constants); "" for a chosen one. spent is the chosen
// options' cost.
func whyNotFunded(inst *Instance, chosen []int, budgetVND, spent float64) []string {
	why := make([]string, len(inst.Options))
	funded := make([]bool, len(inst.Options))
	covered := make([]bool, len(inst.Households))
	for _, i := range chosen {
		funded[i] = true
		for _, j := range inst.Options[i].Covers {
			covered[j] = true
		}
	}
	whole := func(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', 0, 64) }
	for i, o := range inst.Options {
		if funded[i] {
			continue
		}
		all, gain := true, 0.0
		for _, j := range o.Covers {
			if !covered[j] {
				all = false
				gain += inst.Households[j]
			}
		}
		switch {
		case len(o.Covers) == 0:
			why[i] = WhyReachesNothing
		case all:
			why[i] = WhyAllCovered
		case !(gain > 0):
			why[i] = WhyAddsNothing
		case o.CostVND > budgetVND:
			why[i] = fmt.Sprintf("it costs %s VND, %s", whole(o.CostVND), WhyOverBudget)
		case o.CostVND > budgetVND-spent:
			why[i] = fmt.Sprintf("%s: it costs %s VND, more than the %s VND left after the funded options",
				WhyNotChosen, whole(o.CostVND), whole(budgetVND-spent))
		default:
			why[i] = WhyNotChosen
		}
	}
	return why
}

// WholeBound returns an upper bound on households (Plan.UpperBound) in
// whole households, as the plan states it: rounded up, never to the
// nearest — a bound of 80.4 is 81, not 80, which a plan of 80.4 households
// would exceed. A part below a millionth of the bound is taken as the
// sums' rounding (the LP bound adds 10⁻⁹ of the coverable households), so
// 1273.0000001 is 1273.
func WholeBound(ub float64) float64 {
	if !(ub > 0) || math.IsInf(ub, 0) {
		return ub
	}
	return math.Ceil(ub - 1e-6*max(1, ub))
}

// CandidateVND returns what candidate c costs as an option of a plan
// (Build): its CostVND when positive and finite (a quote), else the cost
// model's net present value with its power and backhaul ("" for a
// quote). Money is whole đồng, at least 1: a cost rounded once makes the
// cumulative costs the plan writes the sums of the costs it writes.
func (c Costs) CandidateVND(cand Candidate) (vnd float64, power, backhaul string) {
	vnd = cand.CostVND
	if !(vnd > 0) || math.IsInf(vnd, 0) {
		sc := c.SiteCost(cand)
		vnd, power, backhaul = sc.NPVVND, sc.Power, sc.Backhaul
	}
	return max(1, math.Round(vnd)), power, backhaul
}

// Build plans a budget over candidate sites and sharing agreements. dead
// are the dead hexes (households without 3G/4G); candidates cover the dead
// hexes their footprint reaches (Footprints), sharing agreements cover
// their own hexes. An agreement's hex that is a dead hex (by cell) is that
// hex: whoever covers it first covers its households. Any other hex of an
// agreement is its carrier's gap there, one element per (carrier, cell)
// with the agreement's household count: agreements of one carrier share
// it, another carrier's agreement over the same cell has its own, and no
// site covers it. A candidate costs its CostVND override when positive,
// otherwise its cost-model NPV. IDs must be unique across candidates and
// agreements.
func Build(cands []Candidate, sharing []Sharing, dead []Hex, budgetVND float64, cfg Config) (Plan, error) {
	if err := cfg.Validate(); err != nil {
		return Plan{}, err
	}
	inst := Instance{Households: make([]float64, len(dead))}
	byCell := make(map[hexgrid.Cell]int32, len(dead))
	for j, h := range dead {
		inst.Households[j] = h.Households
		if h.Cell == 0 {
			continue
		}
		if _, dup := byCell[h.Cell]; dup {
			return Plan{}, fmt.Errorf("dead hex %d: duplicate cell %v: %w", j, h.Cell, engine.ErrInvalidValue)
		}
		byCell[h.Cell] = int32(j)
	}
	fps, err := Footprints(cands, dead, cfg.Footprint)
	if err != nil {
		return Plan{}, err
	}
	type meta struct {
		src             Source
		lon, lat        float64
		power, backhaul string
	}
	metas := make([]meta, 0, len(cands)+len(sharing))
	for i := range cands {
		c := &cands[i]
		m := meta{src: c.Source, lon: c.Lon, lat: c.Lat}
		var cost float64
		cost, m.power, m.backhaul = cfg.Costs.CandidateVND(*c)
		inst.Options = append(inst.Options, Option{ID: c.ID, CostVND: cost, Covers: fps[i]})
		metas = append(metas, m)
	}
	// A carrier's gap in a hex is its own element: one carrier's roaming
	// serves its customers there, not another carrier's.
	type gapKey struct {
		carrier engine.Carrier
		cell    hexgrid.Cell
	}
	byGap := map[gapKey]int32{}
	for _, s := range sharing {
		m := meta{src: SourceSharing}
		set := map[int32]bool{}
		for _, h := range s.Hexes {
			m.lon += h.Lon / float64(len(s.Hexes))
			m.lat += h.Lat / float64(len(s.Hexes))
			j, ok := byCell[h.Cell]
			if !ok || h.Cell == 0 {
				k := gapKey{s.Carrier, h.Cell}
				if j, ok = byGap[k]; !ok || h.Cell == 0 {
					if !(h.Households >= 0) || math.IsInf(h.Households, 0) {
						return Plan{}, fmt.Errorf("sharing %q hex %v: households %g: %w", s.ID, h.Cell, h.Households, engine.ErrInvalidValue)
					}
					j = int32(len(inst.Households))
					inst.Households = append(inst.Households, h.Households)
					if h.Cell != 0 {
						byGap[k] = j
					}
				}
			}
			set[j] = true
		}
		cov := make([]int32, 0, len(set))
		for j := range set {
			cov = append(cov, j)
		}
		sortInt32(cov)
		inst.Options = append(inst.Options, Option{ID: s.ID, CostVND: max(1, math.Round(s.CostVND())), Covers: cov})
		metas = append(metas, m)
	}
	sol, err := Solve(inst, budgetVND, cfg.Solve)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{
		BudgetVND: budgetVND, TotalHouseholds: sol.Value, TotalCostVND: sol.CostVND,
		UpperBound: sol.UpperBound, Gap: sol.Gap, BoundMethod: sol.BoundMethod,
		Guarantee: sol.Guarantee, GuaranteeFactor: sol.GuaranteeFactor,
		Curve: []CurvePoint{{0, 0}},
	}
	for _, h := range inst.Households {
		p.DeadHouseholds += h
	}
	var cumH, cumC float64
	for k, i := range sol.Chosen {
		o, m := &inst.Options[i], metas[i]
		cumH += sol.Gains[k]
		cumC += o.CostVND
		p.Steps = append(p.Steps, Step{
			Rank: k + 1, CandidateID: o.ID, Source: m.src, Lon: m.lon, Lat: m.lat,
			NewHouseholds: sol.Gains[k], CumHouseholds: cumH, CostVND: o.CostVND, CumCostVND: cumC,
			CostPerHouseholdVND: o.CostVND / sol.Gains[k], Power: m.power, Backhaul: m.backhaul,
		})
		p.Curve = append(p.Curve, CurvePoint{cumC, cumH})
	}
	p.WhyNotFunded = whyNotFunded(&inst, sol.Chosen, budgetVND, sol.CostVND)
	return p, nil
}

func sortInt32(s []int32) { slices.Sort(s) }
