package postgis

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lomsong/lomsong/engine/export"
)

// object is a database object found by inspect: its class and oid (the
// keys of pg_depend), pg_identify_object's type and schema-qualified
// identity, and owner, the table or view it belongs to (an index's or a
// sequence's table; 0 for none).
type object struct {
	class, oid uint32
	typ, ident string
	owner      uint32
}

func (o object) String() string { return o.typ + " " + o.ident }

// release is what inspect found in an existing release schema.
type release struct {
	tables, views []string // what an export writes, by name, sorted
	foreign       []object // what it does not write, in the schema or over its tables
}

// inspect walks what DROP SCHEMA … CASCADE would drop, through pg_depend:
// the objects in the schema, then what depends on them, following only
// the objects an export writes (a user's object is reported, not walked
// into). Each is classified by its identity as an export's own (its
// tables, province views, their indexes, primary keys, row types, TOAST
// tables, a view's _RETURN rule) or foreign. The schema's default
// privileges are neither: they stay with the schema.
func inspect(ctx context.Context, tx pgx.Tx, schema string, nsp uint32) (*release, error) {
	const level = `
SELECT DISTINCT x.cls, x.oid, i.type, i.identity,
	coalesce((SELECT o.refobjid FROM pg_depend o
		WHERE o.classid = x.cls AND o.objid = x.oid AND o.refclassid = 'pg_class'::regclass AND o.refobjid <> x.oid AND o.deptype IN ('a', 'i')
		ORDER BY o.refobjid LIMIT 1), 0)
FROM pg_depend d
	JOIN unnest($1::oid[], $2::oid[]) AS r(cls, oid) ON d.refclassid = r.cls AND d.refobjid = r.oid
	LEFT JOIN LATERAL (SELECT 'pg_class'::regclass::oid, rw.ev_class FROM pg_rewrite rw
		WHERE d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid AND rw.rulename = '_RETURN') AS v(cls, oid) ON true
	CROSS JOIN LATERAL (SELECT coalesce(v.cls, d.classid), coalesce(v.oid, d.objid)) AS x(cls, oid)
	CROSS JOIN LATERAL pg_identify_object(x.cls, x.oid, 0) AS i
WHERE d.deptype <> 'p'
	AND NOT (d.classid = 'pg_trigger'::regclass AND EXISTS (SELECT FROM pg_trigger t WHERE t.oid = d.objid AND t.tgisinternal))
ORDER BY 3, 4`
	var nspClass uint32
	if err := tx.QueryRow(ctx, `SELECT 'pg_namespace'::regclass::oid`).Scan(&nspClass); err != nil {
		return nil, err
	}
	ours := ownIdentities(schema)
	view := provinceViewRE(schema)
	seen := map[[2]uint32]bool{{nspClass, nsp}: true}
	frontier := []object{{class: nspClass, oid: nsp}}
	r := &release{}
	for len(frontier) > 0 {
		classes, oids := make([]uint32, len(frontier)), make([]uint32, len(frontier))
		for i, o := range frontier {
			classes[i], oids[i] = o.class, o.oid
		}
		rows, err := tx.Query(ctx, level, classes, oids)
		if err != nil {
			return nil, err
		}
		found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (object, error) {
			var o object
			err := row.Scan(&o.class, &o.oid, &o.typ, &o.ident, &o.owner)
			return o, err
		})
		if err != nil {
			return nil, err
		}
		frontier = frontier[:0]
		for _, o := range found {
			if seen[[2]uint32{o.class, o.oid}] {
				continue
			}
			seen[[2]uint32{o.class, o.oid}] = true
			name, inSchema := strings.CutPrefix(o.ident, schema+".")
			switch {
			case o.typ == "default acl":
				continue
			case o.typ == "table" && inSchema && ours[name]:
				r.tables = append(r.tables, name)
			case o.typ == "view" && inSchema && view.MatchString(name):
				r.views = append(r.views, name)
			case o.typ == "type" && inSchema && (ours[strings.TrimSuffix(name, "[]")] || view.MatchString(strings.TrimSuffix(name, "[]"))),
				o.typ == "index" && inSchema && ours[name],
				o.typ == "table constraint" && ours[o.ident],
				o.typ == "toast table", o.typ == "index" && strings.HasPrefix(o.ident, "pg_toast."):
				// Part of a table or view of the export's, reached
				// only through it.
			default:
				r.foreign = append(r.foreign, o)
				continue
			}
			frontier = append(frontier, o)
		}
	}
	// A user's table in the schema brings its sequences (serial columns)
	// along: name the table only.
	foreignRel := map[uint32]bool{}
	for _, o := range r.foreign {
		if o.typ == "table" || o.typ == "view" || o.typ == "materialized view" {
			foreignRel[o.oid] = true
		}
	}
	r.foreign = slices.DeleteFunc(r.foreign, func(o object) bool { return o.owner != 0 && foreignRel[o.owner] })
	slices.SortFunc(r.foreign, func(a, b object) int { return strings.Compare(a.String(), b.String()) })
	slices.Sort(r.tables)
	slices.Sort(r.views)
	return r, nil
}

