package pipeline

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/geodata"
)

// The report's notes name no amount of đồng in a form of their own: the
// investment curve's note said "budget 500.00bn VND" under a section
// that says "a budget of 500.0 billion VND".
func TestReportNotesSayNoOtherMoneyUnit(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	pr := &PlanResult{Plan: plan.Plan{BudgetVND: 5e11, Steps: []plan.Step{{Rank: 1, CandidateID: "C1", NewHouseholds: 10, CostVND: 2.5e9}},
		TotalHouseholds: 10, TotalCostVND: 2.5e9, UpperBound: 10, BoundMethod: "coverable"}}
	r, err := BuildReport(&DeadZoneResult{Coverage: &CoverageResult{}}, nil, pr, provinces, penetration.Period{Year: 2024, Month: 10}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range r.Notes {
		if strings.HasPrefix(n, "Investment curve") {
			found = true
		}
		if strings.Contains(n, "bn VND") || strings.Contains(n, "500.00") {
			t.Errorf("note %q names the budget in another form than the plan's section (500.0 billion VND)", n)
		}
	}
	if !found {
		t.Errorf("no note on the investment curve: %q", r.Notes)
	}
}
