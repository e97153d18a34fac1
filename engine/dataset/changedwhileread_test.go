package dataset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileChangedWhileReadRefused: a file that grows while it is ingested
// (a dump still being copied) is refused, nothing added; it was added with
// the rows read up to then, the last one cut in two in the quarantine,
// under a checksum of other contents, so that the complete file, ingested
// next, added those rows a second time.
func TestFileChangedWhileReadRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 500 {
		fmt.Fprintf(&b, "2026-10-01T08:00:00Z,viettel,4G,105.%04d,21.03,-98\n", 1000+i)
	}
	in := writeFile(t, t.TempDir(), "m.csv", b.String())
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	o := opts()
	o.Config.BatchSize = 100
	o.Config.Progress = func(int64) {
		f, err := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "2026-10-01T09:00:00Z,viettel,4G,105.85,21.03,-9")
		f.Close()
	}
	_, err = s.IngestFile(context.Background(), in, o)
	var ce *ChangedWhileReadError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "m.csv: the file changed while it was read") || ce.After <= ce.Before {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Manifest().Sources); n != 0 {
		t.Fatalf("%d sources added", n)
	}
	// Complete, it is taken.
	o.Config.Progress = nil
	if _, err := s.IngestFile(context.Background(), in, o); err != nil {
		t.Fatal(err)
	}
}
