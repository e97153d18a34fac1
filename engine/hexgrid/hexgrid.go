package hexgrid

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// Cell is an H3 cell index.
type Cell uint64

// MaxRes is the finest H3 resolution.
const MaxRes = 15

// ErrResolution is returned for a resolution outside 0..15.
var ErrResolution = errors.New("hexgrid: resolution must be 0..15")

// ErrInvalidCell is returned when a Cell is not a valid H3 cell index.
var ErrInvalidCell = errors.New("hexgrid: invalid cell")

func checkRes(res int) error {
	if res < 0 || res > MaxRes {
		return fmt.Errorf("%w (got %d)", ErrResolution, res)
	}
	return nil
}

// Index returns the cell at res that contains the point lon, lat (degrees).
func Index(lon, lat float64, res int) (Cell, error) {
	if err := checkRes(res); err != nil {
		return 0, err
	}
	if !finite(lon) || !finite(lat) {
		return 0, fmt.Errorf("hexgrid: non-finite coordinate lon=%v lat=%v", lon, lat)
	}
	// IndexInto's arithmetic for the one point (its cells are h3-go's
	// LatLngToCell), without the cgo call: the villages, anchors and
	// populated hexes indexed one at a time are a few hundred thousand
	// calls in a national run, most on one core.
	s := scratchPool.Get().(*indexScratch)
	var dst [1]Cell
	indexInto(faces(), s, dst[:], []float64{lon}, []float64{lat}, res)
	scratchPool.Put(s)
	if dst[0] == 0 {
		return 0, fmt.Errorf("hexgrid: index lon=%v lat=%v: no cell", lon, lat)
	}
	return dst[0], nil
}

// scratchPool holds Index's block scratch (about 12 KB: not zeroed per
// call, as indexInto writes a row's entries before reading them).
var scratchPool = sync.Pool{New: func() any { return new(indexScratch) }}

// referenceIndex is h3-go's LatLngToCell for one point; 0 when it fails.
func referenceIndex(lon, lat float64, res int) Cell {
	c, err := h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lon}, res)
	if err != nil {
		return 0
	}
	return Cell(c)
}

// IndexInto writes into dst[i] the cell at res containing (lon[i], lat[i]).
// dst, lon and lat must have the same length. Rows with a non-finite
// coordinate get the zero Cell. It allocates nothing.
//
// The cells are exactly h3-go's LatLngToCell: a pure-Go port of H3's
// arithmetic computes them, and the rare point within a rounding margin of
// a face or hex boundary is handed to h3-go (see fast.go).
func IndexInto(dst []Cell, lon, lat []float64, res int) error {
	if err := checkRes(res); err != nil {
		return err
	}
	if len(dst) != len(lon) || len(lon) != len(lat) {
		return fmt.Errorf("hexgrid: IndexInto length mismatch: dst %d, lon %d, lat %d", len(dst), len(lon), len(lat))
	}
	ft := faces()
	var scratch indexScratch // zeroed once per call, not per block
	for len(lon) > 0 {
		n := min(len(lon), indexBlock)
		indexInto(ft, &scratch, dst[:n], lon[:n], lat[:n], res)
		dst, lon, lat = dst[n:], lon[n:], lat[n:]
	}
	return nil
}

// indexBlock is the number of rows indexInto handles at once: small
// enough for its scratch arrays to stay in L1 on the stack.
const indexBlock = 256

// indexScratch holds indexInto's per-row arrays for a block. Every pass
// writes a row's entries before reading them, so a block needs no
// clearing: IndexInto reuses one for all its blocks.
type indexScratch struct {
	face, ai, aj [indexBlock]int32
	state        [indexBlock]uint8
	b0           [indexBlock]uint8
	dig          [indexBlock]uint64
	gx, gy, gz   [indexBlock]float64 // axialBlock's
}

