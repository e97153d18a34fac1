package predict

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

// pruneCase is one randomized register and configuration.
type pruneCase struct {
	name  string
	sites []engine.Site
	pts   Points
	cfg   Config
}

// randomPruneCase draws a register clustered around a few towns (so nearer
// sites hide farther ones), with duplicates for ties, every status, default
// and explicit values, and a configuration across models, extensions, LOS
// modes and heights.
func randomPruneCase(rng *rand.Rand, i int) pruneCase {
	cfg := DefaultConfig()
	cfg.Models.LOS = LOSMode(rng.IntN(3))
	cfg.Models.RuralRMa = RMaParams{BuildingHeightM: 5 + rng.Float64()*45, StreetWidthM: 5 + rng.Float64()*45}
	cfg.Models.SuburbanRMa = RMaParams{BuildingHeightM: 5 + rng.Float64()*45, StreetWidthM: 5 + rng.Float64()*45}
	cfg.MobileHeightM = []float64{1, 1.5, 1.5, 5, 12, 15, 20, 22.5}[rng.IntN(8)]
	cfg.Models.Ext.COST231To2200MHz = rng.IntN(2) == 0
	cfg.Models.Ext.AntennaHeight = rng.IntN(5) > 0
	if rng.IntN(6) == 0 { // strict distance ranges: the unpruned path
		cfg.Models.Ext.ShortRange, cfg.Models.Ext.LongRange = rng.IntN(2) == 0, false
	}
	cfg.IncludePlanned = rng.IntN(2) == 0
	cfg.DefaultTiltDeg = rng.Float64()*12 - 2
	cfg.DefaultHeightM = 10 + rng.Float64()*60
	cfg.Pattern.AmDB = []float64{0, 20, 25, 30}[rng.IntN(4)]
	for _, t := range engine.Techs {
		if rng.IntN(3) == 0 {
			cfg.Tech[t].MaxRangeM = 2000 + rng.Float64()*30000
		}
		if rng.IntN(3) == 0 {
			cfg.Tech[t].EIRPDBm += rng.Float64()*20 - 10
		}
	}
	cfg.Workers = 1 + rng.IntN(3)

	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone}
	bands := []float64{450, 700, 900, 1800, 1900, 2100, 2300, 2600, 3500, 4900, 28000}
	heights := []float64{10, 15, 18, 25, 30, 30, 36, 45, 60, 120, 250}
	nTowns := 1 + rng.IntN(4)
	town := make([][2]float64, nTowns)
	for k := range town {
		town[k] = [2]float64{105 + rng.Float64()*0.6, 20.5 + rng.Float64()*0.6}
	}
	spread := 0.005 + rng.Float64()*0.05
	nSites := 20 + rng.IntN(300)
	var sites []engine.Site
	for len(sites) < nSites {
		c := town[rng.IntN(nTowns)]
		lon, lat := c[0]+rng.NormFloat64()*spread, c[1]+rng.NormFloat64()*spread
		if rng.IntN(8) == 0 { // a few far-flung sites
			lon, lat = 104.5+rng.Float64()*1.6, 20+rng.Float64()*1.6
		}
		tech := engine.Techs[rng.IntN(4)]
		s := site(fmt.Sprint(len(sites)), carriers[rng.IntN(3)], tech, lon, lat)
		if rng.IntN(4) > 0 {
			s.BandMHz = bands[rng.IntN(len(bands))]
		}
		switch rng.IntN(4) {
		case 0:
			s.HeightM = heights[rng.IntN(len(heights))]
		case 1:
			s.HeightM = 10 + rng.Float64()*90
		case 2:
			s.HeightM = cfg.MobileHeightM // equal heights: coincident antennas refused
		}
		if rng.IntN(3) == 0 {
			s.EIRPDBm = 40 + rng.Float64()*35
		}
		if rng.IntN(3) == 0 {
			s.TiltDeg = rng.Float64()*15 - 3
		}
		if rng.IntN(3) == 0 {
			s.BeamwidthDeg = []float64{33, 65, 90, 360}[rng.IntN(4)]
		}
		switch rng.IntN(10) {
		case 0:
			s.Status = engine.StatusDown
		case 1:
			s.Status = engine.StatusPlanned
		}
		// Sectors: one to three azimuths at the same mast, sometimes
		// duplicated exactly (equal signals, broken by index).
		nSec := 1 + rng.IntN(3)
		omni := rng.IntN(4) == 0
		az0 := rng.Float64() * 360
		for k := range nSec {
			if !omni {
				s.AzimuthDeg = math.Mod(az0+float64(k)*120, 360)
			}
			sites = append(sites, s)
			if rng.IntN(10) == 0 {
				sites = append(sites, s)
			}
		}
	}
	if i%23 == 5 { // an infinite azimuth: NaN signals, the unpruned path
		sites[rng.IntN(len(sites))].AzimuthDeg = math.Inf(1)
	}
	nPts := 50 + rng.IntN(300)
	pts := Points{Lon: make([]float64, nPts), Lat: make([]float64, nPts), Env: make([]Env, nPts)}
	for k := range nPts {
		c := town[rng.IntN(nTowns)]
		pts.Lon[k], pts.Lat[k] = c[0]+rng.NormFloat64()*spread*2, c[1]+rng.NormFloat64()*spread*2
		switch rng.IntN(12) {
		case 0: // on a mast
			s := sites[rng.IntN(len(sites))]
			pts.Lon[k], pts.Lat[k] = s.Lon, s.Lat
		case 1: // a few metres from a mast
			s := sites[rng.IntN(len(sites))]
			pts.Lon[k], pts.Lat[k] = s.Lon+rng.NormFloat64()*1e-4, s.Lat+rng.NormFloat64()*1e-4
		case 2: // beyond ±180°: the unpruned path for this point
			pts.Lon[k] += 360
		}
		pts.Env[k] = Env(rng.IntN(int(numEnv)))
	}
	if i%2 == 1 { // points between classes (Points.EnvFrac), some at 0
		pts.EnvFrac = make([]float64, nPts)
		for k := range nPts {
			if pts.Env[k] != EnvDenseUrban && rng.IntN(4) > 0 {
				pts.EnvFrac[k] = rng.Float64()
			}
		}
	}
	name := fmt.Sprintf("%d/los=%s/hm=%g/ext=%+v", i, cfg.Models.LOS, cfg.MobileHeightM, cfg.Models.Ext)
	return pruneCase{name, sites, pts, cfg}
}

