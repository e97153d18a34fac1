package predict

import (
	"cmp"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

func site(id string, c engine.Carrier, tech engine.Tech, lon, lat float64) engine.Site {
	nan := math.NaN()
	return engine.Site{SiteID: id, Carrier: c, Tech: tech, Lon: lon, Lat: lat, BandMHz: nan, HeightM: nan,
		AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: nan}
}

// latOffset returns the latitude dM metres north of lat on H3's sphere.
func latOffset(lat, dM float64) float64 { return lat + dM/earthRadiusM*rad2deg }

func TestBestServerSingleSite(t *testing.T) {
	cfg := DefaultConfig()
	s := site("a", engine.Viettel, engine.Tech4G, 105.8, 21.0)
	pts := Points{Lon: []float64{105.8}, Lat: []float64{latOffset(21.0, 2000)}, Env: []Env{EnvUrban}}
	r, err := BestServer([]engine.Site{s}, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 1 || r.Site[0] != 0 || r.Carrier[0] != engine.Viettel || r.Tech[0] != engine.Tech4G || r.Model[0] != ModelCOST231 {
		t.Fatalf("result %+v", r)
	}
	// Composition of the documented pieces: 58 dBm − 30.79 dB − COST-231
	// (1800 MHz, 30 m, 1.5 m, 2 km, Cm 0) + vertical pattern at 0.82°
	// depression with 3° tilt.
	pl, _ := COST231DB(Link{1800, 30, 1.5, 2000}, AreaUrban, Extensions{})
	want := 58 + REShareDB(100) - pl + DefaultPattern().VerticalDB(DepressionDeg(30, 1.5, 2000), 3)
	near(t, "RSRP", r.SignalDBm[0], want, 1e-6)
	near(t, "distance", r.DistanceM[0], 2000, 1e-6)
	near(t, "sigma", r.SigmaDB[0], HataSigmaDB, 0)
	if r.Evaluations != 1 {
		t.Errorf("evaluations %d, want 1", r.Evaluations)
	}
}

// TestBestServerBlendsClasses checks a point between two classes
// (Points.EnvFrac): its loss is the share-weighted mean of the two
// classes' losses, so the signal is continuous as the share runs from 0
// to 1 and meets the next class's own.
func TestBestServerBlendsClasses(t *testing.T) {
	cfg := DefaultConfig()
	s := site("a", engine.Viettel, engine.Tech3G, 105.8, 21.0)
	s.BandMHz = 900
	at := func(env Env, frac float64) float64 {
		t.Helper()
		pts := Points{Lon: []float64{105.8}, Lat: []float64{latOffset(21.0, 2000)}, Env: []Env{env}, EnvFrac: []float64{frac}}
		r, err := BestServer([]engine.Site{s}, pts, cfg)
		if err != nil || r.Len() != 1 {
			t.Fatalf("env %v share %g: %v, %d rows", env, frac, err, r.Len())
		}
		return r.SignalDBm[0]
	}
	open, sub := at(EnvRural, 0), at(EnvSuburban, 0)
	// Hata at 900 MHz: the open-area and suburban corrections differ by
	// 28.50 − 9.94 = 18.56 dB (areaCorrectionDB), the whole difference.
	near(t, "open − suburban", open-sub, areaCorrectionDB(900, AreaOpen)-areaCorrectionDB(900, AreaSuburban), 1e-9)
	near(t, "open − suburban (published corrections)", open-sub, 18.56, 0.01)
	near(t, "share 0.25", at(EnvRural, 0.25), 0.75*open+0.25*sub, 1e-9)
	near(t, "share 0.5", at(EnvRural, 0.5), (open+sub)/2, 1e-9)
	near(t, "share → 1", at(EnvRural, 1-1e-12), sub, 1e-9)
	urb := at(EnvUrban, 0)
	near(t, "suburban share 0.3", at(EnvSuburban, 0.3), 0.7*sub+0.3*urb, 1e-9)
}

func TestBestServerRules(t *testing.T) {
	lat := 21.0
	sector := func(id string, az float64) engine.Site {
		s := site(id, engine.Viettel, engine.Tech4G, 105.8, lat)
		s.AzimuthDeg, s.BeamwidthDeg = az, 65
		return s
	}
	near1 := site("near", engine.VinaPhone, engine.Tech4G, 105.8, latOffset(lat, 1500))
	down := site("down", engine.VinaPhone, engine.Tech4G, 105.8, latOffset(lat, 2900))
	down.Status = engine.StatusDown
	planned := site("planned", engine.VinaPhone, engine.Tech4G, 105.8, latOffset(lat, 2950))
	planned.Status = engine.StatusPlanned
	far := site("far", engine.MobiFone, engine.Tech4G, 105.8, latOffset(lat, 16000)) // 13 km beyond the point: in range
	tooFar := site("too-far", engine.MobiFone, engine.Tech3G, 105.8, latOffset(lat, 19000))
	badTech := site("bad-tech", engine.MobiFone, engine.TechUnknown, 105.8, lat)
	badPos := site("bad-pos", engine.MobiFone, engine.Tech4G, math.NaN(), lat)
	badBand := site("bad-band", engine.MobiFone, engine.Tech2G, 105.8, lat)
	badBand.BandMHz = 100
	sites := []engine.Site{sector("away", 180), sector("toward", 0), near1, down, planned, far, tooFar, badTech, badPos, badBand}
	pts := Points{Lon: []float64{105.8}, Lat: []float64{latOffset(lat, 3000)}, Env: []Env{EnvSuburban}}
	cfg := DefaultConfig()
	r, err := BestServer(sites, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[engine.Carrier]int32{}
	for i := range r.Len() {
		got[r.Carrier[i]] = r.Site[i]
	}
	want := map[engine.Carrier]int32{engine.Viettel: 1, engine.VinaPhone: 2, engine.MobiFone: 5}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("servers %v, want %v", got, want)
	}
	// Rows sorted by carrier: mobifone, viettel, vinaphone.
	if !reflect.DeepEqual(r.Carrier, []engine.Carrier{engine.MobiFone, engine.Viettel, engine.VinaPhone}) {
		t.Errorf("row order %v", r.Carrier)
	}
	if !reflect.DeepEqual(r.Down, []int32{3}) || !reflect.DeepEqual(r.Planned, []int32{4}) {
		t.Errorf("down %v planned %v", r.Down, r.Planned)
	}
	var rej []int
	for _, e := range r.Rejected {
		rej = append(rej, e.Site)
	}
	if !reflect.DeepEqual(rej, []int{7, 8, 9}) {
		t.Errorf("rejected %v", rej)
	}
	if !errors.Is(r.Rejected[2], engine.ErrOutOfRange) {
		t.Errorf("100 MHz site: %v", r.Rejected[2])
	}
	// away, toward, near, far: four evaluations; too-far is beyond 15 km.
	if r.Evaluations != 4 {
		t.Errorf("evaluations %d, want 4", r.Evaluations)
	}
	cfg.IncludePlanned = true
	r, _ = BestServer(sites, pts, cfg)
	for i := range r.Len() {
		if r.Carrier[i] == engine.VinaPhone && r.Site[i] != 4 {
			t.Errorf("with planned sites VinaPhone served by %d, want 4", r.Site[i])
		}
	}
}

func TestBestServerStrictRangesCounted(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Models.Ext = Extensions{}
	s := site("a", engine.Viettel, engine.Tech2G, 105.8, 21.0)
	pts := Points{Lon: []float64{105.8, 105.8}, Lat: []float64{latOffset(21, 500), latOffset(21, 5000)}, Env: []Env{EnvRural, EnvRural}}
	r, err := BestServer([]engine.Site{s}, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 1 || r.Point[0] != 1 || r.OutOfRange != 1 || r.Evaluations != 1 {
		t.Errorf("rows %d point %v, out of range %d, evaluations %d", r.Len(), r.Point, r.OutOfRange, r.Evaluations)
	}
}

func TestBestServerInvalid(t *testing.T) {
	cfg := DefaultConfig()
	if _, err := BestServer(nil, Points{Lon: []float64{1}, Lat: nil, Env: nil}, cfg); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("ragged points: %v", err)
	}
	if _, err := BestServer(nil, Points{Lon: []float64{math.NaN()}, Lat: []float64{1}, Env: []Env{0}}, cfg); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("NaN point: %v", err)
	}
	pt := func(env Env, frac ...float64) Points {
		return Points{Lon: []float64{105}, Lat: []float64{21}, Env: []Env{env}, EnvFrac: frac}
	}
	for name, p := range map[string]Points{
		"share 1": pt(EnvRural, 1), "negative share": pt(EnvRural, -0.1), "NaN share": pt(EnvRural, math.NaN()),
		"share above dense urban": pt(EnvDenseUrban, 0.2), "ragged shares": pt(EnvRural, 0.1, 0.2),
	} {
		if _, err := BestServer(nil, p, cfg); !errors.Is(err, engine.ErrInvalidValue) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := BestServer(nil, pt(EnvDenseUrban, 0), cfg); err != nil {
		t.Errorf("dense urban with share 0: %v", err)
	}
	cfg.MobileHeightM = 0
	if _, err := BestServer(nil, Points{}, cfg); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("bad config: %v", err)
	}
}

// randomWorld returns nSites sites and nPts points in a box of Vietnam's
// Red River Delta, from a seeded generator.
func randomWorld(seed uint64, nSites, nPts int) ([]engine.Site, Points) {
	rng := rand.New(rand.NewPCG(seed, 1))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone}
	bands := map[engine.Tech][]float64{engine.Tech2G: {900}, engine.Tech3G: {900, 2100}, engine.Tech4G: {700, 1800, 2600}, engine.Tech5G: {2600, 3500}}
	sites := make([]engine.Site, nSites)
	for i := range sites {
		tech := engine.Techs[rng.IntN(4)]
		s := site("s", carriers[rng.IntN(3)], tech, 105+rng.Float64()*1.5, 20+rng.Float64()*1.5)
		s.BandMHz = bands[tech][rng.IntN(len(bands[tech]))]
		if rng.IntN(3) > 0 {
			s.AzimuthDeg = float64(rng.IntN(3)) * 120
			s.HeightM = 20 + rng.Float64()*30
		}
		if rng.IntN(20) == 0 {
			s.Status = engine.StatusDown
		}
		sites[i] = s
	}
	pts := Points{Lon: make([]float64, nPts), Lat: make([]float64, nPts), Env: make([]Env, nPts)}
	for i := range nPts {
		pts.Lon[i], pts.Lat[i], pts.Env[i] = 105+rng.Float64()*1.5, 20+rng.Float64()*1.5, Env(rng.IntN(4))
	}
	return sites, pts
}

