package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A certification or release request whose declared body stalls is
// answered 408 once nothing has arrived for UploadIdle, as a stalled
// upload is: it held the request (and its token's certification) for as
// long as the client kept the connection, with no answer.
func TestStalledJSONBodyRefused(t *testing.T) {
	f := world(t)
	ts := newService(t, func(o *Options) { o.UploadIdle = 300 * time.Millisecond })
	id := ts.submit(t, "vt", "measurements", "vt.csv", f.measurements["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("submission: %+v", s)
	}
	addr := strings.TrimPrefix(ts.ts.URL, "http://")
	for _, c := range []struct{ name, user, path, sent string }{
		{"certify", "vt", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "{"},
		{"release", "cuc", "/api/v1/releases", `{"period":"2024-10"}`}, // the object whole, then a stall
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n%s",
				c.path, ts.tokens[c.user], c.sent)
			conn.SetReadDeadline(time.Now().Add(bodyDrain + 10*time.Second))
			start := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			// The stall is known: the answer does not wait for the rest
			// of the body a further bodyDrain.
			if took := time.Since(start); took >= bodyDrain {
				t.Errorf("answered after %v", took)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "the body stalled") {
				t.Errorf("%d %s, want 408 saying the body stalled", resp.StatusCode, b)
			}
			if conformsErr := conforms("POST", map[string]string{"certify": "/api/v1/submissions/{id}/certify", "release": "/api/v1/releases"}[c.name],
				resp.StatusCode, resp.Header.Get("Content-Type"), b); conformsErr != nil {
				t.Errorf("does not conform to openapi.json: %v", conformsErr)
			}
		})
	}
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Errorf("after the stalled certification: %+v, want accepted", s)
	}
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
	if code != http.StatusOK || strings.Contains(string(b), `"number"`) {
		t.Errorf("a release was started by the stalled request: %d %s", code, b)
	}
}
