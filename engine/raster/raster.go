package raster

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// DataType is a raster sample type.
type DataType uint8

// The supported sample types.
const (
	Uint8 DataType = iota + 1
	Int8
	Uint16
	Int16
	Uint32
	Int32
	Float32
	Float64
)

var typeInfo = [...]struct {
	name string
	size int
}{{"invalid", 0}, {"uint8", 1}, {"int8", 1}, {"uint16", 2}, {"int16", 2}, {"uint32", 4}, {"int32", 4}, {"float32", 4}, {"float64", 8}}

// String returns the type's name, e.g. "float32".
func (d DataType) String() string {
	if int(d) < len(typeInfo) {
		return typeInfo[d].name
	}
	return fmt.Sprintf("DataType(%d)", d)
}

// Size returns the size of one sample in bytes.
func (d DataType) Size() int {
	if int(d) < len(typeInfo) {
		return typeInfo[d].size
	}
	return 0
}

// GeoTransform maps pixel corner coordinates to map coordinates, in GDAL
// order: x = T[0] + col·T[1] + row·T[2], y = T[3] + col·T[4] + row·T[5].
type GeoTransform [6]float64

// Apply returns the map coordinates of the fractional pixel position
// (col, row); (0, 0) is the top-left corner of the raster.
func (g GeoTransform) Apply(col, row float64) (x, y float64) {
	return g[0] + col*g[1] + row*g[2], g[3] + col*g[4] + row*g[5]
}

// PixelCenter returns the map coordinates of the centre of pixel (col, row).
func (g GeoTransform) PixelCenter(col, row int) (x, y float64) {
	return g.Apply(float64(col)+0.5, float64(row)+0.5)
}

// Compression codes (TIFF tag 259) this package reads.
const (
	CompressionNone     = 1
	CompressionLZW      = 5
	CompressionDeflate  = 8
	CompressionPackBits = 32773
	compressionDeflate2 = 32946 // old Adobe code for Deflate
)

// Info describes a raster.
type Info struct {
	Width, Height int
	Type          DataType
	Transform     GeoTransform // identity-like {0,1,0,0,0,1} when HasTransform is false
	HasTransform  bool
	EPSG          int // from GeoKeyDirectory (geographic or projected CRS code); 0 when unknown
	// ModelType is GeoTIFF's GTModelTypeGeoKey: ModelProjected (1),
	// ModelGeographic (2) or ModelGeocentric (3); 0 when not given. A
	// user-defined CRS (a VN-2000 TM-3 zone) has no EPSG code but says
	// here that it is projected.
	ModelType int
	// HasGeoKeys reports a GeoKeyDirectory: without one the raster says
	// nothing of its CRS.
	HasGeoKeys  bool
	NoData      float64
	HasNoData   bool
	BigTIFF     bool
	ByteOrder   binary.ByteOrder
	Compression int // TIFF code, e.g. CompressionLZW
	Predictor   int // 1, 2 or 3
	Tiled       bool
	BlockWidth  int // strip: Width; tile: TileWidth
	BlockHeight int // RowsPerStrip or TileLength
}

// GTModelTypeGeoKey values.
const (
	ModelProjected  = 1
	ModelGeographic = 2
	ModelGeocentric = 3
)

// IsNoData reports whether v is the nodata value (NaN matches a NaN nodata).
func (i Info) IsNoData(v float64) bool {
	if !i.HasNoData {
		return false
	}
	if math.IsNaN(i.NoData) {
		return math.IsNaN(v)
	}
	return v == i.NoData
}

// Option configures Open.
type Option func(*Reader)

// WithMaxBlockBytes caps the decoded size of one strip or tile (and of one
// band of rows handed out by Rows); larger blocks are refused with
// ErrUnsupported. The default is 256 MiB.
func WithMaxBlockBytes(n int) Option { return func(r *Reader) { r.maxBlock = n } }

// Reader reads one GeoTIFF raster.
type Reader struct {
	src      io.ReaderAt
	size     int64
	info     Info
	maxBlock int
	offsets  []uint64
	counts   []uint64
	across   int // blocks per block row
	down     int // block rows
}

// Open reads the header and first image of the TIFF in r (size bytes).
func Open(r io.ReaderAt, size int64, opts ...Option) (*Reader, error) {
	rd := &Reader{src: r, size: size, maxBlock: 256 << 20}
	for _, o := range opts {
		o(rd)
	}
	h, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	if err := rd.parse(h); err != nil {
		return nil, err
	}
	return rd, nil
}

func unsupported(tag uint16, v any, why string) error {
	return fmt.Errorf("%w: %s = %v: %s", ErrUnsupported, tagName(tag), v, why)
}

