// Package postgis puts a month of lomsong's results into PostgreSQL with
// PostGIS. It is the only package of the module that imports the
// PostgreSQL driver (github.com/jackc/pgx/v5).
//
// A release is one schema (SchemaName: lomsong_YYYY_MM, with _p<code> for
// a one-province export) holding the layers of engine/export as tables:
// fid, geom (geometry of the layer's type, SRID 4326) and the layer's
// columns, loaded with COPY in binary form (geometries sent as EWKB), a
// GiST index on geom, the metadata table lomsong_metadata (key, value),
// and per province a view of each layer that has a province_code,
// province_<code>_<layer>. Write replaces the release in one transaction:
// readers see the whole previous release or the whole new one, and
// exporting the same release twice leaves one copy. The new tables are
// filled under staging names beside the previous release, which readers
// go on reading; the previous tables are dropped and the new ones renamed
// into place at the end, the only step a reader waits on. (A transaction at
// REPEATABLE READ or SERIALIZABLE whose snapshot predates the replacement
// finds the new tables empty, as PostgreSQL gives any table dropped and
// created again; docs/exports.md says so.)
//
// Replacing a release drops only what an export writes: its tables and
// views. The schema is kept, with its owner, privileges and default
// privileges, and the privileges roles held on the tables and views are
// granted again on the new ones. A release that holds or feeds anything
// an export does not write (a user's table in the schema, a view, foreign
// key or function over its tables, an index or trigger added to them) is
// not replaced: Write returns an error wrapping export.ErrNotReplaceable
// naming those objects, and changes nothing.
package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/export"
)

// SchemaName is the release's schema: lomsong_YYYY_MM for the month,
// followed by _p<code> when one province was exported.
func SchemaName(meta export.Meta) (string, error) {
	if !regexp.MustCompile(`^\d{4}-\d{2}$`).MatchString(meta.Period) {
		return "", fmt.Errorf("postgis: period %q is not YYYY-MM: %w", meta.Period, engine.ErrInvalidValue)
	}
	s := "lomsong_" + strings.ReplaceAll(meta.Period, "-", "_")
	if meta.Province != "" {
		n, err := codeName(meta.Province)
		if err != nil {
			return "", fmt.Errorf("postgis: %w", err)
		}
		s += "_p" + n
	}
	return s, nil
}

// codeRE is what a province code in a schema or view name may hold:
// letters, digits and the separators of the usual code lists ("VN-01" of
// ISO 3166-2, "VNM.25_1" of GADM).
var codeRE = regexp.MustCompile(`^[0-9A-Za-z_.-]{1,20}$`)

// codeName is a province code as it is written in a schema or view name:
// lower case, with "-" and "." as "_" ("VN-01" → vn_01), so that the name
// needs no quoting in SQL.
func codeName(code string) (string, error) {
	if !codeRE.MatchString(code) {
		return "", fmt.Errorf("province code %q cannot name a schema or view (letters, digits, '_', '-' and '.', at most 20): %w", code, engine.ErrInvalidValue)
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToLower(code)), nil
}

func sqlType(t export.FieldType) string {
	switch t {
	case export.Integer:
		return "bigint"
	case export.Real:
		return "double precision"
	case export.Boolean:
		return "boolean"
	}
	return "text"
}

// Stats reports what Write loaded.
type Stats struct {
	Schema string
	Rows   map[string]int64 // per table
	Views  int
	// Replaced describes the release the export replaced; nil when the
	// schema did not exist.
	Replaced *Replaced
}

// Replaced is what was in a release schema before Write replaced it.
type Replaced struct {
	// Meta is what its lomsong_metadata recorded (period, province,
	// resolution, build, dataset and manifest); zero when it had none.
	Meta export.Meta
	// Tables and Views count the tables and views of the earlier export
	// that were dropped.
	Tables, Views int
	// Grantees are the roles (PUBLIC for everyone) that held privileges
	// on its tables or views and hold them again on the new ones, sorted.
	Grantees []string
}

