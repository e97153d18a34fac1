package predict

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// TestShrinkKnownAnswer works the estimator by hand on three sites:
// A {2, 4}, B {−1, −3}, C {5, 7, 9}.
//
//	site means 3, −2, 7; within sums of squares 2, 2, 8
//	σ² = (2 + 2 + 8)/(7 − 3) = 3
//	unweighted mean of means 8/3; Σ(ȳ_s − 8/3)² = (1 + 196 + 169)/9 = 122/3
//	τ² = (122/3)/2 − 3·(1/2 + 1/2 + 1/3)/3 = 61/3 − 4/3 = 19
//	weights 1/(19 + 3/2) = 2/41 for A and B, 1/(19 + 3/3) = 1/20 for C
//	μ = (2/41·3 + 2/41·(−2) + 1/20·7)/(4/41 + 1/20) = (40 + 287)/(80 + 41) = 327/121
//	B_A = B_B = 19/20.5 = 38/41, B_C = 19/20
func TestShrinkKnownAnswer(t *testing.T) {
	sh, err := Shrink([][]float64{{2, 4}, {-1, -3}, {5, 7, 9}})
	if err != nil {
		t.Fatal(err)
	}
	mu := 327.0 / 121
	near(t, "σ²", sh.Sigma2, 3, 1e-12)
	near(t, "τ²", sh.Tau2, 19, 1e-12)
	near(t, "μ", sh.MeanDB, mu, 1e-12)
	near(t, "B_A", sh.Weight[0], 38.0/41, 1e-12)
	near(t, "B_B", sh.Weight[1], 38.0/41, 1e-12)
	near(t, "B_C", sh.Weight[2], 19.0/20, 1e-12)
	near(t, "offset A", sh.OffsetDB[0], mu+38.0/41*(3-mu), 1e-12)
	near(t, "offset B", sh.OffsetDB[1], mu+38.0/41*(-2-mu), 1e-12)
	near(t, "offset C", sh.OffsetDB[2], mu+19.0/20*(7-mu), 1e-12)

	// Sites that differ no more than sampling explains: τ² = 0, every
	// offset is the mean of all residuals. Means 0 and 1, σ² = 2 (n 2
	// each): Σ(ȳ − ½)² = ½, minus σ²·mean(1/n) = 1: τ² = max(0, −½) = 0.
	sh, err = Shrink([][]float64{{-1, 1}, {0, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if sh.Tau2 != 0 || sh.Weight[0] != 0 || sh.OffsetDB[0] != 0.5 || sh.OffsetDB[1] != 0.5 {
		t.Errorf("τ² = 0 case: %+v", sh)
	}
	// One site: no between-site variance can be estimated.
	sh, err = Shrink([][]float64{{4, 6}})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(sh.Tau2) || sh.Weight[0] != 0 || sh.OffsetDB[0] != 5 || sh.Sigma2 != 2 {
		t.Errorf("one site: %+v", sh)
	}
	// One residual per site: σ² unknown, offsets the mean; a site without
	// residuals gets the mean too.
	sh, err = Shrink([][]float64{{1}, {3}, nil})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(sh.Sigma2) || !math.IsNaN(sh.Tau2) || sh.OffsetDB[0] != 2 || sh.OffsetDB[2] != 2 || sh.N[2] != 0 {
		t.Errorf("single residuals: %+v", sh)
	}
	// No within-site spread and distinct sites: B = 1, offsets the means.
	sh, err = Shrink([][]float64{{1, 1}, {5, 5}})
	if err != nil {
		t.Fatal(err)
	}
	if sh.Weight[0] != 1 || sh.OffsetDB[0] != 1 || sh.OffsetDB[1] != 5 {
		t.Errorf("σ² = 0: %+v", sh)
	}
	if _, err := Shrink(nil); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("no residuals: %v", err)
	}
	if _, err := Shrink([][]float64{{1, math.Inf(1)}}); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("infinite residual: %v", err)
	}
}

// world is a generated network: three-sector LTE sites of one carrier on
// a 4 × 6 grid 3 km apart, each site's true EIRP off the register's by a
// known offset, and measurements at random points whose level is the true
// best server's plus Gaussian location variability, naming that sector as
// their serving cell.
type world struct {
	register []engine.Site
	trueOff  map[string]float64
	meas     SiteMeasurements
}

func genWorld(t *testing.T, seed uint64, nMeas int, offsetSD, noiseSD float64) *world {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	w := &world{trueOff: map[string]float64{}}
	var truth []engine.Site
	for gx := range 6 {
		for gy := range 4 {
			id := "S" + strconv.Itoa(gx*4+gy)
			off := offsetSD * rng.NormFloat64()
			w.trueOff[id] = off
			lon, lat := 105.0+float64(gx)*0.028, 21.0+float64(gy)*0.027
			for sec := range 3 {
				s := engine.Site{SiteID: id, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: lon, Lat: lat,
					BandMHz: 1800, HeightM: 30, AzimuthDeg: float64(sec * 120), BeamwidthDeg: 65, TiltDeg: 4, EIRPDBm: 60,
					Cell: &engine.ServingCell{CellID: strconv.Itoa(100000 + (gx*4+gy)*3 + sec), NodeID: strconv.Itoa(500 + gx*4 + gy),
						PCI: int32(((gx*4+gy)*3 + sec) % 504), ARFCN: 1650}}
				w.register = append(w.register, s)
				s.EIRPDBm += off
				truth = append(truth, s)
			}
		}
	}
	pts := Points{}
	for range nMeas {
		pts.Lon = append(pts.Lon, 105.0+0.15*rng.Float64())
		pts.Lat = append(pts.Lat, 21.0+0.09*rng.Float64())
		pts.Env = append(pts.Env, EnvSuburban)
	}
	cfg := DefaultConfig()
	cfg.Workers = 1
	res, err := BestServer(truth, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for j := range res.Len() {
		i := res.Point[j]
		sig := res.SignalDBm[j] + noiseSD*rng.NormFloat64()
		if sig < -135 { // keep the test's levels above the LTE reporting floor
			continue
		}
		m := &w.meas
		m.Lon, m.Lat, m.Env = append(m.Lon, pts.Lon[i]), append(m.Lat, pts.Lat[i]), append(m.Env, pts.Env[i])
		m.Carrier, m.Tech = append(m.Carrier, engine.Viettel), append(m.Tech, engine.Tech4G)
		m.SignalDBm = append(m.SignalDBm, sig)
		c := *truth[res.Site[j]].Cell
		m.Serving = append(m.Serving, &c)
	}
	return w
}

// TestCalibrateSitesRecoversOffsets: with serving-cell ids, the per-site
// offsets of a generated world (true offsets σ 4 dB, location variability
// 6 dB, 3,000 measurements over 24 sites) are recovered: the residual of a
// site is exactly its offset plus noise, so each shrunk offset of a site
// with at least 20 measurements lies within 4 standard errors (4·6/√n dB,
// plus 0.5 dB for the shrinkage of a well-measured site toward the mean)
// of the truth. With few measurements a site (150 over 24 sites), the
// shrunk offsets are closer to the truth overall (RMS) than the raw site
// means, which is what shrinkage is for.
func TestCalibrateSitesRecoversOffsets(t *testing.T) {
	w := genWorld(t, 11, 3000, 4, 6)
	cfg := DefaultConfig()
	cfg.Workers = 1
	sc, err := CalibrateSites(w.register, w.meas, cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := len(w.meas.Lon)
	if sc.Counts.ByCellID != n || sc.Counts.ByBestServer != 0 || sc.Counts.NoPrediction != 0 || len(sc.Networks) != 1 {
		t.Fatalf("counts %+v, networks %+v", sc.Counts, sc.Networks)
	}
	net := sc.Networks[0]
	near(t, "σ", net.SigmaDB, 6, 0.3)
	if net.TauDB < 2.5 || net.TauDB > 6 {
		t.Errorf("τ %g dB, true offsets drawn with σ 4 dB", net.TauDB)
	}
	checked := 0
	for _, s := range sc.Sites {
		truth := w.trueOff[s.SiteID]
		if s.N >= 20 {
			tol := 4*6/math.Sqrt(float64(s.N)) + 0.5
			if math.Abs(s.OffsetDB-truth) > tol {
				t.Errorf("site %s: offset %.2f dB, true %.2f (n %d, tolerance %.2f)", s.SiteID, s.OffsetDB, truth, s.N, tol)
			}
			checked++
		}
		if s.ByID != s.N {
			t.Errorf("site %s: %d of %d by id", s.SiteID, s.ByID, s.N)
		}
		if d, ok := sc.Deviation(engine.Viettel, engine.Tech4G, s.SiteID); !ok || d != s.OffsetDB-net.MeanDB {
			t.Errorf("Deviation(%s) = %g, %v", s.SiteID, d, ok)
		}
	}
	if checked < 15 {
		t.Errorf("only %d sites with 20 measurements", checked)
	}
	if _, ok := sc.Deviation(engine.Viettel, engine.Tech4G, "nowhere"); ok {
		t.Error("deviation for an unknown site")
	}
	sparse := genWorld(t, 12, 150, 4, 6)
	sc3, err := CalibrateSites(sparse.register, sparse.meas, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var sqShrunk, sqRaw float64
	for _, s := range sc3.Sites {
		truth := sparse.trueOff[s.SiteID]
		sqShrunk += (s.OffsetDB - truth) * (s.OffsetDB - truth)
		sqRaw += (s.MeanResidualDB - truth) * (s.MeanResidualDB - truth)
	}
	k := float64(len(sc3.Sites))
	if !(sqShrunk < sqRaw) {
		t.Errorf("sparse world: shrunk RMS %.2f dB not below raw %.2f", math.Sqrt(sqShrunk/k), math.Sqrt(sqRaw/k))
	}
	t.Logf("sparse world (%d sites): RMS error shrunk %.2f dB, raw means %.2f dB", len(sc3.Sites), math.Sqrt(sqShrunk/k), math.Sqrt(sqRaw/k))

	// Without serving cells the measurements fall back to the register's
	// best server: all are attributed, the offsets still follow the
	// truth (looser: near cell edges the register's best server is not
	// always the true one).
	noIDs := w.meas
	noIDs.Serving = nil
	sc2, err := CalibrateSites(w.register, noIDs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sc2.Counts.ByBestServer != n || sc2.Counts.ByCellID != 0 || sc2.Counts.IDsUnmatched != 0 {
		t.Fatalf("fallback counts %+v", sc2.Counts)
	}
	var sq float64
	for _, s := range sc2.Sites {
		sq += (s.OffsetDB - w.trueOff[s.SiteID]) * (s.OffsetDB - w.trueOff[s.SiteID])
	}
	if rms := math.Sqrt(sq / float64(len(sc2.Sites))); rms > 2.5 {
		t.Errorf("best-server fallback: RMS offset error %.2f dB", rms)
	}
}

// TestCalibrateSitesAttribution: each identifier rule on a hand-made
// register, and the rows left out.
func TestCalibrateSitesAttribution(t *testing.T) {
	sector := func(id, cell, node string, pci, arfcn int32, lon float64, az float64) engine.Site {
		return engine.Site{SiteID: id, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: lon, Lat: 21, BandMHz: 1800, HeightM: 30,
			AzimuthDeg: az, BeamwidthDeg: 65, TiltDeg: 4, EIRPDBm: 60, Cell: &engine.ServingCell{CellID: cell, NodeID: node, PCI: pci, ARFCN: arfcn}}
	}
	reg := []engine.Site{
		sector("A", "111", "N1", 10, 1650, 105.00, 90),
		sector("A", "112", "N1", 11, 1650, 105.00, 270),
		sector("B", "221", "N2", 10, 1650, 105.30, 90), // PCI 10 reused 32 km east
		{SiteID: "C", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 105.02, Lat: 21.01, BandMHz: 1800, HeightM: 30,
			AzimuthDeg: math.NaN(), BeamwidthDeg: 65, TiltDeg: 4, EIRPDBm: 60}, // no identifiers
	}
	at := func(lon float64) (float64, float64) { return lon, 21.002 }
	var m SiteMeasurements
	add := func(lon float64, sig float64, sc *engine.ServingCell) {
		x, y := at(lon)
		m.Lon, m.Lat, m.Env = append(m.Lon, x), append(m.Lat, y), append(m.Env, EnvSuburban)
		m.Carrier, m.Tech, m.SignalDBm = append(m.Carrier, engine.Viettel), append(m.Tech, engine.Tech4G), append(m.SignalDBm, sig)
		m.Serving = append(m.Serving, sc)
	}
	add(105.01, -90, &engine.ServingCell{CellID: " 111 ", PCI: -1, ARFCN: -1})             // by cell id (spaces ignored)
	add(105.01, -90, &engine.ServingCell{CellID: "999", PCI: 10, ARFCN: 1650})             // unknown cell id, PCI 10 → A (nearer than B)
	add(105.29, -90, &engine.ServingCell{PCI: 10, ARFCN: 1650})                            // PCI 10 near B → B
	add(105.29, -90, &engine.ServingCell{NodeID: "n2", PCI: -1, ARFCN: -1})                // node N2 (case ignored) → B
	add(105.01, -90, &engine.ServingCell{CellID: "777", NodeID: "N9", PCI: -1, ARFCN: -1}) // nothing matches → best server
	add(105.01, -90, nil)                                                                  // no serving cell → best server
	add(105.01, math.NaN(), nil)                                                           // no-service test
	add(105.01, -156.5, nil)                                                               // at or below the LTE floor (−156 dBm): censored
	cfg := DefaultConfig()
	sc, err := CalibrateSites(reg, m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := SiteCounts{Rows: 8, NoSignal: 1, Censored: 1, ByCellID: 1, ByPCIARFCN: 2, ByNodeID: 1, ByBestServer: 2, IDsUnmatched: 1}
	if sc.Counts != want {
		t.Fatalf("counts %+v, want %+v", sc.Counts, want)
	}
	byID := map[string]SiteOffset{}
	for _, s := range sc.Sites {
		byID[s.SiteID] = s
	}
	// A: the cell-id row and the PCI row near A; B: the PCI row near B and
	// the node row. The two best-server rows go to whichever predicts
	// strongest at 105.01 (A's east sector or the omni C).
	if byID["A"].ByID != 2 || byID["B"].ByID != 2 || byID["A"].N+byID["B"].N+byID["C"].N != 6 {
		t.Fatalf("sites %+v", sc.Sites)
	}
	if _, err := CalibrateSites(reg, SiteMeasurements{Lon: []float64{1}}, cfg); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("ragged columns: %v", err)
	}
}
