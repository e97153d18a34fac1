package pipeline

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// Proposed candidates (a carrier's or a province's table of sites) are
// checked against the area analysed before the plan is built:
//
//   - one farther from every hex of the area (its outline's hexes with
//     --province, else the hexes the dead-zone run analysed) than it could
//     reach (plan.ReachM, plus a hex's size: a hex's centre lies that far
//     inside its edge) can cover none of them: it is set aside, as a row
//     rejected from its table (outside_bounds, naming the distance), not
//     planned — a site 1,000 km away, a lon/lat mistyped or swapped, or a
//     table meant for another province;
//   - one inside whose footprint reaches no dead or uncertain hex
//     (p_dead > 0.2, deadzone.Uncertain or worse) stays among the options
//     but can cover no household without 3G/4G, so it is never funded: the
//     plan names it (PlanResult.Idle) and says why (CandidateTable).
//
// A table whose proposed candidates are all set aside is refused
// (ProposedOutsideError), as a table without a valid row is.

// ProposedOutsideError refuses a plan whose proposed candidates (From, a
// table) all lie outside the area analysed (Area): none of them could
// cover any of its hexes. Rejects are its rows set aside, each with its
// line and distance.
type ProposedOutsideError struct {
	From, Area string
	Rejects    []ingest.Reject
}

func (e *ProposedOutsideError) Error() string {
	from := e.From
	if from == "" {
		from = "proposed candidates"
	}
	first := ""
	if len(e.Rejects) > 0 {
		r := e.Rejects[0]
		first = fmt.Sprintf("; first, line %d: %s", r.Line, r.Detail)
	}
	return fmt.Sprintf("%s: none of its %d proposed candidates lies within reach of the area analysed (%s): nothing planned%s",
		from, len(e.Rejects), e.Area, first)
}

// analysedArea is the area analysed, as proposed candidates are checked
// against it: the hexes analysed (the area's with an Area, else those the
// dead-zone run analysed: decided, populated, or with coverage states),
// and which points lie inside it (the Area's outline, or a province of
// provinces holding a hex analysed).
type analysedArea struct {
	what   string
	points [][2]float64
	res    int
	inside func(orb.Point) bool
}

func newAnalysedArea(dz *DeadZoneResult, area *Area, provinces *geodata.BoundarySet) (*analysedArea, error) {
	a := &analysedArea{res: -1, inside: func(orb.Point) bool { return false }}
	var cells []hexgrid.Cell
	if area != nil {
		cells = slices.Clone(area.Cells)
		a.what = area.String()
		if area.contains != nil {
			a.inside = area.contains
		}
	} else {
		for c := range dz.PDead {
			cells = append(cells, c)
		}
		for _, p := range dz.Population {
			cells = append(cells, p.Cell)
		}
		if dz.Coverage != nil {
			for _, s := range dz.Coverage.States {
				cells = append(cells, s.Cell)
			}
		}
		slices.Sort(cells)
		cells = slices.Compact(cells)
		// The provinces analysed: those holding a hex analysed.
		codes := map[string]bool{}
		for _, c := range cells {
			if p := dz.Admin[c].Province; p != "" {
				codes[p] = true
			}
		}
		var names []string
		for _, code := range slices.Sorted(maps.Keys(codes)) {
			name := code
			if provinces != nil {
				if u, ok := provinces.ByCode(code); ok {
					name = u.Name
				}
			}
			names = append(names, name)
		}
		switch {
		case len(names) == 0:
			a.what = "the hexes analysed"
		case len(names) <= 5:
			a.what = "the provinces analysed: " + strings.Join(names, ", ")
		default:
			a.what = fmt.Sprintf("the %d provinces analysed", len(names))
		}
		if provinces != nil && len(codes) > 0 {
			a.inside = func(p orb.Point) bool {
				u, ok := provinces.Locate(p)
				return ok && codes[u.Code]
			}
		}
	}
	a.points = make([][2]float64, 0, len(cells))
	for _, c := range cells {
		ctr, err := c.Center()
		if err != nil {
			return nil, fmt.Errorf("pipeline: hex %v of %s: %w", c, a.what, err)
		}
		a.points = append(a.points, [2]float64{ctr[0], ctr[1]})
		if a.res < 0 {
			a.res = c.Resolution()
		}
	}
	return a, nil
}

