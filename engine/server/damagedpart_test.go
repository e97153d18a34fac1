package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A part of the release dataset damaged in place (its bytes no longer its
// checksum) or removed under the running service is the dataset's fault,
// not the carrier's file's nor a failure of the service's own: a late
// dump's certification, which reads the month's parts for the rows it
// may hold already, is answered 503 naming the part and the operator's
// check (lomsong dataset verify), nothing certified, the submission still
// accepted, rather than 500 "internal error" with the cause in the log
// alone; and its validation's note, which says the check could not be
// made, does not show the service's spool path to the carrier. Once the
// part is put back, the same submission is certified.
func TestCertifyWithDamagedPart(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	lines := bytes.SplitAfter(f.measurements["viettel"], []byte("\n"))
	if len(lines) < 20 {
		t.Fatalf("the fixture's viettel measurements have %d lines", len(lines))
	}
	third := len(lines) / 3
	first := bytes.Join(lines[:third], nil)
	// Two late dumps of the month, one per case, neither holding the
	// other's rows or the first's.
	lateOf := func(from, to int) []byte {
		return append(append([]byte{}, lines[0]...), bytes.Join(lines[from:to], nil)...)
	}

	id := ts.submit(t, "vt", "measurements", "viettel_first.csv", first)
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("first: %+v", s)
	}
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify the first: %d", code)
	}
	part, rel, good := ts.viettelPart(t)

	for _, c := range []struct {
		name   string
		late   []byte
		damage func()
	}{
		{"altered in place", lateOf(third, 2*third), func() {
			alterInPlace(t, part, good)
		}},
		{"removed", lateOf(2*third, len(lines)), func() {
			if err := os.Remove(part); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.damage()
			defer func() {
				if err := os.WriteFile(part, good, 0o644); err != nil {
					t.Fatal(err)
				}
			}()
			lateID := ts.submit(t, "vt", "measurements", "viettel_late.csv", c.late)
			s := ts.wait(t, "vt", lateID)
			if s.Status != "accepted" || s.InDataset != nil || !strings.Contains(s.Note, "could not be checked") {
				t.Fatalf("the late dump's validation: %+v", s)
			}
			if strings.Contains(s.Note, ts.dir) || strings.Contains(s.Note, "spool") {
				t.Errorf("the note shows the service's folders to the carrier: %s", s.Note)
			}
			resp, b := ts.certifyCall(t, "vt", lateID)
			var e apiError
			json.Unmarshal(b, &e)
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(e.Error, rel) ||
				!strings.Contains(e.Error, "lomsong dataset verify") || !strings.Contains(e.Error, "nothing was certified") {
				t.Fatalf("certify over a damaged part: %d %s, want 503 naming %s and lomsong dataset verify", resp.StatusCode, b, rel)
			}
			if strings.Contains(e.Error, "spool") {
				t.Errorf("the refusal shows the service's spool to the carrier: %s", e.Error)
			}
			if s := ts.wait(t, "vt", lateID); s.Status != "accepted" {
				t.Fatalf("after the refused certification: %+v, want still accepted", s)
			}
			// Put back, the same submission is certified.
			if err := os.WriteFile(part, good, 0o644); err != nil {
				t.Fatal(err)
			}
			if code := ts.certify(t, "vt", lateID); code != http.StatusOK {
				t.Fatalf("certify once the part is back: %d", code)
			}
		})
	}
}

// viettelPart returns the release dataset's one part of Viettel's
// measurements, its path in the dataset and its bytes.
func (ts *testService) viettelPart(t *testing.T) (part, rel string, good []byte) {
	t.Helper()
	parts, err := filepath.Glob(filepath.Join(ts.dir, "measurements", "period=*", "carrier=viettel", "part-*.parquet"))
	if err != nil || len(parts) != 1 {
		t.Fatalf("viettel's parts: %v %v", parts, err)
	}
	part = parts[0]
	rel, _ = filepath.Rel(ts.dir, part)
	if good, err = os.ReadFile(part); err != nil {
		t.Fatal(err)
	}
	return part, rel, good
}

// alterInPlace writes good to part with 256 bytes a third of the way in
// flipped: its size kept, its checksum no longer the manifest's.
func alterInPlace(t *testing.T, part string, good []byte) {
	t.Helper()
	b := append([]byte{}, good...)
	for i := len(b) / 3; i < len(b)/3+256 && i < len(b); i++ {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(part, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