func TestBestServerMatchesBruteForceAndIsDeterministic(t *testing.T) {
	sites, pts := randomWorld(7, 300, 400)
	cfg := DefaultConfig()
	cfg.Workers = 1
	r1, err := BestServer(sites, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 4
	r4, _ := BestServer(sites, pts, cfg)
	if !reflect.DeepEqual(r1, r4) {
		t.Fatal("results differ between 1 and 4 workers")
	}
	// Brute force over every site with the exported pieces.
	type key struct {
		p int32
		c engine.Carrier
		t engine.Tech
	}
	want := map[key]float64{}
	wantSite := map[key]int32{}
	var evals int64
	for p := range pts.Lon {
		for si, s := range sites {
			if s.Status != engine.StatusActive {
				continue
			}
			tp := cfg.Tech[s.Tech]
			d := GreatCircleM(s.Lon, s.Lat, pts.Lon[p], pts.Lat[p])
			if d > tp.MaxRangeM {
				continue
			}
			evals++
			h := orDefault(s.HeightM, 30)
			loss, _, err := cfg.Models.PathLoss(s.Tech, pts.Env[p], Link{s.BandMHz, h, 1.5, d})
			if err != nil {
				t.Fatal(err)
			}
			g := cfg.Pattern.GainDB(s.AzimuthDeg, s.BeamwidthDeg, BearingDeg(s.Lon, s.Lat, pts.Lon[p], pts.Lat[p]), DepressionDeg(h, 1.5, d), 3)
			sig := SignalDBm(tp.EIRPDBm, tp.ShareDB(s.Tech), loss.DB, g)
			k := key{int32(p), s.Carrier, s.Tech}
			if old, ok := want[k]; !ok || sig > old {
				want[k], wantSite[k] = sig, int32(si)
			}
		}
	}
	// The unpruned search computes every pair in range; the pruned one
	// fewer, with the same result.
	full, err := bestServer(context.Background(), sites, pts, cfg, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Len() != len(want) || full.Evaluations != evals || r1.Evaluations > evals {
		t.Fatalf("rows %d evaluations %d pruned, %d unpruned; brute force %d and %d", r1.Len(), r1.Evaluations, full.Evaluations, len(want), evals)
	}
	full.Evaluations = r1.Evaluations
	if !reflect.DeepEqual(r1, full) {
		t.Fatal("pruned and unpruned results differ")
	}
	for i := range r1.Len() {
		k := key{r1.Point[i], r1.Carrier[i], r1.Tech[i]}
		if math.Abs(r1.SignalDBm[i]-want[k]) > 1e-6 || r1.Site[i] != wantSite[k] {
			t.Errorf("%v: %g dBm site %d, brute force %g dBm site %d", k, r1.SignalDBm[i], r1.Site[i], want[k], wantSite[k])
		}
		if i > 0 && (r1.Point[i] < r1.Point[i-1] || r1.Point[i] == r1.Point[i-1] && r1.Carrier[i] < r1.Carrier[i-1]) {
			t.Fatalf("row %d out of order", i)
		}
	}
}

// nationalWorld returns nSites sector rows on three-sector masts and nPts
// points over a 4° × 4° box: two thirds of masts and points in 40 towns
// (σ 3 km), the rest spread evenly, as in a national register.
func nationalWorld(seed uint64, nSites, nPts int) ([]engine.Site, Points) {
	rng := rand.New(rand.NewPCG(seed, 2))
	carriers := []engine.Carrier{engine.Viettel, engine.VinaPhone, engine.MobiFone}
	towns := make([][2]float64, 40)
	for i := range towns {
		towns[i] = [2]float64{104 + rng.Float64()*4, 18 + rng.Float64()*4}
	}
	place := func() (float64, float64) {
		if rng.IntN(3) > 0 {
			c := towns[rng.IntN(len(towns))]
			return c[0] + rng.NormFloat64()*0.03, c[1] + rng.NormFloat64()*0.03
		}
		return 104 + rng.Float64()*4, 18 + rng.Float64()*4
	}
	sites := threeSectorMasts(rng, nSites, carriers, place, 15, 31)
	pts := Points{Lon: make([]float64, nPts), Lat: make([]float64, nPts), Env: make([]Env, nPts)}
	for i := range nPts {
		pts.Lon[i], pts.Lat[i] = place()
		pts.Env[i] = Env(rng.IntN(4))
	}
	return sites, pts
}

// threeSectorMasts returns n sector rows on three-sector masts placed by
// place: a mast's technology drawn from a mix weighted to 4G, its carrier
// from carriers, its band from the technology's usual ones, its height
// minHeightM + [0, heightSpan) m and its first azimuth in [0, 120)°.
func threeSectorMasts(rng *rand.Rand, n int, carriers []engine.Carrier, place func() (float64, float64), minHeightM, heightSpan int) []engine.Site {
	bands := map[engine.Tech][]float64{engine.Tech2G: {900}, engine.Tech3G: {900, 2100}, engine.Tech4G: {700, 1800, 1800, 2600}, engine.Tech5G: {2600, 3500}}
	techs := []engine.Tech{engine.Tech2G, engine.Tech3G, engine.Tech4G, engine.Tech4G, engine.Tech4G, engine.Tech5G}
	sites := make([]engine.Site, 0, n)
	for len(sites) < n {
		lon, lat := place()
		tech := techs[rng.IntN(len(techs))]
		s := site("s", carriers[rng.IntN(len(carriers))], tech, lon, lat)
		s.BandMHz = bands[tech][rng.IntN(len(bands[tech]))]
		s.HeightM = float64(minHeightM + rng.IntN(heightSpan))
		az := float64(rng.IntN(120))
		for k := 0; k < 3 && len(sites) < n; k++ {
			s.AzimuthDeg = az + float64(k)*120
			sites = append(sites, s)
		}
	}
	return sites
}

// BenchmarkBestServer reports, per run, the signals computed (evals) and
// the (point, site) pairs within range the search answers for (pairs),
// per operation and per second.
//
// province: 2,000 sites over 150 km × 165 km and 20,000 points (a
// provincial batch of res-8 hexes). national: 20,000 sector rows and
// 50,000 points (see nationalWorld); each operation runs the unpruned
// reference and the pruned search back to back, and unpruned/pruned is
// their time ratio in the same run.
func BenchmarkBestServer(b *testing.B) {
	b.Run("province", func(b *testing.B) {
		sites, pts := randomWorld(1, 2000, 20000)
		cfg := DefaultConfig()
		full, err := bestServer(context.Background(), sites, pts, cfg, false, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		var evals, n int64
		for b.Loop() {
			r, err := BestServer(sites, pts, cfg)
			if err != nil {
				b.Fatal(err)
			}
			evals += r.Evaluations
			n++
		}
		s := b.Elapsed().Seconds()
		b.ReportMetric(float64(evals)/float64(n), "evals/op")
		b.ReportMetric(float64(evals)/s, "evals/s")
		b.ReportMetric(float64(full.Evaluations*n)/s, "pairs/s")
	})
	b.Run("national", func(b *testing.B) { benchNational(b, false) })
	// The points in rows of about 2 km, as the pipeline asks for hexes
	// in cell order and villages by commune: neighbours follow each other.
	b.Run("national-ordered", func(b *testing.B) { benchNational(b, true) })
}

func benchNational(b *testing.B, ordered bool) {
	{
		sites, pts := nationalWorld(1, 20000, 50000)
		if ordered {
			pts = rowOrder(pts, 0.02)
		}
		cfg := DefaultConfig()
		b.ReportAllocs()
		var tPruned, tFull time.Duration
		var evals, pairs int64
		for b.Loop() {
			t0 := time.Now()
			full, err := bestServer(context.Background(), sites, pts, cfg, false, nil, nil)
			t1 := time.Now()
			r, err2 := bestServer(context.Background(), sites, pts, cfg, true, nil, nil)
			t2 := time.Now()
			if err != nil || err2 != nil {
				b.Fatal(err, err2)
			}
			tFull += t1.Sub(t0)
			tPruned += t2.Sub(t1)
			evals += r.Evaluations
			pairs += full.Evaluations
		}
		b.ReportMetric(float64(evals)/float64(b.N), "evals/op")
		b.ReportMetric(float64(pairs)/float64(b.N), "pairs/op")
		b.ReportMetric(float64(evals)/tPruned.Seconds(), "evals/s")
		b.ReportMetric(float64(pairs)/tPruned.Seconds(), "pairs/s")
		b.ReportMetric(tFull.Seconds()/tPruned.Seconds(), "unpruned/pruned")
	}
}

// rowOrder returns pts sorted into rows of rowDeg degrees of latitude,
// west to east within a row.
func rowOrder(pts Points, rowDeg float64) Points {
	idx := make([]int, len(pts.Lon))
	for i := range idx {
		idx[i] = i
	}
	row := func(i int) float64 { return math.Floor(pts.Lat[i] / rowDeg) }
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(row(a), row(b)); c != 0 {
			return c
		}
		return cmp.Compare(pts.Lon[a], pts.Lon[b])
	})
	out := Points{Lon: make([]float64, len(idx)), Lat: make([]float64, len(idx)), Env: make([]Env, len(idx))}
	for k, i := range idx {
		out.Lon[k], out.Lat[k], out.Env[k] = pts.Lon[i], pts.Lat[i], pts.Env[i]
	}
	return out
}

// TestBestServerWithout checks each point's best server with one mast's
// sites left out against BestServer over the register without that mast,
// point by point, pruned and unpruned.
func TestBestServerWithout(t *testing.T) {
	sites, pts := nationalWorld(7, 600, 300)
	// Masts: the three sectors appended together share one group.
	group := make([]int32, len(sites))
	for i := range sites {
		group[i] = int32(i / 3)
	}
	masts := int32((len(sites) + 2) / 3)
	rng := rand.New(rand.NewPCG(3, 4))
	cfg := DefaultConfig()
	all, err := BestServer(sites, pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Half the points leave out the mast serving their first network, the
	// others a random mast or none (−1).
	without := make([]int32, len(pts.Lon))
	for i := range without {
		without[i] = int32(rng.IntN(int(masts)+1)) - 1
	}
	served := 0
	for j := range all.Len() {
		if i := all.Point[j]; i%2 == 0 && (j == 0 || all.Point[j-1] != i) {
			without[i] = group[all.Site[j]]
			served++
		}
	}
	if served < 50 {
		t.Fatalf("only %d points served", served)
	}
	for _, prune := range []bool{false, true} {
		got, err := bestServer(context.Background(), sites, pts, cfg, prune, group, without)
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		for i := range pts.Lon {
			var kept []engine.Site
			for s := range sites {
				if group[s] != without[i] {
					kept = append(kept, sites[s])
				}
			}
			one := Points{Lon: pts.Lon[i : i+1], Lat: pts.Lat[i : i+1], Env: pts.Env[i : i+1]}
			want, err := bestServer(context.Background(), kept, one, cfg, false, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want.Len() {
				for rows < got.Len() && got.Point[rows] < int32(i) {
					rows++
				}
				if rows >= got.Len() || got.Point[rows] != int32(i) || got.Carrier[rows] != want.Carrier[j] || got.Tech[rows] != want.Tech[j] {
					t.Fatalf("prune %v point %d: %s %s missing", prune, i, want.Carrier[j], want.Tech[j])
				}
				if got.SignalDBm[rows] != want.SignalDBm[j] || sites[got.Site[rows]].AzimuthDeg != kept[want.Site[j]].AzimuthDeg ||
					group[got.Site[rows]] == without[i] {
					t.Fatalf("prune %v point %d %s %s: %g dBm, want %g", prune, i, want.Carrier[j], want.Tech[j], got.SignalDBm[rows], want.SignalDBm[j])
				}
				rows++
			}
		}
		if rows != got.Len() {
			t.Fatalf("prune %v: %d rows, %d expected", prune, got.Len(), rows)
		}
	}
	if _, err := BestServerWithout(sites, group[1:], pts, without, cfg); err == nil {
		t.Fatal("short group column accepted")
	}
}

// BestServerContext stops with the context's error once it is done.
func TestBestServerContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	site := engine.Site{SiteID: "S1", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: 105.8, Lat: 21.0, BandMHz: 1800,
		HeightM: 30, AzimuthDeg: 0, BeamwidthDeg: 65, TiltDeg: 3, EIRPDBm: 60, Status: engine.StatusActive}
	pts := Points{Lon: []float64{105.801}, Lat: []float64{21.001}, Env: []Env{EnvUrban}}
	if _, err := BestServerContext(ctx, []engine.Site{site}, pts, DefaultConfig()); !errors.Is(err, context.Canceled) {
		t.Fatalf("BestServerContext with a cancelled context: %v, want context.Canceled", err)
	}
	if r, err := BestServerContext(context.Background(), []engine.Site{site}, pts, DefaultConfig()); err != nil || r.Len() != 1 {
		t.Fatalf("BestServerContext: %v, %d rows, want 1", err, r.Len())
	}
}

// TestBestServerHeightClamped: a mast of a register height outside the
// models' 10–300 m (a 6 m pole, a 400 m tower) is predicted at the nearer
// bound and listed in HeightClamped, not rejected; a height inside is
// taken as given.
func TestBestServerHeightClamped(t *testing.T) {
	cfg := DefaultConfig()
	pts := Points{Lon: []float64{105.8}, Lat: []float64{latOffset(21.0, 2000)}, Env: []Env{EnvUrban}}
	signal := func(h float64) (float64, *Result) {
		s := site("a", engine.Viettel, engine.Tech4G, 105.8, 21.0)
		s.HeightM = h
		r, err := BestServer([]engine.Site{s}, pts, cfg)
		if err != nil || len(r.Rejected) > 0 || r.Len() != 1 {
			t.Fatalf("height %g: %v %+v", h, err, r)
		}
		return r.SignalDBm[0], r
	}
	for _, c := range []struct{ h, as float64 }{{6, BaseHeightMinM}, {1, BaseHeightMinM}, {400, BaseHeightMaxM}} {
		got, r := signal(c.h)
		want, rw := signal(c.as)
		if got != want || len(r.HeightClamped) != 1 || r.HeightClamped[0] != 0 || len(rw.HeightClamped) != 0 {
			t.Errorf("height %g: %g dBm (clamped %v), want %g as at %g m", c.h, got, r.HeightClamped, want, c.as)
		}
	}
	if _, r := signal(25); len(r.HeightClamped) != 0 {
		t.Errorf("25 m clamped: %v", r.HeightClamped)
	}
}

// TestBestServerBandClamped: a site of a register band outside the
// models' range (5G at 450 MHz, 4G at 40 GHz: the contract takes 400–
// 100,000 MHz) is predicted at the nearer bound and listed in
// BandClamped, not rejected; a band inside is taken as given.
func TestBestServerBandClamped(t *testing.T) {
	cfg := DefaultConfig()
	pts := Points{Lon: []float64{105.8}, Lat: []float64{latOffset(21.0, 500)}, Env: []Env{EnvRural}}
	signal := func(tech engine.Tech, f float64) (float64, *Result) {
		s := site("a", engine.Viettel, tech, 105.8, 21.0)
		s.BandMHz = f
		r, err := BestServer([]engine.Site{s}, pts, cfg)
		if err != nil || len(r.Rejected) > 0 || r.Len() != 1 {
			t.Fatalf("%s at %g MHz: %v %+v", tech, f, err, r)
		}
		return r.SignalDBm[0], r
	}
	for _, c := range []struct {
		tech  engine.Tech
		f, as float64
	}{{engine.Tech5G, 450, BandMinMHz5G}, {engine.Tech4G, 40000, BandMaxMHz}, {engine.Tech5G, 100000, BandMaxMHz}} {
		got, r := signal(c.tech, c.f)
		want, rw := signal(c.tech, c.as)
		if got != want || !slices.Equal(r.BandClamped, []int32{0}) || len(rw.BandClamped) != 0 {
			t.Errorf("%s at %g MHz: %g dBm (clamped %v), want %g as at %g MHz", c.tech, c.f, got, r.BandClamped, want, c.as)
		}
	}
	for _, c := range []struct {
		tech engine.Tech
		f    float64
	}{{engine.Tech2G, 400}, {engine.Tech4G, 1800}, {engine.Tech5G, 3500}} {
		if _, r := signal(c.tech, c.f); len(r.BandClamped) != 0 {
			t.Errorf("%s at %g MHz clamped", c.tech, c.f)
		}
	}
}

// TestBestServerEvaluationsDeterministic: the search's result, its
// evaluation count included, does not depend on how many workers share
// the points or which chunks each takes (each chunk starts its seeds
// afresh).
func TestBestServerEvaluationsDeterministic(t *testing.T) {
	sites, pts := randomWorld(3, 2000, 6000)
	pts = rowOrder(pts, 0.02)
	var ref *Result
	for _, workers := range []int{1, 3, 7} {
		cfg := DefaultConfig()
		cfg.Workers = workers
		r, err := BestServer(sites, pts, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = r
			continue
		}
		if r.Evaluations != ref.Evaluations || !reflect.DeepEqual(r, ref) {
			t.Fatalf("%d workers: %d evaluations, 1 worker: %d (or the results differ)", workers, r.Evaluations, ref.Evaluations)
		}
	}
}

// TestBestServerEqualsEveryPairWhole: the search leaves out work that
// cannot change its answer (the pruned tree, and a sector's bearing
// where its gain with the vertical term alone loses); its signals,
// bit for bit, and servers (ties to the lower index) are those of every
// pair in range evaluated whole, loss and full antenna gain.
func TestBestServerEqualsEveryPairWhole(t *testing.T) {
	sites, pts := nationalWorld(5, 900, 400)
	rng := rand.New(rand.NewPCG(9, 9))
	pts.EnvFrac = make([]float64, len(pts.Lon))
	for i := range pts.EnvFrac {
		if pts.Env[i] != EnvDenseUrban && rng.IntN(2) == 0 {
			pts.EnvFrac[i] = rng.Float64()
		}
	}
	for i := range sites {
		switch i % 40 {
		case 1: // a mast's sector as an omni antenna
			sites[i].AzimuthDeg = math.NaN()
		case 2: // a sector the same as its predecessor: a tie
			sites[i] = sites[i-1]
		}
	}
	cfg := DefaultConfig()
	prep, carriers, coefs := prepare(sites, cfg, &Result{})
	w := newWorker(len(carriers)*4, cfg, coefs)
	type key struct {
		p int
		g int32
	}
	type pick struct {
		site int32
		sig  float64
	}
	want := map[key]pick{}
	for i := range pts.Lon {
		latRad := pts.Lat[i] * deg2rad
		sinLat, cosLat := math.Sin(latRad), math.Cos(latRad)
		for k := range prep {
			p := &prep[k]
			dl := pts.Lon[i]*deg2rad - p.lonRad
			d := haversineM(p.latRad, latRad, p.cosLat, cosLat, dl)
			if d > p.maxRangeM {
				continue
			}
			l := Link{FreqMHz: p.freqMHz, HBaseM: p.heightM, HMobileM: cfg.MobileHeightM, DistanceM: d}
			loss, _, ok := w.blendedLoss(p, l, pts.Env[i], pts.frac(i))
			if !ok {
				continue
			}
			bearing := bearingRad(p.sinLat, p.cosLat, sinLat, cosLat, dl)
			gain := cfg.Pattern.GainDB(p.azimuthDeg, p.beamDeg, bearing, DepressionDeg(p.heightM, cfg.MobileHeightM, d), p.tiltDeg)
			sig := p.signalBaseDBm - loss.DB + gain
			kk := key{i, p.group}
			if b, ok := want[kk]; !ok || sig > b.sig || sig == b.sig && p.idx < b.site {
				want[kk] = pick{p.idx, sig}
			}
		}
	}
	for _, prune := range []bool{false, true} {
		got, err := bestServer(context.Background(), sites, pts, cfg, prune, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() != len(want) {
			t.Fatalf("prune %v: %d rows, every pair whole %d", prune, got.Len(), len(want))
		}
		for j := range got.Len() {
			ci, _ := slices.BinarySearch(carriers, got.Carrier[j])
			b := want[key{int(got.Point[j]), int32(ci*4 + int(got.Tech[j]) - 1)}]
			if got.Site[j] != b.site || math.Float64bits(got.SignalDBm[j]) != math.Float64bits(b.sig) {
				t.Fatalf("prune %v row %d: site %d %.17g dBm, every pair whole site %d %.17g dBm", prune, j, got.Site[j], got.SignalDBm[j], b.site, b.sig)
			}
		}
	}
}
