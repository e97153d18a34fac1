package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/synth"
)

// fixture holds the contract files of a small generated world (Lai Châu,
// 2024-10 measurements), split per carrier.
type fixture struct {
	villages     []byte
	subs         []byte
	measurements map[string][]byte // by carrier; "" = all carriers
	sites        map[string][]byte
	sitesParquet []byte // every carrier's sites, as Parquet
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
)

func world(t *testing.T) fixture {
	t.Helper()
	fixOnce.Do(func() {
		cfg := synth.DefaultConfig()
		cfg.Boundaries = synth.Boundaries2025
		cfg.MeasurementDensity = 0.15
		w, err := synth.Generate(cfg)
		if err != nil {
			fixErr = err
			return
		}
		var v, m, s, sub bytes.Buffer
		if fixErr = synth.WriteSubscriptionsCSV(&sub, w.Subscriptions); fixErr != nil {
			return
		}
		if fixErr = synth.WriteVillagesCSV(&v, w.Villages); fixErr != nil {
			return
		}
		if fixErr = synth.WriteMeasurementsCSV(&m, w.Measurements); fixErr != nil {
			return
		}
		if fixErr = synth.WriteSitesCSV(&s, w.Sites); fixErr != nil {
			return
		}
		var pq bytes.Buffer
		if fixErr = arrowio.WriteSites(&pq, w.Sites); fixErr != nil {
			return
		}
		fix = fixture{villages: v.Bytes(), subs: sub.Bytes(), measurements: byCarrier(m.Bytes()), sites: byCarrier(s.Bytes()), sitesParquet: pq.Bytes()}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// byCarrier splits a CSV whose second column is the carrier.
func byCarrier(b []byte) map[string][]byte {
	lines := strings.SplitAfter(string(b), "\n")
	out := map[string][]byte{"": b}
	for _, l := range lines[1:] {
		f := strings.SplitN(l, ",", 3)
		if len(f) < 3 {
			continue
		}
		if out[f[1]] == nil {
			out[f[1]] = []byte(lines[0])
		}
		out[f[1]] = append(out[f[1]], l...)
	}
	return out
}

type testService struct {
	s      *Server
	ts     *httptest.Server
	dir    string
	tokens map[string]string
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newService starts a service on a fresh dataset with the users
// cuc (ministry), vt (viettel), vnp (vinaphone), mobi (mobifone),
// laichau (province 12), hanoi (province 01, without villages in the
// tests' releases) and vtypo (a carrier registered misspelt, "vietel").
func newService(t *testing.T, mod func(*Options)) *testService {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	tokens := map[string]string{}
	for _, u := range []NewUser{{Name: "cuc", Role: RoleMinistry}, {Name: "vt", Role: RoleCarrier, Carrier: "Viettel"},
		{Name: "vnp", Role: RoleCarrier, Carrier: "VNPT"}, {Name: "mobi", Role: RoleCarrier, Carrier: "mobifone"},
		{Name: "laichau", Role: RoleProvince, Province: "Lai Châu"}, {Name: "hanoi", Role: RoleProvince, Province: "01"},
		{Name: "vtypo", Role: RoleCarrier, Carrier: "Vietel"}} {
		_, tok, err := AddUser(ctx, dir, u, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tokens[u.Name] = tok
	}
	// The tests poll; a generous rate keeps them off 429 on a slow machine
	// (TestAuthScopeAndLimits sets its own).
	opt := Options{Dataset: dir, Logger: quietLogger(), RatePerSecond: 1e6, Burst: 1 << 20}
	if mod != nil {
		mod(&opt)
	}
	s, err := New(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return &testService{s: s, ts: ts, dir: dir, tokens: tokens}
}

// call makes a request as user (none when "") and checks the response
// against the OpenAPI document under pathKey.
func (ts *testService) call(t *testing.T, user, method, path, pathKey string, body io.Reader, ctype string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		tok, ok := ts.tokens[user]
		if !ok {
			tok = user // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if pathKey != "" {
		checkResponse(t, method, pathKey, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return resp.StatusCode, b
}

func (ts *testService) submit(t *testing.T, user, kind, name string, data []byte) int64 {
	t.Helper()
	code, b := ts.call(t, user, "POST", "/api/v1/submissions?kind="+kind+"&name="+name, "/api/v1/submissions", bytes.NewReader(data), "text/csv")
	if code != http.StatusAccepted {
		t.Fatalf("submit %s as %s: %d %s", name, user, code, b)
	}
	var q struct{ ID int64 }
	json.Unmarshal(b, &q)
	return q.ID
}

// submitMultipart uploads data as a multipart form's file named name,
// with a mapping part when mapping is not empty, as user; 202 or fatal.
func (ts *testService) submitMultipart(t *testing.T, user, name string, data []byte, mapping string) int64 {
	t.Helper()
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	if mapping != "" {
		mf, _ := mw.CreateFormField("mapping")
		mf.Write([]byte(mapping))
	}
	mw.Close()
	code, b := ts.call(t, user, "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", &mp, mw.FormDataContentType())
	if code != http.StatusAccepted {
		t.Fatalf("multipart %s as %s: %d %s", name, user, code, b)
	}
	var q struct{ ID int64 }
	json.Unmarshal(b, &q)
	return q.ID
}

// wait polls a submission until it leaves the queue.
func (ts *testService) wait(t *testing.T, user string, id int64) Submission {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, b := ts.call(t, user, "GET", fmt.Sprintf("/api/v1/submissions/%d", id), "/api/v1/submissions/{id}", nil, "")
		if code != http.StatusOK {
			t.Fatalf("submission %d: %d %s", id, code, b)
		}
		var s Submission
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		if s.Status != "queued" && s.Status != "validating" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("submission %d still %s", id, s.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (ts *testService) certify(t *testing.T, user string, id int64) int {
	t.Helper()
	code, _ := ts.call(t, user, "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
	return code
}

// certifyViettelMonth submits and certifies the villages (as the
// ministry, "cuc") and Viettel's measurements and sites ("vt") of f: a
// month a release can be computed from.
func (ts *testService) certifyViettelMonth(t *testing.T, f fixture) {
	t.Helper()
	for _, sub := range []struct{ user, kind, name string }{
		{"cuc", "villages", "villages.csv"}, {"vt", "measurements", "vt.csv"}, {"vt", "sites", "sites.csv"},
	} {
		data := map[string][]byte{"villages": f.villages, "measurements": f.measurements["viettel"], "sites": f.sites["viettel"]}[sub.kind]
		id := ts.submit(t, sub.user, sub.kind, sub.name, data)
		if s := ts.wait(t, sub.user, id); s.Status != "accepted" {
			t.Fatalf("%s: %+v", sub.name, s)
		}
		if code := ts.certify(t, sub.user, id); code != http.StatusOK {
			t.Fatalf("certify %s: %d", sub.name, code)
		}
	}
}

func (ts *testService) release(t *testing.T, period string) Release {
	t.Helper()
	code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"`+period+`"}`), "application/json")
	if code != http.StatusAccepted {
		t.Fatalf("release: %d %s", code, b)
	}
	var rl Release
	json.Unmarshal(b, &rl)
	return ts.waitRelease(t, rl.Number)
}

// waitRelease waits for release number to finish and returns it.
func (ts *testService) waitRelease(t *testing.T, number int64) Release {
	t.Helper()
	rl := Release{Number: number}
	deadline := time.Now().Add(120 * time.Second)
	for {
		_, b := ts.call(t, "cuc", "GET", "/api/v1/releases", "/api/v1/releases", nil, "")
		var list struct{ Releases []Release }
		json.Unmarshal(b, &list)
		for _, r := range list.Releases {
			if r.Number == rl.Number && r.Status != "running" {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("release still running")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	u, tok, err := AddUser(ctx, dir, NewUser{Name: "so-laichau", Role: RoleProvince, Province: "lai chau"}, now)
	if err != nil || u.Province != "12" || !strings.HasPrefix(tok, "ls_") || len(tok) != 46 {
		t.Fatalf("%+v %q %v", u, tok, err)
	}
	u, _, err = AddUser(ctx, dir, NewUser{Name: "vnpt", Role: RoleCarrier, Carrier: "VNPT VinaPhone"}, now)
	if err != nil || u.Carrier != "vinaphone" {
		t.Fatalf("%+v %v", u, err)
	}
	for _, bad := range []NewUser{
		{Name: "x", Role: "admin"},
		{Name: "x", Role: RoleCarrier},
		{Name: "x", Role: RoleProvince, Province: "Atlantis"},
		{Name: "x", Role: RoleProvince, Province: "Hà Giang"}, // merged into Tuyên Quang in 2025
		{Name: "x", Role: RoleMinistry, Carrier: "viettel"},
		{Name: "-x", Role: RoleMinistry},
		{Name: "vnpt", Role: RoleMinistry}, // exists
	} {
		if _, _, err := AddUser(ctx, dir, bad, now); err == nil {
			t.Errorf("%+v: added", bad)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, StateDir, "state.db"))
	if err != nil || bytes.Contains(b, []byte(tok)) || !bytes.Contains(b, []byte(tokenHash(tok))) {
		t.Fatalf("the state keeps the token's hash only (err %v)", err)
	}
	if err := RevokeUser(ctx, dir, "so-laichau", now); err != nil {
		t.Fatal(err)
	}
	// Again: said so, nothing changed.
	if err := RevokeUser(ctx, dir, "so-laichau", now.Add(time.Hour)); !errors.Is(err, ErrRevokedAlready) || !strings.Contains(err.Error(), nowText(now)) {
		t.Fatalf("revoking twice: %v", err)
	}
	if err := RevokeUser(ctx, dir, "nobody", now); err == nil {
		t.Fatal("revoking an unknown user succeeded")
	}
	// A revoked user's name is not taken again, and the refusal says it
	// was revoked rather than advising to revoke it.
	if _, _, err := AddUser(ctx, dir, NewUser{Name: "so-laichau", Role: RoleProvince, Province: "12"}, now); !errors.Is(err, ErrInvalidUser) ||
		!strings.Contains(err.Error(), `user "so-laichau" was revoked (at 2026-11-30T08:00:00Z), and a name is not reused`) ||
		!strings.Contains(err.Error(), "choose another name (e.g. so-laichau-2)") || strings.Contains(err.Error(), "revoke it") {
		t.Fatalf("adding a revoked user's name: %v", err)
	}
	users, err := ListUsers(ctx, dir)
	if err != nil || len(users) != 2 || users[0].Name != "so-laichau" || users[0].Revoked == nil || users[1].Revoked != nil {
		t.Fatalf("%+v %v", users, err)
	}
}

func TestAuthScopeAndLimits(t *testing.T) {
	ts := newService(t, func(o *Options) { o.MaxUploadBytes = 1000; o.RatePerSecond = 0.001; o.Burst = 5 })
	if code, _ := ts.call(t, "", "GET", "/healthz", "/healthz", nil, ""); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := ts.call(t, "", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, ""); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := ts.call(t, "ls_not-a-token", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, ""); code != 401 {
		t.Fatalf("bad token: %d", code)
	}
	if code, _ := ts.call(t, "laichau", "GET", "/api/v1/audit", "/api/v1/audit", nil, ""); code != 403 {
		t.Fatalf("province reads the audit: %d", code)
	}
	if code, _ := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=villages", "/api/v1/submissions", strings.NewReader("x"), ""); code != 403 {
		t.Fatalf("carrier submits villages: %d", code)
	}
	if code, _ := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", strings.NewReader(strings.Repeat("x", 1001)), ""); code != 413 {
		t.Fatalf("over the cap: %d", code)
	}
	// A chunked body (no Content-Length) over the cap is cut at the cap.
	if code, _ := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=measurements", "/api/v1/submissions", io.MultiReader(strings.NewReader(strings.Repeat("x", 1001))), ""); code != 413 {
		t.Fatalf("chunked over the cap: %d", code)
	}
	// vt has made 3 requests; its burst is 5: the 6th is refused, other
	// tokens are not.
	for i := 0; i < 2; i++ {
		if code, _ := ts.call(t, "vt", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if code, _ := ts.call(t, "vt", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, ""); code != 429 {
		t.Fatalf("over the rate: %d", code)
	}
	if code, _ := ts.call(t, "vnp", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, ""); code != 200 {
		t.Fatalf("another token: %d", code)
	}
	entries := ts.spoolEntries(t)
	if len(entries) != 0 {
		t.Fatalf("refused uploads left %v", entries)
	}
}

// nothingQueued waits up to 10 s for the spool to empty (a cut or
// refused upload's partial file is removed as its handler returns), then
// checks that no submission was recorded.
func (ts *testService) nothingQueued(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(ts.spoolEntries(t)) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %v", ts.spoolEntries(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
	var n int
	ts.s.db.QueryRow(`SELECT count(*) FROM submissions`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d submissions recorded", n)
	}
}

func (ts *testService) spoolEntries(t *testing.T) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(ts.dir, StateDir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestRevokedTokenRefusedAtOnce(t *testing.T) {
	ts := newService(t, nil)
	if code, _ := ts.call(t, "vt", "GET", "/api/v1/me", "/api/v1/me", nil, ""); code != 200 {
		t.Fatalf("before: %d", code)
	}
	// A province user's own province by name (the dashboard's header read
	// "Tỉnh 12").
	if code, b := ts.call(t, "laichau", "GET", "/api/v1/me", "/api/v1/me", nil, ""); code != 200 || !bytes.Contains(b, []byte(`"province_name": "Lai Châu"`)) {
		t.Errorf("province user's /me: %d %s", code, b)
	}
	if err := RevokeUser(context.Background(), ts.dir, "vt", time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, _ := ts.call(t, "vt", "GET", "/api/v1/me", "/api/v1/me", nil, ""); code != 401 {
		t.Fatalf("after revoke: %d", code)
	}
}

// The whole flow: validation, carrier_not_yours, certification, a release
// from certified submissions only, province scope, the diff.
func TestSubmitCertifyRelease(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	vil := ts.submit(t, "cuc", "villages", "villages.csv", f.villages)
	subs := ts.submit(t, "cuc", "subscriptions", "subscriptions.csv", f.subs)
	mixed := ts.submit(t, "vt", "measurements", "all.csv", f.measurements[""])
	vtm := ts.submitMultipart(t, "vt", "viettel-2024-10.csv", f.measurements["viettel"], "")
	vts := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])

	if s := ts.wait(t, "cuc", vil); s.Status != "accepted" || s.Accepted == 0 || s.Accepted != s.RowsRead {
		t.Fatalf("villages: %+v", s)
	}
	s := ts.wait(t, "vt", mixed)
	if s.Status != "refused" || len(s.Reasons) != 1 || s.Reasons[0].Reason != "carrier_not_yours" ||
		s.Reasons[0].Rows != s.Rejected || s.Rejected != int64(bytes.Count(f.measurements[""], []byte("\n"))-bytes.Count(f.measurements["viettel"], []byte("\n"))) {
		t.Fatalf("mixed file: %+v", s)
	}
	code, b := ts.call(t, "vt", "GET", fmt.Sprintf("/api/v1/submissions/%d/quarantine.csv", mixed), "/api/v1/submissions/{id}/quarantine.csv", nil, "")
	if code != 200 || int64(bytes.Count(b, []byte("\n"))) != s.Rejected+1 || !bytes.Contains(b, []byte(",carrier_not_yours,")) {
		t.Fatalf("quarantine: %d %.300s", code, b)
	}
	if s := ts.wait(t, "vt", vtm); s.Status != "accepted" || s.Filename != "viettel-2024-10.csv" {
		t.Fatalf("viettel measurements: %+v", s)
	}
	ts.wait(t, "vt", vts)

	// Scope: another carrier and a province never see viettel's submission.
	if code, _ := ts.call(t, "vnp", "GET", fmt.Sprintf("/api/v1/submissions/%d", vtm), "/api/v1/submissions/{id}", nil, ""); code != 403 {
		t.Fatalf("vinaphone reads viettel's: %d", code)
	}
	code, b = ts.call(t, "vnp", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, "")
	if code != 200 || !bytes.Contains(b, []byte(`"submissions": []`)) {
		t.Fatalf("vinaphone's list: %d %s", code, b)
	}
	if code, _ := ts.call(t, "laichau", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, ""); code != 403 {
		t.Fatalf("province lists submissions: %d", code)
	}
	if code := ts.certify(t, "vnp", vtm); code != 403 {
		t.Fatalf("vinaphone certifies viettel's: %d", code)
	}
	if code := ts.certify(t, "vt", mixed); code != 409 {
		t.Fatalf("certifying a refused submission: %d", code)
	}

	// Nothing certified: the release dataset is empty, a release fails.
	store, err := dataset.Open(ts.dir)
	if err != nil || len(store.Manifest().Sources) != 0 {
		t.Fatalf("validation wrote into the release dataset: %v", err)
	}
	if code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-10"}`), "application/json"); code != 409 ||
		!bytes.Contains(b, []byte("no measurements of 2024-10 in the certified data (it holds none of any month: certify a month's measurements first)")) {
		t.Fatalf("release without certified data: %d %s", code, b)
	}
	for _, c := range []struct {
		user string
		id   int64
	}{{"cuc", vil}, {"cuc", subs}, {"vt", vtm}, {"vt", vts}} {
		if code := ts.certify(t, c.user, c.id); code != 200 {
			t.Fatalf("certify %d: %d", c.id, code)
		}
	}
	store, _ = dataset.Open(ts.dir)
	if n := len(store.Manifest().Sources); n != 4 {
		t.Fatalf("%d sources after 4 certifications", n)
	}
	rep, err := store.Verify(context.Background())
	if err != nil || len(rep.Bad) != 0 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	r1 := ts.release(t, "2024-10")
	if r1.Status != "published" || len(r1.Submissions) != 4 {
		t.Fatalf("release 1: %+v", r1)
	}
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/villages", "/api/v1/releases/{period}/provinces/{code}/villages", nil, "")
	var vs struct {
		Villages []ReleaseVillage
		Name     string
		Assessed bool
	}
	json.Unmarshal(b, &vs)
	if code != 200 || len(vs.Villages) == 0 || !vs.Assessed || vs.Name != "Lai Châu" {
		t.Fatalf("villages: %d %.300s", code, b)
	}
	// A province none of whose villages is in the release: not assessed,
	// said so, not an empty all-clear.
	code, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/provinces/01/villages", "/api/v1/releases/{period}/provinces/{code}/villages", nil, "")
	var none struct {
		Villages []ReleaseVillage
		Assessed bool
		Note     string
	}
	if json.Unmarshal(b, &none); code != 200 || len(none.Villages) != 0 || none.Assessed || !strings.Contains(none.Note, "not assessed") {
		t.Fatalf("a province without villages: %d %.300s", code, b)
	}
	// Its dead zones, hexes and gaps say so too: their empty lists are
	// not an all-clear.
	for _, p := range []string{"/api/v1/releases/2024-10/provinces/01/deadzones.geojson", "/api/v1/releases/2024-10/provinces/01/hexes",
		"/api/v1/releases/2024-10/gaps", "/api/v1/releases/2024-10/campaign"} {
		code, b := ts.call(t, "hanoi", "GET", p, strings.NewReplacer("2024-10", "{period}", "/01/", "/{code}/").Replace(p), nil, "")
		type answer struct {
			Assessed *bool
			Note     string
		}
		var body answer
		if json.Unmarshal(b, &body); code != 200 || body.Assessed == nil || *body.Assessed || !strings.Contains(body.Note, "not assessed in release") {
			t.Errorf("%s of a province not assessed: %d %.300s", p, code, b)
		}
		code, b = ts.call(t, "laichau", "GET", strings.Replace(p, "/01/", "/12/", 1), strings.NewReplacer("2024-10", "{period}", "/01/", "/{code}/").Replace(p), nil, "")
		body = answer{}
		if json.Unmarshal(b, &body); code != 200 || body.Assessed == nil || !*body.Assessed || body.Note != "" {
			t.Errorf("%s of an assessed province: %d %.300s", p, code, b)
		}
	}
	for _, v := range vs.Villages {
		if v.Province != "12" {
			t.Fatalf("village of province %s in province 12's list", v.Province)
		}
	}
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/villages?format=csv", "/api/v1/releases/{period}/provinces/{code}/villages", nil, "")
	if code != 200 || bytes.Count(b, []byte("\n")) != len(vs.Villages)+1 {
		t.Fatalf("csv: %d lines for %d villages", bytes.Count(b, []byte("\n")), len(vs.Villages))
	}
	// The CSV names the province right after its code, as the JSON does.
	if recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil || recs[0][2] != "province" || recs[0][3] != "province_name" || recs[1][2] != "12" || recs[1][3] != "Lai Châu" {
		t.Errorf("csv: %v: the province is not named after its code:\n%.300s", err, b)
	}
	for _, c := range []struct {
		user, path string
		code       int
	}{
		{"laichau", "/api/v1/releases/2024-10/provinces/01/villages", 403},
		{"vt", "/api/v1/releases/2024-10/provinces/12/villages", 403},
		{"cuc", "/api/v1/releases/2024-10/provinces/99/villages", 404},
		{"cuc", "/api/v1/releases/2024-09/provinces/12/villages", 404},
	} {
		if code, _ := ts.call(t, c.user, "GET", c.path, "/api/v1/releases/{period}/provinces/{code}/villages", nil, ""); code != c.code {
			t.Errorf("%s %s: %d, want %d", c.user, c.path, code, c.code)
		}
	}
	// Each dead zone's provinces are named in province_names, in the
	// order of their codes.
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/deadzones.geojson", "/api/v1/releases/{period}/provinces/{code}/deadzones.geojson", nil, "")
	var dzs struct {
		Features []struct {
			Properties struct {
				Provinces     []string `json:"provinces"`
				ProvinceNames []string `json:"province_names"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &dzs); err != nil || code != 200 || len(dzs.Features) == 0 {
		t.Fatalf("deadzones: %d %v %.300s", code, err, b)
	}
	for _, f := range dzs.Features {
		if !slices.Equal(f.Properties.Provinces, []string{"12"}) || !slices.Equal(f.Properties.ProvinceNames, []string{"Lai Châu"}) {
			t.Fatalf("dead zone of provinces %q named %q, want 12 Lai Châu", f.Properties.Provinces, f.Properties.ProvinceNames)
		}
	}
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/hexes", "/api/v1/releases/{period}/provinces/{code}/hexes", nil, "")
	var hx struct {
		Province     string `json:"province"`
		ProvinceName string `json:"province_name"`
		Hexes        []ReleaseHex
	}
	json.Unmarshal(b, &hx)
	if code != 200 || len(hx.Hexes) == 0 {
		t.Fatalf("hexes: %d %.300s", code, b)
	}
	if hx.Province != "12" || hx.ProvinceName != "Lai Châu" {
		t.Errorf("hexes of province %q named %q, want 12 Lai Châu", hx.Province, hx.ProvinceName)
	}
	bests := map[string]int{}
	for _, h := range hx.Hexes {
		bests[h.Best]++
		if h.Province != "12" || len(h.States) == 0 {
			t.Fatalf("hex %+v", h)
		}
		// The outline is the cell's hexagon, its vertices to 6 decimals.
		if len(h.Boundary) != 6 {
			t.Fatalf("hex %s boundary %v: want 6 vertices", h.Cell, h.Boundary)
		}
		c, err := hexgrid.Parse(h.Cell)
		if err != nil {
			t.Fatal(err)
		}
		ring, err := c.Boundary()
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range h.Boundary {
			if math.Abs(p[0]-ring[i][0]) > 5e-7 || math.Abs(p[1]-ring[i][1]) > 5e-7 || p[0] != math.Round(p[0]*1e6)/1e6 || p[1] != math.Round(p[1]*1e6)/1e6 {
				t.Fatalf("hex %s vertex %d: %v, want %v to 6 decimals", h.Cell, i, p, ring[i])
			}
		}
	}
	if bests["covered"] == 0 || bests["uncovered"]+bests["weak"] == 0 {
		t.Errorf("best states of the province's hexes: %v", bests)
	}
	if code, _ := ts.call(t, "vt", "GET", "/api/v1/releases/2024-10/provinces/12/hexes", "/api/v1/releases/{period}/provinces/{code}/hexes", nil, ""); code != 403 {
		t.Errorf("carrier reads a province's hexes: %d", code)
	}
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/provinces/12/scorecard", "/api/v1/releases/{period}/provinces/{code}/scorecard", nil, "")
	var card struct {
		Name string
		Rows []struct {
			Area, Name, Period string
			Targets            []struct{ Target, Status string }
		}
	}
	json.Unmarshal(b, &card)
	if code != 200 || len(card.Rows) == 0 {
		t.Fatalf("scorecard: %d %.300s", code, b)
	}
	// The province is named beside its code, as lomsong scorecard names
	// it: in the answer and in each of its rows.
	if card.Name != "Lai Châu" {
		t.Errorf("scorecard of province 12 named %q, want Lai Châu", card.Name)
	}
	for _, r := range card.Rows {
		if r.Area != "12" {
			t.Fatalf("scorecard row of area %s for province 12", r.Area)
		}
		if r.Name != "Lai Châu" {
			t.Errorf("scorecard row %s of area 12 named %q, want Lai Châu", r.Period, r.Name)
		}
		if r.Period == "2024-10" && r.Targets[0].Status == "unknown" {
			t.Errorf("target 1 of the release's month is unknown: %+v", r.Targets[0])
		}
	}
	// The ministry's national figures add up the villages of the release;
	// no one else reads them.
	code, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/national", "/api/v1/releases/{period}/national", nil, "")
	var nat National
	if err := json.Unmarshal(b, &nat); code != 200 || err != nil {
		t.Fatalf("national: %d %v %.300s", code, err, b)
	}
	code, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/provinces", "/api/v1/releases/{period}/provinces", nil, "")
	var ps struct{ Provinces []ProvinceSummary }
	json.Unmarshal(b, &ps)
	// Every province is listed, those without villages in the release
	// as not assessed.
	if code != 200 || len(ps.Provinces) != 34 {
		t.Fatalf("provinces: %d %.300s", code, b)
	}
	want := National{Release: r1.Number, Period: "2024-10", Provinces: 34, Villages: nat.OutsideProvinces}
	for _, p := range ps.Provinces {
		if p.Assessed != (p.Villages > 0) {
			t.Errorf("province %s: %d villages, assessed %v", p.Code, p.Villages, p.Assessed)
		}
		if !p.Assessed {
			continue
		}
		want.ProvincesAssessed++
		want.Villages += p.Villages
		if p.WithoutSignal == 0 {
			want.ProvincesClear++
		}
	}
	deadHH := 0.0
	for _, v := range vs.Villages {
		if v.WithoutSignal {
			want.WithoutSignal++
			deadHH += v.Households
		}
	}
	if nat.Release != want.Release || nat.Period != want.Period || nat.Provinces != want.Provinces || nat.ProvincesAssessed != want.ProvincesAssessed ||
		nat.ProvincesClear != want.ProvincesClear || nat.Villages != want.Villages || nat.WithoutSignal != want.WithoutSignal ||
		nat.HouseholdsWithoutSignal != deadHH || nat.OutsideProvinces != 0 {
		t.Errorf("national figures %+v, want %+v and %g households without signal", nat, want, deadHH)
	}
	b, err = os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", r1.Number), "deadzones.geojson"))
	var zones struct {
		Features []struct {
			Properties struct {
				Households float64 `json:"households"`
			} `json:"properties"`
		} `json:"features"`
	}
	json.Unmarshal(b, &zones)
	zoneHH := 0.0
	for _, z := range zones.Features {
		zoneHH += z.Properties.Households
	}
	if err != nil || nat.DeadZones != len(zones.Features) || nat.DeadZones == 0 || nat.DeadZoneHouseholds != zoneHH || nat.DeadZoneAreaKm2 <= 0 {
		t.Errorf("national dead zones: %d, %g households, %g km²; the release's: %d, %g households (%v)", nat.DeadZones, nat.DeadZoneHouseholds, nat.DeadZoneAreaKm2, len(zones.Features), zoneHH, err)
	}
	// The national area is the zones' own areas summed (the manifest's
	// exact total), not their areas rounded to 0.1 km² each and summed.
	b, err = os.ReadFile(filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", r1.Number), "release.json"))
	var man struct {
		Totals map[string]float64 `json:"exact_totals"`
	}
	json.Unmarshal(b, &man)
	if a, ok := man.Totals["deadzones.area_km2"]; err != nil || !ok || nat.DeadZoneAreaKm2 != math.Round(a*10)/10 {
		t.Errorf("national dead-zone area %g km², the release's exact total %g (%v)", nat.DeadZoneAreaKm2, a, err)
	}
	if nat.Map == nil || len(nat.Map.Features) != 34 {
		t.Fatalf("national map: %+v", nat.Map)
	}
	for i, f := range nat.Map.Features {
		code := f.Properties.MustString("code", "")
		if i > 0 && code <= nat.Map.Features[i-1].Properties.MustString("code", "") {
			t.Errorf("national map: province %s after %s", code, nat.Map.Features[i-1].Properties.MustString("code", ""))
		}
		if code == "12" && f.Properties.MustInt("without_signal", -1) != want.WithoutSignal {
			t.Errorf("national map: Lai Châu's %v", f.Properties)
		}
	}
	for _, c := range []struct {
		user, path string
		code       int
	}{
		{"laichau", "/api/v1/releases/2024-10/national", 403},
		{"vt", "/api/v1/releases/2024-10/national", 403},
		{"cuc", "/api/v1/releases/2024-09/national", 404},
		{"vt", "/api/v1/releases/2024-10/provinces", 403},
	} {
		if code, b := ts.call(t, c.user, "GET", c.path, strings.Replace(strings.Replace(c.path, "2024-10", "{period}", 1), "2024-09", "{period}", 1), nil, ""); code != c.code {
			t.Errorf("%s %s: %d, want %d: %.200s", c.user, c.path, code, c.code, b)
		}
	}
	code, b = ts.call(t, "vt", "GET", "/api/v1/releases/2024-10/gaps", "/api/v1/releases/{period}/gaps", nil, "")
	var gaps struct{ Gaps []ReleaseGap }
	json.Unmarshal(b, &gaps)
	if code != 200 || len(gaps.Gaps) == 0 {
		t.Fatalf("viettel's gaps: %d %.300s", code, b)
	}
	for _, g := range gaps.Gaps {
		if g.Carrier != "viettel" {
			t.Fatalf("viettel sees a gap of %s", g.Carrier)
		}
		if g.Province != "12" || g.ProvinceName != "Lai Châu" {
			t.Fatalf("gap %s of province %q named %q, want 12 Lai Châu", g.Cell, g.Province, g.ProvinceName)
		}
	}
	// A province user's gaps name its province, as each gap does.
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/gaps", "/api/v1/releases/{period}/gaps", nil, "")
	var pgaps struct {
		Province     string `json:"province"`
		ProvinceName string `json:"province_name"`
		Gaps         []ReleaseGap
	}
	json.Unmarshal(b, &pgaps)
	if code != 200 || len(pgaps.Gaps) == 0 || pgaps.Province != "12" || pgaps.ProvinceName != "Lai Châu" || pgaps.Gaps[0].ProvinceName != "Lai Châu" {
		t.Fatalf("Lai Châu's gaps: %d %.300s", code, b)
	}
	if code, _ := ts.call(t, "vt", "GET", "/api/v1/releases/2024-10/gaps?carrier=vnpt", "/api/v1/releases/{period}/gaps", nil, ""); code != 403 {
		t.Fatalf("viettel asks for vinaphone's gaps: %d", code)
	}
	// A carrier user registered under a misspelt name: 404 naming the
	// release's carriers, not an empty "no gaps".
	if code, b := ts.call(t, "vtypo", "GET", "/api/v1/releases/2024-10/gaps", "/api/v1/releases/{period}/gaps", nil, ""); code != 200 ||
		!strings.Contains(string(b), `"assessed": false`) || !strings.Contains(string(b), `your carrier \"vietel\": not in release`) {
		t.Fatalf("gaps of a misspelt carrier user: %d %.300s", code, b)
	}
	// Asking for its own carrier by name is the same question: the same
	// answer (it was 404).
	if code, b := ts.call(t, "vtypo", "GET", "/api/v1/releases/2024-10/gaps?carrier=vietel", "/api/v1/releases/{period}/gaps", nil, ""); code != 200 ||
		!strings.Contains(string(b), `"assessed": false`) || !strings.Contains(string(b), `your carrier \"vietel\": not in release`) {
		t.Fatalf("gaps of a misspelt carrier user, its carrier named: %d %.300s", code, b)
	}
	// A misspelt carrier is not an empty list ("no gaps"): 404 naming the
	// release's carriers.
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/gaps?carrier=viettle", "/api/v1/releases/{period}/gaps", nil, ""); code != 404 ||
		!strings.Contains(string(b), `carrier \"viettle\": not in release `) || !strings.Contains(string(b), "(carriers: viettel)") {
		t.Fatalf("gaps of a misspelt carrier: %d %.300s", code, b)
	}
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/gaps?carrier=Viettel", "/api/v1/releases/{period}/gaps", nil, ""); code != 200 ||
		!strings.Contains(string(b), `"carrier": "viettel"`) {
		t.Fatalf("gaps of viettel asked by the ministry: %d %.300s", code, b)
	}
	if code, _ := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/diff", "/api/v1/releases/{period}/diff", nil, ""); code != 404 {
		t.Fatalf("diff of the first release: %d", code)
	}

	// VinaPhone's data arrive and are certified: a second release, and
	// villages newly served by it.
	m := ts.submit(t, "vnp", "measurements", "m.csv", f.measurements["vinaphone"])
	st := ts.submit(t, "vnp", "sites", "s.csv", f.sites["vinaphone"])
	ts.wait(t, "vnp", m)
	ts.wait(t, "vnp", st)
	ts.certify(t, "vnp", m)
	ts.certify(t, "vnp", st)
	r2 := ts.release(t, "2024-10")
	if r2.Status != "published" || r2.Number != r1.Number+1 || len(r2.Submissions) != 6 {
		t.Fatalf("release 2: %+v", r2)
	}
	// Only VinaPhone's measurement pass is made; Viettel's is read back,
	// and the stages after them rerun on the merged result (the
	// best-server search too: the register gained VinaPhone's sites).
	m2 := ts.manifest(t, r2)
	got := map[string]bool{}
	for _, st := range m2.Stages {
		got[st.Stage+" "+st.Carrier] = st.ReadBack
		if st.Current != st.ReadBack {
			t.Errorf("release 2 stage %+v: current %v beside read back %v (every current stage was needed)", st, st.Current, st.ReadBack)
		}
	}
	if want := map[string]bool{"measure viettel": true, "measure vinaphone": false, "evpredictions viettel": true, "evpredictions vinaphone": false, "predictions ": false, "coverage ": false, "deadzones ": false}; !maps.Equal(got, want) || m2.Passes != 1 {
		t.Errorf("release 2 after VinaPhone's dump: stages read back %v, want %v; %d passes, want 1", got, want, m2.Passes)
	}
	code, b = ts.call(t, "laichau", "GET", "/api/v1/releases/2024-10/diff", "/api/v1/releases/{period}/diff", nil, "")
	var d struct {
		PreviousRelease int64            `json:"previous_release"`
		ProvinceName    string           `json:"province_name"`
		NewlyDead       []ReleaseVillage `json:"newly_dead"`
		NewlyServed     []ReleaseVillage `json:"newly_served"`
	}
	json.Unmarshal(b, &d)
	if code != 200 || d.PreviousRelease != r1.Number || len(d.NewlyServed) == 0 {
		t.Fatalf("diff: %d %+v", code, d)
	}
	if d.ProvinceName != "Lai Châu" {
		t.Errorf("Lai Châu's diff names its province %q", d.ProvinceName)
	}
	for _, v := range append(d.NewlyServed, d.NewlyDead...) {
		if v.Province != "12" || v.ProvinceName != "Lai Châu" {
			t.Errorf("diff: village %s of province %q named %q, want 12 Lai Châu", v.ID, v.Province, v.ProvinceName)
		}
	}
	// The release files name each province beside its code; a release
	// published before they did is answered with the names all the
	// same: release 2's files lose theirs for a while.
	dir2 := filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", r2.Number))
	named := regexp.MustCompile(`"province_names?": *(?:"[^"]*"|\[[^\]]*\]),?`)
	kept := map[string][]byte{}
	for _, name := range []string{"villages.json", "gaps.json", "deadzones.geojson"} {
		old, err := os.ReadFile(filepath.Join(dir2, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(old, []byte(`"Lai Châu"`)) || !named.Match(old) {
			t.Fatalf("release 2's %s does not name its provinces: %.300s", name, old)
		}
		kept[name] = old
		if err := os.WriteFile(filepath.Join(dir2, name), named.ReplaceAll(old, nil), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ path, route, want string }{
		{"/api/v1/releases/2024-10/diff", "/api/v1/releases/{period}/diff", `"province_name": "Lai Châu"`},
		{"/api/v1/releases/2024-10/gaps", "/api/v1/releases/{period}/gaps", `"province_name": "Lai Châu"`},
		{"/api/v1/releases/2024-10/provinces/12/villages", "/api/v1/releases/{period}/provinces/{code}/villages", `"province_name": "Lai Châu"`},
		{"/api/v1/releases/2024-10/provinces/12/deadzones.geojson", "/api/v1/releases/{period}/provinces/{code}/deadzones.geojson", `"province_names":["Lai Châu"]`},
	} {
		code, b := ts.call(t, "laichau", "GET", c.path, c.route, nil, "")
		if code != 200 || !strings.Contains(string(b), c.want) {
			t.Errorf("%s of a release whose files name no province: %d, no %s: %.300s", c.path, code, c.want, b)
		}
	}
	for name, old := range kept {
		if err := os.WriteFile(filepath.Join(dir2, name), old, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The ministry asks for one province's diff (its province page did, and
	// got every province's villages on each): ?province=, as the campaign.
	code, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/diff?province=12", "/api/v1/releases/{period}/diff", nil, "")
	var dm struct {
		NewlyDead   []ReleaseVillage `json:"newly_dead"`
		NewlyServed []ReleaseVillage `json:"newly_served"`
		Assessed    *bool            `json:"assessed"`
	}
	json.Unmarshal(b, &dm)
	if code != 200 || len(dm.NewlyServed) != len(d.NewlyServed) || len(dm.NewlyDead) != len(d.NewlyDead) || dm.Assessed == nil || !*dm.Assessed {
		t.Fatalf("ministry's diff of province 12: %d %.300s", code, b)
	}
	code, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/diff?province=01", "/api/v1/releases/{period}/diff", nil, "")
	dm.Assessed = nil
	json.Unmarshal(b, &dm)
	if code != 200 || len(dm.NewlyServed)+len(dm.NewlyDead) != 0 || dm.Assessed == nil || *dm.Assessed {
		t.Fatalf("ministry's diff of Hà Nội (not in the release): %d %.300s", code, b)
	}
	for _, c := range []struct {
		user, path string
		code       int
	}{
		{"laichau", "/api/v1/releases/2024-10/diff?province=01", 403},
		{"cuc", "/api/v1/releases/2024-10/diff?province=99", 404},
	} {
		if code, b := ts.call(t, c.user, "GET", c.path, "/api/v1/releases/{period}/diff", nil, ""); code != c.code {
			t.Errorf("%s %s: %d, want %d (%.200s)", c.user, c.path, code, c.code, b)
		}
	}
	// The frozen release is read-only.
	rdir := filepath.Join(ts.dir, StateDir, "releases", fmt.Sprintf("%04d-2024-10", r1.Number))
	if fi, err := os.Stat(filepath.Join(rdir, "villages.json")); err != nil || fi.Mode().Perm()&0o222 != 0 {
		t.Fatalf("release file mode: %v %v", fi, err)
	}
	// The audit log has every write, and refuses to be rewritten (a
	// failed release's release.failed: TestReleaseStoppedByClose and
	// TestReleaseFailedAtStartAudited).
	code, b = ts.call(t, "cuc", "GET", "/api/v1/audit", "/api/v1/audit", nil, "")
	for _, a := range []string{"submission.create", "submission.refused", "submission.certify", "release.published"} {
		if !bytes.Contains(b, []byte(`"`+a+`"`)) {
			t.Errorf("audit lacks %s", a)
		}
	}
	if _, err := ts.s.db.Exec(`UPDATE audit SET user = 'x'`); err == nil {
		t.Fatal("the audit log was rewritten")
	}
	if _, err := ts.s.db.Exec(`DELETE FROM audit`); err == nil {
		t.Fatal("the audit log was deleted")
	}
	code, b = ts.call(t, "cuc", "GET", "/metrics", "/metrics", nil, "")
	if code != 200 || !bytes.Contains(b, []byte(`lomsong_http_requests_total{code="202",route="POST /api/v1/submissions"}`)) ||
		!bytes.Contains(b, []byte("lomsong_jobs_queued 0")) {
		t.Fatalf("metrics: %d %.500s", code, b)
	}
	if code, _ := ts.call(t, "", "GET", "/api/v1/openapi.json", "/api/v1/openapi.json", nil, ""); code != 200 {
		t.Fatal("openapi")
	}
}

// Four carriers upload at once; every upload lands and is validated.
func TestConcurrentCarriers(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ctx := context.Background()
	_, t4, err := AddUser(ctx, ts.dir, NewUser{Name: "vnm2", Role: RoleCarrier, Carrier: "vietnamobile"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ts.tokens["vnm2"] = t4
	users := map[string]string{"vt": "viettel", "vnp": "vinaphone", "mobi": "mobifone", "vnm2": "vietnamobile"}
	ids := make(chan [2]string, 8)
	var wg sync.WaitGroup
	for u, c := range users {
		for _, kind := range []string{"measurements", "sites"} {
			data := f.measurements[c]
			if kind == "sites" {
				data = f.sites[c]
			}
			if data == nil {
				t.Fatalf("no %s for %s in the fixture", kind, c)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := ts.submit(t, u, kind, c+"-"+kind+".csv", data)
				ids <- [2]string{u, fmt.Sprint(id)}
			}()
		}
	}
	wg.Wait()
	close(ids)
	n := 0
	for p := range ids {
		var id int64
		fmt.Sscan(p[1], &id)
		if s := ts.wait(t, p[0], id); s.Status != "accepted" || s.Rejected != 0 {
			t.Errorf("%s's submission %d: %+v", p[0], id, s)
		}
		n++
	}
	if n != 8 {
		t.Fatalf("%d of 8 uploads landed", n)
	}
}

// An upload cut off mid-body leaves no file and no submission. Its
// client went away: the request is logged as that, with nginx's 499
// ("client closed request"), not as a malformed body (400) — whether the
// body had a length (the raw file, a multipart form) or came in chunks.
func TestCutUploadLeavesNothing(t *testing.T) {
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	rows := bytes.Repeat([]byte("ts,carrier\n"), 1000)
	for _, c := range []struct{ name, headers, body string }{
		{"a raw body", "Content-Length: 1000000", string(rows)},
		{"a chunked body", "Transfer-Encoding: chunked", fmt.Sprintf("%x\r\n", 2*len(rows)) + string(rows)},
		{"a multipart body", "Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 1000000",
			"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"vt.csv\"\r\n\r\n" + string(rows)},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /api/v1/submissions?kind=measurements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s\r\n\r\n%s", ts.tokens["vt"], c.headers, c.body)
		time.Sleep(100 * time.Millisecond)
		conn.Close()
		ts.nothingQueued(t)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), `"status":499`) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		l := logs.String()
		if !strings.Contains(l, `"status":499`) || !strings.Contains(l, "the client went away before the end of its body") || strings.Contains(l, `"status":400`) {
			t.Fatalf("%s cut off: logged\n%s\nwant status 499 saying the client went away, not 400", c.name, l)
		}
		logs.mu.Lock()
		logs.b.Reset()
		logs.mu.Unlock()
	}
}

// TestStalledUploadRefused: an upload that sends nothing for the idle
// limit is answered 408 saying it stalled, and leaves nothing queued or in
// the spool; one that keeps sending, however slowly and for longer than the
// limit in all, is received. A stalled upload held its connection and spool
// file until the client went away, for ever if it never did.
func TestStalledUploadRefused(t *testing.T) {
	f := world(t)
	const idle = 300 * time.Millisecond
	ts := newService(t, func(o *Options) { o.UploadIdle = idle })
	addr := strings.TrimPrefix(ts.ts.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/submissions?kind=measurements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 1000000\r\n\r\n", ts.tokens["vt"])
	conn.Write(bytes.Repeat([]byte("ts,carrier\n"), 100))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled upload: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !bytes.Contains(b, []byte("the upload stalled, nothing arrived for 300ms")) {
		t.Fatalf("a stalled upload: %d %s", resp.StatusCode, b)
	}
	ts.nothingQueued(t)
	// A slow upload: a piece every 100 ms, 3 idle limits in all.
	data := f.measurements["viettel"]
	pr, pw := io.Pipe()
	go func() {
		step := len(data)/9 + 1
		for i := 0; i < len(data); i += step {
			pw.Write(data[i:min(i+step, len(data))])
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", ts.ts.URL+"/api/v1/submissions?kind=measurements&name=slow.csv", pr)
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", "Bearer "+ts.tokens["vt"])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a slow upload that never stalls: %d %s", resp.StatusCode, b)
	}
}

// A job left validating by a killed run is run again on the next start,
// and leftovers of uploads and orphaned spool folders are removed.
func TestRestartRequeues(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	first := ts.wait(t, "vt", id)
	ts.ts.Close()
	ts.s.Close()
	// As a kill -9 during validation leaves it: status validating, a
	// half-written staging dataset, an upload in progress, a spool folder
	// whose row never committed.
	st, err := openState(context.Background(), ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Exec(`UPDATE submissions SET status = 'validating', accepted = 0 WHERE id = ?`, id)
	st.Close()
	staging := filepath.Join(ts.dir, StateDir, "submissions", fmt.Sprint(id))
	os.WriteFile(filepath.Join(staging, "junk"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(ts.dir, StateDir, "spool", ".upload-123"), 0o755)
	os.MkdirAll(filepath.Join(ts.dir, StateDir, "spool", "99"), 0o755)
	s2, err := New(context.Background(), Options{Dataset: ts.dir, Logger: quietLogger(), RatePerSecond: 1e6, Burst: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	srv := httptest.NewServer(s2.Handler())
	defer srv.Close()
	ts2 := &testService{s: s2, ts: srv, dir: ts.dir, tokens: ts.tokens}
	again := ts2.wait(t, "vt", id)
	if again.Status != "accepted" || again.Accepted != first.Accepted {
		t.Fatalf("re-run: %+v, first %+v", again, first)
	}
	if _, err := os.Stat(filepath.Join(staging, "junk")); err == nil {
		t.Fatal("the staging dataset was not rebuilt")
	}
	if e := ts2.spoolEntries(t); len(e) != 1 || e[0] != fmt.Sprint(id) {
		t.Fatalf("spool after recovery: %v", e)
	}
	// A job that was interrupted maxAttempts times is failed, not re-run.
	srv.Close()
	s2.Close()
	st, _ = openState(context.Background(), ts.dir)
	st.Exec(`UPDATE submissions SET status = 'validating', attempts = ? WHERE id = ?`, maxAttempts, id)
	st.Close()
	s3, err := New(context.Background(), Options{Dataset: ts.dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	var status, msg string
	s3.db.QueryRow(`SELECT status, error FROM submissions WHERE id = ?`, id).Scan(&status, &msg)
	if status != "failed" || !strings.Contains(msg, "interrupted 3 times") {
		t.Fatalf("after %d interruptions: %s %q", maxAttempts, status, msg)
	}
	// Recorded in the audit log as every failed validation is.
	var who, detail string
	if err := s3.db.QueryRow(`SELECT user, detail FROM audit WHERE action = 'submission.failed' AND target = ?`, fmt.Sprint(id)).Scan(&who, &detail); err != nil ||
		who != "service" || !strings.Contains(detail, "interrupted 3 times") {
		t.Fatalf("audit of the failure after %d interruptions: %q %q %v", maxAttempts, who, detail, err)
	}
	// A failure is the service's, and its answer says so by its
	// error_code too, as the documentation and openapi.json promise.
	srv3 := httptest.NewServer(s3.Handler())
	defer srv3.Close()
	ts3 := &testService{s: s3, ts: srv3, dir: ts.dir, tokens: ts.tokens}
	if sub := ts3.wait(t, "vt", id); sub.Status != "failed" || sub.ErrorCode != "service" {
		t.Fatalf("failed after %d interruptions: %+v", maxAttempts, sub)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2, 3) // 2 per second, burst 3
	t0 := time.Unix(0, 0)
	for i := 0; i < 3; i++ {
		if _, ok := l.allow("a", t0); !ok {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	wait, ok := l.allow("a", t0)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th: ok %v wait %v", ok, wait)
	}
	if _, ok := l.allow("a", t0.Add(500*time.Millisecond)); !ok {
		t.Fatal("refill of one after 0.5 s")
	}
	if _, ok := l.allow("b", t0); !ok {
		t.Fatal("another key shares the bucket")
	}
}

func TestDiffVillages(t *testing.T) {
	old := []ReleaseVillage{{ID: "a", WithoutSignal: true}, {ID: "b"}, {ID: "c", WithoutSignal: true}}
	cur := []ReleaseVillage{{ID: "d", WithoutSignal: true}, {ID: "a"}, {ID: "b", WithoutSignal: true}, {ID: "c", WithoutSignal: true}, {ID: "e"}}
	d := diffVillages(old, cur, func(ReleaseVillage) bool { return true })
	if len(d.dead) != 2 || d.dead[0].ID != "b" || d.dead[1].ID != "d" || len(d.served) != 1 || d.served[0].ID != "a" {
		t.Fatalf("%+v", d)
	}
}

// The Authorization scheme's name is case-insensitive (RFC 9110 §11.1).
func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		h, token string
		ok       bool
	}{
		{"Bearer abc", "abc", true}, {"bearer abc", "abc", true}, {"BEARER  abc ", "abc", true},
		{"Basic abc", "", false}, {"Bearer ", "", false}, {"Bearer", "", false}, {"", "", false}, {"Bearerabc", "", false},
	} {
		if token, ok := bearerToken(c.h); token != c.token || ok != c.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", c.h, token, ok, c.token, c.ok)
		}
	}
}

// A path served for other methods answers 405 with an Allow header (and
// OPTIONS 204 with it), not "no such resource"; an unknown path is 404. A
// release request with more than its one JSON object is refused, as one
// with an unknown field is.
func TestMethodsAndStrictBodies(t *testing.T) {
	ts := newService(t, nil)
	do := func(method, path, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, ts.ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+ts.tokens["cuc"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, c := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{"DELETE", "/api/v1/releases", 405, "GET, HEAD, POST, OPTIONS"},
		{"PUT", "/api/v1/releases", 405, "GET, HEAD, POST, OPTIONS"},
		{"GET", "/api/v1/submissions/1/certify", 405, "POST, OPTIONS"},
		{"POST", "/api/v1/releases/2024-10/national", 405, "GET, HEAD, OPTIONS"},
		{"OPTIONS", "/api/v1/releases", 204, "GET, HEAD, POST, OPTIONS"},
		{"GET", "/api/v1/nothing", 404, ""},
		{"OPTIONS", "/api/v1/nothing", 404, ""},
	} {
		resp := do(c.method, c.path, "")
		if resp.StatusCode != c.code || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.code, c.allow)
		}
	}
	for _, body := range []string{`{"period":"2024-10"}{"period":"2030-01"}`, `{"period":"2024-10"} junk`, `{"period":"2024-10"}]`} {
		if resp := do("POST", "/api/v1/releases", body); resp.StatusCode != 400 {
			t.Errorf("release body %s: %d, want 400", body, resp.StatusCode)
		}
	}
}

// TestRetractedSubmission: a certified submission retracted from the
// release dataset on the command line (lomsong dataset retract) is shown
// as retracted, is not listed by the next release, and certifying it
// again merges it back.
func TestRetractedSubmission(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	ids := map[string]int64{
		"villages": ts.submit(t, "cuc", "villages", "villages.csv", f.villages),
		"subs":     ts.submit(t, "cuc", "subscriptions", "subscriptions.csv", f.subs),
		"meas":     ts.submit(t, "vt", "measurements", "viettel-2024-10.csv", f.measurements["viettel"]),
		"sites":    ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"]),
	}
	for _, name := range []string{"villages", "subs", "meas", "sites"} {
		id, user := ids[name], "cuc"
		if name == "meas" || name == "sites" {
			user = "vt"
		}
		if s := ts.wait(t, user, id); s.Status != "accepted" {
			t.Fatalf("%s: %+v", name, s)
		}
		if code := ts.certify(t, user, id); code != 200 {
			t.Fatalf("certify %s: %d", name, code)
		}
	}
	if rl := ts.release(t, "2024-10"); rl.Status != "published" || len(rl.Submissions) != 4 {
		t.Fatalf("release 1: %+v", rl)
	}
	meas := ts.wait(t, "vt", ids["meas"])
	if _, err := dataset.Retract(ts.dir, meas.SHA256, "read with the wrong time zone", time.Now()); err != nil {
		t.Fatal(err)
	}
	if s := ts.wait(t, "vt", ids["meas"]); s.Status != "retracted" || s.Note != retractedNote {
		t.Fatalf("after the retraction: %+v", s)
	}
	code, b := ts.call(t, "vt", "GET", "/api/v1/submissions", "/api/v1/submissions", nil, "")
	if code != 200 || !bytes.Contains(b, []byte(`"status": "retracted"`)) {
		t.Fatalf("list: %d %s", code, b)
	}
	// The month's only measurements are gone: the release is refused for
	// want of them when asked for (TestReleaseListsTheSubmissionsItRead:
	// a release lists what it read).
	code, b = ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-10"}`), "application/json")
	if code != http.StatusConflict || !bytes.Contains(b, []byte("no measurements of 2024-10 in the certified data")) {
		t.Fatalf("a release without the retracted measurements: %d %s", code, b)
	}
	if code := ts.certify(t, "vt", ids["meas"]); code != 200 {
		t.Fatalf("certify again: %d", code)
	}
	if store, err := dataset.Open(ts.dir); err != nil {
		t.Fatal(err)
	} else if _, ok := store.Lookup(meas.SHA256); !ok {
		t.Fatal("certifying again did not merge the submission back")
	}
	if s := ts.wait(t, "vt", ids["meas"]); s.Status != "certified" || s.Note != "" {
		t.Fatalf("after certifying again: %+v", s)
	}
	if rl := ts.release(t, "2024-10"); rl.Status != "published" || len(rl.Submissions) != 4 {
		t.Fatalf("release 3: %+v", rl)
	}
}

// A release request over the JSON limit is 413 wherever its bytes are,
// before the object or after it; something else after it is 400.
func TestReleaseBodyLimit(t *testing.T) {
	ts := newService(t, nil)
	pad := strings.Repeat(" ", maxJSONBody+10)
	for _, c := range []struct {
		name, body string
		code       int
	}{
		{"padding before", pad + `{"period":"2024-10"}`, 413},
		{"padding after", `{"period":"2024-10"}` + pad, 413},
		{"more after", `{"period":"2024-10"} {}`, 400},
	} {
		if code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(c.body), "application/json"); code != c.code {
			t.Errorf("%s: %d, want %d: %.200s", c.name, code, c.code, b)
		}
	}
}

// TestReleaseOfAnEarlierMonth: a month published after a later one (a
// late dump's release) is compared with the release before it in time,
// never with the later month's; it lists only the submissions that can
// feed it (not the later month's measurements); and the later month's
// release, published before it, is not compared with it: a published
// release's diff stays as it was published (it took the earlier month
// published since as its base, and changed).
func TestReleaseOfAnEarlierMonth(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	var ids []int64
	for _, s := range []struct {
		user, kind, name string
		data             []byte
	}{
		{"cuc", "villages", "villages.csv", f.villages},
		{"cuc", "subscriptions", "subscriptions.csv", f.subs},
		{"vt", "sites", "sites.csv", f.sites["viettel"]},
		{"vt", "measurements", "oct.csv", f.measurements["viettel"]},
	} {
		id := ts.submit(t, s.user, s.kind, s.name, s.data)
		if st := ts.wait(t, s.user, id); st.Status != "accepted" {
			t.Fatalf("%s: %+v", s.name, st)
		}
		if code := ts.certify(t, s.user, id); code != 200 {
			t.Fatalf("certify %s: %d", s.name, code)
		}
		ids = append(ids, id)
	}
	oct := ids[3]
	r1 := ts.release(t, "2024-10")
	if r1.Status != "published" {
		t.Fatalf("October: %+v", r1)
	}
	sept := ts.submit(t, "vt", "measurements", "sept.csv", bytes.ReplaceAll(f.measurements["viettel"], []byte("2024-10-"), []byte("2024-09-")))
	if st := ts.wait(t, "vt", sept); st.Status != "accepted" {
		t.Fatalf("September: %+v", st)
	}
	ts.certify(t, "vt", sept)
	// The 202 lists by the build's rule: not October's measurements.
	code, b := ts.call(t, "cuc", "POST", "/api/v1/releases", "/api/v1/releases", strings.NewReader(`{"period":"2024-09"}`), "application/json")
	var started Release
	if json.Unmarshal(b, &started); code != http.StatusAccepted || slices.Contains(started.Submissions, oct) || !slices.Contains(started.Submissions, sept) {
		t.Fatalf("September's release as started: %d %s", code, b)
	}
	r2 := ts.waitRelease(t, started.Number)
	if r2.Status != "published" || slices.Contains(r2.Submissions, oct) || !slices.Contains(r2.Submissions, sept) || !slices.Contains(r2.Submissions, ids[0]) {
		t.Fatalf("September's release, published after October's: %+v (October's measurements are submission %d)", r2, oct)
	}
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/releases/2024-09/diff", "/api/v1/releases/{period}/diff", nil, ""); code != 404 {
		t.Fatalf("September's diff compared with a later month: %d %.300s", code, b)
	}
	code, b = ts.call(t, "cuc", "GET", "/api/v1/releases/2024-10/diff", "/api/v1/releases/{period}/diff", nil, "")
	if code != http.StatusNotFound || !strings.Contains(string(b), "no earlier month's was published before it") {
		t.Fatalf("October's diff, September published after it: %d %.300s, want 404", code, b)
	}
}

// TestResubmissions: the same bytes submitted and certified twice are
// certified once more with a note that nothing was added; the same bytes
// with another reading (a time zone) are refused at certification (409)
// and show as refused with the reason, not awaiting certification for
// ever.
func TestResubmissions(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	data := f.measurements["viettel"]
	first := ts.submit(t, "vt", "measurements", "a.csv", data)
	ts.wait(t, "vt", first)
	if code := ts.certify(t, "vt", first); code != 200 {
		t.Fatalf("certify: %d", code)
	}
	again := ts.submit(t, "vt", "measurements", "a-again.csv", data)
	ts.wait(t, "vt", again)
	// The certification's answer says what a GET says right after: it
	// added nothing. So does certifying it once more.
	for range 2 {
		code, b := ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", again), "/api/v1/submissions/{id}/certify", nil, "")
		var answer Submission
		if err := json.Unmarshal(b, &answer); err != nil || code != 200 || answer.Status != "certified" ||
			answer.Note != fmt.Sprintf("the same bytes as submission %d, certified before it: certifying it added nothing", first) {
			t.Fatalf("certify the same bytes again: %d %s", code, b)
		}
		if s := ts.wait(t, "vt", again); s.Status != "certified" || s.Note != answer.Note {
			t.Fatalf("the same bytes again: GET %+v, certify answered %q", s, answer.Note)
		}
	}
	if s := ts.wait(t, "vt", first); s.Note != "" {
		t.Fatalf("the first submission: %+v", s)
	}
	crlf := ts.submit(t, "vt", "measurements", "a-crlf.csv", bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
	ts.wait(t, "vt", crlf)
	ts.certify(t, "vt", crlf)
	if s := ts.wait(t, "vt", crlf); s.Status != "certified" || !strings.Contains(s.Note, "the same rows as a.csv") {
		t.Fatalf("the same rows with CRLF: %+v", s)
	}
	// The audit log, the record, tells the same bytes from the same rows
	// in other bytes (it said "these bytes" for both).
	var again1, crlf1 string
	ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(again)).Scan(&again1)
	ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(crlf)).Scan(&crlf1)
	if !strings.Contains(again1, "these bytes were in the dataset already as a.csv") || !strings.Contains(crlf1, "the same rows, in other bytes, were in the dataset already as a.csv") {
		t.Errorf("audit: same bytes %q; CRLF %q", again1, crlf1)
	}

	utc := ts.submitMultipart(t, "vt", "a-utc.csv", data, `{"kind": "measurements", "timezone": "UTC"}`)
	if s := ts.wait(t, "vt", utc); s.Status != "accepted" {
		t.Fatalf("another reading, validated: %+v", s)
	}
	// The refusal says what to do: take the dataset's reading out, then
	// certify again.
	sum := sha256.Sum256(data)
	advice := fmt.Sprintf("to certify it with this reading instead, the dataset's operator takes the first reading out with lomsong dataset retract %s %x, then certify it again", ts.dir, sum[:8])
	if code, b := ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", utc), "/api/v1/submissions/{id}/certify", nil, ""); code != 409 || !bytes.Contains(b, []byte(advice)) {
		t.Fatalf("certify another reading: %d %s", code, b)
	}
	if s := ts.wait(t, "vt", utc); s.Status != "refused" || s.ErrorCode != "certification_refused" || !strings.HasPrefix(s.Error, "certification refused: ") || !strings.Contains(s.Error, advice) {
		t.Fatalf("another reading after its certification was refused: %+v", s)
	}
	code, b := ts.call(t, "cuc", "GET", "/api/v1/audit", "/api/v1/audit", nil, "")
	if code != 200 || !bytes.Contains(b, []byte(`"submission.certify_refused"`)) {
		t.Fatalf("audit: %d %.300s", code, b)
	}
	// Done as it says, certifying again puts this reading in.
	if _, err := dataset.Retract(ts.dir, fmt.Sprintf("%x", sum[:8]), "read in the wrong time zone", time.Now()); err != nil {
		t.Fatal(err)
	}
	if code := ts.certify(t, "vt", utc); code != 200 {
		t.Fatalf("certify again after the retraction: %d", code)
	}
	if s := ts.wait(t, "vt", utc); s.Status != "certified" || s.Error != "" || s.ErrorCode != "" || s.Note != "" {
		t.Fatalf("certified after the retraction: %+v", s)
	}
}

// reopen closes ts's service, as a stop does, and starts another on its
// dataset with the same users.
func (ts *testService) reopen(t *testing.T) *testService {
	t.Helper()
	return ts.reopenWith(t, nil)
}

// reopenWith is reopen with the options mod sets.
func (ts *testService) reopenWith(t *testing.T, mod func(*Options)) *testService {
	t.Helper()
	ts.ts.Close()
	ts.s.Close()
	opt := Options{Dataset: ts.dir, Logger: quietLogger(), RatePerSecond: 1e6, Burst: 1 << 20}
	if mod != nil {
		mod(&opt)
	}
	s, err := New(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return &testService{s: s, ts: srv, dir: ts.dir, tokens: ts.tokens}
}

// TestAuditPages: the audit log is read page by page, newest first: a page
// with older entries left says where they are (next), following it reaches
// the first entry with none missed or repeated, and the last page has no
// next. It was cut at the newest 1000 entries (100,000 at most) with
// nothing said.
func TestAuditPages(t *testing.T) {
	ts := newService(t, nil)
	var total int
	ts.s.db.QueryRow(`SELECT count(*) FROM audit`).Scan(&total)
	if total < 5 {
		t.Fatalf("only %d audit entries to page", total)
	}
	var seqs []int64
	path := "/api/v1/audit?limit=3"
	for pages := 0; path != ""; pages++ {
		if pages > total {
			t.Fatalf("no end to the pages: %s", path)
		}
		code, b := ts.call(t, "cuc", "GET", path, "/api/v1/audit", nil, "")
		var page struct {
			Entries []struct{ Seq int64 }
			Next    string
		}
		if err := json.Unmarshal(b, &page); err != nil || code != 200 || len(page.Entries) == 0 || len(page.Entries) > 3 {
			t.Fatalf("%s: %d %s", path, code, b)
		}
		for _, e := range page.Entries {
			seqs = append(seqs, e.Seq)
		}
		path = page.Next
	}
	if len(seqs) != total {
		t.Fatalf("the pages hold %d entries of %d: %v", len(seqs), total, seqs)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] >= seqs[i-1] {
			t.Fatalf("not newest first, or repeated: %v", seqs)
		}
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if code, b := ts.call(t, "cuc", "GET", "/api/v1/audit?before="+bad, "/api/v1/audit", nil, ""); code != 400 || !strings.Contains(string(b), "before") {
			t.Errorf("before=%s: %d %s", bad, code, b)
		}
	}
}

// TestTrailingSlashNamesThePath: a route's path with a slash added, or not
// in canonical form (//, ., ..), is a JSON 404 saying the route's path, for
// any method (an upload is neither redirected to be sent twice nor
// answered with an empty redirect); a path that is no route's either way
// says nothing more.
func TestTrailingSlashNamesThePath(t *testing.T) {
	ts := newService(t, nil)
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/api/v1/submissions/", "the path is /api/v1/submissions, without the trailing slash"},
		{"POST", "/api/v1/submissions/", "the path is /api/v1/submissions, without the trailing slash"},
		{"GET", "/api/v1/releases/2024-10/provinces/12/villages/", "the path is /api/v1/releases/2024-10/provinces/12/villages, without"},
		// Paths not in canonical form: the mux answered them with a
		// redirect and no body, so curl -X POST of an upload exited 0
		// with nothing sent.
		{"POST", "/api/v1//submissions?kind=measurements", "no such resource: POST /api/v1//submissions; the path is /api/v1/submissions"},
		{"GET", "/api/v1/./me", "the path is /api/v1/me"},
		{"GET", "/api/v1/releases/../me", "the path is /api/v1/me"},
		{"GET", "/api/v1/me//", "the path is /api/v1/me"},
		// Not /api/v1/submissions/quarantine.csv, submission
		// "quarantine.csv": the id left out is not guessed.
		{"GET", "/api/v1/submissions//quarantine.csv", "no such resource: GET /api/v1/submissions//quarantine.csv: the path has an empty, . or .. element"},
		{"GET", "/api/v1/releases/2024-10/provinces/12//villages", "the path has an empty, . or .. element"},
	} {
		req, err := http.NewRequest(c.method, ts.ts.URL+c.path, strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Opaque = strings.SplitN(c.path, "?", 2)[0] // sent as written, not cleaned
		req.Header.Set("Authorization", "Bearer "+ts.tokens["cuc"])
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(b), c.want) {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/nothing/", "", nil, ""); code != 404 || strings.Contains(string(b), "trailing") {
		t.Errorf("GET /api/v1/nothing/: %d %s", code, b)
	}
}

// TestUploadAgainSaysSo: the same file uploaded again (curl retried after
// a timeout) is a new submission, and its 202 says which earlier ones hold
// the same bytes, so the sender knows before two identical rows show in
// its list; another carrier never hears of them, the ministry does.
func TestUploadAgainSaysSo(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	data := f.measurements["viettel"]
	upload := func(user, name string) (int64, string) {
		t.Helper()
		code, b := ts.call(t, user, "POST", "/api/v1/submissions?kind=measurements&name="+name, "/api/v1/submissions", bytes.NewReader(data), "text/csv")
		var q struct {
			ID   int64
			Note string
		}
		if err := json.Unmarshal(b, &q); err != nil || code != http.StatusAccepted {
			t.Fatalf("upload %s as %s: %d %s", name, user, code, b)
		}
		return q.ID, q.Note
	}
	first, note := upload("vt", "a.csv")
	if note != "" {
		t.Fatalf("the first upload: note %q", note)
	}
	again, note := upload("vt", "a.csv")
	if again == first || !strings.Contains(note, fmt.Sprintf("the same bytes as submission %d (a.csv, received ", first)) || !strings.Contains(note, "adds the rows once") {
		t.Fatalf("the same file again, submission %d: note %q", again, note)
	}
	if _, note := upload("mobi", "a.csv"); note != "" {
		t.Errorf("another carrier told of viettel's submissions: %q", note)
	}
	_, note = upload("cuc", "a.csv")
	if !strings.Contains(note, fmt.Sprintf("submissions %d (a.csv, received ", first)) || !strings.Contains(note, fmt.Sprintf(", %d (a.csv, received ", again)) {
		t.Errorf("the ministry's upload of the same bytes: note %q", note)
	}
	// Another kind of the same bytes is another file to lomsong.
	code, b := ts.call(t, "vt", "POST", "/api/v1/submissions?kind=sites&name=a.csv", "/api/v1/submissions", bytes.NewReader(data), "text/csv")
	if code != http.StatusAccepted || bytes.Contains(b, []byte("note")) {
		t.Errorf("the same bytes as sites: %d %s", code, b)
	}
}

// TestSameBytesNoteNamesTheCertifiedFirst: of two submissions of the same
// bytes, the note "added nothing" goes to the one certified second and
// names the one certified first, whatever their ids; the audit log, the
// record, agrees. Bytes that came into the dataset with lomsong ingest
// are named by their file. A state database written before the service
// recorded which certification added the rows is read the same, from its
// audit log.
func TestSameBytesNoteNamesTheCertifiedFirst(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	data := f.measurements["viettel"]
	older := ts.submit(t, "vt", "measurements", "m1.csv", data)
	newer := ts.submit(t, "vt", "measurements", "m2.csv", data)
	ts.wait(t, "vt", older)
	ts.wait(t, "vt", newer)
	for _, id := range []int64{newer, older} {
		if code := ts.certify(t, "vt", id); code != 200 {
			t.Fatalf("certify %d: %d", id, code)
		}
	}
	check := func(ts *testService) {
		t.Helper()
		if s := ts.wait(t, "vt", newer); s.Status != "certified" || s.Note != "" {
			t.Errorf("submission %d, certified first, added the rows: %+v", newer, s)
		}
		want := fmt.Sprintf("the same bytes as submission %d, certified before it: certifying it added nothing", newer)
		if s := ts.wait(t, "vt", older); s.Status != "certified" || s.Note != want {
			t.Errorf("submission %d, certified second: note %q, want %q", older, s.Note, want)
		}
		var detail string
		ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(older)).Scan(&detail)
		if !strings.Contains(detail, "these bytes were in the dataset already as m2.csv") {
			t.Errorf("audit of submission %d: %q", older, detail)
		}
	}
	check(ts)
	// As a state database of an earlier version: no certify_added column.
	ts.ts.Close()
	ts.s.Close()
	st, err := openState(context.Background(), ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Exec(`ALTER TABLE submissions DROP COLUMN certify_added`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	check(ts.reopen(t))

	// Certified at once: whichever certification added the rows (the
	// audit log's line without "already") is the one named.
	ts = newService(t, nil)
	pair := []int64{ts.submit(t, "cuc", "villages", "v1.csv", f.villages), ts.submit(t, "cuc", "villages", "v2.csv", f.villages)}
	var wg sync.WaitGroup
	for _, id := range pair {
		ts.wait(t, "cuc", id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := ts.certify(t, "cuc", id); code != 200 {
				t.Errorf("certify %d: %d", id, code)
			}
		}()
	}
	wg.Wait()
	for i, id := range pair {
		var detail string
		ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'submission.certify' AND target = ?`, fmt.Sprint(id)).Scan(&detail)
		other := pair[1-i]
		want := fmt.Sprintf("the same bytes as submission %d, certified before it: certifying it added nothing", other)
		if !strings.Contains(detail, "already") {
			want = ""
		}
		if s := ts.wait(t, "cuc", id); s.Note != want {
			t.Errorf("certified at once, submission %d (audit %q): note %q, want %q", id, detail, s.Note, want)
		}
	}

	// Bytes ingested on the command line: no submission added them.
	ts = newService(t, nil)
	path := filepath.Join(t.TempDir(), "sites-cli.csv")
	if err := os.WriteFile(path, f.sites["viettel"], 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := dataset.Open(ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.IngestFile(context.Background(), path, dataset.IngestOptions{Config: ingest.Defaults("", time.Now())}); err != nil {
		t.Fatal(err)
	}
	id := ts.submit(t, "vt", "sites", "sites.csv", f.sites["viettel"])
	ts.wait(t, "vt", id)
	code, b := ts.call(t, "vt", "POST", fmt.Sprintf("/api/v1/submissions/%d/certify", id), "/api/v1/submissions/{id}/certify", nil, "")
	if code != 200 || !bytes.Contains(b, []byte(`"note": "the same bytes as sites-cli.csv, in the release dataset already: certifying it added nothing"`)) {
		t.Fatalf("certify bytes ingested on the command line: %d %s", code, b)
	}
}

// TestSecondServiceRefused: a second service on a dataset another one
// serves is refused before it touches anything: the first's upload in
// progress and the release it computes are left alone. Once the first
// has stopped, a service starts and recovers as after a crash.
func TestSecondServiceRefused(t *testing.T) {
	ts := newService(t, nil)
	upload := filepath.Join(ts.dir, StateDir, "spool", ".upload-42")
	if err := os.MkdirAll(upload, 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := ts.s.db.Exec(`INSERT INTO releases (period, status, created_by, created_at) VALUES ('2024-10', 'running', 'cuc', ?)`, nowText(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	num, _ := res.LastInsertId()
	release := func() (status, msg string) {
		st, err := openState(context.Background(), ts.dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		st.QueryRow(`SELECT status, error FROM releases WHERE number = ?`, num).Scan(&status, &msg)
		return status, msg
	}
	s2, err := New(context.Background(), Options{Dataset: ts.dir, Logger: quietLogger()})
	if err == nil {
		s2.Close()
	}
	if !errors.Is(err, ErrDatasetInUse) || !strings.Contains(err.Error(), ts.dir) || !strings.Contains(err.Error(), "another lomsong serve is using it") {
		t.Fatalf("a second service on the dataset: %v", err)
	}
	if _, err := os.Stat(upload); err != nil {
		t.Errorf("the first service's upload in progress: %v", err)
	}
	if status, msg := release(); status != "running" {
		t.Errorf("the first service's release: %s %q", status, msg)
	}
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/me", "/api/v1/me", nil, ""); code != 200 {
		t.Errorf("the first service after the refusal: %d %s", code, b)
	}
	ts.reopen(t)
	if _, err := os.Stat(upload); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the upload of a stopped service is left: %v", err)
	}
	if status, msg := release(); status != "failed" || msg != releaseInterrupted {
		t.Errorf("the release of a stopped service: %s %q", status, msg)
	}
}

// TestReleaseStoppedByClose: a release that a stop cuts short (Close
// cancels the background work) fails saying so, in the release and in
// the audit log and the log line, with the words a crash's leftover
// release gets at start-up; not with "context canceled".
func TestReleaseStoppedByClose(t *testing.T) {
	logs := &logBuffer{}
	ts := newService(t, func(o *Options) { o.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	res, err := ts.s.db.Exec(`INSERT INTO releases (period, status, created_by, created_at) VALUES ('2024-10', 'running', 'cuc', ?)`, nowText(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	num, _ := res.LastInsertId()
	p, err := penetration.ParsePeriod("2024-10")
	if err != nil {
		t.Fatal(err)
	}
	ts.s.bgCancel() // what Close does first
	ts.s.publish(ts.s.bgCtx, Release{Number: num, Period: "2024-10", CreatedBy: "cuc", Submissions: []int64{}}, p)
	rl := ts.waitRelease(t, num)
	if rl.Status != "failed" || rl.Error != releaseInterrupted {
		t.Fatalf("a release stopped by Close: %+v", rl)
	}
	// The log line says it too, not "context canceled".
	want, _ := json.Marshal(releaseInterrupted)
	if l := logs.String(); !strings.Contains(l, `"msg":"release failed"`) || !strings.Contains(l, `"err":`+string(want)) {
		t.Errorf("the log of a release stopped by Close: %s", l)
	}
	var detail string
	ts.s.db.QueryRow(`SELECT detail FROM audit WHERE action = 'release.failed' AND target = ?`, fmt.Sprint(num)).Scan(&detail)
	if detail != releaseInterrupted {
		t.Fatalf("audit of a release stopped by Close: %q", detail)
	}
}

// TestReleaseFailedAtStartAudited: a release a stopped service left
// running is failed at the next start with its release.failed audit
// entry, as a release stopped during a run is (TestReleaseStoppedByClose):
// in the name of the user who asked for it, with the error as the
// detail; one entry per release, and none again at the start after.
func TestReleaseFailedAtStartAudited(t *testing.T) {
	ts := newService(t, nil)
	var nums []int64
	for _, by := range []string{"cuc", "cuc2"} {
		res, err := ts.s.db.Exec(`INSERT INTO releases (period, status, created_by, created_at) VALUES ('2024-10', 'running', ?, ?)`, by, nowText(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		num, _ := res.LastInsertId()
		nums = append(nums, num)
	}
	check := func(ts *testService) {
		t.Helper()
		for i, num := range nums {
			if rl := ts.waitRelease(t, num); rl.Status != "failed" || rl.Error != releaseInterrupted {
				t.Errorf("release %d after a restart: %+v", num, rl)
			}
			rows, err := ts.s.db.Query(`SELECT user, sha256, detail FROM audit WHERE action = 'release.failed' AND target = ?`, fmt.Sprint(num))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var user, sha, detail string
				rows.Scan(&user, &sha, &detail)
				got = append(got, user+"|"+sha+"|"+detail)
			}
			rows.Close()
			if want := []string{[]string{"cuc", "cuc2"}[i] + "||" + releaseInterrupted}; !slices.Equal(got, want) {
				t.Errorf("audit of release %d failed at start: %q, want %q", num, got, want)
			}
		}
	}
	ts = ts.reopen(t)
	check(ts)
	check(ts.reopen(t))
}

// TestGzipRatioLimit: a gzip submission over the decompression ratio is
// refused naming the option that admits it, and a service given a higher
// MaxGzipRatio (serve --max-gzip-ratio) reads it.
func TestGzipRatioLimit(t *testing.T) {
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write([]byte("ts,carrier,tech,lon,lat,signal_dbm\n"))
	zw.Write(bytes.Repeat([]byte("\n"), 16<<20)) // deflate packs a run about 1030 to 1
	zw.Close()
	for _, c := range []struct {
		name  string
		ratio float64
		code  string
	}{
		{"default", 0, "unreadable"},
		{"raised", 2000, "no_data_rows"},
	} {
		ts := newService(t, func(o *Options) { o.Limits.MaxGzipRatio = c.ratio })
		s := ts.wait(t, "cuc", ts.submit(t, "cuc", "measurements", "blank.csv.gz", z.Bytes()))
		if s.Status != "refused" || s.ErrorCode != c.code {
			t.Errorf("%s ratio: %+v", c.name, s)
		}
		if c.ratio == 0 && !strings.Contains(s.Error, "raise --max-gzip-ratio") {
			t.Errorf("%s ratio: error %q", c.name, s.Error)
		}
	}
	if _, err := New(context.Background(), Options{Dataset: t.TempDir(), Logger: quietLogger(), Limits: ingest.Limits{MaxGzipRatio: 0.5}}); err == nil || !strings.Contains(err.Error(), "MaxGzipRatio 0.5") {
		t.Errorf("MaxGzipRatio 0.5: %v", err)
	}
}

// TestSubmissionKeepsItsFileName: a file is recorded under the name its
// user gave it, Vietnamese included (NFC), in the submission, the spool
// and the release dataset's manifest, as lomsong ingest keeps it; a path
// is cut to its last element and a control character replaced.
func TestSubmissionKeepsItsFileName(t *testing.T) {
	f := world(t)
	ts := newService(t, nil)
	for _, c := range []struct {
		sent, want string
		multipart  bool
		data       []byte
	}{
		{"tra\u0323m pha\u0301t so\u0301ng.csv", "trạm phát sóng.csv", false, f.sites["viettel"]},
		{`C:\dữ liệu\đo tháng 10.csv`, "đo tháng 10.csv", true, f.measurements["viettel"]},
		{"../../x\n.csv", "x_.csv", false, f.sites["viettel"]},
	} {
		var id int64
		if c.multipart {
			id = ts.submitMultipart(t, "vt", c.sent, c.data, "")
		} else {
			id = ts.submit(t, "vt", "sites", url.QueryEscape(c.sent), c.data)
		}
		s := ts.wait(t, "vt", id)
		if s.Status != "accepted" || s.Filename != c.want {
			t.Errorf("sent %q: %+v", c.sent, s)
			continue
		}
		if es, err := os.ReadDir(filepath.Join(ts.dir, StateDir, "spool", fmt.Sprint(id))); err != nil || len(es) != 1 || es[0].Name() != c.want {
			t.Errorf("sent %q: spool %v %v", c.sent, es, err)
		}
	}
	if code := ts.certify(t, "vt", 1); code != 200 {
		t.Fatalf("certify: %d", code)
	}
	store, err := dataset.Open(ts.dir)
	if err != nil {
		t.Fatal(err)
	}
	if src := store.Manifest().Sources; len(src) != 1 || src[0].Name != "trạm phát sóng.csv" {
		t.Fatalf("the dataset's sources: %+v", src)
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// as PEM files in dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lomsong test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestTLSCertificateCheckedAtStart: a TLS certificate or key that cannot
// be loaded fails New, naming the file, before anything of the dataset is
// touched (so Serve never announces an address nothing answers on); a
// good pair serves HTTPS.
func TestTLSCertificateCheckedAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tmp := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, tmp)
	missing := filepath.Join(tmp, "nonexistent.pem")
	garbage := filepath.Join(tmp, "garbage.pem")
	os.WriteFile(garbage, []byte("not PEM"), 0o644)
	for _, c := range []struct{ cert, key, named string }{
		{missing, keyFile, missing},
		{certFile, missing, missing},
		{garbage, keyFile, garbage},
		{keyFile, certFile, keyFile},
	} {
		s, err := New(ctx, Options{Dataset: dir, TLSCert: c.cert, TLSKey: c.key, Logger: quietLogger()})
		if err == nil {
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.named) {
			t.Errorf("certificate %s, key %s: %v", c.cert, c.key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, StateDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused start touched the dataset: %v", err)
	}
	s, err := New(ctx, Options{Dataset: dir, TLSCert: certFile, TLSKey: keyFile, Listen: "127.0.0.1:0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sctx, stop := context.WithCancel(ctx)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(sctx, func(a string) { addr <- a }) }()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + <-addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz over HTTPS: %d", resp.StatusCode)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestQueryParameters: every authenticated operation of openapi.json
// refuses a query parameter it does not document and a documented one
// given twice, with a 400 naming it (the first of two kinds was taken, a
// misspelt name ignored); a documented one alone passes. The parameters
// the routes take and those the document lists are so one list.
func TestQueryParameters(t *testing.T) {
	ts := newService(t, nil)
	concrete := strings.NewReplacer("{period}", "2024-10", "{code}", "12", "{id}", "1")
	sample := map[string]string{"kind": "sites", "name": "x.csv", "format": "csv", "carrier": "viettel", "province": "12", "limit": "5", "before": "3", "release": "1"}
	checked := 0
	for pathKey, item := range apiDoc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			op, ok := op.(map[string]any)
			if !ok {
				continue
			}
			if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
				continue // public: reads no parameter
			}
			var params []string
			required := map[string]bool{}
			if ps, ok := op["parameters"].([]any); ok {
				for _, p := range ps {
					if p := p.(map[string]any); p["in"] == "query" {
						params = append(params, p["name"].(string))
						required[p["name"].(string)] = p["required"] == true
					}
				}
			}
			method = strings.ToUpper(method)
			path := concrete.Replace(pathKey)
			do := func(query string) (int, string) {
				t.Helper()
				code, b := ts.call(t, "cuc", method, path+"?"+query, pathKey, strings.NewReader("x"), "text/csv")
				return code, string(b)
			}
			if code, b := do("zzz=1"); code != 400 || !strings.Contains(b, `unknown query parameter \"zzz\"`) {
				t.Errorf("%s %s?zzz=1: %d %s", method, pathKey, code, b)
			}
			for _, p := range params {
				if code, b := do(p + "=a&" + p + "=b"); code != 400 || !strings.Contains(b, fmt.Sprintf(`query parameter \"%s\" given 2 times`, p)) {
					t.Errorf("%s %s?%s twice: %d %s", method, pathKey, p, code, b)
				}
				// An empty value (a script's unset variable: ?carrier=$C)
				// is refused, not read as the parameter left out.
				// Leaving it out is advised for an optional one only.
				if code, b := do(p + "="); code != 400 || !strings.Contains(b, fmt.Sprintf(`query parameter \"%s\" is empty`, p)) ||
					strings.Contains(b, "leave it out") == required[p] {
					t.Errorf("%s %s?%s= (empty, required %v): %d %s", method, pathKey, p, required[p], code, b)
				}
				if code, b := do(p + "=" + url.QueryEscape(sample[p])); strings.Contains(b, "query parameter") {
					t.Errorf("%s %s?%s=%s, documented: %d %s", method, pathKey, p, sample[p], code, b)
				}
			}
			checked++
		}
	}
	if checked < 15 {
		t.Fatalf("only %d operations checked", checked)
	}
	if code, b := ts.call(t, "cuc", "GET", "/api/v1/audit?limit=%zz", "/api/v1/audit", nil, ""); code != 400 || !bytes.Contains(b, []byte("malformed query string")) {
		t.Errorf("a malformed query string: %d %s", code, b)
	}
}

// A chunked upload whose chunk size is not hexadecimal is the body's
// fault: 400 saying so, nothing queued. It was answered 500, an internal
// error, which the operator's alerting on 5xx pages for.
func TestMalformedChunkRefused(t *testing.T) {
	ts := newService(t, nil)
	for _, body := range []string{"ZZZ\r\nts,carrier\r\n0\r\n\r\n", "10\r\nts,carrier,tech\r\n\r\nZZZ\r\nx\r\n0\r\n\r\n"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.ts.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /api/v1/submissions?kind=measurements HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n%s", ts.tokens["vt"], body)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "cut off or malformed") {
			t.Errorf("body %q: %d %s, want 400 saying the upload is malformed", body, resp.StatusCode, b)
		}
		ts.nothingQueued(t)
	}
}
