package scorecard

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/penetration"
)

func est(v, lo, hi float64) *penetration.Estimate {
	return &penetration.Estimate{Value: v, Lower: lo, Upper: hi}
}

func exact(v float64) *penetration.Estimate { return est(v, v, v) }

var (
	jan = penetration.Period{Year: 2025, Month: 1}
	feb = penetration.Period{Year: 2025, Month: 2}
)

func full(area string, p penetration.Period) AreaInput {
	return AreaInput{Area: area, Period: p, Households: 1000,
		DeadZones:  &DeadZones{Villages: 0, Households: 0},
		Smartphone: est(0.9, 0.85, 0.95), Fibre: exact(0.82), TwoGOnly: est(0.03, 0.02, 0.06),
		SpeedMobile: est(0.35, 0.25, 0.45), SpeedFixed: est(0.4, 0.32, 0.5)}
}

func build(t *testing.T, in []AreaInput, cfg Config) *Card {
	t.Helper()
	c, err := Build(in, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func row(t *testing.T, c *Card, area string, p penetration.Period) Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Area == area && r.Period == p {
			return r
		}
	}
	t.Fatalf("no row %s %s", area, p)
	return Row{}
}

func TestStatuses(t *testing.T) {
	cfg := DefaultConfig()
	for _, c := range []struct {
		name         string
		edit         func(*AreaInput)
		target       Target
		point, bound Status
	}{
		{"dead zones met at zero villages", func(a *AreaInput) {}, TargetDeadZones, StatusMet, StatusMet},
		{"dead zones not met", func(a *AreaInput) { a.DeadZones.Villages = 3 }, TargetDeadZones, StatusNotMet, StatusNotMet},
		{"dead zones unknown without data", func(a *AreaInput) { a.DeadZones = nil }, TargetDeadZones, StatusUnknown, StatusUnknown},
		{"dead zones unknown when villages NaN", func(a *AreaInput) { a.DeadZones.Villages = math.NaN() }, TargetDeadZones, StatusUnknown, StatusUnknown},
		{"fibre met exactly at 80%", func(a *AreaInput) { a.Fibre = exact(0.8) }, TargetFibre, StatusMet, StatusMet},
		{"fibre 79.96% rounds to 80.0%", func(a *AreaInput) { a.Fibre = exact(0.7996) }, TargetFibre, StatusMet, StatusMet},
		{"fibre 79.9% not met", func(a *AreaInput) { a.Fibre = exact(0.799) }, TargetFibre, StatusNotMet, StatusNotMet},
		{"fibre point met bound not", func(a *AreaInput) { a.Fibre = est(0.82, 0.78, 0.86) }, TargetFibre, StatusMet, StatusNotMet},
		{"fibre unknown nil", func(a *AreaInput) { a.Fibre = nil }, TargetFibre, StatusUnknown, StatusUnknown},
		{"fibre unknown NaN", func(a *AreaInput) { a.Fibre = exact(math.NaN()) }, TargetFibre, StatusUnknown, StatusUnknown},
		{"smartphone 90% not met", func(a *AreaInput) {}, TargetSmartphone, StatusNotMet, StatusNotMet},
		{"smartphone 100% met", func(a *AreaInput) { a.Smartphone = exact(1) }, TargetSmartphone, StatusMet, StatusMet},
		{"2G point below, upper above", func(a *AreaInput) {}, TargetTwoGOnly, StatusMet, StatusNotMet},
		{"2G exactly 5% not below", func(a *AreaInput) { a.TwoGOnly = exact(0.05) }, TargetTwoGOnly, StatusNotMet, StatusNotMet},
		{"speed both up: point met, bound not", func(a *AreaInput) {}, TargetSpeed, StatusMet, StatusNotMet},
		{"speed fixed missing: unknown", func(a *AreaInput) { a.SpeedFixed = nil }, TargetSpeed, StatusUnknown, StatusNotMet},
		{"speed fixed missing, mobile short: not met", func(a *AreaInput) { a.SpeedFixed = nil; a.SpeedMobile = exact(0.1) }, TargetSpeed, StatusNotMet, StatusNotMet},
		{"speed fixed below", func(a *AreaInput) { a.SpeedFixed = exact(0.2) }, TargetSpeed, StatusNotMet, StatusNotMet},
		{"speed both clearly up", func(a *AreaInput) { a.SpeedMobile = exact(0.5); a.SpeedFixed = exact(0.6) }, TargetSpeed, StatusMet, StatusMet},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := full("01", jan)
			c.edit(&in)
			r := row(t, build(t, []AreaInput{in}, cfg), "01", jan).Targets[c.target]
			if r.StatusPoint != c.point || r.StatusBound != c.bound || r.Status != c.point {
				t.Errorf("point %v bound %v status %v, want %v %v", r.StatusPoint, r.StatusBound, r.Status, c.point, c.bound)
			}
			if c.point == StatusUnknown && !math.IsNaN(r.Value) {
				t.Errorf("unknown with value %v", r.Value)
			}
		})
	}
	t.Run("households basis", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DeadZoneBasis = BasisHouseholds
		in := full("01", jan)
		in.DeadZones.Households = 12
		r := row(t, build(t, []AreaInput{in}, cfg), "01", jan)
		if r.Targets[TargetDeadZones].Status != StatusNotMet || r.Targets[TargetDeadZones].Value != 12 {
			t.Errorf("%+v", r.Targets[TargetDeadZones])
		}
	})
	t.Run("bound rule", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.Rule = RuleBound
		r := row(t, build(t, []AreaInput{full("01", jan)}, cfg), "01", jan)
		if r.Targets[TargetSpeed].Status != StatusNotMet || r.Targets[TargetTwoGOnly].Status != StatusNotMet {
			t.Errorf("%+v", r.Targets)
		}
	})
	t.Run("speed value is the binding change", func(t *testing.T) {
		in := full("01", jan)
		r := row(t, build(t, []AreaInput{in}, cfg), "01", jan)
		if r.Targets[TargetSpeed].Value != 0.35 || r.SpeedFixed != 0.4 || r.SpeedMobile != 0.35 {
			t.Errorf("%+v", r)
		}
	})
	t.Run("one half known and below the goal decides", func(t *testing.T) {
		// Mobile unknown (no measurements a year before), fixed +19%:
		// not met, the value shown is the fixed change, saying why.
		in := full("01", jan)
		in.SpeedMobile, in.SpeedFixed = nil, exact(0.19)
		r := row(t, build(t, []AreaInput{in}, cfg), "01", jan).Targets[TargetSpeed]
		if r.Status != StatusNotMet || r.Value != 0.19 || !strings.Contains(strings.Join(r.Issues, "; "), "mobile speeds unknown (no mobile speed tests in 2025-01 nor in 2024-01") {
			t.Errorf("%+v", r)
		}
	})
	t.Run("mobile only allowed", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.SpeedRequireFixed = false
		in := full("01", jan)
		in.SpeedFixed = nil
		r := row(t, build(t, []AreaInput{in}, cfg), "01", jan)
		if r.Targets[TargetSpeed].Status != StatusMet {
			t.Errorf("%+v", r.Targets[TargetSpeed])
		}
	})
}

