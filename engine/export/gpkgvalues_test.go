package export

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
	"github.com/paulmach/orb"
)

// TestGeoPackageFieldValues writes a layer of 600 rows (two full
// statements of 256 and a tail of 88) whose columns repeat values from
// row to row, change, and alternate with NULLs (a NaN or infinite real,
// an empty text) and rows without geometry, and reads every value back
// with its SQLite type: a value reused from the row before (Field.value)
// or a statement's argument left from the one before must never show.
func TestGeoPackageFieldValues(t *testing.T) {
	const n = 600
	l := Layer{Name: "t", Geometry: Point,
		Fields: []Field{newField("i", Integer, n), newField("r", Real, n), newField("s", Text, n), newField("b", Boolean, n)}}
	for k := range n {
		var g orb.Geometry = orb.Point{105 + float64(k%7)/100, 21 + float64(k/7)/1000}
		if k%11 == 5 {
			g = nil
		}
		l.Geoms = append(l.Geoms, g)
		l.Fields[0].Ints = append(l.Fields[0].Ints, int64(k/3)*1000)
		r := -95.5 + float64(k/4)
		switch k % 9 {
		case 2:
			r = math.NaN()
		case 6:
			r = math.Inf(-1)
		case 7:
			r = 0
		}
		l.Fields[1].Reals = append(l.Fields[1].Reals, r)
		s := []string{"viettel", "viettel", "", "Xã Mường Tè", "Xã Mường Tè", ""}[k%6]
		if k%50 == 49 {
			s = string(rune('a' + k%26))
		}
		l.Fields[2].Texts = append(l.Fields[2].Texts, s)
		l.Fields[3].Bools = append(l.Fields[3].Bools, k%5 < 2)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.gpkg")
	if err := WriteGeoPackage(ctx, path, []Layer{l}, Meta{Period: "2026-11"}); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT fid, geom IS NULL, typeof(i), i, typeof(r), r, typeof(s), s, typeof(b), b FROM t ORDER BY fid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	k := 0
	for ; rows.Next(); k++ {
		var fid, b int64
		var noGeom bool
		var ti, tr, ts, tb string
		var i sql.NullInt64
		var r sql.NullFloat64
		var s sql.NullString
		if err := rows.Scan(&fid, &noGeom, &ti, &i, &tr, &r, &ts, &s, &tb, &b); err != nil {
			t.Fatal(err)
		}
		if fid != int64(k+1) || noGeom != (l.Geoms[k] == nil) {
			t.Fatalf("row %d: fid %d, geometry missing %v", k, fid, noGeom)
		}
		if ti != "integer" || i.Int64 != l.Fields[0].Ints[k] {
			t.Errorf("fid %d: i %s %d, want integer %d", fid, ti, i.Int64, l.Fields[0].Ints[k])
		}
		want := l.Fields[1].Reals[k]
		if math.IsNaN(want) || math.IsInf(want, 0) {
			if tr != "null" {
				t.Errorf("fid %d: r %s %v, want null for %v", fid, tr, r.Float64, want)
			}
		} else if tr != "real" || math.Float64bits(r.Float64) != math.Float64bits(want) {
			t.Errorf("fid %d: r %s %v, want real %v", fid, tr, r.Float64, want)
		}
		if ws := l.Fields[2].Texts[k]; ws == "" && ts != "null" || ws != "" && (ts != "text" || s.String != ws) {
			t.Errorf("fid %d: s %s %q, want %q", fid, ts, s.String, ws)
		}
		if wb := l.Fields[3].Bools[k]; tb != "integer" || (b == 1) != wb || b > 1 {
			t.Errorf("fid %d: b %s %d, want %v", fid, tb, b, wb)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if k != n {
		t.Fatalf("%d rows read back, want %d", k, n)
	}
}
