package export

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Bulk loading of a GeoPackage layer's spatial index.
//
// SQLite's R*Tree inserts one rectangle at a time: choosing a leaf,
// splitting, writing back the nodes on the path. For a layer of a million
// hexes that is most of the file's writing time. packRTree instead builds
// the whole tree in memory by Sort-Tile-Recursive packing (Leutenegger,
// Lopez and Edgington, "STR: a simple and efficient algorithm for R-tree
// packing", ICDE 1997) and writes the virtual table's three shadow tables
// directly, in the format of SQLite's ext/rtree/rtree.c:
//
//   - <name>_node(nodeno, data): node 1 is the root; data is the node's
//     blob of the size of the root that CREATE VIRTUAL TABLE made: two
//     bytes of tree depth (in the root; leaves have depth 0), two bytes of
//     cell count, then per cell a big-endian 64-bit id (the feature's fid
//     in a leaf, the child's nodeno in an inner node) and the rectangle
//     as big-endian float32 minx, maxx, miny, maxy, zero padded;
//   - <name>_parent(nodeno, parentnode) for every node but the root;
//   - <name>_rowid(rowid, nodeno): each fid's leaf.
//
// Coordinates are rounded to float32 outward (minima down, maxima up) as
// rtree.c rounds the doubles it is given, so every rectangle still holds
// its feature. The result passes SQLite's rtreecheck() (tested).

// rtreeCell is one rectangle of a node: a feature's or a child's.
type rtreeCell struct {
	id                     int64
	minX, maxX, minY, maxY float32
}

