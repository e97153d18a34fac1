package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// A submission queued or being validated gives its row counts as null:
// 0 read as a file without rows. Once validated they are numbers, 0
// included (a file with no data rows).
func TestSubmissionCountsNullUntilValidated(t *testing.T) {
	for _, tc := range []struct {
		status string
		want   string
	}{
		{"queued", `"rows_read":null,"accepted":null,"rejected":null`},
		{"validating", `"rows_read":null,"accepted":null,"rejected":null`},
		{"refused", `"rows_read":0,"accepted":0,"rejected":0`},
		{"accepted", `"rows_read":12,"accepted":10,"rejected":2`},
	} {
		s := Submission{ID: 1, Status: tc.status, Reasons: []ReasonCount{}}
		if tc.status == "accepted" {
			s.RowsRead, s.Accepted, s.Rejected = 12, 10, 2
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) || strings.Count(string(b), `"rows_read"`) != 1 {
			t.Errorf("%s: %s, want %s once", tc.status, b, tc.want)
		}
		var back Submission
		if err := json.Unmarshal(b, &back); err != nil || back.Status != tc.status || back.ID != 1 {
			t.Errorf("%s: read back %+v, %v", tc.status, back, err)
		}
	}
}
