package pipeline

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/challenge"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/plan"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
	"github.com/lomsong/lomsong/engine/radiomap"
	"github.com/lomsong/lomsong/engine/scorecard"
	"github.com/lomsong/lomsong/geodata"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The small world: three site sectors at one mast (lon 103.30, lat
// 22.40), Viettel 4G, MobiFone 3G and Viettel 2G at low EIRPs (50, 54 and
// 37 dBm); villages east of it along lat 22.40 and one north. The
// predictions at V3, 2.57 km east in a suburban hex, are MobiFone 3G
// −97.1 dBm (2.9 dB above the threshold: served), Viettel 2G −94.6 and
// Viettel 4G −120.2 dBm; V7, 15 km east, has only Viettel 2G (−103.8).
var (
	worldVillages = []engine.Village{
		{ID: "V1", Name: "Bản Một", CommuneCode: "C1", Lon: 103.305, Lat: 22.40, Households: 120},
		{ID: "V2", Name: "Bản Hai", CommuneCode: "C1", Lon: 103.315, Lat: 22.40, Households: 80},
		{ID: "V3", Name: "Bản Ba", CommuneCode: "C1", Lon: 103.325, Lat: 22.40, Households: 60},
		{ID: "V4", Name: "Bản Bốn", CommuneCode: "C2", Lon: 103.340, Lat: 22.40, Households: 45},
		{ID: "V5", Name: "Bản Năm", CommuneCode: "C2", Lon: 103.360, Lat: 22.40, Households: 30},
		{ID: "V6", Name: "Bản Sáu", CommuneCode: "C2", Lon: 103.300, Lat: 22.41, Households: 90},
		{ID: "V7", Name: "Bản Bảy", CommuneCode: "C2", Lon: 103.450, Lat: 22.40, Households: 25},
	}
	worldT0 = time.Date(2026, 10, 5, 3, 0, 0, 0, time.UTC).UnixMilli()
)

func worldSites() []engine.Site {
	nan := math.NaN()
	site := func(id string, c engine.Carrier, tech engine.Tech, eirp float64) engine.Site {
		return engine.Site{SiteID: id, Carrier: c, Tech: tech, Lon: 103.30, Lat: 22.40, BandMHz: nan, HeightM: nan,
			AzimuthDeg: nan, BeamwidthDeg: nan, TiltDeg: nan, EIRPDBm: eirp}
	}
	return []engine.Site{site("VT-L", engine.Viettel, engine.Tech4G, 50), site("MF-U", engine.MobiFone, engine.Tech3G, 54),
		site("VT-G", engine.Viettel, engine.Tech2G, 37)}
}

// worldTests are phone tests near V1 and V6 (strong Viettel 4G) and, when
// negative is set, eight Viettel smartphones without service 100–250 m
// around V3: a negative neighbourhood for Viettel only.
func worldTests(negative bool) *engine.MeasurementBatch {
	rng := rand.New(rand.NewPCG(14, 3))
	b := &engine.MeasurementBatch{}
	add := func(lon, lat float64, c engine.Carrier, tech engine.Tech, sig float64, svc engine.Service) {
		b.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(b.Len())*600000, Carrier: c, Tech: tech, Lon: lon, Lat: lat,
			SignalDBm: sig, Service: svc, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(),
			LatencyMs: math.NaN(), Source: engine.SourceCrowd, DeviceID: "d", DeviceClass: engine.DeviceSmartphone,
			Environment: engine.EnvOutdoor})
	}
	for _, v := range []engine.Village{worldVillages[0], worldVillages[5]} {
		for range 6 {
			a := rng.Float64() * 2 * math.Pi
			add(v.Lon+0.002*math.Cos(a), v.Lat+0.002*math.Sin(a), engine.Viettel, engine.Tech4G, math.Round(-80+4*rng.NormFloat64()), engine.ServiceOK)
		}
	}
	if negative {
		v := worldVillages[2]
		for i := range 8 {
			a := float64(i) * math.Pi / 4
			r := (100 + 150*rng.Float64()) / 111000
			add(v.Lon+r*math.Cos(a)/math.Cos(v.Lat*math.Pi/180), v.Lat+r*math.Sin(a), engine.Viettel, engine.Tech4G, math.NaN(), engine.ServiceNone)
		}
	}
	return b
}