func TestBestServerPrunedEqualsUnpruned(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	var pruned, full int64
	for i := range 150 {
		c := randomPruneCase(rng, i)
		want, err := bestServer(context.Background(), c.sites, c.pts, c.cfg, false, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := bestServer(context.Background(), c.sites, c.pts, c.cfg, true, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Evaluations > want.Evaluations {
			t.Errorf("%s: %d evaluations pruned, %d unpruned", c.name, got.Evaluations, want.Evaluations)
		}
		pruned += got.Evaluations
		full += want.Evaluations
		n := got.Evaluations
		got.Evaluations = want.Evaluations
		// An infinite azimuth gives NaN signals (i%23 == 5), which
		// DeepEqual never finds equal: compare them as one value.
		for _, r := range []*Result{got, want} {
			for k, v := range r.SignalDBm {
				if math.IsNaN(v) {
					r.SignalDBm[k] = math.MaxFloat64
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: pruned result differs (%d rows, %d unpruned)", c.name, got.Len(), want.Len())
			for k := range min(got.Len(), want.Len()) {
				if got.Site[k] != want.Site[k] || got.SignalDBm[k] != want.SignalDBm[k] {
					t.Errorf("  row %d point %d: site %d %.17g dBm, unpruned %d %.17g dBm", k, got.Point[k],
						got.Site[k], got.SignalDBm[k], want.Site[k], want.SignalDBm[k])
					break
				}
			}
		}
		got.Evaluations = n
	}
	// The comparison is only meaningful if pruning happened.
	t.Logf("evaluations: %d pruned, %d unpruned", pruned, full)
	if pruned*10 > full*9 {
		t.Errorf("pruning removed under a tenth of the evaluations: %d of %d", pruned, full)
	}
}

// TestPruneBoundAboveEverySignal checks, for every pair in range of random
// registers, that the tabulated bound at the pair's distance, and at any
// shorter distance, is at least the evaluated signal.
func TestPruneBoundAboveEverySignal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	checked := 0
	for i := range 60 {
		c := randomPruneCase(rng, i)
		cfg := c.cfg
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		res := &Result{}
		prep, carriers, coefs := prepare(c.sites, cfg, res)
		if !canPrune(prep, &cfg) {
			continue
		}
		idx := buildPruneIndex(prep, len(carriers)*4, &cfg, 1)
		class := map[int32]*groupIndex{} // prep index → class
		for _, cs := range idx.groups {
			for _, gi := range cs {
				for _, si := range gi.sites {
					class[si] = gi
				}
			}
		}
		w := newWorker(len(carriers)*4, cfg, coefs)
		for k := range c.pts.Lon {
			lat, lon, env := c.pts.Lat[k]*deg2rad, c.pts.Lon[k]*deg2rad, c.pts.Env[k]
			sinLat, cosLat := math.Sin(lat), math.Cos(lat)
			for si := range prep {
				p := &prep[si]
				dl := lon - p.lonRad
				d := haversineM(p.latRad, lat, p.cosLat, cosLat, dl)
				if d > p.maxRangeM {
					continue
				}
				w.evalAt(p, d, dl, sinLat, cosLat, env, 0)
				b := w.best[p.group]
				w.best[p.group].site = -1
				w.touched = w.touched[:0]
				if b.site < 0 {
					continue
				}
				ub := class[int32(si)].ub[env]
				for _, at := range []float64{d, d * rng.Float64(), d / (1 + 1.0/(1<<boundMantBits)), min(d, boundD0M)} {
					if u := idx.upperBound(ub, at); !(u >= b.signal) {
						t.Fatalf("%s: site %d (%s, %g MHz, %g m) at %g m: signal %.9g dBm above the bound %.9g dBm at %g m",
							c.name, p.idx, p.model[env], p.freqMHz, p.heightM, d, b.signal, u, at)
					}
				}
				checked++
			}
		}
	}
	if checked < 10000 {
		t.Errorf("only %d pairs checked", checked)
	}
}

// TestLossLowerBoundMonotone checks each model's bound against the model
// itself on a fine distance ladder, with every point where a model changes
// formula (10 m, the breakpoints, 1 km) and its neighbours: the bound at a
// distance is never above the loss at that or any farther distance.
func TestLossLowerBoundMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	ext := Extensions{ShortRange: true, LongRange: true, AntennaHeight: true, COST231To2200MHz: true}
	for i := range 400 {
		mc := DefaultModelConfig()
		mc.Ext = ext
		mc.LOS = LOSMode(i % 3)
		mc.RuralRMa = RMaParams{BuildingHeightM: 5 + rng.Float64()*45, StreetWidthM: 5 + rng.Float64()*45}
		mc.SuburbanRMa = RMaParams{BuildingHeightM: 5 + rng.Float64()*45, StreetWidthM: 5 + rng.Float64()*45}
		tech := engine.Techs[rng.IntN(4)]
		f := []float64{150, 450, 900, 1500, 1800, 2100, 2600, 3500, 28000}[rng.IntN(9)]
		hb := 10 + rng.Float64()*290
		hm := 1 + rng.Float64()*21.5
		if rng.IntN(4) == 0 {
			hm = []float64{1, 1.5, 13, 22.5}[rng.IntN(4)]
		}
		env := Env(rng.IntN(int(numEnv)))
		m, err := mc.Select(tech, f, env)
		if err != nil {
			continue
		}
		if _, _, err := mc.PathLoss(tech, env, Link{f, hb, hm, 1000}); err != nil {
			continue // band or heights outside the model: BestServer rejects the site
		}
		var ha, hbk float64
		if m == ModelHata || m == ModelCOST231 {
			ha, hbk = hataCoeffs(f, hb, hm, envArea[env], m == ModelCOST231)
		}
		loss := func(d float64) float64 {
			l := Link{f, hb, hm, d}
			if m == ModelHata || m == ModelCOST231 {
				return hataEval(ha, hbk, l)
			}
			v, _, err := mc.PathLoss(tech, env, l)
			if err != nil {
				t.Fatalf("%s %g MHz at %g m: %v", m, f, d, err)
			}
			return v.DB
		}
		var ds []float64
		for d := 1.0; d < 40000; d *= 1.01 {
			ds = append(ds, d)
		}
		dBPUMa := 4 * (hb - 1) * (hm - 1) * f * 1e6 / speedOfLightMPerS
		dBPRMa := 2 * math.Pi * hb * hm * f * 1e6 / speedOfLightMPerS
		for _, x := range []float64{10, 18, 450, 1000, dBPUMa, dBPRMa} {
			ds = append(ds, x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)), x*(1-1e-9), x*(1+1e-9))
		}
		// Running minimum of the loss from the far end: the bound at d
		// must not exceed it.
		slices.Sort(ds)
		minFrom := math.Inf(1)
		for k := len(ds) - 1; k >= 0; k-- {
			d := ds[k]
			if !(d > 0) {
				continue
			}
			minFrom = min(minFrom, loss(d))
			l := Link{f, hb, hm, d}
			lb := lossLowerBoundDB(m, env, ha, hbk, l, &mc)
			if lb > minFrom+boundMarginDB/2 {
				t.Fatalf("%s %s %g MHz hb %g hm %g at %g m: bound %.12g dB above the least loss beyond, %.12g dB", m, mc.LOS, f, hb, hm, d, lb, minFrom)
			}
			// A taller Hata antenna's bound holds from 10 m.
			if (m == ModelHata || m == ModelCOST231) && d >= boundD0M {
				h2 := hb * heightBinRatio
				a2, b2 := hataCoeffs(f, h2, hm, envArea[env], m == ModelCOST231)
				if lb2 := lossLowerBoundDB(m, env, a2, b2, l, &mc); lb2 > minFrom+boundMarginDB/2 {
					t.Fatalf("%s %g MHz hb %g (bound at %g) at %g m: bound %.12g above %.12g", m, f, hb, h2, d, lb2, minFrom)
				}
			}
		}
	}
}