// A target-5 figure of one half alone (shown because it fails the goal,
// the other half unknown) is no figure to rank by: it bounds the target's
// figure from above. It was ranked #1 with +29.9% fixed, mobile unknown,
// above every area whose both halves were known.
func TestRankSkipsOneHalfSpeed(t *testing.T) {
	a, b, c := full("01", jan), full("02", jan), full("03", jan)
	a.SpeedMobile, a.SpeedFixed = nil, exact(0.29) // fixed alone, below the goal
	b.SpeedMobile, b.SpeedFixed = exact(0.1), exact(0.5)
	c.SpeedMobile, c.SpeedFixed = exact(0.2), exact(0.25)
	card := build(t, []AreaInput{a, b, c}, DefaultConfig())
	ra := row(t, card, "01", jan).Targets[TargetSpeed]
	if ra.Status != StatusNotMet || ra.Value != 0.29 || !ra.OneHalf || ra.Rank != 0 {
		t.Errorf("one half alone: %+v, want not met, 0.29, unranked", ra)
	}
	if rb, rc := row(t, card, "02", jan).Targets[TargetSpeed], row(t, card, "03", jan).Targets[TargetSpeed]; rc.Rank != 1 || rb.Rank != 2 || rb.OneHalf || rc.OneHalf {
		t.Errorf("both halves: ranks %d (0.2) and %d (0.1), want 1 and 2", rc.Rank, rb.Rank)
	}
}

func TestRankTies(t *testing.T) {
	var in []AreaInput
	for _, c := range []struct {
		area  string
		fibre float64
	}{{"04", 0.70}, {"02", 0.85}, {"03", 0.85}, {"01", 0.6}, {"05", 0.8504}} {
		a := full(c.area, jan)
		a.Fibre = exact(c.fibre)
		in = append(in, a)
	}
	u := full("06", jan)
	u.Fibre = nil
	in = append(in, u)
	card := build(t, in, DefaultConfig())
	want := map[string]int{"02": 1, "03": 1, "05": 1, "04": 4, "01": 5, "06": 0, "VN": 0}
	var order []string
	for _, r := range card.Rows {
		order = append(order, r.Area)
		if got := r.Targets[TargetFibre].Rank; got != want[r.Area] {
			t.Errorf("%s rank %d, want %d", r.Area, got, want[r.Area])
		}
	}
	if strings.Join(order, ",") != "VN,01,02,03,04,05,06" {
		t.Errorf("row order %v", order)
	}
	// Lower-is-better target: fewer dead-zone villages rank first.
	in = []AreaInput{full("01", jan), full("02", jan), full("03", jan)}
	in[0].DeadZones.Villages, in[1].DeadZones.Villages, in[2].DeadZones.Villages = 5, 0, 5
	card = build(t, in, DefaultConfig())
	for area, w := range map[string]int{"01": 2, "02": 1, "03": 2} {
		if got := row(t, card, area, jan).Targets[TargetDeadZones].Rank; got != w {
			t.Errorf("dead zones %s rank %d, want %d", area, got, w)
		}
	}
}

