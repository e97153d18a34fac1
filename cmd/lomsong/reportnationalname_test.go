package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The report names the nation as the scorecard does: its first section
// read "At a glance: VN, 2026-10" and the scorecard table's national row
// "VN (national)", where scorecard.csv and the card's table give Việt Nam
// and every province is named beside its code.
func TestReportNamesTheNation(t *testing.T) {
	dir := t.TempDir()
	ds := exportDataset(t, dir)
	out := filepath.Join(dir, "report")
	if stdout, errs, code := runBinary(t, "report", "--dataset", ds, "--period", "2026-10", "--out", out); code != exitOK {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, errs)
	}
	doc := parseReportHTML(t, filepath.Join(out, "report.html"))
	var glance string
	for _, sum := range doc.all(func(n *htmlNode) bool { return n.tag == "section" && n.id == "summary" }) {
		if h := sum.byTag("h2"); len(h) > 0 {
			glance = h[0].Text()
		}
	}
	if !strings.HasPrefix(glance, "At a glance: Việt Nam, 2026-10") {
		t.Errorf("report's first heading %q, want At a glance: Việt Nam, 2026-10", glance)
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "VN Việt Nam (national)</td>") {
		t.Errorf("the scorecard table's national row does not name Việt Nam")
	}
}
