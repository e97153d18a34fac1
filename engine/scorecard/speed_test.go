package scorecard

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
)

// hist counts n tests at each of the speeds vs.
func hist(n int64, vs ...float64) penetration.SpeedHistogram {
	m := map[float64]int64{}
	for _, v := range vs {
		m[v] += n
	}
	h, _ := penetration.SpeedHistogramOf(penetration.SpeedKey{}, m)
	return h
}

// scaled is h with every speed times f.
func scaled(h penetration.SpeedHistogram, f float64) penetration.SpeedHistogram {
	out := penetration.SpeedHistogram{Values: make([]float64, len(h.Values)), Counts: h.Counts}
	for i, v := range h.Values {
		out.Values[i] = v * f
	}
	return out
}

var oct = penetration.Period{Year: 2024, Month: 10}

// Known answers of SpeedChange: like with like whatever the mix.
func TestSpeedChangeKnownAnswers(t *testing.T) {
	fast := hist(3, 18, 19, 20, 21, 22, 23, 24) // median 21
	slow := hist(5, 4, 5, 6, 7, 8)              // median 6
	var empty penetration.SpeedHistogram
	bs := penetration.DefaultBootstrap()
	for _, tc := range []struct {
		name   string
		strata []SpeedStratum
		want   float64 // NaN: unknown
		issue  string
	}{
		// Viettel alone a year before, every carrier now, no speed
		// changed: no change (a pooled median fell from 21 to 7); 50 of the 71
		// tests now are in strata left out.
		{"identical speeds, another mix", []SpeedStratum{
			{"viettel 4G", fast, fast}, {"mobifone 3G", slow, empty}, {"vinaphone 3G", slow, empty}},
			0, "measured in 2024-10 only: mobifone 3G, vinaphone 3G, 70% of the tests of 2024-10"},
		// The reverse: a slow carrier's tests a year before are gone now
		// (its rows may be there without speeds: no speed tests, not
		// "measured in 2023-10 only").
		{"identical speeds, a carrier gone", []SpeedStratum{
			{"viettel 4G", fast, fast}, {"mobifone 3G", empty, slow}},
			0, "no speed tests in 2024-10: mobifone 3G"},
		{"uniform +40%", []SpeedStratum{
			{"viettel 4G", scaled(fast, 1.4), fast}, {"mobifone 3G", scaled(slow, 1.4), slow}},
			0.4, ""},
		// Weights are the current month's tests: 21 and 25 tests, +10%
		// and +50%: (21·0.1 + 25·0.5)/46.
		{"weighted by the current tests", []SpeedStratum{
			{"viettel 4G", scaled(fast, 1.1), fast}, {"mobifone 3G", scaled(slow, 1.5), hist(1, 4, 5, 6, 7, 8, 9, 3, 2, 1, 10, 11)}},
			(21*0.1 + 25*0.5) / 46, ""},
		{"no common stratum", []SpeedStratum{{"viettel 4G", fast, empty}, {"mobifone 3G", empty, slow}},
			math.NaN(), "no carrier and technology measured with at least 10 tests in both 2024-10 and 2023-10"},
		{"too few tests", []SpeedStratum{{"viettel 4G", fast, fast}, {"viettel 2G", hist(1, 1, 2, 3), hist(1, 1, 2, 3)}},
			0, "fewer than 10 tests in a month: viettel 2G (3 and 3 tests)"},
		// 3 tests left out of 1,403: not "0% of the tests".
		{"a few tests left out", []SpeedStratum{{"viettel 4G", hist(200, 18, 19, 20, 21, 22, 23, 24), hist(200, 18, 19, 20, 21, 22, 23, 24)}, {"viettel 2G", hist(1, 1, 2, 3), hist(1, 1, 2, 3)}},
			0, "viettel 2G (3 and 3 tests), under 1% of the tests of 2024-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := SpeedChange(oct, tc.strata, bs, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case math.IsNaN(tc.want):
				if e.Known() || !math.IsNaN(e.Lower) || !math.IsNaN(e.Upper) {
					t.Fatalf("got %+v, want unknown", e)
				}
			case math.Abs(e.Value-tc.want) > 1e-9:
				t.Fatalf("change %v, want %v", e.Value, tc.want)
			case !(e.Lower <= e.Value+1e-12 && e.Value <= e.Upper+1e-12):
				t.Fatalf("interval [%v, %v] does not hold %v", e.Lower, e.Upper, e.Value)
			}
			if got := strings.Join(e.Issues, "; "); !strings.Contains(got, tc.issue) || (tc.issue == "") != (got == "") {
				t.Fatalf("issues %q, want %q", got, tc.issue)
			}
		})
	}
}

