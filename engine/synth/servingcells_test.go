package synth

import (
	"fmt"
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/predict"
)

// TestServingCellsPerSiteOffsets generates the default world with serving
// cells and a known per-sector EIRP error (σ 4 dB), and checks that
//
//   - ServingCells changes nothing else: the measurements are those of
//     the plain world, row for row, plus their serving cells;
//   - every measurement with a level names a cell, and those the register
//     has are tied to their sector by cell_id (predict.CalibrateSites);
//   - the per-sector offsets follow the known EIRP errors: the residual of
//     a sector is its EIRP error plus the world's spatially correlated
//     shadowing and valley losses averaged over the points it serves, so
//     the tolerance is statistical: in a world at measurement density 4,
//     over the sectors with at least 30 measurements (791), the offsets
//     (less their network's mean) correlate with the true errors at
//     ρ ≥ 0.5 and regress on them with a slope within 0.7…1.3 (measured:
//     ρ 0.70, slope 0.96; shadowing adds spread, not bias).
func TestServingCellsPerSiteOffsets(t *testing.T) {
	if testing.Short() {
		t.Skip("generates three worlds, one at measurement density 4")
	}
	plain, err := Generate(Config{})
	if err != nil {
		t.Fatal(err)
	}
	served, err := Generate(Config{ServingCells: true})
	if err != nil {
		t.Fatal(err)
	}
	a, b := plain.Measurements, served.Measurements
	if a.Len() != b.Len() || plain.Measurements.HasServing() || !b.HasServing() {
		t.Fatalf("%d vs %d measurements, serving %v %v", a.Len(), b.Len(), a.HasServing(), b.HasServing())
	}
	named := 0
	for i := range a.Len() {
		ra, rb := a.Row(i), b.Row(i)
		rb.Serving = nil
		if fmt.Sprintf("%+v", ra) != fmt.Sprintf("%+v", rb) { // NaN fields compare as text
			t.Fatalf("row %d differs: %+v vs %+v", i, ra, rb)
		}
		rb = b.Row(i)
		if !math.IsNaN(rb.SignalDBm) {
			if rb.Serving == nil || rb.Serving.CellID == "" {
				t.Fatalf("row %d has a level but no serving cell", i)
			}
			named++
		} else if rb.Serving != nil {
			t.Fatalf("no-service row %d names a cell", i)
		}
	}
	for i, s := range served.Sites {
		if s.Cell == nil || *s.Cell != *ServingCellOf(s.SiteID) {
			t.Fatalf("register sector %d: %+v", i, s.Cell)
		}
	}
	w, err := Generate(Config{ServingCells: true, SiteEIRPErrorDB: 4, MeasurementDensity: 4})
	if err != nil {
		t.Fatal(err)
	}
	b = w.Measurements
	trueErr := map[string]float64{}
	for i, s := range w.Truth.Sites {
		trueErr[s.SiteID] = s.EIRPDBm - w.Sites[i].EIRPDBm
	}

	var m predict.SiteMeasurements
	for i := range b.Len() {
		r := b.Row(i)
		if math.IsNaN(r.SignalDBm) || r.Environment == engine.EnvIndoor {
			continue
		}
		m.Lon, m.Lat = append(m.Lon, r.Lon), append(m.Lat, r.Lat)
		m.Carrier, m.Tech, m.SignalDBm = append(m.Carrier, r.Carrier), append(m.Tech, r.Tech), append(m.SignalDBm, r.SignalDBm)
		m.Serving = append(m.Serving, r.Serving)
	}
	if m.Env, err = w.EnvAt(m.Lon, m.Lat); err != nil {
		t.Fatal(err)
	}
	sc, err := predict.CalibrateSites(w.Sites, m, predict.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	c := sc.Counts
	if c.ByCellID < len(m.Lon)*8/10 {
		t.Errorf("only %d of %d outdoor measurements tied by cell_id: %+v", c.ByCellID, len(m.Lon), c)
	}
	var x, y []float64
	for _, s := range sc.Sites {
		if s.N >= 30 {
			x = append(x, s.DeviationDB)
			y = append(y, trueErr[s.SiteID])
		}
	}
	if len(x) < 200 {
		t.Fatalf("only %d sectors with 30 measurements", len(x))
	}
	rho, slope, sd := corr(x, y)
	t.Logf("default world: %d of %d rows name their serving cell; density-4 world: attribution %+v; %d sectors with ≥ 30 measurements: ρ %.2f, slope %.2f, true spread %.2f dB",
		named, a.Len(), c, len(x), rho, slope, sd)
	if rho < 0.5 || slope < 0.7 || slope > 1.3 {
		t.Errorf("per-sector offsets do not follow the EIRP errors: ρ %.2f, slope %.2f", rho, slope)
	}
}

// corr returns the correlation of x and y, the RMS of x − y after removing
// the mean difference, and the standard deviation of y.
func corr(x, y []float64) (rho, slope, sdY float64) {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy, se float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
		se += (dx - dy) * (dx - dy)
	}
	_ = se
	return sxy / math.Sqrt(sxx*syy), sxy / syy, math.Sqrt(syy / n)
}