func (rd *Reader) parse(h *header) error {
	in := &rd.info
	in.BigTIFF, in.ByteOrder = h.big, h.bo
	w, err := h.uint(tagImageWidth, 0)
	if err != nil {
		return err
	}
	ht, err := h.uint(tagImageLength, 0)
	if err != nil {
		return err
	}
	if w == 0 || ht == 0 || w > 1<<30 || ht > 1<<30 {
		return formatErr("image size %d x %d (ImageWidth, ImageLength)", w, ht)
	}
	in.Width, in.Height = int(w), int(ht)

	spp, err := h.uint(tagSamplesPerPixel, 1)
	if err != nil {
		return err
	}
	if spp != 1 {
		return unsupported(tagSamplesPerPixel, spp, "only single-band rasters are read")
	}
	bits, err := h.uint(tagBitsPerSample, 1)
	if err != nil {
		return err
	}
	sf, err := h.uint(tagSampleFormat, 1)
	if err != nil {
		return err
	}
	switch {
	case sf == 1 && bits == 8:
		in.Type = Uint8
	case sf == 2 && bits == 8:
		in.Type = Int8
	case sf == 1 && bits == 16:
		in.Type = Uint16
	case sf == 2 && bits == 16:
		in.Type = Int16
	case sf == 1 && bits == 32:
		in.Type = Uint32
	case sf == 2 && bits == 32:
		in.Type = Int32
	case sf == 3 && bits == 32:
		in.Type = Float32
	case sf == 3 && bits == 64:
		in.Type = Float64
	default:
		return fmt.Errorf("%w: %s = %d with %s = %d", ErrUnsupported, tagName(tagSampleFormat), sf, tagName(tagBitsPerSample), bits)
	}
	comp, err := h.uint(tagCompression, 1)
	if err != nil {
		return err
	}
	switch comp {
	case CompressionNone, CompressionLZW, CompressionDeflate, CompressionPackBits:
	case compressionDeflate2:
		comp = CompressionDeflate
	default:
		return unsupported(tagCompression, comp, "want 1 (none), 5 (LZW), 8 (Deflate) or 32773 (PackBits)")
	}
	in.Compression = int(comp)
	pred, err := h.uint(tagPredictor, 1)
	if err != nil {
		return err
	}
	switch {
	case pred == 1, pred == 2 && in.Type.Size() <= 8:
	case pred == 3 && (in.Type == Float32 || in.Type == Float64):
	default:
		return unsupported(tagPredictor, pred, "want 1, 2, or 3 for floating-point samples")
	}
	in.Predictor = int(pred)
	if pc, err := h.uint(tagPlanarConfig, 1); err != nil {
		return err
	} else if pc != 1 && pc != 2 {
		return unsupported(tagPlanarConfig, pc, "want 1 or 2")
	}

	// Layout: tiles or strips.
	if _, ok := h.fields[tagTileWidth]; ok {
		in.Tiled = true
		tw, err := h.uint(tagTileWidth, 0)
		if err != nil {
			return err
		}
		tl, err := h.uint(tagTileLength, 0)
		if err != nil {
			return err
		}
		if tw == 0 || tl == 0 || tw > 1<<20 || tl > 1<<20 {
			return formatErr("tile size %d x %d (TileWidth, TileLength)", tw, tl)
		}
		in.BlockWidth, in.BlockHeight = int(tw), int(tl)
		if rd.offsets, err = h.uints(tagTileOffsets); err != nil {
			return err
		}
		if rd.counts, err = h.uints(tagTileByteCounts); err != nil {
			return err
		}
		rd.across = (in.Width + in.BlockWidth - 1) / in.BlockWidth
	} else {
		rps, err := h.uint(tagRowsPerStrip, uint64(in.Height))
		if err != nil {
			return err
		}
		if rps == 0 {
			return formatErr("%s is 0", tagName(tagRowsPerStrip))
		}
		if rps > uint64(in.Height) {
			rps = uint64(in.Height)
		}
		in.BlockWidth, in.BlockHeight = in.Width, int(rps)
		if rd.offsets, err = h.uints(tagStripOffsets); err != nil {
			return err
		}
		if rd.counts, err = h.uints(tagStripByteCounts); err != nil {
			return err
		}
		rd.across = 1
	}
	rd.down = (in.Height + in.BlockHeight - 1) / in.BlockHeight
	offTag, cntTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if in.Tiled {
		offTag, cntTag = tagTileOffsets, tagTileByteCounts
	}
	need := rd.across * rd.down
	if len(rd.offsets) < need {
		return formatErr("%s has %d values, want %d", tagName(offTag), len(rd.offsets), need)
	}
	if len(rd.counts) < need {
		return formatErr("%s has %d values, want %d", tagName(cntTag), len(rd.counts), need)
	}
	// Decoded block and band sizes, checked before any allocation.
	blockBytes := uint64(in.BlockWidth) * uint64(in.BlockHeight) * uint64(in.Type.Size())
	bandBytes := uint64(in.Width) * uint64(in.BlockHeight) * 8
	if blockBytes > uint64(rd.maxBlock) || bandBytes > uint64(rd.maxBlock) {
		return fmt.Errorf("%w: blocks of %d x %d %s (%s) exceed the %d-byte cap", ErrUnsupported,
			in.BlockWidth, in.BlockHeight, in.Type, tagName(offTag), rd.maxBlock)
	}

	// Georeferencing.
	in.Transform = GeoTransform{0, 1, 0, 0, 0, 1}
	if m, err := h.floats(tagModelTransformation); err != nil {
		return err
	} else if len(m) >= 16 {
		in.Transform = GeoTransform{m[3], m[0], m[1], m[7], m[4], m[5]}
		in.HasTransform = true
	} else {
		sc, err := h.floats(tagModelPixelScale)
		if err != nil {
			return err
		}
		tp, err := h.floats(tagModelTiepoint)
		if err != nil {
			return err
		}
		if len(sc) >= 2 && len(tp) >= 6 {
			in.Transform = GeoTransform{tp[3] - tp[0]*sc[0], sc[0], 0, tp[4] + tp[1]*sc[1], 0, -sc[1]}
			in.HasTransform = true
		} else if len(sc) > 0 || len(tp) > 0 {
			return formatErr("%s has %d values and %s %d; want at least 2 and 6", tagName(tagModelPixelScale), len(sc), tagName(tagModelTiepoint), len(tp))
		}
	}
	if keys, err := h.uints(tagGeoKeyDirectory); err == nil && len(keys) >= 4 {
		in.HasGeoKeys = true
		n := int(keys[3])
		for i := 0; i < n && 4+4*i+3 < len(keys); i++ {
			k := keys[4+4*i:]
			if k[1] != 0 || k[2] != 1 { // value stored in another tag
				continue
			}
			switch k[0] {
			case 1024: // GTModelTypeGeoKey
				in.ModelType = int(k[3])
			case 1025: // GTRasterTypeGeoKey: 2 = RasterPixelIsPoint
				if k[3] == 2 && in.HasTransform {
					t := &in.Transform
					t[0] -= 0.5*t[1] + 0.5*t[2]
					t[3] -= 0.5*t[4] + 0.5*t[5]
				}
			case 2048, 3072: // GeographicTypeGeoKey, ProjectedCSTypeGeoKey
				if k[3] != 0 && k[3] != 32767 {
					in.EPSG = int(k[3])
				}
			}
		}
	}
	if s, ok := h.ascii(tagGDALNoData); ok && s != "" {
		v, err := parseNoData(s)
		if err != nil {
			return err
		}
		if in.Type == Float32 {
			v = float64(float32(v))
		}
		in.NoData, in.HasNoData = v, true
	}
	return nil
}

