package postgis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lomsong/lomsong/engine/export"
)

// A database whose PostGIS was created in a schema of its own, off the
// search path (CREATE EXTENSION postgis SCHEMA extensions, as hardened
// setups do), was refused once the month was computed: 'type "geometry"
// does not exist', the tables naming the type unqualified. They name it
// in the extension's schema; a query through that schema finds the rows,
// and exporting the release again replaces it.
func TestWritePostGISInItsOwnSchema(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, conn, `CREATE DATABASE db_ext`)
	conn.Close(ctx)
	db := dbURL("db_ext")
	conn, err = pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	mustExec(t, ctx, conn, `CREATE SCHEMA extensions`, `CREATE EXTENSION postgis SCHEMA extensions`)
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	if err := Check(ctx, db); err != nil {
		t.Fatalf("Check: %v", err)
	}
	for i := range 2 {
		st, err := Write(ctx, db, layers, m.Meta)
		if err != nil {
			t.Fatalf("export %d: %v", i+1, err)
		}
		if i == 1 && st.Replaced == nil {
			t.Error("the second export did not replace the first")
		}
	}
	var typ string
	var srid, inZone int
	if err := conn.QueryRow(ctx, `SELECT type, srid FROM extensions.geometry_columns WHERE f_table_schema = 'lomsong_2026_11' AND f_table_name = 'villages'`).Scan(&typ, &srid); err != nil {
		t.Fatal(err)
	}
	if typ != "POINT" || srid != export.SRID {
		t.Errorf("villages.geom is %s of SRID %d, want POINT of %d", typ, srid, export.SRID)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM lomsong_2026_11.villages v JOIN lomsong_2026_11.deadzones d ON extensions.ST_Intersects(v.geom, d.geom)`).Scan(&inZone); err != nil {
		t.Fatal(err)
	}
	if inZone != 1 {
		t.Errorf("%d villages in a zone, want 1 (Bản Một)", inZone)
	}

	// A database without PostGIS, but with a type of that name of its
	// own, is still told to create the extension.
	if _, err := conn.Exec(ctx, `CREATE DATABASE db_none`); err != nil {
		t.Fatal(err)
	}
	none := dbURL("db_none")
	c2, err := pgx.Connect(ctx, none)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Exec(ctx, `CREATE TYPE geometry AS (x float8, y float8)`); err != nil {
		t.Fatal(err)
	}
	c2.Close(ctx)
	if err := Check(ctx, none); err == nil || !strings.Contains(err.Error(), "CREATE EXTENSION postgis") {
		t.Errorf("Check of a database with its own type geometry and no PostGIS: %v", err)
	}
}

// A database that takes no writes (default_transaction_read_only, as a
// read replica's role or database is set) is said by Check, before a
// month is computed; the export failed only at its CREATE SCHEMA, 'cannot
// execute CREATE SCHEMA in a read-only transaction'.
func TestCheckReadOnlyDatabase(t *testing.T) {
	url, name := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn := session(t, ctx, url)
	if err := Check(ctx, url); err != nil {
		t.Fatalf("Check of a writable database: %v", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	if err := Check(ctx, url); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("Check of a read-only database: %v, want it said read-only", err)
	}
}
