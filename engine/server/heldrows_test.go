package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
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

// TestValidationSaysRowsHeldAlready: a carrier's month, submitted after its
// first half was certified, is validated saying which of its rows the
// release dataset holds already — in_dataset, a note, and each row in its
// quarantine.csv (reason in_dataset, naming the file that holds it) — not
// "accepted" with nothing said until its certification is refused; and the
// certification's refusal names the same count and file and leaves the
// same rows listed. The same bytes sent again are validated saying that
// certifying them adds nothing, as their certification then finds.
func TestValidationSaysRowsHeldAlready(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	month := f.measurements["viettel"]
	lines := bytes.SplitAfter(month, []byte("\n"))
	half := bytes.Join(lines[:len(lines)/2], nil)
	heldRows := len(lines)/2 - 1 // the first half's rows, without its header

	first := ts.submit(t, "vt", "measurements", "viettel_first_half.csv", half)
	s := ts.wait(t, "vt", first)
	if s.Status != "accepted" || s.InDataset == nil || *s.InDataset != 0 || s.Note != "" {
		t.Fatalf("the first half, in an empty dataset: %+v (in_dataset %v)", s, s.InDataset)
	}
	if code := ts.certify(t, "vt", first); code != http.StatusOK {
		t.Fatalf("certify the first half: %d", code)
	}

	whole := ts.submit(t, "vt", "measurements", "viettel_month.csv", month)
	s = ts.wait(t, "vt", whole)
	if s.Status != "accepted" || s.InDataset == nil || *s.InDataset != int64(heldRows) {
		t.Fatalf("the month after its first half was certified: %+v (in_dataset %v), want %d rows in the dataset", s, s.InDataset, heldRows)
	}
	want := fmt.Sprintf("%d of its %d accepted rows are measurements the dataset holds already (%d of viettel_first_half.csv", heldRows, s.Accepted, heldRows)
	if !strings.Contains(s.Note, want) || !strings.Contains(s.Note, "quarantine.csv (reason in_dataset)") || !strings.Contains(s.Note, "lomsong dataset retract") {
		t.Fatalf("the month's note: %q, want it to say %q", s.Note, want)
	}
	heldLines := func() []string {
		t.Helper()
		code, b := ts.call(t, "vt", "GET", fmt.Sprintf("/api/v1/submissions/%d/quarantine.csv", whole), "", nil, "")
		if code != http.StatusOK {
			t.Fatalf("quarantine.csv: %d %s", code, b)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs[1:] {
			if r[4] != "in_dataset" {
				continue
			}
			if r[0] != "viettel_month.csv" || !strings.Contains(r[5], "viettel_first_half.csv") {
				t.Fatalf("a held row in quarantine.csv: %q", r)
			}
			out = append(out, r[1])
		}
		return out
	}
	listed := heldLines()
	if len(listed) != heldRows || listed[0] != "2" || listed[len(listed)-1] != strconv.Itoa(heldRows+1) {
		t.Fatalf("quarantine.csv lists %d held rows (lines %v…), want lines 2 to %d", len(listed), listed[:min(3, len(listed))], heldRows+1)
	}

	resp, b := ts.certifyCall(t, "vt", whole)
	var e apiError
	json.Unmarshal(b, &e)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(e.Error, want) || !strings.Contains(e.Error, "quarantine.csv (reason in_dataset)") {
		t.Fatalf("certify: %d %s, want 409 saying %q", resp.StatusCode, b, want)
	}
	s = ts.wait(t, "vt", whole)
	if s.Status != "refused" || s.InDataset == nil || *s.InDataset != int64(heldRows) {
		t.Fatalf("after the refused certification: %+v (in_dataset %v)", s, s.InDataset)
	}
	if again := heldLines(); !slices.Equal(again, listed) {
		t.Fatalf("after the refused certification quarantine.csv lists %d held rows, its validation %d", len(again), len(listed))
	}

	// The first half again, the same bytes: nothing to refuse, nothing
	// added, and the validation says so.
	dup := ts.submit(t, "vt", "measurements", "viettel_first_half.csv", half)
	s = ts.wait(t, "vt", dup)
	if s.Status != "accepted" || s.InDataset == nil || *s.InDataset != int64(heldRows) ||
		!strings.Contains(s.Note, "in the release dataset already, as viettel_first_half.csv") || !strings.Contains(s.Note, "certifying it adds nothing") {
		t.Fatalf("the first half sent again: %+v (in_dataset %v)", s, s.InDataset)
	}
	if code := ts.certify(t, "vt", dup); code != http.StatusOK {
		t.Fatalf("certify the first half sent again: %d", code)
	}

	// Its first quarter: every row held, in a file holding more. Nothing
	// of it is new, and neither the validation nor the refusal asks for
	// a file of its new rows.
	quarter := ts.submit(t, "vt", "measurements", "viettel_first_quarter.csv", bytes.Join(lines[:len(lines)/4], nil))
	s = ts.wait(t, "vt", quarter)
	if s.Status != "accepted" || s.InDataset == nil || *s.InDataset != s.Accepted ||
		!strings.Contains(s.Note, "it holds nothing new to certify") || strings.Contains(s.Note, "new rows alone") {
		t.Fatalf("the first quarter: %+v (in_dataset %v)", s, s.InDataset)
	}
	resp, b = ts.certifyCall(t, "vt", quarter)
	if resp.StatusCode != http.StatusConflict || !bytes.Contains(b, []byte("it holds nothing new to certify")) || bytes.Contains(b, []byte("new rows alone")) {
		t.Fatalf("certify the first quarter: %d %s", resp.StatusCode, b)
	}
}
