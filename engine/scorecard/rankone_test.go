package scorecard

import (
	"math"
	"testing"
)

// A target with a value for one area only is not ranked: a province's own
// card (its dead zones analysed alone) ranked it first of one, the worst
// of 34 in the national card. Two areas are ranked as ever.
func TestRankNeedsTwoAreas(t *testing.T) {
	rows := []Row{{Area: "VN", National: true}, {Area: "12"}, {Area: "40"}}
	for i := range rows {
		for k := range rows[i].Targets {
			rows[i].Targets[k].Value = math.NaN()
		}
	}
	rows[0].Targets[TargetDeadZones].Value = 150
	rows[2].Targets[TargetDeadZones].Value = 101 // the only province analysed
	rows[1].Targets[TargetFibre].Value, rows[2].Targets[TargetFibre].Value = 0.66, 0.72
	rank(rows, DefaultConfig())
	if r := rows[2].Targets[TargetDeadZones].Rank; r != 0 {
		t.Errorf("dead zones of the one province analysed: rank %d, want none (0)", r)
	}
	if a, b := rows[1].Targets[TargetFibre].Rank, rows[2].Targets[TargetFibre].Rank; a != 2 || b != 1 {
		t.Errorf("fibre of two provinces: ranks %d and %d, want 2 and 1", a, b)
	}
}
