package population

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/raster"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/shareddata"
)

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

func geoInfo(w, h int, x0, y0, px float64) raster.Info {
	return raster.Info{Width: w, Height: h, Type: raster.Float64, HasTransform: true, EPSG: 4326,
		Transform: raster.GeoTransform{x0, px, 0, y0, 0, -px}, HasNoData: true, NoData: -99999}
}

func distribute(t *testing.T, info raster.Info, vals []float64, opt RasterOptions) ([]Cell, RasterStats) {
	t.Helper()
	d, err := NewRasterDistributor(info, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddRows(0, vals); err != nil {
		t.Fatal(err)
	}
	cells, err := d.Cells()
	if err != nil {
		t.Fatal(err)
	}
	return cells, d.Stats()
}

// A tiny pixel around a cell's centre puts all its population in that cell.
func TestRasterTinyPixel(t *testing.T) {
	c, err := hexgrid.Index(105.85, 21.03, 8)
	if err != nil {
		t.Fatal(err)
	}
	ctr, _ := c.Center()
	const px = 0.0005 // ~55 m, far smaller than a res-8 cell (edge ~460 m)
	info := geoInfo(1, 1, ctr[0]-px/2, ctr[1]+px/2, px)
	cells, st := distribute(t, info, []float64{123.5}, RasterOptions{Res: 8})
	if len(cells) != 1 || cells[0].Cell != c || cells[0].Population != 123.5 || st.MaxK != 1 {
		t.Errorf("cells %v stats %+v, want all 123.5 in %v with k=1", cells, st, c)
	}
}

// The k×k sub-points sit at the centres of the k×k sub-pixels.
func TestRasterSubPoints(t *testing.T) {
	// One 0.03° pixel at res 9 (0.105 km²): pixel ≈ 10.4 km², k = ⌈√(4·10.4/0.105)⌉ = 20.
	info := geoInfo(1, 1, 105.0, 21.03, 0.03)
	cells, st := distribute(t, info, []float64{400}, RasterOptions{Res: 9, MaxK: 3})
	if st.MinK != 3 || st.MaxK != 3 || st.SubPoints != 9 {
		t.Fatalf("stats %+v, want k=3 (capped), 9 sub-points", st)
	}
	want := map[hexgrid.Cell]float64{}
	for _, dy := range []float64{0.005, 0.015, 0.025} {
		for _, dx := range []float64{0.005, 0.015, 0.025} {
			c, _ := hexgrid.Index(105.0+dx, 21.03-dy, 9)
			want[c] += 400.0 / 9
		}
	}
	if len(cells) != len(want) {
		t.Fatalf("%d cells, want %d", len(cells), len(want))
	}
	for _, c := range cells {
		if relErr(c.Population, want[c.Cell]) > 1e-12 {
			t.Errorf("cell %v: %v, want %v", c.Cell, c.Population, want[c.Cell])
		}
	}
}

// A uniform density gives every interior cell density × its area.
func TestRasterUniformDensity(t *testing.T) {
	const (
		w, h    = 200, 200
		px      = 0.01
		x0, y0  = 105.0, 22.0
		density = 100.0 // people per km²
		res     = 5
	)
	info := geoInfo(w, h, x0, y0, px)
	vals := make([]float64, w*h)
	degKm := earthRadiusKm * math.Pi / 180
	var total float64
	for r := 0; r < h; r++ {
		lat := y0 - (float64(r)+0.5)*px
		a := px * px * degKm * degKm * math.Cos(lat*math.Pi/180)
		for c := 0; c < w; c++ {
			vals[r*w+c] = density * a
			total += density * a
		}
	}
	vals[5] = -99999 // nodata carries nothing
	total -= density * px * px * degKm * degKm * math.Cos((y0-px/2)*math.Pi/180)
	cells, st := distribute(t, info, vals, RasterOptions{Res: res, MinSubPoints: 2000})
	got, _ := Totals(cells)
	if relErr(got, total) > 1e-12 || relErr(st.InputTotal, total) > 1e-12 {
		t.Errorf("total %v (input %v), want %v", got, st.InputTotal, total)
	}
	interior := 0
	for _, c := range cells {
		ring, _ := c.Cell.Boundary()
		inside := true
		for _, p := range ring {
			if p[0] < x0+0.05 || p[0] > x0+w*px-0.05 || p[1] > y0-0.05 || p[1] < y0-h*px+0.05 {
				inside = false
			}
		}
		if !inside {
			continue
		}
		interior++
		a, _ := c.Cell.AreaKm2()
		if e := relErr(c.Population, density*a); e > 0.02 {
			t.Errorf("cell %v: %.1f people, want %.1f (%.1f%% off)", c.Cell, c.Population, density*a, 100*e)
		}
	}
	if interior < 10 {
		t.Errorf("only %d interior cells checked", interior)
	}
}

func TestRasterErrors(t *testing.T) {
	info := geoInfo(2, 1, 105, 21, 0.01)
	if _, err := NewRasterDistributor(info, RasterOptions{Res: 16}); err == nil {
		t.Error("res 16 accepted")
	}
	utm := info
	utm.EPSG = 32648
	if _, err := NewRasterDistributor(utm, RasterOptions{Res: 8}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("UTM raster: %v", err)
	}
	// A user-defined projected CRS (a VN-2000 TM-3 zone) records no
	// EPSG code of its own, only its geographic base's (4326) and that
	// it is projected: its metres were read as degrees.
	tm3 := info
	tm3.EPSG, tm3.ModelType = 4326, raster.ModelProjected
	if _, err := NewRasterDistributor(tm3, RasterOptions{Res: 8}); !errors.Is(err, ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), "projected one without an EPSG code") {
		t.Errorf("TM-3 raster: %v", err)
	}
	// A raster whose CRS is lost, its corners metres.
	lost := geoInfo(2, 1, 447721, 2434770, 1000)
	if _, err := NewRasterDistributor(lost, RasterOptions{Res: 8}); !errors.Is(err, ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), "no longitude and latitude in degrees") {
		t.Errorf("a raster in metres without its CRS: %v", err)
	}
	geographic := info
	geographic.EPSG, geographic.ModelType = 4326, raster.ModelGeographic
	if _, err := NewRasterDistributor(geographic, RasterOptions{Res: 8}); err != nil {
		t.Errorf("a geographic raster: %v", err)
	}
	if _, err := NewRasterDistributor(info, RasterOptions{Res: 8, Window: image.Rect(0, 0, 3, 1)}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("window outside: %v", err)
	}
	d, _ := NewRasterDistributor(info, RasterOptions{Res: 8})
	if err := d.AddRows(0, []float64{1, -2}); !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "col 1, row 0") {
		t.Errorf("negative pixel: %v", err)
	}
}

