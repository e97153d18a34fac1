package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// TestPlanCostsOnePlanEverywhere: a plan made with lomsong plan --costs is
// the plan run, report and export show when given the same --costs: the
// report's plan section gives plan.csv's households and cost (and
// plan.json's budget and bound) and names the figures the file changed,
// a read-only export reads the saved plan back with plan.csv's costs,
// and run --out writes the same plan.csv. Only --costs was taken by plan:
// report and export showed a plan priced with the default cost model
// (6.5 billion VND for the 31.5 billion plan.csv gave), saying nothing of
// it. Without --costs the report says it used the defaults; run --costs
// without --budget (no plan stage) is a usage error; a report --costs
// file that cannot be read is refused naming it.
func TestPlanCostsOnePlanEverywhere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ds := villagesDataset(t, dir, "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\n"+
		"V4,Bản D,,102.85,22.40,80\nV6,Bản F,,103.00,22.25,30\n")
	costs := writeFile(t, dir, "costs.json", []byte(`{"radio_vnd": 5e9, "tower_civil_vnd": 9000000000}`))
	month := []string{"--dataset", ds, "--period", "2026-10", "--budget", "500e9"}

	planDir := filepath.Join(dir, "plan")
	if _, errs, code := runBinary(t, "plan", "--dataset", ds, "--budget", "500e9", "--costs", costs, "--out", planDir); code != exitOK {
		t.Fatalf("plan --costs: exit %d\n%s", code, errs)
	}
	rows := csvRows(t, filepath.Join(planDir, "plan.csv"))
	if len(rows) < 2 {
		t.Fatalf("plan.csv funds nothing: %v", rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	last := rows[len(rows)-1]
	households, _ := strconv.ParseFloat(last[col["cumulative_households"]], 64)
	cost, _ := strconv.ParseFloat(last[col["cumulative_cost_vnd"]], 64)
	if households <= 0 || !(cost >= 1e9 && cost < 1e12) {
		t.Fatalf("plan.csv's last row: %v", last)
	}
	var summary map[string]any
	readJSON(t, filepath.Join(planDir, "plan.json"), &summary)
	want := fmt.Sprintf("The plan reaches %.0f households for %.1f billion VND within a budget of %.1f billion VND; no plan within the budget reaches more than %.0f.",
		households, cost/1e9, summary["budget_vnd"].(float64)/1e9, summary["upper_bound_households"].(float64))

	// The report with the plan's --costs: plan.csv's figures, and the
	// figures changed named.
	withCosts := filepath.Join(dir, "report-costs")
	if _, errs, code := runBinary(t, append([]string{"report", "--costs", costs, "--out", withCosts}, month...)...); code != exitOK {
		t.Fatalf("report --costs: exit %d\n%s", code, errs)
	}
	text := planParagraph(t, filepath.Join(withCosts, "report.html"))
	named := "Sites are priced with the cost model of " + costs + ": tower_civil_vnd 9000000000 (default 900000000), radio_vnd 5000000000 (default 600000000); every other figure its default."
	named += " The sites weighed are those placed for the dead zones; proposed sites (lomsong plan --candidates)"
	if !strings.HasPrefix(text, want) || !strings.Contains(text, named) {
		t.Errorf("report --costs, plan section:\n%s\nwant plan.csv's figures and the costs used:\n%s %s", text, want, named)
	}

	// Without --costs: another plan, and the report says it is the
	// default cost model's.
	defaults := filepath.Join(dir, "report-defaults")
	if _, errs, code := runBinary(t, append([]string{"report", "--out", defaults}, month...)...); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, errs)
	}
	if text := planParagraph(t, filepath.Join(defaults, "report.html")); strings.HasPrefix(text, want) || !strings.Contains(text, "Sites are priced with the default cost model") {
		t.Errorf("report without --costs, plan section:\n%s\nwant the default cost model's plan, said to be", text)
	}

	// A read-only export with the costs reads the plan saved by lomsong
	// plan back, with plan.csv's costs.
	gpkg := filepath.Join(dir, "month.gpkg")
	_, errs, code := runBinary(t, append([]string{"export", "--read-only", "--costs", costs, "--format", "gpkg", "--out", gpkg}, month...)...)
	if code != exitOK || !strings.Contains(errs, "deadzones, plan;") {
		t.Fatalf("export --read-only --costs: exit %d, want the saved plan read back\n%s", code, errs)
	}
	db, err := sqlitedb.Open(context.Background(), gpkg, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := db.Query(`SELECT candidate, cost_vnd, households_newly_covered FROM plan ORDER BY rank`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for q.Next() {
		var id string
		var c, h int64
		if err := q.Scan(&id, &c, &h); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s,%d,%d", id, c, h))
	}
	q.Close()
	var fromCSV []string
	for _, r := range rows[1:] {
		fromCSV = append(fromCSV, strings.Join([]string{r[col["candidate"]], r[col["cost_vnd"]], r[col["households_newly_covered"]]}, ","))
	}
	if strings.Join(got, "\n") != strings.Join(fromCSV, "\n") {
		t.Errorf("export's plan layer:\n%s\nplan.csv:\n%s", strings.Join(got, "\n"), strings.Join(fromCSV, "\n"))
	}

	// Other costs: no saved plan of them, computed for this export only
	// and said so (it said "no saved plan of this budget", the budget
	// being the saved plan's).
	other := writeFile(t, dir, "other.json", []byte(`{"radio_vnd": 1e9}`))
	_, errs, code = runBinary(t, append([]string{"export", "--read-only", "--costs", other, "--format", "gpkg", "--out", filepath.Join(dir, "other.gpkg")}, month...)...)
	if code != exitOK || !strings.Contains(errs, "computed for this export only (--read-only saves nothing): plan (no saved plan of this budget and costs)") {
		t.Errorf("export --read-only with other costs: exit %d\n%s", code, errs)
	}

	// lomsong run with the costs writes the same plan.
	runOut := filepath.Join(dir, "run")
	if _, errs, code := runBinary(t, append([]string{"run", "--costs", costs, "--out", runOut}, month...)...); code != exitOK {
		t.Fatalf("run --costs: exit %d\n%s", code, errs)
	}
	a, _ := os.ReadFile(filepath.Join(planDir, "plan.csv"))
	b, err := os.ReadFile(filepath.Join(runOut, "plan", "plan.csv"))
	if err != nil || string(a) != string(b) {
		t.Errorf("run --costs --out: plan.csv %v\n%s\nwant lomsong plan's:\n%s", err, b, a)
	}

	if _, errs, code := runBinary(t, "run", "--dataset", ds, "--period", "2026-10", "--costs", costs); code != exitUsage || !strings.Contains(errs, "--costs "+costs) || !strings.Contains(errs, "--budget") {
		t.Errorf("run --costs without --budget: exit %d, want %d naming --costs and --budget\n%s", code, exitUsage, errs)
	}
	missing := filepath.Join(dir, "no-such-costs.json")
	refused := filepath.Join(dir, "report-refused")
	if _, errs, code := runBinary(t, append([]string{"report", "--costs", missing, "--out", refused}, month...)...); code == exitOK || !strings.Contains(errs, missing) {
		t.Errorf("report --costs %s: exit %d, want a refusal naming it\n%s", missing, code, errs)
	}
	if _, err := os.Stat(filepath.Join(refused, "report.html")); !os.IsNotExist(err) {
		t.Errorf("report with an unreadable --costs wrote report.html (%v)", err)
	}
}

// planParagraph returns the text of the report's plan section (its
// paragraph under "Investment plan").
func planParagraph(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<section id="plan">\s*<h2>[^<]*</h2>\s*<p>(.*?)</p>`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no plan section", path)
	}
	return string(m[1])
}
