package server

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/sqlitedb"
	"github.com/lomsong/lomsong/internal/shellquote"
	"golang.org/x/text/unicode/norm"
)

// Submission is one uploaded file and what its validation found.
type Submission struct {
	ID         int64         `json:"id"`
	User       string        `json:"user"`
	Carrier    string        `json:"carrier,omitempty"`
	Kind       string        `json:"kind"`
	Filename   string        `json:"filename"`
	Bytes      int64         `json:"bytes"`
	SHA256     string        `json:"sha256"`
	ReceivedAt string        `json:"received_at"`
	Status     string        `json:"status"`
	RowsRead   int64         `json:"rows_read"`
	Accepted   int64         `json:"accepted"`
	Rejected   int64         `json:"rejected"`
	Reasons    []ReasonCount `json:"rejected_by_reason"`
	Error      string        `json:"error,omitempty"`
	// ErrorCode classes Error (English) for a reader to say in its own
	// language: too_many_rejects, carrier_not_yours (every row another
	// carrier's), no_data_rows, unreadable, certification_refused (status
	// refused) or service (failed).
	ErrorCode   string `json:"error_code,omitempty"`
	UpdatedAt   string `json:"updated_at"`
	CertifiedAt string `json:"certified_at,omitempty"`
	CertifiedBy string `json:"certified_by,omitempty"`
	// InDataset is the number of its accepted measurements the release
	// dataset held already when it was validated (or, since, when its
	// certification was refused for them, or it was certified): rows
	// its certification would find there, listed in its quarantine.csv
	// (reason in_dataset). Nil (null) until it is validated, for a kind
	// other than measurements, and when the release dataset could not be
	// read for them.
	InDataset *int64 `json:"in_dataset"`
	// Note explains a status the service derives rather than records:
	// "retracted", a certified submission whose rows were taken out of
	// the release dataset (lomsong dataset retract) since; for an
	// accepted submission, what its validation found of its rows in the
	// release dataset (inDatasetNote).
	Note       string `json:"note,omitempty"`
	mapping    []byte
	quarantine string
	// datasetSHA is the SHA-256 the release dataset holds its rows under
	// once certified (submissions.dataset_sha256; "" = SHA256).
	datasetSHA string
	// added reports whether its latest certification added its rows to
	// the release dataset (submissions.certify_added), rather than
	// finding them there already.
	added bool
	// limits is the JSON of the readLimits it was validated under
	// (submissions.read_limits; "" before its validation).
	limits string
	// inDatasetNote says what its validation found of its rows in the
	// release dataset (submissions.in_dataset_note; "" for nothing).
	inDatasetNote string
}

// MarshalJSON writes rows_read, accepted and rejected as null while the
// file is queued or being validated: they are not known yet, and 0 read
// as a file without rows (the dashboard had to guess from the status).
func (s Submission) MarshalJSON() ([]byte, error) {
	type plain Submission
	out := struct {
		plain
		RowsRead *int64        `json:"rows_read"`
		Accepted *int64        `json:"accepted"`
		Rejected *int64        `json:"rejected"`
		Reasons  []ReasonCount `json:"rejected_by_reason"`
	}{plain: plain(s)}
	if s.Status != "queued" && s.Status != "validating" {
		// Not validated yet: no counts, and no reasons either (an empty
		// list read as "nothing rejected").
		out.RowsRead, out.Accepted, out.Rejected, out.Reasons = &s.RowsRead, &s.Accepted, &s.Rejected, s.Reasons
	}
	return json.Marshal(out)
}

// inDataset returns the SHA-256 the release dataset holds a certified
// submission's rows under.
func (s Submission) inDataset() string { return cmp.Or(s.datasetSHA, s.SHA256) }

// ReasonCount is the number of rows rejected for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Rows   int64  `json:"rows"`
}

const submissionCols = `id, user, carrier, kind, filename, bytes, sha256, mapping, received_at, status, rows_read, accepted, rejected,
	reasons, quarantine, error, updated_at, certified_at, certified_by, dataset_sha256, error_code, certify_added, read_limits, in_dataset, in_dataset_note`

func scanSubmission(row interface{ Scan(...any) error }) (Submission, error) {
	var s Submission
	var reasons string
	var certAt, certBy sql.NullString
	var inDataset sql.NullInt64
	err := row.Scan(&s.ID, &s.User, &s.Carrier, &s.Kind, &s.Filename, &s.Bytes, &s.SHA256, &s.mapping, &s.ReceivedAt, &s.Status,
		&s.RowsRead, &s.Accepted, &s.Rejected, &reasons, &s.quarantine, &s.Error, &s.UpdatedAt, &certAt, &certBy, &s.datasetSHA, &s.ErrorCode, &s.added, &s.limits,
		&inDataset, &s.inDatasetNote)
	if err != nil {
		return s, err
	}
	s.CertifiedAt, s.CertifiedBy = certAt.String, certBy.String
	if inDataset.Valid {
		s.InDataset = &inDataset.Int64
	}
	if s.Status == "accepted" {
		s.Note = s.inDatasetNote
	}
	if err := json.Unmarshal([]byte(reasons), &s.Reasons); err != nil {
		return s, fmt.Errorf("submission %d: reasons: %w", s.ID, err)
	}
	if s.Reasons == nil {
		s.Reasons = []ReasonCount{}
	}
	return s, nil
}

// carrierKinds are the tables a carrier may submit: the ones whose rows
// name their carrier, so that rows of another carrier can be quarantined.
var carrierKinds = map[ingest.Kind]bool{ingest.KindMeasurements: true, ingest.KindSites: true}

// maxNameBytes caps a submission's file name, in bytes: well under the
// 255 bytes a file name may have on disk, and long enough for any real
// dump's name (about 60 Vietnamese letters of 3 bytes each).
const maxNameBytes = 200

// safeName returns the name an uploaded file is recorded under: the
// user's own name, in any script, as lomsong ingest keeps a file's name
// ("trạm phát sóng.csv"). The spooled file is called so too, and its base
// name becomes the source's name in the dataset's manifest
// (dataset.IngestFile), so the name must be one harmless path element:
// only the last element of a path is kept (a browser may send
// C:\dumps\x.csv; ../../etc/passwd is passwd), leading dots are dropped
// (no hidden file, no "..") and so are surrounding spaces; invalid UTF-8
// and characters that are not graphic (control characters such as NUL or
// a line end, the bidirectional overrides that make "gpj.exe" display as
// "exe.jpg") become "_". It is NFC-normalised, as the readers normalise
// text values, so that one name has one spelling whatever the client's
// keyboard composed, and at most maxNameBytes long (its end kept, with
// the extensions the format is read by). An empty result is "upload".
func safeName(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "/" || name == "." {
		return "upload"
	}
	name = strings.Map(func(r rune) rune {
		if !unicode.IsGraphic(r) {
			return '_'
		}
		return r
	}, norm.NFC.String(name))
	// Dots and spaces at the start, spaces at the end; again after the
	// cut to maxNameBytes, which can bare a dot.
	trim := func(s string) string {
		s = strings.TrimLeftFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
		return strings.TrimRightFunc(s, unicode.IsSpace)
	}
	name = trim(name)
	for len(name) > maxNameBytes {
		_, size := utf8.DecodeRuneInString(name)
		name = name[size:]
	}
	if name = trim(name); name == "" {
		return "upload"
	}
	return name
}

