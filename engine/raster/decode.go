package raster

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
)

// decompress fills dst (exactly len(dst) bytes) from the compressed src.
func decompress(comp int, dst, src []byte) error {
	switch comp {
	case CompressionLZW:
		return lzwDecode(dst, src)
	case CompressionDeflate:
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return fmt.Errorf("%w: deflate: %v", ErrFormat, err)
		}
		if _, err := io.ReadFull(zr, dst); err != nil {
			return fmt.Errorf("%w: deflate: %v", ErrFormat, err)
		}
		return nil
	case CompressionPackBits:
		return packBitsDecode(dst, src)
	}
	return fmt.Errorf("%w: %s = %d", ErrUnsupported, tagName(tagCompression), comp)
}

// lzwDecode decodes TIFF LZW: codes are MSB-first, 9 to 12 bits wide, 256
// is Clear, 257 is end of information, and the code width grows one code
// early (when the next free entry reaches 511, 1023, 2047).
func lzwDecode(dst, src []byte) error {
	const (
		clear = 256
		eoi   = 257
		first = 258
		max   = 4096
	)
	if len(src) >= 2 && src[0] == 0 && src[1]&1 == 1 {
		return fmt.Errorf("%w: old-style (LSB-first) LZW in %s", ErrUnsupported, tagName(tagCompression))
	}
	var (
		prefix [max]uint16
		suffix [max]byte
		length [max]uint16
	)
	for i := 0; i < 256; i++ {
		suffix[i], length[i] = byte(i), 1
	}
	var bitBuf uint64
	var nBits uint
	pos, out := 0, 0
	width, next, prev := uint(9), first, -1
	for out < len(dst) {
		for nBits < width {
			if pos >= len(src) {
				return fmt.Errorf("%w: LZW data ends after %d of %d bytes", ErrFormat, out, len(dst))
			}
			bitBuf = bitBuf<<8 | uint64(src[pos])
			pos++
			nBits += 8
		}
		code := int(bitBuf>>(nBits-width)) & (1<<width - 1)
		nBits -= width
		switch {
		case code == eoi:
			return fmt.Errorf("%w: LZW data ends after %d of %d bytes", ErrFormat, out, len(dst))
		case code == clear:
			width, next, prev = 9, first, -1
			continue
		case prev == -1:
			if code >= 256 {
				return fmt.Errorf("%w: LZW code %d after Clear", ErrFormat, code)
			}
			dst[out] = byte(code)
			out++
			prev = code
			continue
		case code > next || (code == next && next >= max):
			return fmt.Errorf("%w: LZW code %d beyond table (%d)", ErrFormat, code, next)
		}
		// The string for code (or, for code == next, prev's string plus
		// its own first byte) is written back to front.
		c := code
		if code == next {
			c = prev
		}
		n := int(length[c])
		extra := 0
		if code == next {
			extra = 1
		}
		if out+n+extra > len(dst) {
			// Output beyond the block is ignored; copy what fits.
			tmp := make([]byte, n+extra)
			writeString(tmp, c, n, &prefix, &suffix)
			if extra == 1 {
				tmp[n] = tmp[0]
			}
			copy(dst[out:], tmp)
			return nil
		}
		writeString(dst[out:], c, n, &prefix, &suffix)
		firstByte := dst[out]
		if extra == 1 {
			dst[out+n] = firstByte
		}
		out += n + extra
		if next < max {
			prefix[next] = uint16(prev)
			suffix[next] = firstByte
			length[next] = length[prev] + 1
			next++
			if next >= 1<<width-1 && width < 12 {
				width++
			}
		}
		prev = code
	}
	return nil
}

func writeString(dst []byte, c, n int, prefix *[4096]uint16, suffix *[4096]byte) {
	for i := n - 1; i >= 0; i-- {
		dst[i] = suffix[c]
		c = int(prefix[c])
	}
}

// packBitsDecode decodes Apple PackBits run-length encoding.
func packBitsDecode(dst, src []byte) error {
	out, pos := 0, 0
	for out < len(dst) {
		if pos >= len(src) {
			return fmt.Errorf("%w: PackBits data ends after %d of %d bytes", ErrFormat, out, len(dst))
		}
		n := int(int8(src[pos]))
		pos++
		switch {
		case n >= 0:
			if pos+n+1 > len(src) {
				return fmt.Errorf("%w: PackBits literal run past the data", ErrFormat)
			}
			out += copy(dst[out:], src[pos:pos+n+1])
			pos += n + 1
		case n != -128:
			if pos >= len(src) {
				return fmt.Errorf("%w: PackBits repeat run past the data", ErrFormat)
			}
			for k := 0; k < 1-n && out < len(dst); k++ {
				dst[out] = src[pos]
				out++
			}
			pos++
		}
	}
	return nil
}

// unpredictHorizontal undoes TIFF predictor 2 in place: within each row,
// every sample (an unsigned integer of size bytes in byte order bo) was
// replaced by its difference from the previous one, modulo 2^(8·size).
func unpredictHorizontal(b []byte, rowBytes, size int, bo binary.ByteOrder) {
	for r := 0; r+rowBytes <= len(b); r += rowBytes {
		row := b[r : r+rowBytes]
		switch size {
		case 1:
			for i := 1; i < len(row); i++ {
				row[i] += row[i-1]
			}
		case 2:
			for i := 2; i+2 <= len(row); i += 2 {
				bo.PutUint16(row[i:], bo.Uint16(row[i:])+bo.Uint16(row[i-2:]))
			}
		case 4:
			for i := 4; i+4 <= len(row); i += 4 {
				bo.PutUint32(row[i:], bo.Uint32(row[i:])+bo.Uint32(row[i-4:]))
			}
		case 8:
			for i := 8; i+8 <= len(row); i += 8 {
				bo.PutUint64(row[i:], bo.Uint64(row[i:])+bo.Uint64(row[i-8:]))
			}
		}
	}
}

// unpredictFloat undoes TIFF predictor 3 in place: each row holds the
// samples' bytes as planes (most significant byte of every sample first),
// byte-wise differenced. The result is each sample big-endian.
func unpredictFloat(b []byte, rowBytes, size int) {
	tmp := make([]byte, rowBytes)
	n := rowBytes / size
	for r := 0; r+rowBytes <= len(b); r += rowBytes {
		row := b[r : r+rowBytes]
		for i := 1; i < len(row); i++ {
			row[i] += row[i-1]
		}
		copy(tmp, row)
		for j := 0; j < n; j++ {
			for k := 0; k < size; k++ {
				row[j*size+k] = tmp[k*n+j]
			}
		}
	}
}
