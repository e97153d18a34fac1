package server

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestBinaryFormBodyReachesValidation: curl --data-binary @dump.xlsx sends
// the workbook as application/x-www-form-urlencoded, and a workbook's
// compressed bytes may hold no line end; it was refused as a CSV whose
// line ends curl -d removed ("send the file with --data-binary", which is
// how it was sent). A body whose first bytes hold a control character no
// text file has is queued, and its validation says what the file is and
// what to do.
func TestBinaryFormBodyReachesValidation(t *testing.T) {
	ts := newService(t, nil)
	var xlsx bytes.Buffer
	zw := zip.NewWriter(&xlsx)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte(`<row><c t="s"><v>1</v></c></row>`), 2000))
	zw.Close()
	if bytes.ContainsAny(xlsx.Bytes(), "\r\n") {
		t.Fatal("the workbook has a line end: the test needs one without")
	}
	code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements&name=dump.xlsx", "/api/v1/submissions", bytes.NewReader(xlsx.Bytes()), "application/x-www-form-urlencoded")
	if code != http.StatusAccepted {
		t.Fatalf("curl --data-binary @dump.xlsx: %d %s", code, b)
	}
	s := ts.wait(t, "vt", 1)
	if s.Status != "refused" || s.ErrorCode != "unreadable" || !strings.Contains(s.Error, "an Excel workbook (.xlsx): save the sheet as CSV") {
		t.Fatalf("dump.xlsx: %+v", s)
	}
}
