package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/export"
)

// TestCheckReleasePrivileges: a role that may not write the release
// schema is told so by CheckRelease, naming what to grant, before a month
// is computed for it. Check passed such a role (it only looks for PostGIS
// and a read-only session), and the export failed after the month was
// computed with 'permission denied for schema lomsong_2026_11', naming
// neither the role nor what to do. A role owning the schema it was given,
// empty, passes, and Write fills it.
func TestCheckReleasePrivileges(t *testing.T) {
	url, name := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	schema, err := SchemaName(m.Meta)
	if err != nil {
		t.Fatal(err)
	}
	conn := session(t, ctx, url)
	mustExec(t, ctx, conn, `CREATE ROLE reader LOGIN`, `CREATE ROLE loader LOGIN`,
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`)
	as := func(role string) string { return fmt.Sprintf("host=%s user=%s dbname=%s", pgServer.dir, role, name) }

	// No release yet: the role may not create the schema.
	err = CheckRelease(ctx, as("reader"), schema)
	if err == nil || !strings.Contains(err.Error(), `role "reader" may not create the release schema `+schema) ||
		!strings.Contains(err.Error(), `GRANT CREATE ON DATABASE "`+name+`" TO "reader"`) {
		t.Errorf("CheckRelease of a role without CREATE on the database: %v", err)
	}
	if err := CheckRelease(ctx, url, schema); err != nil {
		t.Errorf("CheckRelease as the superuser: %v", err)
	}

	// A release written by the superuser: another role may neither
	// comment on its schema nor drop its tables, even with CREATE on it.
	if _, err := Write(ctx, url, layers, m.Meta); err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, conn, `GRANT USAGE, CREATE ON SCHEMA `+schema+` TO reader`)
	err = CheckRelease(ctx, as("reader"), schema)
	if err == nil || !strings.Contains(err.Error(), `role "reader" does not own the release schema `+schema) {
		t.Errorf("CheckRelease of a role not owning the release schema: %v", err)
	}
	// Write, which a role may reach when a privilege goes between the
	// check and the export, says that nothing was written.
	_, err = Write(ctx, as("reader"), layers, m.Meta)
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("Write as a role not owning the release: %v", err)
	}
	// The schema made over to the role, its tables still the superuser's.
	mustExec(t, ctx, conn, `ALTER SCHEMA `+schema+` OWNER TO reader`)
	err = CheckRelease(ctx, as("reader"), schema)
	if err == nil || !strings.Contains(err.Error(), `may not drop the tables and views of the release schema `+schema+` in database "`+name+`", owned by postgres`) {
		t.Errorf("CheckRelease of a role owning the schema but not its tables: %v", err)
	}
	var rows int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.villages`).Scan(&rows); err != nil || rows != int64(layers[4].Len()) {
		t.Errorf("villages after the refused write: %d rows (%v), want the %d written", rows, err, layers[4].Len())
	}

	// A table of another role's in the release is not the export's to
	// drop: CheckRelease lets it by, and Write refuses it by name (exit 2
	// in the command), not as a missing privilege.
	mustExec(t, ctx, conn, `DO $$ DECLARE r record; BEGIN
	FOR r IN SELECT c.relkind, c.relname FROM pg_class c WHERE c.relnamespace = '`+schema+`'::regnamespace AND c.relkind IN ('r', 'v') LOOP
		EXECUTE format('ALTER %s `+schema+`.%I OWNER TO reader', CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.relname);
	END LOOP; END $$`)
	mustExec(t, ctx, conn, `CREATE TABLE `+schema+`.admin_notes (note text)`)
	if err := CheckRelease(ctx, as("reader"), schema); err != nil {
		t.Errorf("CheckRelease with another role's table of its own in the release: %v", err)
	}
	if _, err := Write(ctx, as("reader"), layers, m.Meta); !errors.Is(err, export.ErrNotReplaceable) || !strings.Contains(err.Error(), "table "+schema+".admin_notes") {
		t.Errorf("Write over another role's table in the release: %v, want it refused naming the table", err)
	}

	// A schema created empty for the loader, owned by it: it passes and
	// is filled.
	mustExec(t, ctx, conn, `DROP SCHEMA `+schema+` CASCADE`, `CREATE SCHEMA `+schema+` AUTHORIZATION loader`)
	if err := CheckRelease(ctx, as("loader"), schema); err != nil {
		t.Fatalf("CheckRelease of the schema's owner: %v", err)
	}
	if _, err := Write(ctx, as("loader"), layers, m.Meta); err != nil {
		t.Fatalf("Write as the schema's owner: %v", err)
	}
	if err := CheckRelease(ctx, as("loader"), schema); err != nil {
		t.Errorf("CheckRelease of the owner of the release it wrote: %v", err)
	}
}
