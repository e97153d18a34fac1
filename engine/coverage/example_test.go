package coverage_test

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

func ExampleFuse() {
	a, _ := hexgrid.Index(105.85, 21.03, 8) // Hà Nội
	b, _ := hexgrid.Index(104.98, 22.82, 8) // Hà Giang
	// Hà Nội: 12 outdoor 4G tests, 5 below −105 dBm (2 without service).
	measured := []aggregate.Row{{
		Key:     aggregate.Key{Cell: a, Carrier: engine.Viettel, Tech: engine.Tech4G},
		Outdoor: aggregate.Counts{Rows: 12, Tests: 12, Covered: 7, BelowNoService: 2, NoServiceRows: 2},
	}}
	// Hà Giang: no measurements, a predicted −96 dBm with σ 8 dB.
	predicted := []coverage.PredictedCell{{
		Cell: b, Carrier: engine.Viettel, Tech: engine.Tech4G,
		SignalDBm: -96, SigmaDB: 8, ServingSite: "VT-HG-001", DistanceM: 2400,
	}}
	states, err := coverage.Fuse(measured, predicted, coverage.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range states {
		fmt.Printf("%s %s %s: %s (%s) tests=%d p=%.4f predicted-margin=%.2f dBm\n",
			s.Cell, s.Carrier, s.Tech, s.State, s.Source, s.Tests, s.PValue, s.PredictedDBm-s.MarginDB)
	}
	// Output:
	// 88415b9b29fffff viettel 4G: weak (predicted) tests=0 p=NaN predicted-margin=-106.25 dBm
	// 88415cb4e5fffff viettel 4G: uncovered (measured) tests=12 p=0.0043 predicted-margin=NaN dBm
}
