package server

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// A dataset directory removed, renamed or unmounted while the service runs
// is said to be gone, 503, by every authenticated route and /healthz: read
// through its path it was an empty dataset, so a certified submission read
// "retracted" (with advice to certify it again), a release was refused for
// want of measurements the dataset holds, and a certification failed 500.
// The job worker leaves a queued submission queued meanwhile, and
// validates it once the directory is back.
func TestDatasetDirectoryGone(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "measurements", "viettel-2024-10.csv", f.measurements["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("submission: %+v", s)
	}
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify: %d", code)
	}
	later := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	if s := ts.wait(t, "vt", later); s.Status != "accepted" {
		t.Fatalf("sites: %+v", s)
	}

	away := ts.dir + ".away"
	if err := os.Rename(ts.dir, away); err != nil {
		t.Fatal(err)
	}
	back := func() {
		t.Helper()
		os.RemoveAll(ts.dir)
		if err := os.Rename(away, ts.dir); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		if _, err := os.Stat(away); err == nil {
			back()
		}
	}()
	// The sites go back to the queue, as after a restart; the worker,
	// woken, must leave them there while the directory is away.
	if _, err := ts.s.db.Exec(`UPDATE submissions SET status = 'queued' WHERE id = ?`, later); err != nil {
		t.Fatal(err)
	}
	select {
	case ts.s.wake <- struct{}{}:
	default:
	}

	gone := func(what string, code int, b []byte) {
		t.Helper()
		if code != http.StatusServiceUnavailable || !bytes.Contains(b, []byte("no longer the one the service started on")) ||
			!strings.Contains(string(b), "put the directory back") {
			t.Errorf("%s: %d %s, want 503 saying the dataset directory is gone", what, code, b)
		}
	}
	check := func(where string) {
		t.Helper()
		code, b := ts.call(t, "vt", "GET", fmt.Sprintf("/api/v1/submissions/%d", id), "/api/v1/submissions/{id}", nil, "")
		gone(where+": GET submission", code, b)
		if bytes.Contains(b, []byte("retracted")) {
			t.Errorf("%s: a certified submission reads retracted: %s", where, b)
		}
		code, b = ts.call(t, "vt", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, "")
		gone(where+": GET submissions", code, b)
		code, b = ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-10"}`), "application/json")
		gone(where+": POST release", code, b)
		code, b = ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", later), "/api/v1/submissions/{id}/certify", nil, "")
		gone(where+": certify", code, b)
		code, b = ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements&name=x.csv", "/api/v1/submissions",
			bytes.NewReader(f.measurements["viettel"]), "text/csv")
		gone(where+": upload", code, b)
		code, b = ts.call(t, "", "GET", "/healthz", "/healthz", nil, "")
		if code != http.StatusServiceUnavailable || !bytes.Contains(b, []byte("dataset directory unavailable")) {
			t.Errorf("%s: healthz: %d %s", where, code, b)
		}
	}
	check("removed")
	// An empty folder in its place, as a volume unmounted under its mount
	// point leaves: nothing is written into it.
	if err := os.Mkdir(ts.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check("empty folder in its place")
	if entries, err := os.ReadDir(ts.dir); err != nil || len(entries) != 0 {
		t.Errorf("the empty folder in the dataset's place was written: %v %v", entries, err)
	}
	time.Sleep(300 * time.Millisecond) // the worker, woken above, has looked
	var status string
	if err := ts.s.db.QueryRow(`SELECT status FROM submissions WHERE id = ?`, later).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != "queued" {
		t.Errorf("a submission queued while the dataset directory was away is %s, want queued", status)
	}

	back()
	select {
	case ts.s.wake <- struct{}{}:
	default:
	}
	if s := ts.wait(t, "vt", later); s.Status != "accepted" {
		t.Fatalf("the queued submission once the directory is back: %+v", s)
	}
	if s := ts.wait(t, "vt", id); s.Status != "certified" {
		t.Fatalf("the certified submission once the directory is back: %+v", s)
	}
	code, b := ts.call(t, "", "GET", "/healthz", "/healthz", nil, "")
	if code != http.StatusOK {
		t.Fatalf("healthz once the directory is back: %d %s", code, b)
	}
}