// rtreeDown and rtreeUp round a double to a float32 at or below (above)
// it, as rtree.c's rtreeValueDown and rtreeValueUp do.
func rtreeDown(d float64) float32 {
	f := float32(d)
	if float64(f) > d {
		f = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

func rtreeUp(d float64) float32 {
	f := float32(d)
	if float64(f) < d {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// strPack groups cells into nodes of at most capacity cells each by
// Sort-Tile-Recursive: sorted by centre x into ⌈√P⌉ vertical slices of
// P nodes' worth, each slice sorted by centre y and cut into nodes. It
// returns the nodes' cells, in order; cells is reordered.
func strPack(cells []rtreeCell, capacity int) [][]rtreeCell {
	n := len(cells)
	nodes := (n + capacity - 1) / capacity
	slicesN := int(math.Ceil(math.Sqrt(float64(nodes))))
	perSlice := slicesN * capacity
	// Ids are unique, so each order is total: an unstable sort gives the
	// one result, faster than a stable one (merge by rotations).
	slices.SortFunc(cells, func(a, b rtreeCell) int {
		return centreOrder(float64(a.minX)+float64(a.maxX), float64(b.minX)+float64(b.maxX), a.id, b.id)
	})
	out := make([][]rtreeCell, 0, nodes)
	for lo := 0; lo < n; lo += perSlice {
		s := cells[lo:min(n, lo+perSlice)]
		slices.SortFunc(s, func(a, b rtreeCell) int {
			return centreOrder(float64(a.minY)+float64(a.maxY), float64(b.minY)+float64(b.maxY), a.id, b.id)
		})
		for i := 0; i < len(s); i += capacity {
			out = append(out, s[i:min(len(s), i+capacity)])
		}
	}
	return out
}

// centreOrder orders two cells by their centres (doubled: the sums of
// their bounds) ca and cb, then by their ids. The centres are of finite
// float32 bounds, never NaN, so < and > order them as cmp.Compare would;
// the id is compared only on a tie (cmp.Or evaluated both comparisons on
// every call).
func centreOrder(ca, cb float64, ida, idb int64) int {
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	case ida < idb:
		return -1
	case ida > idb:
		return 1
	}
	return 0
}

// bound returns the rectangle holding cells.
func bound(cells []rtreeCell) rtreeCell {
	b := cells[0]
	for _, c := range cells[1:] {
		b.minX, b.maxX = min(b.minX, c.minX), max(b.maxX, c.maxX)
		b.minY, b.maxY = min(b.minY, c.minY), max(b.maxY, c.maxY)
	}
	return b
}

// rtreeNodeBytes returns the size in bytes of a node of the empty R*Tree
// virtual table name (just created: its root is an empty node), which
// fixes how many cells a node holds.
func rtreeNodeBytes(ctx context.Context, tx *sql.Tx, name string) (int, error) {
	var size int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT length(data) FROM "%s_node" WHERE nodeno = 1`, name)).Scan(&size); err != nil {
		return 0, fmt.Errorf("spatial index %s: root node: %w", name, err)
	}
	if (size-4)/rtreeCellBytes < 2 {
		return 0, fmt.Errorf("spatial index %s: node of %d bytes", name, size)
	}
	return size, nil
}

// rtreeCellBytes is the size of a cell in an R*Tree node of two
// dimensions: a 64-bit id and four 32-bit coordinates.
const rtreeCellBytes = 8 + 4*4

// packLevels packs leaves (reordered) into the levels of an R*Tree of
// nodes of nodeBytes: levels[0] are the leaves' nodes, each level's nodes
// the cells of the one above, up to one node, the root. It reads no
// database, so it may run while the features are inserted.
func packLevels(leaves []rtreeCell, nodeBytes int) [][][]rtreeCell {
	if len(leaves) == 0 {
		return nil
	}
	capacity := (nodeBytes - 4) / rtreeCellBytes
	var levels [][][]rtreeCell
	cells := leaves
	for {
		nodes := strPack(cells, capacity)
		levels = append(levels, nodes)
		if len(nodes) == 1 {
			break
		}
		up := make([]rtreeCell, len(nodes))
		for i, nd := range nodes {
			up[i] = bound(nd)
			up[i].id = int64(i) // the node's index in its level, until numbered
		}
		cells = up
	}
	return levels
}

// writeRTree writes the packed levels (packLevels) into the empty R*Tree
// virtual table name, whose nodes are of size bytes, through the driver
// connection of the transaction that created it (withDriver).
func writeRTree(ctx context.Context, conn driver.ConnPrepareContext, name string, levels [][][]rtreeCell, size int) error {
	if len(levels) == 0 {
		return nil
	}
	const cellBytes = rtreeCellBytes
	// Number the nodes from the root down, level by level: the root is 1.
	height := len(levels)
	first := make([]int64, height) // nodeno of each level's first node
	next := int64(1)
	for l := height - 1; l >= 0; l-- {
		first[l] = next
		next += int64(len(levels[l]))
	}
	del, err := conn.PrepareContext(ctx, fmt.Sprintf(`DELETE FROM "%s_node"`, name))
	if err != nil {
		return err
	}
	_, err = execDriver(ctx, del, nil)
	if cerr := del.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// One node a statement: its blob is reused.
	insNode := newRowWriter(conn, fmt.Sprintf(`INSERT INTO "%s_node" VALUES`, name), 2, 1)
	defer insNode.close()
	parents := newRowWriter(conn, fmt.Sprintf(`INSERT INTO "%s_parent" VALUES`, name), 2, 256)
	defer parents.close()
	// Each feature's leaf, by its id, written once the nodes are: in the
	// leaves' order the ids come in the packing's spatial order, and each
	// row went to a random place in <name>_rowid's b-tree.
	var maxID int64
	for _, nd := range levels[0] {
		for _, c := range nd {
			maxID = max(maxID, c.id)
		}
	}
	leafOf := make([]int64, maxID+1) // 0: no feature (nodes are numbered from 1)
	blob := make([]byte, size)
	for l := height - 1; l >= 0; l-- {
		for i, nd := range levels[l] {
			nodeno := first[l] + int64(i)
			clear(blob)
			if nodeno == 1 {
				binary.BigEndian.PutUint16(blob[0:], uint16(height-1))
			}
			binary.BigEndian.PutUint16(blob[2:], uint16(len(nd)))
			for k, c := range nd {
				id := c.id
				if l > 0 {
					id += first[l-1] // a child: its index in the level below
				}
				o := 4 + k*cellBytes
				binary.BigEndian.PutUint64(blob[o:], uint64(id))
				binary.BigEndian.PutUint32(blob[o+8:], math.Float32bits(c.minX))
				binary.BigEndian.PutUint32(blob[o+12:], math.Float32bits(c.maxX))
				binary.BigEndian.PutUint32(blob[o+16:], math.Float32bits(c.minY))
				binary.BigEndian.PutUint32(blob[o+20:], math.Float32bits(c.maxY))
				if l == 0 {
					leafOf[id] = nodeno
				} else if err := parents.add(ctx, id, nodeno); err != nil {
					return fmt.Errorf("spatial index %s: %w", name, err)
				}
			}
			if err := insNode.add(ctx, nodeno, blob); err != nil {
				return fmt.Errorf("spatial index %s: node %d: %w", name, nodeno, err)
			}
		}
	}
	if err := parents.flush(ctx); err != nil {
		return fmt.Errorf("spatial index %s: %w", name, err)
	}
	if err := writeRowids(ctx, conn, name, leafOf); err != nil {
		return fmt.Errorf("spatial index %s: %w", name, err)
	}
	return nil
}

// writeRowids writes <name>_rowid, each feature's leaf: leafOf[id] is
// the leaf of feature id, 0 for none, in ascending ids.
func writeRowids(ctx context.Context, conn driver.ConnPrepareContext, name string, leafOf []int64) error {
	rowids := newRowWriter(conn, fmt.Sprintf(`INSERT INTO "%s_rowid" VALUES`, name), 2, 256)
	defer rowids.close()
	for id, node := range leafOf {
		if node == 0 {
			continue
		}
		if err := rowids.add(ctx, int64(id), node); err != nil {
			return err
		}
	}
	return rowids.flush(ctx)
}

// rowWriter inserts rows into a table many per statement: one statement
// per row costs more in binding and stepping than the row's own b-tree
// insert. Up to most rows a statement (256 for a table's rows), and at
// most 30,000 values (SQLite's default limit on a statement's parameters
// is 32,766).
//
// It runs the statements on the driver's connection itself (withDriver),
// with one slice of arguments reused for every statement: database/sql
// copies a statement's arguments (4,608 for coverage_hex) into a new slice
// on every call, half the bytes the writing allocated, and the collections
// that garbage set off scan the export's whole live heap (half a GB for a
// country). Values must be of the types the driver binds: nil, int64,
// float64, string or []byte (no conversion runs).
type rowWriter struct {
	conn      driver.ConnPrepareContext
	head      string // INSERT INTO "t" (…) VALUES
	cols, per int
	full      driver.Stmt
	args      []driver.NamedValue // per×cols, ordinals set
	rows      int
	lastID    int64 // the rowid of the last row written
}

func newRowWriter(conn driver.ConnPrepareContext, head string, cols, most int) *rowWriter {
	per := max(1, min(most, 30000/cols))
	args := make([]driver.NamedValue, per*cols)
	for i := range args {
		args[i].Ordinal = i + 1
	}
	return &rowWriter{conn: conn, head: head, cols: cols, per: per, args: args}
}

func (w *rowWriter) insertSQL(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", w.cols), ", ") + "), "
	return w.head + " " + strings.TrimSuffix(strings.Repeat(row, rows), ", ")
}

// slot is the row's place in the statement being filled: a value the
// caller reuses (a buffer) must not be shared between slots.
func (w *rowWriter) slot() int { return w.rows }

// add queues one row of w.cols values, writing the statement when full.
func (w *rowWriter) add(ctx context.Context, vals ...driver.Value) error {
	row := w.args[w.rows*w.cols : (w.rows+1)*w.cols]
	for i, v := range vals {
		row[i].Value = v
	}
	w.rows++
	if w.rows < w.per {
		return nil
	}
	if w.full == nil {
		// Set only when prepared: on an error the driver returns its nil
		// *stmt as a non-nil driver.Stmt (an interrupt during the
		// prepare), which close would call Close on.
		s, err := w.conn.PrepareContext(ctx, w.insertSQL(w.per))
		if err != nil {
			return err
		}
		w.full = s
	}
	w.rows = 0
	return w.exec(ctx, w.full, w.args)
}

// exec runs s with args, keeping the rowid of the last row it inserted.
func (w *rowWriter) exec(ctx context.Context, s driver.Stmt, args []driver.NamedValue) error {
	r, err := execDriver(ctx, s, args)
	if err != nil {
		return err
	}
	if w.lastID, err = r.LastInsertId(); err != nil {
		return err
	}
	return nil
}

// flush writes the rows queued.
func (w *rowWriter) flush(ctx context.Context) error {
	if w.rows == 0 {
		return nil
	}
	n := w.rows
	w.rows = 0
	s, err := w.conn.PrepareContext(ctx, w.insertSQL(n))
	if err != nil {
		return err
	}
	err = w.exec(ctx, s, w.args[:n*w.cols])
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func (w *rowWriter) close() {
	if w.full != nil {
		w.full.Close()
		w.full = nil
	}
}

// execDriver runs the driver's statement s with args once ctx is not done.
// The driver is given no context to watch: a statement of at most 256 rows
// takes milliseconds, and the driver would start a goroutine per call to
// watch one.
func execDriver(ctx context.Context, s driver.Stmt, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e, ok := s.(driver.StmtExecContext)
	if !ok {
		return nil, fmt.Errorf("the SQLite driver's statement (%T) cannot run with named arguments", s)
	}
	return e.ExecContext(context.Background(), args)
}

// withDriver calls f with conn's driver connection, in whatever
// transaction conn has begun: f must not use conn, or a transaction on
// it, itself (database/sql holds the connection while f runs).
func withDriver(conn *sql.Conn, f func(driver.ConnPrepareContext) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("the SQLite driver's connection (%T) cannot prepare statements", dc)
		}
		return f(c)
	})
}
