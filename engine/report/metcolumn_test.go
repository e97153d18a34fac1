package report

import (
	"regexp"
	"testing"
)

// The scorecard table's met column counts the targets known, as lomsong
// scorecard's table does: a row with targets unknown reads "0/3 (2
// unknown)", not "0/5", which is how a row failing all five reads.
func TestTableMetColumnCountsKnown(t *testing.T) {
	html := string(render(t, testReport(t)))
	cells := regexp.MustCompile(`<td class="num" data-label="Met">([^<]*)</td></tr>`).FindAllStringSubmatch(html, -1)
	var got []string
	for _, c := range cells {
		got = append(got, c[1])
	}
	// testCard's 2025-09: the nation (not met, unknown, not met, not
	// met, unknown), Hà Giang (two met of five), Lai Châu (smartphone
	// and speeds unknown, three not met).
	want := []string{"0/3 (2 unknown)", "2/5", "0/3 (2 unknown)"}
	if len(got) < len(want) {
		t.Fatalf("met cells %q, want %q first", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("met cell %d is %q, want %q", i, got[i], want[i])
		}
	}
}
