package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A report of one province keeps every area's row of the scorecard; the
// other areas' dead zones were not analysed, and their row says so. It
// said Hà Nội had no village in the dead-zone run, "its villages lie
// outside the boundaries, or the dataset has none".
func TestReportProvinceOtherAreasNotAnalysed(t *testing.T) {
	dir := t.TempDir()
	ds := exampleDataset(t)
	subs := filepath.Join(dir, "subs.csv")
	if err := os.WriteFile(subs, []byte(testSubscriptions), 0o644); err != nil { // Lai Châu's and Hà Nội's
		t.Fatal(err)
	}
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, subs); code != exitOK {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	out := filepath.Join(dir, "rep")
	if stdout, errs, code := runBinary(t, "report", "--dataset", ds, "--period", "2026-10", "--province", "lai chau", "--out", out); code != exitOK {
		t.Fatalf("report: %d\n%s\n%s", code, stdout, errs)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?s)<tr[^>]*>\s*<td[^>]*>(?:<a[^>]*>)?01(?:</a>)? Hà Nội.*?</tr>`).FindString(string(b))
	if row == "" {
		t.Fatalf("no row of Hà Nội in the scorecard table")
	}
	if strings.Contains(row, "lie outside the boundaries") || !strings.Contains(row, "not analysed: the dead zones were computed for Lai Châu (12) alone") {
		t.Errorf("Hà Nội's row does not say its dead zones were not analysed:\n%s", row)
	}
}
