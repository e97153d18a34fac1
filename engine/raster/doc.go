// Package raster reads GeoTIFF rasters in pure Go (no cgo, no GDAL), from
// an io.ReaderAt, one strip or one row of tiles at a time so that memory
// is bounded by the block size, not the raster size.
//
// Supported: classic TIFF and BigTIFF, little- and big-endian; strips and
// tiles; compression none (1), LZW (5, the TIFF variant: MSB-first codes
// with early change), Deflate (8 and 32946, zlib) and PackBits (32773);
// predictor 1 (none), 2 (horizontal differencing of the samples as
// integers of their bit width, in file byte order; applied to float32
// samples too, as libtiff and GDAL do) and 3 (floating-point predictor:
// byte-wise differencing of byte planes); one band (SamplesPerPixel 1) of
// uint8, int8, uint16, int16, uint32, int32, float32 or float64.
// Anything else is an error wrapping ErrUnsupported that names the tag.
//
// Georeferencing comes from ModelPixelScale + ModelTiepoint or from
// ModelTransformation, as a GDAL-order GeoTransform: x = T[0] + col·T[1] +
// row·T[2], y = T[3] + col·T[4] + row·T[5], where (col, row) = (0, 0) is the
// top-left corner of the top-left pixel (RasterPixelIsPoint files are
// shifted by half a pixel, as GDAL does). For geographic rasters x is
// longitude and y latitude in degrees. The GDAL_NODATA tag (42113) gives
// the nodata value.
//
// Values are returned as float64, rows top to bottom, columns left to
// right; nodata cells keep their nodata value (test with Info.IsNoData).
//
// Untrusted input: every size read from the header is checked against the
// file size and against a cap on the decoded block size (WithMaxBlockBytes,
// default 256 MiB) before anything is allocated; malformed files return
// errors wrapping ErrFormat, never panic. A Reader is not safe for
// concurrent use; open one per goroutine on the same io.ReaderAt.
package raster