func TestChangeSincePreviousMonth(t *testing.T) {
	a, b := full("01", jan), full("01", feb)
	b.Fibre = exact(0.85)
	b.DeadZones.Villages = 2
	b.Smartphone = nil
	c := full("02", feb) // no January row
	card := build(t, []AreaInput{b, a, c}, DefaultConfig())
	r := row(t, card, "01", feb)
	if got := r.Targets[TargetFibre].Change; math.Abs(got-0.03) > 1e-12 {
		t.Errorf("fibre change %v, want 0.03", got)
	}
	if got := r.Targets[TargetDeadZones].Change; got != 2 {
		t.Errorf("dead-zone change %v, want 2", got)
	}
	if !math.IsNaN(r.Targets[TargetSmartphone].Change) {
		t.Error("change with missing value must be NaN")
	}
	if !math.IsNaN(row(t, card, "02", feb).Targets[TargetFibre].Change) {
		t.Error("no previous month: change must be NaN")
	}
	if !math.IsNaN(row(t, card, "01", jan).Targets[TargetFibre].Change) {
		t.Error("first month: change must be NaN")
	}
}

func TestAlerts(t *testing.T) {
	a, b := full("01", jan), full("01", feb)
	a.DeadZones.Hexes = []string{"h1", "h2"}
	a.DeadZones.VillageIDs = []string{}
	b.DeadZones.Hexes = []string{"h3", "h2", "h0"}
	b.DeadZones.VillageIDs = []string{"v9"}
	b.DeadZones.Villages = 1
	b.Fibre = exact(0.79)      // met → not met
	b.Smartphone = exact(0.88) // worse by 0.02 > 0.01
	b.TwoGOnly = est(0.034, 0.02, 0.06)
	// January assessed with no dead zone (no ids): February's are new.
	c, d := full("02", jan), full("02", feb)
	d.DeadZones.Hexes = []string{"x"}
	d.DeadZones.VillageIDs, d.DeadZones.Villages = []string{"w"}, 1
	// January with no village or populated hex located: nothing is new
	// against it (and its target 1 is unknown, so no regression either).
	e, f := full("03", jan), full("03", feb)
	e.DeadZones.NoVillages, e.DeadZones.NoHouseholds = true, true
	f.DeadZones.Hexes = []string{"y"}
	f.DeadZones.VillageIDs, f.DeadZones.Villages = []string{"u"}, 1
	card := build(t, []AreaInput{a, b, c, d}, DefaultConfig())
	for _, al := range build(t, []AreaInput{e, f}, DefaultConfig()).Alerts {
		if al.Kind == AlertNewDeadZoneHexes || al.Kind == AlertNewDeadZoneVillages {
			t.Errorf("against a month not assessed: %+v", al)
		}
	}
	var got []string
	for _, al := range card.Alerts {
		got = append(got, al.Area+" "+string(al.Kind)+" "+al.Target.String()+" "+strings.Join(al.Items, "+"))
	}
	want := []string{
		"01 new_dead_zone_hexes dead_zones h0+h3",
		"01 new_dead_zone_villages dead_zones v9",
		"01 regression dead_zones ",
		"01 regression smartphone ",
		"01 regression fibre ",
		"02 new_dead_zone_hexes dead_zones x",
		"02 new_dead_zone_villages dead_zones w",
		"02 regression dead_zones ",
		// The national row has no sets (they are not aggregated); its
		// fibre falls from 0.82 to 0.805 (worse by 0.015 > 0.01) while
		// staying met; its smartphone share becomes unknown (no alert).
		"VN regression dead_zones ",
		"VN regression fibre ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNational(t *testing.T) {
	a, b := full("01", jan), full("02", jan)
	a.Households, b.Households = 1000, 3000
	a.Fibre, b.Fibre = est(0.6, 0.5, 0.7), est(0.9, 0.9, 0.9)
	a.DeadZones.Villages, b.DeadZones.Villages = 2, 3
	card := build(t, []AreaInput{a, b}, DefaultConfig())
	n := row(t, card, "VN", jan)
	if !n.National || n.Targets[TargetDeadZones].Value != 5 {
		t.Errorf("%+v", n)
	}
	f := n.Targets[TargetFibre]
	if math.Abs(f.Value-0.825) > 1e-12 || math.Abs(f.Lower-0.8) > 1e-12 || math.Abs(f.Upper-0.85) > 1e-12 {
		t.Errorf("national fibre %+v", f)
	}
	if n.Targets[TargetSpeed].Status != StatusUnknown {
		t.Error("national speed must be unknown unless given")
	}
	// 2G-only is a share of phones: without the areas' subscriber counts
	// the nation's is unknown, saying so; with them it is the share of
	// the summed counts (Wilson interval), not a household-weighted mean
	// of the areas' shares (0.03 here, with the households above).
	if r := n.Targets[TargetTwoGOnly]; r.Status != StatusUnknown || !strings.Contains(r.Reason, "without its subscriber counts") {
		t.Errorf("national 2G-only without counts: %+v", r)
	}
	a.Only2GSubscribers, a.MobileSubscribers = 30, 1000
	b.Only2GSubscribers, b.MobileSubscribers = 90, 9000
	n = row(t, build(t, []AreaInput{a, b}, DefaultConfig()), "VN", jan)
	lo, hi := penetration.Wilson(120, 10000, 0.95)
	if r := n.Targets[TargetTwoGOnly]; r.Status != StatusMet || math.Abs(r.Value-0.012) > 1e-12 || r.Lower != lo || r.Upper != hi {
		t.Errorf("national 2G-only: %+v, want 0.012 [%g, %g] met", r, lo, hi)
	}
	// One area without fibre: national fibre unknown, not a partial mean.
	b.Fibre = nil
	n = row(t, build(t, []AreaInput{a, b}, DefaultConfig()), "VN", jan)
	if n.Targets[TargetFibre].Status != StatusUnknown {
		t.Error("partial national mean")
	}
	// With the boundary set's areas known, an area without any input
	// leaves the national shares unknown (saying how many areas lack
	// data) and target 1 a lower bound, rather than a "nation" of the
	// areas that happen to have data.
	b.Fibre = est(0.9, 0.9, 0.9)
	cfg := DefaultConfig()
	cfg.Areas = []string{"01", "02", "03"}
	n = row(t, build(t, []AreaInput{a, b}, cfg), "VN", jan)
	if f := n.Targets[TargetFibre]; f.Status != StatusUnknown || !strings.Contains(f.Reason, "no data for 1 of 3 areas") {
		t.Errorf("national fibre with an area missing: %+v", f)
	}
	if d := n.Targets[TargetDeadZones]; d.Status != StatusNotMet || !math.IsNaN(d.Value) || d.Lower != 5 {
		t.Errorf("national dead zones with an area missing: %+v (want the lower bound 5)", d)
	}
	cfg.Areas = []string{"01", "02"}
	if f := row(t, build(t, []AreaInput{a, b}, cfg), "VN", jan).Targets[TargetFibre]; math.Abs(f.Value-0.825) > 1e-12 {
		t.Errorf("national fibre with every area: %+v", f)
	}
	// A given national row is used as is.
	v := full("VN", jan)
	v.Fibre = exact(0.823)
	n = row(t, build(t, []AreaInput{a, b, v}, DefaultConfig()), "VN", jan)
	if n.Targets[TargetFibre].Value != 0.823 {
		t.Errorf("given national row replaced: %+v", n.Targets[TargetFibre])
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build([]AreaInput{full("01", jan), full("01", jan)}, DefaultConfig()); !errors.Is(err, engine.ErrInvalidValue) {
		t.Errorf("duplicate: %v", err)
	}
	cfg := DefaultConfig()
	cfg.FibreGoal = 1.5
	if _, err := Build(nil, cfg); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Errorf("config: %v", err)
	}
}

func TestRenderings(t *testing.T) {
	a, b := full("01", jan), full("01", feb)
	b.Fibre = exact(0.79)
	b.Smartphone = nil
	card := build(t, []AreaInput{a, b}, DefaultConfig())
	var j1, j2 bytes.Buffer
	if err := card.WriteJSON(&j1); err != nil {
		t.Fatal(err)
	}
	card2 := build(t, []AreaInput{b, a}, DefaultConfig())
	if err := card2.WriteJSON(&j2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(j1.Bytes(), j2.Bytes()) {
		t.Error("JSON depends on input order")
	}
	var doc struct {
		Rules  map[string]any   `json:"rules"`
		Rows   []map[string]any `json:"rows"`
		Alerts []map[string]any `json:"alerts"`
	}
	if err := json.Unmarshal(j1.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) string {
		var k []string
		for s := range m {
			k = append(k, s)
		}
		slices.Sort(k)
		return strings.Join(k, ",")
	}
	for _, c := range []struct{ name, got, want string }{
		{"rules", keys(doc.Rules), "dead_zone_basis,national,precision,rule,speed_require_fixed"},
		{"row", keys(doc.Rows[0]), "area,dead_zone_households,dead_zone_villages,met,national,not_met,period,speed_fixed_yoy,speed_mobile_yoy,targets,unknown"},
		{"target", keys(doc.Rows[0]["targets"].([]any)[2].(map[string]any)), "change,confidence,goal,interval,lower,method,rank,status,status_bound,status_point,target,upper,value"},
		{"alert", keys(doc.Alerts[0]), "area,current,kind,message,period,previous,target"},
	} {
		if c.got != c.want {
			t.Errorf("%s fields %s, want %s", c.name, c.got, c.want)
		}
	}
	// The month the card was made for is recorded (none when not set),
	// and kept by ForArea: a card of January whose rows run to February
	// says January.
	for _, c := range []struct {
		name   string
		period penetration.Period
		want   string
	}{{"not set", penetration.Period{}, ""}, {"January", jan, "2025-01"}} {
		card.Period = c.period
		var j bytes.Buffer
		if err := card.ForArea("01").WriteJSON(&j); err != nil {
			t.Fatal(err)
		}
		var made map[string]any
		if err := json.Unmarshal(j.Bytes(), &made); err != nil {
			t.Fatal(err)
		}
		if got, ok := made["period"]; c.want == "" && ok || c.want != "" && got != c.want {
			t.Errorf("%s: period %v, want %q", c.name, got, c.want)
		}
	}
	card.Period = penetration.Period{}
	if !strings.Contains(j1.String(), `"target": "smartphone",
          "value": null`) {
		t.Error("missing value must be null")
	}
	var csvb bytes.Buffer
	if err := card.WriteCSV(&csvb); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvb.String()), "\n")
	if len(lines) != 1+4 || lines[0] != strings.Join(CSVHeader(), ",") || len(CSVHeader()) != 11+12*NumTargets {
		t.Errorf("csv:\n%s", csvb.String())
	}
	if !strings.HasPrefix(lines[4], "01,,2025-02,false,") {
		t.Errorf("csv row order: %s", lines[4])
	}
	var tb bytes.Buffer
	if err := card.Table(&tb); err != nil {
		t.Fatal(err)
	}
	// One area: its values are not ranked (a rank among one says nothing).
	for _, s := range []string{"82.0% met ", "79.0% NOT MET", "? unknown", "alerts", "regression"} {
		if !strings.Contains(tb.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, tb.String())
		}
	}
	if strings.Contains(tb.String(), "82.0% met #") {
		t.Errorf("one area ranked:\n%s", tb.String())
	}
}

