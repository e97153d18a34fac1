package arrowio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"

	"github.com/lomsong/lomsong/engine"
)

// The measurement reader decodes the pages of a column chunk itself when
// the chunk uses only the encodings this package writes (PLAIN values,
// dictionary indices, RLE definition levels); other chunks go through the
// library's typed column readers (pqread.go). The library still reads page
// headers and decompresses pages (file.PageReader), but:
//
//   - a column's chunks are streamed through one reused buffer instead of a
//     fresh 1 MiB buffer per chunk;
//   - decompressed pages are recycled (pageAlloc) instead of allocated and
//     zeroed page by page;
//   - definition levels are walked run by run, so a run of defined doubles
//     is one copy and a run of nulls one fill;
//   - dictionary pages are converted once per chunk, so an enum column costs
//     a table lookup per row and a dictionary-encoded string column builds
//     each distinct string once per chunk.

// errCorruptPage reports page contents that contradict their header.
var errCorruptPage = fmt.Errorf("corrupt column page: %w", engine.ErrUnsupportedFormat)

// pageEncodingOK reports whether the page decoder handles every encoding a
// column chunk lists.
func pageEncodingOK(encs []parquet.Encoding) bool {
	for _, e := range encs {
		switch e {
		case parquet.Encodings.Plain, parquet.Encodings.PlainDict, parquet.Encodings.RLE, parquet.Encodings.RLEDict:
		default:
			return false
		}
	}
	return true
}

// fastChunk reports whether the page decoder can read a column chunk.
// Encrypted chunks and files of writers that miscounted chunk lengths
// (PARQUET-816, for which the library pads the chunk) go through the
// library's readers.
func fastChunk(md *metadata.FileMetaData, cc *metadata.ColumnChunkMetaData) bool {
	if cc.CryptoMetadata() != nil {
		return false
	}
	if v := md.WriterVersion(); v != nil && v.LessThan(metadata.Parquet816FixedVersion) {
		return false
	}
	return pageEncodingOK(cc.Encodings())
}

// streamBufferBytes is the buffer of a chunkStream. Page headers are read
// through it; page bodies larger than it are read straight into the page
// reader's buffer.
const streamBufferBytes = 64 << 10

// chunkStream is a parquet.BufferedReader over one column chunk of a file.
// Its buffer is reused from chunk to chunk.
type chunkStream struct {
	r        io.ReaderAt
	off, end int64 // the part of the chunk not yet read from r
	buf      []byte
	lo, hi   int // buffered bytes: buf[lo:hi]
}

func (s *chunkStream) reset(r io.ReaderAt, off, n int64) {
	s.r, s.off, s.end, s.lo, s.hi = r, off, off+n, 0, 0
	if s.buf == nil {
		s.buf = make([]byte, streamBufferBytes)
	}
}

// readAt fills p from the chunk at s.off; the chunk must hold len(p) more
// bytes.
func (s *chunkStream) readAt(p []byte) error {
	n, err := s.r.ReadAt(p, s.off)
	s.off += int64(n)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// fill buffers at least n bytes, or all that is left of the chunk.
func (s *chunkStream) fill(n int) error {
	if s.lo > 0 {
		s.hi = copy(s.buf, s.buf[s.lo:s.hi])
		s.lo = 0
	}
	if size := int(min(int64(n), int64(s.hi)+s.end-s.off)); size > len(s.buf) {
		b := make([]byte, size)
		copy(b, s.buf[:s.hi])
		s.buf = b
	}
	if s.hi >= n || s.off >= s.end {
		return nil
	}
	m := int(min(int64(len(s.buf)-s.hi), s.end-s.off))
	if err := s.readAt(s.buf[s.hi : s.hi+m]); err != nil {
		return err
	}
	s.hi += m
	return nil
}

func (s *chunkStream) Peek(n int) ([]byte, error) {
	if n < 0 {
		return nil, errors.New("negative peek")
	}
	if s.hi-s.lo < n {
		if err := s.fill(n); err != nil {
			return nil, err
		}
	}
	if s.hi-s.lo < n {
		return s.buf[s.lo:s.hi], io.EOF
	}
	return s.buf[s.lo : s.lo+n], nil
}

func (s *chunkStream) Discard(n int) (int, error) {
	if n < 0 {
		return 0, errors.New("negative discard")
	}
	if b := s.hi - s.lo; n <= b {
		s.lo += n
		return n, nil
	}
	skip := int64(n - (s.hi - s.lo))
	s.lo, s.hi = 0, 0
	if left := s.end - s.off; skip > left {
		s.off = s.end
		return n - int(skip-left), io.EOF
	}
	s.off += skip
	return n, nil
}

func (s *chunkStream) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.lo == s.hi {
		if s.off >= s.end {
			return 0, io.EOF
		}
		if len(p) >= len(s.buf) {
			m := int(min(int64(len(p)), s.end-s.off))
			if err := s.readAt(p[:m]); err != nil {
				return 0, err
			}
			return m, nil
		}
		if err := s.fill(1); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.buf[s.lo:s.hi])
	s.lo += n
	return n, nil
}

