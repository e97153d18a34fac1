package raster

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"math"
	"slices"
	"sort"
)

// A minimal TIFF writer for tests: it writes exactly what the reader must
// understand, so each case is a known answer built from first principles.

type tiffSpec struct {
	big        bool
	bo         binary.ByteOrder
	w, h       int
	typ        DataType
	tiled      bool
	bw, bh     int // tile size, or (w, rows per strip)
	comp       int
	pred       int
	nodata     string
	scale, tie []float64
	transform  []float64
	geoKeys    []uint16
	extra      []tiffEntry
}

type tiffEntry struct {
	tag, typ uint16
	count    int
	data     []byte // already in byte order
}

func sampleFormat(t DataType) uint16 {
	switch t {
	case Int8, Int16, Int32:
		return 2
	case Float32, Float64:
		return 3
	}
	return 1
}

func putSample(b []byte, v float64, t DataType, bo binary.ByteOrder) {
	switch t {
	case Uint8:
		b[0] = uint8(v)
	case Int8:
		b[0] = uint8(int8(v))
	case Uint16:
		bo.PutUint16(b, uint16(v))
	case Int16:
		bo.PutUint16(b, uint16(int16(v)))
	case Uint32:
		bo.PutUint32(b, uint32(v))
	case Int32:
		bo.PutUint32(b, uint32(int32(v)))
	case Float32:
		bo.PutUint32(b, math.Float32bits(float32(v)))
	case Float64:
		bo.PutUint64(b, math.Float64bits(v))
	}
}

