package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/ingest"
	"github.com/lomsong/lomsong/engine/pipeline"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/raster"
	"github.com/lomsong/lomsong/geodata"
	"github.com/lomsong/lomsong/internal/plural"
)

// boundaryFlags choose a boundary set: an embedded one or a GeoJSON file.
type boundaryFlags struct {
	boundaries string
	codeProp   string
	nameProp   string
	parentProp string
	// loaded is what load read, for the flags' values in loadedFor: a
	// command asks for its boundaries in several steps (the province's
	// lookup, the analysis, the communes' parents), and a file is read,
	// checked and warned about once.
	loaded    *geodata.BoundarySet
	loadErr   error
	loadedFor string
}

// embeddedSetNames are the names outputs record the embedded boundary sets
// under (geodata's BoundarySet.Name, an export's metadata "boundaries"),
// taken by --boundaries as the sets' own flag values, so that a recorded
// value can be given back.
var embeddedSetNames = map[string]string{"vn-provinces-2025-from-2019": "provinces2025", "vn-provinces-2019": "provinces2019"}

// boundariesValue is --boundaries: the value given, or the flag value of
// the embedded set it names by its recorded name.
type boundariesValue struct{ p *string }

func (v boundariesValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v boundariesValue) Set(s string) error {
	if name, ok := embeddedSetNames[s]; ok {
		s = name
	}
	*v.p = s
	return nil
}

func (b *boundaryFlags) register(fs *flag.FlagSet) {
	b.boundaries = "provinces2025"
	fs.Var(boundariesValue{&b.boundaries}, "boundaries",
		"boundary set: provinces2025 (34 provinces since 1 July 2025, embedded), provinces2019 (the 63 of 2008–2025, embedded) or a GeoJSON `file` (e.g. ../shared/data/vn_communes_2025.geojson)")
	fs.StringVar(&b.codeProp, "code-prop", "code", "property of a GeoJSON --boundaries file holding each unit's code")
	fs.StringVar(&b.nameProp, "name-prop", "name", "property of a GeoJSON --boundaries file holding each unit's name")
	fs.StringVar(&b.parentProp, "parent-prop", "", "property of a GeoJSON --boundaries file holding each unit's parent code (e.g. provinceCode for communes)")
}

// isFile says whether --boundaries names a GeoJSON file, not an embedded
// set.
func (b *boundaryFlags) isFile() bool {
	switch b.boundaries {
	case "", "provinces2025", "provinces2019":
		return false
	}
	return true
}

func (b *boundaryFlags) load() (*geodata.BoundarySet, error) {
	key := strings.Join([]string{b.boundaries, b.codeProp, b.nameProp, b.parentProp}, "\x00")
	if b.loadedFor != key {
		b.loaded, b.loadErr = b.read()
		b.loadedFor = key
	}
	return b.loaded, b.loadErr
}