// Info returns the raster's metadata.
func (rd *Reader) Info() Info { return rd.info }

// ReadAll decodes the whole raster into a row-major slice of
// Width·Height values. Rasters over 16 times the block cap (4 GiB of
// float64 by default) are refused: stream them with Rows.
func (rd *Reader) ReadAll() ([]float64, error) {
	in := rd.info
	if uint64(in.Width)*uint64(in.Height)*8 > uint64(rd.maxBlock)*16 {
		return nil, fmt.Errorf("%w: %d x %d raster too large for ReadAll; use Rows", ErrUnsupported, in.Width, in.Height)
	}
	out := make([]float64, 0, in.Width*in.Height)
	rows := rd.Rows()
	for rows.Next() {
		out = append(out, rows.Values()...)
	}
	return out, rows.Err()
}

// Rows is a streaming accessor over bands of consecutive rows: one strip,
// or one row of tiles, per call to Next.
//
//	rows := rd.Rows()
//	for rows.Next() {
//		y0, v := rows.Row0(), rows.Values() // rows.Len() rows of Width values
//	}
//	if err := rows.Err(); err != nil { ... }
type Rows struct {
	rd     *Reader
	band   int
	row0   int
	n      int
	vals   []float64
	block  []byte
	packed []byte
	err    error
}

// Rows returns an iterator over the raster from the top.
func (rd *Reader) Rows() *Rows { return &Rows{rd: rd, band: -1} }

