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

// TestOutputNotWritten: a command whose stdout cannot be written (a full
// disk; /dev/full here) fails with exit 1 and says so: validate's report
// and its suggested mapping, redirected to a file, were left empty or cut
// with exit 0, found only when --mapping failed to read the file.
func TestOutputNotWritten(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	bin := lomsongBinary(t)
	for _, args := range [][]string{
		{"validate", "--suggest-mapping", "../../geodata/examples/measurements_viettel.csv"},
		{"validate", "--json", "../../geodata/examples/measurements_viettel.csv"},
		{"areas"},
	} {
		cmd := exec.Command(bin, args...)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
			t.Errorf("%v into /dev/full: %v, want exit %d\n%s", args, err, exitFailure, errb.String())
			continue
		}
		if !strings.Contains(errb.String(), "no space left") {
			t.Errorf("%v into /dev/full: stderr %q does not say the output was not written", args, errb.String())
		}
	}
	// The same commands into a file that takes them: exit 0.
	cmd := exec.Command(bin, "validate", "--json", "../../geodata/examples/measurements_viettel.csv")
	if out, err := cmd.Output(); err != nil || len(out) == 0 {
		t.Errorf("validate --json: %v, %d bytes", err, len(out))
	}
}
