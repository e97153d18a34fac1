package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestCampaignHelpSaysWhatEachColumnMeans: campaign --help gives each
// column of campaign.csv a line of its own (alone or with the columns it
// shares a meaning with) followed by what it means: the columns were only
// listed, and rank, value and order were left for the reader to guess.
func TestCampaignHelpSaysWhatEachColumnMeans(t *testing.T) {
	help, _, code := runCmd(t, "campaign", "--help")
	if code != exitOK {
		t.Fatalf("campaign --help: exit %d", code)
	}
	_, writes, ok := strings.Cut(help, "Writes to OUT:")
	if !ok {
		t.Fatalf("campaign --help has no \"Writes to OUT:\":\n%s", help)
	}
	csvPart, _, _ := strings.Cut(writes, "campaign.geojson")
	lines := strings.Split(csvPart, "\n")
	heading := regexp.MustCompile(`^    ([a-z_]+(?:, [a-z_]+)*)(?:\s{2,}(\S.*))?$`)
	meaning := regexp.MustCompile(`^\s{8,}\S`)
	explained := map[string]bool{}
	for i, l := range lines {
		m := heading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		// What it means: on its line, or on the indented line after it.
		if m[2] == "" && (i+1 >= len(lines) || !meaning.MatchString(lines[i+1]) || heading.MatchString(lines[i+1])) {
			continue
		}
		for _, c := range strings.Split(m[1], ", ") {
			explained[c] = true
		}
	}
	for _, c := range campaignColumns {
		if !explained[c] {
			t.Errorf("campaign --help gives column %s no line saying what it means:%s", c, csvPart)
		}
	}
}
