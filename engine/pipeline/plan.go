package pipeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/plan"
)

// PlanOptions control Plan.
type PlanOptions struct {
	Config     plan.Config
	Candidates plan.CandidateConfig
	BudgetVND  float64
	// Proposed are candidates read from a table (carriers' or provinces'
	// proposals); generated candidates are added for every dead zone.
	// DeadZonesAndPlan sets aside those outside the area analysed
	// (screenProposed).
	Proposed []plan.Candidate
	// ProposedFrom names the table Proposed were read from (its path as
	// given), in the rows set aside.
	ProposedFrom string
	// SharingAgreementVND and SharingPerHexVND price a roaming/sharing
	// agreement between a carrier with a gap and a carrier that covers it.
	SharingAgreementVND, SharingPerHexVND float64
	// IncludeSharing lets the budget buy sharing agreements too; by default
	// they are listed separately (they serve a carrier's subscribers in
	// hexes that are not dead, so they add no dead-zone households).
	IncludeSharing bool
}

// Default prices of a roaming/sharing agreement (PlanOptions): a fixed
// 200 million đồng per agreement (contract, interconnection and
// configuration work) and 5 million đồng per hex served under it (the
// host network's capacity). They are planning assumptions, overridable on
// the command line (lomsong plan --sharing-agreement-vnd,
// --sharing-per-hex-vnd).
const (
	DefaultSharingAgreementVND = 200e6
	DefaultSharingPerHexVND    = 5e6
)

// DefaultPlanOptions returns the plan options every command starts from
// for a budget: the cost model's and candidate placement's defaults and
// the default sharing prices, no proposed candidates, sharing listed apart.
func DefaultPlanOptions(budgetVND float64) PlanOptions {
	return PlanOptions{Config: plan.DefaultConfig(), Candidates: plan.DefaultCandidateConfig(), BudgetVND: budgetVND,
		SharingAgreementVND: DefaultSharingAgreementVND, SharingPerHexVND: DefaultSharingPerHexVND}
}

// PlanResult is the plan with what it was built from.
type PlanResult struct {
	Plan       plan.Plan
	Candidates []plan.Candidate
	Dead       []plan.Hex
	Sharing    []plan.Sharing
	// Footprints[i] are the dead hexes the i-th step covers (sites only).
	Footprints map[string][]hexgrid.Cell
	Admin      map[string][2]string // candidate → province, commune
	// Idle are the proposed candidates, by id in the candidates' order,
	// whose footprint reaches no dead hex and no hex of p_dead above 0.2
	// (deadzone.Uncertain or worse): options of the plan that cover no
	// household without 3G/4G, so never funded.
	Idle []string
	// SetAside are the proposed candidates outside the area analysed,
	// left out of the plan, as rows rejected from their table
	// (outside_bounds, with the distance; screenProposed), in its order.
	// DeadZonesAndPlan sets them; not part of the saved plan stage.
	SetAside []ingest.Reject
}

// PlanHouseholds splits a plan's households by what serves them: its
// sites newly cover dead-zone households with 3G/4G; sharing agreements
// (with sharing included) serve households of carrier gaps that another
// carrier covers already — not dead zones, and not newly covered.
type PlanHouseholds struct {
	DeadZone      float64 // the dead hexes' households without 3G/4G (DeadZoneResult.DeadHouseholds)
	NewlyCovered  float64 // by the chosen sites
	Sites         int
	SharingGap    float64 // households of the gap hexes sharing agreements can serve, beyond the dead hexes: each carrier's own (a hex in two carriers' gaps counts for both)
	SharingServed float64 // by the chosen agreements
	Agreements    int
}

