package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A release read while its month is being computed is 404 saying that
// release N of the month is being computed, and one whose latest release
// failed says so with the reason: "no published release" alone left a
// province polling for its villages without knowing whether one was coming.
func TestReleaseReadWhileComputed(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	ask := func(period string) Release {
		t.Helper()
		code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"`+period+`"}`), "application/json")
		if code != http.StatusAccepted {
			t.Fatalf("release %s: %d %s", period, code, b)
		}
		var rl Release
		json.Unmarshal(b, &rl)
		return rl
	}
	villages := func(period string) (int, string) {
		code, b := ts.call(t, "laichau", "GET", "/api/v1/releases/"+period+"/provinces/12/villages",
			"/api/v1/releases/{period}/provinces/{code}/villages", nil, "")
		return code, string(b)
	}

	// Held as a certification holds it, the release dataset keeps the
	// release running.
	ts.s.dsMu.Lock()
	rl := ask("2024-10")
	code, b := villages("2024-10")
	ts.s.dsMu.Unlock()
	if code != http.StatusNotFound || !strings.Contains(b, "release 1 of it is being computed") {
		t.Errorf("villages while release 1 is computed: %d %s", code, b)
	}
	if got := ts.waitRelease(t, rl.Number); got.Status != "published" {
		t.Fatalf("release 1: %+v", got)
	}
	if code, b := villages("2024-10"); code != http.StatusOK {
		t.Errorf("villages once published: %d %.300s", code, b)
	}

	// A month without measurements, asked for while the dataset was held
	// (so not refused at once), fails; reading it says so.
	ts.s.dsMu.Lock()
	rl = ask("2024-11")
	ts.s.dsMu.Unlock()
	got := ts.waitRelease(t, rl.Number)
	if got.Status != "failed" {
		t.Fatalf("release of 2024-11: %+v", got)
	}
	if code, b := villages("2024-11"); code != http.StatusNotFound || !strings.Contains(b, "release 2 of it failed ("+jsonEscaped(got.Error)) {
		t.Errorf("villages of a month whose release failed: %d %s (its error: %s)", code, b, got.Error)
	}
	// A month never asked for says no more than that.
	if code, b := villages("2024-12"); code != http.StatusNotFound || strings.Contains(b, "release") && strings.Contains(b, "of it") {
		t.Errorf("villages of a month never released: %d %s", code, b)
	}
}

// jsonEscaped is s as a JSON string's content.
func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