// submit receives a file: the body itself, or multipart/form-data with a
// "file" part and an optional "mapping" part. The bytes are streamed to a
// temporary file in the spool (SHA-256 computed on the way, at most
// MaxUploadBytes), and only a complete upload becomes a queued submission.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	kind := ingest.Kind(r.URL.Query().Get("kind"))
	if kind == "" {
		writeError(w, http.StatusBadRequest, "no ?kind=: say what the file holds, ?kind=measurements, sites, villages or subscriptions")
		return
	}
	if !kind.Valid() {
		writeError(w, http.StatusBadRequest, "kind %q: want ?kind=measurements, sites, villages or subscriptions", kind)
		return
	}
	var carrier string
	switch u.Role {
	case RoleProvince:
		writeError(w, http.StatusForbidden, "a province user cannot submit data")
		return
	case RoleCarrier:
		if !carrierKinds[kind] {
			writeError(w, http.StatusForbidden, "a carrier submits measurements and sites; %s come from the ministry", kind)
			return
		}
		carrier = string(u.Carrier)
	}
	if r.ContentLength > s.opt.MaxUploadBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "the body of %d bytes is over the limit of %d bytes%s", r.ContentLength, s.opt.MaxUploadBytes, overUploadCap)
		return
	}
	watch := &goneWatch{r: r.Body}
	// Its read errors are marked as the body's (bodyReader), for the raw
	// file and a multipart form's parts alike.
	body := bodyReader{http.MaxBytesReader(w, idleReader{watch, http.NewResponseController(w), s.opt.UploadIdle}, s.opt.MaxUploadBytes)}
	defer http.NewResponseController(w).SetReadDeadline(time.Time{})
	spool := filepath.Join(s.state, "spool")
	tmp, err := os.MkdirTemp(spool, ".upload-")
	if cause, ok := storageRefused(err); ok {
		s.storageUnavailable(w, cause, err)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	defer os.RemoveAll(tmp) // emptied by the rename below when the upload is kept
	name := safeName(r.URL.Query().Get("name"))
	var mapping []byte
	var size int64
	var sum string
	filePath := ""
	store := func(src io.Reader, fname string) error {
		if filePath != "" {
			return errUpload{http.StatusBadRequest, "more than one file part: send one file per submission"}
		}
		filePath = filepath.Join(tmp, "data")
		f, err := os.OpenFile(filePath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, h), src)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return uploadErr(err)
		}
		size, sum = n, hex.EncodeToString(h.Sum(nil))
		// ?name= is the name given on purpose; the file part's own
		// (curl -F file=@PATH's base name) names the file without it.
		if fname != "" && r.URL.Query().Get("name") == "" {
			name = safeName(fname)
		}
		return nil
	}
	// A body declared multipart is read as multipart/form-data or refused:
	// without its boundary its parts cannot be told apart, and taking the
	// MIME-wrapped bytes for the file would queue a submission that
	// validation later refuses for a header of "--boundary".
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data" && params["boundary"] != "":
		err = s.readMultipart(r, body, store, &mapping)
	case ct == "multipart/form-data":
		err = errUpload{http.StatusBadRequest, "malformed multipart: no boundary in the Content-Type (multipart/form-data; boundary=...)"}
	case strings.HasPrefix(ct, "multipart/"):
		err = errUpload{http.StatusBadRequest, fmt.Sprintf("malformed multipart: %s is not read; send multipart/form-data with a file part, or the file itself as the body", ct)}
	case ct == "application/x-www-form-urlencoded":
		// curl sends this type with -d and with --data-binary alike, but
		// curl -d @FILE drops the file's line ends: the rows run into
		// one line, which validation would refuse as a file without
		// data rows, blaming the file. A body of this type without a
		// single line end is taken for that and refused saying so, but
		// for one that may have none as it is (binary formats, JSON).
		var look lineEnds
		if err = store(io.TeeReader(body, &look), ""); err == nil && size > 0 && !look.any && !look.oneLine() {
			err = errUpload{http.StatusBadRequest, "the body has no line end: curl -d @FILE removes a file's line ends (and sends Content-Type application/x-www-form-urlencoded); send the file as it is with --data-binary @FILE (or -X POST -T FILE: -T alone sends PUT), or as multipart with -F file=@FILE"}
		}
	default:
		err = store(body, "")
	}
	if err == nil && filePath == "" {
		err = errUpload{http.StatusBadRequest, `multipart body without a "file" part`}
	}
	if err == nil && size == 0 {
		err = errUpload{http.StatusBadRequest, fmt.Sprintf("the file %s is empty", name)}
	}
	var m *ingest.Mapping
	if err == nil && mapping != nil {
		if m, err = ingest.ParseMapping(mapping); err != nil {
			// ParseMapping's errors say "mapping: " themselves.
			err = errUpload{http.StatusBadRequest, "the mapping part: " + strings.TrimPrefix(err.Error(), "mapping: ")}
		}
	}
	if err == nil && m != nil && m.Kind != "" && m.Kind != kind {
		err = errUpload{http.StatusBadRequest, fmt.Sprintf("the mapping is for %s, the submission is %s", m.Kind, kind)}
	}
	if err != nil {
		var ue errUpload
		if errors.As(err, &ue) && watch.gone != nil {
			// Not a malformed body: its client closed (or reset) the
			// connection before sending all of it. Nobody reads an
			// answer; the request is logged with nginx's 499 ("client
			// closed request"), as a certification whose client went
			// away, and this says what happened.
			s.log.Info("upload cut off: the client went away before the end of its body; nothing was kept",
				"user", u.Name, "received_bytes", watch.n, "declared_bytes", r.ContentLength, "err", watch.gone.Error())
			w.WriteHeader(statusClientClosedRequest)
			return
		}
		if errors.As(err, &ue) && watch.stopped != nil {
			// Cut by the service's stop (its grace ran out), logged as
			// such (Serve names the request it cut), not as the body's
			// fault: nobody reads the answer on the closed connection.
			s.log.Warn("upload cut by the service's stop before the end of its body; nothing was kept",
				"user", u.Name, "received_bytes", watch.n, "declared_bytes", r.ContentLength)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if errors.As(err, &ue) {
			writeError(w, ue.code, "%s", ue.msg)
			return
		}
		if cause, ok := storageRefused(err); ok {
			s.storageUnavailable(w, cause, err)
			return
		}
		s.internal(w, err)
		return
	}
	now := s.opt.Now()
	id, err := s.queue(r.Context(), u, carrier, kind, name, size, sum, mapping, now, tmp)
	if cause, ok := storageRefused(err); ok {
		s.storageUnavailable(w, cause, err)
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	s.log.Info("submission queued", "id", id, "user", u.Name, "kind", kind, "bytes", size, "sha256", sum)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	answer := map[string]any{"id": id, "status": "queued"}
	note, err := s.sameBytesNote(r.Context(), u, kind, sum, id)
	if err != nil {
		s.log.Error("submission queued: earlier submissions of its bytes not read", "id", id, "err", err)
	} else if note != "" {
		answer["note"] = note
	}
	writeJSON(w, http.StatusAccepted, answer)
}

// sameBytesNote says which earlier submissions u may see hold the same
// bytes of the same kind as submission id, or "" when none does: an upload
// sent again (curl retried after a timeout, a file sent twice) is a new
// submission, validated on its own, and certifying both adds the rows
// once; the answer says so rather than leaving the sender to find two
// identical rows in its list. A carrier hears of its own carrier's
// submissions only, never that another carrier sent the same file.
func (s *Server) sameBytesNote(ctx context.Context, u User, kind ingest.Kind, sum string, id int64) (string, error) {
	q := `SELECT id, filename, received_at FROM submissions WHERE sha256 = ? AND kind = ? AND id < ?`
	args := []any{sum, string(kind), id}
	if u.Role != RoleMinistry {
		q += ` AND carrier = ?`
		args = append(args, string(u.Carrier))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var earlier []string
	for rows.Next() {
		var n int64
		var fname, at string
		if err := rows.Scan(&n, &fname, &at); err != nil {
			return "", err
		}
		earlier = append(earlier, fmt.Sprintf("%d (%s, received %s)", n, fname, parseTime(at).Format(time.RFC3339)))
	}
	if err := rows.Err(); err != nil || len(earlier) == 0 {
		return "", err
	}
	const shown = 3
	which := "submission " + earlier[0]
	if len(earlier) > 1 {
		list := earlier[:min(len(earlier), shown)]
		which = "submissions " + strings.Join(list, ", ")
		if len(earlier) > shown {
			which += fmt.Sprintf(" and %d more", len(earlier)-shown)
		}
	}
	return fmt.Sprintf("the same bytes as %s: this is another submission of them, validated on its own; certifying more than one of them adds the rows once", which), nil
}

// queue records a complete upload (in the folder tmp) as a queued
// submission: the row and the move of tmp to spool/ID commit together (a
// folder moved in whose row did not commit is removed at startup).
func (s *Server) queue(ctx context.Context, u User, carrier string, kind ingest.Kind, name string, size int64, sum string, mapping []byte, now time.Time, tmp string) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var mp any
	if mapping != nil {
		mp = mapping
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO submissions (user, carrier, kind, filename, bytes, sha256, mapping, received_at, status, updated_at)
		VALUES (?,?,?,?,?,?,?,?, 'queued', ?)`, u.Name, carrier, string(kind), name, size, sum, mp, nowText(now), nowText(now))
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := appendAudit(ctx, tx, now, u.Name, "submission.create", strconv.FormatInt(id, 10), sum,
		fmt.Sprintf("kind=%s file=%s bytes=%d", kind, name, size)); err != nil {
		return 0, err
	}
	if err := os.Rename(filepath.Join(tmp, "data"), filepath.Join(tmp, name)); err != nil {
		return 0, err
	}
	dst := filepath.Join(s.state, "spool", strconv.FormatInt(id, 10))
	if err := os.Rename(tmp, dst); err != nil {
		return 0, err
	}
	if err := dataset.SyncDir(filepath.Join(s.state, "spool")); err != nil {
		os.RemoveAll(dst)
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		os.RemoveAll(dst)
		return 0, err
	}
	return id, nil
}

// lineEnds watches an upload's bytes for a line end (LF or CR), keeping
// its first bytes to tell the formats that may have none.
type lineEnds struct {
	head []byte
	any  bool
}

func (l *lineEnds) Write(p []byte) (int, error) {
	if len(l.head) < 8 {
		l.head = append(l.head, p[:min(len(p), 8-len(l.head))]...)
	}
	if !l.any && bytes.ContainsAny(p, "\n\r") {
		l.any = true
	}
	return len(p), nil
}

// oneLine reports whether the bytes may be a file that has no line end as
// it is: gzip, Parquet, Arrow IPC and (Geo)TIFF by their magic numbers,
// (Geo)JSON, often written on one line, and any other file whose first
// bytes hold a control character no text has (an Excel workbook, a ZIP
// archive, PK\x03\x04): sent with --data-binary, it reaches validation,
// which names what it is (save the sheet as CSV), rather than being
// refused as a CSV whose line ends curl -d removed, which it never was.
func (l *lineEnds) oneLine() bool {
	for _, magic := range []string{"\x1f\x8b", "PAR1", "ARROW1", "\xff\xff\xff\xff", "II*\x00", "MM\x00*"} {
		if bytes.HasPrefix(l.head, []byte(magic)) {
			return true
		}
	}
	if bytes.ContainsFunc(l.head, func(r rune) bool { return r < ' ' && r != '\t' }) {
		return true
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(l.head, []byte("\xef\xbb\xbf")), " \t")
	return len(text) > 0 && (text[0] == '{' || text[0] == '[')
}

// idleReader reads an upload's body with a read deadline idle after each
// read begins: bytes arriving however slowly keep it going, a client that
// sends nothing for idle (a stalled link, a client hung mid-body) gets a
// read error, which uploadErr answers 408.
type idleReader struct {
	r    io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
}

func (i idleReader) Read(p []byte) (int, error) {
	// Without a connection to set it on (an HTTP/2 stream in a test, a
	// wrapped writer) the body is read as before.
	_ = i.rc.SetReadDeadline(time.Now().Add(i.idle))
	n, err := i.r.Read(p)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = fmt.Errorf("nothing arrived for %v: %w", i.idle, err)
	case err == io.EOF:
		// The whole body is in: the connection's own reads (the
		// server's watch for a client going away while the upload is
		// queued) go on without the deadline.
		_ = i.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (i idleReader) Close() error { return i.r.Close() }

// goneWatch reads a request's body and records a read that failed
// because the client went away mid-body: its connection ended (EOF)
// before the body's declared length or last chunk, or was reset; or
// because the service closed the connection (a stop past its grace:
// net.ErrClosed). A malformed body (bad chunking, a multipart body
// without its closing boundary) is neither.
type goneWatch struct {
	r       io.ReadCloser
	n       int64 // bytes read
	gone    error // the read error that says the client went away
	stopped error // the read error that says the service closed the connection
}

func (g *goneWatch) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.n += int64(n)
	switch {
	case err == nil || g.gone != nil || g.stopped != nil:
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		g.gone = err
	case errors.Is(err, net.ErrClosed):
		g.stopped = err
	}
	return n, err
}

func (g *goneWatch) Close() error { return g.r.Close() }

// errUpload is a client's mistake in an upload, with its status code.
type errUpload struct {
	code int
	msg  string
}

func (e errUpload) Error() string { return e.msg }

// overUploadCap ends the refusal of an upload over --max-upload-bytes
// with what to do: the cap is on the bytes sent, so a gzip-compressed
// file (which every kind may be) or a file split in several fits.
const overUploadCap = "; nothing was kept: send the file gzip-compressed (FILE.csv.gz), or split into several submissions, or ask the service's operator to raise lomsong serve --max-upload-bytes"

// uploadErr classifies an error while reading the body: over the cap
// (413), cut off (400: by the client, or by a shutdown whose grace ran
// out, which closes the connection), or the server's own (returned as
// is).
func uploadErr(err error) error {
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return errUpload{http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over the limit of %d bytes%s", mb.Limit, overUploadCap)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errUpload{http.StatusRequestTimeout, "the upload stalled, " + err.Error() + "; nothing was kept: send it again"}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), strings.Contains(err.Error(), "http: "),
		strings.Contains(err.Error(), "multipart"), strings.Contains(err.Error(), "connection reset"), errors.As(err, new(bodyError)):
		return errUpload{http.StatusBadRequest, "the upload was cut off or malformed: " + err.Error()}
	}
	return err
}

// bodyReader marks the errors of reading an upload's body (bodyError), so
// that uploadErr tells the body's faults from the server's own (a disk
// that cannot take the file): a chunked body with a malformed chunk size
// ("invalid byte in chunk length") was answered 500, an internal error.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bodyError{err}
	}
	return n, err
}

// bodyError is an error reading an upload's body.
type bodyError struct{ err error }

func (e bodyError) Error() string { return e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

func (s *Server) readMultipart(r *http.Request, body io.Reader, store func(io.Reader, string) error, mapping *[]byte) error {
	r.Body = io.NopCloser(body)
	mr, err := r.MultipartReader()
	if err != nil {
		return errUpload{http.StatusBadRequest, "multipart: " + err.Error()}
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return uploadErr(err)
		}
		switch p.FormName() {
		case "file":
			if err := store(p, p.FileName()); err != nil {
				return err
			}
		case "mapping":
			// A second mapping part is refused as a second file part is:
			// taking the last would read the file with a mapping its
			// sender may not have meant, and say nothing of it.
			if *mapping != nil {
				return errUpload{http.StatusBadRequest, "more than one mapping part: send one mapping per submission"}
			}
			b, err := io.ReadAll(io.LimitReader(p, ingest.MaxMappingBytes+1))
			if err != nil {
				return uploadErr(err)
			}
			if len(b) > ingest.MaxMappingBytes {
				return errUpload{http.StatusRequestEntityTooLarge, fmt.Sprintf("the mapping is over %d bytes", ingest.MaxMappingBytes)}
			}
			*mapping = b
		default:
			return errUpload{http.StatusBadRequest, fmt.Sprintf("unknown multipart part %q: want file and optionally mapping", p.FormName())}
		}
	}
}

// visible reports whether u may see submission sub: the ministry sees
// all, a carrier its carrier's, a province none.
func visible(u User, sub Submission) bool {
	switch u.Role {
	case RoleMinistry:
		return true
	case RoleCarrier:
		return sub.Carrier == string(u.Carrier)
	}
	return false
}

func (s *Server) listSubmissions(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	var rows *sql.Rows
	var err error
	switch u.Role {
	case RoleMinistry:
		rows, err = s.db.QueryContext(r.Context(), `SELECT `+submissionCols+` FROM submissions ORDER BY id`)
	case RoleCarrier:
		rows, err = s.db.QueryContext(r.Context(), `SELECT `+submissionCols+` FROM submissions WHERE carrier = ? ORDER BY id`, string(u.Carrier))
	default:
		writeError(w, http.StatusForbidden, "a province user has no submissions")
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	defer rows.Close()
	out := []Submission{}
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			s.internal(w, err)
			return
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		s.internal(w, err)
		return
	}
	if err := s.markRetracted(out); err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"submissions": out})
}

// submissionFor loads the submission of the request's {id} and checks
// that its user may see it; it writes the error response otherwise.
func (s *Server) submissionFor(w http.ResponseWriter, r *http.Request) (Submission, bool) {
	id, ok := parseNumber(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "no submission %q", r.PathValue("id"))
		return Submission{}, false
	}
	sub, err := scanSubmission(s.db.QueryRowContext(r.Context(), `SELECT `+submissionCols+` FROM submissions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "no submission %d", id)
		return sub, false
	}
	if err != nil {
		s.internal(w, err)
		return sub, false
	}
	if !visible(userOf(r), sub) {
		writeError(w, http.StatusForbidden, "submission %d is not yours", id)
		return sub, false
	}
	return sub, true
}