// NaN pixels carry nothing; those the raster does not declare as its
// nodata are counted, for the command to say so.
func TestRasterNaNPixels(t *testing.T) {
	info := geoInfo(3, 1, 105, 21, 0.01)
	_, st := distribute(t, info, []float64{5, math.NaN(), 7}, RasterOptions{Res: 8})
	if st.Pixels != 2 || st.InputTotal != 12 || st.NaNPixels != 1 {
		t.Errorf("nodata -99999: %+v, want 2 pixels, 12 people, 1 NaN pixel", st)
	}
	info.NoData = math.NaN()
	if _, st := distribute(t, info, []float64{5, math.NaN(), 7}, RasterOptions{Res: 8}); st.Pixels != 2 || st.NaNPixels != 0 {
		t.Errorf("nodata NaN: %+v, want 2 pixels and no NaN pixel counted", st)
	}
}

func openWorldPop(tb testing.TB) *raster.Reader {
	tb.Helper()
	f, err := os.Open(shareddata.Path(tb, "vnm_worldpop_2020_1km.tif"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	rd, err := raster.Open(f, st.Size())
	if err != nil {
		tb.Fatal(err)
	}
	return rd
}

func TestWorldPopRes6(t *testing.T) {
	rd := openWorldPop(t)
	cells, st, err := FromRaster(context.Background(), rd, RasterOptions{Res: 6})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Totals(cells)
	if relErr(st.InputTotal, 97338583) > 0.001 {
		t.Errorf("input total %.0f, want 97,338,583 ± 0.1%%", st.InputTotal)
	}
	if e := relErr(got, st.InputTotal); e > 1e-9 {
		t.Errorf("cells total %.3f, input %.3f: relative error %g", got, st.InputTotal, e)
	}
	t.Logf("res 6: %d cells, total %.0f, conservation error %.2g, k %d..%d", len(cells), got, relErr(got, st.InputTotal), st.MinK, st.MaxK)

	size, err := geodata.HouseholdSizer()
	if err != nil {
		t.Fatal(err)
	}
	unmatched, err := AssignHouseholds(context.Background(), cells, size, geodata.NationalHouseholdSize2019)
	if err != nil {
		t.Fatal(err)
	}
	_, hh := Totals(cells)
	// 2019 census: 26.87 M households for 96.21 M people; WorldPop 2020
	// has 1.2% more people, and sizes vary by province around 3.58.
	if hh < 26.5e6 || hh > 27.8e6 {
		t.Errorf("households %.0f, want about 27.2 M", hh)
	}
	if unmatched > len(cells)/10 {
		t.Errorf("%d of %d cells outside every province", unmatched, len(cells))
	}
	t.Logf("households %.0f; %d of %d cell centres outside the 2019 provinces (national size used)", hh, unmatched, len(cells))
}

func TestWorldPopWindowRes8(t *testing.T) {
	rd := openWorldPop(t)
	// A 120 × 120 pixel window around Hà Nội.
	in := rd.Info()
	col := int((105.85 - in.Transform[0]) / in.Transform[1])
	row := int((21.03 - in.Transform[3]) / in.Transform[5])
	win := image.Rect(col-60, row-60, col+60, row+60)
	cells, st, err := FromRaster(context.Background(), rd, RasterOptions{Res: 8, Window: win})
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	all, _ := rd.ReadAll()
	for r := win.Min.Y; r < win.Max.Y; r++ {
		for c := win.Min.X; c < win.Max.X; c++ {
			if v := all[r*in.Width+c]; !in.IsNoData(v) && v > 0 {
				want += v
			}
		}
	}
	got, _ := Totals(cells)
	if relErr(st.InputTotal, want) > 1e-12 || relErr(got, want) > 1e-9 {
		t.Errorf("window total %.3f (input %.3f), want %.3f", got, st.InputTotal, want)
	}
	if st.MinK != 3 || st.MaxK != 3 {
		t.Errorf("k %d..%d, want 3 for 30″ pixels at res 8", st.MinK, st.MaxK)
	}
	t.Logf("Hà Nội window res 8: %d cells, %.0f people, %d sub-points", len(cells), got, st.SubPoints)
	// Deterministic: the same input gives the same output.
	again, _, _ := FromRaster(context.Background(), rd, RasterOptions{Res: 8, Window: win})
	if !slices.Equal(cells, again) {
		t.Error("two runs differ")
	}
	if !slices.IsSortedFunc(cells, func(a, b Cell) int { return cmp.Compare(a.Cell, b.Cell) }) {
		t.Error("cells not sorted")
	}
}

func BenchmarkWorldPopRes8(b *testing.B) {
	rd := openWorldPop(b)
	b.ReportAllocs()
	for b.Loop() {
		cells, st, err := FromRaster(context.Background(), rd, RasterOptions{Res: 8})
		if err != nil {
			b.Fatal(err)
		}
		got, _ := Totals(cells)
		b.ReportMetric(float64(len(cells)), "cells")
		b.ReportMetric(relErr(got, st.InputTotal), "conservation-error")
	}
}

func readKonturTotal(t *testing.T, path string) (float64, int) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sum float64
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		_, p, _ := strings.Cut(sc.Text(), ",")
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += v
		n++
	}
	return sum, n
}

