package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A province's year run month by month has the trend of target 1: the card
// of October shows the dead zones of August, which lomsong run saved and
// which are current, read back (the figure August's own card gives), and
// says of June, measured but never run, how to get its figure. Before, the
// card showed a month's dead zones only for itself and the month before,
// and August's row said "no dead-zone figures for 2026-08 in this card"
// with its dead zones saved in the dataset, so the report's trend of
// target 1 had two points however many months were run.
func TestScorecardReadsOtherMonthsSavedDeadZones(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	october := string(b)
	if !strings.Contains(october, "2026-10-0") {
		t.Fatal("the example measurements are no longer of 2026-10: the months below need another source")
	}
	var subs strings.Builder
	subs.WriteString("area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers\n")
	for i, p := range []string{"2026-06", "2026-07", "2026-08", "2026-09", "2026-10"} {
		fmt.Fprintf(&subs, "12,%s,120000,%d,500000,%d,40000\n", p, 60000+1000*i, 380000+2000*i)
	}
	dir, ds := subscriptionsDataset(t, subs.String(),
		[2]string{"m2026-06.csv", strings.ReplaceAll(october, "2026-10-0", "2026-06-0")},
		[2]string{"m2026-08.csv", strings.ReplaceAll(october, "2026-10-0", "2026-08-0")},
		[2]string{"m2026-10.csv", october})
	bin := lomsongBinary(t)
	for _, f := range []string{"sites.csv", "villages.csv"} {
		if _, errs, code := runBinary(t, "ingest", "--dataset", ds, filepath.Join(examples, f)); code != exitOK {
			t.Fatalf("ingest %s: exit %d: %s", f, code, errs)
		}
	}
	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-08"); code != exitOK {
		t.Fatalf("%s run --period 2026-08: exit %d: %s", bin, code, errs)
	}
	august := filepath.Join(dir, "card-08")
	if _, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-08", "--out", august); code != exitOK {
		t.Fatalf("scorecard --period 2026-08: exit %d: %s", code, errs)
	}
	own := scorecardTargets(t, filepath.Join(august, "scorecard.json"), "12", "2026-08")["dead_zones"]
	if own["status"] == "unknown" {
		t.Fatalf("August's own card: target 1 unknown (%v): the example's month gives no figure to compare", own["reason"])
	}

	october2 := filepath.Join(dir, "card-10")
	stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", october2)
	if code != exitOK {
		t.Fatalf("scorecard --period 2026-10: exit %d: %s\n%s", code, stdout, errs)
	}
	card := filepath.Join(october2, "scorecard.json")
	got := scorecardTargets(t, card, "12", "2026-08")["dead_zones"]
	if got["status"] != own["status"] || fmt.Sprint(got["value"]) != fmt.Sprint(own["value"]) ||
		fmt.Sprint(got["lower"]) != fmt.Sprint(own["lower"]) || fmt.Sprint(got["upper"]) != fmt.Sprint(own["upper"]) {
		t.Errorf("October's card, Lai Châu's dead zones of 2026-08: %v %v [%v, %v] (%v); want August's own card's %v %v [%v, %v], read from the month's saved run",
			got["status"], got["value"], got["lower"], got["upper"], got["reason"], own["status"], own["value"], own["lower"], own["upper"])
	}
	june := scorecardTargets(t, card, "12", "2026-06")["dead_zones"]
	if june["status"] != "unknown" || !strings.Contains(fmt.Sprint(june["reason"]), "lomsong run --period 2026-06 saves them") {
		t.Errorf("2026-06, measured but never run: %v (%v); want unknown, saying lomsong run --period 2026-06 saves its figures", june["status"], june["reason"])
	}
	for _, p := range []string{"2026-07", "2026-09"} {
		x := scorecardTargets(t, card, "12", p)["dead_zones"]
		if x["status"] != "unknown" || !strings.Contains(fmt.Sprint(x["reason"]), "no measurements in "+p) {
			t.Errorf("%s, without measurements: %v (%v); want unknown, no measurements in %s", p, x["status"], x["reason"], p)
		}
	}
}
