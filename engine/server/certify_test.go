package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lomsong/lomsong/internal/flock"
)

// certifyCall certifies submission id as user and returns the response.
func (ts *testService) certifyCall(t *testing.T, user string, id int64) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/submissions/%d/certify", ts.ts.URL, id), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.tokens[user])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, "POST", "/api/v1/submissions/{id}/certify", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	return resp, body
}

// A certification while an operator's lomsong ingest holds the release
// dataset is a conflict to retry (409 with Retry-After), not the
// service's failure (500): the submission stays accepted and is
// certified once the ingest is done.
func TestCertifyWhileDatasetLocked(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("validation: %+v", s)
	}
	lock, err := flock.TryLock(filepath.Join(ts.dir, ".lock")) // as lomsong ingest holds it
	if err != nil {
		t.Fatal(err)
	}
	resp, b := ts.certifyCall(t, "vt", id)
	flock.Unlock(lock)
	var e apiError
	json.Unmarshal(b, &e)
	if resp.StatusCode != http.StatusConflict || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(e.Error, "being written by another ingest") || !strings.Contains(e.Error, "try again") {
		t.Fatalf("certify while the dataset is locked: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	if s := ts.wait(t, "vt", id); s.Status != "accepted" || s.Error != "" {
		t.Fatalf("after the refused certification: %+v", s)
	}
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify once the ingest is done: %d", code)
	}
}

// logBuffer collects a service's logs for a test to read while it runs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until the logs hold want.
func waitLog(t *testing.T, logs *logBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the logs never said %q:\n%s", want, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitForCertifyToQueue returns once a certification waits for the release
// dataset, which the caller holds for reading (as a release run does): a
// writer waiting makes TryRLock fail.
func waitForCertifyToQueue(s *Server) {
	for s.dsMu.TryRLock() {
		s.dsMu.RUnlock()
		time.Sleep(time.Millisecond)
	}
}

// A certification does not depend on its client staying connected (a
// proxy's timeout, a closed tab): it runs to its end, the submission reads
// certified, and the client's leaving is not logged as the service's error.
func TestCertifyOutlivesItsClient(t *testing.T) {
	f := world(t)
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("validation: %+v", s)
	}
	ts.s.dsMu.RLock() // a release run reads the dataset: the certification waits
	unlock := sync.OnceFunc(ts.s.dsMu.RUnlock)
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/api/v1/submissions/%d/certify", ts.ts.URL, id), nil)
	req.Header.Set("Authorization", "Bearer "+ts.tokens["vt"])
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitForCertifyToQueue(ts.s)
	cancel() // the client gives up
	if err := <-errc; err == nil {
		t.Fatal("the request was answered while the certification waited")
	}
	waitLog(t, logs, "certification continues without its client")
	unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := ts.wait(t, "vt", id)
		if s.Status == "certified" {
			break
		}
		if s.Status != "accepted" || time.Now().After(deadline) {
			t.Fatalf("after its client went away: %+v\nlogs:\n%s", s, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitLog(t, logs, `"msg":"certification","id":1,"user":"vt","status":200`)
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.Contains(line, `"status":500`) {
			t.Errorf("logged as an error: %s", line)
		}
	}
	var audit int
	ts.s.db.QueryRow(`SELECT count(*) FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(id)).Scan(&audit)
	if audit != 1 {
		t.Errorf("%d submission.certify audit entries, want 1", audit)
	}
}

// Two certifications of one submission at once (a double click, a proxy's
// retry) get the same answer: the second waits for the first and answers
// 200 with the record it certified, not 409 "certified now".
func TestConcurrentCertificationsAnswerAlike(t *testing.T) {
	f := world(t)
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	id := ts.submit(t, "vt", "measurements", "m.csv", f.measurements["viettel"])
	if s := ts.wait(t, "vt", id); s.Status != "accepted" {
		t.Fatalf("validation: %+v", s)
	}
	ts.s.dsMu.RLock() // both wait for a release run reading the dataset
	unlock := sync.OnceFunc(ts.s.dsMu.RUnlock)
	defer unlock()
	type answer struct {
		code int
		body []byte
	}
	answers := make(chan answer, 2)
	certify := func() {
		resp, b := ts.certifyCall(t, "vt", id)
		answers <- answer{resp.StatusCode, b}
	}
	go certify()
	waitForCertifyToQueue(ts.s)
	go certify()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(logs.String(), `"msg":"certifying"`) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the second certification never started:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	unlock()
	a, b := <-answers, <-answers
	if a.code != http.StatusOK || b.code != http.StatusOK || !bytes.Equal(a.body, b.body) {
		t.Fatalf("two certifications at once: %d %s\nand %d %s", a.code, a.body, b.code, b.body)
	}
	var sub Submission
	if err := json.Unmarshal(a.body, &sub); err != nil || sub.Status != "certified" || sub.Note != "" {
		t.Fatalf("answer: %+v %v", sub, err)
	}
	var audit int
	ts.s.db.QueryRow(`SELECT count(*) FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(id)).Scan(&audit)
	if audit != 1 {
		t.Errorf("%d submission.certify audit entries, want 1", audit)
	}
}

// A carrier's submission whose every row names another carrier is refused
// saying so — the carriers its rows name and the account's — not as rows
// to fix in the quarantine.
func TestEveryRowAnotherCarrier(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, c := range []struct {
		name, user string
		data       []byte
		want       []string
	}{
		{"another carrier's file", "vt", f.measurements["mobifone"],
			[]string{"every row names carrier mobifone, while this account submits for viettel only", "submit it from that carrier's account"}},
		{"an account's misspelt carrier", "vtypo", f.measurements["viettel"],
			[]string{"every row names carrier viettel, while this account submits for vietel only", "vietel is not a carrier lomsong knows by name"}},
		{"a spelling lomsong does not know", "vt", bytes.ReplaceAll(f.measurements["viettel"], []byte(",viettel,"), []byte(",Viettell,")),
			[]string{`every row names carrier viettell ("Viettell" in the file), while this account submits for viettel only`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := ts.submit(t, c.user, "measurements", "m.csv", c.data)
			s := ts.wait(t, c.user, id)
			if s.Status != "refused" || s.ErrorCode != "carrier_not_yours" || strings.Contains(s.Error, "fix the rows") {
				t.Fatalf("%+v", s)
			}
			for _, w := range c.want {
				if !strings.Contains(s.Error, w) {
					t.Errorf("error %q lacks %q", s.Error, w)
				}
			}
		})
	}
	// Some rows of another carrier among its own are rows to fix.
	mixed := append(bytes.Clone(f.measurements["viettel"]), bytes.SplitAfterN(f.measurements["mobifone"], []byte("\n"), 2)[1]...)
	id := ts.submit(t, "vt", "measurements", "mixed.csv", mixed)
	if s := ts.wait(t, "vt", id); s.Status != "refused" || s.ErrorCode != "too_many_rejects" || !strings.Contains(s.Error, "fix the rows in quarantine.csv") {
		t.Fatalf("mixed carriers: %+v", s)
	}
}

// A release of a month the certified data hold no measurements of is
// refused when asked for, naming the months they do hold, rather than
// started, numbered and failed.
func TestReleaseOfAMonthWithoutMeasurements(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "measurements", "m.csv", f.measurements["viettel"])
	ts.wait(t, "vt", id)
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify: %d", code)
	}
	code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2030-01"}`), "application/json")
	if code != http.StatusConflict || !bytes.Contains(b, []byte("no release for 2030-01: no measurements of 2030-01 in the certified data (months with measurements: 2024-10)")) {
		t.Fatalf("release of a month without measurements: %d %s", code, b)
	}
	_, b = ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
	var list struct{ Releases []Release }
	if err := json.Unmarshal(b, &list); err != nil || len(list.Releases) != 0 {
		t.Fatalf("releases after the refusal: %s %v", b, err)
	}
}

