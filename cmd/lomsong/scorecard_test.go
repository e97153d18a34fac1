package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSubscriptions = `area_code,period,households,fiber_households,mobile_subscribers,smartphone_subscribers,only_2g_subscribers
12,2026-09,120000,70000,400000,300000,20000
12,2026-10,120000,72000,400000,310000,19000
01,2026-09,2500000,2100000,9000000,8000000,200000
01,2026-10,2500000,2110000,9000000,8100000,190000
`

// scorecardJSON reads the targets of one row of scorecard.json.
func scorecardTargets(t *testing.T, path, area, period string) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var card struct {
		Rows []struct {
			Area, Period string
			Targets      []map[string]any
		}
	}
	if err := json.Unmarshal(b, &card); err != nil {
		t.Fatal(err)
	}
	for _, r := range card.Rows {
		if r.Area == area && r.Period == period {
			out := map[string]map[string]any{}
			for _, x := range r.Targets {
				out[x["target"].(string)] = x
			}
			return out
		}
	}
	t.Fatalf("no row %s %s in %s", area, period, path)
	return nil
}

// Subscriptions alone score targets 2–4; target 1 is unknown with the
// reason, not a refusal and not "not met".
func TestScorecardSubscriptionsOnly(t *testing.T) {
	dir, ds := subscriptionsDataset(t, testSubscriptions)
	out := filepath.Join(dir, "card")
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	for _, want := range []string{"60.0% NOT MET #2", "84.4% met #1",
		// Every province of the boundary set has its row (the help says
		// "every province"): 34 and the nation.
		"1 dead_zones: no sites in the dataset; no measurements in 2026-10; no households per hex (no population or villages table) (35 rows)",
		"2 smartphone: no data for the area in 2026-10 (no subscription row, and none of its villages or populated hexes in the month's dead-zone run) (32 rows)",
		"2026-10  79 Hồ Chí Minh          ? unknown"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	tg := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-10")
	// The card records the month it was made for: September's card has
	// October's row too (a month with subscriptions), but scored September.
	sepOut := filepath.Join(dir, "card-09")
	if stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-09", "--province", "12", "--out", sepOut); code != exitOK {
		t.Fatalf("--period 2026-09: %d\n%s\n%s", code, stdout, errs)
	}
	scorecardTargets(t, filepath.Join(sepOut, "scorecard.json"), "12", "2026-10")
	for _, c := range []struct{ dir, want string }{{out, "2026-10"}, {sepOut, "2026-09"}} {
		var made struct {
			Period *string `json:"period"`
		}
		b, err := os.ReadFile(filepath.Join(c.dir, "scorecard.json"))
		if err == nil {
			err = json.Unmarshal(b, &made)
		}
		if err != nil || made.Period == nil || *made.Period != c.want {
			t.Errorf("%s: scorecard.json period %v (%v), want %s", c.dir, made.Period, err, c.want)
		}
	}
	if dz := tg["dead_zones"]; dz["status"] != "unknown" || dz["value"] != nil || !strings.Contains(dz["reason"].(string), "no sites") {
		t.Errorf("target 1: %v", dz)
	}
	if f := tg["fibre"]; f["status"] != "not_met" || f["change"] == nil {
		t.Errorf("fibre (both months have subscriptions, so a change): %v", f)
	}

	// --province scores that province alone; one without data is refused.
	pout := filepath.Join(dir, "card-12")
	stdout, errs, code = runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--out", pout)
	if code != exitOK || !strings.Contains(stdout, "2026-10  12 ") || strings.Contains(stdout, "2026-10  01 ") || strings.Contains(stdout, "national") {
		t.Fatalf("--province lai chau: %d\n%s\n%s", code, stdout, errs)
	}
	if _, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "79", "--out", filepath.Join(dir, "card-79")); code != exitDataRefused {
		t.Fatalf("--province 79 (no data): %d\n%s", code, errs)
	}
	// A month without any data is no data, never 20 targets not met; and
	// the refusal leaves the card written before as it was.
	var before [2][]byte
	var err error
	for i, name := range []string{"scorecard.csv", "scorecard.json"} {
		if before[i], err = os.ReadFile(filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
	}
	stdout, errs, code = runCmd(t, "scorecard", "--dataset", ds, "--period", "2030-01", "--out", out)
	if code != exitDataRefused || !strings.Contains(errs, "no data for 2030-01") || strings.Contains(stdout+errs, "NOT MET") ||
		!strings.Contains(errs, "(months with subscriptions: 2026-09, 2026-10; months with measurements: none)") {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	for i, name := range []string{"scorecard.csv", "scorecard.json"} {
		if after, err := os.ReadFile(filepath.Join(out, name)); err != nil || !bytes.Equal(after, before[i]) {
			t.Errorf("%s changed by the refused month (%v)", name, err)
		}
	}
}

// Measurements of October only: September's dead zones are unknown (no
// measurements), so October's have no change and raise no alert.
func TestScorecardMonthWithoutMeasurements(t *testing.T) {
	dir := t.TempDir()
	subs := filepath.Join(dir, "subscriptions.csv")
	os.WriteFile(subs, []byte(testSubscriptions+"12,2026-07,120000,69000,400000,290000,21000\n"), 0o644)
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages, subs); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	out := filepath.Join(dir, "card")
	// Every province (no --province): Hà Nội's and the national rows are
	// read below.
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--out", out)
	if code != exitOK {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
	sep := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-09")["dead_zones"]
	if sep["status"] != "unknown" || sep["reason"] != "no measurements in 2026-09" {
		t.Errorf("September: %v", sep)
	}
	// A month outside the card without measurements says so; it pointed
	// to its own scorecard, which has nothing to show either.
	jul := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-07")["dead_zones"]
	if jul["status"] != "unknown" || jul["reason"] != "no measurements in 2026-07" {
		t.Errorf("July: %v", jul)
	}
	oct := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "12", "2026-10")["dead_zones"]
	if oct["status"] == "unknown" || oct["value"] == nil || oct["change"] != nil {
		t.Errorf("October: %v (want a figure and no change)", oct)
	}
	if strings.Contains(stdout, "new_dead_zone") {
		t.Errorf("alert against a month without measurements:\n%s", stdout)
	}
	// Hà Nội (01) has subscriptions but none of the villages: its dead-zone
	// count of zero is no assessment, so target 1 is unknown there (it
	// said "0 met").
	hn := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "01", "2026-10")["dead_zones"]
	if hn["status"] != "unknown" || !strings.Contains(hn["reason"].(string), "no village of the area in the dead-zone run") {
		t.Errorf("Hà Nội, no village: %v", hn)
	}
	// V3 lies in Điện Biên (11), where the example register has no site and
	// no test lies: not analysed (it was "dead", on no evidence), saying
	// why; Lai Châu's villages are all served, so nationally the count is
	// a lower bound of 0 over the areas assessed: unknown, not met.
	db := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "11", "2026-10")["dead_zones"]
	if db["status"] != "unknown" || !strings.Contains(db["reason"].(string), "no measurements or sites of its own in Điện Biên (11): not scored (1 village and 60 households with no site or test near left out of the analysis)") {
		t.Errorf("Điện Biên, no site or test: %v", db)
	}
	if vn := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "VN", "2026-10")["dead_zones"]; vn["status"] != "unknown" || vn["value"] != nil {
		t.Errorf("national with areas not assessed: %v (Lai Châu %v)", vn, oct)
	}
	if !strings.Contains(stdout, "no measurements or sites of its own in Điện Biên (11)") {
		t.Errorf("the card does not say why Điện Biên is unknown:\n%s", stdout)
	}
}

