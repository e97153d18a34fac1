package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestOutputReaderGone: a command whose output's reader has gone (lomsong
// dataset ls DS | head -3, the pipe closed) ends by SIGPIPE, exit 141,
// and says so: it was told "killed by another process … run it again",
// though nobody killed it and running it again into the same pipe ends
// the same way.
func TestOutputReaderGone(t *testing.T) {
	bin := lomsongBinary(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader is gone before the first line is written
	defer w.Close()
	cmd := exec.Command(bin, "areas")
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 141 {
		t.Fatalf("exit: %v, want 141\n%s", err, errb.String())
	}
	msg := errb.String()
	if strings.Contains(msg, "by another process") || !strings.Contains(msg, "broken pipe") || !strings.Contains(msg, "stopped reading") {
		t.Errorf("stderr: %q; want it to say the reader of its output stopped reading", msg)
	}
}
