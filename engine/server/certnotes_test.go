package server

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
)

// TestNotesFollowTheCertificationThatPutTheRowsBack: of three
// submissions of the same bytes, 1 and 3 certified (3 added nothing), the
// file retracted on the command line, then 2 certified (it puts the rows
// back): the notes follow the certification whose rows the dataset holds,
// 2's. 2 reads certified without a note, 1 says its rows were retracted
// and put back by 2, and 3 names 2 (and 1, whose rows it found).
func TestNotesFollowTheCertificationThatPutTheRowsBack(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	data := f.measurements["viettel"]
	var ids [3]int64
	for i := range ids {
		ids[i] = ts.submit(t, "vt", "measurements", fmt.Sprintf("a%d.csv", i+1), data)
		ts.wait(t, "vt", ids[i])
	}
	for _, id := range []int64{ids[0], ids[2]} {
		if code := ts.certify(t, "vt", id); code != 200 {
			t.Fatalf("certify %d: %d", id, code)
		}
	}
	sum := sha256.Sum256(data)
	if _, err := dataset.Retract(ts.dir, fmt.Sprintf("%x", sum[:8]), "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{ids[0], ids[2]} {
		if s := ts.wait(t, "vt", id); s.Status != "retracted" {
			t.Fatalf("after the retraction, submission %d: %+v", id, s)
		}
	}
	if code := ts.certify(t, "vt", ids[1]); code != 200 {
		t.Fatalf("certify %d: %d", ids[1], code)
	}
	want := map[int64]string{
		ids[0]: fmt.Sprintf("its rows were taken out of the release dataset (lomsong dataset retract) after it was certified, and submission %d's certification put the same bytes back: the rows the dataset holds are submission %d's", ids[1], ids[1]),
		ids[1]: "",
		ids[2]: fmt.Sprintf("the same bytes as submission %d, whose certification put them back in the release dataset after they were taken out (lomsong dataset retract): certifying it added nothing (they were in the dataset then as submission %d's)", ids[1], ids[0]),
	}
	for _, id := range ids {
		if s := ts.wait(t, "vt", id); s.Status != "certified" || s.Note != want[id] {
			t.Errorf("submission %d: %s, note %q\nwant %q", id, s.Status, s.Note, want[id])
		}
	}
}

// TestRefusalAuditSaysWhy: a submission refused at validation has an
// audit entry that gives the refusal's reason besides its counts.
func TestRefusalAuditSaysWhy(t *testing.T) {
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "measurements", "empty.csv", []byte("ts,carrier,tech,lon,lat,signal_dbm\n"))
	if s := ts.wait(t, "vt", id); s.Status != "refused" {
		t.Fatalf("%+v", s)
	}
	var detail string
	ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'submission.refused' AND target = ?`, fmt.Sprint(id)).Scan(&detail)
	if want := "rows_read=0 accepted=0 rejected=0: no_data_rows: the file empty.csv has no data rows"; detail != want {
		t.Fatalf("audit detail %q, want %q", detail, want)
	}
}

// TestRetractedRefusedOnCertification: a certified submission whose rows
// were retracted, certified again when another submission holds some of
// its rows now, is refused as any submission is (409): it reads refused,
// error_code certification_refused, with the rows found counted. It kept
// reading "retracted", no error, a note saying to certify it again.
func TestRetractedRefusedOnCertification(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	lines := bytes.SplitAfter(f.measurements["viettel"], []byte("\n"))
	header, rows := lines[0], lines[1:]
	if len(rows) < 10 {
		t.Fatalf("%d rows: too few to overlap", len(rows))
	}
	a := slices.Concat(append([][]byte{header}, rows[:len(rows)*6/10]...)...)
	b := slices.Concat(append([][]byte{header}, rows[len(rows)*4/10:]...)...)
	idA := ts.submit(t, "vt", "measurements", "a.csv", a)
	idB := ts.submit(t, "vt", "measurements", "b.csv", b)
	ts.wait(t, "vt", idA)
	ts.wait(t, "vt", idB)
	if code := ts.certify(t, "vt", idA); code != 200 {
		t.Fatalf("certify a: %d", code)
	}
	if code := ts.certify(t, "vt", idB); code != 409 {
		t.Fatalf("certify b over a: %d, want 409", code)
	}
	sum := sha256.Sum256(a)
	if _, err := dataset.Retract(ts.dir, fmt.Sprintf("%x", sum[:8]), "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	if code := ts.certify(t, "vt", idB); code != 200 {
		t.Fatalf("certify b after a's retraction: %d", code)
	}
	if code := ts.certify(t, "vt", idA); code != 409 {
		t.Fatalf("certify a over b: %d, want 409", code)
	}
	s := ts.wait(t, "vt", idA)
	if s.Status != "refused" || s.ErrorCode != "certification_refused" || !strings.Contains(s.Error, "holds already") || s.InDataset == nil || *s.InDataset == 0 || s.Note != "" {
		t.Errorf("submission a after its refused certification: %+v", s)
	}
}
