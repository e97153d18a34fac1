package report

import (
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

// One village without 3G/4G is "1 village", and a change of one "-1
// village", not "1 villages"; other counts keep the plural.
func TestOneVillageIsSingular(t *testing.T) {
	aug, sep := penetration.Period{Year: 2024, Month: time.September}, penetration.Period{Year: 2024, Month: time.October}
	dz := func(n float64, ids ...string) *scorecard.DeadZones {
		return &scorecard.DeadZones{Villages: n, Households: 40 * n, Hexes: ids, VillageIDs: ids}
	}
	card, err := scorecard.Build([]scorecard.AreaInput{
		{Area: "12", Period: aug, Households: 1000, DeadZones: dz(2, "V1", "V2")},
		{Area: "12", Period: sep, Households: 1000, DeadZones: dz(1, "V1")},
		{Area: "02", Period: aug, Households: 1000, DeadZones: dz(0)},
		{Area: "02", Period: sep, Households: 1000, DeadZones: dz(3, "V7", "V8", "V9")},
	}, scorecard.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	html := string(render(t, &Report{Title: "t", Period: "2024-10", Scorecard: card}))
	for _, want := range []string{"<strong>1 village</strong>", "▼ -1 village since last month (better)", "<strong>3 villages</strong>", "&#43;3 villages since last month (worse)", "goal: 0 villages"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"1 villages", "-1 villages"} {
		if strings.Contains(html, ">"+bad) || strings.Contains(html, " "+bad) {
			t.Errorf("page has %q", bad)
		}
	}
}
