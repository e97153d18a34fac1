package population

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/raster"
	"github.com/paulmach/orb"
)

// Cell is the population and households of one H3 cell.
type Cell struct {
	Cell       hexgrid.Cell
	Population float64
	Households float64
}

// ErrFinerResolution is returned by Aggregate when asked for a resolution
// finer than the input's.
var ErrFinerResolution = errors.New("population: the cells are coarser than the resolution asked for (make the table at that resolution: lomsong population --res N divides each cell evenly among its children)")

// ErrInvalidInput is wrapped by errors about unusable input values.
var ErrInvalidInput = errors.New("population: invalid input")

// earthRadiusKm is H3's authalic Earth radius.
const earthRadiusKm = 6371.007180918475

// RasterOptions configures raster distribution.
type RasterOptions struct {
	Res          int             // target H3 resolution, 0..15
	MinSubPoints int             // minimum average sub-points per cell; default 4
	MaxK         int             // cap on sub-points per pixel side; default 32
	Window       image.Rectangle // pixel window (Min inclusive, Max exclusive); empty = whole raster
	// MaxCells, when above 0, is the most cells the distribution may
	// make: beyond it, it stops with ErrTooManyCells (memory grows with
	// the cells, about 50 bytes each: a 1 km raster of Viet Nam at
	// resolution 12 would make hundreds of millions). A window whose
	// CellBound exceeds MaxCellsBoundFactor × MaxCells is refused with
	// ErrTooManyCells before a pixel is read (NewRasterDistributor);
	// below that, the count of the cells made is the exact limit.
	MaxCells int
}

// MaxCellsBoundFactor is how many times RasterOptions.MaxCells the
// CellBound of a raster window may reach before NewRasterDistributor
// refuses it unread. The bound counts every pixel of the window as
// populated; most pixels of a country raster are empty (sea, forest,
// mountains: 26 % of the 879 × 1781 pixels of Viet Nam's 1 km WorldPop
// 2020 raster hold people), so a bound of a few times MaxCells may still
// fit, and the streaming count decides. Only a window less than a tenth
// populated could fit and yet be refused. With a limit of 5e7 cells,
// that raster's bound is 8.6e7 at resolution 10 (it runs, making about
// 2.0e7 cells) and 6.0e8 at 11, 1.6e9 at 12 and finer: refused unread,
// where the streaming limit was reached after one to two minutes and
// 1.5 GB.
const MaxCellsBoundFactor = 10

// ErrTooManyCells is returned by the raster distribution when it would
// make more than RasterOptions.MaxCells cells.
var ErrTooManyCells = errors.New("population: too many cells")

func (o *RasterOptions) defaults() {
	if o.MinSubPoints == 0 {
		o.MinSubPoints = 4
	}
	if o.MaxK == 0 {
		o.MaxK = 32
	}
}

// Validate checks the options (after defaults for zero fields).
func (o RasterOptions) Validate() error {
	o.defaults()
	if o.Res < 0 || o.Res > hexgrid.MaxRes {
		return fmt.Errorf("population: resolution %d outside 0..%d", o.Res, hexgrid.MaxRes)
	}
	if o.MinSubPoints < 1 || o.MaxK < 1 || o.MaxK > 1024 {
		return fmt.Errorf("population: MinSubPoints %d and MaxK %d must be ≥ 1 (MaxK ≤ 1024)", o.MinSubPoints, o.MaxK)
	}
	return nil
}

// RasterStats describes a finished distribution.
type RasterStats struct {
	InputTotal float64 // sum of the populated pixels read
	Pixels     int     // populated pixels
	NaNPixels  int     // NaN pixels of a raster whose nodata is not NaN, read as nodata
	SubPoints  int     // sub-points indexed
	MinK, MaxK int     // range of k over the rows read
}

const batch = 4096

// RasterDistributor accumulates raster rows onto H3 cells. Feed it bands
// of rows with AddRows (in any order), then call Cells.
type RasterDistributor struct {
	info    raster.Info
	opt     RasterOptions
	cellKm2 float64
	sums    map[hexgrid.Cell]float64
	lon     []float64
	lat     []float64
	w       []float64
	idx     []hexgrid.Cell
	stats   RasterStats
	ctx     context.Context // nil: not cancelled
}

