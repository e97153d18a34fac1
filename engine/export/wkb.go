package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// WKB geometry type codes (ISO/OGC Simple Features, 2D).
const (
	wkbPoint        = 1
	wkbPolygon      = 3
	wkbMultiPolygon = 6
	// ewkbSRID is the PostGIS EWKB flag: an SRID follows the type.
	ewkbSRID = 0x20000000
)

// SRID is the spatial reference of every geometry: EPSG:4326, WGS84
// longitude/latitude (axis order as stored: x = longitude, y = latitude).
const SRID = 4326

// AppendWKB appends geometry g as little-endian WKB (ISO/OGC Simple
// Features, 2D). With srid ≠ 0 it writes PostGIS EWKB instead: the type
// carries the SRID flag (0x20000000) and the SRID follows it. Points,
// polygons and multipolygons are supported; rings are written as given
// (closed, the first point repeated).
func AppendWKB(dst []byte, g orb.Geometry, srid int) ([]byte, error) {
	head := func(dst []byte, typ uint32) []byte {
		dst = append(dst, 1) // little endian
		if srid != 0 {
			dst = binary.LittleEndian.AppendUint32(dst, typ|ewkbSRID)
			return binary.LittleEndian.AppendUint32(dst, uint32(srid))
		}
		return binary.LittleEndian.AppendUint32(dst, typ)
	}
	pt := func(dst []byte, p orb.Point) []byte {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[0]))
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(p[1]))
	}
	poly := func(dst []byte, p orb.Polygon) []byte {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p)))
		for _, r := range p {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(len(r)))
			for _, q := range r {
				dst = pt(dst, q)
			}
		}
		return dst
	}
	switch g := g.(type) {
	case orb.Point:
		return pt(head(dst, wkbPoint), g), nil
	case orb.Polygon:
		return poly(head(dst, wkbPolygon), g), nil
	case orb.MultiPolygon:
		dst = head(dst, wkbMultiPolygon)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(g)))
		inner := srid
		srid = 0 // member polygons carry no SRID
		for _, p := range g {
			dst = poly(head(dst, wkbPolygon), p)
		}
		srid = inner
		return dst, nil
	}
	return nil, fmt.Errorf("export: geometry %T cannot be written as WKB", g)
}

var errShortWKB = errors.New("export: WKB too short")

// DecodeWKB reads a 2D point, polygon or multipolygon from WKB or EWKB
// (either byte order) and returns it with the SRID (0 when none) and the
// number of bytes read.
func DecodeWKB(b []byte) (orb.Geometry, int, int, error) {
	d := wkbDecoder{b: b}
	g, srid := d.geometry()
	return g, srid, d.off, d.err
}

type wkbDecoder struct {
	b   []byte
	off int
	bo  binary.ByteOrder
	err error
}

