package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestShutdownCutsUploadsPastTheGrace: a stop whose grace runs out with
// an upload still arriving is still the stop asked for: Serve cuts the
// connection, logs the request it cut, removes the partial upload from
// the spool and returns nil (serve exits 0, as an idle stop does).
func TestShutdownCutsUploadsPastTheGrace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, tok, err := AddUser(ctx, dir, NewUser{Name: "vt", Role: RoleCarrier, Carrier: "Viettel"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	s, err := New(ctx, Options{Dataset: dir, Listen: "127.0.0.1:0", ShutdownGrace: 300 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), RatePerSecond: 1e6, Burst: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(sctx, func(a string) { addr <- a }) }()
	conn, err := net.Dial("tcp", <-addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/submissions?kind=measurements&name=slow.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 1000000\r\n\r\n", tok)
	conn.Write(bytes.Repeat([]byte("ts,carrier\n"), 1000))
	spool := filepath.Join(dir, StateDir, "spool")
	deadline := time.Now().Add(10 * time.Second)
	for {
		es, _ := os.ReadDir(spool)
		if len(es) == 1 && strings.HasPrefix(es[0].Name(), ".upload-") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the upload never reached the spool: %v", es)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after a stop past the grace: %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return after its grace")
	}
	if es, _ := os.ReadDir(spool); len(es) != 0 {
		t.Errorf("left in the spool: %v", es)
	}
	l := logs.String()
	if !strings.Contains(l, "cut") || !strings.Contains(l, "/api/v1/submissions") {
		t.Errorf("the cut request is not logged:\n%s", l)
	}
	// The cut upload is an upload cut off, not the service's error, and
	// no certification was running to be stopped.
	for _, bad := range []string{"internal error", "certification still running", `"status":400`} {
		if strings.Contains(l, bad) {
			t.Errorf("logged %q:\n%s", bad, l)
		}
	}
	// Said as the stop's doing, not the body's (400) nor its client's.
	if !strings.Contains(l, "upload cut by the service's stop") || !strings.Contains(l, `"status":503`) {
		t.Errorf("the cut upload is not logged as cut by the stop, with status 503:\n%s", l)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM submissions`).Scan(&n)
	if n != 0 {
		t.Errorf("%d submissions recorded", n)
	}
}

// TestShutdownPastTheGraceStopsCertifications: when the grace runs out,
// a certification still running (its client still waiting) is stopped as
// the documentation says, warned about, nothing of it written, its
// submission still accepted, and Serve returns nil.
func TestShutdownPastTheGraceStopsCertifications(t *testing.T) {
	dir, logs := certifyPastTheGrace(t)
	l := logs.String()
	for _, want := range []string{"request cut", "/api/v1/submissions/1/certify", "certification still running at the end of the grace is stopped"} {
		if !strings.Contains(l, want) {
			t.Errorf("not logged: %q\n%s", want, l)
		}
	}
	if got := storedStatus(t, dir, 1); got != "accepted" {
		t.Errorf("submission 1 is %s after its certification was stopped, want accepted", got)
	}
}

// certifyPastTheGrace runs a service whose certification of a carrier's
// sites waits behind a release run's read of the dataset when the stop's
// 300 ms grace runs out; the read ends after Serve has returned, and the
// service is closed (its certification waited for). It returns the
// dataset folder and the service's JSON log.
func certifyPastTheGrace(t *testing.T) (string, *logBuffer) {
	t.Helper()
	f := world(t)
	ctx := context.Background()
	dir := t.TempDir()
	_, tok, err := AddUser(ctx, dir, NewUser{Name: "vt", Role: RoleCarrier, Carrier: "Viettel"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	s, err := New(ctx, Options{Dataset: dir, Listen: "127.0.0.1:0", ShutdownGrace: 300 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), RatePerSecond: 1e6, Burst: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(sctx, func(a string) { addr <- a }) }()
	base := "http://" + <-addr
	do := func(method, path string, body []byte) (*http.Response, error) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		return http.DefaultClient.Do(req)
	}
	resp, err := do("POST", "/api/v1/submissions?kind=sites&name=sites.csv", f.sites["viettel"])
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("submit: %v %v", resp, err)
	}
	resp.Body.Close()
	status := func() string {
		var st string
		s.db.QueryRow(`SELECT status FROM submissions WHERE id = 1`).Scan(&st)
		return st
	}
	deadline := time.Now().Add(60 * time.Second)
	for status() != "accepted" {
		if time.Now().After(deadline) {
			t.Fatalf("submission 1 is %s", status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.dsMu.RLock() // a release run reads the dataset: the certification waits
	unlock := sync.OnceFunc(s.dsMu.RUnlock)
	defer unlock()
	go func() {
		if resp, err := do("POST", "/api/v1/submissions/1/certify", nil); err == nil {
			resp.Body.Close()
		}
	}()
	waitForCertifyToQueue(s)
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after a stop past the grace: %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return after its grace")
	}
	unlock()  // the release run ends: the certification takes the lock
	s.Close() // and is waited for
	return dir, logs
}

// storedStatus reads submission id's status from the state a stopped
// service left in dir.
func storedStatus(t *testing.T, dir string, id int64) string {
	t.Helper()
	st, err := openState(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var status string
	if err := st.QueryRow(`SELECT status FROM submissions WHERE id = ?`, id).Scan(&status); err != nil {
		t.Fatal(err)
	}
	return status
}