func (s *Server) getSubmission(w http.ResponseWriter, r *http.Request) {
	if sub, ok := s.submissionFor(w, r); ok {
		subs := []Submission{sub}
		if err := s.markRetracted(subs); err != nil {
			s.internal(w, err)
			return
		}
		writeJSON(w, http.StatusOK, subs[0])
	}
}

// retractedNote is the Note of a certified submission whose rows the
// release dataset no longer holds.
const retractedNote = "its rows were taken out of the release dataset (lomsong dataset retract) after it was certified: no release reads them; certify it again to merge them back"

// markRetracted shows as "retracted" the certified submissions whose
// bytes the release dataset no longer holds: retracted from it on the
// command line (lomsong dataset retract), which the service's own
// records do not see. A certified submission that added nothing (its
// bytes, or its rows in another wrapping, were in the dataset already)
// gets a note saying so (noteCertified).
func (s *Server) markRetracted(subs []Submission) error {
	if !slices.ContainsFunc(subs, func(x Submission) bool { return x.Status == "certified" }) {
		return nil
	}
	s.dsMu.RLock()
	defer s.dsMu.RUnlock()
	store, err := dataset.Open(s.opt.Dataset)
	if err != nil {
		return err
	}
	return s.noteCertified(store, subs)
}

// noteCertified is markRetracted with dsMu held (read or write) and the
// release dataset opened under it. The submission a same-bytes note names
// is one whose certification put the bytes into the dataset
// (certify_added), whatever the order of their ids: the first certified,
// not the first submitted. When several did (the bytes retracted and
// certified back in between), the rows the dataset holds are the latest
// one's: an earlier one's note says its rows were retracted and which
// certification put them back, and one that added nothing names the
// latest, and, when that came after it, also the one whose rows it found
// (the latest certified before it). When none did (the bytes came with
// lomsong ingest), the note names the dataset's file.
func (s *Server) noteCertified(store *dataset.Store, subs []Submission) error {
	type adder struct {
		id int64
		at time.Time
	}
	// The submissions that added each SHA-256's bytes, read once.
	adders := map[string][]adder{}
	rows, err := s.db.Query(`SELECT sha256, id, certified_at FROM submissions WHERE status = 'certified' AND certify_added = 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sha, at string
		var id int64
		if err := rows.Scan(&sha, &id, &at); err != nil {
			return err
		}
		adders[sha] = append(adders[sha], adder{id, parseTime(at)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// holder is the submission whose certification put the bytes the
	// dataset holds there: the latest to add them (any earlier addition
	// was retracted before it, or it would have added nothing).
	holder := func(sha string) adder {
		var best adder
		for _, a := range adders[sha] {
			if best.id == 0 || a.at.After(best.at) || (a.at.Equal(best.at) && a.id > best.id) {
				best = a
			}
		}
		return best
	}
	addedBefore := func(sub Submission) int64 {
		at := parseTime(sub.CertifiedAt)
		var best adder
		for _, a := range adders[sub.SHA256] {
			if a.at.After(at) {
				continue
			}
			if best.id == 0 || a.at.After(best.at) || (a.at.Equal(best.at) && a.id > best.id) {
				best = a
			}
		}
		return best.id
	}
	for i := range subs {
		if subs[i].Status != "certified" {
			continue
		}
		src, ok := store.Lookup(subs[i].inDataset())
		switch {
		case !ok:
			subs[i].Status, subs[i].Note = "retracted", retractedNote
		case src.SHA256 != subs[i].SHA256:
			// Its content was in the dataset already, in another wrapping
			// (gzip, CRLF, a byte-order mark).
			subs[i].Note = fmt.Sprintf("the same rows as %s, in the release dataset already: certifying it added nothing", src.Name)
		case subs[i].added:
			if h := holder(subs[i].SHA256); h.id != 0 && h.id != subs[i].ID {
				subs[i].Note = fmt.Sprintf("its rows were taken out of the release dataset (lomsong dataset retract) after it was certified, and submission %d's certification put the same bytes back: the rows the dataset holds are submission %d's", h.id, h.id)
			}
		default:
			h, before := holder(subs[i].SHA256), addedBefore(subs[i])
			switch {
			case h.id != 0 && h.id != before && before != 0:
				subs[i].Note = fmt.Sprintf("the same bytes as submission %d, whose certification put them back in the release dataset after they were taken out (lomsong dataset retract): certifying it added nothing (they were in the dataset then as submission %d's)", h.id, before)
			case h.id != 0 && h.id != before:
				subs[i].Note = fmt.Sprintf("the same bytes as submission %d, whose certification put them back in the release dataset after they were taken out (lomsong dataset retract): certifying it added nothing (they were in the dataset then)", h.id)
			case before != 0:
				subs[i].Note = fmt.Sprintf("the same bytes as submission %d, certified before it: certifying it added nothing", before)
			default:
				subs[i].Note = fmt.Sprintf("the same bytes as %s, in the release dataset already: certifying it added nothing", src.Name)
			}
		}
	}
	return nil
}

// quarantine sends the rejected rows of a validated submission as CSV
// (only a header when none were rejected).
func (s *Server) quarantine(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.submissionFor(w, r)
	if !ok {
		return
	}
	switch {
	case sub.Status == "queued", sub.Status == "validating":
		writeError(w, http.StatusConflict, "submission %d is %s; its quarantine exists once it is validated", sub.ID, sub.Status)
		return
	case sub.Status == "failed" && sub.quarantine == "":
		// Its validation never finished (the service's failure, or one
		// interrupted three times): which rows it rejects is not known,
		// and a quarantine of no rows would read as none rejected.
		writeError(w, http.StatusConflict, "submission %d failed (%s): its validation did not finish, so which of its rows are rejected is not known; submit the file again", sub.ID, sub.Error)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="submission-%d-quarantine.csv"`, sub.ID))
	if sub.quarantine == "" {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, strings.Join(ingest.QuarantineHeader, ",")+"\n")
		return
	}
	f, err := os.Open(filepath.Join(s.state, filepath.FromSlash(sub.quarantine)))
	if err != nil {
		s.internal(w, err)
		return
	}
	defer f.Close()
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
}

