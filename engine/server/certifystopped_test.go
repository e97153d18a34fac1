package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCertifyWaitingPastTheGraceIsServiceStopped: a certification
// waiting for a release run's read of the dataset when the grace runs
// out takes the dataset's lock on a service already stopped. It is
// refused as the stop refuses (503, warned about), not logged as an
// internal error; nothing is written and the submission stays accepted.
func TestCertifyWaitingPastTheGraceIsServiceStopped(t *testing.T) {
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
	var outcome map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e["level"] == "ERROR" {
			t.Errorf("logged as an error: %s", line)
		}
		if e["msg"] == "certification" {
			outcome = e
		}
	}
	if outcome == nil {
		t.Fatalf("the certification's outcome is not logged:\n%s", logs)
	}
	if code, _ := outcome["status"].(float64); code != http.StatusServiceUnavailable {
		t.Errorf("certification answered %v, want %d (the service stopped)", outcome["status"], http.StatusServiceUnavailable)
	}
	if l := logs.String(); !strings.Contains(l, `"level":"WARN","msg":"certification stopped by the service's stop; the submission stays accepted"`) {
		t.Errorf("the stopped certification is not warned about:\n%s", l)
	}
	st, err := openState(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got string
	st.QueryRow(`SELECT status FROM submissions WHERE id = 1`).Scan(&got)
	if got != "accepted" {
		t.Errorf("submission 1 is %s, want accepted", got)
	}
}