// indexInto indexes at most indexBlock rows in passes, floating point
// (face and hex, axialBlock) then integer (digits and base cell).
// Separate loops keep each body short, so the processor overlaps
// consecutive rows.
func indexInto(ft *faceTable, s *indexScratch, dst []Cell, lon, lat []float64, res int) {
	face, ai, aj, state, dig, b0 := &s.face, &s.ai, &s.aj, &s.state, &s.dig, &s.b0
	lat = lat[:len(lon)]
	dst = dst[:len(lon)]
	axialBlock(ft, s, lon, lat, res)
	// The digit chain four levels at a time, one level of the chain for
	// the whole block per loop: the rows are independent, so the
	// processor overlaps their table lookups. Rows that are not on the
	// fast path carry zeros or the hex they were refused, which index
	// the tables harmlessly.
	sh := uint(3*(MaxRes-res)) & 63
	dig0 := uint64(1)<<sh - 1 // 7s below res
	for i := range dst {
		dig[i] = dig0
	}
	r := res
	for ; r >= 4; r -= 4 {
		t := &chunk4[r&1]
		for i := range dst {
			a, b, d := chunk4Step(t, int(ai[i]), int(aj[i]))
			ai[i], aj[i], dig[i] = int32(a), int32(b), dig[i]|d<<(sh&63)
		}
		sh += 12
	}
	// The levels below 4: two from chunk2, level 1 from its table, then
	// the base cell (b0 indexes axialBaseCell) and the rotation into its
	// frame.
	if r >= 2 {
		t := &chunk2[r&1]
		for i := range dst {
			a, b, d := chunk2Step(t, int(ai[i]), int(aj[i]))
			ai[i], aj[i], dig[i] = int32(a), int32(b), dig[i]|d<<(sh&63)
		}
		r -= 2
	}
	if r == 1 {
		for i := range dst {
			b, d := level1Step(int(ai[i]), int(aj[i]))
			b0[i], dig[i] = uint8(b), dig[i]|d<<(3*(MaxRes-1))
		}
	} else {
		for i := range dst {
			b0[i] = uint8(res0Index(int(ai[i]), int(aj[i])))
		}
	}
	for i := range dst {
		f := face[i]
		bcr := axialBaseCell[f][b0[i]&31]
		if state[i] != rowFast || bcr&(axialInvalid|axialPentagon) != 0 {
			dst[i] = finishRow(state[i], bcr, int(f), dig[i], res, lon[i], lat[i])
			continue
		}
		dst[i] = Cell(uint64(1)<<59 | uint64(res)<<resOffset | uint64(bcr&0xff)<<45 | rotateDigits(dig[i], res, bcr>>8&7))
	}
}

// finishRow is indexInto's last step for the rows that are not on the
// fast path or fall in a pentagon or outside the base cells.
//
//go:noinline
func finishRow(state uint8, bcr uint16, face int, dig uint64, res int, lon, lat float64) Cell {
	switch state {
	case rowFast:
		if c, ok := baseCellDigits(bcr, face, dig, res); ok {
			return c
		}
		return referenceIndex(lon, lat, res)
	case rowH3:
		return referenceIndex(lon, lat, res)
	}
	return 0
}

// Row states of indexInto's block.
const (
	rowFast      = iota // face and axial coordinates known
	rowH3               // within a margin: h3-go indexes the row
	rowNonFinite        // NaN or infinite coordinate: the zero Cell
	rowPending          // on axialBlock's inline path, not yet decided
)