// spoolPath is where a submission's bytes are kept.
func (s *Server) spoolPath(sub Submission) string {
	return filepath.Join(s.state, "spool", strconv.FormatInt(sub.ID, 10), sub.Filename)
}

// sayDatasetError is err, an error of reading sub against the release
// dataset, as its carrier is told it: the spooled file named by the name
// it was submitted under, and the dataset's parts by their paths inside
// the dataset, not the service's folders.
func (s *Server) sayDatasetError(sub Submission, err error) string {
	msg := strings.ReplaceAll(err.Error(), s.spoolPath(sub), sub.Filename)
	for _, dir := range []string{s.opt.Dataset, absOr(s.opt.Dataset)} {
		msg = strings.ReplaceAll(msg, dir+string(filepath.Separator), "")
	}
	return msg
}

// damagedPartsAdvice says what mends a release dataset a part of which was
// altered or removed under the service (dataset.ErrCorruptPart,
// dataset.ErrPartUnreadable): the operator's, not the carrier's nor the
// service's.
const damagedPartsAdvice = "the dataset's operator finds the damaged parts with lomsong dataset verify and restores them (or retracts their source)"

// damagedDataset reports whether err is a part of the release dataset
// altered or removed under the service, which damagedPartsAdvice mends.
func damagedDataset(err error) bool {
	return errors.Is(err, dataset.ErrCorruptPart) || errors.Is(err, dataset.ErrPartUnreadable)
}

// absOr is dir made absolute, or dir when it cannot be.
func absOr(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

// readLimits are the limits a submission is read under (Options): those
// the service ran with when it validated the submission. The validation
// records them with it (submissions.read_limits, JSON) and the
// certification reads it under the recorded ones, so that what was
// checked is what is ingested: a service restarted with other limits in
// between neither refuses at certification a file its validation
// accepted, nor ingests other rows than the validation counted (a
// different MaxLineBytes rejects other lines). They are resource caps
// the validation has shown the file to fit, and its acceptance was
// decided under them; a lowered limit applies to the submissions
// validated after it.
type readLimits struct {
	MaxRejectShare float64 `json:"max_reject_share"`
	ingest.Limits
}

// defaultLimits are the defaults of Options' limits, lomsong ingest's.
// Submissions validated before the service recorded their limits are
// taken to have been validated under them (backfillReadLimits).
var defaultLimits = readLimits{MaxRejectShare: dataset.DefaultMaxRejectShare, Limits: ingest.DefaultLimits()}

// limits returns the limits the service validates submissions under.
func (o *Options) limits() readLimits {
	return readLimits{MaxRejectShare: o.MaxRejectShare, Limits: o.Limits}
}

// String names the limits as serve's flags.
func (l readLimits) String() string {
	return fmt.Sprintf("--max-reject-share %g, --max-gzip-ratio %g, --max-line-bytes %d, --max-decompressed-bytes %d, --max-spill-bytes %d",
		l.MaxRejectShare, l.MaxGzipRatio, l.MaxLineBytes, l.MaxDecompressedBytes, l.MaxSpillBytes)
}

// recordedLimits returns the limits a submission was validated under; a
// limit the record lacks (one added to the service after the validation)
// takes its default.
func recordedLimits(sub Submission) (readLimits, error) {
	var l readLimits
	if sub.limits != "" {
		if err := json.Unmarshal([]byte(sub.limits), &l); err != nil {
			return l, fmt.Errorf("submission %d: recorded limits %q: %w", sub.ID, sub.limits, err)
		}
	}
	l.MaxRejectShare = cmp.Or(l.MaxRejectShare, defaultLimits.MaxRejectShare)
	l.Limits = l.Limits.WithDefaults()
	return l, nil
}

// ingestOptions are the options a submission is validated and (when
// certified) ingested with, under lim: the same for both, so both read
// the same rows. The ingest time is the submission's receipt, not the
// clock.
func (s *Server) ingestOptions(sub Submission, lim readLimits) (dataset.IngestOptions, error) {
	received := parseTime(sub.ReceivedAt)
	if received.IsZero() {
		return dataset.IngestOptions{}, fmt.Errorf("submission %d: bad receipt time %q", sub.ID, sub.ReceivedAt)
	}
	opt := dataset.IngestOptions{Kind: ingest.Kind(sub.Kind), Config: ingest.Defaults("", received), MaxRejectShare: lim.MaxRejectShare}
	opt.Config.Limits = lim.Limits
	if sub.mapping != nil {
		m, err := ingest.ParseMapping(sub.mapping)
		if err != nil {
			return opt, fmt.Errorf("submission %d: mapping: %w", sub.ID, err)
		}
		opt.Mapping, opt.MappingJSON = m, sub.mapping
	}
	if sub.Carrier != "" {
		opt.Config.AllowedCarriers = []engine.Carrier{engine.Carrier(sub.Carrier)}
	}
	return opt, nil
}

// --- the job queue ---------------------------------------------------------

// worker validates queued submissions one at a time, oldest first, until
// the server closes. A job interrupted by Close goes back to the queue.
func (s *Server) worker() {
	defer s.bg.Done()
	for {
		for {
			ran, err := s.runNext(s.bgCtx)
			if err != nil && s.bgCtx.Err() == nil {
				s.log.Error("job queue", "err", err)
			}
			if !ran || s.bgCtx.Err() != nil {
				break
			}
		}
		select {
		case <-s.bgCtx.Done():
			return
		case <-s.wake:
		case <-time.After(2 * time.Second):
		}
	}
}

// runNext claims the oldest queued submission and validates it; it
// reports whether there was one.
func (s *Server) runNext(ctx context.Context) (bool, error) {
	// A dataset directory gone from its path leaves the queue as it is:
	// its submissions' files are out of reach, not wrong, and are
	// validated once it is back.
	if err := s.datasetHere(); err != nil {
		if !s.goneLogged.Swap(true) {
			s.log.Error("job queue: waiting for the dataset directory to be back; nothing is validated meanwhile", "err", err)
		}
		return false, nil
	}
	if s.goneLogged.Swap(false) {
		s.log.Info("job queue: the dataset directory is back")
	}
	if time.Now().UnixNano() < s.storagePause.Load() {
		return false, nil
	}
	// The claim and the read of what was claimed are not cut short by
	// Close (context.Background): a stop between them left the submission
	// validating with its attempt counted, as a crash does, and three
	// orderly stops failed a good file. A stop is seen by validate, which
	// puts the job back below.
	var id int64
	err := s.db.QueryRowContext(context.Background(), `UPDATE submissions SET status = 'validating', attempts = attempts + 1, updated_at = ?
		WHERE id = (SELECT id FROM submissions WHERE status = 'queued' ORDER BY id LIMIT 1) RETURNING id`, nowText(s.opt.Now())).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sub, err := scanSubmission(s.db.QueryRowContext(context.Background(), `SELECT `+submissionCols+` FROM submissions WHERE id = ?`, id))
	if err != nil {
		return true, err
	}
	s.log.Info("validating", "id", id, "kind", sub.Kind, "bytes", sub.Bytes)
	lim := s.opt.limits()
	res, verr := s.validate(ctx, sub, lim)
	if ctx.Err() != nil || (verr != nil && s.datasetHere() != nil) {
		// Stopped by Close: the job goes back to the queue and is run from
		// scratch on the next start. An orderly stop is not the file
		// bringing the service down, so this start is not counted towards
		// maxAttempts (only one a crash cut short stays counted). So too
		// a validation the dataset directory's going cut short: the file
		// is not at fault, and it is run again once the directory is back.
		_, err := s.db.ExecContext(context.Background(), `UPDATE submissions SET status = 'queued', attempts = attempts - 1, updated_at = ? WHERE id = ?`,
			nowText(s.opt.Now()), id)
		if err == nil {
			// Said, so that the stop's log tells the operator where the
			// job went: its validation is not lost, nor counted against it.
			if ctx.Err() != nil {
				s.log.Info("validation stopped by the service's stop: the submission is queued again and validated from the start at the next start", "id", id)
			} else {
				s.log.Warn("validation cut short by the dataset directory's going: the submission is queued again and validated once the directory is back", "id", id)
			}
		}
		return true, err
	}
	if cause, ok := storageRefused(verr); ok {
		// The service's disk is full (or read-only): the file is not at
		// fault, and failing its submission would have its carrier send
		// it again for the operator's problem. It goes back to the queue,
		// not counted as an attempt, and the worker tries again after
		// StorageRetry.
		// Said once it is so: the log is what an operator (and a test)
		// reads the queue's state by.
		s.storagePause.Store(time.Now().Add(s.opt.StorageRetry).UnixNano())
		_, err := s.db.ExecContext(context.Background(), `UPDATE submissions SET status = 'queued', attempts = attempts - 1, updated_at = ? WHERE id = ?`,
			nowText(s.opt.Now()), id)
		if err != nil {
			return false, err
		}
		s.log.Error("validation: the service's storage refused a write; the submission goes back to the queue and validation resumes later",
			"id", id, "cause", cause, "retry_in", s.opt.StorageRetry.String(), "err", verr)
		return false, nil
	}
	return true, s.finish(sub, lim, res, verr)
}

// storageRefused reports whether err is the service's own storage
// refusing a write, and names the cause: no space left (ENOSPC), over a
// quota (EDQUOT), a read-only file system (EROFS) or permission denied
// (EACCES, EPERM). It is the operator's to fix, never the submitted
// file's fault: an upload is answered 507 and a certification 507, both
// saying nothing was kept or certified, and a validation goes back to the
// queue.
func storageRefused(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	if sqlitedb.Full(err) {
		// The service's own records (its SQLite database) on a full disk.
		return syscall.ENOSPC.Error(), true
	}
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EACCES, syscall.EPERM} {
		if errors.Is(err, e) {
			return e.Error(), true
		}
	}
	return "", false
}

