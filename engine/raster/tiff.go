package raster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by errors for input that is not a well-formed TIFF.
var ErrFormat = errors.New("raster: malformed TIFF")

// ErrUnsupported is wrapped by errors for valid TIFF features this package
// does not read; the message names the tag.
var ErrUnsupported = errors.New("raster: unsupported TIFF")

// TIFF and GeoTIFF tags read by this package.
const (
	tagImageWidth          = 256
	tagImageLength         = 257
	tagBitsPerSample       = 258
	tagCompression         = 259
	tagPhotometric         = 262
	tagStripOffsets        = 273
	tagSamplesPerPixel     = 277
	tagRowsPerStrip        = 278
	tagStripByteCounts     = 279
	tagPlanarConfig        = 284
	tagPredictor           = 317
	tagTileWidth           = 322
	tagTileLength          = 323
	tagTileOffsets         = 324
	tagTileByteCounts      = 325
	tagSampleFormat        = 339
	tagModelPixelScale     = 33550
	tagModelTiepoint       = 33922
	tagModelTransformation = 34264
	tagGeoKeyDirectory     = 34735
	tagGDALNoData          = 42113
)

var tagNames = map[uint16]string{
	tagImageWidth: "ImageWidth", tagImageLength: "ImageLength", tagBitsPerSample: "BitsPerSample",
	tagCompression: "Compression", tagPhotometric: "PhotometricInterpretation",
	tagStripOffsets: "StripOffsets", tagSamplesPerPixel: "SamplesPerPixel", tagRowsPerStrip: "RowsPerStrip",
	tagStripByteCounts: "StripByteCounts", tagPlanarConfig: "PlanarConfiguration", tagPredictor: "Predictor",
	tagTileWidth: "TileWidth", tagTileLength: "TileLength", tagTileOffsets: "TileOffsets",
	tagTileByteCounts: "TileByteCounts", tagSampleFormat: "SampleFormat",
	tagModelPixelScale: "ModelPixelScale", tagModelTiepoint: "ModelTiepoint",
	tagModelTransformation: "ModelTransformation", tagGeoKeyDirectory: "GeoKeyDirectory",
	tagGDALNoData: "GDAL_NODATA",
}

func tagName(t uint16) string {
	if n, ok := tagNames[t]; ok {
		return fmt.Sprintf("%s (%d)", n, t)
	}
	return fmt.Sprintf("tag %d", t)
}

// TIFF field types.
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeSByte     = 6
	typeUndefined = 7
	typeSShort    = 8
	typeSLong     = 9
	typeSRational = 10
	typeFloat     = 11
	typeDouble    = 12
	typeIFD       = 13
	typeLong8     = 16
	typeSLong8    = 17
	typeIFD8      = 18
)

var typeSizes = map[uint16]int{
	typeByte: 1, typeASCII: 1, typeShort: 2, typeLong: 4, typeRational: 8, typeSByte: 1,
	typeUndefined: 1, typeSShort: 2, typeSLong: 4, typeSRational: 8, typeFloat: 4, typeDouble: 8,
	typeIFD: 4, typeLong8: 8, typeSLong8: 8, typeIFD8: 8,
}

// maxEntries caps the number of entries read from one IFD.
const maxEntries = 4096

// field is one decoded IFD entry: its raw bytes in file byte order.
type field struct {
	tag   uint16
	typ   uint16
	count int
	raw   []byte
}

type header struct {
	bo     binary.ByteOrder
	big    bool
	fields map[uint16]*field
}

func formatErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
}

