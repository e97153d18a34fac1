package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCampaignDefaultStartIsAVillage: without --start the teams start at
// the village nearest the villages' mean position: the mean of villages
// in the north-west and the south lies in Laos (a country's campaign
// sent every team out from there), hundreds of kilometres from any.
func TestCampaignDefaultStartIsAVillage(t *testing.T) {
	in := writeVerdicts(t, "village_id,name,lon,lat,households,p_dead\n"+
		"V1,Bản A,103.30,22.40,100,0.5\nV2,Bản B,103.40,22.45,100,0.5\nV3,Bản C,107.20,16.40,100,0.5\n"+
		"V4,Bản D,106.70,10.80,100,0.5\nV5,Bản E,106.60,10.90,100,0.5\n")
	stdout, errs, code := runCmd(t, "campaign", "--verdicts", in, "--days", "1", "--out", filepath.Join(t.TempDir(), "c"))
	if code != exitOK || !strings.Contains(stdout, "from 107.20000, 16.40000") {
		t.Fatalf("exit %d, want the teams from V3 (107.20000, 16.40000), the village nearest the mean:\n%s\n%s", code, stdout, errs)
	}
}
