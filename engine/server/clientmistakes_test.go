package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// A release asked for while another is computed is refused naming the one
// under way (its number, month, who asked and when) and what to do: "a
// release is being computed; wait for it" left the second operator not
// knowing which, nor how to learn when to ask again. Nothing is started and
// no number is used.
func TestReleaseRefusedWhileOneRuns(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ts.certifyViettelMonth(t, f)
	ask := func() (int, string) {
		code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-10"}`), "application/json")
		return code, string(b)
	}
	// Held as a certification holds it, the release dataset keeps the
	// first release running.
	ts.s.dsMu.Lock()
	code, b := ask()
	if code != http.StatusAccepted {
		ts.s.dsMu.Unlock()
		t.Fatalf("release 1: %d %s", code, b)
	}
	code, b = ask()
	ts.s.dsMu.Unlock()
	for _, want := range []string{"release 1 (2024-10, asked for by cuc at ", "is being computed", "nothing was started", "GET /api/v1/releases", "ask for 2024-10 again"} {
		if code != http.StatusConflict || !strings.Contains(b, want) {
			t.Errorf("a release asked for while release 1 runs: %d %s; want 409 saying %q", code, b, want)
		}
	}
	if got := ts.waitRelease(t, 1); got.Status != "published" {
		t.Fatalf("release 1: %+v", got)
	}
	var n int
	ts.s.db.QueryRow(`SELECT count(*) FROM releases`).Scan(&n)
	if n != 1 {
		t.Errorf("%d releases recorded, want 1: the refused request used a number", n)
	}
}

// curl -T FILE sends PUT: the upload's refusal of a form-encoded body
// offered "-T FILE" as a way to send the file, and following it got a 405
// that said only which methods are allowed. The advice now says -X POST,
// and a PUT to a path served for POST says what to do; nothing is queued.
func TestUploadAsCurlDashT(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	req, err := http.NewRequest(http.MethodPut, ts.ts.URL+"/api/v1/submissions?kind=measurements&name=vt.csv", bytes.NewReader(f.measurements["viettel"]))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.tokens["vt"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD, POST, OPTIONS" ||
		!strings.Contains(body.String(), "send it with POST (curl -T FILE sends PUT: add -X POST)") {
		t.Errorf("PUT of an upload: %d, Allow %q, %s", resp.StatusCode, resp.Header.Get("Allow"), body.String())
	}
	// A PUT where no POST is served gets no such advice.
	code, b := ts.call(t, "cuc", "PUT", "/api/v1/me", "", nil, "")
	if code != http.StatusMethodNotAllowed || bytes.Contains(b, []byte("POST")) {
		t.Errorf("PUT /api/v1/me: %d %s", code, b)
	}
	var subs int
	ts.s.db.QueryRow(`SELECT count(*) FROM submissions`).Scan(&subs)
	if subs != 0 {
		t.Fatalf("%d submissions recorded", subs)
	}

	asCurlDashD := bytes.ReplaceAll(f.measurements["viettel"], []byte("\n"), nil)
	code, b = ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements&name=vt.csv", "/api/v1/submissions", bytes.NewReader(asCurlDashD), "application/x-www-form-urlencoded")
	if code != http.StatusBadRequest || !bytes.Contains(b, []byte("-X POST -T FILE")) {
		t.Errorf("curl -d @vt.csv: %d %s; want the advice to say -X POST -T FILE", code, b)
	}
}

// The kind of a submission is required: left out, or given empty, the
// answer says to give it, never to leave it out.
func TestSubmissionKindRequired(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, q := range []string{"", "?kind=", "?name=vt.csv", "?kind=&name=vt.csv"} {
		code, b := ts.call(t, "vt", "POST", "/api/v1/submissions"+q, "/api/v1/submissions", bytes.NewReader(f.measurements["viettel"]), "text/csv")
		if code != http.StatusBadRequest || bytes.Contains(b, []byte("leave it out")) || !bytes.Contains(b, []byte("kind=measurements, sites, villages or subscriptions")) && !bytes.Contains(b, []byte("it is required")) {
			t.Errorf("upload%s: %d %s", q, code, b)
		}
	}
}

// A province asked for by name (the name its user was registered with:
// users add takes a code or a name), by a code without its leading zero,
// or a former province, is 404 saying which code to ask for; a code that is
// no province's says no more.
func TestProvinceAskedByName(t *testing.T) {
	ts := newService(t, nil)
	for _, c := range []struct{ user, path, pathKey, want string }{
		{"laichau", "/api/v1/releases/2024-10/provinces/Lai%20Ch%C3%A2u/villages", "/api/v1/releases/{period}/provinces/{code}/villages",
			`no province with code \"Lai Châu\" among the 34 provinces of 2025: Lai Châu is province 12, and the request takes its code`},
		{"cuc", "/api/v1/releases/2024-10/provinces/lai%20chau/hexes", "/api/v1/releases/{period}/provinces/{code}/hexes", "Lai Châu is province 12"},
		{"cuc", "/api/v1/releases/2024-10/provinces/1/scorecard", "/api/v1/releases/{period}/provinces/{code}/scorecard", "Hà Nội is province 01"},
		{"cuc", "/api/v1/releases/2024-10/diff?province=H%C3%A0%20Giang", "/api/v1/releases/{period}/diff", "Hà Giang (02) merged into Tuyên Quang on "},
		{"cuc", "/api/v1/releases/2024-10/campaign?province=Ha%20Giang", "/api/v1/releases/{period}/campaign", "; ask for 08"},
	} {
		code, b := ts.call(t, c.user, "GET", c.path, c.pathKey, nil, "")
		if code != http.StatusNotFound || !strings.Contains(string(b), c.want) {
			t.Errorf("%s as %s: %d %s; want 404 saying %q", c.path, c.user, code, b, c.want)
		}
	}
	code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/provinces/99/villages", "/api/v1/releases/{period}/provinces/{code}/villages", nil, "")
	if code != http.StatusNotFound || !strings.HasSuffix(strings.TrimSpace(string(b)), `among the 34 provinces of 2025"`+"\n}") {
		t.Errorf("a code that is no province's: %d %s", code, b)
	}
}

// An upload over --max-upload-bytes is 413 saying what to do (compress it,
// split it, or have the cap raised), whether its size was declared or it
// was cut at the cap; nothing is kept.
func TestUploadOverTheCapSaysWhatToDo(t *testing.T) {
	ts := newService(t, func(o *Options) { o.MaxUploadBytes = 1000 })
	for _, c := range []struct {
		name string
		body io.Reader
	}{
		{"declared", strings.NewReader(strings.Repeat("x", 1001))},
		{"chunked", io.MultiReader(strings.NewReader(strings.Repeat("x", 1001)))},
	} {
		code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", c.body, "text/csv")
		for _, want := range []string{"over the limit of 1000 bytes", "nothing was kept", "gzip-compressed", "--max-upload-bytes"} {
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), want) {
				t.Errorf("%s upload over the cap: %d %s; want 413 saying %q", c.name, code, b, want)
			}
		}
	}
	if left := ts.spoolEntries(t); len(left) != 0 {
		t.Fatalf("left in the spool: %v", left)
	}
}