// NewRasterDistributor prepares distribution of a raster described by
// info, which must be georeferenced in geographic lon/lat degrees.
func NewRasterDistributor(info raster.Info, opt RasterOptions) (*RasterDistributor, error) {
	opt.defaults()
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if !info.HasTransform {
		return nil, fmt.Errorf("%w: raster has no georeferencing", ErrInvalidInput)
	}
	if info.EPSG != 0 && info.EPSG != 4326 {
		return nil, fmt.Errorf("%w: raster CRS is EPSG:%d, want WGS84 lon/lat (EPSG:4326)", ErrInvalidInput, info.EPSG)
	}
	if info.ModelType == raster.ModelProjected || info.ModelType == raster.ModelGeocentric {
		// A user-defined projected CRS (a VN-2000 TM-3 zone of a
		// province) has no EPSG code of its own (its geographic base's,
		// 4326, is the one recorded): its metres were read as degrees.
		return nil, fmt.Errorf("%w: raster CRS is a %s one without an EPSG code (user-defined, as a VN-2000 TM-3 zone), want WGS84 lon/lat (EPSG:4326): reproject it first, e.g. gdalwarp -t_srs EPSG:4326 IN.tif OUT.tif",
			ErrInvalidInput, map[int]string{raster.ModelProjected: "projected", raster.ModelGeocentric: "geocentric"}[info.ModelType])
	}
	if t := info.Transform; !degrees(t[0], t[3]) || !degrees(t[0]+float64(info.Width)*t[1]+float64(info.Height)*t[2], t[3]+float64(info.Width)*t[4]+float64(info.Height)*t[5]) {
		// Metres of a projection whose CRS was lost: 421,450 read as
		// 421,450° of longitude.
		return nil, fmt.Errorf("%w: the raster's corners (%.6g, %.6g) and (%.6g, %.6g) are no longitude and latitude in degrees: a projected raster (metres) whose CRS is not recorded? reproject it to WGS84 lon/lat first, e.g. gdalwarp -s_srs THEIR_CRS -t_srs EPSG:4326 IN.tif OUT.tif",
			ErrInvalidInput, t[0], t[3], t[0]+float64(info.Width)*t[1]+float64(info.Height)*t[2], t[3]+float64(info.Width)*t[4]+float64(info.Height)*t[5])
	}
	full := image.Rect(0, 0, info.Width, info.Height)
	if opt.Window.Empty() {
		opt.Window = full
	} else if !opt.Window.In(full) {
		return nil, fmt.Errorf("%w: window %v outside the %d x %d raster", ErrInvalidInput, opt.Window, info.Width, info.Height)
	}
	a, err := hexgrid.AvgAreaKm2(opt.Res)
	if err != nil {
		return nil, err
	}
	d := &RasterDistributor{info: info, opt: opt, cellKm2: a}
	if m := opt.MaxCells; m > 0 {
		// Refused before the pixels are read (and before the buffers
		// are made): a window that could not fit took minutes and
		// gigabytes to reach the streaming limit.
		if b := d.CellBound(); b > MaxCellsBoundFactor*float64(m) {
			w := opt.Window
			var most float64
			for r := w.Min.Y; r < w.Max.Y; r++ {
				most = max(most, d.pixelCells(r))
			}
			return nil, fmt.Errorf("%w: the %d × %d pixels of the raster window could make up to %.3g cells at resolution %d (up to %.0f a pixel, in cells of %.3g km²), more than %d × the %d cells allowed; refused before reading the pixels",
				ErrTooManyCells, w.Dx(), w.Dy(), b, opt.Res, most, a, MaxCellsBoundFactor, m)
		}
	}
	d.sums = map[hexgrid.Cell]float64{}
	d.lon, d.lat, d.w = make([]float64, 0, batch), make([]float64, 0, batch), make([]float64, 0, batch)
	d.idx = make([]hexgrid.Cell, batch)
	return d, nil
}

