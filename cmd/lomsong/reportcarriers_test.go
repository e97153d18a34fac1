package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The report says which carriers' sites and tests it read: a village
// counts without 3G/4G when none of them reaches it, so a dataset holding
// one carrier's register makes that carrier's gaps the page's dead zones.
// The page said nothing of it: a report of Viettel's data alone read as
// the province's dead zones. Of each carrier's sectors it says how many
// are the best server of a place analysed: a province's report reads the
// whole register, and said only its size (a country's 131,619 MobiFone
// sectors in a report of Lai Châu).
func TestReportSaysTheCarriersAnalysed(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(examples, "sites.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	viettel := lines[0]
	for _, l := range lines[1:] {
		if strings.Contains(l, ",Viettel,") {
			viettel += l
		}
	}
	onlyViettel := filepath.Join(dir, "sites_viettel.csv")
	if err := os.WriteFile(onlyViettel, []byte(viettel), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, sites string
		want        []string
	}{
		{"three carriers", filepath.Join(examples, "sites.csv"), []string{
			"Carriers analysed: mobifone (30 site sectors, 4 serving the places analysed; 0 tests); viettel (72 site sectors, 8 serving the places analysed; 277 tests); vinaphone (36 site sectors, 4 serving the places analysed; 0 tests).",
			"a carrier whose sites and tests are not in the data is not counted"}},
		{"viettel alone", onlyViettel, []string{
			"Carriers analysed: viettel (72 site sectors, 8 serving the places analysed; 277 tests).",
			"Only viettel&#39;s data were read: a place counts without 3G/4G when viettel does not reach it, whether or not another carrier does"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, out := filepath.Join(t.TempDir(), "ds"), filepath.Join(t.TempDir(), "rep")
			if _, errs, code := runCmd(t, "ingest", "--dataset", ds, c.sites, filepath.Join(examples, "measurements_viettel.csv"),
				filepath.Join(examples, "villages.csv")); code != exitOK {
				t.Fatalf("ingest: %d\n%s", code, errs)
			}
			if stdout, errs, code := runCmd(t, "report", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--out", out); code != exitOK {
				t.Fatalf("report: %d\n%s\n%s", code, stdout, errs)
			}
			html, err := os.ReadFile(filepath.Join(out, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(string(html), w) {
					t.Errorf("report.html lacks %q", w)
				}
			}
		})
	}
}