// A month whose dead zones could not be computed (no measurements) is
// unknown with its reason: never not met, never zero, never compared.
func TestMonthWithoutData(t *testing.T) {
	cfg := DefaultConfig()
	prev := full("01", jan)
	prev.DeadZones = nil
	prev.Missing[TargetDeadZones] = DeadZoneInputs{Sites: true, Households: true}.Missing(jan)
	cur := full("01", feb)
	cur.DeadZones = &DeadZones{Villages: 3, VillageIDs: []string{"V1", "V2", "V3"}, Hexes: []string{"h"}}
	c := build(t, []AreaInput{prev, cur}, cfg)
	p := row(t, c, "01", jan).Targets[TargetDeadZones]
	if p.Status != StatusUnknown || !math.IsNaN(p.Value) || p.Reason != "no measurements in 2025-01" {
		t.Fatalf("month without measurements: %+v", p)
	}
	r := row(t, c, "01", feb)
	if d := r.Targets[TargetDeadZones]; d.Status != StatusNotMet || !math.IsNaN(d.Change) || d.Reason != "" {
		t.Fatalf("change against a month without data: %+v", d)
	}
	if n := row(t, c, "VN", jan).Targets[TargetDeadZones]; n.Status != StatusUnknown || n.Reason != "no measurements in 2025-01" {
		t.Fatalf("national: %+v", n)
	}
	for _, a := range c.Alerts {
		if a.Target == TargetDeadZones {
			t.Fatalf("alert against a month without data: %+v", a)
		}
	}
	// Targets 2–4 of both months have data: their changes are computed.
	if ch := r.Targets[TargetFibre].Change; ch != 0 {
		t.Fatalf("fibre change %v", ch)
	}
	// Absent inputs get a generic reason; rendered in every format.
	lone := AreaInput{Area: "02", Period: feb, Households: math.NaN()}
	c = build(t, []AreaInput{lone}, cfg)
	got := row(t, c, "02", feb)
	want := [NumTargets]string{"no dead-zone figures for 2025-02 in this card: lomsong run --period 2025-02 saves them (a card computes its own month's and the month before's dead zones, and reads another month's where a run on the same options saved them and they are current)", "no subscriptions for 2025-02",
		"no subscriptions for 2025-02", "no subscriptions for 2025-02", "no mobile speed tests in 2025-02 nor in 2024-02, the same month a year before; no fixed download speeds (the subscriptions' fixed_median_dl_mbps: the target needs fixed and mobile)"}
	for _, tg := range Targets {
		if x := got.Targets[tg]; x.Status != StatusUnknown || x.Reason != want[tg] {
			t.Errorf("%s: %v %q, want unknown %q", tg, x.Status, x.Reason, want[tg])
		}
	}
	if got.Unknown != NumTargets || got.NotMet != 0 {
		t.Fatalf("%+v", got)
	}
	var tb, cb, jb bytes.Buffer
	c.Table(&tb)
	c.WriteCSV(&cb)
	c.WriteJSON(&jb)
	for name, s := range map[string]string{"table": tb.String(), "csv": cb.String(), "json": jb.String()} {
		if !strings.Contains(s, "no subscriptions for 2025-02") || strings.Contains(s, "NOT MET") {
			t.Errorf("%s:\n%s", name, s)
		}
	}
}

