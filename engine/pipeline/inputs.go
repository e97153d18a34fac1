package pipeline

import (
	"math"

	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/plan"
)

// ClaimsOf turns the validated rows of a claims table
// (dataset.ReadClaims) into the challenge process's claims.
func ClaimsOf(rows []ingest.Claim) []challenge.Claim {
	out := make([]challenge.Claim, len(rows))
	for i, r := range rows {
		out[i] = challenge.Claim{Cell: r.Cell, Carrier: r.Carrier, Tech: r.Tech}
	}
	return out
}

// CandidatesOf turns the validated rows of a candidates table
// (dataset.ReadCandidates) into proposed plan candidates; a number the row
// leaves empty (NaN) is 0, which the plan reads as "the standard new
// build's" (plan.Candidate).
func CandidatesOf(rows []ingest.Candidate) []plan.Candidate {
	orZero := func(v float64) float64 {
		if math.IsNaN(v) {
			return 0
		}
		return v
	}
	out := make([]plan.Candidate, len(rows))
	for i, r := range rows {
		c := plan.NewCandidate(r.ID, r.Lon, r.Lat, plan.SourceProposed)
		if r.Tech.Valid() {
			c.Tech = r.Tech
		}
		c.BandMHz, c.HeightM, c.CostVND = orZero(r.BandMHz), orZero(r.HeightM), orZero(r.CostVND)
		c.Line = r.Line
		out[i] = c
	}
	return out
}