// ownIdentities are the identities (schema-qualified as
// pg_identify_object gives them) of the tables, indexes and primary keys
// an export writes in schema, and the bare table names.
func ownIdentities(schema string) map[string]bool {
	m := map[string]bool{}
	for _, t := range append(slices.Clone(export.LayerNames), "lomsong_metadata") {
		m[t] = true
		m[t+"_pkey"] = true
		m[t+"_pkey on "+schema+"."+t] = true
		if t != "lomsong_metadata" {
			m[t+"_geom_gist"] = true
		}
	}
	return m
}

// provinceViewRE matches the name of a province view of a layer.
func provinceViewRE(schema string) *regexp.Regexp {
	names := make([]string, len(export.LayerNames))
	for i, n := range export.LayerNames {
		names[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`^province_[0-9a-z_]+_(` + strings.Join(names, "|") + `)$`)
}

// grant is a privilege a role held on a table or view of a release.
type grant struct {
	relation, privilege string
	grantee             string // a role's name, or PUBLIC (a role of that name is "PUBLIC" quoted)
	public              bool
	grantable           bool
}

// previousRelease reads the release schema nsp before the new export is
// written beside it: it refuses (export.ErrNotReplaceable) when the
// schema holds or feeds what no export writes, and returns the earlier
// release's metadata, the privileges roles held on its tables and views,
// and those tables and views, which dropRelease drops once the new
// tables are filled.
func previousRelease(ctx context.Context, tx pgx.Tx, schema string, nsp uint32) (*Replaced, []grant, *release, error) {
	r, err := inspect(ctx, tx, schema, nsp)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("postgis: looking into schema %s: %w", schema, err)
	}
	if len(r.foreign) > 0 {
		names := make([]string, len(r.foreign))
		for i, o := range r.foreign {
			names[i] = o.String()
		}
		return nil, nil, nil, fmt.Errorf("postgis: release schema %s %w, nothing was changed: it holds or is used by what no export writes, "+
			"which replacing the release would drop: %s. Drop these, or move them out of the schema and off its tables "+
			"(a table: ALTER TABLE … SET SCHEMA another; a view, key or function over a release table: point it at a copy), "+
			"or export to another database", schema, export.ErrNotReplaceable, strings.Join(names, ", "))
	}
	rep := &Replaced{Tables: len(r.tables), Views: len(r.views)}
	if slices.Contains(r.tables, "lomsong_metadata") {
		if rep.Meta, err = readMeta(ctx, tx, schema); err != nil {
			return nil, nil, nil, fmt.Errorf("postgis: %s.lomsong_metadata: %w", schema, err)
		}
	}
	rows, err := tx.Query(ctx, `
SELECT c.relname, coalesce(r.rolname, 'PUBLIC'), a.grantee = 0, a.privilege_type, a.is_grantable
FROM pg_class c
	CROSS JOIN LATERAL aclexplode(c.relacl) AS a
	LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE c.relnamespace = $1 AND c.relname = ANY($2) AND (a.grantee = 0 OR r.rolname <> current_user)
ORDER BY 1, 2, 3, 5, 4`, nsp, append(slices.Clone(r.tables), r.views...))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("postgis: privileges in %s: %w", schema, err)
	}
	grants, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (grant, error) {
		var g grant
		err := row.Scan(&g.relation, &g.grantee, &g.public, &g.privilege, &g.grantable)
		return g, err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("postgis: privileges in %s: %w", schema, err)
	}
	return rep, grants, r, nil
}

// dropRelease drops the earlier release's tables and views (RESTRICT: an
// object that came to depend on them since inspect fails the export
// rather than being dropped along). It runs after the new tables are
// filled, so that readers of the release wait only for the swap at the
// end of the export, not for the whole of it.
func dropRelease(ctx context.Context, tx pgx.Tx, schema string, r *release) error {
	if err := lockRelease(ctx, tx, schema, r); err != nil {
		return err
	}
	for _, v := range r.views {
		if _, err := tx.Exec(ctx, `DROP VIEW `+pgx.Identifier{schema, v}.Sanitize()); err != nil {
			return fmt.Errorf("postgis: replacing %s: %w", schema, err)
		}
	}
	for _, t := range r.tables {
		if _, err := tx.Exec(ctx, `DROP TABLE `+pgx.Identifier{schema, t}.Sanitize()); err != nil {
			return fmt.Errorf("postgis: replacing %s: %w", schema, err)
		}
	}
	return nil
}

