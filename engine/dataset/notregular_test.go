//go:build unix

package dataset

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
)

// TestIngestNamedPipeRefused: a named pipe given to ingest is refused at
// once, saying what it is; ingest read it for its header, then opened it
// again for its checksum and waited for a writer for ever (SIGTERM did
// not end it either).
func TestIngestNamedPipeRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "m.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	s, err := Open(filepath.Join(t.TempDir(), "ds"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.IngestFile(context.Background(), fifo, opts())
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, engine.ErrUnsupportedFormat) || !strings.Contains(err.Error(), fifo+": not a regular file (a named pipe)") {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ingest of a named pipe still waiting after 5 s")
	}
}