// A handler that panics is answered 500 with a JSON error, and the request
// is logged (and counted) as 500 with the panic logged beside it: net/http
// alone cut the connection, the client saw an empty reply, and the request
// was logged with status 200. A panic after the answer began cuts the
// connection, logged as 500 too.
func TestHandlerPanicAnswered500(t *testing.T) {
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	ts.s.handle("GET /api/v1/test-panic", anyUser, func(http.ResponseWriter, *http.Request) { panic("boom") })
	ts.s.handle("GET /api/v1/test-panic-late", anyUser, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("{"))
		panic("late boom")
	})
	code, b := ts.call(t, "cuc", "GET", "/api/v1/test-panic", "", nil, "")
	var e apiError
	if err := json.Unmarshal(b, &e); code != http.StatusInternalServerError || err != nil || !strings.Contains(e.Error, "internal error") {
		t.Errorf("a handler's panic: %d %s", code, b)
	}
	waitLog(t, logs, `"path":"/api/v1/test-panic","status":500`)
	if l := logs.String(); !strings.Contains(l, `"panic":"boom"`) || strings.Contains(l, `"path":"/api/v1/test-panic","status":200`) {
		t.Errorf("the log of a handler's panic: %s", l)
	}
	req, _ := http.NewRequest("GET", ts.ts.URL+"/api/v1/test-panic-late", nil)
	req.Header.Set("Authorization", "Bearer "+ts.tokens["cuc"])
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("a panic after the answer began: the answer read whole (%d)", resp.StatusCode)
		}
	}
	waitLog(t, logs, `"path":"/api/v1/test-panic-late","status":500`)
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/me", "/api/v1/me", nil, ""); code != http.StatusOK {
		t.Errorf("after the panics: %d %s", code, b)
	}
}

// A file the dashboard does not have is 404 with a JSON error naming it,
// as every other unknown path is, not the file server's "404 page not
// found" text; the dashboard's files are served as before.
func TestDashboardFileNotFoundIsJSON(t *testing.T) {
	ts := newService(t, nil)
	for _, p := range []string{"/ui/nothing.js", "/ui/img/x.png"} {
		code, b := ts.call(t, "", "GET", p, "", nil, "")
		var e apiError
		if err := json.Unmarshal(b, &e); code != http.StatusNotFound || err != nil || !strings.Contains(e.Error, "no such resource: GET "+p) {
			t.Errorf("GET %s: %d %q", p, code, b)
		}
	}
	for _, p := range []string{"/ui/", "/ui/app.js", "/ui/app.css"} {
		if code, b := ts.call(t, "", "GET", p, "", nil, ""); code != http.StatusOK || len(b) == 0 || bytes.HasPrefix(b, []byte(`{"error"`)) {
			t.Errorf("GET %s: %d %.100q", p, code, b)
		}
	}
}

// A validation a stop cuts short is logged as queued again, so that the
// stop's log says where the job went; the submission reads queued.
func TestStoppedValidationLogged(t *testing.T) {
	f := world(t)
	big := manyRows(t, f.measurements["viettel"], 40)
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	id := ts.submit(t, "vt", "measurements", "big.csv", big)
	waitStatus(t, ts.s, id, "validating")
	ts.ts.Close()
	ts.s.Close()
	var status string
	st, err := openState(context.Background(), ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	st.QueryRow(`SELECT status FROM submissions WHERE id = ?`, id).Scan(&status)
	st.Close()
	if status == "accepted" {
		t.Fatal("the validation finished before the stop; the test needs a longer file")
	}
	want := fmt.Sprintf(`"msg":"validation stopped by the service's stop: the submission is queued again and validated from the start at the next start","id":%d`, id)
	if l := logs.String(); status != "queued" || !strings.Contains(l, want) {
		t.Errorf("a validation stopped by Close: status %s; log:\n%s", status, l)
	}
}
