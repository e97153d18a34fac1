package synth

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

var (
	defaultOnce  sync.Once
	defaultWorld *World
	defaultErr   error
)

// world returns the default world (Lai Châu, seed 1), generated once.
func world(t testing.TB) *World {
	t.Helper()
	defaultOnce.Do(func() { defaultWorld, defaultErr = Generate(Config{}) })
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultWorld
}

// render writes every table and the truth.
func render(t testing.TB, w *World) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, f := range map[string]func(*bytes.Buffer) error{
		"villages":      func(b *bytes.Buffer) error { return WriteVillagesCSV(b, w.Villages) },
		"sites":         func(b *bytes.Buffer) error { return WriteSitesCSV(b, w.Sites) },
		"measurements":  func(b *bytes.Buffer) error { return WriteMeasurementsCSV(b, w.Measurements) },
		"subscriptions": func(b *bytes.Buffer) error { return WriteSubscriptionsCSV(b, w.Subscriptions) },
		"truth":         func(b *bytes.Buffer) error { return WriteGroundTruth(b, &w.Truth) },
		"truth-csv":     func(b *bytes.Buffer) error { return WriteVillageTruthCSV(b, &w.Truth) },
		"signals-csv":   func(b *bytes.Buffer) error { return WriteVillageSignalsCSV(b, &w.Truth) },
	} {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a := render(t, world(t))
	w2, err := Generate(Config{Workers: 1}) // same seed, other worker count
	if err != nil {
		t.Fatal(err)
	}
	b := render(t, w2)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: same seed gave different output", name)
		}
		if len(a[name]) < 100 {
			t.Errorf("%s: only %d bytes", name, len(a[name]))
		}
	}
	// Progress reports the phases in order and changes nothing.
	var phases []string
	w4, err := Generate(Config{Progress: func(p string) { phases = append(phases, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(phases) != 3 || !strings.HasPrefix(phases[0], "site registers") || !strings.HasPrefix(phases[2], "measurements") {
		t.Errorf("progress phases %q, want site registers, true signal, measurements", phases)
	}
	for name, v := range render(t, w4) {
		if !bytes.Equal(a[name], v) {
			t.Errorf("%s: a Progress callback changed the world", name)
		}
	}
	w3, err := Generate(Config{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := render(t, w3)
	for _, name := range []string{"villages", "sites", "measurements", "subscriptions", "truth"} {
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("%s: seeds 1 and 2 gave the same output", name)
		}
	}
}

// TestHouseholdsMatchCensus settles every 2019 province and checks that
// its villages hold exactly its census households, urban and rural, and lie
// inside its outline.
func TestHouseholdsMatchCensus(t *testing.T) {
	r, err := Config{Country: true}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.members) != 63 {
		t.Fatalf("%d provinces, want 63", len(r.members))
	}
	for _, m := range r.members {
		p := settle(7, m, m.census.Code, 0)
		var urban, rural int64
		for _, v := range p.villages {
			if v.Households < 1 {
				t.Fatalf("%s: village %s has %d households", m.census.Name, v.ID, v.Households)
			}
			if v.Kind == KindUrban {
				urban += v.Households
			} else {
				rural += v.Households
			}
			if !m.unit.Contains([2]float64{v.Lon, v.Lat}) {
				t.Errorf("%s: village %s (%g, %g) outside the province", m.census.Name, v.ID, v.Lon, v.Lat)
			}
		}
		if urban != m.census.HouseholdsUrban || rural != m.census.HouseholdsRural {
			t.Errorf("%s: urban %d rural %d households, census %d and %d", m.census.Name,
				urban, rural, m.census.HouseholdsUrban, m.census.HouseholdsRural)
		}
	}
}

func TestHouseholdsDefaultWorld(t *testing.T) {
	w := world(t)
	var sum int64
	for _, v := range w.Villages {
		sum += v.Households
	}
	if sum != 101010 { // Lai Châu, census 2019
		t.Errorf("households %d, want 101010", sum)
	}
	kinds := map[SettlementKind]int{}
	for _, v := range w.Villages {
		kinds[v.Kind]++
	}
	for _, k := range []SettlementKind{KindUrban, KindVillage, KindRemote} {
		if kinds[k] == 0 {
			t.Errorf("no %s settlements", k)
		}
	}
}

func TestIngestAcceptsEveryRow(t *testing.T) {
	w := world(t)
	out := render(t, w)
	cfg := ingest.Defaults("x", w.Config.Now)
	ctx := context.Background()

	rec, err := ingest.NewCSV(bytes.NewReader(out["sites"]), ingest.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sites []engine.Site
	rep, err := ingest.ReadSites(ctx, rec, nil, cfg, func(b []engine.Site) error {
		sites = append(sites, b...)
		return nil
	}, func(r ingest.Reject) error {
		t.Errorf("site rejected: line %d %s=%q %s: %s", r.Line, r.Column, r.Value, r.Reason, r.Detail)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected != 0 || rep.Accepted != int64(len(w.Sites)) || len(sites) != len(w.Sites) {
		t.Errorf("sites: %d accepted, %d rejected of %d", rep.Accepted, rep.Rejected, len(w.Sites))
	}
	for i := range sites {
		if sites[i] != w.Sites[i] && !(sites[i].SiteID == w.Sites[i].SiteID && math.IsNaN(w.Sites[i].AzimuthDeg)) {
			t.Fatalf("site %d read back as %+v, generated %+v", i, sites[i], w.Sites[i])
		}
	}

	rec, err = ingest.NewCSV(bytes.NewReader(out["measurements"]), ingest.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got engine.MeasurementBatch
	rejected := 0
	rep, err = ingest.ReadMeasurements(ctx, rec, nil, cfg, func(b *engine.MeasurementBatch) error {
		for i := range b.Len() {
			got.AppendRow(b, i)
		}
		return nil
	}, func(r ingest.Reject) error {
		if rejected++; rejected <= 10 {
			t.Errorf("measurement rejected: line %d %s=%q %s: %s", r.Line, r.Column, r.Value, r.Reason, r.Detail)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rejected != 0 || rep.Accepted != int64(w.Measurements.Len()) {
		t.Errorf("measurements: %d accepted, %d rejected of %d", rep.Accepted, rep.Rejected, w.Measurements.Len())
	}
	for i := range min(got.Len(), w.Measurements.Len()) {
		a, b := got.Row(i), w.Measurements.Row(i)
		if a.TimeUnixMs != b.TimeUnixMs || a.Service != b.Service || a.Tech != b.Tech || a.DeviceID != b.DeviceID ||
			!sameFloat(a.SignalDBm, b.SignalDBm) || !sameFloat(a.DLMbps, b.DLMbps) {
			t.Fatalf("row %d read back as %+v, generated %+v", i, a, b)
		}
	}
}

func TestVillagesAndSubscriptionsCSV(t *testing.T) {
	w := world(t)
	out := render(t, w)
	for _, tc := range []struct {
		name   string
		header []string
		rows   int
		sumCol int
		sum    int64
	}{
		{"villages", VillageColumns, len(w.Villages), 5, 101010},
		{"subscriptions", SubscriptionColumns, len(w.Subscriptions), -1, 0},
	} {
		rec, err := ingest.NewCSV(bytes.NewReader(out[tc.name]), ingest.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rec.Header(), tc.header) {
			t.Errorf("%s header %v", tc.name, rec.Header())
		}
		n := 0
		var sum int64
		for rec.Next() {
			if rec.RowErr() != nil {
				t.Fatalf("%s line %d: %v", tc.name, rec.Line(), rec.RowErr())
			}
			n++
			if tc.sumCol >= 0 {
				v, err := strconv.ParseInt(rec.Record()[tc.sumCol], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				sum += v
			}
		}
		if n != tc.rows || sum != tc.sum {
			t.Errorf("%s: %d rows (want %d), sum %d (want %d)", tc.name, n, tc.rows, sum, tc.sum)
		}
	}
}

func sameFloat(a, b float64) bool {
	return (math.IsNaN(a) && math.IsNaN(b)) || math.Abs(a-b) < 1e-9
}

func TestMeasurements(t *testing.T) {
	w := world(t)
	b := w.Measurements
	th := engine.DefaultThresholds()
	win := measurementWindow(w.Config)
	count := map[string]int{}
	for i := range b.Len() {
		m := b.Row(i)
		if m.TimeUnixMs < win.startMs || m.TimeUnixMs > w.Config.Now.UnixMilli() {
			t.Fatalf("row %d at %s outside the measurement month", i, time.UnixMilli(m.TimeUnixMs).In(ICT))
		}
		switch m.Service {
		case engine.ServiceNone:
			count["none"]++
			if !math.IsNaN(m.SignalDBm) {
				t.Fatalf("row %d: no service with signal %g", i, m.SignalDBm)
			}
		case engine.ServiceOK:
			if m.DeviceClass == engine.DeviceScanner {
				if !engine.AcceptedSignal(m.Tech, m.SignalDBm) {
					t.Fatalf("row %d: scanner reading %g dBm on %s not acceptable", i, m.SignalDBm, m.Tech)
				}
				if engine.Censored(m.Tech, m.SignalDBm) {
					count["censored"]++
				}
				if m.SignalDBm < th.NoService(m.Tech) && !math.IsNaN(m.DLMbps) {
					t.Fatalf("row %d: speed test at %g dBm, below no service", i, m.SignalDBm)
				}
			} else if m.SignalDBm < th.NoService(m.Tech) {
				t.Fatalf("row %d: ok with %g dBm below no service", i, m.SignalDBm)
			}
		}
		if (m.Source == engine.SourceDrive) != (m.DeviceClass == engine.DeviceScanner) {
			t.Fatalf("row %d: %s test by a %s", i, m.Source, m.DeviceClass)
		}
		if m.DeviceClass == engine.DeviceFeature && m.Tech != engine.Tech2G {
			t.Fatalf("row %d: a feature phone on %s", i, m.Tech)
		}
		if m.Tech == engine.Tech4G && m.DLMbps > 80 {
			t.Fatalf("row %d: 4G at %g Mbit/s", i, m.DLMbps)
		}
		count[m.Source.String()]++
		count[m.Environment.String()]++
		count[m.DeviceClass.String()]++
		count[string(m.Carrier)]++
		if !math.IsNaN(m.DLMbps) {
			count["speed"]++
		}
	}
	for _, k := range []string{"none", "censored", "scanner", "drive", "crowd", "vehicle", "outdoor", "indoor", "smartphone", "feature", "tablet",
		"viettel", "vinaphone", "mobifone", "vietnamobile", "speed"} {
		if count[k] == 0 {
			t.Errorf("no %s rows (%v)", k, count)
		}
	}
	if share := float64(count["none"]) / float64(b.Len()); share > 0.2 {
		t.Errorf("%.0f%% no-service rows", 100*share)
	}
}

func TestMeasurementsBeforeNow(t *testing.T) {
	now := time.Date(2024, time.October, 10, 12, 0, 0, 0, ICT)
	w, err := Generate(Config{Now: now, MeasurementDensity: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for i, ts := range w.Measurements.TimeUnixMs {
		if ts > now.UnixMilli() {
			t.Fatalf("row %d at %s after Now %s", i, time.UnixMilli(ts).In(ICT), now)
		}
	}
}

func TestDeadZones(t *testing.T) {
	w := world(t)
	dead := w.Truth.DeadZoneVillages()
	share := float64(len(dead)) / float64(len(w.Villages))
	// Lai Châu is mountainous: a few percent of its villages, above the
	// national 2.4 % of 2021, but far from most.
	if share < 0.01 || share > 0.12 {
		t.Errorf("%d dead-zone villages of %d (%.1f%%), want a few percent", len(dead), len(w.Villages), 100*share)
	}
	th := engine.DefaultThresholds()
	covered := map[string]bool{}
	for _, s := range w.Truth.Signals {
		tech, _ := engine.ParseTech(s.Tech)
		if s.Covered != (s.SignalDBm >= th.Covered(tech)) {
			t.Fatalf("%+v: covered flag disagrees with the threshold", s)
		}
		if s.Covered && (tech == engine.Tech3G || tech == engine.Tech4G) {
			covered[s.VillageID] = true
		}
	}
	remote := 0
	for i, v := range w.Truth.Villages {
		if v.VillageID != w.Villages[i].ID {
			t.Fatalf("truth %d is %s, village %s", i, v.VillageID, w.Villages[i].ID)
		}
		if v.DeadZone == covered[v.VillageID] {
			t.Errorf("village %s: dead zone %v but 3G/4G covered %v", v.VillageID, v.DeadZone, covered[v.VillageID])
		}
		if v.DeadZone && w.Villages[i].Kind == KindRemote {
			remote++
		}
	}
	if remote == 0 {
		t.Error("no remote hamlet is a dead zone")
	}
}

func TestSubscriptions(t *testing.T) {
	w := world(t)
	if len(w.Subscriptions) != 24 || len(w.Truth.Penetration) != 24 {
		t.Fatalf("%d rows, want 24", len(w.Subscriptions))
	}
	first, last := w.Truth.Penetration[0], w.Truth.Penetration[23]
	if first.Period != "2022-11" || last.Period != "2024-10" {
		t.Errorf("periods %s…%s", first.Period, last.Period)
	}
	if !(last.FiberShare > first.FiberShare && last.SmartphoneUserShare > first.SmartphoneUserShare && last.Only2GShare < first.Only2GShare) {
		t.Errorf("trends wrong: %+v → %+v", first, last)
	}
	for _, s := range w.Subscriptions {
		if s.FiberHouseholds > s.Households || s.SmartphoneSubscribers+s.Only2GSubscribers > s.MobileSubscribers ||
			s.SurveyedWithSmartphone > s.SurveyedHouseholds || s.Households < 101010 {
			t.Errorf("inconsistent row %+v", s)
		}
	}
	// Mountainous Lai Châu against lowland Hải Phòng in 2022 (smartphone
	// users 56–58 % against 78 % of adults).
	r, err := Config{Provinces: []string{"12", "31"}, Start: Period{2022, time.June}, Months: 1}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	var provs []*province
	for _, m := range r.members {
		provs = append(provs, settle(1, m, m.census.Code, 0))
	}
	_, pen := subscriptions(r.cfg, r.areas, provs)
	lc, hp := pen[0], pen[1]
	if lc.SmartphoneUserShare < 0.5 || lc.SmartphoneUserShare > 0.65 || hp.SmartphoneUserShare < 0.75 || hp.SmartphoneUserShare > 0.88 {
		t.Errorf("smartphone users 2022: Lai Châu %.3f, Hải Phòng %.3f", lc.SmartphoneUserShare, hp.SmartphoneUserShare)
	}
	if !(lc.FiberShare < hp.FiberShare && lc.Only2GShare > hp.Only2GShare) {
		t.Errorf("Lai Châu %+v not behind Hải Phòng %+v", lc, hp)
	}
}

func TestBoundaries2025(t *testing.T) {
	// Tuyên Quang 2025 = Hà Giang + Tuyên Quang 2019; measurements off to
	// keep it short.
	r, err := Config{Boundaries: Boundaries2025, Provinces: []string{"Tuyên Quang"}}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.areas) != 1 || r.areas[0].Code != "08" || len(r.areas[0].Members) != 2 {
		t.Fatalf("areas %+v", r.areas)
	}
	var want int64
	for _, pc := range geodata.Census2019() {
		if pc.Code2025 == "08" {
			want += pc.Households
		}
	}
	var got int64
	communes := map[string]bool{}
	base := 0
	for _, m := range r.members {
		p := settle(1, m, "08", base)
		base += len(p.towns)
		for _, v := range p.villages {
			got += v.Households
			communes[v.CommuneCode] = true
			if v.AreaCode != "08" || v.CommuneCode[:2] != "08" {
				t.Fatalf("village %+v not in area 08", v)
			}
		}
	}
	if got != want || len(communes) != base {
		t.Errorf("households %d want %d; %d communes, %d towns", got, want, len(communes), base)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"unknown province", Config{Provinces: []string{"Atlantis"}}},
		{"province twice", Config{Provinces: []string{"12", "Lai Châu"}}},
		{"country and provinces", Config{Country: true, Provinces: []string{"12"}}},
		{"boundaries", Config{Boundaries: 2020}},
		{"months", Config{Months: -1}},
		{"month 13", Config{Start: Period{2024, 13}}},
		{"measurement month before start", Config{MeasurementMonth: Period{2021, time.January}}},
		{"measurement month after end", Config{Start: Period{2023, time.January}, Months: 2, MeasurementMonth: Period{2023, time.March}}},
		{"density", Config{MeasurementDensity: -1}},
		{"density NaN", Config{MeasurementDensity: math.NaN()}},
		{"now before month", Config{Now: time.Date(2024, time.October, 1, 0, 0, 0, 0, ICT)}},
		{"workers", Config{Workers: -2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if !errors.Is(err, engine.ErrInvalidConfig) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig", err)
			}
			if _, err := Generate(tc.cfg); !errors.Is(err, engine.ErrInvalidConfig) {
				t.Fatalf("Generate = %v, want ErrInvalidConfig", err)
			}
		})
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig: %v", err)
	}
	if err := (Config{Boundaries: Boundaries2025, Provinces: []string{"52", "hà nội"}}).Validate(); err != nil {
		t.Errorf("2025 codes: %v", err)
	}
}

func TestPeriod(t *testing.T) {
	p, err := ParsePeriod("2024-11")
	if err != nil || p != (Period{2024, time.November}) || p.String() != "2024-11" {
		t.Fatalf("ParsePeriod = %v, %v", p, err)
	}
	if q := p.Add(2); q != (Period{2025, time.January}) || q.Sub(p) != 2 || p.Add(-11) != (Period{2023, time.December}) {
		t.Errorf("Add/Sub wrong: %v", q)
	}
	for _, s := range []string{"2024-13", "2024-1", "24-11", "2024/11", ""} {
		if _, err := ParsePeriod(s); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", s)
		}
	}
}

func TestApportion(t *testing.T) {
	for _, tc := range []struct {
		total int64
		w     []float64
		min   int64
		want  []int64
	}{
		{10, []float64{1, 1, 1}, 0, []int64{4, 3, 3}},
		{10, []float64{1, 1, 1}, 1, []int64{4, 3, 3}},
		{7, []float64{0.5, 0.25, 0.25}, 0, []int64{3, 2, 2}}, // quotas 3.5, 1.75, 1.75
		{100, []float64{100, 1}, 1, []int64{98, 2}},
	} {
		got := apportion(tc.total, tc.w, tc.min)
		if !slices.Equal(got, tc.want) {
			t.Errorf("apportion(%d, %v, %d) = %v, want %v", tc.total, tc.w, tc.min, got, tc.want)
		}
	}
}

func BenchmarkGenerateProvince(b *testing.B) {
	for _, d := range []float64{0.25, 1} {
		b.Run("lai-chau/density="+map[float64]string{0.25: "0.25", 1: "1"}[d], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(Config{MeasurementDensity: d}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestStats(t *testing.T) {
	w := world(t)
	s := w.Stats()
	if s.Households != 101010 || s.Villages != len(w.Villages) || s.Measurements != s.DriveTests+s.CrowdTests ||
		s.DeadZoneVillages != len(w.Truth.DeadZoneVillages()) || s.NoServiceTests == 0 {
		t.Errorf("stats %+v", s)
	}
	rows := 0
	for _, c := range s.SiteRowsBy {
		rows += c.Rows
	}
	if rows != len(w.Sites) {
		t.Errorf("site rows %d of %d", rows, len(w.Sites))
	}
}

// TestRegisterIsNotTheTruth: the register's faults and the gaps in the
// evidence are there, in the documented proportions.
func TestRegisterIsNotTheTruth(t *testing.T) {
	w := world(t)
	s := w.Stats()
	if len(w.Truth.Sites) != len(w.Sites) {
		t.Fatalf("%d true site rows for %d registered", len(w.Truth.Sites), len(w.Sites))
	}
	downReg, downTrue, planned := 0, 0, 0
	for i, x := range w.Truth.Sites {
		r := w.Sites[i]
		if x.SiteID != r.SiteID || x.Tech != r.Tech || x.EIRPDBm != r.EIRPDBm {
			t.Fatalf("row %d: true %s, registered %s", i, x.SiteID, r.SiteID)
		}
		if d := distKm(orb.Point{r.Lon, r.Lat}, orb.Point{x.Lon, x.Lat}); d > posErrorMaxM/1000+0.001 {
			t.Fatalf("%s registered %.2f km from its antenna", r.SiteID, d)
		}
		switch {
		case r.Status == engine.StatusPlanned:
			planned++
			if x.Status != engine.StatusPlanned {
				t.Fatalf("%s planned in the register, %s in truth", r.SiteID, x.Status)
			}
		case r.Status == engine.StatusDown:
			downReg++
			if x.Status != engine.StatusDown {
				t.Fatalf("%s registered down but %s", r.SiteID, x.Status)
			}
		}
		if x.Status == engine.StatusDown {
			downTrue++
		}
	}
	built := float64(len(w.Sites) - planned)
	if share := float64(s.SiteRowsDownUnregistered) / built; share < 0.01 || share > 0.06 {
		t.Errorf("%.3f of built rows down but registered active, want about %g", share, downUnregistered)
	}
	if share := float64(downTrue) / built; share < 0.03 || share > 0.08 || downReg+s.SiteRowsDownUnregistered != downTrue {
		t.Errorf("%.3f of built rows down (%d registered, %d not), want about %g", share, downReg, s.SiteRowsDownUnregistered, downRegistered+downUnregistered)
	}
	// P(error > 100 m) = 0.4 · P(250 m · e^(0.6 N) > 100 m) = 0.4 · Φ(1.527) = 0.375.
	if share := float64(s.SiteRowsMisplaced) / float64(len(w.Sites)); share < 0.3 || share > 0.45 {
		t.Errorf("%.3f of rows misplaced by more than 100 m, want about 0.375", share)
	}
	if s.CensoredTests == 0 || s.UntestedVillages == 0 {
		t.Errorf("%d censored readings, %d villages without a test within 1 km", s.CensoredTests, s.UntestedVillages)
	}
}

// BenchmarkGenerateCountry generates every province at the country demo's
// measurement density (0.2).
func BenchmarkGenerateCountry(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		w, err := Generate(Config{Country: true, MeasurementDensity: 0.2})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.Measurements.Len()), "rows")
		b.ReportMetric(float64(len(w.Villages)), "villages")
	}
}
