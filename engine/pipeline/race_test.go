//go:build race

package pipeline

// raceEnabled: the race detector's instrumentation allocates on its own,
// so allocation counts do not hold.
const raceEnabled = true
