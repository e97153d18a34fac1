package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A month with a household survey after months without one is scored by
// another method (the survey shrinks the model's share towards what the
// surveyed households said): its difference from the month before is one
// of method, not of phones. The card reported it as a change and raised
// "regression: smartphone: worse by 3.1 pp since 2024-09" while smartphone
// subscribers grew; now the change is empty, the note says why, and no
// regression is raised. Two months of the model alone still compare.
func TestScorecardSurveyMonthIsNoRegression(t *testing.T) {
	const header = "area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers,surveyed_households,surveyed_with_smartphone\n"
	dir, ds := subscriptionsDataset(t, header+
		"12,2024-08,107645,67316,524423,399901,42281,,\n"+
		"12,2024-09,107752,67222,524814,397961,40992,,\n"+
		"12,2024-10,107859,68237,525206,404281,38816,305,287\n")
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2024-10", "--province", "12", "--out", out)
	if code != exitOK {
		t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
	}
	if strings.Contains(stdout, "regression: smartphone") {
		t.Errorf("a regression of method raised:\n%s", stdout)
	}
	if !strings.Contains(stdout, `2 smartphone: no change since 2024-09: two kinds of figure, by "household model`) {
		t.Errorf("stdout does not say the two months are two kinds of figure:\n%s", stdout)
	}
	oct := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2024-10")["smartphone"]
	if oct["change"] != nil || oct["status"] != "not_met" {
		t.Errorf("2024-10 smartphone %v: want no change, not met", oct)
	}
	sep := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2024-09")["smartphone"]
	if sep["change"] == nil {
		t.Errorf("2024-09 against 2024-08, both the model's: want a change, %v", sep)
	}
	var card struct{ Alerts []map[string]any }
	b, err := os.ReadFile(filepath.Join(out, "scorecard.json"))
	if err == nil {
		err = json.Unmarshal(b, &card)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range card.Alerts {
		if a["target"] == "smartphone" {
			t.Errorf("alert %v", a)
		}
	}
}
