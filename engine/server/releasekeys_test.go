package server

import (
	"net/http"
	"strings"
	"testing"
)

// A release request giving "period" twice is 400 naming it, nothing
// started: encoding/json took the last, so {"period":"2024-10",
// "period":"2024-11"} released 2024-11 with nothing said, as a query
// parameter given twice is refused for.
func TestReleaseKeyGivenTwice(t *testing.T) {
	ts := newService(t, nil)
	for _, body := range []string{
		`{"period":"2024-10","period":"2024-11"}`,
		`{"period":"2024-10","PERIOD":"2024-11"}`,
		`{"period":"2024-10", "Period":"2024-10"}`,
	} {
		code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(body), "application/json")
		if code != http.StatusBadRequest || !strings.Contains(string(b), "given more than once") {
			t.Errorf("%s: %d %s, want 400 saying period is given more than once", body, code, b)
		}
	}
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
	if code != http.StatusOK || strings.Contains(string(b), `"number"`) {
		t.Errorf("a release was started: %d %s", code, b)
	}
	if k := repeatedKey([]byte(`{"period":"2024-10"}`)); k != "" {
		t.Errorf("repeatedKey of a key given once: %q", k)
	}
}
