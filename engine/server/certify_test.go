package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/internal/flock"
)

// certifyCall certifies submission id as user and returns the response.
func (ts *testService) certifyCall(t *testing.T, user string, id int64) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/submissions/%d/certify", ts.ts.URL, id), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, "POST", "/api/v1/submissions/{id}/certify", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	return resp, body
}

// A certification while an operator's lomsong ingest holds the release
// dataset is a conflict to retry (409 with Retry-After), not the
// service's failure (500): the submission stays accepted and is
// certified once the ingest is done.
func TestCertifyWhileDatasetLocked(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("validation: %+v", s)
	}
	lock, err := flock.TryLock(filepath.Join(ts.dir, ".lock")) // as lomsong ingest holds it
	if err != nil {
		t.Fatal(err)
	}
	resp, b := ts.certifyCall(t, "vt", id)
	flock.Unlock(lock)
	var e apiError
	json.Unmarshal(b, &e)
	if resp.StatusCode != http.StatusConflict || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(e.Error, "being written by another ingest") || !strings.Contains(e.Error, "try again") {
		t.Fatalf("certify while the dataset is locked: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	if s := ts.wait(t, "vt", id); s.Status != "accepted" || s.Error != "" {
		t.Fatalf("after the refused certification: %+v", s)
	}
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify once the ingest is done: %d", code)
	}
}
