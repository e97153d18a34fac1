package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestReleaseFilesDownloaded: the ministry downloads a published
// release's files byte for byte — release.json, whose SHA-256 the list of
// releases gives, and each file it lists, with the SHA-256 it gives — so a
// copy can be checked against what was published. A file the release does
// not list is 404 naming its files; a province user is refused. No route
// served them: the published checksums could be checked against nothing.
func TestReleaseFilesDownloaded(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	rl := ts.release(t, "2024-10")
	if rl.Status != "published" || rl.SHA256 == "" {
		t.Fatalf("release: %+v", rl)
	}
	base := "/api/v1/releases/2024-10/files/"
	const key = "/api/v1/releases/{period}/files/{name}"
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	code, man := ts.call(t, "cuc", "GET", base+"release.json", key, nil, "")
	if code != http.StatusOK || sum(man) != rl.SHA256 {
		t.Fatalf("release.json: %d, sha256 %s, the list gives %s", code, sum(man), rl.SHA256)
	}
	var m struct {
		Files map[string]string `json:"files"`
	}
	if err := json.Unmarshal(man, &m); err != nil || len(m.Files) == 0 {
		t.Fatalf("release.json: %v %s", err, man)
	}
	for name, want := range m.Files {
		code, b := ts.call(t, "cuc", "GET", base+name, key, nil, "")
		if code != http.StatusOK || sum(b) != want {
			t.Errorf("%s: %d, sha256 %s, the manifest gives %s", name, code, sum(b), want)
		}
	}
	if code, b := ts.call(t, "cuc", "GET", base+"nope.csv?release="+strconv.FormatInt(rl.Number, 10), key, nil, ""); code != http.StatusNotFound || !strings.Contains(string(b), "villages.csv") {
		t.Errorf("a file not in the release: %d %s", code, b)
	}
	if code, _ := ts.call(t, "laichau", "GET", base+"villages.csv", key, nil, ""); code != http.StatusForbidden {
		t.Errorf("a province user: %d, want 403", code)
	}
}
