package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// A certification whose rows reached the release dataset but whose
// outcome the service could not record (its state database refused the
// write: a full disk) left the submission "accepted" while a release
// read its rows and listed no submission, and certifying it again said
// it added nothing. Such a certification (certifying_by still set, the
// dataset holding its bytes as it wrote them) is now recorded before the
// next certification or release.
func TestUnrecordedCertificationRecordedBeforeRelease(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	var id int64
	if err := ts.s.db.QueryRow(`SELECT id FROM submissions WHERE filename = 'vt.csv'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// As the failed record left it: the rows in the dataset, the
	// submission accepted, its certifier marked.
	if _, err := ts.s.db.Exec(`UPDATE submissions SET status = 'accepted', certified_at = NULL, certified_by = '', certifying_by = 'vt' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	rl := ts.release(t, "2024-10")
	if rl.Status != "published" || !slices.Contains(rl.Submissions, id) {
		t.Errorf("release over an unrecorded certification: %s, submissions %v, want it published listing %d", rl.Status, rl.Submissions, id)
	}
	sub := ts.wait(t, "vt", id)
	if sub.Status != "certified" || sub.CertifiedBy != "vt" {
		t.Errorf("after the release: %s by %q, want certified by vt", sub.Status, sub.CertifiedBy)
	}
	var by string
	var added bool
	if err := ts.s.db.QueryRow(`SELECT certifying_by, certify_added FROM submissions WHERE id = ?`, id).Scan(&by, &added); err != nil || by != "" || !added {
		t.Errorf("certifying_by %q, certify_added %v (%v): want cleared, and the rows counted as this certification's", by, added, err)
	}
	var detail string
	if err := ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'submission.certify' ORDER BY rowid DESC LIMIT 1`).Scan(&detail); err != nil ||
		!strings.Contains(detail, "could not record this certification when it wrote the release dataset") {
		t.Errorf("audit entry %q (%v)", detail, err)
	}

	// The same through a second asking: recorded, and answered as the
	// certification it is (it said that certifying added nothing).
	if _, err := ts.s.db.Exec(`UPDATE submissions SET status = 'accepted', certified_at = NULL, certified_by = '', certifying_by = 'vt' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	code, b := ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
	var got Submission
	json.Unmarshal(b, &got)
	if code != http.StatusOK || got.Status != "certified" || strings.Contains(string(b), "added nothing") {
		t.Errorf("certified again after an unrecorded certification: %d %s", code, b)
	}
}
