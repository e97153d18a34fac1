package ingest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// Two tables are analysis inputs given with a command rather than stored in
// a dataset: a carrier's coverage claims (lomsong deadzones --claims) and
// proposed sites (lomsong plan --candidates). They are read like the
// contract's tables — the same Records (CSV, gzip), mapping, limits,
// per-row validation with a reason, and duplicates — so a bad row is a
// quarantine row naming its line, column and reason, never a failure of
// the whole file or a silent drop. They are not in Kinds: a dataset does
// not store them.
const (
	KindClaims     Kind = "claims"
	KindCandidates Kind = "candidates"
)

// ArgKinds are the kinds a command reads as its own input (lomsong
// validate --kind checks them too); a dataset refuses them.
var ArgKinds = []Kind{KindClaims, KindCandidates}

// IsArg reports whether k is one of ArgKinds.
func (k Kind) IsArg() bool { return slices.Contains(ArgKinds, k) }

var (
	ClaimColumns      = []string{"cell", "carrier", "tech"}
	ClaimRequired     = ClaimColumns
	CandidateColumns  = []string{"candidate_id", "lon", "lat", "tech", "band_mhz", "height_m", "cost_vnd"}
	CandidateRequired = []string{"candidate_id", "lon", "lat"}
)

// Claim is one row of a claims table: the carrier claims that the hex
// (an H3 cell, at the analysis resolution) has its technology's coverage.
type Claim struct {
	Cell    hexgrid.Cell
	Carrier engine.Carrier
	Tech    engine.Tech
}

// Candidate is one row of a candidates table: a proposed site. Tech is 0
// and BandMHz, HeightM and CostVND are NaN where the row leaves them empty
// (the plan's standard new build then applies). Line is the row's line in
// its file (as a rejected row's), for the plan to name a candidate it sets
// aside.
type Candidate struct {
	ID                        string
	Lon, Lat                  float64
	Tech                      engine.Tech
	BandMHz, HeightM, CostVND float64
	Line                      int64
}

// Plausible ranges of a candidate's numbers: bands of the mobile
// allocations (as for sites), masts up to 600 m (as for sites; at least
// 1 m), costs from 1 million to 10¹⁵ đồng (a cost of 0 would be read as
// "not given" by the plan, which takes its cost model then; a site costs
// hundreds of millions at the least, and a smaller figure is a cost in
// other units, 2.5 for 2.5 billion, or 2.500 for 2,500 with the dot
// separating thousands: taken as written, it was a site for 3 đồng that
// the plan funded first).
const (
	candidateMinHeightM = 1
	candidateMinCostVND = 1e6
	candidateMaxCostVND = 1e15
)

// ReadClaims validates a claims table: cell (an H3 cell index, at
// cfg.CellRes when that is set), carrier and tech, all required.
func ReadClaims(ctx context.Context, rec Records, m *Mapping, cfg Config,
	onBatch func([]Claim) error, onReject func(Reject) error) (*Report, error) {
	var row Claim
	parse := func(p *parser, f []string) *rowError {
		b := p.b
		s := b.field(f, 0)
		if e := p.required(0, s); e != nil {
			return e
		}
		c, err := hexgrid.Parse(s)
		if err != nil {
			return &rowError{"cell", s, ReasonInvalidEnum, "not an H3 cell index: " + err.Error()}
		}
		if r := c.Resolution(); cfg.CellRes > 0 && r != cfg.CellRes {
			return &rowError{"cell", s, ReasonOutOfRange, fmt.Sprintf("a resolution-%d cell; the analysis is at resolution %d", r, cfg.CellRes)}
		}
		row.Cell = c
		var e *rowError
		if row.Carrier, e = p.carrier(1, b.field(f, 1)); e != nil {
			return e
		}
		if row.Tech, e = p.tech(2, b.field(f, 2)); e != nil {
			return e
		}
		return nil
	}
	return runRows(ctx, KindClaims, rec, m, cfg, &row, parse, onBatch, onReject)
}