// degrees reports whether lon, lat can be a longitude and a latitude.
func degrees(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// pixelKm2 returns the area of a pixel of raster row r, in km².
func (d *RasterDistributor) pixelKm2(r int) float64 {
	t := d.info.Transform
	_, lat := t.Apply(0, float64(r)+0.5)
	degKm := earthRadiusKm * math.Pi / 180
	// area of the pixel parallelogram in degrees², scaled at this latitude
	return math.Abs(t[1]*t[5]-t[2]*t[4]) * degKm * degKm * math.Cos(lat*math.Pi/180)
}

// k returns the sub-points per pixel side for raster row r.
func (d *RasterDistributor) k(r int) int {
	k := int(math.Ceil(math.Sqrt(float64(d.opt.MinSubPoints) * d.pixelKm2(r) / d.cellKm2)))
	return max(1, min(k, d.opt.MaxK))
}

// CellBound returns how many cells the window's pixels could make were
// every one of them populated: for each row, its pixels times the cells
// one pixel can reach, its k² sub-points or, when fewer, its area in
// cells (pixel area over the mean cell area, rounded up). It reads no
// pixel. A pixel straddling cell borders touches a few cells more than
// its area holds, shared with its neighbours: over a window the sum
// stays close to the cells covering it.
func (d *RasterDistributor) CellBound() float64 {
	w := d.opt.Window
	var n float64
	for r := w.Min.Y; r < w.Max.Y; r++ {
		n += float64(w.Dx()) * d.pixelCells(r)
	}
	return n
}

// badPixel is the error of a pixel that holds no count of people (negative
// or infinite, and not the raster's nodata): where it is, and what the
// raster declares as nodata, since such a value is most often a nodata
// value the file lost (a clip or conversion that dropped GDAL_NODATA:
// WorldPop's -99999) or declares otherwise.
func (d *RasterDistributor) badPixel(c, r int, v float64) error {
	lon, lat := d.info.Transform.Apply(float64(c)+0.5, float64(r)+0.5)
	nodata := "the raster declares no nodata value"
	if d.info.HasNoData {
		nodata = fmt.Sprintf("the raster's nodata is %v", d.info.NoData)
	}
	where := fmt.Sprintf("pixel (col %d, row %d) at (%.5f, %.5f) = %v: not a count of people, and %s", c, r, lon, lat, v, nodata)
	if v == math.Trunc(v) || math.Abs(v) >= 1e30 {
		// A sentinel (-99999, -9999, -1, -3.4e38): the file's nodata.
		return fmt.Errorf("%w: %s; if %v marks pixels without data, declare it (gdal_edit.py -a_nodata %v FILE)", ErrInvalidInput, where, v, v)
	}
	return fmt.Errorf("%w: %s: a raster of another quantity, or resampled by a method that overshoots (bilinear, cubic)?", ErrInvalidInput, where)
}

// pixelCells returns the cells one pixel of row r can reach (CellBound).
func (d *RasterDistributor) pixelCells(r int) float64 {
	k := float64(d.k(r))
	return min(k*k, math.Ceil(d.pixelKm2(r)/d.cellKm2))
}

// AddRows distributes rows row0 .. row0+len(values)/Width-1 (row-major,
// raster.Rows bands). Rows and columns outside the window are ignored.
func (d *RasterDistributor) AddRows(row0 int, values []float64) error {
	W := d.info.Width
	if len(values)%W != 0 {
		return fmt.Errorf("population: %d values is not a whole number of %d-wide rows", len(values), W)
	}
	win := d.opt.Window
	t := d.info.Transform
	for i := 0; i < len(values)/W; i++ {
		r := row0 + i
		if r < win.Min.Y || r >= win.Max.Y {
			continue
		}
		if d.ctx != nil {
			if err := d.ctx.Err(); err != nil {
				return err
			}
		}
		k := d.k(r)
		if d.stats.MinK == 0 || k < d.stats.MinK {
			d.stats.MinK = k
		}
		d.stats.MaxK = max(d.stats.MaxK, k)
		fk := float64(k)
		for c := win.Min.X; c < win.Max.X; c++ {
			v := values[i*W+c]
			if d.info.IsNoData(v) || math.IsNaN(v) || v == 0 {
				if math.IsNaN(v) && !d.info.IsNoData(v) {
					d.stats.NaNPixels++
				}
				continue
			}
			if v < 0 || math.IsInf(v, 0) {
				return d.badPixel(c, r, v)
			}
			d.stats.Pixels++
			d.stats.InputTotal += v
			wt := v / (fk * fk)
			for sj := 0; sj < k; sj++ {
				for si := 0; si < k; si++ {
					x, y := t.Apply(float64(c)+(float64(si)+0.5)/fk, float64(r)+(float64(sj)+0.5)/fk)
					d.lon = append(d.lon, x)
					d.lat = append(d.lat, y)
					d.w = append(d.w, wt)
					if len(d.lon) == batch {
						if err := d.flush(); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

func (d *RasterDistributor) flush() error {
	n := len(d.lon)
	if n == 0 {
		return nil
	}
	if err := hexgrid.IndexInto(d.idx[:n], d.lon, d.lat, d.opt.Res); err != nil {
		return err
	}
	for i, c := range d.idx[:n] {
		if c == 0 {
			return fmt.Errorf("%w: sub-point lon=%v lat=%v could not be indexed", ErrInvalidInput, d.lon[i], d.lat[i])
		}
		d.sums[c] += d.w[i]
	}
	if m := d.opt.MaxCells; m > 0 && len(d.sums) > m {
		return fmt.Errorf("%w: more than %d cells at resolution %d after %d of the raster's populated pixels", ErrTooManyCells, m, d.opt.Res, d.stats.Pixels)
	}
	d.stats.SubPoints += n
	d.lon, d.lat, d.w = d.lon[:0], d.lat[:0], d.w[:0]
	return nil
}

// Cells finishes the distribution and returns the cells sorted by index
// (Households zero; see AssignHouseholds).
func (d *RasterDistributor) Cells() ([]Cell, error) {
	if err := d.flush(); err != nil {
		return nil, err
	}
	return fromSums(d.sums, nil), nil
}

// Stats returns figures about the rows distributed so far.
func (d *RasterDistributor) Stats() RasterStats { return d.stats }

// FromRaster streams the raster through a RasterDistributor; it stops
// with ctx's error within a raster row of ctx being done.
func FromRaster(ctx context.Context, rd *raster.Reader, opt RasterOptions) ([]Cell, RasterStats, error) {
	d, err := NewRasterDistributor(rd.Info(), opt)
	if err != nil {
		return nil, RasterStats{}, err
	}
	d.ctx = ctx
	rows := rd.Rows()
	win := d.opt.Window
	for rows.Next() {
		if rows.Row0()+rows.Len() <= win.Min.Y {
			continue
		}
		if rows.Row0() >= win.Max.Y {
			break
		}
		if err := d.AddRows(rows.Row0(), rows.Values()); err != nil {
			return nil, RasterStats{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, RasterStats{}, err
	}
	cells, err := d.Cells()
	return cells, d.Stats(), err
}

func fromSums(pop map[hexgrid.Cell]float64, hh map[hexgrid.Cell]float64) []Cell {
	out := make([]Cell, 0, len(pop))
	for c, p := range pop {
		out = append(out, Cell{Cell: c, Population: p, Households: hh[c]})
	}
	slices.SortFunc(out, func(a, b Cell) int {
		switch {
		case a.Cell < b.Cell:
			return -1
		case a.Cell > b.Cell:
			return 1
		}
		return 0
	})
	return out
}

// Totals returns the sums of population and households.
func Totals(cells []Cell) (population, households float64) {
	for _, c := range cells {
		population += c.Population
		households += c.Households
	}
	return population, households
}

// Aggregate sums cells onto their ancestors at res. Every input cell must
// be valid and at resolution res or finer; a coarser input is
// ErrFinerResolution (see Split).
func Aggregate(cells []Cell, res int) ([]Cell, error) {
	if res < 0 || res > hexgrid.MaxRes {
		return nil, fmt.Errorf("population: resolution %d outside 0..%d", res, hexgrid.MaxRes)
	}
	pop := make(map[hexgrid.Cell]float64, len(cells))
	hh := make(map[hexgrid.Cell]float64, len(cells))
	for _, c := range cells {
		if !c.Cell.Valid() {
			return nil, fmt.Errorf("%w: cell %x", hexgrid.ErrInvalidCell, uint64(c.Cell))
		}
		r := c.Cell.Resolution()
		if r < res {
			return nil, fmt.Errorf("%w (cell %v is res %d, target %d)", ErrFinerResolution, c.Cell, r, res)
		}
		p := hexgrid.FastParent(c.Cell, res)
		pop[p] += c.Population
		hh[p] += c.Households
	}
	return fromSums(pop, hh), nil
}

// maxSplitLevels caps how many resolutions Split may descend (7^4 = 2401
// children per cell).
const maxSplitLevels = 4

// Split divides each cell's population and households evenly among its
// descendants at res (a finer resolution, at most 4 levels below the
// input). Even division is an assumption, not information: prefer a finer
// source where one exists. Cells already at res are kept; coarser targets
// are Aggregate's job.
func Split(cells []Cell, res int) ([]Cell, error) {
	if res < 0 || res > hexgrid.MaxRes {
		return nil, fmt.Errorf("population: resolution %d outside 0..%d", res, hexgrid.MaxRes)
	}
	pop := make(map[hexgrid.Cell]float64, len(cells))
	hh := make(map[hexgrid.Cell]float64, len(cells))
	for _, c := range cells {
		if !c.Cell.Valid() {
			return nil, fmt.Errorf("%w: cell %x", hexgrid.ErrInvalidCell, uint64(c.Cell))
		}
		r := c.Cell.Resolution()
		if r > res {
			return nil, fmt.Errorf("population: cell %v is at resolution %d, finer than the resolution %d asked for here (a table of one resolution is split or summed whole)", c.Cell, r, res)
		}
		if res-r > maxSplitLevels {
			return nil, fmt.Errorf("%w: cell %v is at resolution %d: split evenly into resolution %d, its people would be spread over %.0f cells, where the table does not say they are; an even split goes down %d levels at most (%.0f cells): give a table of resolution %d or finer, or --res %d or coarser",
				ErrInvalidInput, c.Cell, r, res, math.Pow(7, float64(res-r)), maxSplitLevels, math.Pow(7, maxSplitLevels), res-maxSplitLevels, r+maxSplitLevels)
		}
		ch, err := c.Cell.Children(res)
		if err != nil {
			return nil, err
		}
		n := float64(len(ch))
		for _, k := range ch {
			pop[k] += c.Population / n
			hh[k] += c.Households / n
		}
	}
	return fromSums(pop, hh), nil
}

// HouseholdSizeFunc returns the average household size (persons per
// household) at a lon/lat point, and false where it is unknown.
type HouseholdSizeFunc func(p orb.Point) (float64, bool)

// AssignHouseholds sets each cell's Households to Population divided by
// the household size at the cell centre; where size reports false (or a
// non-positive size), fallback is used. It returns how many cells used the
// fallback. fallback must be positive.
func AssignHouseholds(ctx context.Context, cells []Cell, size HouseholdSizeFunc, fallback float64) (int, error) {
	if !(fallback > 0) {
		return 0, fmt.Errorf("population: fallback household size %v must be positive", fallback)
	}
	unmatched := 0
	for i := range cells {
		// Tens of millions of cells at a fine resolution take tens of
		// seconds: a cancelled ctx stops the loop.
		if i%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		ctr, err := cells[i].Cell.Center()
		if err != nil {
			return 0, err
		}
		s, ok := size(ctr)
		if !ok || !(s > 0) {
			s = fallback
			unmatched++
		}
		cells[i].Households = cells[i].Population / s
	}
	return unmatched, nil
}
