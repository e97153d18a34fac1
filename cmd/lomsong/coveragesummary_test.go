package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestCoverageSummaryCountsTheFilesHexes: the example register and
// Viettel tests with four villages, one in Cà Mau far from every site.
// Coverage analyses the villages' hexes and the tested ones; its summary
// counts the hexes coverage_best.csv holds and says which populated hex
// has no state. It said "coverage over 4 populated hexes" over files of
// hundreds of hexes, and nothing of the village's hex missing from them.
func TestCoverageSummaryCountsTheFilesHexes(t *testing.T) {
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV2,Bản B,,103.52,22.52,25\nV3,Bản C,,103.10,22.05,60\nV4,Ấp D,,105.00,9.00,30\n")
	out := filepath.Join(t.TempDir(), "cov")
	stdout, errs, code := runCmd(t, "coverage", "--dataset", ds, "--out", out)
	if code != exitOK {
		t.Fatalf("coverage: exit %d\n%s\n%s", code, stdout, errs)
	}
	rows := csvRows(t, filepath.Join(out, "coverage_best.csv"))
	hexes := len(rows) - 1
	m := regexp.MustCompile(`coverage over 4 populated hexes and (\d+) more with tests \((\d+) hexes in the files\)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("summary does not count the hexes of the files (%d):\n%s", hexes, stdout)
	}
	more, _ := strconv.Atoi(m[1])
	all, _ := strconv.Atoi(m[2])
	if all != hexes || more != hexes-3 {
		t.Errorf("summary: %d more, %d in the files; coverage_best.csv has %d hexes (3 of them populated)\n%s", more, all, hexes, stdout)
	}
	if want := "1 of the 4 hexes asked for have no state (no site of any carrier in reach, no test): not in the files"; !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(stdout) {
		t.Errorf("summary does not say the Cà Mau village's hex has no state:\n%s", stdout)
	}
}
