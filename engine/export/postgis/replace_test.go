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

// releaseState is what a test compares before and after a refused export:
// every relation of the release schema and of public with its kind, and
// the release's metadata.
func releaseState(t *testing.T, ctx context.Context, conn *pgx.Conn) string {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN ('lomsong_2026_11', 'public') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	rels, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var meta string
	if err := conn.QueryRow(ctx, `SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM lomsong_2026_11.lomsong_metadata`).Scan(&meta); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rels, "\n") + "\n" + meta
}

// TestWriteRefusesUsersObjects: a release that holds or feeds a user's
// object is not replaced; the error names every such object, and nothing
// changes.
func TestWriteRefusesUsersObjects(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	conn := session(t, ctx, url)
	for _, c := range []struct {
		name   string
		create []string
		drop   string
		want   []string
	}{
		{"a view outside over a release table",
			[]string{`CREATE VIEW public.my_dead_villages AS SELECT village_id, name FROM lomsong_2026_11.villages WHERE without_signal`},
			`DROP VIEW public.my_dead_villages`, []string{"view public.my_dead_villages"}},
		{"a table of the user's in the release schema",
			[]string{`CREATE TABLE lomsong_2026_11.my_notes (id serial PRIMARY KEY, note text)`, `INSERT INTO lomsong_2026_11.my_notes (note) VALUES ('visit')`},
			`DROP TABLE lomsong_2026_11.my_notes`, []string{"table lomsong_2026_11.my_notes"}},
		{"a view over a province view and a materialized view",
			[]string{`CREATE VIEW public.v14 AS SELECT * FROM lomsong_2026_11.province_14_villages`,
				`CREATE MATERIALIZED VIEW public.mv AS SELECT count(*) FROM lomsong_2026_11.hexes`},
			`DROP VIEW public.v14; DROP MATERIALIZED VIEW public.mv`, []string{"view public.v14", "materialized view public.mv"}},
		{"a foreign key to a release table",
			[]string{`CREATE TABLE public.visits (fid bigint REFERENCES lomsong_2026_11.villages (fid))`},
			`DROP TABLE public.visits`, []string{"table constraint visits_fid_fkey on public.visits"}},
		{"an index, a trigger and a function added to the release",
			[]string{`CREATE INDEX my_name_idx ON lomsong_2026_11.villages (name)`,
				`CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'`,
				`CREATE TRIGGER my_trigger BEFORE INSERT ON lomsong_2026_11.sites FOR EACH ROW EXECUTE FUNCTION public.noop()`,
				`CREATE FUNCTION lomsong_2026_11.my_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'`},
			`DROP INDEX lomsong_2026_11.my_name_idx; DROP TRIGGER my_trigger ON lomsong_2026_11.sites; DROP FUNCTION public.noop(); DROP FUNCTION lomsong_2026_11.my_fn()`,
			[]string{"index lomsong_2026_11.my_name_idx", "trigger my_trigger on lomsong_2026_11.sites", "function lomsong_2026_11.my_fn()"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Write(ctx, url, layers, m.Meta); err != nil {
				t.Fatal(err)
			}
			mustExec(t, ctx, conn, c.create...)
			before := releaseState(t, ctx, conn)
			next := m.Meta
			next.ManifestSHA256 = "another"
			_, err := Write(ctx, url, layers, next)
			if !errors.Is(err, export.ErrNotReplaceable) {
				t.Fatalf("export over %s: %v, want ErrNotReplaceable", c.name, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the refusal does not name %q: %v", w, err)
				}
			}
			// Only the user's objects are named, not the release's own.
			for _, own := range []string{"villages_pkey", "geom_gist", "province_12_", "lomsong_metadata", "pg_toast", "RI_Constraint", "my_notes_id_seq", "my_notes_pkey"} {
				if strings.Contains(err.Error(), own) {
					t.Errorf("the refusal names %s: %v", own, err)
				}
			}
			if after := releaseState(t, ctx, conn); after != before {
				t.Errorf("a refused export changed the database:\nbefore\n%s\nafter\n%s", before, after)
			}
			mustExec(t, ctx, conn, c.drop)
			st, err := Write(ctx, url, layers, next)
			if err != nil {
				t.Fatalf("export once the user's objects are gone: %v", err)
			}
			if st.Replaced == nil || st.Replaced.Meta.ManifestSHA256 == "another" {
				t.Errorf("replaced %+v, want the first export's release", st.Replaced)
			}
		})
	}
}

