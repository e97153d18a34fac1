package main

import (
	"strings"
	"testing"
)

// coverage_best from lomsong coverage and the coverage_best layer of an
// export (and the report's map) count different hexes uncovered: the
// export and the report show a dead zone's hexes uncovered whatever the
// coverage stage decided (the demo of seed 2: 66 uncovered in
// coverage/coverage_best.csv, 81 in the GeoPackage and on the map).
// docs/exports.md said so of the export; coverage --help, where a user
// reads of the file, did not.
func TestCoverageHelpSaysBestIsBeforeTheDeadZones(t *testing.T) {
	help, errs, code := runBinary(t, "coverage", "--help")
	if code != exitOK {
		t.Fatalf("coverage --help: exit %d\n%s", code, errs)
	}
	flat := strings.Join(strings.Fields(help), " ")
	want := "this stage's decision from the hex's tests or its prediction; lomsong export's coverage_best layer and the report's map show a dead zone's hexes uncovered whatever this stage decided"
	if !strings.Contains(flat, want) {
		t.Errorf("coverage --help does not say %q:\n%s", want, help)
	}
}