// Summary says in a phrase what was replaced, for a release now written
// with meta: "the release schema that was there", "exported from dataset
// D" when the earlier release names another dataset, "from an earlier
// state of the dataset" when its manifest differed, other boundaries or
// another H3 resolution when it had them, and the roles whose grants were
// kept.
func (r *Replaced) Summary(meta export.Meta) string {
	var s string
	switch {
	case r.Tables == 0 && r.Views == 0:
		s = "into the empty schema that was there"
	default:
		s = "replacing the release schema that was there"
		switch old := r.Meta; {
		case old.Period == "":
			s += " (it had no lomsong_metadata)"
		case old.Dataset != meta.Dataset && old.Dataset == "":
			s += fmt.Sprintf(" (exported from another dataset, manifest sha256 %s)", short(old.ManifestSHA256))
		case old.Dataset != meta.Dataset:
			s += fmt.Sprintf(" (exported from dataset %s, manifest sha256 %s)", old.Dataset, short(old.ManifestSHA256))
		case old.ManifestSHA256 != meta.ManifestSHA256:
			s += fmt.Sprintf(" (exported from an earlier state of the dataset, manifest sha256 %s)", short(old.ManifestSHA256))
		}
		// A province code names other land in another boundary set (08,
		// Tuyên Quang, doubled in 2025), and a resolution other hexes:
		// the schema's name, month and province code, does not tell.
		if old := r.Meta; old.Period != "" && old.Boundaries != meta.Boundaries {
			s += fmt.Sprintf("; it was of other boundaries, %s, not %s", old.Boundaries, meta.Boundaries)
		}
		if old := r.Meta; old.Period != "" && old.Resolution != meta.Resolution {
			s += fmt.Sprintf("; it was at H3 resolution %d, not %d", old.Resolution, meta.Resolution)
		}
	}
	if len(r.Grantees) > 0 {
		s += ", keeping the grants to " + strings.Join(r.Grantees, ", ")
	}
	return s
}

func short(sha string) string {
	if sha == "" {
		return "unknown"
	}
	if len(sha) > 12 {
		return sha[:12] + "…"
	}
	return sha
}

// Write connects to the database at connString (a postgres:// URL or
// key=value string; a unix socket is host=/dir) and replaces the release
// schema with the layers. The database must have the postgis extension.
// A release that holds or feeds what no export writes gives an error
// wrapping export.ErrNotReplaceable, naming it, and nothing is changed
// (see the package comment); Stats.Replaced says what was replaced.
func Write(ctx context.Context, connString string, layers []export.Layer, meta export.Meta) (*Stats, error) {
	schema, err := SchemaName(meta)
	if err != nil {
		return nil, err
	}
	conn, err := connect(ctx, connString)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	st, err := write(ctx, conn, schema, layers, meta, nil)
	if err != nil {
		return nil, permissionError(conn, encodingError(conn, err))
	}
	return st, nil
}

// Check connects to the database at connString as Write does and checks
// that it has PostGIS and takes writes, changing nothing: a wrong
// connection string, a server not running, a database without PostGIS or
// one that is read-only (a standby, default_transaction_read_only) is said
// before a month is computed for it.
func Check(ctx context.Context, connString string) error {
	conn, err := connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return checkSession(ctx, conn)
}

// CheckRelease is Check, and checks as well that the session's role may
// write the release schema (SchemaName): create it in the database when it
// is not there, or, when it is, act as its owner (the export comments on
// it) and as the owner of the tables and views in it (it drops them). A
// role that may not is said, naming what to grant, before a month is
// computed for it; the export failed at its end with 'permission denied
// for schema lomsong_2024_10'.
func CheckRelease(ctx context.Context, connString, schema string) error {
	conn, err := connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if err := checkSession(ctx, conn); err != nil {
		return err
	}
	return checkPrivileges(ctx, conn, schema)
}