func TestKonturLaos(t *testing.T) {
	path := shareddata.Path(t, "kontur_population_lao_h3r8.csv")
	want, rows := readKonturTotal(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadH3Table(f)
	if err != nil {
		t.Fatal(err)
	}
	cells, hasHH := tab.Cells, tab.HasHouseholds
	if tab.Repeats != 0 {
		t.Errorf("Kontur Laos: %d repeated cells, want none", tab.Repeats)
	}
	got, _ := Totals(cells)
	if hasHH || len(cells) != rows || relErr(got, want) > 1e-12 {
		t.Errorf("%d cells (file %d rows), total %v, want %v; households %v", len(cells), rows, got, want, hasHH)
	}
	t.Logf("Kontur Laos: %d res-8 cells, %.0f people", len(cells), got)
	for _, res := range []int{7, 5} {
		agg, err := Aggregate(cells, res)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := Totals(agg)
		if relErr(g, want) > 1e-12 || len(agg) >= len(cells) {
			t.Errorf("res %d: %d cells, total %v, want %v", res, len(agg), g, want)
		}
		for _, c := range agg {
			if c.Cell.Resolution() != res {
				t.Fatalf("cell %v at res %d", c.Cell, c.Cell.Resolution())
			}
		}
	}
	if _, err := Aggregate(cells, 9); !errors.Is(err, ErrFinerResolution) {
		t.Errorf("Aggregate to res 9: %v", err)
	}
	split, err := Split(cells[:100], 9)
	if err != nil {
		t.Fatal(err)
	}
	g100, _ := Totals(cells[:100])
	gs, _ := Totals(split)
	if len(split) != 700 || relErr(gs, g100) > 1e-12 {
		t.Errorf("Split: %d cells, total %v, want 700 and %v", len(split), gs, g100)
	}
}

func TestH3TableHeaderAndErrors(t *testing.T) {
	a, _ := hexgrid.Index(105.85, 21.03, 8)
	b, _ := hexgrid.Index(106.70, 10.77, 8)
	in := "h3_index,population,households\n" + a.String() + ",10,3\n" + b.String() + ",5.5,2\n" + a.String() + ",2,1\n"
	tab, err := ReadH3Table(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Cell{{a, 12, 4}, {b, 5.5, 2}}
	if a > b {
		want[0], want[1] = want[1], want[0]
	}
	if !tab.HasHouseholds || !slices.Equal(tab.Cells, want) {
		t.Errorf("got %v, want %v", tab.Cells, want)
	}
	// The repeat of a (line 4, its first row line 2) is summed and told.
	if r := (Repeat{Cell: a, Line: 4, Earlier: 2}); tab.Repeats != 1 || tab.FirstRepeat != r {
		t.Errorf("repeats %d, first %+v; want 1, %+v", tab.Repeats, tab.FirstRepeat, r)
	}
	// The table lomsong population writes (cell,res,lon,lat,population,
	// households) reads back, its other columns ignored: it was refused
	// ("6 fields where the header has 3"), and without households the
	// --population reader sends such a table here.
	own := "cell,res,lon,lat,population\n" + a.String() + ",8,105.85,21.03,12\n" + b.String() + ",8,106.70,10.77,5.5\n"
	if tab, err := ReadH3Table(strings.NewReader(own)); err != nil || tab.HasHouseholds || len(tab.Cells) != 2 || tab.Repeats != 0 {
		t.Errorf("lomsong population's own table: %+v %v", tab, err)
	}
	tests := []struct {
		name, in, col string
		line          int
	}{
		{"bad cell", "h3,population\nzzz,1\n", "h3", 2},
		{"negative", a.String() + ",1\n" + b.String() + ",-1\n", "population", 2},
		{"missing population", a.String() + "\n", "population", 1},
		{"header without population", "h3,people\n", "population", 1},
		// Two of these would sum to +Inf.
		{"beyond any place", a.String() + ",1e308\n", "population", 1},
		{"households beyond any place", "h3,population,households\n" + a.String() + ",10,2e9\n", "households", 2},
		{"more households than people", "h3,population,households\n" + a.String() + ",10,20\n", "households", 2},
		// A row without households amid rows with them would count 0.
		{"households on some rows only", "h3,population,households\n" + a.String() + ",10,\n" + b.String() + ",10,2\n", "households", 3},
		{"households missing after given", "h3,population,households\n" + a.String() + ",10,3\n" + b.String() + ",10,\n", "households", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadH3Table(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("err = %v, want line %d column %s", err, tc.line, tc.col)
			}
		})
	}
}

// A point count beyond any place is an error naming its line, not a
// total of +Inf.
func TestPointsBeyondAnyPlace(t *testing.T) {
	_, err := ReadPoints(strings.NewReader("lon,lat,population\n103.17,22.39,5\n103.17,22.39,1e308\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Column != "population" || !strings.Contains(err.Error(), "no place holds that many") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ReadPoints(strings.NewReader("lon,lat,population\n103.17,22.39,1e9\n")); err != nil {
		t.Fatalf("a billion is the bound, accepted: %v", err)
	}
	// 0,0 is a missing position, as for measurements and villages.
	_, err = ReadPoints(strings.NewReader("lon,lat,population\n103.17,22.39,5\n0,0,100\n"))
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Column != "lon" || !strings.Contains(err.Error(), "missing position") {
		t.Fatalf("0,0: %v", err)
	}
	// More households than people: the row contradicts itself (it was
	// summed as given: 10 people in 20 households).
	_, err = ReadPoints(strings.NewReader("lon,lat,population,households\n103.17,22.39,10,20\n"))
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != "households" || !strings.Contains(err.Error(), "a household holds at least one person") {
		t.Fatalf("more households than people: %v", err)
	}
}

func TestPoints(t *testing.T) {
	in := "lon,lat,population,households\n105.85,21.03,10,3\n105.8501,21.0301,4,1\n106.70,10.77,7,2\n"
	p, err := ReadPoints(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	cells, err := FromPoints(p, 8)
	if err != nil {
		t.Fatal(err)
	}
	hn, _ := hexgrid.Index(105.85, 21.03, 8)
	hcm, _ := hexgrid.Index(106.70, 10.77, 8)
	want := []Cell{{hn, 14, 4}, {hcm, 7, 2}}
	if hn > hcm {
		want[0], want[1] = want[1], want[0]
	}
	if !slices.Equal(cells, want) {
		t.Errorf("got %v, want %v", cells, want)
	}
	// Headerless, no households.
	p, err = ReadPoints(strings.NewReader("105.85,21.03,10\n106.70,10.77,7\n"))
	if err != nil || p.Len() != 2 || p.Households != nil {
		t.Fatalf("headerless: %+v %v", p, err)
	}
	tests := []struct {
		name, in, col string
		line          int
	}{
		{"lon range", "lon,lat,population\n190,21,1\n", "lon", 2},
		{"lat text", "lon,lat,population\n105,north,1\n", "lat", 2},
		{"households on some rows", "105,21,1,1\n105,21,1\n", "households", 2},
		{"negative", "105,21,-3\n", "population", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadPoints(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("err = %v, want line %d column %s", err, tc.line, tc.col)
			}
		})
	}
}

func TestWorldPopCSVPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("406,784 points")
	}
	f, err := os.Open(shareddata.Path(t, "vnm_worldpop_2020_1km.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ReadPoints(f)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := FromPoints(p, 5)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Totals(cells)
	if p.Len() != 406784 || relErr(got, 97338583) > 1e-6 {
		t.Errorf("%d points, total %.0f, want 406784 and 97,338,583", p.Len(), got)
	}
}

func TestAssignHouseholds(t *testing.T) {
	a, _ := hexgrid.Index(105.85, 21.03, 8)
	b, _ := hexgrid.Index(112, 12, 8) // at sea
	cells := []Cell{{Cell: a, Population: 362.1}, {Cell: b, Population: 10}}
	size, err := geodata.HouseholdSizer()
	if err != nil {
		t.Fatal(err)
	}
	n, err := AssignHouseholds(context.Background(), cells, size, 2.5)
	if err != nil || n != 1 {
		t.Fatalf("unmatched %d, %v", n, err)
	}
	hn := 8053663.0 / 2224107.0 // Hà Nội, census 2019
	if relErr(cells[0].Households, 362.1/hn) > 1e-12 || cells[1].Households != 4 {
		t.Errorf("households %v, %v; want %v, 4", cells[0].Households, cells[1].Households, 362.1/hn)
	}
	if _, err := AssignHouseholds(context.Background(), cells, size, 0); err == nil {
		t.Error("zero fallback accepted")
	}
}

func TestWorldPopRes8(t *testing.T) {
	if testing.Short() {
		t.Skip("3.7 million sub-points; the Hà Nội window covers res 8 in short mode")
	}
	rd := openWorldPop(t)
	cells, st, err := FromRaster(context.Background(), rd, RasterOptions{Res: 8})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Totals(cells)
	if e := relErr(got, st.InputTotal); e > 1e-9 || relErr(got, 97338583) > 0.001 {
		t.Errorf("total %.3f, input %.3f (relative error %g), want 97,338,583 ± 0.1%%", got, st.InputTotal, e)
	}
	if len(cells) < 300000 {
		t.Errorf("only %d populated res-8 cells", len(cells))
	}
	t.Logf("res 8: %d cells, %d sub-points, conservation error %.2g", len(cells), st.SubPoints, relErr(got, st.InputTotal))
}

// A row with more fields than the header is refused with its line: read
// from its first fields it was another place (103,25,22,4,1500 — decimal
// commas unquoted — became lon 103, lat 25, population 22, exit 0).
func TestRowWiderThanHeader(t *testing.T) {
	_, err := ReadPoints(strings.NewReader("lon,lat,population\n103.2,22.4,100\n103,25,22,4,1500\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "5 fields where the header has 3") {
		t.Fatalf("points: %v", err)
	}
	_, err = ReadH3Table(strings.NewReader("h3,population\n8840644835fffff,2000,5\n"))
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("h3: %v", err)
	}
	// Headerless, as wide as its columns: read.
	if _, err := ReadPoints(strings.NewReader("103.2,22.4,100\n")); err != nil {
		t.Fatalf("headerless: %v", err)
	}
}

// Point and H3 tables may be comma, semicolon or tab separated, as the
// contract's CSV inputs: the same rows read the same.
func TestTableDelimiters(t *testing.T) {
	a, _ := hexgrid.Index(105.85, 21.03, 8)
	for _, sep := range []string{",", ";", "\t"} {
		j := func(f ...string) string { return strings.Join(f, sep) + "\n" }
		pts, err := ReadPoints(strings.NewReader(j("lon", "lat", "population") + j("105.85", "21.03", "12.5") + j("106.7", "10.77", "3")))
		if err != nil || pts.Len() != 2 || pts.Population[0] != 12.5 || pts.Lat[1] != 10.77 {
			t.Errorf("points separated by %q: %v %+v", sep, err, pts)
		}
		tab, err := ReadH3Table(strings.NewReader(j("h3", "population", "households") + j(a.String(), "10", "3")))
		cells := tab.Cells
		if err != nil || len(cells) != 1 || cells[0] != (Cell{a, 10, 3}) {
			t.Errorf("H3 table separated by %q: %v %v", sep, err, cells)
		}
	}
}

// A Parquet or Arrow file is refused as what it is, not parsed as CSV.
func TestTableNotCSV(t *testing.T) {
	for _, head := range []string{"PAR1\x15\x04", "ARROW1\x00\x00"} {
		_, err := ReadPoints(strings.NewReader(head + "lon,lat,population\n"))
		if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "population tables are CSV") {
			t.Errorf("%q: %v", head[:4], err)
		}
	}
}

// A first line wider than the table that names none of its columns (a
// census table of provinces given as an H3 table) is said to be so, with
// its fields and the columns wanted, not as "10 fields where the header
// has 3" of a header it does not have.
func TestFirstLineNamesNoColumn(t *testing.T) {
	census := "gso_code_2019,iso_3166_2,name_2019,gso_code_2025,name_2025,population_2019,population_urban_2019,households_2019,x,y\n" +
		"01,VN-HN,Hà Nội,01,Hà Nội,8053663,3962310,2224107,1137948,1086159\n"
	_, err := ReadH3Table(strings.NewReader(census))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 1 || !errors.Is(err, ErrInvalidInput) ||
		!strings.Contains(err.Error(), "the first line (gso_code_2019, iso_3166_2, name_2019, gso_code_2025, name_2025, population_2019, …) names none of this table's columns (h3, population, households)") {
		t.Fatalf("census as an H3 table: %v", err)
	}
}

// A raster distribution stops at RasterOptions.MaxCells (a 1 km raster
// at resolution 12 grew to 21 GB before) and when its context is done
// (Ctrl-C was obeyed only when the whole raster was read).
func TestFromRasterBounded(t *testing.T) {
	rd := openWorldPop(t)
	// The whole raster at res 8 bounds at 3.13e6 cells (879 × 1781
	// pixels, 2 cells each) and makes 410,261: 3.2e5 passes the bound
	// (10 × 3.2e5 ≥ 3.13e6) and is reached by the streaming count.
	if _, st, err := FromRaster(context.Background(), rd, RasterOptions{Res: 8, MaxCells: 320_000}); !errors.Is(err, ErrTooManyCells) || strings.Contains(err.Error(), "before reading") {
		t.Errorf("MaxCells 320000 at res 8: %v (%+v), want the streaming ErrTooManyCells", err, st)
	}
	// 1000 is refused unread.
	if _, _, err := FromRaster(context.Background(), openWorldPop(t), RasterOptions{Res: 8, MaxCells: 1000}); !errors.Is(err, ErrTooManyCells) || !strings.Contains(err.Error(), "before reading the pixels") {
		t.Errorf("MaxCells 1000 at res 8: %v, want ErrTooManyCells before reading", err)
	}
	// Viet Nam at res 11 and 12 (6.0e8 and 1.6e9 cells bound, for a
	// limit of 5e7) is refused before a pixel is read; res 10 (8.6e7)
	// is not.
	for res, refused := range map[int]bool{10: false, 11: true, 12: true} {
		_, err := NewRasterDistributor(rd.Info(), RasterOptions{Res: res, MaxCells: 50_000_000})
		if got := errors.Is(err, ErrTooManyCells); got != refused {
			t.Errorf("res %d: %v, want refused %v", res, err, refused)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := FromRaster(ctx, openWorldPop(t), RasterOptions{Res: 8}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}

// CellBound counts what every pixel of the window could make; a window
// beyond MaxCellsBoundFactor × MaxCells is refused before a pixel is
// read, one below it is bounded by the cells it makes.
func TestRasterCellBound(t *testing.T) {
	// 40 × 40 pixels of 0.01° at 21° N: 0.01² × 111.195² × cos 21° =
	// 1.154 km² (1.153..1.156 from row to row). At res 10 (0.01505 km² a
	// cell) a pixel reaches ⌈76.7⌉ = 77 cells (fewer than its k = 18,
	// 324 sub-points); at res 6 (36 km²) one, its single sub-point; at
	// res 12 (0.000307 km²) its 32² sub-points (k capped at MaxK).
	const w, h, px = 40, 40, 0.01
	info := geoInfo(w, h, 105.5, 21.2, px)
	all := make([]float64, w*h)
	for i := range all {
		all[i] = 10
	}
	cases := []struct {
		name    string
		res     int
		lo, hi  float64 // the bound's range
		perCell float64 // the bound's least ratio to the cells made
	}{
		{"res 10, area-limited", 10, w * h * 77, w * h * 77, 0.95},
		{"res 6, one sub-point a pixel", 6, w * h, w * h, 1},
		{"res 12, sub-point-limited", 12, w * h * 32 * 32, w * h * 32 * 32, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := NewRasterDistributor(info, RasterOptions{Res: c.res})
			if err != nil {
				t.Fatal(err)
			}
			b := d.CellBound()
			if b < c.lo || b > c.hi {
				t.Fatalf("bound %.4g, want %.4g..%.4g", b, c.lo, c.hi)
			}
			if c.res == 12 {
				return // 1.6 M sub-points: the bound's arithmetic is enough
			}
			if err := d.AddRows(0, all); err != nil {
				t.Fatal(err)
			}
			cells, err := d.Cells()
			if err != nil {
				t.Fatal(err)
			}
			if b < c.perCell*float64(len(cells)) {
				t.Errorf("bound %.4g below %.2f × the %d cells made", b, c.perCell, len(cells))
			}
		})
	}

	// Refused unread beyond 10 × MaxCells, with the figures; below it, the
	// streaming count is the limit.
	bound := func(res int) float64 {
		d, err := NewRasterDistributor(info, RasterOptions{Res: res})
		if err != nil {
			t.Fatal(err)
		}
		return d.CellBound()
	}(10)
	tight := int(bound/MaxCellsBoundFactor) - 1
	_, err := NewRasterDistributor(info, RasterOptions{Res: 10, MaxCells: tight})
	if !errors.Is(err, ErrTooManyCells) || !strings.Contains(err.Error(), "40 × 40 pixels") || !strings.Contains(err.Error(), "before reading the pixels") {
		t.Fatalf("MaxCells %d: %v, want ErrTooManyCells before reading, with the window", tight, err)
	}
	d, err := NewRasterDistributor(info, RasterOptions{Res: 10, MaxCells: tight + 2})
	if err != nil {
		t.Fatalf("MaxCells %d: %v, want the window accepted", tight+2, err)
	}
	if err := d.AddRows(0, all); !errors.Is(err, ErrTooManyCells) || strings.Contains(err.Error(), "before reading") {
		t.Fatalf("every pixel populated past MaxCells %d: %v, want the streaming ErrTooManyCells", tight+2, err)
	}
	// One populated pixel under the same limit is distributed.
	one := make([]float64, w*h)
	one[w*h/2] = 10
	if _, st := distribute(t, info, one, RasterOptions{Res: 10, MaxCells: tight + 2}); st.Pixels != 1 {
		t.Fatalf("one pixel: %+v", st)
	}
}

// A points table of Viet Nam with its lon and lat columns swapped is
// refused naming the swap, as ingest names it, not only "outside -90..90";
// a latitude out of range elsewhere is not said to be swapped.
func TestReadPointsSwappedColumnsNamed(t *testing.T) {
	_, err := ReadPoints(strings.NewReader("lon,lat,population\n21.03,105.85,12\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != "lat" || !strings.Contains(err.Error(), "lon and lat swapped?") {
		t.Fatalf("swapped columns: %v", err)
	}
	if _, err := ReadPoints(strings.NewReader("lon,lat,population\n-60.5,-95.2,12\n")); err == nil || strings.Contains(err.Error(), "swapped") {
		t.Fatalf("latitude out of range elsewhere: %v", err)
	}
}

// LocaleNumber reads the counts of a table whose decimal mark is the
// comma, and refuses those a point may group.
func TestLocaleNumber(t *testing.T) {
	for _, c := range []struct {
		in, want string
		comma    bool
		ok       bool
	}{
		{"1000,5", "1000.5", true, true}, {"1200", "1200", true, true}, {"1.5", "1.5", true, true}, {"12.3456", "12.3456", true, true},
		{"1.200", "", true, false}, {"12.345.678", "", true, false}, {"-1.000", "", true, false},
		{"1.200", "1.200", false, true}, {"1000,5", "1000,5", false, true},
	} {
		got, err := LocaleNumber(c.in, c.comma)
		if (err == nil) != c.ok || c.ok && got != c.want {
			t.Errorf("LocaleNumber(%q, %v) = %q, %v", c.in, c.comma, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%q: %v does not wrap ErrInvalidInput", c.in, err)
		}
	}
	// Through a table: "1.200" in a semicolon table was read as 1.2
	// people.
	_, err := ReadH3Table(strings.NewReader("h3;population\n88415cb4e5fffff;1.200\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != "population" {
		t.Errorf("an ambiguous count in a table: %v", err)
	}
}

// A split further than maxSplitLevels is refused as the input's fault
// (exit 3 in lomsong population), naming the cell and what to give; it
// was a bare error (exit 1) without the cell.
func TestSplitTooFar(t *testing.T) {
	c, err := hexgrid.Parse("8041fffffffffff")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Split([]Cell{{Cell: c, Population: 10, Households: 3}}, 8)
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "cell 8041fffffffffff is at resolution 0") || !strings.Contains(err.Error(), "--res 4 or coarser") {
		t.Errorf("%v", err)
	}
	if out, err := Split([]Cell{{Cell: c, Population: 2401, Households: 700}}, 4); err != nil || len(out) != 2401 {
		t.Errorf("four levels: %d cells, %v", len(out), err)
	}
}
