package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/sqlitedb"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/flock"
	"github.com/lomsong/lomsong/internal/shellquote"
)

// StateDir is the service's folder inside the dataset directory.
const StateDir = "serve"

// Role is what a user may see and do.
type Role string

// The roles.
const (
	// RoleMinistry (Cục Viễn thông) sees and does everything.
	RoleMinistry Role = "ministry"
	// RoleCarrier submits for its own carrier only and sees its own
	// submissions.
	RoleCarrier Role = "carrier"
	// RoleProvince (a provincial Sở) reads its own province only.
	RoleProvince Role = "province"
)

// User is one account of the service.
type User struct {
	Name     string         `json:"name"`
	Role     Role           `json:"role"`
	Carrier  engine.Carrier `json:"carrier,omitempty"`
	Province string         `json:"province,omitempty"` // a 2025 province code
	Created  time.Time      `json:"created"`
	Revoked  *time.Time     `json:"revoked,omitempty"`
}

// ErrNoSuchUser is returned for a user name that is not registered.
var ErrNoSuchUser = errors.New("no such user")

// ErrRevokedAlready is returned by RevokeUser for a user revoked before:
// nothing changes (no second audit line, the first revocation's time
// kept).
var ErrRevokedAlready = errors.New("revoked already")

// ErrInvalidUser wraps the reasons a user cannot be added.
var ErrInvalidUser = errors.New("invalid user")

var userName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

const schema = `
CREATE TABLE IF NOT EXISTS users (
	name         TEXT PRIMARY KEY,
	role         TEXT NOT NULL CHECK (role IN ('ministry','carrier','province')),
	carrier      TEXT NOT NULL DEFAULT '',
	province     TEXT NOT NULL DEFAULT '',
	token_sha256 TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	revoked_at   TEXT
);
CREATE TABLE IF NOT EXISTS submissions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	user         TEXT NOT NULL,
	carrier      TEXT NOT NULL DEFAULT '',
	kind         TEXT NOT NULL,
	filename     TEXT NOT NULL,
	bytes        INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	mapping      BLOB,
	received_at  TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('queued','validating','accepted','refused','failed','certified')),
	rows_read    INTEGER NOT NULL DEFAULT 0,
	accepted     INTEGER NOT NULL DEFAULT 0,
	rejected     INTEGER NOT NULL DEFAULT 0,
	reasons      TEXT NOT NULL DEFAULT '[]',
	quarantine   TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT '',
	attempts     INTEGER NOT NULL DEFAULT 0,
	updated_at   TEXT NOT NULL,
	certified_at TEXT,
	certified_by TEXT
);
CREATE INDEX IF NOT EXISTS submissions_status ON submissions (status, id);
CREATE TABLE IF NOT EXISTS releases (
	number       INTEGER PRIMARY KEY AUTOINCREMENT,
	period       TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('running','published','failed')),
	created_by   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	finished_at  TEXT,
	folder       TEXT NOT NULL DEFAULT '',
	submissions  TEXT NOT NULL DEFAULT '[]',
	sha256       TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS audit (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	at      TEXT NOT NULL,
	user    TEXT NOT NULL,
	action  TEXT NOT NULL,
	target  TEXT NOT NULL DEFAULT '',
	sha256  TEXT NOT NULL DEFAULT '',
	detail  TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`

// ErrNoDataset is the error of a dataset directory that does not exist:
// the service's state lives inside the dataset it serves, so a mistyped
// path must not become a new, empty one.
var ErrNoDataset = errors.New("no dataset here (not a directory)")

// ErrDatasetInUse is the error of a second service started on a dataset
// another one serves.
var ErrDatasetInUse = errors.New("dataset in use")

// ErrDatasetGone is the error of a running service whose dataset
// directory is no longer at its path: removed, renamed, replaced by a copy
// or unmounted while the service ran (Server.datasetHere).
var ErrDatasetGone = errors.New("the dataset directory is no longer the one the service started on")

