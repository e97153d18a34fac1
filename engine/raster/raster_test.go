package raster

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func open(t testing.TB, b []byte, opts ...Option) (*Reader, error) {
	t.Helper()
	return Open(bytes.NewReader(b), int64(len(b)), opts...)
}

// pattern returns a value for (c, r) that every type represents exactly.
func pattern(c, r int, t DataType) float64 {
	v := float64((c*7+r*13)%100) + float64(c%3)*50
	switch t {
	case Int8:
		return float64((c*7+r*13)%100) - 50
	case Int16, Int32:
		return v - 150
	case Float32, Float64:
		return (v - 150) + 0.25
	}
	return v
}

func TestSynthetic(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	types := []DataType{Uint8, Int8, Uint16, Int16, Uint32, Int32, Float32, Float64}
	type layout struct {
		name   string
		tiled  bool
		bw, bh int
	}
	layouts := []layout{{"strip1", false, 0, 1}, {"strip4", false, 0, 4}, {"onestrip", false, 0, 0}, {"tile16", true, 16, 16}, {"tile32x16", true, 32, 16}}
	comps := []int{CompressionNone, CompressionLZW, CompressionDeflate, CompressionPackBits}
	const w, h = 37, 21 // not multiples of the tile size: padded edge tiles
	n := 0
	for _, typ := range types {
		for _, lay := range layouts {
			for _, comp := range comps {
				for _, pred := range []int{1, 2, 3} {
					if pred == 3 && typ != Float32 && typ != Float64 {
						continue
					}
					for _, order := range []binary.ByteOrder{le, be} {
						for _, big := range []bool{false, true} {
							// Thin the full product to keep the test short,
							// deterministically, but keep every value of
							// each dimension.
							n++
							if n%3 != 0 && comp != CompressionLZW {
								continue
							}
							name := fmt.Sprintf("%s/%s/c%d/p%d/%v/big=%v", typ, lay.name, comp, pred, order, big)
							t.Run(name, func(t *testing.T) {
								vals := make([]float64, w*h)
								for r := 0; r < h; r++ {
									for c := 0; c < w; c++ {
										vals[r*w+c] = pattern(c, r, typ)
									}
								}
								spec := tiffSpec{big: big, bo: order, w: w, h: h, typ: typ, tiled: lay.tiled,
									bw: lay.bw, bh: lay.bh, comp: comp, pred: pred,
									scale: []float64{0.5, 0.25, 0}, tie: []float64{0, 0, 0, 102, 23.5, 0}}
								rd, err := open(t, encodeTIFF(spec, vals))
								if err != nil {
									t.Fatal(err)
								}
								in := rd.Info()
								if in.Width != w || in.Height != h || in.Type != typ || in.BigTIFF != big || in.Tiled != lay.tiled || in.Predictor != pred {
									t.Errorf("info %+v", in)
								}
								got, err := rd.ReadAll()
								if err != nil {
									t.Fatal(err)
								}
								for i := range vals {
									if got[i] != vals[i] {
										t.Fatalf("pixel (%d,%d) = %v, want %v", i%w, i/w, got[i], vals[i])
									}
								}
							})
						}
					}
				}
			}
		}
	}
}

