package hexgrid

import (
	"math/rand/v2"
	"testing"
)

func TestQuickFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mism, fb := 0, 0
	for n := 0; n < 200000; n++ {
		lon := rng.Float64()*360 - 180
		lat := rng.Float64()*180 - 90
		res := rng.IntN(16)
		want := referenceIndex(lon, lat, res)
		got, ok := fastIndex(lon, lat, res)
		if !ok {
			fb++
			continue
		}
		if got != want {
			mism++
			if mism < 10 {
				t.Errorf("lon %v lat %v res %d: got %v want %v", lon, lat, res, got, want)
			}
		}
	}
	t.Logf("mismatch %d fallback %d", mism, fb)
}
