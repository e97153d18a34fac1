package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// scorecard --province of a province with speed tests but no
// subscriptions row in the month shows the row the card of every province
// shows for it: its mobile speed change decides target 5, its other
// targets are unknown with the same reasons. It was refused ("no data for
// 2025-10: no subscriptions of Lai Châu (12)", exit 3) while the card of
// every province showed Lai Châu's speed down 31%.
func TestScorecardProvinceWithSpeedTestsAlone(t *testing.T) {
	dir, ds := speedWithoutSubscriptionsDataset(t)
	full, one := filepath.Join(dir, "full"), filepath.Join(dir, "one")
	if stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2025-10", "--out", full); code != exitOK {
		t.Fatalf("the card of every province: exit %d\n%s\n%s", code, stdout, errs)
	}
	stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2025-10", "--province", "lai chau", "--out", one)
	if code != exitOK {
		t.Fatalf("--province lai chau: exit %d (want %d)\n%s\n%s", code, exitOK, stdout, errs)
	}
	want := scorecardTargets(t, filepath.Join(full, "scorecard.json"), "12", "2025-10")
	got := scorecardTargets(t, filepath.Join(one, "scorecard.json"), "12", "2025-10")
	for _, target := range []string{"speed_yoy", "smartphone", "fibre", "2g_only"} {
		for _, k := range []string{"status", "value", "reason"} {
			if fmt.Sprint(got[target][k]) != fmt.Sprint(want[target][k]) {
				t.Errorf("Lai Châu's %s %s: %v alone, %v in the card of every province", target, k, got[target][k], want[target][k])
			}
		}
	}
	if got["speed_yoy"]["status"] != "not_met" {
		t.Errorf("Lai Châu's speed change alone: %v (%v), want not met", got["speed_yoy"]["status"], got["speed_yoy"]["reason"])
	}
	if !strings.Contains(stdout, "12 Lai Châu") || !strings.Contains(stdout, "-31.3% [") {
		t.Errorf("the table does not show Lai Châu's speed change -31.3%% (−31.25%%, rounded half away from zero):\n%s", stdout)
	}
	// A province with neither subscriptions nor speed tests in the month
	// stays refused (as in TestScorecardProvinceWithoutDataSaysWhereTheDataIs).
	_, errs, code = runBinary(t, "scorecard", "--dataset", ds, "--period", "2025-10", "--province", "79", "--out", filepath.Join(dir, "none"))
	if code != exitDataRefused || !strings.Contains(errs, "no subscriptions of Hồ Chí Minh (79)") {
		t.Errorf("--province 79 without subscriptions or speed tests: exit %d (want %d)\n%s", code, exitDataRefused, errs)
	}
}
