package hexgrid

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
)

// Valid and Resolution, computed in Go, answer as H3's cgo calls do: for
// valid cells of every resolution (pentagons and their children among
// them), every one of those cells with one bit flipped, indexes with a
// cell's top bits and random fields (7s and pentagon base cells
// included), and random words.
func TestValidMatchesH3(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var cells []uint64
	for res := 0; res <= MaxRes; res++ {
		for range 300 {
			c, err := h3.LatLngToCell(h3.LatLng{Lat: r.Float64()*180 - 90, Lng: r.Float64()*360 - 180}, res)
			if err != nil {
				t.Fatal(err)
			}
			cells = append(cells, uint64(c))
		}
		ps, err := h3.Pentagons(res)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			cells = append(cells, uint64(p))
			if res < MaxRes {
				kids, err := p.Children(res + 1)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range kids {
					cells = append(cells, uint64(k))
				}
			}
		}
	}
	check := func(h uint64) {
		t.Helper()
		want := h != 0 && h3.Cell(h).IsValid()
		if got := Cell(h).Valid(); got != want {
			t.Fatalf("Cell(%#x).Valid() = %v, H3 says %v", h, got, want)
		}
		if got, want := Cell(h).Resolution(), h3.Cell(h).Resolution(); got != want {
			t.Fatalf("Cell(%#x).Resolution() = %d, H3 says %d", h, got, want)
		}
	}
	valid := 0
	for _, c := range cells {
		if !Cell(c).Valid() {
			t.Fatalf("cell %#x from H3 is not valid", c)
		}
		valid++
		check(c)
		for b := range 64 {
			check(c ^ 1<<b)
		}
	}
	pentagons := []uint64{4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117}
	for range 200000 {
		res := uint64(r.IntN(16))
		bc := uint64(r.IntN(128))
		if r.IntN(3) == 0 {
			bc = pentagons[r.IntN(len(pentagons))]
		}
		h := uint64(0x08)<<56 | res<<resOffset | bc<<bcOffset
		for d := 1; d <= MaxRes; d++ {
			digit := uint64(r.IntN(8))
			switch {
			case d > int(res) && r.IntN(20) != 0:
				digit = 7
			case d <= int(res) && r.IntN(2) == 0:
				digit = uint64(r.IntN(2)) // the pentagons' 0s and 1s
			}
			h |= digit << (3 * (MaxRes - d))
		}
		check(h)
		check(r.Uint64())
	}
	check(0)
	check(^uint64(0))
	if valid < 16*300 {
		t.Fatalf("only %d valid cells", valid)
	}
}

// Index, computed in Go, gives h3-go's LatLngToCell for points over the
// globe and near Vietnam at every resolution, from goroutines sharing its
// scratch pool, and refuses a non-finite coordinate.
func TestIndexMatchesH3(t *testing.T) {
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := range 50000 {
				lon, lat := r.Float64()*360-180, r.Float64()*180-90
				if i%2 == 0 {
					lon, lat = 102+r.Float64()*8, 8+r.Float64()*16
				}
				res := r.IntN(MaxRes + 1)
				got, err := Index(lon, lat, res)
				if want := referenceIndex(lon, lat, res); err != nil || got != want {
					errs <- fmt.Errorf("Index(%.17g, %.17g, %d) = %v, %v; h3 says %v", lon, lat, res, got, err, want)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Index(math.NaN(), 21, 8); err == nil {
		t.Fatal("Index of a NaN longitude: no error")
	}
}
