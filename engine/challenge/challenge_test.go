package challenge

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/hexgrid"
)

func TestUpperTailKnownAnswers(t *testing.T) {
	// Exact values Σ C(n,i) p^i (1-p)^(n-i), i = k..n.
	for _, tc := range []struct {
		k, n int
		want float64
	}{
		{3, 5, 0.00856},
		{4, 5, 0.00046},
		{5, 20, 0.043174495284463404},
		{5, 21, 0.052152378099450586},
		{1, 1, 0.1},
		{0, 7, 1},
		{8, 7, 0},
	} {
		if got := UpperTail(tc.k, tc.n, 0.1); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("P(X ≥ %d | %d, 0.1) = %.15g, want %.15g", tc.k, tc.n, got, tc.want)
		}
	}
}

// localMs returns the Unix ms of a local (UTC+7) time on 10 March 2025.
func localMs(h, m int) int64 {
	return time.Date(2025, 3, 10, h, m, 0, 0, time.FixedZone("ICT", 7*3600)).UnixMilli()
}

type fixture struct {
	hex      hexgrid.Cell
	children []hexgrid.Cell
}

func newFixture(t *testing.T, lon, lat float64) fixture {
	t.Helper()
	c, err := hexgrid.Index(lon, lat, 8)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.Children(9)
	if err != nil || len(ch) != 7 {
		t.Fatalf("children: %v %d", err, len(ch))
	}
	return fixture{c, ch}
}

func (f fixture) claim() Claim {
	return Claim{Cell: f.hex, Carrier: engine.Viettel, Tech: engine.Tech4G}
}

// test is a 4G Viettel outdoor test in child i at local h:m.
func (f fixture) test(child, h, m int, dbm float64) Test {
	return Test{TimeUnixMs: localMs(h, m), Cell: f.children[child], Carrier: engine.Viettel,
		Tech: engine.Tech4G, SignalDBm: dbm, Environment: engine.EnvOutdoor}
}

// base is a challenge at every threshold's edge: 5 negatives (−110 dBm)
// in 4 children, 06:00 to 10:00 local.
func (f fixture) base() []Test {
	return []Test{
		f.test(0, 6, 0, -110),
		f.test(1, 7, 0, -110),
		f.test(2, 8, 0, -110),
		f.test(3, 9, 0, -110),
		f.test(3, 10, 0, -110),
	}
}

func adjudicateOne(t *testing.T, f fixture, tests []Test) Result {
	t.Helper()
	rep, err := Adjudicate([]Claim{f.claim()}, tests, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hexes) != 1 {
		t.Fatalf("%d results, want 1", len(rep.Hexes))
	}
	return rep.Hexes[0]
}

func TestAdjudicateEdges(t *testing.T) {
	f := newFixture(t, 105.8, 21.0)
	edit := func(fn func([]Test) []Test) []Test { return fn(f.base()) }
	cases := []struct {
		name   string
		tests  []Test
		want   Verdict
		reason string // substring of Reason
		n, neg int
	}{
		{"base: every threshold at its edge", f.base(), Challenged, "", 5, 5},
		{"3 children", edit(func(ts []Test) []Test { ts[3].Cell, ts[4].Cell = f.children[2], f.children[2]; return ts }),
			Insufficient, "geographic: tests in 3 of 7", 5, 5},
		{"4 children", edit(func(ts []Test) []Test { ts[4].Cell = f.children[0]; return ts }), Challenged, "", 5, 5},
		{"negatives 3h59 apart", edit(func(ts []Test) []Test { ts[4].TimeUnixMs = localMs(9, 59); return ts }),
			Insufficient, "temporal: negatives span 3h59m0s, need 4h0m0s", 5, 5},
		{"negatives 4h00 apart", f.base(), Challenged, "", 5, 5},
		{"4 negatives", edit(func(ts []Test) []Test { ts[2].SignalDBm = -105; return ts }),
			Insufficient, "volume: 4 negative tests, need 5", 5, 4},
		{"at the threshold is not negative, below is", edit(func(ts []Test) []Test { ts[2].SignalDBm = -105.01; return ts }),
			Challenged, "", 5, 5},
		{"05:59 local excluded", edit(func(ts []Test) []Test {
			ts[0].TimeUnixMs = localMs(5, 59)
			return append(ts, f.test(0, 12, 0, -80))
		}), Insufficient, "volume: 4 negative tests", 5, 4},
		{"06:00 local counted", edit(func(ts []Test) []Test { return append(ts, f.test(0, 12, 0, -80)) }), Challenged, "", 6, 5},
		{"22:00 local excluded", edit(func(ts []Test) []Test { ts[4].TimeUnixMs = localMs(22, 0); return ts }),
			Insufficient, "volume: 4 negative tests", 4, 4},
		{"21:59 local counted", edit(func(ts []Test) []Test { ts[4].TimeUnixMs = localMs(21, 59); return ts }), Challenged, "", 5, 5},
		{"indoor excluded", edit(func(ts []Test) []Test { ts[4].Environment = engine.EnvIndoor; return ts }),
			Insufficient, "volume: 4 negative tests", 4, 4},
		{"vehicle counted", edit(func(ts []Test) []Test { ts[4].Environment = engine.EnvVehicle; return ts }), Challenged, "", 5, 5},
		{"censored reading below the floor is negative", edit(func(ts []Test) []Test { ts[4].SignalDBm = -158; return ts }), Challenged, "", 5, 5},
		{"impossible reading is unusable", edit(func(ts []Test) []Test { ts[4].SignalDBm = -161; return ts }),
			Insufficient, "volume: 4 negative tests", 4, 4},
		{"no service is negative", edit(func(ts []Test) []Test {
			ts[4].SignalDBm, ts[4].Service = math.NaN(), engine.ServiceNone
			return ts
		}), Challenged, "", 5, 5},
		{"5 of 20 negative: p = 0.0432 significant", edit(func(ts []Test) []Test {
			for i := 0; i < 15; i++ {
				ts = append(ts, f.test(i%7, 12, i, -90))
			}
			return ts
		}), Challenged, "", 20, 5},
		{"5 of 21 negative: p = 0.0522 upheld", edit(func(ts []Test) []Test {
			for i := 0; i < 16; i++ {
				ts = append(ts, f.test(i%7, 12, i, -90))
			}
			return ts
		}), Upheld, "not significantly above 0.1", 21, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := adjudicateOne(t, f, tc.tests)
			if r.Verdict != tc.want || r.Tests != tc.n || r.Negatives != tc.neg {
				t.Fatalf("%v with %d tests, %d negatives (%s); want %v, %d, %d", r.Verdict, r.Tests, r.Negatives, r.Reason, tc.want, tc.n, tc.neg)
			}
			if tc.reason == "" && r.Reason != "" || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("reason %q, want it to contain %q", r.Reason, tc.reason)
			}
		})
	}
}

