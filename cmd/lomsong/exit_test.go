package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the lomsong binary built for the tests that run it as a
// user does: exit codes and messages as the shell sees them.
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lomsong-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lomsongBinary builds the command once per test binary and returns its path.
func lomsongBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		p := filepath.Join(binDir, "lomsong")
		out, err := exec.Command("go", "build", "-o", p, ".").CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = p
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// runBinary runs the built command and returns its streams and exit code.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(lomsongBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestBinaryExitCodes(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent.csv")
	cases := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"help", []string{"--help"}, exitOK, "Exit codes"},
		{"command help", []string{"coverage", "--help"}, exitOK, "Example:"},
		{"missing file", []string{"validate", missing}, exitFailure, missing},
		{"missing file ingest", []string{"ingest", "--dataset", filepath.Join(t.TempDir(), "ds"), missing}, exitFailure, missing},
		{"unknown flag", []string{"validate", "--nope", "x.csv"}, exitUsage, "flag provided but not defined: -nope"},
		{"unknown subcommand", []string{"frobnicate"}, exitUsage, `unknown subcommand "frobnicate"`},
		{"no subcommand", nil, exitUsage, "no subcommand"},
		{"too many rejected rows", []string{"validate", "--max-reject-share", "0", filepath.Join(examples, "measurements_viettel.csv")},
			exitDataRefused, "max-reject-share"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runBinary(t, c.args...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, c.code, out, errs, c.want)
			}
			if code != exitInterrupted && strings.Contains(errs, "lomsong: interrupted") {
				t.Fatalf("a run without a signal reported an interruption:\n%s", errs)
			}
		})
	}
}

// TestBinaryInterrupted sends SIGINT to a long-running demo: the command
// stops and exits 130.
func TestBinaryInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs part of the demo")
	}
	cmd := exec.Command(lomsongBinary(t), "demo", "--out", filepath.Join(t.TempDir(), "demo"))
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the demo has begun its work, then interrupt it.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "== generate") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("demo did not start:\n%s\n%s", out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(120 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("demo did not stop after SIGINT:\n%s", out.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\nstdout: %s\nstderr: %s", err, exitInterrupted, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "lomsong: interrupted") {
		t.Fatalf("stderr does not say the run was interrupted:\n%s", errb.String())
	}
	if strings.Contains(out.String(), "demo finished") {
		t.Fatalf("the demo ran to the end despite the signal:\n%s", out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPanicIsInternalError checks that a panic in a subcommand, whatever
// its value, is an internal error with exit code 1 and its stack on stderr.
func TestPanicIsInternalError(t *testing.T) {
	for _, v := range []any{"index out of range", usageError{"looks like usage"}, errors.New("boom")} {
		c := command{run: func(context.Context, []string, *env) error { panic(v) }}
		err := runCommand(context.Background(), "frob", c, nil, &env{})
		var errb bytes.Buffer
		code := exitCode(context.Background(), err, &errb)
		if code != exitFailure || !strings.Contains(errb.String(), "internal error in frob") ||
			!strings.Contains(errb.String(), "goroutine ") || !strings.Contains(errb.String(), "exit_test.go") {
			t.Fatalf("panic(%v): exit %d\n%s", v, code, errb.String())
		}
	}
}

// TestCanceledWithoutSignal: a context error that no signal caused is a
// failure, not an interruption.
func TestCanceledWithoutSignal(t *testing.T) {
	var errb bytes.Buffer
	if code := exitCode(context.Background(), fmt.Errorf("scan: %w", context.Canceled), &errb); code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := exitCode(ctx, fmt.Errorf("scan: %w", context.Canceled), &errb); code != exitInterrupted {
		t.Fatalf("exit %d, want %d", code, exitInterrupted)
	}
}