// pageAlloc is the memory.Allocator of one column's page reader. The page
// reader frees a page's buffer as it hands the page out, and allocates the
// next page's buffer when it is asked for the next page. By then the page
// decoder has copied everything it keeps from the page (dictionaries,
// strings), so the freed buffer is handed back for the next page. It is
// not zeroed: the page reader fills it with the page.
type pageAlloc struct{ free []byte }

func (a *pageAlloc) Allocate(n int) []byte {
	if cap(a.free) >= n {
		b := a.free[:n]
		a.free = nil
		return b
	}
	return make([]byte, n)
}

func (a *pageAlloc) Reallocate(n int, b []byte) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := a.Allocate(n)
	copy(nb, b)
	a.Free(b)
	return nb
}

func (a *pageAlloc) Free(b []byte) {
	if cap(b) > cap(a.free) {
		a.free = b[:0]
	}
}

// hybrid decodes the RLE / bit-packed hybrid encoding of definition levels
// and dictionary indices, run by run.
type hybrid struct {
	data   []byte
	pos    int  // next run header in data
	width  uint // bits per value, 0..32
	rle    int  // values left in the current RLE run
	val    uint32
	lit    int // values left in the current bit-packed run
	litBit int // bit offset in data of its next value
}

func (h *hybrid) reset(data []byte, width uint) { *h = hybrid{data: data, width: width} }

// next starts the next run.
func (h *hybrid) next() error {
	if h.pos >= len(h.data) {
		return errCorruptPage
	}
	hdr, n := binary.Uvarint(h.data[h.pos:])
	if n <= 0 || hdr>>1 > math.MaxInt32 {
		return errCorruptPage
	}
	h.pos += n
	count := int(hdr >> 1)
	if hdr&1 == 0 {
		nb := int(h.width+7) / 8
		if nb > len(h.data)-h.pos {
			return errCorruptPage
		}
		var v uint32
		for i := 0; i < nb; i++ {
			v |= uint32(h.data[h.pos+i]) << (8 * i)
		}
		h.pos += nb
		if h.width < 32 && v>>h.width != 0 {
			return errCorruptPage
		}
		h.rle, h.val = count, v
		return nil
	}
	// count groups of 8 values. A writer may end the last run early; only
	// whole values present in the data are decoded.
	size := count * int(h.width)
	if size > len(h.data)-h.pos {
		size = len(h.data) - h.pos
		count = size / max(int(h.width), 1)
	}
	h.lit, h.litBit = count*8, h.pos*8
	if h.width > 0 {
		h.lit = size * 8 / int(h.width)
	}
	h.pos += size
	return nil
}

// literal returns the next value of the current bit-packed run.
func (h *hybrid) literal() uint32 {
	i, sh := h.litBit>>3, uint(h.litBit&7)
	h.litBit += int(h.width)
	h.lit--
	return uint32(h.load(i)>>sh) & (1<<h.width - 1)
}

// load returns the 8 bytes of data from i on, as a little-endian number,
// with zeros past the end.
func (h *hybrid) load(i int) uint64 {
	if i+8 <= len(h.data) {
		return binary.LittleEndian.Uint64(h.data[i:])
	}
	var w uint64
	for j := 0; i+j < len(h.data); j++ {
		w |= uint64(h.data[i+j]) << (8 * j)
	}
	return w
}

// group8 reports whether the next 8 values of the current bit-packed run
// are one whole group of at most 8 bytes, which one load unpacks.
func (h *hybrid) group8() bool { return h.lit >= 8 && h.width <= 8 && h.litBit&7 == 0 }

