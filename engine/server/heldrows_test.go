package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A carrier's dump of the month, submitted after its first half was
// certified, holds the first half's tests: certified, each would count
// twice. Its certification is refused (409) saying how many of its rows
// the dataset holds and in which file, and the submission reads refused.
func TestCertifyRefusesMeasurementsHeldAlready(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	month := f.measurements["viettel"]
	lines := bytes.SplitAfter(month, []byte("\n"))
	if len(lines) < 20 {
		t.Fatalf("the fixture's viettel measurements have %d lines", len(lines))
	}
	half := bytes.Join(lines[:len(lines)/2], nil)

	first := ts.submit(t, "vt", "measurements", "viettel_first_half.csv", half)
	if s := ts.wait(t, "vt", first); s.Status != "accepted" {
		t.Fatalf("first half: %+v", s)
	}
	if code := ts.certify(t, "vt", first); code != http.StatusOK {
		t.Fatalf("certify the first half: %d", code)
	}
	whole := ts.submit(t, "vt", "measurements", "viettel_month.csv", month)
	if s := ts.wait(t, "vt", whole); s.Status != "accepted" {
		t.Fatalf("the month: %+v", s)
	}
	resp, b := ts.certifyCall(t, "vt", whole)
	var e apiError
	json.Unmarshal(b, &e)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(e.Error, "are measurements the dataset holds already") ||
		!strings.Contains(e.Error, "of viettel_first_half.csv") || !strings.Contains(e.Error, "lomsong dataset retract") {
		t.Fatalf("certify a month holding the certified first half: %d %s", resp.StatusCode, b)
	}
	if s := ts.wait(t, "vt", whole); s.Status != "refused" || !strings.Contains(s.Error, "holds already") {
		t.Fatalf("after the refused certification: %+v", s)
	}
}
