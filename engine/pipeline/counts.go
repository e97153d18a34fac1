package pipeline

import (
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine/arrowio"
)

// Counts of households and people are estimates (a hex's households are a
// share of a raster cell's population divided by a household size), so
// they are fractional inside the engine. Every table a person reads shows
// them as whole numbers, each row rounded to the nearest, and keeps each
// column's exact sum in the output's metadata (ExactTotalsNote), so that a
// sum of rounded rows can be traced to the exact figure. The CLI's outputs
// and the service's release files share these two functions.

// ExactTotalsNote explains an output's exact_totals metadata.
const ExactTotalsNote = "households and population are whole numbers, each row rounded to the nearest; exact_totals holds each column's exact (unrounded) sum"

// WholeCount rounds one count to the nearest whole number (halves away from
// zero); NaN and ±Inf, which no count should be, give 0.
func WholeCount(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v)
}

// WholeCounts returns cols with the Float64 columns named in names rounded
// to whole numbers (Int64 columns), and, when totals is not nil, records
// each one's exact sum in totals under "TABLE.COLUMN". cols is not changed.
func WholeCounts(cols []arrowio.Column, table string, totals map[string]float64, names ...string) []arrowio.Column {
	out := slices.Clone(cols)
	for i, c := range out {
		if c.Float64 == nil || !slices.Contains(names, c.Name) {
			continue
		}
		ints := make([]int64, len(c.Float64))
		var sum float64
		for j, v := range c.Float64 {
			ints[j] = int64(WholeCount(v))
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				sum += v
			}
		}
		out[i] = arrowio.Column{Name: c.Name, Int64: ints}
		if totals != nil {
			totals[table+"."+c.Name] = sum
		}
	}
	return out
}
