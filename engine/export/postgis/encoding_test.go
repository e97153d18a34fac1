package postgis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lomsong/lomsong/engine/export"
)

// A session speaks its database's encoding unless told otherwise, and the
// export sent its UTF-8 names without saying so: into a LATIN1 database
// each byte of "Bản Một" or "Lai Châu" became a character of its own
// ("Lai ChÃ¢u"), exported with no error; a WIN1258 database (the
// Vietnamese code page) likewise. The export says it sends UTF-8, and a
// database whose encoding cannot hold the names is refused naming its
// encoding, nothing written: LATIN1, and WIN1258, whose tone marks are
// combining characters (PostgreSQL's conversion has no character there for
// the "ả" of "Bản"). The UTF8 databases of the other tests take them.
func TestWriteSendsUTF8WhateverTheDatabaseEncoding(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"LATIN1", "WIN1258"} {
		db := "db_" + strings.ToLower(enc)
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+db+" ENCODING '"+enc+"' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"); err != nil {
			t.Fatal(err)
		}
		c, err := pgx.Connect(ctx, dbURL(db))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
			t.Fatal(err)
		}
		c.Close(ctx)
	}
	conn.Close(ctx)
	m, _ := testMonth(t)
	layers := monthLayers(t, m)

	for _, enc := range []string{"LATIN1", "WIN1258"} {
		db := dbURL("db_" + strings.ToLower(enc))
		_, err = Write(ctx, db, layers, m.Meta)
		if err == nil || !strings.Contains(err.Error(), "encoded in "+enc) || !strings.Contains(err.Error(), "ENCODING 'UTF8'") || errors.Is(err, export.ErrNotReplaceable) {
			t.Errorf("export to a %s database: %v, want a refusal naming %s and UTF8", enc, err, enc)
		}
		c, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var schemas int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'lomsong\_%'`).Scan(&schemas); err != nil {
			t.Fatal(err)
		}
		c.Close(ctx)
		if schemas != 0 {
			t.Errorf("%s database: %d lomsong schemas after a refused export, want none", enc, schemas)
		}
	}
}