// ReadCandidates validates a candidates table: candidate_id (once per
// table: a later row with the id of an accepted one is a duplicate), lon
// and lat required; tech, band_mhz (400…100,000 MHz), height_m (1…600 m)
// and cost_vnd (1…10¹⁵ đồng; empty: the plan's cost model) optional.
func ReadCandidates(ctx context.Context, rec Records, m *Mapping, cfg Config,
	onBatch func([]Candidate) error, onReject func(Reject) error) (*Report, error) {
	var row Candidate
	// A candidate id names one option of the plan: a second row with an id
	// already accepted is rejected (the first row is kept).
	ids := map[string]bool{}
	parse := func(p *parser, f []string) *rowError {
		b := p.b
		row = Candidate{ID: nfc(b.field(f, 0)), Tech: 0, Line: p.line}
		if e := p.required(0, row.ID); e != nil {
			return e
		}
		if ids[row.ID] {
			return &rowError{"candidate_id", row.ID, ReasonDuplicate, "repeats the candidate id of an earlier row, which is kept"}
		}
		if strings.HasPrefix(row.ID, "DZ-") || strings.HasPrefix(row.ID, "SHARE-") {
			// The plan names its own candidates so (DZ-<zone>-<n>) and its
			// sharing agreements (SHARE-<carrier>-…): one proposed again
			// would stand twice.
			return &rowError{"candidate_id", row.ID, ReasonDuplicate, "DZ- and SHARE- ids are the plan's own generated sites and sharing agreements: give a proposed candidate an id of its own"}
		}
		var e *rowError
		if row.Lon, row.Lat, e = p.lonLat(1, 2, b.field(f, 1), b.field(f, 2)); e != nil {
			return e
		}
		if s := b.field(f, 3); s != "" {
			if row.Tech, e = p.tech(3, s); e != nil {
				return e
			}
			if row.Tech == engine.Tech2G {
				// A dead zone is a place without 3G/4G: a 2G site clears none.
				return &rowError{"tech", s, ReasonOutOfRange, "a 2G site gives no 3G/4G, so it clears no dead zone: propose 3G, 4G or 5G"}
			}
		}
		for _, c := range []struct {
			col    int
			dst    *float64
			lo, hi float64
		}{
			{4, &row.BandMHz, 400, 100000},
			{5, &row.HeightM, candidateMinHeightM, 600},
			// An empty cost takes the plan's cost model; 0 is refused
			// rather than read as empty (a site costs something). Its
			// range is checked below, with the advice its mistakes need.
			{6, &row.CostVND, math.Inf(-1), math.Inf(1)},
		} {
			if *c.dst, e = p.number(c.col, b.field(f, c.col), c.lo, c.hi); e != nil {
				return e
			}
		}
		switch s := b.field(f, 6); {
		case row.CostVND < candidateMinCostVND:
			return &rowError{"cost_vnd", s, ReasonOutOfRange, fmt.Sprintf("%s đồng is no site's cost (at least 1 million): write the cost in đồng, digits alone (2.5 billion is 2500000000; a dot is a decimal point, not a thousands separator), or leave it empty for the plan's cost model",
				strconv.FormatFloat(row.CostVND, 'f', -1, 64))}
		case row.CostVND > candidateMaxCostVND:
			return &rowError{"cost_vnd", s, ReasonOutOfRange, fmt.Sprintf("outside %s…%s: a site's cost is 1 million to 10¹⁵ đồng",
				strconv.FormatFloat(candidateMinCostVND, 'f', -1, 64), strconv.FormatFloat(candidateMaxCostVND, 'f', -1, 64))}
		}
		// Its footprint is predicted as a site's is.
		p.noteOutsideModels(row.Tech, row.HeightM, row.BandMHz)
		ids[row.ID] = true
		return nil
	}
	return runRows(ctx, KindCandidates, rec, m, cfg, &row, parse, onBatch, onReject)
}
