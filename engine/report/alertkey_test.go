package report

import (
	"strings"
	"testing"
)

// A regression's line names its target in words; the scorecard's key of
// it is not said again after the month. It read "Regression: Households
// with fibre · Lai Châu · 2025-09: fibre: worse by 2.0 pp".
func TestRegressionAlertSaysTheTargetOnce(t *testing.T) {
	html := string(render(t, testReport(t)))
	want := "<strong>Regression: Households with fibre</strong> · Lai Châu · 2025-09: worse by 2.0 pp since 2025-08"
	if !strings.Contains(html, want) {
		t.Errorf("page lacks %q", want)
	}
	if strings.Contains(html, ": fibre: worse by") {
		t.Errorf("the alert repeats the target's key")
	}
}