// axialBlock is the floating-point pass of indexInto: for each row (at
// most indexBlock) the face and the axial coordinates of its hex at res
// in s, and its state (rowFast, rowH3 or rowNonFinite). The common case, a
// point in range whose bucket lists a single face and which is not within
// 1/64 (in tan r) of the face centre, is project and nearestHex written
// out inline (sincosDeg and roundHex included) and split into three
// loops: face and unit vector, projection, hex. Each row's arithmetic is
// one long chain of dependent operations; with short loop bodies the
// processor keeps several rows in flight, where one loop over all of it
// leaves it waiting on the chain (about 25% slower at res 0). The other
// rows go through project and nearestHex, which decide identically.
func axialBlock(ft *faceTable, s *indexScratch, lon, lat []float64, res int) {
	face, ai, aj, state := &s.face, &s.ai, &s.aj, &s.state
	gx, gy, gz := &s.gx, &s.gy, &s.gz
	res &= 15
	lat = lat[:len(lon)]
	class := res & 1
	scale := proj.scale[res]
	// nearestHex's test with its margin for t ≥ 1/64.
	l := 1 - 2*proj.mFar[res]
	l2 := l * l
	const magicBits = 0x4338000000000000 // math.Float64bits(roundMagic)
	// gx, gy, gz: the unit vector, then in gx, gy the gnomonic
	// coordinates.
	for i, x := range lon {
		y := lat[i]
		i &= indexBlock - 1
		var e uint32
		if y >= -90 && y <= 90 && x >= -180 && x <= 180 {
			bi := min(int((y+90)*(1.0/faceBucketDeg)), faceBucketsLat-1)
			bj := min(int((x+180)*(1.0/faceBucketDeg)), faceBucketsLon-1)
			e = ft[bi*faceBucketsLon+bj]
		}
		if e&faceCountMask != 1 {
			face[i], ai[i], aj[i], state[i] = slowAxial(ft, x, y, res)
			continue
		}
		face[i], state[i] = int32(e>>faceCountBits), rowPending

		// unitVector: sincosDeg of x and of y.
		ox := x + roundMagic
		nx := ox - roundMagic
		tx := &sinCosDegTab[(int(math.Float64bits(ox))-magicBits+180)&511]
		bx := (x - nx) * degToRad
		zx := bx * bx
		sbx := bx + bx*zx*(sinT3+zx*sinT5)
		hx := zx * (0.5 - zx*(cosT4-zx*cosT6))
		sinX := tx[0] + (tx[1]*sbx - tx[0]*hx)
		cosX := tx[1] - (tx[0]*sbx + tx[1]*hx)
		oy := y + roundMagic
		ny := oy - roundMagic
		ty := &sinCosDegTab[(int(math.Float64bits(oy))-magicBits+180)&511]
		by := (y - ny) * degToRad
		zy := by * by
		sby := by + by*zy*(sinT3+zy*sinT5)
		hy := zy * (0.5 - zy*(cosT4-zy*cosT6))
		sinY := ty[0] + (ty[1]*sby - ty[0]*hy)
		cosY := ty[1] - (ty[0]*sby + ty[1]*hy)
		gx[i], gy[i], gz[i] = cosX*cosY, sinX*cosY, sinY
	}
	for i := range lon {
		i &= indexBlock - 1
		if state[i] != rowPending {
			continue
		}
		// project with its single candidate face.
		px, py, pz := gx[i], gy[i], gz[i]
		f := face[i]
		c := &faceCenter[f]
		u, w := &proj.u[f][class], &proj.w[f][class]
		inv := 1 / (c[0]*px + c[1]*py + c[2]*pz)
		gx[i] = (u[0]*px + u[1]*py + u[2]*pz) * inv
		gy[i] = (w[0]*px + w[1]*py + w[2]*pz) * inv
	}
	for i := range lon {
		i &= indexBlock - 1
		if state[i] != rowPending {
			continue
		}
		x, y := gx[i], gy[i]
		if x*x+y*y < 1.0/(64*64) {
			face[i], ai[i], aj[i], state[i] = slowAxial(ft, lon[i], lat[i], res)
			continue
		}
		// roundHex, and nearestHex's test.
		r := y * scale * 1.1547005383792515290182975610039149112953 // 1/sin 60°
		q := x*scale - 0.5*r
		tq, tr := q+roundMagic, r+roundMagic
		fq, fr := q-(tq-roundMagic), r-(tr-roundMagic)
		sq, sr := fq+0.5*fr+roundMagic, fr+0.5*fq+roundMagic
		dq, dr := sq-roundMagic, sr-roundMagic
		alongQ := b2i(fq*fq >= fr*fr)
		iq := int(math.Float64bits(tq)) - magicBits + (int(math.Float64bits(sq))-magicBits)&-alongQ
		ir := int(math.Float64bits(tr)) - magicBits + (int(math.Float64bits(sr))-magicBits)&(alongQ-1)
		sel := float64(alongQ)
		uq, ur := fq-dq*sel, fr-dr*(1-sel)
		na, nb, nc := 2*uq+ur, uq+2*ur, ur-uq
		ai[i], aj[i] = int32(iq+ir), int32(ir)
		state[i] = rowH3 - uint8(b2i(na*na < l2 && nb*nb < l2 && nc*nc < l2))
	}
}

