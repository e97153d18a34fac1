package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// scorecard --province of a province the dataset holds nothing of is
// refused naming the province and the areas the dataset's subscriptions
// are of. It said "no subscriptions; ... (months with subscriptions: none;
// months with measurements: 2026-10)", as if the dataset held none.
func TestScorecardProvinceWithoutDataSaysWhereTheDataIs(t *testing.T) {
	dir := t.TempDir()
	ds := exampleDatasetWithSubscriptions(t) // Lai Châu's and Hà Nội's subscriptions
	out := filepath.Join(dir, "card")
	_, errs, code := runBinary(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "79", "--out", out)
	want := "scorecard: no data for 2026-10: no subscriptions of Hồ Chí Minh (79); no dead zones for 2026-10: no measurements or sites in Hồ Chí Minh (79) (period 2026-10) " +
		"(months with subscriptions: none; months with measurements: 2026-10); the dataset's subscriptions are of Hà Nội (01), Lai Châu (12)\n"
	if code != exitDataRefused || !strings.HasSuffix(errs, want) {
		t.Fatalf("--province 79: exit %d (want %d), stderr should end %q:\n%s", code, exitDataRefused, want, errs)
	}
	if fileExists(out) {
		t.Error("a refused card wrote its folder")
	}
	// Lai Châu has subscriptions, not of 2021-10: its own months, and no
	// list of the others'.
	_, errs, code = runBinary(t, "scorecard", "--dataset", ds, "--period", "2021-10", "--province", "lai chau", "--out", out)
	if code != exitDataRefused || !strings.Contains(errs, "no subscriptions of Lai Châu (12)") || !strings.Contains(errs, "(months with subscriptions: 2026-09, 2026-10;") ||
		strings.Contains(errs, "the dataset's subscriptions are of") {
		t.Fatalf("--period 2021-10 --province lai chau: exit %d\n%s", code, errs)
	}
}
