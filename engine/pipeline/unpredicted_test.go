package pipeline

import (
	"math"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/radiomap"
)

// The ordinary kriging of a key's readings without prediction, against
// its closed forms: one cell at distance d (Δ km east) gives its level
// with variance 2(C(0) − C(d)) + 2·nugget + v + τ²Δ²; k cells at one spot
// give their mean level with variance s + (nugget + v)/k, s = 2(C(0) −
// C(d)) + nugget + τ²Δ² — cells together count as about one witness, not
// k, and the level's unknown slope does not average away.
func TestUnpredictedKrige(t *testing.T) {
	m := radiomap.Model{SharedSillDB2: 48, SharedRangeM: 300, OwnSillDB2: 16, OwnRangeM: 800, NuggetDB2: 4}
	k := deadzone.Key{Carrier: "vinaphone", Tech: engine.Tech4G}
	other := deadzone.Key{Carrier: "viettel", Tech: engine.Tech4G}
	const lon, lat = 103.45, 22.40
	dLon := 313 / radiomap.DistanceM(lon, lat, lon+1, lat) // 313 m east, in degrees
	c0, cd := m.Cov(0, true), m.Cov(radiomap.DistanceM(lon, lat, lon+dLon, lat), true)
	dKm := dLon * math.Cos(lat*math.Pi/180) * math.Pi / 180 * radiomap.EarthRadiusM / 1000
	trend := UnpredictedGradientDBPerKm * UnpredictedGradientDBPerKm * dKm * dKm
	near := func(cells ...unpredCell) unpredNear {
		u := &unpredicted{}
		for _, c := range cells {
			u.add(c.lon, c.lat, c.key, c.level, c.v, c.upper)
		}
		u.index()
		return u.near(lon, lat)
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

	one := near(unpredCell{lon + dLon, lat, k, -75, 2, false})
	mean, v, ok := one.krige(k, lon, lat, m)
	if want := 2*(c0-cd) + 2*m.NuggetDB2 + 2 + trend; !ok || !close(mean, -75) || !close(v, want) {
		t.Errorf("one cell at 313 m: %v ± %v (%v), want -75, variance %v", mean, v, ok, want)
	}
	var cells []unpredCell
	for _, level := range []float64{-70, -74, -78, -82} {
		cells = append(cells, unpredCell{lon + dLon, lat, k, level, 2, false})
	}
	cells = append(cells, unpredCell{lon + dLon, lat, other, -60, 2, false})
	four := near(cells...)
	mean, v, ok = four.krige(k, lon, lat, m)
	s := 2*(c0-cd) + m.NuggetDB2 + trend
	if want := s + (m.NuggetDB2+2)/4; !ok || !close(mean, -76) || !close(v, want) {
		t.Errorf("four cells at one spot: %v ± %v, want -76, variance %v", mean, v, want)
	}
	if got := four.keys(); len(got) != 2 || got[0] != other || got[1] != k {
		t.Errorf("keys %v", got)
	}
	// A cell beyond UnpredictedRadiusM is not read; a key without cells
	// is not kriged.
	far := near(unpredCell{lon + dLon*UnpredictedRadiusM/313*1.01, lat, k, -60, 2, false})
	if _, _, ok := far.krige(k, lon, lat, m); ok || len(far.cells) != 0 {
		t.Errorf("a cell beyond %d m read: %+v", UnpredictedRadiusM, far)
	}
	if _, _, ok := one.krige(other, lon, lat, m); ok {
		t.Error("a key without cells kriged")
	}
	// A bound of the key nearer the place than every level: not kriged
	// (the bounds are not, and the levels farther off would overrule
	// it); a bound farther off than a level is left to the field.
	bound := near(unpredCell{lon + dLon/3, lat, k, -140, 2, true}, unpredCell{lon + dLon, lat, k, -75, 2, false})
	if _, _, ok := bound.krige(k, lon, lat, m); ok {
		t.Error("kriged past a nearer bound")
	}
	beyond := near(unpredCell{lon + dLon*2, lat, k, -140, 2, true}, unpredCell{lon + dLon, lat, k, -75, 2, false})
	if mean, _, ok := beyond.krige(k, lon, lat, m); !ok || !close(mean, -75) {
		t.Errorf("a bound beyond the level: %v %v", mean, ok)
	}
	// No readings: nothing near, from a nil index too.
	var none *unpredicted
	if n := none.near(lon, lat); len(n.cells) != 0 {
		t.Error("nil index")
	}
}

// A village's tests without service within 300 m count every test the
// data contract counts so: no network, emergency calls only, and a
// reading at or below the reporting floor (censored). Emergency and
// censored rows moved the verdict and were left out of the count.
func TestNearbyNoServiceCountsEmergencyAndCensored(t *testing.T) {
	v := worldVillages[1]
	b := &engine.MeasurementBatch{}
	for i, c := range []struct {
		service engine.Service
		dbm     float64
	}{{engine.ServiceNone, math.NaN()}, {engine.ServiceEmergency, math.NaN()}, {engine.ServiceOK, -158}, {engine.ServiceOK, -80}} {
		b.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*60_000, Carrier: engine.Viettel, Tech: engine.Tech4G,
			Lon: v.Lon, Lat: v.Lat, SignalDBm: c.dbm, Service: c.service,
			RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
			Source: engine.SourceCrowd, DeviceID: "p", DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor})
	}
	r, err := DeadZones(t.Context(), storeOf(t, worldVillages, b), worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := villageByID(t, r, v.ID).Nearby; got.Tests != 4 || got.NoService != 3 {
		t.Errorf("evidence %+v, want 4 tests, 3 without service", got)
	}
}

// A carrier missing from the register, measured strong 320 m from a
// village no registered 3G/4G site reaches: the village is served by its
// readings, not confirmed dead (only readings within 300 m were read for a
// key without prediction). Beyond UnpredictedRadiusM they are not read.
func TestUnregisteredCarrierNearVillage(t *testing.T) {
	v := worldVillages[6] // V7: only Viettel 2G reaches it
	if v.ID != "V7" {
		t.Fatalf("village %s, want V7", v.ID)
	}
	at := func(m float64) *engine.MeasurementBatch {
		b := worldTests(true)
		dLon := m / radiomap.DistanceM(v.Lon, v.Lat, v.Lon+1, v.Lat)
		for i := range 12 {
			b.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*60_000, Carrier: engine.VinaPhone, Tech: engine.Tech4G,
				Lon: v.Lon + dLon, Lat: v.Lat, SignalDBm: -75, Service: engine.ServiceOK,
				RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
				Source: engine.SourceCrowd, DeviceID: "p", DeviceClass: engine.DeviceSmartphone, Environment: engine.EnvOutdoor})
		}
		return b
	}
	for _, c := range []struct {
		m      float64
		served bool
	}{{320, true}, {UnpredictedRadiusM + 300, false}} {
		r, err := DeadZones(t.Context(), storeOf(t, worldVillages, at(c.m)), worldOptions())
		if err != nil {
			t.Fatal(err)
		}
		got := villageByID(t, r, "V7")
		if served := got.Verdict.PDead < 0.2 && got.Verdict.Best.Carrier == engine.VinaPhone; served != c.served {
			t.Errorf("vinaphone readings %.0f m off: p_dead %v (best %v), served %v, want %v", c.m, got.Verdict.PDead, got.Verdict.Best, served, c.served)
		}
	}
}
