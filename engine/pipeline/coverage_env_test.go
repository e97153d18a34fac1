package pipeline

import (
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
)

// The environment class of a point does not follow the analysis
// resolution: it is the class of the resolution-8 cell the point lies in,
// from that cell's population density, whether the hex asked about is
// finer (a village alone in a resolution-11 hex is not a city centre) or
// coarser (a resolution-7 hex takes the cell holding its centre).
func TestEnvClassesIndependentOfResolution(t *testing.T) {
	cuts := predict.DefaultEnvCutoffs()
	lon, lat := 105.85, 21.03 // Hà Nội
	c8, err := hexgrid.Index(lon, lat, 8)
	if err != nil {
		t.Fatal(err)
	}
	a8, err := c8.AreaKm2()
	if err != nil {
		t.Fatal(err)
	}
	// A suburban density at resolution 8, given as one village's people
	// in one resolution-11 cell of it: 343 times denser at resolution 11.
	var people float64
	for _, d := range []float64{10, 100, 1000, 5000, 20000} {
		if e, _ := cuts.Classify(d); e == predict.EnvSuburban {
			people = d * a8
			break
		}
	}
	if people == 0 {
		t.Fatal("no suburban density among the tried ones")
	}
	c11, err := hexgrid.Index(lon, lat, 11)
	if err != nil {
		t.Fatal(err)
	}
	pop := []population.Cell{{Cell: c11, Population: people}}
	c7, err := hexgrid.Index(lon, lat, 7)
	if err != nil {
		t.Fatal(err)
	}
	ctr7, _ := c7.Center()
	k7, _ := hexgrid.Index(ctr7[0], ctr7[1], 8)
	env, err := envClasses([]hexgrid.Cell{c8, hexgrid.FastParent(c11, 8), c11, c7}, pop, cuts)
	if err != nil {
		t.Fatal(err)
	}
	want7 := predict.EnvRural
	if k7 == hexgrid.FastParent(c11, 8) {
		want7 = predict.EnvSuburban
	}
	if env[1] != predict.EnvSuburban || env[2] != predict.EnvSuburban || env[3] != want7 {
		t.Fatalf("classes %v: want suburban for the resolution-8 parent and the resolution-11 hex, %v for the resolution-7 hex", env, want7)
	}
	// A population given coarser than resolution 8 spreads its density.
	coarse := []population.Cell{{Cell: c7, Population: people * 7}}
	env, err = envClasses([]hexgrid.Cell{c11}, coarse, cuts)
	if err != nil || env[0] != predict.EnvSuburban {
		t.Fatalf("a resolution-11 hex under a resolution-7 population cell: %v %v", env, err)
	}
}