// read reads the boundary set the flags name.
func (b *boundaryFlags) read() (*geodata.BoundarySet, error) {
	switch b.boundaries {
	case "", "provinces2025":
		return geodata.Provinces2025()
	case "provinces2019":
		return geodata.Provinces2019()
	}
	f, err := os.Open(b.boundaries)
	if err != nil {
		// Named with its flag: "open FILE: no such file or directory"
		// did not say which of a command's files it was, nor that the
		// flag also takes the embedded sets' names.
		var pe *iofs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("--boundaries %s: %w (it takes provinces2025, provinces2019 or a GeoJSON file)", b.boundaries, err)
	}
	defer f.Close()
	set, err := geodata.LoadBoundaries(f, b.codeProp, b.nameProp, b.parentProp)
	if errors.Is(err, geodata.ErrInvalidBoundaries) {
		// Refused for its data (no code property, a duplicate code, a
		// geometry that contains nothing), as an empty set is below and a
		// table without a required column is: exit 3, not 1.
		return nil, refusedError{fmt.Errorf("%s: %w", b.boundaries, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.boundaries, err)
	}
	if set.Len() == 0 {
		// Every place would lie outside every unit, silently.
		return nil, refusedError{fmt.Errorf("%s: no units in the file (an empty FeatureCollection)", b.boundaries)}
	}
	if n := len(set.NumericCodes); n > 0 {
		// Read, and said: "1" finds no subscription row of area "01".
		fmt.Fprintf(os.Stderr, "warning: %s gives %d unit codes as numbers (e.g. %s), not text: a leading zero is lost there (GSO codes are text, Hà Nội \"01\"), and they may match no code of the other tables; export the code column as text\n",
			b.boundaries, n, set.NumericCodes[0])
	}
	return set, nil
}

// rasterError names path in err; a file that is not a TIFF, a damaged one
// and one of a layout the reader does not take (several bands, a sample
// type of its own) are data refused (exit 3), as an empty raster and one
// in another CRS are, not a failure of the command (exit 1).
func rasterError(path string, err error) error {
	err = fmt.Errorf("%s: %w", path, err)
	if errors.Is(err, raster.ErrFormat) || errors.Is(err, raster.ErrUnsupported) {
		return refusedError{err}
	}
	return err
}

const areasSynopsis = `areas [flags] [NAME-OR-CODE...]

Lists the units of a boundary set (code, name, parent), or finds units by code or
name, case- and accent-insensitively ("lai chau", "Lai Châu" and "12" all find
Lai Châu), with or without its kind ("Tỉnh Lai Châu"); a kind the unit has not is
refused ("Thành phố Lai Châu" is the city, not Tỉnh Lai Châu). Where units share a name,
the kind tells them apart when the file gives each unit's full name (its fullName
property, as the GSO's commune sets do: "Phường Ba Đình" against "Xã Ba Đình");
else the code does. The embedded sets are the 63 provinces of 2008–June 2025 (Natural
Earth outlines, census 2019 figures) and the 34 provinces in force since 1 July
2025, derived from them through the official merger crosswalk. Any GeoJSON
FeatureCollection of polygons can be used instead with --boundaries FILE.`

const areasExample = `  lomsong areas
  lomsong areas --boundaries provinces2019 "lai chau" "Hà Giang" 79
  lomsong areas --boundaries ../shared/data/vn_communes_2025.geojson --parent-prop provinceCode "Sìn Hồ"`

func runAreas(ctx context.Context, args []string, e *env) error {
	fs := newFlags("areas", areasSynopsis, areasExample, e)
	var bf boundaryFlags
	bf.register(fs)
	queries, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	set, err := bf.load()
	if err != nil {
		return err
	}
	census := map[string]geodata.ProvinceCensus{}
	switch bf.boundaries {
	case "", "provinces2025":
		for _, c := range geodata.Census2025() {
			census[c.Code] = c
		}
	case "provinces2019":
		for _, c := range geodata.Census2019() {
			census[c.Code] = c
		}
	}
	if bf.parentProp != "" {
		// A parent property no unit has is a misspelt name, not a set of
		// top-level units (a missing --code-prop fails the same way).
		if !slices.ContainsFunc(set.Units(), func(u geodata.Unit) bool { return u.ParentCode != "" }) {
			return usageError{fmt.Sprintf("--parent-prop %q: no unit of %s has it", bf.parentProp, bf.boundaries)}
		}
	}
	units := set.Units()
	var notFound error
	if set.Name == "" {
		// A user's file: a name not found is said not found in it.
		set.Name = bf.boundaries
	}
	if len(queries) > 0 {
		// Every query is answered: the units found are listed, and every
		// query not found is named in the error after them (a usage
		// error when each is one).
		units = units[:0:0]
		var errs []error
		for _, q := range queries {
			u, err := lookupUnit(set, q, "")
			if err != nil {
				errs = append(errs, err)
				continue
			}
			units = append(units, u)
		}
		notFound = joinLookups(errs)
	}
	if len(units) == 0 && notFound != nil {
		return notFound
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "code\tname\tparent\tpopulation 2019\thouseholds 2019\n")
	for _, u := range units {
		pop, hh := "", ""
		if c, ok := census[u.Code]; ok {
			pop, hh = fmt.Sprint(c.Population), fmt.Sprint(c.Households)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Code, u.Name, u.ParentCode, pop, hh)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(queries) == 0 {
		name := set.Name
		if name == "" {
			name = bf.boundaries
		}
		fmt.Fprintf(e.stdout, "%d units in %s\n", len(units), name)
	}
	return notFound
}

const populationSynopsis = `population (--raster FILE | --h3 FILE | --points FILE) --out DIR [flags]

Distributes population onto H3 cells at the analysis resolution, conserving the
total, and writes OUT/population.parquet and OUT/population.csv (cell, res, lon,
lat, population, households). A GeoTIFF raster (e.g. WorldPop: BigTIFF, float32,
LZW, nodata) is spread by sub-pixel sampling: each pixel is split into k×k
sub-points carrying value/k², each indexed into its cell. An H3 table
(h3,population[,households], e.g. Kontur) is aggregated to coarser cells or split
evenly into finer ones; a point table (lon,lat,population[,households]) is indexed
point by point. The tables are CSV (comma, semicolon or tab separated, the
header row optional, gzip allowed, UTF-8 or Excel's UTF-16 "Unicode text"; a
semicolon- or tab-separated table may write decimal commas, 105,85);
households, when given, on every row or on none. Households per cell are population divided by the census 2019
average household size of the province the cell centre falls in, unless the
input gives households. An H3 table's repeated cells are added up (and counted
in a warning). --res is 5 (about 250 km² a cell) or finer; the analyses use 7–9.`

const populationExample = `  lomsong population --raster ../shared/data/vnm_worldpop_2020_1km.tif --res 8 --out ./pop
  lomsong population --h3 kontur_population_VN_h3r8.csv --res 8 --out ./pop
  lomsong population --points settlements.csv --out ./pop-points`

// warnIgnored says on stderr which columns of a population table's
// header were not read, so that a households column under another name
// (hh, households_total) is not lost silently.
func warnIgnored(w io.Writer, path string, cols []string, read string) {
	if len(cols) > 0 {
		fmt.Fprintf(w, "warning: %s: %s %s not read (the table's columns are %s; name a households column households to use it)\n",
			path, plural.Noun(len(cols), "column", "columns"), strings.Join(cols, ", "), read)
	}
}

func runPopulation(ctx context.Context, args []string, e *env) error {
	fs := newFlags("population", populationSynopsis, populationExample, e)
	rasterPath := fs.String("raster", "", "GeoTIFF `file` of people per pixel")
	h3Path := fs.String("h3", "", "CSV `file` h3,population[,households] (header optional; a cell column, as in the population.csv this command writes, is read as h3, other columns ignored)")
	pointsPath := fs.String("points", "", "CSV `file` lon,lat,population[,households]")
	res := fs.Int("res", 8, "H3 `resolution` of the output cells")
	out := fs.String("out", "", "output `directory`")
	if err := parseFlagsNoArgs(fs, args, e); err != nil {
		return err
	}
	given := 0
	for _, p := range []string{*rasterPath, *h3Path, *pointsPath} {
		if p != "" {
			given++
		}
	}
	if given != 1 || *out == "" {
		fs.Usage()
		return usageError{"population: give exactly one of --raster, --h3, --points, and --out"}
	}
	if err := outDirUsable("population", *out, "population.parquet and population.csv"); err != nil {
		return err
	}
	if *res > hexgrid.MaxRes {
		return usageError{fmt.Sprintf("population: --res %d outside %d..%d: H3 has no resolution finer than %d; the analyses use 7 to 9", *res, minPopulationRes, hexgrid.MaxRes, hexgrid.MaxRes)}
	}
	if *res < minPopulationRes {
		area, _ := hexgrid.AvgAreaKm2(minPopulationRes - 1)
		return usageError{fmt.Sprintf("population: --res %d outside %d..%d: a cell of resolution %d or coarser (%.0f km² and more) spans districts and provinces, while its households take the household size of the province its centre lies in, and its centre may lie in the sea or a neighbouring country; the analyses use 7 to 9",
			*res, minPopulationRes, hexgrid.MaxRes, minPopulationRes-1, area)}
	}
	if err := inputFilesReadable(fs); err != nil {
		return err
	}
	start := time.Now()
	var cells []population.Cell
	var input float64
	hasHouseholds := false
	switch {
	case *rasterPath != "":
		f, err := os.Open(*rasterPath)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if st.Size() == 0 {
			return refusedError{fmt.Errorf("%s: the file is empty (0 bytes): no raster to read", *rasterPath)}
		}
		rd, err := raster.Open(f, st.Size())
		if err != nil {
			return rasterError(*rasterPath, err)
		}
		var stats population.RasterStats
		cells, stats, err = population.FromRaster(ctx, rd, population.RasterOptions{Res: *res, MaxCells: maxPopulationCells})
		if errors.Is(err, population.ErrTooManyCells) {
			// The error names the limit, and whether the raster was
			// refused unread (its size could not fit) or part-way.
			return usageError{fmt.Sprintf("population: --res %d: %v: choose a coarser --res; the analyses use 7 to 9", *res, err)}
		}
		if err != nil {
			return rasterError(*rasterPath, err)
		}
		input = stats.InputTotal
		fmt.Fprintf(e.stdout, "%s: %d populated pixels, %d sub-points (k = %d..%d)\n", *rasterPath, stats.Pixels, stats.SubPoints, stats.MinK, stats.MaxK)
		if stats.NaNPixels > 0 {
			fmt.Fprintf(e.stderr, "warning: %s: NaN in %d %s, where the raster declares no NaN nodata: read as nodata (no people)\n",
				*rasterPath, stats.NaNPixels, map[bool]string{true: "pixel", false: "pixels"}[stats.NaNPixels == 1])
		}
	case *h3Path != "":
		r, closeFn, err := openMaybeGzip(*h3Path)
		if err != nil {
			return err
		}
		defer closeFn()
		tab, err := population.ReadH3Table(r)
		if err != nil {
			return fmt.Errorf("%s: %w", *h3Path, err)
		}
		in := tab.Cells
		hasHouseholds = tab.HasHouseholds
		// The columns of the population.csv this command writes besides
		// cell, population and households are read back silently.
		warnIgnored(e.stderr, *h3Path, slices.DeleteFunc(tab.Ignored, func(c string) bool {
			return slices.Contains([]string{"res", "lon", "lat"}, strings.ToLower(c))
		}), "h3,population[,households]")
		if f := tab.FirstRepeat; tab.Repeats > 0 {
			rows := plural.Count(tab.Repeats, "row gives", "rows give") + " a cell an earlier row gave"
			fmt.Fprintf(e.stderr, "warning: %s: %s (the first: line %d, cell %v, first on line %d): their counts are added to the cell's; if a row was given twice, remove it\n",
				*h3Path, rows, f.Line, f.Cell, f.Earlier)
		}
		if len(in) == 0 {
			// An empty table would be used as "no households anywhere".
			return refusedError{fmt.Errorf("%s: no populated cell in the table (no rows); nothing written", *h3Path)}
		}
		input, _ = population.Totals(in)
		// ReadH3Table refused a table of several resolutions.
		if len(in) > 0 && in[0].Cell.Resolution() >= *res {
			cells, err = population.Aggregate(in, *res)
		} else {
			// Splitting multiplies the cells by 7 a resolution: refuse an
			// output no machine would hold before making it.
			if n := float64(len(in)) * math.Pow(7, float64(*res-in[0].Cell.Resolution())); n > maxPopulationCells {
				return usageError{fmt.Sprintf("population: --res %d from resolution-%d cells would make %.3g cells (7 per resolution step; at most %.0g): choose a coarser --res",
					*res, in[0].Cell.Resolution(), n, float64(maxPopulationCells))}
			}
			cells, err = population.Split(in, *res)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", *h3Path, err)
		}
	default:
		r, closeFn, err := openMaybeGzip(*pointsPath)
		if err != nil {
			return err
		}
		defer closeFn()
		pts, err := population.ReadPoints(r)
		if err != nil {
			return fmt.Errorf("%s: %w", *pointsPath, err)
		}
		hasHouseholds = len(pts.Households) > 0
		warnIgnored(e.stderr, *pointsPath, pts.Ignored, "lon,lat,population[,households]")
		for _, v := range pts.Population {
			input += v
		}
		if cells, err = population.FromPoints(pts, *res); err != nil {
			return fmt.Errorf("%s: %w", *pointsPath, err)
		}
	}
	// The input, named in what follows.
	inPath := *rasterPath + *h3Path + *pointsPath // exactly one is given
	// Another country's table (a neighbour's Kontur file) is refused, as
	// ingest warns of another country's register; a table reaching over the
	// border says how much does.
	if n, first, err := pipeline.OutsideVietNam(cells); err != nil {
		return err
	} else if n > 0 && float64(n) >= pipeline.MostlyOutsideVietNam*float64(len(cells)) {
		return refusedError{fmt.Errorf("population: %s: %d of the %d cells lie outside Viet Nam (the first at %.4f, %.4f): another country's table? nothing written", inPath, n, len(cells), first[0], first[1])}
	} else if n > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %d of %d cells (%.1f%%) lie outside the provinces (the first at %.4f, %.4f; %s): kept; "+
			"an analysis with these outlines places them in no province, one with --boundaries FILE of accurate outlines (e.g. ../shared/data/vn_provinces_2025.geojson) may\n",
			inPath, n, len(cells), 100*float64(n)/float64(len(cells)), first[0], first[1], geodata.NaturalEarthCoarse)
	}
	if !hasHouseholds {
		unmatched, err := pipeline.AssignCensusHouseholds(ctx, cells)
		if err != nil {
			return err
		}
		if unmatched > 0 {
			fmt.Fprintf(e.stdout, "%d cells lie outside the census provinces and use the national household size %.2f\n", unmatched, geodata.NationalHouseholdSize2019)
		}
	}
	if len(cells) == 0 {
		// An empty table would be used as "no households anywhere".
		return refusedError{fmt.Errorf("population: %s: no populated cell in the input (no rows, or every count 0); nothing written", inPath)}
	}
	// What the stages would refuse reading the table back is refused here,
	// before it is written.
	for _, c := range cells {
		most, err := pipeline.MaxPeopleIn(c.Cell)
		if err != nil {
			return err
		}
		if c.Population > most {
			ctr, _ := c.Cell.Center()
			return refusedError{fmt.Errorf("population: %.6g people in the resolution-%d cell %v (%.4f, %.4f), above the %.0f it may hold (%.0f a km² over its area, half again for the spread of cell areas): a unit or typing error? nothing written",
				c.Population, c.Cell.Resolution(), c.Cell, ctr[0], ctr[1], most, float64(pipeline.MaxPeoplePerKm2))}
		}
	}
	pop, hh := population.Totals(cells)
	if hh == 0 && pop > 0 {
		return refusedError{fmt.Errorf("population: every cell has 0 households (the input's households column): every hex would count none; leave the column out to derive households from the census household sizes; nothing written")}
	}
	if !(pop > 0) {
		// Cells, every one of them empty: "no households anywhere" too.
		return refusedError{fmt.Errorf("population: every count in the input is 0 (%d cells); nothing written", len(cells))}
	}
	// A signal stops the command between its steps, before anything is
	// committed (the writes of a fine resolution's tens of millions of
	// cells take a minute).
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := populationColumns(cells)
	if err != nil {
		return err
	}
	meta := map[string]string{"lomsong.table": "population", "lomsong.resolution": fmt.Sprint(*res)}
	if err := writeSet(ctx, *out, "population", func(stage string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(stage, "population.parquet"), func(f *dataset.AtomicFile) error {
			return arrowio.WriteTable(f, cols, meta)
		}); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return writeAtomic(filepath.Join(stage, "population.csv"), func(f *dataset.AtomicFile) error {
			return writeCols(f, cols)
		})
	}, *rasterPath, *h3Path, *pointsPath); err != nil {
		return err
	}
	rel := 0.0
	if input > 0 {
		rel = (pop - input) / input
	}
	fmt.Fprintf(e.stdout, "%s at res %d: population %.0f (input %.0f, relative difference %.2g), households %.0f, in %.1fs\nwrote %s\n",
		plural.Count(len(cells), "cell", "cells"), *res, pop, input, rel, hh, time.Since(start).Seconds(), filepath.Join(*out, "population.{parquet,csv}"))
	return nil
}