// checkPrivileges says when the session's role may not write the release
// schema: CREATE on the database for a schema not there, membership in
// the role owning the schema and each table and view in it for one that
// is (superusers are members of every role).
func checkPrivileges(ctx context.Context, conn *pgx.Conn, schema string) error {
	db := conn.Config().Database
	var role string
	var exists, owner bool
	var rels, owners []string
	err := conn.QueryRow(ctx, `SELECT current_user::text, n.oid IS NOT NULL,
	coalesce(pg_has_role(n.nspowner, 'MEMBER'), has_database_privilege(current_database(), 'CREATE')),
	coalesce((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
		WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'v') AND NOT pg_has_role(c.relowner, 'MEMBER')), '{}'),
	coalesce((SELECT array_agg(pg_get_userbyid(c.relowner)::text ORDER BY c.relname) FROM pg_class c
		WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'v') AND NOT pg_has_role(c.relowner, 'MEMBER')), '{}')
FROM (SELECT) AS one LEFT JOIN pg_namespace n ON n.nspname = $1`, schema).Scan(&role, &exists, &owner, &rels, &owners)
	if err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	// Only the export's own tables and views are dropped; a user's object
	// of another owner is refused by Write, naming it, whoever owns it.
	ours, view := ownIdentities(schema), provinceViewRE(schema)
	var others []string
	for i, r := range rels {
		if ours[r] || view.MatchString(r) {
			others = append(others, owners[i])
		}
	}
	slices.Sort(others)
	others = slices.Compact(others)
	switch {
	case !exists && !owner:
		return fmt.Errorf("postgis: role %q may not create the release schema %s in database %q, nothing was written: GRANT CREATE ON DATABASE %s TO %s (or create the schema owned by it: CREATE SCHEMA %s AUTHORIZATION %s), or export as a role that may",
			role, schema, db, pgx.Identifier{db}.Sanitize(), pgx.Identifier{role}.Sanitize(), schema, pgx.Identifier{role}.Sanitize())
	case exists && !owner:
		return fmt.Errorf("postgis: role %q does not own the release schema %s in database %q, which replacing the release needs, nothing was written: export as its owner (or a member of the owning role), or ALTER SCHEMA %s OWNER TO %s",
			role, schema, db, schema, pgx.Identifier{role}.Sanitize())
	case len(others) > 0:
		return fmt.Errorf("postgis: role %q may not drop the tables and views of the release schema %s in database %q, owned by %s, nothing was written: export as their owner (or a member of the owning role)",
			role, schema, db, strings.Join(others, ", "))
	}
	return nil
}

// checkSession is Check on an open session.
func checkSession(ctx context.Context, conn *pgx.Conn) error {
	if _, err := geometryOf(ctx, conn); err != nil {
		return err
	}
	var readOnly string
	var standby bool
	if err := conn.QueryRow(ctx, `SELECT current_setting('transaction_read_only'), pg_is_in_recovery()`).Scan(&readOnly, &standby); err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	switch {
	case standby:
		return fmt.Errorf("postgis: database %q is on a standby server, which takes no writes: export to the primary", conn.Config().Database)
	case readOnly == "on":
		return fmt.Errorf("postgis: database %q is read-only for this session (default_transaction_read_only is on): export as a role or to a database that may write", conn.Config().Database)
	}
	return nil
}

// CheckConnString reports whether connString reads as PostgreSQL
// connection settings (a postgres:// URL or key=value pairs: a port that
// is a port, a known sslmode, closed quotes), without connecting: a
// command refuses one that does not as a usage error, before it reads
// or computes anything. The error, pgx's, leaves the password out.
func CheckConnString(connString string) error {
	_, err := pgx.ParseConfig(connString)
	return err
}

// connect opens a session on the database at connString.
func connect(ctx context.Context, connString string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgis: connect: %w", err)
	}
	// The names are sent as UTF-8, and the server is told so: a session
	// speaks its database's encoding unless told otherwise, and a LATIN1 or
	// WIN1258 database took each byte of "Lai Châu" as a character of its
	// own. Told, the server refuses a database whose encoding cannot hold
	// them (encodingError): LATIN1, and WIN1258 too, whose tone marks are
	// combining characters: PostgreSQL's conversion has no character there
	// for the "ả" of "Bản".
	cfg.RuntimeParams["client_encoding"] = "UTF8"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: connect: %w%s", err, connectAdvice(cfg, err))
	}
	return conn, nil
}

// connectAdvice is what to do about a connection that failed, for the
// failures an operator meets first: a database or role the server does
// not have, a password refused, no server where the connection string
// points. It is "" for other errors, whose message is the driver's.
func connectAdvice(cfg *pgx.ConnConfig, err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "3D000":
			return fmt.Sprintf("; nothing was written: create the database (CREATE DATABASE %s ENCODING 'UTF8', then CREATE EXTENSION postgis in it) or name an existing one in the connection string",
				pgx.Identifier{cfg.Database}.Sanitize())
		case "28000":
			return fmt.Sprintf("; nothing was written: connect as a role the server has and lets in (the connection string's user, now %q; the server's pg_hba.conf)", cfg.User)
		case "28P01":
			return fmt.Sprintf("; nothing was written: give role %q's password (password= in the connection string, PGPASSWORD or ~/.pgpass)", cfg.User)
		}
		return ""
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return fmt.Sprintf("; nothing was written: host %q is not known here: give the database server's host name or address in the connection string", cfg.Host)
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		where := cfg.Host
		if strings.HasPrefix(where, "/") {
			where = fmt.Sprintf("the unix socket in %s (port %d)", cfg.Host, cfg.Port)
		} else {
			where = fmt.Sprintf("%s port %d", cfg.Host, cfg.Port)
		}
		return fmt.Sprintf("; nothing was written: no PostgreSQL server answered at %s: start it, or give the host and port it listens on in the connection string", where)
	}
	return ""
}

