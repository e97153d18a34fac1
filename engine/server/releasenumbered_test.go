package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A month published again after a late dump is answered from its new
// release, and the release it superseded is still served as it was
// published, by its number (?release=N): the same bytes as it answered
// before the republication. A release's files never change, but no read
// reached one a later release of its month had superseded. A number of
// no release, of another month's or one that is no number is refused,
// saying which.
func TestSupersededReleaseServedByNumber(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	first := ts.release(t, "2024-10")
	if first.Status != "published" {
		t.Fatalf("first release: %+v", first)
	}
	reads := []struct{ user, path, key string }{
		{"laichau", "/api/v1/releases/2024-10/provinces/12/villages", "/api/v1/releases/{period}/provinces/{code}/villages"},
		{"cuc", "/api/v1/releases/2024-10/national", "/api/v1/releases/{period}/national"},
		{"laichau", "/api/v1/releases/2024-10/provinces/12/hexes", "/api/v1/releases/{period}/provinces/{code}/hexes"},
		{"vt", "/api/v1/releases/2024-10/gaps", "/api/v1/releases/{period}/gaps"},
	}
	before := map[string][]byte{}
	for _, rd := range reads {
		code, b := ts.call(t, rd.user, "GET", rd.path, rd.key, nil, "")
		if code != http.StatusOK {
			t.Fatalf("%s: %d %.300s", rd.path, code, b)
		}
		before[rd.path] = b
	}

	// Vinaphone's dump and register of the month, late: the month is
	// published again.
	for _, sub := range []struct{ kind, name string }{{"measurements", "vnp.csv"}, {"sites", "vnp-sites.csv"}} {
		data := map[string][]byte{"measurements": f.measurements["vinaphone"], "sites": f.sites["vinaphone"]}[sub.kind]
		id := ts.submit(t, "vnp", sub.kind, sub.name, data)
		if s := ts.wait(t, "vnp", id); s.Status != "accepted" {
			t.Fatalf("%s: %+v", sub.name, s)
		}
		if code := ts.certify(t, "vnp", id); code != http.StatusOK {
			t.Fatalf("certify %s: %d", sub.name, code)
		}
	}
	second := ts.release(t, "2024-10")
	if second.Status != "published" {
		t.Fatalf("second release: %+v", second)
	}
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/national", "/api/v1/releases/{period}/national", nil, "")
	if code != http.StatusOK || !bytes.Contains(b, []byte(fmt.Sprintf(`"release":%d`, second.Number))) {
		t.Fatalf("the month's latest after the republication: %d %.200s, want release %d", code, b, second.Number)
	}
	for _, rd := range reads {
		path := fmt.Sprintf("%s?release=%d", rd.path, first.Number)
		code, b := ts.call(t, rd.user, "GET", path, rd.key, nil, "")
		if code != http.StatusOK || !bytes.Equal(b, before[rd.path]) {
			t.Errorf("%s: %d, %d bytes, want the %d bytes release %d answered before it was superseded", path, code, len(b), len(before[rd.path]), first.Number)
		}
	}
	// Its changes against the release before it: the first has none.
	code, b = ts.call(t, "cuc", "GET", fmt.Sprintf("/api/v1/releases/2024-10/diff?release=%d", second.Number), "/api/v1/releases/{period}/diff", nil, "")
	if code != http.StatusOK || !bytes.Contains(b, []byte(fmt.Sprintf(`"previous_release": %d`, first.Number))) {
		t.Errorf("diff of release %d: %d %.300s", second.Number, code, b)
	}
	code, b = ts.call(t, "cuc", "GET", fmt.Sprintf("/api/v1/releases/2024-10/diff?release=%d", first.Number), "/api/v1/releases/{period}/diff", nil, "")
	if code != http.StatusNotFound || !strings.Contains(string(b), "the first of its month") {
		t.Errorf("diff of release %d: %d %.300s, want 404: nothing before it", first.Number, code, b)
	}

	for _, c := range []struct {
		query string
		code  int
		want  string
	}{
		{"?release=99", http.StatusNotFound, "no release 99"},
		{"?release=0", http.StatusBadRequest, "want a release number"},
		{"?release=first", http.StatusBadRequest, "want a release number"},
	} {
		code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/national"+c.query, "/api/v1/releases/{period}/national", nil, "")
		if code != c.code || !strings.Contains(string(b), c.want) {
			t.Errorf("national%s: %d %s, want %d saying %q", c.query, code, b, c.code, c.want)
		}
	}
	code, b = ts.call(t, "cuc", "GET", fmt.Sprintf("/api/v1/releases/2024-11/national?release=%d", first.Number), "/api/v1/releases/{period}/national", nil, "")
	if code != http.StatusNotFound || !strings.Contains(string(b), "is of 2024-10, not 2024-11") {
		t.Errorf("release %d under 2024-11: %d %s, want 404 naming its month", first.Number, code, b)
	}
}
