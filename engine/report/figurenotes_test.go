package report

import (
	"strings"
	"testing"
)

// A known figure's issues (what the scorecard prints under "notes on the
// figures shown") are on the page beside the figure: a smartphone share
// computed from subscriber counts that exceed the households was shown as
// a plain 95.2%, the count problem in the scorecard's text output only.
func TestFigureNotesShown(t *testing.T) {
	r := testReport(t)
	const issue = "smartphone users per adult 1.08 above 1: subscriber or household count problem"
	for i := range r.Scorecard.Rows {
		row := &r.Scorecard.Rows[i]
		if row.Area == "02" && row.Period.String() == "2025-09" {
			res := row.Targets[1]
			res.Issues = append(res.Issues, issue)
			row.Targets[1] = res
		}
	}
	html := string(render(t, r))
	if n := strings.Count(html, `<span class="small note">note: `+issue); n != 1 {
		t.Errorf("the issue is in %d scorecard cells, want 1", n)
	}
	if n := strings.Count(html, `<div class="small note">note: `+issue); n != 1 {
		t.Errorf("the issue is in %d glance tiles, want 1", n)
	}
}