// levels decodes len(out) values of width at most 8 (definition levels).
func (h *hybrid) levels(out []uint8) error {
	for len(out) > 0 {
		switch {
		case h.rle > 0:
			m := min(h.rle, len(out))
			for i := range out[:m] {
				out[i] = uint8(h.val)
			}
			h.rle -= m
			out = out[m:]
		case h.lit > 0:
			for len(out) >= 8 && h.group8() {
				g, w := h.load(h.litBit>>3), h.width
				mask := uint64(1)<<w - 1
				o := out[:8]
				for k := range o {
					o[k] = uint8(g >> (uint(k) * w) & mask)
				}
				h.litBit += 8 * int(w)
				h.lit -= 8
				out = out[8:]
			}
			m := min(h.lit, len(out))
			for i := range out[:m] {
				out[i] = uint8(h.literal())
			}
			out = out[m:]
		default:
			if err := h.next(); err != nil {
				return err
			}
		}
	}
	return nil
}

// indices decodes len(out) values, each below limit, into out.
func (h *hybrid) indices(out []int32, limit int) error {
	for len(out) > 0 {
		switch {
		case h.rle > 0:
			m := min(h.rle, len(out))
			if int64(h.val) >= int64(limit) {
				return errCorruptPage
			}
			v := int32(h.val)
			for i := range out[:m] {
				out[i] = v
			}
			h.rle -= m
			out = out[m:]
		case h.lit > 0:
			bad := false
			for len(out) >= 8 && h.group8() {
				g, w := h.load(h.litBit>>3), h.width
				mask := uint64(1)<<w - 1
				o := out[:8]
				for k := range o {
					v := g >> (uint(k) * w) & mask
					bad = bad || v >= uint64(limit)
					o[k] = int32(v)
				}
				h.litBit += 8 * int(w)
				h.lit -= 8
				out = out[8:]
			}
			m := min(h.lit, len(out))
			for i := range out[:m] {
				v := h.literal()
				bad = bad || int64(v) >= int64(limit)
				out[i] = int32(v)
			}
			if bad {
				return errCorruptPage
			}
			out = out[m:]
		default:
			if err := h.next(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Codes of byte-array rows in pageColumn.codes: a dictionary index (≥ 0),
// codeNull, or codePlain for a value in pageColumn.arena.
const (
	codeNull  int32 = -1
	codePlain int32 = -2
)

// pageColumn decodes the column chunks of one column, one row group after
// another. Double and int64 values are decoded as their bits (uint64).
type pageColumn struct {
	pr     file.PageReader
	stream chunkStream
	alloc  pageAlloc
	phys   parquet.Type
	maxDef int16

	// current data page
	left  int // rows left in the page
	defs  hybrid
	dict  bool   // values are dictionary indices (idx), not PLAIN (vals)
	vals  []byte // PLAIN values not yet decoded
	idx   hybrid
	nulls int // nulls read since the last clear

	// dictionary of the chunk: fixed-width values, or byte arrays as spans
	// of dictArena; dictGen changes whenever the dictionary does.
	hasDict   bool
	dictLen   int
	dictBits  []uint64
	dictArena []byte
	dictSpans []span
	dictGen   int

	// byte-array rows of the last read: codes, and the plain values as
	// spans of arena.
	codes []int32
	arena []byte
	spans []span
	bits  []uint8 // scratch: definition levels of a bit-packed run
	ixs   []int32 // scratch: dictionary indices
}

type span struct{ lo, hi int32 }

// open starts reading column chunk cc of a file of size bytes on r.
func (pc *pageColumn) open(r io.ReaderAt, size int64, cc *metadata.ColumnChunkMetaData) error {
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	n := cc.TotalCompressedSize()
	if start < 0 || n < 0 || start > size || n > size-start {
		return fmt.Errorf("column chunk at %d of %d bytes lies outside the file: %w", start, n, engine.ErrUnsupportedFormat)
	}
	pc.stream.reset(r, start, n)
	if pc.pr == nil {
		pr, err := file.NewPageReader(&pc.stream, cc.NumValues(), cc.Compression(), &pc.alloc, nil)
		if err != nil {
			return err
		}
		pc.pr = pr
	} else {
		pc.pr.Reset(&pc.stream, cc.NumValues(), cc.Compression(), nil)
		if err := pc.pr.Err(); err != nil {
			return err
		}
	}
	pc.left, pc.hasDict, pc.dictLen = 0, false, 0
	pc.dictGen++
	return nil
}

// nextPage moves to the next data page, taking in a dictionary page on the
// way.
func (pc *pageColumn) nextPage() error {
	for {
		if !pc.pr.Next() {
			if err := pc.pr.Err(); err != nil {
				return err
			}
			return errShort
		}
		var data []byte
		n := 0
		switch p := pc.pr.Page().(type) {
		case *file.DictionaryPage:
			if err := pc.setDict(p.Data(), int(p.NumValues()), parquet.Encoding(p.Encoding())); err != nil {
				return err
			}
			continue
		case *file.DataPageV1:
			data, n = p.Data(), int(p.NumValues())
			if pc.maxDef > 0 {
				if p.DefinitionLevelEncoding() != parquet.Encodings.RLE {
					return fmt.Errorf("definition levels encoded %s: %w", p.DefinitionLevelEncoding(), engine.ErrUnsupportedFormat)
				}
				if len(data) < 4 {
					return errCorruptPage
				}
				l := binary.LittleEndian.Uint32(data)
				if int64(l) > int64(len(data)-4) {
					return errCorruptPage
				}
				pc.defs.reset(data[4:4+l], 1)
				data = data[4+l:]
			}
		case *file.DataPageV2:
			data, n = p.Data(), int(p.NumValues())
			rl, dl := int64(p.RepetitionLevelByteLen()), int64(p.DefinitionLevelByteLen())
			if rl < 0 || dl < 0 || rl+dl > int64(len(data)) {
				return errCorruptPage
			}
			pc.defs.reset(data[rl:rl+dl], 1)
			data = data[rl+dl:]
		default:
			continue
		}
		if n < 0 {
			return errCorruptPage
		}
		pc.left = n
		switch enc := parquet.Encoding(pc.pr.Page().Encoding()); enc {
		case parquet.Encodings.Plain:
			pc.dict, pc.vals = false, data
		case parquet.Encodings.PlainDict, parquet.Encodings.RLEDict:
			if !pc.hasDict {
				return fmt.Errorf("dictionary-encoded page without a dictionary: %w", engine.ErrUnsupportedFormat)
			}
			pc.dict = true
			if n == 0 {
				pc.idx.reset(nil, 0)
				break
			}
			if len(data) < 1 || data[0] > 32 {
				return errCorruptPage
			}
			pc.idx.reset(data[1:], uint(data[0]))
		default:
			return fmt.Errorf("values encoded %s: %w", enc, engine.ErrUnsupportedFormat)
		}
		return nil
	}
}

// setDict takes in a dictionary page of n PLAIN values.
func (pc *pageColumn) setDict(data []byte, n int, enc parquet.Encoding) error {
	if enc != parquet.Encodings.Plain && enc != parquet.Encodings.PlainDict {
		return fmt.Errorf("dictionary encoded %s: %w", enc, engine.ErrUnsupportedFormat)
	}
	if n < 0 || pc.hasDict {
		return errCorruptPage // a chunk has at most one dictionary, first
	}
	pc.dictGen++
	pc.hasDict, pc.dictLen = true, n
	switch pc.phys {
	case parquet.Types.ByteArray:
		pc.dictArena = grow(pc.dictArena, len(data))
		copy(pc.dictArena, data)
		pc.dictSpans = pc.dictSpans[:0]
		if n > len(data)/4 {
			return errCorruptPage
		}
		pos := 0
		for i := 0; i < n; i++ {
			lo, hi, err := plainSpan(data, pos)
			if err != nil {
				return err
			}
			pc.dictSpans = append(pc.dictSpans, span{int32(lo), int32(hi)})
			pos = hi
		}
	default:
		if n > len(data)/8 {
			return errCorruptPage
		}
		pc.dictBits = grow(pc.dictBits, n)
		for i := range pc.dictBits {
			pc.dictBits[i] = binary.LittleEndian.Uint64(data[8*i:])
		}
	}
	return nil
}

// plainSpan returns the bounds of the PLAIN byte array at data[pos:].
func plainSpan(data []byte, pos int) (lo, hi int, err error) {
	if len(data)-pos < 4 {
		return 0, 0, errCorruptPage
	}
	l := binary.LittleEndian.Uint32(data[pos:])
	lo = pos + 4
	if int64(l) > int64(len(data)-lo) {
		return 0, 0, errCorruptPage
	}
	return lo, lo + int(l), nil
}

// readRows reads len(dst) rows. dense decodes defined values in order; a
// null row gets null.
func readRows[T any](pc *pageColumn, dst []T, null T, dense func(*pageColumn, []T) error) error {
	for len(dst) > 0 {
		if pc.left == 0 {
			if err := pc.nextPage(); err != nil {
				return err
			}
			continue
		}
		k := min(len(dst), pc.left)
		out := dst[:k]
		if pc.maxDef == 0 {
			if err := dense(pc, out); err != nil {
				return err
			}
			out = out[k:]
		}
		for len(out) > 0 {
			d := &pc.defs
			switch {
			case d.rle > 0:
				m := min(d.rle, len(out))
				d.rle -= m
				if d.val != 0 {
					if err := dense(pc, out[:m]); err != nil {
						return err
					}
				} else {
					for i := range out[:m] {
						out[i] = null
					}
					pc.nulls += m
				}
				out = out[m:]
			case d.lit > 0:
				m := min(d.lit, len(out))
				pc.bits = grow(pc.bits, m)
				if err := d.levels(pc.bits); err != nil {
					return err
				}
				nv := 0
				for _, b := range pc.bits {
					nv += int(b)
				}
				if err := dense(pc, out[:nv]); err != nil {
					return err
				}
				// Spread the nv values to the defined rows, from the back.
				j := nv - 1
				for i := m - 1; i > j; i-- {
					if pc.bits[i] != 0 {
						out[i] = out[j]
						j--
					} else {
						out[i] = null
					}
				}
				pc.nulls += m - nv
				out = out[m:]
			default:
				if err := d.next(); err != nil {
					return err
				}
			}
		}
		pc.left -= k
		dst = dst[k:]
	}
	return nil
}

// denseFixed decodes len(out) defined 8-byte values (as bits).
func denseFixed(pc *pageColumn, out []uint64) error {
	if !pc.dict {
		if len(pc.vals) < 8*len(out) {
			return errCorruptPage
		}
		v := pc.vals
		if littleEndian {
			copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), 8*len(out)), v)
		} else {
			for i := range out {
				out[i] = binary.LittleEndian.Uint64(v[8*i:])
			}
		}
		pc.vals = v[8*len(out):]
		return nil
	}
	pc.ixs = grow(pc.ixs, len(out))
	if err := pc.idx.indices(pc.ixs, pc.dictLen); err != nil {
		return err
	}
	for i, x := range pc.ixs {
		out[i] = pc.dictBits[x]
	}
	return nil
}

// denseBytes decodes len(out) defined byte arrays as codes: dictionary
// indices, or codePlain for plain values. Plain values are copied to
// pc.arena in one piece, length prefixes included, and located by pc.spans.
func denseBytes(pc *pageColumn, out []int32) error {
	if pc.dict {
		return pc.idx.indices(out, pc.dictLen)
	}
	v := pc.vals
	if int64(len(pc.arena))+int64(len(v)) > math.MaxInt32 {
		return fmt.Errorf("string values of one batch exceed 2 GiB: %w", engine.ErrUnsupportedFormat)
	}
	base := int32(len(pc.arena))
	pos := 0
	for i := range out {
		lo, hi, err := plainSpan(v, pos)
		if err != nil {
			return err
		}
		pos = hi
		out[i] = codePlain
		pc.spans = append(pc.spans, span{base + int32(lo), base + int32(hi)})
	}
	pc.arena = append(pc.arena, v[:pos]...)
	pc.vals = v[pos:]
	return nil
}

var nanBits = math.Float64bits(math.NaN())

// littleEndian reports whether this machine stores numbers as PLAIN pages
// do, so that they are copied rather than decoded.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// float64s reads len(dst) rows of a double column; nulls become NaN.
func (pc *pageColumn) float64s(dst []float64) error {
	if pc.phys != parquet.Types.Double {
		return fmt.Errorf("column is %s, want DOUBLE: %w", pc.phys, engine.ErrUnsupportedFormat)
	}
	return readRows(pc, asBits(dst), nanBits, denseFixed)
}

// int64s reads len(dst) rows of a required int64 column.
func (pc *pageColumn) int64s(dst []int64) error {
	if pc.phys != parquet.Types.Int64 {
		return fmt.Errorf("column is %s, want INT64: %w", pc.phys, engine.ErrUnsupportedFormat)
	}
	pc.nulls = 0
	if err := readRows(pc, asBits(dst), 0, denseFixed); err != nil {
		return err
	}
	if pc.nulls > 0 {
		return fmt.Errorf("null in a required integer column: %w", engine.ErrInvalidValue)
	}
	return nil
}

// byteArrays reads n rows of a byte-array column into pc.codes, pc.arena
// and pc.spans. With fresh, the arena is newly allocated rather than
// reused, so that strings may alias it.
func (pc *pageColumn) byteArrays(n int, fresh bool) error {
	if pc.phys != parquet.Types.ByteArray {
		return fmt.Errorf("column is %s, want BYTE_ARRAY: %w", pc.phys, engine.ErrUnsupportedFormat)
	}
	if fresh {
		pc.arena = make([]byte, 0, cap(pc.arena))
	} else {
		pc.arena = pc.arena[:0]
	}
	pc.spans = pc.spans[:0]
	pc.codes = grow(pc.codes, n)
	return readRows(pc, pc.codes, codeNull, denseBytes)
}

// dictEntry returns dictionary value i of a byte-array column.
func (pc *pageColumn) dictEntry(i int) []byte {
	s := pc.dictSpans[i]
	return pc.dictArena[s.lo:s.hi]
}

// asBits views a slice of 8-byte numbers as their bits.
func asBits[T int64 | float64](s []T) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// dictTable caches a byte-array column's dictionary converted to values of
// type T, with the error of each entry that does not convert (errs is nil
// when every entry converts).
type dictTable[T any] struct {
	gen  int
	vals []T
	errs []error
}

// readValues reads len(dst) rows of a byte-array column, converting values
// with l: each dictionary entry once per dictionary, plain values through
// the lookup's cache.
func readValues[T any](pc *pageColumn, l *lookup[T], tab *dictTable[T], dst []T) error {
	if err := pc.byteArrays(len(dst), false); err != nil {
		return err
	}
	if pc.hasDict && tab.gen != pc.dictGen {
		tab.gen = pc.dictGen
		tab.vals, tab.errs = tab.vals[:0], nil
		for i := 0; i < pc.dictLen; i++ {
			v, err := l.get(pc.dictEntry(i))
			if err != nil && tab.errs == nil {
				tab.errs = make([]error, pc.dictLen)
			}
			if err != nil {
				tab.errs[i] = err
			}
			tab.vals = append(tab.vals, v)
		}
	}
	p := 0
	for i, c := range pc.codes {
		if c >= 0 {
			dst[i] = tab.vals[c]
			if tab.errs != nil && tab.errs[c] != nil {
				return tab.errs[c]
			}
			continue
		}
		var err error
		if c == codeNull {
			dst[i], err = l.get(nil)
		} else {
			s := pc.spans[p]
			p++
			dst[i], err = l.get(pc.arena[s.lo:s.hi])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// strTable caches a byte-array column's dictionary as strings that share
// one allocation.
type strTable struct {
	gen  int
	vals []string
}

// readStrings reads len(dst) rows of a string column; nulls become "".
// Plain values of a batch share one allocation, dictionary values one per
// dictionary; no string is overwritten later.
func readStrings(pc *pageColumn, tab *strTable, dst []string) error {
	if err := pc.byteArrays(len(dst), true); err != nil {
		return err
	}
	if pc.hasDict && tab.gen != pc.dictGen {
		tab.gen = pc.dictGen
		all := string(pc.dictArena)
		tab.vals = tab.vals[:0]
		for _, s := range pc.dictSpans[:pc.dictLen] {
			tab.vals = append(tab.vals, all[s.lo:s.hi])
		}
	}
	// The arena was allocated for this batch and is never written again.
	plain := unsafe.String(unsafe.SliceData(pc.arena), len(pc.arena))
	p := 0
	for i, c := range pc.codes {
		switch {
		case c >= 0:
			dst[i] = tab.vals[c]
		case c == codeNull:
			dst[i] = ""
		default:
			s := pc.spans[p]
			p++
			dst[i] = plain[s.lo:s.hi]
		}
	}
	return nil
}