// slowAxial is axialBlock's path for the rows it does not handle inline.
//
//go:noinline
func slowAxial(ft *faceTable, x, y float64, res int) (face, ai, aj int32, state uint8) {
	if x-x+y-y != 0 { // NaN or ±Inf in either coordinate
		return 0, 0, 0, rowNonFinite
	}
	f, a, b, ok := fastAxial(ft, x, y, res)
	if !ok {
		return 0, 0, 0, rowH3
	}
	return int32(f), int32(a), int32(b), rowFast
}

// IndexIntoH3 is IndexInto computed by calling h3-go's LatLngToCell for
// every row: the reference IndexInto is checked against, for tests and
// side-by-side benchmarks. It allocates nothing.
func IndexIntoH3(dst []Cell, lon, lat []float64, res int) error {
	if err := checkRes(res); err != nil {
		return err
	}
	if len(dst) != len(lon) || len(lon) != len(lat) {
		return fmt.Errorf("hexgrid: IndexIntoH3 length mismatch: dst %d, lon %d, lat %d", len(dst), len(lon), len(lat))
	}
	for i := range lon {
		if !finite(lon[i]) || !finite(lat[i]) {
			dst[i] = 0
			continue
		}
		dst[i] = referenceIndex(lon[i], lat[i], res)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Valid reports whether c is a valid H3 cell.
func (c Cell) Valid() bool { return validCell(uint64(c)) }

// Resolution returns c's resolution (bits 52..55 of the index, as H3's
// getResolution reads them, without a cgo call: the checks of a national
// month's million coverage rows spent most of their time in the calls).
func (c Cell) Resolution() int { return int(uint64(c) & resMask >> resOffset) }

// validCell is H3's isValidCell (h3-go v4.5.0, h3_h3Index.c) in Go: the
// top bits say a cell (mode 1, high and reserved bits 0), the base cell is
// one of the 122, no digit up to the resolution is 7 and every digit
// after it is, and a cell under a pentagon does not start with the
// deleted K-axes digit 1. 0 is not valid. TestValidMatchesH3 checks it
// against the cgo call.
func validCell(h uint64) bool {
	if h>>56 != 0b00001000 {
		return false
	}
	res := int(h & resMask >> resOffset)
	bc := int(h >> bcOffset & 127)
	if bc >= len(baseCellPentagon) {
		return false
	}
	// A 7 among the digits 1..res: H3's bit trick finds the lowest one.
	const mhi = uint64(0b100100100100100100100100100100100100100100100)
	const mlo = mhi >> 2
	shift := uint(3 * (MaxRes - res))
	if d := h >> shift << shift; d&mhi&(^d-mlo) != 0 {
		return false
	}
	// Every digit after res is 7.
	if res < MaxRes {
		shift := uint(19 + 3*res)
		if ^h<<shift>>shift != 0 {
			return false
		}
	}
	if baseCellPentagon[bc] {
		// The first non-zero digit must not be 1: the first one bit of the
		// digits is not at a position divisible by 3.
		if d := h << 19 >> 19; d != 0 && (63-bits.LeadingZeros64(d))%3 == 0 {
			return false
		}
	}
	return true
}

// bcOffset is the place of an index's base cell field (bits 45..51).
const bcOffset = 45

// String returns the 15-character hexadecimal form.
func (c Cell) String() string { return h3.Cell(c).String() }

// Parse reads the hexadecimal form of a cell and checks it is valid.
func Parse(s string) (Cell, error) {
	c := Cell(h3.IndexFromString(s))
	if !c.Valid() {
		return 0, fmt.Errorf("%w: %q", ErrInvalidCell, s)
	}
	return c, nil
}

// Parent returns c's ancestor at res (res ≤ c.Resolution()).
func (c Cell) Parent(res int) (Cell, error) {
	p, err := h3.Cell(c).Parent(res)
	if err != nil {
		return 0, fmt.Errorf("hexgrid: parent of %v at res %d: %w", c, res, err)
	}
	return Cell(p), nil
}

// Children returns c's descendants at res, in H3 order.
func (c Cell) Children(res int) ([]Cell, error) {
	ch, err := h3.Cell(c).Children(res)
	if err != nil {
		return nil, fmt.Errorf("hexgrid: children of %v at res %d: %w", c, res, err)
	}
	return fromH3(ch), nil
}

// ChildDigit returns the H3 index digit (0..6) of c at its own
// resolution: which of its parent's 7 children it is. For res 0 it is 0.
func (c Cell) ChildDigit() int {
	r := c.Resolution()
	if r == 0 {
		return 0
	}
	return int((uint64(c) >> (3 * uint(MaxRes-r))) & 7)
}

// Center returns the cell's centre as lon, lat.
func (c Cell) Center() (orb.Point, error) {
	ll, err := h3.CellToLatLng(h3.Cell(c))
	if err != nil {
		return orb.Point{}, fmt.Errorf("hexgrid: centre of %v: %w", c, err)
	}
	return orb.Point{ll.Lng, ll.Lat}, nil
}

// Boundary returns the cell outline as a closed lon/lat ring
// (counter-clockwise, first point repeated at the end), ready for GeoJSON.
func (c Cell) Boundary() (orb.Ring, error) {
	b, err := h3.CellToBoundary(h3.Cell(c))
	if err != nil {
		return nil, fmt.Errorf("hexgrid: boundary of %v: %w", c, err)
	}
	ring := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, orb.Point{ll.Lng, ll.Lat})
	}
	if len(ring) > 0 {
		ring = append(ring, ring[0])
	}
	return ring, nil
}