func TestAdjudicateNumbers(t *testing.T) {
	f := newFixture(t, 105.8, 21.0)
	ts := f.base()
	ts = append(ts, f.test(5, 11, 0, -80), f.test(5, 2, 0, -120)) // one positive, one at night
	r := adjudicateOne(t, f, ts)
	if r.Tests != 6 || r.Excluded != 1 || r.Negatives != 5 || r.Children != 5 ||
		r.FirstNegativeUnixMs != localMs(6, 0) || r.LastNegativeUnixMs != localMs(10, 0) || r.SpanHours != 4 {
		t.Errorf("numbers %+v", r)
	}
	if want := UpperTail(5, 6, 0.1); r.PValue != want || math.Abs(want-5.5e-5) > 1e-9 {
		t.Errorf("p-value %g, want %g", r.PValue, want)
	}
	if r.ChildMask != 1<<f.children[0].ChildDigit()|1<<f.children[1].ChildDigit()|1<<f.children[2].ChildDigit()|
		1<<f.children[3].ChildDigit()|1<<f.children[5].ChildDigit() {
		t.Errorf("child mask %07b", r.ChildMask)
	}
}

func TestAdjudicateMatching(t *testing.T) {
	f := newFixture(t, 105.8, 21.0)
	ts := f.base()
	// By position instead of cell: the same result.
	for i := range ts {
		p, _ := ts[i].Cell.Center()
		ts[i].Cell, ts[i].Lon, ts[i].Lat = 0, p[0], p[1]
	}
	other := f.test(0, 9, 0, -120)
	other.Carrier = engine.MobiFone
	bad := f.test(0, 9, 0, -120)
	bad.Tech = engine.TechUnknown
	ts = append(ts, other, bad)
	rep, err := Adjudicate([]Claim{f.claim(), f.claim(), {Cell: f.hex, Carrier: engine.Viettel, Tech: engine.Tech3G}}, ts, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hexes) != 1 || rep.Hexes[0].Verdict != Challenged || rep.Unmatched != 1 || rep.Invalid != 1 {
		t.Errorf("report %+v", rep)
	}
	if _, err := Adjudicate([]Claim{{Cell: f.children[0]}}, nil, DefaultConfig()); !errors.Is(err, ErrClaim) {
		t.Errorf("res-9 claim: err %v, want ErrClaim", err)
	}
}