// minPopulationRes is the coarsest resolution population writes.
const minPopulationRes = 5

// maxPopulationCells caps the cells population writes: Vietnam's land at
// resolution 10 is about 20 million cells.
const maxPopulationCells = 50_000_000

func populationColumns(cells []population.Cell) ([]arrowio.Column, error) {
	n := len(cells)
	id, res := make([]string, n), make([]int64, n)
	lon, lat, pop, hh := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, c := range cells {
		ctr, err := c.Cell.Center()
		if err != nil {
			return nil, err
		}
		id[i], res[i], lon[i], lat[i], pop[i], hh[i] = c.Cell.String(), int64(c.Cell.Resolution()), ctr[0], ctr[1], c.Population, c.Households
	}
	return []arrowio.Column{{Name: "cell", String: id}, {Name: "res", Int64: res}, {Name: "lon", Float64: lon},
		{Name: "lat", Float64: lat}, {Name: "population", Float64: pop}, {Name: "households", Float64: hh}}, nil
}

// openMaybeGzip opens a file, decompressing it when it is gzip.
func openMaybeGzip(path string) (r io.Reader, closeFn func() error, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	rd, _, err := ingest.MaybeGunzip(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rd, f.Close, nil
}

// joinLookups joins the errors of several unit lookups into one, a usage
// error when every one is (nil for none).
func joinLookups(errs []error) error {
	if len(errs) <= 1 {
		return errors.Join(errs...)
	}
	msgs := make([]string, len(errs))
	usage := true
	for i, err := range errs {
		msgs[i] = err.Error()
		var ue usageError
		usage = usage && errors.As(err, &ue)
	}
	msg := fmt.Sprintf("%d names not found: %s", len(errs), strings.Join(msgs, "; "))
	if usage {
		return usageError{msg}
	}
	return errors.New(msg)
}