// storageUnavailable answers an upload the service's storage refused
// (storageRefused): 507, saying why and that nothing was kept.
func (s *Server) storageUnavailable(w http.ResponseWriter, cause string, err error) {
	s.log.Error("upload: the service's storage refused a write; nothing was kept", "cause", cause, "err", err)
	writeError(w, http.StatusInsufficientStorage, "the service cannot store the upload now (%s): nothing was kept; send it again later (the service's operator has been told)", cause)
}

// validate ingests the submission into its own staging dataset,
// serve/submissions/ID (made afresh, so a re-run after a crash starts
// clean), under lim.
func (s *Server) validate(ctx context.Context, sub Submission, lim readLimits) (*dataset.IngestResult, error) {
	staging := filepath.Join(s.state, "submissions", strconv.FormatInt(sub.ID, 10))
	if err := os.RemoveAll(staging); err != nil {
		return nil, err
	}
	opt, err := s.ingestOptions(sub, lim)
	if err != nil {
		return nil, err
	}
	store, err := dataset.Open(staging)
	if err != nil {
		return nil, err
	}
	// A measurements file's rows are looked for in the release dataset as
	// its certification looks for them (dataset.IngestOptions.HeldIn), so
	// that the validation says which of them certifying would find there,
	// not the certification alone. Read as it is now: it may change
	// before the certification, which looks again.
	var heldErr error
	if ingest.Kind(sub.Kind) == ingest.KindMeasurements {
		s.dsMu.RLock()
		release, err := dataset.Open(s.opt.Dataset)
		s.dsMu.RUnlock()
		if err != nil {
			heldErr = err
		} else {
			opt.HeldIn = release
		}
	}
	res, err := store.IngestFile(ctx, s.spoolPath(sub), opt)
	if res != nil && heldErr != nil {
		res.HeldErr = heldErr
	}
	return res, err
}

// inDataset says what a measurements submission's validation (res) found
// of its accepted rows in the release dataset: their count (nil: not
// known), a note for its carrier, and its quarantine (q, relative to the
// service's state; "" for none) with the rows the dataset holds listed
// (reason in_dataset).
func (s *Server) inDataset(sub Submission, res *dataset.IngestResult, q string) (*int64, string, string, error) {
	switch {
	case res.HeldErr != nil:
		s.log.Error("validation: the release dataset could not be read for the submission's rows", "id", sub.ID, "err", res.HeldErr)
		return nil, fmt.Sprintf("whether the release dataset holds some of its rows already could not be checked (%s): its certification checks it", s.sayDatasetError(sub, res.HeldErr)), q, nil
	case res.HeldSame != nil:
		n := res.Report.Accepted
		return &n, fmt.Sprintf("%s in the release dataset already, as %s (ingested %s, sha256 %s…): certifying it adds nothing",
			allRows(n), res.HeldSame.Name, res.HeldSame.IngestedAt.Format("2006-01-02 15:04 MST"), dataset.ShortSHA(res.HeldSame.SHA256)), q, nil
	case res.Held != nil:
		q, err := s.writeHeldQuarantine(sub, q, res.Held)
		if err != nil {
			return nil, "", "", err
		}
		n := res.Held.Rows
		return &n, fmt.Sprintf("its validation found that %s; they are listed in its quarantine.csv (reason in_dataset): a dataset holds a measurement once, so certifying it would be refused; %s",
			res.Held.Found(), s.heldAdvice(res.Held, "before it is certified")), q, nil
	}
	var none int64
	return &none, "", q, nil
}

// heldAdvice says what to do with a submission some of whose rows the
// release dataset holds already (h), then being what follows the
// operator's retraction ("then certify it again"): submit the new rows
// alone, or have the earlier file taken out; when the dataset holds every
// one of its rows (from several files, or from a file holding more),
// there is nothing of it to certify.
func (s *Server) heldAdvice(h *dataset.HeldRowsError, then string) string {
	if h.Rows == h.Accepted {
		return "every one of its rows is in the dataset already: it holds nothing new to certify"
	}
	return fmt.Sprintf("to certify it, submit a file of its new rows alone (those its quarantine.csv does not list as in_dataset), or, when this one holds every row of the earlier one, the dataset's operator takes that out with %s, %s",
		h.Retract(shellquote.Quote(s.opt.Dataset)), then)
}

// allRows says that n accepted rows, all of a file's, are somewhere.
func allRows(n int64) string {
	if n == 1 {
		return "its one accepted row is"
	}
	return fmt.Sprintf("all %d of its accepted rows are", n)
}

// writeHeldQuarantine writes a submission's quarantine anew, as its
// quarantine q (relative to the service's state; "" for none) with the
// rows held's lists as rows the release dataset holds already (held nil:
// none), in line order: serve/submissions/ID/quarantine.csv, which it
// returns (relative). The rows q listed as held before are left out: the
// dataset is as it is now.
func (s *Server) writeHeldQuarantine(sub Submission, q string, held *dataset.HeldRowsError) (string, error) {
	rel := path.Join("submissions", strconv.FormatInt(sub.ID, 10), "quarantine.csv")
	dst := filepath.Join(s.state, filepath.FromSlash(rel))
	var rows []ingest.Reject
	if held != nil {
		rows = held.Rejects(sub.Filename)
	}
	var r *csv.Reader
	if q != "" {
		in, err := os.Open(filepath.Join(s.state, filepath.FromSlash(q)))
		if err != nil {
			return "", err
		}
		defer in.Close()
		r = csv.NewReader(in)
		r.FieldsPerRecord = len(ingest.QuarantineHeader)
		if _, err := r.Read(); err != nil {
			return "", fmt.Errorf("submission %d: %s: %w", sub.ID, q, err)
		}
	}
	// next returns the quarantine's next row but those held before, nil
	// at its end.
	next := func() (*ingest.Reject, error) {
		for r != nil {
			rec, err := r.Read()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				return nil, fmt.Errorf("submission %d: %s: %w", sub.ID, q, err)
			}
			if rec[4] == string(dataset.ReasonInDataset) {
				continue
			}
			line, err := strconv.ParseInt(rec[1], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("submission %d: %s: line %q: %w", sub.ID, q, rec[1], err)
			}
			return &ingest.Reject{Source: rec[0], Line: line, Column: rec[2], Value: rec[3], Reason: ingest.Reason(rec[4]), Detail: rec[5]}, nil
		}
		return nil, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".quarantine-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriter(tmp)
	qw, err := ingest.NewQuarantineWriter(bw)
	if err != nil {
		return "", err
	}
	cur, err := next()
	for err == nil && (cur != nil || len(rows) > 0) {
		if cur != nil && (len(rows) == 0 || cur.Line <= rows[0].Line) {
			if err = qw.Write(*cur); err == nil {
				cur, err = next()
			}
			continue
		}
		err = qw.Write(rows[0])
		rows = rows[1:]
	}
	if err == nil {
		err = qw.Flush()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		return "", err
	}
	return rel, nil
}