// encodeTIFF writes vals (row-major, w·h) as a TIFF following spec.
func encodeTIFF(s tiffSpec, vals []float64) []byte {
	if !s.tiled {
		s.bw = s.w
		if s.bh == 0 {
			s.bh = s.h
		}
	}
	size := s.typ.Size()
	across := (s.w + s.bw - 1) / s.bw
	down := (s.h + s.bh - 1) / s.bh
	var blocks [][]byte
	for by := 0; by < down; by++ {
		for bx := 0; bx < across; bx++ {
			rows := s.bh
			if !s.tiled {
				rows = min(s.bh, s.h-by*s.bh)
			}
			rowBytes := s.bw * size
			blk := make([]byte, rows*rowBytes)
			for r := 0; r < rows; r++ {
				for c := 0; c < s.bw; c++ {
					x, y := bx*s.bw+c, by*s.bh+r
					if x < s.w && y < s.h {
						putSample(blk[r*rowBytes+c*size:], vals[y*s.w+x], s.typ, s.bo)
					}
				}
			}
			switch s.pred {
			case 2:
				predictHorizontal(blk, rowBytes, size, s.bo)
			case 3:
				predictFloat(blk, rowBytes, size, s.bo)
			}
			blocks = append(blocks, compress(s.comp, blk))
		}
	}

	var buf bytes.Buffer
	hdrLen := 8
	if s.big {
		hdrLen = 16
	}
	buf.Write(make([]byte, hdrLen))
	var offsets, counts []uint64
	for _, b := range blocks {
		offsets = append(offsets, uint64(buf.Len()))
		counts = append(counts, uint64(len(b)))
		buf.Write(b)
	}

	bo := s.bo
	u16 := func(v ...uint16) []byte {
		b := make([]byte, 2*len(v))
		for i, x := range v {
			bo.PutUint16(b[2*i:], x)
		}
		return b
	}
	u32 := func(v ...uint64) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			bo.PutUint32(b[4*i:], uint32(x))
		}
		return b
	}
	u64 := func(v ...uint64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			bo.PutUint64(b[8*i:], x)
		}
		return b
	}
	f64 := func(v ...float64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			bo.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return b
	}
	offs := func(v []uint64) tiffEntry {
		if s.big {
			return tiffEntry{typ: typeLong8, count: len(v), data: u64(v...)}
		}
		return tiffEntry{typ: typeLong, count: len(v), data: u32(v...)}
	}
	bits := uint16(8 * size)
	es := []tiffEntry{
		{tagImageWidth, typeLong, 1, u32(uint64(s.w))},
		{tagImageLength, typeLong, 1, u32(uint64(s.h))},
		{tagBitsPerSample, typeShort, 1, u16(bits)},
		{tagCompression, typeShort, 1, u16(uint16(s.comp))},
		{tagPhotometric, typeShort, 1, u16(1)},
		{tagSamplesPerPixel, typeShort, 1, u16(1)},
		{tagSampleFormat, typeShort, 1, u16(sampleFormat(s.typ))},
	}
	if s.pred != 0 {
		es = append(es, tiffEntry{tagPredictor, typeShort, 1, u16(uint16(s.pred))})
	}
	if s.tiled {
		o, c := offs(offsets), offs(counts)
		o.tag, c.tag = tagTileOffsets, tagTileByteCounts
		es = append(es, tiffEntry{tagTileWidth, typeShort, 1, u16(uint16(s.bw))},
			tiffEntry{tagTileLength, typeShort, 1, u16(uint16(s.bh))}, o, c)
	} else {
		o, c := offs(offsets), offs(counts)
		o.tag, c.tag = tagStripOffsets, tagStripByteCounts
		es = append(es, tiffEntry{tagRowsPerStrip, typeLong, 1, u32(uint64(s.bh))}, o, c)
	}
	if s.scale != nil {
		es = append(es, tiffEntry{tagModelPixelScale, typeDouble, len(s.scale), f64(s.scale...)})
	}
	if s.tie != nil {
		es = append(es, tiffEntry{tagModelTiepoint, typeDouble, len(s.tie), f64(s.tie...)})
	}
	if s.transform != nil {
		es = append(es, tiffEntry{tagModelTransformation, typeDouble, len(s.transform), f64(s.transform...)})
	}
	if s.geoKeys != nil {
		es = append(es, tiffEntry{tagGeoKeyDirectory, typeShort, len(s.geoKeys), u16(s.geoKeys...)})
	}
	if s.nodata != "" {
		d := append([]byte(s.nodata), 0)
		es = append(es, tiffEntry{tagGDALNoData, typeASCII, len(d), d})
	}
	for _, x := range s.extra { // extras replace entries with the same tag
		es = slices.DeleteFunc(es, func(e tiffEntry) bool { return e.tag == x.tag })
		es = append(es, x)
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].tag < es[j].tag })

	// IFD at the end, out-of-line values after it.
	for buf.Len()%2 != 0 {
		buf.WriteByte(0)
	}
	ifd := buf.Len()
	entrySize, countSize, inline := 12, 2, 4
	if s.big {
		entrySize, countSize, inline = 20, 8, 8
	}
	dataAt := ifd + countSize + len(es)*entrySize + inline
	var ifdBuf, extra bytes.Buffer
	if s.big {
		ifdBuf.Write(u64(uint64(len(es))))
	} else {
		ifdBuf.Write(u16(uint16(len(es))))
	}
	for _, e := range es {
		ifdBuf.Write(u16(e.tag, e.typ))
		if s.big {
			ifdBuf.Write(u64(uint64(e.count)))
		} else {
			ifdBuf.Write(u32(uint64(e.count)))
		}
		val := make([]byte, inline)
		if len(e.data) <= inline {
			copy(val, e.data)
		} else {
			off := uint64(dataAt + extra.Len())
			if s.big {
				bo.PutUint64(val, off)
			} else {
				bo.PutUint32(val, uint32(off))
			}
			extra.Write(e.data)
			if extra.Len()%2 != 0 {
				extra.WriteByte(0)
			}
		}
		ifdBuf.Write(val)
	}
	ifdBuf.Write(make([]byte, inline)) // no next IFD
	buf.Write(ifdBuf.Bytes())
	buf.Write(extra.Bytes())

	out := buf.Bytes()
	if bo == binary.LittleEndian {
		copy(out, "II")
	} else {
		copy(out, "MM")
	}
	if s.big {
		bo.PutUint16(out[2:], 43)
		bo.PutUint16(out[4:], 8)
		bo.PutUint64(out[8:], uint64(ifd))
	} else {
		bo.PutUint16(out[2:], 42)
		bo.PutUint32(out[4:], uint32(ifd))
	}
	return out
}