// geometryType is PostGIS's geometry type in a database: its oid and its
// name qualified by the schema the extension was created in.
type geometryType struct {
	oid  uint32
	name string // e.g. "public"."geometry"
}

// geometryOf finds PostGIS's geometry type in conn's database, in the
// schema the extension was created in, which need not be on the search
// path (CREATE EXTENSION postgis SCHEMA extensions): the tables name it
// qualified. A PostGIS not created as an extension (its legacy scripts) is
// found by the type's name. An error says to create the extension when
// the database has none.
func geometryOf(ctx context.Context, conn *pgx.Conn) (geometryType, error) {
	var oid uint32
	var nsp string
	err := conn.QueryRow(ctx, `SELECT t.oid, n.nspname FROM pg_extension e
	JOIN pg_namespace n ON n.oid = e.extnamespace
	JOIN pg_type t ON t.typnamespace = n.oid AND t.typname = 'geometry'
WHERE e.extname = 'postgis'`).Scan(&oid, &nsp)
	if errors.Is(err, pgx.ErrNoRows) {
		err = conn.QueryRow(ctx, `SELECT t.oid, n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typname = 'geometry' AND EXISTS (SELECT FROM pg_proc p WHERE p.proname = 'postgis_version' AND p.pronamespace = n.oid)
ORDER BY t.oid LIMIT 1`).Scan(&oid, &nsp)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return geometryType{}, fmt.Errorf("postgis: database %q has no PostGIS geometry type: run CREATE EXTENSION postgis there first", conn.Config().Database)
	}
	if err != nil {
		return geometryType{}, fmt.Errorf("postgis: %w", err)
	}
	return geometryType{oid: oid, name: pgx.Identifier{nsp, "geometry"}.Sanitize()}, nil
}

// encodingError says, for an error of a character the database's encoding
// cannot hold (SQLSTATE 22P05, untranslatable_character), which encoding
// that is and what to do; other errors are returned as they are.
func encodingError(conn *pgx.Conn, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "22P05" {
		return err
	}
	return fmt.Errorf("postgis: database %q is encoded in %s, which cannot hold the Vietnamese names, nothing was written: export to a database created with ENCODING 'UTF8': %w",
		conn.Config().Database, conn.PgConn().ParameterStatus("server_encoding"), err)
}

// permissionError says, for an error of a privilege the session's role
// lacks (SQLSTATE 42501, insufficient_privilege: one revoked while the
// month was computed, after CheckRelease), that the transaction wrote
// nothing and as whom to export; other errors are returned as they are.
func permissionError(conn *pgx.Conn, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		return err
	}
	return fmt.Errorf("%w; nothing was written: export as a role that owns the release schema and its tables (or may create it in database %q)", err, conn.Config().Database)
}