// TestFreeSpaceIsNotALowerBound records why the bound is per model: free
// space loss exceeds Hata's with a high mobile in open areas and UMa LOS
// near the site.
func TestFreeSpaceIsNotALowerBound(t *testing.T) {
	ext := Extensions{AntennaHeight: true}
	h, _ := HataDB(Link{900, 300, 22.5, 1000}, AreaOpen, ext)
	if fs := freeSpaceDB(math.Hypot(1000, 277.5), 900); !(h < fs-30) {
		t.Errorf("Hata %g dB, free space %g dB", h, fs)
	}
	u, _ := UMaDB(Link{3500, 25, 1.5, 50}, LOSModeLOS, ext)
	if fs := freeSpaceDB(math.Hypot(50, 23.5), 3500); !(u.DB < fs) {
		t.Errorf("UMa LOS %g dB, free space %g dB", u.DB, fs)
	}
}

// TestPruneApproximations: the bound table's index of a distance is the
// last tabulated distance at or below it, tabulated distances start at
// boundD0M or just above and step by at most 1 + 2^−boundMantBits;
// sinLower at or below math.Sin and within x⁵/120 of it, over its range.
func TestPruneApproximations(t *testing.T) {
	cfg := DefaultConfig()
	prep, carriers, _ := prepare([]engine.Site{site("a", engine.Viettel, engine.Tech4G, 105, 21)}, cfg, &Result{})
	idx := buildPruneIndex(prep, len(carriers)*4, &cfg, 1)
	dm := idx.boundDM
	if len(dm) < 100 || dm[0] < boundD0M || dm[0] > boundD0M*(1+1.0/(1<<boundMantBits)) {
		t.Fatalf("%d tabulated distances from %g m", len(dm), dm[0])
	}
	for j := 1; j < len(dm); j++ {
		if !(dm[j] > dm[j-1]) || dm[j] > dm[j-1]*(1+1.0/(1<<boundMantBits)) {
			t.Fatalf("tabulated distances %g, %g m", dm[j-1], dm[j])
		}
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for range 100000 {
		d := dm[0] * math.Exp(rng.Float64()*math.Log(dm[len(dm)-1]/dm[0]))
		if rng.IntN(10) == 0 {
			d = dm[rng.IntN(len(dm))] // on a tabulated distance
		}
		j := int(boundKey(d) - idx.key0)
		if j < 0 || j >= len(dm) || dm[j] > d || j+1 < len(dm) && dm[j+1] <= d {
			t.Fatalf("distance %g m: index %d of %d", d, j, len(dm))
		}
	}
	for x := 0.0; x <= math.Pi/2; x += 1e-4 {
		if s := sinLower(x); s > math.Sin(x) || math.Sin(x)-s > math.Pow(x, 5)/120+1e-15 {
			t.Fatalf("sinLower(%g) = %g, sin %g", x, s, math.Sin(x))
		}
	}
	if sinLower(-1) != 0 {
		t.Fatal("sinLower of a negative angle")
	}
	// siteMinDistM is below haversineM's distance, and within a relative
	// 1e-5 of it to 35 km (asin y ≥ y drops y³/6, 5e-6 of it at 35 km),
	// for pairs a few metres to a hemisphere apart; across the
	// antimeridian (a longitude difference near 2π, which the search's
	// buckets never pair) it is a bound only.
	for k := range 200000 {
		lat1 := (rng.Float64()*2 - 1) * 80
		lon1 := (rng.Float64()*2 - 1) * 180
		scale := math.Pow(10, -4+rng.Float64()*6) // 0.0001° to 100°
		lat2 := max(-89.9, min(89.9, lat1+(rng.Float64()*2-1)*scale))
		lon2 := lon1 + (rng.Float64()*2-1)*scale
		if k%50 == 0 {
			lon2 = -math.Copysign(180, lon1) + (rng.Float64()*2-1)*scale/10
		}
		lon2 = max(-180, min(180, lon2))
		p1, p2 := lat1*deg2rad, lat2*deg2rad
		dl := (lon2 - lon1) * deg2rad
		d := haversineM(p1, p2, math.Cos(p1), math.Cos(p2), dl)
		low := siteMinDistM(p2-p1, dl, math.Cos(p2), math.Cos(p1))
		if !(low <= d) || k%50 != 0 && d <= 35000 && low < d*(1-1e-5) {
			t.Fatalf("(%g, %g) to (%g, %g): lower bound %.17g m, distance %.17g m", lon1, lat1, lon2, lat2, low, d)
		}
	}
}

// buildBySort is groupIndex.build as a full sort at every split: the
// reference the selecting build must reproduce node for node.
func (gi *groupIndex) buildBySort(prep []prepSite, lo, hi int32) int32 {
	n := gi.leaf(prep, lo, hi)
	at := int32(len(gi.nodes))
	gi.nodes = append(gi.nodes, n)
	if hi-lo <= leafSites || n.latLo == n.latHi && n.lonLo == n.lonHi {
		return at
	}
	slices.SortFunc(gi.sites[lo:hi], splitOrder(prep, &n))
	mid := lo + (hi-lo)/2
	l := gi.buildBySort(prep, lo, mid)
	r := gi.buildBySort(prep, mid, hi)
	gi.nodes[at].left, gi.nodes[at].right = l, r
	return at
}

// TestGroupIndexBuildMatchesSort: the k-d tree built by selection has the
// nodes and the site order of one built by sorting at every split, on
// registers with repeated coordinates (ties broken by index), whole
// clusters at one point and every size around the leaf size.
func TestGroupIndexBuildMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 21))
	for c := range 300 {
		n := 1 + rng.IntN(40)
		if c%3 == 0 {
			n = 1 + rng.IntN(5000)
		}
		prep := make([]prepSite, n)
		for i := range prep {
			lon, lat := 105+rng.Float64(), 20+rng.Float64()
			switch rng.IntN(4) {
			case 0: // on a coarse lattice: many equal longitudes or latitudes
				lon, lat = 105+float64(rng.IntN(6))/10, 20+float64(rng.IntN(6))/10
			case 1:
				if c%5 == 0 { // a cluster at one point
					lon, lat = 105.5, 20.5
				}
			}
			prep[i].latRad, prep[i].lonRad = lat*deg2rad, lon*deg2rad
			prep[i].cosLat = math.Cos(prep[i].latRad)
		}
		sites := make([]int32, n)
		for i := range sites {
			sites[i] = int32(i)
		}
		got := &groupIndex{sites: slices.Clone(sites)}
		got.build(prep, 0, int32(n), nil)
		want := &groupIndex{sites: slices.Clone(sites)}
		want.buildBySort(prep, 0, int32(n))
		if !reflect.DeepEqual(got.nodes, want.nodes) || !slices.Equal(got.sites, want.sites) {
			t.Fatalf("case %d (%d sites): the selecting build differs from the sorting one", c, n)
		}
		if len(got.nodes) > maxNodes(n) {
			t.Fatalf("case %d (%d sites): %d nodes, room made for %d", c, n, len(got.nodes), maxNodes(n))
		}
	}
}

