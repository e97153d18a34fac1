package export

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// ErrNotAnExport is returned by ReadMeta for a file that is not a lomsong
// export (no lomsong metadata in it).
var ErrNotAnExport = errors.New("not a lomsong export")

// ReadMeta reads the metadata an export wrote into a file: a GeoPackage's
// lomsong_metadata table (.gpkg) or a GeoParquet layer's "lomsong" key
// (.parquet). A file of another kind, or without the metadata, gives
// ErrNotAnExport. Totals are not read back.
func ReadMeta(ctx context.Context, path string) (Meta, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gpkg":
		return readGPKGMeta(ctx, path)
	case ".parquet":
		return readGeoParquetMeta(path)
	}
	return Meta{}, fmt.Errorf("%s: %w (not .gpkg or .parquet)", path, ErrNotAnExport)
}

func readGPKGMeta(ctx context.Context, path string) (Meta, error) {
	if ok, err := isSQLite(path); err != nil {
		return Meta{}, err
	} else if !ok {
		return Meta{}, fmt.Errorf("%s: %w (not an SQLite database)", path, ErrNotAnExport)
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{ReadOnly: true, NoWAL: true})
	if err != nil {
		return Meta{}, err
	}
	defer db.Close()
	return metaOf(ctx, db, path)
}

// metaOf reads the metadata of the GeoPackage db (opened from path, named
// in the errors).
func metaOf(ctx context.Context, db *sql.DB, path string) (Meta, error) {
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'lomsong_metadata'`).Scan(&tables); err != nil {
		return Meta{}, fmt.Errorf("%s: %w", path, err)
	}
	if tables == 0 {
		return Meta{}, fmt.Errorf("%s: %w (it has no lomsong_metadata table)", path, ErrNotAnExport)
	}
	rows, err := db.QueryContext(ctx, `SELECT key, value FROM lomsong_metadata`)
	if err != nil {
		return Meta{}, fmt.Errorf("%s: %w (%v)", path, ErrNotAnExport, err)
	}
	defer rows.Close()
	var m Meta
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return Meta{}, fmt.Errorf("%s: lomsong_metadata: %w", path, err)
		}
		switch k {
		case "period":
			m.Period = v
		case "province":
			m.Province = v
		case "h3_resolution":
			if m.Resolution, err = strconv.Atoi(v); err != nil {
				return Meta{}, fmt.Errorf("%s: lomsong_metadata: h3_resolution %q: %w", path, v, err)
			}
		case "dataset_manifest_sha256":
			m.ManifestSHA256 = v
		case "dataset":
			m.Dataset = v
		case "boundaries":
			m.Boundaries = v
		}
	}
	if err := rows.Err(); err != nil {
		return Meta{}, fmt.Errorf("%s: lomsong_metadata: %w", path, err)
	}
	if m.Period == "" {
		return Meta{}, fmt.Errorf("%s: %w (its lomsong_metadata names no period)", path, ErrNotAnExport)
	}
	return m, nil
}

func readGeoParquetMeta(path string) (Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Meta{}, err
	}
	_, kv, err := arrowio.ParquetFooter(f, st.Size())
	if err != nil {
		return Meta{}, fmt.Errorf("%s: %w (%v)", path, ErrNotAnExport, err)
	}
	var m Meta
	if s, ok := kv["lomsong"]; !ok || json.Unmarshal([]byte(s), &m) != nil || m.Period == "" {
		return Meta{}, fmt.Errorf("%s: %w (no lomsong metadata naming a period)", path, ErrNotAnExport)
	}
	m.Totals = nil
	return m, nil
}

// Matches reports whether an export whose metadata is got holds the month
// that m describes: the same period, province (empty: the whole dataset)
// and H3 resolution. When it does not, why says how it differs; stale
// says it does but was made from another state of the dataset (another
// manifest checksum, when both are known).
func (m Meta) Matches(got Meta) (ok, stale bool, why string) {
	switch {
	case got.Period != m.Period:
		return false, false, "the month " + got.Period
	case got.Province != m.Province:
		if got.Province == "" {
			return false, false, "the whole dataset"
		}
		return false, false, "province " + got.Province
	case got.Resolution != m.Resolution:
		return false, false, fmt.Sprintf("H3 resolution %d", got.Resolution)
	}
	stale = m.ManifestSHA256 != "" && got.ManifestSHA256 != "" && got.ManifestSHA256 != m.ManifestSHA256
	return true, stale, ""
}

// isSQLite reports whether the file at path starts as an SQLite database
// does.
func isSQLite(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == "SQLite format 3\x00", nil
}

// exportTables are the tables (beyond the GeoPackage's own gpkg_*,
// rtree_* and sqlite_* ones) that WriteGeoPackage writes: every layer
// Layers can build (LayerNames), the QGIS styles and the metadata.
var exportTables = append(slices.Clip(LayerNames), "layer_styles", "lomsong_metadata")

// ErrNotReplaceable is returned by CheckReplaceable for a file an export
// must not replace.
var ErrNotReplaceable = errors.New("not replaced")

// CheckReplaceable reports whether an export may replace the file at
// path with a new GeoPackage: it may when there is none, when it is empty,
// and when it is a GeoPackage an export wrote (lomsong metadata naming a
// period) that holds nothing an export does not write. A user's own
// GeoPackage, or an export a user added a layer, table or view to, gives
// ErrNotReplaceable with what it holds: replacing the file whole would
// lose it.
func CheckReplaceable(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory: %w", path, ErrNotReplaceable)
	}
	if fi.Size() == 0 {
		return nil
	}
	notExport := fmt.Errorf("%s is not a GeoPackage an export wrote (no lomsong_metadata naming its month): %w", path, ErrNotReplaceable)
	if ok, err := isSQLite(path); err != nil {
		return err
	} else if !ok {
		return notExport
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{ReadOnly: true, NoWAL: true})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := metaOf(ctx, db, path); err != nil {
		if errors.Is(err, ErrNotAnExport) {
			return notExport
		}
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name`)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer rows.Close()
	var foreign []string
	for rows.Next() {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		lower := strings.ToLower(name)
		switch {
		case typ == "table" && (strings.HasPrefix(lower, "gpkg_") || strings.HasPrefix(lower, "sqlite_") || strings.HasPrefix(lower, "rtree_")):
		case typ == "table" && slices.Contains(exportTables, name):
		default:
			foreign = append(foreign, typ+" "+name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(foreign) > 0 {
		return fmt.Errorf("%s holds what no export writes (%s): %w", path, strings.Join(foreign, ", "), ErrNotReplaceable)
	}
	// An export records its schema, contents and styles as written
	// (fileDigest): a column, an index, a trigger or a style added, a
	// layer edited in QGIS, changes it. Exports written before the record
	// are judged by their tables alone.
	var want string
	err = db.QueryRowContext(ctx, `SELECT value FROM lomsong_metadata WHERE key = ?`, schemaDigestKey).Scan(&want)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	}
	got, err := fileDigest(ctx, db)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if got != want {
		return fmt.Errorf("%s was changed after the export wrote it (a column, index, trigger or style added or edited, or a layer edited): %w", path, ErrNotReplaceable)
	}
	return nil
}