// AreaKm2 returns the exact area of the cell in km².
func (c Cell) AreaKm2() (float64, error) {
	a, err := h3.CellAreaKm2(h3.Cell(c))
	if err != nil {
		return 0, fmt.Errorf("hexgrid: area of %v: %w", c, err)
	}
	return a, nil
}

// Disk returns every cell within k grid steps of c, including c.
func (c Cell) Disk(k int) ([]Cell, error) {
	d, err := h3.GridDisk(h3.Cell(c), k)
	if err != nil {
		return nil, fmt.Errorf("hexgrid: disk of %v, k=%d: %w", c, k, err)
	}
	return fromH3(d), nil
}

// AvgAreaKm2 returns the average area of a hexagon at res.
func AvgAreaKm2(res int) (float64, error) {
	if err := checkRes(res); err != nil {
		return 0, err
	}
	return h3.HexagonAreaAvgKm2(res)
}

// AvgEdgeKm returns the average hexagon edge length at res.
func AvgEdgeKm(res int) (float64, error) {
	if err := checkRes(res); err != nil {
		return 0, err
	}
	return h3.HexagonEdgeLengthAvgKm(res)
}

// GreatCircleM returns the great-circle distance in metres between two
// lon/lat points on H3's spherical Earth (radius 6371.007180918475 km):
// H3's greatCircleDistanceM (the haversine, 2·atan2(√A, √(1−A))) in Go,
// within a few units in the last place of h3-go's, which is a cgo call
// costing ten times the arithmetic (tested against it).
func GreatCircleM(a, b orb.Point) float64 {
	pa, pb := Radians(a), Radians(b)
	return ArcM(HaversineA(pa, pb))
}

