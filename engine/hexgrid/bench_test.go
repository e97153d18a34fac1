package hexgrid

import (
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

// vietnamPoints returns n seeded uniform points over Vietnam's extent.
func vietnamPoints(n int, seed uint64) (lon, lat []float64) {
	rng := rand.New(rand.NewPCG(seed, 0x1a7))
	lon, lat = make([]float64, n), make([]float64, n)
	for i := range lon {
		lon[i] = 102.1 + rng.Float64()*(109.5-102.1)
		lat[i] = 8.4 + rng.Float64()*(23.4-8.4)
	}
	return lon, lat
}

const benchBatch = 4096

func BenchmarkIndexInto(b *testing.B) {
	for _, res := range []int{0, 8, 9, 15} {
		b.Run("res="+itoa(res), func(b *testing.B) {
			lon, lat := vietnamPoints(benchBatch, 1)
			dst := make([]Cell, benchBatch)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := IndexInto(dst, lon, lat, res); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/point")
		})
	}
}

func BenchmarkH3LatLngToCell(b *testing.B) {
	lon, lat := vietnamPoints(benchBatch, 1)
	dst := make([]Cell, benchBatch)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range lon {
			c, err := h3.LatLngToCell(h3.LatLng{Lat: lat[i], Lng: lon[i]}, 8)
			if err != nil {
				b.Fatal(err)
			}
			dst[i] = Cell(c)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/point")
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}
