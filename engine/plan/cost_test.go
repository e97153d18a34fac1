package plan

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestAnnuityFactorKnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		years int
		rate  float64
		want  float64
	}{
		{"10y at 8%", 10, 0.08, 6.7101},  // standard annuity table
		{"5y at 10%", 5, 0.10, 3.7908},   // standard annuity table
		{"20y at 12%", 20, 0.12, 7.4694}, // standard annuity table
		{"zero rate", 10, 0, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AnnuityFactor(tc.years, tc.rate); !near(got, tc.want, 5e-5) {
				t.Errorf("AnnuityFactor(%d, %g) = %.5f, want %.4f", tc.years, tc.rate, got, tc.want)
			}
		})
	}
}

func TestSiteCostChoices(t *testing.T) {
	c := DefaultCosts()
	af := AnnuityFactor(10, 0.08)
	nan := math.NaN()
	for _, tc := range []struct {
		name                  string
		grid, fibre, site     float64
		wantPower, wantBackhl string
	}{
		{"unknown distances", nan, nan, nan, "solar", "satellite"},
		{"grid next door, fibre 3 km", 0.5, 3, nan, "grid", "fibre"},
		{"grid far, microwave hop", 8, 40, 12, "solar", "microwave"},
		{"hop too long", nan, nan, 31, "solar", "satellite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cand := NewCandidate("x", 105, 21, SourceProposed)
			cand.GridKm, cand.FibreKm, cand.SiteKm = tc.grid, tc.fibre, tc.site
			s := c.SiteCost(cand)
			if s.Power != tc.wantPower || s.Backhaul != tc.wantBackhl {
				t.Errorf("power %s backhaul %s, want %s %s", s.Power, s.Backhaul, tc.wantPower, tc.wantBackhl)
			}
			if !near(s.NPVVND, s.CapexVND+s.OpexYearVND*af, 1) {
				t.Errorf("NPV %g ≠ capex %g + opex %g × %g", s.NPVVND, s.CapexVND, s.OpexYearVND, af)
			}
			if s.CapexVND < 1e9 || s.CapexVND > 3e9 {
				t.Errorf("capex %g VND outside the 1–3 billion of a rural 4G site", s.CapexVND)
			}
		})
	}
	// Worked figure: solar + satellite with the defaults.
	s := c.SiteCost(NewCandidate("x", 105, 21, SourceGenerated))
	wantCapex := 900e6 + 600e6 + 550e6 + 150e6
	wantOpex := 60e6 + 25e6 + 120e6
	if s.CapexVND != wantCapex || s.OpexYearVND != wantOpex {
		t.Errorf("capex %g opex %g, want %g %g", s.CapexVND, s.OpexYearVND, wantCapex, wantOpex)
	}
}

func TestParseCosts(t *testing.T) {
	c, err := ParseCosts([]byte(`{"radio_vnd": 700000000, "discount_rate": 0.1}`))
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultCosts()
	if c.RadioVND != 7e8 || c.DiscountRate != 0.1 || c.TowerCivilVND != d.TowerCivilVND {
		t.Errorf("overlay wrong: %+v", c)
	}
	// 1e30 đồng priced every site alike, and 9e15 advised raising a
	// --budget capped at 10¹⁵.
	for _, bad := range []string{`{"radio": 1}`, `{"radio_vnd": -1}`, `{"horizon_years": 0}`, `not json`, `{"radio_vnd": 1e30}`, `{"satellite_fee_per_year_vnd": 9e15}`} {
		if _, err := ParseCosts([]byte(bad)); !errors.Is(err, engine.ErrInvalidConfig) {
			t.Errorf("%s: err %v, want ErrInvalidConfig", bad, err)
		}
	}
}

func TestCheckBudget(t *testing.T) {
	for _, c := range []struct {
		vnd float64
		ok  bool
	}{{500e9, true}, {1, true}, {1.5e9, true}, {MaxBudgetVND, true}, {0, false}, {0.5, false}, {2.5, false}, {1e9 + 0.5, false}, {1e-300, false}, {-5, false}, {math.NaN(), false}, {math.Inf(1), false}, {1e300, false}} {
		if err := CheckBudget(c.vnd); (err == nil) != c.ok || (err != nil && !errors.Is(err, engine.ErrInvalidConfig)) {
			t.Errorf("CheckBudget(%g) = %v, want ok %v", c.vnd, err, c.ok)
		}
	}
}

