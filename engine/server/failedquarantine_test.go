package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A submission failed before its validation finished (here one whose
// validation a crash cut short three times) has no known quarantine: its
// quarantine.csv is 409 saying so, not a header alone, which read as a
// file with no row rejected.
func TestFailedSubmissionHasNoQuarantine(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "measurements", "vt.csv", f.measurements["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("submission: %+v", s)
	}
	// Left validating by a third crash, as the start-up finds it.
	ts.ts.Close()
	ts.s.Close()
	st, err := openState(context.Background(), ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Exec(`UPDATE submissions SET status = 'validating', attempts = ?, quarantine = '' WHERE id = ?`, maxAttempts, id); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ts = ts.reopen(t)
	if s := ts.wait(t, "vt", id); s.Status != "failed" {
		t.Fatalf("after three crashes: %+v", s)
	}
	code, b := ts.call(t, "vt", "GET", fmt.Sprintf("/api/v1/submissions/%d/quarantine.csv", id), "/api/v1/submissions/{id}/quarantine.csv", nil, "")
	if code != http.StatusConflict || !strings.Contains(string(b), "validation did not finish") || !strings.Contains(string(b), "interrupted 3 times") {
		t.Fatalf("quarantine.csv of a failed submission: %d %s, want 409 saying its validation did not finish, and why", code, b)
	}
}
