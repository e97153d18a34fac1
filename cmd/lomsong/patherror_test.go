package main

import (
	"errors"
	"testing"
)

// A file's error names the file by the path the user gave, once, however
// the error named it: not at all, by its base name or by the path.
func TestFileErrorsNameThePathOnce(t *testing.T) {
	const path = "dumps/may/viettel.csv"
	for _, tc := range []struct{ err, with, named string }{
		{"row 3: bad", "dumps/may/viettel.csv: row 3: bad", "dumps/may/viettel.csv: NOT ADDED: row 3: bad"},
		{"viettel.csv: row 3: bad", "dumps/may/viettel.csv: row 3: bad", "dumps/may/viettel.csv: NOT ADDED: row 3: bad"},
		{"dumps/may/viettel.csv: row 3: bad", "dumps/may/viettel.csv: row 3: bad", "dumps/may/viettel.csv: NOT ADDED: row 3: bad"},
	} {
		err := errors.New(tc.err)
		w := withPath(path, err)
		if w.Error() != tc.with {
			t.Errorf("withPath(%q) = %q, want %q", tc.err, w, tc.with)
		}
		if !errors.Is(w, err) {
			t.Errorf("withPath(%q) does not wrap the error", tc.err)
		}
		if got := namedError(path, "NOT ADDED", err); got != tc.named {
			t.Errorf("namedError(%q) = %q, want %q", tc.err, got, tc.named)
		}
	}
}
