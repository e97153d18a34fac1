package postgis

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lomsong/lomsong/engine/export"
)

// pgBin is where Debian's postgresql-15 installs the server programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// templateDB is the database, PostGIS created in it, that each test's
// database is copied from.
const templateDB = "lomsong_template"

// pgServer is the one PostgreSQL server of the package's test run: the
// first test that asks for a database starts it, TestMain stops it.
var pgServer struct {
	once sync.Once
	skip string // why the tests that need it are skipped, or ""
	err  error  // why it did not start, or nil
	dir  string // its folder: data, log and unix socket
	stop func() // stops it and removes dir
	n    int    // databases handed out so far
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pgServer.stop != nil {
		pgServer.stop()
	}
	os.Exit(code)
}

// dbURL is the connection string of the database name on the package's
// server.
func dbURL(name string) string {
	return fmt.Sprintf("host=%s user=postgres dbname=%s", pgServer.dir, name)
}

// testPostGIS returns the connection string and name of a new database
// with PostGIS in its public schema, on a PostgreSQL 15 server that
// listens only on a unix socket in a temporary folder and serves every
// test of the package's run. When the test ends, the databases and roles
// it created (this one included) are dropped, so that each test starts
// from a server holding none of another test's; the tests that use it
// therefore do not run in parallel. It skips when the Debian packages are
// missing (.ci/run installs postgresql-15 and postgresql-15-postgis-3).
func testPostGIS(t *testing.T) (url, name string) {
	t.Helper()
	pgServer.once.Do(startServer)
	if pgServer.skip != "" {
		t.Skip(pgServer.skip)
	}
	if pgServer.err != nil {
		t.Fatal(pgServer.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, dbURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	const (
		dbs   = `SELECT datname FROM pg_database`
		roles = `SELECT rolname FROM pg_roles`
	)
	dbsBefore, rolesBefore := queryNames(t, ctx, admin, dbs), queryNames(t, ctx, admin, roles)
	pgServer.n++
	name = fmt.Sprintf("test_%d", pgServer.n)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateDB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, dbURL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(ctx)
		for _, db := range queryNames(t, ctx, admin, dbs) {
			if !slices.Contains(dbsBefore, db) {
				if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
					t.Errorf("dropping the test's database %s: %v", db, err)
				}
			}
		}
		for _, r := range queryNames(t, ctx, admin, roles) {
			if !slices.Contains(rolesBefore, r) {
				if _, err := admin.Exec(ctx, "DROP ROLE "+pgx.Identifier{r}.Sanitize()); err != nil {
					t.Errorf("dropping the test's role %s: %v", r, err)
				}
			}
		}
	})
	return dbURL(name), name
}

// queryNames returns the first column of the rows of sql, a query of
// names.
func queryNames(t *testing.T, ctx context.Context, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// startServer starts the package's server (initdb, pg_ctl start) and
// creates templateDB in it, setting pgServer's skip or err when it cannot.
func startServer() {
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		pgServer.skip = "PostgreSQL 15 is not installed (apt-get install postgresql-15 postgresql-15-postgis-3)"
		return
	}
	if _, err := os.Stat("/usr/share/postgresql/15/extension/postgis.control"); err != nil {
		pgServer.skip = "PostGIS for PostgreSQL 15 is not installed (apt-get install postgresql-15-postgis-3)"
		return
	}
	dir, err := os.MkdirTemp("", "lomsong-pg-")
	if err != nil {
		pgServer.err = err
		return
	}
	pgServer.dir = dir
	pgServer.stop = func() { os.RemoveAll(dir) }
	// The server refuses to run as root: as root, run it as postgres.
	run := func(name string, args ...string) *exec.Cmd { return exec.Command(filepath.Join(pgBin, name), args...) }
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			pgServer.skip = "running as root without a postgres user to run the server as"
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			pgServer.err = err
			return
		}
		run = func(name string, args ...string) *exec.Cmd {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pgBin, name)}, args...)...)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync").CombinedOutput(); err != nil {
		pgServer.err = fmt.Errorf("initdb: %v\n%s", err, out)
		return
	}
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' -c fsync=off", dir)
	if out, err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o", opts, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		pgServer.err = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		return
	}
	pgServer.stop = func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").Run()
		os.RemoveAll(dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pgServer.err = func() error {
		conn, err := pgx.Connect(ctx, dbURL("postgres"))
		if err != nil {
			return err
		}
		_, err = conn.Exec(ctx, "CREATE DATABASE "+templateDB)
		conn.Close(ctx)
		if err != nil {
			return err
		}
		if conn, err = pgx.Connect(ctx, dbURL(templateDB)); err != nil {
			return err
		}
		_, err = conn.Exec(ctx, "CREATE EXTENSION postgis")
		return errors.Join(err, conn.Close(ctx))
	}()
}

// session is a connection to url for the test, closed when it ends.
func session(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// monthLayers is the layers of m.
func monthLayers(t *testing.T, m *export.Month) []export.Layer {
	t.Helper()
	layers, err := export.Layers(m)
	if err != nil {
		t.Fatal(err)
	}
	return layers
}

// mustExec runs each statement of sqls on conn, failing the test at the
// first that fails.
func mustExec(t *testing.T, ctx context.Context, conn *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}