func predictHorizontal(b []byte, rowBytes, size int, bo binary.ByteOrder) {
	for r := 0; r+rowBytes <= len(b); r += rowBytes {
		row := b[r : r+rowBytes]
		for i := len(row) - size; i >= size; i -= size {
			switch size {
			case 1:
				row[i] -= row[i-1]
			case 2:
				bo.PutUint16(row[i:], bo.Uint16(row[i:])-bo.Uint16(row[i-2:]))
			case 4:
				bo.PutUint32(row[i:], bo.Uint32(row[i:])-bo.Uint32(row[i-4:]))
			case 8:
				bo.PutUint64(row[i:], bo.Uint64(row[i:])-bo.Uint64(row[i-8:]))
			}
		}
	}
}

// predictFloat applies the floating-point predictor: samples to
// big-endian byte planes, then byte-wise differencing.
func predictFloat(b []byte, rowBytes, size int, bo binary.ByteOrder) {
	n := rowBytes / size
	tmp := make([]byte, rowBytes)
	for r := 0; r+rowBytes <= len(b); r += rowBytes {
		row := b[r : r+rowBytes]
		for j := 0; j < n; j++ {
			s := row[j*size : (j+1)*size]
			for k := 0; k < size; k++ {
				// k-th most significant byte of the sample
				if bo == binary.BigEndian {
					tmp[k*n+j] = s[k]
				} else {
					tmp[k*n+j] = s[size-1-k]
				}
			}
		}
		copy(row, tmp)
		for i := len(row) - 1; i >= 1; i-- {
			row[i] -= row[i-1]
		}
	}
}

func compress(comp int, b []byte) []byte {
	switch comp {
	case CompressionLZW:
		return lzwEncode(b)
	case CompressionDeflate:
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	case CompressionPackBits:
		var out []byte
		for len(b) > 0 { // literal runs only
			n := min(len(b), 128)
			out = append(out, byte(n-1))
			out = append(out, b[:n]...)
			b = b[n:]
		}
		return out
	}
	return append([]byte(nil), b...)
}

// lzwEncode is a TIFF LZW encoder (MSB-first, early change), as libtiff
// writes it: Clear first, Clear again when the table is full, EOI last.
func lzwEncode(src []byte) []byte {
	var out []byte
	var acc uint64
	var nacc uint
	width := uint(9)
	put := func(code int) {
		acc = acc<<width | uint64(code)
		nacc += width
		for nacc >= 8 {
			out = append(out, byte(acc>>(nacc-8)))
			nacc -= 8
		}
	}
	dict := map[string]int{}
	next := 258
	reset := func() {
		clear(dict)
		next = 258
	}
	put(256)
	emitted := func() {
		// after each data code the table grows by one entry
		next++
		if next >= 4094 {
			put(256)
			reset()
			width = 9
			return
		}
		if next > 1<<width-1 && width < 12 {
			width++
		}
	}
	if len(src) == 0 {
		put(257)
	} else {
		w := []byte{src[0]}
		code := func(s []byte) int {
			if len(s) == 1 {
				return int(s[0])
			}
			return dict[string(s)]
		}
		for _, c := range src[1:] {
			wc := append(append([]byte(nil), w...), c)
			if _, ok := dict[string(wc)]; ok {
				w = wc
				continue
			}
			put(code(w))
			dict[string(wc)] = next
			emitted()
			w = []byte{c}
		}
		put(code(w))
		emitted()
		put(257)
	}
	if nacc > 0 {
		out = append(out, byte(acc<<(8-nacc)))
	}
	return out
}
