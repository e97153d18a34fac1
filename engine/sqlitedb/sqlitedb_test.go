package sqlitedb

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestOpenWriteReadBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state dir", "..", "a b.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t VALUES ('Lai Châu', 42)`); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT v FROM t WHERE k = ?`, "Lai Châu").Scan(&v); err != nil || v != 42 {
		t.Fatalf("v = %d, err %v", v, err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, err %v", mode, err)
	}
	var fk int
	if err := db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, err %v", fk, err)
	}
	ok, err := HasRTree(ctx, db)
	if err != nil || !ok {
		t.Fatalf("R*Tree module: %v, err %v", ok, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)`); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyRefusesWritesAndMissingFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "missing.db"), Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a missing file succeeded")
	}
	path := filepath.Join(dir, "x.db")
	db, err := Open(ctx, path, Options{NoWAL: true})
	if err != nil {
		t.Fatal(err)
	}
	db.ExecContext(ctx, `CREATE TABLE t (x)`)
	db.Close()
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err == nil {
		t.Fatal("write through a read-only connection succeeded")
	}
}

// A transaction that reads, then writes, while another connection writes
// in between: with the write lock taken at BEGIN (BEGIN IMMEDIATE) the
// other write waits for the transaction and both succeed; a deferred
// transaction failed at its write with SQLITE_BUSY_SNAPSHOT ("database is
// locked (517)"), which no busy timeout waits out.
func TestReadThenWriteBesideAnotherWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	a, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.ExecContext(ctx, `CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	other := make(chan error, 1)
	go func() {
		_, err := b.ExecContext(ctx, `INSERT INTO t VALUES (2)`)
		other <- err
	}()
	time.Sleep(300 * time.Millisecond) // the other writer's turn, were the lock free
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err != nil {
		t.Fatalf("the transaction's write after its read: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-other; err != nil {
		t.Fatalf("the other connection's write: %v", err)
	}
	if err := a.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows, %v; want both", n, err)
	}
}
