package export

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// TestPackRTree packs rectangles into an R*Tree virtual table and checks
// it with SQLite's own rtreecheck() and against brute force: every
// rectangle's stored box holds it, and window queries through the index
// return exactly the rectangles that meet the window. Sizes from one
// node to three levels (51 cells a node at 4096-byte pages).
func TestPackRTree(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 7, 51, 52, 3000, 140000} {
		path := filepath.Join(t.TempDir(), "r.sqlite")
		db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{NoWAL: true})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		type box struct{ minX, maxX, minY, maxY float64 }
		boxes := make([]box, n)
		cells := make([]rtreeCell, n)
		for i := range boxes {
			x, y := 102+8*rng.Float64(), 8+15*rng.Float64()
			w, h := 0.001+0.01*rng.Float64(), 0.001+0.01*rng.Float64()
			boxes[i] = box{x, x + w, y, y + h}
			cells[i] = rtreeCell{id: int64(i + 1), minX: rtreeDown(x), maxX: rtreeUp(x + w), minY: rtreeDown(y), maxY: rtreeUp(y + h)}
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE "rt" USING rtree(id, minx, maxx, miny, maxy)`); err != nil {
			t.Fatal(err)
		}
		if err := packRTree(ctx, conn, tx, "rt", cells); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		var check string
		if err := db.QueryRow(`SELECT rtreecheck('rt')`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("%d rectangles: rtreecheck %q %v", n, check, err)
		}
		var count int
		db.QueryRow(`SELECT count(*) FROM rt`).Scan(&count)
		if count != n {
			t.Fatalf("%d rectangles, %d in the index", n, count)
		}
		rows, err := db.Query(`SELECT id, minx, maxx, miny, maxy FROM rt`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var b box
			rows.Scan(&id, &b.minX, &b.maxX, &b.minY, &b.maxY)
			w := boxes[id-1]
			if b.minX > w.minX || b.maxX < w.maxX || b.minY > w.minY || b.maxY < w.maxY || w.minX-b.minX > 1e-5 || b.maxX-w.maxX > 1e-5 {
				t.Fatalf("fid %d: stored %+v for %+v", id, b, w)
			}
		}
		rows.Close()
		for q := range 20 {
			x, y := 102+8*rng.Float64(), 8+15*rng.Float64()
			win := box{x, x + 0.2*rng.Float64(), y, y + 0.2*rng.Float64()}
			if q == 0 {
				win = box{-180, 180, -90, 90}
			}
			rows, err := db.Query(`SELECT id FROM rt WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?`, win.minX, win.maxX, win.minY, win.maxY)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				got = append(got, id)
			}
			rows.Close()
			slices.Sort(got)
			var want []int64
			for _, b := range cells { // reordered by the packing: ids name them
				if float64(b.maxX) >= win.minX && float64(b.minX) <= win.maxX && float64(b.maxY) >= win.minY && float64(b.minY) <= win.maxY {
					want = append(want, b.id)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%d rectangles, window %+v: %d found, %d expected", n, win, len(got), len(want))
			}
		}
		db.Close()
	}
}

func TestRTreeRounding(t *testing.T) {
	for _, d := range []float64{0, 1, -1, 105.123456789, -0.1, 1e-40, 22.3000001, math.MaxFloat32} {
		lo, hi := rtreeDown(d), rtreeUp(d)
		if float64(lo) > d || float64(hi) < d || hi != lo && math.Nextafter32(lo, float32(math.Inf(1))) != hi {
			t.Errorf("%g: down %g up %g", d, lo, hi)
		}
	}
}

// packRTree fills the empty R*Tree virtual table name (just created, so
// its root is an empty node) in transaction tx, begun on conn, with the
// rectangles, as writeGPKGLayer does: node size, packing, writing.
func packRTree(ctx context.Context, conn *sql.Conn, tx *sql.Tx, name string, leaves []rtreeCell) error {
	if len(leaves) == 0 {
		return nil
	}
	size, err := rtreeNodeBytes(ctx, tx, name)
	if err != nil {
		return err
	}
	return withDriver(conn, func(dc driver.ConnPrepareContext) error {
		return writeRTree(ctx, dc, name, packLevels(leaves, size), size)
	})
}
