package export

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// GeoPackage constants (OGC GeoPackage 1.3, §1.1.1.1.1): the application
// id is the ASCII of "GPKG", the user version 10300 for 1.3.0.
const (
	gpkgApplicationID = 0x47504B47
	gpkgUserVersion   = 10300
)

// gpkgPageSize is the SQLite page size of a GeoPackage written here (the
// standard sets none). 16 KiB against SQLite's default 4 KiB, on the
// country demo's month (531 MB, 2.0 M features), builds alternated three
// times: writing 9.9–10.7 s against 10.3–12.5 s, 45 MB less resident, a
// 2.6% smaller file (fewer b-tree pages and page writes); 64 KiB was
// no faster than 16 KiB. The R-tree's nodes keep their size (SQLite caps
// them at 51 cells, 1,228 bytes, at either page size).
const gpkgPageSize = 16384

// epsg4326WKT is the OGC WKT of EPSG:4326 as the EPSG registry gives it.
const epsg4326WKT = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`

// gpkgSchema creates the GeoPackage core tables (GeoPackage 1.3 Annex C
// table definition SQL) and the extensions table.
var gpkgSchema = []string{
	`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
	`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
	`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
	`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system')`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system')`,
}

// rtreeTriggers are the GeoPackage 1.3 R-tree extension's triggers
// (F.3, with update1–update4) for table t, geometry column geom and
// primary key fid. They call ST_IsEmpty, ST_MinX… which SQLite alone does
// not define: GDAL, QGIS and SpatiaLite register them, so edits there keep
// the index current. The writer fills the index itself before creating
// them.
func rtreeTriggers(t string) []string {
	r := "rtree_" + t + "_geom"
	const vals = `VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom))`
	q := func(s string) string {
		return strings.NewReplacer("{t}", `"`+t+`"`, "{r}", `"`+r+`"`, "{n}", r, "{v}", vals).Replace(s)
	}
	return []string{
		q(`CREATE TRIGGER "{n}_insert" AFTER INSERT ON {t} WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN INSERT OR REPLACE INTO {r} {v}; END`),
		q(`CREATE TRIGGER "{n}_update1" AFTER UPDATE OF geom ON {t} WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN INSERT OR REPLACE INTO {r} {v}; END`),
		q(`CREATE TRIGGER "{n}_update2" AFTER UPDATE OF geom ON {t} WHEN OLD.fid = NEW.fid AND (NEW.geom IS NULL OR ST_IsEmpty(NEW.geom))
BEGIN DELETE FROM {r} WHERE id = OLD.fid; END`),
		q(`CREATE TRIGGER "{n}_update3" AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN DELETE FROM {r} WHERE id = OLD.fid; INSERT OR REPLACE INTO {r} {v}; END`),
		q(`CREATE TRIGGER "{n}_update4" AFTER UPDATE ON {t} WHEN OLD.fid != NEW.fid AND (NEW.geom IS NULL OR ST_IsEmpty(NEW.geom))
BEGIN DELETE FROM {r} WHERE id IN (OLD.fid, NEW.fid); END`),
		q(`CREATE TRIGGER "{n}_delete" AFTER DELETE ON {t} WHEN old.geom NOT NULL
BEGIN DELETE FROM {r} WHERE id = OLD.fid; END`),
	}
}

func sqlType(t FieldType) string {
	switch t {
	case Integer:
		return "INTEGER"
	case Real:
		return "DOUBLE"
	case Boolean:
		return "BOOLEAN"
	}
	return "TEXT"
}

// value returns row i of f as a database value of a type the driver binds
// as it is (int64, float64, string): NULL for a NaN real or an empty text,
// a boolean as 1 or 0. last is the value of the row written before in the
// column (nil for none): when the row repeats it, its box is returned
// again instead of a new one allocated. A country's month repeats most of
// its columns' values from row to row (the technology, the commune, the
// serving site), and a box a value (16 bytes a text, 8 a number) was
// half the writing's allocations.
func (f *Field) value(i int, last driver.Value) driver.Value {
	switch f.Type {
	case Integer:
		if l, ok := last.(int64); ok && l == f.Ints[i] {
			return last
		}
		return f.Ints[i]
	case Real:
		r := f.Reals[i]
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return nil
		}
		if l, ok := last.(float64); ok && math.Float64bits(l) == math.Float64bits(r) {
			return last
		}
		return r
	case Boolean:
		if f.Bools[i] {
			return int64(1)
		}
		return int64(0)
	}
	t := f.Texts[i]
	if t == "" {
		return nil
	}
	if l, ok := last.(string); ok && l == t {
		return last
	}
	return t
}

// WriteGeoPackage writes the layers as one OGC GeoPackage 1.3 file at
// path, atomically: into a temporary file beside it that is synced and
// renamed over path only when complete. Every layer is a feature table
// (fid, geom, the fields) registered in gpkg_contents and
// gpkg_geometry_columns with EPSG:4326, its geometries as
// StandardGeoPackageBinary, and an R-tree spatial index
// (rtree_<layer>_geom, filled, with the extension's triggers); meta is the
// lomsong_metadata attributes table (key, value); QGIS picks the styles
// of layer_styles (QGISStyles) up as each layer's default.
func WriteGeoPackage(ctx context.Context, path string, layers []Layer, meta Meta) error {
	return WriteGeoPackageProgress(ctx, path, layers, meta, nil)
}