// write is Write on an open connection. filled, when not nil, is called
// after each layer's new table is filled, before the earlier release is
// dropped (tests read the release there).
//
// The new tables are created and filled under staging names
// (stagingPrefix) beside the earlier release, which readers go on
// reading meanwhile; only then are the earlier tables and views dropped
// and the new tables, their primary keys and GiST indexes renamed, the
// views and metadata written: the exclusive locks a reader of the
// release waits on are taken for that last step alone, not for the
// minutes a national month's COPY takes.
func write(ctx context.Context, conn *pgx.Conn, schema string, layers []export.Layer, meta export.Meta, filled func(layer string) error) (*Stats, error) {
	geom, err := geometryOf(ctx, conn)
	if err != nil {
		return nil, err
	}
	// geometry's binary input (geometry_recv) reads (E)WKB: sent as raw
	// bytes, the codec of bytea fits.
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "geometry", OID: geom.oid, Codec: pgtype.ByteaCodec{}})
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	defer tx.Rollback(context.Background())
	st := &Stats{Schema: schema, Rows: map[string]int64{}}
	s := pgx.Identifier{schema}.Sanitize()
	mj, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	// One export of a release at a time: the second waits, then replaces
	// what the first wrote.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "lomsong "+schema); err != nil {
		return nil, fmt.Errorf("postgis: %w", err)
	}
	var grants []grant
	var old *release
	var nsp uint32
	err = tx.QueryRow(ctx, `SELECT oid FROM pg_namespace WHERE nspname = $1`, schema).Scan(&nsp)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, `CREATE SCHEMA `+s); err != nil {
			return nil, fmt.Errorf("postgis: CREATE SCHEMA %s: %w", s, err)
		}
	case err != nil:
		return nil, fmt.Errorf("postgis: %w", err)
	default:
		if st.Replaced, grants, old, err = previousRelease(ctx, tx, schema, nsp); err != nil {
			return nil, err
		}
	}
	for i := range layers {
		n, err := fillLayer(ctx, tx, schema, geom.name, &layers[i])
		if err != nil {
			return nil, fmt.Errorf("postgis: table %s.%s: %w", schema, layers[i].Name, err)
		}
		st.Rows[layers[i].Name] = n
		if filled != nil {
			if err := filled(layers[i].Name); err != nil {
				return nil, err
			}
		}
	}
	if old != nil {
		if err := dropRelease(ctx, tx, schema, old); err != nil {
			return nil, err
		}
	}
	q := `COMMENT ON SCHEMA ` + s + ` IS ` + literal("lomsong "+meta.Period+" "+string(mj))
	if _, err := tx.Exec(ctx, q); err != nil {
		return nil, fmt.Errorf("postgis: %s: %w", q, err)
	}
	codes := provinceCodes(layers)
	for i := range layers {
		views, err := placeLayer(ctx, tx, schema, &layers[i], codes)
		if err != nil {
			return nil, fmt.Errorf("postgis: table %s.%s: %w", schema, layers[i].Name, err)
		}
		st.Views += views
	}
	if err := writeMeta(ctx, tx, schema, mj); err != nil {
		return nil, fmt.Errorf("postgis: %s.lomsong_metadata: %w", schema, err)
	}
	if st.Replaced != nil {
		if st.Replaced.Grantees, err = regrant(ctx, tx, schema, grants); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgis: commit: %w", err)
	}
	return st, nil
}

// stagingPrefix starts the names a layer's table and GiST index are
// created under, beside the earlier release, until placeLayer gives them
// their own. A table of that name left in the schema is a user's: inspect
// reports it and the export is refused before anything is written.
const stagingPrefix = "lomsong_new_"

