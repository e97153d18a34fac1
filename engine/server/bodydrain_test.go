package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that declares a body and sends none of it does not hold a
// connection for ever: the answer given without reading the body (401
// here, with no token at all) arrives within bodyDrain and the connection
// is then closed. net/http read the unread body, to reuse the connection,
// before it sent the answer, with no deadline: a few thousand such
// connections, without a token, would have held as many goroutines and
// file descriptors. A client that sends its body keeps its connection.
func TestUnsentBodyDoesNotHoldTheConnection(t *testing.T) {
	ts := newService(t, nil)
	addr := strings.TrimPrefix(ts.ts.URL, "http://")
	for _, c := range []struct {
		name, request string
	}{
		{"an upload without a token", "POST /api/v1/submissions?kind=measurements HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nts,"},
		{"a certification with a token", "POST /api/v1/submissions/1/certify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ts.tokens["vt"] + "\r\nContent-Length: 1000\r\n\r\n{"},
		{"a chunked body", "POST /api/v1/releases HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"p"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, c.request); err != nil {
				t.Fatal(err)
			}
			limit := bodyDrain + 10*time.Second
			conn.SetReadDeadline(time.Now().Add(limit))
			start := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer within %v: %v", limit, err)
			}
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("answer %d, want the 4xx refusing the request", resp.StatusCode)
			}
			if _, err := io.ReadAll(resp.Body); err != nil {
				t.Fatalf("the answer's body: %v", err)
			}
			if _, err := conn.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("after the answer the connection is not closed: %v", err)
			}
			t.Logf("answered and closed after %v", time.Since(start).Round(time.Millisecond))
		})
	}
	// A body sent whole, though not read (401), leaves the connection open
	// for the next request.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := range 2 {
		io.WriteString(conn, "POST /api/v1/submissions?kind=measurements HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nts,")
		conn.SetReadDeadline(time.Now().Add(bodyDrain / 2))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on one connection: %v", i+1, err)
		}
		io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUnauthorized || resp.Close {
			t.Fatalf("request %d: %d, closing %v; want 401 on a kept connection", i+1, resp.StatusCode, resp.Close)
		}
	}
}
