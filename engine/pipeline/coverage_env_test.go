package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/radiomap"
)

// The environment of a point follows the population density around it
// continuously: two points a few metres apart on either side of a
// resolution-8 border get nearly the same class and share, where the
// cell-by-cell class put one of them in a suburban cell and the other in
// a rural one (a 19 dB step in Hata's loss at 900 MHz).
func TestEnvAtContinuousAcrossCellBorders(t *testing.T) {
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
	// A village at the cell's centre, suburban at the cell's mean density.
	ctr, _ := c8.Center()
	c11, err := hexgrid.Index(ctr[0], ctr[1], 11)
	if err != nil {
		t.Fatal(err)
	}
	pop := []population.Cell{{Cell: c11, Population: 600 * a8}}
	// Walk east from the centre until the resolution-8 cell changes.
	var x0, x1 float64
	for x := ctr[0]; ; x += 1e-6 {
		c, _ := hexgrid.Index(x, ctr[1], 8)
		if c != c8 {
			x0, x1 = x-1e-6, x
			break
		}
	}
	env, frac, err := envAt([]float64{ctr[0], x0, x1}, []float64{ctr[1], ctr[1], ctr[1]}, CoverageOptions{Population: pop, EnvCuts: cuts})
	if err != nil {
		t.Fatal(err)
	}
	pos := func(i int) float64 { return float64(env[i]) + frac[i] }
	if math.Abs(pos(1)-pos(2)) > 1e-3 {
		t.Errorf("across the border (%.7f | %.7f): positions %.4f and %.4f", x0, x1, pos(1), pos(2))
	}
	if !(pos(0) > pos(1)) || env[0] != predict.EnvSuburban && !(env[0] == predict.EnvRural && frac[0] > 0.5) {
		t.Errorf("at the village %v %.3f, at the border %.4f: want suburban-like at the village, less at the border", env[0], frac[0], pos(1))
	}
	// A population given coarser than resolution 8 spreads its density.
	c7, err := hexgrid.Index(lon, lat, 7)
	if err != nil {
		t.Fatal(err)
	}
	a7, _ := c7.AreaKm2()
	coarse := []population.Cell{{Cell: c7, Population: 900 * a7}}
	ctr7, _ := c7.Center()
	env, frac, err = envAt([]float64{ctr7[0]}, []float64{ctr7[1]}, CoverageOptions{Population: coarse, EnvCuts: cuts})
	wantEnv, wantFrac, _ := cuts.Position(900)
	if err != nil || env[0] != wantEnv || math.Abs(frac[0]-wantFrac) > 1e-9 {
		t.Fatalf("the centre of a resolution-7 population cell of 900/km²: %v %g %v, want %v %g", env, frac, err, wantEnv, wantFrac)
	}
	// No population table: rural everywhere.
	env, frac, err = envAt([]float64{lon}, []float64{lat}, CoverageOptions{EnvCuts: cuts})
	if err != nil || env[0] != predict.EnvRural || frac[0] != 0 {
		t.Fatalf("without a population table: %v %v %v", env, frac, err)
	}
}

