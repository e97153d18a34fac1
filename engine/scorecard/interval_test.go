package scorecard

import (
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
)

// The national share's bounds are the areas' bounds averaged by
// households: no confidence interval of their own, whatever the areas'
// level. Two areas with 95% Wilson intervals gave the nation "confidence
// 0.95" and "coverage at least 95%", which averaged bounds do not have in
// general (an error that rarely but greatly exceeds one area's bound
// carries the average past its own).
func TestNationalBoundsHaveNoConfidenceLevel(t *testing.T) {
	p := penetration.Period{Year: 2025, Month: 1}
	area := func(code string, x, n float64) AreaInput {
		e := penetration.Proportion(x, n, 0.95, "test share")
		f := e
		return AreaInput{Area: code, Period: p, Households: n, Smartphone: &e, Fibre: &f, Only2GSubscribers: math.NaN()}
	}
	card, err := Build([]AreaInput{area("01", 90, 100), area("02", 40, 50)}, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	nat := card.Rows[0]
	if !nat.National {
		t.Fatalf("first row %+v", nat)
	}
	sm := nat.Targets[TargetSmartphone]
	if math.IsNaN(sm.Value) || sm.Interval != IntervalWeightedBounds || sm.Confidence != 0 {
		t.Fatalf("national smartphone %v [%v, %v] %s %v: want weighted bounds without a confidence level", sm.Value, sm.Lower, sm.Upper, sm.Interval, sm.Confidence)
	}
	if text := IntervalText(sm.Interval, sm.Confidence); strings.Contains(text, "at least") || strings.Contains(text, "%") {
		t.Errorf("IntervalText %q claims a coverage", text)
	}
	if a := card.Rows[1].Targets[TargetSmartphone]; a.Interval != penetration.IntervalWilson || a.Confidence != 0.95 {
		t.Errorf("area: %s %v", a.Interval, a.Confidence)
	}
}

// Shares and changes at an exact half of the reported precision round
// half away from zero as their decimals do, in the judgement and in the
// figures written: 129.95/100 − 1 (0.29949999999999993 in binary) was
// 29.9%, not met, while 1599/2000 was 80.0%, met.
func TestRoundHalfAway(t *testing.T) {
	for _, c := range []struct{ v, step, want float64 }{
		{129.95/100 - 1, 0.001, 0.3}, {1599.0 / 2000, 0.001, 0.8}, {99.0 / 2000, 0.001, 0.05}, {0.2994, 0.001, 0.299},
		{-0.0125, 0.001, -0.013}, {26870079123, 1, 26870079123}, {2.5, 1, 3}, {0.15, 0.1, 0.2}, {1.0 / 3, 0.001, 0.333},
	} {
		if got := RoundHalfAway(c.v, c.step); math.Abs(got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
			t.Errorf("RoundHalfAway(%v, %v) = %v, want %v", c.v, c.step, got, c.want)
		}
	}
	cfg := DefaultConfig()
	if s := cfg.judge(TargetSpeed, 129.95/100-1); s != StatusMet {
		t.Errorf("+29.95%% against the 30%% goal: %v, want met", s)
	}
	if got := percent(129.95/100 - 1); got != "30.0" {
		t.Errorf("percent: %q, want 30.0", got)
	}
	if got := percent(0.29949); got != "29.9" {
		t.Errorf("percent: %q, want 29.9", got)
	}
}
