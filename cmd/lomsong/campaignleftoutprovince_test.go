package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCampaignLeftOutOfTheProvinceOnly: with --verdicts and --province,
// the warning of rows without a p_dead left out names the province's rows
// only: a country's villages.csv had every other province's village
// without a verdict named as left out of a campaign of one province, where
// the summary counts the province's alone.
func TestCampaignLeftOutOfTheProvinceOnly(t *testing.T) {
	in := writeVerdicts(t, "village_id,name,province,lon,lat,households,p_dead\n"+
		"V1,Bản Một,12,103.30,22.40,120,0.5\nV2,Bản Hai,12,103.31,22.40,80,\n"+
		"V3,Bản Ba,11,103.10,22.05,60,\nV4,Bản Bốn,11,103.12,22.05,45,\n")
	stdout, errs, code := runCmd(t, "campaign", "--verdicts", in, "--province", "12", "--days", "1", "--out", filepath.Join(t.TempDir(), "c"))
	if code != exitOK || !strings.Contains(errs, "1 row without a p_dead (no verdict) left out: line 3 (V2)") {
		t.Fatalf("exit %d, want the province's row V2 named as left out:\n%s\n%s", code, stdout, errs)
	}
	if strings.Contains(errs, "V3") || strings.Contains(errs, "V4") {
		t.Errorf("another province's rows without a verdict are named as left out:\n%s", errs)
	}
	if !strings.Contains(stdout, "1 village (80 households) has no verdict") {
		t.Errorf("the summary does not count the province's village without a verdict alone:\n%s", stdout)
	}
}