// Households splits the plan's households (PlanHouseholds).
func (r *PlanResult) Households() PlanHouseholds {
	var h PlanHouseholds
	for _, x := range r.Dead {
		h.DeadZone += x.Households
	}
	h.SharingGap = max(0, r.Plan.DeadHouseholds-h.DeadZone)
	for _, s := range r.Plan.Steps {
		h.SharingServed += s.ServedBySharing()
		h.NewlyCovered += s.NewlyCovered()
		if s.Source == plan.SourceSharing {
			h.Agreements++
		} else {
			h.Sites++
		}
	}
	return h
}

// Plan builds the universal-service investment plan for the dead zones of
// a dead-zone run: candidates are generated for every zone (and any
// proposed ones added), their footprints over the dead hexes predicted, and
// the budgeted maximum coverage solved with its optimality bound. Sharing
// agreements are built from the carrier gaps that another carrier covers.
func Plan(dz *DeadZoneResult, sites []engine.Site, opt PlanOptions) (*PlanResult, error) {
	if !(opt.BudgetVND > 0) {
		return nil, fmt.Errorf("pipeline: budget must be positive, got %g: %w", opt.BudgetVND, engine.ErrInvalidConfig)
	}
	hh := map[hexgrid.Cell]float64{}
	for _, p := range dz.Population {
		hh[p.Cell] = p.Households
	}
	out := &PlanResult{Footprints: map[string][]hexgrid.Cell{}, Admin: map[string][2]string{}}
	deadHH := dz.DeadHouseholds()
	zones := make([]plan.Zone, 0, len(dz.Zones))
	for _, z := range dz.Zones {
		pz := plan.Zone{ID: z.ID, Lon: z.Centroid[0], Lat: z.Centroid[1]}
		for _, c := range z.Cells {
			ctr, err := c.Center()
			if err != nil {
				return nil, err
			}
			// A dead hex's households without 3G/4G: a site newly
			// covers those, not its villages already served
			// (DeadZoneResult.DeadHouseholds).
			h := plan.Hex{Cell: c, Lon: ctr[0], Lat: ctr[1], Households: deadHH[c]}
			pz.Hexes = append(pz.Hexes, h)
			out.Dead = append(out.Dead, h)
		}
		zones = append(zones, pz)
	}
	slices.SortFunc(out.Dead, func(a, b plan.Hex) int { return cmp.Compare(a.Cell, b.Cell) })
	cands, err := plan.GenerateCandidates(zones, opt.Candidates)
	if err != nil {
		return nil, err
	}
	cands = append(cands, opt.Proposed...)
	distances(cands, sites)
	out.Candidates = cands
	if out.Idle, err = idleProposed(dz, out.Dead, cands, opt.Config.Footprint); err != nil {
		return nil, err
	}
	dead := make(map[hexgrid.Cell]bool, len(out.Dead))
	for _, h := range out.Dead {
		dead[h.Cell] = true
	}
	var provinces map[string]string
	out.Sharing, provinces = sharingOptions(dz, hh, dead, opt)
	for id, p := range provinces {
		out.Admin[id] = [2]string{p, ""}
	}
	var sharing []plan.Sharing
	if opt.IncludeSharing {
		sharing = out.Sharing
	}
	p, err := plan.Build(cands, sharing, out.Dead, opt.BudgetVND, opt.Config)
	if err != nil {
		return nil, err
	}
	out.Plan = p
	// Footprints and admin units of the chosen sites, for the outputs.
	byID := map[string]plan.Candidate{}
	for _, c := range cands {
		byID[c.ID] = c
	}
	var chosen []plan.Candidate
	for _, s := range p.Steps {
		if c, ok := byID[s.CandidateID]; ok {
			chosen = append(chosen, c)
		}
	}
	fps, err := plan.Footprints(chosen, out.Dead, opt.Config.Footprint)
	if err != nil {
		return nil, err
	}
	res := 0
	if len(out.Dead) > 0 {
		res = out.Dead[0].Cell.Resolution()
	}
	for i, c := range chosen {
		for _, j := range fps[i] {
			out.Footprints[c.ID] = append(out.Footprints[c.ID], out.Dead[j].Cell)
		}
		if cell, err := hexgrid.Index(c.Lon, c.Lat, res); err == nil {
			a := dz.Admin[cell]
			if a.Province == "" {
				// A site placed where nobody lives (a proposed site on a
				// ridge) belongs to the households it covers: the unit
				// of most of its dead hexes.
				a = majorityAdmin(dz.Admin, out.Footprints[c.ID])
			}
			out.Admin[c.ID] = [2]string{a.Province, a.Commune}
		}
	}
	return out, nil
}