// TestDecimetreHeightsStayPruned: a register of heights to the decimetre
// has hundreds of distinct heights in a band. TR 38.901 (2100 MHz and
// above) is bounded per distinct height, so a class beyond maxBoundKeys
// heights had no bound and was searched site by site; splitByHeights keeps
// every class within the cap, and the search stays exact.
func TestDecimetreHeightsStayPruned(t *testing.T) {
	sites, pts := nationalWorld(3, 3000, 400)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range sites {
		sites[i].HeightM = math.Round(150+rng.Float64()*450) / 10 // 15.0–60.0 m
	}
	cfg := DefaultConfig()
	res := &Result{}
	prep, carriers, _ := prepare(sites, cfg, res)
	idx := buildPruneIndex(prep, len(carriers)*4, &cfg, 1)
	classes := 0
	for _, g := range idx.groups {
		for _, gi := range g {
			classes++
			hs := map[float64]bool{}
			for _, si := range gi.sites {
				hs[prep[si].heightM] = true
			}
			if len(hs) > maxBoundKeys {
				t.Errorf("group %d class of %d distinct heights (cap %d)", gi.group, len(hs), maxBoundKeys)
			}
			for e := range numEnv {
				if ub := gi.ub[e]; len(ub) > 0 && math.IsInf(ub[len(ub)-1], 1) {
					t.Errorf("group %d %s class of %d sites, environment %d: no bound", gi.group, gi.tech, len(gi.sites), e)
				}
			}
		}
	}
	want, err := bestServer(context.Background(), sites, pts, cfg, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := bestServer(context.Background(), sites, pts, cfg, true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d classes; evaluations: %d pruned, %d unpruned", classes, got.Evaluations, want.Evaluations)
	if got.Evaluations >= want.Evaluations {
		t.Errorf("pruned search evaluated %d of %d pairs", got.Evaluations, want.Evaluations)
	}
	got.Evaluations = want.Evaluations
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pruned result differs from the unpruned one (%d rows, %d unpruned)", got.Len(), want.Len())
	}
}