// screenProposed returns the proposed candidates of po within reach of the
// area analysed (analysedArea), and those set aside as rows rejected from
// their table (po.ProposedFrom), in the table's order. With no hex
// analysed there is nothing to measure against: every candidate is kept
// (and covers none).
func screenProposed(dz *DeadZoneResult, area *Area, provinces *geodata.BoundarySet, po PlanOptions) ([]plan.Candidate, []ingest.Reject, string, error) {
	if len(po.Proposed) == 0 {
		return po.Proposed, nil, "", nil
	}
	a, err := newAnalysedArea(dz, area, provinces)
	if err != nil || len(a.points) == 0 {
		return po.Proposed, nil, "", err
	}
	edgeKm, err := hexgrid.AvgEdgeKm(a.res)
	if err != nil {
		return nil, nil, "", err
	}
	ix := newNearestIndex(a.points)
	var kept []plan.Candidate
	var aside []ingest.Reject
	for _, c := range po.Proposed {
		if a.inside(orb.Point{c.Lon, c.Lat}) {
			kept = append(kept, c)
			continue
		}
		reachM, err := plan.ReachM(c, po.Config.Footprint)
		if err != nil {
			return nil, nil, "", err
		}
		dKm := ix.nearestM([2]float64{c.Lon, c.Lat}) / 1000
		if dKm-edgeKm <= reachM/1000 {
			kept = append(kept, c)
			continue
		}
		aside = append(aside, ingest.Reject{Source: po.ProposedFrom, Line: c.Line, Column: "lon",
			Value:  strconv.FormatFloat(c.Lon, 'f', -1, 64) + "," + strconv.FormatFloat(c.Lat, 'f', -1, 64),
			Reason: ingest.ReasonOutsideBounds,
			Detail: fmt.Sprintf("candidate %s lies outside the area analysed (%s), %s km from its nearest hex, beyond the %.1f km it could reach: it could cover none of its hexes, so it is left out of the plan (lon and lat mistyped or swapped, or a site for another province?)",
				c.ID, a.what, kmText(dKm), reachM/1000)})
	}
	return kept, aside, a.what, nil
}

// kmText writes a distance in km for people: tenths below 10 km, whole
// km above, thousands separated (1,012).
func kmText(km float64) string {
	if km < 10 {
		return strconv.FormatFloat(km, 'f', 1, 64)
	}
	s := strconv.FormatFloat(math.Round(km), 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// idleProposed returns the ids of the proposed candidates (in cands'
// order) whose footprint reaches no dead hex and no hex of p_dead above
// 0.2 (deadzone.Uncertain or worse).
func idleProposed(dz *DeadZoneResult, dead []plan.Hex, cands []plan.Candidate, cfg plan.FootprintConfig) ([]string, error) {
	var proposed []plan.Candidate
	for _, c := range cands {
		if c.Source == plan.SourceProposed {
			proposed = append(proposed, c)
		}
	}
	if len(proposed) == 0 {
		return nil, nil
	}
	hexes := slices.Clone(dead)
	in := make(map[hexgrid.Cell]bool, len(dead))
	for _, h := range dead {
		in[h.Cell] = true
	}
	var doubtful []hexgrid.Cell
	for c, p := range dz.PDead {
		if !in[c] && deadzone.StatusOf(p) >= deadzone.Uncertain {
			doubtful = append(doubtful, c)
		}
	}
	slices.Sort(doubtful)
	for _, c := range doubtful {
		ctr, err := c.Center()
		if err != nil {
			return nil, err
		}
		hexes = append(hexes, plan.Hex{Cell: c, Lon: ctr[0], Lat: ctr[1]})
	}
	fps, err := plan.Footprints(proposed, hexes, cfg)
	if err != nil {
		return nil, err
	}
	var idle []string
	for i, c := range proposed {
		if len(fps[i]) == 0 {
			idle = append(idle, c.ID)
		}
	}
	return idle, nil
}

// WhyReachesNoDeadHex is why a proposed candidate of PlanResult.Idle is
// not funded, in CandidateTable; the plan says why of the others
// (plan.Plan.WhyNotFunded).
const WhyReachesNoDeadHex = "its footprint reaches no dead or uncertain hex: it would cover no household without 3G/4G"

// CandidateTable lists every candidate of the plan (generated and
// proposed, in the plan's order) with the rank it is funded at (0: not
// funded) and, when it is not, why.
func CandidateTable(r *PlanResult) []arrowio.Column {
	n := len(r.Candidates)
	id, src, zone, why := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lon, lat := make([]float64, n), make([]float64, n)
	rank := make([]int64, n)
	ranks := map[string]int{}
	for _, s := range r.Plan.Steps {
		ranks[s.CandidateID] = s.Rank
	}
	idle := map[string]bool{}
	for _, c := range r.Idle {
		idle[c] = true
	}
	for i, c := range r.Candidates {
		id[i], src[i], zone[i], lon[i], lat[i] = c.ID, c.Source.String(), c.Zone, c.Lon, c.Lat
		rank[i] = int64(ranks[c.ID])
		switch {
		case rank[i] > 0:
		case idle[c.ID]:
			why[i] = WhyReachesNoDeadHex
		case i < len(r.Plan.WhyNotFunded) && r.Plan.WhyNotFunded[i] != "":
			// The plan's options are the candidates in this order.
			why[i] = r.Plan.WhyNotFunded[i]
		default:
			why[i] = plan.WhyNotChosen
		}
	}
	return []arrowio.Column{{Name: "candidate", String: id}, {Name: "source", String: src}, {Name: "zone", String: zone},
		{Name: "lon", Float64: lon}, {Name: "lat", Float64: lat}, {Name: "funded_rank", Int64: rank}, {Name: "why_not_funded", String: why}}
}