// majorityAdmin returns the province and commune of most of cells (ties
// to the lower codes), or none.
func majorityAdmin(admin map[hexgrid.Cell]deadzone.Admin, cells []hexgrid.Cell) deadzone.Admin {
	n := map[deadzone.Admin]int{}
	var best deadzone.Admin
	for _, c := range cells {
		a := admin[c]
		if a.Province == "" {
			continue
		}
		n[a]++
		if k, kb := n[a], n[best]; k > kb || (k == kb && (a.Province < best.Province || (a.Province == best.Province && a.Commune < best.Commune))) {
			best = a
		}
	}
	return best
}

// distances fills each candidate's distance to the nearest active site
// (for a microwave hop) and to the nearest active site with fibre backhaul,
// in km, where they are unknown. Distance to the power grid stays unknown
// (the cost model then prices off-grid solar).
func distances(cands []plan.Candidate, sites []engine.Site) {
	if len(cands) == 0 {
		return
	}
	var active, fibre [][2]float64
	for _, s := range sites {
		if s.Status != engine.StatusActive {
			continue
		}
		active = append(active, [2]float64{s.Lon, s.Lat})
		if s.Backhaul == engine.BackhaulFiber {
			fibre = append(fibre, [2]float64{s.Lon, s.Lat})
		}
	}
	near, nearFibre := newNearestIndex(active), newNearestIndex(fibre)
	for i := range cands {
		c := &cands[i]
		p := [2]float64{c.Lon, c.Lat}
		if best := near.nearestM(p) / 1000; math.IsNaN(c.SiteKm) && !math.IsInf(best, 1) {
			c.SiteKm = best
		}
		if best := nearFibre.nearestM(p) / 1000; math.IsNaN(c.FibreKm) && !math.IsInf(best, 1) {
			c.FibreKm = best
		}
	}
}

// sharingOptions groups the carrier gaps that another carrier covers into
// one agreement per (carrier with the gap, province), and returns each
// agreement's province by its id.
func sharingOptions(dz *DeadZoneResult, hh map[hexgrid.Cell]float64, dead map[hexgrid.Cell]bool, opt PlanOptions) ([]plan.Sharing, map[string]string) {
	type key struct{ carrier, province string }
	groups := map[key][]plan.Hex{}
	var keys []key
	for _, g := range dz.Gaps.Hexes {
		// A dead hex (no 3G/4G at the cut, by the radio map) is no carrier
		// gap another carrier covers, whatever the hex's coverage state
		// says: roaming serves nobody there, so an agreement that claimed
		// its households took them from the sites that would cover them.
		if !g.Shareable() || dead[g.Cell] {
			continue
		}
		k := key{string(g.Carrier), g.Admin.Province}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		ctr, err := g.Cell.Center()
		if err != nil {
			continue
		}
		groups[k] = append(groups[k], plan.Hex{Cell: g.Cell, Lon: ctr[0], Lat: ctr[1], Households: hh[g.Cell]})
	}
	slices.SortFunc(keys, func(a, b key) int {
		return strings.Compare(a.carrier+"\x00"+a.province, b.carrier+"\x00"+b.province)
	})
	out := make([]plan.Sharing, 0, len(keys))
	provinces := make(map[string]string, len(keys))
	for _, k := range keys {
		id := "SHARE-" + k.carrier
		if k.province != "" {
			id += "-" + k.province
		}
		out = append(out, plan.Sharing{ID: id, Carrier: engine.Carrier(k.carrier), Hexes: groups[k], AgreementVND: opt.SharingAgreementVND, PerHexVND: opt.SharingPerHexVND})
		provinces[id] = k.province
	}
	return out, provinces
}

