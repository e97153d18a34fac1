package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryInterruptWhileStuck: validate given a named pipe nothing
// writes to waited in open(2) for a writer, and SIGINT, SIGTERM and a
// second SIGINT all left it waiting: only SIGKILL ended it. A second
// signal now ends it at once, exit 130, saying why.
func TestBinaryInterruptWhileStuck(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "measurements.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	cmd := exec.Command(lomsongBinary(t), "validate", fifo)
	var out bytes.Buffer
	var errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(time.Second) // the child started and waiting in open
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(2500 * time.Millisecond) // past the drain of the first signal's copies
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(errb.String(), "interrupted: stopped at once (a second signal") {
			t.Errorf("exit %v, want %d\n%s", err, exitInterrupted, errb.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still waiting 13 s after the second signal:\n%s", errb.String())
	}
}
