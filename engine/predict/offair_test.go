package predict

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func TestMasts(t *testing.T) {
	sites := []engine.Site{
		site("A-3G", engine.Viettel, engine.Tech3G, 105.8, 21.0),
		site("A-4G", engine.Viettel, engine.Tech4G, 105.8, 21.0),           // same position: one mast
		site("A-4G", engine.Viettel, engine.Tech4G, 105.800004, 21.000004), // same site id, 0.5 m off
		site("A-3G", engine.MobiFone, engine.Tech3G, 105.8, 21.0),          // another carrier
		site("B", engine.Viettel, engine.Tech3G, 105.81, 21.0),
		site("C", engine.Viettel, engine.Tech3G, 105.8, 21.001), // 111 m north of A: another mast
	}
	got, n := Masts(sites)
	want := []int32{0, 0, 0, 1, 2, 3}
	if n != 4 || !slices.Equal(got, want) {
		t.Fatalf("masts %v (%d), want %v (4)", got, n, want)
	}
}

// offAirWorld is two omni masts of one carrier 4 km apart, each with a 3G
// and a 4G sector, and observations on a line from mast A towards B.
func offAirWorld() []engine.Site {
	return []engine.Site{
		site("A3", engine.Viettel, engine.Tech3G, 105.80, 21.0),
		site("A4", engine.Viettel, engine.Tech4G, 105.80, 21.0),
		site("B3", engine.Viettel, engine.Tech3G, 105.80, latOffset(21.0, 4000)),
		site("B4", engine.Viettel, engine.Tech4G, 105.80, latOffset(21.0, 4000)),
		site("C3", engine.Viettel, engine.Tech3G, 105.84, latOffset(21.0, 2000)),
	}
}