// noSpace says SQLite's "database or disk is full" as the file system's
// ENOSPC ("no space left on device", as every other write on a full disk
// says it), which it wraps.
func noSpace(err error) error {
	if sqlitedb.Full(err) && !errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w (%w)", syscall.ENOSPC, err)
	}
	return err
}

// WriteGeoPackageProgress is WriteGeoPackage calling progress (when not
// nil) as each layer's writing starts, with its name and feature count:
// a country's month takes seconds a layer.
func WriteGeoPackageProgress(ctx context.Context, path string, layers []Layer, meta Meta, progress func(layer string, features int)) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpPath)
			os.Remove(tmpPath + "-journal")
		}
	}()
	db, err := sqlitedb.Open(ctx, tmpPath, sqlitedb.Options{NoWAL: true})
	if err != nil {
		return err
	}
	if err = fillGeoPackage(ctx, db, layers, meta, progress); err != nil {
		db.Close()
		return fmt.Errorf("geopackage %s: %w", path, noSpace(err))
	}
	if err = db.Close(); err != nil {
		return fmt.Errorf("geopackage %s: %w", path, noSpace(err))
	}
	f, err := os.OpenFile(tmpPath, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmpPath, dataset.FileMode()); err != nil {
		return err
	}
	if err = os.Rename(tmpPath, path); err != nil {
		return err
	}
	return dataset.SyncDir(dir)
}

