package export

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// benchMonth is a province-sized month: the hexes within 30 grid steps of
// Lai Châu town (2,791 hexes), each with four carriers' 4G state.
func benchMonth(b *testing.B) []Layer {
	b.Helper()
	c0, err := hexgrid.Index(103.45, 22.40, 8)
	if err != nil {
		b.Fatal(err)
	}
	cells, err := c0.Disk(30)
	if err != nil {
		b.Fatal(err)
	}
	m := &Month{Meta: Meta{Period: "2026-11"}}
	for _, c := range cells {
		for _, carrier := range []string{"viettel", "vinaphone", "mobifone", "vietnamobile"} {
			m.Coverage = append(m.Coverage, CoverageHex{Cell: c, Carrier: carrier, Tech: "4G", State: "covered", Source: "predicted",
				MedianDBm: math.NaN(), PredictedDBm: -95, SigmaDB: 8, DistanceM: 2000, Province: "12", ProvinceName: "Lai Châu"})
		}
		m.Best = append(m.Best, BestHex{Cell: c, State: "covered", Households: 3, Province: "12"})
	}
	layers, err := Layers(m)
	if err != nil {
		b.Fatal(err)
	}
	return layers
}

func BenchmarkWriteGeoPackage(b *testing.B) {
	layers := benchMonth(b)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteGeoPackage(context.Background(), filepath.Join(dir, "m.gpkg"), layers, Meta{Period: "2026-11"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(layers[0].Len()+layers[1].Len())*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}

func BenchmarkWriteGeoParquet(b *testing.B) {
	layers := benchMonth(b)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteGeoParquet(dir, layers, Meta{Period: "2026-11"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(layers[0].Len()+layers[1].Len())*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}