// A cost document whose figures would be read otherwise than written is
// refused: a figure given twice (the last was kept), more after the object
// (a second object was ignored), an empty document, a plan's summary.
func TestParseCostsReadAsWritten(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"radio_vnd": 7e8, "Radio_VND": 6e8}`, `"radio_vnd" is given twice`},
		{"{\"radio_vnd\": 7e8}\n{\"radio_vnd\": 9e8}", "more after its JSON object"},
		{`{"radio_vnd": 7e8} x`, "more after its JSON object"},
		{" \n\t", "the file is empty"},
		{`{"budget_vnd": 5e11, "costs": {"radio_vnd": 6e8}}`, "a plan's summary (plan.json)"},
		{`{"tower_vnd": 1}`, "(the figures: tower_civil_vnd, radio_vnd,"},
	} {
		_, err := ParseCosts([]byte(c.in))
		if !errors.Is(err, engine.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v, want ErrInvalidConfig and %q", c.in, err, c.want)
		}
	}
	if c, err := ParseCosts([]byte("\xef\xbb\xbf{\"radio_vnd\": 7e8}\n\n")); err != nil || c.RadioVND != 7e8 {
		t.Errorf("one figure, BOM and trailing newlines: %+v, %v", c, err)
	}
}

// TestCostsChanged: the figures a cost file changes, by name, with the
// value used and the default, in the fields' order; none for the defaults.
func TestCostsChanged(t *testing.T) {
	if got := DefaultCosts().Changed(); len(got) != 0 {
		t.Errorf("defaults: %v, want none changed", got)
	}
	c, err := ParseCosts([]byte(`{"satellite_vnd": 2e8, "horizon_years": 15, "radio_vnd": 600000000, "tower_civil_vnd": 1.2e9}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Figure{{"tower_civil_vnd", 1.2e9, 900e6}, {"satellite_vnd", 2e8, 150e6}, {"horizon_years", 15, 10}}
	got := c.Changed()
	if len(got) != len(want) {
		t.Fatalf("changed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("changed[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestParseCostsWrittenAsMeant: a figure the decoder would read otherwise
// than meant is refused, saying how to write it: an amount of đồng with a
// dot before three digits (700.000 was read as 700 đồng), several such
// dots (a syntax error at "."), a figure in quotes with or without
// separators, null (the default was kept silently), and separators by
// commas (a syntax error, now with its line and column). A decimal figure
// that is no amount of đồng (discount_rate 0.100) is read as written.
func TestParseCostsWrittenAsMeant(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"dot thousands", `{"radio_vnd": 700.000}`, []string{`"radio_vnd" is 700.000`, "700 đồng, or 700000", "Write 700000"}},
		{"dots", `{"tower_civil_vnd": 1.200.000.000}`, []string{`"tower_civil_vnd" is 1.200.000.000`, "without thousands separators: 1200000000"}},
		{"quoted", `{"radio_vnd": "700,000,000"}`, []string{`"radio_vnd" is the text "700,000,000"`, "e.g. 700000000"}},
		{"quoted plain", `{"solar_vnd": "550000000"}`, []string{`"solar_vnd" is the text "550000000"`, "as a number"}},
		{"null", `{"radio_vnd": null}`, []string{`"radio_vnd" is null`, "leave it out to keep its default"}},
		{"commas", "{\"satellite_vnd\": 1e8,\n  \"radio_vnd\": 700,000,000}", []string{"line 2, column 20", "without thousands separators"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCosts([]byte(c.in))
			if !errors.Is(err, engine.ErrInvalidConfig) {
				t.Fatalf("ParseCosts(%s) = %v, want refused", c.in, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseCosts(%s): %v\nwant %q in it", c.in, err, w)
				}
			}
		})
	}
	if c, err := ParseCosts([]byte(`{"discount_rate": 0.100, "microwave_max_km": 25.500, "radio_vnd": 700000000.0}`)); err != nil || c.DiscountRate != 0.1 || c.MicrowaveMaxKm != 25.5 || c.RadioVND != 7e8 {
		t.Errorf("decimal figures: %+v %v", c, err)
	}
}

// TestParseCostsTextFigures: a figure in quotes is refused with the number
// to write where the text is one (separators taken out), and without an
// example where it is not.
func TestParseCostsTextFigures(t *testing.T) {
	for in, want := range map[string]string{
		`{"radio_vnd": "700.000.000"}`: "(e.g. 700000000)",
		`{"radio_vnd": "7e8"}`:         "(e.g. 7e8)",
		`{"radio_vnd": "n/a"}`:         `"radio_vnd" is the text "n/a": give its figure as a number: `,
	} {
		if _, err := ParseCosts([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCosts(%s) = %v, want %q in it", in, err, want)
		}
	}
}

// TestParseCostsPerTechnology: a cost file with figures per technology
// (as a fund's price list may give them) is refused saying the model has
// none, and where a proposed site's own cost goes; another unknown figure
// is not told so.
func TestParseCostsPerTechnology(t *testing.T) {
	const note = "the cost model has no figures per technology"
	for _, in := range []string{`{"4G": {"radio_vnd": 7e8}, "5G": {"radio_vnd": 1.2e9}}`, `{"radio_vnd_5g": 1.2e9}`, `{"5g_radio_vnd": 1.2e9}`, `{"lte-radio": 1}`} {
		_, err := ParseCosts([]byte(in))
		if err == nil || !strings.Contains(err.Error(), note) || !strings.Contains(err.Error(), "cost_vnd column") {
			t.Errorf("ParseCosts(%s) = %v, want %q", in, err, note)
		}
	}
	for _, in := range []string{`{"tower_vnd": 1e9}`, `{"energy": 1}`, `{"general": 1}`} {
		if _, err := ParseCosts([]byte(in)); err == nil || strings.Contains(err.Error(), note) {
			t.Errorf("ParseCosts(%s) = %v, want refused without %q", in, err, note)
		}
	}
}
