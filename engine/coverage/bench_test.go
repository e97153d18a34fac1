package coverage

import (
	"fmt"
	"sort"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

// BenchmarkFuse fuses n hexes × 2 carriers × 2 technologies, half of them
// measured, all predicted, both sorted by key.
func BenchmarkFuse(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			measured, predicted := benchInputs(b, n)
			cfg := DefaultConfig()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := Fuse(measured, predicted, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchInputs(b *testing.B, n int) ([]aggregate.Row, []PredictedCell) {
	lon, lat := make([]float64, n), make([]float64, n)
	for i := range n {
		lon[i] = 103 + 6*float64(i%1000)/1000
		lat[i] = 9 + 14*float64(i/1000)/float64(n/1000+1)
	}
	cells := make([]hexgrid.Cell, n)
	if err := hexgrid.IndexInto(cells, lon, lat, 8); err != nil {
		b.Fatal(err)
	}
	seen := map[hexgrid.Cell]bool{}
	var measured []aggregate.Row
	var predicted []PredictedCell
	for i, c := range cells {
		if seen[c] {
			continue
		}
		seen[c] = true
		for _, carrier := range []engine.Carrier{engine.Viettel, engine.VinaPhone} {
			for _, tech := range []engine.Tech{engine.Tech3G, engine.Tech4G} {
				if i%2 == 0 {
					measured = append(measured, row(c, carrier, tech, int64(3+i%20), int64(i%4), 0))
				}
				predicted = append(predicted, PredictedCell{Cell: c, Carrier: carrier, Tech: tech,
					SignalDBm: -80 - float64(i%50), SigmaDB: 8, ServingSite: "s", DistanceM: 1000})
			}
		}
	}
	// Sorted, as aggregate.Aggregator.Rows and FromBestServer return them.
	sort.Slice(measured, func(i, j int) bool { return compareKey(measured[i].Key, measured[j].Key) < 0 })
	sort.Slice(predicted, func(i, j int) bool { return compareKey(predicted[i].key(), predicted[j].key()) < 0 })
	return measured, predicted
}
