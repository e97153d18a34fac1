package server

import (
	"regexp"
	"testing"
)

var safeNameRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$`)

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"viettel_2026-10.csv.gz": "viettel_2026-10.csv.gz",
		"../../etc/passwd":       "passwd",
		`C:\dumps\mobi fone.csv`: "mobi_fone.csv",
		".hidden":                "hidden",
		"":                       "upload",
		"..":                     "upload",
		"dữ liệu đo.csv":         "d__li_u__o.csv",
		"/":                      "upload",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeName: whatever a client sends as a file name, the spooled name
// is one plain path element of at most 100 safe characters.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.csv", "../x", `..\..\y`, ".", "\x00", "ố"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := safeName(s); !safeNameRE.MatchString(got) {
			t.Fatalf("safeName(%q) = %q", s, got)
		}
	})
}
