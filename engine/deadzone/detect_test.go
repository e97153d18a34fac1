package deadzone

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/paulmach/orb"
)

// scene is a synthetic district: the res-8 disk of radius 4 around c0,
// every hex with 10 households, Viettel 4G everywhere except zone1 (c0
// and its 6 neighbours, c0 with 100 households) and zone2 (one hex at
// grid distance 4), which only MobiFone's 2G reaches. One hex of the
// dead area (in zone1's ring) has no households.
type scene struct {
	c0, z2, empty hexgrid.Cell
	zone1         []hexgrid.Cell // sorted, the 6 dead populated hexes
	in            Input
}

func mustCenter(t *testing.T, c hexgrid.Cell) orb.Point {
	t.Helper()
	p, err := c.Center()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newScene(t *testing.T) scene {
	t.Helper()
	c0, err := hexgrid.Index(105.5, 21.5, 8)
	if err != nil {
		t.Fatal(err)
	}
	disk4, _ := c0.Disk(4)
	disk3, _ := c0.Disk(3)
	ring1, _ := c0.Disk(1)
	slices.Sort(disk3)
	var edge []hexgrid.Cell
	for _, c := range disk4 {
		if _, found := slices.BinarySearch(disk3, c); !found {
			edge = append(edge, c)
		}
	}
	slices.Sort(edge)
	s := scene{c0: c0, z2: edge[0]}
	dead := map[hexgrid.Cell]bool{s.z2: true}
	for _, c := range ring1 {
		dead[c] = true
	}
	// The largest ring-1 cell other than c0 has no households.
	sorted := slices.Clone(ring1)
	slices.Sort(sorted)
	s.empty = sorted[len(sorted)-1]
	if s.empty == c0 {
		s.empty = sorted[len(sorted)-2]
	}
	for _, c := range sorted {
		if c != s.empty {
			s.zone1 = append(s.zone1, c)
		}
	}
	admin := map[hexgrid.Cell]Admin{}
	for i, c := range s.zone1 {
		comm := "X"
		if i >= 4 {
			comm = "Y"
		}
		admin[c] = Admin{Province: "P1", Commune: comm}
	}
	for _, c := range disk4 {
		hh := 10.0
		switch c {
		case c0:
			hh = 100
		case s.empty:
			hh = 0
		}
		s.in.Population = append(s.in.Population, population.Cell{Cell: c, Population: 4 * hh, Households: hh})
		if !dead[c] {
			s.in.Coverage = append(s.in.Coverage, HexCoverage{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech4G, Covered: true})
			if _, ok := admin[c]; !ok {
				admin[c] = Admin{Province: "P1", Commune: "Z"}
			}
		} else {
			// An uncovered row must not count.
			s.in.Coverage = append(s.in.Coverage, HexCoverage{Cell: c, Carrier: engine.Viettel, Tech: engine.Tech3G, Covered: false})
		}
	}
	admin[s.z2] = Admin{Province: "P2", Commune: "W"}
	s.in.Coverage = append(s.in.Coverage, HexCoverage{Cell: s.z2, Carrier: engine.MobiFone, Tech: engine.Tech2G, Covered: true})
	s.in.Admin = admin
	p0 := mustCenter(t, c0)
	pz2 := mustCenter(t, s.z2)
	s.in.Sites = []engine.Site{
		{SiteID: "VT-1", Carrier: engine.Viettel, Tech: engine.Tech4G, Lon: p0[0], Lat: p0[1]},
		{SiteID: "MF-DOWN", Carrier: engine.MobiFone, Tech: engine.Tech2G, Lon: p0[0], Lat: p0[1], Status: engine.StatusDown},
		{SiteID: "MF-1", Carrier: engine.MobiFone, Tech: engine.Tech2G, Lon: pz2[0], Lat: pz2[1]},
		{SiteID: "VN-FAR", Carrier: engine.VinaPhone, Tech: engine.Tech4G, Lon: p0[0] + 1, Lat: p0[1]},
	}
	s.in.Villages = []Village{
		{ID: "v-centre", Name: "Bản Giữa", CommuneCode: "X", Lon: p0[0], Lat: p0[1], Households: 80},
		{ID: "v-z2", Name: "Bản Xa", CommuneCode: "W", Lon: pz2[0], Lat: pz2[1], Households: 12},
	}
	s.in.CommuneProvince = map[string]string{"X": "P1", "Y": "P1", "W": "P2", "Z": "P1"}
	return s
}

func TestDetectZones(t *testing.T) {
	s := newScene(t)
	zones, err := Detect(s.in)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 2 {
		t.Fatalf("%d zones, want 2", len(zones))
	}
	z1, z2 := zones[0], zones[1]
	if z1.ID != "DZ-"+s.zone1[0].String() || !slices.Equal(z1.Cells, s.zone1) {
		t.Errorf("zone 1 = %s %v, want DZ-%v %v", z1.ID, z1.Cells, s.zone1[0], s.zone1)
	}
	if z1.Households != 150 || z1.Population != 600 {
		t.Errorf("zone 1 households %g population %g, want 150, 600", z1.Households, z1.Population)
	}
	var area float64
	var wx, wy float64
	for _, c := range s.zone1 {
		a, _ := c.AreaKm2()
		area += a
		p := mustCenter(t, c)
		hh := 10.0
		if c == s.c0 {
			hh = 100
		}
		wx += hh * p[0]
		wy += hh * p[1]
	}
	if math.Abs(z1.AreaKm2-area) > 1e-9 || math.Abs(area-6*0.8) > 0.2 {
		t.Errorf("zone 1 area %g, want %g (≈ 6 × 0.8 at 21.5° N)", z1.AreaKm2, area)
	}
	if math.Abs(z1.Centroid[0]-wx/150) > 1e-12 || math.Abs(z1.Centroid[1]-wy/150) > 1e-12 {
		t.Errorf("zone 1 centroid %v, want %v", z1.Centroid, orb.Point{wx / 150, wy / 150})
	}
	wantComm := []UnitShare{{"X", 4.0 / 6}, {"Y", 2.0 / 6}}
	if !reflect.DeepEqual(z1.Communes, wantComm) || !reflect.DeepEqual(z1.Provinces, []UnitShare{{"P1", 1}}) {
		t.Errorf("zone 1 units %v %v, want %v [P1 1]", z1.Communes, z1.Provinces, wantComm)
	}
	if !slices.Equal(z1.Villages, []string{"v-centre"}) || z1.Partly2G {
		t.Errorf("zone 1 villages %v partly2G %v, want [v-centre] false", z1.Villages, z1.Partly2G)
	}
	// Nearest active sites: Viettel at c0 (0 m); MobiFone's down site is
	// ignored, its active one is at z2's centre; VinaPhone one degree east.
	pz2 := mustCenter(t, s.z2)
	wantMF := math.Inf(1)
	for _, c := range s.zone1 {
		wantMF = min(wantMF, hexgrid.GreatCircleM(pz2, mustCenter(t, c)))
	}
	if len(z1.Nearest) != 3 {
		t.Fatalf("nearest %+v, want 3 carriers", z1.Nearest)
	}
	for _, n := range z1.Nearest {
		switch n.Carrier {
		case engine.Viettel:
			if n.SiteID != "VT-1" || n.DistanceM != 0 {
				t.Errorf("viettel nearest %+v, want VT-1 at 0 m", n)
			}
		case engine.MobiFone:
			if n.SiteID != "MF-1" || math.Abs(n.DistanceM-wantMF) > 1e-6 || wantMF < 2000 {
				t.Errorf("mobifone nearest %+v, want MF-1 at %.1f m", n, wantMF)
			}
		case engine.VinaPhone:
			if n.SiteID != "VN-FAR" || n.DistanceM < 95000 || n.DistanceM > 106000 {
				t.Errorf("vinaphone nearest %+v, want VN-FAR about 100 km", n)
			}
		}
	}
	if z2.ID != "DZ-"+s.z2.String() || len(z2.Cells) != 1 || z2.Households != 10 ||
		!z2.Partly2G || !slices.Equal(z2.Carriers2G, []engine.Carrier{engine.MobiFone}) ||
		!slices.Equal(z2.Villages, []string{"v-z2"}) || z2.Communes[0].Code != "W" {
		t.Errorf("zone 2 = %+v", z2)
	}
}

func TestDetectDeterministic(t *testing.T) {
	s := newScene(t)
	a, err := Detect(s.in)
	if err != nil {
		t.Fatal(err)
	}
	rev := s.in
	rev.Population = slices.Clone(s.in.Population)
	slices.Reverse(rev.Population)
	rev.Coverage = slices.Clone(s.in.Coverage)
	slices.Reverse(rev.Coverage)
	rev.Sites = slices.Clone(s.in.Sites)
	slices.Reverse(rev.Sites)
	b, err := Detect(rev)
	if err != nil {
		t.Fatal(err)
	}
	// Zones without P(dead) carry NaN summaries, which DeepEqual never
	// finds equal: compare them apart.
	for _, zs := range [][]Zone{a, b} {
		for i := range zs {
			if math.IsNaN(zs[i].PDeadMean) && math.IsNaN(zs[i].PDeadMin) {
				zs[i].PDeadMean, zs[i].PDeadMin = -1, -1
			}
		}
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("Detect depends on input order")
	}
}

func TestDetectRejectsMixedResolutions(t *testing.T) {
	c8, _ := hexgrid.Index(105.5, 21.5, 8)
	c9, _ := hexgrid.Index(105.5, 21.5, 9)
	_, err := Detect(Input{Population: []population.Cell{{Cell: c8, Households: 1}, {Cell: c9, Households: 1}}})
	if err == nil {
		t.Fatal("mixed resolutions accepted")
	}
}

func TestGaps(t *testing.T) {
	s := newScene(t)
	s.in.Carriers = []engine.Carrier{engine.VinaPhone}
	rep, err := Gaps(s.in)
	if err != nil {
		t.Fatal(err)
	}
	// 61 hexes in the disk, 60 populated; 7 dead (6 in zone 1, z2).
	want := map[engine.Carrier]GapTotals{
		engine.MobiFone:  {Carrier: engine.MobiFone, ShareableHexes: 53, ShareableHouseholds: 530, ShareablePopulation: 2120, NobodyHexes: 7, NobodyHouseholds: 160, NobodyPopulation: 640},
		engine.VinaPhone: {Carrier: engine.VinaPhone, ShareableHexes: 53, ShareableHouseholds: 530, ShareablePopulation: 2120, NobodyHexes: 7, NobodyHouseholds: 160, NobodyPopulation: 640},
		engine.Viettel:   {Carrier: engine.Viettel, NobodyHexes: 7, NobodyHouseholds: 160, NobodyPopulation: 640},
	}
	if len(rep.ByCarrier) != 3 {
		t.Fatalf("by carrier %+v", rep.ByCarrier)
	}
	for i, g := range rep.ByCarrier {
		if i > 0 && rep.ByCarrier[i-1].Carrier >= g.Carrier {
			t.Error("ByCarrier not sorted")
		}
		if g != want[g.Carrier] {
			t.Errorf("%s totals %+v, want %+v", g.Carrier, g, want[g.Carrier])
		}
	}
	if len(rep.Hexes) != 53+7+53+7+7 {
		t.Errorf("%d gap hexes, want 127", len(rep.Hexes))
	}
	for _, h := range rep.Hexes {
		if h.Carrier == engine.MobiFone && h.Shareable() && !slices.Equal(h.Others, []engine.Carrier{engine.Viettel}) {
			t.Errorf("mobifone gap %v others %v, want [viettel]", h.Cell, h.Others)
		}
	}
	var viettelW GapTotals
	for _, g := range rep.ByCommune {
		if g.Code == "W" && g.Carrier == engine.Viettel {
			viettelW = g
		}
	}
	if viettelW.NobodyHexes != 1 || viettelW.NobodyHouseholds != 10 {
		t.Errorf("viettel in commune W %+v, want 1 hex, 10 households", viettelW)
	}
}

func TestVillages(t *testing.T) {
	s := newScene(t)
	// A village in zone 1 on the way to a covered hex two steps from c0:
	// 45% of the way from its dead hex's centre, within 600 m of the
	// covered centre (neighbouring centres are about 960 m apart here).
	ring2, _ := s.c0.Disk(2)
	var cov hexgrid.Cell
	for _, c := range ring2 {
		if d, _ := c.Disk(1); !slices.Contains(d, s.c0) && c != s.c0 {
			for _, n := range d {
				if slices.Contains(s.zone1, n) && n != s.c0 {
					cov = c
				}
			}
		}
		if cov != 0 {
			break
		}
	}
	var from hexgrid.Cell
	d, _ := cov.Disk(1)
	for _, n := range d {
		if slices.Contains(s.zone1, n) && n != s.c0 {
			from = n
			break
		}
	}
	pf, pc := mustCenter(t, from), mustCenter(t, cov)
	edge := orb.Point{pf[0] + 0.45*(pc[0]-pf[0]), pf[1] + 0.45*(pc[1]-pf[1])}
	if got, _ := hexgrid.Index(edge[0], edge[1], 8); got != from {
		t.Fatalf("test village point not in its dead hex")
	}
	if hexgrid.GreatCircleM(edge, pc) > 600 {
		t.Fatalf("test village %g m from the covered centre", hexgrid.GreatCircleM(edge, pc))
	}
	s.in.Villages = append(s.in.Villages, Village{ID: "v-edge", CommuneCode: "X", Lon: edge[0], Lat: edge[1], Households: 30})

	cases := []struct {
		radius float64
		want   map[string]Level
	}{
		{500, map[string]Level{"v-centre": NoSignal, "v-z2": Only2G, "v-edge": NoSignal}},
		{600, map[string]Level{"v-centre": NoSignal, "v-z2": Only2G, "v-edge": Covered}},
		{0, map[string]Level{"v-centre": NoSignal, "v-z2": Only2G, "v-edge": NoSignal}},
		{1000, map[string]Level{"v-centre": NoSignal, "v-z2": Covered, "v-edge": Covered}},
	}
	for _, tc := range cases {
		rep, err := Villages(s.in, VillageOptions{RadiusM: tc.radius})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range rep.Villages {
			if v.Level != tc.want[v.ID] {
				t.Errorf("radius %g: %s is %v, want %v", tc.radius, v.ID, v.Level, tc.want[v.ID])
			}
		}
	}
	rep, _ := Villages(s.in, DefaultVillageOptions())
	wantComm := []VillageCount{
		{Code: "W", Villages: 1, WithoutSignal: 1, Only2G: 1, HouseholdsWithoutSignal: 12},
		{Code: "X", Villages: 2, WithoutSignal: 2, HouseholdsWithoutSignal: 110},
	}
	wantProv := []VillageCount{
		{Code: "P1", Villages: 2, WithoutSignal: 2, HouseholdsWithoutSignal: 110},
		{Code: "P2", Villages: 1, WithoutSignal: 1, Only2G: 1, HouseholdsWithoutSignal: 12},
	}
	if !reflect.DeepEqual(rep.ByCommune, wantComm) || !reflect.DeepEqual(rep.ByProvince, wantProv) {
		t.Errorf("counts %+v %+v, want %+v %+v", rep.ByCommune, rep.ByProvince, wantComm, wantProv)
	}
	if err := (VillageOptions{RadiusM: -1}).Validate(); err == nil {
		t.Error("negative radius accepted")
	}
}

// TestVillagesLocal: a Local decision replaces the hexes' for the villages
// it reports on, and the counts follow it.
func TestVillagesLocal(t *testing.T) {
	s := newScene(t)
	base, err := Villages(s.in, DefaultVillageOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Villages) == 0 {
		t.Fatal("scene has no villages")
	}
	target := base.Villages[0]
	flip, verdict := Covered, Verdict{PDead: 0.1} // the opposite of the hexes' decision
	if !target.WithoutSignal() {
		flip, verdict = NoSignal, Verdict{PDead: 0.9}
	}
	opt := DefaultVillageOptions()
	opt.Local = func(v Village) (Verdict, Nearby, bool) {
		if v.ID == target.ID {
			return verdict, Nearby{Tests: 3}, true
		}
		return Verdict{}, Nearby{}, false
	}
	got, err := Villages(s.in, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got.Villages {
		want := base.Villages[i].Level
		if v.ID == target.ID {
			want = flip
		}
		if v.Level != want {
			t.Fatalf("%s: level %v, want %v", v.ID, v.Level, want)
		}
		if v.HasVerdict != (v.ID == target.ID) || (v.HasVerdict && (v.Verdict != verdict || v.Nearby.Tests != 3)) {
			t.Fatalf("%s: verdict %v %+v %+v", v.ID, v.HasVerdict, v.Verdict, v.Nearby)
		}
	}
	// A cut below the verdict's P(dead) turns a served village dead.
	if flip == Covered {
		opt.Cut = 0.05
		low, err := Villages(s.in, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range low.Villages {
			if v.ID == target.ID && v.Level != NoSignal {
				t.Fatalf("cut 0.05, P(dead) 0.1: level %v", v.Level)
			}
		}
		opt.Cut = 0.5
	}
	sum := func(r VillageReport) (n int) {
		for _, c := range r.ByCommune {
			n += c.WithoutSignal
		}
		return n
	}
	d := sum(got) - sum(base)
	if (flip == NoSignal && d != 1) || (flip == Covered && d != -1) {
		t.Fatalf("counts did not follow the local decision: %d", d)
	}
}

// TestDetectPDead: a hex's verdict overrides its coverage rows: P(dead)
// below the cut serves a hex no row covers, at or above it makes a covered
// hex dead; a bad probability or cut is refused.
func TestDetectPDead(t *testing.T) {
	s := newScene(t)
	in := s.in
	in.PDead = map[hexgrid.Cell]float64{s.z2: 0.3}
	zones, err := Detect(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zones {
		if slices.Contains(z.Cells, s.z2) {
			t.Fatalf("hex with P(dead) 0.3 is in zone %s", z.ID)
		}
	}
	in.Cut = 0.25
	if zones, err = Detect(in); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, z := range zones {
		found = found || slices.Contains(z.Cells, s.z2)
	}
	if !found {
		t.Fatal("cut 0.25: hex with P(dead) 0.3 is not dead")
	}
	// Every populated covered hex marked dead joins the zones.
	in.Cut = 0
	in.PDead = map[hexgrid.Cell]float64{}
	before, _ := Detect(s.in)
	deadBefore := 0
	for _, z := range before {
		deadBefore += len(z.Cells)
	}
	var covered hexgrid.Cell
	for _, p := range s.in.Population {
		if p.Households > 0 && !slices.ContainsFunc(before, func(z Zone) bool { return slices.Contains(z.Cells, p.Cell) }) {
			covered = p.Cell
			break
		}
	}
	if covered == 0 {
		t.Fatal("scene has no covered populated hex")
	}
	in.PDead[covered] = 0.5
	after, err := Detect(in)
	if err != nil {
		t.Fatal(err)
	}
	deadAfter := 0
	for _, z := range after {
		deadAfter += len(z.Cells)
	}
	if deadAfter != deadBefore+1 {
		t.Fatalf("covered hex at P(dead) 0.5: %d dead hexes, want %d", deadAfter, deadBefore+1)
	}
	for _, bad := range []Input{{PDead: map[hexgrid.Cell]float64{covered: 1.5}}, {Cut: 1}} {
		if _, err := Detect(bad); !errors.Is(err, ErrInput) {
			t.Errorf("%+v: err %v, want ErrInput", bad, err)
		}
	}
}

// A zone's P(dead) summary: the households-weighted mean of its hexes'
// P(dead) and the least of them; NaN when no hex has one.
func TestZonePDeadSummary(t *testing.T) {
	s := newScene(t)
	zones, err := Detect(s.in)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) == 0 {
		t.Fatal("scene has no zone")
	}
	if z := zones[0]; !math.IsNaN(z.PDeadMean) || !math.IsNaN(z.PDeadMin) {
		t.Errorf("without P(dead): mean %v, min %v, want NaN", z.PDeadMean, z.PDeadMin)
	}
	z0 := zones[0]
	in := s.in
	in.PDead = map[hexgrid.Cell]float64{}
	hh := map[hexgrid.Cell]float64{}
	for _, p := range s.in.Population {
		hh[p.Cell] = p.Households
	}
	var num, den float64
	for i, c := range z0.Cells {
		p := 0.6 + 0.3*float64(i%2) // 0.6, 0.9, 0.6, …: all dead at cut 0.5
		in.PDead[c] = p
		num += max(hh[c], 0) * p
		den += max(hh[c], 0)
	}
	zones, err = Detect(in)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(zones, func(z Zone) bool { return z.ID == z0.ID })
	if i < 0 {
		t.Fatalf("zone %s gone", z0.ID)
	}
	z := zones[i]
	if den == 0 {
		t.Fatal("zone without households")
	}
	if want := num / den; math.Abs(z.PDeadMean-want) > 1e-12 || z.PDeadMin != 0.6 {
		t.Errorf("zone %s: mean %v, min %v; want %v, 0.6", z.ID, z.PDeadMean, z.PDeadMin, want)
	}
}

// With the villages as the population, a hex is dead only as far as its
// villages are: a hex whose villages' mean P(dead) is below the cut still
// holds a dead village's households, and a hex above it does not count
// its served villages'. The zone's households are then the villages'
// without signal, as the villages' own counts.
func TestDetectAtVillages(t *testing.T) {
	a, err := hexgrid.Index(105.5, 21.5, 8)
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := a.Disk(1)
	slices.Sort(nb)
	b := nb[0]
	if b == a {
		b = nb[1]
	}
	ca, cb := mustCenter(t, a), mustCenter(t, b)
	vs := []Village{
		{ID: "VA1", CommuneCode: "C1", Lon: ca[0], Lat: ca[1], Households: 100}, // dead
		{ID: "VA2", CommuneCode: "C1", Lon: ca[0], Lat: ca[1], Households: 300}, // served
		{ID: "VB1", CommuneCode: "C1", Lon: cb[0], Lat: cb[1], Households: 50},  // dead
		{ID: "VB2", CommuneCode: "C1", Lon: cb[0], Lat: cb[1], Households: 150}, // served, uncertain
	}
	pd := map[string]float64{"VA1": 0.9, "VA2": 0.1, "VB1": 0.95, "VB2": 0.45}
	// The hexes' P(dead) as the pipeline gives them: their villages'
	// households-weighted mean (A 0.3, B 0.575).
	in := Input{
		Population: []population.Cell{{Cell: a, Households: 400, Population: 1600}, {Cell: b, Households: 200, Population: 800}},
		Villages:   vs,
		PDead:      map[hexgrid.Cell]float64{a: (100*0.9 + 300*0.1) / 400, b: (50*0.95 + 150*0.45) / 200},
	}
	vopt := DefaultVillageOptions()
	vopt.Local = func(v Village) (Verdict, Nearby, bool) { return Verdict{PDead: pd[v.ID]}, Nearby{}, true }
	rep, err := Villages(in, vopt)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.ByCommune[0].HouseholdsWithoutSignal; got != 150 {
		t.Fatalf("households without signal %v, want 150", got)
	}
	for _, tc := range []struct {
		name       string
		atVillages bool
		cells      []hexgrid.Cell
		hh         float64
		cellHH     []float64
		villages   []string
		served     []string
	}{
		{"at hex level", false, []hexgrid.Cell{b}, 200, []float64{200}, []string{"VB1", "VB2"}, []string{"VB2"}},
		{"at villages", true, sortedCells(a, b), 150, nil, []string{"VA1", "VA2", "VB1", "VB2"}, []string{"VA2", "VB2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := in
			in.Judged, in.HouseholdsAtVillages = &rep, tc.atVillages
			zones, err := Detect(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(zones) != 1 {
				t.Fatalf("%d zones, want 1", len(zones))
			}
			z := zones[0]
			if !slices.Equal(z.Cells, tc.cells) || z.Households != tc.hh || !slices.Equal(z.Villages, tc.villages) || !slices.Equal(z.Served, tc.served) {
				t.Errorf("zone cells %v households %v villages %v served %v; want %v %v %v %v", z.Cells, z.Households, z.Villages, z.Served,
					tc.cells, tc.hh, tc.villages, tc.served)
			}
			var sum float64
			for _, h := range z.CellHouseholds {
				sum += h
			}
			if len(z.CellHouseholds) != len(z.Cells) || sum != z.Households {
				t.Errorf("cell households %v, want one per cell summing to %v", z.CellHouseholds, z.Households)
			}
			if tc.atVillages {
				want := map[hexgrid.Cell]float64{a: 100, b: 50}
				for i, c := range z.Cells {
					if z.CellHouseholds[i] != want[c] {
						t.Errorf("hex %v: %v households without signal, want %v", c, z.CellHouseholds[i], want[c])
					}
				}
				if want := 1600*100.0/400 + 800*50.0/200; math.Abs(z.Population-want) > 1e-9 {
					t.Errorf("population %v, want %v", z.Population, want)
				}
			}
		})
	}
}

func sortedCells(cs ...hexgrid.Cell) []hexgrid.Cell {
	slices.Sort(cs)
	return cs
}

// Villages counted as served on an uncertain verdict are counted apart
// (VillageCount.Uncertain) and published as level "uncertain", not
// "covered"; those without signal stay in WithoutSignal only.
func TestVillagesUncertain(t *testing.T) {
	a, err := hexgrid.Index(105.5, 21.5, 8)
	if err != nil {
		t.Fatal(err)
	}
	ca := mustCenter(t, a)
	pd := map[string]float64{"S": 0.01, "L": 0.15, "U": 0.48, "D": 0.6}
	var vs []Village
	for _, id := range []string{"S", "L", "U", "D"} {
		vs = append(vs, Village{ID: id, CommuneCode: "C1", Lon: ca[0], Lat: ca[1], Households: 10 + float64(len(vs))})
	}
	vopt := DefaultVillageOptions()
	vopt.Local = func(v Village) (Verdict, Nearby, bool) { return Verdict{PDead: pd[v.ID]}, Nearby{}, true }
	rep, err := Villages(Input{Population: []population.Cell{{Cell: a, Households: 46}}, Villages: vs}, vopt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"S": "covered", "L": "covered", "U": LevelUncertain, "D": "no-signal"}
	for _, v := range rep.Villages {
		if got := v.LevelName(); got != want[v.ID] {
			t.Errorf("village %s (p_dead %v): level %q, want %q", v.ID, pd[v.ID], got, want[v.ID])
		}
	}
	c := rep.ByCommune[0]
	if c.Villages != 4 || c.WithoutSignal != 1 || c.HouseholdsWithoutSignal != 13 || c.Uncertain != 1 || c.HouseholdsUncertain != 12 {
		t.Errorf("commune count %+v, want 4 villages, 1 without signal (13 households), 1 uncertain (12)", c)
	}
	if p := rep.ByProvince; len(p) != 0 {
		t.Errorf("province counts %+v without provinces", p)
	}
}

// TestGapsFollowTheVerdict: a hex the verdict finds dead is a gap of every
// carrier, nobody covering it, though the coverage had carriers there:
// carrier_gaps.csv listed a dead-zone hex as closable by sharing, which
// the plan refuses to buy (it lists another_carrier_covers no more).
func TestGapsFollowTheVerdict(t *testing.T) {
	s := newScene(t)
	before, err := Gaps(s.in)
	if err != nil {
		t.Fatal(err)
	}
	gapsAt := func(rep GapReport, c hexgrid.Cell) map[engine.Carrier]GapHex {
		m := map[engine.Carrier]GapHex{}
		for _, h := range rep.Hexes {
			if h.Cell == c {
				m[h.Carrier] = h
			}
		}
		return m
	}
	// A populated hex viettel covers (no gap of its own) and the others
	// lack (shareable gaps of theirs).
	var hex hexgrid.Cell
	for _, p := range s.in.Population {
		g := gapsAt(before, p.Cell)
		if _, vt := g[engine.Viettel]; p.Households > 0 && !vt && len(g) > 0 {
			hex = p.Cell
			break
		}
	}
	if hex == 0 {
		t.Fatal("no hex viettel alone covers")
	}
	in := s.in
	in.PDead = map[hexgrid.Cell]float64{hex: 0.9}
	after, err := Gaps(in)
	if err != nil {
		t.Fatal(err)
	}
	g := gapsAt(after, hex)
	if n := len(before.ByCarrier); len(g) != n {
		t.Fatalf("dead hex: gaps of %d carriers, want every one's (%d): %+v", len(g), n, g)
	}
	for c, h := range g {
		if h.Shareable() {
			t.Errorf("%s: dead hex listed as covered by %v", c, h.Others)
		}
	}
	// Below the cut the coverage stands.
	in.PDead[hex] = 0.1
	if after, err = Gaps(in); err != nil {
		t.Fatal(err)
	}
	if g := gapsAt(after, hex); len(g) != len(before.ByCarrier)-1 || !g[engine.MobiFone].Shareable() {
		t.Errorf("served hex: gaps %+v, want every carrier's but viettel's, viettel covering", g)
	}
}