// readHeader reads the TIFF header and the first IFD.
func readHeader(r io.ReaderAt, size int64) (*header, error) {
	var b [16]byte
	if size < 8 {
		return nil, formatErr("file of %d bytes is too short", size)
	}
	n, err := r.ReadAt(b[:], 0)
	if n < 8 {
		return nil, fmt.Errorf("%w: reading header: %v", ErrFormat, err)
	}
	h := &header{fields: map[uint16]*field{}}
	switch string(b[:2]) {
	case "II":
		h.bo = binary.LittleEndian
	case "MM":
		h.bo = binary.BigEndian
	default:
		return nil, formatErr("byte-order mark %q, want II or MM", b[:2])
	}
	var ifd uint64
	switch v := h.bo.Uint16(b[2:]); v {
	case 42:
		ifd = uint64(h.bo.Uint32(b[4:]))
	case 43:
		if n < 16 {
			return nil, formatErr("BigTIFF header truncated")
		}
		if h.bo.Uint16(b[4:]) != 8 || h.bo.Uint16(b[6:]) != 0 {
			return nil, formatErr("BigTIFF offset size %d, want 8", h.bo.Uint16(b[4:]))
		}
		h.big = true
		ifd = h.bo.Uint64(b[8:])
	default:
		return nil, formatErr("version %d, want 42 (TIFF) or 43 (BigTIFF)", v)
	}
	entrySize, countSize, inline := uint64(12), uint64(2), 4
	if h.big {
		entrySize, countSize, inline = 20, 8, 8
	}
	if ifd < 8 || ifd+countSize > uint64(size) {
		return nil, formatErr("first IFD offset %d outside the file (%d bytes)", ifd, size)
	}
	cb := make([]byte, countSize)
	if _, err := r.ReadAt(cb, int64(ifd)); err != nil {
		return nil, fmt.Errorf("%w: reading IFD: %v", ErrFormat, err)
	}
	var nEntries uint64
	if h.big {
		nEntries = h.bo.Uint64(cb)
	} else {
		nEntries = uint64(h.bo.Uint16(cb))
	}
	if nEntries == 0 || nEntries > maxEntries || ifd+countSize+nEntries*entrySize > uint64(size) {
		return nil, formatErr("IFD at %d: %d entries do not fit the file", ifd, nEntries)
	}
	entries := make([]byte, nEntries*entrySize)
	if _, err := r.ReadAt(entries, int64(ifd+countSize)); err != nil {
		return nil, fmt.Errorf("%w: reading IFD entries: %v", ErrFormat, err)
	}
	for i := uint64(0); i < nEntries; i++ {
		e := entries[i*entrySize : (i+1)*entrySize]
		f := &field{tag: h.bo.Uint16(e), typ: h.bo.Uint16(e[2:])}
		var cnt uint64
		var val []byte
		if h.big {
			cnt, val = h.bo.Uint64(e[4:]), e[12:20]
		} else {
			cnt, val = uint64(h.bo.Uint32(e[4:])), e[8:12]
		}
		ts, ok := typeSizes[f.typ]
		if !ok {
			continue // unknown field types are skipped, as the TIFF spec asks
		}
		if cnt > uint64(size) || cnt*uint64(ts) > uint64(size) {
			return nil, formatErr("%s: count %d exceeds the file size", tagName(f.tag), cnt)
		}
		nb := int(cnt) * ts
		f.count = int(cnt)
		if nb <= inline {
			f.raw = append([]byte(nil), val[:nb]...)
		} else {
			var off uint64
			if h.big {
				off = h.bo.Uint64(val)
			} else {
				off = uint64(h.bo.Uint32(val))
			}
			if off > uint64(size) || off+uint64(nb) > uint64(size) {
				return nil, formatErr("%s: %d bytes at offset %d outside the file (%d bytes)", tagName(f.tag), nb, off, size)
			}
			f.raw = make([]byte, nb)
			if _, err := r.ReadAt(f.raw, int64(off)); err != nil {
				return nil, fmt.Errorf("%w: reading %s: %v", ErrFormat, tagName(f.tag), err)
			}
		}
		h.fields[f.tag] = f
	}
	return h, nil
}

// uints returns an integer field's values.
func (h *header) uints(tag uint16) ([]uint64, error) {
	f, ok := h.fields[tag]
	if !ok {
		return nil, nil
	}
	out := make([]uint64, f.count)
	for i := range out {
		switch f.typ {
		case typeByte, typeUndefined:
			out[i] = uint64(f.raw[i])
		case typeShort:
			out[i] = uint64(h.bo.Uint16(f.raw[2*i:]))
		case typeLong, typeIFD:
			out[i] = uint64(h.bo.Uint32(f.raw[4*i:]))
		case typeLong8, typeIFD8:
			out[i] = h.bo.Uint64(f.raw[8*i:])
		default:
			return nil, formatErr("%s has field type %d, want an unsigned integer", tagName(tag), f.typ)
		}
	}
	return out, nil
}

// uint returns a single-valued integer field, or def when absent. For
// per-sample fields (BitsPerSample, SampleFormat) all values must agree.
func (h *header) uint(tag uint16, def uint64) (uint64, error) {
	v, err := h.uints(tag)
	if err != nil {
		return 0, err
	}
	if _, ok := h.fields[tag]; !ok {
		return def, nil
	}
	if len(v) == 0 {
		return 0, formatErr("%s has no value", tagName(tag))
	}
	for _, x := range v[1:] {
		if x != v[0] {
			return 0, fmt.Errorf("%w: %s differs between samples (%v)", ErrUnsupported, tagName(tag), v)
		}
	}
	return v[0], nil
}

// floats returns a floating-point (or integer) field's values.
func (h *header) floats(tag uint16) ([]float64, error) {
	f, ok := h.fields[tag]
	if !ok {
		return nil, nil
	}
	switch f.typ {
	case typeDouble:
		out := make([]float64, f.count)
		for i := range out {
			out[i] = math.Float64frombits(h.bo.Uint64(f.raw[8*i:]))
		}
		return out, nil
	case typeFloat:
		out := make([]float64, f.count)
		for i := range out {
			out[i] = float64(math.Float32frombits(h.bo.Uint32(f.raw[4*i:])))
		}
		return out, nil
	}
	u, err := h.uints(tag)
	if err != nil {
		return nil, formatErr("%s has field type %d, want DOUBLE", tagName(tag), f.typ)
	}
	out := make([]float64, len(u))
	for i, x := range u {
		out[i] = float64(x)
	}
	return out, nil
}

// ascii returns an ASCII field without trailing NULs and spaces.
func (h *header) ascii(tag uint16) (string, bool) {
	f, ok := h.fields[tag]
	if !ok || (f.typ != typeASCII && f.typ != typeByte && f.typ != typeUndefined) {
		return "", false
	}
	return strings.TrimSpace(strings.TrimRight(string(f.raw), "\x00")), true
}

func parseNoData(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q is not a number", ErrFormat, tagName(tagGDALNoData), s)
	}
	return v, nil
}