func TestGeoreferencing(t *testing.T) {
	vals := make([]float64, 4*3)
	tests := []struct {
		name string
		spec tiffSpec
		want GeoTransform
		epsg int
	}{
		{"scale+tiepoint", tiffSpec{scale: []float64{0.5, 0.25, 0}, tie: []float64{0, 0, 0, 102, 23.5, 0}},
			GeoTransform{102, 0.5, 0, 23.5, 0, -0.25}, 0},
		{"tiepoint at (2,1)", tiffSpec{scale: []float64{1, 2, 0}, tie: []float64{2, 1, 0, 10, 20, 0}},
			GeoTransform{8, 1, 0, 22, 0, -2}, 0},
		{"transformation", tiffSpec{transform: []float64{0.5, 0.1, 0, 100, 0.2, -0.5, 0, 20, 0, 0, 0, 0, 0, 0, 0, 1}},
			GeoTransform{100, 0.5, 0.1, 20, 0.2, -0.5}, 0},
		{"pixel is point, EPSG:4326", tiffSpec{scale: []float64{1, 1, 0}, tie: []float64{0, 0, 0, 100, 20, 0},
			geoKeys: []uint16{1, 1, 0, 2, 1025, 0, 1, 2, 2048, 0, 1, 4326}},
			GeoTransform{99.5, 1, 0, 20.5, 0, -1}, 4326},
		// A user-defined projected CRS (a VN-2000 TM-3 zone): projected
		// (GTModelTypeGeoKey 1), its ProjectedCSTypeGeoKey 32767, its
		// geographic base 4326.
		{"projected, user-defined", tiffSpec{scale: []float64{1, 1, 0}, tie: []float64{0, 0, 0, 100, 20, 0},
			geoKeys: []uint16{1, 1, 0, 3, 1024, 0, 1, 1, 2048, 0, 1, 4326, 3072, 0, 1, 32767}},
			GeoTransform{100, 1, 0, 20, 0, -1}, 4326},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.spec
			s.bo, s.w, s.h, s.typ, s.comp = binary.LittleEndian, 4, 3, Uint8, CompressionNone
			rd, err := open(t, encodeTIFF(s, vals))
			if err != nil {
				t.Fatal(err)
			}
			in := rd.Info()
			if !in.HasTransform || in.Transform != tc.want || in.EPSG != tc.epsg {
				t.Errorf("transform %v EPSG %d, want %v %d", in.Transform, in.EPSG, tc.want, tc.epsg)
			}
			wantModel := 0
			if strings.HasPrefix(tc.name, "projected") {
				wantModel = ModelProjected
			}
			if in.ModelType != wantModel || in.HasGeoKeys != (s.geoKeys != nil) {
				t.Errorf("model type %d (geokeys %v), want %d", in.ModelType, in.HasGeoKeys, wantModel)
			}
		})
	}
	gt := GeoTransform{102, 0.5, 0, 23.5, 0, -0.25}
	if x, y := gt.PixelCenter(2, 1); x != 103.25 || y != 23.125 {
		t.Errorf("PixelCenter(2,1) = %v,%v, want 103.25,23.125", x, y)
	}
}

func TestNoData(t *testing.T) {
	tests := []struct {
		text string
		typ  DataType
		want float64
	}{
		{"-99999", Float32, -99999},
		{"-3.4028234663852886e+38", Float32, float64(float32(-3.4028234663852886e+38))},
		{" 255 ", Uint8, 255},
		{"nan", Float64, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			vals := []float64{1, tc.want, 2, 3}
			if math.IsNaN(tc.want) {
				vals[1] = math.NaN()
			}
			rd, err := open(t, encodeTIFF(tiffSpec{bo: binary.BigEndian, w: 2, h: 2, typ: tc.typ, comp: 1, nodata: tc.text}, vals))
			if err != nil {
				t.Fatal(err)
			}
			in := rd.Info()
			got, _ := rd.ReadAll()
			if !in.HasNoData || !in.IsNoData(got[1]) || in.IsNoData(got[0]) {
				t.Errorf("nodata %v (has %v): pixels %v", in.NoData, in.HasNoData, got)
			}
		})
	}
	_, err := open(t, encodeTIFF(tiffSpec{bo: binary.LittleEndian, w: 1, h: 1, typ: Uint8, comp: 1, nodata: "none"}, []float64{0}))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "GDAL_NODATA (42113)") {
		t.Errorf("bad nodata: err = %v", err)
	}
}

