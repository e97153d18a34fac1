package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A scorecard of a dataset with subscriptions and no sites predicts no
// signal anywhere: it no longer warns that "every point is predicted as
// open country" nor says it is "predicting uncalibrated", which sent a
// department with its subscriptions alone to find a population table and
// a calibration it does not need (target 1 says why it is unknown).
func TestScorecardWithoutSitesPredictsNothing(t *testing.T) {
	dir, ds := subscriptionsDataset(t, testSubscriptions)
	stdout, errs, code := runCmd(t, "scorecard", "--dataset", ds, "--period", "2026-10", "--province", "12", "--out", filepath.Join(dir, "card"))
	if code != exitOK {
		t.Fatalf("scorecard: %d\n%s\n%s", code, stdout, errs)
	}
	for _, not := range []string{"predicted as open country", "predicting uncalibrated"} {
		if strings.Contains(errs, not) {
			t.Errorf("stderr says %q:\n%s", not, errs)
		}
	}
	if !strings.Contains(stdout, "1 dead_zones: no sites in the dataset") {
		t.Errorf("target 1's reason:\n%s", stdout)
	}
}
