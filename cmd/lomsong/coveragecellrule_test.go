package main

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/aggregate"
)

// TestCoverageHelpStatesCellRules: coverage --help says which hexagon a
// test counts in (the rule aggregate --help and the metadata state, at
// the default resolution) and which one a village does; it said neither,
// while the coverage files publish hexes decided by both.
func TestCoverageHelpStatesCellRules(t *testing.T) {
	help, errs, code := runBinary(t, "coverage", "--help")
	if code != exitOK {
		t.Fatalf("coverage --help: exit %d\n%s", code, errs)
	}
	flat := strings.Join(strings.Fields(help), " ")
	for _, want := range []string{
		aggregate.CellRule(8),
		"a village's cell (villages.csv cell, and the hex its households count in when the villages are the population) is LatLngToCell of its point at res 8",
		"lomsong.cell_rule",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("coverage --help does not say %q:\n%s", want, help)
		}
	}
}
