package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/internal/flock"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configure a Server. Zero values take the defaults below.
type Options struct {
	// Dataset is the dataset directory (required); the state lives in
	// Dataset/serve.
	Dataset string
	// Listen is the address to listen on (default 127.0.0.1:8080).
	Listen string
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert, TLSKey string
	// MaxUploadBytes caps a submission's body (default 4 GiB); a larger
	// body is refused with 413 and nothing is kept.
	MaxUploadBytes int64
	// RatePerSecond and Burst are each token's request bucket: Burst
	// requests at once, refilled at RatePerSecond (defaults 20 and 60).
	RatePerSecond float64
	Burst         int
	// MaxRejectShare and Limits are those submissions are validated
	// under. A validation records them with its submission, and its
	// certification reads it under the recorded ones, not those the
	// service runs with by then (readLimits).
	//
	// MaxRejectShare is the share of rejected rows above which a
	// submission is refused (dataset.IngestOptions.MaxRejectShare's:
	// dataset.DefaultMaxRejectShare when zero, dataset.NoRejects refuses
	// any rejected row; lomsong ingest's).
	MaxRejectShare float64
	// Limits are the read limits (ingest.Limits: zero fields take their
	// defaults, lomsong ingest's; ingest.Limits.CheckRange's ranges).
	Limits ingest.Limits
	// ShutdownGrace is how long a shutdown waits for requests in flight
	// (default 30 s).
	ShutdownGrace time.Duration
	// UploadIdle is how long an upload may send nothing before it is
	// refused (408) and its partial file removed (default 2 minutes): a
	// slow upload goes on as long as bytes arrive, a stalled one does not
	// hold its connection and spool file for ever.
	UploadIdle time.Duration
	// StorageRetry is how long the job worker waits before validating
	// again after the service's storage refused a validation's write (no
	// space left, a quota, a read-only file system: storageRefused); the
	// submission goes back to the queue meanwhile (default 1 minute).
	StorageRetry time.Duration
	// Logger receives the structured logs (default: JSON on stderr).
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

func (o *Options) defaults() error {
	if o.Dataset == "" {
		return errors.New("serve: a dataset directory is required")
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return errors.New("serve: give both --tls-cert and --tls-key, or neither")
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if err := CheckListen(o.Listen); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 4 << 30
	}
	if o.UploadIdle <= 0 {
		o.UploadIdle = 2 * time.Minute
	}
	if o.StorageRetry <= 0 {
		o.StorageRetry = time.Minute
	}
	if o.RatePerSecond <= 0 {
		o.RatePerSecond = 20
	}
	if o.Burst <= 0 {
		o.Burst = 60
	}
	if o.MaxRejectShare == 0 {
		o.MaxRejectShare = dataset.DefaultMaxRejectShare
	}
	if !(o.MaxRejectShare > 0 && o.MaxRejectShare <= 1) {
		return fmt.Errorf("serve: MaxRejectShare %g: want a share above 0 (dataset.NoRejects for none) and at most 1", o.MaxRejectShare)
	}
	o.Limits = o.Limits.WithDefaults()
	if err := o.Limits.CheckRange(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// CheckListen reports whether addr can be an address to listen on:
// host:port (the host may be empty, for every interface) with a port
// from 0 to 65535 (0 picks a free one) or a service name. It is checked
// before anything is written; an address well formed that cannot be
// listened on (taken, not this machine's) is found when serving.
func CheckListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = net.LookupPort("tcp", port)
	}
	if err != nil {
		var ae *net.AddrError
		var de *net.DNSError
		switch {
		case errors.As(err, &ae):
			err = errors.New(ae.Err)
		case errors.As(err, &de):
			err = errors.New(de.Err)
		}
		return fmt.Errorf("--listen %q: want host:port with a port from 0 to 65535 (e.g. 127.0.0.1:8080): %v", addr, err)
	}
	return nil
}

// maxAttempts is how many times a job's validation is cut short by a
// crash before a restart fails it instead of queueing it again (one an
// orderly stop cut short is not counted: runNext takes it back).
const maxAttempts = 3

// releaseInterrupted is the error of a release whose computation the
// service's stop cut short: stopped while it ran (Close), or found still
// running at start-up after a crash.
const releaseInterrupted = "interrupted: the service stopped while the release was computed"

// maxJSONBody caps the JSON body of a request that is not an upload.
const maxJSONBody = 64 << 10

// Server is a running service: the state database, the job worker and the
// HTTP handler.
type Server struct {
	opt     Options
	db      *sql.DB
	lock    *os.File // the dataset's serve lock (lockState), nil once closed
	tlsCert *tls.Certificate
	log     *slog.Logger
	state   string // Dataset/serve
	mux     *http.ServeMux
	root    http.Handler // mux, but for paths not in canonical form (routes)
	reg     *prometheus.Registry
	reqs    *prometheus.CounterVec
	latency *prometheus.HistogramVec
	limiter *limiter
	wake    chan struct{} // a new job is queued
	// lockInfo is the lock file's identity when the service took it:
	// the dataset directory is the one the service started on as long as
	// its path leads to this file (datasetHere).
	lockInfo os.FileInfo
	// goneLogged is set while the job worker has logged that the dataset
	// directory is gone, so that it says so once per outage.
	goneLogged atomic.Bool
	// storagePause is when (Unix ns) the job worker may validate again
	// after the service's storage refused a validation's write (0: now).
	storagePause atomic.Int64
	// dsMu serialises writes to the release dataset's parts (certify:
	// write lock) against release runs (read lock). A release run saves
	// stage outputs under DIR/stages (their own folders, not the
	// manifest); only one release runs at a time (createRelease refuses a
	// second), so no two runs write stages at once.
	dsMu sync.RWMutex
	// bg counts background work (the job worker, release runs) that
	// Close waits for.
	bg sync.WaitGroup
	// certs counts the certifications running (also in bg): Serve's
	// shutdown gives them the grace it gives requests, as their clients
	// may have gone (certify).
	certs sync.WaitGroup
	// certsRunning counts them too, for Serve's warning (a WaitGroup
	// tells no count).
	certsRunning atomic.Int64
	bgCtx        context.Context
	bgCancel     context.CancelFunc
	// provinces caches, per published release (frozen: its files never
	// change), the provinces some village of it lies in (provincesOf).
	provincesMu sync.Mutex
	provinces   map[int64]map[string]bool
}

// New takes the dataset's serve lock (ErrDatasetInUse when another
// service holds it), opens its state, recovers what a killed earlier run
// left (uploads in progress, jobs being validated, releases being
// computed) and returns a server whose job worker is running. The TLS
// certificate and key, when given, are loaded and checked first. Close it.
func New(ctx context.Context, opt Options) (*Server, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	// A certificate that cannot be loaded fails here, before anything is
	// touched and before Serve announces an address nothing will answer on.
	cert, err := loadCertificate(opt.TLSCert, opt.TLSKey)
	if err != nil {
		return nil, err
	}
	if err := stateDir(opt.Dataset); err != nil {
		return nil, err
	}
	// The lock comes before the recovery: what looks like a crash's
	// leftovers may be another running service's work.
	lock, err := lockState(opt.Dataset)
	if err != nil {
		return nil, err
	}
	lockInfo, err := lock.Stat()
	if err != nil {
		flock.Unlock(lock)
		return nil, err
	}
	db, err := openState(ctx, opt.Dataset)
	if err != nil {
		flock.Unlock(lock)
		return nil, err
	}
	s := &Server{opt: opt, db: db, lock: lock, lockInfo: lockInfo, tlsCert: cert, log: opt.Logger, state: filepath.Join(opt.Dataset, StateDir),
		limiter: newLimiter(opt.RatePerSecond, opt.Burst), wake: make(chan struct{}, 1)}
	fail := func(err error) (*Server, error) {
		db.Close()
		flock.Unlock(lock)
		return nil, err
	}
	for _, d := range []string{"spool", "submissions", "releases"} {
		if err := os.MkdirAll(filepath.Join(s.state, d), 0o755); err != nil {
			return fail(err)
		}
	}
	if err := s.recover(ctx); err != nil {
		return fail(fmt.Errorf("serve: recovering the previous run's state: %w", err))
	}
	s.metrics()
	s.routes()
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	s.bg.Add(1)
	go s.worker()
	return s, nil
}

// Close stops the job worker (a job being validated goes back to the
// queue) and waits for background work (a release being computed is
// failed as interrupted), then closes the state database and releases
// the dataset's serve lock. Closing again does nothing more.
func (s *Server) Close() error {
	s.bgCancel()
	s.bg.Wait()
	err := s.db.Close()
	if s.lock != nil {
		flock.Unlock(s.lock)
		s.lock = nil
	}
	return err
}

// datasetHere returns nil while the service's dataset directory is the
// one it started on: its path still leads to the lock file the service
// holds (DIR/serve/serve.lock), and ErrDatasetGone, saying what was found,
// once it does not — the directory removed, renamed, replaced by a copy
// (a backup restored under the service) or its volume unmounted. Read
// through the path then, the dataset would be an empty one
// (dataset.Open of a missing folder): every certified submission would
// read retracted, a release would be refused for want of measurements
// the dataset holds, a certification would start a new dataset there,
// and a validation would fail its submission for a spool file that is
// only out of reach. Every authenticated request is answered 503 with
// this error instead, /healthz is 503, the job worker leaves the queue as
// it is, and a release or certification under way stops with it.
func (s *Server) datasetHere() error {
	lockPath := filepath.Join(s.state, lockName)
	fi, err := os.Stat(lockPath)
	if err == nil && os.SameFile(fi, s.lockInfo) {
		return nil
	}
	found := "another file is in its place: " + lockPath + " is not the lock this service holds"
	if err != nil {
		found = err.Error()
	}
	return fmt.Errorf("dataset %s: %w (removed, renamed, replaced or unmounted while the service ran; %s); nothing was read or written: put the directory back, or restart lomsong serve on the dataset",
		s.opt.Dataset, ErrDatasetGone, found)
}

// loadCertificate reads and checks the TLS certificate and key files (PEM)
// when given (nil without them): a file that cannot be read is named, and
// so are both files when they do not make a key pair.
func loadCertificate(certFile, keyFile string) (*tls.Certificate, error) {
	if certFile == "" {
		return nil, nil
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("serve: TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("serve: TLS key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("serve: TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &cert, nil
}

// Handler is the service's HTTP handler.
func (s *Server) Handler() http.Handler { return s.root }

// Serve listens on the configured address and serves until ctx is done,
// then stops accepting connections, drains the requests in flight (up to
// ShutdownGrace; those still running then are cut, each logged) and the
// background work, and returns nil: a stop is never an error. ready, when not
// nil, receives the address listened on.
func (s *Server) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.opt.Listen)
	if err != nil {
		return err
	}
	var inFlight flights
	srv := &http.Server{Handler: inFlight.track(s.root), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	if s.tlsCert != nil {
		// The certificate New loaded and checked: ServeTLS with file names
		// would read them only now, after ready announced the address.
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*s.tlsCert}}
	}
	errc := make(chan error, 1)
	go func() {
		if s.tlsCert != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	scheme := "http"
	if s.tlsCert != nil {
		scheme = "https"
	}
	s.log.Info("serving", "addr", ln.Addr().String(), "scheme", scheme, "dataset", s.opt.Dataset)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: draining requests", "grace", s.opt.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// The grace ran out with requests still in flight (an upload
		// slower than the grace, say). The stop asked for is still the
		// stop made: their connections are cut, each logged, and their
		// handlers get a moment to clean up (a cut upload's partial file
		// is removed from the spool; one left behind is removed at the next
		// start).
		for _, f := range inFlight.open() {
			s.log.Warn("shutting down: the grace ran out; request cut", "method", f.method, "path", f.path,
				"remote", f.remote, "running_ms", time.Since(f.start).Milliseconds())
		}
		srv.Close()
		if !inFlight.wait(cutWait) {
			s.log.Warn("shutting down: requests still running after their connections were cut; a partial upload they leave in the spool is removed at the next start",
				"requests", len(inFlight.open()))
		}
	}
	<-errc
	// A certification whose client went away is a request in flight
	// too: it gets what is left of the grace, then Close stops it
	// (nothing of it written, the submission still accepted).
	certs := make(chan struct{})
	go func() {
		s.certs.Wait()
		close(certs)
	}()
	select {
	case <-certs:
	case <-sctx.Done():
		// Both may be ready (a grace already spent by the requests): only
		// a certification really running is worth the warning.
		if n := s.certsRunning.Load(); n > 0 {
			s.log.Warn("shutting down: a certification still running at the end of the grace is stopped; its submission stays accepted",
				"certifications", n)
		}
	}
	s.log.Info("stopped")
	return nil
}

// bodyDrain is how long the rest of a request's body that its handler
// did not read (an answer given before it: 401, 403, 413, 400) may take
// to arrive once the handler is done: net/http reads it, to reuse the
// connection, before it sends the answer, and with no read deadline a
// client that declared a body and sends nothing held a connection and
// its goroutine for ever, without a token. A client that sends its body
// meanwhile keeps its connection; one that does not gets the answer on a
// connection then closed.
const bodyDrain = 5 * time.Second

// cutWait is how long a shutdown whose grace ran out waits, once it has
// cut the connections still open, for their handlers to return (reading
// a closed connection fails at once; a cut upload then removes its
// partial file).
const cutWait = 5 * time.Second

// flights tracks the requests in flight through Serve, so that a shutdown
// whose grace ran out can name those it cut and wait for their handlers.
type flights struct {
	mu   sync.Mutex
	next uint64
	reqs map[uint64]flight
}

type flight struct {
	method, path, remote string
	start                time.Time
}

// track wraps h to record each request while its handler runs.
func (f *flights) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if f.reqs == nil {
			f.reqs = map[uint64]flight{}
		}
		f.next++
		id := f.next
		f.reqs[id] = flight{method: r.Method, path: r.URL.Path, remote: r.RemoteAddr, start: time.Now()}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.reqs, id)
			f.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

