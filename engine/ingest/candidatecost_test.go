package ingest

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestCandidateCostInDong: a candidate's cost_vnd below 1 million đồng is
// rejected as out_of_range saying how to write it: 2.500 (2,500 with the
// dot separating thousands) and 2.5 (2.5 billion) were read as 2.5 đồng,
// and the plan funded such a site first, for 3 đồng. A negative cost is
// told the same (it was told "outside 0…10¹⁵", and a small positive
// figure written to fit was refused again); one above 10¹⁵ names the
// range, 1 million to 10¹⁵. A cost in đồng, and an empty one (the plan's
// cost model), are read.
func TestCandidateCostInDong(t *testing.T) {
	text := "candidate_id,lon,lat,cost_vnd\nA,103.1,22.1,2.500\nB,103.2,22.2,2.5\nC,103.3,22.3,2500000000\nD,103.4,22.4,\nE,103.5,22.5,0\nF,103.6,22.6,1000000\nG,103.7,22.7,-5\nH,103.8,22.8,2e15\n"
	c, err := NewCSV(strings.NewReader(text), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	var rejects []Reject
	_, err = ReadCandidates(t.Context(), c, nil, Defaults("c.csv", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
		func(cs []Candidate) error {
			for _, x := range cs {
				got[x.ID] = x.CostVND
			}
			return nil
		},
		func(r Reject) error { rejects = append(rejects, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["C"] != 2.5e9 || !math.IsNaN(got["D"]) || got["F"] != 1e6 {
		t.Errorf("read %v, want C at 2500000000, D without a cost, F at 1000000", got)
	}
	want := map[int64]string{2: "2.500", 3: "2.5", 6: "0", 8: "-5", 9: "2e15"}
	if len(rejects) != len(want) {
		t.Fatalf("rejects %+v, want lines 2, 3, 6, 8 and 9", rejects)
	}
	for _, r := range rejects {
		detail := "is no site's cost (at least 1 million): write the cost in đồng"
		if r.Line == 9 {
			detail = "outside 1000000…1000000000000000: a site's cost is 1 million to 10¹⁵ đồng"
		}
		if want[r.Line] != r.Value || r.Column != "cost_vnd" || r.Reason != ReasonOutOfRange || !strings.Contains(r.Detail, detail) {
			t.Errorf("reject %+v", r)
		}
	}
}