// An upload's refusals name its file, and a broken mapping's error says
// "mapping" once.
func TestUploadMessages(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements&name=empty.csv", "/api/v1/submissions", strings.NewReader(""), "text/csv")
	if code != http.StatusBadRequest || !bytes.Contains(b, []byte("the file empty.csv is empty")) {
		t.Errorf("an empty body: %d %s", code, b)
	}
	header, _, _ := bytes.Cut(f.measurements["viettel"], []byte("\n"))
	id := ts.submit(t, "vt", "measurements", "header.csv", append(header, '\n'))
	if s := ts.wait(t, "vt", id); s.Status != "refused" || s.ErrorCode != "no_data_rows" || s.Error != "the file header.csv has no data rows" {
		t.Errorf("a header without rows: %+v", s)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "m.csv")
	fw.Write(f.measurements["viettel"])
	mf, _ := mw.CreateFormField("mapping")
	mf.Write([]byte(`{"kind":`))
	mw.Close()
	code, b = ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", &mp, mw.FormDataContentType())
	if code != http.StatusBadRequest || bytes.Contains(b, []byte("mapping: mapping")) || !bytes.Contains(b, []byte("the mapping part: ")) {
		t.Errorf("a broken mapping: %d %s", code, b)
	}
}

// TestCertifyTakesNoBody: a certification takes no body; one with a body
// it would ignore ({"dry_run": true}, a form) is refused 400 naming what it
// found, and the submission stays accepted; no body, whitespace or {} certify.
func TestCertifyTakesNoBody(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "measurements", "a.csv", f.measurements["viettel"])
	ts.wait(t, "vt", id)
	path := fmt.Sprintf("/api/v1/submissions/%d/certify", id)
	for _, c := range []struct{ body, ctype, want string }{
		{`{"dry_run": true}`, "application/json", `unknown field \"dry_run\"`},
		{`{} {}`, "application/json", "found more after the object"},
		{" null\n", "application/json", "found null, not {}"},
		{"dry_run=1", "application/x-www-form-urlencoded", "invalid character"},
	} {
		code, b := ts.call(t, "vt", "POST", path, "/api/v1/submissions/{id}/certify", strings.NewReader(c.body), c.ctype)
		if code != http.StatusBadRequest || !strings.Contains(string(b), c.want) || !strings.Contains(string(b), "takes none") {
			t.Errorf("certify with the body %q: %d %s", c.body, code, b)
		}
		if s := ts.wait(t, "vt", id); s.Status != "accepted" {
			t.Fatalf("after the body %q the submission is %s", c.body, s.Status)
		}
	}
	code, b := ts.call(t, "vt", "POST", path, "/api/v1/submissions/{id}/certify", strings.NewReader(" {}\n"), "application/json")
	if code != http.StatusOK {
		t.Fatalf("certify with {}: %d %s", code, b)
	}
	if code := ts.certify(t, "vt", id); code != http.StatusOK {
		t.Fatalf("certify again with no body: %d", code)
	}
}
