// Package shareddata locates the real reference data that sits beside the
// project checkout in ../shared/data, for tests and benchmarks. Nothing in
// it is embedded or copied: a clone without ../shared still builds and its
// tests skip with a message that says what is missing.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of ../shared/data relative to the module
// root (the nearest ancestor holding go.mod), or "" when it does not exist.
// LOMSONG_SHARED_DATA overrides the location.
func Dir() string {
	if d := os.Getenv("LOMSONG_SHARED_DATA"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(d), "shared", "data")
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				return p
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path returns the path of a file in the shared data folder, or skips the
// test (or benchmark) with a clear message when the file is absent.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		tb.Skipf("skipping: ../shared/data (real reference data beside the checkout) is not present; needed for %s", name)
	}
	p := filepath.Join(d, name)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("skipping: %s not found in %s", name, d)
	}
	return p
}