func TestDeadZoneInputsMissing(t *testing.T) {
	for _, c := range []struct {
		in   DeadZoneInputs
		want string
	}{
		{DeadZoneInputs{true, true, true}, ""},
		{DeadZoneInputs{Sites: true, Households: true}, "no measurements in 2025-02"},
		{DeadZoneInputs{}, "no sites in the dataset; no measurements in 2025-02; no households per hex (no population or villages table)"},
	} {
		if got := c.in.Missing(feb); got != c.want {
			t.Errorf("%+v: %q, want %q", c.in, got, c.want)
		}
	}
}

// An area the dead-zone run located nothing in (no village, or no
// populated hex on the households basis) has a dead-zone count of zero
// that says nothing: target 1 is unknown there and nationally, never met.
func TestDeadZonesUnassessed(t *testing.T) {
	for _, basis := range []Basis{BasisVillages, BasisHouseholds} {
		cfg := DefaultConfig()
		cfg.DeadZoneBasis = basis
		a, b := full("A", jan), full("B", jan)
		b.DeadZones = &DeadZones{Households: 30, Hexes: []string{"h"}, NoVillages: true}
		if basis == BasisHouseholds {
			b.DeadZones = &DeadZones{Villages: 0, NoHouseholds: true}
		}
		c := build(t, []AreaInput{a, b}, cfg)
		if r := row(t, c, "A", jan).Targets[TargetDeadZones]; r.Status != StatusMet {
			t.Errorf("%v: assessed area: %+v", basis, r)
		}
		rb := row(t, c, "B", jan)
		r := rb.Targets[TargetDeadZones]
		if r.Status != StatusUnknown || !strings.Contains(r.Reason, "in the dead-zone run") {
			t.Errorf("%v: unassessed area: %+v", basis, r)
		}
		if basis == BasisVillages && (!math.IsNaN(rb.DeadZoneVillages) || rb.DeadZoneHouseholds != 30) {
			t.Errorf("unassessed area's counts: villages %v (want none), households %v", rb.DeadZoneVillages, rb.DeadZoneHouseholds)
		}
		n := row(t, c, cfg.National, jan).Targets[TargetDeadZones]
		if n.Status != StatusUnknown || !strings.Contains(n.Reason, "unknown in 1 of 2 areas") {
			t.Errorf("%v: national: %+v", basis, n)
		}
	}
	// Known dead zones elsewhere prove the nation not met: at least their
	// count, whatever the area not assessed holds.
	a, b := full("A", jan), full("B", jan)
	a.DeadZones = &DeadZones{Villages: 3, Households: 120}
	b.DeadZones = &DeadZones{NoVillages: true, NoHouseholds: true}
	n := row(t, build(t, []AreaInput{a, b}, DefaultConfig()), DefaultConfig().National, jan)
	if r := n.Targets[TargetDeadZones]; r.Status != StatusNotMet || !math.IsNaN(r.Value) || r.Lower != 3 || cell(r) != "≥ 3 NOT MET" ||
		!math.IsNaN(n.DeadZoneVillages) {
		t.Errorf("national, at least 3: %+v (%q), villages %v", r, cell(r), n.DeadZoneVillages)
	}
	// The other basis's flag does not matter.
	only := full("A", jan)
	only.DeadZones.NoHouseholds = true
	if r := row(t, build(t, []AreaInput{only}, DefaultConfig()), "A", jan).Targets[TargetDeadZones]; r.Status != StatusMet {
		t.Errorf("villages basis with no populated hex: %+v", r)
	}
}

