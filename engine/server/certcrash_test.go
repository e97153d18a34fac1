package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestCertificationWrittenButNotRecorded: a service that stops after a
// certification has written the release dataset and before it recorded
// so (kill -9, a power cut between the two commits) finds at its next
// start the submission's rows in the dataset: it records the
// certification then, in the name of the user who asked for it, with its
// audit entry, rather than leave the submission "accepted" while every
// release reads its rows (and lists it nowhere), and a later
// certification of it say that it added nothing.
func TestCertificationWrittenButNotRecorded(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	if sub := ts.wait(t, "vt", id); sub.Status != "accepted" {
		t.Fatalf("validation: %+v", sub)
	}
	// The certification's record is refused, as a stop right after the
	// dataset's commit leaves it: the dataset written, nothing recorded.
	if _, err := ts.s.db.Exec(`CREATE TRIGGER cut BEFORE UPDATE OF certified_at ON submissions
		BEGIN SELECT RAISE(ABORT, 'the service stopped'); END`); err != nil {
		t.Fatal(err)
	}
	// (No openapi.json check: a 500 is not part of the contract.)
	if code, _ := ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "", nil, ""); code != 500 {
		t.Fatalf("certify with its record cut: %d, want 500", code)
	}
	if _, err := ts.s.db.Exec(`DROP TRIGGER cut`); err != nil {
		t.Fatal(err)
	}
	// Another one's certification is cut before the dataset's commit:
	// the dataset does not hold it, and it stays accepted.
	other := ts.submit(t, "vt", "measurements", "m.csv", f.measurements["viettel"])
	if sub := ts.wait(t, "vt", other); sub.Status != "accepted" {
		t.Fatalf("validation: %+v", sub)
	}
	if _, err := ts.s.db.Exec(`UPDATE submissions SET certifying_by = 'vt' WHERE id = ?`, other); err != nil {
		t.Fatal(err)
	}
	ts = ts.reopen(t)
	if sub := ts.wait(t, "vt", other); sub.Status != "accepted" {
		t.Fatalf("a certification cut before the dataset's commit: after the restart %s, want accepted", sub.Status)
	}
	sub := ts.wait(t, "vt", id)
	if sub.Status != "certified" || sub.CertifiedBy != "vt" || sub.Note != "" {
		t.Fatalf("after the restart: status %s, certified by %q, note %q; want certified by vt, no note", sub.Status, sub.CertifiedBy, sub.Note)
	}
	var who, detail string
	if err := ts.s.db.QueryRow(`SELECT user, detail FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(id)).Scan(&who, &detail); err != nil {
		t.Fatalf("no submission.certify audit entry: %v", err)
	}
	if who != "vt" || !strings.Contains(detail, "accepted=") || strings.Contains(detail, "already") {
		t.Errorf("audit entry: %s %q", who, detail)
	}
	// Certifying it again answers as for a certified submission.
	if code := ts.certify(t, "vt", id); code != 200 {
		t.Fatalf("certify again: %d", code)
	}
	if sub := ts.wait(t, "vt", id); sub.Note != "" {
		t.Errorf("note after certifying again: %q", sub.Note)
	}
}
