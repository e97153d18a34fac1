package shellquote

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"ds":             "ds",
		"/tmp/a-b_c/d.1": "/tmp/a-b_c/d.1",
		"bộ dữ liệu":     "'bộ dữ liệu'",
		"my ds":          "'my ds'",
		"it's":           `'it'\''s'`,
		"":               "''",
		"$HOME;rm":       "'$HOME;rm'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	// The shell reads each back as the one argument it was.
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, in := range []string{"bộ dữ liệu", "it's", "a\"b $x `y`", "tab\there"} {
		out, err := exec.Command(sh, "-c", "printf %s "+Quote(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh read %q back as %q (%v)", in, out, err)
		}
	}
}