func fillGeoPackage(ctx context.Context, db *sql.DB, layers []Layer, meta Meta, progress func(string, int)) error {
	if ok, err := sqlitedb.HasRTree(ctx, db); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("the SQLite library lacks the R*Tree module the spatial indexes need")
	}
	// One connection: the pragmas and the transaction apply to it.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range []string{
		// First: once anything has written the file's header (the two
		// pragmas after it do), SQLite ignores a new page size.
		fmt.Sprintf("PRAGMA page_size = %d", gpkgPageSize),
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
		// The file is a temporary one, synced once when complete and
		// renamed into place (WriteGeoPackage), and removed when anything
		// fails: neither a journal nor a sync per commit protects anything
		// here. A page cache of 64 MiB writes the country demo's month as
		// fast as one of 256 MiB (32.5 against 33.8 s for 557.5 MB) with
		// 210 MB less resident: SQLite's cache is outside the Go heap and
		// GOMEMLIMIT.
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA cache_size = -65536", // KiB: 64 MiB
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range gpkgSchema {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', ?, 'EPSG', ?, ?, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
		SRID, SRID, epsg4326WKT); err != nil {
		return err
	}
	// last_change is the first instant of the month exported, not the
	// clock: the same month gives the same file.
	stamp := contentTime(meta)
	for _, l := range layers {
		if progress != nil {
			progress(l.Name, l.Len())
		}
		if err := writeGPKGLayer(ctx, conn, tx, &l, stamp); err != nil {
			return fmt.Errorf("layer %s: %w", l.Name, err)
		}
	}
	if err := writeGPKGMeta(ctx, tx, meta, stamp); err != nil {
		return err
	}
	if err := writeStyles(ctx, tx, layers, stamp); err != nil {
		return err
	}
	// The file as written, for CheckReplaceable to know it unchanged.
	sum, err := fileDigest(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lomsong_metadata (key, value) VALUES (?, ?)`, schemaDigestKey, sum); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		// database/sql rolls a transaction back on its own goroutine once
		// its context is done, and Commit then says only that it is
		// done (sql.ErrTxDone): say it was interrupted.
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return err
	}
	return nil
}

// schemaDigestKey is the lomsong_metadata key of fileDigest as written.
const schemaDigestKey = "schema_sha256"

// querier is what fileDigest reads through: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// fileDigest is the SHA-256 of a GeoPackage's schema (every table, view,
// index and trigger with its SQL: a column, an index or a trigger added
// changes it), its gpkg_contents (a layer added or edited in QGIS bumps
// its last_change) and its layer_styles rows (a style added or edited):
// what a user's work on an export changes, beside its features.
func fileDigest(ctx context.Context, q querier) (string, error) {
	h := sha256.New()
	for _, query := range []string{
		`SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name`,
		`SELECT table_name, data_type, coalesce(identifier, ''), coalesce(last_change, '') FROM gpkg_contents ORDER BY table_name`,
		`SELECT coalesce(f_table_name, ''), coalesce(styleName, ''), coalesce(styleQML, ''), coalesce(description, '') FROM layer_styles ORDER BY id`,
	} {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var a, b, c, d string
			if err := rows.Scan(&a, &b, &c, &d); err != nil {
				rows.Close()
				return "", err
			}
			for _, v := range []string{a, b, c, d} {
				fmt.Fprintf(h, "%d:%s", len(v), v)
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return "", err
		}
		rows.Close()
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeGPKGLayer writes layer l in transaction tx, begun on conn: its
// rows and spatial index through the driver's connection (withDriver).
func writeGPKGLayer(ctx context.Context, conn *sql.Conn, tx *sql.Tx, l *Layer, stamp string) error {
	cols := []string{`fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL`, `geom ` + string(l.Geometry)}
	// The rows are inserted without their fid: SQLite numbers them, the
	// table being new, 1, 2, … in the order inserted, as feature i+1 is
	// numbered (checked after the last). An explicit fid cost a bind and a
	// seek in the table's b-tree a row, to check it unique (OP_NotExists).
	names := []string{"geom"}
	for _, f := range l.Fields {
		cols = append(cols, fmt.Sprintf(`"%s" %s`, f.Name, sqlType(f.Type)))
		names = append(names, `"`+f.Name+`"`)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE "%s" (%s)`, l.Name, strings.Join(cols, ", "))); err != nil {
		return err
	}
	b, ok := l.Bound()
	var env [4]any
	if ok {
		env = [4]any{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)`, l.Name, l.Name, l.Description, stamp, env[0], env[1], env[2], env[3], SRID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, l.Name, string(l.Geometry), SRID); err != nil {
		return err
	}
	rtree := "rtree_" + l.Name + "_geom"
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE VIRTUAL TABLE "%s" USING rtree(id, minx, maxx, miny, maxy)`, rtree)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`, l.Name); err != nil {
		return err
	}
	// The spatial index is packed (sorting the features' rectangles, pure
	// computation) on another goroutine while the features are inserted,
	// and written once they are in.
	nodeBytes, err := rtreeNodeBytes(ctx, tx, rtree)
	if err != nil {
		return err
	}
	boxes := make([]rtreeCell, 0, len(l.Geoms))
	for i, g := range l.Geoms {
		if g != nil {
			b := g.Bound()
			boxes = append(boxes, rtreeCell{id: int64(i + 1), minX: rtreeDown(b.Min[0]), maxX: rtreeUp(b.Max[0]), minY: rtreeDown(b.Min[1]), maxY: rtreeUp(b.Max[1])})
		}
	}
	var levels [][][]rtreeCell
	var packing sync.WaitGroup
	packing.Go(func() { levels = packLevels(boxes, nodeBytes) })
	// On every return the packing has finished: nothing outlives the call.
	defer packing.Wait()
	err = withDriver(conn, func(dc driver.ConnPrepareContext) error {
		ins := newRowWriter(dc, fmt.Sprintf(`INSERT INTO "%s" (%s) VALUES`, l.Name, strings.Join(names, ", ")), len(names), 256)
		defer ins.close()
		args := make([]driver.Value, len(names))
		bufs := make([][]byte, ins.per) // one geometry buffer per row of a statement
		for i, g := range l.Geoms {
			fid := int64(i + 1)
			args[0] = nil
			if g != nil {
				k := ins.slot()
				var err error
				if bufs[k], err = AppendGeoPackageBinary(bufs[k][:0], g, SRID); err != nil {
					return err
				}
				args[0] = bufs[k]
			}
			for j := range l.Fields {
				args[j+1] = l.Fields[j].value(i, args[j+1])
			}
			first := fid - int64(ins.slot()) // the statement's first feature
			if err := ins.add(ctx, args...); err != nil {
				return fmt.Errorf("features %d–%d: %w", first, fid, err)
			}
		}
		first := len(l.Geoms) - ins.slot() + 1 // of the rows flush writes
		if err := ins.flush(ctx); err != nil {
			return fmt.Errorf("features %d–%d: %w", first, len(l.Geoms), err)
		}
		if ins.lastID != int64(len(l.Geoms)) {
			return fmt.Errorf("%d features written, the last numbered %d", len(l.Geoms), ins.lastID)
		}
		packing.Wait()
		return writeRTree(ctx, dc, rtree, levels, nodeBytes)
	})
	if err != nil {
		return err
	}
	for _, s := range rtreeTriggers(l.Name) {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// writeGPKGMeta stores meta as the attributes table lomsong_metadata
// (key, value as JSON text).
func writeGPKGMeta(ctx context.Context, tx *sql.Tx, meta Meta, stamp string) error {
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	var kv map[string]json.RawMessage
	if err := json.Unmarshal(b, &kv); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE lomsong_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, key TEXT NOT NULL UNIQUE, value TEXT)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
VALUES ('lomsong_metadata', 'attributes', 'lomsong_metadata', 'where the month came from: lomsong build, dataset manifest checksum, exact totals', ?)`, stamp); err != nil {
		return err
	}
	for _, k := range sortedKeys(kv) {
		v := string(kv[k])
		var s string
		if json.Unmarshal(kv[k], &s) == nil {
			v = s
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lomsong_metadata (key, value) VALUES (?, ?)`, k, v); err != nil {
			return err
		}
	}
	return nil
}

// contentTime is the first instant of meta's period (YYYY-MM) in the
// GeoPackage's timestamp form; the Unix epoch when the period is not a
// month.
func contentTime(meta Meta) string {
	if t, err := time.Parse("2006-01", meta.Period); err == nil {
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return "1970-01-01T00:00:00.000Z"
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
