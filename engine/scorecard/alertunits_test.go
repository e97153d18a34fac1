package scorecard

import (
	"strings"
	"testing"
)

// TestRegressionMessageUnits: a regression alert says a share's fall in
// percentage points with both months' percentages, as the tables do, and
// target 1's rise in villages; not the raw fractions ("worse by 0.02998
// … (tolerance 0.01)") that a reader of the report, where the same change
// reads "−3.0 pp", cannot match to anything.
func TestRegressionMessageUnits(t *testing.T) {
	a, b := full("01", jan), full("01", feb)
	a.Smartphone = exact(0.9638)
	b.Smartphone = exact(0.9338)
	a.DeadZones.Villages = 1
	a.DeadZones.VillageIDs = []string{"v1"}
	b.DeadZones.Villages = 3
	b.DeadZones.VillageIDs = []string{"v1", "v2", "v3"}
	card := build(t, []AreaInput{a, b}, DefaultConfig())
	want := map[Target]string{
		TargetSmartphone: "smartphone: worse by 3.0 pp since 2025-01 (96.4% → 93.4%; tolerance 1.0 pp)",
		TargetDeadZones:  "dead_zones: worse by 2 villages since 2025-01 (1 village → 3 villages; tolerance 0 villages)",
	}
	got := map[Target]string{}
	for _, al := range card.Alerts {
		if al.Area == "01" && al.Kind == AlertRegression {
			got[al.Target] = al.Message
		}
	}
	for tg, w := range want {
		if !strings.HasPrefix(got[tg], w) {
			t.Errorf("%s regression: got %q, want %q", tg, got[tg], w)
		}
	}
}