// Next decodes the next band; false at the end or on error.
func (s *Rows) Next() bool {
	if s.err != nil {
		return false
	}
	s.band++
	in := &s.rd.info
	if s.band >= s.rd.down {
		return false
	}
	s.row0 = s.band * in.BlockHeight
	s.n = min(in.BlockHeight, in.Height-s.row0)
	need := s.n * in.Width
	if cap(s.vals) < need {
		s.vals = make([]float64, need)
	}
	s.vals = s.vals[:need]
	for bx := 0; bx < s.rd.across; bx++ {
		if err := s.decodeBlock(s.band*s.rd.across + bx); err != nil {
			s.err = err
			return false
		}
		s.place(bx)
	}
	return true
}

// Row0 returns the index of the first row of the current band.
func (s *Rows) Row0() int { return s.row0 }

// Len returns the number of rows in the current band.
func (s *Rows) Len() int { return s.n }

// Values returns the current band's Len()·Width values, row-major. The
// slice is reused by the next call to Next.
func (s *Rows) Values() []float64 { return s.vals }

// Err returns the error that stopped the iteration, if any.
func (s *Rows) Err() error { return s.err }

// decodeBlock reads, decompresses and un-predicts block i into s.block.
func (s *Rows) decodeBlock(i int) error {
	rd, in := s.rd, &s.rd.info
	bw := in.BlockWidth
	rows := in.BlockHeight
	if !in.Tiled {
		rows = s.n // the last strip may be short
	}
	rowBytes := bw * in.Type.Size()
	want := rows * rowBytes
	if cap(s.block) < want {
		s.block = make([]byte, want)
	}
	s.block = s.block[:want]
	off, cnt := rd.offsets[i], rd.counts[i]
	what := "strip"
	if in.Tiled {
		what = "tile"
	}
	if off > uint64(rd.size) || cnt > uint64(rd.size)-off {
		return formatErr("%s %d: %d bytes at offset %d outside the file (%d bytes)", what, i, cnt, off, rd.size)
	}
	if in.Compression == CompressionNone {
		if cnt < uint64(want) {
			return formatErr("%s %d: %d bytes, want %d", what, i, cnt, want)
		}
		if _, err := rd.src.ReadAt(s.block, int64(off)); err != nil {
			return fmt.Errorf("%w: reading %s %d: %v", ErrFormat, what, i, err)
		}
	} else {
		if cap(s.packed) < int(cnt) {
			s.packed = make([]byte, cnt)
		}
		s.packed = s.packed[:cnt]
		if _, err := rd.src.ReadAt(s.packed, int64(off)); err != nil && !(err == io.EOF && cnt == 0) {
			return fmt.Errorf("%w: reading %s %d: %v", ErrFormat, what, i, err)
		}
		if err := decompress(in.Compression, s.block, s.packed); err != nil {
			return fmt.Errorf("%s %d: %w", what, i, err)
		}
	}
	switch in.Predictor {
	case 2:
		unpredictHorizontal(s.block, rowBytes, in.Type.Size(), in.ByteOrder)
	case 3:
		unpredictFloat(s.block, rowBytes, in.Type.Size())
	}
	return nil
}

// place converts the decoded block at column bx of the band into s.vals.
func (s *Rows) place(bx int) {
	in := &s.rd.info
	size := in.Type.Size()
	bo := in.ByteOrder
	if in.Predictor == 3 {
		bo = binary.BigEndian // the floating-point predictor leaves bytes MSB first
	}
	x0 := bx * in.BlockWidth
	w := min(in.BlockWidth, in.Width-x0)
	rowBytes := in.BlockWidth * size
	for r := 0; r < s.n; r++ {
		src := s.block[r*rowBytes:]
		dst := s.vals[r*in.Width+x0 : r*in.Width+x0+w]
		convert(dst, src, in.Type, bo)
	}
}

func convert(dst []float64, src []byte, t DataType, bo binary.ByteOrder) {
	switch t {
	case Uint8:
		for i := range dst {
			dst[i] = float64(src[i])
		}
	case Int8:
		for i := range dst {
			dst[i] = float64(int8(src[i]))
		}
	case Uint16:
		for i := range dst {
			dst[i] = float64(bo.Uint16(src[2*i:]))
		}
	case Int16:
		for i := range dst {
			dst[i] = float64(int16(bo.Uint16(src[2*i:])))
		}
	case Uint32:
		for i := range dst {
			dst[i] = float64(bo.Uint32(src[4*i:]))
		}
	case Int32:
		for i := range dst {
			dst[i] = float64(int32(bo.Uint32(src[4*i:])))
		}
	case Float32:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(bo.Uint32(src[4*i:])))
		}
	case Float64:
		for i := range dst {
			dst[i] = math.Float64frombits(bo.Uint64(src[8*i:]))
		}
	}
}