// Taking the release's locks: lockNoWait attempts that give up at once
// when a reader holds one, lockWait between them (doubling up to
// lockWaitMax), then waiting attempts, each retried after a deadlock up
// to lockDeadlocks times.
const (
	lockNoWait    = 20
	lockWait      = 50 * time.Millisecond
	lockWaitMax   = time.Second
	lockDeadlocks = 5
)

// lockRelease takes every table and view of the earlier release at once,
// in ACCESS EXCLUSIVE mode, before dropRelease drops them. Dropped one by
// one, each waited for its readers while holding the ones dropped before
// it: a reader holding a later one (villages) and asking for an earlier
// one (coverage_hex) in the same query made a deadlock, and PostgreSQL
// cancelled the export after its minutes of COPY (or the reader). The
// locks are asked for with NOWAIT inside a savepoint: when a reader holds
// one, the savepoint is rolled back, releasing what was taken, and the
// export tries again, never waiting while holding a lock a reader may
// need. After lockNoWait tries it waits for the locks, retrying a deadlock
// (the waiting statement, not the export, is cancelled) a few times.
func lockRelease(ctx context.Context, tx pgx.Tx, schema string, r *release) error {
	var rels []string
	for _, n := range append(slices.Clone(r.views), r.tables...) {
		rels = append(rels, pgx.Identifier{schema, n}.Sanitize())
	}
	if len(rels) == 0 {
		return nil
	}
	q := `LOCK TABLE ` + strings.Join(rels, ", ") + ` IN ACCESS EXCLUSIVE MODE`
	wait := lockWait
	for try := 1; ; try++ {
		if _, err := tx.Exec(ctx, `SAVEPOINT lomsong_swap`); err != nil {
			return fmt.Errorf("postgis: replacing %s: %w", schema, err)
		}
		stmt := q
		if try <= lockNoWait {
			stmt += ` NOWAIT`
		}
		_, err := tx.Exec(ctx, stmt)
		if err == nil {
			_, err = tx.Exec(ctx, `RELEASE SAVEPOINT lomsong_swap`)
			return err
		}
		var pe *pgconn.PgError
		busy := errors.As(err, &pe) && (pe.Code == "55P03" || pe.Code == "40P01") // lock_not_available, deadlock_detected
		if !busy || try >= lockNoWait+lockDeadlocks {
			return fmt.Errorf("postgis: replacing %s: taking its tables from their readers: %w", schema, err)
		}
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT lomsong_swap`); err != nil {
			return fmt.Errorf("postgis: replacing %s: %w", schema, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, lockWaitMax)
	}
}

// readMeta reads the keys of an earlier release's lomsong_metadata that
// say what it was exported from.
func readMeta(ctx context.Context, tx pgx.Tx, schema string) (export.Meta, error) {
	var m export.Meta
	rows, err := tx.Query(ctx, `SELECT key, value FROM `+pgx.Identifier{schema, "lomsong_metadata"}.Sanitize())
	if err != nil {
		return m, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v *string
		if err := rows.Scan(&k, &v); err != nil {
			return m, err
		}
		if v == nil {
			continue
		}
		switch k {
		case "period":
			m.Period = *v
		case "province":
			m.Province = *v
		case "h3_resolution":
			m.Resolution, _ = strconv.Atoi(*v)
		case "lomsong_version":
			m.Version = *v
		case "dataset":
			m.Dataset = *v
		case "dataset_manifest_sha256":
			m.ManifestSHA256 = *v
		}
	}
	return m, rows.Err()
}

// regrant grants again the privileges of the replaced tables and views
// on the new ones of the same name (a province view the new release has
// not, its privileges go with it), and returns the grantees, sorted.
func regrant(ctx context.Context, tx pgx.Tx, schema string, grants []grant) ([]string, error) {
	var grantees []string
	for i := 0; i < len(grants); {
		g := grants[i]
		privs := []string{g.privilege}
		j := i + 1
		for ; j < len(grants) && grants[j].relation == g.relation && grants[j].grantee == g.grantee && grants[j].public == g.public && grants[j].grantable == g.grantable; j++ {
			privs = append(privs, grants[j].privilege)
		}
		i = j
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, pgx.Identifier{schema, g.relation}.Sanitize()).Scan(&exists); err != nil {
			return nil, fmt.Errorf("postgis: %w", err)
		}
		if !exists {
			continue
		}
		to := "PUBLIC"
		if !g.public {
			to = pgx.Identifier{g.grantee}.Sanitize()
		}
		q := `GRANT ` + strings.Join(privs, ", ") + ` ON TABLE ` + pgx.Identifier{schema, g.relation}.Sanitize() + ` TO ` + to
		if g.grantable {
			q += ` WITH GRANT OPTION`
		}
		if _, err := tx.Exec(ctx, q); err != nil {
			return nil, fmt.Errorf("postgis: keeping the privileges of %s.%s: %s: %w", schema, g.relation, q, err)
		}
		grantees = append(grantees, g.grantee)
	}
	slices.Sort(grantees)
	return slices.Compact(grantees), nil
}
