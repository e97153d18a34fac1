package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestCertifyWaitingPastTheGraceIsServiceStopped: a certification
// waiting for a release run's read of the dataset when the grace runs
// out takes the dataset's lock on a service already stopped. It is
// refused as the stop refuses (503, warned about), not logged as an
// internal error; nothing is written and the submission stays accepted.
func TestCertifyWaitingPastTheGraceIsServiceStopped(t *testing.T) {
	dir, logs := certifyPastTheGrace(t)
	var outcome map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e["level"] == "ERROR" {
			t.Errorf("logged as an error: %s", line)
		}
		if e["msg"] == "certification" {
			outcome = e
		}
	}
	if outcome == nil {
		t.Fatalf("the certification's outcome is not logged:\n%s", logs)
	}
	if code, _ := outcome["status"].(float64); code != http.StatusServiceUnavailable {
		t.Errorf("certification answered %v, want %d (the service stopped)", outcome["status"], http.StatusServiceUnavailable)
	}
	if l := logs.String(); !strings.Contains(l, `"level":"WARN","msg":"certification stopped by the service's stop; the submission stays accepted"`) {
		t.Errorf("the stopped certification is not warned about:\n%s", l)
	}
	if got := storedStatus(t, dir, 1); got != "accepted" {
		t.Errorf("submission 1 is %s, want accepted", got)
	}
}
