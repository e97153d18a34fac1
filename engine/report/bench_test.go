package report

import (
	"io"
	"testing"
)

func BenchmarkWrite(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(map[int]string{1_000: "hexes=1k", 10_000: "hexes=10k"}[n], func(b *testing.B) {
			hs := hexGrid(103.5, 21.5, 0.0045, 100, n/100, func(i int) State { return State(1 + (i/37+i%5)%3) })
			r := testReport(b)
			r.Provinces[0].Map.Hexes = hs
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