func (d *wkbDecoder) u32() uint32 {
	if d.err != nil || d.off+4 > len(d.b) {
		d.err = errShortWKB
		return 0
	}
	v := d.bo.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

func (d *wkbDecoder) f64() float64 {
	if d.err != nil || d.off+8 > len(d.b) {
		d.err = errShortWKB
		return 0
	}
	v := math.Float64frombits(d.bo.Uint64(d.b[d.off:]))
	d.off += 8
	return v
}

func (d *wkbDecoder) header() (uint32, int) {
	if d.err != nil || d.off >= len(d.b) {
		d.err = errShortWKB
		return 0, 0
	}
	switch d.b[d.off] {
	case 0:
		d.bo = binary.BigEndian
	case 1:
		d.bo = binary.LittleEndian
	default:
		d.err = fmt.Errorf("export: WKB byte order %d", d.b[d.off])
		return 0, 0
	}
	d.off++
	typ := d.u32()
	srid := 0
	if typ&ewkbSRID != 0 {
		srid = int(d.u32())
		typ &^= ewkbSRID
	}
	return typ, srid
}

// count reads a count and checks that n items of at least min bytes fit.
func (d *wkbDecoder) count(min int) int {
	n := d.u32()
	if d.err == nil && int64(n)*int64(min) > int64(len(d.b)-d.off) {
		d.err = errShortWKB
		return 0
	}
	return int(n)
}

func (d *wkbDecoder) polygon() orb.Polygon {
	nr := d.count(4)
	p := make(orb.Polygon, 0, nr)
	for i := 0; i < nr && d.err == nil; i++ {
		np := d.count(16)
		r := make(orb.Ring, np)
		for j := range r {
			r[j] = orb.Point{d.f64(), d.f64()}
		}
		p = append(p, r)
	}
	return p
}

func (d *wkbDecoder) geometry() (orb.Geometry, int) {
	typ, srid := d.header()
	if d.err != nil {
		return nil, 0
	}
	switch typ {
	case wkbPoint:
		return orb.Point{d.f64(), d.f64()}, srid
	case wkbPolygon:
		return d.polygon(), srid
	case wkbMultiPolygon:
		n := d.count(9)
		mp := make(orb.MultiPolygon, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			if t, _ := d.header(); t != wkbPolygon && d.err == nil {
				d.err = fmt.Errorf("export: multipolygon member of WKB type %d", t)
			}
			mp = append(mp, d.polygon())
		}
		return mp, srid
	}
	d.err = fmt.Errorf("export: WKB geometry type %d not supported", typ)
	return nil, 0
}

// GeoPackage binary header flags (GeoPackage 1.3 §2.1.3): bit 0 byte
// order (1 = little endian), bits 1–3 the envelope (1 = minx, maxx, miny,
// maxy), bit 4 empty geometry, bit 5 extended type (0 = standard).
const (
	gpkgLittleEndian = 0x01
	gpkgEnvelopeXY   = 0x01 << 1
)

// AppendGeoPackageBinary appends g as a StandardGeoPackageBinary blob:
// "GP", version 0, flags, the SRS id, the x/y envelope (left out for a
// point, whose envelope is itself) and the geometry as little-endian WKB.
func AppendGeoPackageBinary(dst []byte, g orb.Geometry, srsID int32) ([]byte, error) {
	flags := byte(gpkgLittleEndian)
	_, isPoint := g.(orb.Point)
	if !isPoint {
		flags |= gpkgEnvelopeXY
	}
	dst = append(dst, 'G', 'P', 0, flags)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(srsID))
	if !isPoint {
		b := g.Bound()
		for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
		}
	}
	return AppendWKB(dst, g, 0)
}

// GeoPackageBinary is a decoded StandardGeoPackageBinary blob.
type GeoPackageBinary struct {
	Flags    byte
	SRSID    int32
	Envelope []float64 // minx, maxx, miny, maxy (more for z/m); nil when absent
	Geometry orb.Geometry
}

// DecodeGeoPackageBinary reads a StandardGeoPackageBinary blob.
func DecodeGeoPackageBinary(b []byte) (GeoPackageBinary, error) {
	var out GeoPackageBinary
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return out, fmt.Errorf("export: not a GeoPackage geometry (magic %q)", b[:min(2, len(b))])
	}
	if b[2] != 0 {
		return out, fmt.Errorf("export: GeoPackage geometry version %d, want 0", b[2])
	}
	out.Flags = b[3]
	var bo binary.ByteOrder = binary.BigEndian
	if out.Flags&gpkgLittleEndian != 0 {
		bo = binary.LittleEndian
	}
	out.SRSID = int32(bo.Uint32(b[4:]))
	code := (out.Flags >> 1) & 7
	if code > 4 {
		return out, fmt.Errorf("export: GeoPackage envelope code %d is not defined", code)
	}
	n := [...]int{0, 4, 6, 6, 8}[code]
	off := 8
	if off+8*n > len(b) {
		return out, errShortWKB
	}
	for i := 0; i < n; i++ {
		out.Envelope = append(out.Envelope, math.Float64frombits(bo.Uint64(b[off:])))
		off += 8
	}
	g, _, _, err := DecodeWKB(b[off:])
	out.Geometry = g
	return out, err
}
