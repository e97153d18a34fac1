package population

import (
	"errors"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
)

// TestDensityKnownAnswers checks the kernel's constants against H3's
// published mean area of a resolution-8 cell (0.7373276 km²), its peak,
// its zero at the radius and the conservation of people.
func TestDensityKnownAnswers(t *testing.T) {
	lon, lat := 103.46, 22.40 // Lai Châu
	c8, err := hexgrid.Index(lon, lat, 8)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDensity([]Cell{{Cell: c8, Population: 1000}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// h² = 737,327.6 m² / 2π = 117,349 m²; c = exp(−10⁶ / 2h²) = 0.014111;
	// Z = 2π(h²(1 − c) − c·R²/2) = 0.68259 km²; peak 1000·(1 − c)/Z.
	h2 := 737327.6 / (2 * math.Pi)
	c := math.Exp(-1e6 / (2 * h2))
	z := 2 * math.Pi * (h2*(1-c) - c*5e5) / 1e6
	if math.Abs(h2-117349) > 1 || math.Abs(c-0.014111) > 1e-6 || math.Abs(z-0.68259) > 1e-5 {
		t.Fatalf("constants h² %g c %g Z %g", h2, c, z)
	}
	ctr, _ := c8.Center()
	peak, err := d.At(ctr[0], ctr[1])
	if err != nil || math.Abs(peak-1000*(1-c)/z) > 0.5 || math.Abs(peak-1444.3) > 1 {
		t.Errorf("peak %g people/km², want %g (1444.3): %v", peak, 1000*(1-c)/z, err)
	}
	// Zero at and beyond R = 1 km, continuous up to it.
	mlat := metresPerDeg
	if v, _ := d.At(ctr[0], ctr[1]+1000.5/mlat); v != 0 {
		t.Errorf("at 1000.5 m: %g, want 0", v)
	}
	if v, _ := d.At(ctr[0], ctr[1]+999.5/mlat); !(v > 0 && v < 0.1) { // slope 1.2e-4·1000·1.465 per m
		t.Errorf("at 999.5 m: %g, want just above 0", v)
	}
	// The people are conserved: the density summed over a 10 m grid.
	mlon := metresPerDeg * math.Cos(ctr[1]*math.Pi/180)
	var sum float64
	for y := -1000.0; y <= 1000; y += 10 {
		for x := -1000.0; x <= 1000; x += 10 {
			v, _ := d.At(ctr[0]+x/mlon, ctr[1]+y/mlat)
			sum += v * 1e-4 // km² of a 10 m square
		}
	}
	if math.Abs(sum-1000) > 2 {
		t.Errorf("people over the disc %g, want 1000", sum)
	}
}

// TestDensityPlacesAndCoarseCells checks that fine cells are spread from
// the people-weighted centre of their resolution-8 ancestor's people, and
// that a coarse cell gives its mean density inside it and nothing outside.
func TestDensityPlacesAndCoarseCells(t *testing.T) {
	lon, lat := 105.85, 21.03
	a, _ := hexgrid.Index(lon, lat, 10)
	ctr, _ := a.Center()
	// The same 500 people as one resolution-10 cell, or split between it
	// and itself: one place, one estimate.
	one, _ := NewDensity([]Cell{{Cell: a, Population: 500}}, nil)
	two, _ := NewDensity([]Cell{{Cell: a, Population: 200}, {Cell: a, Population: 300}}, nil)
	v1, _ := one.At(ctr[0], ctr[1])
	v2, _ := two.At(ctr[0], ctr[1])
	if math.Abs(v1-v2) > 1e-9 || math.Abs(v1-722.2) > 1 {
		t.Errorf("500 people read at their own place: %g and %g, want 722.2", v1, v2)
	}
	c6, _ := hexgrid.Index(lon, lat, 6)
	area, _ := c6.AreaKm2()
	d, err := NewDensity([]Cell{{Cell: c6, Population: 100 * area}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c6ctr, _ := c6.Center()
	if v, _ := d.At(c6ctr[0], c6ctr[1]); math.Abs(v-100) > 1e-9 {
		t.Errorf("inside a resolution-6 cell of 100/km²: %g", v)
	}
	if v, _ := d.At(c6ctr[0]+1, c6ctr[1]); v != 0 {
		t.Errorf("a degree away: %g", v)
	}
	if _, err := NewDensity([]Cell{{Cell: a, Population: math.NaN()}}, nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("NaN people: %v", err)
	}
	if _, err := NewDensity([]Cell{{Cell: 0, Population: 1}}, nil); !errors.Is(err, hexgrid.ErrInvalidCell) {
		t.Errorf("invalid cell: %v", err)
	}
}

// TestDensityPlaces checks that a cell's people are spread from its
// places by weight, that places outside every populated cell change
// nothing, and that bad places are refused.
func TestDensityPlaces(t *testing.T) {
	lon, lat := 103.46, 22.40
	c8, _ := hexgrid.Index(lon, lat, 8)
	ctr, _ := c8.Center()
	// Two villages inside the cell, 300 m either side of its centre
	// (east–west), weights 1 and 3: 250 and 750 of its 1000 people.
	mlon := metresPerDeg * math.Cos(ctr[1]*math.Pi/180)
	w, e := Place{ctr[0] - 300/mlon, ctr[1], 1}, Place{ctr[0] + 300/mlon, ctr[1], 3}
	far := Place{ctr[0] + 1, ctr[1], 5} // in no populated cell
	d, err := NewDensity([]Cell{{Cell: c8, Population: 1000}}, []Place{w, far, e})
	if err != nil {
		t.Fatal(err)
	}
	k := func(m float64) float64 { // the kernel at m metres, per person
		h2 := 737327.6 / (2 * math.Pi)
		c := math.Exp(-1e6 / (2 * h2))
		return (math.Exp(-m*m/(2*h2)) - c) / (2 * math.Pi * (h2*(1-c) - c*5e5) / 1e6)
	}
	for _, q := range []struct {
		name string
		lon  float64
		want float64
	}{{"west village", w.Lon, 250*k(0) + 750*k(600)}, {"east village", e.Lon, 250*k(600) + 750*k(0)}, {"centre", ctr[0], 1000 * k(300)}} {
		got, _ := d.At(q.lon, ctr[1])
		if math.Abs(got-q.want) > 0.01*q.want {
			t.Errorf("%s: %g people/km², want %g", q.name, got, q.want)
		}
	}
	if v, _ := d.At(far.Lon, far.Lat); v != 0 {
		t.Errorf("a place in no populated cell: %g", v)
	}
	// A finer table keeps its own positions: 1000 people in the
	// resolution-10 cell at the centre read there, the villages aside.
	c10, _ := hexgrid.Index(ctr[0], ctr[1], 10)
	c10ctr, _ := c10.Center()
	fineTable, err := NewDensity([]Cell{{Cell: c10, Population: 1000}}, []Place{w, e})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fineTable.At(c10ctr[0], c10ctr[1]); math.Abs(got-1000*k(0)) > 0.01*1000*k(0) {
		t.Errorf("a resolution-10 table with villages: %g at its cell, want %g", got, 1000*k(0))
	}
	for _, bad := range []Place{{math.NaN(), lat, 1}, {lon, lat, -1}, {lon, math.Inf(1), 1}} {
		if _, err := NewDensity([]Cell{{Cell: c8, Population: 1}}, []Place{bad}); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("place %+v: %v", bad, err)
		}
	}
}
