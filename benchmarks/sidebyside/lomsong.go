package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/geodata"
	"github.com/paulmach/orb"
)

// prefixRows is how many leading rows the geopandas run joins; lomsong
// counts them apart so that the two can be compared.
const prefixRows = 1_000_000

func runLomsong(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lomsong", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory holding points.f64; results go there too")
	res := fs.Int("res", 8, "H3 resolution")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *workers <= 0 {
		return errors.New("lomsong: -dir must be set and -workers positive")
	}
	t0 := time.Now()
	lon, lat, err := readF64(filepath.Join(*dir, "points.f64"))
	if err != nil {
		return err
	}
	tLoad := time.Since(t0)
	n := len(lon)
	tim, err := openTimings(*dir)
	if err != nil {
		return err
	}
	defer tim.Close()
	tim.add("load", "lomsong", "read binary lon/lat columns", tLoad, n, 1)

	// H3 res 8: index on all workers, each sorts its chunk, then one merge
	// counts the runs.
	t0 = time.Now()
	cells, counts, err := indexAndCount(lon, lat, *res, *workers)
	if err != nil {
		return err
	}
	tH3 := time.Since(t0)
	tim.add("h3", "lomsong", fmt.Sprintf("hexgrid.IndexInto res %d + count per cell (sort, merge)", *res), tH3, n, *workers)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeCounts(filepath.Join(*dir, "h3_lomsong.csv"), "cell", len(cells), func(i int) (string, int64) {
		return cells[i].String(), counts[i]
	}); err != nil {
		return err
	}

	set, err := geodata.Provinces2019()
	if err != nil {
		return err
	}
	// Provinces the lomsong way: count per res-8 cell (above), attribute
	// each distinct cell to a province, sum.
	t0 = time.Now()
	attr, unresolved, err := deadzone.Attribute(set, cells)
	if err != nil {
		return err
	}
	byHex := map[string]int64{}
	for i, a := range attr { // both sorted by cell, one per distinct cell
		if a.Cell != cells[i] {
			return fmt.Errorf("attribution order: %v at %d, want %v", a.Cell, i, cells[i])
		}
		code := a.Code
		if code == "" {
			code = "_none"
		}
		byHex[code] += counts[i]
	}
	tAttr := time.Since(t0)
	tim.add("provinces", "lomsong (hex)", fmt.Sprintf("res-%d counts above + deadzone.Attribute of %s cells (%s in no province)",
		*res, thousands(int64(len(cells))), thousands(int64(unresolved))), tH3+tAttr, n, *workers)
	tim.add("provinces", "lomsong (hex)", "deadzone.Attribute alone (one goroutine)", tAttr, n, 1)
	if err := writeMap(filepath.Join(*dir, "provinces_lomsong_hex.csv"), byHex); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// Provinces point by point: Unit.Contains through a bounding-box grid,
	// the same question ST_Contains and sjoin answer.
	t0 = time.Now()
	exact, prefix := locateAll(set.Units(), lon, lat, *workers)
	tExact := time.Since(t0)
	tim.add("provinces", "lomsong (points)", "geodata Unit.Contains per point, bounding-box grid", tExact, n, *workers)
	if err := writeMap(filepath.Join(*dir, "provinces_lomsong_points.csv"), exact); err != nil {
		return err
	}
	if err := writeMap(filepath.Join(*dir, "provinces_lomsong_points_prefix.csv"), prefix); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lomsong: %d points, %d res-%d cells (%d unresolved), index+count %.2fs, attribute %.2fs, point-in-polygon %.2fs\n",
		n, len(cells), *res, unresolved, tH3.Seconds(), tAttr.Seconds(), tExact.Seconds())
	return nil
}

// indexAndCount returns the distinct cells of the points, ascending, and
// how many points fall in each.
func indexAndCount(lon, lat []float64, res, workers int) ([]hexgrid.Cell, []int64, error) {
	n := len(lon)
	dst := make([]hexgrid.Cell, n)
	bounds := chunks(n, workers)
	errs := make([]error, len(bounds))
	var wg sync.WaitGroup
	for w, b := range bounds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := dst[b[0]:b[1]]
			errs[w] = hexgrid.IndexInto(d, lon[b[0]:b[1]], lat[b[0]:b[1]], res)
			slices.Sort(d)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	runs := make([][]hexgrid.Cell, len(bounds))
	for w, b := range bounds {
		runs[w] = dst[b[0]:b[1]]
	}
	var cells []hexgrid.Cell
	var counts []int64
	for {
		m, any := hexgrid.Cell(math.MaxUint64), false
		for _, r := range runs {
			if len(r) > 0 && r[0] <= m {
				m, any = r[0], true
			}
		}
		if !any {
			break
		}
		var c int64
		for i, r := range runs {
			k := 0
			for k < len(r) && r[k] == m {
				k++
			}
			c += int64(k)
			runs[i] = r[k:]
		}
		cells = append(cells, m)
		counts = append(counts, c)
	}
	return cells, counts, nil
}

