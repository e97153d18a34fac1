package plan

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine"
)

// MaxBudgetVND is the largest budget a plan takes: 10¹⁵ đồng, a thousand
// times a year of the universal-service fund's spending and the ceiling a
// candidate's cost has too. Beyond it the amounts the plan writes (whole
// đồng) stop meaning anything.
const MaxBudgetVND = 1e15

// CheckBudget returns an error wrapping engine.ErrInvalidConfig unless vnd
// is a budget a plan takes: at least 1 đồng and at most MaxBudgetVND.
func CheckBudget(vnd float64) error {
	// Money is whole đồng: a budget below 1 đồng is none (0.5 was taken,
	// and printed as "budget 0 VND").
	if !(vnd >= 1 && vnd <= MaxBudgetVND) {
		return fmt.Errorf("budget %g VND: want an amount of at least 1 and at most %g: %w", vnd, float64(MaxBudgetVND), engine.ErrInvalidConfig)
	}
	// Nor a fraction of one (2.5 was printed as 2 and written as 3).
	if vnd != math.Trunc(vnd) {
		return fmt.Errorf("budget %g VND: want a whole number of đồng: %w", vnd, engine.ErrInvalidConfig)
	}
	return nil
}