// TestEnvAtVillagePlaces: with the villages as places (VillagePlaces), a
// village by its hex's edge reads the density of its own people, not of
// people at the hex's centre 400 m away.
func TestEnvAtVillagePlaces(t *testing.T) {
	cuts := predict.DefaultEnvCutoffs()
	c8, err := hexgrid.Index(105.85, 21.03, 8)
	if err != nil {
		t.Fatal(err)
	}
	ctr, _ := c8.Center()
	// Walk east to the last point still inside the cell: the village.
	x := ctr[0]
	for {
		c, _ := hexgrid.Index(x+1e-5, ctr[1], 8)
		if c != c8 {
			break
		}
		x += 1e-5
	}
	villages := []engine.Village{{ID: "V", Lon: x, Lat: ctr[1], Households: 150}}
	pop, err := VillagePopulation(villages, 8)
	if err != nil {
		t.Fatal(err)
	}
	opt := CoverageOptions{Population: pop, EnvCuts: cuts}
	envC, fracC, err := envAt([]float64{x}, []float64{ctr[1]}, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Places = VillagePlaces(villages)
	envP, fracP, err := envAt([]float64{x}, []float64{ctr[1]}, opt)
	if err != nil {
		t.Fatal(err)
	}
	people := pop[0].Population
	d, _ := population.NewDensity(pop, opt.Places)
	at, _ := d.At(x, ctr[1])
	wantEnv, wantFrac, _ := cuts.Position(at)
	if envP[0] != wantEnv || math.Abs(fracP[0]-wantFrac) > 1e-12 || !(float64(envP[0])+fracP[0] > float64(envC[0])+fracC[0]) {
		t.Errorf("%g people at the village: with places %v %.3f (density %.0f/km²), from the centre %v %.3f: want more built-up with places",
			people, envP[0], fracP[0], at, envC[0], fracC[0])
	}
}

// TestClutterOffsetsFittedAndApplied: tests in open country that read 6 dB
// above their predictions, and tests in a town that read as predicted,
// give the clutter correction a curve 6 dB higher at no density than at
// the town's; the residuals lose it, and a prediction in open country
// gains it.
func TestClutterOffsetsFittedAndApplied(t *testing.T) {
	c8, err := hexgrid.Index(103.46, 22.40, 8)
	if err != nil {
		t.Fatal(err)
	}
	ctr, _ := c8.Center()
	pop := []population.Cell{{Cell: c8, Population: 2000, Households: 450}}
	env, err := newEnvField(CoverageOptions{Population: pop, EnvCuts: predict.DefaultEnvCutoffs()})
	if err != nil {
		t.Fatal(err)
	}
	far := [2]float64{ctr[0] + 0.05, ctr[1]} // about 5 km east: no people
	key := radiomap.Key{Carrier: engine.Viettel, Tech: engine.Tech4G}
	var obs []radiomap.Obs
	for i := range 400 {
		d := float64(i%20) * 1e-5
		obs = append(obs, radiomap.Obs{Lon: ctr[0] + d, Lat: ctr[1], Key: key, ResidualDB: float64(i%7) - 3, NoiseDB: 1},
			radiomap.Obs{Lon: far[0] + d, Lat: far[1], Key: key, ResidualDB: 6 + float64(i%7) - 3, NoiseDB: 1})
	}
	model := radiomap.Model{SharedSillDB2: 20, SharedRangeM: 300, NuggetDB2: 4}
	mg, err := radiomap.FitMarginal(obs, model, 0)
	if err != nil {
		t.Fatal(err)
	}
	var rep RadioMapReport
	if _, err := fitClutterOffsets(obs, env, mg, model, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.ClutterOffsets) != clutterKnots || rep.ClutterOffsets[0].DensityPerKm2 != 1 || rep.ClutterOffsets[clutterKnots-1].DensityPerKm2 != 1e5 {
		t.Fatalf("offsets %+v", rep.ClutterOffsets)
	}
	m0, _ := env.knots(ctr[0], ctr[1])
	if m0.Class < 16 { // 10² people per km²
		t.Fatalf("the village's centre reads %+v: want built-up", m0)
	}
	off := make([]float64, clutterKnots)
	for i, o := range rep.ClutterOffsets {
		off[i] = o.OffsetDB
	}
	rural := off[0]
	village := radiomap.OffsetOf(off, m0)
	if math.Abs(rural-village-6) > 0.5 {
		t.Errorf("open-country offset %.2f, at the village %.2f: want 6 dB apart", rural, village)
	}
	var sumFar float64
	for _, o := range obs {
		if o.Lon > far[0]-1e-3 {
			sumFar += o.ResidualDB
		}
	}
	if mean := sumFar / 400; math.Abs(mean-(6-rural)) > 0.05 {
		t.Errorf("open-country residuals average %.2f after the offset, want 6 − %.2f", mean, rural)
	}
	co := newClutterOffsets(rep, env)
	preds := []prediction{{signalDBm: -100}}
	if err := co.apply(preds, far[0], far[1]); err != nil || math.Abs(preds[0].signalDBm-(-100+rural)) > 1e-9 {
		t.Errorf("a prediction in open country: %.2f, %v; want −100 + %.2f", preds[0].signalDBm, err, rural)
	}
	if (*clutterOffsets)(nil).apply(preds, far[0], far[1]) != nil || newClutterOffsets(RadioMapReport{}, env) != nil {
		t.Error("no offsets must add nothing")
	}
}

// TestClutterMembership: a density's place on the knots (log10 every
// 0.125 from 1 person per km²), clamped at both ends.
func TestClutterMembership(t *testing.T) {
	for _, c := range []struct {
		d     float64
		class uint8
		frac  float64
	}{
		{0, 0, 0}, {0.5, 0, 0}, {1, 0, 0}, {10, 8, 0}, {1000, 24, 0},
		{math.Pow(10, 2.0625), 16, 0.5}, {300, 19, math.Log10(300)/0.125 - 19},
		{1e5, 40, 0}, {1e7, 40, 0}, {math.NaN(), 0, 0},
	} {
		m := clutterMembership(c.d)
		if m.Class != c.class || math.Abs(m.Frac-c.frac) > 1e-9 {
			t.Errorf("density %g: %+v, want class %d frac %g", c.d, m, c.class, c.frac)
		}
	}
}

// TestDensityOf: the same people (in other slices) give the density built
// before; other people a new one, equal to population.NewDensity's.
func TestDensityOf(t *testing.T) {
	c8, err := hexgrid.Index(103.46, 22.40, 8)
	if err != nil {
		t.Fatal(err)
	}
	pop := []population.Cell{{Cell: c8, Population: 2000, Households: 450}}
	places := []population.Place{{Lon: 103.46, Lat: 22.40, Weight: 450}}
	a, err := densityOf(pop, places)
	if err != nil {
		t.Fatal(err)
	}
	b, err := densityOf(slices.Clone(pop), slices.Clone(places))
	if err != nil || b != a {
		t.Fatalf("same people in other slices: %p, %v; want the density built before (%p)", b, err, a)
	}
	pop2 := slices.Clone(pop)
	pop2[0].Population = 3000
	c, err := densityOf(pop2, places)
	if err != nil || c == a {
		t.Fatalf("other people: %p, %v; want a new density", c, err)
	}
	want, err := population.NewDensity(pop2, places)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := c.At(103.461, 22.401)
	w, _ := want.At(103.461, 22.401)
	if g != w || !(g > 0) {
		t.Errorf("density %g, NewDensity gives %g", g, w)
	}
}
