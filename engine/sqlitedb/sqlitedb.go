// Package sqlitedb is the one owner of the SQLite driver. The service keeps
// its state (users, tokens, jobs, audit log) in a SQLite file beside the
// dataset, and the GeoPackage exporter writes SQLite files; both open their
// databases here, so a change of driver is a change of this package only.
//
// The driver is modernc.org/sqlite, a translation of SQLite's C sources to
// Go. It was chosen over github.com/mattn/go-sqlite3 because it needs no C
// compiler at build time (the cgo build of SQLite's amalgamation adds about
// a minute to every clean build and test run), it cross-compiles, and it is
// built with the R*Tree module that GeoPackage spatial indexes need. Its
// cost is speed: writes are roughly half as fast as the C library's, which
// is far inside what a job queue and an export of a month need.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Full reports whether err is SQLite's SQLITE_FULL ("database or disk is
// full"): a write the file system refused for want of space.
func Full(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_FULL
}

// Options tune a connection. The zero value is a durable database for one
// writer and many readers.
type Options struct {
	// ReadOnly opens the file without write access; it must exist.
	ReadOnly bool
	// BusyTimeout is how long a statement waits for another connection's
	// lock before failing with SQLITE_BUSY; 0 means 5 s.
	BusyTimeout time.Duration
	// NoWAL keeps the rollback journal instead of write-ahead logging.
	// A GeoPackage is a single file handed to other tools, so exports use
	// it; the service's state database uses WAL so readers never wait for
	// the job writer.
	NoWAL bool
}

// Open opens (creating when allowed) the SQLite database at path with
// foreign keys enforced, a busy timeout, and WAL unless opt.NoWAL. The
// returned *sql.DB is safe for concurrent use; SQLite serialises writers.
func Open(ctx context.Context, path string, opt Options) (*sql.DB, error) {
	busy := opt.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if !opt.NoWAL && !opt.ReadOnly {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// Transactions take the write lock as they begin (BEGIN
		// IMMEDIATE): one that reads, then writes, would otherwise fail
		// at its write with SQLITE_BUSY_SNAPSHOT (517, which no busy
		// timeout waits out) when another connection committed in
		// between — the service's release request beside certifications
		// answered 500 "database is locked". Now it waits for the lock
		// at its start, within the busy timeout. Reads outside a
		// transaction are not held up (WAL).
		q.Add("_txlock", "immediate")
	}
	if opt.ReadOnly {
		q.Add("mode", "ro")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return db, nil
}

// HasRTree reports whether the linked SQLite was built with the R*Tree
// module (GeoPackage spatial indexes need it).
func HasRTree(ctx context.Context, db *sql.DB) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_RTREE'`).Scan(&n)
	return n > 0, err
}