// finish records a validation's outcome: accepted (its rows may be
// certified), refused (too many rejected rows, no data rows, or a file
// that cannot be read as the kind; the error says why), or failed (the
// service's own error); and the limits lim it was validated under, which
// its certification reads it under.
func (s *Server) finish(sub Submission, lim readLimits, res *dataset.IngestResult, verr error) error {
	status, msg, code := "accepted", "", ""
	var err error
	var tm *dataset.TooManyRejectsError
	switch {
	case verr == nil:
	case errors.As(verr, &tm) && allOtherCarriers(sub, res):
		// Not rows to fix: the whole file is another carrier's (or the
		// account's carrier is misspelt).
		status, code = "refused", "carrier_not_yours"
		if msg, err = otherCarrierMessage(sub, res); err != nil {
			return err
		}
	case errors.As(verr, &tm):
		status, code = "refused", "too_many_rejects"
		var rep *ingest.Report
		if res != nil {
			rep = res.Report
		}
		msg = fmt.Sprintf("%.2f%% of rows rejected, above the limit of %.2f%%; nothing can be certified; %s",
			100*tm.Share, 100*tm.Limit, rejectsAdvice(rep))
	case errors.Is(verr, dataset.ErrNoDataRows):
		status, msg, code = "refused", fmt.Sprintf("the file %s has no data rows", sub.Filename), "no_data_rows"
	case isFileError(verr):
		status, msg, code = "refused", strings.ReplaceAll(verr.Error(), s.spoolPath(sub), sub.Filename), "unreadable"
		if errors.Is(verr, ingest.ErrMissingColumn) {
			msg = s.missingColumnAdvice(sub, lim, msg)
		}
	default:
		status, msg, code = "failed", verr.Error(), "service"
		s.log.Error("validation failed", "id", sub.ID, "err", verr)
	}
	var read, acc, rej int64
	reasons := []ReasonCount{}
	quarantine := ""
	if res != nil && res.Report != nil {
		read, acc, rej = res.Report.RowsRead, res.Report.Accepted, res.Report.Rejected
		for _, k := range res.Report.Reasons() {
			reasons = append(reasons, ReasonCount{string(k), res.Report.ByReason[k]})
		}
		staging := filepath.Join(s.state, "submissions", strconv.FormatInt(sub.ID, 10))
		q := ""
		switch {
		case res.RefusedDir != "":
			q = filepath.Join(res.RefusedDir, "quarantine.csv")
		case res.Source.Quarantine != "":
			q = filepath.Join(staging, filepath.FromSlash(res.Source.Quarantine))
		}
		if q != "" {
			rel, err := filepath.Rel(s.state, q)
			if err != nil {
				return err
			}
			quarantine = filepath.ToSlash(rel)
		}
	}
	var inDataset *int64
	inNote := ""
	if status == "accepted" && ingest.Kind(sub.Kind) == ingest.KindMeasurements && res != nil && res.Report != nil {
		if inDataset, inNote, quarantine, err = s.inDataset(sub, res, quarantine); err != nil {
			return err
		}
	}
	rj, _ := json.Marshal(reasons)
	lj, err := json.Marshal(lim)
	if err != nil {
		return err
	}
	now := s.opt.Now()
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE submissions SET status = ?, rows_read = ?, accepted = ?, rejected = ?, reasons = ?, quarantine = ?, error = ?, error_code = ?, updated_at = ?,
		read_limits = ?, in_dataset = ?, in_dataset_note = ? WHERE id = ?`, status, read, acc, rej, string(rj), quarantine, msg, code, nowText(now), string(lj),
		nullable(inDataset), inNote, sub.ID); err != nil {
		return err
	}
	detail := fmt.Sprintf("rows_read=%d accepted=%d rejected=%d", read, acc, rej)
	if inDataset != nil && *inDataset > 0 {
		detail += fmt.Sprintf(" in_dataset=%d", *inDataset)
	}
	if msg != "" {
		// A refusal's (or failure's) reason is its record's too: the
		// counts alone (all zero for a file that cannot be read) say
		// nothing of why.
		detail += ": " + code + ": " + msg
	}
	if err := appendAudit(context.Background(), tx, now, "service", "submission."+status, strconv.FormatInt(sub.ID, 10), sub.SHA256,
		detail); err != nil {
		return err
	}
	s.log.Info("validated", "id", sub.ID, "status", status, "rows_read", read, "accepted", acc, "rejected", rej)
	return tx.Commit()
}

// nullable is n for a nullable column: NULL for nil.
func nullable(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

// missingColumnAdvice ends msg, the refusal of a submission whose header
// lacks columns of its kind, with what a user of the service does, in
// place of the command line's advice (ingest.MappingHint): when the
// header is another kind's (a sites register sent as ?kind=measurements),
// submit it as that kind; otherwise send a mapping part naming its
// columns.
func (s *Server) missingColumnAdvice(sub Submission, lim readLimits, msg string) string {
	advice := `send the file again with a mapping part naming its columns (curl -F file=@FILE -F mapping=@mapping.json; lomsong validate --suggest-mapping FILE prints one), or write the contract's column names (docs/data-contract.md)`
	if src, err := dataset.OpenSource(s.spoolPath(sub), "", nil, lim.Limits); err == nil {
		switch k := src.Kind; {
		case k == ingest.Kind(sub.Kind) || !k.Valid():
		case sub.Carrier != "" && !carrierKinds[k]:
			advice = fmt.Sprintf("its header is a %s table's, and it was submitted as ?kind=%s: %s come from the ministry, not from a carrier", k, sub.Kind, k)
		default:
			advice = fmt.Sprintf("its header is a %s table's, and it was submitted as ?kind=%s: if it holds %s, submit it with ?kind=%s", k, sub.Kind, k, k)
		}
		src.Close()
	}
	if strings.Contains(msg, ingest.MappingHint) {
		return strings.Replace(msg, ingest.MappingHint, advice, 1)
	}
	return msg + "; " + advice
}

// rejectsAdvice says what to do about a submission refused for its
// rejected rows (rep): fix them and submit again, or, when most of them
// were rejected for a decimal comma the file writes throughout (an Excel
// export in Vietnamese, 103,24 for 103.24), submit it again with a mapping
// that reads it so: one mapping part, not every row edited.
func rejectsAdvice(rep *ingest.Report) string {
	const fix = "fix the rows in quarantine.csv and submit again"
	if rep == nil || rep.DecimalCommaRejected == 0 || 2*rep.DecimalCommaRejected < rep.Rejected {
		return fix
	}
	return fmt.Sprintf("%d of its %d rejected rows write a number with a decimal comma (103,24 for 103.24): if the file writes its decimals so, "+
		`submit it again with a mapping part that says so, {"decimal": ","} (curl -F file=@FILE -F 'mapping={"decimal": ","}'), rather than editing its rows; otherwise %s`,
		rep.DecimalCommaRejected, rep.Rejected, fix)
}

// allOtherCarriers reports whether every row of a carrier's submission
// was rejected as another carrier's (carrier_not_yours).
func allOtherCarriers(sub Submission, res *dataset.IngestResult) bool {
	if sub.Carrier == "" || res == nil || res.Report == nil || res.RefusedDir == "" {
		return false
	}
	r := res.Report
	return r.RowsRead > 0 && r.ByReason[ingest.ReasonCarrierNotYours] == r.RowsRead
}

// maxCarriersNamed caps the carriers a refusal names.
const maxCarriersNamed = 5

// otherCarrierMessage says why a submission whose every row is another
// carrier's is refused: the carriers its rows name (read from the
// refusal's quarantine, with the file's spelling when it differs) and the
// one the account submits for, and what to do.
func otherCarrierMessage(sub Submission, res *dataset.IngestResult) (string, error) {
	f, err := os.Open(filepath.Join(res.RefusedDir, "quarantine.csv"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(ingest.QuarantineHeader)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return "", fmt.Errorf("submission %d: quarantine: %w", sub.ID, err)
	}
	const valueCol, reasonCol = 3, 4
	var names []string // "slug" or `slug ("Spelling" in the file)`, in the file's order
	seen := map[engine.Carrier]bool{}
	more := false
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("submission %d: quarantine: %w", sub.ID, err)
		}
		if rec[reasonCol] != string(ingest.ReasonCarrierNotYours) {
			continue
		}
		c, err := engine.ParseCarrier(rec[valueCol])
		if err != nil || seen[c] {
			continue
		}
		if len(names) == maxCarriersNamed {
			more = true
			break
		}
		seen[c] = true
		name := string(c)
		if rec[valueCol] != name {
			name += fmt.Sprintf(" (%q in the file)", rec[valueCol])
		}
		names = append(names, name)
	}
	rows := "every row names carrier " + strings.Join(names, ", ")
	if len(names) > 1 {
		rows = "every row names another carrier: " + strings.Join(names, ", ")
		if more {
			rows += " and more"
		}
	}
	msg := fmt.Sprintf("%s, while this account submits for %s only: rows of another carrier are rejected (carrier_not_yours), so nothing can be certified. "+
		"If the file is %s's, write %s in its carrier column (or a spelling lomsong knows for it); if it is another carrier's, submit it from that carrier's account",
		rows, sub.Carrier, sub.Carrier, sub.Carrier)
	if !engine.Carrier(sub.Carrier).Known() {
		msg += fmt.Sprintf("; %s is not a carrier lomsong knows by name: if it is misspelt, the ministry adds the account again with the right --carrier", sub.Carrier)
	}
	return msg, nil
}

// isFileError reports whether err is about the file's content (a refusal)
// rather than the service (a failure).
func isFileError(err error) bool {
	for _, e := range []error{ingest.ErrEmptyInput, ingest.ErrTooLarge, engine.ErrInvalidConfig} {
		if errors.Is(err, e) {
			return true
		}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return false
	}
	// The readers' errors about a header, a format or a compression name
	// the file ("FILE: …"); anything else from the dataset is the service's.
	return !strings.Contains(err.Error(), "dataset ")
}

// retryLockedSeconds is the Retry-After of a certification refused
// because another ingest holds the release dataset: a command-line ingest
// of a month's dump takes tens of seconds to minutes.
const retryLockedSeconds = 30