// worldStore holds the small world in memory.
func worldStore(t *testing.T, negative bool) *dataset.Memory {
	t.Helper()
	return storeOf(t, worldVillages, worldTests(negative))
}

// storeOf holds the small world's sites, villages and tests in memory:
// the stages read it as they read a dataset directory
// (TestRunInMemoryAsOnDisk).
func storeOf(t *testing.T, villages []engine.Village, tests *engine.MeasurementBatch) *dataset.Memory {
	t.Helper()
	s := dataset.NewMemory(func() time.Time { return time.Unix(0, 0) })
	if _, err := s.AddSites("sites", worldSites()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddVillages("villages", villages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMeasurements("measurements", tests); err != nil {
		t.Fatal(err)
	}
	return s
}

// diskStoreOf writes the small world's sites, villages and tests into a
// new dataset directory, for the tests of what is saved in its files.
func diskStoreOf(t *testing.T, villages []engine.Village, tests *engine.MeasurementBatch) *dataset.Store {
	t.Helper()
	s, err := dataset.Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(sha, kind string, f func(*dataset.Txn) error) {
		txn, err := s.Begin(strings.Repeat(sha, 32), kind, kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := f(txn); err != nil {
			t.Fatal(err)
		}
		if _, err := txn.Commit(dataset.Meta{IngestedAt: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	write("a1", "sites", func(x *dataset.Txn) error { return x.WriteSites(worldSites()) })
	write("b2", "villages", func(x *dataset.Txn) error { return x.WriteVillages(villages) })
	write("c3", "measurements", func(x *dataset.Txn) error { return x.WriteMeasurements(tests) })
	return s
}

// worldModel is a residual field dominated by its shared component.
var worldModel = radiomap.Model{SharedSillDB2: 48, SharedRangeM: 1500, OwnSillDB2: 16, OwnRangeM: 500, NuggetDB2: 4}

func worldOptions() DeadZoneOptions {
	acfg := aggregate.DefaultConfig()
	ccfg := coverage.DefaultConfig()
	ccfg.Resolution = acfg.Resolution
	return DeadZoneOptions{
		Coverage: CoverageOptions{Aggregate: AggregateOptions{Config: acfg, Workers: 1}, Predict: predict.DefaultConfig(),
			Coverage: ccfg, EnvCuts: predict.DefaultEnvCutoffs()},
		Villages:  deadzone.DefaultVillageOptions(),
		Challenge: challenge.DefaultConfig(),
		RadioMap:  RadioMapOptions{Model: worldModel},
	}
}

func villageByID(t *testing.T, r *DeadZoneResult, id string) deadzone.VillageStatus {
	t.Helper()
	for _, v := range r.Villages.Villages {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("village %s missing", id)
	return deadzone.VillageStatus{}
}

// TestDeadZonesGolden runs the whole dead-zone stage on the small world
// with the negative neighbourhood and compares villages.csv with
// testdata/villages.golden.csv (go test -run DeadZonesGolden -update
// rewrites it).
func TestDeadZonesGolden(t *testing.T) {
	r, err := DeadZones(context.Background(), worldStore(t, true), worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, VillageTable(r.Villages)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "villages.golden.csv")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("villages.csv differs from %s:\ngot:\n%s\nwant:\n%s", golden, buf.Bytes(), want)
	}
	// The meaning, beyond the bytes: near the mast served, V3 under its
	// negative neighbourhood and V7 beyond every 3G/4G site dead.
	for _, c := range []struct {
		id   string
		want deadzone.Level
	}{{"V1", deadzone.Covered}, {"V6", deadzone.Covered}, {"V3", deadzone.NoSignal}, {"V7", deadzone.NoSignal}} {
		if v := villageByID(t, r, c.id); v.Level != c.want || !v.HasVerdict {
			t.Errorf("%s: level %v (verdict %v), want %v", c.id, v.Level, v.HasVerdict, c.want)
		}
	}
	if v := villageByID(t, r, "V3"); v.Nearby.Tests != 8 || v.Nearby.NoService != 8 {
		t.Errorf("V3 evidence %+v, want 8 tests, 8 without service", v.Nearby)
	}
	if r.RadioMap.ModelSource != "given" || r.RadioMap.Upper == 0 || r.RadioMap.Exact == 0 {
		t.Errorf("radio map report %+v", r.RadioMap)
	}
}

// TestNegativeNeighbourhood: Viettel phones without service around V3 pull
// MobiFone's 3G there — predicted served, never measured — towards dead
// through the shared component of the residual field; with no shared
// component they leave it as predicted.
func TestNegativeNeighbourhood(t *testing.T) {
	ctx := context.Background()
	opt := worldOptions()
	clean, err := DeadZones(ctx, worldStore(t, false), opt)
	if err != nil {
		t.Fatal(err)
	}
	neg := worldStore(t, true)
	dirty, err := DeadZones(ctx, neg, opt)
	if err != nil {
		t.Fatal(err)
	}
	before, after := villageByID(t, clean, "V3"), villageByID(t, dirty, "V3")
	if before.Verdict.Best != (deadzone.Key{Carrier: engine.MobiFone, Tech: engine.Tech3G}) {
		t.Fatalf("V3's best key %v, want MobiFone 3G", before.Verdict.Best)
	}
	if before.WithoutSignal() || before.Verdict.PDead > 0.45 {
		t.Fatalf("V3 without tests: P(dead) %.3f, want served", before.Verdict.PDead)
	}
	if !after.WithoutSignal() || after.Verdict.PDead < 0.6 {
		t.Errorf("V3 with a negative neighbourhood: P(dead) %.3f (before %.3f), want ≥ 0.6", after.Verdict.PDead, before.Verdict.PDead)
	}
	if after.Verdict.BestMeanDBm > before.Verdict.BestMeanDBm-4 {
		t.Errorf("MobiFone 3G at V3: posterior mean %.1f dBm, before %.1f: want pulled down ≥ 4 dB", after.Verdict.BestMeanDBm, before.Verdict.BestMeanDBm)
	}
	// Without the shared component nothing moves between carriers:
	// MobiFone's 3G at V3 stays at its prediction, −76.8 dBm.
	own := opt
	own.RadioMap.Model = radiomap.Model{OwnSillDB2: 64, OwnRangeM: 500, NuggetDB2: 4}
	alone, err := DeadZones(ctx, neg, own)
	if err != nil {
		t.Fatal(err)
	}
	if v := villageByID(t, alone, "V3"); v.WithoutSignal() || math.Abs(v.Verdict.BestMeanDBm-(-76.8)) > 0.05 {
		t.Errorf("own-only field: V3 P(dead) %.3f, MobiFone mean %.1f dBm; want as predicted (−76.8)", v.Verdict.PDead, v.Verdict.BestMeanDBm)
	}
}

// TestTestsAtVillagePoint: tests at a village's own point decide its
// verdict even when the village lies by its hex's edge and the
// resolution-11 cell holding the tests has its centre in the neighbouring
// hex, of another environment class. The readings' residuals must come
// from the prediction with the class of the hex the tests lie in — the
// village's — else the 20–30 dB between the classes' path losses turn
// clear readings into a posterior far below them.
func TestTestsAtVillagePoint(t *testing.T) {
	res := worldOptions().Coverage.Coverage.Resolution
	// Walk east from 1 km east of the mast to a point whose evidence cell
	// has its centre in another analysis hex.
	var lon, lat float64
	for i := range 5000 {
		lon, lat = 103.31+float64(i)*1e-5, 22.40
		c, err := hexgrid.Index(lon, lat, evidenceRes)
		if err != nil {
			t.Fatal(err)
		}
		ctr, err := c.Center()
		if err != nil {
			t.Fatal(err)
		}
		h, err := hexgrid.Index(lon, lat, res)
		if err != nil {
			t.Fatal(err)
		}
		hc, err := hexgrid.Index(ctr[0], ctr[1], res)
		if err != nil {
			t.Fatal(err)
		}
		if h != hc {
			break
		}
		if i == 4999 {
			t.Fatal("no point near a hex edge found")
		}
	}
	// A town (urban class) in its hex; the neighbouring hexes are rural.
	villages := []engine.Village{{ID: "T1", Name: "Thị trấn", CommuneCode: "C1", Lon: lon, Lat: lat, Households: 1500}}
	const readingDBm = -85.0
	b := &engine.MeasurementBatch{}
	for i := range 6 {
		b.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*600000, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: lon, Lat: lat,
			SignalDBm: readingDBm, Service: engine.ServiceOK, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(),
			LatencyMs: math.NaN(), Source: engine.SourceDrive, DeviceID: "s", DeviceClass: engine.DeviceScanner, Environment: engine.EnvOutdoor})
	}
	r, err := DeadZones(context.Background(), storeOf(t, villages, b), worldOptions())
	if err != nil {
		t.Fatal(err)
	}
	v := villageByID(t, r, "T1")
	if v.Verdict.Best != (deadzone.Key{Carrier: engine.Viettel, Tech: engine.Tech4G}) {
		t.Fatalf("best key %v, want Viettel 4G", v.Verdict.Best)
	}
	// Six readings (noise 4 dB each, collapsed: 2.7 dB²) and the 4 dB²
	// nugget against the field's 64 dB² keep the posterior mean within
	// about 9% of the residual of the readings; the prediction there is
	// some 45 dB below them, so within 5 dB.
	if d := v.Verdict.BestMeanDBm - readingDBm; math.Abs(d) > 5 {
		t.Errorf("Viettel 4G at T1: posterior mean %.1f dBm, readings at its point %.1f dBm", v.Verdict.BestMeanDBm, readingDBm)
	}
	if v.WithoutSignal() || v.Verdict.PDead > 0.05 {
		t.Errorf("T1: P(dead) %.3f, level %v; want confirmed served", v.Verdict.PDead, v.Level)
	}
}

// TestDeadZonesCut: a lower cut (a higher miss cost) turns uncertain
// villages dead and never the reverse.
func TestDeadZonesCut(t *testing.T) {
	s := worldStore(t, false)
	opt := worldOptions()
	base, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Cut, err = deadzone.CutFromMissCost(4); err != nil {
		t.Fatal(err)
	}
	low, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range low.Villages.Villages {
		b := base.Villages.Villages[i]
		if v.Verdict.PDead != b.Verdict.PDead {
			t.Fatalf("%s: P(dead) changed with the cut: %g, %g", v.ID, b.Verdict.PDead, v.Verdict.PDead)
		}
		if want := v.Verdict.PDead >= 0.2; v.WithoutSignal() != want {
			t.Errorf("%s at cut 0.2: P(dead) %.3f, without signal %v", v.ID, v.Verdict.PDead, v.WithoutSignal())
		}
	}
	if low.RadioMap.Cut != 0.2 {
		t.Errorf("report cut %g", low.RadioMap.Cut)
	}
}

func TestDeadZonesBadOptions(t *testing.T) {
	s := worldStore(t, false)
	for name, mod := range map[string]func(*DeadZoneOptions){
		"cut 1":          func(o *DeadZoneOptions) { o.Cut = 1 },
		"negative draws": func(o *DeadZoneOptions) { o.Draws = -1 },
		"negative noise": func(o *DeadZoneOptions) { o.RadioMap.NoiseDB = -2 },
	} {
		opt := worldOptions()
		mod(&opt)
		if _, err := DeadZones(context.Background(), s, opt); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("%s: err %v, want ErrInvalidConfig", name, err)
		}
	}
}

// The dead-zone stage decides the analysis hexes (by default the populated
// ones) and the villages' hexes, not every measured hex: drive tests 30 km
// from any village give coverage states there but no P(dead). Its progress
// counts each decided place once (hexes and villages), ending at the
// total it announced.
func TestDeadZonesDecideAnalysisHexesOnly(t *testing.T) {
	tests := worldTests(false)
	far := hexgrid.Cell(0)
	for i := range 5 {
		lon, lat := 103.60+0.001*float64(i), 22.62
		tests.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*60000, Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: lon, Lat: lat,
			SignalDBm: -85, Service: engine.ServiceOK, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(),
			LatencyMs: math.NaN(), Source: engine.SourceDrive, DeviceID: "scan", DeviceClass: engine.DeviceScanner, Environment: engine.EnvVehicle})
		c, err := hexgrid.Index(lon, lat, aggregate.DefaultConfig().Resolution)
		if err != nil {
			t.Fatal(err)
		}
		far = c
	}
	s := storeOf(t, worldVillages, tests)
	var events []Progress
	opt := RunOptions{Period: "2026-10", DeadZones: worldOptions(), Progress: func(p Progress) {
		if p.Stage == StageDeadZones {
			events = append(events, p)
		}
	}}
	sum, err := Run(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	r := sum.DeadZones
	measuredFar := false
	for _, st := range r.Coverage.States {
		measuredFar = measuredFar || st.Cell == far
	}
	if !measuredFar {
		t.Fatalf("no coverage state at the drive-tested hex %v: the case does not test what it should", far)
	}
	if _, ok := r.PDead[far]; ok {
		t.Errorf("the unpopulated drive-tested hex %v was decided", far)
	}
	decided := map[hexgrid.Cell]bool{}
	for _, st := range r.Coverage.States {
		decided[st.Cell] = false
	}
	for _, p := range r.Population {
		if _, hasState := decided[p.Cell]; !hasState {
			continue
		}
		if _, ok := r.PDead[p.Cell]; !ok {
			t.Errorf("populated hex %v has coverage states but no P(dead)", p.Cell)
		}
		decided[p.Cell] = true
	}
	hexes := 0
	for _, d := range decided {
		if d {
			hexes++
		}
	}
	if len(r.PDead) != hexes {
		t.Errorf("%d hexes decided, want the %d populated ones with coverage states", len(r.PDead), hexes)
	}
	var last Progress
	for _, e := range events {
		if e.Unit == "places" {
			last = e
		}
	}
	// The progress counts the posteriors: every village, and the hexes
	// decided at their centres (not those settled by a measured verdict
	// or by their villages).
	if v := int64(len(worldVillages)); last.Done != last.Total || last.Total < v || last.Total > v+int64(hexes) {
		t.Errorf("last progress %+v, want done = total, from %d to %d places", last, v, v+int64(hexes))
	}
}

// TestUnregisteredCarrierIndoorReadings: a network the register lacks
// (no Vietnamobile site in the world) still serves a village where its
// phones read it indoors: the readings enter as the signal less the
// indoor loss, as outdoor ones do as they are. Indoor readings too weak
// for service once the loss is added leave the village dead.
func TestUnregisteredCarrierIndoorReadings(t *testing.T) {
	for _, c := range []struct {
		name      string
		env       engine.Environment
		readingDB float64
		served    bool
	}{
		{"strong indoor", engine.EnvIndoor, -72, true},
		{"strong outdoor", engine.EnvOutdoor, -72, true},
		{"weak indoor", engine.EnvIndoor, -135, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			villages := []engine.Village{{ID: "F1", Name: "Bản Xa", CommuneCode: "C3", Lon: 103.60, Lat: 22.40, Households: 40}}
			b := &engine.MeasurementBatch{}
			for i := range 20 {
				b.Append(engine.Measurement{TimeUnixMs: worldT0 + int64(i)*600000, Carrier: engine.Vietnamobile, Tech: engine.Tech4G,
					Lon: 103.60 + float64(i%5-2)*1e-4, Lat: 22.40 + float64(i/5-2)*1e-4, SignalDBm: c.readingDB + float64(i%3-1),
					Service: engine.ServiceOK, RSRQDB: math.NaN(), SINRDB: math.NaN(), DLMbps: math.NaN(), ULMbps: math.NaN(), LatencyMs: math.NaN(),
					Source: engine.SourceCrowd, DeviceID: "p" + strconv.Itoa(i), DeviceClass: engine.DeviceSmartphone, Environment: c.env})
			}
			r, err := DeadZones(context.Background(), storeOf(t, villages, b), worldOptions())
			if err != nil {
				t.Fatal(err)
			}
			v := villageByID(t, r, "F1")
			if c.served {
				want := c.readingDB
				if c.env == engine.EnvIndoor {
					want += r.RadioMap.IndoorLossDB
				}
				if v.WithoutSignal() || v.Verdict.PDead > 0.05 || v.Verdict.Best != (deadzone.Key{Carrier: engine.Vietnamobile, Tech: engine.Tech4G}) ||
					math.Abs(v.Verdict.BestMeanDBm-want) > 1 {
					t.Errorf("P(dead) %.3f, best %v at %.1f dBm; want served by Vietnamobile 4G at %.1f dBm", v.Verdict.PDead, v.Verdict.Best, v.Verdict.BestMeanDBm, want)
				}
			} else if !v.WithoutSignal() || v.Verdict.PDead < 0.95 {
				t.Errorf("P(dead) %.3f, best %v at %.1f dBm; want dead", v.Verdict.PDead, v.Verdict.Best, v.Verdict.BestMeanDBm)
			}
		})
	}
}

// TestHexPDeadFromVillages: with the households per hex taken from the
// villages (no population table, or the villages' own given as one), a
// hex holding villages has the households-weighted p_dead of its
// villages, so a zone's households are those of villages the run counts
// as without signal; with another population the hex keeps its centre's.
func TestHexPDeadFromVillages(t *testing.T) {
	ctx := context.Background()
	check := func(r *DeadZoneResult, fromVillages bool) {
		t.Helper()
		type acc struct{ hh, dead float64 }
		sums := map[hexgrid.Cell]*acc{}
		for _, v := range r.Villages.Villages {
			if !v.HasVerdict || v.Households <= 0 {
				continue
			}
			a := sums[v.Cell]
			if a == nil {
				a = &acc{}
				sums[v.Cell] = a
			}
			a.hh += v.Households
			a.dead += v.Households * v.Verdict.PDead
		}
		if len(sums) < 3 {
			t.Fatalf("%d hexes with villages", len(sums))
		}
		differ := 0
		for c, a := range sums {
			if math.Abs(r.PDead[c]-a.dead/a.hh) > 1e-12 {
				differ++
			}
		}
		if fromVillages != (differ == 0) || r.PopulationFromVillages != fromVillages {
			t.Errorf("population from villages %v (reported %v): %d of %d hexes differ from their villages' weighted p_dead",
				fromVillages, r.PopulationFromVillages, differ, len(sums))
		}
	}
	s := worldStore(t, true)
	opt := worldOptions()
	r, err := DeadZones(ctx, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	check(r, true)
	// The villages' population given as a table: the same.
	opt.Coverage.Population = villagesPopulation(t, s, opt.Coverage.Aggregate.Config.Resolution)
	if r, err = DeadZones(ctx, s, opt); err != nil {
		t.Fatal(err)
	}
	check(r, true)
	// Another population (each hex's households doubled): hex centres.
	for i := range opt.Coverage.Population {
		opt.Coverage.Population[i].Households *= 2
	}
	if r, err = DeadZones(ctx, s, opt); err != nil {
		t.Fatal(err)
	}
	check(r, false)
}

// A plan's households split by what serves them: its sites' newly covered
// dead-zone households; sharing agreements' carrier-gap households (not
// dead zones, not newly covered), which also count apart from the dead
// zones' households.
func TestPlanHouseholdsSplit(t *testing.T) {
	r := &PlanResult{
		Dead: []plan.Hex{{Households: 100}, {Households: 50}},
		Plan: plan.Plan{DeadHouseholds: 5150, Steps: []plan.Step{
			{CandidateID: "SHARE-x", Source: plan.SourceSharing, NewHouseholds: 5000},
			{CandidateID: "DZ-1", NewHouseholds: 100},
		}},
	}
	h := r.Households()
	if h.DeadZone != 150 || h.NewlyCovered != 100 || h.Sites != 1 || h.SharingServed != 5000 || h.Agreements != 1 || h.SharingGap != 5000 {
		t.Errorf("%+v", h)
	}
}

// A dead hex is never offered to a sharing agreement, whatever its
// coverage state says another carrier covers: the agreement would take
// the dead-zone households a site covers.
func TestSharingSkipsDeadHexes(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	b, _ := hexgrid.Index(103.40, 22.40, 8)
	dz := &DeadZoneResult{Gaps: deadzone.GapReport{Hexes: []deadzone.GapHex{
		{Cell: a, Carrier: engine.MobiFone, Others: []engine.Carrier{engine.Viettel}},
		{Cell: b, Carrier: engine.MobiFone, Others: []engine.Carrier{engine.Viettel}, Admin: deadzone.Admin{Province: "12"}},
	}}}
	got, provinces := sharingOptions(dz, map[hexgrid.Cell]float64{a: 80, b: 20}, map[hexgrid.Cell]bool{a: true}, DefaultPlanOptions(1e9))
	if len(got) != 1 || len(got[0].Hexes) != 1 || got[0].Hexes[0].Cell != b {
		t.Fatalf("sharing %+v, want the agreement over hex b alone", got)
	}
	// The agreement's province, for plan.csv.
	if got[0].ID != "SHARE-mobifone-12" || provinces[got[0].ID] != "12" {
		t.Fatalf("agreement %s, provinces %v", got[0].ID, provinces)
	}
}

// Each carrier's agreement serves its own customers: with MobiFone and
// VinaPhone both without service in one hex Viettel covers, the plan with
// sharing funds both agreements, each for the hex's households, not the
// first one for both gaps (one set of hexes for every carrier, which left
// a carrier's agreement unfunded with budget to spare).
func TestPlanSharingPerCarrier(t *testing.T) {
	a, _ := hexgrid.Index(103.30, 22.40, 8)
	b, _ := hexgrid.Index(103.40, 22.40, 8)
	viettel := []engine.Carrier{engine.Viettel}
	dz := &DeadZoneResult{
		Population: []population.Cell{{Cell: a, Households: 80}, {Cell: b, Households: 20}},
		Gaps: deadzone.GapReport{Hexes: []deadzone.GapHex{
			{Cell: a, Carrier: engine.MobiFone, Others: viettel},
			{Cell: b, Carrier: engine.MobiFone, Others: viettel},
			{Cell: a, Carrier: engine.VinaPhone, Others: viettel},
		}},
	}
	opt := DefaultPlanOptions(1e12)
	opt.IncludeSharing = true
	r, err := Plan(dz, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range r.Plan.Steps {
		got[s.CandidateID] = s.ServedBySharing()
	}
	if want := map[string]float64{"SHARE-mobifone": 100, "SHARE-vinaphone": 80}; !reflect.DeepEqual(got, want) {
		t.Errorf("served %v, want %v", got, want)
	}
	if h := r.Households(); h.SharingGap != 180 || h.SharingServed != 180 || h.Agreements != 2 {
		t.Errorf("%+v, want 180 households of gaps, all served by 2 agreements", h)
	}
}

// A run over every province leaves out a province where people live but no
// site and no test lies, as a run limited to it is refused: the small
// world (Lai Châu) with a village and populated hexes in Hà Nội reported
// them "confirmed dead", P(dead) 1, and counted their households as dead
// zones.
func TestDeadZonesProvinceWithoutData(t *testing.T) {
	provinces, err := geodata.Provinces2025()
	if err != nil {
		t.Fatal(err)
	}
	villages := append(slices.Clone(worldVillages), engine.Village{ID: "HN1", Name: "Phố Một", CommuneCode: "H1", Lon: 105.8542, Lat: 21.0285, Households: 300},
		// Outside every province, far from any site or test (Vientiane).
		engine.Village{ID: "LA1", Name: "Ban Nong", Lon: 102.60, Lat: 17.97, Households: 50})
	s := storeOf(t, villages, worldTests(true))
	opt := worldOptions()
	opt.Provinces = provinces
	r, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.NoData) != 2 || r.NoData[0] != (NoDataArea{Name: OutsideEveryProvince, Why: OutsideWhy, Hexes: 1, Households: 50, Villages: 1}) ||
		r.NoData[1] != (NoDataArea{Code: "01", Name: "Hà Nội", Why: NoDataWhy, Hexes: 1, Households: 300, Villages: 1}) {
		t.Fatalf("not analysed: %+v", r.NoData)
	}
	for _, v := range r.Villages.Villages {
		if v.ID == "HN1" || v.ID == "LA1" {
			t.Errorf("Hà Nội's village decided: %+v", v)
		}
	}
	for _, c := range r.Villages.ByProvince {
		if c.Code == "01" {
			t.Errorf("Hà Nội counted: %+v", c)
		}
	}
	hn, err := hexgrid.Index(105.8542, 21.0285, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.PDead[hn]; ok || slices.ContainsFunc(r.Population, func(p population.Cell) bool { return p.Cell == hn }) {
		t.Error("Hà Nội's hex kept in the populated hexes or P(dead)")
	}
	for _, z := range r.Zones {
		if slices.Contains(z.Cells, hn) {
			t.Errorf("Hà Nội's hex in zone %s", z.ID)
		}
	}
	if v := villageByID(t, r, "V7"); v.Level != deadzone.NoSignal {
		t.Errorf("Lai Châu's V7 (beyond every 3G/4G site): %v", v.Level)
	}
	// The scorecard's figures say why, not "no village located".
	figs := DeadZoneFigures(r)
	if fig := figs["01"]; fig == nil || !strings.Contains(fig.NoData, "no measurements or sites of its own in Hà Nội (01)") {
		t.Errorf("scorecard figures of 01: %+v", fig)
	}
	// Lai Châu's count carries the distribution of its villages truly
	// without 3G/4G: its mean is the sum of their p_dead.
	var sum float64
	for _, v := range r.Villages.Villages {
		if v.Province == "12" {
			sum += v.Verdict.PDead
		}
	}
	if fig := figs["12"]; fig == nil || fig.VillagesPMF == nil || math.Abs(scorecard.CountMean(fig.VillagesPMF)-sum) > 1e-6 || sum < 1 {
		t.Errorf("Lai Châu: mean %v, want the p_dead sum %v (%+v)", scorecard.CountMean(fig.VillagesPMF), sum, fig)
	}
}

// Every evidence cell's neighbours are near, also those of a cell first
// met as another's neighbour: such a cell's own neighbours were left out,
// so a village 8 km from a site was "not analysed" or not depending on the
// order of the register's rows.
func TestNearEvidenceEveryCell(t *testing.T) {
	a, err := hexgrid.Index(103.30, 22.40, 8)
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := a.Parent(nearEvidenceRes)
	ring, _ := pa.Disk(1)
	var nb hexgrid.Cell // a neighbour of a's parent, and a cell in it
	for _, c := range ring {
		if c != pa {
			nb = c
			break
		}
	}
	b, err := nb.Center()
	if err != nil {
		t.Fatal(err)
	}
	bc, _ := hexgrid.Index(b[0], b[1], 8)
	far, _ := nb.Disk(1) // the neighbour's own neighbours, not all pa's
	var beyond hexgrid.Cell
	for _, c := range far {
		if !slices.Contains(ring, c) {
			beyond = c
			break
		}
	}
	ctr, _ := beyond.Center()
	probe, _ := hexgrid.Index(ctr[0], ctr[1], 8)
	sites := []engine.Site{{SiteID: "A", Lon: 103.30, Lat: 22.40}, {SiteID: "B", Lon: b[0], Lat: b[1]}}
	for _, order := range [][]engine.Site{sites, {sites[1], sites[0]}} {
		siteCells, tested := evidenceCells(order, nil, 8)
		near, err := nearEvidence(siteCells, tested)
		if err != nil {
			t.Fatal(err)
		}
		if !near(probe) || !near(bc) || !near(a) {
			t.Errorf("sites %s, %s: a neighbour of B's cell is not near", order[0].SiteID, order[1].SiteID)
		}
	}
}

// Villages that all have 0 households give no household to any hex: the
// run is refused for want of data, not answered "no dead zone".
func TestDeadZonesVillagesWithoutHouseholds(t *testing.T) {
	vs := slices.Clone(worldVillages)
	for i := range vs {
		vs[i].Households = 0
	}
	_, err := DeadZones(context.Background(), storeOf(t, vs, worldTests(false)), worldOptions())
	if !errors.Is(err, ErrMissingData) || !strings.Contains(err.Error(), "all have 0 households") {
		t.Fatalf("villages without households: %v", err)
	}
}

// A population table made from the villages (their households in their
// hexes, people at another household size) is the villages' households:
// hexes holding villages follow their villages' verdicts, as without a
// table; a table with other households is not.
func TestDeadZonesTableFromVillages(t *testing.T) {
	opt := worldOptions()
	s := worldStore(t, false)
	pop := villagesPopulation(t, s, opt.Coverage.Aggregate.Config.Resolution)
	for i := range pop {
		pop[i].Population = pop[i].Households * 4
	}
	opt.Coverage.Population = pop
	r, err := DeadZones(context.Background(), s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !r.PopulationFromVillages {
		t.Error("a table of the villages' households at 4 people each: not taken as the villages'")
	}
	other := slices.Clone(pop)
	other[0].Households++
	if sameHouseholds(villagesPopulation(t, s, opt.Coverage.Aggregate.Config.Resolution), other) {
		t.Error("a table with one more household in a hex taken as the villages'")
	}
}