// stateDir checks that the dataset at dir exists (ErrNoDataset) and makes
// its service folder, dir/serve. A user who may read the dataset but not
// write it (or a read-only file system) is told so, and who may: it read
// "mkdir DIR/serve: permission denied".
func stateDir(dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: %w; create one with lomsong ingest --dataset %s FILE... or lomsong demo", dir, ErrNoDataset, shellquote.Quote(dir))
	}
	if err := datasetUsable(dir); err != nil {
		return err
	}
	err := os.MkdirAll(filepath.Join(dir, StateDir), 0o755)
	if dataset.IsNotWritable(err) {
		return notWritable(dir, err, filepath.Join(dir, StateDir), "lomsong serve and lomsong users keep", "run them")
	}
	return err
}

// datasetUsable refuses a folder that holds other files and no dataset
// (notADataset) and a dataset whose manifest cannot be read (damaged, or
// another file under its name): no dataset to serve or to keep users
// for, refused as every command refuses it, with its repair, before any
// state is made beside it. An empty folder passes (a dataset to be).
func datasetUsable(dir string) error {
	if err := notADataset(dir); err != nil {
		return err
	}
	if fileExists(filepath.Join(dir, "manifest.json")) {
		if _, err := dataset.Open(dir); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotADataset is the error of a folder that holds other files but no
// dataset (no manifest.json) and no service state: a demo's output folder
// given for its dataset/, say. A service there would start a new dataset
// among those files.
var ErrNotADataset = errors.New("not a dataset's folder")

// notADataset refuses dir when it holds files but neither a dataset's
// manifest.json nor the service's state (an empty folder starts a new
// dataset; one the service already keeps its state in is its own).
func notADataset(dir string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil // said by what reads it next
	}
	if len(des) == 0 || fileExists(filepath.Join(dir, "manifest.json")) || fileExists(filepath.Join(dir, StateDir)) {
		return nil
	}
	var inside []string
	for _, d := range des {
		if sub := filepath.Join(dir, d.Name()); d.IsDir() && fileExists(filepath.Join(sub, "manifest.json")) {
			inside = append(inside, sub)
		}
	}
	hint := "give the dataset's folder (with its manifest.json), or an empty folder for a new dataset"
	if len(inside) > 0 {
		hint = "the dataset is " + strings.Join(inside, " or ") + " (a demo's output holds its dataset in dataset/)"
	}
	return fmt.Errorf("%s: %w: it holds other files and no manifest.json; %s", dir, ErrNotADataset, hint)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// stateWritable says, as stateDir does, that this user may not write the
// service's state of the dataset at dir: the state database (and the
// journal SQLite writes beside it) in dir/serve. SQLite said it as
// "sqlite DIR/serve/state.db: attempt to write a readonly database".
func stateWritable(dir string) error {
	folder := filepath.Join(dir, StateDir)
	f, err := os.CreateTemp(folder, ".write-check-*")
	if err == nil {
		f.Close()
		os.Remove(f.Name())
		f, err = os.OpenFile(filepath.Join(folder, "state.db"), os.O_RDWR, 0)
		if err == nil {
			f.Close()
		}
	} else if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		// The folder, not the name of the file tried in it.
		err = &fs.PathError{Op: "create a file in", Path: folder, Err: pe.Err}
	}
	if dataset.IsNotWritable(err) {
		return notWritable(dir, err, folder, "lomsong serve and lomsong users keep", "run them")
	}
	return nil
}

// notWritable refuses a dataset the service cannot keep its state in
// (dataset.IsNotWritable): why (a file system mounted read-only, or a
// user without write access, as ingest says it) and where the state is
// kept (who keeps it there, what to do).
func notWritable(dir string, err error, state, who, what string) error {
	return fmt.Errorf("dataset %s: %s (%w): %s the service's state in %s", dir, dataset.NotWritableAdvice(err, what), err, who, state)
}

// lockName is the lock file a running service holds in dir/serve.
const lockName = "serve.lock"

// lockState takes the service's exclusive lock on the dataset at dir: a
// non-blocking flock on dir/serve/serve.lock, held until flock.Unlock
// of the returned file (the kernel drops it when the process ends, however it
// ends, so a killed service leaves no stale lock). Two services on one
// dataset would each take the other's work for a crash's leftovers at
// start-up (an upload in progress removed, a release being computed
// failed), so a second one is refused with ErrDatasetInUse. The same
// kind of lock as the dataset's own (engine/dataset), on another file:
// lomsong ingest and lomsong users on the dataset stay allowed while it
// is served.
func lockState(dir string) (*os.File, error) {
	path := filepath.Join(dir, StateDir, lockName)
	f, err := flock.TryLock(path)
	switch {
	case errors.Is(err, flock.ErrHeld):
		return nil, fmt.Errorf("serve: %s: %w: another lomsong serve is using it (it holds %s); stop that one first, or serve another dataset", dir, ErrDatasetInUse, path)
	case dataset.IsNotWritable(err):
		return nil, notWritable(dir, err, filepath.Join(dir, StateDir), "lomsong serve keeps", "run it")
	case err != nil:
		return nil, fmt.Errorf("serve: locking %s: %w", path, err)
	}
	return f, nil
}

// openState opens (creating) the state database of the dataset at dir,
// which must exist (ErrNoDataset).
func openState(ctx context.Context, dir string) (*sql.DB, error) {
	if err := stateDir(dir); err != nil {
		return nil, err
	}
	if err := stateWritable(dir); err != nil {
		return nil, err
	}
	db, err := sqlitedb.Open(ctx, filepath.Join(dir, StateDir, "state.db"), sqlitedb.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: state schema: %w", dir, err)
	}
	for _, c := range [][2]string{{"dataset_sha256", "TEXT NOT NULL DEFAULT ''"}, {"error_code", "TEXT NOT NULL DEFAULT ''"},
		{"certify_added", "INTEGER NOT NULL DEFAULT 1"}, {"read_limits", "TEXT NOT NULL DEFAULT ''"}, {"certifying_by", "TEXT NOT NULL DEFAULT ''"},
		{"in_dataset", "INTEGER"}, {"in_dataset_note", "TEXT NOT NULL DEFAULT ''"}} {
		added, err := addColumn(ctx, db, "submissions", c[0], c[1])
		switch {
		case err != nil || !added:
		case c[0] == "certify_added":
			err = backfillCertifyAdded(ctx, db)
		case c[0] == "read_limits":
			err = backfillReadLimits(ctx, db)
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: state schema: %w", dir, err)
		}
	}
	return db, nil
}

// backfillCertifyAdded sets submissions.certify_added of the submissions
// certified before the column existed. Their only record of whether the
// certification added the rows is the audit log: the detail of a
// submission's latest submission.certify entry says "… were in the
// dataset already as NAME" when it added nothing (certify writes it).
func backfillCertifyAdded(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `UPDATE submissions SET certify_added = 0 WHERE status = 'certified' AND
		(SELECT detail FROM audit WHERE action = 'submission.certify' AND target = CAST(submissions.id AS TEXT) ORDER BY seq DESC LIMIT 1)
		LIKE '%were in the dataset already as %'`)
	return err
}

