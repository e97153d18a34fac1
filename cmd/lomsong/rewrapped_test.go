package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file whose bytes differ from one ingested (CRLF line endings) but
// whose content is the same is said to be that content in another
// wrapping, with both checksums: it was "already ingested … (sha256 of
// the first)", a checksum the file itself does not have.
func TestIngestRewrappedSaid(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(examples, "measurements_viettel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lf, crlf := filepath.Join(dir, "m.csv"), filepath.Join(dir, "m_crlf.csv")
	os.WriteFile(lf, b, 0o644)
	os.WriteFile(crlf, []byte(strings.ReplaceAll(string(b), "\n", "\r\n")), 0o644)
	ds := filepath.Join(dir, "ds")
	if _, errs, code := runCmd(t, "ingest", "--dataset", ds, lf); code != exitOK {
		t.Fatal(code, errs)
	}
	out, errs, code := runCmd(t, "ingest", "--dataset", ds, crlf)
	if code != exitOK || !strings.Contains(out, "m_crlf.csv: its content is that of m.csv") || !strings.Contains(out, "in another wrapping") {
		t.Fatalf("%d\n%s\n%s", code, out, errs)
	}
	out, _, code = runCmd(t, "ingest", "--dataset", ds, lf)
	if code != exitOK || !strings.Contains(out, "m.csv: already ingested") {
		t.Fatalf("the same file again: %d\n%s", code, out)
	}
}