// A refused month names the months with subscriptions, not every month of
// the card: the month before --period has a row when it has measurements
// (its dead zones), subscriptions or not.
func TestScorecardRefusalNamesSubscriptionMonths(t *testing.T) {
	dir := t.TempDir()
	subs := filepath.Join(dir, "subscriptions.csv")
	var sep []string
	for _, l := range strings.SplitAfter(testSubscriptions, "\n") {
		if !strings.Contains(l, ",2026-10,") {
			sep = append(sep, l)
		}
	}
	os.WriteFile(subs, []byte(strings.Join(sep, "")), 0o644)
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(villages, []byte("village_id,name,commune_code,lon,lat,households\n"+
		"V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n"), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "measurements_viettel.csv"), villages, subs); code != exitOK {
		t.Fatalf("%d %s", code, errs)
	}
	// Subscriptions of 2026-09, measurements of 2026-10: November has
	// neither, and October only measurements.
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-11", "--province", "12", "--out", filepath.Join(dir, "card"))
	if code != exitDataRefused || !strings.Contains(errs, "(months with subscriptions: 2026-09; months with measurements: 2026-10)") {
		t.Fatalf("%d\n%s\n%s", code, stdout, errs)
	}
}

// TestScorecardProvinceWithoutEvidenceOfItsOwn: a province with
// subscriptions but no site or test of its own in the month (the
// dataset's are another province's) is scored as it is in the card of
// every province: target 1 unknown with the reason, targets 2–4 from its
// subscriptions. --province refused it (exit 3, no card) for want of dead
// zones, leaving its department nothing where the national card had its
// row. A province with neither subscriptions nor evidence is refused.
func TestScorecardProvinceWithoutEvidenceOfItsOwn(t *testing.T) {
	ds := exampleDatasetWithSubscriptions(t) // sites and tests in Lai Châu; Lai Châu's and Hà Nội's subscriptions
	dir := t.TempDir()
	out := filepath.Join(dir, "card-01")
	stdout, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "ha noi", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "2026-10  01 Hà Nội  ? unknown") || !strings.Contains(stdout, "84.4% met") ||
		!strings.Contains(stdout, "1 dead_zones: no measurements or sites in Hà Nội (01) (period 2026-10)") {
		t.Fatalf("--province ha noi: exit %d\n%s\n%s", code, stdout, errs)
	}
	tg := scorecardTargets(t, filepath.Join(out, "scorecard.json"), "01", "2026-10")
	if dz := tg["dead_zones"]; dz["status"] != "unknown" || dz["value"] != nil || !strings.Contains(dz["reason"].(string), "Hà Nội (01)") {
		t.Errorf("target 1: %v", dz)
	}
	if f := tg["fibre"]; f["status"] != "met" {
		t.Errorf("fibre: %v", f)
	}
	// Neither subscriptions nor evidence: refused, saying both.
	out79 := filepath.Join(dir, "card-79")
	_, errs, code = runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "79", "--out", out79)
	if code != exitDataRefused || !strings.Contains(errs, "no subscriptions") || !strings.Contains(errs, "no measurements or sites in Hồ Chí Minh (79)") {
		t.Fatalf("--province 79: exit %d\n%s", code, errs)
	}
	if fileExists(out79) {
		t.Error("a refused card wrote its folder")
	}
}
