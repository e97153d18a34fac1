package postgis

import (
	"context"
	"testing"
	"time"
)

// TestReadersKeepTheReleaseWhileItIsWritten: while an export fills the
// new tables of a release, a reader of the release (another session, at
// READ COMMITTED) reads the previous release whole — tables, province
// views, metadata — without waiting on the export; after the commit it
// reads the new one, whose tables and indexes have their own names, and
// a third export replaces it as the second did. A replacement dropped the
// previous tables first, so a reader waited for the whole export (the
// minutes of a national month's COPY); the reader's lock_timeout turns
// such a wait into this test's failure instead of a hang.
func TestReadersKeepTheReleaseWhileItIsWritten(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	if _, err := Write(ctx, url, monthLayers(t, m), m.Meta); err != nil {
		t.Fatal(err)
	}
	// The new month has one village (in province 12) where the previous
	// had two (12 and 14), and another version.
	next := *m
	next.Villages = m.Villages[:1]
	next.Meta.Version = "next"
	layers := monthLayers(t, &next)

	reader := session(t, ctx, url)
	mustExec(t, ctx, reader, `SET lock_timeout = '20s'`)
	read := func() (villages, inProvince12 int64, version string, err error) {
		err = reader.QueryRow(ctx, `SELECT (SELECT count(*) FROM lomsong_2026_11.villages),
			(SELECT count(*) FROM lomsong_2026_11.province_12_villages),
			(SELECT value FROM lomsong_2026_11.lomsong_metadata WHERE key = 'lomsong_version')`).Scan(&villages, &inProvince12, &version)
		return
	}

	conn, err := connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	schema, err := SchemaName(next.Meta)
	if err != nil {
		t.Fatal(err)
	}
	var filled []string
	_, err = write(ctx, conn, schema, layers, next.Meta, func(layer string) error {
		filled = append(filled, layer)
		v, p, ver, err := read()
		if err != nil {
			t.Errorf("after %s was written, a reader of the release: %v (it waited on the export)", layer, err)
			return err
		}
		if v != 2 || p != 1 || ver != "test" {
			t.Errorf("after %s was written, a reader read %d villages, %d in province 12, version %q; want the previous release: 2, 1, \"test\"", layer, v, p, ver)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(filled) != len(layers) {
		t.Fatalf("read during the export after %v, want every layer", filled)
	}
	v, p, ver, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if v != 1 || p != 1 || ver != "next" {
		t.Errorf("after the export, a reader read %d villages, %d in province 12, version %q; want 1, 1, \"next\"", v, p, ver)
	}
	rels := queryNames(t, ctx, reader, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'lomsong_2026_11' AND c.relname IN ('villages', 'villages_pkey', 'villages_geom_gist') OR c.relname LIKE 'lomsong\_new\_%' ORDER BY 1`)
	if len(rels) != 3 || rels[0] != "villages" || rels[1] != "villages_geom_gist" || rels[2] != "villages_pkey" {
		t.Errorf("relations of the new release: %v, want villages, villages_geom_gist, villages_pkey and nothing under a staging name", rels)
	}
	if _, err := Write(ctx, url, layers, next.Meta); err != nil {
		t.Fatalf("a third export of the release: %v", err)
	}
	var n int64
	if err := reader.QueryRow(ctx, `SELECT count(*) FROM lomsong_2026_11.villages`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after a third export: %d villages (%v), want 1", n, err)
	}
}

// TestExportTakesTheReleaseFromItsReaders: a reader in a transaction
// holds the previous release's villages and, once the export is ready to
// replace the release, asks for coverage_hex. The export dropped the
// tables one by one, each waiting for its readers while holding those
// dropped before it: it held coverage_hex waiting for villages, the reader
// waited for coverage_hex, and PostgreSQL cancelled one of them (a
// national export failed with "deadlock detected" after its minutes of
// COPY). Taking the locks all at once, without waiting while holding any,
// both finish.
func TestExportTakesTheReleaseFromItsReaders(t *testing.T) {
	url, _ := testPostGIS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, _ := testMonth(t)
	layers := monthLayers(t, m)
	if _, err := Write(ctx, url, layers, m.Meta); err != nil {
		t.Fatal(err)
	}
	reader := session(t, ctx, url)
	mustExec(t, ctx, reader, `SET lock_timeout = '60s'`, `BEGIN`, `SELECT count(*) FROM lomsong_2026_11.villages`)
	conn, err := connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var exporter uint32
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&exporter); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := write(ctx, conn, "lomsong_2026_11", layers, m.Meta, func(layer string) error {
			if layer == layers[len(layers)-1].Name {
				close(ready)
			}
			return nil
		})
		done <- err
	}()
	<-ready
	// Give the export the time to reach the release's tables: it is
	// seen waiting for a lock (as it did table by table), or it never
	// waits while the reader holds villages (as it now does not).
	watch := session(t, ctx, url)
	for range 30 {
		var waiting bool
		if err := watch.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_locks WHERE pid = $1 AND NOT granted)`, exporter).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var n int64
	if err := reader.QueryRow(ctx, `SELECT count(*) FROM lomsong_2026_11.coverage_hex`).Scan(&n); err != nil {
		t.Errorf("the reader, holding villages, asking for coverage_hex during the export: %v", err)
	}
	reader.Exec(ctx, `ROLLBACK`)
	if err := <-done; err != nil {
		t.Errorf("the export, its release's villages held by a reader: %v", err)
	}
}