// literal quotes s as an SQL string literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// provinceCodes returns the province codes of every layer, sorted: each
// layer with a province_code column gets a view for each, so that a
// province's view of a layer without rows of it answers no rows rather
// than not existing.
func provinceCodes(layers []export.Layer) []string {
	var codes []string
	for _, l := range layers {
		if i := slices.IndexFunc(l.Fields, func(f export.Field) bool { return f.Name == "province_code" }); i >= 0 {
			for _, c := range l.Fields[i].Texts {
				if c != "" {
					codes = append(codes, c)
				}
			}
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// fillLayer creates and fills the table of layer l in schema under its
// staging name (stagingPrefix), its geom column of the type geometry
// names (schema-qualified, geometryOf), with its primary key and GiST
// index, and analyses it.
func fillLayer(ctx context.Context, tx pgx.Tx, schema, geometry string, l *export.Layer) (int64, error) {
	t := pgx.Identifier{schema, stagingPrefix + l.Name}
	cols := []string{`fid bigint PRIMARY KEY`, fmt.Sprintf(`geom %s(%s, %d)`, geometry, l.Geometry, export.SRID)}
	names := []string{"fid", "geom"}
	for _, f := range l.Fields {
		cols = append(cols, pgx.Identifier{f.Name}.Sanitize()+" "+sqlType(f.Type))
		names = append(names, f.Name)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE `+t.Sanitize()+` (`+strings.Join(cols, ", ")+`)`); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `COMMENT ON TABLE `+t.Sanitize()+` IS `+literal(l.Description)); err != nil {
		return 0, err
	}
	rows := make([][]any, l.Len())
	for i, g := range l.Geoms {
		r := make([]any, len(names))
		r[0] = int64(i + 1)
		if g != nil {
			b, err := export.AppendWKB(nil, g, export.SRID)
			if err != nil {
				return 0, fmt.Errorf("feature %d: %w", i+1, err)
			}
			r[1] = b
		}
		for j := range l.Fields {
			r[j+2] = value(&l.Fields[j], i)
		}
		rows[i] = r
	}
	n, err := tx.CopyFrom(ctx, t, names, pgx.CopyFromRows(rows))
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `CREATE INDEX `+pgx.Identifier{stagingPrefix + l.Name + "_geom_gist"}.Sanitize()+` ON `+t.Sanitize()+` USING gist (geom)`); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `ANALYZE `+t.Sanitize()); err != nil {
		return 0, err
	}
	return n, nil
}

// placeLayer gives layer l's filled table, its primary key and its GiST
// index their own names (<layer>, <layer>_pkey, <layer>_geom_gist), once
// the earlier release's are dropped, and creates its province views.
func placeLayer(ctx context.Context, tx pgx.Tx, schema string, l *export.Layer, codes []string) (int, error) {
	for _, q := range []string{
		`ALTER TABLE ` + pgx.Identifier{schema, stagingPrefix + l.Name}.Sanitize() + ` RENAME TO ` + pgx.Identifier{l.Name}.Sanitize(),
		`ALTER INDEX ` + pgx.Identifier{schema, stagingPrefix + l.Name + "_pkey"}.Sanitize() + ` RENAME TO ` + pgx.Identifier{l.Name + "_pkey"}.Sanitize(),
		`ALTER INDEX ` + pgx.Identifier{schema, stagingPrefix + l.Name + "_geom_gist"}.Sanitize() + ` RENAME TO ` + pgx.Identifier{l.Name + "_geom_gist"}.Sanitize(),
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return 0, err
		}
	}
	return provinceViews(ctx, tx, schema, l, codes)
}

// provinceViews creates province_<code>_<layer> for every province code
// of the export (provinceCodes) when the layer has a province_code column,
// the code as codeName writes it.
func provinceViews(ctx context.Context, tx pgx.Tx, schema string, l *export.Layer, codes []string) (int, error) {
	if !slices.ContainsFunc(l.Fields, func(f export.Field) bool { return f.Name == "province_code" }) {
		return 0, nil
	}
	n := 0
	named := make(map[string]string, len(codes)) // view name → code
	for _, c := range codes {
		cn, err := codeName(c)
		if err != nil {
			return n, err
		}
		if other, ok := named[cn]; ok {
			return n, fmt.Errorf("province codes %q and %q would both name the views province_%s_…: %w", other, c, cn, engine.ErrInvalidValue)
		}
		named[cn] = c
		v := pgx.Identifier{schema, "province_" + cn + "_" + l.Name}.Sanitize()
		q := `CREATE VIEW ` + v + ` AS SELECT * FROM ` + pgx.Identifier{schema, l.Name}.Sanitize() + ` WHERE province_code = ` + literal(c)
		if _, err := tx.Exec(ctx, q); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// value returns row i of f for COPY: NULL for a NaN real or an empty text.
func value(f *export.Field, i int) any {
	switch f.Type {
	case export.Integer:
		return f.Ints[i]
	case export.Real:
		if math.IsNaN(f.Reals[i]) || math.IsInf(f.Reals[i], 0) {
			return nil
		}
		return f.Reals[i]
	case export.Boolean:
		return f.Bools[i]
	}
	if f.Texts[i] == "" {
		return nil
	}
	return f.Texts[i]
}

func writeMeta(ctx context.Context, tx pgx.Tx, schema string, mj []byte) error {
	var kv map[string]json.RawMessage
	if err := json.Unmarshal(mj, &kv); err != nil {
		return err
	}
	t := pgx.Identifier{schema, "lomsong_metadata"}.Sanitize()
	if _, err := tx.Exec(ctx, `CREATE TABLE `+t+` (key text PRIMARY KEY, value text)`); err != nil {
		return err
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := string(kv[k])
		var s string
		if json.Unmarshal(kv[k], &s) == nil {
			v = s
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+t+` VALUES ($1, $2)`, k, v); err != nil {
			return err
		}
	}
	return nil
}