// RadPoint is a point in radians with the cosine of its latitude, for
// many distances from one point (HaversineA).
type RadPoint struct{ Lat, Lng, CosLat float64 }

// Radians returns the lon/lat point p in radians.
func Radians(p orb.Point) RadPoint {
	const rad = math.Pi / 180
	lat := p[1] * rad
	return RadPoint{Lat: lat, Lng: p[0] * rad, CosLat: math.Cos(lat)}
}

// HaversineA returns the haversine of the central angle between a and b,
// A = sin²(Δφ/2) + cos φa·cos φb·sin²(Δλ/2): the distance (ArcM) grows
// with it, so the nearest of many points is the one of least A.
func HaversineA(a, b RadPoint) float64 {
	sinLat := math.Sin((b.Lat - a.Lat) * 0.5)
	sinLng := math.Sin((b.Lng - a.Lng) * 0.5)
	return sinLat*sinLat + a.CosLat*b.CosLat*sinLng*sinLng
}

// ArcM returns the great-circle distance in metres whose haversine is A.
func ArcM(A float64) float64 {
	return 2 * math.Atan2(math.Sqrt(A), math.Sqrt(1-A)) * earthRadiusKm * 1000
}

// earthRadiusKm is H3's authalic Earth radius (h3api.h EARTH_RADIUS_KM).
const earthRadiusKm = 6371.007180918475

// Cover returns the cells at res whose centres lie inside the polygon
// (H3's centre containment), sorted ascending. Holes are honoured.
func Cover(p orb.Polygon, res int) ([]Cell, error) {
	if err := checkRes(res); err != nil {
		return nil, err
	}
	if len(p) == 0 || len(p[0]) < 3 {
		return nil, nil
	}
	gp := h3.GeoPolygon{GeoLoop: toLoop(p[0])}
	for _, h := range p[1:] {
		gp.Holes = append(gp.Holes, toLoop(h))
	}
	cells, err := h3.PolygonToCells(gp, res)
	if err != nil {
		return nil, fmt.Errorf("hexgrid: cover polygon at res %d: %w", res, err)
	}
	out := fromH3(cells)
	sortCells(out)
	return out, nil
}

// CoverMulti covers every polygon of mp and returns the sorted union.
func CoverMulti(mp orb.MultiPolygon, res int) ([]Cell, error) {
	var all []Cell
	for _, p := range mp {
		c, err := Cover(p, res)
		if err != nil {
			return nil, err
		}
		all = append(all, c...)
	}
	sortCells(all)
	return dedupSorted(all), nil
}

func toLoop(r orb.Ring) h3.GeoLoop {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	loop := make(h3.GeoLoop, n)
	for i := 0; i < n; i++ {
		loop[i] = h3.LatLng{Lat: r[i][1], Lng: r[i][0]}
	}
	return loop
}

func fromH3(cs []h3.Cell) []Cell {
	out := make([]Cell, 0, len(cs))
	for _, c := range cs {
		if c != 0 {
			out = append(out, Cell(c))
		}
	}
	return out
}

// H3 index bit layout (H3 v4): bits 52..55 hold the resolution; from bit 42
// down, 3 bits per resolution 1..15 hold the digits; unused digits are 7.
const (
	resOffset  = 52
	resMask    = uint64(15) << resOffset
	digitsMask = uint64(1)<<45 - 1 // the 15 digits, bits 0..44
)

// FastParent returns the ancestor of a valid cell c at res by bit
// arithmetic, without cgo: it sets the resolution field and fills the
// digits below res with 7. res must be in 0..c.Resolution(); that
// precondition is the caller's (it is not checked, for the hot path).
func FastParent(c Cell, res int) Cell {
	v := uint64(c)&^resMask | uint64(res)<<resOffset
	keep := uint(3 * (MaxRes - res)) // low bits to set to 7s
	if keep == 0 {
		return Cell(v)
	}
	low := uint64(1)<<keep - 1
	return Cell(v | (digitsMask & low))
}