// offAirReadings returns one exact 3G observation every 150 m from 300 m
// to 1.8 km north of mast A (the first 11) and as many south of it, and
// 11 east of B and of C, each the prediction of the given sites plus
// N(0, 6²) noise (seeded): B and C are on the air, so the network's
// offset is theirs. Tests on both sides of A tell "off the air" from
// "standing farther away" (OffAir's displaced positions).
func offAirReadings(t *testing.T, truth []engine.Site, seed uint64) OffAirObs {
	t.Helper()
	var o OffAirObs
	reg := offAirWorld()
	for _, m := range []engine.Site{reg[0], reg[0], reg[2], reg[4]} {
		for d := 300.0; d <= 1800; d += 150 {
			if m.SiteID == "A3" {
				north := d
				if len(o.Lon) >= 11 {
					north = -d
				}
				addViettel3G(&o, m.Lon+0.0001, latOffset(m.Lat, north))
			} else {
				addViettel3G(&o, m.Lon+d/(earthRadiusM*math.Cos(m.Lat*deg2rad))*rad2deg, m.Lat)
			}
		}
	}
	r, err := BestServer(truth, Points{Lon: o.Lon, Lat: o.Lat, Env: o.Env}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	o.LevelDBm = make([]float64, len(o.Lon))
	for i := range o.LevelDBm {
		o.LevelDBm[i] = math.NaN()
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for j := range r.Len() {
		if r.Tech[j] == engine.Tech3G {
			o.LevelDBm[r.Point[j]] = r.SignalDBm[j] + 6*rng.NormFloat64()
		}
	}
	return o
}

// addViettel3G adds one suburban Viettel 3G observation at lon, lat, an
// exact reading whose level the caller sets.
func addViettel3G(o *OffAirObs, lon, lat float64) {
	o.Lon = append(o.Lon, lon)
	o.Lat = append(o.Lat, lat)
	o.Env = append(o.Env, EnvSuburban)
	o.Carrier = append(o.Carrier, engine.Viettel)
	o.Tech = append(o.Tech, engine.Tech3G)
	o.Upper = append(o.Upper, false)
	o.N = append(o.N, 1)
}

func mastOf(t *testing.T, r *OffAirResult, id string) OffAirMast {
	t.Helper()
	for _, m := range r.Masts {
		if slices.Contains(m.SiteIDs, id) {
			return m
		}
	}
	t.Fatalf("no mast with %s among %+v", id, r.Masts)
	return OffAirMast{}
}

func TestOffAirFindsASilentMast(t *testing.T) {
	reg := offAirWorld()
	cfg := DefaultConfig()
	// The tests read what B and C give: A is off the air.
	obs := offAirReadings(t, reg[2:], 1)
	r, err := OffAir(reg, obs, cfg, OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := mastOf(t, r, "A3")
	if !a.OffAir || a.POff < 0.95 || !slices.Equal(a.SiteIDs, []string{"A3", "A4"}) || a.MedianResidualDB > -10 {
		t.Fatalf("mast A off the air: %+v", a)
	}
	if got := r.Refs(); !slices.Equal(got, []SiteRef{{Carrier: engine.Viettel, SiteID: "A3"}, {Carrier: engine.Viettel, SiteID: "A4"}}) {
		t.Fatalf("refs %v", got)
	}
	// The same tests reading A: on the air.
	obs = offAirReadings(t, reg, 1)
	if r, err = OffAir(reg, obs, cfg, OffAirOptions{}); err != nil {
		t.Fatal(err)
	}
	if a := mastOf(t, r, "A3"); a.OffAir || a.POff > 0.01 {
		t.Fatalf("mast A on the air judged off: %+v", a)
	}
	if len(r.Off()) != 0 || len(r.Refs()) != 0 {
		t.Fatalf("off-air masts %+v", r.Off())
	}
}

// TestOffAirDisplacedMastStaysOn: mast A stands 500 m east of where the
// register puts it and beams east, so the tests along its registered
// meridian are behind it and read far below its prediction; it is on the
// air, and the displaced positions OffAir tries say so.
func TestOffAirDisplacedMastStaysOn(t *testing.T) {
	reg := offAirWorld()
	for i := range 2 {
		reg[i].AzimuthDeg, reg[i].BeamwidthDeg = 90, 65
	}
	truth := slices.Clone(reg)
	for i := range 2 {
		truth[i].Lon += 500 / (earthRadiusM * math.Cos(21*deg2rad)) * rad2deg
	}
	obs := offAirReadings(t, truth, 2)
	r, err := OffAir(reg, obs, DefaultConfig(), OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := mastOf(t, r, "A3")
	if a.OffAir || a.MedianResidualDB > -3 {
		t.Fatalf("a mast 500 m from its registered position called off the air (or the test's premise fails): %+v", a)
	}
}

// TestOffAirBoundsAlone: no-service bounds where A predicts a strong
// signal say A is off; with MinInformative above their number it is not
// called.
func TestOffAirBoundsAlone(t *testing.T) {
	reg := offAirWorld()
	cfg := DefaultConfig()
	obs := offAirReadings(t, reg, 1)
	// Around A (on both sides) only bounds; B's and C's tests set the
	// network's offset and spread.
	for i := range 22 {
		obs.Upper[i], obs.LevelDBm[i] = true, -115 // 3G no-service level
	}
	r, err := OffAir(reg, obs, cfg, OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := mastOf(t, r, "A3"); !a.OffAir {
		t.Fatalf("no-service everywhere A predicts service: %+v", a)
	}
	if r, err = OffAir(reg, obs, cfg, OffAirOptions{MinInformative: 50}); err != nil {
		t.Fatal(err)
	}
	if len(r.Off()) != 0 {
		t.Fatalf("called off with fewer informative observations than asked: %+v", r.Off())
	}
}

// TestOffAirLikelihoodRatio checks one observation's log-likelihood ratio
// against the formula on OffAir, computed here from BestServer's two
// predictions: a Gaussian mixture with ε = 0.05 and a uniform over 100 dB.
func TestOffAirLikelihoodRatio(t *testing.T) {
	reg := offAirWorld()
	cfg := DefaultConfig()
	pt := Points{Lon: []float64{105.8001, 105.8001}, Lat: []float64{latOffset(21.0, 600), latOffset(21.0, 3000)}, Env: []Env{EnvSuburban, EnvSuburban}}
	all, err := BestServer(reg, pt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	without, err := BestServer(reg[2:], pt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(r *Result, p int32) float64 {
		for j := range r.Len() {
			if r.Point[j] == p && r.Tech[j] == engine.Tech3G {
				return r.SignalDBm[j]
			}
		}
		t.Fatal("no 3G prediction")
		return 0
	}
	on, off := sig(all, 0), sig(without, 0)
	// Observation 0 near A reads 20 dB below A; observation 1 near B
	// reads B's prediction + 3 dB and sets the network's offset: with two
	// exact residuals (−20 and +3) the median is −8.5 and the spread
	// 1.4826 × their median absolute deviation, 11.5: 17.05 dB.
	y0, y1 := on-20, sig(all, 1)+3
	obs := OffAirObs{Lon: pt.Lon, Lat: pt.Lat, Env: pt.Env, Carrier: []engine.Carrier{engine.Viettel, engine.Viettel},
		Tech: []engine.Tech{engine.Tech3G, engine.Tech3G}, LevelDBm: []float64{y0, y1}, Upper: []bool{false, false}, N: []int32{1, 1}}
	r, err := OffAir(reg, obs, cfg, OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mu, sd := -8.5, 1.4826*11.5
	if len(r.Networks) != 1 || math.Abs(r.Networks[0].OffsetDB-mu) > 1e-9 || math.Abs(r.Networks[0].SigmaDB-sd) > 1e-9 {
		t.Fatalf("networks %+v, want offset %g σ %g", r.Networks, mu, sd)
	}
	l := func(m float64) float64 {
		z := (y0 - m) / sd
		return 0.95*math.Exp(-z*z/2)/(sd*math.Sqrt(2*math.Pi)) + 0.05/100
	}
	want := math.Log(l(off+mu)) - math.Log(l(on+mu))
	a := mastOf(t, r, "A3")
	if math.Abs(a.LogLR-want) > 1e-9 {
		t.Fatalf("log-likelihood ratio %g, want %g", a.LogLR, want)
	}
	if p := 1 / (1 + 19*math.Exp(-want)); math.Abs(a.POff-p) > 1e-12 {
		t.Fatalf("P(off) %g, want %g", a.POff, p)
	}
	if a.OffAir {
		t.Fatal("one informative observation called a mast off the air (MinInformative 3)")
	}
}

func TestMarkOffAir(t *testing.T) {
	reg := offAirWorld()
	reg[4].Status = engine.StatusPlanned
	out := MarkOffAir(reg, []SiteRef{{Carrier: engine.Viettel, SiteID: "A3"}, {Carrier: engine.Viettel, SiteID: "C3"}, {Carrier: engine.MobiFone, SiteID: "B3"}})
	want := []engine.SiteStatus{engine.StatusDown, engine.StatusActive, engine.StatusActive, engine.StatusActive, engine.StatusPlanned}
	for i, s := range out {
		if s.Status != want[i] {
			t.Fatalf("site %s: status %v, want %v", s.SiteID, s.Status, want[i])
		}
	}
	if reg[0].Status != engine.StatusActive {
		t.Fatal("MarkOffAir modified its input")
	}
	if got := MarkOffAir(reg, nil); &got[0] != &reg[0] {
		t.Fatal("no refs: the register should come back as is")
	}
	// SetOffAir: the same statuses, on the register itself.
	SetOffAir(reg, []SiteRef{{Carrier: engine.Viettel, SiteID: "A3"}, {Carrier: engine.Viettel, SiteID: "C3"}, {Carrier: engine.MobiFone, SiteID: "B3"}})
	for i, s := range reg {
		if s.Status != want[i] {
			t.Fatalf("SetOffAir: site %s: status %v, want %v", s.SiteID, s.Status, want[i])
		}
	}
}

func TestOffAirRejects(t *testing.T) {
	reg := offAirWorld()
	obs := offAirReadings(t, reg, 1)
	bad := obs
	bad.N = bad.N[1:]
	if _, err := OffAir(reg, bad, DefaultConfig(), OffAirOptions{}); err == nil {
		t.Fatal("ragged columns accepted")
	}
	bad = obs
	bad.LevelDBm = slices.Clone(obs.LevelDBm)
	bad.LevelDBm[2] = math.NaN()
	if _, err := OffAir(reg, bad, DefaultConfig(), OffAirOptions{}); err == nil {
		t.Fatal("NaN level accepted")
	}
	if _, err := OffAir(reg, obs, DefaultConfig(), OffAirOptions{Prior: 1.5}); err == nil {
		t.Fatal("prior 1.5 accepted")
	}
}

// TestMastsSharedSiteID: rows of one site_id far apart (a mistyped id)
// are separate masts, and SharedSiteIDs names them; rows of one id within
// MastSpreadM are one.
func TestMastsSharedSiteID(t *testing.T) {
	sites := []engine.Site{
		site("A", engine.Viettel, engine.Tech3G, 105.8, 21.0),
		site("A", engine.Viettel, engine.Tech4G, 105.8, latOffset(21.0, 250)),   // within 300 m: mast A
		site("A", engine.Viettel, engine.Tech2G, 105.8, latOffset(21.0, 10000)), // 10 km north: another mast
		site("B", engine.Viettel, engine.Tech3G, 105.8, latOffset(21.0, 10000)), // that mast's own id
		site("A", engine.MobiFone, engine.Tech3G, 105.9, 21.0),
	}
	got, n := Masts(sites)
	if want := []int32{0, 0, 1, 1, 2}; n != 3 || !slices.Equal(got, want) {
		t.Fatalf("masts %v (%d), want %v (3)", got, n, want)
	}
	sh := SharedSiteIDs(sites)
	if len(sh) != 1 || sh[0].Carrier != engine.Viettel || sh[0].SiteID != "A" || sh[0].Masts != 2 || math.Abs(sh[0].ApartM-10000) > 50 {
		t.Fatalf("shared site ids %+v, want viettel A at 2 masts 10 km apart", sh)
	}
	sites[2].Lat = latOffset(21.0, 350) // 350 m from A's first row, 100 m from its second
	if got, n = Masts(sites); n != 4 || got[2] == got[0] {
		// First-fit on the id's first row: 350 m is past MastSpreadM.
		t.Fatalf("masts %v (%d): a row 350 m from its id's first row joined it", got, n)
	}
}

// TestOffAirSharedSiteID: one sector of a healthy mast D, 10 km away,
// carries the site_id of off-air mast A's 3G sector (a typing error). A
// alone is off the air, and SetOffAir sets down A's rows, not D's.
func TestOffAirSharedSiteID(t *testing.T) {
	reg := offAirWorld()
	dLat := latOffset(21.0, -10000)
	reg = append(reg,
		site("D3", engine.Viettel, engine.Tech3G, 105.80, dLat),
		site("A3", engine.Viettel, engine.Tech4G, 105.80, dLat)) // D's 4G sector, mistyped
	obs := offAirReadings(t, reg[2:], 1) // A silent; D on the air
	r, err := OffAir(reg, obs, DefaultConfig(), OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Shared) != 1 || r.Shared[0].SiteID != "A3" || r.Shared[0].Masts != 2 {
		t.Fatalf("shared %+v", r.Shared)
	}
	off := r.Off()
	if len(off) != 1 || !slices.Equal(off[0].SiteIDs, []string{"A3", "A4"}) || !slices.Equal(off[0].SharedIDs, []string{"A3"}) ||
		off[0].Lat != 21.0 {
		t.Fatalf("off the air %+v, want mast A alone at its own position", off)
	}
	refs := r.Refs()
	want := []SiteRef{{Carrier: engine.Viettel, SiteID: "A3", Placed: true, Lon: 105.80, Lat: 21.0}, {Carrier: engine.Viettel, SiteID: "A4"}}
	if !slices.Equal(refs, want) {
		t.Fatalf("refs %+v, want %+v", refs, want)
	}
	SetOffAir(reg, refs)
	for i, s := range reg {
		down := i < 2 // A3 and A4 at A
		if (s.Status == engine.StatusDown) != down {
			t.Fatalf("row %d (%s at %.5f): status %v", i, s.SiteID, s.Lat, s.Status)
		}
	}
}

// TestOffAirBoundsOnlyNetwork: a network whose tests all read no service
// has no level to measure its offset and spread on; it is weighed with
// the uncalibrated prediction (offset 0) and BoundsOnlySigmaDB, not left
// out, so masts predicted to serve those tests strongly are called off.
func TestOffAirBoundsOnlyNetwork(t *testing.T) {
	reg := offAirWorld()
	obs := offAirReadings(t, reg, 1)
	for i := range obs.Upper {
		obs.Upper[i], obs.LevelDBm[i] = true, -115 // 3G no service everywhere
	}
	r, err := OffAir(reg, obs, DefaultConfig(), OffAirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []OffAirNetwork{{Carrier: engine.Viettel, Tech: engine.Tech3G, OffsetDB: 0, SigmaDB: DefaultBoundsOnlySigmaDB, BoundsOnly: true, WithinSigmaDB: DefaultBoundsOnlySigmaDB}}
	if !slices.Equal(r.Networks, want) {
		t.Fatalf("networks %+v, want %+v", r.Networks, want)
	}
	if a := mastOf(t, r, "A3"); !a.OffAir {
		t.Fatalf("no service wherever A predicts a strong signal, yet on the air: %+v", a)
	}
	// Bounds the prediction keeps ("at most −40 dBm" everywhere) say
	// nothing against the masts.
	for i := range obs.LevelDBm {
		obs.LevelDBm[i] = -40
	}
	if r, err = OffAir(reg, obs, DefaultConfig(), OffAirOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(r.Masts) == 0 || len(r.Off()) != 0 {
		t.Fatalf("weighed %d masts, off %+v", len(r.Masts), r.Off())
	}
	if _, err := OffAir(reg, obs, DefaultConfig(), OffAirOptions{BoundsOnlySigmaDB: -1}); err == nil {
		t.Fatal("a negative spread accepted")
	}
}
