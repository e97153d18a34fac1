package main

import (
	"os"
	"strings"
	"testing"
)

// TestServeListenMalformed: an address --listen cannot be (no port, a
// port out of range or unknown) is a usage error naming the flag and its
// value (exit 2), found before anything is written in the dataset.
func TestServeListenMalformed(t *testing.T) {
	for _, addr := range []string{"bogus", "127.0.0.1:99999", "127.0.0.1:nope", "127.0.0.1:-1"} {
		dir := t.TempDir()
		out, errs, code := runServeBriefly(t, "--dataset", dir, "--listen", addr)
		if code != exitUsage || strings.Contains(out, "listening") || !strings.Contains(errs, `--listen "`+addr+`"`) {
			t.Errorf("--listen %s: exit %d, want %d naming the flag and value\n%s%s", addr, code, exitUsage, out, errs)
		}
		if es, _ := os.ReadDir(dir); len(es) != 0 {
			t.Errorf("--listen %s: the dataset holds %v after a usage error", addr, es)
		}
	}
}
