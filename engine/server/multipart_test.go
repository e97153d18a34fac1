package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// TestMalformedMultipartRefused: a body declared multipart that cannot be
// read as multipart/form-data (no boundary, an empty one, a cut-off body,
// another multipart type) is a 400 naming it malformed; the MIME-wrapped
// bytes are never taken for the file, and nothing is queued or audited.
func TestMalformedMultipartRefused(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	wrapped := "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n" +
		string(f.measurements["viettel"]) + "\r\n--XYZ--\r\n"
	for _, c := range []struct {
		name, ctype, body, want string
	}{
		{"no boundary", "multipart/form-data", wrapped, "malformed multipart: no boundary"},
		{"empty boundary", `multipart/form-data; boundary=""`, wrapped, "malformed multipart: no boundary"},
		{"bad parameter", "multipart/form-data; boundary", wrapped, "malformed multipart: no boundary"},
		{"cut off", "multipart/form-data; boundary=XYZ", wrapped[:200], "malformed"},
		{"mixed", "multipart/mixed; boundary=XYZ", wrapped, "multipart/mixed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", strings.NewReader(c.body), c.ctype)
			if code != http.StatusBadRequest || !bytes.Contains(b, []byte(c.want)) {
				t.Fatalf("%d %s, want 400 saying %q", code, b, c.want)
			}
		})
	}
	var subs, audits int
	ts.s.db.QueryRow(`SELECT count(*) FROM submissions`).Scan(&subs)
	ts.s.db.QueryRow(`SELECT count(*) FROM audit WHERE action LIKE 'submission.%'`).Scan(&audits)
	if subs != 0 || audits != 0 {
		t.Fatalf("%d submissions, %d audit entries recorded", subs, audits)
	}
	if left := ts.spoolEntries(t); len(left) != 0 {
		t.Fatalf("left in the spool: %v", left)
	}
}

// TestMultipartPartGivenTwice: a form with two mapping parts is refused as
// one with two file parts is (400 naming the part), rather than the file
// read with the last mapping and nothing said; nothing is queued or left
// in the spool.
func TestMultipartPartGivenTwice(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, c := range []struct {
		name  string
		parts [][2]string // form name, content
		want  string
	}{
		{"two mappings", [][2]string{{"mapping", `{"timezone": "Asia/Ho_Chi_Minh"}`}, {"file", string(f.measurements["viettel"])}, {"mapping", `{"timezone": "UTC"}`}}, "more than one mapping part"},
		{"two files", [][2]string{{"file", string(f.measurements["viettel"])}, {"file", string(f.measurements["viettel"])}}, "more than one file part"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for _, p := range c.parts {
				var w io.Writer
				if p[0] == "file" {
					w, _ = mw.CreateFormFile("file", "a.csv")
				} else {
					w, _ = mw.CreateFormField(p[0])
				}
				w.Write([]byte(p[1]))
			}
			mw.Close()
			code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", &body, mw.FormDataContentType())
			if code != http.StatusBadRequest || !bytes.Contains(b, []byte(c.want)) {
				t.Fatalf("%d %s, want 400 saying %q", code, b, c.want)
			}
		})
	}
	var subs int
	ts.s.db.QueryRow(`SELECT count(*) FROM submissions`).Scan(&subs)
	if subs != 0 {
		t.Fatalf("%d submissions recorded", subs)
	}
	if left := ts.spoolEntries(t); len(left) != 0 {
		t.Fatalf("left in the spool: %v", left)
	}
}

// TestFormEncodedUploadRefused: curl -d @FILE sends the file as
// application/x-www-form-urlencoded with its line ends removed; such a body
// with no line end is refused saying so and how to send the file, rather
// than queued and refused at validation as a file "without data rows".
// curl --data-binary @FILE sends the same type with the file intact, and
// that is received, as is a one-line body that may be a file as it is
// (JSON, gzip).
func TestFormEncodedUploadRefused(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	const form = "application/x-www-form-urlencoded"
	post := func(kind string, body []byte) (int, []byte) {
		t.Helper()
		return ts.call(t, "cuc", "POST", "/api/v1/submissions?kind="+kind+"&name=a.csv", "/api/v1/submissions", bytes.NewReader(body), form)
	}
	asCurlDashD := bytes.ReplaceAll(f.measurements["viettel"], []byte("\n"), nil)
	if code, b := post("measurements", asCurlDashD); code != http.StatusBadRequest || !bytes.Contains(b, []byte("--data-binary @FILE")) || !bytes.Contains(b, []byte("curl -d @FILE removes a file's line ends")) {
		t.Fatalf("curl -d @a.csv: %d %s", code, b)
	}
	var subs int
	ts.s.db.QueryRow(`SELECT count(*) FROM submissions`).Scan(&subs)
	if subs != 0 {
		t.Fatalf("%d submissions recorded", subs)
	}
	if left := ts.spoolEntries(t); len(left) != 0 {
		t.Fatalf("left in the spool: %v", left)
	}
	if !bytes.Contains(f.measurements["viettel"], []byte("\n")) {
		t.Fatal("the fixture has no line end")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("x"))
	zw.Close()
	for _, c := range []struct {
		name, kind string
		body       []byte
	}{
		{"curl --data-binary @a.csv", "measurements", f.measurements["viettel"]},
		{"one-line GeoJSON", "villages", []byte(`{"type":"FeatureCollection","features":[]}`)},
		{"gzip without a line end", "measurements", gz.Bytes()},
	} {
		if code, b := post(c.kind, c.body); code != http.StatusAccepted {
			t.Errorf("%s: %d %s", c.name, code, b)
		}
	}
	if code, b := post("measurements", nil); code != http.StatusBadRequest || !bytes.Contains(b, []byte("is empty")) {
		t.Errorf("an empty body: %d %s", code, b)
	}
}