// A share the estimator marks impossible (fibre households above
// households: 120%) is shown but not judged, ranked or counted into the
// national share: its status is unknown, with the data problem as the
// reason, and the consistent province ranks first.
func TestImpossibleShare(t *testing.T) {
	bad := full("01", jan)
	f := penetration.FibreShare(penetration.Subscription{AreaCode: "01", Households: 1000, FiberHouseholds: 1200}, nil)
	if !f.Impossible {
		t.Fatalf("FibreShare of 1200/1000: %+v, want Impossible", f)
	}
	bad.Fibre = &f
	good := full("02", jan)
	good.Fibre = exact(0.9)
	card := build(t, []AreaInput{bad, good}, DefaultConfig())
	r := row(t, card, "01", jan).Targets[TargetFibre]
	if r.Status != StatusUnknown || r.Rank != 0 || r.Value != 1.2 || !strings.Contains(r.Reason, "fibre households exceed households") {
		t.Errorf("area 01: status %v rank %d value %v reason %q", r.Status, r.Rank, r.Value, r.Reason)
	}
	// The one area with a value is not ranked (a rank among one says
	// nothing).
	if g := row(t, card, "02", jan).Targets[TargetFibre]; g.Rank != 0 || g.Status != StatusMet {
		t.Errorf("area 02: status %v rank %d, want met and no rank", g.Status, g.Rank)
	}
	if n := row(t, card, "VN", jan).Targets[TargetFibre]; n.Status != StatusUnknown || !math.IsNaN(n.Value) {
		t.Errorf("national: status %v value %v, want unknown", n.Status, n.Value)
	}
}

