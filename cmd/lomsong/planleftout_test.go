package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanSaysWhatWasLeftOut: a plan over every province whose dead-zone
// run left a village out (in Điện Biên, with no site or test near it)
// lists it, as lomsong deadzones does, on stdout and in plan.json
// (not_analysed), and says the places analysed hold no dead zone, not all
// of them: it printed "no dead zone in 3 populated hexes: nothing to
// plan", an all-clear for the 60 households no evidence reached.
func TestPlanSaysWhatWasLeftOut(t *testing.T) {
	ds := exampleDataset(t) // V3 (103.10, 22.05, 60 households) lies in Điện Biên
	out := filepath.Join(t.TempDir(), "plan")
	stdout, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	for _, want := range []string{"11 Điện Biên: populated hexes 1, households 60, villages 1",
		"no dead zone in the places analysed: nothing to plan there; the 1 populated hex (60 households) left out, with no site or test near, is not known to be served"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "no dead zone in 3 populated hexes") {
		t.Errorf("an all-clear over the places left out:\n%s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pj struct {
		NotAnalysed []struct {
			Province   string  `json:"province"`
			Households float64 `json:"households"`
			Villages   int     `json:"villages"`
		} `json:"not_analysed"`
	}
	if err := json.Unmarshal(b, &pj); err != nil {
		t.Fatal(err)
	}
	if len(pj.NotAnalysed) != 1 || pj.NotAnalysed[0].Province != "11" || pj.NotAnalysed[0].Households != 60 || pj.NotAnalysed[0].Villages != 1 {
		t.Errorf("plan.json not_analysed: %+v\n%s", pj.NotAnalysed, b)
	}
}
