package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCampaignDayDoesNotDoubleBack: from a start between two villages to
// the west (A near, B farther) and one to the east (C, the most
// households), the day goes east first, C, A, B (77.1 km), rather than
// west to A and B and back past the start to C (89.2 km).
func TestCampaignDayDoesNotDoubleBack(t *testing.T) {
	dir := t.TempDir()
	verdicts := filepath.Join(dir, "villages.csv")
	if err := os.WriteFile(verdicts, []byte("village_id,name,lon,lat,households,p_dead\n"+
		"A,Bản A,103.334013,22.204135,200,0.5\n"+
		"B,Bản B,103.225441,22.138111,100,0.5\n"+
		"C,Bản C,103.592207,22.19469,300,0.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "camp")
	stdout, errs, code := runBinary(t, "campaign", "--verdicts", verdicts, "--days", "1", "--start", "103.449174,22.223777", "--out", out)
	if code != exitOK {
		t.Fatalf("campaign: exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "77.1") || !strings.Contains(stdout, "C → A → B") {
		t.Errorf("want the day C → A → B, 77.1 km; stdout:\n%s", stdout)
	}
	csv, err := os.ReadFile(filepath.Join(out, "campaign.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// rank,village_id,...,team,day,order: C first by value, then A, B.
	want := []string{"1,C,", ",1,1,1", "2,A,", ",1,1,2", "3,B,", ",1,1,3"}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 4 {
		t.Fatalf("campaign.csv has %d lines, want 4:\n%s", len(lines), csv)
	}
	for k, l := range lines[1:] {
		if !strings.HasPrefix(l, want[2*k]) || !strings.HasSuffix(l, want[2*k+1]) {
			t.Errorf("campaign.csv line %d: %q, want it to start %q and end %q", k+2, l, want[2*k], want[2*k+1])
		}
	}
}