// certify merges an accepted submission into the release dataset: the
// same bytes, validated with the same options, through the dataset's
// transactional ingest (all of its accepted rows or none).
//
// The certification runs under the service's lifetime, not the
// request's: a large dump takes minutes, and a client that goes away (a
// proxy's timeout, a closed tab) neither stops it nor makes it fail; the
// submission reads certified once it is done. A second certification of
// the submission (a double click, a proxy's retry) waits for the first
// and answers as it does. The service's stop (Close) stops a
// certification still running after the shutdown's grace; nothing of it
// is written and the submission stays accepted.
func (s *Server) certify(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.submissionFor(w, r)
	if !ok {
		return
	}
	u := userOf(r)
	if u.Role == RoleMinistry && sub.Carrier != "" {
		writeError(w, http.StatusForbidden, "submission %d is %s's: its carrier certifies it", sub.ID, sub.Carrier)
		return
	}
	if !emptyBody(w, r, s.opt.UploadIdle) {
		return
	}
	if sub.Status == "certified" {
		subs := []Submission{sub}
		if err := s.markRetracted(subs); err != nil {
			s.internal(w, err)
			return
		}
		if subs[0].Status == "certified" {
			writeJSON(w, http.StatusOK, subs[0]) // with its note, as a GET shows it
			return
		}
		// Retracted from the dataset since: certifying again merges it
		// back.
	} else if sub.Status != "accepted" && !certifyRefused(sub) {
		writeError(w, http.StatusConflict, "submission %d is %s: only an accepted submission can be certified", sub.ID, sub.Status)
		return
	}
	if s.bgCtx.Err() != nil {
		w.Header().Set("Retry-After", strconv.Itoa(retryLockedSeconds))
		writeError(w, http.StatusServiceUnavailable, "the service is stopping: nothing was certified; certify submission %d again once it is back", sub.ID)
		return
	}
	done := make(chan certResult, 1) // never blocks the certification
	s.bg.Add(1)
	s.certs.Add(1)
	s.certsRunning.Add(1)
	go func() {
		defer s.bg.Done()
		defer s.certs.Done()
		defer s.certsRunning.Add(-1)
		s.log.Info("certifying", "id", sub.ID, "user", u.Name)
		res := s.certifyNow(s.bgCtx, sub, u)
		if res.err != nil {
			s.log.Error("internal error", "err", fmt.Errorf("certify %d: %w", sub.ID, res.err))
		}
		s.log.Info("certification", "id", sub.ID, "user", u.Name, "status", res.code)
		done <- res
	}()
	select {
	case res := <-done:
		res.write(w)
	case <-r.Context().Done():
		// The client went away; the certification goes on, and its
		// outcome is logged and recorded as ever. Not an error of the
		// service: the request is logged with nginx's 499 ("client closed
		// request"), which no client sees.
		s.log.Info("certification continues without its client (it went away)", "id", sub.ID, "user", u.Name)
		w.WriteHeader(statusClientClosedRequest)
	}
}

// certifyRefused reports whether sub's certification was refused
// (error_code certification_refused): certifying it again tries again,
// as the refusal advises — the dataset may no longer hold the other
// reading of its bytes (lomsong dataset retract).
func certifyRefused(sub Submission) bool {
	return sub.Status == "refused" && sub.ErrorCode == "certification_refused"
}

// statusClientClosedRequest is the status a request is logged and counted
// with when its client went away before the answer (nginx's 499).
const statusClientClosedRequest = 499

// certResult is the answer of a certification: the submission (200), or
// an error message with its status code and Retry-After seconds; err is
// the service's own error (500, logged by the certification).
type certResult struct {
	code       int
	sub        Submission
	msg        string
	retryAfter int
	err        error
}

func (c certResult) write(w http.ResponseWriter) {
	switch {
	case c.err != nil:
		writeError(w, http.StatusInternalServerError, "internal error")
	case c.code == http.StatusOK:
		writeJSON(w, http.StatusOK, c.sub)
	default:
		if c.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(c.retryAfter))
		}
		writeError(w, c.code, "%s", c.msg)
	}
}