// backfillReadLimits sets submissions.read_limits of the submissions
// written before the column existed to the defaults of the limits
// (defaultLimits), those of a service started without limit flags: the
// only limits known for them, and the same whichever command (serve,
// lomsong users) opens the state database first.
func backfillReadLimits(ctx context.Context, db *sql.DB) error {
	lj, err := json.Marshal(defaultLimits)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `UPDATE submissions SET read_limits = ?`, string(lj))
	return err
}

// addColumn adds a column to a table of a state database written before
// the column existed (a no-op when it has it).
//
// submissions.dataset_sha256: the SHA-256 under which the release dataset
// holds a certified submission's rows: its own, or, when its content was
// in the dataset already in another wrapping (CRLF, a byte-order mark,
// gzip), that earlier file's ("" before certification, and in databases
// written before the column: read as the submission's own).
// submissions.error_code: the class of a refused or failed submission's
// error (Submission.ErrorCode), for the dashboard to say in its language.
// submissions.certify_added: 1 when the submission's latest certification
// added its rows to the release dataset, 0 when they were in it already
// (the same bytes, or the same rows in another wrapping); it tells which
// of several submissions of the same bytes put them there, whatever
// order they were certified in.
// submissions.read_limits: the limits the submission was validated under
// (readLimits, JSON), which its certification reads it under; "" until it
// is validated.
// submissions.certifying_by: the user whose certification of the
// submission is writing the release dataset, set before the write and
// cleared when its outcome is recorded; one left set by a stop between
// the two tells the next start whose certification the rows the dataset
// holds are (recordCutCertifications).
// submissions.in_dataset: how many of a measurements submission's accepted
// rows the release dataset held already when it was validated (its
// certification refused for them, or certified, since: then), NULL until
// then, for other kinds, when it could not be read for them, and for
// submissions validated before the column; in_dataset_note says so to
// its carrier (Submission.Note while it is accepted). It reports whether
// it added the column.
func addColumn(ctx context.Context, db *sql.DB, table, column, decl string) (bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, err
		}
		if name == column {
			return false, nil
		}
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	if _, err = db.ExecContext(ctx, `ALTER TABLE `+table+` ADD COLUMN `+column+` `+decl); err != nil {
		return false, err
	}
	return true, nil
}

