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
