package postgis

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckConnectAdvice: a connection that fails says what to do about
// it, beside the driver's message: create a database the server does not
// have, connect as a role it has, start a server where none answers. The
// driver's message alone named the failure ('database "gis" does not
// exist', 'connect: no such file or directory') and not what to do.
func TestCheckConnectAdvice(t *testing.T) {
	testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct{ name, conn, want string }{
		{"a database the server does not have", fmt.Sprintf("host=%s user=postgres dbname=gis_missing", pgServer.dir),
			`does not exist (SQLSTATE 3D000); nothing was written: create the database (CREATE DATABASE "gis_missing" ENCODING 'UTF8', then CREATE EXTENSION postgis in it)`},
		{"a role the server does not have", fmt.Sprintf("host=%s user=nobody_here dbname=postgres", pgServer.dir),
			`nothing was written: connect as a role the server has and lets in (the connection string's user, now "nobody_here"`},
		{"no server at the socket", fmt.Sprintf("host=%s user=postgres dbname=postgres", filepath.Join(t.TempDir(), "no-server")),
			"nothing was written: no PostgreSQL server answered at the unix socket in "},
	} {
		err := Check(ctx, c.conn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check: %v\nwant it to hold %q", c.name, err, c.want)
		}
	}
}
