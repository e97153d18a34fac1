//go:build linux

package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
)

// serveProc is a running lomsong serve.
type serveProc struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

// startServe runs the built binary's serve on a free port. unsupervised
// runs the server itself (no supervising parent), so that a signal to the
// process reaches the server directly.
func startServe(t *testing.T, dir string, unsupervised bool, extra ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(lomsongBinary(t), append([]string{"serve", "--dataset", dir, "--listen", "127.0.0.1:0", "--rate", "1000", "--burst", "1000"}, extra...)...)
	cmd.Env = os.Environ()
	if unsupervised {
		cmd.Env = append(cmd.Env, supervisedEnv+"=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan error, 1)}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "lomsong serve: listening on "); ok {
				line <- a
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.base = <-line:
	case <-time.After(30 * time.Second):
		t.Fatal("lomsong serve did not start")
	}
	return p
}

func addUser(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errs, code := runBinary(t, append([]string{"users", "add", "--dataset", dir}, args...)...)
	if code != 0 {
		t.Fatalf("users add %v: %d %s", args, code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

func httpDo(t *testing.T, method, url, token string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServeUsersAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	// Listing before anyone is added says so and creates nothing.
	if out, _, code := runBinary(t, "users", "ls", "--dataset", dir); code != 0 || !strings.Contains(out, "no users in "+dir) || fileExists(filepath.Join(dir, "serve")) {
		t.Fatalf("users ls of a new dataset: %d %s", code, out)
	}
	// A carrier lomsong does not know by name is refused, naming the
	// known ones (a misspelt operator would see none of its data).
	if _, errs, code := runBinary(t, "users", "add", "--dataset", dir, "--role", "carrier", "--carrier", "Vietel", "vt-typo"); code != exitUsage ||
		!strings.Contains(errs, `carrier "Vietel" (vietel) is not an operator lomsong knows by name: give one of viettel, vinaphone, mobifone, vietnamobile, gmobile, itelecom`) {
		t.Fatalf("users add of an unknown carrier: %d %s", code, errs)
	}
	tok := addUser(t, dir, "--role", "province", "--province", "lai chau", "so-laichau")
	if !strings.HasPrefix(tok, "ls_") {
		t.Fatalf("last line %q is not a token", tok)
	}
	for _, bad := range [][]string{
		{"users", "add", "--dataset", dir, "--role", "carrier", "x"},
		{"users", "add", "--dataset", dir, "--role", "province", "--province", "Atlantis", "x"},
		{"users", "add", "--dataset", dir, "--role", "root", "x"},
		{"users", "revoke", "--dataset", dir, "nobody"},
		{"users", "--dataset", dir},
		{"serve", "--dataset", dir, "--tls-cert", "c.pem"},
	} {
		if _, _, code := runBinary(t, bad...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
	out, _, code := runBinary(t, "users", "ls", "--dataset", dir)
	if code != 0 || !strings.Contains(out, "so-laichau  province  12") {
		t.Fatalf("users ls: %d\n%s", code, out)
	}
	p := startServe(t, dir, false)
	if code, b := httpDo(t, "GET", p.base+"/api/v1/me", tok, nil); code != 200 || !strings.Contains(string(b), `"province": "12"`) {
		t.Fatalf("me: %d %s", code, b)
	}
	if _, _, code := runBinary(t, "users", "revoke", "--dataset", dir, "so-laichau"); code != 0 {
		t.Fatal("revoke")
	}
	if code, _ := httpDo(t, "GET", p.base+"/api/v1/me", tok, nil); code != 401 {
		t.Fatalf("revoked token: %d", code)
	}
	// SIGTERM to the supervising process: forwarded, drained, exit 0.
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("after SIGTERM: %v", err)
		}
		p.done <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

// waitStatus polls a submission until pred holds.
func waitStatus(t *testing.T, base, token string, id int64, pred func(string) bool, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		code, b := httpDo(t, "GET", fmt.Sprintf("%s/api/v1/submissions/%d", base, id), token, nil)
		var s struct{ Status string }
		json.Unmarshal(b, &s)
		if code == 200 && pred(s.Status) {
			return s.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("submission %d: %d %s", id, code, b)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill -9 of the server while it validates a submission: on restart the
// job runs again from scratch and is accepted; the release dataset is
// untouched until certification and verifies after it.
func TestServeKill9DuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and validates a file of about 1.2 million rows; not in -short")
	}
	dir := t.TempDir()
	tok := addUser(t, dir, "--role", "carrier", "--carrier", "viettel", "vt")
	big := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	const rows = 1200000
	for i := 0; i < rows; i++ {
		fmt.Fprintf(w, "2024-10-%02dT08:00:%02dZ,viettel,4G,%.6f,21.03,-%d\n", 1+i%28, i%60, 105+float64(i)*1e-6, 60+i%50)
	}
	w.Flush()
	f.Close()
	p := startServe(t, dir, true)
	fh, _ := os.Open(big)
	code, b := httpDo(t, "POST", p.base+"/api/v1/submissions?kind=measurements&name=big.csv", tok, fh)
	fh.Close()
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	waitStatus(t, p.base, tok, 1, func(s string) bool { return s == "validating" }, 30*time.Second)
	time.Sleep(200 * time.Millisecond) // into the ingest
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.done <- nil
	store, err := dataset.Open(dir)
	if err != nil || len(store.Manifest().Sources) != 0 {
		t.Fatalf("the release dataset changed before certification: %v", err)
	}
	p2 := startServe(t, dir, true)
	if st := waitStatus(t, p2.base, tok, 1, func(s string) bool { return s != "queued" && s != "validating" }, 120*time.Second); st != "accepted" {
		t.Fatalf("after restart: %s", st)
	}
	code, b = httpDo(t, "GET", p2.base+"/api/v1/submissions/1", tok, nil)
	var sub struct {
		Accepted int64 `json:"accepted"`
		RowsRead int64 `json:"rows_read"`
	}
	json.Unmarshal(b, &sub)
	if sub.RowsRead != rows || sub.Accepted != rows {
		t.Fatalf("after restart: %s", b)
	}
	if code, b := httpDo(t, "POST", p2.base+"/api/v1/submissions/1/certify", tok, nil); code != 200 {
		t.Fatalf("certify: %d %s", code, b)
	}
	for _, d := range []string{dir, filepath.Join(dir, "serve", "submissions", "1")} {
		store, err := dataset.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := store.Verify(context.Background())
		if err != nil || len(rep.Bad) != 0 || len(rep.Unlisted) != 0 || rep.Rows != rows {
			t.Fatalf("%s: verify %+v %v", d, rep, err)
		}
	}
}

// repeatReader yields n bytes of b, over and over.
type repeatReader struct {
	b []byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && int64(k) < r.n {
		k += copy(p[k:min(len(p), k+int(r.n)-k)], r.b)
	}
	r.n -= int64(k)
	return k, nil
}

// A 200 MB upload is streamed to disk: the server's peak RSS stays far
// below the body's size.
func TestServeUploadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MB over loopback; not in -short")
	}
	dir := t.TempDir()
	tok := addUser(t, dir, "--role", "ministry", "cuc")
	p := startServe(t, dir, true)
	const size = 200 << 20
	body := io.MultiReader(strings.NewReader("ts,carrier,tech,lon,lat,signal_dbm\n"), &repeatReader{b: []byte("\n\n\n\n\n\n\n\n"), n: size})
	code, b := httpDo(t, "POST", p.base+"/api/v1/submissions?kind=measurements&name=blank.csv", tok, body)
	if code != 202 {
		t.Fatalf("upload: %d %s", code, b)
	}
	if st := waitStatus(t, p.base, tok, 1, func(s string) bool { return s != "queued" && s != "validating" }, 120*time.Second); st != "refused" {
		t.Fatalf("a file of blank lines: %s", st)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	var hwm int64
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	t.Logf("peak RSS of the server after a %d MB upload: %d MB", size>>20, hwm>>10)
	if hwm == 0 || hwm<<10 > 100<<20 {
		t.Fatalf("peak RSS %d KiB: the upload was not streamed", hwm)
	}
	fi, err := os.Stat(filepath.Join(dir, "serve", "spool", "1", "blank.csv"))
	if err != nil || fi.Size() != size+35 {
		t.Fatalf("spooled file: %v %v", fi, err)
	}
}

// runServeBriefly runs the built binary's serve with args, which must end
// it at once; a serve that starts instead is stopped after a while and
// reported with what it printed.
func runServeBriefly(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, lomsongBinary(t), append([]string{"serve"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("serve %v did not end: %s %s", args, out.String(), errb.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// A serve that cannot serve says so and exits 1 without announcing an
// address: another serve on the dataset, a TLS certificate that cannot be
// read. --max-gzip-ratio is checked as ingest checks it.
func TestServeRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	addUser(t, dir, "--role", "ministry", "cuc")
	p := startServe(t, dir, false)
	out, errs, code := runServeBriefly(t, "--dataset", dir, "--listen", "127.0.0.1:0")
	if code != exitFailure || strings.Contains(out, "listening") || !strings.Contains(errs, "serve: "+dir+": dataset in use: another lomsong serve is using it") {
		t.Errorf("a second serve on the dataset: exit %d\n%s%s", code, out, errs)
	}
	if code, _ := httpDo(t, "GET", p.base+"/healthz", "", nil); code != 200 {
		t.Errorf("the first serve after the second was refused: %d", code)
	}
	missing := filepath.Join(t.TempDir(), "nonexistent.pem")
	out, errs, code = runServeBriefly(t, "--dataset", t.TempDir(), "--listen", "127.0.0.1:0", "--tls-cert", missing, "--tls-key", missing)
	if code != exitFailure || strings.Contains(out, "listening") || !strings.Contains(errs, missing) {
		t.Errorf("serve with a missing certificate: exit %d\n%s%s", code, out, errs)
	}
	// The limits are ingest's flags, checked as ingest checks them.
	for _, c := range [][2]string{
		{"--max-gzip-ratio=0.5", "serve: --max-gzip-ratio 0.5: want a ratio of at least 1"},
		{"--max-line-bytes=0", "serve: --max-line-bytes 0: want 1 byte to 1GiB"},
		{"--max-line-bytes=2GiB", "serve: --max-line-bytes 2147483648: want 1 byte to 1GiB"},
		{"--max-decompressed-bytes=0", "serve: --max-decompressed-bytes 0: want a positive size"},
		{"--max-spill-bytes=0", "serve: --max-spill-bytes 0: want a positive size"},
		{"--max-reject-share=-1", "serve: --max-reject-share: reject share -1: want a share between 0 and 1"},
	} {
		if _, errs, code := runServeBriefly(t, "--dataset", dir, c[0]); code != exitUsage || !strings.Contains(errs, c[1]) {
			t.Errorf("serve %s: exit %d %s", c[0], code, errs)
		}
	}
	out, errs, _ = runServeBriefly(t, "--help")
	for _, f := range []string{"-max-gzip-ratio ratio", "-max-line-bytes size", "-max-decompressed-bytes size", "-max-spill-bytes size"} {
		if !strings.Contains(out+errs, f) {
			t.Errorf("serve --help does not list %s:\n%s%s", f, out, errs)
		}
	}
}

// TestServeReadLimits: a submission over serve's --max-line-bytes,
// --max-decompressed-bytes or --max-spill-bytes is refused with the
// advice to raise it, and accepted by a serve started with it raised.
func TestServeReadLimits(t *testing.T) {
	var rows bytes.Buffer
	rows.WriteString("ts,carrier,tech,lon,lat,signal_dbm\n")
	for i := range 3000 {
		fmt.Fprintf(&rows, "2024-10-%02dT08:%02d:%02dZ,viettel,4G,%.6f,21.03,-%d\n", 1+i%28, i/60, i%60, 105+float64(i)*1e-4, 60+i%50)
	}
	// About 150 KB of rows; with a 512 KiB line: one rejected row under a
	// 1 MiB cap, no line end within 64 times a 2 KiB cap.
	long := append(bytes.Clone(rows.Bytes()), strings.Repeat("x", 512<<10)+"\n"...)
	sites := make([]engine.Site, 300)
	for i := range sites {
		sites[i] = engine.Site{SiteID: fmt.Sprintf("VT%04d", i), Carrier: "viettel", Tech: engine.Tech4G, Lon: 105 + float64(i)*1e-3, Lat: 21,
			BandMHz: 1800, HeightM: 30, AzimuthDeg: math.NaN(), BeamwidthDeg: math.NaN(), TiltDeg: math.NaN(), EIRPDBm: math.NaN()}
	}
	var pq bytes.Buffer
	if err := arrowio.WriteSites(&pq, sites); err != nil {
		t.Fatal(err)
	}
	gz := func(b []byte) []byte {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		return z.Bytes()
	}
	files := []struct {
		kind, name string
		data       []byte
		advice     string
	}{
		{"measurements", "long.csv", long, "raise --max-line-bytes"},
		{"measurements", "rows.csv.gz", gz(rows.Bytes()), "raise --max-decompressed-bytes"},
		{"sites", "sites.parquet.gz", gz(pq.Bytes()), "raise --max-spill-bytes"},
	}
	submit := func(p *serveProc, tok string, i int) (status, msg string) {
		t.Helper()
		f := files[i]
		code, b := httpDo(t, "POST", p.base+"/api/v1/submissions?kind="+f.kind+"&name="+f.name, tok, bytes.NewReader(f.data))
		if code != 202 {
			t.Fatalf("upload %s: %d %s", f.name, code, b)
		}
		var q struct{ ID int64 }
		json.Unmarshal(b, &q)
		waitStatus(t, p.base, tok, q.ID, func(s string) bool { return s != "queued" && s != "validating" }, 60*time.Second)
		_, b = httpDo(t, "GET", fmt.Sprintf("%s/api/v1/submissions/%d", p.base, q.ID), tok, nil)
		var sub struct{ Status, Error string }
		json.Unmarshal(b, &sub)
		return sub.Status, sub.Error
	}
	for _, c := range []struct {
		name  string
		flags []string
		want  string
	}{
		// A gzip file's first 64 KiB are decompressed before it is known
		// to be Parquet, under --max-decompressed-bytes: the Parquet file
		// is smaller.
		{"low", []string{"--max-line-bytes", "2KiB", "--max-decompressed-bytes", "100KiB", "--max-spill-bytes", "2KiB"}, "refused"},
		{"raised", []string{"--max-line-bytes", "1MiB", "--max-decompressed-bytes", "1MiB", "--max-spill-bytes", "1MiB"}, "accepted"},
	} {
		dir := t.TempDir()
		tok := addUser(t, dir, "--role", "ministry", "cuc")
		p := startServe(t, dir, false, c.flags...)
		for i, f := range files {
			status, msg := submit(p, tok, i)
			if status != c.want || c.want == "refused" && !strings.Contains(msg, f.advice) {
				t.Errorf("%s under the %s limits: %s %q, want %s", f.name, c.name, status, msg, c.want)
			}
		}
	}
}
