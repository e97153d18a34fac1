package main

import (
	"strings"
	"testing"
)

// TestExportPostGISPasswordNotQuoted: a --out that is not a connection
// string (a mistyped scheme) is refused (exit 2) quoting it with its
// password written xxxxx, as the PostgreSQL driver quotes one it cannot
// parse: the refusal printed the password, which then sat in the
// terminal's scrollback and the job's log.
func TestExportPostGISPasswordNotQuoted(t *testing.T) {
	ds := t.TempDir()
	for _, c := range []struct{ out, want string }{
		{"postgress://loader:s3cr%40t@db.example:5432/gis", `"postgress://loader:xxxxx@db.example:5432/gis"`},
		{"postgis://loader:s3cr@t@db.example/gis", `"postgis://loader:xxxxx@db.example/gis"`},
	} {
		_, errs, code := runCmd(t, "export", "--dataset", ds, "--period", "2026-10", "--format", "postgis", "--out", c.out)
		if code != exitUsage || strings.Contains(errs, "s3cr") || !strings.Contains(errs, c.want) {
			t.Errorf("--out %s: exit %d\n%s\nwant exit %d quoting %s", c.out, code, errs, exitUsage, c.want)
		}
	}
	// Connection settings that do not parse (a port out of range, an
	// unknown sslmode, an open quote) are usage errors too, before
	// anything is read: they were exit 1, as a server that failed.
	for _, out := range []string{"postgres://loader:s3cr3t@127.0.0.1:99999/gis", "host=127.0.0.1 user=a password=s3cr3t sslmode=bogus",
		"host=127.0.0.1 user=a password='s3cr3t dbname=gis"} {
		_, errs, code := runCmd(t, "export", "--dataset", ds, "--period", "2026-10", "--format", "postgis", "--out", out)
		if code != exitUsage || strings.Contains(errs, "s3cr") || !strings.Contains(errs, "not PostgreSQL connection settings") {
			t.Errorf("--out %s: exit %d\n%s\nwant exit %d, the password left out", out, code, errs, exitUsage)
		}
	}
	for conn, want := range map[string]string{
		"host=db password=s3cr3t dbname=gis":         "host=db password=xxxxx dbname=gis",
		"host=db password = 's3 cr\\'et' dbname=gis": "host=db password = xxxxx dbname=gis",
		"postgres://loader@db/gis":                   "postgres://loader@db/gis",
	} {
		if got := redactPassword(conn); got != want {
			t.Errorf("redactPassword(%q) = %q, want %q", conn, got, want)
		}
	}
}
