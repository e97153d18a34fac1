package main

import (
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/deadzone"
)

// The expected recall is said only of villages expected dead: with a
// p_dead sum of 0.0 as printed, "expected recall 0.00" read as a failure
// where nothing was to be found.
func TestPrintExpectationRecall(t *testing.T) {
	for _, c := range []struct {
		dead, listed float64
		want         bool
	}{{0.001, 0, false}, {0, 0, false}, {2.4, 1.8, true}} {
		var b strings.Builder
		printExpectation(&b, deadzone.ListExpectation{Villages: 3, WithPDead: 3, ExpectedDead: c.dead, ExpectedDeadListed: c.listed})
		if got := strings.Contains(b.String(), "expected recall"); got != c.want {
			t.Errorf("expected dead %v: %q", c.dead, b.String())
		}
	}
}
