package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestPublicQueryAndTwoTokens: the public API endpoints refuse a query
// parameter as every other endpoint does (they answered 200, ignoring
// it), the dashboard's pages keep theirs; a request with two
// Authorization headers is refused 400, not answered as the first's user.
func TestPublicQueryAndTwoTokens(t *testing.T) {
	ts := newService(t, nil)
	for _, c := range []struct{ path, key string }{{"/healthz?x=1", "/healthz"}, {"/api/v1/openapi.json?x=1", "/api/v1/openapi.json"}} {
		if code, b := ts.call(t, "", "GET", c.path, c.key, nil, ""); code != http.StatusBadRequest || !strings.Contains(string(b), `unknown query parameter \"x\"`) {
			t.Errorf("GET %s: %d %s", c.path, code, b)
		}
	}
	if code, _ := ts.call(t, "", "GET", "/ui/?province=12", "", nil, ""); code != http.StatusOK {
		t.Errorf("the dashboard with its query: %d", code)
	}
	req, _ := http.NewRequest("GET", ts.ts.URL+"/api/v1/me", nil)
	req.Header.Add("Authorization", "Bearer "+ts.tokens["vt"])
	req.Header.Add("Authorization", "Bearer "+ts.tokens["mobi"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two Authorization headers: %d, want 400", resp.StatusCode)
	}
}

// An id or release number is written one way: /submissions/01 and +1
// named submission 1, ?release=01 release 1.
func TestCanonicalIDs(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	if id != 1 {
		t.Fatalf("first submission %d", id)
	}
	if code, _ := ts.call(t, "vt", "GET", "/api/v1/submissions/1", "/api/v1/submissions/{id}", nil, ""); code != http.StatusOK {
		t.Fatalf("GET /submissions/1: %d", code)
	}
	for _, p := range []string{"/api/v1/submissions/01", "/api/v1/submissions/001", "/api/v1/submissions/+1"} {
		if code, _ := ts.call(t, "vt", "GET", p, "/api/v1/submissions/{id}", nil, ""); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
	if code, _ := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/national?release=01", "/api/v1/releases/{period}/national", nil, ""); code != http.StatusBadRequest {
		t.Errorf("?release=01: %d, want 400", code)
	}
}

// A submission not validated yet has no rejected_by_reason (null), as it
// has no counts: an empty list read as "nothing rejected".
func TestQueuedHasNoReasons(t *testing.T) {
	b, err := json.Marshal(Submission{ID: 1, Status: "queued", Reasons: []ReasonCount{}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"rejected_by_reason":null`) || !strings.Contains(string(b), `"rows_read":null`) {
		t.Errorf("queued: %s", b)
	}
	b, _ = json.Marshal(Submission{ID: 1, Status: "accepted", Reasons: []ReasonCount{}})
	if !strings.Contains(string(b), `"rejected_by_reason":[]`) || !strings.Contains(string(b), `"rows_read":0`) {
		t.Errorf("accepted: %s", b)
	}
}