func TestRowsStreaming(t *testing.T) {
	const w, h = 10, 23
	vals := make([]float64, w*h)
	for i := range vals {
		vals[i] = float64(i)
	}
	rd, err := open(t, encodeTIFF(tiffSpec{bo: binary.LittleEndian, w: w, h: h, typ: Uint16, bh: 5, comp: CompressionLZW, pred: 2}, vals))
	if err != nil {
		t.Fatal(err)
	}
	rows := rd.Rows()
	var starts, lens []int
	for rows.Next() {
		starts = append(starts, rows.Row0())
		lens = append(lens, rows.Len())
		for i, v := range rows.Values() {
			if v != float64(rows.Row0()*w+i) {
				t.Fatalf("band at %d value %d = %v", rows.Row0(), i, v)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(starts, lens) != "[0 5 10 15 20] [5 5 5 5 3]" {
		t.Errorf("bands start %v len %v", starts, lens)
	}
}

func TestLZWLong(t *testing.T) {
	// Random samples fill the 12-bit table and force Clear codes; a run of
	// zeros builds long strings.
	rng := rand.New(rand.NewPCG(1, 2))
	const w, h = 300, 200
	vals := make([]float64, w*h)
	for i := range vals {
		if i/w < 100 {
			vals[i] = float64(rng.IntN(65536))
		}
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		rd, err := open(t, encodeTIFF(tiffSpec{bo: order, w: w, h: h, typ: Uint16, comp: CompressionLZW}, vals))
		if err != nil {
			t.Fatal(err)
		}
		got, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for i := range vals {
			if got[i] != vals[i] {
				t.Fatalf("%v: value %d = %v, want %v", order, i, got[i], vals[i])
			}
		}
	}
}

func TestPackBitsKnownAnswer(t *testing.T) {
	// The example from Apple's Technical Note TN1023.
	src := []byte{0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7, 0xAA}
	want := []byte{0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22,
		0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA}
	got := make([]byte, len(want))
	if err := packBitsDecode(got, src); err != nil || !bytes.Equal(got, want) {
		t.Errorf("got % x, %v", got, err)
	}
}

func TestUnsupported(t *testing.T) {
	base := func() tiffSpec {
		return tiffSpec{bo: binary.LittleEndian, w: 2, h: 2, typ: Uint8, comp: CompressionNone}
	}
	vals := []float64{1, 2, 3, 4}
	jpeg := base()
	jpeg.comp = 7
	rgb := base()
	rgb.extra = []tiffEntry{{tagSamplesPerPixel, typeShort, 1, []byte{3, 0}}}
	pred3 := base()
	pred3.pred = 3
	tests := []struct {
		name string
		spec tiffSpec
		want string
	}{
		{"jpeg", jpeg, "Compression (259) = 7"},
		{"rgb", rgb, "SamplesPerPixel (277) = 3"},
		{"predictor 3 on uint8", pred3, "Predictor (317) = 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(t, encodeTIFF(tc.spec, vals))
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrUnsupported naming %q", err, tc.want)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	good := encodeTIFF(tiffSpec{bo: binary.LittleEndian, w: 8, h: 8, typ: Uint16, comp: CompressionLZW}, make([]float64, 64))
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not tiff", []byte("PK\x03\x04 this is a zip file")},
		{"bad version", []byte("II\x2b\x00\x04\x00\x00\x00")},
		{"ifd outside", []byte("II\x2a\x00\xff\xff\x00\x00")},
		{"truncated", good[:len(good)-20]},
		{"corrupt LZW strip", bytes.Clone(good)},
	}
	for i := 8; i < 16; i++ { // the strip data follows the 8-byte header
		tests[5].b[i] = 0xff
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := open(t, tc.b)
			if err == nil {
				_, err = rd.ReadAll()
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
		})
	}
	// A strip over the cap is refused before allocation.
	big := encodeTIFF(tiffSpec{bo: binary.LittleEndian, w: 4000, h: 4000, typ: Float64, comp: CompressionDeflate}, make([]float64, 4000*4000))
	if _, err := open(t, big, WithMaxBlockBytes(1<<20)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("over the block cap: err = %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	vals := make([]float64, 6*5)
	for i := range vals {
		vals[i] = float64(i * 3)
	}
	for _, s := range []tiffSpec{
		{bo: binary.LittleEndian, w: 6, h: 5, typ: Uint8, comp: CompressionLZW, pred: 2, bh: 2},
		{bo: binary.BigEndian, big: true, w: 6, h: 5, typ: Float32, comp: CompressionDeflate, pred: 3, tiled: true, bw: 16, bh: 16, nodata: "-1"},
		{bo: binary.LittleEndian, big: true, w: 6, h: 5, typ: Int16, comp: CompressionPackBits, scale: []float64{1, 1, 0}, tie: []float64{0, 0, 0, 1, 1, 0}},
	} {
		f.Add(encodeTIFF(s, vals))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := Open(bytes.NewReader(b), int64(len(b)), WithMaxBlockBytes(1<<20))
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error of no class: %v", err)
			}
			return
		}
		rows := rd.Rows()
		for rows.Next() {
		}
		if err := rows.Err(); err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("error of no class: %v", err)
		}
	})
}

func TestRowsAllocs(t *testing.T) {
	const w, h = 64, 64
	vals := make([]float64, w*h)
	for i := range vals {
		vals[i] = float64(i % 251)
	}
	for _, comp := range []int{CompressionNone, CompressionLZW, CompressionPackBits} {
		rd, err := open(t, encodeTIFF(tiffSpec{bo: binary.LittleEndian, w: w, h: h, typ: Float32, bh: 8, comp: comp, pred: 2}, vals))
		if err != nil {
			t.Fatal(err)
		}
		// After the first band, decoding reuses the band's buffers.
		rows := rd.Rows()
		rows.Next()
		allocs := testing.AllocsPerRun(5, func() {
			rows.band = 0
			if !rows.Next() {
				t.Fatal(rows.Err())
			}
		})
		if allocs != 0 {
			t.Errorf("compression %d: %v allocations per band, want 0", comp, allocs)
		}
	}
}