func TestRollup(t *testing.T) {
	top, err := hexgrid.Index(105.8, 21.0, 6)
	if err != nil {
		t.Fatal(err)
	}
	sevens, _ := top.Children(7)
	build := func(challenged7, challenged8 int) Report {
		var claims []Claim
		var tests []Test
		for _, p7 := range sevens[:challenged7] {
			eights, _ := p7.Children(8)
			for _, c8 := range eights[:challenged8] {
				ch, _ := c8.Children(9)
				f := fixture{c8, ch}
				claims = append(claims, f.claim())
				tests = append(tests, f.base()...)
			}
			// One more claimed child, upheld.
			ch, _ := eights[6].Children(9)
			f := fixture{eights[6], ch}
			claims = append(claims, f.claim())
			for i := 0; i < 7; i++ {
				tests = append(tests, f.test(i, 12, i, -80))
			}
		}
		rep, err := Adjudicate(claims, tests, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	find := func(rep Report, res int, c hexgrid.Cell) Rollup {
		for _, r := range rep.Parents {
			if r.Res == res && r.Cell == c {
				return r
			}
		}
		t.Fatalf("no rollup for %v at %d", c, res)
		return Rollup{}
	}
	rep := build(4, 4)
	if r := find(rep, 7, sevens[0]); !r.Challenged || r.ChildrenChallenged != 4 {
		t.Errorf("res 7 with 4 challenged children: %+v", r)
	}
	if r := find(rep, 6, top); !r.Challenged || r.ChildrenChallenged != 4 {
		t.Errorf("res 6 with 4 challenged children: %+v", r)
	}
	if r := find(rep, 7, sevens[0]); r.Verdict != Challenged {
		t.Errorf("res 7 with 4 challenged children: verdict %v", r.Verdict)
	}
	rep = build(4, 3)
	// 3 challenged and 1 upheld: 4 decided, too few challenged: upheld.
	if r := find(rep, 7, sevens[0]); r.Challenged || r.ChildrenChallenged != 3 || r.ChildrenUpheld != 1 || r.Verdict != Upheld {
		t.Errorf("res 7 with 3 challenged children and 1 upheld: %+v", r)
	}
	if r := find(rep, 6, top); r.Challenged || r.ChildrenChallenged != 0 || r.ChildrenUpheld != 4 || r.Verdict != Upheld {
		t.Errorf("res 6 with no challenged children, 4 upheld: %+v", r)
	}
	rep = build(3, 4)
	if r := find(rep, 6, top); r.Challenged || r.ChildrenChallenged != 3 {
		t.Errorf("res 6 with 3 challenged children: %+v", r)
	}
	// One res-7 parent with 1 challenged child and 1 upheld: too few
	// decided, insufficient (it was written "upheld").
	rep = build(1, 1)
	if r := find(rep, 7, sevens[0]); r.Verdict != Insufficient || r.ChildrenChallenged != 1 || r.ChildrenUpheld != 1 {
		t.Errorf("res 7 with 1 challenged child and 1 upheld: %+v", r)
	}
	for i := 1; i < len(rep.Parents); i++ {
		a, b := rep.Parents[i-1], rep.Parents[i]
		if a.Res < b.Res || a.Res == b.Res && cmpKey(Claim{a.Cell, a.Carrier, a.Tech}, Claim{b.Cell, b.Carrier, b.Tech}) >= 0 {
			t.Fatal("parents not sorted")
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Config){
		"res":        func(c *Config) { c.Res = 15 },
		"offset":     func(c *Config) { c.UTCOffset = 25 * time.Hour },
		"window":     func(c *Config) { c.DayStart, c.DayEnd = 22*time.Hour, 6*time.Hour },
		"children":   func(c *Config) { c.MinChildren = 8 },
		"span":       func(c *Config) { c.MinSpan = -time.Hour },
		"negatives":  func(c *Config) { c.MinNegatives = 0 },
		"share":      func(c *Config) { c.NullShare = 1 },
		"alpha":      func(c *Config) { c.Alpha = math.NaN() },
		"rollup":     func(c *Config) { c.RollupMin = 0 },
		"rollupRes":  func(c *Config) { c.RollupRes = 9 },
		"thresholds": func(c *Config) { c.Thresholds.CoveredDBm[engine.Tech4G] = math.NaN() },
	} {
		c := DefaultConfig()
		edit(&c)
		if err := c.Validate(); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("%s: err %v, want ErrInvalidConfig", name, err)
		}
		if _, err := Adjudicate(nil, nil, c); err == nil {
			t.Errorf("%s: Adjudicate accepted an invalid config", name)
		}
	}
}

// A parent whose claimed hexes hold no counted test, or tests too few to
// decide them — every one negative here — is insufficient, never upheld:
// it was written "upheld" with 0 tests, and with 32 of 32 negatives.
func TestRollupWithoutEvidenceNotUpheld(t *testing.T) {
	top, err := hexgrid.Index(103.3, 22.4, 6)
	if err != nil {
		t.Fatal(err)
	}
	sevens, _ := top.Children(7)
	var claims []Claim
	var tests []Test
	for _, p7 := range sevens[:4] {
		eights, _ := p7.Children(8)
		for _, c8 := range eights[:4] {
			ch, _ := c8.Children(9)
			f := fixture{c8, ch}
			claims = append(claims, f.claim())
			// Two negatives in one child: neither geographic nor volume.
			tests = append(tests, f.test(0, 10, 0, -120), f.test(0, 16, 0, -120))
		}
	}
	eights, _ := sevens[5].Children(8)
	claims = append(claims, fixture{eights[0], nil}.claim()) // no test at all
	rep, err := Adjudicate(claims, tests, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Parents) == 0 {
		t.Fatal("no roll-up")
	}
	for _, r := range rep.Parents {
		if r.Verdict != Insufficient || r.Challenged {
			t.Errorf("res %d %v: %d tests, %d negatives, %d children challenged, %d upheld: verdict %v, want insufficient",
				r.Res, r.Cell, r.Tests, r.Negatives, r.ChildrenChallenged, r.ChildrenUpheld, r.Verdict)
		}
	}
}