// TestWriteKeepsGrants: a role given USAGE on the release schema and
// SELECT on its tables (and default privileges on the tables to come)
// reads the new release after a re-export; the schema is kept.
func TestWriteKeepsGrants(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	conn := session(t, ctx, url)
	m.Meta.Dataset, m.Meta.ManifestSHA256 = "/data/lai-chau", "fedcba9876543210fedc"
	st, err := Write(ctx, url, layers, m.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if st.Replaced != nil {
		t.Errorf("first export: replaced %+v", st.Replaced)
	}
	mustExec(t, ctx, conn,
		`CREATE ROLE planning LOGIN`, `CREATE ROLE "Field Team" LOGIN`, `CREATE ROLE editor LOGIN`,
		`GRANT USAGE ON SCHEMA lomsong_2026_11 TO planning, "Field Team", editor`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA lomsong_2026_11 TO planning`,
		`GRANT SELECT ON lomsong_2026_11.province_14_villages TO "Field Team" WITH GRANT OPTION`,
		`GRANT SELECT, UPDATE ON lomsong_2026_11.plan TO editor`,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA lomsong_2026_11 GRANT SELECT ON TABLES TO editor`)
	var oid1 uint32
	if err := conn.QueryRow(ctx, `SELECT 'lomsong_2026_11'::regnamespace::oid`).Scan(&oid1); err != nil {
		t.Fatal(err)
	}
	next := m.Meta
	next.Dataset, next.ManifestSHA256 = "/elsewhere/dataset", "0123456789abcdef0123"
	st, err = Write(ctx, url, layers, next)
	if err != nil {
		t.Fatal(err)
	}
	if st.Replaced == nil {
		t.Fatal("re-export: Replaced nil")
	}
	if got, want := strings.Join(st.Replaced.Grantees, ","), "Field Team,editor,planning"; got != want {
		t.Errorf("grantees %q, want %q", got, want)
	}
	if s := st.Replaced.Summary(next); !strings.Contains(s, "replacing the release schema that was there") || !strings.Contains(s, "exported from dataset /data/lai-chau, manifest sha256 fedcba987654…") {
		t.Errorf("summary %q: want it to say it replaced a release of another dataset", s)
	}
	if s := st.Replaced.Summary(next); !strings.Contains(s, "Field Team, editor, planning") {
		t.Errorf("summary %q: want the roles whose grants were kept", s)
	}
	var oid2 uint32
	if err := conn.QueryRow(ctx, `SELECT 'lomsong_2026_11'::regnamespace::oid`).Scan(&oid2); err != nil {
		t.Fatal(err)
	}
	if oid1 != oid2 {
		t.Errorf("the schema was dropped and created again (oid %d, now %d)", oid1, oid2)
	}
	// Each role reads (and may do) what it could before, as that role.
	for _, c := range []struct {
		role, sql string
		ok        bool
	}{
		{"planning", `SELECT count(*) FROM lomsong_2026_11.villages`, true},
		{"planning", `SELECT count(*) FROM lomsong_2026_11.province_12_hexes`, true},
		{"planning", `SELECT count(*) FROM lomsong_2026_11.lomsong_metadata`, true},
		{"planning", `UPDATE lomsong_2026_11.plan SET rank = rank`, false},
		{`"Field Team"`, `SELECT count(*) FROM lomsong_2026_11.province_14_villages`, true},
		{`"Field Team"`, `SELECT count(*) FROM lomsong_2026_11.villages`, false},
		{"editor", `UPDATE lomsong_2026_11.plan SET rank = rank`, true},
		{"editor", `SELECT count(*) FROM lomsong_2026_11.sites`, true}, // the default privilege
	} {
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, `SET LOCAL ROLE `+c.role)
		if err == nil {
			_, err = tx.Exec(ctx, c.sql)
		}
		tx.Rollback(ctx)
		if (err == nil) != c.ok {
			t.Errorf("as %s, %s: %v; want allowed %v", c.role, c.sql, err, c.ok)
		}
	}
	var grantable bool
	if err := conn.QueryRow(ctx, `SELECT has_table_privilege('Field Team', 'lomsong_2026_11.province_14_villages', 'SELECT WITH GRANT OPTION')`).Scan(&grantable); err != nil || !grantable {
		t.Errorf("the grant option on province_14_villages: %v, %v", grantable, err)
	}
	// Once more: the grants come through a second replacement too, and
	// the same dataset is not called another.
	if st, err = Write(ctx, url, layers, next); err != nil {
		t.Fatal(err)
	}
	if s := st.Replaced.Summary(next); strings.Contains(s, "exported from") || !strings.Contains(s, "planning") {
		t.Errorf("summary of a plain re-export %q", s)
	}
}

// TestWriteIntoEmptySchema: a schema made ready for the release (empty,
// with its grants) is filled, not refused.
func TestWriteIntoEmptySchema(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	conn := session(t, ctx, url)
	mustExec(t, ctx, conn, `CREATE ROLE reader`, `CREATE SCHEMA lomsong_2026_11`, `GRANT USAGE ON SCHEMA lomsong_2026_11 TO reader`)
	st, err := Write(ctx, url, layers, m.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if st.Replaced == nil || st.Replaced.Tables != 0 || !strings.Contains(st.Replaced.Summary(m.Meta), "empty schema") {
		t.Errorf("replaced %+v", st.Replaced)
	}
	var usage bool
	if err := conn.QueryRow(ctx, `SELECT has_schema_privilege('reader', 'lomsong_2026_11', 'USAGE')`).Scan(&usage); err != nil || !usage {
		t.Errorf("reader's USAGE on the schema: %v, %v", usage, err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM lomsong_2026_11.villages`).Scan(&n); err != nil || n != len(m.Villages) {
		t.Errorf("villages %d, %v", n, err)
	}
}
