package report

import (
	"strings"
	"testing"
)

func TestExpectedText(t *testing.T) {
	if got := expectedText(nil); got != "" {
		t.Errorf("no expectation: %q, want nothing", got)
	}
	if got := expectedText(&Expectation{}); got != "" {
		t.Errorf("no village with a p_dead: %q, want nothing", got)
	}
	got := expectedText(&Expectation{WithPDead: 1053, Listed: 31, Dead: 50.28, DeadListed: 24.02, Missed: 26.26})
	for _, want := range []string{"about 24.0 of the 31 villages listed", "about 26.3 more among the 1,022 villages counted served", "about 48% of the villages without 3G/4G"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	// Nothing expected dead: no share of it is claimed.
	got = expectedText(&Expectation{WithPDead: 1, Listed: 1})
	if strings.Contains(got, "%") || !strings.Contains(got, "of the 1 village listed") {
		t.Errorf("one village listed, none expected dead: %q", got)
	}
}