// An impossible share (shown, not judged) gives no change and no alert,
// from it or to it: a normal 85% after 120% is not "worse by 0.35".
func TestImpossibleShareNotCompared(t *testing.T) {
	f := penetration.FibreShare(penetration.Subscription{AreaCode: "01", Households: 1000, FiberHouseholds: 1200}, nil)
	before := full("01", jan)
	before.Fibre = &f
	after := full("01", jan.AddMonths(1))
	after.Fibre = exact(0.85)
	card := build(t, []AreaInput{before, after}, DefaultConfig())
	if c := row(t, card, "01", jan.AddMonths(1)).Targets[TargetFibre].Change; !math.IsNaN(c) {
		t.Errorf("change from an impossible share: %v", c)
	}
	for _, a := range card.Alerts {
		if a.Target == TargetFibre {
			t.Errorf("alert %+v", a)
		}
	}
}

// Target 5's value is the smaller half's change and its interval the
// smaller of the halves' bounds, as the bound rule judges both halves.
func TestSpeedIntervalOfTheSmallerHalf(t *testing.T) {
	in := full("01", jan)
	in.SpeedMobile = est(0.35, 0.17, 0.55)
	in.SpeedFixed = exact(0.2996)
	r := row(t, build(t, []AreaInput{in}, DefaultConfig()), "01", jan).Targets[TargetSpeed]
	if r.Value != 0.2996 || r.Lower != 0.17 || r.Upper != 0.2996 || r.StatusBound != StatusNotMet {
		t.Errorf("speed %+v", r)
	}
}

// An area whose share is known (from its survey) but which has no
// household count cannot be weighed into the national share: the national
// row says so, not "no subscriptions".
func TestNationalShareWithoutHouseholds(t *testing.T) {
	a, b := full("01", jan), full("02", jan)
	b.Households = 0
	cfg := DefaultConfig()
	cfg.Areas = []string{"01", "02"}
	r := row(t, build(t, []AreaInput{a, b}, cfg), "VN", jan).Targets[TargetSmartphone]
	if r.Status != StatusUnknown || !strings.Contains(r.Reason, "area 02 has no household count") {
		t.Errorf("national smartphone: %v %q", r.Status, r.Reason)
	}
}

// A share with no interval (an impossible one, above 100%) prints none in
// the table, as the files leave it empty (it printed "[NaN, NaN]").
func TestCellWithoutInterval(t *testing.T) {
	got := cell(Result{Target: TargetTwoGOnly, Value: 600000.0 / 520000, Lower: math.NaN(), Upper: math.NaN(), Status: StatusUnknown})
	if strings.Contains(got, "NaN") || !strings.HasPrefix(got, "115.4% ") {
		t.Errorf("cell %q", got)
	}
}