// PlanTable shapes the plan's steps into result columns.
func PlanTable(r *PlanResult) []arrowio.Column {
	n := len(r.Plan.Steps)
	id, src, prov, comm, power, bh := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	rank := make([]int64, n)
	var f [9][]float64
	for i := range f {
		f[i] = make([]float64, n)
	}
	for i, s := range r.Plan.Steps {
		rank[i], id[i], src[i], power[i], bh[i] = int64(s.Rank), s.CandidateID, s.Source.String(), s.Power, s.Backhaul
		a := r.Admin[s.CandidateID]
		prov[i], comm[i] = a[0], a[1]
		for j, v := range []float64{s.Lon, s.Lat, s.NewlyCovered(), s.CumHouseholds, s.CostVND, s.CumCostVND, s.CostPerHouseholdVND, float64(len(r.Footprints[s.CandidateID])), s.ServedBySharing()} {
			f[j][i] = v
		}
	}
	return []arrowio.Column{{Name: "rank", Int64: rank}, {Name: "candidate", String: id}, {Name: "source", String: src},
		{Name: "lon", Float64: f[0]}, {Name: "lat", Float64: f[1]}, {Name: "province", String: prov}, {Name: "commune", String: comm},
		{Name: "households_newly_covered", Float64: f[2]}, {Name: "households_served_by_sharing", Float64: f[8]}, {Name: "cumulative_households", Float64: f[3]},
		{Name: "cost_vnd", Float64: f[4]}, {Name: "cumulative_cost_vnd", Float64: f[5]}, {Name: "cost_per_household_vnd", Float64: f[6]},
		{Name: "dead_hexes_covered", Float64: f[7]}, {Name: "power", String: power}, {Name: "backhaul", String: bh}}
}

// WhySharingNotOffered is why a sharing agreement is not funded when the
// budget may not buy agreements (PlanOptions.IncludeSharing false).
const WhySharingNotOffered = "the budget buys no agreement without --include-sharing"

// SharingTable lists the sharing/roaming options of r, each with the rank
// it is funded at (0: not funded) and, when it is not, why: included
// tells whether the budget could buy them (PlanOptions.IncludeSharing).
func SharingTable(r *PlanResult, included bool) []arrowio.Column {
	sh := r.Sharing
	n := len(sh)
	id, why := make([]string, n), make([]string, n)
	hexes, rank := make([]int64, n), make([]int64, n)
	hh, cost := make([]float64, n), make([]float64, n)
	ranks := map[string]int{}
	for _, s := range r.Plan.Steps {
		if s.Source == plan.SourceSharing {
			ranks[s.CandidateID] = s.Rank
		}
	}
	for i, s := range sh {
		id[i], hexes[i], cost[i] = s.ID, int64(len(s.Hexes)), s.CostVND()
		for _, h := range s.Hexes {
			hh[i] += h.Households
		}
		rank[i] = int64(ranks[s.ID])
		switch k := len(r.Candidates) + i; {
		case rank[i] > 0:
		case !included:
			why[i] = WhySharingNotOffered
		case k < len(r.Plan.WhyNotFunded) && r.Plan.WhyNotFunded[k] != "":
			// The plan's options are the candidates, then the agreements.
			why[i] = r.Plan.WhyNotFunded[k]
		default:
			why[i] = plan.WhyNotChosen
		}
	}
	return []arrowio.Column{{Name: "option", String: id}, {Name: "hexes", Int64: hexes}, {Name: "households", Float64: hh}, {Name: "cost_vnd", Float64: cost},
		{Name: "funded_rank", Int64: rank}, {Name: "why_not_funded", String: why}}
}
