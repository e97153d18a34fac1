package main

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestCampaignHelpNamesEveryGeoJSONProperty: every property of the
// features campaign.geojson holds is named where campaign --help lists
// what it writes.
func TestCampaignHelpNamesEveryGeoJSONProperty(t *testing.T) {
	dir := t.TempDir()
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, filepath.Join(examples, "sites.csv"),
		filepath.Join(examples, "villages.csv"), filepath.Join(examples, "measurements_viettel.csv")); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	// One team-day: some villages worth a test are visited, others not.
	out := filepath.Join(dir, "camp")
	if _, errs, code := runCmd(t, "campaign", "--dataset", ds, "--days", "1", "--out", out); code != exitOK {
		t.Fatalf("campaign: exit %d: %s", code, errs)
	}
	features := featureProps(t, filepath.Join(out, "campaign.geojson"))
	keys := map[string]bool{}
	visited, notVisited := false, false
	for _, props := range features {
		for k := range props {
			keys[k] = true
		}
		if c, ok := props["chosen"].(bool); ok {
			visited, notVisited = visited || c, notVisited || !c
		}
	}
	if !visited || !notVisited {
		t.Fatalf("want villages visited and not visited in campaign.geojson (visited %v, not visited %v)", visited, notVisited)
	}
	help, _, _ := runCmd(t, "campaign", "--help")
	_, writes, ok := strings.Cut(help, "Writes to OUT:")
	if !ok {
		t.Fatalf("campaign --help has no \"Writes to OUT:\":\n%s", help)
	}
	writes, _, _ = strings.Cut(writes, "\nFlags:")
	var missing []string
	for k := range keys {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(k) + `\b`).MatchString(writes) {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("campaign.geojson has properties campaign --help does not name: %v; it says:%s", missing, writes)
	}
}
