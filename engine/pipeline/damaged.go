package pipeline

import (
	"fmt"
	"strings"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/internal/plural"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// MonthsRead returns the months whose measurements an analysis of month p
// reads, from their parts or from the stages saved from them: its run
// (lomsong run) reads p's alone; its scorecard (withScorecard: lomsong
// scorecard --period, a release of lomsong serve with subscriptions)
// reads every month's (nil): target 5's trend reads each month's pass
// over the measurements, target 1 the dead zones saved for the other
// months. Both read the registers (sites, villages, subscriptions) too.
func MonthsRead(p string, withScorecard bool) []string {
	if withScorecard {
		return nil
	}
	return []string{p}
}

// DamagedInputs says which parts an analysis of month p reads (MonthsRead
// and the registers) are missing or not their recorded size
// (dataset.Store.DamagedParts), and what to do about them; "" when none
// is. A stage read back gives what was computed from such a part before
// it went, and a stage that reads the part fails on it, so the commands
// ask before they read: lomsong run and lomsong scorecard warn with it, a
// release of lomsong serve, published for good, is refused with it. It
// reads the manifest and the parts' sizes, not their bytes (lomsong
// dataset verify checks those).
func DamagedInputs(store *dataset.Store, p string, withScorecard bool) string {
	bad := store.DamagedParts(MonthsRead(p, withScorecard))
	if len(bad) == 0 {
		return ""
	}
	list := strings.Join(bad[:min(3, len(bad))], ", ")
	if len(bad) > 3 {
		list += ", …"
	}
	return fmt.Sprintf("%s of the dataset %s missing or not %s recorded size (%s): the saved outputs read back were computed from them before; check with lomsong dataset verify %s, then restore them or retract their source",
		plural.Count(len(bad), "part", "parts"), plural.Noun(len(bad), "is", "are"), plural.Noun(len(bad), "its", "their"), list, shellquote.Quote(store.Dir()))
}
