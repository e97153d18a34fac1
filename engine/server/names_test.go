package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"viettel_2026-10.csv.gz": "viettel_2026-10.csv.gz",
		"../../etc/passwd":       "passwd",
		`C:\dumps\mobi fone.csv`: "mobi fone.csv",
		`..\..\x.csv`:            "x.csv",
		".hidden":                "hidden",
		". .hidden":              "hidden",
		"":                       "upload",
		".":                      "upload",
		"..":                     "upload",
		"/":                      "upload",
		"dir/":                   "dir",
		// The user's own name, in Vietnamese, as lomsong ingest keeps it;
		// a decomposed spelling (a Mac's keyboard) is composed (NFC).
		"dữ liệu đo.csv":            "dữ liệu đo.csv",
		"trạm phát sóng.csv":        "trạm phát sóng.csv",
		"tra\u0323m pha\u0301t.csv": "trạm phát.csv",
		"  spaced.csv  ":            "spaced.csv",
		// Control characters, line ends, bidirectional overrides and
		// invalid UTF-8 become "_".
		"a\x00b.csv":          "a_b.csv",
		"two\nlines.csv":      "two_lines.csv",
		"\u202egpj.exe":       "_gpj.exe",
		"bad\xff\xfeutf8.csv": "bad_utf8.csv",
		"tab\there.csv":       "tab_here.csv",
		"\x7f.csv":            "_.csv",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
	// A long name keeps its end (the extensions the format is read by),
	// within maxNameBytes and on a character boundary.
	long := strings.Repeat("ạ", 100) + ".csv.gz"
	if got := safeName(long); len(got) > maxNameBytes || !strings.HasSuffix(got, "ạạ.csv.gz") || !utf8.ValidString(got) {
		t.Errorf("safeName of a %d-byte name = %q (%d bytes)", len(long), got, len(got))
	}
}

// FuzzSafeName: whatever a client sends as a file name, the spooled name
// is one plain path element: not empty, no separator, not hidden nor "."
// or "..", valid NFC UTF-8 of graphic characters only, at most
// maxNameBytes long.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.csv", "../x", `..\..\y`, ".", "\x00", "ố", "o\u0302\u0301", "\u202e", "\xff", ". ."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeName(s)
		switch {
		case got == "" || len(got) > maxNameBytes:
			t.Fatalf("safeName(%q) = %q: empty or over %d bytes", s, got, maxNameBytes)
		case strings.ContainsAny(got, `/\`) || strings.HasPrefix(got, "."):
			t.Fatalf("safeName(%q) = %q: a separator, or hidden", s, got)
		case !utf8.ValidString(got) || !norm.NFC.IsNormalString(got):
			t.Fatalf("safeName(%q) = %q: not NFC UTF-8", s, got)
		case strings.IndexFunc(got, func(r rune) bool { return !unicode.IsGraphic(r) }) >= 0:
			t.Fatalf("safeName(%q) = %q: a character that is not graphic", s, got)
		}
	})
}

// TestNameParameterOverFilePart: a multipart upload with ?name= keeps that
// name, not the file part's own (curl -F file=@/tmp/x.csv names it x.csv);
// without ?name= the part's name is kept. ?name= was silently ignored.
func TestNameParameterOverFilePart(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, c := range []struct{ query, want string }{
		{"&name=" + url.QueryEscape("tháng 10.csv"), "tháng 10.csv"},
		{"", "x.csv"},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "x.csv")
		fw.Write(f.measurements["viettel"])
		mw.Close()
		code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements"+c.query, "/api/v1/submissions", &body, mw.FormDataContentType())
		var q struct{ ID int64 }
		if err := json.Unmarshal(b, &q); err != nil || code != http.StatusAccepted {
			t.Fatalf("upload%s: %d %s", c.query, code, b)
		}
		if s := ts.wait(t, "vt", q.ID); s.Filename != c.want {
			t.Errorf("upload%s: named %q, want %q", c.query, s.Filename, c.want)
		}
	}
}
