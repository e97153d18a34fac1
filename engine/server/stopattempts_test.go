package server

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestOrderlyStopsDoNotCountAsCrashes: a validation an orderly stop
// (Close, serve's SIGTERM) cuts short goes back to the queue as if it had
// not started: only a validation a crash cut short counts towards the
// maxAttempts after which a restart fails the submission. Two restarts
// of the service while a long dump was validated, then one crash, failed
// a good dump with "validation was interrupted 3 times": the carrier had
// to send it again, and the error blamed the file for the operator's
// restarts.
func TestOrderlyStopsDoNotCountAsCrashes(t *testing.T) {
	f := world(t)
	big := manyRows(t, f.measurements["viettel"], 40)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "measurements", "big.csv", big)
	for stop := range maxAttempts - 1 {
		waitStatus(t, ts.s, id, "validating")
		ts = ts.reopen(t) // Close: an orderly stop during the validation
		var status string
		ts.s.db.QueryRow(`SELECT status FROM submissions WHERE id = ?`, id).Scan(&status)
		if status == "accepted" {
			t.Fatalf("stop %d: the validation finished before the stop; the test needs a longer file", stop+1)
		}
	}
	// The next start claims it, as the worker does, and crashes (kill -9):
	// the submission is left validating.
	waitStatus(t, ts.s, id, "validating")
	ts.ts.Close()
	ts.s.Close()
	st, err := openState(context.Background(), ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Exec(`UPDATE submissions SET status = 'validating', attempts = attempts + 1 WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	var attempts int
	st.QueryRow(`SELECT attempts FROM submissions WHERE id = ?`, id).Scan(&attempts)
	st.Close()
	ts = ts.reopen(t)
	sub := ts.wait(t, "vt", id)
	if sub.Status != "accepted" {
		t.Fatalf("after %d orderly stops and one crash (attempts recorded: %d): %s %s %q, want accepted",
			maxAttempts-1, attempts, sub.Status, sub.ErrorCode, sub.Error)
	}
}

// manyRows is the measurements CSV csv (header and rows) with its rows
// repeated copies times, each copy's device_id made its own so that no
// row repeats another.
func manyRows(t *testing.T, csv []byte, copies int) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(csv), "\n"), "\n")
	col := -1
	for i, h := range strings.Split(lines[0], ",") {
		if h == "device_id" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no device_id column in %q", lines[0])
	}
	var b bytes.Buffer
	b.WriteString(lines[0] + "\n")
	for k := range copies {
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			f[col] = fmt.Sprintf("%s-%d", f[col], k)
			b.WriteString(strings.Join(f, ",") + "\n")
		}
	}
	return b.Bytes()
}

// waitStatus waits until submission id has the status want.
func waitStatus(t *testing.T, s *Server, id int64, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var status string
		s.db.QueryRow(`SELECT status FROM submissions WHERE id = ?`, id).Scan(&status)
		if status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("submission %d is %s, want %s", id, status, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