func nowText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// newToken returns a fresh bearer token: 256 bits from crypto/rand,
// base64url, with a "ls_" prefix that secret scanners and people can
// recognise.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "ls_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// tokenHash is what the database keeps of a token: its SHA-256. A token is
// 256 random bits, so its hash cannot be inverted or guessed, and a copy of
// the database does not let anyone sign in; a slow password hash (bcrypt,
// argon2) protects guessable secrets only and would cost every request
// tens of milliseconds.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewUser is what AddUser needs: a name, a role, and the carrier (role
// carrier) or province (role province, a code or a name of the 34
// provinces of 2025) it is limited to.
type NewUser struct {
	Name     string
	Role     Role
	Carrier  string
	Province string
}

// check normalises u and says what is wrong with it.
func (u *NewUser) check() error {
	if !userName.MatchString(u.Name) {
		return fmt.Errorf("%w: name %q: want 1 to 64 letters, digits or . _ @ -, starting with a letter or digit", ErrInvalidUser, u.Name)
	}
	switch u.Role {
	case RoleMinistry:
		if u.Carrier != "" || u.Province != "" {
			return fmt.Errorf("%w: a ministry user takes no carrier or province", ErrInvalidUser)
		}
	case RoleCarrier:
		if u.Province != "" {
			return fmt.Errorf("%w: a carrier user takes no province", ErrInvalidUser)
		}
		if u.Carrier == "" {
			return fmt.Errorf("%w: a carrier user needs its carrier", ErrInvalidUser)
		}
		c, err := engine.ParseCarrier(u.Carrier)
		if err != nil {
			return fmt.Errorf("%w: carrier %q: %v", ErrInvalidUser, u.Carrier, err)
		}
		u.Carrier = string(c)
	case RoleProvince:
		if u.Carrier != "" {
			return fmt.Errorf("%w: a province user takes no carrier", ErrInvalidUser)
		}
		if u.Province == "" {
			return fmt.Errorf("%w: a province user needs its province", ErrInvalidUser)
		}
		set, err := geodata.Provinces2025()
		if err != nil {
			return err
		}
		unit, err := set.Lookup(u.Province)
		if err != nil {
			return fmt.Errorf("%w: province %q: %v (one of the 34 provinces of 2025, by code or name)", ErrInvalidUser, u.Province, err)
		}
		u.Province = unit.Code
	default:
		return fmt.Errorf("%w: role %q: want ministry, carrier or province", ErrInvalidUser, u.Role)
	}
	return nil
}