// certifyNow certifies sub as u under ctx, the service's lifetime.
func (s *Server) certifyNow(ctx context.Context, sub Submission, u User) certResult {
	refused := func(code int, format string, args ...any) certResult {
		return certResult{code: code, msg: fmt.Sprintf(format, args...)}
	}
	stopped := func() certResult {
		// Stopped by the service's stop: the ingest is transactional,
		// nothing was written.
		s.log.Warn("certification stopped by the service's stop; the submission stays accepted", "id", sub.ID)
		c := refused(http.StatusServiceUnavailable, "the service stopped during the certification: nothing was certified and submission %d stays accepted; certify it again once the service is back", sub.ID)
		c.retryAfter = retryLockedSeconds
		return c
	}
	failed := func(err error) certResult {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// The service stopped while this one ran (between its check
			// after the lock and a query, say): the stop's answer, not an
			// internal error.
			return stopped()
		}
		if cause, ok := storageRefused(err); ok {
			// Its own records on a full disk before the dataset is
			// written (the write after it is answered apart): 507, as
			// the dataset's write refused, not an internal error.
			s.log.Error("certify: the service's storage refused a write; nothing was certified", "id", sub.ID, "cause", cause, "err", err)
			return refused(http.StatusInsufficientStorage, "submission %d: the service cannot write its records now (%s): nothing was certified and the submission stays accepted; certify it again later (the service's operator has been told)", sub.ID, cause)
		}
		return certResult{code: http.StatusInternalServerError, err: err}
	}
	// Under the limits it was validated under, whatever the service's now.
	lim, err := recordedLimits(sub)
	if err != nil {
		return failed(err)
	}
	opt, err := s.ingestOptions(sub, lim)
	if err != nil {
		return failed(err)
	}
	s.dsMu.Lock()
	defer s.dsMu.Unlock()
	// The service may have stopped while this one waited for the lock (a
	// release run reading the dataset past the stop's grace).
	if ctx.Err() != nil {
		return stopped()
	}
	gone := func(err error) certResult {
		return refused(http.StatusServiceUnavailable, "submission %d: %v; nothing was certified and the submission stays accepted", sub.ID, err)
	}
	if err := s.datasetHere(); err != nil {
		return gone(err)
	}
	// A certification whose outcome could not be recorded (the storage
	// refused) is recorded first: this one may be its second asking.
	if err := s.recordLateCertifications(ctx); err != nil {
		return failed(err)
	}
	// Another certification may have certified it while this one waited.
	cur, err := scanSubmission(s.db.QueryRowContext(ctx, `SELECT `+submissionCols+` FROM submissions WHERE id = ?`, sub.ID))
	if err != nil {
		return failed(err)
	}
	store, err := dataset.Open(s.opt.Dataset)
	if err != nil {
		return failed(err)
	}
	_, held := store.Lookup(cur.inDataset())
	switch {
	case cur.Status == "certified" && held:
		// Certified by the certification this one waited for (a double
		// click, a proxy's retry): its answer, as a GET reads it.
		subs := []Submission{cur}
		if err := s.noteCertified(store, subs); err != nil {
			return failed(err)
		}
		return certResult{code: http.StatusOK, sub: subs[0]}
	case cur.Status == "accepted", certifyRefused(cur), cur.Status == "certified": // certified, then retracted: merged back
	default:
		return refused(http.StatusConflict, "submission %d is %s now", sub.ID, cur.Status)
	}
	// Whose certification this is, recorded before the dataset is
	// written: a stop after the write and before its outcome is recorded
	// leaves the rows in the dataset, and the next start records the
	// certification from this (recordCutCertifications).
	if _, err := s.db.ExecContext(ctx, `UPDATE submissions SET certifying_by = ? WHERE id = ?`, u.Name, sub.ID); err != nil {
		return failed(err)
	}
	res, err := store.IngestFile(ctx, s.spoolPath(sub), opt)
	var other *dataset.OtherReadingError
	var tm *dataset.TooManyRejectsError
	var heldRows *dataset.HeldRowsError
	reason := ""
	// The quarantine and in_dataset a refusal records: as they are, or
	// with the rows the dataset holds as this certification found them.
	quarantine, inDataset := cur.quarantine, cur.InDataset
	switch {
	case errors.As(err, &heldRows):
		// Some of its measurements are in the dataset already, from
		// another file: certified, each would count twice. They are
		// listed in its quarantine as its validation lists them, as the
		// dataset is now.
		q, qerr := s.writeHeldQuarantine(cur, cur.quarantine, heldRows)
		if qerr != nil {
			return failed(qerr)
		}
		quarantine, inDataset = q, &heldRows.Rows
		reason = fmt.Sprintf("%s; they are listed in its quarantine.csv (reason in_dataset); %s",
			heldRows.Reason(), s.heldAdvice(heldRows, "then certify it again"))
	case errors.As(err, &other):
		// The same bytes are in the dataset read with another mapping:
		// certifying would claim rows the dataset does not hold. Once the
		// first reading is taken out, certifying again reads it anew.
		reason = fmt.Sprintf("%s; to certify it with this reading instead, the dataset's operator takes the first reading out with lomsong dataset retract %s %s, then certify it again",
			other.Reason(), shellquote.Quote(s.opt.Dataset), dataset.ShortSHA(other.Previous.SHA256))
	case err == nil && res.AlreadyIngested && res.Previous.Accepted != sub.Accepted:
		// The same content is in the dataset as another reading of it: the
		// same bytes validated under other limits (a line cap, say) counted
		// other rows. Certified, it would claim rows the dataset does not
		// hold (or hide rows it does), as a reading with another mapping
		// would.
		reason = fmt.Sprintf("its content is in the release dataset as %s, read then as %d accepted rows, while this submission's validation accepted %d (other limits): certifying it would claim rows the dataset does not hold; to certify it with this reading instead, the dataset's operator takes the first reading out with lomsong dataset retract %s %s, then certify it again",
			res.Previous.Name, res.Previous.Accepted, sub.Accepted, shellquote.Quote(s.opt.Dataset), dataset.ShortSHA(res.Previous.SHA256))
	case errors.As(err, &tm), errors.Is(err, ingest.ErrTooLarge):
		// Over a limit it was validated under: only a submission
		// validated before the service recorded its limits, taken to be
		// the defaults, can get here (the same bytes under the same
		// limits read the same).
		what := strings.ReplaceAll(err.Error(), s.spoolPath(sub), sub.Filename)
		if tm != nil { // its error names the service's folders
			what = fmt.Sprintf("%.2f%% of rows rejected, above the limit of %.2f%%", 100*tm.Share, 100*tm.Limit)
		}
		reason = fmt.Sprintf("read again under the limits of its validation (%s; the defaults for a submission validated before the service recorded its limits), it is refused: %s; submit the file again",
			lim, what)
	}
	// What is recorded after the ingest is recorded whatever happens to
	// ctx: the dataset's state and the submission's must agree.
	record := context.WithoutCancel(ctx)
	if reason != "" {
		// It cannot be certified as the dataset is: refused, with the
		// reason, rather than left awaiting certification (certifying it
		// again tries again: certifyRefused). A certified submission
		// whose rows were retracted (it reads "retracted") is refused
		// too: left certified, it kept reading "retracted" with a note
		// to certify it again, the reason and the rows found lost.
		msg := fmt.Sprintf("certification refused: %s", reason)
		now := s.opt.Now()
		if err := s.updateAudited(record, now, u.Name, "submission.certify_refused", sub, msg,
			`UPDATE submissions SET status = 'refused', error = ?, error_code = 'certification_refused', updated_at = ?, certifying_by = '', quarantine = ?, in_dataset = ?
			WHERE id = ? AND status IN ('accepted', 'refused', 'certified')`,
			msg, nowText(now), quarantine, nullable(inDataset), sub.ID); err != nil {
			return failed(err)
		}
		return refused(http.StatusConflict, "submission %d: %s", sub.ID, reason)
	}
	if errors.Is(err, dataset.ErrLocked) {
		// An operator's lomsong ingest (retract, repair) is writing the
		// release dataset: nothing was written, the submission stays
		// accepted, and certifying again once it is done succeeds. A
		// conflict with the dataset's state, not the service's failure.
		c := refused(http.StatusConflict, "submission %d: the release dataset is being written by another ingest (lomsong ingest, dataset retract or repair on the command line); nothing was certified and the submission stays accepted: try again when it has finished", sub.ID)
		c.retryAfter = retryLockedSeconds
		return c
	}
	if err != nil && ctx.Err() != nil {
		return stopped()
	}
	if herr := s.datasetHere(); err != nil && herr != nil {
		return gone(herr)
	}
	if cause, ok := storageRefused(err); ok {
		// The service's disk is full (or read-only): the ingest is
		// transactional, nothing was written.
		s.log.Error("certify: the service's storage refused a write; nothing was certified", "id", sub.ID, "cause", cause, "err", err)
		return refused(http.StatusInsufficientStorage, "submission %d: the service cannot write the release dataset now (%s): nothing was certified and the submission stays accepted; certify it again later (the service's operator has been told)", sub.ID, cause)
	}
	if damagedDataset(err) {
		// A part of the release dataset altered or removed under the
		// service: the ingest, transactional, wrote nothing. The
		// dataset's operator's to mend, not the file's fault nor the
		// service's own failure.
		s.log.Error("certify: a part of the release dataset is damaged; nothing was certified", "id", sub.ID, "err", err)
		return refused(http.StatusServiceUnavailable, "submission %d: the release dataset cannot be read (%s): nothing was certified and the submission stays accepted; %s, then certify it again",
			sub.ID, s.sayDatasetError(sub, err), damagedPartsAdvice)
	}
	if err != nil {
		return failed(err)
	}
	if res.Report != nil && res.Report.Accepted != sub.Accepted {
		// Cannot happen with the same bytes and options; if it does, say so
		// loudly rather than publish rows nobody validated.
		s.log.Error("certify: accepted rows differ from the validation", "id", sub.ID, "validated", sub.Accepted, "ingested", res.Report.Accepted)
	}
	now := s.opt.Now()
	detail := fmt.Sprintf("accepted=%d", sub.Accepted)
	switch {
	case res.AlreadyIngested && res.Previous.SHA256 == sub.SHA256:
		detail += " (these bytes were in the dataset already as " + res.Previous.Name + ")"
	case res.AlreadyIngested:
		// Other bytes, the same rows (gzip, CRLF, a byte-order mark): the
		// audit log is the record, it says which.
		detail += " (the same rows, in other bytes, were in the dataset already as " + res.Previous.Name + ")"
	}
	heldAs := sub.SHA256
	if res.AlreadyIngested {
		heldAs = res.Previous.SHA256
	}
	// What the dataset held of its rows, as this certification found it:
	// all of them, or none (some of them refuse it); rows its validation
	// (or a refused certification) listed as held are held no longer.
	if ingest.Kind(cur.Kind) == ingest.KindMeasurements {
		n := int64(0)
		if res.AlreadyIngested {
			n = cur.Accepted
		}
		inDataset = &n
		if !res.AlreadyIngested && cur.InDataset != nil && *cur.InDataset > 0 {
			// The dataset is written: what is recorded now must be, so a
			// quarantine not rewritten is said and left as it was.
			if q, qerr := s.writeHeldQuarantine(cur, cur.quarantine, nil); qerr != nil {
				s.log.Error("certify: the quarantine's rows held before were not taken out of it", "id", sub.ID, "err", qerr)
			} else {
				quarantine = q
			}
		}
	}
	if err := s.updateAudited(record, now, u.Name, "submission.certify", sub, detail,
		`UPDATE submissions SET status = 'certified', certified_at = ?, certified_by = ?, updated_at = ?, dataset_sha256 = ?, certify_added = ?, error = '', error_code = '', certifying_by = '',
		quarantine = ?, in_dataset = ?, in_dataset_note = '' WHERE id = ?`,
		nowText(now), u.Name, nowText(now), heldAs, !res.AlreadyIngested, quarantine, nullable(inDataset), sub.ID); err != nil {
		if cause, ok := storageRefused(err); ok {
			// The rows are in the release dataset; its record is not. It
			// is recorded (from certifying_by, set before the write)
			// before the next certification or release, or at the next
			// start: no release reads the rows of a submission that
			// reads accepted.
			s.log.Error("certify: the release dataset holds the submission's rows but the service could not record the certification; it is recorded before the next certification or release", "id", sub.ID, "cause", cause, "err", err)
			return refused(http.StatusInsufficientStorage, "submission %d: its rows are written to the release dataset, but the service cannot record the certification now (%s): it is recorded before the next certification or release, or when the service starts again; until then the submission reads accepted (the service's operator has been told)", sub.ID, cause)
		}
		return failed(err)
	}
	// The answer is the record as a GET reads it from now on, with the
	// note (certifying it added nothing) read from the dataset as it is
	// after this ingest.
	after, err := scanSubmission(s.db.QueryRowContext(record, `SELECT `+submissionCols+` FROM submissions WHERE id = ?`, sub.ID))
	if err != nil {
		return failed(err)
	}
	store, err = dataset.Open(s.opt.Dataset)
	if err != nil {
		return failed(err)
	}
	subs := []Submission{after}
	if err := s.noteCertified(store, subs); err != nil {
		return failed(err)
	}
	return certResult{code: http.StatusOK, sub: subs[0]}
}

// updateAudited runs one UPDATE of a submission (query with args) and its
// audit entry (user, action, detail) in one transaction.
func (s *Server) updateAudited(ctx context.Context, now time.Time, user, action string, sub Submission, detail, query string, args ...any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return err
	}
	if err := appendAudit(ctx, tx, now, user, action, strconv.FormatInt(sub.ID, 10), sub.SHA256, detail); err != nil {
		return err
	}
	return tx.Commit()
}

// jsonBody is the body of a request that is not an upload, read at most
// maxJSONBody bytes, each read failing once nothing has arrived for idle
// (idleReader, which lifts the deadline at the body's end): a client that
// declares a body and sends nothing held its certification or release
// request for as long as it kept the connection.
func jsonBody(w http.ResponseWriter, r *http.Request, idle time.Duration) io.Reader {
	return http.MaxBytesReader(w, idleReader{r.Body, http.NewResponseController(w), idle}, maxJSONBody)
}

// emptyBody reads the body of a request that takes none (a certification):
// nothing, whitespace or {} pass; anything else is answered 400 naming what
// was found (413 past maxJSONBody) and emptyBody returns false. A body the
// endpoint ignored would read as obeyed: {"dry_run": true} certified.
func emptyBody(w http.ResponseWriter, r *http.Request, idle time.Duration) bool {
	b, err := io.ReadAll(jsonBody(w, r, idle))
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		writeError(w, http.StatusRequestEntityTooLarge, "the body is over %d bytes", maxJSONBody)
		return false
	case errors.Is(err, os.ErrDeadlineExceeded):
		writeError(w, http.StatusRequestTimeout, "the body stalled, %v: send the request again", err)
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "the body was cut off or malformed: %v", err)
		return false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var none struct{}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		// Decoded into a struct, null is no error: not the {} asked for.
		err = errors.New("found null, not {}")
	} else if err = dec.Decode(&none); err == nil {
		if _, err = dec.Token(); err == io.EOF {
			return true
		}
		err = errors.New("found more after the object")
	}
	writeError(w, http.StatusBadRequest, "body: %s %s takes none (send no body, or {}): %v", r.Method, r.URL.Path, err)
	return false
}

// parseNumber reads a submission id or a release number: a positive
// integer written as the service writes it, so that 01, +1 and 001 name
// nothing (one resource, one address).
func parseNumber(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == s
}