// chunks splits [0, n) into at most w contiguous ranges.
func chunks(n, w int) [][2]int {
	w = max(1, min(w, n))
	out := make([][2]int, 0, w)
	for i := range w {
		out = append(out, [2]int{i * n / w, (i + 1) * n / w})
	}
	return out
}

// gridStep is the side in degrees of the bounding-box grid locateAll uses
// to find candidate units.
const gridStep = 0.05

// locateAll counts, per unit code, the points the unit contains (a point in
// two overlapping units counts for both, as in a spatial join), plus
// "_none" for points in no unit and "_multi" for points in more than one;
// prefix holds the same counts over the first prefixRows points.
func locateAll(units []geodata.Unit, lon, lat []float64, workers int) (all, prefix map[string]int64) {
	nx := int(math.Ceil((maxLon - minLon) / gridStep))
	ny := int(math.Ceil((maxLat - minLat) / gridStep))
	grid := make([][]int32, nx*ny)
	for u := range units {
		b := units[u].Bound
		x0, x1 := gridIndex(b.Min[0], minLon, nx), gridIndex(b.Max[0], minLon, nx)
		y0, y1 := gridIndex(b.Min[1], minLat, ny), gridIndex(b.Max[1], minLat, ny)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				grid[y*nx+x] = append(grid[y*nx+x], int32(u))
			}
		}
	}
	const none, multi = 0, 1 // slots after the units
	type tally struct{ all, prefix []int64 }
	bounds := chunks(len(lon), workers)
	tallies := make([]tally, len(bounds))
	var wg sync.WaitGroup
	for w, b := range bounds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := tally{make([]int64, len(units)+2), make([]int64, len(units)+2)}
			for i := b[0]; i < b[1]; i++ {
				p := orb.Point{lon[i], lat[i]}
				hits := 0
				cell := gridIndex(p[1], minLat, ny)*nx + gridIndex(p[0], minLon, nx)
				for _, u := range grid[cell] {
					if units[u].Contains(p) {
						t.all[u]++
						if i < prefixRows {
							t.prefix[u]++
						}
						hits++
					}
				}
				k := -1
				switch {
				case hits == 0:
					k = len(units) + none
				case hits > 1:
					k = len(units) + multi
				}
				if k >= 0 {
					t.all[k]++
					if i < prefixRows {
						t.prefix[k]++
					}
				}
			}
			tallies[w] = t
		}()
	}
	wg.Wait()
	all, prefix = map[string]int64{}, map[string]int64{}
	for _, t := range tallies {
		for u := range t.all {
			code := "_none"
			switch {
			case u < len(units):
				code = units[u].Code
			case u == len(units)+multi:
				code = "_multi"
			}
			if t.all[u] > 0 {
				all[code] += t.all[u]
			}
			if t.prefix[u] > 0 {
				prefix[code] += t.prefix[u]
			}
		}
	}
	return all, prefix
}

// gridIndex is the clamped grid column (or row) of v.
func gridIndex(v, origin float64, n int) int {
	i := int(math.Floor((v - origin) / gridStep))
	return max(0, min(n-1, i))
}

// writeCounts writes "key,count" lines with a header.
func writeCounts(path, key string, n int, row func(i int) (string, int64)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "%s,count\n", key)
	for i := range n {
		k, c := row(i)
		fmt.Fprintf(w, "%s,%d\n", k, c)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeMap writes a code → count map sorted by code.
func writeMap(path string, m map[string]int64) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return writeCounts(path, "code", len(keys), func(i int) (string, int64) { return keys[i], m[keys[i]] })
}

// timings appends lines to DIR/timings.tsv.
type timings struct{ f *os.File }

func openTimings(dir string) (*timings, error) {
	f, err := os.OpenFile(filepath.Join(dir, "timings.tsv"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &timings{f}, nil
}

func (t *timings) add(task, tool, step string, d time.Duration, rows, threads int) {
	fmt.Fprintf(t.f, "%s\t%s\t%s\t%.6f\t%d\t%d\n", task, tool, step, d.Seconds(), rows, threads)
}

func (t *timings) Close() error { return t.f.Close() }