// AddUser registers a user of the service of the dataset at dir and
// returns its token, which is shown this once: only its hash is kept.
func AddUser(ctx context.Context, dir string, nu NewUser, now time.Time) (User, string, error) {
	if err := nu.check(); err != nil {
		return User{}, "", err
	}
	db, err := openState(ctx, dir)
	if err != nil {
		return User{}, "", err
	}
	defer db.Close()
	token, err := newToken()
	if err != nil {
		return User{}, "", err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return User{}, "", err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO users (name, role, carrier, province, token_sha256, created_at) VALUES (?,?,?,?,?,?)`,
		nu.Name, string(nu.Role), nu.Carrier, nu.Province, tokenHash(token), nowText(now))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			var revoked sql.NullString
			if qerr := tx.QueryRowContext(ctx, `SELECT revoked_at FROM users WHERE name = ?`, nu.Name).Scan(&revoked); qerr != nil {
				return User{}, "", errors.Join(err, qerr)
			}
			if revoked.Valid {
				// Names are not reused: the audit log's entries under a
				// name are one user's.
				return User{}, "", fmt.Errorf("%w: user %q was revoked (at %s), and a name is not reused, so that the audit log's entries under it stay one user's: choose another name (e.g. %s-2)",
					ErrInvalidUser, nu.Name, parseTime(revoked.String).Format(time.RFC3339), nu.Name)
			}
			return User{}, "", fmt.Errorf("%w: user %q exists already (revoke it or choose another name)", ErrInvalidUser, nu.Name)
		}
		return User{}, "", err
	}
	if err := appendAudit(ctx, tx, now, "cli", "user.add", nu.Name, "", fmt.Sprintf("role=%s carrier=%s province=%s", nu.Role, nu.Carrier, nu.Province)); err != nil {
		return User{}, "", err
	}
	if err := tx.Commit(); err != nil {
		return User{}, "", err
	}
	return User{Name: nu.Name, Role: nu.Role, Carrier: engine.Carrier(nu.Carrier), Province: nu.Province, Created: now.UTC()}, token, nil
}

// ListUsers returns the users of the service of the dataset at dir, by name.
func ListUsers(ctx context.Context, dir string) ([]User, error) {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		if _, err := os.Stat(filepath.Join(dir, StateDir, "state.db")); errors.Is(err, os.ErrNotExist) {
			// Nobody added yet: listing creates nothing. A folder that is
			// no dataset, or one whose manifest cannot be read, is refused
			// as users add refuses it (it read "no users" there).
			return nil, datasetUsable(dir)
		}
	}
	db, err := openState(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name, role, carrier, province, created_at, revoked_at FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&u.Name, &u.Role, &u.Carrier, &u.Province, &created, &revoked); err != nil {
			return nil, err
		}
		u.Created = parseTime(created)
		if revoked.Valid {
			t := parseTime(revoked.String)
			u.Revoked = &t
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// RevokeUser revokes a user's token; the running service refuses it from
// its next request on (tokens are looked up on every request).
func RevokeUser(ctx context.Context, dir, name string, now time.Time) error {
	db, err := openState(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, nowText(now), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var at string
		switch err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM users WHERE name = ?`, name).Scan(&at); {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: %q", ErrNoSuchUser, name)
		case err != nil:
			return err
		}
		return fmt.Errorf("user %q: %w (at %s); nothing changed", name, ErrRevokedAlready, at)
	}
	if err := appendAudit(ctx, tx, now, "cli", "user.revoke", name, "", ""); err != nil {
		return err
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// appendAudit adds one line to the append-only audit log (triggers refuse
// any UPDATE or DELETE of it).
func appendAudit(ctx context.Context, db execer, now time.Time, user, action, target, sha, detail string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO audit (at, user, action, target, sha256, detail) VALUES (?,?,?,?,?,?)`,
		nowText(now), user, action, target, sha, detail)
	return err
}

// authenticate returns the live user whose token this is.
func authenticate(ctx context.Context, db *sql.DB, token string) (User, bool, error) {
	var u User
	var created string
	err := db.QueryRowContext(ctx, `SELECT name, role, carrier, province, created_at FROM users WHERE token_sha256 = ? AND revoked_at IS NULL`,
		tokenHash(token)).Scan(&u.Name, &u.Role, &u.Carrier, &u.Province, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	u.Created = parseTime(created)
	return u, true, nil
}
