package export

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/sqlitedb"
)

// benchMonth is a province-sized month: the hexes within 30 grid steps of
// Lai Châu town (2,791 hexes), each with four carriers' 4G state.
func benchMonth(b *testing.B) []Layer {
	b.Helper()
	return benchMonthOf(b, 30, false)
}

// benchMonthOf is the month of the hexes within k grid steps of Lai Châu
// town; full fills the coverage rows as a country's month has them (a
// serving site, a commune, a measured median in one hex of five).
func benchMonthOf(b *testing.B, k int, full bool) []Layer {
	b.Helper()
	c0, err := hexgrid.Index(103.45, 22.40, 8)
	if err != nil {
		b.Fatal(err)
	}
	cells, err := c0.Disk(k)
	if err != nil {
		b.Fatal(err)
	}
	m := &Month{Meta: Meta{Period: "2026-11"}}
	for i, c := range cells {
		for j, carrier := range []string{"viettel", "vinaphone", "mobifone", "vietnamobile"} {
			h := CoverageHex{Cell: c, Carrier: carrier, Tech: "4G", State: "covered", Source: "predicted",
				MedianDBm: math.NaN(), PredictedDBm: -95, SigmaDB: 8, DistanceM: 2000, Province: "12", ProvinceName: "Lai Châu"}
			if full {
				h.PredictedDBm, h.DistanceM = -70-float64((i*7+j)%60)-0.25, 150+float64((i*13+j)%9000)
				h.ServingSite = fmt.Sprintf("%s-LCU-%05d-%d", carrier[:3], i/40, j)
				h.Commune, h.CommuneName = fmt.Sprintf("%05d", 3000+i/700), fmt.Sprintf("Xã %d", i/700)
				if i%5 == 0 {
					h.Source, h.Tests, h.Failures, h.MedianDBm = "measured", int64(3+i%40), int64(i%3), -80-float64(i%30)
				}
			}
			m.Coverage = append(m.Coverage, h)
		}
		m.Best = append(m.Best, BestHex{Cell: c, State: "covered", Households: 3, Province: "12"})
	}
	layers, err := Layers(m)
	if err != nil {
		b.Fatal(err)
	}
	return layers
}

func BenchmarkWriteGeoPackage(b *testing.B) {
	benchWriteGeoPackage(b, benchMonth(b))
}

// BenchmarkWriteGeoPackageLarge writes 174,244 coverage rows filled as a
// country's are and 43,561 best-state rows (the hexes within 120 grid
// steps): a sixth of the country demo's month, whose inserts and spatial
// index dominate. cpu-s/op is the process's user and system CPU (the
// collector's and the R-tree packing's goroutines included), steadier
// than the wall time on a shared machine.
func BenchmarkWriteGeoPackageLarge(b *testing.B) {
	benchWriteGeoPackage(b, benchMonthOf(b, 120, true))
}

func benchWriteGeoPackage(b *testing.B, layers []Layer) {
	dir := b.TempDir()
	b.ReportAllocs()
	cpu0 := cpuSeconds(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteGeoPackage(context.Background(), filepath.Join(dir, "m.gpkg"), layers, Meta{Period: "2026-11"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds(b)-cpu0)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(layers[0].Len()+layers[1].Len())*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func BenchmarkWriteGeoParquet(b *testing.B) {
	layers := benchMonth(b)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteGeoParquet(dir, layers, Meta{Period: "2026-11"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(layers[0].Len()+layers[1].Len())*float64(b.N)/b.Elapsed().Seconds(), "features/s")
}

// BenchmarkPackLevels packs the spatial index of 400,000 hex-sized boxes
// scattered over the country's extent (a fifth of the country demo's
// features): the sorts of Sort-Tile-Recursive.
func BenchmarkPackLevels(b *testing.B) {
	rng := rand.New(rand.NewPCG(400000, 1))
	cells := make([]rtreeCell, 400000)
	for i := range cells {
		x, y := 102+8*rng.Float64(), 8+15*rng.Float64()
		cells[i] = rtreeCell{id: int64(i + 1), minX: rtreeDown(x), maxX: rtreeUp(x + 0.004), minY: rtreeDown(y), maxY: rtreeUp(y + 0.004)}
	}
	work := make([]rtreeCell, len(cells))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(work, cells)
		packLevels(work, 1228)
	}
}

// BenchmarkWriteRTree writes the packed spatial index of 400,000 boxes
// (BenchmarkPackLevels') into an R*Tree's shadow tables, in a GeoPackage
// connection's settings; cpu-s/op as BenchmarkWriteGeoPackageLarge's.
func BenchmarkWriteRTree(b *testing.B) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(400000, 1))
	cells := make([]rtreeCell, 400000)
	for i := range cells {
		x, y := 102+8*rng.Float64(), 8+15*rng.Float64()
		cells[i] = rtreeCell{id: int64(i + 1), minX: rtreeDown(x), maxX: rtreeUp(x + 0.004), minY: rtreeDown(y), maxY: rtreeUp(y + 0.004)}
	}
	levels := packLevels(cells, 1228)
	dir := b.TempDir()
	b.ReportAllocs()
	var cpu float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := sqlitedb.Open(ctx, filepath.Join(dir, fmt.Sprintf("r%d.sqlite", i)), sqlitedb.Options{NoWAL: true})
		if err != nil {
			b.Fatal(err)
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []string{fmt.Sprintf("PRAGMA page_size = %d", gpkgPageSize), "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -65536"} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE "rt" USING rtree(id, minx, maxx, miny, maxy)`); err != nil {
			b.Fatal(err)
		}
		size, err := rtreeNodeBytes(ctx, tx, "rt")
		if err != nil {
			b.Fatal(err)
		}
		if size != 1228 {
			b.Fatalf("node of %d bytes", size)
		}
		cpu0 := cpuSeconds(b)
		b.StartTimer()
		err = withDriver(conn, func(dc driver.ConnPrepareContext) error { return writeRTree(ctx, dc, "rt", levels, size) })
		b.StopTimer()
		cpu += cpuSeconds(b) - cpu0
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		conn.Close()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
}