// A share of census-projected households says so: the table names its
// area, the JSON marks the result (nothing said it).
func TestProjectedHouseholdsSaid(t *testing.T) {
	var row Row
	row.Area, row.Period = "11", penetration.Period{Year: 2024, Month: 10}
	for _, tg := range Targets {
		row.Targets[tg] = Result{Target: tg, Value: math.NaN(), Lower: math.NaN(), Upper: math.NaN(), Change: math.NaN(), Status: StatusUnknown}
	}
	row.Targets[TargetFibre] = Result{Target: TargetFibre, Value: 0.48, Lower: 0.45, Upper: 0.51, Change: math.NaN(), Status: StatusNotMet, HouseholdsProjected: true}
	card := &Card{Config: DefaultConfig(), Rows: []Row{row}}
	var tab, js bytes.Buffer
	if err := card.Table(&tab); err != nil {
		t.Fatal(err)
	}
	if err := card.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab.String(), "households projected from the census") || !strings.Contains(tab.String(), ": 11\n") ||
		!strings.Contains(js.String(), `"households_projected": true`) {
		t.Errorf("table:\n%s\njson:\n%s", tab.String(), js.String())
	}
}

// Households in dead zones are whole in the card's files, as every table
// shows them (a population table's 28752.70407774143 was written as is).
func TestDeadZoneHouseholdsWhole(t *testing.T) {
	a := full("12", jan)
	a.DeadZones.Households = 28752.70407774143
	card := build(t, []AreaInput{a}, DefaultConfig())
	var csvb, jsonb bytes.Buffer
	if err := card.WriteCSV(&csvb); err != nil {
		t.Fatal(err)
	}
	if err := card.WriteJSON(&jsonb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvb.String(), ",28753,") || strings.Contains(csvb.String(), "28752.7") {
		t.Errorf("CSV:\n%s", csvb.String())
	}
	if !strings.Contains(jsonb.String(), `"dead_zone_households": 28753,`) {
		t.Errorf("JSON: %.400s", jsonb.String())
	}
}

// Target 1's interval is the range of the villages truly without 3G/4G
// from their p_dead (it was [v, v], "14 [14, 14]", while the p_dead of the
// same villages summed to 37.8): the value stays the villages listed, the
// bound status is judged on the upper end, and the nation's distribution
// is the areas' convolution.
func TestDeadZoneInterval(t *testing.T) {
	a, b := full("01", jan), full("02", jan)
	a.DeadZones.Villages, b.DeadZones.Villages = 1, 0
	a.DeadZones.VillagesPMF = CountPMF([]float64{0.9, 0.3, 0.3, 0.3, 0.3})
	b.DeadZones.VillagesPMF = CountPMF([]float64{0.2, 0.2, 0.01})
	card := build(t, []AreaInput{a, b}, DefaultConfig())
	ra := row(t, card, "01", jan).Targets[TargetDeadZones]
	lo, hi := CountInterval(a.DeadZones.VillagesPMF, 0.9)
	if ra.Value != 1 || ra.Lower != lo || ra.Upper != hi || lo != 1 || hi != 4 || ra.StatusBound != StatusNotMet {
		t.Errorf("area 01: %+v (want 1 [1, 4])", ra)
	}
	rb := row(t, card, "02", jan).Targets[TargetDeadZones]
	if rb.Value != 0 || rb.StatusPoint != StatusMet || rb.StatusBound != StatusNotMet || rb.Upper < 1 {
		t.Errorf("area 02: listed none, but its range reaches %v: %+v", rb.Upper, rb)
	}
	n := row(t, card, "VN", jan).Targets[TargetDeadZones]
	nlo, nhi := CountInterval(Convolve(a.DeadZones.VillagesPMF, b.DeadZones.VillagesPMF), 0.9)
	if n.Value != 1 || n.Lower != nlo || n.Upper != nhi {
		t.Errorf("national: %+v, want 1 [%v, %v]", n, nlo, nhi)
	}
	if got := cell(ra); !strings.HasPrefix(got, "1 [1, 4] ") {
		t.Errorf("cell %q", got)
	}
	// Ten villages at 0.45 each, none listed: the range [2, 7] is widened
	// to hold the 0 listed, so value, lower and upper stay ordered for the
	// files' readers (a notebook's error bars failed on a value under its
	// lower end).
	c := full("03", jan)
	c.DeadZones.Villages = 0
	c.DeadZones.VillagesPMF = CountPMF([]float64{0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45})
	if lo, hi := CountInterval(c.DeadZones.VillagesPMF, 0.9); lo != 2 || hi != 7 {
		t.Fatalf("Binomial(10, 0.45) 90%%: [%v, %v]", lo, hi)
	}
	rc := row(t, build(t, []AreaInput{c}, DefaultConfig()), "03", jan).Targets[TargetDeadZones]
	if rc.Value != 0 || rc.Lower != 0 || rc.Upper != 7 || rc.StatusPoint != StatusMet || rc.StatusBound != StatusNotMet {
		t.Errorf("none listed, range [2, 7]: %+v, want 0 [0, 7]", rc)
	}
}