// With one stratum SpeedChange is penetration's bootstrap of that stratum,
// draw for draw, and the order strata are given in does not matter.
func TestSpeedChangeOneStratumIsYoY(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	m, n := map[float64]int64{}, map[float64]int64{}
	for range 300 {
		m[math.Round(100*(5+20*rng.Float64()))/100]++
		n[math.Round(100*(4+15*rng.Float64()))/100]++
	}
	cur, _ := penetration.SpeedHistogramOf(penetration.SpeedKey{}, m)
	prev, _ := penetration.SpeedHistogramOf(penetration.SpeedKey{}, n)
	bs := penetration.DefaultBootstrap()
	want, err := bs.YoYHistogram(cur, prev, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := SpeedChange(oct, []SpeedStratum{{"viettel 4G", cur, prev}}, bs, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Value != want.Value || got.Lower != want.Lower || got.Upper != want.Upper {
		t.Fatalf("got %v [%v, %v], YoYHistogram %v [%v, %v]", got.Value, got.Lower, got.Upper, want.Value, want.Lower, want.Upper)
	}
	a := []SpeedStratum{{"viettel 4G", cur, prev}, {"mobifone 3G", prev, cur}}
	b := []SpeedStratum{a[1], a[0]}
	x, _ := SpeedChange(oct, a, bs, rand.New(rand.NewPCG(4, 4)))
	y, _ := SpeedChange(oct, b, bs, rand.New(rand.NewPCG(4, 4)))
	if x.Value != y.Value || x.Lower != y.Lower || x.Upper != y.Upper {
		t.Fatalf("order of the strata moved the estimate: %+v and %+v", x, y)
	}
}

// On the card: a uniform +40% with fixed +40% is met; no common stratum
// leaves target 5 unknown with the reason; strata left out are said in the
// text table.
func TestSpeedChangeOnTheCard(t *testing.T) {
	fast := hist(3, 18, 19, 20, 21, 22, 23, 24)
	slow := hist(5, 4, 5, 6, 7, 8)
	bs := penetration.DefaultBootstrap()
	up, _ := SpeedChange(oct, []SpeedStratum{{"viettel 4G", scaled(fast, 1.4), fast}, {"mobifone 3G", scaled(slow, 1.4), slow},
		{"vinaphone 4G", fast, penetration.SpeedHistogram{}}}, bs, rand.New(rand.NewPCG(1, 2)))
	none, _ := SpeedChange(oct, []SpeedStratum{{"viettel 4G", fast, penetration.SpeedHistogram{}}}, bs, rand.New(rand.NewPCG(1, 2)))
	in := full("12", oct)
	in.SpeedMobile, in.SpeedFixed = &up, exact(0.4)
	other := full("14", oct)
	other.SpeedMobile = &none
	c := build(t, []AreaInput{in, other}, DefaultConfig())
	if r := row(t, c, "12", oct).Targets[TargetSpeed]; r.Status != StatusMet || math.Abs(r.Value-0.4) > 1e-9 {
		t.Fatalf("uniform +40%%: %+v", r)
	}
	r := row(t, c, "14", oct).Targets[TargetSpeed]
	if r.Status != StatusUnknown || !strings.Contains(r.Reason, "no carrier and technology measured") {
		t.Fatalf("no common stratum: %+v", r)
	}
	var buf bytes.Buffer
	if err := c.Table(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "notes on the figures shown\n  5 speed_yoy: mobile speed change compares like with like: carriers and technologies left out (measured in 2024-10 only: vinaphone 4G") {
		t.Fatalf("table does not name the stratum left out:\n%s", buf.String())
	}
}

// Target 5 shown with one half unknown says so in the text table: the
// fixed figure alone is not the target's figure.
func TestSpeedHalfUnknownInTable(t *testing.T) {
	fixedOnly := full("12", oct)
	fixedOnly.SpeedMobile, fixedOnly.SpeedFixed = nil, exact(0.209)
	mobileOnly := full("14", oct)
	mobileOnly.SpeedMobile, mobileOnly.SpeedFixed = est(0.1, 0.05, 0.15), nil
	both := full("15", oct)
	c := build(t, []AreaInput{fixedOnly, mobileOnly, both}, DefaultConfig())
	var buf bytes.Buffer
	if err := c.Table(&buf); err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(buf.String(), "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "2024-10" {
			lines[f[1]] = l
		}
	}
	for area, want := range map[string]string{
		// Not ranked: one half alone bounds the figure from above
		// (TestRankSkipsOneHalfSpeed).
		"12": "20.9% NOT MET (fixed alone; mobile unknown)",
		"14": "10.0% [5.0, 15.0] NOT MET (mobile alone; fixed unknown)",
	} {
		if !strings.Contains(lines[area], want) {
			t.Errorf("area %s: %q does not say %q", area, lines[area], want)
		}
	}
	if strings.Contains(lines["15"], "alone") {
		t.Errorf("both halves known: %q", lines["15"])
	}
	if !strings.Contains(buf.String(), "5 speed_yoy: mobile speeds unknown") {
		t.Errorf("notes do not say the mobile half is unknown:\n%s", buf.String())
	}
}

// Target 5's change and regression compare like with like: figures of
// the same halves give their difference (and an alert beyond the
// tolerance of 0.05); a figure of fixed broadband alone against one of
// mobile alone or of both is no change (NaN), no alert, and an issue
// saying why.
func TestSpeedChangeLikeWithLike(t *testing.T) {
	sep := oct.AddMonths(-1)
	const unlike = "no change since 2024-09: that month's figure is of %s, this month's of %s: two kinds of figure"
	for _, tc := range []struct {
		name                 string
		prevMob, prevFix     *penetration.Estimate
		curMob, curFix       *penetration.Estimate
		wantChange           float64 // NaN: no change shown
		wantAlert, wantIssue string
	}{
		// The probe's case: September's fixed +19.47% alone, October's
		// mobile 0 beside fixed +19.23%.
		{"fixed alone, then both", nil, exact(0.1947), exact(0), exact(0.1923), math.NaN(), "",
			fmt.Sprintf(unlike, "fixed alone", "fixed and mobile")},
		{"both, then fixed alone", exact(0.35), exact(0.4), nil, exact(0.1), math.NaN(), "",
			fmt.Sprintf(unlike, "fixed and mobile", "fixed alone")},
		{"mobile alone, then fixed alone", exact(0.2), nil, nil, exact(0.1), math.NaN(), "",
			fmt.Sprintf(unlike, "mobile alone", "fixed alone")},
		{"fixed alone, both months", nil, exact(0.2), nil, exact(0.1), -0.1,
			"speed_yoy: worse by 10.0 pp since 2024-09 (20.0% → 10.0%; tolerance 5.0 pp)", ""},
		{"both, both months", exact(0.35), exact(0.4), exact(0.2), exact(0.4), -0.15,
			"speed_yoy: met in 2024-09, not met in 2024-10", ""},
		{"both, within the tolerance", exact(0.35), exact(0.4), exact(0.33), exact(0.4), -0.02, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, cur := full("12", sep), full("12", oct)
			prev.SpeedMobile, prev.SpeedFixed = tc.prevMob, tc.prevFix
			cur.SpeedMobile, cur.SpeedFixed = tc.curMob, tc.curFix
			c := build(t, []AreaInput{prev, cur}, DefaultConfig())
			r := row(t, c, "12", oct).Targets[TargetSpeed]
			if math.IsNaN(tc.wantChange) != math.IsNaN(r.Change) || math.Abs(r.Change-tc.wantChange) > 1e-9 {
				t.Errorf("change %v, want %v", r.Change, tc.wantChange)
			}
			var alerts []string
			for _, a := range c.Alerts {
				if a.Target == TargetSpeed {
					alerts = append(alerts, a.Message)
				}
			}
			if want := []string{tc.wantAlert}; (tc.wantAlert == "" && len(alerts) > 0) || (tc.wantAlert != "" && !slices.Equal(alerts, want)) {
				t.Errorf("alerts %q, want %q", alerts, tc.wantAlert)
			}
			has := slices.ContainsFunc(r.Issues, func(s string) bool { return strings.HasPrefix(s, "no change since") })
			if tc.wantIssue == "" && has || tc.wantIssue != "" && !slices.Contains(r.Issues, tc.wantIssue) {
				t.Errorf("issues %q, want %q", r.Issues, tc.wantIssue)
			}
		})
	}
}