// open returns the requests in flight, oldest first.
func (f *flights) open() []flight {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]flight, 0, len(f.reqs))
	for _, fl := range f.reqs {
		out = append(out, fl)
	}
	slices.SortFunc(out, func(a, b flight) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	return out
}

// wait reports whether every request's handler returned within d.
func (f *flights) wait(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		f.mu.Lock()
		n := len(f.reqs)
		f.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recover puts the state right after a run that was killed: uploads that
// were in progress are removed, spool folders without a submission are
// removed, jobs left validating go back to the queue (their staging
// dataset is rebuilt from scratch), releases left running are recorded
// published when their folder was written (recordWrittenReleases) and
// failed otherwise (failInterruptedReleases); certifications that wrote
// the release dataset unrecorded are recorded (recordCutCertifications).
func (s *Server) recover(ctx context.Context) error {
	spool := filepath.Join(s.state, "spool")
	entries, err := os.ReadDir(spool)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".upload-") {
			if err := os.RemoveAll(filepath.Join(spool, name)); err != nil {
				return err
			}
			continue
		}
		id, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 { // renamed in, but the submission's row never committed
			if err := os.RemoveAll(filepath.Join(spool, name)); err != nil {
				return err
			}
		}
	}
	now := nowText(s.opt.Now())
	if err := s.recordCutCertifications(ctx); err != nil {
		return err
	}
	if err := s.failInterruptedJobs(ctx); err != nil {
		return err
	}
	// Submissions failed so by an earlier version, which left their
	// error_code empty.
	if _, err := s.db.ExecContext(ctx, `UPDATE submissions SET error_code = 'service' WHERE status = 'failed' AND error_code = ''`); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE submissions SET status = 'queued', updated_at = ? WHERE status = 'validating'`, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		s.log.Warn("jobs interrupted by the previous run go back to the queue", "jobs", n)
	}
	if err := s.recordWrittenReleases(ctx); err != nil {
		return err
	}
	if err := s.failInterruptedReleases(ctx); err != nil {
		return err
	}
	tmps, _ := filepath.Glob(filepath.Join(s.state, "releases", ".tmp-*"))
	for _, t := range tmps {
		if err := os.RemoveAll(t); err != nil {
			return err
		}
	}
	return nil
}

// recordCutCertifications records the certifications a stop cut short
// after they wrote the release dataset and before their outcome was
// recorded (submissions.certifying_by still set): a submission whose
// bytes the dataset holds as that certification wrote them (its own
// SHA-256, ingested at its receipt time, the ingest time its
// certification gives) is recorded certified by the user who asked for
// it, with its submission.certify audit entry, as the certification would
// have; any other is left as it was (the dataset unchanged: its write
// never committed, or added nothing), to be certified again.
func (s *Server) recordCutCertifications(ctx context.Context) error {
	return s.recordUnrecordedCertifications(ctx, "the service stopped after this certification wrote the release dataset and before it was recorded; recorded at the next start",
		"a certification the previous run wrote but did not record is recorded")
}

// recordLateCertifications records, before a certification or a release
// (holding dsMu), a certification whose rows are in the release dataset
// but whose outcome the service could not record (recordUnrecordedCertifications).
func (s *Server) recordLateCertifications(ctx context.Context) error {
	return s.recordUnrecordedCertifications(ctx, "the service could not record this certification when it wrote the release dataset (its storage refused the write); recorded before the next certification or release",
		"a certification written to the release dataset and not recorded then is recorded")
}

// recordUnrecordedCertifications is recordCutCertifications with the
// audit entry's reason (detail) and the log's message (logged): a
// certification whose outcome the service could not record when it wrote
// the release dataset (its storage refused the write) is recorded so too,
// before the next certification or release. Called with no certification
// under way (at the start, or holding dsMu).
func (s *Server) recordUnrecordedCertifications(ctx context.Context, reason, logged string) error {
	subs, err := querySubmissions(ctx, s.db, `SELECT `+submissionCols+`, certifying_by FROM submissions WHERE certifying_by != '' ORDER BY id`)
	if err != nil || len(subs) == 0 {
		return err
	}
	store, err := dataset.Open(s.opt.Dataset)
	if err != nil {
		return err
	}
	for _, c := range subs {
		sub := c.sub
		src, held := store.Lookup(sub.SHA256)
		if !held || src.SHA256 != sub.SHA256 || !src.IngestedAt.Equal(parseTime(sub.ReceivedAt)) {
			if _, err := s.db.ExecContext(ctx, `UPDATE submissions SET certifying_by = '' WHERE id = ?`, sub.ID); err != nil {
				return err
			}
			continue
		}
		now := s.opt.Now()
		detail := fmt.Sprintf("accepted=%d (%s)", sub.Accepted, reason)
		if err := s.updateAudited(ctx, now, c.by, "submission.certify", sub, detail,
			`UPDATE submissions SET status = 'certified', certified_at = ?, certified_by = ?, updated_at = ?, dataset_sha256 = ?, certify_added = 1, error = '', error_code = '', certifying_by = '' WHERE id = ?`,
			nowText(now), c.by, nowText(now), sub.SHA256, sub.ID); err != nil {
			return err
		}
		s.log.Warn(logged, "id", sub.ID, "user", c.by)
	}
	return nil
}

// cutCertification is a submission whose certification by is recorded
// as under way (submissions.certifying_by).
type cutCertification struct {
	sub Submission
	by  string
}

// querySubmissions reads the submissions query (submissionCols and
// certifying_by) selects.
func querySubmissions(ctx context.Context, db *sql.DB, query string) ([]cutCertification, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []cutCertification
	for rows.Next() {
		var c cutCertification
		if c.sub, err = scanSubmission(byScanner{rows, &c.by}); err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// byScanner scans a row of submissionCols followed by one more column
// into by.
type byScanner struct {
	rows *sql.Rows
	by   *string
}

func (b byScanner) Scan(dest ...any) error { return b.rows.Scan(append(dest, b.by)...) }

// jobInterrupted is the error of a submission whose validation was
// interrupted maxAttempts times.
var jobInterrupted = "validation was interrupted " + strconv.Itoa(maxAttempts) +
	" times (the service went down during it each time); submit the file again or report it"

// failInterruptedJobs fails the submissions whose validation has brought
// the service down maxAttempts times, rather than run them again: the
// service's failure, as every failed submission's (error_code
// "service"), each with its submission.failed audit entry by the
// service, as a validation that fails records.
func (s *Server) failInterruptedJobs(ctx context.Context) error {
	now := s.opt.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type failed struct {
		id            int64
		sha           string
		read, acc, rj int64
	}
	list, err := updateReturning(ctx, tx, `UPDATE submissions SET status = 'failed', error_code = 'service', updated_at = ?, error = ?
		WHERE status = 'validating' AND attempts >= ? RETURNING id, sha256, rows_read, accepted, rejected`,
		[]any{nowText(now), jobInterrupted, maxAttempts},
		func(rows *sql.Rows) (f failed, err error) { return f, rows.Scan(&f.id, &f.sha, &f.read, &f.acc, &f.rj) },
		func(f failed) int64 { return f.id })
	if err != nil {
		return err
	}
	for _, f := range list {
		if err := appendAudit(ctx, tx, now, "service", "submission.failed", strconv.FormatInt(f.id, 10), f.sha,
			fmt.Sprintf("rows_read=%d accepted=%d rejected=%d: %s", f.read, f.acc, f.rj, jobInterrupted)); err != nil {
			return err
		}
	}
	if len(list) > 0 {
		s.log.Warn("submissions whose validation was interrupted too often are failed", "submissions", len(list), "attempts", maxAttempts)
	}
	return tx.Commit()
}

// updateReturning runs update (an UPDATE … RETURNING) in tx and returns
// the rows it returned, scanned by scan, in the order of key (an id or a
// number), whatever order RETURNING gave them in.
func updateReturning[T any](ctx context.Context, tx *sql.Tx, update string, args []any, scan func(*sql.Rows) (T, error), key func(T) int64) ([]T, error) {
	rows, err := tx.QueryContext(ctx, update, args...)
	if err != nil {
		return nil, err
	}
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, v)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return list, nil
}

// recordWrittenReleases records published the releases a previous run
// left running whose folder is in place: publish renames a release's
// folder into place only once every file of it is written and synced, so
// one there is whole, and the stop came before the release was recorded.
// Each is recorded as publish records it (its folder, the SHA-256 of its
// release.json, the submissions release.json says it read), with its
// release.published audit entry in the name of the user who asked for it.
func (s *Server) recordWrittenReleases(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT number, period, created_by FROM releases WHERE status = 'running' ORDER BY number`)
	if err != nil {
		return err
	}
	type running struct {
		number     int64
		period, by string
	}
	var list []running
	for rows.Next() {
		var r running
		if err := rows.Scan(&r.number, &r.period, &r.by); err != nil {
			rows.Close()
			return err
		}
		list = append(list, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, r := range list {
		folder := fmt.Sprintf("%04d-%s", r.number, r.period)
		manifest := filepath.Join(s.state, "releases", folder, "release.json")
		b, err := os.ReadFile(manifest)
		if errors.Is(err, fs.ErrNotExist) {
			continue // not written: failInterruptedReleases fails it
		}
		if err != nil {
			return err
		}
		var m struct {
			Number      int64   `json:"number"`
			Period      string  `json:"period"`
			Submissions []int64 `json:"submissions"`
		}
		if err := json.Unmarshal(b, &m); err != nil || m.Number != r.number || m.Period != r.period {
			s.log.Warn("a running release's folder does not hold its release.json; the release is failed", "number", r.number, "file", manifest, "err", err)
			continue
		}
		if m.Submissions == nil {
			m.Submissions = []int64{}
		}
		sj, _ := json.Marshal(m.Submissions)
		h := sha256.Sum256(b)
		sum := hex.EncodeToString(h[:])
		now := s.opt.Now()
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE releases SET status = 'published', finished_at = ?, folder = ?, sha256 = ?, error = '', submissions = ? WHERE number = ? AND status = 'running'`,
			nowText(now), folder, sum, string(sj), r.number); err != nil {
			tx.Rollback()
			return err
		}
		if err := appendAudit(ctx, tx, now, r.by, "release.published", strconv.FormatInt(r.number, 10), sum,
			"recorded at the next start: the service stopped after the release was written and before it was recorded"); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.log.Warn("a release the previous run wrote but did not record is recorded published", "number", r.number, "period", r.period, "sha256", sum)
	}
	return nil
}

// failInterruptedReleases fails the releases a previous run left running,
// each with its release.failed audit entry, as publish records a release
// a stop cut short: in the name of the user who asked for it, with the
// error as the detail.
func (s *Server) failInterruptedReleases(ctx context.Context) error {
	now := s.opt.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type failed struct {
		number int64
		by     string
	}
	list, err := updateReturning(ctx, tx, `UPDATE releases SET status = 'failed', finished_at = ?, error = ? WHERE status = 'running'
		RETURNING number, created_by`, []any{nowText(now), releaseInterrupted},
		func(rows *sql.Rows) (f failed, err error) { return f, rows.Scan(&f.number, &f.by) },
		func(f failed) int64 { return f.number })
	if err != nil {
		return err
	}
	for _, f := range list {
		if err := appendAudit(ctx, tx, now, f.by, "release.failed", strconv.FormatInt(f.number, 10), "", releaseInterrupted); err != nil {
			return err
		}
	}
	if len(list) > 0 {
		s.log.Warn("releases interrupted by the previous run are failed", "releases", len(list))
	}
	return tx.Commit()
}

// --- HTTP plumbing -------------------------------------------------------

type ctxKey struct{}

func userOf(r *http.Request) User { u, _ := r.Context().Value(ctxKey{}).(User); return u }

// apiError is the JSON body of every error response.
type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeCompactJSON writes v unindented with a 200, for the bodies that
// are mostly coordinates (indenting puts each number on a line of its
// own): zones, hex outlines, the national map.
func writeCompactJSON(w http.ResponseWriter, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, apiError{Error: fmt.Sprintf(format, args...)})
}

// statusWriter records the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// access says who may call a route.
type access int

const (
	public access = iota // no token (/healthz, static assets)
	anyUser
	ministryOnly
)

// handle registers a route with logging, metrics and, unless public, the
// bearer-token check, the token's rate limit and the check of the query
// string against the parameters the route takes (query; none when
// empty). Public routes (the health check, the OpenAPI document, the
// dashboard's files) read no parameter and ignore the query string.
//
// A parameter the route requires is named with a trailing "!" ("kind!"):
// given empty, it is refused without the advice to leave it out.
func (s *Server) handle(pattern string, acc access, h http.HandlerFunc, query ...string) {
	var required []string
	for i, q := range query {
		if name, ok := strings.CutSuffix(q, "!"); ok {
			query[i] = name
			required = append(required, name)
		}
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		user := ""
		defer func() {
			if r.ContentLength != 0 {
				// What the handler left of the body is read by net/http,
				// to reuse the connection, before the answer is sent —
				// with no deadline, for ever from a client that declared
				// a body and sends nothing (a 401 before the body is
				// read, say). It gets bodyDrain, then the connection is
				// closed after the answer; a body that stalled (408) gets
				// no more.
				drain := bodyDrain
				if sw.code == http.StatusRequestTimeout {
					drain = 0
				}
				_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(drain))
			}
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			route := r.Pattern
			s.reqs.WithLabelValues(route, strconv.Itoa(code)).Inc()
			s.latency.WithLabelValues(route, strconv.Itoa(code)).Observe(time.Since(start).Seconds())
			s.log.Info("request", "method", r.Method, "route", route, "path", r.URL.Path, "status", code,
				"ms", time.Since(start).Milliseconds(), "user", user, "remote", r.RemoteAddr)
		}()
		// A handler's panic is the service's fault: answered 500 with a
		// JSON error (net/http alone would cut the connection, the client
		// seeing an empty reply), logged with its stack, and logged and
		// counted as 500 rather than as the 200 of a status never written.
		// An answer already begun cannot be replaced: its connection is
		// cut.
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("internal error: panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.code != 0 {
				sw.code = http.StatusInternalServerError
				panic(http.ErrAbortHandler)
			}
			writeError(sw, http.StatusInternalServerError, "internal error: the service failed while answering (it logged the cause); check with a GET whether the request took effect before sending it again")
		}()
		if acc == public && (pattern == "GET /healthz" || strings.HasPrefix(pattern, "GET /api/")) {
			// The public API endpoints take no query parameters either:
			// one given is said, as everywhere else, not ignored. (The
			// dashboard's pages keep their own state in their query.)
			if err := checkQuery(r.URL.RawQuery, query, required); err != nil {
				writeError(sw, http.StatusBadRequest, "%v", err)
				return
			}
		}
		if acc != public {
			if n := len(r.Header.Values("Authorization")); n > 1 {
				// Which one to take is no choice to make silently (the
				// first was taken): as a parameter given twice.
				writeError(sw, http.StatusBadRequest, "an Authorization header given %d times: give one", n)
				return
			}
			token, ok := bearerToken(r.Header.Get("Authorization"))
			if !ok {
				sw.Header().Set("WWW-Authenticate", `Bearer realm="lomsong"`)
				writeError(sw, http.StatusUnauthorized, "an Authorization: Bearer TOKEN header is required")
				return
			}
			u, ok, err := authenticate(r.Context(), s.db, strings.TrimSpace(token))
			if err != nil {
				s.log.Error("token lookup", "err", err)
				writeError(sw, http.StatusInternalServerError, "internal error")
				return
			}
			if !ok {
				sw.Header().Set("WWW-Authenticate", `Bearer realm="lomsong", error="invalid_token"`)
				writeError(sw, http.StatusUnauthorized, "the token is unknown or revoked")
				return
			}
			user = u.Name
			if wait, ok := s.limiter.allow(tokenHash(token), time.Now()); !ok {
				sw.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				writeError(sw, http.StatusTooManyRequests, "over the request rate of %g per second (burst %d) for this token", s.opt.RatePerSecond, s.opt.Burst)
				return
			}
			if err := s.datasetHere(); err != nil {
				s.log.Error("dataset directory gone", "err", err)
				writeError(sw, http.StatusServiceUnavailable, "%v", err)
				return
			}
			if acc == ministryOnly && u.Role != RoleMinistry {
				writeError(sw, http.StatusForbidden, "this needs the ministry role")
				return
			}
			if err := checkQuery(r.URL.RawQuery, query, required); err != nil {
				writeError(sw, http.StatusBadRequest, "%v", err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, u))
		}
		h(sw, r)
	})
}

// checkQuery checks a request's query string against the parameters its
// route takes: a parameter it does not take (a misspelt ?nmae=) or one
// given more than once (?kind=sites&kind=measurements) is an error naming
// it, as is one given empty (?carrier= from a script's unset variable,
// which read as no carrier would answer every carrier's gaps) and a query
// string that does not parse. Each would otherwise be
// silently ignored or silently decided (url.Values.Get takes the first),
// and the caller would never learn that its request was not the one
// answered.
func checkQuery(raw string, takes, required []string) error {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return fmt.Errorf("malformed query string: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if !slices.Contains(takes, name) {
			if len(takes) == 0 {
				return fmt.Errorf("unknown query parameter %q: this endpoint takes no query parameters", name)
			}
			return fmt.Errorf("unknown query parameter %q: this endpoint takes %s", name, strings.Join(takes, ", "))
		}
		if n := len(values[name]); n > 1 {
			return fmt.Errorf("query parameter %q given %d times: give it once", name, n)
		}
		if values[name][0] == "" {
			if slices.Contains(required, name) {
				return fmt.Errorf("query parameter %q is empty: give it a value (it is required)", name)
			}
			return fmt.Errorf("query parameter %q is empty: give it a value or leave it out", name)
		}
	}
	return nil
}

func (s *Server) metrics() {
	s.reg = prometheus.NewRegistry()
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lomsong_http_requests_total",
		Help: "HTTP requests by route and status code."}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lomsong_http_request_duration_seconds",
		Help: "HTTP request latency by route and status code.", Buckets: prometheus.DefBuckets}, []string{"route", "code"})
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lomsong_jobs_queued",
		Help: "Submissions waiting for or in validation (status queued or validating)."}, func() float64 {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM submissions WHERE status IN ('queued','validating')`).Scan(&n); err != nil {
			return math.NaN()
		}
		return float64(n)
	})
	s.reg.MustRegister(s.reqs, s.latency, queue, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handle("GET /healthz", public, s.healthz)
	metrics := promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
	s.handle("GET /metrics", ministryOnly, metrics.ServeHTTP)
	s.handle("GET /api/v1/openapi.json", public, s.openapi)
	s.handle("GET /api/v1/me", anyUser, s.me)
	s.handle("POST /api/v1/submissions", anyUser, s.submit, "kind!", "name")
	s.handle("GET /api/v1/submissions", anyUser, s.listSubmissions)
	s.handle("GET /api/v1/submissions/{id}", anyUser, s.getSubmission)
	s.handle("GET /api/v1/submissions/{id}/quarantine.csv", anyUser, s.quarantine)
	s.handle("POST /api/v1/submissions/{id}/certify", anyUser, s.certify)
	s.handle("POST /api/v1/releases", ministryOnly, s.createRelease)
	s.handle("GET /api/v1/releases", anyUser, s.listReleases)
	s.handle("GET /api/v1/releases/{period}/provinces/{code}/villages", anyUser, s.releaseVillages, "format", "release")
	s.handle("GET /api/v1/releases/{period}/provinces/{code}/deadzones.geojson", anyUser, s.releaseDeadzones, "release")
	s.handle("GET /api/v1/releases/{period}/provinces/{code}/scorecard", anyUser, s.releaseScorecard, "release")
	s.handle("GET /api/v1/releases/{period}/provinces/{code}/hexes", anyUser, s.releaseHexesOf, "release")
	s.handle("GET /api/v1/releases/{period}/gaps", anyUser, s.releaseGaps, "carrier", "release")
	s.handle("GET /api/v1/releases/{period}/diff", anyUser, s.releaseDiff, "province", "release")
	s.handle("GET /api/v1/releases/{period}/campaign", anyUser, s.releaseCampaignOf, "province", "release")
	s.handle("GET /api/v1/audit", ministryOnly, s.audit, "limit", "before")
	s.handle("GET /api/v1/releases/{period}/provinces", anyUser, s.releaseProvinces, "release")
	s.handle("GET /api/v1/releases/{period}/national", ministryOnly, s.releaseNational, "release")
	s.handle("GET /api/v1/releases/{period}/files/{name}", ministryOnly, s.releaseFile, "release")
	s.dashboardRoutes()
	s.handle("/", public, s.notRouted)
	// A path not in canonical form (/api/v1//submissions, /a/./b) goes to
	// the catch-all, which answers 404 naming the canonical path: the
	// mux's own answer, a redirect with no body, left curl -X POST of an
	// upload to such a path exit 0 with nothing said and nothing sent.
	catchAll, _ := s.mux.Handler(&http.Request{Method: http.MethodPatch, URL: &url.URL{Path: "/"}})
	s.root = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cleanPath(r.URL.Path) != r.URL.Path {
			r.Pattern = "/"
			catchAll.ServeHTTP(w, r)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}

// cleanPath is p in canonical form as http.ServeMux takes it: cleaned of
// empty, . and .. elements, its trailing slash kept.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// notRouted answers a request no route took: a path served for other
// methods is 405 with their Allow header (OPTIONS: 204 with it), any
// other is 404. (The catch-all route takes every request the others do
// not, so the mux's own 405 never happens.)
//
// A path that is a route's with a slash added (/api/v1/submissions/) is
// 404 naming the route's path: it is never redirected, which would send an
// upload's body twice, or served as the route, which would make two paths
// of one resource.
func (s *Server) notRouted(w http.ResponseWriter, r *http.Request) {
	if p := cleanPath(r.URL.Path); p != r.URL.Path {
		// The canonical path is named when it is a fixed route's; one a
		// pattern's wildcard takes may be another resource than meant
		// (/submissions//quarantine.csv is /submissions/{id} with id
		// "quarantine.csv").
		for _, c := range []string{p, strings.TrimRight(p, "/")} {
			if c != "" && c != "/" && s.fixedRoute(r, c) {
				writeError(w, http.StatusNotFound, "no such resource: %s %s; the path is %s", r.Method, r.URL.Path, c)
				return
			}
		}
		writeError(w, http.StatusNotFound, "no such resource: %s %s: the path has an empty, . or .. element", r.Method, r.URL.Path)
		return
	}
	allow := s.methodsOf(r, r.URL.Path)
	if len(allow) == 0 {
		if p := strings.TrimRight(r.URL.Path, "/"); p != r.URL.Path && p != "" && len(s.methodsOf(r, p)) > 0 {
			writeError(w, http.StatusNotFound, "no such resource: %s %s; the path is %s, without the trailing slash", r.Method, r.URL.Path, p)
			return
		}
		writeError(w, http.StatusNotFound, "no such resource: %s %s", r.Method, r.URL.Path)
		return
	}
	allow = append(allow, http.MethodOptions)
	w.Header().Set("Allow", strings.Join(allow, ", "))
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	hint := ""
	if r.Method == http.MethodPut && slices.Contains(allow, http.MethodPost) {
		// curl -T FILE, which the upload's refusals and the docs give as
		// a way to send a file, sends PUT unless told otherwise.
		hint = "; send it with POST (curl -T FILE sends PUT: add -X POST)"
	}
	writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed (allowed: %s)%s", r.Method, r.URL.Path, strings.Join(allow, ", "), hint)
}

// methodsOf lists the methods a route serves path for (none when no route
// but the catch-all takes it).
func (s *Server) methodsOf(r *http.Request, path string) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		u := *r.URL
		u.Path, u.RawPath = path, ""
		probe.URL = &u
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// fixedRoute reports whether a route without wildcards serves path.
func (s *Server) fixedRoute(r *http.Request, path string) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := r.Clone(r.Context())
		probe.Method = m
		u := *r.URL
		u.Path, u.RawPath = path, ""
		probe.URL = &u
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" && !strings.Contains(pattern, "{") {
			return true
		}
	}
	return false
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.db.PingContext(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "state database unavailable"})
		return
	}
	if err := s.datasetHere(); err != nil {
		// Public: the folder is named in the log, not to anyone asking.
		s.log.Error("dataset directory gone", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "dataset directory unavailable: removed, renamed or unmounted while the service ran"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	out := struct {
		User
		// ProvinceName names a province user's province (the dashboard
		// showed "Tỉnh 12").
		ProvinceName string `json:"province_name,omitempty"`
	}{User: u}
	if u.Province != "" {
		set, err := provinces2025()
		if err != nil {
			s.internal(w, err)
			return
		}
		if p, ok := set.ByCode(u.Province); ok {
			out.ProvinceName = p.Name
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// audit answers the audit log, newest first, limit entries at most
// (default 1000) from before the entry numbered before (the newest when
// not given). When older entries remain, the answer's next is the path
// that reads them: the log is paged, never cut off unsaid, and an auditor
// reaches its first entry however long it is.
func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	limit := 1000
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			writeError(w, http.StatusBadRequest, "limit %q: want 1 to 100000", v)
			return
		}
		limit = n
	}
	before := int64(math.MaxInt64)
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "before %q: want an entry's seq, 1 or more", v)
			return
		}
		before = n
	}
	// One more than asked for tells whether older entries remain.
	rows, err := s.db.QueryContext(r.Context(), `SELECT seq, at, user, action, target, sha256, detail FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?`, before, limit+1)
	if err != nil {
		s.internal(w, err)
		return
	}
	defer rows.Close()
	type entry struct {
		Seq    int64  `json:"seq"`
		At     string `json:"at"`
		User   string `json:"user"`
		Action string `json:"action"`
		Target string `json:"target"`
		SHA256 string `json:"sha256"`
		Detail string `json:"detail"`
	}
	out := []entry{}
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Seq, &e.At, &e.User, &e.Action, &e.Target, &e.SHA256, &e.Detail); err != nil {
			s.internal(w, err)
			return
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		s.internal(w, err)
		return
	}
	answer := map[string]any{"entries": out}
	if len(out) > limit {
		out = out[:limit]
		answer["entries"] = out
		answer["next"] = fmt.Sprintf("/api/v1/audit?limit=%d&before=%d", limit, out[limit-1].Seq)
	}
	writeJSON(w, http.StatusOK, answer)
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.log.Error("internal error", "err", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// limiter is a token bucket per API token.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket at now; when it is empty it
// returns how long until the next request is allowed.
func (l *limiter) allow(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN"
// header. The scheme's name is case-insensitive (RFC 9110 §11.1, and RFC
// 6750 follows it): "bearer" and "BEARER" are Bearer.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
