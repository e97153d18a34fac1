package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
)

// TestBinaryRunWaitsForTheMonthsRun: a second lomsong run of a month
// waits for the one under way, saying so and naming it, then reads back
// what it saved: two runs started together each computed every stage.
func TestBinaryRunWaitsForTheMonthsRun(t *testing.T) {
	t.Parallel()
	ds := villagesDataset(t, t.TempDir(), "V1,Bản A,,103.30,22.45,40\nV4,Bản D,,102.85,22.40,80\n")
	s, err := dataset.Open(ds)
	if err != nil {
		t.Fatal(err)
	}
	period := s.Periods()[0]
	// The first run: this test holding the month's lock.
	release, err := s.LockMonth(context.Background(), period, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lomsongBinary(t), "run", "--dataset", ds, "--period", period)
	var out bytes.Buffer
	var errb syncBuffer // read while the run writes it
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(errb.String(), "waiting for another run of "+period) {
		select {
		case err := <-done:
			release()
			t.Fatalf("the run did not wait (exit %v):\n%s", err, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			release()
			t.Fatalf("no word of waiting in 60 s:\n%s", errb.String())
		}
	}
	if !strings.Contains(errb.String(), "held by PID") {
		t.Errorf("the holder is not named:\n%s", errb.String())
	}
	select {
	case err := <-done:
		t.Fatalf("the run finished while the month was held (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("after the release: %v\n%s", err, errb.String())
	}
	// A run after it reads everything back.
	stdout, errs, code := runBinary(t, "run", "--dataset", ds, "--period", period)
	if code != exitOK || strings.Contains(errs, "waiting") || !strings.Contains(stdout, "read back") {
		t.Errorf("the run after: exit %d\n%s%s", code, stdout, errs)
	}
}
