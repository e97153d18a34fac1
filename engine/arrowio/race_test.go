//go:build race

package arrowio

// raceEnabled reports that the race detector instruments this build; its
// instrumentation allocates, so allocation budgets do not apply.
const raceEnabled = true
