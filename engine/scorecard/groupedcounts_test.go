package scorecard

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/penetration"
)

// The national row's reasons write their counts of areas with grouped
// digits, as the report around them does: a scorecard over the 3,321
// communes said "unknown in 3321 of 3321 areas".
func TestNationalReasonsGroupThousands(t *testing.T) {
	p := penetration.Period{Year: 2025, Month: 9}
	in := []AreaInput{{Area: "12", Period: p, Households: 110_000, DeadZones: &DeadZones{Villages: 4, Households: 500}}}
	var areas []string
	for i := range 1234 {
		a := fmt.Sprintf("C%05d", i)
		areas = append(areas, a)
		in = append(in, AreaInput{Area: a, Period: p, Households: math.NaN()})
	}
	cfg := DefaultConfig()
	cfg.Areas = append(areas, "12", "C99999")
	card, err := Build(in, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var national *Row
	for i := range card.Rows {
		if card.Rows[i].National {
			national = &card.Rows[i]
		}
	}
	if national == nil {
		t.Fatal("no national row")
	}
	var said []string
	for _, tr := range national.Targets {
		said = append(said, tr.Reason)
	}
	all := strings.Join(said, " | ")
	if !strings.Contains(all, "1,236 areas") {
		t.Errorf("reasons %q: want the 1,236 areas written with grouped digits", all)
	}
	if strings.Contains(all, "1236") || strings.Contains(all, "1235") {
		t.Errorf("reasons %q write a count of areas without grouping", all)
	}
}

// The national row's reason counts the areas behind each of its reasons:
// it gave the first area's reason alone, so a month where one province
// lacked only_2g_subscribers and 33 had no row read "unknown in 34 of 34
// areas (only_2g_subscribers missing)".
func TestNationalReasonsCountEach(t *testing.T) {
	a, b, c := full("A", jan), full("B", jan), full("C", jan)
	a.TwoGOnly = nil
	a.Missing[TargetTwoGOnly] = "only_2g_subscribers missing"
	b.TwoGOnly, c.TwoGOnly = nil, nil
	card := build(t, []AreaInput{a, b, c}, DefaultConfig())
	r := row(t, card, DefaultConfig().National, jan).Targets[TargetTwoGOnly]
	want := "unknown in 3 of 3 areas (1 area: only_2g_subscribers missing; 2 areas: no subscriptions for " + jan.String() + ")"
	if r.Status != StatusUnknown || r.Reason != want {
		t.Errorf("national 2G-only: %v %q, want %q", r.Status, r.Reason, want)
	}
}
